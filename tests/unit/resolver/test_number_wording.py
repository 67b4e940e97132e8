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


QUALIFIED = """\
meta:
  id: nation_2023
  title: 全国（虚构）开发区发展简报
  issuer: 示例编写组
  year: 2023
  date: 2024-03-01
indicators:
  - id: zones
    label: 开发区
    value: 200
    unit: 家
    unit_en: zones
    qualifier: 余
  - id: share
    label: 营收占全国比重
    value: 80
    unit: "%"
    qualifier: 以上
  - id: city
    label: 占全市比重
    value: 80
    unit: "%"
    qualifier: 约
  - id: fee
    label: 平均服务费
    value: 10
    unit: 万元
    qualifier: 左右
  - id: sales
    label: 销售额
    value: 1200
    unit: 亿元
    qualifier: 逾
  - id: rate
    label: 研发投入强度
    value_min: 17
    value_max: 20
    unit: "%"
  - id: years
    label: 建设周期
    value_min: 3
    value_max: 5
    unit: 年
charts:
  - id: shares
    kind: bar
    title: 比重
    indicators: [share, rate]
    unit: "%"
sections:
  - id: economy
    title: 经济运行
    blocks:
      - paragraph: |-
          开发区{{ ind.zones }}，营收占全国{{ ind.share }}，{{ ind.city | verb("占") }}全市的{{ ind.city | plain }}；
          服务费{{ ind.fee }}，销售额{{ ind.sales }}，强度{{ ind.rate }}，周期{{ ind.years }}。
        paragraph_en: |-
          {{ ind.zones }}, {{ ind.share }} of the country, {{ ind.city | verb("accounts for") }}
          {{ ind.city | plain }} of the city; fee {{ ind.fee }}, sales {{ ind.sales }}, intensity
          {{ ind.rate }}, {{ ind.years }}.
      - kpi: [zones, share, fee, rate]
      - table:
          title: 主要指标
          rows: [zones, share, city, fee, sales, rate, years]
          columns: [label, value]
      - chart: shares
"""

QUALIFIED_ZH = ["200余家", "80%以上", "约80%", "10万元左右", "逾1200亿元", "17%～20%", "3至5年"]
QUALIFIED_EN = [
    "over 200 zones",
    "at least 80%",
    "about 80%",
    "around RMB 100 thousand",
    "over RMB 120 billion",
    "17–20%",
    "3–5 years",
]


def test_postfix_qualifiers_and_ranges_in_prose(tmp_path: Path) -> None:
    report = load(tmp_path, QUALIFIED)
    [zh] = nodes(api.resolve(report), Paragraph)
    assert zh.text == (
        "开发区200余家，营收占全国80%以上，约占全市的80%；"
        "服务费10万元左右，销售额逾1200亿元，强度17%～20%，周期3至5年。"
    )
    [en] = nodes(api.resolve(report, language="en"), Paragraph)
    assert en.text == (
        "over 200 zones, at least 80% of the country, accounts for about 80% of the city; "
        "fee around RMB 100 thousand, sales over RMB 120 billion, intensity 17–20%, 3–5 years."
    )


@pytest.mark.parametrize(("language", "expected"), [("zh-CN", QUALIFIED_ZH), ("en", QUALIFIED_EN)])
def test_postfix_qualifiers_and_ranges_in_tables(
    tmp_path: Path, language: str, expected: list[str]
) -> None:
    [table] = nodes(api.resolve(load(tmp_path, QUALIFIED), language=language), Table)
    assert [row[1] for row in table.rows] == expected


def test_postfix_qualifiers_and_ranges_on_kpi_cards(tmp_path: Path) -> None:
    [panel] = nodes(api.resolve(load(tmp_path, QUALIFIED)), KpiPanel)
    parts = [(c.prefix, c.number, c.suffix, c.unit) for c in panel.cards]
    assert parts == [
        ("", "200", "余", "家"),
        ("", "80", "", "%以上"),
        ("", "10", "", "万元左右"),
        ("", "17～20", "", "%"),
    ]
    assert [c.value_text for c in panel.cards] == ["200余家", "80%以上", "10万元左右", "17%～20%"]


def test_a_range_is_charted_at_its_middle_with_its_range_as_label(tmp_path: Path) -> None:
    [chart] = api.resolve(load(tmp_path, QUALIFIED)).charts()
    [series] = chart.series
    assert [(p.value, p.label) for p in series.points] == [(80.0, "80%以上"), (18.5, "17%～20%")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("qualifier: 余\n", "qualifier: 余\n    value_min: 1\n"), "needs both"),
        (("value_max: 20\n", "value_max: 16\n"), "must be below"),
        (("value_min: 3\n", "value_min: 3\n    qualifier: 约\n"), "takes no qualifier"),
    ],
)
def test_a_broken_range_is_refused(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(KhzReportError, match=message):
        load(tmp_path, QUALIFIED.replace(*change))


def test_a_qualifier_after_the_number_cannot_move_to_a_verb(tmp_path: Path) -> None:
    text = QUALIFIED.replace('{{ ind.city | verb("占") }}', '{{ ind.share | verb("占") }}')
    with pytest.raises(KhzReportError, match="stays with the number"):
        api.resolve(load(tmp_path, text))


@pytest.mark.parametrize(
    ("args", "kwargs", "zh", "en"),
    [
        ((17, 20, "%"), {}, "17%～20%", "17–20%"),
        ((3, 5, "年"), {}, "3至5年", "3–5 years"),
        ((5, 8, "家"), {"unit_en": "firms"}, "5至8家", "5–8 firms"),
        ((12, 15, "亿元"), {}, "12至15亿元", "RMB 1.2–1.5 billion"),
        ((50, 120, "万元"), {}, "50至120万元", "RMB 500 thousand to RMB 1.2 million"),
        ((17, 20, "%"), {"decimals": 1}, "17.0%～20.0%", "17.0–20.0%"),
    ],
)
def test_format_range(args: tuple[Any, ...], kwargs: dict[str, Any], zh: str, en: str) -> None:
    assert nb.format_range(*args, **kwargs).text == zh
    assert nb.format_range(*args, locale="en", **kwargs).text == en


def test_format_range_refuses_an_empty_range() -> None:
    with pytest.raises(ValueError, match="below its high end"):
        nb.format_range(20, 17, "%")


@pytest.mark.parametrize(
    ("qualifier", "zh", "en"),
    [("以上", "1/3以上", "at least one third"), ("逾", "逾1/3", "over one third")],
)
def test_fractions_take_the_new_qualifiers(qualifier: str, zh: str, en: str) -> None:
    assert nb.format_fraction(nb.Fraction(1, 3), qualifier=qualifier) == zh
    assert nb.format_fraction(nb.Fraction(1, 3), qualifier=qualifier, locale="en") == en


WORDS = """\
meta:
  id: nation_2023
  title: 全国（虚构）开发区发展简报
  issuer: 示例编写组
  year: 2023
  date: 2024-03-01
indicators:
  - id: third
    label: 占比
    value: "1/3"
  - id: half
    label: 占比
    value: "1/2"
    qualifier: 近
  - id: over_half
    label: 占比
    value: "1/2"
    qualifier: 超
  - id: two_thirds
    label: 占比
    value: "2/3"
  - id: revenue
    label: 营业收入
    value: 1
    unit: 万亿元
    qualifier: 超
  - id: firms
    label: 企业
    value: 1000
    unit: 家
    unit_en: firms
    qualifier: 近
  - id: profit
    label: 利润
    value: 10000000000
    source_unit: 元
    unit: 亿元
    qualifier: 超
sections:
  - id: economy
    title: 经济运行
    blocks:
      - paragraph: |-
          {{ ind.third | fraction }}，{{ ind.half | fraction }}，{{ ind.over_half | fraction }}，
          {{ ind.two_thirds | fraction }}；{{ ind.revenue | words }}，{{ ind.firms | words }}，{{ ind.profit | words }}
"""


def test_fractions_and_round_figures_in_words(tmp_path: Path) -> None:
    report = load(tmp_path, WORDS)
    [zh] = nodes(api.resolve(report), Paragraph)
    assert zh.text == "三分之一，近一半，过半，三分之二；超万亿元，近千家，超百亿元"
    [en] = nodes(api.resolve(report, language="en"), Paragraph)
    assert en.text == (
        "one third，nearly one half，over one half，two thirds；over RMB 1 trillion，"
        "nearly 1,000 firms，over RMB 10 billion"
    )
    assert [r.indicator for r in zh.runs if r.indicator] == [
        "third",
        "half",
        "over_half",
        "two_thirds",
        "revenue",
        "firms",
        "profit",
    ]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ ind.revenue | fraction }}", "the fraction filter needs a fraction"),
        ("{{ ind.third | words }}", "needs a number value"),
    ],
)
def test_words_filters_refuse_what_they_cannot_say(
    tmp_path: Path, template: str, message: str
) -> None:
    text = WORDS.replace("{{ ind.third | fraction }}", template)
    with pytest.raises(KhzReportError, match=message):
        api.resolve(load(tmp_path, text))


def test_a_figure_that_is_not_round_is_not_written_in_words(tmp_path: Path) -> None:
    text = WORDS.replace("value: 1000\n", "value: 980\n")
    with pytest.raises(KhzReportError, match="not a round figure"):
        api.resolve(load(tmp_path, text))


@pytest.mark.parametrize(
    ("value", "qualifier", "expected"),
    [
        (nb.Fraction(1, 4), None, "四分之一"),
        (nb.Fraction(3, 4), "近", "近四分之三"),
        (nb.Fraction(1, 3), "以上", "三分之一以上"),
        (nb.Fraction(1, 2), "逾", "过半"),
    ],
)
def test_format_fraction_words(value: nb.Fraction, qualifier: str | None, expected: str) -> None:
    assert nb.format_fraction_words(value, qualifier=qualifier) == expected


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "expected"),
    [(1, "亿元", "超", "超亿元"), (10000, "家", "近", "近万家"), (10, "亿元", "约", "约十亿元")],
)
def test_format_round_words(value: int, unit: str, qualifier: str, expected: str) -> None:
    assert nb.format_round_words(value, unit, qualifier=qualifier) == expected


FIELDS = """\
meta:
  id: nation_2023
  title: 全国开发区{{ ind.zones }}发展简报
  subtitle: 营收{{ ind.revenue }}
  issuer: 示例编写组
  year: 2023
  date: 2024-03-01
indicators:
  - id: zones
    label: 开发区
    value: 164
    unit: 家
  - id: revenue
    label: 营业收入
    value: 9357.4
    unit: 亿元
    series: {2022: 8800, 2023: 9357.4}
highlights:
  - title: 集聚{{ ind.zones }}开发区
    text: 营收{{ ind.revenue }}。
charts:
  - id: trend
    kind: bar
    title: 营收达{{ ind.revenue }}
    indicators: [revenue]
    unit: "{{ ind.revenue | label }}（亿元）"
sections:
  - id: economy
    title: 开发区{{ ind.zones }}
    subtitle: 营收{{ ind.revenue }}
    blocks:
      - callout: 营收{{ ind.revenue }}。
        title: 共{{ ind.zones }}
      - kpi: [zones, revenue]
        title: 主要指标（{{ ind.zones }}）
      - table:
          title: 表中{{ ind.zones }}
          rows: [zones]
          columns: [label, value]
      - chart: trend
parks:
  - id: park_a
    name: 甲园
    kind: 园区
    positioning: 集聚{{ ind.zones }}企业
    indicators: [zones]
"""


def _all_text(document: Document) -> str:
    import json

    from khzreport.document import to_plain

    return json.dumps(to_plain(document), ensure_ascii=False)


def test_a_template_in_any_text_field_is_bound(tmp_path: Path) -> None:
    report = load(tmp_path, FIELDS)
    text = _all_text(api.resolve(report))
    assert "{{" not in text
    for bound in (
        "全国开发区164家发展简报",
        "营收9357.4亿元",
        "集聚164家开发区",
        "营收达9357.4亿元",
        "开发区164家",
        "共164家",
        "主要指标（164家）",
        "表中164家",
        "单位：营业收入（亿元）",
    ):
        assert bound in text, bound
    sheet = _all_text(api.resolve(report, park="park_a"))
    assert "集聚164家企业" in sheet and "{{" not in sheet


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("    label: 开发区\n", "    label: 开发区{{ ind.zones }}\n", "indicators[0].label"),
        ("    name: 甲园\n", "    name: 甲园{{ ind.zones }}\n", "parks[0].name"),
        (
            "    indicators: [zones]\n",
            "    indicators: [zones]\n    leading_industries: ['{{ ind.zones }}']\n",
            "parks[0].leading_industries[0]",
        ),
        (
            "    indicators: [revenue]\n",
            "    indicators: [revenue]\n    labels: ['{{ ind.zones }}']\n",
            "charts[0].labels[0]",
        ),
    ],
)
def test_a_template_in_a_field_printed_as_written_is_a_located_error(
    tmp_path: Path, old: str, new: str, path: str
) -> None:
    text = FIELDS.replace(old, new)
    with pytest.raises(KhzReportError) as info:
        api.resolve(load(tmp_path, text))
    message = str(info.value)
    assert "cannot hold a {{ }} template" in message
    assert path in message
    assert f"report.yaml:{text.splitlines().index(new.splitlines()[-1]) + 1}:" in message


def test_a_broken_template_in_a_title_is_a_located_error(tmp_path: Path) -> None:
    text = FIELDS.replace("title: 开发区{{ ind.zones }}", "title: 开发区{{ ind.zone }}")
    with pytest.raises(KhzReportError) as info:
        api.resolve(load(tmp_path, text))
    assert "unknown indicator 'zone'" in str(info.value)
    assert "sections[0].title" in str(info.value)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("近80", "write value: 80, qualifier: 近"),
        ("200余家", "write value: 200, qualifier: 余, unit: 家"),
        ("80%以上", "write value: 80, qualifier: 以上, unit: %"),
    ],
)
def test_a_value_written_with_its_qualifier_gets_a_hint(
    tmp_path: Path, value: str, hint: str
) -> None:
    text = SOURCE.replace("    value: 164\n", f"    value: '{value}'\n")
    with pytest.raises(KhzReportError) as info:
        load(tmp_path, text)
    assert f"expected a number, got the text '{value}'" in str(info.value)
    assert f"({hint})" in str(info.value)


def test_a_park_chart_that_repeats_a_kpi_card_is_dropped_with_a_warning(tmp_path: Path) -> None:
    minimal = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"
    text = minimal.read_text(encoding="utf-8")
    text = text.replace(
        "sections:\n",
        "  - id: big\n    kind: big_number\n    title: 企业\n    indicator: firms\nsections:\n",
    )
    text = text.replace("    indicators: [firms]\n", "    indicators: [firms]\n    chart: big\n")
    document = api.resolve(load(tmp_path, text), park="park_a")
    assert not document.charts()
    [warning] = [d for d in document.diagnostics if d.code == "chart-repeats-card"]
    assert warning.location is not None and warning.location.path == "parks[0].chart"
    assert warning.location.line == text.splitlines().index("    chart: big") + 1


def test_indicator_defaults_apply_unless_an_indicator_sets_its_own(tmp_path: Path) -> None:
    text = SOURCE.replace(
        "indicators:\n", "defaults:\n  source: 示例统计公报\n  growth_kind: 实际\nindicators:\n", 1
    ).replace("    growth_kind: 名义\n", "    growth_kind: 名义\n    source: 海关\n")
    report = load(tmp_path, text)
    assert [i.source for i in report.indicators] == ["海关"] + ["示例统计公报"] * 4
    [paragraph] = nodes(api.resolve(report), Paragraph)
    assert "同比名义增长6.38%" in paragraph.text
    assert "比上年实际下降3.15%" in paragraph.text


def test_a_wrong_default_is_located_in_defaults(tmp_path: Path) -> None:
    text = SOURCE.replace("indicators:\n", "defaults:\n  growth_kind: 名目\nindicators:\n", 1)
    with pytest.raises(KhzReportError) as info:
        load(tmp_path, text)
    assert f"report.yaml:{text.splitlines().index('  growth_kind: 名目') + 1}:" in str(info.value)
    assert "defaults.growth_kind" in str(info.value)


def test_english_decimals_can_differ_from_the_chinese(tmp_path: Path) -> None:
    text = SOURCE.replace("    value: 9357.4\n", "    value: 9357.4\n    decimals_en: 1\n")
    report = load(tmp_path, text)
    [zh] = nodes(api.resolve(report), Paragraph)
    [en] = nodes(api.resolve(report, language="en"), Paragraph)
    assert zh.text.startswith("营业收入9357.4亿元")
    assert en.text.startswith("营业收入RMB 935.7 billion")
    [default] = nodes(api.resolve(load(tmp_path, SOURCE), language="en"), Paragraph)
    assert default.text.startswith("营业收入RMB 935.74 billion")


@pytest.mark.parametrize(
    ("position", "zh", "en"),
    [(2, "居全球第二", "2nd"), (32, "居全球第三十二", "32nd"), (11, "居全球第十一", "11th")],
)
def test_a_rank_as_an_ordinal_in_words(tmp_path: Path, position: int, zh: str, en: str) -> None:
    text = SOURCE.replace(
        "charts:\n",
        f"  - id: rank\n    label: 排名\n    rank: {{position: {position}}}\ncharts:\n",
        1,
    ).replace("营业收入{{ ind.revenue }}，", "居全球{{ ind.rank | ordinal }}，", 1)
    report = load(tmp_path, text)
    [paragraph] = nodes(api.resolve(report), Paragraph)
    assert paragraph.text.startswith(zh + "，")
    [english] = nodes(api.resolve(report, language="en"), Paragraph)
    assert english.text.startswith(f"居全球{en}，")


def test_an_english_count_names_what_it_counts(tmp_path: Path) -> None:
    document = api.resolve(load(tmp_path), language="en")
    assert not [d for d in document.diagnostics if d.code == "english-count-noun"]
    [panel] = nodes(document, KpiPanel)
    [card] = [c for c in panel.cards if c.indicator == "firms"]
    assert (card.number, card.unit, card.value_text) == ("164", "firms", "164 firms")
    named = SOURCE.replace("    unit: 家\n", "    unit: 家\n    unit_en: zones\n")
    [panel] = nodes(api.resolve(load(tmp_path, named), language="en"), KpiPanel)
    assert "164 zones" in [c.value_text for c in panel.cards]
