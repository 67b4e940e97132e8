"""The chart drawer: a process forked as a build begins, which draws that build's charts.

Importing matplotlib takes about a third of a second, and a build learns which charts it
must draw only once the source is read and resolved, which takes about as long again. Done
one after the other, the two are a third of a cold build. So a build forks this process
first, once the chart code's own imports (pydantic, the document model: both processes need
them) are done: the drawer imports matplotlib on the second core while the build reads the
source, then waits. When the build's charts are
missing from the cache it sends them here (:func:`draw`, for each batch: the briefing's,
then the web page's phone-width ones) and gets the drawings back; the
drawer draws them with the same code the build would run (in two processes when there are
several, see :func:`khzreport.charts.draw_charts_here`), so the bytes are the same. A build
whose charts are all cached sends nothing, and the drawer ends with it.

Before matplotlib, the drawer reads the spreadsheets the source names (openpyxl and numpy,
a quarter second more, which then also serve matplotlib): see :func:`wait_for_tables`.

The drawer is only an aid: when it cannot be started (not Linux, one CPU, threads in the
process, matplotlib already imported, ``KHZREPORT_CHART_PROCESSES=1``) or it fails, the
build draws its charts itself. It never outlives the build (``PR_SET_PDEATHSIG``).

This module imports nothing heavy: the command line forks the drawer before it imports
the API, so the drawer's start-up and the build's overlap almost from the first moment.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .resources import cache_dir, die_with_parent

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from .charts import RenderedChart
    from .document import ChartData
    from .theme import Theme

__all__ = ["ahead", "can_start", "draw", "start", "stop"]

CHART_PROCESSES_ENV = "KHZREPORT_CHART_PROCESSES"
"""Set to ``1`` to draw every chart in the building process (no drawer, no second process);
the same variable as :data:`khzreport.charts.CHART_PROCESSES_ENV`, named here too so that
this module stays free of the chart code's imports."""

STOP_WAIT_S = 5.0
"""How long :func:`stop` waits for an idle drawer to end before killing it."""


class _Drawer:
    def __init__(self, process: BaseProcess, conn: Connection, reading: bool) -> None:
        self.process = process
        self.conn = conn
        self.reading = reading
        """Whether its word that the source's tables are read is still to come."""


READ = "read"
"""The drawer's word that it has read the source's tables ahead."""


_running: _Drawer | None = None
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
    """Fork the drawer unless one runs or it cannot start (see :func:`can_start`).

    ``cache`` is the chart cache folder, whose copy of matplotlib's font list the drawer
    starts from (default: :func:`khzreport.resources.cache_dir`). Given the ``source``
    file, the drawer first reads the tables it names (see :func:`wait_for_tables`). Return
    whether a drawer is running.
    """
    global _running, _stop_registered
    with _lock:
        if _running is not None:
            return True
        if not can_start():
            return False
        import multiprocessing  # see can_start

        from . import charts  # noqa: F401  the chart code's own imports, done once for both

        folder = cache if cache is not None else cache_dir()
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=True)
        # not a daemon: a daemon may not fork, and the drawer forks its second drawing
        # process; it ends with the build all the same (stop, at exit, or the kernel)
        process = ctx.Process(target=_serve, args=(send, folder, source), name="khzreport-drawer")
        try:
            process.start()
        except OSError:
            receive.close()
            send.close()
            return False
        send.close()
        _running = _Drawer(process, receive, source is not None)
        if not _stop_registered:
            atexit.register(stop)  # runs before multiprocessing's join of its children
            _stop_registered = True
        return True


def wait_for_tables() -> None:
    """Wait until the drawer has read the source's tables, if it is reading them.

    The drawer reads the spreadsheets a source names before it imports matplotlib, as the
    build would (:func:`khzreport.source.datafiles.merge_data_files`): each table it
    parses is kept in the cache folder under the workbook's hash, where the build's own
    read finds it. Started first, it is done before the build reaches them; waiting for it
    beats parsing them a second time.
    """
    with _lock:
        drawer = _running
        if drawer is None or not drawer.reading:
            return
        drawer.reading = False
        try:
            word = drawer.conn.recv()
        except (OSError, EOFError, ValueError):
            word = None
    if word != READ:
        stop()


def draw(
    charts: Sequence[ChartData], theme: Theme, kinds: Mapping[str, frozenset[str]]
) -> list[RenderedChart] | None:
    """Return the drawer's drawings of ``charts`` (in order), or None to draw them here.

    None when no drawer runs or it failed (and is then stopped). Calls from several threads
    take turns.
    """
    wait_for_tables()
    with _lock:
        drawer = _running
        if drawer is None:
            return None
        try:
            drawer.conn.send((list(charts), theme, dict(kinds)))
            result = drawer.conn.recv()
        except (OSError, EOFError, ValueError):
            result = None
    if isinstance(result, list) and len(result) == len(charts):
        return result
    stop()  # it failed (a message says how, or it died): the build draws the charts itself
    return None


def stop() -> None:
    """End the drawer: an idle one is told to stop, one that does not is killed."""
    global _running
    with _lock:
        drawer, _running = _running, None
    if drawer is None:
        return
    with contextlib.suppress(OSError, ValueError):
        drawer.conn.send(None)
    drawer.conn.close()
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


def _serve(conn: Connection, cache: Path, source: Path | None) -> None:
    """The drawer's life: read the source's tables ahead, import the drawing code, then draw
    each batch of charts it is sent until it is told to stop (None) or the build is gone."""
    die_with_parent()
    if source is not None:
        _read_tables(source)
        try:
            conn.send(READ)
        except (OSError, ValueError):
            return
    from . import charts  # imported before the fork (see start): here, matplotlib's turn

    charts.prepare_drawing(cache)
    while True:
        try:
            job: Any = conn.recv()
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
            conn.send(result)
        except (OSError, ValueError):
            return


def _read_tables(source: Path) -> None:
    """Read the tables ``source`` names as the build's load will (they land in the cache
    folder). Whatever goes wrong is the build's to find and report, not the drawer's."""
    from .source.datafiles import merge_data_files  # the drawer's work, not the CLI's start
    from .source.reader import read_yaml  # likewise

    with contextlib.suppress(Exception):
        data, smap = read_yaml(source)
        if isinstance(data, dict) and "data" in data:
            merge_data_files(data, smap)
