"""A small valid report source as plain data, and the paths into it tests may mutate.

The source uses each kind of figure and block a briefing prints (a qualifier, growth, a
range, a rank, a series, a fraction, KPI cards, a table, a chart, English texts, a park),
so a mutation of any of its fields reaches a writer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Path_ = tuple[str | int, ...]


def small_source() -> dict[str, Any]:
    """Return a small valid source, fresh each call (callers mutate it)."""
    return {
        "meta": {
            "id": "small_2023",
            "title": "示范区2023年发展简报",
            "title_en": "Demo zone 2023",
            "subtitle": "稳中有进",
            "issuer": "示范区管委会",
            "issuer_en": "Demo zone committee",
            "year": 2023,
            "date": "2024-03-01",
        },
        "indicators": [
            {
                "id": "output",
                "label": "规上工业总产值",
                "label_en": "Industrial output",
                "short_label": "产值",
                "value": 1234.5,
                "unit": "亿元",
                "qualifier": "超",
                "previous": 1100,
                "source": "示范区统计局",
            },
            {
                "id": "firms",
                "label": "高新技术企业",
                "label_en": "High-tech firms",
                "value": 820,
                "unit": "家",
                "unit_en": "firms",
                "growth": 6.38,
                "growth_kind": "名义",
            },
            {"id": "share", "label": "研发占比", "label_en": "R&D share", "value": "1/3"},
            {
                "id": "rate",
                "label": "研发强度",
                "label_en": "R&D intensity",
                "value_min": 17,
                "value_max": 20,
                "unit": "%",
            },
            {
                "id": "rank",
                "label": "综合排名",
                "label_en": "Rank",
                "rank": {"position": 32, "of": 178, "list": "国家高新区", "previous": 35},
            },
            {
                "id": "trend",
                "label": "地区生产总值",
                "label_en": "GDP",
                "unit": "亿元",
                "series": {"2021": 100, "2022": 120.5, "2023": 140},
            },
        ],
        "charts": [
            {
                "id": "scale",
                "kind": "bar",
                "title": "规模",
                "title_en": "Scale",
                "indicators": ["output", "trend"],
                "unit": "亿元",
                "unit_en": "RMB 100 million",
            },
            {
                "id": "gdp",
                "kind": "line",
                "title": "地区生产总值",
                "title_en": "GDP",
                "series": [{"indicator": "trend"}],
            },
        ],
        "kpis": ["output", "firms", "rank"],
        "sections": [
            {
                "id": "economy",
                "title": "经济运行",
                "title_en": "Economy",
                "subtitle": "稳中有进",
                "blocks": [
                    {
                        "paragraph": "全区规上工业总产值{{ ind.output }}，{{ ind.output | growth }}；"
                        "高新技术企业{{ ind.firms }}，研发占比{{ ind.share | fraction }}，"
                        "强度{{ ind.rate }}。",
                        "paragraph_en": "Output was {{ ind.output }}, {{ ind.output | growth }}; "
                        "there were {{ ind.firms }}.",
                    },
                    {
                        "table": {
                            "title": "主要指标",
                            "title_en": "Key figures",
                            "rows": ["output", "firms", "rate", "rank"],
                            "columns": ["label", "value", "growth"],
                        }
                    },
                    {"chart": "scale"},
                    {"chart": "gdp"},
                    {"kpi": ["firms", "rate"], "title": "创新", "title_en": "Innovation"},
                ],
            }
        ],
        "parks": [
            {
                "id": "park_a",
                "name": "示范产业园",
                "name_en": "Demo park",
                "kind": "产业园",
                "kind_en": "Industrial park",
                "positioning": "产值{{ ind.output }}",
                "indicators": ["firms"],
            }
        ],
    }


TEXT_PATHS: list[Path_] = [
    ("meta", "title"),
    ("meta", "title_en"),
    ("meta", "subtitle"),
    ("meta", "issuer"),
    ("indicators", 0, "label"),
    ("indicators", 0, "label_en"),
    ("indicators", 0, "short_label"),
    ("indicators", 0, "source"),
    ("indicators", 1, "label"),
    ("indicators", 1, "unit_en"),
    ("indicators", 4, "rank", "list"),
    ("charts", 0, "title"),
    ("charts", 0, "unit_en"),
    ("sections", 0, "title"),
    ("sections", 0, "subtitle"),
    ("sections", 0, "blocks", 0, "paragraph"),
    ("sections", 0, "blocks", 0, "paragraph_en"),
    ("sections", 0, "blocks", 1, "table", "title"),
    ("sections", 0, "blocks", 4, "title"),
    ("parks", 0, "name"),
    ("parks", 0, "positioning"),
]
"""Printed texts: titles, labels, narrative, a source line, a park's name."""

NUMBER_PATHS: list[Path_] = [
    ("indicators", 0, "value"),
    ("indicators", 0, "previous"),
    ("indicators", 1, "value"),
    ("indicators", 1, "growth"),
    ("indicators", 3, "value_min"),
    ("indicators", 3, "value_max"),
    ("indicators", 4, "rank", "position"),
    ("indicators", 4, "rank", "of"),
    ("indicators", 5, "series", "2022"),
    ("meta", "year"),
]
"""Figures: values, a previous value, a growth rate, a range's ends, a rank, a series point."""

OPTIONAL_PATHS: list[Path_] = [
    ("meta", "title_en"),
    ("meta", "subtitle"),
    ("indicators", 0, "qualifier"),
    ("indicators", 0, "previous"),
    ("indicators", 0, "short_label"),
    ("indicators", 0, "source"),
    ("indicators", 1, "unit_en"),
    ("indicators", 1, "growth"),
    ("indicators", 4, "rank", "previous"),
    ("charts", 0, "unit_en"),
    ("sections", 0, "subtitle"),
    ("sections", 0, "blocks", 0, "paragraph_en"),
    ("kpis",),
    ("parks", 0, "positioning"),
]
"""Keys a source may leave out."""


def write_source(folder: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` as ``report.yaml`` in JSON form (valid YAML 1.2) and return its path.

    JSON escapes reach the reader as YAML escapes, so control characters and lone surrogates
    are refused where they stand rather than lost on the way.
    """
    path = folder / "report.yaml"
    path.write_text(json.dumps(data, ensure_ascii=True, indent=1), encoding="utf-8")
    return path
