"""Every chart of the example, in both editions, measured after drawing: no bar too thin to
see, no tick label over another, no text over another, units on the axis as in the labels;
and no chart blank or broken by a name of hundreds of characters."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any

import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

import khzreport
from khzreport.api import resolve
from khzreport.charts import draw
from khzreport.charts.drawing import visible_texts
from khzreport.document import ChartData
from khzreport.theme import Theme

EXAMPLE = Path(__file__).parents[3] / "examples" / "kunshan-2023" / "report.yaml"
MIN_BAR_PX = 2.0
PHONE_WIDTH_CM = 8.5
"""The HTML edition draws each chart again this wide for phones."""


@pytest.fixture(scope="module")
def example_charts() -> list[tuple[str, ChartData, Theme]]:
    """Return each chart of the example once per edition (the briefing's and the sheets'), at
    the page's width and at a phone's."""
    report = khzreport.load(EXAMPLE)
    found: dict[tuple[str, str, float], tuple[str, ChartData, Theme]] = {}
    for language in ("zh-CN", "en"):
        for park in [None, *(p.id for p in report.parks)]:
            document = resolve(report, park=park, language=language)
            theme = document.theme
            phone = theme.model_copy(
                update={"chart": theme.chart.model_copy(update={"width_cm": PHONE_WIDTH_CM})}
            )
            for chart in document.charts():
                for drawn in (theme, phone):
                    key = (language, chart.id, drawn.chart.width_cm)
                    found.setdefault(key, (f"{language} {drawn.chart.width_cm} cm", chart, drawn))
    assert {lang for lang, _, _ in found} == {"zh-CN", "en"}
    return list(found.values())


def thin_bars(fig: Any) -> list[str]:
    """Return the bars of a drawn figure that are narrower or flatter than MIN_BAR_PX."""
    renderer = fig.canvas.get_renderer()
    out = []
    for ax in fig.axes:
        for patch in ax.patches:
            if not isinstance(patch, Rectangle) or not patch.get_visible():
                continue
            if patch.get_width() == 0 or patch.get_height() == 0:
                continue  # a zero value draws no bar, and says so in its label
            box = patch.get_window_extent(renderer)
            if box.width < MIN_BAR_PX or box.height < MIN_BAR_PX:
                out.append(f"bar at {patch.get_xy()} is {box.width:.1f}×{box.height:.1f} px")
    return out


def overlapping(texts: list[Text], renderer: Any, gap: float = 0.0) -> list[str]:
    """Return the pairs of texts whose boxes overlap or lie closer than ``gap`` pixels."""
    boxes = [(t.get_text(), t.get_window_extent(renderer).padded(gap / 2)) for t in texts]
    return [
        f"{a!r} over {b!r}"
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if box_a.overlaps(box_b)
    ]


def tick_labels(fig: Any) -> list[list[Text]]:
    """Return the drawn tick labels of each axis of the figure (those in view)."""
    shown = set(map(id, visible_texts(fig)))
    out = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = [lb for lb in axis.get_ticklabels() if id(lb) in shown]
            out.append(labels)
    return out


def test_no_bar_of_the_example_is_too_thin_to_see(example_charts: list[Any]) -> None:
    problems = []
    for language, chart, theme in example_charts:
        problems += [f"{language} {chart.id}: {p}" for p in thin_bars(draw(chart, theme))]
    assert problems == []


def test_no_tick_label_of_the_example_lies_over_or_against_another(
    example_charts: list[Any],
) -> None:
    problems = []
    for language, chart, theme in example_charts:
        fig = draw(chart, theme)
        renderer = fig.canvas.get_renderer()
        half_em = theme.chart.font_size * fig.dpi / 72 / 2
        for labels in tick_labels(fig):
            problems += [
                f"{language} {chart.id}: {p}" for p in overlapping(labels, renderer, half_em)
            ]
    assert problems == []


def test_no_text_of_the_example_lies_over_another_or_on_its_side(example_charts: list[Any]) -> None:
    problems = []
    for language, chart, theme in example_charts:
        fig = draw(chart, theme)
        texts = visible_texts(fig)
        problems += [
            f"{language} {chart.id}: {p}" for p in overlapping(texts, fig.canvas.get_renderer())
        ]
        problems += [
            f"{language} {chart.id}: {t.get_text()!r} turned" for t in texts if t.get_rotation()
        ]
    assert problems == []


def test_the_english_axis_is_in_the_units_of_its_labels(example_charts: list[Any]) -> None:
    charts = {c.id: c for lang, c, _ in example_charts if lang.startswith("en")}
    scale = charts["chart_industry_scale"]
    assert scale.unit_line == "Unit: RMB billion"
    assert all(p.label.endswith("billion") for p in scale.series[0].points)
    assert scale.series[0].points[0].value == pytest.approx(74.0)  # 740亿元 on an axis in billions


def _with_long_name(chart: ChartData, length: int) -> ChartData:
    name = "超长的园区名称" * (length // 7 + 1)
    points = list(chart.series[0].points)
    points[0] = dataclasses.replace(points[0], category=name[:length])
    categories = (name[:length], *chart.categories[1:])
    return dataclasses.replace(
        chart,
        categories=categories,
        series=(dataclasses.replace(chart.series[0], points=tuple(points)),),
    )


@pytest.mark.parametrize("length", [200, 1000])
def test_a_chart_with_a_name_of_hundreds_of_characters_is_drawn_with_it_shortened(
    example_charts: list[Any], length: int
) -> None:
    _, chart, theme = next(c for c in example_charts if c[1].id == "chart_industry_scale")
    fig = draw(_with_long_name(chart, length), theme)
    assert thin_bars(fig) == []
    patches = [p for ax in fig.axes for p in ax.patches if isinstance(p, Rectangle)]
    assert len(patches) == 3
    names = [t.get_text() for t in visible_texts(fig) if "超长" in t.get_text()]
    assert names and all(n.replace("\n", "").endswith("…") for n in names)
    assert all(len(n) < 60 for n in names)
    width, height = fig.get_size_inches()
    assert (width, height) == pytest.approx(tuple(draw(chart, theme).get_size_inches()), abs=1.0)


@pytest.mark.parametrize("length", [200, 1000])
def test_a_label_of_hundreds_of_characters_is_shortened_with_a_located_warning(
    tmp_path: Path, length: int
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    old = "    labels: [电子信息产业集群, 装备制造产业集群, 先进计算产业产值]"
    assert old in text
    long = "电子信息" * (length // 4)
    source = tmp_path / "report.yaml"
    source.write_text(
        text.replace(old, f"    labels: [{long}, 装备制造产业集群, 先进计算产业产值]"),
        encoding="utf-8",
    )
    for path in (EXAMPLE.parent / "data").iterdir():
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / path.name).write_bytes(path.read_bytes())
    document = resolve(khzreport.load(source))
    chart = next(c for c in document.charts() if c.id == "chart_industry_scale")
    assert chart.categories[0].endswith("…") and len(chart.categories[0]) <= 24
    [warning] = [d for d in document.diagnostics if d.code == "chart-label-shortened"]
    assert f"a chart label of {length} characters is shortened" in warning.message
    assert warning.location is not None and warning.location.line is not None
    assert warning.location.path.endswith("labels[0]")
    assert thin_bars(draw(chart, document.theme)) == []
