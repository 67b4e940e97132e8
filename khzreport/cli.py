"""The ``khzreport`` command line.

Exit codes: 0 success; 2 invalid input (a located message, no traceback); 1 internal error
(a bug: the message asks for a report; set ``KHZREPORT_DEBUG=1`` for the traceback).
Heavy libraries (matplotlib, python-docx, Typst) load only in the commands that need them.
"""

from __future__ import annotations

import functools
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import drawer, output
from .errors import KhzReportError, display_path, raise_all

if TYPE_CHECKING:
    from .diagnostics import Diagnostic

F = TypeVar("F", bound=Callable[..., Any])


def _print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Print each diagnostic as ``warning: FILE:LINE:COL: FIELD: MESSAGE (HINT)``."""
    for d in diagnostics:
        click.echo(f"{d.severity}: {d.one_line()}", err=True)


def _errors_handled(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, output.note_interrupt)
        try:
            result = func(*args, **kwargs)
            if output.interrupted():  # the KeyboardInterrupt was lost in a finaliser
                raise KeyboardInterrupt
            return result
        except KhzReportError as exc:
            for line in str(exc).splitlines():
                click.echo(f"error: {line}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("KHZREPORT_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in khzreport; please report it with the source that caused it "
                "(set KHZREPORT_DEBUG=1 to see the traceback).",
                err=True,
            )
            sys.exit(1)
        finally:
            # The command is done: spare the interpreter's exit a full collection of
            # everything matplotlib, python-docx and Typst loaded (0.1 s of a 1-2 s build).
            gc.freeze()

    return wrapper  # type: ignore[return-value]


SOURCE = click.argument("source", type=click.Path(dir_okay=False, path_type=Path, exists=False))

ONE_DOCUMENT_GC_THRESHOLD = 100_000
"""The collector's first threshold while a command reads and writes one document."""


def _collect_seldom() -> None:
    """Collect cyclic garbage seldom: a command on one document keeps most of what it makes
    until it ends (the model, the resolved document, the writers' trees), and the collector
    walking them over and over was a twelfth of a cold build's CPU time. Cycles are still
    collected, every 100,000 allocations instead of 700; commands that run long (a batch
    of sheets, the preview) keep the usual thresholds."""
    gc.set_threshold(ONE_DOCUMENT_GC_THRESHOLD, *gc.get_threshold()[1:])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="khzreport")
def main() -> None:
    """Build zone annual briefings and park sheets from one YAML source.

    \b
    khzreport validate report.yaml     check the source (all errors, located)
    khzreport lint report.yaml         find numbers typed into prose, inconsistent data
    khzreport build report.yaml        write the briefing as DOCX, PDF and HTML
    khzreport sheets report.yaml       write one summary sheet per park
    khzreport preview report.yaml      a live page of the briefing, rebuilt on every save
    """


@main.command()
@SOURCE
@click.option("--language", type=click.Choice(["zh-CN", "en"]), help="Check this edition.")
@_errors_handled
def validate(source: Path, language: str | None) -> None:
    """Check SOURCE: schema, references, and that every template binds.

    Prints every error as FILE:LINE:COL: FIELD: MESSAGE and exits 2 when there is any;
    warnings (a figure still to come, a figure without an image) are printed the same way.
    A check that passed is remembered: while no file it read changes, it is answered again
    at once, with the same warnings.
    """

    def check() -> tuple[str, list[Diagnostic]]:
        from . import api

        report, diagnostics = api.validate_source(source, language)
        return (
            f"valid ({len(report.indicators)} indicators, {len(report.sections)} sections, "
            f"{len(report.charts)} charts, {len(report.parks)} parks)"
        ), diagnostics

    summary, diagnostics = _remembered_check(source, "validate", {"language": language}, check)
    _print_diagnostics(diagnostics)
    click.echo(f"{source}: {summary}")


def _remembered_check(
    source: Path,
    command: str,
    choices: dict[str, Any],
    check: Callable[[], tuple[str, list[Diagnostic]]],
) -> tuple[str, list[Diagnostic]]:
    """Return the summary line and warnings of a check (``validate``, ``lint``) of SOURCE:
    kept from the last time it passed when no file it read has changed since (see
    :mod:`khzreport.buildcache`), else from running ``check``, which raises when it fails."""
    from . import buildcache  # not at module level: `khzreport --help` remembers nothing

    options = buildcache.options_of(None, None, command=command, **choices)
    kept = buildcache.checked_before(source, options)  # nothing changed: no model loaded
    if kept is not None:
        return kept
    _collect_seldom()
    with buildcache.recording_inputs() as inputs:
        summary, diagnostics = check()
    buildcache.store(source, options, inputs, [], diagnostics, summary=summary)
    return summary, diagnostics


@main.command()
@SOURCE
@click.option("--strict", is_flag=True, help="Treat the chart advisor's warnings as findings.")
@_errors_handled
def lint(source: Path, strict: bool) -> None:
    """Check SOURCE for numbers typed into prose and for inconsistent data.

    \b
    Digits in narrative must come from indicators ({{ ind.ID }}), except:
      years followed by 年 (2023年) and the month/day of dates (8月22日),
      digits in quotation marks (“2+2+3”), digits joined to Latin letters (5G).
    Also: parts (parts_of) not above their total, shares not above the whole,
    series without missing years, one unit per chart.
    Exits 2 when there are findings.

    \b
    The chart advisor warns of charts whose largest bar is over 20 times the
    smallest, charts of fewer than three values, stocks charted with flows,
    ranks of lists of different sizes on one axis, and figures the briefing
    prints more than three times (errors with --strict). A lint that found nothing is
    remembered as validate's check is.
    """

    def check() -> tuple[str, list[Diagnostic]]:
        from . import api

        report = api.load(source)
        api.validate(report)
        findings: list[KhzReportError] = list(api.lint(report))
        advice = api.advise(report)
        if strict:
            findings += [d.as_error() for d in advice]
            advice = []
        if findings:
            _print_diagnostics(advice)
            raise_all(findings)
        return "no findings" + (f", {len(advice)} warning(s)" if advice else ""), advice

    summary, advice = _remembered_check(source, "lint", {"strict": strict}, check)
    _print_diagnostics(advice)
    click.echo(f"{source}: {summary}")


@main.command()
@SOURCE
@click.option(
    "-o",
    "--outdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder [default: build/ next to SOURCE].",
)
@click.option(
    "-f",
    "--format",
    "formats",
    default="docx,pdf,html",
    show_default=True,
    help="Comma-separated formats: docx, pdf, html, ofd (GB/T 33190, from the PDF's pages).",
)
@click.option("--language", type=click.Choice(["zh-CN", "en"]), help="Edition language.")
@click.option(
    "--pdf-standard",
    type=click.Choice(["a-2b", "a-3b", "ua-1"]),
    help="Make the PDF conform to PDF/A-2b, PDF/A-3b or PDF/UA-1.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (missing glyphs, figures) and lint findings as located errors; write nothing.",
)
@click.option("--draft", is_flag=True, help="Print 征求意见稿 (DRAFT) diagonally on every page.")
@click.option(
    "--docx-charts",
    type=click.Choice(["native", "picture"]),
    help="Charts in the DOCX: native Word charts an editor can change (Edit Data), or "
    "pictures [default: the theme's docx_charts, native for the briefing].",
)
@_errors_handled
def build(
    source: Path,
    outdir: Path | None,
    formats: str,
    language: str | None,
    pdf_standard: str | None,
    strict: bool,
    draft: bool,
    docx_charts: str | None,
) -> None:
    """Build the annual briefing of SOURCE (DOCX, PDF and HTML).

    Warnings are printed as "warning: FILE:LINE:COL: FIELD: MESSAGE". With --strict they
    are errors instead: each printed with its location, nothing written, exit code 2; lint
    runs first and its findings fail the build the same way.
    """
    from . import buildcache  # not at module level: `khzreport --help` remembers nothing

    options = buildcache.options_of(
        outdir,
        formats,
        language=language,
        pdf_standard=pdf_standard,
        strict=strict,
        theme=None,
        draft=draft,
        docx_charts=docx_charts,
    )
    kept = buildcache.cached_outputs(source, options)  # nothing changed: no model, no writer
    if kept is not None:
        outputs, diagnostics = kept
    else:
        _collect_seldom()
        drawer.start(source=source)  # before the API's imports, which it then overlaps
        from . import api

        result = api.build_and_remember(source, options)
        outputs, diagnostics = result.outputs, result.diagnostics
    _print_diagnostics(diagnostics)
    for path in outputs:
        click.echo(f"wrote {path} ({path.stat().st_size // 1024} KiB)")


@main.command()
@SOURCE
@click.option(
    "-o",
    "--outdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder [default: build/sheets/ next to SOURCE].",
)
@click.option(
    "--park",
    "parks",
    multiple=True,
    metavar="ID",
    help="Build only this park (repeat for several) [default: every park].",
)
@click.option(
    "-f",
    "--format",
    "formats",
    default="docx,pdf",
    show_default=True,
    help="Comma-separated formats: docx, pdf, ofd.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes [default: the number of CPUs; 1 renders in this process].",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Keep sheets an earlier run of the same source left intact (see manifest.json).",
)
@click.option(
    "--booklet",
    is_flag=True,
    help="Also write parks-booklet.pdf (and .ofd with ofd among the formats): every sheet, one bookmark per park.",
)
@click.option("--language", type=click.Choice(["zh-CN", "en"]), help="Edition language.")
@_errors_handled
def sheets(
    source: Path,
    outdir: Path | None,
    parks: tuple[str, ...],
    formats: str,
    jobs: int | None,
    resume: bool,
    booklet: bool,
    language: str | None,
) -> None:
    """Write a one-page summary sheet for each park of SOURCE (一园一册).

    \b
    Files: OUTDIR/<park id>.docx and .pdf, OUTDIR/manifest.json.
    Every PDF is one A4 page: a sheet that runs longer has its narrative
    shortened at a sentence end (with ……), then its figure drawn smaller
    or left out, each with a warning; if it still does not fit, that park fails.
    A park that fails is reported with its source location and the others
    are still built. The manifest lists every file with its sha256.

    \b
    Exit codes: 0 every sheet built; 1 some parks failed; 2 invalid source
    or options; 130 interrupted (finished sheets are kept: use --resume).
    """
    if jobs != 1 and len(parks) != 1 and (jobs or os.cpu_count() or 1) > 1:
        from . import poolserver  # not at module level: `khzreport --help` starts no process

        poolserver.start()  # its import of the renderers overlaps the API's import here
    from . import api

    progress, close = _sheet_progress()
    try:
        result = api.build_sheets(
            source,
            outdir,
            parks=list(parks) or None,
            formats=formats,
            jobs=jobs,
            resume=resume,
            booklet=booklet,
            language=language,
            progress=progress,
        )
    finally:
        close()
    for w in result.all_warnings():
        click.echo(f"warning: {w}", err=True)
    for outcome in result.failed:
        for line in outcome.errors:
            click.echo(f"error: {line}", err=True)
    total = len(result.done) + len(result.failed) + len(result.skipped)
    click.echo(
        f"{total} sheets: {len(result.done)} done, {len(result.failed)} failed, "
        f"{len(result.skipped)} skipped in {result.seconds:.1f} s -> "
        f"{display_path(result.outdir)}"
    )
    if result.booklet is not None:
        click.echo(f"booklet: {display_path(result.booklet)}")
    sys.exit(result.exit_code)


def _sheet_progress() -> tuple[Callable[..., None], Callable[[], None]]:
    """Return a progress callback for ``sheets`` and a function that ends its display.

    A rich progress bar when stderr is a terminal, else one plain line per park
    (``[3/15] park_x ok``), so logs of CI runs stay readable.
    """
    if not sys.stderr.isatty():

        def plain(done: int, total: int, outcome: Any) -> None:
            click.echo(f"[{done}/{total}] {outcome.park} {outcome.status}", err=True)

        return plain, lambda: None

    # rich draws the bar only on a terminal; plain logs never need it
    from rich.console import Console
    from rich.progress import (  # the bar's parts, from the same terminal-only library
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        TextColumn("sheets"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("", total=None)
    bar.start()

    def rich_progress(done: int, total: int, outcome: Any) -> None:
        if outcome.status == "failed":
            bar.console.print(f"[red]failed[/red] {outcome.park}")
        bar.update(task, completed=done, total=total, description=outcome.park)

    return rich_progress, bar.stop


@main.command()
@SOURCE
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=0,
    help="Port on 127.0.0.1 [default: a free one, printed].",
)
@click.option("--language", type=click.Choice(["zh-CN", "en"]), help="Edition language.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
@_errors_handled
def preview(source: Path, port: int, language: str | None, open_browser: bool) -> None:
    """Serve a live preview of SOURCE's briefing, rebuilt on every save.

    \b
    Prints the address (http://127.0.0.1:PORT/): the HTML edition, a PDF view and
    the DOCX download. Saving the source, a data table, the theme or a photo
    rebuilds what changed and the open page refreshes itself at the same place;
    errors show over the last good document and here, as FILE:LINE:COL: MESSAGE.
    Ctrl-C stops the server (exit code 130).
    """
    from . import preview as live  # `khzreport --help` would load the API and the watcher

    def opened(url: str) -> None:
        if open_browser:
            import webbrowser  # only --open starts a browser

            webbrowser.open(url)

    def echo(line: str) -> None:
        click.echo(line, err=line.startswith(("error:", "warning:")))

    signal.signal(signal.SIGTERM, output.note_interrupt)
    live.run(source, port=port, language=language, echo=echo, on_ready=opened)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--from",
    "from_source",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Copy this (last year's) source forward instead of starting empty.",
)
@click.option("--year", type=int, help="Year of a new empty report [default: last year].")
@_errors_handled
def new(folder: Path, from_source: Path | None, year: int | None) -> None:
    """Start a report in FOLDER (which must be new or empty).

    \b
    Without --from: report.yaml with every field shown (optional ones commented),
    data/indicators.xlsx with the table headers, theme.yaml.
    With --from SOURCE: last year's folder copied forward: the year moves on, current
    figures become previous ones, new figures are left to fill in (value: null, shown
    as 〔待填〕), narrative, charts and parks are kept.
    """
    from .scaffold import copy_forward, new_report

    written = copy_forward(from_source, folder) if from_source else new_report(folder, year=year)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(
        f"next: khzreport validate {folder / (from_source.name if from_source else 'report.yaml')}"
    )


def run() -> None:
    """Entry point that never shows a traceback for click's own usage errors."""
    main()
