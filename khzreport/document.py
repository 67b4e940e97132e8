"""The resolved document: a format-neutral tree that every writer draws.

Layouts (the annual briefing, a park sheet) build a :class:`Document` from the model. By then
every indicator is bound and every number formatted, figures and tables are numbered (图 1,
表 1), and chart data is collected, so DOCX, PDF and HTML cannot disagree: none of them
formats a number or counts a caption. Writers visit ``document.blocks`` in order and never
know which layout made them.

All classes are frozen dataclasses made of plain values, so a document can be dumped to JSON
(the PDF writer hands exactly that to Typst) and compared in golden tests.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from .diagnostics import Diagnostic
from .errors import Location
from .theme import Theme

Direction = Literal["up", "down", "flat"]
Align = Literal["left", "right", "center"]


@dataclass(frozen=True, kw_only=True)
class Node:
    """A block of the document.

    ``origin`` is where in the source the block came from, so a writer that cannot draw it
    can say where it is; it never takes part in comparisons. ``keep_together`` is the
    layout's decision that the block must not be split across pages, ``keep_with_next``
    that its end stays on the page where the next block starts. ``kind`` names the
    block type in snake case (``kpi_panel``): the DOCX writer's ``block_<kind>`` method and
    the HTML macro that draw it.
    """

    kind: ClassVar[str] = "node"
    origin: Location | None = field(default=None, compare=False)
    keep_together: bool = False
    keep_with_next: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


@dataclass(frozen=True)
class Run:
    """A stretch of text; ``indicator`` names the indicator a bound number came from.

    ``target`` is the anchor a cross-reference points at (``sec-talent``, ``figure-3``,
    ``table-2``): writers draw the run as a link to it (a REF field in Word). ``strong`` is
    bold (the heavier family in Word), ``dots`` 着重号, dots under each character.
    ``note`` makes the run a footnote mark: ``text`` is its number (counted through the
    document by the layout) and ``note`` the footnote's own runs.
    """

    text: str
    indicator: str | None = None
    target: str | None = None
    strong: bool = False
    dots: bool = False
    note: tuple[Run, ...] | None = None


@dataclass(frozen=True)
class Masthead(Node):
    """A 简报 masthead: red title line, issue number, issuer and date, red rule.

    ``headline`` is the document's own title, printed under the rule when it differs from
    the masthead line (昆山高新区发展简报 / 昆山高新区2023年度发展简报). ``period`` is the
    reporting period when it is not the calendar year (2023年前三季度).
    """

    title: str
    issue_text: str | None
    issuer: str
    date_text: str
    headline: str | None = None
    period: str | None = None


@dataclass(frozen=True)
class Cover(Node):
    """A title block or cover: title, subtitle, reporting period, issuer and date.

    ``period`` is the reporting period when it is not the calendar year (2023年前三季度).
    """

    title: str
    subtitle: str | None
    issuer: str
    date_text: str
    period: str | None = None


@dataclass(frozen=True)
class TocEntry:
    """One entry of the table of contents."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Toc(Node):
    """The table of contents, pre-filled with its entries (writers add page numbers)."""

    title: str
    entries: tuple[TocEntry, ...]


@dataclass(frozen=True)
class Heading(Node):
    """A heading; chapters (level 1) have a main line and an optional second line.

    ``number`` is the outline number in the theme's style (``一、``) or empty.
    """

    level: int
    text: str
    second_line: str | None
    anchor: str
    number: str = ""


@dataclass(frozen=True)
class Paragraph(Node):
    """A paragraph of bound narrative. ``style`` is ``body``, ``lead`` or ``item``.

    An ``item`` is one entry of a list, printed after its ``marker`` (•, 1., （1）) with a
    hanging indent.
    """

    runs: tuple[Run, ...]
    style: Literal["body", "lead", "item"] = "body"
    marker: str = ""

    @property
    def text(self) -> str:
        """Return the paragraph as plain text."""
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class KpiCard:
    """One KPI card: the formatted value split into parts, label and change vs. before."""

    indicator: str
    label: str
    prefix: str
    number: str
    suffix: str
    unit: str
    value_text: str
    change_text: str | None = None
    direction: Direction | None = None
    note: str | None = None
    unit_below: bool = False
    """The unit stands on a line of its own under the number: the layout decides it for a
    whole panel when a value with its unit would not fit its card (RMB 12.33 trillion); a
    sign such as % stays with its number."""


@dataclass(frozen=True)
class KpiPanel(Node):
    """A grid of KPI cards: ``per_row`` cards a row, ``rows`` rows (decided by the layout).

    A panel is never split; ``placement`` is as for :class:`Figure`.
    """

    cards: tuple[KpiCard, ...]
    title: str | None = None
    per_row: int = 0
    rows: int = 0
    placement: Literal["here", "float"] = "here"


@dataclass(frozen=True)
class Callout(Node):
    """A highlighted call-out box."""

    runs: tuple[Run, ...]
    title: str | None = None

    @property
    def text(self) -> str:
        """Return the call-out body as plain text."""
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Quote(Node):
    """Quoted words with attribution (``——范斌，昆山协鑫光电材料有限公司董事长``)."""

    runs: tuple[Run, ...]
    attribution: str

    @property
    def text(self) -> str:
        """Return the quoted words as plain text."""
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class ChartPoint:
    """One drawn value: category, value as a float (None = missing) and its printed label.

    ``indicator`` is the indicator the value came from (None for a computed value such as a
    growth rate). ``total`` is the size of the list a rank is a position in (第32名 of 178),
    so a rank chart can show each rank among its own list.
    """

    category: str
    value: float | None
    label: str
    indicator: str | None = None
    total: float | None = None


@dataclass(frozen=True)
class ChartSeries:
    """One series of a chart, its points in category order."""

    name: str | None
    points: tuple[ChartPoint, ...]
    unit: str = ""


@dataclass(frozen=True)
class ChartData:
    """Everything needed to draw a chart, already bound and formatted.

    ``kind`` is one of the model's chart kinds. ``secondary`` holds the line of a combo chart
    (e.g. growth in %). ``unit_line`` is the axis unit text (``单位：亿元``). ``notes`` says
    what was not drawn (a missing value shown as a gap).
    """

    id: str
    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    unit_line: str | None = None
    secondary: ChartSeries | None = None
    secondary_unit_line: str | None = None
    notes: tuple[str, ...] = ()
    language: str = "zh-CN"

    def content_key(self) -> dict[str, Any]:
        """Return the chart's data as plain values (input of the cache hash)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Figure(Node):
    """A numbered figure: a chart (``chart``) or an image file (``image``), with caption.

    ``caption`` holds the caption text without its number; ``label`` is ``图 3`` and is
    printed before it. ``image`` is an absolute path checked to lie inside the source folder.
    ``width_cm`` is the width the art is drawn at (a chart is never enlarged past its own
    width), ``height_cm`` the most height a photo may take; the layout decides both.
    ``anchor`` is what cross-references link to (``figure-3``, ``annex-figure-1``).
    ``note`` is the 口径 note printed under it (注：…). ``placement`` is ``float`` when the
    figure may move to the top or bottom of its page, or to the next page, so that text
    flows on instead of leaving a blank foot where the figure did not fit; ``here`` keeps it
    in the text's order (a one-page sheet). A writer that cannot float (Word) keeps the
    figure in order and only its caption and notes with it.
    """

    number: int
    label: str
    caption: str
    alt: str
    source: str | None = None
    chart: ChartData | None = None
    image: str | None = None
    width: Literal["full", "half", "small"] = "full"
    width_cm: float | None = None
    height_cm: float | None = None
    anchor: str = ""
    note: str | None = None
    placement: Literal["here", "float"] = "here"


@dataclass(frozen=True)
class Table(Node):
    """A numbered table of strings; the header row repeats across pages.

    ``widths`` are the columns' shares of the text width (summing to 1) and ``align`` their
    alignment (numbers right); the layout decides both. ``anchor`` is what cross-references
    link to (``table-2``, ``annex-table-1``). ``note`` is the 口径 note under it (注：…).
    ``indicators`` are the indicators of the rows, in order.
    """

    number: int
    label: str
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    unit_line: str | None = None
    source: str | None = None
    numeric_columns: tuple[int, ...] = ()
    widths: tuple[float, ...] = ()
    align: tuple[Align, ...] = ()
    anchor: str = ""
    note: str | None = None
    indicators: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tags(Node):
    """A labelled list shown as tags (leading industries, key enterprises on a sheet)."""

    label: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Facts(Node):
    """Label/value pairs in a compact list (kind, founded, area on a park sheet).

    ``columns`` is how many pairs stand side by side, the layout's decision (0: all of them,
    at most three, in one row).
    """

    items: tuple[tuple[str, str], ...]
    columns: int = 0


@dataclass(frozen=True)
class PageBreak(Node):
    """Start a new page; ``turn`` starts it, and the pages after it, upright or landscape.

    The layout turns the pages of a landscape appendix and turns them back after it, so
    a writer only follows the breaks (a new section in Word, a new page run in Typst).
    """

    turn: Literal["portrait", "landscape"] | None = None


@dataclass(frozen=True)
class Attachments(Node):
    """The 附件说明 after the text: ``label`` (附件：) and the appendices' titles.

    One appendix is named without a number (附件：标题), several are numbered 1. 2. (GB/T 9704).
    """

    label: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Signature(Node):
    """The 落款: issuing organ and date, right-aligned under the text (GB/T 9704).

    ``seal`` is the absolute path of the checked seal image, drawn ``seal_width_cm`` wide and
    centred on the organ and date, its centre :data:`SEAL_RISE` of a line above theirs, so
    that they sit a little below the seal's centre (端正、居中下压发文机关署名和成文日期).
    """

    organ: str
    date_text: str
    seal: str | None = None
    seal_width_cm: float = 4.2


SEAL_RISE = 0.3
"""How far, in lines, a seal's centre stands above the centre of the organ and date it covers."""


@dataclass(frozen=True)
class Distribution(Node):
    """The closing block of a 简报: 报送 / 抄送 / 印发 lines. ``issued`` (2024年1月15日印发)
    stands at the right end of the last line, one character in (GB/T 9704 10.2)."""

    lines: tuple[tuple[str, str], ...]
    issued: str | None = None


@dataclass(frozen=True)
class TimelineEvent:
    """One event of a timeline: its date as printed, what happened (bound runs), a label."""

    date_text: str
    runs: tuple[Run, ...]
    tag: str | None = None

    @property
    def text(self) -> str:
        """Return what happened as plain text."""
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Timeline(Node):
    """A 大事记: dated events in source order, drawn along a line (never as a plain list)."""

    title: str | None
    events: tuple[TimelineEvent, ...]


Block = (
    Masthead
    | Cover
    | Toc
    | Heading
    | Paragraph
    | KpiPanel
    | Callout
    | Quote
    | Figure
    | Table
    | Tags
    | Facts
    | PageBreak
    | Distribution
    | Attachments
    | Signature
    | Timeline
)


@dataclass(frozen=True)
class DocumentMeta:
    """Properties of the output file (title, author, subject, language, keywords, date).

    ``marking`` is the 密级/保密 mark printed at the top left of the first page; ``watermark``
    the word drawn diagonally across every page of a draft (征求意见稿 / DRAFT).
    """

    title: str
    subtitle: str | None
    author: str
    subject: str
    language: str
    keywords: tuple[str, ...]
    date: str  # ISO date; writers derive fixed timestamps from it
    date_text: str
    running_header: str
    footer_note: str | None = None
    marking: str | None = None
    watermark: str | None = None


@dataclass(frozen=True)
class Document:
    """A resolved document: metadata, the theme to draw with, and the blocks in order.

    ``layout`` is ``briefing`` or ``sheet``. ``base_dir`` is the source folder (images are
    resolved and confined there). ``diagnostics`` are what the layout could not do as the
    source asked, each with its code and source location.
    """

    meta: DocumentMeta
    layout: Literal["briefing", "sheet"]
    theme: Theme
    blocks: tuple[Block, ...]
    base_dir: str | None = None
    name: str = "briefing"
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def warnings(self) -> tuple[str, ...]:
        """Return the warnings as one-line strings, for display only (match on ``code``)."""
        return tuple(d.one_line() for d in self.diagnostics if d.severity == "warning")

    def as_draft(self) -> Document:
        """Return this document marked as a draft: 征求意见稿 (DRAFT) across every page."""
        word = "DRAFT" if self.meta.language == "en" else "征求意见稿"
        return dataclasses.replace(self, meta=dataclasses.replace(self.meta, watermark=word))

    def figures(self) -> list[Figure]:
        """Return the figures in document order."""
        return [b for b in self.blocks if isinstance(b, Figure)]

    def charts(self) -> list[ChartData]:
        """Return the chart data of every chart figure, in document order."""
        return [f.chart for f in self.figures() if f.chart is not None]


def to_plain(obj: Any) -> Any:
    """Return a JSON-ready tree of a document or block, each object tagged with its ``type``."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {"type": type(obj).__name__}
        for f in dataclasses.fields(obj):
            if f.compare:  # not the source location: a tree's plain form is its content
                out[f.name] = to_plain(getattr(obj, f.name))
        return out
    if isinstance(obj, tuple | list):
        return [to_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj


def runs_in(node: Any) -> Iterator[Run]:
    """Return every run of a node, a tuple of nodes or a run, in reading order.

    A walk over the fields rather than per block type, so a new block's runs are found
    without being listed here.
    """
    found: list[Run] = []
    _collect_runs(node, found)
    return iter(found)


def _collect_runs(node: Any, found: list[Run]) -> None:
    if type(node) in LEAF_TYPES:
        return
    if isinstance(node, Run):
        found.append(node)
    elif isinstance(node, tuple):
        for item in node:
            _collect_runs(item, found)
    else:
        for name in field_names(type(node)) or ():
            value = getattr(node, name)
            if type(value) not in LEAF_TYPES and (
                isinstance(value, Run | tuple) or field_names(type(value)) is not None
            ):
                _collect_runs(value, found)


LEAF_TYPES = frozenset({str, int, float, bool, type(None)})
"""Types of field values that hold no run (the walks over nodes skip them at once)."""

_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def field_names(cls: type) -> tuple[str, ...] | None:
    """Return the field names of a dataclass (None for any other type), kept per class:
    the walks over a document's runs ask for every node of every block."""
    try:
        return _FIELD_NAMES[cls]
    except KeyError:
        names = (
            tuple(f.name for f in dataclasses.fields(cls))
            if dataclasses.is_dataclass(cls)
            else None
        )
        _FIELD_NAMES[cls] = names
        return names
