"""The scripts of docs/examples run, assert on what they render, and type-check strictly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.py"))


def test_every_story_has_an_example() -> None:
    assert {p.stem for p in EXAMPLES} >= {
        "change_one_figure",
        "report_in_code",
        "bytes_for_a_web_app",
        "catching_errors",
        "theme_in_code",
        "sheets_from_rows",
        "typing_the_api",
    }


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs(script: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = tmp_path_factory.getbasetemp() / "examples-cache"
    env = {**os.environ, "KHZREPORT_CACHE": str(cache)}
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_examples_type_check_strictly_without_the_pydantic_plugin(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\npython_version = 3.11\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            *map(str, EXAMPLES),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout
