"""Alt text for charts, written from the chart's data (for screen readers and PDF/UA)."""

from __future__ import annotations

from ..document import ChartData


def alt_text(chart: ChartData) -> str:
    """Return a sentence naming the chart and every drawn value."""
    zh = chart.language != "en"
    parts = []
    for series in chart.series:
        values = [f"{p.category} {p.label}" for p in series.points if p.value is not None]
        head = f"{series.name}：" if series.name and len(chart.series) > 1 else ""
        parts.append(head + ("；" if zh else "; ").join(values))
    if chart.secondary is not None:
        s = chart.secondary
        values = [f"{p.category} {p.label}" for p in s.points if p.value is not None]
        parts.append((f"{s.name}：" if s.name else "") + ("；" if zh else "; ").join(values))
    body = ("。" if zh else ". ").join(p for p in parts if p)
    lead = "图表：" if zh else "Chart: "
    return f"{lead}{chart.title}。{body}" if zh else f"{lead}{chart.title}. {body}"
