"""Keep a source inside its folder (no absolute paths, ``..``, symlinks out or URLs), and
name the characters no document can hold.

Everything a source names is read from its own folder: the theme file, photos, the theme's
font files. :func:`confined_path` is the one gate they all pass.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import Location, ValidationError

_URL = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|(?:data|file|javascript):)", re.IGNORECASE)

UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\ue002\ufffe\uffff\ud800-\udfff]")
"""Characters that cannot be in a document: C0 controls other than tab, line feed and
carriage return (XML and PDF text refuse them), DEL, lone surrogates, the non-characters
U+FFFE/U+FFFF, and U+E000-U+E002 (khzreport marks bound values with them while rendering)."""


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
    try:
        root = base.resolve()
        full = (root / path).resolve()
    except (OSError, ValueError, RuntimeError) as exc:  # NUL byte, symlink loop, too long
        raise ValidationError(f"cannot use the path {relative!r}: {exc}", where, hint) from None
    if not full.is_relative_to(root):
        raise ValidationError(f"the path {relative!r} leads outside the source folder", where, hint)
    return full
