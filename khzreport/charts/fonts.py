"""Find font files that can show Chinese, for charts and for the PDF writer.

Charts (matplotlib) and PDF (Typst) embed fonts from files, so both need a *file*, not a
family name: a family name that the system silently replaces with a Latin fallback is how
reports end up full of empty boxes. :func:`find_font` therefore returns a concrete
:class:`FontFile` (path and face index inside a ``.ttc`` collection) and checks that the
face really has Chinese glyphs before trusting it.

Search order:

1. font files named by the theme (``fonts.files``), a face of one of the wanted families
   first, else the first face that covers Chinese;
2. the system's fonts through fontconfig (``fc-match`` per family, then ``fc-list
   :lang=zh``); each call spawns a subprocess, so the answers are cached per process and
   on disk (see below);
3. well-known install paths (Debian's ``fonts-noto-cjk``, WenQuanYi, macOS, Windows), for
   systems without fontconfig.

The environment variable ``KHZREPORT_FONT_DIRS`` (folders separated by ``os.pathsep``)
replaces steps 2 and 3: when it is set, only those folders and the theme's files are
searched. Tests use it to simulate a machine without a CJK font; deployments can use it to
pin the fonts a report is built with.

What a search learns is kept in ``fonts.json`` in the chart cache folder (``$KHZREPORT_CACHE``
or the user cache folder), so that a build whose charts are all cached spawns no fontconfig
process and parses no font file's name table or character map: the faces of a font file
and the character map of each face used (by path, size and modification time), and
fontconfig's answers together with a stamp of fontconfig's state,
the modification times of its configuration and of every folder holding a font it knows
(adding or removing a font file changes its folder's time). Answers with another stamp are
discarded, so installing a font is seen on the next build. The file is rewritten atomically;
a cache that cannot be read or written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import subprocess
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import FontError, OutputError
from ..output import write_atomic
from ..resources import FONTCONFIG_ENV, cache_dir

if TYPE_CHECKING:
    from ..theme import Theme

__all__ = [
    "FONT_DIRS_ENV",
    "FontFile",
    "family_names",
    "find_bold",
    "find_font",
    "find_fonts",
    "font_fingerprint",
    "font_paths_for_typst",
    "missing_glyphs",
    "missing_in_all",
    "role_files",
    "theme_font_files",
]

log = logging.getLogger("khzreport")

FONT_DIRS_ENV = "KHZREPORT_FONT_DIRS"
INSTALL_HINT = (
    "install one, e.g. apt-get install fonts-noto-cjk, or name a font file in the theme "
    "(fonts.files)"
)
_CJK_PROBE = "高新区园产业亿元"
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
_COLLECTION_SUFFIXES = (".ttc", ".otc")
_WELL_KNOWN: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    ("/System/Library/Fonts/STHeiti Medium.ttc", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
)


@dataclass(frozen=True)
class FontFile:
    """A font face on disk: the file, its family name, and its index in a collection."""

    path: Path
    family: str
    index: int = 0


@dataclass(frozen=True)
class _Face:
    index: int
    family: str
    names: frozenset[str]
    bold: bool
    zh_cn: bool
    english: tuple[str, ...] = ()


def find_font(
    families: Sequence[str],
    extra_files: Sequence[Path] = (),
    *,
    purpose: str = "charts",
    require_cjk: bool = True,
) -> FontFile:
    """Return the first usable font for ``families``, searching theme files, then the system.

    With ``require_cjk`` (the default) a face counts only if its character map holds Chinese
    characters, because fontconfig answers every query, with a Latin fallback if need be.
    Raise :class:`~khzreport.errors.FontError` naming the families searched when none fits.
    Honours ``KHZREPORT_FONT_DIRS`` (see the module docstring).
    """
    for font in _candidates(families, extra_files, require_cjk):
        return font
    raise _not_found(families, extra_files, purpose, require_cjk)


def find_fonts(
    families: Sequence[str],
    extra_files: Sequence[Path] = (),
    *,
    require_cjk: bool = True,
) -> list[FontFile]:
    """Return every usable font in search order (best first, no face twice)."""
    return list(_candidates(families, extra_files, require_cjk))


def find_bold(font: FontFile) -> FontFile | None:
    """Return the bold face of ``font``'s family from the same folder, if there is one.

    Charts draw big numbers in bold; looking next to the regular file (where font packages
    install their weights) keeps the pair consistent and works without fontconfig.
    """
    try:
        siblings = sorted(p for p in font.path.parent.iterdir() if _is_font_file(p))
    except OSError:
        return None
    want = font.family.casefold()
    for path in siblings:
        for face in _faces(path):
            if face.bold and want in face.names:
                return FontFile(path, font.family, face.index)
    return None


def family_names(font: FontFile) -> tuple[str, ...]:
    """Return the names other programs know this face's family by, most specific first.

    The English family names of the face's name table (typographic family, then family),
    then the name it was found under. Typst finds a font named in a chart SVG by one of
    these (see :mod:`khzreport.charts`).
    """
    face = next((f for f in _faces(font.path) if f.index == font.index), None)
    names = [*(face.english if face else ()), font.family]
    return tuple(dict.fromkeys(n for n in names if n))


def missing_glyphs(text: str, font: FontFile) -> set[str]:
    """Return the characters of ``text`` that ``font`` has no glyph for.

    Whitespace, control and format characters are ignored: they are never drawn as glyphs.
    """
    cmap = _cmap(str(font.path), font.index)
    return {
        ch
        for ch in text
        if not ch.isspace()
        and unicodedata.category(ch) not in ("Cc", "Cf", "Zs", "Zl", "Zp")
        and ord(ch) not in cmap
    }


def missing_in_all(text: str, fonts: Sequence[FontFile]) -> set[str]:
    """Return the characters of ``text`` that none of ``fonts`` has a glyph for.

    The same as intersecting :func:`missing_glyphs` over the fonts, with one lookup per
    character in the union of their character maps.
    """
    covered = _cmap_union(tuple((str(f.path), f.index) for f in fonts))
    return {
        ch
        for ch in set(text)
        if ord(ch) not in covered
        and not ch.isspace()
        and unicodedata.category(ch) not in ("Cc", "Cf", "Zs", "Zl", "Zp")
    }


@cache
def _cmap_union(faces: tuple[tuple[str, int], ...]) -> frozenset[int]:
    return frozenset().union(*(_cmap(path, index) for path, index in faces))


def font_fingerprint(font: FontFile) -> tuple[str, int, int, int]:
    """Return path, face index, size and mtime: what a cache key needs to see a font change."""
    try:
        st = font.path.stat()
        return (str(font.path), font.index, st.st_size, st.st_mtime_ns)
    except OSError:
        return (str(font.path), font.index, -1, -1)


def theme_font_files(theme: Theme) -> list[Path]:
    """Return the theme's ``fonts.files`` as paths, relative ones taken from its folder."""
    base = Path(theme.base_dir) if theme.base_dir else Path.cwd()
    out = []
    for name in theme.fonts.files:
        p = Path(name).expanduser()
        out.append(p if p.is_absolute() else base / p)
    return out


def role_files(theme: Theme, families: Sequence[str]) -> list[Path]:
    """Return the theme's font files a role searching ``families`` may take.

    A file with a face of one of ``families`` serves the role, and so does a file no family
    list of the theme names (a font given only as a file serves every role). A file named by
    another role's list does not: an office's licensed 仿宋_GB2312 serves the body, not the
    headings, quotes and charts that ask for 黑体 and 楷体.
    """
    f = theme.fonts
    lists = (f.pdf_body, f.pdf_heading, f.pdf_quote, f.pdf_title, f.chart, f.latin)
    named = {name.casefold() for names in lists for name in names}
    wanted = {name.casefold() for name in families}
    out = []
    for path in theme_font_files(theme):
        faces = _faces(path) if path.is_file() else ()
        names = {name for face in faces for name in face.names}
        if not faces or names & wanted or not names & named:
            out.append(path)
    return out


def font_paths_for_typst(theme: Theme) -> list[Path]:
    """Return the font files Typst may use: the theme's body, heading and Latin fonts and
    its ``fonts.files``, each resolved (symlinks followed) to the file itself.

    The bold faces of the body and title families come along (bold 仿宋 headings, the bold
    masthead). Typst's ``font_paths`` searches folders (a file path is silently ignored) and follows
    the links it finds there, so handing it a font's folder lets it read whatever lies
    beside the font, a ``root -> /`` link included. The PDF writer links exactly these
    files into a private folder instead. Body and heading fonts must cover Chinese; a
    missing Latin font is not an error because the CJK fonts carry Latin letters too.
    """
    files = theme_font_files(theme)
    f = theme.fonts

    def found(families: list[str], purpose: str) -> FontFile:
        return find_font(families, role_files(theme, families), purpose=purpose)

    body = found(f.pdf_body, "PDF body text")
    title = found(f.pdf_title, "PDF titles")
    chosen = [
        body.path,
        found(f.pdf_heading, "PDF headings").path,
        found(f.pdf_quote, "PDF quotes").path,
        title.path,
    ]
    chosen += [bold.path for bold in (find_bold(body), find_bold(title)) if bold is not None]
    latin = find_fonts(f.latin, role_files(theme, f.latin), require_cjk=False)[:1]
    chosen += [face.path for face in latin]
    out: list[Path] = []
    for file in [*chosen, *files]:
        real = file.resolve()
        if real not in out and real.is_file():
            out.append(real)
    return out


def _candidates(
    families: Sequence[str], extra_files: Sequence[Path], require_cjk: bool
) -> Iterator[FontFile]:
    seen: set[tuple[str, int]] = set()
    for font in _raw_candidates(families, extra_files, require_cjk):
        key = (str(font.path), font.index)
        if key in seen:
            continue
        seen.add(key)
        if not require_cjk or _covers_chinese(font):
            yield font


def _raw_candidates(
    families: Sequence[str], extra_files: Sequence[Path], require_cjk: bool
) -> Iterator[FontFile]:
    yield from _from_files([Path(p) for p in extra_files], families, any_face=True)
    dirs = os.environ.get(FONT_DIRS_ENV)
    if dirs is not None:
        files = [p for d in dirs.split(os.pathsep) if d for p in _walk_fonts(Path(d))]
        yield from _from_files(files, families, any_face=require_cjk)
        return
    yield from _from_fontconfig(families, require_cjk)
    if require_cjk:
        for path, index in _WELL_KNOWN:
            p = Path(path)
            if p.is_file():
                yield from _from_files([p], families, any_face=False)
                faces = {f.index: f for f in _faces(p)}
                if index in faces:
                    yield FontFile(p, faces[index].family, index)
    else:
        for path, _ in _WELL_KNOWN:
            if Path(path).is_file():
                yield from _from_files([Path(path)], families, any_face=False)


def _from_files(
    files: Sequence[Path], families: Sequence[str], any_face: bool
) -> Iterator[FontFile]:
    """Yield faces of ``files`` matching ``families`` (in family order), then any face."""
    table = [(p, _faces(p)) for p in files if p.is_file()]
    for family in families:
        want = family.casefold()
        for path, faces in table:
            for face in faces:
                if want in face.names and not face.bold:
                    yield FontFile(path, family, face.index)
    if any_face:
        ranked = sorted(
            (face.bold, not face.zh_cn, order, face.index, path, face)
            for order, (path, faces) in enumerate(table)
            for face in faces
        )
        for *_, path, face in ranked:
            yield FontFile(path, face.family, face.index)


def _from_fontconfig(families: Sequence[str], require_cjk: bool) -> Iterator[FontFile]:
    lang = ":lang=zh-cn" if require_cjk else ""
    fallbacks = []
    for family in families:
        for path, index, names in _fc_match(_fc_escape(family) + lang):
            font = FontFile(path, family, index)
            if family.casefold() in {n.casefold() for n in names}:
                yield font
            elif names:
                fallbacks.append(FontFile(path, names[0], index))
    if require_cjk:
        yield from fallbacks
        for path, index, names in _fc_list_zh():
            yield FontFile(path, names[0] if names else path.stem, index)


def _fc_escape(family: str) -> str:
    """Escape the characters fontconfig's pattern syntax reserves (``-`` starts a size)."""
    return "".join("\\" + ch if ch in "\\-:,=" else ch for ch in family)


@cache
def _fc_match(pattern: str) -> tuple[tuple[Path, int, tuple[str, ...]], ...]:
    return _parse_fc(
        _fontconfig_answer(
            "match:" + pattern, ["fc-match", "-f", "%{file}|%{index}|%{family}\\n", pattern]
        )
    )


@cache
def _fc_list_zh() -> tuple[tuple[Path, int, tuple[str, ...]], ...]:
    out = _fontconfig_answer(
        "list:zh", ["fc-list", "-f", "%{file}|%{index}|%{family}|%{style}\\n", ":lang=zh"]
    )
    rows = []
    for line in sorted(out.splitlines()):
        parts = line.split("|")
        if len(parts) == 4:
            regular = "regular" in parts[3].casefold()
            rows.append((not regular, "|".join(parts[:3])))
    return _parse_fc("\n".join(line for _, line in sorted(rows)))


# --- the on-disk cache (see the module docstring) ------------------------------------------

_DISK_VERSION = 1
_disk_lock = threading.Lock()
_disk_data: dict[str, Any] | None = None


def _disk_file() -> Path:
    """Return ``fonts.json`` in the cache folder (:func:`khzreport.resources.cache_dir`)."""
    return cache_dir() / "fonts.json"


def _disk() -> dict[str, Any]:
    """Return the on-disk cache, read once per process (empty if missing or unreadable)."""
    global _disk_data
    if _disk_data is None:
        data: Any = None
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(_disk_file().read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != _DISK_VERSION:
            data = {"version": _DISK_VERSION}
        if not isinstance(data.get("faces"), dict):
            data["faces"] = {}
        if not isinstance(data.get("fontconfig"), dict):
            data["fontconfig"] = {}
        if not isinstance(data.get("cmaps"), dict):
            data["cmaps"] = {}
        _disk_data = data
    return _disk_data


def _save_disk() -> None:
    """Write the cache atomically (a temporary file moved into place); failures are ignored."""
    with _disk_lock:
        text = json.dumps(_disk(), ensure_ascii=False, sort_keys=True)
    with contextlib.suppress(OutputError):
        write_atomic(_disk_file(), text.encode("utf-8"))


def _fontconfig_answer(key: str, args: list[str]) -> str:
    """Return fontconfig's output for ``args``: from the disk cache if its state is unchanged."""
    answers = _fontconfig_answers()
    hit = answers.get(key)
    if isinstance(hit, str):
        return hit
    out = _run_fc(args)
    if out:
        with _disk_lock:
            answers[key] = out
        _save_disk()
    return out


@cache
def _fontconfig_answers() -> dict[str, str]:
    """Return the cached answers of fontconfig, emptied first if its state has changed."""
    entry = _disk()["fontconfig"]
    kept, known_folders = entry.get("answers"), entry.get("folders")
    if isinstance(kept, dict) and isinstance(known_folders, list):
        if entry.get("stamp") == _fontconfig_stamp(known_folders):
            return kept
    listing = _run_fc(["fc-list", "-f", "%{file}\\n"])
    known = {Path(line).parent for line in listing.splitlines() if line.strip()}
    roots = [Path(r) for r in _font_roots()]
    between = {  # a new folder inside a font root changes its parent folder's time
        parent
        for folder in known
        for parent in folder.parents
        if any(parent == r or r in parent.parents for r in roots)
    }
    folders = sorted(str(p) for p in known | between)
    answers: dict[str, str] = {}
    with _disk_lock:
        _disk()["fontconfig"] = {
            "stamp": _fontconfig_stamp(folders),
            "folders": folders,
            "answers": answers,
        }
    return answers


def _fontconfig_stamp(folders: list[str]) -> str:
    """Return a digest of what fontconfig's answers depend on (see the module docstring)."""
    home = Path.home()
    config = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    roots = _font_roots()
    places = ["/etc/fonts", "/etc/fonts/conf.d", f"{config}/fontconfig"]
    places += [
        f"{config}/fontconfig/conf.d",
        str(home / ".fonts.conf"),
        str(home / ".fonts.conf.d"),
    ]
    places += [os.environ.get("FONTCONFIG_FILE", ""), os.environ.get("FONTCONFIG_PATH", "")]
    parts = [f"{name}={os.environ.get(name, '')}" for name in FONTCONFIG_ENV]
    for place in [*folders, *roots]:
        parts.append(f"{place}:{_mtime(place)}")
    for place in filter(None, places):
        parts.append(f"{place}:{_mtime(place)}")
        with contextlib.suppress(OSError):
            for item in sorted(os.scandir(place), key=lambda e: e.name):
                parts.append(f"{item.path}:{_mtime(item.path)}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _font_roots() -> list[str]:
    """Return the usual top folders of installed fonts (fontconfig's default ``<dir>``s)."""
    home = Path.home()
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return ["/usr/share/fonts", "/usr/local/share/fonts", str(home / ".fonts"), str(data / "fonts")]


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def _run_fc(args: list[str]) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("fontconfig not usable (%s): %s", args[0], exc)
        return ""
    return done.stdout if done.returncode == 0 else ""


def _parse_fc(text: str) -> tuple[tuple[Path, int, tuple[str, ...]], ...]:
    rows = []
    for line in text.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[0]:
            continue
        path = Path(parts[0])
        if path.suffix.lower() not in _FONT_SUFFIXES:
            continue
        try:
            index = int(parts[1] or 0)
        except ValueError:
            index = 0
        names = tuple(n.strip() for n in parts[2].split(",") if n.strip())
        rows.append((path, index, names))
    return tuple(rows)


def _walk_fonts(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if _is_font_file(p))


def _is_font_file(path: Path) -> bool:
    return path.suffix.lower() in _FONT_SUFFIXES and path.is_file()


def _faces(path: Path) -> tuple[_Face, ...]:
    try:
        st = path.stat()
    except OSError:
        return ()
    return _faces_cached(str(path), st.st_size, st.st_mtime_ns)


@cache
def _faces_cached(path: str, size: int, mtime: int) -> tuple[_Face, ...]:
    key = f"{path}|{size}|{mtime}"
    kept = _disk()["faces"].get(key)
    if isinstance(kept, list):
        with contextlib.suppress(TypeError, ValueError):
            return tuple(
                _Face(int(i), str(f), frozenset(map(str, n)), bool(b), bool(z), tuple(map(str, e)))
                for i, f, n, b, z, e in kept
            )
    faces = _read_faces(path)
    with _disk_lock:
        stored = _disk()["faces"]
        for old in [k for k in stored if k.rsplit("|", 2)[0] == path]:
            del stored[old]  # an earlier version of this file
        stored[key] = [
            [f.index, f.family, sorted(f.names), f.bold, f.zh_cn, list(f.english)] for f in faces
        ]
    _save_disk()
    return faces


def _read_faces(path: str) -> tuple[_Face, ...]:
    from fontTools.ttLib import TTCollection, TTFont  # only a cache miss reads a font file

    try:
        with open(path, "rb") as fh:
            collection = fh.read(4) == b"ttcf"
            fh.seek(0)
            fonts = TTCollection(fh, lazy=True).fonts if collection else [TTFont(fh, lazy=True)]
            return tuple(_describe(i, f) for i, f in enumerate(fonts))
    except Exception as exc:  # a broken or unsupported file is skipped, not fatal
        log.debug("cannot read font %s: %s", path, exc)
        return ()


def _describe(index: int, font: Any) -> _Face:
    names: set[str] = set()
    english = ""
    english_family = ""
    subfamily = ""
    zh_cn = False
    for rec in font["name"].names:
        if rec.nameID not in (1, 2, 4, 16, 17, 21):
            continue
        try:
            value = rec.toUnicode().strip()
        except UnicodeDecodeError:
            continue
        zh_cn = zh_cn or (rec.platformID == 3 and rec.langID == 0x804)
        if rec.nameID in (2, 17):
            if rec.langID in (0, 0x409):
                subfamily = subfamily or value
            continue
        names.add(value.casefold())
        for suffix in (" regular", " bold"):
            if value.casefold().endswith(suffix):
                names.add(value.casefold().removesuffix(suffix))
        if rec.nameID in (1, 16) and rec.platformID == 3 and rec.langID == 0x409:
            english = value if rec.nameID == 16 or not english else english
            if rec.nameID == 1:
                english_family = value
    family = english or (sorted(names)[0] if names else "")
    return _Face(
        index,
        family,
        frozenset(names),
        "bold" in subfamily.casefold(),
        zh_cn,
        tuple(dict.fromkeys(n for n in (english, english_family) if n)),
    )


def _cmap(path: str, index: int) -> frozenset[int]:
    """Return the code points face ``index`` of ``path`` maps to a glyph (fontTools' best cmap)."""
    try:
        st = os.stat(path)
    except OSError:
        return frozenset()
    return _cmap_cached(path, index, st.st_size, st.st_mtime_ns)


@cache
def _cmap_cached(path: str, index: int, size: int, mtime: int) -> frozenset[int]:
    """Return a face's character map, from the disk cache when the file is unchanged.

    fontTools decodes the subtable in Python, tens of milliseconds for a CJK face, so the
    answer is kept in ``fonts.json`` as runs of consecutive code points (``[first, last,
    first, last, ...]``, about 2000 runs for Noto Sans CJK).
    """
    key = f"{path}|{size}|{mtime}|{index}"
    kept = _disk()["cmaps"].get(key)
    if isinstance(kept, list) and len(kept) % 2 == 0:
        with contextlib.suppress(TypeError, ValueError):
            runs = iter(map(int, kept))
            pairs = zip(runs, runs, strict=True)
            return frozenset(c for first, last in pairs for c in range(first, last + 1))
    codes = _read_cmap(path, index)
    if codes is None:
        return frozenset()
    with _disk_lock:
        stored = _disk()["cmaps"]
        for old in [k for k in stored if k.rsplit("|", 3)[0] == path and k.endswith(f"|{index}")]:
            del stored[old]  # an earlier version of this file
        stored[key] = _runs(codes)
    _save_disk()
    return codes


def _read_cmap(path: str, index: int) -> frozenset[int] | None:
    """Return the code points of fontTools' best Unicode subtable; None if unreadable."""
    from fontTools.ttLib import TTFont  # only a cache miss reads a font file

    try:
        with open(path, "rb") as fh:
            font = TTFont(fh, fontNumber=index, lazy=True)
            # Only code points are kept: numbering the glyphs spares decoding their real
            # names (a CJK face's CFF charset), which costs more than the map itself.
            font.setGlyphOrder([f"g{k}" for k in range(font["maxp"].numGlyphs)])
            return frozenset(font["cmap"].getBestCmap() or {})
    except Exception as exc:  # a broken or unsupported file shows no character
        log.debug("cannot read the character map of %s: %s", path, exc)
        return None


def _runs(codes: frozenset[int]) -> list[int]:
    """Return sorted code points as ``[first, last, ...]`` runs of consecutive ones."""
    out: list[int] = []
    for code in sorted(codes):
        if out and out[-1] == code - 1:
            out[-1] = code
        else:
            out += [code, code]
    return out


def _covers_chinese(font: FontFile) -> bool:
    return not missing_glyphs(_CJK_PROBE, font)


def _not_found(
    families: Iterable[str], extra_files: Sequence[Path], purpose: str, require_cjk: bool
) -> FontError:
    what = "font with Chinese characters" if require_cjk else "font"
    where = []
    if extra_files:
        where.append("theme files " + ", ".join(str(p) for p in extra_files))
    dirs = os.environ.get(FONT_DIRS_ENV)
    if dirs is not None:
        where.append(f"{FONT_DIRS_ENV}={dirs}")
    else:
        where.append("system fonts (fontconfig)")
    return FontError(
        f"no {what} found for {purpose}: looked for {', '.join(families) or '(no families)'} "
        f"in {' and '.join(where)}",
        None,
        INSTALL_HINT,
    )
