"""The fork server a batch of sheets forks its workers from, started as the command begins.

A worker needs the renderers (the model, Typst, python-docx: :data:`PRELOAD`); importing them
takes a fresh interpreter four tenths of a second. The fork server imports them once and
forks each worker from itself, ready. Started only once a batch is set up, it made the first
sheets wait for that import; ``khzreport sheets`` starts it before it imports the API itself,
so the two imports run on two cores and the workers are ready when the parks are.

This module imports nothing heavy, so the command line can call it before the API loads.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from multiprocessing.util import Finalize

from .resources import temp_folder

__all__ = ["PRELOAD", "pool_context", "start"]

PRELOAD = (
    "khzreport.poolserver_tie",
    "khzreport.batch",
    "khzreport.writers.pdf",
    "khzreport.writers.docx",
)
"""Modules the fork server imports once for every worker it forks: first what ties its life
to the command's (:mod:`khzreport.poolserver_tie`), then the renderers."""


def pool_context() -> BaseContext:
    """Return the context a batch's own pool starts its workers in: the fork server's, with
    the renderers preloaded, where there is one, else spawn."""
    _own_temp_folder()
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(PRELOAD))
        return ctx
    return multiprocessing.get_context("spawn")


def start() -> None:
    """Start the fork server ahead of the pool, to import the renderers while this process
    does its own work. Best effort: the pool starts it anyway when it needs it."""
    if pool_context().get_start_method() != "forkserver":
        return
    with contextlib.suppress(Exception):
        forkserver.ensure_running()


def _own_temp_folder() -> None:
    """Give multiprocessing (its fork server's socket) a temporary folder named after us.

    Its own ``pymp-*`` folder cannot be told apart once this process is killed; ours is
    removed by the next run (:func:`khzreport.resources.clean_stale_temp`).
    """
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    if config.get("tempdir") is None:
        folder = temp_folder("khzmp-")
        if len(os.fsencode(folder)) > 88:  # the socket's path must fit in 107 bytes
            os.rmdir(folder)
            return
        Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=-100)
        config["tempdir"] = folder
