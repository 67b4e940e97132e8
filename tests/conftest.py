"""Fixtures and options shared by every test.

``pytest --update-golden`` rewrites the golden files (resolved documents, HTML blocks, DOCX
parts, chart dumps) from the current code instead of comparing against them; review the diff
with ``git diff tests/golden`` before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Return True when the run was asked to rewrite golden files."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def example_source() -> Path:
    """Return the main example's source, examples/kunshan-2023/report.yaml."""
    return ROOT / "examples" / "kunshan-2023" / "report.yaml"
