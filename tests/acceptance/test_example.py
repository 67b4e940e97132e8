"""The Kunshan 2023 example encodes every figure of the seed report, and lints clean."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from khzreport import api
from khzreport.model import Indicator, Report

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"


@pytest.fixture(scope="module")
def report() -> Report:
    return api.load(EXAMPLE)


def has(report: Report, value: object, unit: str, qualifier: str | None = None) -> Indicator:
    """Return the indicator holding this figure (value, unit, qualifier), failing if none."""
    want = Fraction(str(value)) if isinstance(value, str) else Decimal(str(value))
    for ind in report.indicators:
        v = ind.current
        if v is None:
            continue
        got = v if isinstance(v, Fraction) else Decimal(str(v))
        if got == want and ind.unit == unit and ind.qualifier == qualifier:
            return ind
    raise AssertionError(f"no indicator {qualifier or ''}{value}{unit}")


FIGURES = [
    (740, "亿元", "突破"),
    (500, "亿元", "突破"),
    (68.5, "%", None),
    (305, "个", None),
    (82, "个", None),
    (5, "个", None),
    (133, "个", None),
    (30, "个", "超"),
    (5, "亿美元", "超"),
    (4, "亿美元", "近"),
    (89, "家", None),
    (294, "项", None),
    (140, "亿元", "近"),
    (941, "亩", None),
    (140, "家", "多"),
    (27, "亩", None),
    (11, "家", None),
    (96, "家", None),
    (17, "万平方米", None),
    (94, "米", None),
    (22, "层", None),
    (30, "万平方米", "超"),
    (10, "万平方米", None),
    (2, "家", None),
    (16, "家", None),
    (7, "家", None),
    (18.04, "%", None),
    (26.17, "%", None),
    (26.34, "%", None),
    (91, "项", None),
    (820, "家", None),
    (9, "家", None),
    (10, "家", None),
    (56, "家", None),
    (5654, "件", None),
    ("1/3", "", "近"),
    (81, "件", None),
    (74, "名", None),
    (59, "个", None),
    (116, "个", None),
    (336, "个", None),
    (200, "个", "余"),
    (70, "项", "多"),
    (300, "个", "余"),
    (100, "万颗", "约"),
    (90, "秒", None),
    (95, "%", None),
    (12, "家", None),
]


@pytest.mark.parametrize(
    ("value", "unit", "qualifier"), FIGURES, ids=[f"{q or ''}{v}{u}" for v, u, q in FIGURES]
)
def test_seed_figure_is_an_indicator(
    report: Report, value: object, unit: str, qualifier: str | None
) -> None:
    ind = has(report, value, unit, qualifier)
    assert ind.label


def test_rankings_and_goal(report: Report) -> None:
    ranks = {i.rank.position: i for i in report.indicators if i.rank is not None}
    assert 32 in ranks and 6 in ranks and 2 in ranks
    assert ranks[32].target == 30


def test_perovskite_records_have_dates(report: Report) -> None:
    dates = {i.date for i in report.indicators if i.date}
    assert {dt.date(2023, 11, 23), dt.date(2023, 11, 30), dt.date(2023, 12, 14)} <= dates


def test_structure(report: Report) -> None:
    assert [(s.title, s.subtitle) for s in report.sections] == [
        ("布局新赛道新领域", "构筑现代化产业体系"),
        ("创新平台加速汇聚", "创新能级稳步提升"),
        ("精心培育企业主体", "创新能力显著增强"),
        ("“最强大脑”纷至沓来", "打造人才汇聚“强磁场”"),
        ("年度大事记", None),
    ]
    for section in report.sections[:4]:  # the seed's themed runs of paragraphs
        assert len(section.subsections) >= 2, section.id
    assert len(report.highlights) == 3
    assert any(q.by == "范斌" for q in report.quotes)
    # The seed gives photo captions but no photos: no figure without an image is kept.
    assert all(f.image for f in report.figures)
    assert report.outlook is not None
    assert len(report.parks) >= 8
    assert report.meta.signature is not None


def test_example_validates_and_lints_clean(report: Report) -> None:
    api.validate(report)
    assert [e.one_line() for e in api.lint(report)] == []


def test_every_indicator_in_narrative_is_formatted_not_typed(report: Report) -> None:
    document = api.resolve(report)
    text = "".join(
        run.text for block in document.blocks for run in getattr(block, "runs", ()) or ()
    )
    for needle in (
        "突破740亿元",
        "第32名",
        "68.5%",
        "近140亿元",
        "140多家",
        "约100万颗",
        "近1/3",
        "居全球第二",
    ):
        assert needle in text, needle


def test_spreadsheet_form_resolves_like_the_yaml_only_form(tmp_path: Path) -> None:
    """Inline the statistics table as YAML indicators: the resolved documents are identical."""
    import shutil

    from ruamel.yaml import YAML

    from khzreport.document import to_plain
    from khzreport.source.spreadsheet import read_indicators

    folder = tmp_path / "yaml-only"
    shutil.copytree(EXAMPLE.parent, folder)
    yaml = YAML(typ="rt")
    yaml.width = 4096
    tree = yaml.load(EXAMPLE.read_text(encoding="utf-8"))
    [entry] = tree.pop("data")
    rows = read_indicators(
        EXAMPLE.parent / entry["file"], display_name=entry["file"], sheet=entry["sheet"]
    )
    for row, _cells in rows:
        tree["indicators"].append(row)
    (folder / "data" / "indicators.xlsx").unlink()
    with (folder / "report.yaml").open("w", encoding="utf-8") as fh:
        yaml.dump(tree, fh)
    for language in ("zh-CN", "en"):
        from_sheet = api.resolve(api.load(EXAMPLE), language=language)
        from_yaml = api.resolve(api.load(folder / "report.yaml"), language=language)
        assert to_plain(from_sheet.blocks) == to_plain(from_yaml.blocks)
        for park in ("life_health_park", "haokang_centre"):
            a = api.resolve(api.load(EXAMPLE), park=park, language=language)
            b = api.resolve(api.load(folder / "report.yaml"), park=park, language=language)
            assert to_plain(a.blocks) == to_plain(b.blocks)


def test_cell_errors_point_at_the_cell(tmp_path: Path) -> None:
    import shutil

    from openpyxl import load_workbook

    from khzreport.errors import KhzReportError

    folder = tmp_path / "broken"
    shutil.copytree(EXAMPLE.parent, folder)
    book = folder / "data" / "indicators.xlsx"
    wb = load_workbook(book)
    ws = wb["指标"]
    headers = [c.value for c in ws[1]]
    value_col = headers.index("数值") + 1
    ws.cell(row=5, column=value_col, value="7,4O0")
    wb.save(book)
    wb.close()
    with pytest.raises(KhzReportError) as info:
        api.load(folder / "report.yaml")
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[value_col - 1]
    assert f"data/indicators.xlsx[指标]!{letter}5" in str(info.value)
    assert "expected a number, got '7,4O0'" in str(info.value)


def test_sheet_does_not_print_a_card_twice_as_a_big_number(report: Report) -> None:
    from khzreport.document import Figure, KpiPanel

    for park in report.parks:
        sheet = api.resolve(report, park=park.id)
        cards = {c.indicator for b in sheet.blocks if isinstance(b, KpiPanel) for c in b.cards}
        for block in sheet.blocks:
            if isinstance(block, Figure) and block.chart and block.chart.kind == "big_number":
                spec = report.chart(block.chart.id)
                assert spec.indicator not in cards or report.indicator(spec.indicator or "").series


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    """Return the example PDF's text as a reader gets it (pdftotext, spaces removed), and the
    build's warnings."""
    import re
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("needs poppler's pdftotext")
    out = tmp_path_factory.mktemp("example")
    result = api.build(EXAMPLE, out, formats="pdf")
    text = subprocess.run(
        ["pdftotext", str(out / "briefing.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", text), result.warnings


def test_the_example_builds_without_a_warning(printed: tuple[str, list[str]]) -> None:
    assert printed[1] == []


@pytest.mark.parametrize("word", ["原文", "推算", "previous", "仅供核对", "其他科技项目"])
def test_no_working_note_is_printed(printed: tuple[str, list[str]], word: str) -> None:
    assert word not in printed[0]


def test_the_seed_wording_is_printed(printed: tuple[str, list[str]]) -> None:
    text = printed[0]
    for line in (
        "昆山高新区，举足轻重的科创产业高地，生机勃勃的发展热土。",
        "奋力谱写现代化建设更加厚实、更有份量、更显光彩的“高新”篇章。",
        "分别突破740亿元、500亿元；",
        "姑苏领才（团队）116个",
        "居全球第二",
        "截至目前",
    ):
        assert line in text, line
    assert "、突破500亿元" not in text  # one 突破 for both, as the seed words it
    assert "姑苏领军" not in text and "全球排名" not in text


def test_no_date_the_seed_does_not_give(printed: tuple[str, list[str]]) -> None:
    assert "2023年12月31日" not in printed[0]


@pytest.mark.parametrize("figure", ["第32名", "18.04%", "26.17%", "26.34%"])
def test_a_figure_is_printed_at_most_three_times(
    printed: tuple[str, list[str]], figure: str
) -> None:
    assert 1 <= printed[0].count(figure) <= 3


def test_references_definitions_and_signature(printed: tuple[str, list[str]]) -> None:
    import re

    text = printed[0]
    assert re.search(r"（见表\d+）", text) and re.search(r"（见图\d+", text)
    assert "注：" in text and "规划建设面积。" in text  # a 口径 the seed states
    assert text.rfind("昆山高新区管委会2024年1月15日") > text.rfind("谱写")  # the 落款
