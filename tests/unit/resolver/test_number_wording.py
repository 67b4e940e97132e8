"""Number wording a national-scale report needs, bound from indicators into every place a
figure prints: prose, KPI cards, tables and charts, in Chinese and English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from khzreport import api
from khzreport.document import ChartData, Document, KpiPanel, Paragraph, Table
from khzreport.errors import KhzReportError
from khzreport.model import Report
from khzreport.resolver import numbers as nb

SOURCE = """\
meta:
  id: nation_2023
  title: 全国（虚构）开发区发展简报
  issuer: 示例编写组
  year: 2023
  date: 2024-03-01
indicators:
  - id: revenue
    label: 营业收入
    value: 9357.4
    unit: 亿元
    growth: 6.38
    growth_kind: 名义
  - id: exports
    label: 出口额
    value: 1200
    unit: 亿元
    growth: -3.15
    growth_base: 比上年
  - id: firms
    label: 企业数
    value: 164
    unit: 家
    previous: 170
    growth_fall: 减少
    growth_decimals: 2
  - id: loans
    label: 贷款余额
    value: 820
    unit: 亿元
    growth: 0.04
    growth_base: 比年初
    growth_decimals: 1
  - id: output
    label: 工业产值
    unit: 亿元
    series: {2021: 100, 2022: 112.345, 2023: 126.5}
    growth_decimals: 2
charts:
  - id: trend
    kind: combo
    title: 工业产值
    series: [{indicator: output}]
    unit: 亿元
sections:
  - id: economy
    title: 经济运行
    blocks:
      - paragraph: |-
          营业收入{{ ind.revenue }}，{{ ind.revenue | growth }}；出口{{ ind.exports | growth }}；
          企业{{ ind.firms | growth }}；贷款{{ ind.loans | growth }}；产值{{ ind.output | growth(3) }}。
      - kpi: [revenue, exports, firms, loans]
      - table:
          title: 主要指标
          rows: [revenue, exports, firms, loans]
          columns: [label, value, growth]
      - chart: trend
"""


def load(tmp_path: Path, text: str = SOURCE) -> Report:
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return api.load(path)


def nodes(document: Document, kind: type) -> list[Any]:
    return [b for b in document.blocks if isinstance(b, kind)]


ZH = ["同比名义增长6.38%", "比上年下降3.15%", "同比减少3.53%", "与年初持平"]
EN = [
    "up 6.38% year on year in nominal terms",
    "down 3.15% on the previous year",
    "down 3.53% year on year",
    "unchanged since the start of the year",
]


@pytest.mark.parametrize(("language", "expected"), [("zh-CN", ZH), ("en", EN)])
def test_growth_prints_alike_in_prose_cards_and_tables(
    tmp_path: Path, language: str, expected: list[str]
) -> None:
    document = api.resolve(load(tmp_path), language=language)
    [paragraph] = nodes(document, Paragraph)
    for text in expected:
        assert text in paragraph.text
    [panel] = nodes(document, KpiPanel)
    assert [c.change_text for c in panel.cards] == expected
    assert [c.direction for c in panel.cards] == ["up", "down", "down", "flat"]
    [table] = nodes(document, Table)
    assert [row[2] for row in table.rows] == expected


def test_growth_filter_takes_the_decimals(tmp_path: Path) -> None:
    [paragraph] = nodes(api.resolve(load(tmp_path)), Paragraph)
    assert "产值同比增长12.600%。" in paragraph.text


def test_growth_filter_refuses_a_second_argument(tmp_path: Path) -> None:
    text = SOURCE.replace("growth(3)", "growth(2, 3)")
    with pytest.raises(KhzReportError, match="at most 1 argument"):
        api.resolve(load(tmp_path, text))


def test_combo_chart_growth_line_uses_the_indicators_decimals(tmp_path: Path) -> None:
    [chart] = [c for c in api.resolve(load(tmp_path)).charts() if isinstance(c, ChartData)]
    assert chart.secondary is not None
    assert [p.label for p in chart.secondary.points] == ["", "12.35%", "12.60%"]


@pytest.mark.parametrize("base", ["比去年", "同比增长", "较22年"])
def test_an_unknown_growth_base_is_a_located_error(tmp_path: Path, base: str) -> None:
    text = SOURCE.replace("growth_base: 比上年", f"growth_base: {base}")
    with pytest.raises(KhzReportError) as info:
        load(tmp_path, text)
    assert "unknown growth base" in str(info.value)
    assert "report.yaml:" in str(info.value)


@pytest.mark.parametrize(
    ("rate", "kwargs", "zh", "en"),
    [
        (6.38, {}, "同比增长6.38%", "up 6.38% year on year"),
        (3.15, {}, "同比增长3.15%", "up 3.15% year on year"),
        (6.38, {"decimals": 1}, "同比增长6.4%", "up 6.4% year on year"),
        (6.38, {"kind": "实际"}, "同比实际增长6.38%", "up 6.38% year on year in real terms"),
        (-2, {"prefix": "较2022年"}, "较2022年下降2%", "down 2% on 2022"),
        (-2, {"prefix": "比上年末"}, "比上年末下降2%", "down 2% on the end of the previous year"),
        (-2, {"fall": "减少"}, "同比减少2%", "down 2% year on year"),
        (0, {"prefix": "比上年"}, "与上年持平", "unchanged on the previous year"),
        (0, {"prefix": "比年初"}, "与年初持平", "unchanged since the start of the year"),
        (5, {"prefix": "环比"}, "环比增长5%", "up 5% on the previous period"),
    ],
)
def test_growth_wording(rate: float, kwargs: dict[str, Any], zh: str, en: str) -> None:
    assert nb.format_growth_from_rate(rate, **kwargs) == zh
    assert nb.format_growth_from_rate(rate, locale="en", **kwargs) == en


@pytest.mark.parametrize("kwargs", [{"kind": "名目"}, {"fall": "降低"}])
def test_growth_wording_refuses_unknown_words(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        nb.format_growth_from_rate(5, **kwargs)
