"""Broken sources: each gives exit code 2 and a one-line located message, no traceback.

Each file in ``tests/fixtures/bad/`` starts with ``# expect: TEXT``; the CLI's message must
contain the file name, a line number and TEXT.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BAD = Path(__file__).parents[2] / "fixtures" / "bad"
CASES = sorted(BAD.glob("*.yaml"))


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``khzreport`` as a user would, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "khzreport", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_source_gives_located_error(case: Path) -> None:
    expect = case.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    result = run_cli("validate", str(case))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert re.search(rf"{re.escape(case.name)}:\d+(:\d+)?: ", lines[0]), lines[0]
    assert expect in lines[0], lines[0]


def test_all_errors_reported_at_once(tmp_path: Path) -> None:
    text = (BAD.parent / "minimal" / "report.yaml").read_text(encoding="utf-8")
    text = text.replace("    value: 820\n", "    value: many\n").replace(
        "    unit: 亿元\n    qualifier: 超\n", "    unit: 亿元\n    qualifier: 大约\n"
    )
    src = tmp_path / "report.yaml"
    src.write_text(text, encoding="utf-8")
    result = run_cli("validate", str(src))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert any("indicators[1].value" in line for line in lines)
    assert any("indicators[0].qualifier" in line for line in lines)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    result = run_cli("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_minimal_source_is_valid() -> None:
    result = run_cli("validate", str(BAD.parent / "minimal" / "report.yaml"))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


PLANTED = """\
meta:
  id: t
  title: 测试报告
  issuer: 测试
  year: 2023
  date: 2024-01-15
  colour: blue
indicators:
  - id: gdp
    label: 地区生产总值
    value: 100
    unit: 亿元
  - id: jobs
    label: 就业
    value: abc
    unit: 人
  - id: firms
    label: 企业
    value: 12
    unit: 家
sections:
  - id: s1
    title: 总体情况
    blocks:
      - paragraph: "全年实现{{ ind.gdp }}，就业{{ ind.jobs }}。"
      - kpi_row: [gdp]
      - kpi: [gdp, missing_kpi]
      - paragraph: "{{ ind.firms | bogusfilter }}"
      - paragraph: "企业{{ ind.nope }}。"
"""


def test_schema_reference_and_template_errors_in_one_run(tmp_path: Path) -> None:
    """Schema errors no longer hide the reference and template errors of the valid parts,
    each located where it is written although an earlier block was left out; a template
    that names a left-out indicator is not reported a second time."""
    src = tmp_path / "report.yaml"
    src.write_text(PLANTED, encoding="utf-8")
    result = run_cli("validate", str(src))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    expected = [
        ("7:3: meta.colour", "unknown field 'colour'"),
        ("15:12: indicators[1].value", "expected a number"),
        ("26:9: sections[0].blocks[1]", "a block is one of"),
        ("27:20: sections[0].blocks[2].kpi[1]", "unknown indicator 'missing_kpi'"),
        ("28:20: sections[0].blocks[3].paragraph", "No filter named 'bogusfilter'"),
        ("29:20: sections[0].blocks[4].paragraph", "unknown indicator 'nope'"),
    ]
    assert len(lines) == len(expected), lines
    for (where, what), line in zip(expected, lines, strict=True):
        assert f"report.yaml:{where}: " in line and what in line, line
