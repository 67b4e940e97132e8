"""Read the pages Typst laid out from its PDF: text runs, vector paths and images.

The OFD writer lays nothing out itself. It replays each page's content stream (and the
form XObjects it draws) with the graphics state the PDF defines: the current transformation
matrix, colours, line style and text state. Each text show becomes a :class:`TextRun` of
characters at page positions (from the font's ``/W`` advances, the ``TJ`` adjustments and
the text matrix, the characters from its ``ToUnicode`` map); each painted path a
:class:`PathShape` with its points on the page; each image XObject an :class:`ImagePlacement`
with its bytes (JPEG kept as is, anything else as PNG). Positions are in millimetres from
the page's top left corner, y downwards, as OFD measures.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from .ofd_fonts import postscript_name

MM_PER_PT = 25.4 / 72

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """Return ``m × n`` in PDF's row-vector convention (apply ``m``, then ``n``)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    """Return the point ``(x, y)`` transformed by ``m``."""
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


@dataclass(frozen=True)
class FontInfo:
    """A PDF font as the pages use it: PostScript name, advances, characters by code."""

    key: int
    postscript: str
    widths: dict[int, float]
    default_width: float
    to_unicode: dict[int, str]
    two_byte: bool
    program: bytes = b""
    """The embedded font file: a bare CFF (``FontFile3``) or TrueType (``FontFile2``)."""
    cff: bool = False
    cid_to_gid: tuple[int, ...] | None = None
    """The glyph of each code of a TrueType CID font (``None``: the code is the glyph)."""

    def codes(self, data: bytes) -> list[int]:
        """Return the character codes of a shown string."""
        if self.two_byte:
            return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)

    def width(self, code: int) -> float:
        """Return a code's advance in text space units (1/1000 of the font size)."""
        return self.widths.get(code, self.default_width)


@dataclass
class TextRun:
    """Characters drawn by one text show: each with its page position (mm).

    ``matrix`` maps glyph space (1 unit = 1 mm of font size, y down) to the page, without
    the translation, so an upright run has ``(s, 0, 0, s)``; ``size`` is the font size.
    """

    font: FontInfo
    size: float
    matrix: tuple[float, float, float, float]
    chars: list[tuple[str, float, float]]
    fill: tuple[int, int, int]
    stroke: tuple[int, int, int] | None
    glyphs: list[tuple[int, int] | None] = field(default_factory=list)
    """For each character, the code of the glyph that shows it and its place among that
    glyph's characters (``fi`` is one glyph of two); ``None`` for a space read from a gap."""


@dataclass
class PathShape:
    """A painted path: subpaths of ("M"|"L"|"B"|"C", points) on the page (mm)."""

    commands: list[tuple[str, tuple[float, ...]]]
    fill: tuple[int, int, int] | None
    stroke: tuple[int, int, int] | None
    even_odd: bool
    line_width: float
    cap: int
    join: int
    miter: float
    dash: tuple[float, list[float]] | None


@dataclass
class ImagePlacement:
    """An image drawn on the page: its unit square mapped by ``matrix`` onto the page (mm)."""

    data: bytes
    suffix: str
    matrix: Matrix


@dataclass(frozen=True)
class Link:
    """A link area of a page (x, y, width, height in mm) going to a place in the document:
    the target page's index and the point (mm from its top left corner) to show."""

    box: tuple[float, float, float, float]
    page: int
    left: float
    top: float


@dataclass
class PageContent:
    """What one page shows, in drawing order, with its size in millimetres, and its links."""

    width: float
    height: float
    items: list[TextRun | PathShape | ImagePlacement] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill: tuple[int, int, int] = (0, 0, 0)
    stroke: tuple[int, int, int] = (0, 0, 0)
    fill_space: int = 1
    stroke_space: int = 1
    line_width: float = 1.0
    cap: int = 0
    join: int = 0
    miter: float = 10.0
    dash: tuple[float, list[float]] | None = None
    font: FontInfo | None = None
    font_size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    horizontal_scale: float = 1.0
    leading: float = 0.0
    rise: float = 0.0
    render_mode: int = 0

    def copy(self) -> _State:
        return _State(**self.__dict__)


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]*)>|\[([^\]]*)\]")


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode("ascii")).decode("utf-16-be", "replace")


def parse_to_unicode(cmap: bytes) -> dict[int, str]:
    """Return the characters of a ``ToUnicode`` CMap by code (``bfchar`` and ``bfrange``)."""
    out: dict[int, str] = {}
    for block in _BFCHAR.findall(cmap):
        hexes = re.findall(rb"<([0-9A-Fa-f]*)>", block)
        for code, text in zip(hexes[0::2], hexes[1::2], strict=False):
            out[int(code, 16)] = _utf16(text)
    for block in _BFRANGE.findall(cmap):
        tokens = _HEX.findall(block)
        for i in range(0, len(tokens) - 2, 3):
            low, high = int(tokens[i][0], 16), int(tokens[i + 1][0], 16)
            target, listed = tokens[i + 2]
            if listed:
                for offset, item in enumerate(re.findall(rb"<([0-9A-Fa-f]*)>", listed)):
                    out[low + offset] = _utf16(item)
            else:
                start = bytes.fromhex(target.decode("ascii"))
                for offset in range(high - low + 1):
                    value = int.from_bytes(start, "big") + offset
                    out[low + offset] = value.to_bytes(len(start), "big").decode(
                        "utf-16-be", "replace"
                    )
    return out


class PageReader:
    """Replays the content of a PDF's pages (a :class:`pypdf.PdfReader`'s)."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.fonts: dict[int, FontInfo] = {}
        self.page_numbers = {
            p.indirect_reference.idnum: i
            for i, p in enumerate(reader.pages)
            if p.indirect_reference is not None
        }
        self.left_out: set[str] = set()
        """What the pages draw that OFD objects here do not carry (shadings, transparency…)."""

    def page(self, page: Any) -> PageContent:
        """Return what ``page`` shows."""
        box = page.mediabox
        left, bottom = float(box.left), float(box.bottom)
        width_pt, height_pt = float(box.width), float(box.height)
        to_page: Matrix = (
            MM_PER_PT,
            0.0,
            0.0,
            -MM_PER_PT,
            -left * MM_PER_PT,
            (height_pt + bottom) * MM_PER_PT,
        )
        content = PageContent(width_pt * MM_PER_PT, height_pt * MM_PER_PT)
        state = _State(ctm=to_page)
        contents = page.get_contents()
        if contents is not None:
            self._run(contents, page.get("/Resources") or {}, state, content, 0)
        content.links = self._links(page, to_page)
        return content

    def _links(self, page: Any, to_page: Matrix) -> list[Link]:
        """Return the page's links to places in the document (the contents' entries, the
        cross-references); a link to a web address is left to the text that shows it."""
        out = []
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link" or "/Rect" not in annot:
                continue
            dest = annot.get("/Dest")
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if dest is None and action is not None and action.get("/S") == "/GoTo":
                dest = action.get("/D")
            dest = dest.get_object() if hasattr(dest, "get_object") else dest
            if isinstance(dest, str | bytes):
                dest = self.reader.named_destinations.get(str(dest))
                dest = None if dest is None else [dest.page, "/XYZ", dest.left, dest.top]
            if not isinstance(dest, list) or not dest:
                continue
            target = getattr(dest[0], "idnum", None)
            if target not in self.page_numbers:
                continue
            index = self.page_numbers[target]
            height = float(self.reader.pages[index].mediabox.height)
            left = float(dest[2] or 0) if len(dest) > 2 and dest[1] == "/XYZ" else 0.0
            top = float(dest[3]) if len(dest) > 3 and dest[3] is not None else height
            x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
            (ax, ay), (bx, by) = apply(to_page, x0, y0), apply(to_page, x1, y1)
            box = (min(ax, bx), min(ay, by), abs(bx - ax), abs(by - ay))
            out.append(Link(box, index, left * MM_PER_PT, max(height - top, 0) * MM_PER_PT))
        return out

    def _run(
        self, stream: Any, resources: Any, state: _State, out: PageContent, depth: int
    ) -> None:
        from pypdf.generic import ContentStream  # pypdf: only OFD replays content streams

        resources = resources.get_object() if hasattr(resources, "get_object") else resources
        stack: list[_State] = []
        path: list[tuple[str, tuple[float, ...]]] = []
        clip_pending = False
        text_matrix: Matrix = IDENTITY
        line_matrix: Matrix = IDENTITY
        current = (0.0, 0.0)
        for operands, op in ContentStream(stream, self.reader).operations:
            if op == b"q":
                stack.append(state.copy())
            elif op == b"Q":
                if stack:
                    state = stack.pop()
            elif op == b"cm":
                state.ctm = multiply(tuple(float(v) for v in operands), state.ctm)  # type: ignore[arg-type]
            elif op in (b"m", b"l"):
                x, y = float(operands[0]), float(operands[1])
                current = (x, y)
                path.append(("M" if op == b"m" else "L", apply(state.ctm, x, y)))
            elif op in (b"c", b"v", b"y"):
                values = [float(v) for v in operands]
                if op == b"v":
                    values = [*current, *values]
                elif op == b"y":
                    values = [*values, values[2], values[3]]
                current = (values[4], values[5])
                points: tuple[float, ...] = ()
                for i in (0, 2, 4):
                    points += apply(state.ctm, values[i], values[i + 1])
                path.append(("C", points))
            elif op == b"re":
                x, y, w, h = (float(v) for v in operands)
                corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
                for i, (px, py) in enumerate(corners):
                    path.append(("M" if i == 0 else "L", apply(state.ctm, px, py)))
                path.append(("B", ()))
                current = (x, y)
            elif op == b"h":
                path.append(("B", ()))
            elif op in (b"W", b"W*"):
                clip_pending = True
            elif op in (b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*", b"n"):
                if op in (b"s", b"b", b"b*"):
                    path.append(("B", ()))
                fills = op in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*")
                strokes = op in (b"S", b"s", b"B", b"B*", b"b", b"b*")
                if path and (fills or strokes):
                    out.items.append(self._shape(path, state, fills, strokes, op.endswith(b"*")))
                path = []
                clip_pending = False
            elif op in _STATE_OPERATORS:
                field, kind = _STATE_OPERATORS[op]
                setattr(state, field, kind(operands[0]))
            elif op == b"d":
                array, phase = operands
                state.dash = (float(phase), [float(v) for v in array]) if len(array) else None
            elif op in (b"cs", b"CS"):
                components = self._components(resources, operands[0])
                if op == b"cs":
                    state.fill_space, state.fill = components, _BLACK[components]
                else:
                    state.stroke_space, state.stroke = components, _BLACK[components]
            elif op in (b"sc", b"scn", b"SC", b"SCN", b"rg", b"RG", b"g", b"G", b"k", b"K"):
                values = [float(v) for v in operands if not isinstance(v, str)]
                color = _rgb(values)
                if color is not None:
                    if op in (b"sc", b"scn", b"rg", b"g", b"k"):
                        state.fill = color
                    else:
                        state.stroke = color
            elif op == b"BT":
                text_matrix = line_matrix = IDENTITY
            elif op == b"Tf":
                state.font = self._font(resources["/Font"][operands[0]])
                state.font_size = float(operands[1])
            elif op == b"Tz":
                state.horizontal_scale = float(operands[0]) / 100
            elif op == b"Tm":
                text_matrix = line_matrix = tuple(float(v) for v in operands)  # type: ignore[assignment]
            elif op in (b"Td", b"TD"):
                tx, ty = float(operands[0]), float(operands[1])
                if op == b"TD":
                    state.leading = -ty
                line_matrix = multiply((1, 0, 0, 1, tx, ty), line_matrix)
                text_matrix = line_matrix
            elif op == b"T*":
                line_matrix = multiply((1, 0, 0, 1, 0, -state.leading), line_matrix)
                text_matrix = line_matrix
            elif op in (b"Tj", b"TJ", b"'", b'"'):
                if op in (b"'", b'"'):
                    if op == b'"':
                        state.word_spacing, state.char_spacing = (
                            float(operands[0]),
                            float(operands[1]),
                        )
                    line_matrix = multiply((1, 0, 0, 1, 0, -state.leading), line_matrix)
                    text_matrix = line_matrix
                items = operands[0] if op == b"TJ" else [operands[-1]]
                text_matrix = self._show(items, state, text_matrix, out)
            elif op in _NOT_CARRIED:
                self.left_out.add(_NOT_CARRIED[op])
            elif op == b"gs":
                state_dict = (resources.get("/ExtGState") or {}).get(operands[0])
                state_dict = state_dict.get_object() if state_dict is not None else {}
                if any(float(state_dict.get(k, 1)) < 1 for k in ("/CA", "/ca")):
                    self.left_out.add("transparency")
            elif op == b"Do":
                self._draw_xobject(resources["/XObject"][operands[0]], state, out, depth)
        del clip_pending

    def _shape(
        self,
        path: list[tuple[str, tuple[float, ...]]],
        state: _State,
        fills: bool,
        strokes: bool,
        even_odd: bool,
    ) -> PathShape:
        scale = abs(state.ctm[0] * state.ctm[3] - state.ctm[1] * state.ctm[2]) ** 0.5
        dash = None
        if state.dash is not None:
            dash = (state.dash[0] * scale, [v * scale for v in state.dash[1]])
        return PathShape(
            list(path),
            state.fill if fills else None,
            state.stroke if strokes else None,
            even_odd,
            state.line_width * scale,
            state.cap,
            state.join,
            state.miter,
            dash,
        )

    def _components(self, resources: Any, name: Any) -> int:
        """Return how many components a colour space has (1 grey, 3 RGB, 4 CMYK)."""
        named = {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4, "/CalRGB": 3, "/CalGray": 1}
        if name in named:
            return named[name]
        space = (resources.get("/ColorSpace") or {}).get(name)
        space = space.get_object() if space is not None else None
        if isinstance(space, list) and space:
            kind = space[0]
            if kind == "/ICCBased":
                return int(space[1].get_object().get("/N", 3))
            if kind in named:
                return named[kind]
        return 3

    def _font(self, ref: Any) -> FontInfo:
        key = ref.idnum if hasattr(ref, "idnum") else id(ref)
        found = self.fonts.get(key)
        if found is not None:
            return found
        font = ref.get_object()
        widths: dict[int, float] = {}
        default = 1000.0
        two_byte = font.get("/Subtype") == "/Type0"
        if two_byte:
            descendant = font["/DescendantFonts"][0].get_object()
            default = float(descendant.get("/DW", 1000))
            array = list(descendant.get("/W", []))
            i = 0
            while i < len(array):
                first = int(array[i])
                item = (
                    array[i + 1].get_object()
                    if hasattr(array[i + 1], "get_object")
                    else array[i + 1]
                )
                if isinstance(item, list):
                    for offset, value in enumerate(item):
                        widths[first + offset] = float(value)
                    i += 2
                else:
                    last, value = int(item), float(array[i + 2])
                    for code in range(first, last + 1):
                        widths[code] = value
                    i += 3
        else:
            first = int(font.get("/FirstChar", 0))
            for offset, value in enumerate(font.get("/Widths", [])):
                widths[first + offset] = float(value)
            default = 0.0
        to_unicode = font.get("/ToUnicode")
        chars = parse_to_unicode(to_unicode.get_object().get_data()) if to_unicode else {}
        program, cff, cid_to_gid = _program(font)
        info = FontInfo(
            key,
            postscript_name(str(font["/BaseFont"])),
            widths,
            default,
            chars,
            two_byte,
            program,
            cff,
            cid_to_gid,
        )
        self.fonts[key] = info
        return info

    def _show(self, items: Any, state: _State, text_matrix: Matrix, out: PageContent) -> Matrix:
        """Add the characters of a ``TJ`` array; return the text matrix after them."""
        font = state.font
        if font is None:
            return text_matrix
        size, scale = state.font_size, state.horizontal_scale
        start = text_matrix
        advance = 0.0
        placed: list[tuple[str, float]] = []
        glyphs: list[tuple[int, int] | None] = []
        gap_at: float | None = None  # where a word gap left by a TJ adjustment starts
        for item in items:
            if isinstance(item, bytes | str) or hasattr(item, "original_bytes"):
                data = (
                    item.original_bytes
                    if hasattr(item, "original_bytes")
                    else bytes(item, "latin-1")
                )
                for code in font.codes(data):
                    width = font.width(code) / 1000 * size
                    text = font.to_unicode.get(code, "")
                    if not text:
                        self.left_out.add(f"glyphs without a character in {font.postscript}")
                    if gap_at is not None and text and _word_gap(placed, text):
                        placed.append((" ", gap_at))
                        glyphs.append(None)
                    gap_at = None
                    share = width * scale / max(len(text), 1)
                    for k, ch in enumerate(text):
                        placed.append((ch, advance + k * share))
                        glyphs.append((code, k))
                    spacing = state.char_spacing
                    if not font.two_byte and code == 32:
                        spacing += state.word_spacing
                    advance += (width + spacing) * scale
            else:
                shift = -float(item) / 1000
                if shift >= _WORD_GAP_EM:
                    gap_at = advance
                advance += shift * size * scale
        if placed and state.render_mode not in (3, 7):
            rendering = multiply((1, 0, 0, 1, 0, state.rise), multiply(start, state.ctm))
            a, b, c, d, _, _ = rendering
            chars = []
            for ch, x in placed:
                px, py = apply(rendering, x, 0)
                chars.append((ch, px, py))
            # glyph space scaled by the font size, y down (OFD draws glyphs upright in -y)
            out.items.append(
                TextRun(
                    font,
                    size,
                    (a * scale, b * scale, -c, -d),
                    chars,
                    state.fill,
                    state.stroke if state.render_mode in (1, 2, 5, 6) else None,
                    glyphs,
                )
            )
        return multiply((1, 0, 0, 1, advance, 0), text_matrix)

    def _draw_xobject(self, ref: Any, state: _State, out: PageContent, depth: int) -> None:
        xobject = ref.get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Form" and depth < 12:
            inner = state.copy()
            matrix = xobject.get("/Matrix")
            if matrix is not None:
                inner.ctm = multiply(tuple(float(v) for v in matrix), inner.ctm)  # type: ignore[arg-type]
            self._run(xobject, xobject.get("/Resources") or {}, inner, out, depth + 1)
        elif subtype == "/Image":
            data, suffix = _image_bytes(xobject)
            out.items.append(ImagePlacement(data, suffix, state.ctm))


_BLACK = {1: (0, 0, 0), 3: (0, 0, 0), 4: (0, 0, 0)}

_STATE_OPERATORS: dict[bytes, tuple[str, type[int] | type[float]]] = {
    b"w": ("line_width", float),
    b"J": ("cap", int),
    b"j": ("join", int),
    b"M": ("miter", float),
    b"Tc": ("char_spacing", float),
    b"Tw": ("word_spacing", float),
    b"TL": ("leading", float),
    b"Ts": ("rise", float),
    b"Tr": ("render_mode", int),
}
"""Operators that set one graphics or text state value from their one operand."""


def _program(font: Any) -> tuple[bytes, bool, tuple[int, ...] | None]:
    """Return a Type0 font's embedded file, whether it is a bare CFF, and its code-to-glyph
    map when it is TrueType with one; nothing for a font without an embedded file."""
    if font.get("/Subtype") != "/Type0":
        return b"", False, None
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant.get("/FontDescriptor")
    descriptor = descriptor.get_object() if descriptor is not None else {}
    if "/FontFile3" in descriptor:
        stream = descriptor["/FontFile3"].get_object()
        if stream.get("/Subtype") in ("/CIDFontType0C", "/Type1C"):
            return stream.get_data(), True, None
        return b"", False, None
    if "/FontFile2" in descriptor:
        mapping = descendant.get("/CIDToGIDMap")
        table: tuple[int, ...] | None = None
        if mapping is not None and mapping != "/Identity":
            raw = mapping.get_object().get_data()
            table = tuple(int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2))
        return descriptor["/FontFile2"].get_object().get_data(), False, table
    return b"", False, None


_NOT_CARRIED = {b"sh": "shadings", b"BI": "inline images", b"d0": "Type 3 glyphs"}

_WORD_GAP_EM = 0.2
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _word_gap(placed: list[tuple[str, float]], following: str) -> bool:
    """Return whether a gap between two shown strings stands for a space, as a text
    extractor reads it: a wide gap between Latin characters (``No. 32``), not one that
    spreads Chinese characters over a justified line."""
    if not placed:
        return False
    before = placed[-1][0]
    return (
        not before.isspace()
        and not following[0].isspace()
        and not (_CJK.match(before) or _CJK.match(following[0]))
    )


def _rgb(values: list[float]) -> tuple[int, int, int] | None:
    """Return 8-bit RGB of grey, RGB or CMYK components in 0..1."""
    if len(values) == 1:
        v = round(values[0] * 255)
        return (v, v, v)
    if len(values) == 3:
        r, g, b = (round(min(max(v, 0.0), 1.0) * 255) for v in values)
        return (r, g, b)
    if len(values) == 4:
        c, m, y, k = values
        r, g, b = (round(255 * (1 - min(1.0, v + k))) for v in (c, m, y))
        return (r, g, b)
    return None


def _image_bytes(xobject: Any) -> tuple[bytes, str]:
    """Return an image XObject's file bytes: a plain JPEG as is, anything else as PNG."""
    filters = xobject.get("/Filter")
    names = [filters] if isinstance(filters, str) else list(filters or [])
    if names == ["/DCTDecode"] and "/SMask" not in xobject:
        return xobject.get_data(), ".jpg"
    image = xobject.decode_as_image()  # with its soft mask as alpha
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue(), ".png"
