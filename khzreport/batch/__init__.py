"""Per-park summary sheets in batch (一园一册): one DOCX and one one-page PDF per park.

:func:`build_sheets` loads the source once to check it, then renders the parks' sheets in
parallel and writes them as ``OUTDIR/<park_id>.docx|.pdf`` with ``manifest.json``.

How the work is split
    A task is plain, picklable data (:class:`SheetTask`: source path, park id, formats,
    language) and its result too (:class:`SheetRender`: the files' bytes, the located errors
    and warnings), so any :class:`concurrent.futures.Executor` can run it: the process pool
    :func:`build_sheets` starts by default, a user's ``ProcessPoolExecutor``, or
    ``dask.distributed.Client.get_executor()``. A worker parses the source once and keeps the
    report in a module-level cache keyed by (path, mtime, size); fonts, the Typst compiler and
    templates are cached per process by the writers. Only the parent writes files, each one
    atomically, so no interruption leaves a partial file.

Failures
    A park that fails (bad data, a missing photo, a template error) is reported with its
    source location and the others complete. A worker that dies (a crash, the OOM killer)
    takes the sheets it was rendering with it: the own pool is replaced, and those parks are
    retried once, each alone, so a park that kills its worker again is the one reported.
    Ctrl-C cancels what has not started, shuts the pool down, writes the manifest of what is
    done (so ``resume`` continues from there) and re-raises :class:`KeyboardInterrupt`.

One page per PDF
    Each sheet PDF's pages are counted (pypdf). A sheet that runs longer is fitted in these
    steps, each with a located warning: (1) the narrative is shortened at a sentence end
    (。！？), ending in ``……``, keeping as much as fits (a binary search over the sentence
    ends, down to the first sentence); (2) if even that is too long, the figure is drawn
    smaller, then left out (again with as much narrative as fits); (3) otherwise the park
    fails with a message naming what to shorten. A DOCX built alongside shows the same
    fitted content, so the two formats agree.

The manifest
    ``manifest.json`` lists every park of the report in source order with its status
    (``ok``, ``failed``, or ``skipped`` when it was not built and has no earlier output), its
    outputs (file, format, sha256, size, pages) and its errors and warnings. It has sorted
    keys and no timestamps, so the same source gives the same manifest. ``inputs`` is a hash
    of the source text, khzreport version and language; ``resume`` trusts an ``ok`` entry
    only when that hash matches and its files still have the recorded sha256. Run times are
    in :class:`BatchResult` and the CLI summary only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import logging
import multiprocessing
import os
import re
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from typing import TYPE_CHECKING, Any, Literal

from ..errors import KhzReportError, Location, ValidationError, display_path
from ..model import Report

if TYPE_CHECKING:
    from ..document import Document
    from ..theme import Theme

__all__ = [
    "BOOKLET",
    "MANIFEST",
    "SHEET_FORMATS",
    "BatchResult",
    "ProgressCallback",
    "SheetOutcome",
    "SheetRender",
    "SheetTask",
    "build_sheets",
    "output_stems",
    "run_task",
]

log = logging.getLogger("khzreport")

SHEET_FORMATS = ("docx", "pdf")
"""Formats a park sheet is written in."""
MANIFEST = "manifest.json"
"""Name of the manifest in the output folder."""
BOOKLET = "parks-booklet.pdf"
"""Name of the booklet of all sheet PDFs (``booklet=True``)."""
KILL_PARK_ENV = "KHZREPORT_TEST_KILL_PARK"
"""Test hook: a worker process rendering this park id exits at once (``os._exit(1)``)..."""
KILL_DIR_ENV = "KHZREPORT_TEST_KILL_DIR"
"""...the first time only: it leaves a marker file in this folder (the hook needs both)."""

Status = Literal["ok", "failed", "skipped"]
_Width = Literal["full", "half", "small"]
_MAX_BREAKS = 3
"""Times in a row the own pool may break without finishing a sheet before it is given up."""
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


# --------------------------------------------------------------------------- plain data


@dataclass(frozen=True)
class SheetTask:
    """What a worker needs to render one park's sheet (plain, picklable data).

    ``attempt`` makes a retry a distinct task (dask caches results of identical calls);
    ``parent_pid`` lets the test hook spare the parent process.
    """

    source: str
    park: str
    formats: tuple[str, ...]
    language: str | None
    attempt: int = 1
    parent_pid: int = 0


@dataclass(frozen=True)
class SheetRender:
    """A worker's result for one park: file bytes by format, or located errors."""

    park: str
    name: str
    ok: bool
    files: Mapping[str, bytes] = field(default_factory=dict)
    pages: int | None = None
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True)
class SheetOutput:
    """One file written for a park."""

    format: str
    path: Path
    sha256: str
    size: int
    pages: int | None = None


@dataclass
class SheetOutcome:
    """What became of one park in a batch: status, files, located errors and warnings."""

    park: str
    name: str
    status: Status
    outputs: dict[str, SheetOutput] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    attempts: int = 0


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
    warnings: list[str] = field(default_factory=list)
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

    def all_warnings(self) -> list[str]:
        """Return the batch's warnings, then those of the parks rendered now, without repeats."""
        items = list(self.warnings)
        for o in self.done + self.failed:
            items.extend(o.warnings)
        return list(dict.fromkeys(items))


ProgressCallback = Callable[[int, int, SheetOutcome], None]
"""``progress(finished, total, outcome)``, called in the parent as each park finishes."""


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
    from .. import api

    report = api.load(source)
    theme = api.theme_of(report)
    with _reports_lock:
        _reports[source] = (version, report, theme)
    return report, theme


def run_task(task: SheetTask) -> SheetRender:
    """Render one park's sheet in a worker: the entry point every executor runs.

    Never raises for a bad park: errors come back located in the result.
    """
    _test_kill_hook(task)
    started = time.perf_counter()
    try:
        report, theme = _cached_report(task.source)
    except KhzReportError as exc:
        return SheetRender(task.park, task.park, False, errors=_one_lines(exc))
    result = render_park(report, theme, task.park, task.formats, task.language)
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def _test_kill_hook(task: SheetTask) -> None:
    park, folder = os.environ.get(KILL_PARK_ENV), os.environ.get(KILL_DIR_ENV)
    if not park or not folder or park != task.park or os.getpid() == task.parent_pid:
        return
    marker = Path(folder) / f"killed-{park}"
    if not marker.exists():
        marker.touch()
        os._exit(1)


class _Capture(logging.Filter):
    """Collect (and hold back) the warnings this thread logs while it renders a sheet.

    The fitting steps render overlong drafts whose warnings must not reach the user; the
    final draft's warnings are returned in the result and logged by the parent.
    """

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread != self.thread or record.levelno < logging.WARNING:
            return True
        self.messages.append(record.getMessage())
        return False


@contextlib.contextmanager
def _captured() -> Iterator[_Capture]:
    capture = _Capture()
    log.addFilter(capture)
    try:
        yield capture
    finally:
        log.removeFilter(capture)


@dataclass
class _Draft:
    document: Document
    charts: dict[str, Any]
    pdf: bytes | None
    pages: int
    logged: list[str]


def render_park(
    report: Report,
    theme: Theme,
    park: str,
    formats: Sequence[str],
    language: str | None = None,
) -> SheetRender:
    """Render one park's sheet in each format, fitting the PDF on one page; never raises."""
    started = time.perf_counter()
    name = _park_name(report, park, language)
    with _captured() as capture:
        try:
            draft, notes = _fit(report, theme, park, formats, language, capture)
            from ..writers import render

            files: dict[str, bytes] = {}
            capture.messages.clear()
            for fmt in formats:
                if fmt == "pdf":
                    assert draft.pdf is not None
                    files[fmt] = draft.pdf
                else:
                    files[fmt] = render(fmt, draft.document, draft.charts)
        except KhzReportError as exc:
            return SheetRender(park, name, False, errors=_one_lines(exc))
        except Exception as exc:
            where = _park_location(report, park)
            detail = "\n" + traceback.format_exc() if os.environ.get("KHZREPORT_DEBUG") else ""
            return SheetRender(
                park,
                name,
                False,
                errors=(
                    f"{where}: internal error while rendering this sheet: "
                    f"{type(exc).__name__}: {exc} (this is a bug in khzreport; please report it "
                    f"with the source; KHZREPORT_DEBUG=1 adds the traceback){detail}",
                ),
            )
        logged = draft.logged + capture.messages
    warnings = tuple(dict.fromkeys([*draft.document.warnings, *notes, *logged]))
    return SheetRender(
        park,
        draft.document.meta.title or name,
        True,
        files,
        draft.pages if draft.pdf is not None else None,
        warnings=warnings,
        seconds=time.perf_counter() - started,
    )


def _fit(
    report: Report,
    theme: Theme,
    park: str,
    formats: Sequence[str],
    language: str | None,
    capture: _Capture,
) -> tuple[_Draft, list[str]]:
    """Return the first draft that fits on one page, per the steps in the module docstring."""
    from ..document import Figure, Paragraph
    from ..layouts.sheet import sentence_breaks

    def draft(limit: int | None, width: _Width, figure: bool) -> _Draft:
        from .. import api
        from ..writers import render

        capture.messages.clear()
        doc = api.resolve(
            report,
            park=park,
            language=language,
            theme=theme,
            narrative_limit=limit,
            figure=figure,
        )
        if width != "half":
            doc = dataclasses.replace(
                doc,
                blocks=tuple(
                    dataclasses.replace(b, width=width) if isinstance(b, Figure) else b
                    for b in doc.blocks
                ),
            )
        charts = api.render_charts(doc)
        if "pdf" not in formats:
            return _Draft(doc, charts, None, 1, list(capture.messages))
        pdf = render("pdf", doc, charts)
        return _Draft(doc, charts, pdf, _page_count(pdf), list(capture.messages))

    first = draft(None, "half", True)
    if first.pages <= 1:
        return first, []
    texts = [b.text for b in first.document.blocks if isinstance(b, Paragraph)]
    cuts = sentence_breaks(texts)[:-1]
    has_figure = any(isinstance(b, Figure) for b in first.document.blocks)
    steps: list[tuple[_Width, bool]] = [("half", True)]
    if has_figure:
        steps += [("small", True), ("half", False)]
    what = _figure_field(report, park)
    for width, figure in steps:
        full = first if (width, figure) == ("half", True) else draft(None, width, figure)
        best: _Draft | None = full if full.pages <= 1 else None
        if best is None and cuts:
            shortest = draft(cuts[0], width, figure)
            if shortest.pages <= 1:
                best = shortest
                lo, hi = 0, len(cuts) - 1
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    attempt = draft(cuts[mid], width, figure)
                    if attempt.pages <= 1:
                        lo, best = mid, attempt
                    else:
                        hi = mid - 1
        if best is not None:
            notes = []
            if width == "small" and what:
                where = _park_location(report, park, what)
                notes.append(f"{where}: {what} drawn smaller to fit one page")
            return best, notes
    where = _park_location(report, park)
    raise ValidationError(
        f"the sheet of park '{park}' runs to {first.pages} pages and does not fit on one "
        "even with its narrative cut to one sentence"
        + (" and its figure left out" if has_figure else ""),
        where,
        "shorten its positioning, leading industries or key enterprises, or show fewer indicators",
    )


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _park_name(report: Report, park: str, language: str | None) -> str:
    p = report.park(park)
    lang = language or report.meta.language
    return p.name_en if lang == "en" and p.name_en else p.name


def _figure_field(report: Report, park: str) -> str | None:
    p = report.park(park)
    return "chart" if p.chart else "photo" if p.photo else None


def _park_location(report: Report, park: str, fieldname: str | None = None) -> Location:
    from ..locations import format_path, source_map

    i = [p.id for p in report.parks].index(park)
    key: tuple[str | int, ...] = ("parks", i) if fieldname is None else ("parks", i, fieldname)
    smap = source_map(report)
    return smap.locate(key) if smap else Location(path=format_path(key))


def _one_lines(exc: KhzReportError) -> tuple[str, ...]:
    return tuple(e.one_line() for e in getattr(exc, "errors", [exc]))


def _init_worker(environ: dict[str, str]) -> None:
    """Start a pool worker: the parent's environment, and Ctrl-C left to the parent."""
    os.environ.clear()
    os.environ.update(environ)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --------------------------------------------------------------------------- parent side


def output_stems(ids: Sequence[str]) -> dict[str, str]:
    """Return a file stem for each park id, safe on every OS and stable across runs.

    Characters outside ``[A-Za-z0-9_-]`` become ``_``; Windows device names (``CON``,
    ``PRN``, ``AUX``, ``NUL``, ``COM1``-``COM9``, ``LPT1``-``LPT9``) get a trailing ``_``;
    ids equal but for case (one folder on Windows and macOS) get ``-2``, ``-3`` … in source
    order.
    """
    stems: dict[str, str] = {}
    used = {Path(MANIFEST).stem, Path(BOOKLET).stem}
    for ident in ids:
        base = re.sub(r"[^A-Za-z0-9_-]", "_", ident) or "park"
        if base.upper() in _RESERVED:
            base += "_"
        stem, n = base, 2
        while stem.lower() in used:
            stem, n = f"{base}-{n}", n + 1
        used.add(stem.lower())
        stems[ident] = stem
    return stems


def build_sheets(
    source: str | os.PathLike[str] | Report,
    outdir: str | os.PathLike[str] | None = None,
    *,
    parks: Sequence[str] | None = None,
    formats: str | Sequence[str] = SHEET_FORMATS,
    jobs: int | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    booklet: bool = False,
    language: str | None = None,
    progress: ProgressCallback | None = None,
) -> BatchResult:
    """Write the summary sheet of each park into ``outdir``; return what became of each.

    ``source`` is a report file (or a :class:`Report` loaded from one; one built in memory
    is rendered in this process). ``outdir`` defaults to ``build/sheets`` next to the source
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
        source, outdir, parks, formats, jobs, executor, resume, booklet, language, progress
    )
    from ..output import output_lock

    with output_lock(batch.outdir):  # a second batch into the folder fails at once
        return batch.run()


def _sheet_formats(formats: str | Sequence[str]) -> tuple[str, ...]:
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out: list[str] = []
    for item in (i.strip().lower() for i in items):
        if not item:
            continue
        if item not in SHEET_FORMATS:
            raise ValidationError(
                f"unknown sheet format '{item}'", None, "sheets are written as: docx, pdf"
            )
        if item not in out:
            out.append(item)
    if not out:
        raise ValidationError("no format given", None, "use docx, pdf or docx,pdf")
    return tuple(out)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("khzreport")
    except metadata.PackageNotFoundError:
        return "0"


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
    ) -> None:
        from .. import api
        from ..locations import source_map

        self.started = time.perf_counter()
        self.formats = _sheet_formats(formats)
        if booklet and "pdf" not in self.formats:
            raise ValidationError("a booklet needs the sheet PDFs", None, "add pdf to the formats")
        if language not in (None, "zh-CN", "en"):
            raise ValidationError(f"unknown language '{language}'", None, "use zh-CN or en")
        if jobs is not None and jobs < 1:
            raise ValidationError(f"jobs must be at least 1, got {jobs}", None, "use --jobs 1")
        self.report = source if isinstance(source, Report) else api.load(Path(source))
        smap = source_map(self.report)
        self.source_file: Path | None = smap.file.resolve() if smap else None
        self.theme = api.theme_of(self.report)
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
        self.executor = executor
        self.resume = resume
        self.booklet = booklet
        self.progress = progress
        self.inputs = self._fingerprint()
        self.warnings: list[str] = []
        self.previous = self._previous_entries()
        self.outcomes: dict[str, SheetOutcome] = {}
        self.finished = 0

    # -- setup

    def _select(self, parks: Sequence[str] | None) -> list[str]:
        known = [p.id for p in self.report.parks]
        if parks is None:
            return known
        wanted = list(dict.fromkeys(parks))
        unknown = [p for p in wanted if p not in known]
        if unknown:
            import difflib

            close = difflib.get_close_matches(unknown[0], known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "parks: " + ", ".join(known)
            raise ValidationError(f"unknown park '{unknown[0]}'", Location(path="parks"), hint)
        return [p for p in known if p in wanted]

    def _fingerprint(self) -> str:
        h = hashlib.sha256()
        h.update(f"khzreport {_version()}\0{self.edition}\0".encode())
        if self.source_file is not None:
            h.update(self.source_file.read_bytes())
        else:
            h.update(self.report.model_dump_json().encode())
        return h.hexdigest()

    def _previous_entries(self) -> dict[str, dict[str, Any]]:
        """Return the earlier manifest's park entries if it was made from the same inputs."""
        path = self.outdir / MANIFEST
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = {e["park"]: e for e in data["parks"]}
        except (OSError, ValueError, KeyError, TypeError):
            self.warnings.append(f"{display_path(path)}: unreadable manifest ignored")
            return {}
        if data.get("inputs") != self.inputs:
            if self.resume:
                self.warnings.append(
                    f"{display_path(path)}: the source, language or khzreport version "
                    "changed since the last run; rebuilding every sheet"
                )
            return {}
        return entries

    def _intact(self, park: str) -> SheetOutcome | None:
        """Return an earlier ``ok`` outcome whose files are all still as recorded."""
        entry = self.previous.get(park)
        if not entry or entry.get("status") != "ok":
            return None
        recorded = {o.get("format"): o for o in entry.get("outputs", [])}
        outputs: dict[str, SheetOutput] = {}
        for fmt in self.formats:
            item = recorded.get(fmt)
            if not item:
                return None
            path = self.outdir / str(item.get("file"))
            if path.name != self._path(park, fmt).name or _file_sha256(path) != item.get("sha256"):
                return None
            outputs[fmt] = SheetOutput(
                fmt, path, str(item["sha256"]), int(item["size"]), item.get("pages")
            )
        return SheetOutcome(
            park,
            str(entry.get("name", park)),
            "skipped",
            outputs,
            warnings=list(entry.get("warnings", [])),
        )

    def _path(self, park: str, fmt: str) -> Path:
        from ..writers import suffix

        return self.outdir / f"{self.stems[park]}{suffix(fmt)}"

    # -- run

    def run(self) -> BatchResult:
        todo: list[str] = []
        total = len(self.selected)
        for park in self.selected:
            kept = self._intact(park) if self.resume else None
            if kept is None:
                todo.append(park)
            else:
                self._finish(kept, total)
        try:
            workers = min(self.jobs, len(todo))
            if self.executor is not None and todo and self.source_file is not None:
                self._run_pool(todo, total, self.executor, workers=self.jobs)
            elif workers > 1 and self.source_file is not None:
                self._run_pool(todo, total, None, workers=workers)
            else:
                for park in todo:
                    render = render_park(self.report, self.theme, park, self.formats, self.language)
                    self._accept(render, total, attempts=1)
        except BaseException:
            with contextlib.suppress(Exception):
                self._write_manifest(None)
            raise
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
        assert self.source_file is not None
        return SheetTask(
            str(self.source_file), park, self.formats, self.language, attempt, os.getpid()
        )

    def _run_pool(
        self, todo: list[str], total: int, executor: Executor | None, workers: int
    ) -> None:
        """Render ``todo`` on an executor, keeping ``2 * workers`` tasks in flight.

        Two per worker keep every worker busy while the parent writes files. Parks whose task
        failed at the executor level (a dead worker) become suspects, retried once each
        alone, so a second death is pinned on the right park. An own pool that breaks
        :data:`_MAX_BREAKS` times in a row without finishing a sheet is given up.
        """
        own = executor is None
        window = 2 * workers
        pool = executor or self._own_pool(workers)
        generation = breaks = 0
        queue = deque(todo)
        suspects: deque[str] = deque()
        attempts: dict[str, int] = {}
        inflight: dict[Future[SheetRender], tuple[str, int]] = {}

        def submit(park: str) -> None:
            attempts[park] = attempts.get(park, 0) + 1
            try:
                fut = pool.submit(run_task, self._task(park, attempts[park]))
            except Exception as exc:  # a broken or shut-down executor of the user's
                self._lost(park, exc, total, attempts[park])
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
                            if breaks >= _MAX_BREAKS:
                                for lost in [park, *suspects, *queue]:
                                    self._lost(
                                        lost, exc, total, attempts.get(lost, 0), gave_up=True
                                    )
                                suspects.clear()
                                queue.clear()
                                continue
                            pool = self._own_pool(workers)
                            generation += 1
                        if attempts[park] >= 2 or breaks >= _MAX_BREAKS:
                            self._lost(
                                park, exc, total, attempts[park], gave_up=breaks >= _MAX_BREAKS
                            )
                        else:
                            suspects.append(park)
                refill()
                for park, render in results:
                    breaks = 0
                    self._accept(render, total, attempts[park])
        except BaseException:
            for fut in inflight:
                fut.cancel()
            if own:
                self._stop_pool(pool)
            raise
        if own:
            pool.shutdown(wait=True)

    def _own_pool(self, workers: int) -> ProcessPoolExecutor:
        methods = multiprocessing.get_all_start_methods()
        ctx: multiprocessing.context.BaseContext
        if "forkserver" in methods:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(
                ["khzreport.batch", "khzreport.api", "khzreport.writers.pdf"]
            )
        else:
            ctx = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(dict(os.environ),),
        )

    @staticmethod
    def _stop_pool(pool: Executor) -> None:
        """Shut our pool down now: pending tasks cancelled, running workers ended.

        Workers write nothing (the parent writes every file), so ending them loses no output.
        """
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(5)

    def _lost(
        self, park: str, exc: BaseException, total: int, attempts: int, gave_up: bool = False
    ) -> None:
        """Record a park whose task never returned (its worker died, or the executor failed)."""
        where = _park_location(self.report, park)
        what = type(exc).__name__ + (f": {exc}" if str(exc) else "")
        if gave_up:
            message = (
                f"{where}: not rendered: worker processes keep stopping before finishing any "
                f"sheet ({what}); try --jobs 1"
            )
        else:
            retried = "; it was retried once" if attempts > 1 else ""
            message = (
                f"{where}: the worker rendering this sheet stopped ({what}){retried} "
                "(out of memory, or a crash in a renderer)"
            )
        name = _park_name(self.report, park, self.language)
        self._accept(SheetRender(park, name, False, errors=(message,)), total, attempts)

    def _accept(self, render: SheetRender, total: int, attempts: int) -> None:
        """Write a rendered sheet's files (atomically) and record its outcome."""
        outcome = SheetOutcome(
            render.park,
            render.name,
            "ok" if render.ok else "failed",
            errors=list(render.errors),
            warnings=list(render.warnings),
            seconds=render.seconds,
            attempts=attempts,
        )
        from ..output import write_atomic

        if render.ok:
            for fmt in self.formats:
                data = render.files[fmt]
                path = self._path(render.park, fmt)
                write_atomic(path, data)
                outcome.outputs[fmt] = SheetOutput(
                    fmt, path, _sha256(data), len(data), render.pages if fmt == "pdf" else None
                )
        else:
            self._remove_stale(render.park)
        for w in outcome.warnings:
            log.warning("%s", w)
        self._finish(outcome, total)

    def _remove_stale(self, park: str) -> None:
        """Remove this park's files from an earlier run (they no longer match the source)."""
        entry = self.previous.get(park)
        for item in entry.get("outputs", []) if entry else []:
            path = self.outdir / str(item.get("file"))
            if path.name in {self._path(park, f).name for f in SHEET_FORMATS}:
                with contextlib.suppress(OSError):
                    path.unlink()

    def _finish(self, outcome: SheetOutcome, total: int) -> None:
        self.outcomes[outcome.park] = outcome
        self.finished += 1
        if self.progress is not None:
            self.progress(self.finished, total, outcome)

    # -- outputs

    def _entry(self, park: str) -> dict[str, Any]:
        outcome = self.outcomes.get(park)
        if outcome is None:
            carried = self._intact(park)
            if carried is not None:
                outcome = dataclasses.replace(carried, status="ok")
        if outcome is None:
            return {
                "park": park,
                "name": _park_name(self.report, park, self.language),
                "status": "skipped",
                "outputs": [],
                "errors": [],
                "warnings": [],
            }
        return {
            "park": park,
            "name": outcome.name,
            "status": "ok" if outcome.status == "skipped" else outcome.status,
            "outputs": [
                {
                    "format": o.format,
                    "file": o.path.name,
                    "sha256": o.sha256,
                    "size": o.size,
                    **({"pages": o.pages} if o.pages is not None else {}),
                }
                for o in outcome.outputs.values()
            ],
            "errors": list(outcome.errors),
            "warnings": list(outcome.warnings),
        }

    def _write_manifest(self, booklet: Path | None) -> Path:
        from ..output import write_atomic

        booklet_entry = None
        if booklet is not None:
            data = booklet.read_bytes()
            booklet_entry = {"file": booklet.name, "sha256": _sha256(data), "size": len(data)}
        manifest = {
            "generator": f"khzreport {_version()}",
            "source": self.source_file.name if self.source_file else None,
            "inputs": self.inputs,
            "report": self.report.meta.id,
            "language": self.edition,
            "formats": list(self.formats),
            "parks": [self._entry(p.id) for p in self.report.parks],
            "booklet": booklet_entry,
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        path = self.outdir / MANIFEST
        write_atomic(path, text.encode("utf-8"))
        return path

    def _write_booklet(self) -> Path:
        """Merge the sheet PDFs (source order) into one file with a bookmark per park."""
        from pypdf import PdfReader, PdfWriter
        from pypdf.generic import NameObject, TextStringObject

        from ..output import write_atomic

        writer = PdfWriter()
        for park in self.selected:
            outcome = self.outcomes.get(park)
            if outcome is None or outcome.status == "failed" or "pdf" not in outcome.outputs:
                continue
            reader = PdfReader(outcome.outputs["pdf"].path)
            writer.append(reader, outline_item=outcome.name, import_outline=False)
        missing = [p for p in self.selected if self.outcomes[p].status == "failed"]
        if missing:
            self.warnings.append(
                f"{display_path(self.outdir / BOOKLET)}: booklet without the failed parks: "
                + ", ".join(missing)
            )
        meta = self.report.meta
        en = self.edition == "en"
        issuer = (meta.issuer_en or meta.issuer) if en else meta.issuer
        title = f"{issuer}: park profiles {meta.year}" if en else f"{issuer}{meta.year}年园区简介"
        stamp = f"D:{meta.date:%Y%m%d}000000Z"
        writer.add_metadata(
            {
                "/Title": title,
                "/Author": issuer,
                "/Subject": "Park profiles" if en else "园区简介",
                "/Creator": "khzreport",
                "/Producer": f"khzreport {_version()} (pypdf)",
                "/CreationDate": stamp,
                "/ModDate": stamp,
            }
        )
        writer._root_object[NameObject("/Lang")] = TextStringObject(self.edition)
        writer.page_mode = "/UseOutlines"
        buf = io.BytesIO()
        writer.write(buf)
        path = self.outdir / BOOKLET
        write_atomic(path, buf.getvalue())
        return path
