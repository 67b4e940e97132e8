"""Write a resolved :class:`~khzreport.document.Document` as an editable Word file (DOCX).

The writer visits the blocks in order and refers to *style names only*: every font, size,
colour, indent, border and shading lives in the named styles that :func:`briefing_styles`
builds from the theme, so a zone office can restyle the file in Word's style gallery and the
golden ``styles.xml`` shows the whole look in one place. Numbers and caption labels arrive
formatted; the writer never formats a number or counts a caption.

Chinese conventions the output keeps: every style names a Latin *and* an East Asian font
(Word and WPS draw Chinese in a Latin fallback otherwise); emphasis uses the heavier family
(黑体) instead of synthetic bold on 宋体/仿宋; body text is justified with a first-line
indent in characters and 1.5 line spacing; default language zh-CN.

The file is deterministic: fixed core properties derived from ``meta.date``, sequential
picture and bookmark ids, and a ZIP rewritten with fixed entry order and timestamps, so the
same document gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.styles import BabelFish
from docx.styles.style import StyleFactory
from docx.table import Table as WordTable
from docx.text.paragraph import Paragraph as WordParagraph
from docx.text.run import Run as WordRun
from lxml import etree as lxml_etree

from ..diagnostics import Diagnostics
from ..document import (
    SEAL_RISE,
    Attachments,
    Block,
    Callout,
    Cover,
    Distribution,
    Document,
    Facts,
    Figure,
    Heading,
    KpiCard,
    KpiPanel,
    Masthead,
    Node,
    PageBreak,
    Paragraph,
    Quote,
    Run,
    Signature,
    Table,
    Tags,
    Timeline,
    Toc,
)
from ..errors import KhzReportError, Location
from ..resolver.decisions import (
    PHOTO_MAX_HEIGHT_CM,
    TABLE_CELL_PAD_PT,
    display_width,
    grid_tracking_pt,
    table_font_pt,
    text_width_mm,
)
from ..source.assets import read_checked
from . import ooxml
from .base import BlockVisitor, unbreakable_figure
from .docx_charts import add_native_chart, charts_mode, has_native_form, native_notes
from .ooxml import PPR_ORDER, RPR_ORDER, STYLE_ORDER, TBLPR_ORDER, TCPR_ORDER, Border, TabStop

__all__ = ["RenderedChartLike", "StyleSpec", "briefing_styles", "render_docx"]


ARROWS = {"up": "▲", "down": "▼"}
DISTRIBUTION_LINE = 1.45
"""A CJK face's natural line height in ems: Word's "1.3 lines" is 1.3 of it."""


class RenderedChartLike(Protocol):
    """What the writer needs of a rendered chart (``khzreport.charts.RenderedChart``)."""

    @property
    def svg(self) -> bytes: ...
    @property
    def png(self) -> bytes: ...
    @property
    def width_cm(self) -> float: ...
    @property
    def height_cm(self) -> float: ...
    @property
    def alt(self) -> str: ...


# --- styles as data -----------------------------------------------------------------------

StyleKind = Literal["paragraph", "character", "table"]


@dataclass(frozen=True)
class StyleSpec:
    """One named Word style, in the theme's values; ``None`` leaves a property inherited.

    Sizes and spacing are in points, indents in characters, colours ``#RRGGBB``.
    ``borders`` and ``shading`` apply to the paragraph, the run (``character``) or every
    cell (``table``); ``header_*`` style a table's first row.
    """

    name: str
    kind: StyleKind = "paragraph"
    style_id: str | None = None
    builtin: bool = False
    based_on: str | None = None
    next_style: str | None = None
    latin: str | None = None
    east_asia: str | None = None
    size: float | None = None
    color: str | None = None
    align: Literal["left", "center", "right", "both"] | None = None
    first_line_chars: float | None = None
    left_chars: float | None = None
    right_chars: float | None = None
    line: float | None = None
    before: float | None = None
    after: float | None = None
    keep_next: bool = False
    keep_lines: bool = False
    outline_level: int | None = None
    tabs: tuple[TabStop, ...] = ()
    borders: tuple[tuple[str, Border], ...] = ()
    shading: str | None = None
    cell_margins: tuple[tuple[str, float], ...] = ()
    header_shading: str | None = None
    header_borders: tuple[tuple[str, Border], ...] = ()
    dots: bool = False
    bold: bool = False
    grid: bool | None = None
    tracking: float | None = None


@functools.lru_cache(maxsize=16)
def _font_table(latin: tuple[str, ...], east_asia: tuple[str, ...]) -> bytes:
    """Return :func:`ooxml.font_table_xml`, built once per set of fonts."""
    return ooxml.font_table_xml(latin, east_asia)


def _fonts(theme: Any) -> dict[str, tuple[str, str]]:
    f = theme.fonts
    quote_cjk = getattr(f, "docx_quote_cjk", None) or f.docx_body_cjk
    return {
        "body": (f.docx_body_latin, f.docx_body_cjk),
        "heading": (f.docx_heading_latin, f.docx_heading_cjk),
        "strong": (f.docx_heading_latin, f.docx_emphasis_cjk),
        "quote": (f.docx_body_latin, quote_cjk),
        "title": (f.docx_heading_latin, getattr(f, "docx_title_cjk", None) or f.docx_heading_cjk),
    }


def briefing_styles(theme: Any) -> tuple[StyleSpec, ...]:
    """Return every style the briefing uses, built from the theme.

    Bold Chinese is drawn with the heavier family (``strong``: 黑体) and never with
    ``w:b``, which Word would fake by smearing 宋体 glyphs. Heading styles carry outline
    levels so Word's navigation pane and ``TOC \\u`` find them without built-in heading
    styles.
    """
    fonts = _fonts(theme)
    s, c = theme.sizes, theme.colors
    text_twips = round(text_width_mm(theme) * ooxml.TWIPS_PER_MM)
    right_tab = (TabStop(text_twips, "right"),)
    dot_tab = (TabStop(text_twips, "right", "dot"),)
    small = table_font_pt(theme)

    def p(name: str, font: str = "body", **kw: Any) -> StyleSpec:
        latin, east_asia = fonts[font]
        kw.setdefault("based_on", "Normal")
        if theme.text_grid is not None and kw.get("line") == theme.line_spacing:
            # one line of the document grid, characters narrowed to fill a line
            kw.update(line=1.0, grid=True, tracking=grid_tracking_pt(theme))
        return StyleSpec(name, "paragraph", latin=latin, east_asia=east_asia, **kw)

    def ch(name: str, font: str = "body", **kw: Any) -> StyleSpec:
        latin, east_asia = fonts[font]
        return StyleSpec(
            name,
            "character",
            based_on="Default Paragraph Font",
            latin=latin,
            east_asia=east_asia,
            **kw,
        )

    def tbl(name: str, **kw: Any) -> StyleSpec:
        latin, east_asia = fonts["body"]
        return StyleSpec(
            name, "table", based_on="Normal Table", latin=latin, east_asia=east_asia, **kw
        )

    def rule(width: float, color: str, space: int = 1) -> Border:
        return Border(width, color, "single", space)

    def heading(level: int) -> dict[str, Any]:
        """Return the theme's look of headings at ``level`` as style settings. A bold heading
        in a body or quote face (GB/T 9704's 仿宋加粗) is set bold; the heading face is heavy
        by itself."""
        look = theme.heading_style(level)
        return {
            "font": look.font,
            "size": theme.heading_size(level),
            "color": theme.heading_color(level),
            "bold": look.bold and look.font not in ("heading", "title"),
            "first_line_chars": look.indent or None,
        }

    chapter = heading(1)
    chapter_bar = (("left", rule(4, chapter["color"], 8)),) if theme.heading_style(1).bar else ()
    return (
        StyleSpec(
            "Normal",
            "paragraph",
            style_id="Normal",
            builtin=True,
            latin=fonts["body"][0],
            east_asia=fonts["body"][1],
            size=s.body,
            color=c.text,
            grid=False if theme.text_grid is not None else None,
        ),
        p(
            "Body",
            align="both",
            first_line_chars=theme.first_line_chars,
            line=theme.line_spacing,
            after=2,
            next_style="Body",
        ),
        p(
            "ListItem",
            align="both",
            left_chars=theme.first_line_chars + 2,
            first_line_chars=-2,
            line=theme.line_spacing,
            after=2,
            next_style="Body",
        ),
        p(
            "Lead",
            align="both",
            first_line_chars=theme.first_line_chars,
            size=s.lead,
            color=c.text,
            line=theme.line_spacing,
            before=4,
            after=8,
            next_style="Body",
        ),
        p(
            "Title",
            "title",
            builtin=True,
            size=s.title,
            color=c.primary,
            align="center",
            before=12,
            after=6,
            keep_next=True,
            next_style="Subtitle",
        ),
        p(
            "Subtitle",
            "heading",
            builtin=True,
            size=s.h1_second,
            color=c.muted,
            align="center",
            after=6,
            keep_next=True,
        ),
        p(
            "CoverInfo",
            size=s.body,
            color=c.muted,
            align="center",
            after=18,
            borders=(("bottom", rule(1.5, c.primary, 6)),),
        ),
        p(
            "Masthead",
            "title",
            size=s.masthead,
            color=c.masthead,
            align="center",
            line=1.0,
            before=6,
            after=6,
            keep_next=True,
        ),
        p("MastheadIssue", size=s.h2, color=c.text, align="center", after=12, keep_next=True),
        p(
            "MastheadInfo",
            size=s.body,
            color=c.text,
            tabs=right_tab,
            after=18,
            borders=(("bottom", rule(2.25, c.masthead, 4)),),
        ),
        p(
            "TOC Heading",
            "heading",
            builtin=True,
            style_id="TOCHeading",
            size=s.h2,
            color=c.primary,
            before=6,
            after=6,
            keep_next=True,
        ),
        p("toc 1", builtin=True, style_id="TOC1", size=s.body, tabs=dot_tab, after=2, line=1.2),
        *(
            p(
                f"toc {n}",
                builtin=True,
                style_id=f"TOC{n}",
                size=small,
                tabs=dot_tab,
                after=2,
                line=1.2,
                left_chars=2 * (n - 1),
            )
            for n in (2, 3, 4)
        ),
        p("TOCEnd", size=4, line=1.0, after=10, borders=(("bottom", rule(0.5, c.grid, 1)),)),
        p(
            "ChapterTitle",
            **chapter,
            before=18,
            after=0,
            line=1.15,
            keep_next=True,
            keep_lines=True,
            outline_level=0,
            borders=chapter_bar,
            next_style="Body",
        ),
        p(
            "ChapterSubtitle",
            chapter["font"],
            first_line_chars=chapter["first_line_chars"],
            size=s.h1_second,
            color=c.muted,
            after=10,
            line=1.15,
            keep_next=True,
            keep_lines=True,
            borders=chapter_bar,
            next_style="Body",
        ),
        p(
            "Heading2",
            **heading(2),
            before=12,
            after=4,
            keep_next=True,
            keep_lines=True,
            outline_level=1,
            next_style="Body",
        ),
        p(
            "Heading3",
            **heading(3),
            before=8,
            after=2,
            keep_next=True,
            keep_lines=True,
            outline_level=2,
            next_style="Body",
        ),
        p(
            "Heading4",
            **heading(4),
            before=6,
            after=2,
            keep_next=True,
            keep_lines=True,
            outline_level=3,
            next_style="Body",
        ),
        p(
            "HeadingSecond",
            "heading",
            size=s.body,
            color=c.muted,
            after=4,
            keep_next=True,
            keep_lines=True,
            next_style="Body",
        ),
        p("PanelTitle", "heading", size=s.h2, color=c.primary, before=10, after=6, keep_next=True),
        p(
            "KpiValue",
            "strong",
            size=s.kpi_value,
            color=c.primary,
            align="center",
            line=1.0,
            before=8,
            after=2,
        ),
        p("KpiLabel", size=s.kpi_label + 0.5, color=c.text, align="center", line=1.1, after=2),
        p("KpiChange", size=s.kpi_label, color=c.muted, align="center", line=1.1, after=6),
        p("PanelGap", size=2, line=1.0),
        p(
            "CalloutTitle",
            "strong",
            size=s.body,
            color=c.primary,
            after=3,
            keep_next=True,
            line=1.2,
        ),
        p("Callout", align="both", size=s.body, line=theme.line_spacing),
        p(
            "Quote",
            "quote",
            builtin=True,
            size=s.lead,
            color=c.text,
            align="both",
            left_chars=2,
            right_chars=2,
            line=theme.line_spacing,
            before=10,
            after=2,
            borders=(("left", rule(3, c.accent, 10)),),
            keep_next=True,
        ),
        p("QuoteAttribution", size=small, color=c.muted, align="right", right_chars=2, after=12),
        p("Figure", align="center", line=1.0, before=8, after=4, keep_next=True),
        p(
            "Caption",
            "heading",
            builtin=True,
            style_id="Caption",
            size=s.caption,
            color=c.text,
            align="center",
            line=1.2,
            before=4,
            after=2,
        ),
        p("TableCaption", "heading", based_on="Caption", before=12, keep_next=True),
        p("UnitLine", size=s.note, color=c.muted, align="right", line=1.0, after=2, keep_next=True),
        p("SourceNote", size=s.note, color=c.muted, line=1.2, before=2, after=10),
        p(
            "TableHeader",
            "strong",
            size=small,
            color=c.text,
            align="center",
            line=1.1,
            keep_next=True,
        ),
        p("TableHeaderNumber", "strong", based_on="TableHeader", align="right"),
        p("TableCell", size=small, line=1.1),
        p("TableCellNumber", based_on="TableCell", align="right"),
        p("TagLine", size=s.body, line=1.45, before=3, after=4),
        p("FactLabel", "strong", size=small, color=c.muted, line=1.2),
        p("FactValue", size=small, line=1.2),
        p(
            "Distribution",
            size=small,
            line=1.3,
            keep_next=True,
            left_chars=1,
            right_chars=1,
            tabs=(TabStop(text_twips - round(small * ooxml.TWIPS_PER_PT), "right"),),
            borders=(
                ("top", rule(1, c.text, 3)),
                ("bottom", rule(1, c.text, 3)),
                ("between", rule(0.5, c.text, 3)),
            ),
        ),
        p(
            "TimelineDate",
            "strong",
            size=s.body,
            color=c.accent,
            align="right",
            line=1.2,
            keep_next=True,
        ),
        p("TimelineText", align="left", size=s.body, line=1.3, keep_next=True),
        p(
            "Header",
            builtin=True,
            style_id="Header",
            size=s.header,
            color=c.muted,
            align="right",
            borders=(("bottom", rule(0.5, c.grid, 2)),),
        ),
        p("Footer", builtin=True, style_id="Footer", size=s.header, color=c.muted, align="center"),
        p("FooterNote", based_on="Footer", size=s.note, color=c.muted, align="left", after=2),
        p(
            "SheetBand",
            "heading",
            size=s.header + 0.5,
            color="#FFFFFF",
            align="left",
            line=1.0,
            tabs=right_tab,
        ),
        p(
            "SheetTitle",
            "title",
            size=s.title,
            color=c.primary,
            align="left",
            line=1.0,
            after=4,
            keep_next=True,
        ),
        p("SheetSubtitle", "heading", size=s.body + 1, color=c.muted, line=1.1, after=2),
        p(
            "SheetTitleRule",
            size=2,
            line=1.0,
            after=10,
            borders=(("bottom", rule(1.2, c.primary, 1)),),
        ),
        p("Spacer", size=1, line=1.0, after=6),
        p("Marking", "strong", size=s.body, align="left", after=6),
        p(
            "AttachmentList",
            first_line_chars=theme.first_line_chars,
            line=theme.line_spacing,
            before=s.body * theme.line_spacing,
            keep_next=True,
        ),
        p(
            "AttachmentMore",
            left_chars=theme.first_line_chars + 3,
            line=theme.line_spacing,
            keep_next=True,
        ),
        p(
            "Signature",
            align="right",
            right_chars=4,
            line=theme.line_spacing,
            before=s.body * theme.line_spacing * 2,
            keep_next=True,
            keep_lines=True,
        ),
        p("SignatureDate", align="right", right_chars=4, line=theme.line_spacing),
        StyleSpec(
            "Default Paragraph Font", "character", style_id="DefaultParagraphFont", builtin=True
        ),
        ch("KpiUnit", "strong", size=s.kpi_label + 1.5, color=c.primary),
        ch("KpiUp", size=s.kpi_label, color=c.up),
        ch("KpiDown", size=s.kpi_label, color=c.down),
        ch("KpiFlat", size=s.kpi_label, color=c.muted),
        ch("Tag", "strong", size=small, color=c.primary, shading=c.card_bg),
        ch("TagLabel", "strong", color=c.text),
        ch("StrongText", "strong"),
        ch("DotsText", dots=True),
        p("FootnoteText", size=s.note, line=1.2, after=2),
        ch("DistributionLabel", "strong"),
        ch("TimelineTag", "strong", size=s.note, color=c.accent, shading=c.card_bg),
        StyleSpec("Normal Table", "table", style_id="TableNormal", builtin=True),
        tbl(
            "KpiGrid",
            shading=c.card_bg,
            borders=(("top", rule(2.25, c.primary, 0)), ("insideV", rule(6, "#FFFFFF", 0))),
            cell_margins=(("top", 2), ("left", 4), ("bottom", 2), ("right", 4)),
        ),
        tbl("KpiFrame", cell_margins=(("top", 0), ("left", 0), ("bottom", 0), ("right", 0))),
        tbl(
            "CalloutBox",
            shading=c.callout_bg,
            borders=(("left", rule(4, c.primary, 0)),),
            cell_margins=(("top", 6), ("left", 10), ("bottom", 6), ("right", 10)),
        ),
        tbl(
            "DataTable",
            borders=(
                ("top", rule(1.5, c.primary, 0)),
                ("bottom", rule(1.5, c.primary, 0)),
                ("insideH", rule(0.5, c.grid, 0)),
            ),
            cell_margins=(
                ("top", 3),
                ("left", TABLE_CELL_PAD_PT),
                ("bottom", 3),
                ("right", TABLE_CELL_PAD_PT),
            ),
            header_shading=c.card_bg,
            header_borders=(("bottom", rule(0.75, c.primary, 0)),),
        ),
        tbl(
            "FactsTable",
            borders=(("insideH", Border(0.5, c.grid, "dotted", 0)),),
            cell_margins=(("top", 2), ("left", 2), ("bottom", 2), ("right", 6)),
        ),
        tbl(
            "TimelineTable",
            borders=(("insideV", rule(1.5, c.accent, 0)),),
            cell_margins=(("top", 3), ("left", 9), ("bottom", 6), ("right", 9)),
        ),
    )


def _apply_style(doc: WordDocument, spec: StyleSpec, named: dict[str, Any]) -> None:
    """Add or restyle the style ``spec`` names; ``named`` holds the document's styles by
    name (the first of a name), kept up to date here, so no lookup walks the styles part."""
    kinds = {
        "paragraph": WD_STYLE_TYPE.PARAGRAPH,
        "character": WD_STYLE_TYPE.CHARACTER,
        "table": WD_STYLE_TYPE.TABLE,
    }
    styles = doc.styles
    existing = named.get(spec.name)
    style: Any
    if existing is None:  # styles.add_style(), without its walk checking the name is new
        added = styles.element.add_style_of_type(
            BabelFish.ui2internal(spec.name), kinds[spec.kind], spec.builtin
        )
        style = StyleFactory(added)
        named.setdefault(style.name, style)
    else:
        style = existing
    el = style.element
    if spec.style_id:
        style.style_id = spec.style_id
    if spec.based_on:
        style.base_style = styles[spec.based_on]
    if spec.next_style:
        following = named.get(spec.next_style)
        next_id = (
            str(following.style_id) if following is not None else _style_id(doc, spec.next_style)
        )
        ooxml.set_child(el, ooxml.element("w:next", {"w:val": next_id}), STYLE_ORDER)
    if existing is None:
        ooxml.set_child(el, ooxml.element("w:qFormat"), STYLE_ORDER)
    if spec.kind == "paragraph":
        _paragraph_props(el.get_or_add_pPr(), spec)
    if spec.grid is not None:  # lines on the document grid (text_grid) or off it
        snap = {"w:val": "1" if spec.grid else "0"}
        ooxml.set_child(el.get_or_add_pPr(), ooxml.element("w:snapToGrid", snap), PPR_ORDER)
    if spec.tracking:
        spacing = {"w:val": str(round(spec.tracking * ooxml.TWIPS_PER_PT))}
        ooxml.set_child(el.get_or_add_rPr(), ooxml.element("w:spacing", spacing), RPR_ORDER)
    if (
        spec.latin
        or spec.size
        or spec.color
        or spec.dots
        or spec.bold
        or (spec.kind == "character" and spec.shading)
    ):
        rpr = el.get_or_add_rPr()
        if spec.bold:
            ooxml.set_child(rpr, ooxml.element("w:b"), RPR_ORDER)
            ooxml.set_child(rpr, ooxml.element("w:bCs"), RPR_ORDER)
        if spec.dots:
            ooxml.set_child(rpr, ooxml.element("w:em", {"w:val": "dot"}), RPR_ORDER)
        if spec.latin and spec.east_asia:
            ooxml.set_fonts(rpr, spec.latin, spec.east_asia)
        if spec.color:
            ooxml.set_color(rpr, spec.color)
        if spec.size:
            ooxml.set_size(rpr, spec.size)
        if spec.kind == "character" and spec.shading:
            ooxml.set_shading(rpr, spec.shading, RPR_ORDER)
    if spec.kind == "table":
        _table_props(el, spec)


def _paragraph_props(ppr: Any, spec: StyleSpec) -> None:
    if spec.keep_next:
        ooxml.on_off(ppr, "w:keepNext", PPR_ORDER)
    if spec.keep_lines:
        ooxml.on_off(ppr, "w:keepLines", PPR_ORDER)
    if spec.borders:
        ooxml.set_borders(ppr, "w:pBdr", dict(spec.borders), PPR_ORDER)
    if spec.shading:
        ooxml.set_shading(ppr, spec.shading, PPR_ORDER)
    if spec.tabs:
        ooxml.set_tabs(ppr, spec.tabs)
    if spec.before is not None or spec.after is not None or spec.line is not None:
        ooxml.set_spacing(ppr, before_pt=spec.before, after_pt=spec.after, line=spec.line)
    if spec.first_line_chars or spec.left_chars or spec.right_chars:
        ooxml.set_indent(
            ppr,
            first_line_chars=spec.first_line_chars,
            left_chars=spec.left_chars,
            right_chars=spec.right_chars,
            char_points=spec.size or 12,
        )
    if spec.align:
        ooxml.set_child(ppr, ooxml.element("w:jc", {"w:val": spec.align}), PPR_ORDER)
    if spec.outline_level is not None:
        ooxml.set_outline_level(ppr, spec.outline_level)


def _table_props(el: Any, spec: StyleSpec) -> None:
    tblpr = ooxml.set_child(el, ooxml.element("w:tblPr"), STYLE_ORDER)
    sides = dict(spec.borders)
    full = {
        side: sides.get(side, ooxml.NO_BORDER)
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    }
    ooxml.set_borders(tblpr, "w:tblBorders", full, TBLPR_ORDER)
    if spec.cell_margins:
        ooxml.set_cell_margins(tblpr, "w:tblCellMar", dict(spec.cell_margins), TBLPR_ORDER)
    if spec.shading:
        tcpr = ooxml.set_child(el, ooxml.element("w:tcPr"), STYLE_ORDER)
        ooxml.set_shading(tcpr, spec.shading, TCPR_ORDER)
    if spec.header_shading or spec.header_borders:
        first = ooxml.element("w:tblStylePr", {"w:type": "firstRow"})
        tcpr = ooxml.element("w:tcPr")
        if spec.header_borders:
            ooxml.set_borders(tcpr, "w:tcBorders", dict(spec.header_borders), TCPR_ORDER)
        if spec.header_shading:
            ooxml.set_shading(tcpr, spec.header_shading, TCPR_ORDER)
        first.append(ooxml.element("w:trPr"))
        first[-1].append(ooxml.element("w:tblHeader"))
        first.append(tcpr)
        el.append(first)


def _style_id(doc: WordDocument, name: str) -> str:
    for st in doc.styles:
        if st.name == name:
            return str(st.style_id)
    return name.replace(" ", "")


_KEPT_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList"}


def install_styles(doc: WordDocument, specs: Iterable[StyleSpec], *, lang: str) -> None:
    """Replace the template's styles with ``specs`` and set document defaults.

    The python-docx template carries ~160 styles bound to theme fonts without an East Asian
    face; keeping them would leave Chinese text in 宋体-less fallbacks as soon as a user
    picked one. Only the four default styles Word expects survive, restyled.
    """
    root = doc.styles.element
    for st in root.findall(qn("w:style")):
        if st.get(qn("w:styleId")) not in _KEPT_STYLES:
            root.remove(st)
    specs = tuple(specs)
    normal = next(sp for sp in specs if sp.name == "Normal")
    east_asia = lang if lang.lower().startswith("zh") else "zh-CN"
    ooxml.set_doc_defaults(
        root,
        latin=normal.latin or "Times New Roman",
        east_asia=normal.east_asia or "宋体",
        size_pt=normal.size or 12,
        lang_latin="en-US",
        lang_east_asia=east_asia,
    )
    named: dict[str, Any] = {}
    for style in doc.styles:
        named.setdefault(style.name, style)
    for spec in specs:
        _apply_style(doc, spec, named)


# --- the styled base document, built once per theme ---------------------------------------


@dataclass
class _Base:
    """A blank package with the theme's styles installed, and the ids of those styles.

    Building the styles part costs more than writing a one-page sheet, and it depends only
    on the theme and the language, so it is built once per process and each document starts
    from a copy of these bytes (python-docx's own blank document is also just a package
    read from bytes).
    """

    package: bytes
    style_ids: dict[tuple[str, int], str | None] = field(default_factory=dict)


_STYLES: OrderedDict[str, tuple[StyleSpec, ...]] = OrderedDict()


def _styles_of(theme: Any) -> tuple[StyleSpec, ...]:
    """Return :func:`briefing_styles` of ``theme``, built once per theme content (a batch
    of sheets asks for the same ones with each sheet's own copy of its theme)."""
    dump = getattr(theme, "model_dump_json", None)
    if dump is None:
        return briefing_styles(theme)
    key = f"{type(theme).__qualname__}:{dump()}"
    with _BASES_LOCK:
        hit = _STYLES.get(key)
        if hit is not None:
            _STYLES.move_to_end(key)
            return hit
    specs = briefing_styles(theme)
    with _BASES_LOCK:
        _STYLES[key] = specs
        while len(_STYLES) > _BASES_KEPT:
            _STYLES.popitem(last=False)
    return specs


_BASES: OrderedDict[tuple[tuple[StyleSpec, ...], str], _Base] = OrderedDict()
_BASES_LOCK = threading.Lock()
_BASES_KEPT = 8


def _base(specs: tuple[StyleSpec, ...], lang: str) -> _Base:
    """Return the cached base package for these styles and this document language."""
    key = (specs, lang)
    with _BASES_LOCK:
        hit = _BASES.get(key)
        if hit is not None:
            _BASES.move_to_end(key)
            return hit
    doc = docx.Document()
    _prepare_package(doc, lang)
    install_styles(doc, specs, lang=lang)
    out = io.BytesIO()
    doc.save(out)
    base = _Base(out.getvalue())
    with _BASES_LOCK:
        _BASES[key] = base
        while len(_BASES) > _BASES_KEPT:
            _BASES.popitem(last=False)
    return base


class _Entries:
    """A stand-in for python-docx's zip writer that keeps each entry's bytes."""

    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def write(self, pack_uri: Any, blob: bytes) -> None:
        self.items[pack_uri.membername] = blob


def _package_entries(doc: WordDocument) -> dict[str, bytes]:
    """Return the package's entries (name to bytes) as ``doc.save`` would zip them.

    :func:`ooxml.package_bytes` writes (and compresses) them once, in a fixed order;
    python-docx compressing them first, only for them to be inflated again, cost a quarter
    of the writer's time. The entries come from python-docx's own package writer.
    """
    package = doc.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    entries = _Entries()
    PackageWriter._write_content_types_stream(entries, parts)
    PackageWriter._write_pkg_rels(entries, package.rels)
    PackageWriter._write_parts(entries, parts)  # type: ignore[arg-type]
    return entries.items


def _prepare_package(doc: WordDocument, lang: str) -> None:
    """Drop template parts that do not describe this document (thumbnail, customXml)."""
    dropped = {
        RT.THUMBNAIL,
        RT.CUSTOM_XML,
        "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    }
    for owner in (doc.part.package, doc.part):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype in dropped:
                del owner.rels[rid]
    chinese = lang.lower().startswith("zh")
    ooxml.configure_settings(
        doc.settings.element, lang_latin="en-US", lang_east_asia=lang if chinese else "zh-CN"
    )


# --- the writer ---------------------------------------------------------------------------


def render_docx(
    document: Document,
    charts: Mapping[str, RenderedChartLike],
    *,
    diagnostics: Diagnostics | None = None,
    docx_charts: str | None = None,
) -> bytes:
    """Return the DOCX bytes of ``document``; ``charts`` maps ``ChartData.id`` to renderings.

    What cannot be drawn (a missing chart or image, text XML cannot hold, a block type the
    writer does not know) is left out and reported to ``diagnostics``, located at the block.
    ``docx_charts`` (``native`` or ``picture``) overrides the theme's choice of chart form.
    """
    return _DocxWriter(document, charts, diagnostics, docx_charts).render()


_BREAKS = re.compile(r"([\t\r\n])")


def _run_text(r: Any, text: str) -> None:
    """Fill a new run with ``text`` as python-docx's ``run.text = text`` does: a tab becomes
    ``w:tab``, each CR or LF a ``w:br``, the rest ``w:t`` (without its per-character loop)."""
    for piece in _BREAKS.split(text) if text else ():
        if piece == "\t":
            r.add_tab()
        elif piece in ("\r", "\n"):
            r.add_br()
        elif piece:
            r.add_t(piece)


class _DocxWriter(BlockVisitor):
    """One rendering: python-docx document plus the counters that keep ids deterministic."""

    fmt = "docx"

    def __init__(
        self,
        document: Document,
        charts: Mapping[str, RenderedChartLike],
        diagnostics: Diagnostics | None = None,
        docx_charts: str | None = None,
    ) -> None:
        super().__init__(diagnostics)
        self.src = document
        self.block: Node | None = None
        self.theme = document.theme
        self.charts = charts
        self.base = _base(_styles_of(self.theme), document.meta.language)
        self.doc: WordDocument = docx.Document(io.BytesIO(self.base.package))
        self.chinese = document.meta.language.lower().startswith("zh")
        self.text_width_mm = text_width_mm(self.theme)
        self.shape_ids = 0
        self.native_charts = charts_mode(self.theme, document.layout, docx_charts) == "native"
        self.chart_parts = 0
        self.bookmark_ids = 0
        self.svg_parts = 0
        self.footnotes: list[Any] = []
        self.page_break_pending = False
        self.kept_styles: set[str | None] | None = None
        self.where = "page headers, footers and marking"
        self.removed = 0
        self.bookmarks = self._plan_bookmarks(document.blocks)
        self.headings = {b.anchor: b for b in document.blocks if isinstance(b, Heading)}

    def render(self) -> bytes:
        """Build the document and return the normalised package bytes."""
        self._setup_section()
        if self.src.meta.marking:
            self._para("Marking", self._t(self.src.meta.marking))
        self._report_removed()
        for index, block in enumerate(self.src.blocks, start=1):
            self.where = f"block {index} ({type(block).__name__})"
            self.block = block
            self.removed = 0
            if self.visit(block):
                self._report_removed()
            if block.keep_with_next:
                self._keep_last_with_next()
        self._finish_body()
        self._add_footnotes_part()
        self.where = "document properties"
        self.block = None
        self.removed = 0
        self._set_properties()
        self._report_removed()
        meta = self.src.meta
        fonts = _fonts(self.theme)
        return ooxml.package_bytes(
            _package_entries(self.doc),
            date_time=_zip_time(meta.date),
            replace={
                "docProps/app.xml": ooxml.app_xml("khzreport", self._t(meta.author)),
                "word/fontTable.xml": _font_table(
                    tuple(lat for lat, _ in fonts.values()), tuple(cjk for _, cjk in fonts.values())
                ),
            },
        )

    # --- text and helpers -------------------------------------------------------------

    def _t(self, text: str) -> str:
        cleaned, count = ooxml.xml_safe(text)
        self.removed += count
        return cleaned

    def _report_removed(self) -> None:
        if self.removed:
            self.diagnostics.warn(
                "characters-removed",
                f"docx: removed {self.removed} character(s) that XML cannot hold (control "
                f"characters, U+FFFE/U+FFFF or lone surrogates) from {self.where}",
                self._origin(),
            )

    def _origin(self) -> Location | None:
        return self.block.origin if self.block is not None else None

    def _para(
        self, style: str, text: str | None = None, char_style: str | None = None
    ) -> WordParagraph:
        para = self.doc.add_paragraph()
        self._style(para, style)
        if self.page_break_pending:
            ooxml.on_off(para._p.get_or_add_pPr(), "w:pageBreakBefore", PPR_ORDER)
            self.page_break_pending = False
        if text:
            self._run(para, self._t(text), char_style)
        return para

    def _style_id(self, name: str, kind: WD_STYLE_TYPE) -> str | None:
        """Return the id python-docx would give style ``name`` (None for the default one).

        Looking a style up by name walks the styles part each time; the ids are kept with
        the base package they belong to.
        """
        key = (name, int(kind))
        ids = self.base.style_ids
        if key not in ids:
            ids[key] = self.doc.part.get_style_id(name, kind)
        return ids[key]

    def _style(self, para: WordParagraph, name: str) -> None:
        """Set a paragraph's style, as ``para.style = name`` does."""
        style_id = self._style_id(name, WD_STYLE_TYPE.PARAGRAPH)
        p = para._p
        ppr = p.pPr
        if style_id is not None and (ppr is None or len(ppr) == 0):
            # The common case, a new paragraph: its w:pStyle is the only child of its w:pPr,
            # added without python-docx's search for the children it must precede.
            ppr = p._add_pPr() if ppr is None else ppr
            ppr.append(ooxml.element("w:pStyle", {"w:val": style_id}))
            return
        p.style = style_id

    def _run(self, para: WordParagraph, text: str, style: str | None = None) -> Any:
        """Add a run, as ``para.add_run(text, style)`` does."""
        r = para._p.add_r()
        _run_text(r, text)
        if style:
            style_id = self._style_id(style, WD_STYLE_TYPE.CHARACTER)
            if style_id is not None:
                rpr = r._add_rPr()  # a new run: its w:rStyle is the only child of its w:rPr
                rpr.append(ooxml.element("w:rStyle", {"w:val": style_id}))
            else:
                r.style = style_id
        return WordRun(r, para)

    def _last_body_element(self) -> Any:
        for el in reversed(self.doc.element.body):
            if el.tag != qn("w:sectPr"):
                return el
        return None

    def _keep_last_with_next(self) -> None:
        """Keep the end of the block just written on the page where the next block starts:
        its last paragraph, or the paragraphs of its table's last row, keep with the next."""
        last = self._last_body_element()
        if last is None:
            return
        paragraphs = last.xpath("./w:tr[last()]//w:p") if last.tag == qn("w:tbl") else [last]
        for p in paragraphs:
            if p.tag == qn("w:p") and not self._keeps(p):
                _keep_with_next(p)

    def _gap(self) -> None:
        """Add a small spacer paragraph, unless one is already last.

        Tables have no space before or after; boxed blocks (KPI cards, call-outs) and
        back-to-back tables, which Word would otherwise merge into one, need this.
        """
        last = self._last_body_element()
        if last is not None and last.xpath("string(./w:pPr/w:pStyle/@w:val)") == "Spacer":
            return
        spacer = self._para("Spacer")
        if last is not None and last.tag == qn("w:p") and self._keeps(last):
            _keep_with_next(spacer._p)  # a title before a box stays with the box

    def _keeps(self, p: Any) -> bool:
        """Return whether a paragraph keeps with the next, by itself or by its style."""
        if p.xpath("./w:pPr/w:keepNext"):
            return True
        if self.kept_styles is None:  # the styles part is the base's, fixed while writing
            self.kept_styles = {
                style.get(qn("w:styleId"))
                for style in self.doc.styles.element.xpath("w:style[w:pPr/w:keepNext]")
            }
        return p.xpath("string(w:pPr/w:pStyle/@w:val)") in self.kept_styles

    def _add_table(
        self, rows: int, cols: int, style: str, widths_twips: list[int], inside: Any = None
    ) -> WordTable:
        """Add a table to the body, or ``inside`` a cell (after its content)."""
        if inside is not None:
            table = inside.add_table(rows, cols)
        else:
            last = self._last_body_element()
            if self.page_break_pending:
                self._para("Spacer")
            elif last is not None and last.tag == qn("w:tbl"):
                self._gap()
            table = self.doc.add_table(rows=rows, cols=cols)
        table._tbl.tblStyle_val = self._style_id(style, WD_STYLE_TYPE.TABLE)
        tblpr = table._tbl.tblPr
        ooxml.set_table_width(tblpr, sum(widths_twips))
        ooxml.set_fixed_layout(tblpr)
        for column, width in zip(table.columns, widths_twips, strict=True):
            column.width = Twips(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths_twips, strict=True):
                ooxml.set_cell_width(cell._tc.get_or_add_tcPr(), width)
        return table

    def _text_twips(self, share: float = 1.0) -> int:
        return round(self.text_width_mm * share * ooxml.TWIPS_PER_MM)

    def _cell_para(
        self,
        cell: Any,
        style: str,
        text: str | None = None,
        char_style: str | None = None,
        *,
        first: bool = False,
    ) -> WordParagraph:
        para = cell.paragraphs[0] if first else cell.add_paragraph()
        self._style(para, style)
        if text:
            self._run(para, text, char_style)
        return para

    # --- package, section, properties -------------------------------------------------

    def _setup_section(self) -> None:
        page = self.theme.page
        section = self.doc.sections[0]
        for attr in ("w:rsidR", "w:rsidRPr", "w:rsidSect"):
            section._sectPr.attrib.pop(qn(attr), None)
        section.page_width, section.page_height = Mm(page.width_mm), Mm(page.height_mm)
        if page.orientation == "landscape":
            section.orientation = WD_ORIENT.LANDSCAPE
        section.top_margin, section.bottom_margin = Mm(page.margin_top), Mm(page.margin_bottom)
        section.left_margin, section.right_margin = Mm(page.margin_left), Mm(page.margin_right)
        section.header_distance = Mm(max(10.0, page.margin_top * 0.45))
        section.footer_distance = Mm(max(10.0, page.margin_bottom * 0.45))
        opening = bool(self.src.blocks) and isinstance(self.src.blocks[0], Masthead | Cover)
        section.different_first_page_header_footer = opening
        grid = self.theme.text_grid
        if grid is not None:
            ooxml.set_doc_grid(section._sectPr, page, grid.lines)
        dash = self.theme.page_number == "dash_outer"
        if dash:  # GB/T 9704 7.5: the number 7 mm under the text block
            number_mm = self.theme.sizes.header * 1.3 * 25.4 / 72
            section.footer_distance = Mm(max(10.0, page.margin_bottom - 7 - number_mm))
            self.doc.settings.odd_and_even_pages_header_footer = True
        headers = [section.header, *([section.even_page_header] if dash else [])]
        for header in headers:
            header.is_linked_to_previous = False
            if self.theme.running_header and self.src.meta.running_header:
                self._style(header.paragraphs[0], "Header")
                self._run(header.paragraphs[0], self._t(self.src.meta.running_header))
            else:
                self._style(header.paragraphs[0], "Spacer")
        even_footer = section.even_page_footer if dash else None
        footers = [section.footer, *([even_footer] if even_footer is not None else [])]
        if opening:
            section.first_page_header.is_linked_to_previous = False
            self._style(section.first_page_header.paragraphs[0], "Spacer")
            if self.src.layout == "sheet":
                section.header_distance = Mm(0)
                self._sheet_band(section.first_page_header)
            footers.append(section.first_page_footer)
            headers.append(section.first_page_header)
        if self.src.meta.watermark:
            for number, part in enumerate(headers, start=1):
                part.paragraphs[0]._p.append(
                    ooxml.watermark_run(
                        self.src.meta.watermark,
                        self.theme.fonts.docx_heading_cjk,
                        self.theme.colors.accent,
                        number,
                    )
                )
        for footer in footers:
            footer.is_linked_to_previous = False
            para = footer.paragraphs[0]
            self._style(para, "Footer")
            if self.src.meta.footer_note:  # a line of its own, so it never wraps into the number
                self._style(para, "FooterNote")
                self._run(para, self._t(self.src.meta.footer_note))
                para = footer.add_paragraph()
                self._style(para, "Footer")
            if self.src.layout == "sheet":  # as the PDF: issuer and date under the source
                para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                gap = "\u3000" if self.chinese else "\u2002"  # an ideographic space is CJK text
                self._run(para, self._t(f"{self.src.meta.author}{gap}{self.src.meta.date_text}"))
            if self.theme.page_number != "of_total":
                if dash:
                    self._dash_page_number(para, even=footer is even_footer)
                continue
            words = ("第 ", " 页  共 ", " 页") if self.chinese else ("Page ", " of ", "")
            self._run(para, words[0])
            para._p.extend(ooxml.field("PAGE", "1"))
            self._run(para, words[1])
            para._p.extend(ooxml.field("NUMPAGES", "1"))
            if words[2]:
                self._run(para, words[2])

    def _dash_page_number(self, para: WordParagraph, *, even: bool) -> None:
        """Write "— 1 —" one character in from the outer side: right on odd pages, left on
        even ones (GB/T 9704 7.5)."""
        fmt = para.paragraph_format
        one_char = Pt(self.theme.sizes.body)
        if even:
            fmt.alignment, fmt.left_indent = WD_ALIGN_PARAGRAPH.LEFT, one_char
        else:
            fmt.alignment, fmt.right_indent = WD_ALIGN_PARAGRAPH.RIGHT, one_char
        self._run(para, "— ")
        para._p.extend(ooxml.field("PAGE", "1"))
        self._run(para, " —")

    def _set_properties(self) -> None:
        meta = self.src.meta
        props = self.doc.core_properties
        stamp = _midnight_utc(meta.date)
        props.title = self._t(meta.title)
        props.subject = self._t(meta.subject)
        props.author = self._t(meta.author)
        props.last_modified_by = self._t(meta.author)
        props.keywords = self._t("; ".join(meta.keywords))
        props.language = self._t(meta.language)
        props.comments = self._t(meta.subtitle or "")
        props.category = ""
        props.created = stamp
        props.modified = stamp
        props.revision = 1

    def _finish_body(self) -> None:
        last = self._last_body_element()
        if last is None or last.tag == qn("w:tbl"):
            self._para("Spacer")

    def _plan_bookmarks(self, blocks: Iterable[Block]) -> dict[str, str]:
        """Map each heading anchor to a unique Word bookmark name (the TOC links to it)."""
        names: dict[str, str] = {}
        used: set[str] = set()
        for block in blocks:
            anchor = _anchor(block)
            if anchor is None or anchor in names:
                continue
            base = name = ooxml.bookmark_name(anchor)
            n = 2
            while name in used:
                name = f"{base[:36]}_{n}"
                n += 1
            used.add(name)
            names[anchor] = name
        return names

    # --- blocks -----------------------------------------------------------------------

    def block_masthead(self, block: Masthead) -> None:
        self._para("Masthead", block.title)
        if block.issue_text:
            self._para("MastheadIssue", block.issue_text)
        if block.period:
            self._para("MastheadIssue", block.period)
        self._para("MastheadInfo", f"{block.issuer}\t{block.date_text}")
        if block.headline:
            self._para("Title", block.headline)

    def block_cover(self, block: Cover) -> None:
        if self.src.layout == "sheet":
            self._sheet_title(block)
            return
        self._para("Title", block.title)
        if block.subtitle:
            self._para("Subtitle", block.subtitle)
        if block.period:
            self._para("CoverInfo", block.period)
        gap = "\u3000" if self.chinese else "\u2002"  # an ideographic space is CJK text
        self._para("CoverInfo", f"{block.issuer}{gap}{block.date_text}")

    def _sheet_title(self, block: Cover) -> None:
        """Write a park sheet's title as its PDF has it: the name big and left, the
        positioning under it, a rule; the zone and period stand in the band above."""
        self._para("SheetTitle", block.title)
        if block.subtitle:
            self._para("SheetSubtitle", block.subtitle)
        self._para("SheetTitleRule")

    def _sheet_band(self, header: Any) -> None:
        """Put the sheet's band in the first page's header, edge to edge at the top: the
        issuing zone left, the period and the running header right, white on the primary
        colour, as the PDF draws it."""
        cover = self.src.blocks[0]
        if not isinstance(cover, Cover):
            return
        page = self.theme.page
        width = round(page.width_mm * ooxml.TWIPS_PER_MM)
        left = round(page.margin_left * ooxml.TWIPS_PER_MM)
        right = round(page.margin_right * ooxml.TWIPS_PER_MM)
        table = header.add_table(1, 1, Twips(width))
        tblpr = table._tbl.tblPr
        ooxml.set_table_width(tblpr, width)
        ooxml.set_child(
            tblpr,
            ooxml.element("w:tblInd", {"w:w": str(-left), "w:type": "dxa"}),
            ooxml.TBLPR_ORDER,
        )
        ooxml.set_fixed_layout(tblpr)
        ooxml.set_cell_margins(
            tblpr, "w:tblCellMar", {"top": 0, "bottom": 0, "left": 0, "right": 0}, ooxml.TBLPR_ORDER
        )
        row = table.rows[0]
        height = ooxml.element(
            "w:trHeight", {"w:val": str(round(14 * ooxml.TWIPS_PER_MM)), "w:hRule": "exact"}
        )
        row._tr.get_or_add_trPr().append(height)
        cell = row.cells[0]
        tcpr = cell._tc.get_or_add_tcPr()
        ooxml.set_cell_width(tcpr, width)
        ooxml.set_shading(tcpr, self.theme.colors.primary, ooxml.TCPR_ORDER)
        ooxml.set_cell_margins(
            tcpr,
            "w:tcMar",
            {"left": left / ooxml.TWIPS_PER_PT, "right": right / ooxml.TWIPS_PER_PT},
            ooxml.TCPR_ORDER,
        )
        ooxml.set_cell_valign(tcpr, "center")
        para = self._cell_para(cell, "SheetBand", first=True)
        self._run(para, self._t(cover.issuer), "StrongText")
        self._run(para, "\t" + self._t(cover.date_text))
        if self.src.meta.running_header:
            gap = "\u3000" if self.chinese else "\u2002"  # an ideographic space is CJK text
            self._run(para, gap + self._t(self.src.meta.running_header))
        header._element.remove(table._tbl)
        header.paragraphs[0]._p.addprevious(table._tbl)

    def block_toc(self, block: Toc) -> None:
        """Write a TOC field whose cached result already lists the entries.

        Readers that do not update fields (LibreOffice's PDF export, previews) show the
        entries as they are, each linked to its heading's bookmark. Page numbers are left to
        Word, which rebuilds the field on open (``w:updateFields``): the writer cannot know
        where pages break, and a guessed number would be a wrong one in print.
        """
        self._para("TOC Heading", block.title)
        depth = max((e.level for e in block.entries), default=1)
        instruction = f'TOC \\o "1-{depth}" \\h \\z \\u'
        if not block.entries:
            para = self._para("TOCEnd")
            para._p.extend(ooxml.field(instruction, ""))
            return
        for i, entry in enumerate(block.entries):
            para = self._para(f"toc {min(max(entry.level, 1), 4)}")
            if i == 0:
                para._p.extend(ooxml.field_start(instruction))
            text = self._t(self._entry_text(entry.anchor, entry.text))
            target = self.bookmarks.get(entry.anchor)
            if target is None:
                para._p.append(ooxml.run(text))
            else:
                para._p.append(ooxml.internal_link(target, [ooxml.run(text)]))
        self._para("TOCEnd")._p.append(ooxml.field_end())

    def _entry_text(self, anchor: str, text: str) -> str:
        heading = self.headings.get(anchor)
        if heading is not None and heading.number and not text.startswith(heading.number):
            return heading.number + text
        return text

    def block_heading(self, block: Heading) -> None:
        style = "ChapterTitle" if block.level <= 1 else f"Heading{min(block.level, 4)}"
        para = self._para(style, block.number + block.text)
        name = self.bookmarks.get(block.anchor)
        if name is not None:
            self.bookmark_ids += 1
            ooxml.wrap_in_bookmark(para._p, self.bookmark_ids, name)
        if block.second_line:
            self._para(
                "ChapterSubtitle" if block.level <= 1 else "HeadingSecond", block.second_line
            )

    def block_paragraph(self, block: Paragraph) -> None:
        """Write a paragraph; runs of plain text merge, bold and 着重号 take character styles."""
        style = {"lead": "Lead", "item": "ListItem"}.get(block.style, "Body")
        marker = block.marker + "\t" if block.style == "item" and block.marker else ""
        if not _rich(block.runs):
            self._para(style, marker + block.text)
            return
        self._write_runs(self._para(style), block.runs, marker)

    def _write_runs(self, para: WordParagraph, runs: tuple[Run, ...], text: str = "") -> None:
        """Write runs into a paragraph: plain stretches merge; references, bold, 着重号 and
        footnote marks become their own runs."""
        char = None
        for run in (*runs, None):
            run_char = None if run is None else _char_style(run)
            if run is not None and not run.target and run.note is None and run_char == char:
                text += _unbroken(run)
                continue
            if text:
                self._run(para, self._t(text), char)
            text, char = "", run_char
            if run is None:
                break
            if run.target:
                self._reference(para, run)
            elif run.note is not None:
                para._p.append(self._footnote(run.note))
            else:
                text = _unbroken(run)

    def _footnote(self, note: tuple[Run, ...]) -> Any:
        """Return the reference run of a real Word footnote holding ``note``.

        Word numbers footnotes itself, in the order the layout numbered the marks; the
        note's text goes into the footnotes part, written at the end.
        """
        number = len(self.footnotes) + 1
        body = ooxml.element("w:footnote", {"w:id": str(number)})
        para = ooxml.element("w:p")
        ppr = ooxml.element("w:pPr")
        style_id = self._style_id("FootnoteText", WD_STYLE_TYPE.PARAGRAPH) or "FootnoteText"
        ppr.append(ooxml.element("w:pStyle", {"w:val": style_id}))
        para.append(ppr)
        para.append(_superscript(ooxml.element("w:footnoteRef")))
        para.append(ooxml.run(" "))
        for run in note:
            style = _char_style(run)
            para.append(
                ooxml.run(
                    self._t(run.text),
                    self._style_id(style, WD_STYLE_TYPE.CHARACTER) if style else None,
                )
            )
        body.append(para)
        self.footnotes.append(body)
        return _superscript(ooxml.element("w:footnoteReference", {"w:id": str(number)}))

    def _add_footnotes_part(self) -> None:
        """Write the footnotes part (with Word's separator notes) when there are notes."""
        if not self.footnotes:
            return
        root = ooxml.element("w:footnotes")
        for kind, ident in (("separator", "-1"), ("continuationSeparator", "0")):
            note = ooxml.element("w:footnote", {"w:type": kind, "w:id": ident})
            para = ooxml.element("w:p")
            r = ooxml.element("w:r")
            r.append(ooxml.element(f"w:{kind}"))
            para.append(r)
            note.append(para)
            root.append(note)
        root.extend(self.footnotes)
        blob = lxml_etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        part = Part(
            PackURI("/word/footnotes.xml"),
            CT.WML_FOOTNOTES,
            blob,
            self.doc.part.package,
        )
        self.doc.part.relate_to(part, RT.FOOTNOTES)

    def _reference(self, para: WordParagraph, run: Run) -> None:
        """Write a cross-reference: a REF field to a caption's label, a link to a heading.

        The field's cached result is the label (图3), so the text reads right before Word
        updates fields; a heading is linked rather than REF'd, since Word would replace 第四部分
        with the heading's own words.
        """
        name = self.bookmarks.get(run.target or "")
        text = self._t(run.text)
        if name is None:
            self._run(para, text)
        elif run.target in self.headings:
            para._p.append(ooxml.internal_link(name, [ooxml.run(text)]))
        else:
            para._p.extend(ooxml.field(f"REF {name} \\h", text))

    def block_kpi_panel(self, block: KpiPanel) -> None:
        cards = list(block.cards)
        if not cards:
            return
        if block.title:
            self._para("PanelTitle", block.title)
        else:
            self._gap()
        per_row = block.per_row or len(cards)
        frame = None
        if block.keep_together and len(cards) > per_row:
            # Rows of cards in the one row of a borderless frame table that cannot split:
            # Word and LibreOffice both keep such a row on one page, while keep-with-next
            # between tables is lost in LibreOffice.
            frame = self._add_table(1, 1, "KpiFrame", [self._text_twips()])
            ooxml.mark_cant_split(frame.rows[0]._tr.get_or_add_trPr())
            frame.rows[0].cells[0].paragraphs[0]._p.getparent().remove(
                frame.rows[0].cells[0].paragraphs[0]._p
            )
        inside = frame.rows[0].cells[0] if frame is not None else None
        for start in range(0, len(cards), per_row):
            if start:
                if inside is None:
                    self._para("PanelGap")
                else:
                    self._style(inside.paragraphs[-1], "PanelGap")
            chunk = cards[start : start + per_row]
            width = self._text_twips() // len(chunk)
            table = self._add_table(1, len(chunk), "KpiGrid", [width] * len(chunk), inside)
            if block.keep_together:
                ooxml.mark_cant_split(table.rows[0]._tr.get_or_add_trPr())
            for cell, card in zip(table.rows[0].cells, chunk, strict=True):
                ooxml.set_cell_valign(cell._tc.get_or_add_tcPr(), "center")
                self._kpi_card(cell, card)
        if inside is not None:
            self._style(inside.paragraphs[-1], "PanelGap")
        self._gap()

    def _kpi_card(self, cell: Any, card: KpiCard) -> None:
        """Write a card; its value never wraps: spaces in it do not break (the layout sized the
        cards for the value), and the unit stands on its own line when the layout says so."""
        gap = " " if card.prefix[-1:].isascii() and card.prefix[-1:].isalpha() else ""
        line = (card.prefix + gap + card.number + card.suffix).replace(" ", "\u00a0")
        value = self._cell_para(cell, "KpiValue", self._t(line), first=True)
        if card.unit:
            unit = self._run(value, "", "KpiUnit")
            if card.unit_below:
                unit.add_break()
                unit.add_text(self._t(card.unit))
            else:
                spaced = card.unit[:1].isascii() and card.unit[:1].isalpha()
                unit.add_text(
                    self._t(("\u00a0" if spaced else "") + card.unit.replace(" ", "\u00a0"))
                )
        self._cell_para(cell, "KpiLabel", self._t(card.label))
        if card.change_text:
            style = {"up": "KpiUp", "down": "KpiDown"}.get(card.direction or "", "KpiFlat")
            arrow = ARROWS.get(card.direction or "", "")
            text = f"{arrow} {card.change_text}" if arrow else card.change_text
            self._cell_para(cell, "KpiChange", self._t(text), style)
        if card.note:
            self._cell_para(cell, "KpiChange", self._t(card.note), "KpiFlat")
        if not card.change_text and not card.note:
            self._cell_para(cell, "KpiChange")

    def block_callout(self, block: Callout) -> None:
        self._gap()
        table = self._add_table(1, 1, "CalloutBox", [self._text_twips()])
        if block.keep_together:
            ooxml.mark_cant_split(table.rows[0]._tr.get_or_add_trPr())
        cell = table.rows[0].cells[0]
        if block.title:
            self._cell_para(cell, "CalloutTitle", self._t(block.title), first=True)
        if _rich(block.runs):
            para = self._cell_para(cell, "Callout", first=not block.title)
            self._write_runs(para, block.runs)
        else:
            self._cell_para(cell, "Callout", self._t(block.text), first=not block.title)
        self._gap()

    def block_quote(self, block: Quote) -> None:
        if _rich(block.runs):
            self._write_runs(self._para("Quote"), block.runs)
        else:
            self._para("Quote", block.text)
        if block.attribution:
            self._para("QuoteAttribution", block.attribution)

    def block_figure(self, block: Figure) -> None:
        native = self._native_chart(block)
        picture = native if native is not None else self._picture(block)
        if picture is not None:
            para = self._para("Figure")
            para._p.append(ooxml.drawing_run(picture))
        if native is not None and block.chart is not None and native_notes(block.chart):
            notes = self._para("SourceNote", native_notes(block.chart))
            _keep_with_next(notes._p)  # the chart's notes stay with its caption
        # a figure's caption keeps with its notes, never with the block after them: a chain
        # of kept paragraphs longer than a page is dropped whole by LibreOffice
        caption = self._caption(block.label, block.number, block.caption, block.anchor)
        if block.note or block.source:
            _keep_with_next(caption._p)
        if block.note:
            note = self._para("SourceNote", block.note)
            if block.source:
                _keep_with_next(note._p)
        if block.source:
            self._para("SourceNote", block.source)

    def _native_chart(self, block: Figure) -> Any | None:
        """Return a chart figure as a native Word chart, or ``None`` to draw it as a picture.

        The chart takes the size its picture would (see :mod:`.docx_charts`).
        """
        chart = block.chart
        rendered = self.charts.get(chart.id) if chart is not None else None
        if chart is None or rendered is None or not self.native_charts:
            return None
        if not has_native_form(chart):
            return None
        max_w = block.width_cm or self.text_width_mm / 10
        width, height = rendered.width_cm, rendered.height_cm
        if width > max_w:
            width, height = max_w, height * max_w / width
        self.shape_ids += 1
        self.chart_parts += 1
        return add_native_chart(
            self.doc.part,
            chart,
            self.theme,
            number=self.chart_parts,
            width_emu=round(width * ooxml.EMU_PER_CM),
            height_emu=round(height * ooxml.EMU_PER_CM),
            shape_id=self.shape_ids,
            name=self._t(f"{block.label} {chart.id}"),
            descr=self._t(block.alt),
            created=_midnight_utc(self.src.meta.date),
        )

    def _picture(self, block: Figure) -> Any | None:
        """Return the inline picture of a figure, or ``None`` (with a warning) if it is missing."""
        max_w = block.width_cm or self.text_width_mm / 10
        max_h = block.height_cm or PHOTO_MAX_HEIGHT_CM
        svg_rid: str | None = None
        if block.chart is not None:
            chart = self.charts.get(block.chart.id)
            if chart is None:
                self.diagnostics.warn(
                    "chart-not-rendered",
                    f"docx: not rendered: chart {block.chart.id!r} of {block.label} "
                    f"({self.where}): no rendering was given",
                    block.origin,
                )
                return None
            rid, _ = self.doc.part.get_or_add_image(io.BytesIO(chart.png))
            width, height = chart.width_cm, chart.height_cm
            if width > max_w:
                width, height = max_w, height * max_w / width
            if chart.svg:
                svg_rid = self._add_svg(chart.svg)
            name = f"{block.label} {block.chart.id}"
        elif block.image is not None:
            path = Path(block.image)
            try:  # checked when resolved; a file changed or gone since is warned about
                data = read_checked(path, block.origin, f"{block.label} ({self.where})")
            except KhzReportError as exc:
                self.diagnostics.warn(
                    "image-not-rendered",
                    f"docx: not rendered: {exc.message}",
                    block.origin,
                    exc.hint,
                )
                return None
            rid, image = self.doc.part.get_or_add_image(io.BytesIO(data))
            aspect = image.px_height / image.px_width if image.px_width else 0.75
            width = max_w
            height = width * aspect
            if height > max_h:
                height, width = max_h, max_h / aspect
            name = f"{block.label} {path.name}"
        else:
            self.diagnostics.warn(
                "figure-not-rendered",
                f"docx: not rendered: {block.label} ({self.where}) has neither chart nor image",
                block.origin,
            )
            return None
        self.shape_ids += 1
        return ooxml.inline_picture(
            embed=rid,
            width_emu=round(width * ooxml.EMU_PER_CM),
            height_emu=round(height * ooxml.EMU_PER_CM),
            shape_id=self.shape_ids,
            name=self._t(name),
            descr=self._t(block.alt),
            svg_embed=svg_rid,
        )

    def _add_svg(self, svg: bytes) -> str:
        self.svg_parts += 1
        part = Part(
            PackURI(f"/word/media/chart{self.svg_parts}.svg"),
            ooxml.SVG_CONTENT_TYPE,
            svg,
            self.doc.part.package,
        )
        return self.doc.part.relate_to(part, RT.IMAGE)

    def _caption(
        self, label: str, number: int, caption: str, anchor: str, style: str = "Caption"
    ) -> WordParagraph:
        """Write ``图1 标题`` with the number as a SEQ field, so Word can renumber and list it.

        The label comes formatted (``图1``, ``图 1``, ``Figure 1``); the field's cached result
        is the document's own number, split out of the label at its last occurrence. The
        label is bookmarked as ``anchor`` for cross-references' REF fields.
        """
        para = self._para(style)
        name = self.bookmarks.get(anchor)
        if name is not None:
            self.bookmark_ids += 1
            para._p.append(ooxml.bookmark_start(self.bookmark_ids, name))
        label = self._t(label)
        digits = str(number)
        cut = label.rfind(digits)
        prefix = label[:cut] if cut >= 0 else ""
        identifier = prefix.strip()
        if cut < 0 or not identifier or " " in identifier:
            self._run(para, label)
        else:
            self._run(para, prefix)
            para._p.extend(ooxml.field(f"SEQ {identifier} \\* ARABIC", digits))
            suffix = label[cut + len(digits) :]
            if suffix:
                self._run(para, suffix)
        if name is not None:
            para._p.append(ooxml.bookmark_end(self.bookmark_ids))
        if caption:
            self._run(para, " " + self._t(caption))
        return para

    def block_table(self, block: Table) -> None:
        self._caption(block.label, block.number, block.caption, block.anchor, "TableCaption")
        if block.unit_line:
            self._para("UnitLine", block.unit_line)
        ncols = max(1, len(block.header), *(len(r) for r in block.rows))
        header = [*block.header, *[""] * (ncols - len(block.header))]
        rows = [[*r, *[""] * (ncols - len(r))] for r in block.rows]
        widths = self._column_widths(block.widths, ncols)
        table = self._add_table(1 + len(rows), ncols, "DataTable", widths)
        right = {c for c, a in enumerate(block.align) if a == "right"}
        for r, (word_row, values) in enumerate(zip(table.rows, [header, *rows], strict=True)):
            trpr = word_row._tr.get_or_add_trPr()
            ooxml.mark_cant_split(trpr)
            if r == 0:
                ooxml.mark_header_row(trpr)
            for c, (cell, value) in enumerate(zip(word_row.cells, values, strict=True)):
                ooxml.set_cell_valign(cell._tc.get_or_add_tcPr(), "center")
                kind = "TableHeader" if r == 0 else "TableCell"
                style = kind + "Number" if c in right else kind
                if r and c in right:  # a figure in a number column keeps its unit
                    value = unbreakable_figure(value)
                para = self._cell_para(cell, style, self._t(value), first=True)
                if r == 1 and len(rows) > 1:  # never one row alone at the foot of a page
                    _keep_with_next(para._p)
        if block.note:
            self._para("SourceNote", block.note)
        if block.source:
            self._para("SourceNote", block.source)

    def _column_widths(self, shares: tuple[float, ...], ncols: int) -> list[int]:
        """Return the decided column shares as widths (twips) that fill the text width."""
        total = self._text_twips()
        if len(shares) != ncols:
            shares = (1 / ncols,) * ncols
        widths = [round(share * total) for share in shares]
        widths[-1] += total - sum(widths)
        return widths

    def block_tags(self, block: Tags) -> None:
        para = self._para("TagLine")
        if block.label:
            self._run(para, self._t(block.label) + ("：" if self.chinese else ": "), "TagLabel")
        for i, item in enumerate(block.items):
            if i:
                self._run(para, "  ")
            self._run(para, f" {self._t(item)} ", "Tag")

    def block_facts(self, block: Facts) -> None:
        """Write the pairs as a table of ``columns`` label/value pairs a row (the layout's)."""
        if not block.items:
            return
        per_row = max(1, min(len(block.items), block.columns or 3))
        pair_w = self._text_twips() // per_row
        label_w = round(pair_w * (0.22 if per_row == 1 else 0.3))
        rows = -(-len(block.items) // per_row)
        table = self._add_table(
            rows, 2 * per_row, "FactsTable", [label_w, pair_w - label_w] * per_row
        )
        for r, word_row in enumerate(table.rows):
            ooxml.mark_cant_split(word_row._tr.get_or_add_trPr())
            pairs = block.items[r * per_row : (r + 1) * per_row]
            for k in range(per_row):
                label, value = pairs[k] if k < len(pairs) else ("", "")
                cells = word_row.cells[2 * k : 2 * k + 2]
                self._cell_para(cells[0], "FactLabel", self._t(label), first=True)
                self._cell_para(cells[1], "FactValue", self._t(value), first=True)

    def block_page_break(self, block: PageBreak) -> None:
        if block.turn is None:
            self.page_break_pending = True
            return
        self._turn_pages(block.turn == "landscape")

    def _turn_pages(self, landscape: bool) -> None:
        """Start a new section on a new page, turned as asked; headers and footers carry on.

        The section break ends the paragraph before it, so an empty one is added when the
        body ends in a table. The first section's masthead page has no header; a later
        section has no such page.
        """
        self.page_break_pending = False
        if self._last_body_element() is None or self._last_body_element().tag == qn("w:tbl"):
            self._para("Spacer")
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False
        short, long = sorted((self.theme.page.width_mm, self.theme.page.height_mm))
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        width, height = (long, short) if landscape else (short, long)
        section.page_width, section.page_height = Mm(width), Mm(height)
        self.text_width_mm = width - self.theme.page.margin_left - self.theme.page.margin_right

    def block_attachments(self, block: Attachments) -> None:
        """Write the 附件说明: 附件：1.… under the text, later items aligned under the first."""
        for i, item in enumerate(block.items):
            if i == 0:
                self._para("AttachmentList", self._t(block.label + item))
            else:
                self._para("AttachmentMore", self._t(item))

    def block_signature(self, block: Signature) -> None:
        """Write the 落款: organ, then date, right-aligned four characters in (GB/T 9704)."""
        organ = self._para("Signature", self._t(block.organ))
        self._para("SignatureDate", self._t(block.date_text))
        if block.seal is not None:
            self._seal(organ, block)

    def _seal(self, organ: WordParagraph, block: Signature) -> None:
        """Press the seal over the 落款: a picture floating in front of the text, anchored to
        the organ's paragraph, centred on the organ and date (which end four characters from
        the right margin) with its centre :data:`SEAL_RISE` of a line above theirs."""
        try:
            data = read_checked(Path(block.seal or ""), block.origin, "the seal of the 落款")
        except KhzReportError as exc:
            self.diagnostics.warn(
                "image-not-rendered", f"docx: not rendered: {exc.message}", block.origin, exc.hint
            )
            return
        rid, image = self.doc.part.get_or_add_image(io.BytesIO(data))
        width = block.seal_width_cm * ooxml.EMU_PER_CM
        height = width * (image.px_height / image.px_width if image.px_width else 1)
        em = self.theme.sizes.body * ooxml.EMU_PER_CM * 2.54 / 72
        line = em * self.theme.line_spacing * 1.3
        text = max(_text_ems(block.organ), _text_ems(block.date_text)) * em
        centre_x = self.text_width_mm / 10 * ooxml.EMU_PER_CM - 4 * em - text / 2
        centre_y = line - SEAL_RISE * line  # the organ and date span two lines
        self.shape_ids += 1
        anchor = ooxml.anchored_picture(
            embed=rid,
            width_emu=round(width),
            height_emu=round(height),
            shape_id=self.shape_ids,
            name="印章",
            descr="印章",
            x_emu=round(centre_x - width / 2),
            y_emu=round(centre_y - height / 2),
        )
        organ._p.append(ooxml.drawing_run(anchor))

    def block_distribution(self, block: Distribution) -> None:
        """Write the 版记 at the foot of the last page (GB/T 9704): one line per entry, a
        heavy rule above and below and thin rules between (the paragraphs' shared borders;
        LibreOffice draws only the heavy ones), in a text box at the foot of the text block,
        as the PDF sets it.

        The box does not wrap the text; it is anchored to an empty paragraph as high as the
        box, which keeps its room in the text: where that room is not left on the page, the
        paragraph goes over and the text that keeps with it (the 落款, the last lines of the
        text) goes with it, so the 版记 never stands alone. A frame that pushed the text
        aside instead moves on by itself: LibreOffice then leaves the 落款 behind.
        """
        if not block.lines:
            return
        lines = []
        for label, value in block.lines:
            sep = "" if label.rstrip().endswith(("：", ":")) else "：" if self.chinese else ": "
            para = self._para("Distribution", label + sep, "DistributionLabel")
            self._run(para, self._t(value))
            if block.issued and (label, value) == block.lines[-1]:  # 印发日期 at the right
                self._run(para, "\t" + self._t(block.issued))
            lines.append(para._p)
        self._rule_distribution(lines)
        height_pt = self._distribution_height_pt(len(lines))
        room = self.doc.add_paragraph()._p
        ppr = room.get_or_add_pPr()
        ooxml.on_off(ppr, "w:keepLines", PPR_ORDER)
        ooxml.on_off(ppr, "w:snapToGrid", PPR_ORDER, False)
        twips = str(round(height_pt * ooxml.TWIPS_PER_PT))
        spacing = {"w:before": "0", "w:after": "0", "w:line": twips, "w:lineRule": "exact"}
        ooxml.set_child(ppr, ooxml.element("w:spacing", spacing), PPR_ORDER)
        self.shape_ids += 1
        room.append(
            ooxml.text_box_at_page_foot(
                lines,  # moved from the body into the box
                width_emu=round(self.text_width_mm / 10 * ooxml.EMU_PER_CM),
                height_emu=round(height_pt * ooxml.EMU_PER_CM * 2.54 / 72),
                shape_id=self.shape_ids,
                name=self._t("版记" if self.chinese else "Distribution"),
            )
        )

    def _rule_distribution(self, lines: Sequence[Any]) -> None:
        """Give each line of the 版记 its own rules: heavy above the first and under the
        last, thin between. In a text box LibreOffice does not merge the style's shared
        borders into one box but draws each paragraph's pair, doubling the rules."""
        ink = self.theme.colors.text
        heavy, thin = Border(1, ink, "single", 3), Border(0.5, ink, "single", 3)
        for i, p in enumerate(lines):
            sides = {
                "top": heavy if i == 0 else ooxml.NO_BORDER,
                "bottom": heavy if i == len(lines) - 1 else thin,
                "between": ooxml.NO_BORDER,
            }
            ooxml.set_borders(p.get_or_add_pPr(), "w:pBdr", sides, PPR_ORDER)

    def _distribution_height_pt(self, lines: int) -> float:
        """Return the height of the 版记's box and of its room in the text: its lines at the
        face's natural height, the rules and their gaps, and half a line over, so the text
        above never runs under its top rule."""
        small = table_font_pt(self.theme)
        return lines * small * 1.3 * DISTRIBUTION_LINE + (lines + 1) * 4 + small / 2

    def block_timeline(self, block: Timeline) -> None:
        """Write a 大事记 as a borderless two-column table whose column rule is the time line.

        Dates stand right-aligned in the accent colour left of the rule, each event's tag and
        text right of it; rows never split. A timeline the layout keeps together (one short
        enough for a page) keeps each row with the next, so it stays on one page with its
        title; a longer one keeps only its first row with the second and flows on.
        """
        if not block.events:
            return
        if block.title:
            self._para("PanelTitle", block.title)
        else:
            self._gap()
        unit = self.theme.sizes.body * ooxml.TWIPS_PER_PT / 2
        widest = max(display_width(e.date_text) for e in block.events)
        date_w = min(round((widest + 1) * unit + 18 * ooxml.TWIPS_PER_PT), self._text_twips(0.4))
        widths = [date_w, self._text_twips() - date_w]
        table = self._add_table(len(block.events), 2, "TimelineTable", widths)
        for r, (word_row, event) in enumerate(zip(table.rows, block.events, strict=True)):
            ooxml.mark_cant_split(word_row._tr.get_or_add_trPr())
            date_cell, text_cell = word_row.cells
            date = self._cell_para(date_cell, "TimelineDate", self._t(event.date_text), first=True)
            para = self._cell_para(text_cell, "TimelineText", first=True)
            if r and not block.keep_together:  # a long timeline flows on after its first rows
                for p in (date, para):
                    ooxml.on_off(p._p.get_or_add_pPr(), "w:keepNext", PPR_ORDER, False)
            if event.tag:
                self._run(para, f" {self._t(event.tag)} ", "TimelineTag")
                self._run(para, " ")
            if _rich(event.runs):
                self._write_runs(para, event.runs)
            else:
                self._run(para, self._t(event.text))
        self._gap()


def _unbroken(run: Run) -> str:
    """Return the run's text; a figure bound to an indicator (近140亿元, RMB 74 billion) is
    glued (:func:`~khzreport.writers.base.unbreakable_figure`), so Word and LibreOffice never
    break a number from its qualifier or unit."""
    if run.indicator is None:
        return run.text
    return unbreakable_figure(run.text)


def _keep_with_next(p: Any) -> None:
    """Set ``w:keepNext`` on a paragraph (in a table row it keeps the row with the next)."""
    ooxml.on_off(p.get_or_add_pPr(), "w:keepNext", PPR_ORDER)


def _midnight_utc(date: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        day = dt.date(1980, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _text_ems(text: str) -> float:
    """Return how many ems a line of text takes: a Chinese character one, Latin or digits half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _zip_time(date: str) -> tuple[int, int, int, int, int, int]:
    stamp = _midnight_utc(date)
    if stamp.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (stamp.year, stamp.month, stamp.day, 0, 0, 0)


def _rich(runs: tuple[Run, ...]) -> bool:
    """True when runs need more than one plain run: a reference, emphasis or a footnote."""
    return any(r.target or r.strong or r.dots or r.note is not None for r in runs)


def _superscript(child: Any) -> Any:
    """Return a ``w:r`` holding ``child`` (a footnote mark) raised as superscript."""
    r = ooxml.element("w:r")
    rpr = ooxml.element("w:rPr")
    rpr.append(ooxml.element("w:vertAlign", {"w:val": "superscript"}))
    r.append(rpr)
    r.append(child)
    return r


def _char_style(run: Run) -> str | None:
    """Return the character style of a run's emphasis (bold wins over 着重号 in Word)."""
    return "StrongText" if run.strong else "DotsText" if run.dots else None


def _anchor(block: Block) -> str | None:
    """Return the anchor a block can be linked to: a heading's, a figure's or a table's."""
    if isinstance(block, Heading):
        return block.anchor
    if isinstance(block, Figure | Table):
        return block.anchor or None
    return None
