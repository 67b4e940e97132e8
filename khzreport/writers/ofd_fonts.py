"""The fonts an OFD package embeds: the PDF's own subsets, made usable by an OFD reader.

A PDF's CID font subsets carry no character map, and an OFD reader draws a text object's
Unicode text through the font's ``cmap``. :func:`wrap_embedded` rewraps each embedded
subset (a bare CID-keyed CFF, or TrueType) as a TrueType font whose ``cmap`` comes from the
PDF's ``ToUnicode``, so every glyph drawn is the one Typst set; a glyph no single
character names (a ligature, an alternate taken by an OpenType feature) is named by its
index in a CGTransform. CFF outlines are converted to TrueType (quadratic) ones, which
every OFD reader draws.

For a PDF font without an embedded file, the face is found among the theme's font files by
its PostScript (or full) name and subset with fontTools to the characters shown
(:func:`subset_truetype`). Either way the bytes depend only on the font and the characters,
so two builds embed the same bytes.
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


@dataclass(frozen=True)
class WrappedFont:
    """A PDF's own font subset as a TrueType font an OFD reader can use.

    ``glyph_of_code`` gives the glyph each code of the PDF font shows; ``cmap`` the glyph
    the font's character map gives each character (one per character, so a glyph the PDF
    took by an OpenType feature, a ligature or a proportional quote, is named by index).
    """

    data: bytes
    glyph_of_code: dict[int, int]
    cmap: dict[str, int]


def wrap_embedded(
    program: bytes,
    cff: bool,
    cid_to_gid: tuple[int, ...] | None,
    widths: dict[int, float],
    default_width: float,
    to_unicode: dict[int, str],
    name: str,
) -> WrappedFont:
    """Return the PDF's embedded subset (bare CID-keyed CFF, or TrueType) as TrueType with a
    character map from the PDF's ``ToUnicode`` and a space glyph, so that exactly the
    glyphs the PDF shows are drawn. Raises ``ValueError`` (or fontTools' errors) for a
    font program it cannot read; the caller then subsets the theme's font file instead."""
    from fontTools.fontBuilder import FontBuilder  # fontTools: only OFD wraps fonts
    from fontTools.pens.cu2quPen import Cu2QuPen  # fontTools: as above
    from fontTools.pens.recordingPen import RecordingPen  # fontTools: as above
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # fontTools: as above

    outlines: list[RecordingPen] = []
    advances: list[float] = []
    glyph_of_code: dict[int, int] = {}
    if cff:
        from fontTools.cffLib import CFFFontSet  # fontTools: as above

        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(program), None)
        top = fonts[fonts.fontNames[0]]
        matrix = getattr(top, "FontMatrix", None) or [0.001, 0, 0, 0.001, 0, 0]
        if abs(matrix[0] - 0.001) > 1e-9 or matrix[1] or matrix[2]:
            raise ValueError("a CFF font matrix other than 1/1000")
        names = list(top.charset)
        by_name = {n: i for i, n in enumerate(names)}
        cid_keyed = hasattr(top, "ROS")
        for code in widths.keys() | to_unicode.keys():
            glyph = f"cid{code:05d}" if cid_keyed else None
            if glyph in by_name:
                glyph_of_code[code] = by_name[glyph]
            elif not cid_keyed and code < len(names):
                glyph_of_code[code] = code
        for glyph_name in names:
            pen = RecordingPen()
            top.CharStrings[glyph_name].draw(pen)
            outlines.append(pen)
        units = 1000
    else:
        from fontTools.ttLib import TTFont  # fontTools: as above

        font = TTFont(io.BytesIO(program))
        units = font["head"].unitsPerEm
        glyph_set = font.getGlyphSet()
        order = font.getGlyphOrder()
        for glyph_name in order:
            pen = RecordingPen()
            glyph_set[glyph_name].draw(pen)
            outlines.append(pen)
        for code in widths.keys() | to_unicode.keys():
            gid = cid_to_gid[code] if cid_to_gid and code < len(cid_to_gid) else code
            if gid < len(order):
                glyph_of_code[code] = gid
    count = len(outlines)
    code_of_glyph = {gid: code for code, gid in sorted(glyph_of_code.items(), reverse=True)}
    for gid in range(count):
        shown = code_of_glyph.get(gid)
        width = widths.get(shown, default_width) if shown is not None else default_width
        advances.append(width * units / 1000)
    cmap: dict[str, int] = {}
    for code, text in sorted(to_unicode.items()):
        if len(text) == 1 and code in glyph_of_code:
            cmap.setdefault(text, glyph_of_code[code])
    if " " not in cmap:  # a space read from a gap needs a glyph to stand for
        cmap[" "] = count
        outlines.append(RecordingPen())
        advances.append(units / 4)
    order = [".notdef", *(f"g{i}" for i in range(1, len(outlines)))]
    glyphs = {}
    for glyph_name, recording in zip(order, outlines, strict=True):
        pen = TTGlyphPen(None)
        recording.replay(Cu2QuPen(pen, max_err=units / 1000, reverse_direction=cff))
        glyphs[glyph_name] = pen.glyph()
    builder = FontBuilder(units, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap({ord(ch): order[gid] for ch, gid in cmap.items()})
    builder.setupGlyf(glyphs)
    metrics = {}
    for glyph_name, advance in zip(order, advances, strict=True):
        glyph = glyphs[glyph_name]
        metrics[glyph_name] = (round(advance), getattr(glyph, "xMin", 0) or 0)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=round(units * 0.88), descent=-round(units * 0.12))
    family = name.split("-")[0]
    builder.setupNameTable(
        {"familyName": family, "styleName": name.partition("-")[2] or "Regular", "psName": name}
    )
    builder.setupOS2(sTypoAscender=round(units * 0.88), sTypoDescender=-round(units * 0.12))
    builder.setupPost()
    builder.font.recalcTimestamp = False
    builder.font["head"].created = builder.font["head"].modified = 0
    out = io.BytesIO()
    builder.save(out)
    return WrappedFont(
        out.getvalue(), {code: gid for code, gid in glyph_of_code.items()}, dict(cmap)
    )
