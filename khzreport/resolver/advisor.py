"""The chart advisor: charts that do not earn their place, and figures printed too often.

A chart should show a comparison a reader cannot see in the prose. ``khzreport lint``
reports, each at its place in the source, a chart

* whose largest bar is more than :data:`MAX_BAR_RATIO` times its smallest (the small bars
  vanish: 96 against 1);
* with fewer than :data:`MIN_CHART_VALUES` values (two numbers read faster as KPI cards);
* that mixes stocks with flows (820 firms at year end beside 56 new ones this year), as the
  indicators' ``measure`` says — nothing is inferred where it is not given;
* that draws ranks on one axis whose lists differ (第32名 of 178 beside 第6名 of a province's
  list), or a rank as a bar, where a longer bar would mean a worse place;

and a figure printed more than :data:`MAX_PRINTS` times in the briefing (prose, KPI cards,
charts and tables of the resolved document, counted by the indicator each came from).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic
from ..document import ChartPoint, Document, KpiCard, Run, Table
from ..errors import Location
from ..locations import format_path
from ..model import ChartSpec, Indicator, Report
from .binding import BindingError, Bound, Locale

if TYPE_CHECKING:
    from ..locations import PathKey, SourceMap

MAX_BAR_RATIO = 20
"""A bar chart whose largest value is more than this many times its smallest is reported."""
MIN_CHART_VALUES = 3
"""A chart of fewer values is reported: they read better as KPI cards or in a table."""
MAX_PRINTS = 3
"""A figure printed more often than this in the briefing is reported."""

_BARS = frozenset({"bar", "grouped_bar", "stacked_bar", "ranking"})


def chart_advice(report: Report, smap: SourceMap | None) -> Iterator[Diagnostic]:
    """Yield the advisor's findings on every chart of the report (see the module docstring)."""
    index = {ind.id: ind for ind in report.indicators}
    for i, spec in enumerate(report.charts):
        if spec.kind == "big_number":
            continue
        path: PathKey = ("charts", i)
        where = smap.locate(path) if smap else Location(path=format_path(path))
        drawn = [(ident, index[ident]) for ident in _drawn(spec) if ident in index]
        yield from _small_set(spec, drawn, where)
        yield from _ratio(spec, drawn, where, report)
        yield from _stock_and_flow(spec, drawn, where)
        yield from _ranks(spec, drawn, where)


def _advice(code: str, message: str, where: Location, hint: str) -> Diagnostic:
    return Diagnostic(code, message, where, hint)


def _drawn(spec: ChartSpec) -> list[str]:
    ids = list(spec.indicators or [])
    for series in spec.series or []:
        ids.extend(series.indicators or [])
        if series.indicator:
            ids.append(series.indicator)
    return ids


def _shown(report: Report, ind: Indicator) -> float | None:
    """Return the value as the chart draws it (in the display unit, 740 for 740亿元)."""
    try:
        return Bound(ind, report, Locale()).numeric()
    except (BindingError, ValueError):
        return None


def _is_rank(ind: Indicator) -> bool:
    return ind.rank is not None and ind.current is None


def _small_set(
    spec: ChartSpec, drawn: list[tuple[str, Indicator]], where: Location
) -> Iterator[Diagnostic]:
    if spec.kind in ("line", "combo"):
        count = max(
            (sum(v is not None for v in (ind.series or {}).values()) for _, ind in drawn),
            default=0,
        )
        what = "year" if count == 1 else "years"
    else:
        count = sum(ind.current is not None or _is_rank(ind) for _, ind in drawn)
        what = "value" if count == 1 else "values"
    if count < MIN_CHART_VALUES:
        yield _advice(
            "chart-few-values",
            f"chart '{spec.id}' shows only {count} {what}: a chart of so few says no more "
            "than the numbers themselves",
            where,
            "show them as KPI cards (kpis: [...] or a kpis block) or in a table, and drop "
            "the chart",
        )


def _ratio(
    spec: ChartSpec, drawn: list[tuple[str, Indicator]], where: Location, report: Report
) -> Iterator[Diagnostic]:
    if spec.kind not in _BARS:
        return
    shown = [(_shown(report, ind), ident) for ident, ind in drawn if not _is_rank(ind)]
    values = [(v, ident) for v, ident in shown if v is not None and v > 0]
    if len(values) < 2:
        return
    (low, low_id), (high, high_id) = min(values), max(values)
    if high > MAX_BAR_RATIO * low:
        yield _advice(
            "chart-bar-ratio",
            f"chart '{spec.id}': its largest bar ('{high_id}', {high:g}) is {high / low:.0f} "
            f"times its smallest ('{low_id}', {low:g}); bars beside a bar "
            f"{MAX_BAR_RATIO} times longer are too short to read",
            where,
            "chart figures of one order of magnitude; give the big one its own KPI card or "
            "show the set as a table",
        )


def _stock_and_flow(
    spec: ChartSpec, drawn: list[tuple[str, Indicator]], where: Location
) -> Iterator[Diagnostic]:
    stocks = [ident for ident, ind in drawn if ind.measure == "stock"]
    flows = [ident for ident, ind in drawn if ind.measure == "flow"]
    if stocks and flows:
        yield _advice(
            "chart-stock-and-flow",
            f"chart '{spec.id}' mixes stocks ({', '.join(stocks)}) with flows "
            f"({', '.join(flows)}): a level at year end and the year's additions are not "
            "amounts of one kind",
            where,
            "chart the flows together and print the stock in the text or on a KPI card",
        )


def _ranks(
    spec: ChartSpec, drawn: list[tuple[str, Indicator]], where: Location
) -> Iterator[Diagnostic]:
    ranks = [(ident, ind) for ident, ind in drawn if _is_rank(ind)]
    if not ranks:
        return
    if spec.kind != "ranking":
        yield _advice(
            "chart-rank-as-bar",
            f"chart '{spec.id}' draws the rank of '{ranks[0][0]}' as a {spec.kind}: a longer "
            "bar would mean a worse place",
            where,
            "use kind: ranking, which shows each rank as a position in its list",
        )
        return
    totals = {ind.rank.of for _, ind in ranks if ind.rank is not None}
    lists = {(ind.rank.of, ind.rank.list) for _, ind in ranks if ind.rank is not None}
    if None in totals and len(lists) > 1:
        listed = ", ".join(
            f"'{ident}' of {ind.rank.of if ind.rank and ind.rank.of else '?'}"
            for ident, ind in ranks
        )
        yield _advice(
            "chart-ranks-of-different-lists",
            f"chart '{spec.id}' puts ranks of different lists, whose sizes are not all given, "
            f"on one axis ({listed}): "
            "a place near the end of a short list and one in the first fifth of a long list "
            "look alike",
            where,
            "give each rank its list size (rank.of), so each is drawn among its own list, or "
            "print the ranks on KPI cards",
        )


def repeated_figures(
    report: Report, document: Document, smap: SourceMap | None
) -> list[Diagnostic]:
    """Return a finding for each figure the briefing prints more than :data:`MAX_PRINTS` times.

    A print is a bound run of prose, a KPI card, a chart's value or a table row whose text
    shows the figure (a run printing the indicator's target or year is not its figure).
    """
    locale = Locale(document.meta.language)
    numbers: dict[str, str] = {}
    places: dict[str, list[str]] = {}
    for block in document.blocks:
        for ident, text in _prints(block):
            if ident not in numbers:
                numbers[ident] = _core(report, ident, locale)
            number = numbers[ident]
            if number and _shows(text, number):
                places.setdefault(ident, []).append(_place(block))
    found = []
    order = {ind.id: i for i, ind in enumerate(report.indicators)}
    for ident, where_printed in places.items():
        if len(where_printed) <= MAX_PRINTS:
            continue
        path: PathKey = ("indicators", order[ident])
        where = smap.locate(path) if smap else Location(path=format_path(path))
        found.append(
            _advice(
                "figure-repeated",
                f"'{ident}' ({_full(report, ident, locale)}) is printed {len(where_printed)} "
                f"times in the briefing: {', '.join(where_printed)}",
                where,
                f"print a figure where it matters, at most {MAX_PRINTS} times: in the text "
                "and one KPI card, chart or table",
            )
        )
    return found


def _core(report: Report, ident: str, locale: Locale) -> str:
    """Return the figure's number as every print of it shows it (``740``, ``第32名``), or
    the words of one printed in words (``超万亿元``, ``三分之一``)."""
    try:
        bound = Bound(report.indicator(ident), report, locale)
        if bound.indicator.in_words:
            return bound.full()
        return bound.formatted(qualifier=False).number
    except BindingError:
        return ""


def _shows(text: str, number: str) -> bool:
    """Return whether ``text`` prints ``number`` whole: 96 in 96家, not in 1996年 or 9.6%."""
    return bool(re.search(rf"(?<![0-9.,]){re.escape(number)}(?![0-9]|[.,][0-9])", text))


def _full(report: Report, ident: str, locale: Locale) -> str:
    try:
        return Bound(report.indicator(ident), report, locale).full()
    except BindingError:
        return ident


def _place(block: object) -> str:
    origin = getattr(block, "origin", None)
    kind = getattr(block, "kind", type(block).__name__)
    label = getattr(block, "label", None)
    name = f"{label} ({kind})" if isinstance(label, str) and label else str(kind)
    if origin is not None and origin.line is not None:
        return f"{name} at line {origin.line}"
    return name


def _prints(node: object) -> Iterator[tuple[str, str]]:
    """Yield (indicator id, printed text) for every bound figure inside a block."""
    if isinstance(node, Run):
        if node.indicator:
            yield node.indicator, node.text
        for inner in node.note or ():
            yield from _prints(inner)
        return
    if isinstance(node, KpiCard):
        yield node.indicator, node.value_text
        return
    if isinstance(node, ChartPoint):
        if node.indicator and node.value is not None:
            yield node.indicator, node.label
        return
    if isinstance(node, Table):
        for ident, row in zip(node.indicators, node.rows, strict=False):
            yield ident, "\u0000".join(row)
        return
    if is_dataclass(node) and not isinstance(node, type):
        for f in fields(node):
            yield from _prints(getattr(node, f.name))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from _prints(item)
