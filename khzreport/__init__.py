"""khzreport: zone annual briefings and park sheets from one structured source.

Typical use::

    import khzreport

    report = khzreport.load("examples/kunshan-2023/report.yaml")
    khzreport.build(report, "build/", formats="docx,pdf")

Heavy libraries (matplotlib, python-docx, Typst) load only when a build needs them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .errors import (
    ErrorGroup,
    FontError,
    KhzReportError,
    Location,
    OutputError,
    ReportValidationError,
    SourceError,
    TemplateError,
    UnknownIdError,
)

if TYPE_CHECKING:
    from .api import build, build_sheets, lint, load, render, render_sheet, resolve, validate
    from .model import Report

__all__ = [
    "ErrorGroup",
    "FontError",
    "KhzReportError",
    "Location",
    "OutputError",
    "Report",
    "ReportValidationError",
    "SourceError",
    "TemplateError",
    "UnknownIdError",
    "build",
    "build_sheets",
    "lint",
    "load",
    "render",
    "render_sheet",
    "resolve",
    "validate",
]

logging.getLogger("khzreport").addHandler(logging.NullHandler())


_API = ("build", "build_sheets", "lint", "load", "render", "render_sheet", "resolve", "validate")


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    if name == "Report":
        from .model import Report

        return Report
    raise AttributeError(f"module 'khzreport' has no attribute {name!r}")
