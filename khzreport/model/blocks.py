"""The blocks a chapter is made of, written in YAML as a mapping whose first key says what it is."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
)

from .base import (
    Id,
    Strict,
    Text,
)


class Paragraph(Strict):
    """A paragraph of narrative; the text is a template bound to indicators."""

    paragraph: Text
    paragraph_en: Text | None = None


class Callout(Strict):
    """A highlighted call-out inside a chapter."""

    callout: Text
    callout_en: Text | None = None
    title: Text | None = None
    title_en: Text | None = None


class QuoteRef(Strict):
    """A quote from ``Report.quotes`` placed here."""

    quote: Id


class ChartRef(Strict):
    """A chart from ``Report.charts`` placed here, numbered 图 N."""

    chart: Id


class FigureRef(Strict):
    """A figure (photo) from ``Report.figures`` placed here, numbered 图 N."""

    figure: Id


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
]


_DEFAULT_COLUMNS: tuple[TableColumn, ...] = ("label", "value")


class TableSpec(Strict):
    """A table whose rows are indicators and whose columns are their attributes."""

    title: Text
    title_en: Text | None = None
    rows: list[Id] = Field(min_length=1)
    columns: list[TableColumn] = Field(default_factory=lambda: list(_DEFAULT_COLUMNS))
    unit: Text | None = Field(None, description="单位 line when all rows share a unit.")
    unit_en: Text | None = None
    source: Text | None = None
    source_en: Text | None = None


class TableRef(Strict):
    """A table placed here, numbered 表 N."""

    table: TableSpec


class KpiPanel(Strict):
    """A row of KPI cards: value with unit and qualifier, label, change or rank movement."""

    kpi: list[Id] = Field(min_length=1)
    title: Text | None = None
    title_en: Text | None = None


def _block_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in BLOCK_KINDS:
            if key in value:
                return key
        return None
    fields = getattr(type(value), "model_fields", {})
    return next((key for key in BLOCK_KINDS if key in fields), None)


BLOCK_KINDS = ("paragraph", "callout", "quote", "chart", "figure", "table", "kpi")

Block = Annotated[
    Annotated[Paragraph, Tag("paragraph")]
    | Annotated[Callout, Tag("callout")]
    | Annotated[QuoteRef, Tag("quote")]
    | Annotated[ChartRef, Tag("chart")]
    | Annotated[FigureRef, Tag("figure")]
    | Annotated[TableRef, Tag("table")]
    | Annotated[KpiPanel, Tag("kpi")],
    Discriminator(
        lambda v: _block_kind(v),
        custom_error_type="block_kind",
        custom_error_message="a block is one of: " + ", ".join(BLOCK_KINDS),
    ),
]
"""A block of a section, written in YAML as a mapping whose first key says what it is."""


