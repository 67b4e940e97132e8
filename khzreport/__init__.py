"""khzreport: zone annual briefings and park sheets from one structured source.

Typical use::

    import khzreport

    report = khzreport.load("examples/kunshan-2023/report.yaml")
    khzreport.build(report, "build/", formats="docx,pdf")
    pdf = khzreport.render(report.with_values({"gdp": 800}), "pdf")  # bytes, nothing written

Functions: :func:`load`, :func:`validate`, :func:`lint`, :func:`advise`, :func:`resolve`, :func:`build`,
:func:`render`, :func:`render_sheet`, :func:`build_sheets`; the model :class:`Report`
(derive copies with ``report.replace(...)`` and ``report.with_values(...)``); every error
a :class:`KhzReportError` with a location. See docs/api.md.

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
    __version__: str
    from .api import (
        advise,
        build,
        build_sheets,
        lint,
        load,
        render,
        render_sheet,
        resolve,
        validate,
    )
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
    "__version__",
    "advise",
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


_API = (
    "advise",
    "build",
    "build_sheets",
    "lint",
    "load",
    "render",
    "render_sheet",
    "resolve",
    "validate",
)


def __dir__() -> list[str]:
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version  # 50 ms of imports, paid only when asked

        return version("khzreport")
    if name in _API:
        from . import api

        return getattr(api, name)
    if name == "Report":
        from .model import Report

        return Report
    raise AttributeError(f"module 'khzreport' has no attribute {name!r}")
