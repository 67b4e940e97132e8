"""The command line as a user runs it: help everywhere, lazy imports, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "kunshan-2023" / "report.yaml"
HEAVY = ("matplotlib", "docx", "typst")


@pytest.mark.parametrize("command", [[], ["validate"], ["lint"], ["build"], ["sheets"]])
def test_help_everywhere(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "khzreport", *command, "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


@pytest.mark.parametrize("command", [["--help"], ["validate", str(EXAMPLE)]])
def test_help_and_validate_do_not_load_heavy_libraries(command: list[str]) -> None:
    probe = (
        "import sys\n"
        "from khzreport.cli import main\n"
        f"try:\n    main({command!r}, standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_lint_example_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "khzreport", "lint", str(EXAMPLE)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "no findings" in result.stdout


def test_unknown_format_is_an_input_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "khzreport",
            "build",
            str(EXAMPLE),
            "-o",
            str(tmp_path),
            "-f",
            "rtf",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "unknown format 'rtf'" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


MINIMAL = ROOT / "tests" / "fixtures" / "minimal" / "report.yaml"
KHZ = (sys.executable, "-m", "khzreport")


def _pending_source(folder: Path) -> tuple[Path, int]:
    """Write the minimal source with one figure still to come; return it and that line."""
    text = MINIMAL.read_text(encoding="utf-8").replace("    value: 820\n", "    value: null\n")
    source = folder / "report.yaml"
    source.write_text(text, encoding="utf-8")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "value: null" in s)
    return source, line


def test_strict_build_fails_on_a_warning_with_its_location_and_writes_nothing(
    tmp_path: Path,
) -> None:
    source, line = _pending_source(tmp_path)
    out = tmp_path / "out"
    result = subprocess.run(
        [*KHZ, "build", str(source), "-o", str(out), "-f", "html", "--strict"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2, result.stderr
    assert f"error: report.yaml:{line}:" in result.stderr
    assert "indicators[1].value: indicator 'firms' has no value yet" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_build_prints_located_warnings_and_returns_diagnostics(tmp_path: Path) -> None:
    from khzreport import api
    from khzreport.diagnostics import Diagnostic

    source, line = _pending_source(tmp_path)
    result = subprocess.run(
        [*KHZ, "build", str(source), "-o", str(tmp_path / "cli"), "-f", "html"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert f"warning: report.yaml:{line}:" in result.stderr
    built = api.build(source, tmp_path / "api", formats="html")
    assert all(isinstance(d, Diagnostic) for d in built.diagnostics)
    [pending] = [d for d in built.diagnostics if d.code == "value-pending"]
    assert pending.location is not None and pending.location.line == line
    assert pending.one_line() in built.warnings
    assert built.outputs == [tmp_path / "api" / "briefing.html"]
