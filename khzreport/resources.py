"""Find the templates and assets that ship with the package, and the cache folder.

In a wheel they live under ``khzreport/_data/``; in a source checkout (editable install)
they are the top-level ``templates/`` and ``assets/`` folders.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from platformdirs import user_cache_path

CACHE_ENV = "KHZREPORT_CACHE"

_cache_override: ContextVar[Path | None] = ContextVar("khzreport_cache", default=None)


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


def cache_dir() -> Path:
    """Return the folder of khzreport's caches: drawn charts and ``fonts.json``.

    ``$KHZREPORT_CACHE`` when set (tests and batch workers point it at a folder of their
    own), else ``charts/`` in the user cache folder of the platform (``~/.cache/khzreport``
    or ``$XDG_CACHE_HOME/khzreport`` on Linux). Charts and the font search share the one
    folder so that emptying it forgets everything a build learned. Inside
    :func:`using_cache` it is that call's folder.
    """
    override = _cache_override.get()
    if override is not None:
        return override
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    return user_cache_path("khzreport", appauthor=False) / "charts"


@contextlib.contextmanager
def using_cache(folder: Path) -> Iterator[Path]:
    """Make :func:`cache_dir` return ``folder`` in this thread (or task) until the block ends.

    One API call can so keep its charts and font memo elsewhere, or nowhere, without
    touching the process environment that other threads share.
    """
    token = _cache_override.set(Path(folder))
    try:
        yield Path(folder)
    finally:
        _cache_override.reset(token)
