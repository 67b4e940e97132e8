"""A hand-built resolved document with every block type, for writer tests.

Writers are tested against this before and besides the real example, so each block type
is covered even if the example stops using it.
"""

from __future__ import annotations

from khzreport.document import (
    Callout,
    ChartData,
    ChartPoint,
    ChartSeries,
    Cover,
    Distribution,
    Document,
    DocumentMeta,
    Facts,
    Figure,
    Heading,
    KpiCard,
    KpiPanel,
    Masthead,
    PageBreak,
    Paragraph,
    Quote,
    Run,
    Table,
    Tags,
    Toc,
    TocEntry,
)
from khzreport.resolver.decisions import decide
from khzreport.theme import Theme

INDUSTRY_CHART = ChartData(
    id="industry_scale",
    kind="bar",
    title="“2+2+3”产业体系主要产业规模",
    categories=("电子信息", "高端装备", "先进计算"),
    series=(
        ChartSeries(
            name=None,
            points=(
                ChartPoint("电子信息", 740.0, "突破740亿元"),
                ChartPoint("高端装备", 500.0, "突破500亿元"),
                ChartPoint("先进计算", 140.0, "近140亿元"),
            ),
            unit="亿元",
        ),
    ),
    unit_line="单位：亿元",
)


def sample_document(
    theme: Theme | None = None, *, masthead: bool = True, image: str | None = None
) -> Document:
    """Return a small briefing that uses every block type once or more.

    ``image`` is the absolute path of a photo for the image figure (see ``sample_photo``).
    """
    theme = theme or Theme()
    opening = (
        Masthead("昆山高新区发展简报", "第1期", "昆山高新区管委会", "2024年1月15日")
        if masthead
        else Cover(
            "昆山高新区2023年度发展简报", "科创引领 产业攀升", "昆山高新区管委会", "2024年1月15日"
        )
    )
    blocks = (
        opening,
        Toc(
            "目录",
            (
                TocEntry(1, "布局新赛道新领域", "sec-industry"),
                TocEntry(1, "创新平台加速汇聚", "sec-platforms"),
            ),
        ),
        Paragraph(
            (
                Run("2023年，昆山高新区电子信息、装备制造两大主导产业集群规模分别"),
                Run("突破740亿元", "cluster_electronics"),
                Run("、"),
                Run("500亿元", "cluster_equipment"),
                Run("。"),
            ),
            style="lead",
        ),
        KpiPanel(
            (
                KpiCard(
                    "cluster_electronics",
                    "电子信息产业集群规模",
                    "突破",
                    "740",
                    "",
                    "亿元",
                    "突破740亿元",
                ),
                KpiCard(
                    "national_rank",
                    "国家高新区综合评价",
                    "",
                    "第32名",
                    "",
                    "",
                    "第32名",
                    "较上年上升3位",
                    "up",
                ),
                KpiCard(
                    "hitech_share",
                    "高新技术产业产值占比",
                    "",
                    "68.5",
                    "",
                    "%",
                    "68.5%",
                    "提高1.2个百分点",
                    "up",
                ),
                KpiCard("invention_patents", "有效发明专利", "", "5654", "", "件", "5654件"),
            ),
            title="2023年主要指标",
        ),
        Callout(
            (
                Run("每90秒可组装一台高端整机产品，生产线自动化率达"),
                Run("95%", "automation"),
                Run("。"),
            ),
            title="中科可控智能产线",
        ),
        Heading(1, "布局新赛道新领域", "构筑现代化产业体系", "sec-industry", ""),
        Paragraph(
            (
                Run("布局新赛道，方能制胜未来。先进计算产业2023年产值"),
                Run("近140亿元", "ac_output"),
                Run("。"),
            )
            * 1
        ),
        Figure(
            1,
            "图1",
            "“2+2+3”产业体系主要产业规模",
            "柱状图：电子信息突破740亿元；高端装备突破500亿元；先进计算近140亿元",
            "资料来源：昆山高新区管委会",
            chart=INDUSTRY_CHART,
        ),
        Table(
            1,
            "表1",
            "科技项目落户情况",
            ("类别", "数量"),
            (
                ("人才类项目", "82个"),
                ("平台类项目", "5个"),
                ("产业化项目", "133个"),
                ("合计", "305个"),
            ),
            unit_line="单位：个",
            source="资料来源：昆山高新区管委会",
            numeric_columns=(1,),
        ),
        Quote(
            (
                Run(
                    "随着国产钙钛矿光伏技术加快成熟落地，将持续巩固我国光伏产业的领先地位，有力保障能源安全。"
                ),
            ),
            "——范斌，昆山协鑫光电材料有限公司董事长",
        ),
        PageBreak(),
        Heading(1, "创新平台加速汇聚", "创新能级稳步提升", "sec-platforms", ""),
        Heading(2, "皓康科技创业服务中心", None, "sec-platforms-1", ""),
        Tags("主导产业", ("电子信息", "高端装备", "先进计算")),
        Facts((("类型", "科创载体"), ("成立", "2013年"), ("占地", "27亩"))),
        *(
            (Figure(2, "图2", "协鑫光电", "协鑫光电钙钛矿组件生产线", None, image=image),)
            if image
            else ()
        ),
        Distribution(
            (
                ("报送", "昆山市委、市政府"),
                ("抄送：", "区各部门、各园区"),
                ("印发：", "昆山高新区党政办公室　2024年1月15日印发"),
            )
        ),
    )
    meta = DocumentMeta(
        title="昆山高新区2023年度发展简报",
        subtitle="科创引领 产业攀升",
        author="昆山高新区管委会",
        subject="2023年度发展简报",
        language="zh-CN",
        keywords=("昆山高新区", "年度报告"),
        date="2024-01-15",
        date_text="2024年1月15日",
        running_header="昆山高新区2023年度发展简报",
        footer_note=None,
    )
    return Document(
        meta=meta, layout="briefing", theme=theme, blocks=decide(blocks, theme), name="briefing"
    )


def sample_photo(folder: str) -> str:
    """Write a small deterministic JPEG photo stand-in into ``folder`` and return its path."""
    from pathlib import Path

    from PIL import Image, ImageDraw

    path = Path(folder) / "photo.jpg"
    img = Image.new("RGB", (800, 500), "#9DC3E6")
    draw = ImageDraw.Draw(img)
    for i in range(0, 800, 40):
        draw.rectangle([i, 300 - i // 4, i + 30, 500], fill="#1F4E79")
    img.save(path, "JPEG", quality=85)
    return str(path)


def grid_document(theme: Theme | None = None) -> Document:
    """Return a briefing whose layout decisions matter: a 9-card and a 5-card KPI panel, a
    chart figure and a 3-column table, decided as a layout decides them.

    Card labels are ``alpha1``… and ``beta1``…, single words a PDF text extraction finds.
    """
    theme = theme or Theme()

    def cards(name: str, count: int) -> tuple[KpiCard, ...]:
        return tuple(
            KpiCard(f"{name}{i}", f"{name}{i}", "", str(10 * i), "", "亿元", f"{10 * i}亿元")
            for i in range(1, count + 1)
        )

    blocks = (
        Heading(1, "主要指标", None, "sec-kpis", ""),
        KpiPanel(cards("alpha", 9), title="九项指标"),
        KpiPanel(cards("beta", 5), title="五项指标"),
        Figure(
            1,
            "图1",
            "主要产业规模",
            "柱状图：电子信息突破740亿元",
            "资料来源：昆山高新区管委会",
            chart=INDUSTRY_CHART,
        ),
        Table(
            1,
            "表1",
            "重点园区情况",
            ("园区", "产值", "主导产业"),
            (
                ("光电产业园", "140亿元", "光电显示、半导体材料、新型显示面板与配套"),
                ("机器人产业园", "98亿元", "工业机器人、智能装备、核心零部件"),
            ),
            unit_line="单位：亿元",
            numeric_columns=(1,),
        ),
    )
    meta = DocumentMeta(
        title="昆山高新区指标",
        subtitle=None,
        author="昆山高新区管委会",
        subject="指标",
        language="zh-CN",
        keywords=(),
        date="2024-01-15",
        date_text="2024年1月15日",
        running_header="昆山高新区指标",
    )
    return Document(
        meta=meta, layout="briefing", theme=theme, blocks=decide(blocks, theme), name="grid"
    )
