"""The ``khzreport`` command line.

Exit codes: 0 success; 2 invalid input (a located message, no traceback); 1 internal error
(a bug: the message asks for a report; set ``KHZREPORT_DEBUG=1`` for the traceback).
Heavy libraries (matplotlib, python-docx, Typst) load only in the commands that need them.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class _WarningHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _errors_handled(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import KhzReportError

        try:
            return func(*args, **kwargs)
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

    return wrapper  # type: ignore[return-value]


SOURCE = click.argument("source", type=click.Path(dir_okay=False, path_type=Path, exists=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="khzreport")
def main() -> None:
    """Build zone annual briefings and park sheets from one YAML source.

    \b
    khzreport validate report.yaml     check the source (all errors, located)
    khzreport lint report.yaml         find numbers typed into prose, inconsistent data
    khzreport build report.yaml        write the briefing as DOCX, PDF and HTML
    khzreport sheets report.yaml       write one summary sheet per park
    """


@main.command()
@SOURCE
@click.option("--language", type=click.Choice(["zh-CN", "en"]), help="Check this edition.")
@_errors_handled
def validate(source: Path, language: str | None) -> None:
    """Check SOURCE: schema, references, and that every template binds.

    Prints every error as FILE:LINE:COL: FIELD: MESSAGE and exits 2 when there is any.
    """
    from . import api

    report = api.load(source)
    warnings = api.validate(report, language)
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(
        f"{source}: valid ({len(report.indicators)} indicators, {len(report.sections)} sections, "
        f"{len(report.charts)} charts, {len(report.parks)} parks)"
    )


@main.command()
@SOURCE
@_errors_handled
def lint(source: Path) -> None:
    """Check SOURCE for numbers typed into prose and for inconsistent data.

    \b
    Digits in narrative must come from indicators ({{ ind.ID }}), except:
      years followed by 年 (2023年) and the month/day of dates (8月22日),
      digits in quotation marks (“2+2+3”), digits joined to Latin letters (5G).
    Also: parts (parts_of) not above their total, shares not above the whole,
    series without missing years, one unit per chart.
    Exits 2 when there are findings.
    """
    from . import api
    from .errors import raise_all

    report = api.load(source)
    api.validate(report)
    raise_all(api.lint(report))
    click.echo(f"{source}: no findings")


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
    help="Comma-separated formats: docx, pdf, html.",
)
@click.option("--language", type=click.Choice(["zh-CN", "en"]), help="Edition language.")
@click.option(
    "--pdf-standard",
    type=click.Choice(["a-2b", "a-3b", "ua-1"]),
    help="Make the PDF conform to PDF/A-2b, PDF/A-3b or PDF/UA-1.",
)
@click.option("--strict", is_flag=True, help="Treat warnings (missing glyphs, figures) as errors.")
@_errors_handled
def build(
    source: Path,
    outdir: Path | None,
    formats: str,
    language: str | None,
    pdf_standard: str | None,
    strict: bool,
) -> None:
    """Build the annual briefing of SOURCE (DOCX, PDF and HTML)."""
    from . import api

    handler = _WarningHandler()
    logging.getLogger("khzreport").addHandler(handler)
    try:
        result = api.build(
            source,
            outdir,
            formats=formats,
            language=language,
            pdf_standard=pdf_standard,
            strict=strict,
        )
    finally:
        logging.getLogger("khzreport").removeHandler(handler)
    for w in dict.fromkeys(result.warnings + handler.messages):
        click.echo(f"warning: {w}", err=True)
    for path in result.outputs:
        click.echo(f"wrote {path} ({path.stat().st_size // 1024} KiB)")


def run() -> None:
    """Entry point that never shows a traceback for click's own usage errors."""
    main()
