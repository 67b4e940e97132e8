"""Per-park summary sheets in batch (一园一册): one DOCX and one one-page PDF per park.

:func:`build_sheets` loads the source once to check it, then renders the parks' sheets in
parallel and writes them as ``OUTDIR/<park_id>.docx|.pdf`` with ``manifest.json``.

How the work is split
    A task is plain, picklable data (:class:`SheetTask`: park id, formats, language, and
    the report with the bytes of its photos, data files and theme fonts, see
    :mod:`~khzreport.batch.bundle`, so workers need no shared filesystem) and its result
    too (:class:`SheetRender`: the files' bytes, the located errors and warnings), so any
    :class:`concurrent.futures.Executor` can run it: the process pool :func:`build_sheets`
    starts by default, a user's ``ProcessPoolExecutor``, or
    ``dask.distributed.Client.get_executor()``. A worker writes a bundle's files once into
    a temporary folder of its own; fonts, the Typst compiler and templates are cached per
    process by the writers. Only the parent writes files, each one atomically, so no
    interruption leaves a partial file.

Failures
    A park that fails (bad data, a missing photo, a template error) is reported with its
    source location and the others complete. A worker that dies (a crash, the OOM killer)
    takes the sheets it was rendering with it: the own pool is replaced, and those parks are
    retried once, each alone, so a park that kills its worker again is the one reported.
    Ctrl-C cancels what has not started, shuts the pool down, writes the manifest of what is
    done (so ``resume`` continues from there) and re-raises :class:`KeyboardInterrupt`.

One page per PDF
    Each sheet PDF's pages are counted (pypdf). A sheet that runs longer is fitted by
    :func:`khzreport.layouts.fit.fit_sheet`: its narrative shortened at a sentence end, then
    its figure drawn smaller or left out, each with a located diagnostic; otherwise the park
    fails with a message naming what to shorten. A DOCX built alongside shows the same
    fitted content, so the two formats agree.

The manifest
    ``manifest.json`` (see :mod:`khzreport.batch.manifest`) lists every park with its status,
    outputs, errors and diagnostics, and lets ``resume`` keep intact sheets. Run times are in
    :class:`BatchResult` and the CLI summary only.

The modules: :mod:`~khzreport.batch.pool` (tasks, workers, executors, progress),
:mod:`~khzreport.batch.bundle` (a report with its files as bytes),
:mod:`~khzreport.batch.manifest` (``manifest.json``, resume) and
:mod:`~khzreport.batch.booklet` (the booklet PDF). This package imports only the stages
below it (source, resolve, layouts, charts, writers, output), never :mod:`khzreport.api`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import poolserver
from ..diagnostics import Diagnostic
from ..errors import Location, ValidationError, display_path
from ..layouts.fit import park_location
from ..locations import source_map
from ..model import Report
from ..output import output_lock, write_atomic
from ..source.reader import load
from ..source.themes import ThemeChoice, theme_for, theme_from
from ..writers import parse_formats, suffix
from .booklet import write_booklet, write_booklet_ofd
from .bundle import pack
from .manifest import (
    BOOKLET,
    MANIFEST,
    Journal,
    SheetOutcome,
    SheetOutput,
    entry_of,
    fingerprint,
    intact_outcome,
    output_stems,
    previous_entries,
    sha256,
    write_manifest,
)
from .pool import (
    ProgressCallback,
    SheetRender,
    SheetTask,
    park_name,
    render_park,
    run_pool,
    run_task,
)

__all__ = [
    "BOOKLET",
    "MANIFEST",
    "SHEET_FORMATS",
    "BatchResult",
    "ProgressCallback",
    "SheetOutcome",
    "SheetOutput",
    "SheetRender",
    "SheetTask",
    "build_sheets",
    "output_stems",
    "render_park",
    "run_task",
]

log = logging.getLogger("khzreport")

SHEET_FORMATS = ("docx", "pdf", "ofd")
"""Formats a park sheet can be written in."""

DEFAULT_SHEET_FORMATS = ("docx", "pdf")
"""Formats a park sheet is written in when none are named."""


@dataclass
class BatchResult:
    """The result of :func:`build_sheets`.

    ``done`` were rendered now, ``failed`` could not be (see their ``errors``), ``skipped``
    were kept from an earlier run (``resume``). Each list is in source order.
    """

    outdir: Path
    manifest: Path
    done: list[SheetOutcome] = field(default_factory=list)
    failed: list[SheetOutcome] = field(default_factory=list)
    skipped: list[SheetOutcome] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    booklet: Path | None = None

    @property
    def ok(self) -> bool:
        """Return whether no park failed."""
        return not self.failed

    @property
    def exit_code(self) -> int:
        """Return the CLI exit code: 0 when every sheet is there, 1 for a partial batch."""
        return 0 if self.ok else 1

    def all_warnings(self) -> list[Diagnostic]:
        """Return the batch's diagnostics, then those of the parks rendered now, once each."""
        items = list(self.warnings)
        for o in self.done + self.failed:
            items.extend(o.warnings)
        return list(dict.fromkeys(items))


def build_sheets(
    source: str | os.PathLike[str] | Report,
    outdir: str | os.PathLike[str] | None = None,
    *,
    parks: Sequence[str] | None = None,
    formats: str | Sequence[str] = DEFAULT_SHEET_FORMATS,
    jobs: int | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    booklet: bool = False,
    language: str | None = None,
    progress: ProgressCallback | None = None,
    theme: ThemeChoice | None = None,
) -> BatchResult:
    """Write the summary sheet of each park into ``outdir``; return what became of each.

    ``source`` is a report file or a :class:`Report` (loaded, changed or built in memory):
    workers render that object, sent to them with the bytes of the files it reads. ``outdir`` defaults to ``build/sheets`` next to the source
    (``build/sheets-en`` for an English edition of a Chinese source). ``parks`` picks park
    ids (default: all). ``formats`` is ``"docx,pdf"`` or a list. ``jobs`` is the number of
    worker processes (default ``os.cpu_count()``; ``1`` renders in this process, as does a
    batch of one sheet); ``executor`` runs the tasks instead (any
    :class:`concurrent.futures.Executor`, e.g. ``dask.distributed.Client.get_executor()``;
    it is not shut down; it is given ``2 * jobs`` tasks at a time). ``resume`` keeps parks
    whose outputs from an earlier run of the same source are intact. ``booklet`` also
    writes :data:`BOOKLET`, every sheet PDF merged with one bookmark per park.
    ``progress(finished, total, outcome)`` is called in this process as each park ends.

    Raises :class:`KhzReportError` (exit code 2) for an invalid source or options; a park
    that fails is reported in :attr:`BatchResult.failed` instead.
    """
    batch = _Batch(
        source, outdir, parks, formats, jobs, executor, resume, booklet, language, progress, theme
    )
    with output_lock(batch.outdir):  # a second batch into the folder fails at once
        return batch.run()


class _Batch:
    """One run of :func:`build_sheets` (state shared by the serial and pool paths)."""

    def __init__(
        self,
        source: str | os.PathLike[str] | Report,
        outdir: str | os.PathLike[str] | None,
        parks: Sequence[str] | None,
        formats: str | Sequence[str],
        jobs: int | None,
        executor: Executor | None,
        resume: bool,
        booklet: bool,
        language: str | None,
        progress: ProgressCallback | None,
        theme: ThemeChoice | None = None,
    ) -> None:
        self.started = time.perf_counter()
        self.formats = parse_formats(formats, SHEET_FORMATS, what="sheet format")
        if booklet and "pdf" not in self.formats:
            raise ValidationError("a booklet needs the sheet PDFs", None, "add pdf to the formats")
        if language not in (None, "zh-CN", "en"):
            raise ValidationError(f"unknown language '{language}'", None, "use zh-CN or en")
        if jobs is not None and jobs < 1:
            raise ValidationError(
                f"jobs must be at least 1, got {jobs}", None, "run with one job or more"
            )
        if executor is not None:
            refuse_fork_pool(executor)
        self.report = source if isinstance(source, Report) else load(Path(source))
        smap = source_map(self.report)
        self.source_file: Path | None = smap.file.resolve() if smap else None
        self.own_theme = theme is not None
        self.theme = theme_from(theme) if theme is not None else theme_for(self.report, language)
        self.language = language
        self.edition = language or self.report.meta.language
        self.selected = self._select(parks)
        if outdir is None:
            folder = self.source_file.parent if self.source_file else Path.cwd()
            name = "sheets" if self.edition == self.report.meta.language else "sheets-en"
            outdir = folder / "build" / name
        self.outdir = Path(outdir)
        self.stems = output_stems([p.id for p in self.report.parks])
        self.jobs = jobs or os.cpu_count() or 1
        if executor is None and min(self.jobs, len(self.selected)) > 1:
            poolserver.start()  # if the command line has not: overlaps packing the report
        self.executor = executor
        self.resume = resume
        self.booklet = booklet
        self.progress = progress
        self.bundle = pack(self.report, self.theme)
        files = {**self.bundle.files, **{f"font:{n}": d for n, d in self.bundle.fonts}}
        if self.source_file is not None:  # its text too: kept warnings name its lines
            files["source:"] = self.source_file.read_bytes()
        self.inputs = fingerprint(self.report, self.theme, files, self.edition)
        self.previous, self.warnings = previous_entries(self.outdir, self.inputs, resume)
        self.journal = Journal(self.outdir, self.inputs)
        self.outcomes: dict[str, SheetOutcome] = {}
        self.finished = 0
        self.total = len(self.selected)

    def _select(self, parks: Sequence[str] | None) -> list[str]:
        known = [p.id for p in self.report.parks]
        if parks is None:
            return known
        wanted = list(dict.fromkeys(parks))
        unknown = [p for p in wanted if p not in known]
        if unknown:
            close = difflib.get_close_matches(unknown[0], known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "parks: " + ", ".join(known)
            raise ValidationError(f"unknown park '{unknown[0]}'", Location(path="parks"), hint)
        return [p for p in known if p in wanted]

    def _path(self, park: str, fmt: str) -> Path:
        return self.outdir / f"{self.stems[park]}{suffix(fmt)}"

    def _intact(self, park: str) -> SheetOutcome | None:
        paths = {fmt: self._path(park, fmt) for fmt in self.formats}
        return intact_outcome(self.previous.get(park), paths)

    def run(self) -> BatchResult:
        todo: list[str] = []
        for park in self.selected:
            kept = self._intact(park) if self.resume else None
            if kept is None:
                todo.append(park)
            else:
                self._finish(kept)
        workers = min(self.jobs, len(todo))
        parallel = bool(todo) and (self.executor is not None or workers > 1)
        self.writes = _Writes(WRITERS if parallel else 1)
        try:
            if parallel:
                run_pool(
                    todo,
                    self._task,
                    self.executor,
                    self.jobs if self.executor else workers,
                    self._accept,
                    self._lost,
                    self.bundle,
                )
            else:
                for park in todo:
                    render = render_park(self.report, self.theme, park, self.formats, self.language)
                    self._accept(render, 1)
            self.writes.settle(self._record, 0)
        except BaseException:
            self.writes.abandon()
            with contextlib.suppress(Exception):
                self._write_manifest(None)
            raise
        finally:
            self.writes.close()
        booklet = self._write_booklet() if self.booklet else None
        manifest = self._write_manifest(booklet)
        order = {p: i for i, p in enumerate(self.selected)}
        by_status: dict[str, list[SheetOutcome]] = {"ok": [], "failed": [], "skipped": []}
        for o in sorted(self.outcomes.values(), key=lambda o: order[o.park]):
            by_status[o.status].append(o)
        for w in self.warnings:
            log.warning("%s", w)
        return BatchResult(
            outdir=self.outdir,
            manifest=manifest,
            done=by_status["ok"],
            failed=by_status["failed"],
            skipped=by_status["skipped"],
            warnings=self.warnings,
            seconds=time.perf_counter() - self.started,
            booklet=booklet,
        )

    def _task(self, park: str, attempt: int) -> SheetTask:
        theme = self.theme if self.own_theme else None
        source = str(self.source_file or "")
        return SheetTask(source, park, self.formats, self.language, attempt, theme, self.bundle)

    def _lost(self, park: str, exc: BaseException, attempts: int, gave_up: bool) -> None:
        """Record a park whose task never returned (its worker died, or the executor failed)."""
        where = park_location(self.report, park)
        what = type(exc).__name__ + (f": {exc}" if str(exc) else "")
        if gave_up:
            error = Diagnostic(
                "workers-stopping",
                f"not rendered: worker processes keep stopping before finishing any sheet ({what})",
                where,
                "try one job",
                "error",
            )
        else:
            retried = "; it was retried once" if attempts > 1 else ""
            error = Diagnostic(
                "worker-stopped",
                f"the worker rendering this sheet stopped ({what}){retried}",
                where,
                "out of memory, or a crash in a renderer",
                "error",
            )
        name = park_name(self.report, park, self.language)
        self._accept(SheetRender(park, name, False, errors=(error,)), attempts)

    def _accept(self, render: SheetRender, attempts: int) -> None:
        """Take a rendered sheet: its files go to a writer thread, and it is recorded (in
        this thread, in the order sheets arrive) once they are in place."""
        outcome = SheetOutcome(
            render.park,
            render.name,
            "ok" if render.ok else "failed",
            errors=list(render.errors),
            warnings=list(render.warnings),
            seconds=render.seconds,
            attempts=attempts,
        )
        files = None
        if render.ok:
            files = {f: (self._path(render.park, f), render.files[f]) for f in self.formats}
        self.writes.add(outcome, files, render.pages, self._record)

    def _record(self, outcome: SheetOutcome) -> None:
        """Record a sheet whose files are in place (or that failed): journal, progress."""
        if outcome.status == "failed":
            self._remove_stale(outcome.park)
        for w in outcome.warnings:
            log.warning("%s", w)
        if outcome.status == "ok":
            name = park_name(self.report, outcome.park, self.language)
            self.journal.record(entry_of(outcome.park, name, outcome))
        self._finish(outcome)

    def _remove_stale(self, park: str) -> None:
        """Remove this park's files from an earlier run (they no longer match the source)."""
        entry = self.previous.get(park)
        for item in entry.get("outputs", []) if entry else []:
            path = self.outdir / str(item.get("file"))
            if path.name in {self._path(park, f).name for f in SHEET_FORMATS}:
                with contextlib.suppress(OSError):
                    path.unlink()

    def _finish(self, outcome: SheetOutcome) -> None:
        self.outcomes[outcome.park] = outcome
        self.finished += 1
        if self.progress is not None:
            self.progress(self.finished, self.total, outcome)

    def _write_manifest(self, booklet: Path | None) -> Path:
        self.journal.close()  # the manifest replaces it
        entries = []
        for p in self.report.parks:
            outcome = self.outcomes.get(p.id)
            if outcome is None and (carried := self._intact(p.id)) is not None:
                outcome = dataclasses.replace(carried, status="ok")
            entries.append(entry_of(p.id, park_name(self.report, p.id, self.language), outcome))
        return write_manifest(
            self.outdir,
            self.report,
            self.source_file,
            self.inputs,
            self.edition,
            self.formats,
            entries,
            booklet,
        )

    def _write_booklet(self) -> Path:
        sheets = [
            (o.name, o.outputs["pdf"].path)
            for park in self.selected
            if (o := self.outcomes.get(park)) is not None
            and o.status != "failed"
            and "pdf" in o.outputs
        ]
        missing = [p for p in self.selected if self.outcomes[p].status == "failed"]
        if missing:
            self.warnings.append(
                Diagnostic(
                    "booklet-incomplete",
                    "booklet without the failed parks: " + ", ".join(missing),
                    Location(file=display_path(self.outdir / BOOKLET)),
                )
            )
        booklet = write_booklet(self.outdir, sheets, self.report, self.edition)
        if "ofd" in self.formats:
            write_booklet_ofd(booklet, self.report, self.theme)
        return booklet


WRITERS = 4
"""Threads writing a parallel batch's sheet files. Each file is flushed to disk before it is
renamed into place; waiting for that one file at a time (a few ms each) would leave the
workers idle once they render faster than the disk syncs, and several syncs under way at
once are served by one commit of the file system's journal."""


class _Writes:
    """Sheet files being written by threads, recorded in the order the sheets arrived.

    At most ``ahead`` sheets are being written while another arrives: a batch rendering in
    this process writes one sheet's files while it renders the next, no further ahead, so
    an interruption leaves no files of a sheet it has not recorded.
    """

    def __init__(self, ahead: int) -> None:
        self.ahead = ahead
        self.pending: deque[tuple[Future[None] | None, SheetOutcome]] = deque()
        self.threads: ThreadPoolExecutor | None = None

    def add(
        self,
        outcome: SheetOutcome,
        files: dict[str, tuple[Path, bytes]] | None,
        pages: int | None,
        record: Callable[[SheetOutcome], None],
    ) -> None:
        """Record what earlier sheets finished, then start writing ``files`` (None: none)."""
        self.settle(record, self.ahead - 1)
        job: Future[None] | None = None
        if files is not None:
            if self.threads is None:
                self.threads = ThreadPoolExecutor(self.ahead, thread_name_prefix="khz-write")
            job = self.threads.submit(_write_sheet, outcome, files, pages)
        self.pending.append((job, outcome))
        self.settle(record, 0, block=False)

    def settle(
        self, record: Callable[[SheetOutcome], None], keep: int, *, block: bool = True
    ) -> None:
        """Record the oldest sheets until ``keep`` are left (``block=False``: only those
        already written); a failed write raises its error here."""
        while len(self.pending) > keep:
            job, outcome = self.pending[0]
            if job is not None:
                if not block and not job.done():
                    return
                job.result()
            self.pending.popleft()
            record(outcome)

    def abandon(self) -> None:
        """Let the writes under way end (each is atomic), recording none of them."""
        for job, _ in self.pending:
            if job is not None:
                with contextlib.suppress(BaseException):
                    job.result()
        self.pending.clear()

    def close(self) -> None:
        if self.threads is not None:
            self.threads.shutdown(wait=True)
            self.threads = None


def _write_sheet(
    outcome: SheetOutcome, files: dict[str, tuple[Path, bytes]], pages: int | None
) -> None:
    """Write one sheet's files, each atomically, and note them in its outcome."""
    for fmt, (path, data) in files.items():
        write_atomic(path, data)
        outcome.outputs[fmt] = SheetOutput(
            fmt, path, sha256(data), len(data), pages if fmt == "pdf" else None
        )


def refuse_fork_pool(executor: Executor) -> None:
    """Refuse a process pool that forks: a fork taken while a Typst compile or a chart
    drawing holds a lock in another thread leaves the worker waiting for ever."""
    context = getattr(executor, "_mp_context", None)
    if isinstance(executor, ProcessPoolExecutor) and context is not None:
        if context.get_start_method() == "fork":
            raise ValidationError(
                "a process pool that forks its workers can hang once this process has built a PDF",
                Location(path="executor"),
                "create it with mp_context=multiprocessing.get_context('forkserver') "
                "(or 'spawn'), or leave executor out and give jobs",
            )
