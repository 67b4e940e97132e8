"""The Python API: load a source, check it, resolve it, build the briefing and park sheets."""

from __future__ import annotations

import contextlib
import html
import logging
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from pydantic import BaseModel

from . import buildcache, drawer
from .diagnostics import Diagnostic, Diagnostics
from .document import Document
from .errors import KhzReportError, Location, ReportValidationError, raise_all
from .layouts import compose_briefing, compose_sheet
from .locations import source_map
from .model import Report
from .output import output_lock, write_files_atomic
from .resolver import advisor
from .resolver import lint as resolver_lint
from .resources import cache_dir, using_cache
from .source import reader
from .source.partial import read_partial
from .source.references import check_references
from .source.themes import ThemeChoice, theme_for, theme_from
from .theme import Theme
from .writers import FORMATS as FORMATS  # the formats ``build`` writes, in that order
from .writers import parse_formats as parse_formats
from .writers import render as render_format
from .writers import suffix
from .writers.base import chart_kinds

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from .batch import BatchResult, ProgressCallback

log = logging.getLogger("khzreport")


def load(path: str | os.PathLike[str]) -> Report:
    """Read and validate a report source; raise :class:`KhzReportError` with locations."""
    return reader.load(Path(path))


def check(report: Report) -> None:
    """Raise the located errors of a report's ids: each defined once, each reference known.

    :func:`load` checks a source so; a report built or derived in Python is checked here,
    by every function that resolves it, so an unknown id fails as a located
    :class:`~khzreport.errors.ReportValidationError` rather than deep inside a writer.
    """
    raise_all(check_references(report, source_map(report)))


def theme_of(report: Report, language: str | None = None) -> Theme:
    """Return the theme a report names (preset or theme file next to the source)."""
    return theme_for(report, language)


def resolve(
    report: Report,
    *,
    park: str | None = None,
    language: str | None = None,
    theme: ThemeChoice | None = None,
    narrative_limit: int | None = None,
    figure: bool = True,
    diagnostics: Diagnostics | None = None,
) -> Document:
    """Return the resolved briefing, or the sheet of ``park``, ready for any writer.

    For a sheet, ``narrative_limit`` and ``figure`` shorten its narrative and leave out its
    figure (see :func:`khzreport.layouts.compose_sheet`); the briefing ignores them. The
    document's warnings are in ``Document.diagnostics``, and also go into ``diagnostics``
    when given.
    """
    check(report)
    chosen = theme_from(theme) if theme is not None else theme_of(report)
    if park is None:
        return compose_briefing(report, chosen, language, diagnostics=diagnostics)
    return compose_sheet(
        report,
        report.park(park),
        chosen,
        language,
        narrative_limit=narrative_limit,
        figure=figure,
        diagnostics=diagnostics,
    )


def _editions(report: Report) -> list[str]:
    """Return the languages a report is built in: its own, and English when it has any
    English text (``title_en``, ``label_en``, ``paragraph_en`` …)."""
    own = report.meta.language
    return [own] if own == "en" or not _has_english(report) else [own, "en"]


def _has_english(node: Any) -> bool:
    if isinstance(node, BaseModel):
        return any(
            (name.endswith("_en") and value not in (None, "", [])) or _has_english(value)
            for name, value in node
        )
    if isinstance(node, (list, tuple)):
        return any(_has_english(item) for item in node)
    if isinstance(node, dict):
        return any(_has_english(item) for item in node.values())
    return False


def validate(report: Report, language: str | None = None) -> list[Diagnostic]:
    """Resolve the briefing and every sheet (binding every template); return the diagnostics.

    Without ``language`` every edition the report has is resolved (its own language, and English when
    it has any English text), so a
    limit only the English text passes (a 300-character ``title_en``) is found as a build
    of that edition would find it. Errors are raised together
    (:class:`~khzreport.errors.ErrorGroup`); the warnings are the report's own language's
    (or ``language``'s), and one the briefing and a sheet share is returned once.
    """
    theme = theme_of(report)
    errors: list[KhzReportError] = []
    diagnostics = Diagnostics()
    try:
        check(report)  # once: resolve() would check it again for every edition and sheet
    except KhzReportError as exc:
        errors.extend(getattr(exc, "errors", [exc]))
    else:
        for edition in [language] if language else _editions(report):
            found = diagnostics if edition in (language, report.meta.language) else Diagnostics()
            for park in [None, *report.parks]:
                try:
                    if park is None:
                        compose_briefing(report, theme, edition, diagnostics=found)
                    else:
                        compose_sheet(report, park, theme, edition, diagnostics=found)
                except KhzReportError as exc:
                    errors.extend(getattr(exc, "errors", [exc]))
    unique = {e.one_line(): e for e in errors}
    raise_all(list(unique.values()))
    return list(diagnostics)


def validate_source(
    path: str | os.PathLike[str], language: str | None = None
) -> tuple[Report, list[Diagnostic]]:
    """Check a source file completely: schema, references and templates, all in one run.

    Unlike :func:`load` then :func:`validate`, schema and reference errors do not stop the
    check: the parts they concern are left out (see :mod:`khzreport.source.partial`) and
    the templates of the rest are bound. Every error is raised together; otherwise the
    report and its warnings are returned.
    """
    partial = read_partial(Path(path))
    errors = list(partial.errors)
    diagnostics: list[Diagnostic] = []
    if partial.report is not None:
        try:
            diagnostics = validate(partial.report, language)
        except KhzReportError as exc:
            found = getattr(exc, "errors", [exc])
            errors += [e for e in found if not partial.follows_from_left_out(e)]
    unique = {e.one_line(): e for e in errors}
    raise_all(list(unique.values()))
    assert partial.report is not None  # no error means the whole source validated
    return partial.report, diagnostics


def lint(report: Report) -> list[KhzReportError]:
    """Return the consistency findings on a report (see :mod:`khzreport.resolver.lint`)."""
    return resolver_lint.lint(report)


def advise(report: Report) -> list[Diagnostic]:
    """Return the chart advisor's warnings (see :mod:`khzreport.resolver.advisor`).

    Charts that mislead (96 against 1, two numbers, stocks beside flows, ranks of lists of
    different sizes on one axis) and figures the briefing prints more than three times,
    each located. The count of prints reads the resolved briefing; a report that does not
    resolve gets the chart warnings only (its errors are validate's).
    """
    smap = source_map(report)
    found = list(advisor.chart_advice(report, smap))
    try:
        document = resolve(report, diagnostics=Diagnostics())
    except KhzReportError:
        return found
    return [*found, *advisor.repeated_figures(report, document, smap)]


def render_charts(
    document: Document,
    *,
    strict: bool = False,
    diagnostics: Diagnostics | None = None,
    cache: Path | None = None,
    formats: Sequence[str] | None = None,
    docx_charts: str | None = None,
) -> dict[str, Any]:
    """Return the rendered charts of a document by chart id (served from the cache if unchanged).

    Font warnings go into ``diagnostics`` when given (``strict`` is then its owner's call),
    else are logged, or raised under ``strict``. ``cache`` is the folder of drawn charts
    (default: :func:`~khzreport.resources.cache_dir`). Given ``formats`` (and the DOCX's
    ``docx_charts``), only the drawings those writers use are made: no PNG for a PDF.
    """
    from .charts import render_document_charts  # validate and lint never draw a chart

    folder = cache if cache is not None else cache_dir()
    kinds = None if formats is None else chart_kinds(formats, document, docx_charts=docx_charts)
    return render_document_charts(
        document,
        folder,
        strict=strict,
        diagnostics=diagnostics,
        kinds=kinds,
    )


CacheChoice = str | os.PathLike[str] | bool | None
"""Where drawn charts are kept: ``True`` the user cache folder (shared by builds), a path
that folder, ``None`` or ``False`` nowhere (a temporary folder removed after the call)."""


@contextlib.contextmanager
def _chart_cache(cache: CacheChoice) -> Iterator[Path]:
    if cache is True:
        yield cache_dir()
    elif cache is None or cache is False:
        with tempfile.TemporaryDirectory(prefix="khzreport-cache-") as tmp, using_cache(Path(tmp)):
            yield Path(tmp)
    else:
        with using_cache(Path(cache)) as folder:
            yield folder


def _one_format(format: str, allowed: Sequence[str] = FORMATS) -> str:
    fmts = parse_formats(format, allowed)
    if len(fmts) != 1:
        raise ReportValidationError(
            f"expected one format, got {len(fmts)}", Location(path="format"), "render one at a time"
        )
    return fmts[0]


def render(
    source: Report | Document,
    format: str,
    *,
    theme: ThemeChoice | None = None,
    language: str | None = None,
    cache: CacheChoice = True,
    pdf_standard: str | None = None,
    strict: bool = False,
    diagnostics: Diagnostics | None = None,
    docx_charts: str | None = None,
) -> bytes:
    """Return the briefing of a report (or a resolved document) in one format, as bytes.

    Nothing is written but drawn charts, kept in ``cache`` (see :data:`CacheChoice`;
    ``cache=None`` keeps nothing). Safe to call from several threads at once, as a web
    handler does. Warnings go into ``diagnostics`` when given; under ``strict`` they are
    raised as located errors instead.
    """
    fmt = _one_format(format)
    found = Diagnostics()
    if isinstance(source, Document):
        if theme is not None or language is not None:
            raise ReportValidationError(
                "a resolved document already has its theme and language",
                Location(path="theme" if theme is not None else "language"),
                "pass the report instead, or resolve it with this theme and language",
            )
        document = source
        found.extend(document.diagnostics)
    else:
        document = resolve(source, language=language, theme=theme, diagnostics=found)
    options = _writer_options(fmt, pdf_standard, docx_charts)
    with _chart_cache(cache) as folder:
        # Every form of each chart, drawn at once: callers render one format after another
        # (the preview: the page, then the PDF), and each form asked for later would draw
        # the chart again.
        charts = render_charts(document, diagnostics=found, cache=folder)
        data = render_format(fmt, document, charts, diagnostics=found, **options)
    found.raise_if_strict(strict)
    if diagnostics is not None:
        diagnostics.extend(found)
    return data


def _render_formats(
    fmts: Sequence[str],
    document: Document,
    charts: Mapping[str, Any],
    diagnostics: Diagnostics,
    pdf_standard: str | None,
    docx_charts: str | None,
) -> list[bytes]:
    """Return a document rendered in each format, the PDF on a second thread.

    Typst compiles with the interpreter's lock released, so while it sets the PDF the other
    writers (Python) run here: a build of several formats uses two cores. Each writer
    reports into a channel of its own, handed on in the order of ``fmts``, so the
    diagnostics and the first error raised are those of writing one format after another.
    """
    options = {fmt: _writer_options(fmt, pdf_standard, docx_charts) for fmt in fmts}
    channels = {fmt: Diagnostics(logs=False) for fmt in fmts}

    def write(fmt: str) -> bytes:
        return render_format(fmt, document, charts, diagnostics=channels[fmt], **options[fmt])

    results: dict[str, Future[bytes]] = {}
    beside = "pdf" if "pdf" in fmts and len(fmts) > 1 else None
    # The OFD's pages are the PDF's: it converts the PDF set beside rather than set it again
    # (unless that PDF is a PDF/A or PDF/UA, whose bytes an OFD of its own would not share).
    from_pdf = beside == "pdf" and "ofd" in fmts and pdf_standard is None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="khzreport-pdf") as pool:
        if beside is not None:
            results[beside] = pool.submit(write, beside)
        for fmt in sorted(fmts, key=lambda f: from_pdf and f == "ofd"):
            if fmt != beside:
                results[fmt] = Future()
                try:
                    if fmt == "ofd" and from_pdf:
                        options[fmt]["pdf"] = results["pdf"].result()
                    results[fmt].set_result(write(fmt))
                except KhzReportError as exc:
                    results[fmt].set_exception(exc)
    files = []
    for fmt in fmts:
        diagnostics.extend(channels[fmt])
        files.append(results[fmt].result())
    return files


def _writer_options(fmt: str, pdf_standard: str | None, docx_charts: str | None) -> dict[str, Any]:
    """Return the options a format's writer takes from a build's arguments."""
    if fmt == "pdf":
        return {"pdf_standard": pdf_standard}
    if fmt == "docx":
        if docx_charts not in (None, "native", "picture"):
            raise ReportValidationError(
                f"unknown chart form '{docx_charts}'",
                Location(path="docx_charts"),
                "use native (Word charts with their data) or picture",
            )
        return {"docx_charts": docx_charts}
    return {}


def notebook_html(
    source: Report | Document,
    *,
    theme: ThemeChoice | None = None,
    language: str | None = None,
    height: int = 720,
) -> str:
    """Return the HTML edition of a report or resolved document, framed for a notebook.

    The page (charts as inline SVG, photos as ``data:`` URIs) is shown in a sandboxed
    ``<iframe srcdoc>``, so its styles and its content security policy stay its own and
    the notebook's stay untouched. Jupyter shows every resolved :class:`Document` this
    way once the API is imported (see :func:`show_documents_in_notebooks`).
    """
    page = render(source, "html", theme=theme, language=language).decode("utf-8")
    return (
        f'<iframe sandbox="" title="{html.escape(source.meta.title or "")}" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ddd" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
    )


def show_documents_in_notebooks() -> bool:
    """Register :func:`notebook_html` as IPython's HTML display of a :class:`Document`.

    :class:`Document` belongs to a stage below the writers and cannot render itself, so
    the API registers its display with a running IPython kernel (Jupyter, VS Code
    notebooks) when it is imported; nothing is imported when IPython is not running.
    Return whether a kernel was found.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["text/html"]
    formatter.for_type(Document, lambda document: notebook_html(document))
    return True


@dataclass
class BuildResult:
    """What a build wrote, and the diagnostics it had (each with a code and a location)."""

    outputs: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """Return the warnings as one-line strings, for display only (match on ``code``)."""
        return [d.one_line() for d in self.diagnostics if d.severity == "warning"]


def build(
    source: str | os.PathLike[str] | Report,
    outdir: str | os.PathLike[str] | None = None,
    *,
    formats: str | Sequence[str] | None = None,
    language: str | None = None,
    pdf_standard: str | None = None,
    strict: bool = False,
    theme: ThemeChoice | None = None,
    draft: bool = False,
    docx_charts: str | None = None,
) -> BuildResult:
    """Build the annual briefing in each format into ``outdir`` (default: ``build/`` next to the source).

    Files are written atomically as ``briefing.docx``, ``briefing.pdf``, ``briefing.html``
    (``briefing-en.*`` for the English edition). Every stage reports into one
    :class:`~khzreport.diagnostics.Diagnostics` channel, returned as
    :attr:`BuildResult.diagnostics`. With ``strict``, the warnings are raised together as
    located errors once everything is rendered and before any file is written, and lint
    runs first: its findings (see :func:`lint`) fail the build the same way. ``draft``
    prints 征求意见稿 (DRAFT) across every page, as ``meta.draft`` in the source does.
    ``docx_charts`` (``native`` or ``picture``) overrides the theme's ``docx_charts``.

    A source file built again with the same options, when nothing it reads has changed
    (see :mod:`khzreport.buildcache`), gets the outputs and warnings of its last build
    from the cache folder, byte for byte, without being read into the model again.
    """
    if isinstance(source, Report) or not isinstance(theme, str | os.PathLike | None):
        result, _ = _build(
            source, outdir, formats, language, pdf_standard, strict, theme, draft, docx_charts
        )
        return result
    options = buildcache.options_of(
        outdir,
        formats,
        language=language,
        pdf_standard=pdf_standard,
        strict=strict,
        theme=theme,
        draft=draft,
        docx_charts=docx_charts,
    )
    kept = buildcache.cached_outputs(Path(source), options)
    if kept is not None:
        outputs, found = kept
        Diagnostics().extend(found)  # logged as the build that made them logged them
        return BuildResult(outputs, found)
    return build_and_remember(Path(source), options)


def build_and_remember(source: Path, options: Mapping[str, Any]) -> BuildResult:
    """Build a source file whose outputs :func:`khzreport.buildcache.cached_outputs` did not
    have under ``options`` (what :func:`khzreport.buildcache.options_of` made of the build's
    arguments: they are the arguments too), and remember the build. The command line checks
    the cache before it imports this module, and calls this on a miss rather than
    :func:`build`, which would check it again."""
    with buildcache.recording_inputs() as inputs:
        result, written = _build(source, **options)
    buildcache.store(source, options, inputs, written, result.diagnostics)
    return result


def _build(
    source: str | os.PathLike[str] | Report,
    outdir: str | os.PathLike[str] | None,
    formats: str | Sequence[str] | None,
    language: str | None,
    pdf_standard: str | None,
    strict: bool,
    theme: ThemeChoice | None,
    draft: bool,
    docx_charts: str | None,
) -> tuple[BuildResult, list[tuple[Path, bytes]]]:
    """Build the briefing (see :func:`build`); return the result and the files written."""
    from .charts import drawn_elsewhere  # validate and lint never draw a chart

    # the table reader and the drawer work beside the build: see khzreport.drawer
    source_file = None if isinstance(source, Report) else Path(source)
    with drawer.ahead(source=source_file), drawn_elsewhere(drawer.draw):
        drawer.wait_for_tables()  # read meanwhile into the cache, where this load finds them
        report = source if isinstance(source, Report) else load(source)
        if strict:
            raise_all(lint(report))
        fmts = parse_formats(formats)
        smap = source_map(report)
        if outdir is None:
            outdir = (smap.folder if smap else Path.cwd()) / "build"
        out = Path(outdir)
        diagnostics = Diagnostics()
        document = resolve(report, language=language, theme=theme, diagnostics=diagnostics)
        if draft:
            document = document.as_draft()
        _prepare_writers(document, fmts)
        with output_lock(out):  # a second build into ``out`` fails instead of interleaving
            charts = render_charts(
                document, diagnostics=diagnostics, formats=fmts, docx_charts=docx_charts
            )
            stem = "briefing" if document.meta.language != "en" else "briefing-en"
            files = _render_formats(fmts, document, charts, diagnostics, pdf_standard, docx_charts)
            rendered = [
                (out / f"{stem}{suffix(fmt)}", data) for fmt, data in zip(fmts, files, strict=True)
            ]
            diagnostics.raise_if_strict(strict)
            write_files_atomic(rendered)  # all or nothing: earlier outputs stay on failure
        return BuildResult([path for path, _ in rendered], list(diagnostics)), rendered


def _prepare_writers(document: Document, fmts: Sequence[str]) -> None:
    """Have Typst started, with the document's faces loaded, while the drawer draws the charts
    (see :func:`khzreport.writers.pdf.prepare` and :func:`drawer.meanwhile`): done after
    the charts, it was a third of the PDF's time. (Loading python-docx and the DOCX's
    styled base the same way paid nothing measurable: the drawing is the longer path.)"""
    if {"pdf", "ofd"} & set(fmts):
        drawer.meanwhile(lambda: _prepare_pdf(document))


def _prepare_pdf(document: Document) -> None:
    from .writers.pdf import prepare  # the Typst compiler loads only for a PDF

    prepare(document)


@overload
def render_sheet(
    report: Report,
    park: str,
    format: str,
    *,
    theme: ThemeChoice | None = None,
    language: str | None = None,
    cache: CacheChoice = True,
    narrative_limit: int | None = None,
    figure: bool | None = None,
    diagnostics: Diagnostics | None = None,
) -> bytes: ...


@overload
def render_sheet(
    report: Report,
    park: str,
    format: Sequence[str],
    *,
    theme: ThemeChoice | None = None,
    language: str | None = None,
    cache: CacheChoice = True,
    narrative_limit: int | None = None,
    figure: bool | None = None,
    diagnostics: Diagnostics | None = None,
) -> Mapping[str, bytes]: ...


def render_sheet(
    report: Report,
    park: str,
    format: str | Sequence[str],
    *,
    theme: ThemeChoice | None = None,
    language: str | None = None,
    cache: CacheChoice = True,
    narrative_limit: int | None = None,
    figure: bool | None = None,
    diagnostics: Diagnostics | None = None,
) -> bytes | Mapping[str, bytes]:
    """Return the sheet of one park as bytes (or, for a list of formats, bytes by format).

    The sheet is fitted on one page as ``khzreport sheets`` fits it (narrative shortened at
    a sentence end, the figure drawn smaller or left out, each a warning), and a DOCX or
    HTML shows the fitted content. Given ``narrative_limit`` or ``figure``, the sheet is
    rendered as asked instead, without fitting. ``cache`` is as for :func:`render`.
    """
    fmts = (_one_format(format),) if isinstance(format, str) else parse_formats(format)
    chosen = theme_from(theme) if theme is not None else theme_of(report)
    check(report)
    report.park(park)
    with _chart_cache(cache) as folder:
        if narrative_limit is None and figure is None:
            from . import batch  # the fitting renders drafts as the batch workers do

            sheet = batch.pool.fitted_sheet(report, chosen, park, fmts, language, folder)
            files, found = sheet.files, list(sheet.diagnostics)
        else:
            document = resolve(
                report,
                park=park,
                language=language,
                theme=chosen,
                narrative_limit=narrative_limit,
                figure=True if figure is None else figure,
            )
            channel = Diagnostics()
            channel.extend(document.diagnostics)
            charts = render_charts(document, diagnostics=channel, cache=folder, formats=fmts)
            files = {f: render_format(f, document, charts, diagnostics=channel) for f in fmts}
            found = list(channel)
    if diagnostics is not None:
        diagnostics.extend(found)
    return files[fmts[0]] if isinstance(format, str) else files


def build_sheets(
    source: str | os.PathLike[str] | Report,
    outdir: str | os.PathLike[str] | None = None,
    *,
    parks: Sequence[str] | None = None,
    formats: str | Sequence[str] = ("docx", "pdf"),
    jobs: int | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    booklet: bool = False,
    language: str | None = None,
    progress: ProgressCallback | None = None,
    theme: ThemeChoice | None = None,
) -> BatchResult:
    """Write one summary sheet per park into ``outdir`` (default ``build/sheets`` next to the source).

    Sheets are rendered in parallel (``jobs`` processes, or any ``executor``), each PDF made
    to fit on one page; a park that fails is reported and the others complete. See
    :func:`khzreport.batch.build_sheets` for the details.
    """
    from . import batch  # validate and lint never start a pool of workers

    return batch.build_sheets(
        source,
        outdir,
        parks=parks,
        formats=formats,
        jobs=jobs,
        executor=executor,
        resume=resume,
        booklet=booklet,
        language=language,
        progress=progress,
        theme=theme,
    )


show_documents_in_notebooks()
