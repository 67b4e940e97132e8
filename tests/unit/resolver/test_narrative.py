"""Bound narrative: formatting through filters, runs that know their indicator, the sandbox."""

from __future__ import annotations

import pytest

from khzreport.model import Indicator, Meta, Rank, Report
from khzreport.resolver.binding import Locale
from khzreport.resolver.narrative import NarrativeError, render


@pytest.fixture
def report() -> Report:
    return Report(
        meta=Meta(id="x", title="示范", issuer="管委会", year=2023, date="2024-01-15"),
        indicators=[
            Indicator(
                id="cluster", label="电子信息产业集群规模", value=740, unit="亿元", qualifier="突破"
            ),
            Indicator(id="firms", label="生物医药企业", value=140, unit="家", qualifier="多"),
            Indicator(id="projects", label="科研项目", value=200, unit="个", qualifier="余"),
            Indicator(id="camera", label="摄像头日出货量", value=100, unit="万颗", qualifier="约"),
            Indicator(
                id="hitech",
                label="高新技术企业",
                value=820,
                unit="家",
                previous=400,
                previous_period=2019,
            ),
            Indicator(id="output", label="产值", value=112.3, unit="亿元", previous=100),
            Indicator(id="share", label="占比", value="1/3", qualifier="近"),
            Indicator(
                id="rank", label="国家高新区排名", rank=Rank(position=32, previous=35), target=30
            ),
            Indicator(id="part", label="部分", value=68.5, unit="亿元", share_of="output"),
            Indicator(id="record", label="效率", value=18.04, unit="%", date="2023-11-23"),
            Indicator(
                id="revenue",
                label="营收",
                value=74_000_000_000,
                unit="亿元",
                source_unit="元",
                decimals=1,
            ),
        ],
    )


def text(report: Report, template: str, language: str = "zh-CN") -> str:
    paragraphs = render(template, report, Locale(language))
    return "\n\n".join("".join(r.text for r in p) for p in paragraphs)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ ind.cluster }}", "突破740亿元"),
        ("{{ ind.firms }}", "140多家"),
        ("{{ ind.projects }}", "200余个"),
        ("{{ ind.camera }}", "约100万颗"),
        ("{{ ind.share }}", "近1/3"),
        ("{{ ind.rank }}", "第32名"),
        ("{{ ind.rank | top }}", "前30强"),
        ("{{ ind.cluster | value }}", "740"),
        ("{{ ind.cluster | plain }}", "740亿元"),
        ("{{ ind.output | growth }}", "同比增长12.3%"),
        ("{{ ind.hitech | doubling }}", "较2019年实现翻番"),
        ("{{ ind.part | share }}", "61.0%"),
        ("{{ ind.record | date }}", "2023年11月23日"),
        ("{{ ind.cluster | label }}", "电子信息产业集群规模"),
        ("{{ ind.revenue }}", "740.0亿元"),
        ("{{ meta.year }}年", "2023年"),
    ],
)
def test_filters(report: Report, template: str, expected: str) -> None:
    assert text(report, template) == expected


def test_english_edition_formats_numbers_in_english(report: Report) -> None:
    assert text(report, "{{ ind.cluster }}", "en") == "over RMB 74 billion"
    assert text(report, "{{ ind.rank }}", "en") == "No. 32"


def test_runs_know_their_indicator(report: Report) -> None:
    [runs] = render("规模{{ ind.cluster }}，企业{{ ind.firms }}。", report, Locale())
    assert [(r.text, r.indicator) for r in runs] == [
        ("规模", None),
        ("突破740亿元", "cluster"),
        ("，企业", None),
        ("140多家", "firms"),
        ("。", None),
    ]


def test_line_breaks_between_chinese_vanish_and_blank_lines_split(report: Report) -> None:
    out = text(report, "第一行\n第二行{{ ind.firms }}\n。\n\nSecond paragraph\nin English")
    assert out == "第一行第二行140多家。\n\nSecond paragraph in English"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ ind.cluser }}", "unknown indicator 'cluser'"),
        ("{{ ''.__class__.__mro__ }}", "not allowed"),
        ("{{ ind.cluster.__init__.__globals__ }}", "not allowed"),
        ("{% include 'x' %}", "'include' is not allowed"),
        ("{% import 'x' as y %}", "'import' is not allowed"),
        ("{% extends 'x' %}", "'extends' is not allowed"),
        ("{% from 'x' import y %}", "not allowed"),
        ("{{ 'a' * 1000000 }}", "not allowed"),
        ("{{ range(10) }}", "'range' is undefined"),
        ("{{ ind.cluster | attr('x') }}", "No filter named 'attr'"),
        ("{{ nothing }}", "'nothing' is undefined"),
        ("{{ ind.cluster | growth }}", "needs 'previous'"),
        ("{{ ind.output | doubling }}", "claiming a doubling would be false"),
        ("{{ 1 / 0 }}", "division by zero"),
    ],
)
def test_refused_templates(report: Report, template: str, message: str) -> None:
    with pytest.raises(NarrativeError) as info:
        render(template, report, Locale())
    assert message in info.value.message + (info.value.hint or "")


def test_error_line_inside_template(report: Report) -> None:
    with pytest.raises(NarrativeError) as info:
        render("第一行\n第二行\n{{ ind.nope }}", report, Locale())
    assert info.value.line == 3


def test_report_can_be_built_in_python_without_yaml(report: Report) -> None:
    assert report.indicator("cluster").value == 740
    with pytest.raises(Exception, match="frozen"):
        report.indicator("cluster").value = 1  # type: ignore[misc]


def test_readme_example_builds_a_report_in_code() -> None:
    from khzreport.layouts import compose_briefing
    from khzreport.model import ChartRef, KpiPanel, Paragraph, Section
    from khzreport.theme import Theme

    report = Report(
        meta=Meta(id="demo", title="示范高新区简报", issuer="管委会", year=2023, date="2024-01-15"),
        indicators=[Indicator(id="firms", label="高新技术企业", value=820, unit="家")],
        sections=[
            Section(
                id="s1",
                title="企业",
                blocks=[Paragraph(paragraph="企业达{{ ind.firms }}。"), KpiPanel(kpi=["firms"])],
            )
        ],
    )
    assert isinstance(report.sections[0].blocks[1], KpiPanel)
    assert ChartRef(chart="x").chart == "x"
    document = compose_briefing(report, Theme())
    texts = [getattr(b, "text", "") for b in document.blocks]
    assert "企业达820家。" in texts


def test_a_unit_without_an_english_rendering_is_a_binding_error(report: Report) -> None:
    # found by the fuzz test: a KPI card of such a unit was an internal ValueError
    from khzreport.resolver.binding import BindingError, Bound

    odd = Indicator(id="odd", label="面积", value=30, unit="0")
    with pytest.raises(BindingError, match="indicator 'odd': no English rendering for unit '0'"):
        Bound(odd, report, Locale("en")).formatted()
