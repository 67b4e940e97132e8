"""Chart data built by hand for every chart kind (the resolver's job in real builds).

It restates figures of the Kunshan 2023 briefing plus awkward cases: long Chinese category
names, a negative growth rate, a missing year, labels that look like mathtext.
"""

from __future__ import annotations

from khzreport.document import ChartData, ChartPoint, ChartSeries, Document, DocumentMeta, Figure
from khzreport.resolver.decisions import decide
from khzreport.theme import Theme

THEME = Theme()


def series(name: str | None, unit: str, rows: list[tuple[str, float | None, str]]) -> ChartSeries:
    return ChartSeries(name, tuple(ChartPoint(c, v, lb) for c, v, lb in rows), unit)


def bar() -> ChartData:
    rows = [
        ("电子信息", 742.0, "突破740亿元"),
        ("高端装备", 503.0, "突破500亿元"),
        ("新材料", 138.6, "近140亿元"),
        ("生物医药", 61.2, "超60亿元"),
        ("新能源", None, "—"),
    ]
    return ChartData(
        id="clusters",
        kind="bar",
        title="主导产业集群规模",
        categories=tuple(r[0] for r in rows),
        series=(series(None, "亿元", rows),),
        unit_line="单位：亿元",
        notes=("新能源产业2023年数据缺失",),
    )


def bar_long_labels() -> ChartData:
    rows = [
        ("昆山高新区电子信息产业集群", 742.0, "突破740亿元"),
        ("高端装备制造产业集群", 503.0, "突破500亿元"),
        ("光电材料与新型显示产业", 138.6, "近140亿元"),
        ("生物医药及医疗器械产业", 61.2, "超60亿元"),
        ("先进计算创新型产业集群", 95.0, "约95亿元"),
        ("人工智能与数字经济产业", 48.5, "48.5亿元"),
    ]
    return ChartData(
        id="clusters-long",
        kind="bar",
        title="产业集群规模",
        categories=tuple(r[0] for r in rows),
        series=(series(None, "亿元", rows),),
        unit_line="单位：亿元",
    )


def bar_negative() -> ChartData:
    rows = [
        ("工业总产值", 6.8, "6.8%"),
        ("规上工业增加值", 7.4, "7.4%"),
        ("固定资产投资", -3.2, "-3.2%"),
        ("实际使用外资", -12.5, "-12.5%"),
        ("进出口总额", 2.1, "2.1%"),
    ]
    return ChartData(
        id="growth",
        kind="bar",
        title="主要指标增速",
        categories=tuple(r[0] for r in rows),
        series=(series(None, "%", rows),),
        unit_line="单位：%",
    )


def ranking() -> ChartData:
    rows = [
        ("国家高新区综合评价", 32.0, "第32名"),
        ("江苏省高新区综合评价", 6.0, "第6名"),
        ("全国县域高新区", 1.0, "第1名"),
        ("国家高新区知识产权指数", 41.0, "第41名"),
    ]
    return ChartData(
        id="ranks",
        kind="ranking",
        title="综合评价排名",
        categories=tuple(r[0] for r in rows),
        series=(series(None, "名", rows),),
    )


def ranking_of_lists() -> ChartData:
    """Ranks that know the size of their lists (rank.of): each is drawn among its own list."""
    points = (
        ChartPoint("国家高新区综合评价", 32.0, "第32名", "rank_national", 178.0),
        ChartPoint("江苏省高新区综合评价", 6.0, "第6名", "rank_provincial", 10.0),
        ChartPoint("全球摄像头模组出货量", 2.0, "第2名", "qiutai_rank", 50.0),
    )
    return ChartData(
        id="ranks-of",
        kind="ranking",
        title="综合评价排名",
        categories=tuple(p.category for p in points),
        series=(ChartSeries(None, points, "名"),),
    )


def ranking_values() -> ChartData:
    rows = [
        ("昆山协鑫光电材料有限公司", 12.5, "超12亿元"),
        ("好孩子集团", 58.0, "近60亿元"),
        ("国显光电", 86.2, "86.2亿元"),
        ("龙腾光电", 41.0, "41亿元"),
        ("仁宝信息", 230.0, "突破230亿元"),
    ]
    return ChartData(
        id="top-firms",
        kind="ranking",
        title="重点企业产值",
        categories=tuple(r[0] for r in rows),
        series=(series(None, "亿元", rows),),
        unit_line="单位：亿元",
    )


def grouped_bar() -> ChartData:
    cats = ("高新技术企业", "科技型中小企业", "瞪羚企业", "专精特新企业")
    a = [
        (cats[0], 265.0, "265家"),
        (cats[1], 512.0, "512家"),
        (cats[2], 72.0, "72家"),
        (cats[3], 58.0, "58家"),
    ]
    b = [
        (cats[0], 305.0, "305家"),
        (cats[1], 608.0, "608家"),
        (cats[2], 82.0, "82家"),
        (cats[3], 76.0, "76家"),
    ]
    return ChartData(
        id="firms",
        kind="grouped_bar",
        title="创新主体数量",
        categories=cats,
        series=(series("2022年", "家", a), series("2023年", "家", b)),
        unit_line="单位：家",
    )


def stacked_bar() -> ChartData:
    cats = ("2020年", "2021年", "2022年", "2023年")
    inv = [
        (cats[0], 120.0, "120亿元"),
        (cats[1], 135.0, "135亿元"),
        (cats[2], 150.0, "150亿元"),
        (cats[3], 171.0, "171亿元"),
    ]
    ind = [
        (cats[0], 80.0, "80亿元"),
        (cats[1], 95.0, "95亿元"),
        (cats[2], 88.0, "88亿元"),
        (cats[3], 102.0, "约102亿元"),
    ]
    oth = [
        (cats[0], 30.0, "30亿元"),
        (cats[1], 12.0, "12亿元"),
        (cats[2], 41.0, "41亿元"),
        (cats[3], 45.0, "45亿元"),
    ]
    return ChartData(
        id="investment",
        kind="stacked_bar",
        title="固定资产投资构成",
        categories=cats,
        series=(
            series("工业投资", "亿元", inv),
            series("基础设施投资", "亿元", ind),
            series("其他", "亿元", oth),
        ),
        unit_line="单位：亿元",
    )


def line() -> ChartData:
    cats = ("2019年", "2020年", "2021年", "2022年", "2023年")
    gdp = [
        (cats[0], 980.0, "980亿元"),
        (cats[1], 1030.0, "1030亿元"),
        (cats[2], None, "—"),
        (cats[3], 1180.0, "1180亿元"),
        (cats[4], 1260.0, "近1260亿元"),
    ]
    ind = [
        (cats[0], 620.0, "620亿元"),
        (cats[1], 655.0, "655亿元"),
        (cats[2], 700.0, "700亿元"),
        (cats[3], 742.0, "突破740亿元"),
        (cats[4], 760.0, "760亿元"),
    ]
    return ChartData(
        id="gdp",
        kind="line",
        title="地区生产总值与工业产值",
        categories=cats,
        series=(series("地区生产总值", "亿元", gdp), series("工业产值", "亿元", ind)),
        unit_line="单位：亿元",
    )


def combo() -> ChartData:
    cats = ("2019年", "2020年", "2021年", "2022年", "2023年")
    out = [
        (cats[0], 520.0, "520亿元"),
        (cats[1], 560.0, "560亿元"),
        (cats[2], 640.0, "640亿元"),
        (cats[3], 700.0, "700亿元"),
        (cats[4], 742.0, "突破740亿元"),
    ]
    growth = [
        (cats[0], 4.1, "4.1%"),
        (cats[1], 7.7, "7.7%"),
        (cats[2], 14.3, "14.3%"),
        (cats[3], -2.5, "-2.5%"),
        (cats[4], 6.0, "6.0%"),
    ]
    return ChartData(
        id="electronics",
        kind="combo",
        title="电子信息产业产值及增速",
        categories=cats,
        series=(series("产值", "亿元", out),),
        unit_line="单位：亿元",
        secondary=series("同比增长", "%", growth),
        secondary_unit_line="单位：%",
    )


def donut() -> ChartData:
    rows = [
        ("高新技术企业", 305.0, "305家"),
        ("瞪羚企业", 82.0, "82家"),
        ("专精特新“小巨人”企业", 12.0, "12家"),
        ("省级专精特新中小企业", 64.0, "64家"),
        ("独角兽企业", 2.0, "2家"),
    ]
    return ChartData(
        id="firm-mix",
        kind="donut",
        title="创新型企业构成",
        categories=tuple(r[0] for r in rows),
        series=(series(None, "家", rows),),
    )


def big_number() -> ChartData:
    cats = ("2019年", "2020年", "2021年", "2022年", "2023年")
    rows = [
        (cats[0], 101.0, "101亿元"),
        (cats[1], 112.0, "112亿元"),
        (cats[2], 121.0, "121亿元"),
        (cats[3], 133.0, "133亿元"),
        (cats[4], 138.6, "近140亿元"),
    ]
    return ChartData(
        id="materials",
        kind="big_number",
        title="新材料产业产值",
        categories=cats,
        series=(series(None, "亿元", rows),),
    )


def big_number_single() -> ChartData:
    return ChartData(
        id="rank-card",
        kind="big_number",
        title="国家高新区综合评价",
        categories=("2023年",),
        series=(series(None, "名", [("2023年", 32.0, "第32名")]),),
    )


def literal_labels() -> ChartData:
    rows = [("$x^2$", 3.0, "$x^2$亿元"), ("C:\\path", 5.0, "C:\\path"), ("a\\$b", 2.0, "50%")]
    return ChartData(
        id="literal",
        kind="bar",
        title="$E=mc^2$",
        categories=tuple(r[0] for r in rows),
        series=(series(None, "亿元", rows),),
        unit_line="单位：亿元",
    )


SAMPLES = {
    "bar": bar,
    "bar_long_labels": bar_long_labels,
    "bar_negative": bar_negative,
    "ranking": ranking,
    "ranking_values": ranking_values,
    "grouped_bar": grouped_bar,
    "stacked_bar": stacked_bar,
    "line": line,
    "combo": combo,
    "donut": donut,
    "big_number": big_number,
    "big_number_single": big_number_single,
    "literal_labels": literal_labels,
}


def gallery_document(theme: Theme | None = None, layout: str = "briefing") -> Document:
    """Return a document with one figure per chart sample, each with caption and source."""
    theme = theme or THEME
    blocks = tuple(
        Figure(
            n,
            f"图{n}",
            make().title,
            f"{make().title}的图表",
            "资料来源：昆山高新区管委会",
            chart=make(),
        )
        for n, make in enumerate(SAMPLES.values(), start=1)
    )
    meta = DocumentMeta(
        title="图表样例",
        subtitle=None,
        author="昆山高新区管委会",
        subject="图表样例",
        language="zh-CN",
        keywords=(),
        date="2024-01-15",
        date_text="2024年1月15日",
        running_header="图表样例",
    )
    return Document(
        meta=meta,
        layout=layout,  # type: ignore[arg-type]
        theme=theme,
        blocks=decide(blocks, theme),
        name="gallery",
    )
