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
