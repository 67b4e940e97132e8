"""The reporting period (``meta.period``) heads the headline KPI panel and fills the period
column of tables, so figures for part of a year are never labelled as the whole year's."""

from __future__ import annotations

from pathlib import Path

import pytest

from khzreport import api
from khzreport.document import KpiPanel, Table

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"

TABLE = """\
      - table:
          title: 主要指标
          rows: [output, firms]
          columns: [label, value, period]
"""


def source(tmp_path: Path, meta: str = "", top: str = "") -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("  date: 2024-01-15\n", f"  date: 2024-01-15\n{meta}")
    text = text.replace(
        "indicators:\n  - id: output", f"{top}kpis: [output, firms]\nindicators:\n  - id: output", 1
    )
    text = text.replace("      - chart: scale\n", "      - chart: scale\n" + TABLE)
    text = text.replace("    value: 820\n", "    value: 820\n    period: 2023年末\n")
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def headline(path: Path, language: str = "zh-CN") -> str | None:
    document = api.resolve(api.load(path), language=language)
    panels = [b for b in document.blocks if isinstance(b, KpiPanel)]
    return panels[0].title


def period_column(path: Path) -> list[str]:
    document = api.resolve(api.load(path))
    [table] = [b for b in document.blocks if isinstance(b, Table)]
    return [row[2] for row in table.rows]


def test_without_a_period_the_year_heads_the_panel(tmp_path: Path) -> None:
    path = source(tmp_path)
    assert headline(path) == "2023年主要指标"
    assert period_column(path) == ["", "2023年末"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-CN", "2023年前三季度主要指标"), ("en", "Key figures, Q1–Q3 2023")],
)
def test_the_period_heads_the_panel_and_fills_the_table(
    tmp_path: Path, language: str, expected: str
) -> None:
    path = source(tmp_path, "  period: 2023年前三季度\n  period_en: Q1–Q3 2023\n")
    assert headline(path, language) == expected
    assert period_column(path) == ["2023年前三季度", "2023年末"]


def test_the_panel_title_can_be_set_and_binds_figures(tmp_path: Path) -> None:
    path = source(tmp_path, top="kpis_title: 企业{{ ind.firms }}\n")
    assert headline(path) == "企业820家"


def test_a_subtitle_the_masthead_cannot_show_is_warned_at_its_line(tmp_path: Path) -> None:
    path = source(tmp_path, "  subtitle: 稳中求进\n")
    text = path.read_text(encoding="utf-8").replace("indicators:\n", "theme: gov\nindicators:\n", 1)
    path.write_text(text, encoding="utf-8")
    document = api.resolve(api.load(path))
    [d] = [d for d in document.diagnostics if d.code == "subtitle-not-shown"]
    assert d.location is not None and d.location.path == "meta.subtitle"
    assert d.location.line == text.splitlines().index("  subtitle: 稳中求进") + 1
    cover = api.resolve(api.load(source(tmp_path, "  subtitle: 稳中求进\n")))
    assert not [d for d in cover.diagnostics if d.code == "subtitle-not-shown"]
