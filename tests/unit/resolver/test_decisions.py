"""The layout decisions every writer reads: KPI grid, table columns, figure size."""

from __future__ import annotations

import pytest

from khzreport.document import Callout, Cover, Figure, Heading, KpiCard, KpiPanel, Paragraph, Run
from khzreport.resolver.decisions import decide, figure_size, kpi_grid, table_columns, text_width_mm
from khzreport.theme import Theme


@pytest.mark.parametrize(
    ("count", "grid"),
    [(1, (1, 1)), (3, (3, 1)), (4, (4, 1)), (5, (3, 2)), (6, (3, 2)), (8, (4, 2)), (9, (3, 3))],
)
def test_kpi_rows_are_balanced_with_at_most_four_cards(count: int, grid: tuple[int, int]) -> None:
    assert kpi_grid(count) == grid


def test_short_columns_keep_their_width_and_long_ones_share_the_rest() -> None:
    long_text = "光电显示、半导体材料、新型显示面板与配套、" * 3
    widths, align = table_columns(
        ("园区", "产值", "主导产业"), [("光电产业园", "140亿元", long_text)], (1,), Theme()
    )
    assert sum(widths) == pytest.approx(1)
    assert widths[2] > widths[0] > widths[1]
    assert align == ("left", "right", "left")


def test_figure_width_is_its_share_of_the_text_width() -> None:
    theme = Theme()
    photo = Figure(1, "图1", "照片", "照片", image="/x.png", width="half")
    width, height = figure_size(photo, theme)
    assert width == pytest.approx(text_width_mm(theme) / 20, abs=1e-3)
    assert height == 9.0


def test_long_text_columns_share_the_rest_by_how_much_they_hold() -> None:
    name = "高新技术产业产值占规模以上工业总产值比重"
    source = "昆山高新区管委会经济发展局"
    note = "与人才类、平台类、产业化三类交叉，不是其并列分项；" * 4
    theme = Theme.preset("gov")
    widths, _ = table_columns(("指标", "数值", "来源"), [(name, "68.5%", source)] * 3, [1], theme)
    assert widths[0] > widths[2] > widths[1]  # the names get more room than the source
    widths, _ = table_columns(("指标", "数值", "备注"), [(name, "68.5%", note)] * 3, [1], theme)
    total = text_width_mm(theme) * 72 / 25.4
    assert widths[0] * total > 9 * 12  # a long note does not crush the names
    assert widths[2] > widths[0]


def test_figures_and_panels_float_only_where_the_layout_lets_them() -> None:
    from khzreport.document import KpiCard, KpiPanel
    from khzreport.resolver.decisions import decide

    card = KpiCard("k", "指标", "", "8", "", "家", "8家")
    figure = Figure(1, "图1", "照片", "照片", image="/x.png")
    title = Cover("简报", None, "管委会", "2024年1月15日")
    chapter = Heading(1, "总体情况", None, "s1")
    blocks = [figure, title, KpiPanel((card,)), chapter, figure, KpiPanel((card,))]
    floating = decide(blocks, Theme(), float_figures=True)
    placements = [getattr(b, "placement", None) for b in floating]
    # the headline panel under the title would float to the top of the page, beside it
    assert placements == ["float", None, "here", None, "float", "float"]
    kept = [getattr(b, "placement", None) for b in decide(blocks, Theme())]
    assert kept == ["here", None, "here", None, "here", "here"]


def test_the_text_before_the_signature_keeps_with_it() -> None:
    from khzreport.document import Attachments, Paragraph, Run, Signature
    from khzreport.resolver.decisions import decide

    blocks = [
        Paragraph((Run("正文"),)),
        Paragraph((Run("结尾"),)),
        Attachments("附件：", ("园区名录",)),
        Signature("昆山高新区管委会", "2024年1月15日"),
    ]
    kept = [b.keep_with_next for b in decide(blocks, Theme())]
    assert kept == [False, True, True, False]


def test_a_gov_theme_sets_cards_and_boxes_as_plain_paragraphs() -> None:
    card = KpiCard("firms", "高新技术企业", "", "820", "", "家", "820家", "比上年增长5%")
    panel = KpiPanel((card, KpiCard("rank", "排名", "第", "32", "", "名", "第32名")), "主要指标")
    callout = Callout((Run("正文。"),), "刷新纪录")
    english = KpiPanel(
        (KpiCard("gdp", "Output", "", "74", "", "billion", "RMB 74 billion"),), "Key"
    )
    blocks = decide([panel, callout, english], Theme.preset("gov"))
    assert all(isinstance(b, Paragraph) for b in blocks)
    texts = [b.text for b in blocks if isinstance(b, Paragraph)]
    assert texts == [
        "主要指标：高新技术企业820家（比上年增长5%）；排名第32名。",
        "刷新纪录。正文。",
        "Key: Output RMB 74 billion.",
    ]
    assert blocks[0].runs[0].strong and blocks[1].runs[0].strong  # type: ignore[union-attr]
    kept = decide([panel, callout], Theme())
    assert [type(b) for b in kept] == [KpiPanel, Callout]


def test_a_timeline_is_kept_on_one_page_only_when_it_is_short() -> None:
    from khzreport.document import Run, Timeline, TimelineEvent
    from khzreport.resolver.decisions import decide

    event = TimelineEvent(
        "2023年8月22日", (Run("研发总部二期项目封顶仪式举行，标志着项目建设取得阶段性成果。"),)
    )
    short = Timeline("大事记", (event,) * 4)
    long = Timeline("大事记", (event,) * 30)
    assert [b.keep_together for b in decide([short, long], Theme())] == [True, False]
