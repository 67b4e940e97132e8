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
