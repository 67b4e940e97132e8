"""English nouns for Chinese counters: 164家国家高新区 is "164 zones" in English, never "164"."""

from __future__ import annotations

from pathlib import Path

import pytest

from khzreport import api
from khzreport.document import KpiPanel, Paragraph
from khzreport.resolver.nouns import counting_noun, singular


@pytest.mark.parametrize(
    ("unit", "label_en", "label", "noun"),
    [
        ("家", "National high-tech zones", "国家高新区", "zones"),
        ("家", None, "国家高新区数量", "zones"),
        ("家", None, "高新技术企业", "firms"),
        ("家", "High-tech enterprise count", "", "firms"),
        ("家", "Innovative SMEs fostered by the Haokang centre", "", "SMEs"),
        ("家", "New Jiangsu provincial enterprise technology centres", "", "centres"),
        ("个", "Science and technology projects registered in the zone", "", "projects"),
        ("项", "Perovskite efficiency world records set by GCL", "", "records"),
        ("项", "Progress awards won by Prof. Lin", "", "awards"),
        ("项", None, "其他", "items"),
        ("件", "Valid invention patents", "", "patents"),
        ("名", "National-level talents", "", "talents"),
        ("人", None, "从业人员", "people"),
        ("万人", None, "常住人口", "people"),
        ("个", None, "科技项目", "projects"),
        ("个", "Count", "数量", None),
        ("万颗", "Daily camera-module shipments", "日出货量", None),
        ("亿元", "Output", "产值", None),
    ],
)
def test_a_counter_finds_its_noun(
    unit: str, label_en: str | None, label: str, noun: str | None
) -> None:
    assert counting_noun(unit, label_en, label) == noun


@pytest.mark.parametrize(
    ("plural", "one"),
    [
        ("firms", "firm"),
        ("laboratories", "laboratory"),
        ("branches", "branch"),
        ("people", "person"),
        ("SMEs", "SME"),
        ("patents per 10,000 people", "patents per 10,000 people"),
    ],
)
def test_a_count_of_one_is_singular(plural: str, one: str) -> None:
    assert singular(plural) == one


SOURCE = """\
meta:
  id: nouns_2023
  title: 名词测试简报
  title_en: Noun test briefing
  issuer: 示例编写组
  issuer_en: Example team
  year: 2023
  date: 2024-03-01
indicators:
  - id: zones
    label: 国家高新区
    label_en: National high-tech zones
    value: 164
    unit: 家
  - id: firms
    label: 高新技术企业
    label_en: High-tech firm count
    value: 1700
    unit: 家
  - id: labs
    label: 重点实验室
    label_en: Key laboratories
    value: 1
    unit: 家
  - id: things
    label: 数量
    label_en: Count
    value: 12
    unit: 个
sections:
  - id: s
    title: 概况
    title_en: Overview
    blocks:
      - paragraph: 共有{{ ind.zones }}、{{ ind.firms }}、{{ ind.labs }}、{{ ind.things }}。
        paragraph_en: >-
          There are {{ ind.zones }}, {{ ind.firms }}, {{ ind.labs }} and {{ ind.things }}.
      - kpi: [zones, firms]
"""


def test_english_counts_keep_their_nouns_and_chinese_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "report.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    report = api.load(path)
    english = api.resolve(report, language="en")
    [paragraph] = [b for b in english.blocks if isinstance(b, Paragraph)]
    assert paragraph.text == "There are 164 zones, 1,700 firms, 1 laboratory and 12."
    [panel] = [b for b in english.blocks if isinstance(b, KpiPanel)]
    assert [(c.number, c.unit) for c in panel.cards] == [("164", "zones"), ("1,700", "firms")]
    [warning] = [d for d in english.diagnostics if d.code == "english-count-noun"]
    assert "'things'" in warning.message and "个" in warning.message
    assert warning.location is not None
    assert (warning.location.line, warning.location.path) == (25, "indicators[3].unit_en")
    chinese = api.resolve(report)
    [paragraph] = [b for b in chinese.blocks if isinstance(b, Paragraph)]
    assert paragraph.text == "共有164家、1700家、1家、12个。"
    assert not [d for d in chinese.diagnostics if d.code == "english-count-noun"]
