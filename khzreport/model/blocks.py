"""The blocks a chapter is made of: one registry of block types.

A block is written in YAML as a mapping whose first key says what it is (``- paragraph: …``,
``- chart: industry_scale``). Each block type is one class here, registered with
:func:`block_type` under that key, and it says everything the rest of the package needs to
know about it:

- its fields (pydantic validates them, and the YAML reader finds the allowed keys from them);
- :meth:`BlockSpec.references`: the ids it names, which the reference check verifies;
- :meth:`BlockSpec.texts`: its narrative templates, which lint reads;
- :meth:`BlockSpec.resolve`: how it becomes nodes of the resolved document, through the
  :class:`BlockContext` the composer hands it (binding, numbering, located errors);
- :meth:`BlockSpec.for_park`: the part of it that belongs on one park's sheet, if any.

So adding a block type means a class here, its node in :mod:`khzreport.document`, and one
renderer per format; no tag map or ``isinstance`` chain elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Protocol, TypeVar, Union

from pydantic import BeforeValidator, Discriminator, Field, PrivateAttr, Tag

from .. import document as doc
from ..limits import MAX_YEAR, MIN_YEAR
from ..locations import PathKey
from .base import Id, Strict, Text, refusal

if TYPE_CHECKING:
    from ..errors import Location

Reference = tuple[PathKey, str, str]
"""``(relative field path, kind of thing named, id)``, e.g. ``(("chart",), "chart", "c1")``."""

NarrativeText = tuple[PathKey, str, "str | None"]
"""``(relative field path, Chinese template, English template)``."""


class BlockContext(Protocol):
    """What a block needs from the composer to resolve itself (see ``resolve.composer``)."""

    def text(self, zh: str, en: str | None, path: PathKey) -> str: ...
    def period(self, value: int | str) -> str: ...
    def runs(self, zh: str, en: str | None, path: PathKey) -> tuple[doc.Run, ...]: ...
    def paragraphs(self, zh: str, en: str | None, path: PathKey) -> list[doc.Paragraph]: ...
    def where(self, path: PathKey) -> Location: ...
    def quote(self, ident: str, path: PathKey) -> doc.Quote: ...
    def chart_figure(self, ident: str, path: PathKey) -> doc.Figure | None: ...
    def image_figure(self, ident: str, path: PathKey) -> doc.Figure | None: ...
    def table(self, spec: TableSpec, path: PathKey) -> doc.Table | None: ...
    def kpi_panel(
        self, ids: list[str], title: str | None, path: PathKey
    ) -> doc.KpiPanel | None: ...


class BlockSpec(Strict):
    """Base of every block type of a chapter."""

    kind: ClassVar[str] = ""

    comment: Text | None = Field(
        default=None, description="The editor's working note on this block: never printed."
    )

    def resolve(self, ctx: BlockContext, path: PathKey) -> list[doc.Block]:
        """Return the resolved nodes of this block (``path`` is the block's field path)."""
        raise NotImplementedError(f"block type '{self.kind}' has no resolve step")

    def references(self) -> Iterator[Reference]:
        """Yield the ids this block names (charts, figures, quotes, indicators)."""
        return iter(())

    def texts(self) -> Iterator[NarrativeText]:
        """Yield the narrative templates of this block."""
        return iter(())

    def for_park(self, park: str) -> BlockSpec | None:
        """Return the part of this block that belongs on ``park``'s sheet, or None."""
        return None

    def targets(self) -> Iterator[str]:
        """Yield the ids ``{{ ref.ID }}`` may name because this block prints them (图N, 表N)."""
        return iter(())


BLOCK_TYPES: dict[str, type[BlockSpec]] = {}
"""Block key in YAML → block class, in the order the types were registered."""

_B = TypeVar("_B", bound=type[BlockSpec])


def block_type(key: str) -> Callable[[_B], _B]:
    """Register a block class under its YAML key (the field that names the block)."""

    def register(cls: _B) -> _B:
        if key not in cls.model_fields:
            raise TypeError(f"block class {cls.__name__} has no field '{key}'")
        cls.kind = key
        BLOCK_TYPES[key] = cls
        return cls

    return register


def _optional(ctx: BlockContext, zh: str | None, en: str | None, path: PathKey) -> str | None:
    return ctx.text(zh, en, path) if zh else None


@block_type("paragraph")
class Paragraph(BlockSpec):
    """A paragraph of narrative; the text is a template bound to indicators."""

    paragraph: Text
    paragraph_en: Text | None = None

    def resolve(self, ctx: BlockContext, path: PathKey) -> list[doc.Block]:
        return list(ctx.paragraphs(self.paragraph, self.paragraph_en, (*path, "paragraph")))

    def texts(self) -> Iterator[NarrativeText]:
        yield ("paragraph",), self.paragraph, self.paragraph_en


@block_type("callout")
class Callout(BlockSpec):
    """A highlighted call-out inside a chapter."""

    callout: Text
    callout_en: Text | None = None
    title: Text | None = None
    title_en: Text | None = None

    def resolve(self, ctx: BlockContext, path: PathKey) -> list[doc.Block]:
        title = _optional(ctx, self.title, self.title_en, (*path, "title"))
        return [doc.Callout(ctx.runs(self.callout, self.callout_en, (*path, "callout")), title)]

    def texts(self) -> Iterator[NarrativeText]:
        yield ("callout",), self.callout, self.callout_en


@block_type("quote")
class QuoteRef(BlockSpec):
    """A quote from ``Report.quotes`` placed here."""

    quote: Id

    def resolve(self, ctx: BlockContext, path: PathKey) -> list[doc.Block]:
        return [ctx.quote(self.quote, path)]

    def references(self) -> Iterator[Reference]:
        yield ("quote",), "quote", self.quote


@block_type("chart")
class ChartRef(BlockSpec):
    """A chart from ``Report.charts`` placed here, numbered 图 N."""

    chart: Id

    def resolve(self, ctx: BlockContext, path: PathKey) -> list[doc.Block]:
        figure = ctx.chart_figure(self.chart, path)
        return [figure] if figure else []

    def references(self) -> Iterator[Reference]:
        yield ("chart",), "chart", self.chart

    def targets(self) -> Iterator[str]:
        yield self.chart


@block_type("figure")
class FigureRef(BlockSpec):
    """A figure (photo) from ``Report.figures`` placed here, numbered 图 N."""

    figure: Id

    def resolve(self, ctx: BlockContext, path: PathKey) -> list[doc.Block]:
        figure = ctx.image_figure(self.figure, path)
        return [figure] if figure else []

    def references(self) -> Iterator[Reference]:
        yield ("figure",), "figure", self.figure

    def targets(self) -> Iterator[str]:
        yield self.figure


TableColumn = Literal[
    "label",
    "value",
    "previous",
    "growth",
    "rank",
    "share",
    "target",
    "period",
    "date",
    "source",
    "note",
    "definition",
]


_DEFAULT_COLUMNS: tuple[TableColumn, ...] = ("label", "value")


class TableSpec(Strict):
    """A table whose rows are indicators and whose columns are their attributes."""

    id: Id | None = Field(default=None, description="Names the table for {{ ref.ID }} in narrative.")
    title: Text
    title_en: Text | None = None
    rows: list[Id] = Field(min_length=1)
    columns: list[TableColumn] = Field(default_factory=lambda: list(_DEFAULT_COLUMNS))
    unit: Text | None = Field(default=None, description="单位 line when all rows share a unit.")
    unit_en: Text | None = None
    source: Text | None = None
    source_en: Text | None = None
    definitions: bool = Field(
        default=False, description="Print the rows' 口径 (definitions) as a note under the table."
    )
    comment: Text | None = Field(
        default=None, description="The editor's working note on this table: never printed."
    )


@block_type("table")
class TableRef(BlockSpec):
    """A table placed here, numbered 表 N."""

    table: TableSpec

    def resolve(self, ctx: BlockContext, path: PathKey) -> list[doc.Block]:
        table = ctx.table(self.table, (*path, "table"))
        return [table] if table else []

    def references(self) -> Iterator[Reference]:
        for k, ident in enumerate(self.table.rows):
            yield ("table", "rows", k), "indicator", ident

    def targets(self) -> Iterator[str]:
        if self.table.id:
            yield self.table.id


@block_type("kpi")
class KpiPanel(BlockSpec):
    """A row of KPI cards: value with unit and qualifier, label, change or rank movement."""

    kpi: list[Id] = Field(min_length=1)
    title: Text | None = None
    title_en: Text | None = None

    def resolve(self, ctx: BlockContext, path: PathKey) -> list[doc.Block]:
        title = _optional(ctx, self.title, self.title_en, (*path, "title"))
        panel = ctx.kpi_panel(self.kpi, title, (*path, "kpi"))
        return [panel] if panel else []

    def references(self) -> Iterator[Reference]:
        for k, ident in enumerate(self.kpi):
            yield ("kpi", k), "indicator", ident


_EVENT_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")


def _event_date(value: Any) -> str:
    """Return a timeline date as ``2023-08-22``, ``2023-08`` or ``2023``; refuse anything else.

    YAML reads ``2023-08-22`` as a date, ``2023-08`` as text and ``2023`` as a number; all
    three are how a 大事记 states when something happened, to the day, the month or the year.
    """
    hint = "write the day as 2023-08-22, the month as 2023-08 or the year as 2023"
    if isinstance(value, dt.datetime):
        raise refusal(f"expected a date without a time, got {value}", hint)
    if isinstance(value, dt.date):
        value = value.isoformat()
    elif isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise refusal(f"expected a date like 2023-08-22, got {value!r}", hint)
    match = _EVENT_DATE.fullmatch(value.strip())
    if match is None:
        raise refusal(f"expected a date like 2023-08-22, got {value!r}", hint)
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise refusal(f"the year {year} is outside {MIN_YEAR}–{MAX_YEAR}", hint)
    if month is None:
        return f"{year}"
    if not 1 <= month <= 12:
        raise refusal(f"{value!r} has no month {month}", hint)
    if day is None:
        return f"{year}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise refusal(f"{value!r} is not a day of the calendar", hint) from None


EventDate = Annotated[str, BeforeValidator(_event_date)]
"""When a timeline event happened: a day (2023-08-22), a month (2023-08) or a year (2023)."""


class Event(Strict):
    """One entry of a 大事记: when, what (a narrative template), a short label, its park."""

    date: EventDate
    text: Text
    text_en: Text | None = None
    tag: Text | None = Field(default=None, description="A short label such as 载体建设.")
    tag_en: Text | None = None
    park: Id | None = Field(default=None, description="Park id: the event also shows on its sheet.")

    @property
    def period(self) -> int | str:
        """Return the date as the number layer takes a period: a year as a number."""
        return int(self.date) if len(self.date) == 4 else self.date


@block_type("timeline")
class Timeline(BlockSpec):
    """A 大事记: dated events in source order, drawn as a timeline."""

    timeline: list[Event] = Field(min_length=1)
    title: Text | None = None
    title_en: Text | None = None
    _positions: tuple[int, ...] | None = PrivateAttr(None)

    def _indexed(self) -> Iterator[tuple[int, Event]]:
        """Yield each event with its index in the source (kept when a park's part is taken)."""
        positions = self._positions or range(len(self.timeline))
        yield from zip(positions, self.timeline, strict=True)

    def resolve(self, ctx: BlockContext, path: PathKey) -> list[doc.Block]:
        events = []
        for k, event in self._indexed():
            at = (*path, "timeline", k)
            events.append(
                doc.TimelineEvent(
                    date_text=ctx.period(event.period),
                    runs=ctx.runs(event.text, event.text_en, (*at, "text")),
                    tag=_optional(ctx, event.tag, event.tag_en, (*at, "tag")),
                )
            )
        title = _optional(ctx, self.title, self.title_en, (*path, "title"))
        return [doc.Timeline(title, tuple(events))]

    def references(self) -> Iterator[Reference]:
        for k, event in self._indexed():
            if event.park:
                yield ("timeline", k, "park"), "park", event.park

    def texts(self) -> Iterator[NarrativeText]:
        for k, event in self._indexed():
            yield ("timeline", k, "text"), event.text, event.text_en

    def for_park(self, park: str) -> Timeline | None:
        """Return a timeline of ``park``'s events (their source positions kept), or None.

        On a sheet the events stand among other blocks, so an untitled timeline is named.
        """
        mine = [(k, e) for k, e in self._indexed() if e.park == park]
        if not mine:
            return None
        update: dict[str, Any] = {"timeline": [e for _, e in mine]}
        if self.title is None:
            update |= {"title": "大事记", "title_en": "Milestones"}
        part = self.model_copy(update=update)
        part._positions = tuple(k for k, _ in mine)
        return part


def _block_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((key for key in BLOCK_TYPES if key in value), None)
    return getattr(type(value), "kind", None) or None


def _block_union() -> Any:
    members = tuple(Annotated[cls, Tag(key)] for key, cls in BLOCK_TYPES.items())
    return Annotated[
        Union[members],  # noqa: UP007 - a union built from the registry at import time
        Discriminator(
            _block_kind,
            custom_error_type="block_kind",
            custom_error_message="a block is one of: " + ", ".join(BLOCK_TYPES),
        ),
    ]


BLOCK_KINDS = tuple(BLOCK_TYPES)
"""The YAML keys of the block types, in registration order."""

if TYPE_CHECKING:
    Block = BlockSpec
else:
    Block = _block_union()
"""A block of a section, written in YAML as a mapping whose first key says what it is."""
