"""The build's helpers: processes forked as a build begins, which draw its charts and read
its spreadsheets while the build itself imports and loads.

Importing matplotlib takes about a third of a second, and a build learns which charts it
must draw only once the source is read and resolved, which takes about as long again. Done
one after the other, the two are a third of a cold build. So a build forks the *drawer*
first, once the chart code's own imports (pydantic, the document model: both processes need
them) are done: it imports matplotlib on the second core while the build reads the source,
then waits. When the build's charts are missing from the cache it sends them there
(:func:`draw`, for each batch: the briefing's, then the web page's phone-width ones) and
gets the drawings back; the drawer draws them with the same code the build would run (in two
processes when there are several, see :func:`khzreport.charts.draw_charts_here`), so the
bytes are the same. A build whose charts are all cached sends nothing, and the drawer ends
with it.

Before that, at the very start, a build of a source file forks a *table reader*: it reads
the spreadsheets the source names as the build's load would, and each table it parses is
kept in the cache folder under the workbook's hash, where the build's own read then finds
it (see :func:`wait_for_tables`). Importing openpyxl and numpy and parsing a workbook cost a
quarter second, all of it now beside the build's imports instead of in its way.

Both are only aids: when they cannot be started (not Linux, one CPU, threads in the process,
matplotlib already imported, ``KHZREPORT_CHART_PROCESSES=1``) or they fail, the build does
the work itself. Neither outlives the build (``PR_SET_PDEATHSIG``).

This module imports nothing heavy: the command line forks the helpers before it imports the
API, so their work and the build's overlap almost from the first moment.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .resources import cache_dir, die_with_parent

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from .charts import RenderedChart
    from .document import ChartData
    from .theme import Theme

__all__ = ["ahead", "can_start", "draw", "meanwhile", "start", "stop", "wait_for_tables"]

CHART_PROCESSES_ENV = "KHZREPORT_CHART_PROCESSES"
"""Set to ``1`` to draw every chart in the building process (no drawer, no second process);
the same variable as :data:`khzreport.charts.CHART_PROCESSES_ENV`, named here too so that
this module stays free of the chart code's imports."""

STOP_WAIT_S = 5.0
"""How long :func:`stop` waits for an idle drawer to end before killing it."""


class _Drawer:
    def __init__(self, process: BaseProcess, jobs: Connection, drawings: Connection) -> None:
        self.process = process
        self.jobs = jobs
        self.drawings = drawings
        self.used = False


_running: _Drawer | None = None
_reader: BaseProcess | None = None
_lock = threading.Lock()
_stop_registered = False


def can_start() -> bool:
    """Return whether a drawer can be forked here and would save time.

    Forking is safe only in a single-threaded process, and pays only with a second CPU and
    when matplotlib is not yet imported (a process that has it draws at once, and forks
    its own second drawing process; see :func:`khzreport.charts.draw_charts_here`).
    """
    import multiprocessing  # not at module level: `khzreport --help` does without it

    return (
        os.environ.get(CHART_PROCESSES_ENV, "") != "1"
        and sys.platform == "linux"
        and "matplotlib" not in sys.modules
        and "fork" in multiprocessing.get_all_start_methods()
        and multiprocessing.parent_process() is None
        and threading.active_count() == 1
        and len(os.sched_getaffinity(0)) >= 2
    )


def start(cache: Path | None = None, source: Path | None = None) -> bool:
    """Fork the table reader (given the ``source`` file) and the drawer, unless they run or
    cannot start (see :func:`can_start`).

    ``cache`` is the chart cache folder, whose copy of matplotlib's font list the drawer
    starts from (default: :func:`khzreport.resources.cache_dir`). Return whether a drawer
    is running.
    """
    global _running, _reader, _stop_registered
    with _lock:
        if _running is not None:
            return True
        if not can_start():
            return False
        import multiprocessing  # see can_start

        ctx = multiprocessing.get_context("fork")
        if source is not None and _reader is None:
            reader = ctx.Process(
                target=_read_tables, args=(source,), name="khzreport-tables", daemon=True
            )
            with contextlib.suppress(OSError):
                reader.start()
                _reader = reader
        from . import charts  # noqa: F401  the chart code's own imports, done once for both

        folder = cache if cache is not None else cache_dir()
        # two one-way pipes rather than a duplex one, which would be a socket pair: a
        # build opens no socket of any kind
        their_jobs, jobs = ctx.Pipe(duplex=False)
        drawings, their_drawings = ctx.Pipe(duplex=False)
        # not a daemon: a daemon may not fork, and the drawer forks its second drawing
        # process; it ends with the build all the same (stop, at exit, or the kernel)
        process = ctx.Process(
            target=_serve, args=(their_jobs, their_drawings, folder), name="khzreport-drawer"
        )
        if not _stop_registered:
            atexit.register(stop)  # runs before multiprocessing's join of its children
            _stop_registered = True
        try:
            process.start()
        except OSError:
            for end in (their_jobs, jobs, drawings, their_drawings):
                end.close()
            return False
        their_jobs.close()
        their_drawings.close()
        _running = _Drawer(process, jobs, drawings)
        return True


def wait_for_tables() -> None:
    """Wait until the table reader has read the source's spreadsheets, if it is reading.

    It started before the build's imports, so it is done, or nearly, when the build's load
    reaches the tables; waiting for it beats parsing them a second time.
    """
    global _reader
    with _lock:
        reader, _reader = _reader, None
    if reader is not None:
        reader.join()


def draw(
    charts: Sequence[ChartData], theme: Theme, kinds: Mapping[str, frozenset[str]]
) -> list[RenderedChart] | None:
    """Return the drawer's drawings of ``charts`` (in order), or None to draw them here.

    None when no drawer runs or it failed (and is then stopped). Calls from several threads
    take turns.
    """
    with _lock:
        drawer = _running
        if drawer is None:
            return None
        try:
            drawer.used = True
            drawer.jobs.send((list(charts), theme, dict(kinds)))
            _do_meanwhile()
            result = drawer.drawings.recv()
        except (OSError, EOFError, ValueError):
            result = None
    if isinstance(result, list) and len(result) == len(charts):
        return result
    stop()  # it failed (a message says how, or it died): the build draws the charts itself
    return None


def meanwhile(work: Callable[[], object]) -> None:
    """Have ``work`` done while the drawer draws: by the thread waiting for the drawings,
    once the charts are sent (the writers' preparation, see :func:`khzreport.api.build`).

    That thread would otherwise only wait; the same work started on a thread of its own
    earlier held the interpreter's lock while the charts were still to be sent. Work not
    done by the end of the build (no chart was missing) is dropped: the writers do it
    themselves. What it raises is dropped too, for the same reason.
    """
    _waiting_work.append(work)


_waiting_work: list[Callable[[], object]] = []


def _do_meanwhile() -> None:
    while _waiting_work:
        work = _waiting_work.pop(0)
        with contextlib.suppress(Exception):
            work()


def stop() -> None:
    """End the helpers: the table reader is waited for; a drawer that drew is told to stop,
    one never sent a chart (all were cached, or the build failed) is ended at once, and
    one that does not end is killed."""
    global _running
    wait_for_tables()
    _waiting_work.clear()
    with _lock:
        drawer, _running = _running, None
    if drawer is None:
        return
    if drawer.used:
        with contextlib.suppress(OSError, ValueError):
            drawer.jobs.send(None)
    else:
        # still importing matplotlib, perhaps: a failed build would wait a third of a second
        # for it; SIGTERM ends it as an exception would, its temporary folder removed
        drawer.process.terminate()
    drawer.jobs.close()
    drawer.drawings.close()
    drawer.process.join(STOP_WAIT_S)
    if drawer.process.is_alive():
        drawer.process.kill()
        drawer.process.join()


@contextlib.contextmanager
def ahead(cache: Path | None = None, source: Path | None = None) -> Iterator[None]:
    """Run a drawer (one already started included) for the span of a build, then end it."""
    start(cache, source)
    try:
        yield
    finally:
        stop()


def _serve(jobs: Connection, drawings: Connection, cache: Path) -> None:
    """The drawer's life: import the drawing code, then draw each batch of charts it is sent
    until it is told to stop (None) or the build is gone."""
    die_with_parent()
    signal.signal(signal.SIGTERM, _end)
    # numpy's OpenBLAS starts a pool of threads as it loads, which spin on the core the build
    # needs (a third of the import's CPU); the small arrays of a chart need no BLAS threads
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from . import charts  # imported before the fork (see start): here, matplotlib's turn

    charts.prepare_drawing(cache)
    while True:
        try:
            job: Any = jobs.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        wanted, theme, kinds = job
        try:
            result: Any = charts.draw_charts_here(wanted, theme, kinds)
        except BaseException as exc:  # the build draws these charts itself
            result = f"{type(exc).__name__}: {exc}"
        try:
            drawings.send(result)
        except (OSError, ValueError):
            return


def _end(signum: int, frame: Any) -> None:
    """End the drawer on SIGTERM as an exception does: what it holds is cleaned up."""
    raise SystemExit(0)


def _read_tables(source: Path) -> None:
    """The table reader's life: read the tables ``source`` names as the build's load will
    (they land in the cache folder). Whatever goes wrong is the build's to find and report."""
    die_with_parent()
    # openpyxl imports numpy when it is installed, only to know numpy's number types when
    # cells are written; reading needs none of it, and numpy's import was half of this
    # process's time. The process ends after reading, so nothing else misses numpy.
    sys.modules.setdefault("numpy", None)  # type: ignore[arg-type]
    from .source.datafiles import merge_data_files  # the reader's work, not the CLI's start
    from .source.yamlfile import read_yaml  # likewise

    with contextlib.suppress(Exception):
        data, smap = read_yaml(source)
        if isinstance(data, dict) and "data" in data:
            merge_data_files(data, smap)
