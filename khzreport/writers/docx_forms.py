"""Which form each chart takes in a DOCX: a native Word chart, or a picture of its drawing.

Apart from the writing of native charts (:mod:`.docx_charts`, which loads python-docx), so
that a build can ask what to draw before the DOCX writer is loaded: it asks first thing after
resolving, and python-docx's import then delayed the drawing of every chart.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from ..charts import text as tx
from ..document import ChartData, Document
from ..theme import Theme

__all__ = [
    "NATIVE_KINDS",
    "DocxCharts",
    "chart_kinds",
    "charts_mode",
    "has_native_form",
    "native_notes",
]

NATIVE_KINDS = ("bar", "grouped_bar", "stacked_bar", "line", "combo", "donut", "ranking")
"""Chart kinds Word can draw as its own charts (a ranking of ranks excepted)."""

DocxCharts = Literal["native", "picture"]


def charts_mode(theme: Theme, layout: str, override: str | None = None) -> DocxCharts:
    """Return how a DOCX draws its charts: the override, the theme's choice, or the default.

    Unset, the briefing gets native charts (side by side in LibreOffice they read as the
    pictures do) and park sheets pictures: a batch writes hundreds of sheets, and a native
    chart costs some 40 ms to write where a drawn one is read from the chart cache.
    """
    choice = override or theme.docx_charts
    if choice == "native" or (choice is None and layout == "briefing"):
        return "native"
    return "picture"


def chart_kinds(
    document: Document, *, docx_charts: str | None = None, **_: Any
) -> dict[str, frozenset[str]]:
    """Return the drawings of each chart a DOCX uses: PNG and SVG for a picture, none for a
    native chart (Word draws it from its data; only the drawing's size is taken)."""
    native = charts_mode(document.theme, document.layout, docx_charts) == "native"
    return {
        chart.id: frozenset() if native and has_native_form(chart) else frozenset({"png", "svg"})
        for chart in document.charts()
    }


def has_native_form(chart: ChartData) -> bool:
    """Return whether Word can draw ``chart`` as its own chart (else it stays a picture)."""
    if chart.kind not in NATIVE_KINDS:
        return False
    values = [p.value for s in chart.series for p in s.points]
    if not any(v is not None and math.isfinite(v) for v in values):
        return False
    if chart.kind == "ranking":
        return bool(chart.series) and not tx.is_rank(chart.series[0])
    if chart.kind == "donut":
        shown = [v for v in values if v is not None]
        return bool(shown) and all(v > 0 for v in shown)
    return True


def native_notes(chart: ChartData) -> str:
    """Return the 注： line a picture of ``chart`` prints under its plot (missing values)."""
    return tx.note_line(tx.missing_notes(chart), chart.language)
