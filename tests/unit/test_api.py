"""The Python API as a script uses it: derived reports, errors from objects built in code."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

import khzreport
from khzreport.errors import KhzReportError, ReportValidationError, UnknownIdError
from khzreport.locations import source_map

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"


@pytest.fixture(scope="module")
def report() -> khzreport.Report:
    return khzreport.load(EXAMPLE)


def _html(report: khzreport.Report, out: Path) -> str:
    result = khzreport.build(report, out, formats="html")
    return result.outputs[0].read_text(encoding="utf-8")


def test_a_copy_and_its_original_each_print_their_own_value(
    report: khzreport.Report, tmp_path: Path
) -> None:
    before = _html(report, tmp_path / "a")
    assert "740亿元" in before
    changed = report.with_values({"cluster_electronics": 800})
    copied = _html(changed, tmp_path / "b")
    assert "800亿元" in copied and "740亿元" not in copied
    assert _html(report, tmp_path / "c") == before
    pydantic_copy = report.model_copy(update={"indicators": changed.indicators})
    assert "800亿元" in _html(pydantic_copy, tmp_path / "d")
    assert _html(report, tmp_path / "e") == before


def test_lookups_follow_the_fields_of_each_copy(report: khzreport.Report) -> None:
    assert report.indicator("cluster_electronics").value == 740
    for derived in (
        report.with_values({"cluster_electronics": 1}),
        report.replace(indicators=[*report.with_values({"cluster_electronics": 1}).indicators]),
        report.model_copy(
            update={"indicators": report.with_values({"cluster_electronics": 1}).indicators}
        ),
    ):
        assert derived.indicator("cluster_electronics").value == 1
        assert report.indicator("cluster_electronics").value == 740
    assert copy.copy(report).indicator("cluster_electronics").value == 740
    assert copy.deepcopy(report) == report


def test_a_derived_report_keeps_the_source_folder(report: khzreport.Report) -> None:
    derived = report.replace(lead="新的导语")
    assert derived.lead == "新的导语"
    smap = source_map(derived)
    assert smap is not None and smap.folder == EXAMPLE.parent
    assert report.with_values({"cluster_electronics": 2}) == report.with_values(
        {"cluster_electronics": 2}
    )


def test_a_wrong_value_is_a_located_error_at_once(report: khzreport.Report) -> None:
    with pytest.raises(ReportValidationError) as info:
        report.with_values({"cluster_electronics": "lots"})
    assert info.value.location is not None
    assert info.value.location.path.endswith(".value")
    assert "expected a number" in info.value.message
    with pytest.raises(ReportValidationError, match=r"^kpis: expected a list"):
        report.model_copy(update={"kpis": 5})
    with pytest.raises(ReportValidationError, match="unknown field 'leed'"):
        report.replace(leed="x")


def test_an_unknown_id_is_a_located_key_error(report: khzreport.Report) -> None:
    with pytest.raises(UnknownIdError, match="unknown indicator 'cluster_electronic'") as info:
        report.indicator("cluster_electronic")
    assert isinstance(info.value, KeyError) and isinstance(info.value, KhzReportError)
    assert "did you mean 'cluster_electronics'?" in str(info.value)
    with pytest.raises(UnknownIdError, match="unknown indicator 'nope'"):
        report.with_values({"nope": 1})


META = {"id": "r", "title": "t", "issuer": "i", "year": 2023, "date": "2024-01-01"}


def test_objects_built_in_python_fail_with_located_errors() -> None:
    from khzreport.model import Indicator, Report

    with pytest.raises(khzreport.ReportValidationError, match=r"^value: expected a number"):
        Indicator(id="gdp", label="GDP", value="lots")
    with pytest.raises(khzreport.ErrorGroup) as group:
        Report(meta={"id": "r"})
    assert [e.location.path for e in group.value.errors if e.location] == [
        "meta.title",
        "meta.issuer",
        "meta.year",
        "meta.date",
    ]
    with pytest.raises(ValueError, match=r"indicators\[0\]\.value: expected a number"):
        Report(meta=META, indicators=[{"id": "g", "label": "x", "value": "lots"}])


def test_references_of_a_report_built_in_python_are_checked() -> None:
    from khzreport.model import Report

    report = Report(
        meta=META,
        kpis=["nope"],
        indicators=[{"id": "g", "label": "x", "value": 1}, {"id": "g", "label": "y", "value": 2}],
    )
    with pytest.raises(khzreport.ErrorGroup) as group:
        khzreport.resolve(report)
    assert [e.one_line() for e in group.value.errors] == [
        "indicators[1].id: duplicate indicator id 'g' (first defined as indicators[0])",
        "kpis[0]: unknown indicator 'nope' (define it under 'indicators')",
    ]
    with pytest.raises(khzreport.ErrorGroup):
        khzreport.validate(report)


def test_error_classes_are_exported_with_names_distinct_from_pydantic() -> None:
    import pydantic

    for name in (
        "KhzReportError",
        "ReportValidationError",
        "UnknownIdError",
        "SourceError",
        "TemplateError",
        "FontError",
        "OutputError",
        "ErrorGroup",
    ):
        cls = getattr(khzreport, name)
        assert issubclass(cls, khzreport.KhzReportError)
        assert name in khzreport.__all__
    assert khzreport.ReportValidationError is not pydantic.ValidationError


def test_output_errors_name_no_command_line_flag(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    report = khzreport.load(EXAMPLE)
    with pytest.raises(khzreport.OutputError) as info:
        khzreport.build(report, blocker / "out", formats="html")
    assert " -o" not in str(info.value) and "output folder" in str(info.value)
