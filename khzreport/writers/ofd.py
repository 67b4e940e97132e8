"""Write the briefing, a park sheet or the booklet as OFD (GB/T 33190-2016).

OFD is the fixed-layout format Chinese government offices file and archive. The package
carries the same pages as the PDF, because it is made from the PDF: :func:`render_ofd`
typesets the document with the PDF writer (or takes the PDF a batch already fitted) and
:func:`pdf_to_ofd` replays its pages (see :mod:`~khzreport.writers.ofd_pages`) into OFD
objects: every text show a ``TextObject`` (Unicode text with its ``DeltaX`` advances, so
it is selectable and searchable), every painted path a ``PathObject`` (charts stay
vectors), every image an ``ImageObject``, every link to a place in the document a click
area on its page. The fonts are the PDF's own subsets rewrapped as TrueType (see
:mod:`~khzreport.writers.ofd_fonts`). The PDF's outline becomes the OFD outline and its
title, author, subject, keywords and date the document info.

The package is a ZIP of ``OFD.xml`` (DocBody: DocInfo, DocRoot), ``Doc_0/Document.xml``
(CommonData with MaxUnitID, PageArea, PublicRes, DocumentRes; Pages; Outlines),
``Doc_0/PublicRes.xml`` (Fonts), ``Doc_0/DocumentRes.xml`` (MultiMedias),
``Doc_0/Pages/Page_N/Content.xml`` and ``Doc_0/Res/``. Entries are written in a fixed
order with the document's date as their time, so the same source gives the same bytes,
and nothing in it refers outside the package.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ..diagnostics import Diagnostics
from ..document import Document
from ..errors import FontError, Location
from ..theme import Theme
from . import pdf as pdf_writer
from .base import channel
from .ofd_fonts import FontFace, WrappedFont, faces_of, find_face, subset_truetype, wrap_embedded
from .ofd_pages import (
    FontInfo,
    ImagePlacement,
    Link,
    PageContent,
    PageReader,
    PathShape,
    TextRun,
    apply,
)

__all__ = ["OFD_NAMESPACE", "pdf_to_ofd", "render_ofd", "theme_fonts"]

OFD_NAMESPACE = "http://www.ofdspec.org/2016"
_NS = "{" + OFD_NAMESPACE + "}"
_NSMAP = {"ofd": OFD_NAMESPACE}
ET.register_namespace("ofd", OFD_NAMESPACE)


def render_ofd(
    document: Document,
    charts: Mapping[str, Any],
    *,
    pdf: bytes | None = None,
    template_dir: Path | None = None,
    strict: bool = False,
    diagnostics: Diagnostics | None = None,
) -> bytes:
    """Return the OFD package of a resolved document (briefing or park sheet).

    ``pdf`` is the document's PDF when the caller has it already (a batch fits each sheet
    on one page as a PDF); otherwise the PDF writer typesets it first, with
    ``template_dir`` and ``strict`` as for :func:`~khzreport.writers.pdf.render_pdf`.
    """
    diagnostics = channel(diagnostics)
    if pdf is None:
        pdf = pdf_writer.render_pdf(
            document, charts, template_dir=template_dir, strict=strict, diagnostics=diagnostics
        )
    theme = document.theme if isinstance(document.theme, Theme) else Theme()
    return pdf_to_ofd(pdf, theme_fonts(theme), document.meta.date, diagnostics)


def theme_fonts(theme: Theme) -> tuple[Path, ...]:
    """Return the font files a PDF of ``theme`` is set with: those the OFD embeds."""
    return pdf_writer.font_files(theme)


@dataclass(frozen=True)
class _Info:
    title: str
    author: str
    subject: str
    keywords: list[str]
    date: str


def pdf_to_ofd(
    pdf: bytes, fonts: Iterable[Path], date: str, diagnostics: Diagnostics | None = None
) -> bytes:
    """Return the OFD package of a PDF typeset with the font files ``fonts``.

    ``date`` (ISO) is the creation date and the time of every entry of the package.
    A font the PDF uses that none of ``fonts`` holds raises a :class:`FontError`; what the
    pages draw that the package does not carry (a replacement template's shading, say) is
    an ``ofd-not-carried`` warning in ``diagnostics``.
    """
    from pypdf import PdfReader  # pypdf: only OFD and page counting read PDFs

    reader = PdfReader(io.BytesIO(pdf))
    pages_reader = PageReader(reader)
    pages = [pages_reader.page(page) for page in reader.pages]
    meta: Mapping[str, Any] = reader.metadata or {}
    keywords = [k.strip() for k in str(meta.get("/Keywords") or "").split(",") if k.strip()]
    info = _Info(
        str(meta.get("/Title") or ""),
        str(meta.get("/Author") or ""),
        str(meta.get("/Subject") or ""),
        keywords,
        date,
    )
    if pages_reader.left_out:
        channel(diagnostics).warn(
            "ofd-not-carried",
            "the OFD leaves out what its pages draw with "
            + ", ".join(sorted(pages_reader.left_out)),
            None,
            "the PDF shows them; OFD output carries text, paths and images",
        )
    outline = _outline(reader, pages)
    package = _Package(pages, faces_of(fonts))
    return package.write(info, outline, hashlib.sha256(pdf).hexdigest()[:32])


@dataclass
class _OutlineItem:
    title: str
    page: int
    left: float
    top: float
    children: list[_OutlineItem]


def _outline(reader: Any, pages: Sequence[PageContent]) -> list[_OutlineItem]:
    """Return the PDF's outline with each destination as page index and mm from top left."""

    def convert(items: list[Any]) -> list[_OutlineItem]:
        out: list[_OutlineItem] = []
        for item in items:
            if isinstance(item, list):
                if out:
                    out[-1].children.extend(convert(item))
                continue
            index = reader.get_destination_page_number(item)
            if index is None or index < 0:
                continue
            height = pages[index].height
            left = float(item.get("/Left") or 0) * 25.4 / 72
            top = item.get("/Top")
            top_mm = height - float(top) * 25.4 / 72 if top is not None else 0.0
            out.append(_OutlineItem(str(item.title), index, left, max(top_mm, 0.0), []))
        return out

    return convert(list(reader.outline or []))


def _number(value: float) -> str:
    """Return a length in millimetres as OFD writes it: at most three decimals."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _color(rgb: tuple[int, int, int]) -> str:
    return " ".join(str(c) for c in rgb)


_XML_SAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _Package:
    """Builds the XML parts of one OFD document and its resources, numbering objects once."""

    def __init__(self, pages: list[PageContent], faces: dict[str, FontFace]) -> None:
        self.pages = pages
        self.faces = faces
        self.next_id = 0
        self.font_ids: dict[int, int] = {}
        self.font_chars: dict[int, set[str]] = {}
        self.media: dict[bytes, tuple[int, str]] = {}
        self.page_ids: list[int] = []
        self.pdf_fonts: dict[int, FontInfo] = {}
        self.wrapped: dict[int, WrappedFont] = {}
        self.font_files: dict[int, bytes] = {}
        self.families: dict[int, tuple[str, bool, bool]] = {}

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def write(self, info: _Info, outline: list[_OutlineItem], doc_id: str) -> bytes:
        for page in self.pages:
            for item in page.items:
                if isinstance(item, TextRun):
                    key = item.font.key
                    if key not in self.font_ids:
                        self.font_ids[key] = self.new_id()
                        self.pdf_fonts[key] = item.font
                    self.font_chars.setdefault(key, set()).update(c for c, _, _ in item.chars)
        for key, font in self.pdf_fonts.items():
            self._embed(key, font)
        page_ids = self.page_ids = [self.new_id() for _ in self.pages]
        contents = [self._page(page) for page in self.pages]
        files: list[tuple[str, bytes]] = [
            ("OFD.xml", self._ofd_xml(info, doc_id)),
            ("Doc_0/Document.xml", self._document_xml(page_ids, outline)),
            ("Doc_0/PublicRes.xml", self._public_res()),
            ("Doc_0/DocumentRes.xml", self._document_res()),
        ]
        for index, content in enumerate(contents):
            files.append((f"Doc_0/Pages/Page_{index}/Content.xml", content))
        for key, font_id in self.font_ids.items():
            files.append((f"Doc_0/Res/font_{font_id}.ttf", self.font_files[key]))
        for data, (media_id, suffix) in self.media.items():
            files.append((f"Doc_0/Res/image_{media_id}{suffix}", data))
        return _zip(files, info.date)

    def _embed(self, key: int, font: FontInfo) -> None:
        """Make the font file of a PDF font: its own embedded subset as TrueType, so the
        glyphs are the PDF's; else the theme's face subset to the characters it shows."""
        name = font.postscript
        if font.program:
            try:
                wrapped = wrap_embedded(
                    font.program,
                    font.cff,
                    font.cid_to_gid,
                    font.widths,
                    font.default_width,
                    font.to_unicode,
                    name,
                )
            except Exception:  # a font program fontTools cannot read: use the theme's file
                wrapped = None
            if wrapped is not None:
                self.wrapped[key] = wrapped
                self.font_files[key] = wrapped.data
                self.families[key] = (name.split("-")[0], "Bold" in name, "Italic" in name)
                return
        face = find_face(self.faces, name)
        if face is None:
            raise FontError(
                f"the PDF uses the font {name}, which no font file of the theme holds",
                Location(path="theme.fonts"),
                "name the font's file in the theme (fonts.files)",
            )
        self.font_files[key] = subset_truetype(face, "".join(self.font_chars[key]) + " ")
        self.families[key] = (face.family, face.bold, face.italic)

    def _ofd_xml(self, info: _Info, doc_id: str) -> bytes:
        root = ET.Element(_NS + "OFD", Version="1.0", DocType="OFD")
        body = ET.SubElement(root, _NS + "DocBody")
        doc_info = ET.SubElement(body, _NS + "DocInfo")
        ET.SubElement(doc_info, _NS + "DocID").text = doc_id
        for tag, value in (
            ("Title", info.title),
            ("Author", info.author),
            ("Subject", info.subject),
        ):
            if value:
                ET.SubElement(doc_info, _NS + tag).text = value
        ET.SubElement(doc_info, _NS + "CreationDate").text = info.date
        ET.SubElement(doc_info, _NS + "ModDate").text = info.date
        if info.keywords:
            keywords = ET.SubElement(doc_info, _NS + "Keywords")
            for keyword in info.keywords:
                ET.SubElement(keywords, _NS + "Keyword").text = keyword
        ET.SubElement(doc_info, _NS + "Creator").text = "khzreport"
        ET.SubElement(body, _NS + "DocRoot").text = "Doc_0/Document.xml"
        return _xml(root)

    def _document_xml(self, page_ids: list[int], outline: list[_OutlineItem]) -> bytes:
        root = ET.Element(_NS + "Document")
        common = ET.SubElement(root, _NS + "CommonData")
        ET.SubElement(common, _NS + "MaxUnitID").text = str(self.next_id)
        area = ET.SubElement(common, _NS + "PageArea")
        first = self.pages[0] if self.pages else PageContent(210.0, 297.0)
        ET.SubElement(area, _NS + "PhysicalBox").text = _box(0, 0, first.width, first.height)
        ET.SubElement(common, _NS + "PublicRes").text = "PublicRes.xml"
        ET.SubElement(common, _NS + "DocumentRes").text = "DocumentRes.xml"
        pages = ET.SubElement(root, _NS + "Pages")
        for index, page_id in enumerate(page_ids):
            ET.SubElement(
                pages, _NS + "Page", ID=str(page_id), BaseLoc=f"Pages/Page_{index}/Content.xml"
            )
        if outline:
            outlines = ET.SubElement(root, _NS + "Outlines")
            for item in outline:
                self._outline_elem(outlines, item, page_ids)
        return _xml(root)

    def _outline_elem(self, parent: ET.Element, item: _OutlineItem, page_ids: list[int]) -> None:
        elem = ET.SubElement(parent, _NS + "OutlineElem", Title=item.title)
        if item.children:
            elem.set("Count", str(len(item.children)))
            elem.set("Expanded", "false")
        actions = ET.SubElement(elem, _NS + "Actions")
        action = ET.SubElement(actions, _NS + "Action", Event="CLICK")
        goto = ET.SubElement(action, _NS + "Goto")
        ET.SubElement(
            goto,
            _NS + "Dest",
            Type="XYZ",
            PageID=str(page_ids[item.page]),
            Left=_number(item.left),
            Top=_number(item.top),
        )
        for child in item.children:
            self._outline_elem(elem, child, page_ids)

    def _public_res(self) -> bytes:
        root = ET.Element(_NS + "Res", BaseLoc="Res")
        if self.font_ids:
            fonts = ET.SubElement(root, _NS + "Fonts")
            for key, font_id in self.font_ids.items():
                family, bold, italic = self.families[key]
                font = ET.SubElement(
                    fonts,
                    _NS + "Font",
                    ID=str(font_id),
                    FontName=self.pdf_fonts[key].postscript,
                    FamilyName=family,
                )
                if bold:
                    font.set("Bold", "true")
                if italic:
                    font.set("Italic", "true")
                ET.SubElement(font, _NS + "FontFile").text = f"font_{font_id}.ttf"
        return _xml(root)

    def _document_res(self) -> bytes:
        root = ET.Element(_NS + "Res", BaseLoc="Res")
        if self.media:
            media = ET.SubElement(root, _NS + "MultiMedias")
            for media_id, suffix in self.media.values():
                item = ET.SubElement(
                    media,
                    _NS + "MultiMedia",
                    ID=str(media_id),
                    Type="Image",
                    Format="JPEG" if suffix == ".jpg" else "PNG",
                )
                ET.SubElement(item, _NS + "MediaFile").text = f"image_{media_id}{suffix}"
        return _xml(root)

    def _page(self, page: PageContent) -> bytes:
        root = ET.Element(_NS + "Page")
        area = ET.SubElement(root, _NS + "Area")
        ET.SubElement(area, _NS + "PhysicalBox").text = _box(0, 0, page.width, page.height)
        content = ET.SubElement(root, _NS + "Content")
        layer = ET.SubElement(content, _NS + "Layer", ID=str(self.new_id()), Type="Body")
        for item in _joined_runs(page.items):
            if isinstance(item, TextRun):
                self._text(layer, item)
            elif isinstance(item, PathShape):
                self._path(layer, item)
            elif isinstance(item, ImagePlacement):
                self._image(layer, item)
        if page.links:
            actions = ET.SubElement(root, _NS + "Actions")
            for link in page.links:
                self._link(actions, link)
        return _xml(root)

    def _link(self, actions: ET.Element, link: Link) -> None:
        """Add a click on the link's area that goes to its place (CT_Action with a Region)."""
        action = ET.SubElement(actions, _NS + "Action", Event="CLICK")
        x, y, width, height = link.box
        area = ET.SubElement(ET.SubElement(action, _NS + "Region"), _NS + "Area", Start=_pos(x, y))
        for px, py in ((x + width, y), (x + width, y + height), (x, y + height)):
            ET.SubElement(area, _NS + "Line", Point1=_pos(px, py))
        ET.SubElement(area, _NS + "Close")
        ET.SubElement(
            ET.SubElement(action, _NS + "Goto"),
            _NS + "Dest",
            Type="XYZ",
            PageID=str(self.page_ids[link.page]),
            Left=_number(link.left),
            Top=_number(link.top),
        )

    def _text(self, layer: ET.Element, run: TextRun) -> None:
        marks = run.glyphs if len(run.glyphs) == len(run.chars) else [None] * len(run.chars)
        kept = [
            (char, (x, y), mark)
            for (c, x, y), mark in zip(run.chars, marks, strict=True)
            if (char := _XML_SAFE.sub("", c))
        ]
        if not kept:
            return
        chars = [(c, x, y) for c, (x, y), _ in kept]
        glyphs = [mark for _, _, mark in kept]
        a, b, c, d = run.matrix
        scale = (abs(a * d - b * c)) ** 0.5
        em = run.size * scale
        xs = [x for _, x, _ in chars]
        ys = [y for _, _, y in chars]
        left, top = min(xs) - em, min(ys) - em * 1.2
        right, bottom = max(xs) + em * 2, max(ys) + em * 0.5
        obj = ET.SubElement(
            layer,
            _NS + "TextObject",
            ID=str(self.new_id()),
            Boundary=_box(left, top, right - left, bottom - top),
            Font=str(self.font_ids[run.font.key]),
        )
        upright = abs(b) < 1e-6 and abs(c) < 1e-6 and a > 0 and abs(a - d) < 1e-6 * max(a, 1)
        if upright:
            obj.set("Size", _number(em))
            points = [(x - left, y - top) for _, x, y in chars]
        else:
            obj.set("Size", _number(run.size))
            obj.set("CTM", " ".join(_number(v) for v in (a, b, c, d, 0, 0)))
            det = a * d - b * c
            points = []
            for _, x, y in chars:
                px, py = x - left, y - top
                points.append(((d * px - c * py) / det, (-b * px + a * py) / det))
        ET.SubElement(obj, _NS + "FillColor", Value=_color(run.fill))  # CT_Text: fill first
        if run.stroke is not None:
            obj.set("Stroke", "true")
            ET.SubElement(obj, _NS + "StrokeColor", Value=_color(run.stroke))
        # One TextCode per line of equal y; DeltaX carries the advances within it. Spaces
        # at either end of a line get a TextCode of their own: a reader that trims a code's
        # text would otherwise shift every advance after them, and one that extracts text
        # still finds the space between this run and the next.
        groups = _edge_groups([c for c, _, _ in chars], [y for _, y in points])
        # A glyph the font's character map does not give (a ligature, an alternate) stands
        # in a text object of its own with one CGTransform: the standard allows several per
        # object, but readers that take only one would misplace the rest.
        clusters = self._clusters(run, chars, glyphs)
        cuts = {i for i in range(1, len(chars)) if groups[i] != groups[i - 1]}
        for first, (count, _) in clusters.items():
            cuts.update((first, first + count))
        bounds = [0, *sorted(c for c in cuts if 0 < c < len(chars)), len(chars)]
        current: ET.Element | None = obj

        def sibling() -> ET.Element:
            """Return a new text object like ``obj``, after the ones made so far."""
            made = ET.SubElement(layer, obj.tag, dict(obj.attrib, ID=str(self.new_id())))
            for color in obj.findall("ofd:FillColor", _NSMAP) + obj.findall(
                "ofd:StrokeColor", _NSMAP
            ):
                ET.SubElement(made, color.tag, dict(color.attrib))
            return made

        for begin, end in itertools.pairwise(bounds):
            if begin in clusters:
                holder = sibling()
                count, gid = clusters[begin]
                transform = ET.SubElement(
                    holder,
                    _NS + "CGTransform",
                    CodePosition="0",
                    CodeCount=str(count),
                    GlyphCount="1",
                )
                ET.SubElement(transform, _NS + "Glyphs").text = str(gid)
                current = None  # what follows goes after it, in reading order
            else:
                holder = current = current if current is not None else sibling()
            code = ET.SubElement(
                holder, _NS + "TextCode", X=_number(points[begin][0]), Y=_number(points[begin][1])
            )
            deltas = [points[i][0] - points[i - 1][0] for i in range(begin + 1, end)]
            if deltas:
                code.set("DeltaX", _deltas(deltas))
            code.text = "".join(ch for ch, _, _ in chars[begin:end])
        if obj.find("ofd:TextCode", _NSMAP) is None:
            layer.remove(obj)

    def _clusters(
        self,
        run: TextRun,
        chars: list[tuple[str, float, float]],
        glyphs: list[tuple[int, int] | None],
    ) -> dict[int, tuple[int, int]]:
        """Return, by the index of its first character, each glyph its characters do not
        name through the font's character map, with how many characters it shows and its
        index: a ligature (``fi``, one glyph of two characters), or an alternate the PDF
        took by an OpenType feature (a proportional quote)."""
        wrapped = self.wrapped.get(run.font.key)
        out: dict[int, tuple[int, int]] = {}
        if wrapped is None:
            return out
        for i, mark in enumerate(glyphs):
            if mark is None or mark[1] != 0:
                continue
            gid = wrapped.glyph_of_code.get(mark[0])
            if gid is None:
                continue
            count = 1
            while i + count < len(glyphs) and (follow := glyphs[i + count]) is not None:
                if follow[0] != mark[0] or follow[1] != count:
                    break
                count += 1
            if count > 1 or wrapped.cmap.get(chars[i][0]) != gid:
                out[i] = (count, gid)
        return out

    def _path(self, layer: ET.Element, shape: PathShape) -> None:
        xs = [v for _, pts in shape.commands for v in pts[0::2]]
        ys = [v for _, pts in shape.commands for v in pts[1::2]]
        if not xs:
            return
        pad = shape.line_width / 2 if shape.stroke else 0.0
        left, top = min(xs) - pad, min(ys) - pad
        width, height = max(xs) + pad - left, max(ys) + pad - top
        obj = ET.SubElement(
            layer,
            _NS + "PathObject",
            ID=str(self.new_id()),
            Boundary=_box(left, top, max(width, 0.001), max(height, 0.001)),
        )
        if shape.stroke is not None:
            obj.set("LineWidth", _number(shape.line_width))
            obj.set("Join", ("Miter", "Round", "Bevel")[shape.join % 3])
            obj.set("Cap", ("Butt", "Round", "Square")[shape.cap % 3])
            if shape.join == 0:
                obj.set("MiterLimit", _number(shape.miter))
            if shape.dash is not None:
                obj.set("DashOffset", _number(shape.dash[0]))
                obj.set("DashPattern", " ".join(_number(v) for v in shape.dash[1]))
        else:
            obj.set("Stroke", "false")
        if shape.fill is not None:
            obj.set("Fill", "true")
            if shape.even_odd:
                obj.set("Rule", "Even-Odd")
        if shape.stroke is not None:
            ET.SubElement(obj, _NS + "StrokeColor", Value=_color(shape.stroke))
        if shape.fill is not None:
            ET.SubElement(obj, _NS + "FillColor", Value=_color(shape.fill))
        data: list[str] = []
        letters = {"M": "M", "L": "L", "C": "B", "B": "C"}
        for kind, points in shape.commands:
            data.append(letters[kind])
            for i in range(0, len(points), 2):
                data.append(_number(points[i] - left))
                data.append(_number(points[i + 1] - top))
        ET.SubElement(obj, _NS + "AbbreviatedData").text = " ".join(data)

    def _image(self, layer: ET.Element, image: ImagePlacement) -> None:
        found = self.media.get(image.data)
        if found is None:
            found = self.media[image.data] = (self.new_id(), image.suffix)
        # The image's unit square, y down in OFD, is the PDF's unit square upside down.
        m = image.matrix
        corners = [apply(m, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
        left = min(x for x, _ in corners)
        top = min(y for _, y in corners)
        width = max(x for x, _ in corners) - left
        height = max(y for _, y in corners) - top
        origin = apply(m, 0, 1)
        ctm = (m[0], m[1], -m[2], -m[3], origin[0] - left, origin[1] - top)
        ET.SubElement(
            layer,
            _NS + "ImageObject",
            ID=str(self.new_id()),
            Boundary=_box(left, top, width, height),
            CTM=" ".join(_number(v) for v in ctm),
            ResourceID=str(found[0]),
        )


def _joined_runs(
    items: list[TextRun | PathShape | ImagePlacement],
) -> list[TextRun | PathShape | ImagePlacement]:
    """Return the page's items with each text show that goes on the line of the one drawn
    just before it, in the same font, size and colour, joined to it: one TextCode per line
    piece, as a reader extracting text expects (Typst shows a boxed figure, ``90 seconds``,
    on its own)."""
    out: list[TextRun | PathShape | ImagePlacement] = []
    for item in items:
        last = out[-1] if out else None
        if isinstance(item, TextRun) and isinstance(last, TextRun) and _continues(last, item):
            aligned = len(last.glyphs) == len(last.chars) and len(item.glyphs) == len(item.chars)
            out[-1] = dataclasses.replace(
                last,
                chars=[*last.chars, *item.chars],
                glyphs=[*last.glyphs, *item.glyphs] if aligned else [],
            )
        else:
            out.append(item)
    return out


def _continues(run: TextRun, following: TextRun) -> bool:
    """Return whether ``following`` carries on ``run``'s line: same font, size, colours and
    direction, on its baseline, starting after its last character and within a few ems."""
    if (run.font.key, run.size, run.matrix, run.fill, run.stroke) != (
        following.font.key,
        following.size,
        following.matrix,
        following.fill,
        following.stroke,
    ):
        return False
    a, b, _, _ = run.matrix
    if abs(b) > 1e-6 or a <= 0 or not run.chars or not following.chars:
        return False
    _, x, y = run.chars[-1]
    _, next_x, next_y = following.chars[0]
    em = run.size * a
    return abs(next_y - y) < 1e-3 and x < next_x <= x + 4 * em


def _edge_groups(chars: list[str], ys: list[float]) -> list[tuple[int, str]]:
    """Return, for each character, its line (a new one where y changes) and whether it is
    among the spaces that lead or trail that line, or between its first and last mark."""
    lines: list[int] = []
    for i, y in enumerate(ys):
        lines.append(0 if i == 0 else lines[-1] + (abs(y - ys[i - 1]) >= 1e-3))
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for i, (char, line) in enumerate(zip(chars, lines, strict=True)):
        if not char.isspace():
            first.setdefault(line, i)
            last[line] = i
    out: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if line not in first or i < first[line]:
            out.append((line, "lead"))
        elif i > last[line]:
            out.append((line, "trail"))
        else:
            out.append((line, "body"))
    return out


def _deltas(values: list[float]) -> str:
    """Return ``DeltaX``: runs of one advance written ``g N value``, as the standard allows."""
    out: list[str] = []
    i = 0
    while i < len(values):
        text = _number(values[i])
        j = i + 1
        while j < len(values) and _number(values[j]) == text:
            j += 1
        out.append(f"g {j - i} {text}" if j - i > 2 else " ".join([text] * (j - i)))
        i = j
    return " ".join(out)


def _pos(x: float, y: float) -> str:
    return f"{_number(x)} {_number(y)}"


def _box(x: float, y: float, width: float, height: float) -> str:
    return " ".join(_number(v) for v in (x, y, width, height))


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _zip(files: list[tuple[str, bytes]], date: str) -> bytes:
    """Return the ZIP of ``files`` in their order, each dated ``date`` (no clock, no owner)."""
    day = dt.date.fromisoformat(date)
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            entry = zipfile.ZipInfo(name, stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data, compresslevel=9)
    return buffer.getvalue()
