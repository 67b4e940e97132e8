"""Page composition in the PDF: what floats, what stays whole, what keeps together.

Each test sets blocks so that the page break must fall where a careless layout would go
wrong (inside a table row, after a table's first row, under a figure that does not fit)
and reads the PDF's pages back as text.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from khzreport.document import (
    Block,
    Document,
    DocumentMeta,
    Figure,
    Heading,
    KpiCard,
    KpiPanel,
    Paragraph,
    Run,
    Signature,
    Table,
)
from khzreport.resolver.decisions import decide
from khzreport.theme import Theme
from khzreport.writers.pdf import render_pdf
from tests.support.documents import INDUSTRY_CHART
from tests.support.pdf import fake_chart

FILLER = "昆山高新区坚持创新驱动发展，集聚创新资源，培育创新主体，优化创新生态，" * 4


def document(blocks: list[Block], *, floats: bool = True) -> Document:
    meta = DocumentMeta(
        title="版面测试",
        subtitle=None,
        author="昆山高新区管委会",
        subject="版面",
        language="zh-CN",
        keywords=(),
        date="2024-01-15",
        date_text="2024年1月15日",
        running_header="版面测试",
    )
    theme = Theme()
    return Document(
        meta=meta,
        layout="briefing",
        theme=theme,
        blocks=decide(blocks, theme, float_figures=floats),
    )


def pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """Return each page's text in drawing order (a table cell's lines together), flattened."""
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")[:-1]]


def paragraphs(count: int, mark: str = "") -> list[Block]:
    return [Paragraph((Run(f"{mark}{i}{FILLER}"),)) for i in range(count)]


def table(rows: int) -> Table:
    """A table whose rows each run to three or four lines in the 指标 and 备注 columns."""
    return Table(
        1,
        "表1",
        "主要指标",
        ("指标", "数值", "备注"),
        tuple(
            (
                f"第{i}行指标：省级以上各类创新平台与人才计划项目",
                f"{i}家",
                f"说明{i}：" + "数据来自管委会统计" * (3 + i * 7 % 9),
            )
            for i in range(rows)
        ),
        numeric_columns=(1,),
    )


def test_a_table_row_never_splits_across_pages(tmp_path: Path) -> None:
    shown = pages(render_pdf(document([*paragraphs(3), table(40)]), {}), tmp_path)
    assert len(shown) >= 3
    for row in table(40).rows:
        for cell in (row[0], row[2]):
            assert any(re.sub(r"\s+", "", cell) in page for page in shown), cell


@pytest.mark.parametrize("lead", range(6, 22))
def test_a_table_starts_with_its_caption_header_and_two_rows(lead: int, tmp_path: Path) -> None:
    """The table follows text of growing length, so its start passes the page foot."""
    blocks = [*paragraphs(lead), table(6)]
    shown = pages(render_pdf(document(blocks), {}), tmp_path)
    start = next(n for n, page in enumerate(shown) if "表1主要指标" in page)
    for row in table(6).rows[:2]:
        assert re.sub(r"\s+", "", row[2]) in shown[start]


def test_a_figure_that_does_not_fit_floats_and_the_text_flows_on(tmp_path: Path) -> None:
    figure = Figure(1, "图1", "产业规模", "产业规模", chart=INDUSTRY_CHART)
    blocks: list[Block] = [*paragraphs(6, "前"), figure, *paragraphs(6, "后")]
    charts = {INDUSTRY_CHART.id: fake_chart(INDUSTRY_CHART, 15.5, 12.0)}
    floated = pages(render_pdf(document(blocks), charts), tmp_path)
    kept = pages(render_pdf(document(blocks, floats=False), charts), tmp_path)
    figure_page = next(n for n, page in enumerate(floated) if "图1产业规模" in page)
    assert figure_page == 1
    assert "后0" in floated[0]  # the text after the figure filled the first page
    assert "后0" not in kept[0]  # where the figure is kept in order, the page ends blank


def test_a_kpi_panel_is_never_split_and_floats(tmp_path: Path) -> None:
    cards = tuple(
        KpiCard(f"k{i}", f"指标{i}", "", str(100 + i), "", "家", f"{100 + i}家") for i in range(8)
    )
    blocks = [*paragraphs(7), KpiPanel(cards, "主要指标"), *paragraphs(3, "后")]
    shown = pages(render_pdf(document(blocks), {}), tmp_path)
    (page,) = [n for n, text in enumerate(shown) if "主要指标" in text]
    assert all(f"指标{i}" in shown[page] for i in range(8))
    assert "后0" in shown[0]


@pytest.mark.parametrize("lead", range(10, 20))
def test_the_signature_keeps_the_text_before_it(lead: int, tmp_path: Path) -> None:
    blocks = [
        Heading(1, "结语", None, "sec-end"),
        *paragraphs(lead),
        Signature("昆山高新区管委会", "2024年1月15日"),
    ]
    shown = pages(render_pdf(document(blocks), {}), tmp_path)
    last = shown[-1]
    assert "昆山高新区管委会2024年1月15日" in last
    assert FILLER[:10] in last.split("昆山高新区管委会2024年1月15日")[0]


def test_figures_bound_to_indicators_are_boxed_whole(tmp_path: Path) -> None:
    """A long paragraph full of figures: each prints on one line."""
    runs: list[Run] = []
    for i in range(40):
        runs += [Run("指标" + "达" * (i % 11)), Run(f"近{100 + i}亿元", f"ind{i}"), Run("，")]
    path = tmp_path / "figures.pdf"
    path.write_bytes(render_pdf(document([Paragraph(tuple(runs))]), {}))
    lines = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    flat = [re.sub(r"\s+", "", line) for line in lines]
    for i in range(40):
        assert any(f"近{100 + i}亿元" in line for line in flat), i


def test_a_chapters_floating_figure_is_set_before_the_next_chapter(tmp_path: Path) -> None:
    figure = Figure(1, "图1", "产业规模", "产业规模", chart=INDUSTRY_CHART)
    blocks: list[Block] = [
        *paragraphs(7, "前"),
        figure,
        Heading(1, "第二章标题", None, "sec-next"),
        *paragraphs(2, "后"),
    ]
    charts = {INDUSTRY_CHART.id: fake_chart(INDUSTRY_CHART, 15.5, 12.0)}
    first, second = pages(render_pdf(document(blocks), charts), tmp_path)
    assert "第二章标题" not in first  # the chapter waits for its predecessor's figure
    assert second.index("图1产业规模") < second.rindex("第二章标题")  # (first: running header)


@pytest.mark.parametrize("short", range(0, 40, 8))
def test_the_signature_takes_the_last_lines_of_a_long_paragraph_along(
    short: int, tmp_path: Path
) -> None:
    """A figure floats on the page, and the paragraph before the 落款 is too long to move
    whole: its last lines go over with the 落款."""
    figure = Figure(1, "图1", "产业规模", "产业规模", chart=INDUSTRY_CHART)
    blocks: list[Block] = [
        *paragraphs(2),
        figure,
        Paragraph((Run("短" * short + "。"),)),
        Paragraph((Run("末段" + FILLER * 4 + "末尾"),)),
        Signature("昆山高新区管委会", "2024年1月15日"),
    ]
    charts = {INDUSTRY_CHART.id: fake_chart(INDUSTRY_CHART, 15.5, 7.0)}
    shown = pages(render_pdf(document(blocks), charts), tmp_path)
    last = shown[-1].split("版面测试", 1)[-1]  # after the running header
    assert "昆山高新区管委会2024年1月15日" in last
    assert "末尾" in last and not last.startswith("昆山高新区管委会")


def test_a_short_last_row_of_cards_shares_the_width(tmp_path: Path) -> None:
    """Five cards are 3 + 2; the two of the last row take half the width each, as in Word."""
    cards = tuple(
        KpiCard(f"k{i}", f"指标{i}", "", str(100 + i), "", "家", f"{100 + i}家") for i in range(5)
    )
    path = tmp_path / "cards.pdf"
    path.write_bytes(render_pdf(document([KpiPanel(cards, "主要指标")]), {}))
    words = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = re.findall(r'xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>(10[0-4])<', words)
    centre = {word: (float(x0) + float(x1)) / 2 for x0, x1, word in found}
    page = Theme().page
    left = page.margin_left * 72 / 25.4
    width = (page.width_mm - page.margin_left - page.margin_right) * 72 / 25.4
    assert centre["103"] == pytest.approx(left + width / 4, abs=12)
    assert centre["104"] == pytest.approx(left + width * 3 / 4, abs=12)
