"""Prepare matplotlib's environment before it is first imported.

matplotlib writes its font list cache (``fontlist-*.json``) into ``MPLCONFIGDIR`` on first
import. Batch builds run several worker processes that would all write the same file in the
user's cache folder at once; a worker that reads a half-written file rebuilds it, and a stale
lock file can stall the next import. Charts never use that list (fonts are loaded by file),
so each process gets a private, throw-away folder instead: rebuilding the list costs well
under a second, racing on it costs reliability. A folder set by the user is respected.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

_ENV = "MPLCONFIGDIR"


def prepare_matplotlib() -> None:
    """Point ``MPLCONFIGDIR`` at a private per-process folder unless already configured."""
    if "matplotlib" in sys.modules or os.environ.get(_ENV):
        return
    folder = tempfile.mkdtemp(prefix=f"khzreport-mpl-{os.getpid()}-")
    os.environ[_ENV] = folder
    atexit.register(shutil.rmtree, folder, True)
