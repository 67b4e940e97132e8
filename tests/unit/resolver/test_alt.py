"""Alt text of charts: one sentence for the figure and the drawing, missing values said."""

from __future__ import annotations

import dataclasses

from khzreport.document import ChartData
from khzreport.resolver.alt import alt_text
from tests.support.charts import bar, combo, grouped_bar, series


def test_every_category_is_read_out_and_a_missing_value_is_named() -> None:
    assert alt_text(bar()) == (
        "图表：主导产业集群规模。电子信息 突破740亿元；高端装备 突破500亿元；新材料 近140亿元；"
        "生物医药 超60亿元；新能源 数据缺失"
    )


def test_english_names_a_missing_value_in_english() -> None:
    chart = ChartData(
        id="gdp",
        kind="bar",
        title="Output",
        categories=("2022", "2023"),
        series=(series(None, "bn", [("2022", 1.0, "RMB 1.0 bn"), ("2023", None, "—")]),),
        language="en",
    )
    assert alt_text(chart) == "Chart: Output. 2022 RMB 1.0 bn; 2023 no data"


def test_several_series_are_headed_by_their_names() -> None:
    text = alt_text(grouped_bar())
    assert text.startswith("图表：创新主体数量。2022年：高新技术企业 265家；")
    assert "。2023年：高新技术企业 305家；" in text
    line = combo().secondary
    assert line is not None and f"。{line.name}：" in alt_text(combo())


def test_a_series_without_points_adds_nothing() -> None:
    empty = dataclasses.replace(bar(), series=(series(None, "亿元", []),))
    assert alt_text(empty) == "图表：主导产业集群规模。"


def test_charts_use_the_same_alt_text() -> None:
    from khzreport import charts

    assert charts.alt_text is alt_text
