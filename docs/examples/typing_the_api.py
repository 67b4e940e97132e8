"""Story 7: the package is typed; mypy --strict checks a script that uses it, no plugin.

This script is itself type-checked strictly by the test suite. It also asks mypy about a
wrong call, which mypy reports only because khzreport ships ``py.typed`` (without it
every khzreport name would be ``Any`` and the mistake would pass).
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import sys
import tempfile
from pathlib import Path

import khzreport
from khzreport.diagnostics import Diagnostic
from khzreport.model import Indicator, Report

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"


def headline(report: Report, ident: str) -> str:
    """Return an indicator's label and value: attribute types come from the model."""
    indicator: Indicator = report.indicator(ident)
    return f"{indicator.label}: {indicator.value}{indicator.unit or ''}"


def warnings_of(report: Report) -> list[Diagnostic]:
    return khzreport.validate(report)


def main() -> None:
    assert khzreport.__version__ == importlib.metadata.version("khzreport")
    assert importlib.resources.files("khzreport").joinpath("py.typed").is_file()
    public = dir(khzreport)
    assert {"build", "load", "render", "render_sheet", "Report", "__version__"} <= set(public)
    assert "KhzReportError" in public and "ReportValidationError" in public

    report = khzreport.load(EXAMPLE)
    line = headline(report, report.kpis[0])
    assert line.startswith(report.indicator(report.kpis[0]).label + ": ")
    assert all(isinstance(d, Diagnostic) for d in warnings_of(report))

    try:
        from mypy import api as mypy
    except ImportError:  # the "dev" extra is not installed
        print("typed:", line)
        return
    with tempfile.TemporaryDirectory() as folder:
        wrong = Path(folder) / "wrong.py"
        wrong.write_text(
            "import khzreport\n"
            "report = khzreport.load('report.yaml')\n"
            "data: str = khzreport.render(report, 'pdf')\n",
            encoding="utf-8",
        )
        out, _, status = mypy.run(
            ["--strict", "--no-incremental", "--python-executable", sys.executable, str(wrong)]
        )
    assert status == 1, out
    assert 'Incompatible types in assignment (expression has type "bytes"' in out, out
    print("typed:", line, "| mypy caught:", out.splitlines()[0].split(": error: ")[1])


if __name__ == "__main__":
    main()
