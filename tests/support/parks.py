"""Reports with one park of a chosen density, for tests of the park sheet's layout."""

from __future__ import annotations

from typing import Any, Literal

from khzreport.model import Report

Density = Literal["sparse", "medium", "rich"]

_LEAD = (
    "{{ meta.year }}年，示范高新区坚持创新驱动，电子信息产业集群规模{{ ind.cluster }}，"
    "高新技术企业{{ ind.hte }}，在全国高新区综合评价中排名{{ ind.rank }}。"
)


_LONG = (
    "园区聚焦高端服务器生产和工业软件研发等重点赛道，打造综合算力平台和应用支持平台两大服务平台，"
    "前瞻布局量子计算、类脑计算等前沿领域，构建先进计算产业发展体系。集群已有省级以上各类创新平"
    "台{{ ind.p_platforms }}、省级以上各类人才计划{{ ind.p_talent }}，{{ meta.year }}年产值"
    "{{ ind.p_output }}。"
)


def _indicator(ident: str, label: str, value: float, unit: str, **more: Any) -> dict[str, Any]:
    return {"id": ident, "label": label, "value": value, "unit": unit, "period": 2023, **more}


def park_report(density: Density) -> Report:
    """Return a report of a zone with one park ``p`` that has little, some or much of its own.

    sparse: a name and a kind; medium: positioning, area, two figures, industries and two
    sentences; rich: all that with five figures, enterprises, a long narrative and a chart.
    The zone has a lead, headline figures and a second park of the same kind.
    """
    indicators = [
        _indicator("cluster", "电子信息产业集群规模", 740, "亿元", qualifier="突破"),
        _indicator("hte", "有效高新技术企业", 820, "家"),
        _indicator("rank", "全国高新区综合排名", 32, "名"),
        _indicator("share", "高新技术产业产值占比", 68.5, "%"),
        _indicator("p_area", "园区规划面积", 941, "亩"),
        _indicator("p_firms", "园区企业", 140, "家", qualifier="多"),
        _indicator("p_output", "园区产值", 140, "亿元", qualifier="近"),
        _indicator("p_platforms", "省级以上创新平台", 89, "个"),
        _indicator("p_talent", "省级以上人才计划", 294, "项"),
        _indicator("p_patents", "授权专利", 91, "件"),
    ]
    park: dict[str, Any] = {"id": "p", "name": "示范产业园", "kind": "特色专业园区"}
    if density != "sparse":
        park.update(
            positioning="区域先进制造业核心集聚区",
            area="p_area",
            indicators=["p_area", "p_firms", "p_output"],
            leading_industries=["高端装备", "工业软件"],
            key_enterprises=["甲科技", "乙制造"],
            narrative=_LONG + "\n\n目前聚集企业{{ ind.p_firms }}，产值{{ ind.p_output }}。",
        )
    if density == "rich":
        park.update(
            founded=2012,
            indicators=["p_area", "p_firms", "p_output", "p_platforms", "p_talent", "p_patents"],
            leading_industries=["高端装备", "工业软件", "量子计算", "类脑计算"],
            key_enterprises=["甲科技", "乙制造", "丙软件", "丁装备"],
            narrative="\n\n".join([_LONG] * 2),
            chart="c_output",
        )
    data: dict[str, Any] = {
        "meta": {
            "id": "demo",
            "title": "示范高新区2023年度发展简报",
            "issuer": "示范高新区管委会",
            "year": 2023,
            "date": "2024-01-15",
        },
        "lead": _LEAD,
        "kpis": ["cluster", "hte", "rank", "share"],
        "indicators": indicators,
        "charts": [
            {
                "id": "c_output",
                "kind": "bar",
                "title": "园区主要指标",
                "indicators": ["p_platforms", "p_talent", "p_patents"],
            }
        ],
        "sections": [
            {
                "id": "s1",
                "title": "产业发展",
                "blocks": [
                    {
                        "paragraph": "此外，示范高新区还规划建设示范产业园、样板产业园等特色专业园区。"
                    }
                ],
            }
        ],
        "parks": [park, {"id": "q", "name": "样板产业园", "kind": "特色专业园区"}],
    }
    return Report.model_validate(data)
