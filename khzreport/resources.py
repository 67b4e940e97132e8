"""Find the templates and assets that ship with the package, and the cache folder.

In a wheel they live under ``khzreport/_data/``; in a source checkout (editable install)
they are the top-level ``templates/`` and ``assets/`` folders.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from platformdirs import user_cache_path

CACHE_ENV = "KHZREPORT_CACHE"

FONTCONFIG_ENV = (
    "FONTCONFIG_FILE",
    "FONTCONFIG_PATH",
    "FONTCONFIG_SYSROOT",
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
)
"""The environment that changes which file fontconfig gives for a family name: the font
search's remembered answers and a remembered build are keyed on it."""

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


# -- our processes and temporary folders

TEMP_PREFIXES = ("khzreport-mpl-", "khzreport-typst-", "khzmp-", "khzbundle-")
"""Temporary folders we make in ``$TMPDIR``, each named ``<prefix><pid>-<random>``."""


def die_with_parent(root: int | None = None) -> None:
    """End this (child) process when its parent, or the process ``root``, dies.

    A child of a build (the forked chart drawer, a batch worker) must not outlive it: after
    ``kill -9`` of the build it would keep running, and hold what the build held. On Linux
    the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``); a daemon thread
    also watches ``root`` (the build itself, when the parent is a fork server in between)
    and ends the process when it is gone or when this process was re-parented.
    """
    parent = os.getppid()
    killed_with_parent()
    watched = parent if root is None else root

    def watch() -> None:
        while True:
            if os.getppid() != parent or not pid_alive(watched):
                os._exit(1)
            time.sleep(0.2)

    watch_thread = threading.Thread(target=watch, name="khzreport-parent-watch", daemon=True)
    watch_thread.start()


def killed_with_parent() -> None:
    """Have the kernel kill this process when its parent ends (Linux; elsewhere nothing).

    Unlike :func:`die_with_parent` this starts no thread, so a process that forks (the fork
    server of a batch) can use it. The parent is the thread that started this process.
    """
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def pid_alive(pid: int) -> bool:
    """Return whether a process ``pid`` exists (a zombie counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def temp_folder(prefix: str) -> str:
    """Make a temporary folder named after this process, so a later run can tell it is stale."""
    return tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")


def clean_stale_temp() -> list[Path]:
    """Remove temporary folders left by our processes that died (``kill -9``); return them."""
    removed: list[Path] = []
    try:
        entries = list(Path(tempfile.gettempdir()).iterdir())
    except OSError:
        return removed
    for entry in entries:
        prefix = next((p for p in TEMP_PREFIXES if entry.name.startswith(p)), None)
        if prefix is None:
            continue
        pid = entry.name[len(prefix) :].split("-", 1)[0]
        if not pid.isdigit() or pid_alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            info = entry.lstat()
            if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed
