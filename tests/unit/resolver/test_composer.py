"""Warnings of the layouts are diagnostics: a stable code and the place in the source."""

from __future__ import annotations

from pathlib import Path

from khzreport import api
from khzreport.diagnostics import Diagnostic, Diagnostics
from khzreport.model import Report

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"


def load(tmp_path: Path, text: str) -> Report:
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return api.load(path)


def minimal() -> str:
    return MINIMAL.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_figure_still_to_come_is_a_located_diagnostic(tmp_path: Path) -> None:
    text = minimal().replace("    value: 820\n", "    value: null\n")
    document = api.resolve(load(tmp_path, text))
    [d] = document.diagnostics
    assert isinstance(d, Diagnostic)
    assert (d.code, d.severity) == ("value-pending", "warning")
    assert d.location is not None and d.location.file is not None
    assert d.location.file.endswith("report.yaml")
    assert d.location.line == line_of(text, "value: null")
    assert d.location.path == "indicators[1].value"
    assert "'firms'" in d.message and "〔待填〕" in d.message
    assert document.warnings == (d.one_line(),)


def test_each_figure_without_an_image_is_warned_where_it_is_defined(tmp_path: Path) -> None:
    text = minimal().replace(
        "      - chart: scale\n", "      - chart: scale\n      - figure: a\n      - figure: b\n"
    )
    text += "figures:\n  - id: a\n    caption: 甲园\n  - id: b\n    caption: 乙园\n"
    document = api.resolve(load(tmp_path, text))
    assert [d.code for d in document.diagnostics] == ["figure-without-image"] * 2
    lines = [d.location.line for d in document.diagnostics if d.location]
    assert lines == [line_of(text, "- id: a"), line_of(text, "- id: b")]
    assert [d.location.path for d in document.diagnostics if d.location] == [
        "figures[0].image",
        "figures[1].image",
    ]


def test_resolve_reports_into_the_callers_channel(tmp_path: Path) -> None:
    report = load(tmp_path, minimal().replace("    value: 820\n", "    value: null\n"))
    channel = Diagnostics()
    document = api.resolve(report, diagnostics=channel)
    assert list(channel) == list(document.diagnostics)


def test_validate_returns_a_warning_the_briefing_and_a_sheet_share_once(tmp_path: Path) -> None:
    report = load(tmp_path, minimal().replace("    value: 820\n", "    value: null\n"))
    assert api.resolve(report, park="park_a").diagnostics  # the sheet shows the figure too
    [d] = api.validate(report)
    assert d.code == "value-pending"


def test_a_clean_source_has_no_diagnostics(tmp_path: Path) -> None:
    assert api.resolve(load(tmp_path, minimal())).diagnostics == ()
