"""Rendering sheets on workers: the tasks, what a worker does, and the executor loop.

A task is plain, picklable data (:class:`SheetTask`) and its result too
(:class:`SheetRender`: the files' bytes, the located errors and diagnostics), so any
:class:`concurrent.futures.Executor` can run :func:`run_task`. A task carries the report
with its files as bytes (:mod:`~khzreport.batch.bundle`), so a worker needs no shared
filesystem; a task naming only a source file is parsed once per worker and kept in a
module-level cache keyed by (path, mtime, size).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from dataclasses import dataclass, field
from pathlib import Path

from ..charts import render_document_charts
from ..diagnostics import Diagnostic, Diagnostics
from ..document import Document
from ..errors import KhzReportError
from ..layouts import compose_sheet
from ..layouts.fit import fit_sheet, park_location
from ..model import Report
from ..poolserver import pool_context
from ..resources import cache_dir, die_with_parent
from ..source.reader import load
from ..source.themes import theme_for
from ..theme import Theme
from ..writers import render
from ..writers.base import page_count
from .bundle import ReportBundle, unpack
from .manifest import SheetOutcome

ProgressCallback = Callable[[int, int, SheetOutcome], None]
"""``progress(finished, total, outcome)``, called in the parent as each park finishes."""

MAX_BREAKS = 3
"""Times in a row the own pool may break without finishing a sheet before it is given up."""


@dataclass(frozen=True)
class SheetTask:
    """What a worker needs to render one park's sheet (plain, picklable data).

    ``attempt`` makes a retry a distinct task (dask caches results of identical calls).
    """

    source: str
    park: str
    formats: tuple[str, ...]
    language: str | None
    attempt: int = 1
    theme: Theme | None = None
    """A theme given in code; else the one the source names."""
    bundle: ReportBundle | None = None
    """The report as the caller holds it (built or changed in memory), with its theme and
    the bytes of the files they read: what the worker renders, rather than the file
    ``source`` names, so the worker needs no access to the source folder."""
    preloaded: str | None = None
    """Instead of ``bundle``: the identity of the bundle an own pool gave each worker once
    when it started (:func:`own_pool`), so a task does not carry the whole report again."""


@dataclass(frozen=True)
class SheetRender:
    """A worker's result for one park: file bytes by format, or located errors."""

    park: str
    name: str
    ok: bool
    files: Mapping[str, bytes] = field(default_factory=dict)
    pages: int | None = None
    errors: tuple[Diagnostic, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    seconds: float = 0.0


# --------------------------------------------------------------------------- worker side

_reports: dict[str, tuple[tuple[int, int], Report, Theme]] = {}
_reports_lock = threading.Lock()


def _cached_report(source: str) -> tuple[Report, Theme]:
    """Return the report and theme of a source file, parsed once per process and version."""
    st = os.stat(source)
    version = (st.st_mtime_ns, st.st_size)
    with _reports_lock:
        hit = _reports.get(source)
    if hit is not None and hit[0] == version:
        return hit[1], hit[2]
    report = load(source)
    theme = theme_for(report)
    with _reports_lock:
        _reports[source] = (version, report, theme)
    return report, theme


def run_task(task: SheetTask) -> SheetRender:
    """Render one park's sheet in a worker: the entry point every executor runs.

    Never raises for a bad park: errors come back located in the result.
    """
    started = time.perf_counter()
    try:
        bundle = task.bundle if task.preloaded is None else _preloaded[task.preloaded]
        if bundle is not None:
            report, theme = unpack(bundle)
        else:
            report, theme = _cached_report(task.source)
    except KhzReportError as exc:
        return SheetRender(task.park, task.park, False, errors=error_diagnostics(exc))
    chosen = task.theme if task.theme is not None else theme
    result = render_park(report, chosen, task.park, task.formats, task.language)
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def render_park(
    report: Report,
    theme: Theme,
    park: str,
    formats: Sequence[str],
    language: str | None = None,
) -> SheetRender:
    """Render one park's sheet in each format, fitting the PDF on one page; never raises.

    The sheet is resolved once; a DOCX built alongside the PDF shows the same fitted
    content, so the two formats agree.
    """
    started = time.perf_counter()
    name = park_name(report, park, language)
    try:
        sheet = fitted_sheet(report, theme, park, formats, language, cache_dir())
    except KhzReportError as exc:
        return SheetRender(park, name, False, errors=error_diagnostics(exc))
    except Exception as exc:
        detail = "\n" + traceback.format_exc() if os.environ.get("KHZREPORT_DEBUG") else ""
        bug = Diagnostic(
            "internal-error",
            f"internal error while rendering this sheet: {type(exc).__name__}: {exc}{detail}",
            park_location(report, park),
            "this is a bug in khzreport; please report it with the source; "
            "KHZREPORT_DEBUG=1 adds the traceback",
            "error",
        )
        return SheetRender(park, name, False, errors=(bug,))
    return SheetRender(
        park,
        sheet.document.meta.title or name,
        True,
        sheet.files,
        sheet.pages,
        warnings=sheet.diagnostics,
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class FittedFiles:
    """A park's sheet rendered in each format, its PDF fitted on one page."""

    document: Document
    files: Mapping[str, bytes]
    pages: int | None
    diagnostics: tuple[Diagnostic, ...]


def fitted_sheet(
    report: Report,
    theme: Theme,
    park: str,
    formats: Sequence[str],
    language: str | None,
    cache: Path,
) -> FittedFiles:
    """Render one park's sheet in each format as the batch does; raise located errors.

    With a PDF among the formats it is fitted on one page, and the other formats show the
    fitted content; ``cache`` is the folder of drawn charts.
    """
    document = compose_sheet(report, report.park(park), theme, language)
    found = Diagnostics()
    found.extend(document.diagnostics)
    charts = render_document_charts(document, cache, diagnostics=found)
    pdf: bytes | None = None
    pages: int | None = None
    if "pdf" in formats or "ofd" in formats:  # the OFD shows the fitted PDF's pages
        drafts: dict[bytes, list[Diagnostic]] = {}

        def render_pdf(doc: Document) -> bytes:
            draft = Diagnostics()  # only the draft that fits keeps its diagnostics
            data = render("pdf", doc, charts, diagnostics=draft)
            drafts[data] = list(draft)
            return data

        fitted = fit_sheet(report, park, document, render_pdf, page_count)
        document, pdf, pages = fitted.document, fitted.pdf, fitted.pages
        found.extend(fitted.diagnostics)
        found.extend(drafts[pdf])
    files = {
        fmt: pdf
        if fmt == "pdf" and pdf is not None
        else render(fmt, document, charts, diagnostics=found, pdf=pdf)
        if fmt == "ofd"
        else render(fmt, document, charts, diagnostics=found)
        for fmt in formats
    }
    return FittedFiles(document, files, pages, tuple(found))


def park_name(report: Report, park: str, language: str | None) -> str:
    """Return a park's name in the edition's language."""
    p = report.park(park)
    lang = language or report.meta.language
    return p.name_en if lang == "en" and p.name_en else p.name


def error_diagnostics(exc: KhzReportError) -> tuple[Diagnostic, ...]:
    """Return each error of ``exc`` as a located diagnostic of severity ``error``."""
    return tuple(Diagnostic.of_error(e) for e in getattr(exc, "errors", [exc]))


_preloaded: dict[str, ReportBundle] = {}


def init_worker(
    environ: dict[str, str], root: int | None = None, preload: ReportBundle | None = None
) -> None:
    """Start a pool worker: the parent's environment, Ctrl-C left to the parent.

    The worker ends when the batch's process ``root`` dies (its own parent is the fork
    server), so ``kill -9`` of ``sheets`` leaves no worker behind. ``preload`` is the
    batch's report bundle, sent once per worker rather than once per park: with it in every
    task, the parent pickles the whole report for each sheet (a batch of N parks costs N²).
    """
    if preload is not None:
        _preloaded[preload.identity] = preload
    die_with_parent(root)
    os.environ.clear()
    os.environ.update(environ)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --------------------------------------------------------------------------- parent side


def own_pool(workers: int, preload: ReportBundle | None = None) -> ProcessPoolExecutor:
    """Return a process pool for a batch, its workers started by :func:`init_worker`."""
    ctx = pool_context()
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx,
        initializer=init_worker,
        initargs=(dict(os.environ), os.getpid(), preload),
    )


def stop_pool(pool: Executor) -> None:
    """Shut our pool down now: pending tasks cancelled, running workers ended.

    Workers write nothing (the parent writes every file), so ending them loses no output.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(5)


Accept = Callable[[SheetRender, int], None]
"""``accept(render, attempts)``: the parent writes a finished sheet and records it."""
Lost = Callable[[str, BaseException, int, bool], None]
"""``lost(park, exc, attempts, gave_up)``: the parent records a park whose task never returned."""


def run_pool(
    todo: Sequence[str],
    task: Callable[[str, int], SheetTask],
    executor: Executor | None,
    workers: int,
    accept: Accept,
    lost: Lost,
    preload: ReportBundle | None = None,
) -> None:
    """Render ``todo`` on an executor (or an own pool), keeping ``2 * workers`` tasks in flight.

    Two per worker keep every worker busy while the parent writes files. Parks whose task
    failed at the executor level (a dead worker) become suspects, retried once each alone,
    so a second death is pinned on the right park. An own pool that breaks
    :data:`MAX_BREAKS` times in a row without finishing a sheet is given up. An own pool's
    workers get ``preload`` once when they start, and tasks carrying it carry its identity
    instead; another executor's tasks carry their bundle, as its workers are not ours.
    """
    own = executor is None
    if own and preload is not None and preload.identity:
        made = task

        def task(park: str, attempt: int) -> SheetTask:
            full = made(park, attempt)
            if full.bundle is not preload:
                return full
            return dataclasses.replace(full, bundle=None, preloaded=preload.identity)

    window = 2 * workers
    pool = executor or own_pool(workers, preload)
    generation = breaks = 0
    queue = deque(todo)
    suspects: deque[str] = deque()
    attempts: dict[str, int] = {}
    inflight: dict[Future[SheetRender], tuple[str, int]] = {}

    def submit(park: str) -> None:
        attempts[park] = attempts.get(park, 0) + 1
        try:
            fut = pool.submit(run_task, task(park, attempts[park]))
        except Exception as exc:  # a broken or shut-down executor of the user's
            lost(park, exc, attempts[park], False)
            return
        inflight[fut] = (park, generation)

    def refill() -> None:
        if suspects:
            if not inflight:
                submit(suspects.popleft())
        else:
            while queue and len(inflight) < window:
                submit(queue.popleft())

    try:
        while queue or suspects or inflight:
            refill()
            if not inflight:
                continue
            finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            results: list[tuple[str, SheetRender]] = []
            for fut in finished:
                park, gen = inflight.pop(fut)
                try:
                    results.append((park, fut.result()))
                except Exception as exc:
                    if own and isinstance(exc, BrokenExecutor) and gen == generation:
                        pool.shutdown(wait=False, cancel_futures=True)
                        breaks += 1
                        if breaks >= MAX_BREAKS:
                            for gone in [park, *suspects, *queue]:
                                lost(gone, exc, attempts.get(gone, 0), True)
                            suspects.clear()
                            queue.clear()
                            continue
                        pool = own_pool(workers, preload)
                        generation += 1
                    if attempts[park] >= 2 or breaks >= MAX_BREAKS:
                        lost(park, exc, attempts[park], breaks >= MAX_BREAKS)
                    else:
                        suspects.append(park)
            refill()
            for park, result in results:
                breaks = 0
                accept(result, attempts[park])
    except BaseException:
        for fut in inflight:
            fut.cancel()
        if own:
            stop_pool(pool)
        raise
    if own:
        pool.shutdown(wait=True)
