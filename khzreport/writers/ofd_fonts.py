"""The fonts an OFD package embeds: the files Typst set the PDF with, subset by Unicode.

A PDF's font subsets are keyed by glyph id and carry no character map, so an OFD reader,
which draws a text object's Unicode text with the font's ``cmap``, could not use them.
Instead each face the PDF names (``ABCDEF+NotoSansCJKsc-Regular``) is found among the font
files the theme gave Typst, by its PostScript name, and subset again with fontTools to the
characters the pages show with it, keeping its ``cmap``. CFF outlines are converted to
TrueType (quadratic) ones, which every OFD reader draws; the conversion and the subsetting
depend on nothing but the font and the characters, so two builds embed the same bytes.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FontFace:
    """One face of a font file: its PostScript and family names, the file and face index."""

    postscript: str
    family: str
    path: Path
    index: int
    bold: bool
    italic: bool


def faces_of(files: Iterable[Path]) -> dict[str, FontFace]:
    """Return every face of ``files`` by PostScript name, and by :func:`face_key` of that
    name and of its full name (the first file naming one wins)."""
    found: dict[str, FontFace] = {}
    for path in files:
        for face, full_name in _faces(str(path)):
            for key in (face.postscript, face_key(face.postscript), face_key(full_name)):
                found.setdefault(key, face)
    return found


def find_face(faces: dict[str, FontFace], name: str) -> FontFace | None:
    """Return the face a PDF font names: by PostScript name, else by its letters alone
    (a face without a PostScript name is named after its full name)."""
    return faces.get(name) or faces.get(face_key(name))


def face_key(name: str) -> str:
    """Return a font name reduced to lower-case letters and digits (``Noto Sans CJK SC
    Bold`` and ``NotoSansCJKSC-Bold`` are one key)."""
    return "~" + "".join(c for c in name.lower() if c.isalnum())


@functools.lru_cache(maxsize=64)
def _faces(path: str) -> tuple[tuple[FontFace, str], ...]:
    from fontTools.ttLib import TTFont  # fontTools: only OFD reads faces

    out = []
    with open(path, "rb") as handle:
        head = handle.read(12)
    is_collection = head[:4] == b"ttcf"
    count = int.from_bytes(head[8:12], "big") if is_collection else 1
    for index in range(count):
        font = (
            TTFont(path, fontNumber=index, lazy=True) if is_collection else TTFont(path, lazy=True)
        )
        name = font["name"]
        postscript = str(name.getDebugName(6) or "")
        family = str(name.getDebugName(16) or name.getDebugName(1) or postscript)
        style = font["OS/2"].fsSelection if "OS/2" in font else 0
        full_name = str(name.getDebugName(4) or family)
        face = FontFace(
            postscript, family, Path(path), index, bool(style & 0x20), bool(style & 0x01)
        )
        out.append((face, full_name))
        font.close()
    return tuple(out)


def postscript_name(base_font: str) -> str:
    """Return the PostScript name of a PDF font (``ABCDEF+Name-Identity-H`` gives ``Name``)."""
    name = base_font.lstrip("/")
    if len(name) > 7 and name[6] == "+" and name[:6].isupper():
        name = name[7:]
    for encoding in ("-Identity-H", "-Identity-V"):
        name = name.removesuffix(encoding)
    return name


def subset_truetype(face: FontFace, characters: str) -> bytes:
    """Return ``face`` subset to ``characters`` as a TrueType font with its ``cmap``.

    Layout tables are dropped (the PDF's positions say where each glyph stands), hinting
    too; the glyphs keep their outlines and advances.
    """
    return _subset(str(face.path), face.index, "".join(sorted(set(characters))))


@functools.lru_cache(maxsize=32)
def _subset(path: str, index: int, characters: str) -> bytes:
    from fontTools import subset  # fontTools: only OFD subsets fonts
    from fontTools.ttLib import TTFont  # fontTools: as above

    font = TTFont(path, fontNumber=index, recalcTimestamp=False, lazy=True)
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_IDs = [1, 2, 3, 4, 5, 6, 16, 17]
    options.name_languages = ["*"]
    options.drop_tables += ["VORG", "vhea", "vmtx", "DSIG", "GDEF", "GPOS", "GSUB", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters])
    try:
        subsetter.subset(font)
        if "CFF " in font:
            _cff_to_truetype(font)
        out = io.BytesIO()
        font.save(out)
    finally:
        font.close()
    return out.getvalue()


def _cff_to_truetype(font: Any) -> None:
    """Replace a font's CFF outlines by quadratic TrueType ones (``glyf``/``loca``)."""
    from fontTools.pens.cu2quPen import Cu2QuPen  # fontTools: as above
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # fontTools: as above
    from fontTools.ttLib import newTable  # fontTools: as above

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    units = font["head"].unitsPerEm
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=units / 1000, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        advance, _ = hmtx.metrics[name]
        hmtx.metrics[name] = (advance, getattr(glyph, "xMin", 0) if glyph.numberOfContours else 0)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    maxp.numGlyphs = len(order)
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
