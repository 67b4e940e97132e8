"""Figures in words from the bound value: a fraction stated by a percentage, a ratio or a
share (33.3% → 三分之一, 50% → 一半), round figures with 上 (上千家), and ``in_words: true``
printing an indicator in words in prose, KPI cards, tables and chart labels alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from khzreport import api
from khzreport.document import Document, KpiPanel, Paragraph, Table
from khzreport.errors import KhzReportError
from khzreport.model import Report
from khzreport.resolver import numbers as nb

SOURCE = """\
meta:
  id: words_2023
  title: 全国（虚构）开发区发展简报
  issuer: 示例编写组
  year: 2023
  date: 2024-03-01
indicators:
  - id: third
    label: 研发占比
    value: 33.3
    unit: "%"
  - id: half
    label: 外资占比
    value: 50
    unit: "%"
    qualifier: 近
  - id: ratio
    label: 出口比率
    value: 0.667
  - id: part
    label: 甲区企业
    value: 250
    unit: 家
    unit_en: firms
    share_of: whole
  - id: whole
    label: 全国企业
    value: 1000
    unit: 家
    unit_en: firms
    qualifier: 上
  - id: output
    label: 工业总产值
    value: 1
    unit: 万亿元
    qualifier: 超
    in_words: true
  - id: foreign
    label: 外资企业占比
    short_label: 外资占比
    value: 50
    unit: "%"
    qualifier: 近
    in_words: true
  - id: firms
    label: 企业数
    value: 1000
    unit: 家
    unit_en: firms
    qualifier: 上
    in_words: true
charts:
  - id: shares
    kind: bar
    title: 规模
    indicators: [output, firms]
sections:
  - id: economy
    title: 经济运行
    blocks:
      - paragraph: |-
          {{ ind.third | fraction }}，{{ ind.half | fraction }}，{{ ind.ratio | fraction }}，{{ ind.part | fraction }}；{{ ind.whole | words }}，{{ ind.whole }}；{{ ind.output }}，{{ ind.foreign }}，{{ ind.firms }}，{{ ind.firms | plain }}
      - kpi: [output, foreign, firms]
      - table:
          title: 主要指标
          rows: [output, foreign, firms]
          columns: [label, value]
      - chart: shares
"""


def load(tmp_path: Path, text: str = SOURCE) -> Report:
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return api.load(path)


def nodes(document: Document, kind: type) -> list[Any]:
    return [b for b in document.blocks if isinstance(b, kind)]


ZH = ["超万亿元", "近一半", "上千家"]
EN = ["over RMB 1 trillion", "nearly one half", "over 1,000 firms"]


def test_fractions_and_round_figures_from_the_bound_value_in_prose(tmp_path: Path) -> None:
    report = load(tmp_path)
    [zh] = nodes(api.resolve(report), Paragraph)
    assert zh.text == (
        "三分之一，近一半，三分之二，四分之一；上千家，上1000家；超万亿元，近一半，上千家，1000家"
    )
    [en] = nodes(api.resolve(report, language="en"), Paragraph)
    assert en.text == (
        "one third，nearly one half，two thirds，one quarter；over 1,000 firms，over 1,000 "
        "firms；over RMB 1 trillion，nearly one half，over 1,000 firms，1,000 firms"
    )


@pytest.mark.parametrize(("language", "expected"), [("zh-CN", ZH), ("en", EN)])
def test_in_words_prints_alike_on_cards_in_tables_and_on_charts(
    tmp_path: Path, language: str, expected: list[str]
) -> None:
    document = api.resolve(load(tmp_path), language=language)
    [panel] = nodes(document, KpiPanel)
    assert [c.value_text for c in panel.cards] == expected
    assert [c.number for c in panel.cards] == expected
    [table] = nodes(document, Table)
    assert [row[1] for row in table.rows] == expected
    [chart] = document.charts()
    [series] = chart.series
    assert [p.label for p in series.points] == [expected[0], expected[2]]
    assert [p.value for p in series.points] == [1.0, 1000.0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("value: 33.3\n", "value: 33\n"), r"33% is not a simple fraction"),
        (("value: 33.3\n", "value: 34.5\n"), r"34.5% is not a simple fraction"),
        (("value: 0.667\n", "value: 0.67\n"), r"0.67 is not a simple fraction"),
        (("value: 250\n", "value: 260\n"), r"26.0% is not a simple fraction"),
        (("    value: 1\n    unit: 万亿元\n", "    value: 1.2\n    unit: 万亿元\n"), "not a round"),
    ],
)
def test_a_figure_that_states_no_fraction_or_round_figure_is_refused(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(KhzReportError, match=message):
        api.resolve(load(tmp_path, SOURCE.replace(*change, 1)))


def test_a_validated_source_with_an_unsayable_figure_in_words_is_refused_by_validate(
    tmp_path: Path,
) -> None:
    firms = "    unit: 家\n    unit_en: firms\n    qualifier: 上\n    in_words"
    text = SOURCE.replace(f"    value: 1000\n{firms}", f"    value: 980\n{firms}")
    with pytest.raises(KhzReportError, match="980家 is not a round figure"):
        api.validate(load(tmp_path, text))


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        ("50", nb.Fraction(1, 2)),
        ("25", nb.Fraction(1, 4)),
        ("33.3", nb.Fraction(1, 3)),
        ("66.67", nb.Fraction(2, 3)),
        ("12.5", nb.Fraction(1, 8)),
        ("33", None),
        ("33.4", None),
        ("48", None),
        ("100", None),
    ],
)
def test_fraction_of_percent(percent: str, expected: nb.Fraction | None) -> None:
    assert nb.fraction_of_percent(nb.Decimal(percent)) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1000, "家", "上千家"),
        (100, "亿元", "上百亿元"),
        (1, "万亿元", "上万亿元"),
        (10000, "人", "上万人"),
    ],
)
def test_round_figures_reached_read_with_shang(value: int, unit: str, expected: str) -> None:
    assert nb.format_round_words(value, unit, qualifier="上") == expected


def test_shang_cannot_move_to_a_verb(tmp_path: Path) -> None:
    text = SOURCE.replace("{{ ind.whole }}；", '{{ ind.whole | verb("占") }}；')
    with pytest.raises(KhzReportError, match="stays with the number"):
        api.resolve(load(tmp_path, text))


def test_a_figure_in_words_counts_as_printed_where_its_words_are(tmp_path: Path) -> None:
    # output (超万亿元) is in the paragraph, the KPI panel, the table and the chart
    advice = api.advise(load(tmp_path))
    repeated = [d.message for d in advice if d.code == "figure-repeated"]
    assert any("'output' (超万亿元) is printed 4 times" in m for m in repeated), repeated
