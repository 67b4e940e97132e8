"""Find the templates and assets that ship with the package.

In a wheel they live under ``khzreport/_data/``; in a source checkout (editable install)
they are the top-level ``templates/`` and ``assets/`` folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def data_root() -> Path:
    """Return the folder holding ``templates/`` and ``assets/``."""
    packaged = Path(__file__).parent / "_data"
    if (packaged / "templates").is_dir():
        return packaged
    return Path(__file__).parent.parent


def template_path(*parts: str) -> Path:
    """Return the path of a shipped template file or folder."""
    return data_root().joinpath("templates", *parts)


def asset_path(*parts: str) -> Path:
    """Return the path of a shipped asset (theme, logo, default image)."""
    return data_root().joinpath("assets", *parts)
