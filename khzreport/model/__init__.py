"""The report model: what a zone's annual report *is*, independent of any file format.

Every class is a frozen pydantic model that rejects unknown keys, so a typo in a source is an
error rather than a silently ignored field. The same objects can be built in Python without
YAML (``Report(meta=Meta(...), indicators=[Indicator(...)], ...)``).

Numbers live only in :class:`Indicator` objects. Narrative, charts, tables, KPI panels and
park sheets refer to indicators by id, which is what keeps the documents consistent.
"""

from .base import Count, Day, Id, Language, NumberValue, Qualifier, Strict, Text, Year, refusal
from .blocks import (
    BLOCK_KINDS,
    Block,
    Callout,
    ChartRef,
    FigureRef,
    KpiPanel,
    Paragraph,
    QuoteRef,
    TableColumn,
    TableRef,
    TableSpec,
)
from .indicators import Indicator, Rank
from .report import (
    OUTLINE_LEVELS,
    ChartKind,
    ChartSpec,
    Distribution,
    Figure,
    Highlight,
    Meta,
    Park,
    Quote,
    Report,
    Section,
    Series,
    Signature,
)

__all__ = [
    "BLOCK_KINDS",
    "OUTLINE_LEVELS",
    "Block",
    "Callout",
    "ChartKind",
    "ChartRef",
    "ChartSpec",
    "Count",
    "Day",
    "Distribution",
    "Figure",
    "FigureRef",
    "Highlight",
    "Id",
    "Indicator",
    "KpiPanel",
    "Language",
    "Meta",
    "NumberValue",
    "Paragraph",
    "Park",
    "Qualifier",
    "Quote",
    "QuoteRef",
    "Rank",
    "Report",
    "Section",
    "Series",
    "Signature",
    "Strict",
    "TableColumn",
    "TableRef",
    "TableSpec",
    "Text",
    "Year",
    "refusal",
]
