"""A strict build is a linted build, from the command line and from Python alike: a figure
typed into prose fails ``khzreport.build(..., strict=True)`` with its location, and nothing
is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import khzreport
from khzreport.errors import KhzReportError

NATIONAL = Path(__file__).parents[1] / "fixtures" / "national" / "report.yaml"
TYPED = "研发投入强度{{ ind.rd_intensity }}。"


def typed_figure_source(tmp_path: Path) -> Path:
    text = NATIONAL.read_text(encoding="utf-8")
    assert TYPED in text
    source = tmp_path / "report.yaml"
    source.write_text(text.replace(TYPED, TYPED + "全国开发区共有523家企业。"), encoding="utf-8")
    return source


def test_the_api_strict_build_fails_on_a_lint_finding_and_writes_nothing(tmp_path: Path) -> None:
    source = typed_figure_source(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(KhzReportError) as caught:
        khzreport.build(source, out, formats="html", strict=True)
    message = str(caught.value)
    assert "523" in message and "report.yaml:" in message
    assert not out.exists() or not any(out.iterdir())
    # Without strict the same source builds: lint is the strict build's business.
    result = khzreport.build(source, out, formats="html")
    assert [p.name for p in result.outputs] == ["briefing.html"]


def test_the_cli_strict_build_reports_the_same_finding(tmp_path: Path) -> None:
    source = typed_figure_source(tmp_path)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "khzreport", "build", str(source), "-o", str(out)]
    run = subprocess.run(
        [*command, "-f", "html", "--strict"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert "523" in run.stderr and "Traceback" not in run.stderr
    with pytest.raises(KhzReportError) as caught:
        khzreport.build(source, out, formats="html", strict=True)
    assert str(caught.value).splitlines()[0] in run.stderr
