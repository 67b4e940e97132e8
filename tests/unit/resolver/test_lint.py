"""``khzreport lint``: typed numbers in prose and data that contradict itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from khzreport import api

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"


def source_with(tmp_path: Path, old: str, new: str) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "report.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def findings(path: Path) -> list[str]:
    return [e.one_line() for e in api.lint(api.load(path))]


def test_minimal_source_is_clean() -> None:
    assert findings(MINIMAL) == []


@pytest.mark.parametrize(
    "prose",
    ["2023年", "2023年8月22日", "12月", "“2+2+3”产业体系", "“4+2+X”", "5G基站", "EPC工程", "H100"],
)
def test_allowed_literals(tmp_path: Path, prose: str) -> None:
    path = source_with(tmp_path, "高新技术企业达", f"{prose}，高新技术企业达")
    assert findings(path) == []


@pytest.mark.parametrize("prose", ["305个项目", "近140亿元", "68.5%", "第32名", "１２家", "94米"])
def test_typed_numbers_are_reported_with_location(tmp_path: Path, prose: str) -> None:
    path = source_with(tmp_path, "高新技术企业达", f"{prose}，高新技术企业达")
    [finding] = findings(path)
    assert re.search(r"report\.yaml:3[67]: ", finding), finding  # the paragraph's lines
    assert "sections[0].blocks[0].paragraph" in finding
    assert "number typed into prose" in finding
    assert "{{ ind.ID }}" in finding


def test_parts_above_total(tmp_path: Path) -> None:
    path = source_with(
        tmp_path,
        "charts:\n",
        "  - id: part_a\n    label: A\n    value: 900\n    unit: 家\n    parts_of: firms\n"
        "  - id: part_b\n    label: B\n    value: 100\n    unit: 家\n    parts_of: firms\n"
        "charts:\n",
    )
    [finding] = findings(path)
    assert "add up to 1000, more than its value 820" in finding
    assert "indicators[3].parts_of" in finding


def test_series_with_missing_year(tmp_path: Path) -> None:
    path = source_with(
        tmp_path,
        "charts:\n",
        "  - id: trend\n    label: T\n    unit: 亿元\n    series: {2019: 1, 2020: 2, 2022: 3}\n"
        "charts:\n",
    )
    [finding] = findings(path)
    assert "no entry for 2021" in finding


def test_share_larger_than_whole(tmp_path: Path) -> None:
    path = source_with(
        tmp_path,
        "    value: 820\n    unit: 家\n",
        "    value: 820\n    unit: 亿元\n    share_of: output\n    parts_of: output\n",
    )
    text = path.read_text(encoding="utf-8").replace("    value: 1234.5\n", "    value: 800\n")
    path.write_text(text, encoding="utf-8")
    out = findings(path)
    assert any("larger than the whole 'output'" in f for f in out)
