"""Prepare matplotlib's environment before it is first imported.

matplotlib writes its font list cache (``fontlist-*.json``) into ``MPLCONFIGDIR`` on first
import. Batch builds run several worker processes that would all write the same file in the
user's cache folder at once; a worker that reads a half-written file rebuilds it, and a stale
lock file can stall the next import. Charts never use that list (fonts are loaded by file),
so each process gets a private, throw-away folder instead. A folder set by the user is
respected.

Building the list scans every system font, a sixth of a second that every cold build paid.
So the list a process built is kept in the chart cache (``seed``, written atomically: never
half a file) and copied into the next process's private folder before matplotlib is
imported; matplotlib ignores (and rebuilds) a list of another version.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
from multiprocessing.util import Finalize
from pathlib import Path

from ..errors import OutputError
from ..output import write_atomic

_ENV = "MPLCONFIGDIR"
_LISTS = "fontlist-v*.json"
_private: str | None = None
"""The folder this process made for matplotlib, if it made one."""


def prepare_matplotlib(seed: Path | None = None) -> None:
    """Point ``MPLCONFIGDIR`` at a private per-process folder unless already configured.

    Font lists kept in ``seed`` are copied into it, so matplotlib need not rebuild its own.
    """
    global _private
    if "matplotlib" in sys.modules or os.environ.get(_ENV):
        return
    folder = tempfile.mkdtemp(prefix=f"khzreport-mpl-{os.getpid()}-")
    os.environ[_ENV] = folder
    _private = folder
    atexit.register(shutil.rmtree, folder, True)
    # a pool worker ends with os._exit, which skips atexit but runs multiprocessing's finalisers
    Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=0)
    if seed is not None:
        with contextlib.suppress(OSError):
            for kept in seed.glob(_LISTS):
                shutil.copyfile(kept, Path(folder) / kept.name)


def keep_font_list(seed: Path | None) -> None:
    """Keep the font list matplotlib built in this process's private folder in ``seed``."""
    if seed is None or _private is None or os.environ.get(_ENV) != _private:
        return
    with contextlib.suppress(OSError, OutputError):
        for built in Path(_private).glob(_LISTS):
            target = seed / built.name
            if not target.exists():
                write_atomic(target, built.read_bytes())
