"""Story 5: errors from Python are KhzReportError subclasses that name the field."""

from __future__ import annotations

from pathlib import Path

import khzreport
from khzreport.model import Indicator

SOURCE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"
report = khzreport.load(SOURCE)

try:
    report.with_values({"cluster_electronics": "lots"})
except khzreport.ReportValidationError as exc:
    assert exc.location is not None and exc.location.path.endswith(".value")
    print(exc)

try:
    Indicator(id="gdp", label="GDP", value="lots")  # type: ignore[arg-type]
except khzreport.ReportValidationError as exc:
    assert str(exc).startswith("value: expected a number")

try:
    report.indicator("cluster_electronic")
except khzreport.UnknownIdError as exc:
    assert "did you mean 'cluster_electronics'?" in str(exc)

try:
    khzreport.resolve(report.replace(kpis=["nope"]))
except khzreport.KhzReportError as exc:
    # a derived report keeps its source's positions: report.yaml:93:5: kpis[0]: ...
    assert str(exc).endswith("kpis[0]: unknown indicator 'nope' (define it under 'indicators')")
    print(exc)
