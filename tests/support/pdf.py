"""Stand-ins for rendered charts, for writer tests that need no real chart drawing."""

from __future__ import annotations

import dataclasses
import io

from khzreport.document import ChartData, ChartPoint, ChartSeries

from .documents import INDUSTRY_CHART


@dataclasses.dataclass(frozen=True)
class FakeChart:
    """Stands in for khzreport.charts.RenderedChart."""

    svg: bytes
    png: bytes
    width_cm: float
    height_cm: float
    alt: str


def fake_chart(chart: ChartData, width_cm: float = 15.5, height_cm: float = 7.75) -> FakeChart:
    """Draw a chart's first series as bars with matplotlib (text as paths, no dates)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rc = {"font.family": "Noto Sans CJK SC", "svg.fonttype": "path", "svg.hashsalt": "khz"}
    with matplotlib.rc_context(rc):
        fig, ax = plt.subplots(figsize=(width_cm / 2.54, height_cm / 2.54))
        points = chart.series[0].points
        ax.bar([p.category for p in points], [p.value or 0 for p in points], color="#1F4E79")
        ax.set_ylabel(chart.unit_line or "")
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    return FakeChart(buf.getvalue(), b"", width_cm, height_cm, chart.title)


PARK_CHART = ChartData(
    id="park_output",
    kind="bar",
    title="园区产值",
    categories=("2021年", "2022年", "2023年"),
    series=(
        ChartSeries(
            name=None,
            points=(
                ChartPoint("2021年", 98.0, "98亿元"),
                ChartPoint("2022年", 121.0, "121亿元"),
                ChartPoint("2023年", 140.0, "近140亿元"),
            ),
            unit="亿元",
        ),
    ),
    unit_line="单位：亿元",
)


def charts() -> dict[str, FakeChart]:
    return {
        "industry_scale": fake_chart(INDUSTRY_CHART),
        "park_output": fake_chart(PARK_CHART, 9, 5.5),
    }


