"""Keep a source inside its folder (no absolute paths, ``..``, symlinks out or URLs), and
name the characters no document can hold.

Everything a source names is read from its own folder: the theme file, photos, the theme's
font files. :func:`confined_path` is the one gate they all pass. Photos have one check,
:func:`check_photo`: the resolve stage applies it, and writers read a photo's bytes through
:func:`read_checked`, which applies the same check again (a cache hit while the file is
unchanged) so a file changed or removed since then is reported at its figure.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
import warnings
from pathlib import Path

from ..buildcache import note_input
from ..errors import Location, SourceError, ValidationError
from ..limits import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, MAX_NAME_BYTES, MAX_PATH_BYTES

_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|(?:data|file|javascript):)", re.IGNORECASE)

UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\ue00f\ufffe\uffff\ud800-\udfff]")
"""Characters that cannot be in a document: C0 controls other than tab, line feed and
carriage return (XML and PDF text refuse them), DEL, lone surrogates, the non-characters
U+FFFE/U+FFFF, and U+E000-U+E00F (reserved for the marks khzreport puts in rendered text:
bound values, references, bold, 着重号)."""


def describe_character(ch: str) -> str:
    """Return ``the control character U+0000`` and the like, for error messages."""
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        what = "a lone surrogate"
    elif code in (0xFFFE, 0xFFFF):
        what = "the non-character"
    elif 0xE000 <= code <= 0xE002:
        what = "the private-use character"
    elif unicodedata.category(ch) == "Cc":
        what = "the control character"
    else:
        what = "the character"
    return f"{what} U+{code:04X}"


def confined_path(base: Path, relative: str, where: Location) -> Path:
    """Return ``base/relative`` resolved, refusing anything that leaves ``base``."""
    hint = "name a file inside the source's folder with a relative path"
    if _URL.match(relative) or relative.startswith("//"):
        raise ValidationError(f"URLs are not allowed, got {relative!r}", where, hint)
    path = Path(relative)
    if path.is_absolute() or re.match(r"^[A-Za-z]:[\\/]", relative):
        raise ValidationError(f"absolute paths are not allowed, got {relative!r}", where, hint)
    longest = max((len(os.fsencode(part)) for part in path.parts), default=0)
    if longest > MAX_NAME_BYTES or len(os.fsencode(relative)) > MAX_PATH_BYTES:
        raise ValidationError(
            f"the path is too long ({len(relative)} characters)",
            where,
            f"file names have at most {MAX_NAME_BYTES} bytes, paths {MAX_PATH_BYTES}",
        )
    try:
        root = base.resolve()
        full = (root / path).resolve()
        full.is_file()  # the system's own refusals (a name too long for it) surface here
    except (OSError, ValueError, RuntimeError) as exc:  # NUL byte, symlink loop, too long
        raise ValidationError(f"cannot use the path {relative!r}: {exc}", where, hint) from None
    if not full.is_relative_to(root):
        raise ValidationError(f"the path {relative!r} leads outside the source folder", where, hint)
    note_input(full)
    return full


_PHOTO_HINT = "save the photo as PNG or JPEG"
_OTHER_FORMATS = (
    (b"%!PS", "EPS/PostScript"),
    (b"%PDF", "PDF"),
    (b"GIF8", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\x00\x00\x01\x00", "ICO"),
)


def check_photo(file: Path) -> tuple[str, str] | None:
    """Return ``(problem, hint)`` unless ``file`` is a PNG or JPEG photo within the limits.

    The format is read from the file's first bytes (not its name); the pixel size from its
    header, before anything is decoded, so a decompression bomb (a small file declaring
    20000 x 20000 pixels) is refused without being expanded. See :mod:`khzreport.limits`.
    """
    try:
        info = file.stat()
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}", "check the file"
    return _check_photo(str(file), info.st_size, info.st_mtime_ns)


def photo_size(file: Path) -> tuple[int, int] | None:
    """Return a photo's width and height in pixels from its header, or None if unreadable.

    For layouts that size a page around a photo; the photo itself is checked by
    :func:`check_photo` when the source is resolved.
    """
    from PIL import Image  # Pillow reads only the header here

    try:
        with Image.open(file) as img:
            return img.size
    except (OSError, ValueError):
        return None


@functools.lru_cache(maxsize=256)
def _check_photo(name: str, size: int, mtime_ns: int) -> tuple[str, str] | None:
    file = Path(name)
    if size > MAX_IMAGE_BYTES:
        return (
            f"the file has {size} bytes, more than the limit of {MAX_IMAGE_BYTES}",
            "save a smaller photo (a few MB is plenty for print)",
        )
    try:
        with file.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}", "check the file"
    suffix = file.suffix.lower()
    names: tuple[str, ...]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind, names = "PNG", (".png",)
    elif head.startswith(b"\xff\xd8\xff"):
        kind, names = "JPEG", (".jpg", ".jpeg")
    else:
        found = next((what for magic, what in _OTHER_FORMATS if head.startswith(magic)), None)
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if found is None and (text.startswith((b"<svg", b"<?xml", b"<!doctype svg"))):
            found = "SVG"
        if found is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            found = "WebP"
        what = f"in {found} format" if found else "not an image khzreport can read"
        return f"the file is {what}; photos must be PNG or JPEG", _PHOTO_HINT
    if suffix not in names:
        return (
            f"the file is a {kind} image but is named {suffix or 'without an extension'}",
            f"rename it to {file.stem}{names[0]}",
        )
    if kind == "PNG" and head[12:16] == b"IHDR":  # the size, straight from the header
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        if width * height > MAX_IMAGE_PIXELS:
            return _too_many_pixels(width, height)
    from PIL import Image  # Pillow only once a source names a photo

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file, formats=[kind]) as img:
                width, height = img.size
                if width * height > MAX_IMAGE_PIXELS:
                    return _too_many_pixels(width, height)
                if kind == "PNG":
                    img.verify()  # chunk checksums, without decoding
                else:
                    img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
                    img.load()  # at 1/8 scale: cheap, and finds a truncated file
    except Image.DecompressionBombError:
        return _too_many_pixels(None, None)
    except Exception as exc:  # Pillow raises many kinds on a damaged file
        return f"the {kind} file is damaged ({exc})", "export the photo again"
    return None


def read_checked(file: Path, where: Location | None, what: str = "image") -> bytes:
    """Return the bytes of a photo that :func:`check_photo` accepts; raise a located
    :class:`SourceError` (``what`` names the figure) if it does not, or no longer exists."""
    if not file.is_file():
        raise SourceError(
            f"{what}: image file not found: {file}",
            where,
            "put the file back next to the source and build again",
        )
    problem = check_photo(file)
    if problem is None:
        try:
            return file.read_bytes()
        except OSError as exc:
            problem = f"cannot read it: {exc.strerror or exc}", "check the file"
    message, hint = problem
    raise SourceError(f"{what}: image {file.name}: {message}", where, hint)


def _too_many_pixels(width: int | None, height: int | None) -> tuple[str, str]:
    limit = f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels"
    size = f"{width} x {height} pixels" if width and height else "far too many pixels"
    return (
        f"the image has {size}, more than the limit of {limit}",
        "scale it down; 4000 pixels across is plenty for print",
    )
