"""Alt text for charts, written from the chart's data (for screen readers and PDF/UA).

One text for every use: the composer puts it on a figure that has no alt text of its own,
and the charts package writes it into the drawing's SVG. A point without a value is read
out as missing (``数据缺失``, ``no data``) rather than left out, so a listener hears every
category the chart shows.
"""

from __future__ import annotations

from ..document import ChartData, ChartPoint

ALT_STRINGS: dict[str, dict[str, str]] = {
    "zh-CN": {"chart": "图表：", "missing": "数据缺失", "sep": "；", "stop": "。", "colon": "："},
    "en": {"chart": "Chart: ", "missing": "no data", "sep": "; ", "stop": ". ", "colon": ": "},
}
"""The words of generated alt text by language; the charts package prints the same
``missing`` word on a chart without data."""


def alt_strings(language: str) -> dict[str, str]:
    """Return the alt-text words for a language (``zh-CN`` unless it is English)."""
    return ALT_STRINGS["en"] if language.lower().startswith("en") else ALT_STRINGS["zh-CN"]


def point_text(point: ChartPoint, language: str) -> str:
    """Return a point as read aloud: its label, or the missing word when it has no value."""
    return point.label if point.value is not None else alt_strings(language)["missing"]


def alt_text(chart: ChartData) -> str:
    """Return a sentence naming the chart and every category with its printed value.

    ``图表：主导产业集群规模。电子信息 突破740亿元；新能源 数据缺失`` Each series is one
    clause, headed by its name when there are several.
    """
    s = alt_strings(chart.language)
    all_series = [*chart.series, *([chart.secondary] if chart.secondary is not None else [])]
    parts = []
    for series in all_series:
        items = [f"{p.category} {point_text(p, chart.language)}" for p in series.points]
        if not items:
            continue
        named = series.name and (len(chart.series) > 1 or series is chart.secondary)
        parts.append((f"{series.name}{s['colon']}" if named else "") + s["sep"].join(items))
    return f"{s['chart']}{chart.title}{s['stop']}" + s["stop"].join(parts)
