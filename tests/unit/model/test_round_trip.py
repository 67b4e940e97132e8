"""A report written with to_yaml loads back equal; the published JSON Schema is the model's."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import pytest

import khzreport
from khzreport.model import Indicator, Meta, Paragraph, Report, Section

ROOT = Path(__file__).parents[3]
EXAMPLE = ROOT / "examples" / "kunshan-2023" / "report.yaml"
SCHEMA = ROOT / "schema" / "report.schema.json"


def reload(report: Report, folder: Path) -> Report:
    path = folder / "report.yaml"
    path.write_text(report.to_yaml(), encoding="utf-8")
    return khzreport.load(path)


def test_the_example_loads_back_equal_with_its_spreadsheet_rows_inline(tmp_path: Path) -> None:
    report = khzreport.load(EXAMPLE)
    back = reload(report, tmp_path)
    assert back == report
    assert "data:" not in report.to_yaml()  # the rows read from indicators.xlsx are inline
    assert back != report.with_values({report.indicators[0].id: 1})


def test_a_report_built_in_code_keeps_dates_fractions_and_line_breaks(tmp_path: Path) -> None:
    report = Report(
        meta=Meta(
            id="demo",
            title="示范简报",
            issuer="示范管委会",
            year=2023,
            date=dt.date(2024, 1, 15),
        ),
        indicators=[
            Indicator(id="share", label="占比", value=Fraction(1, 3), period=dt.date(2023, 12, 31)),
            Indicator(id="count", label="企业", value=12, unit="家", period="2023"),
        ],
        sections=[
            Section(
                id="s",
                title="概况",
                blocks=[Paragraph(paragraph="第一行{{ ind.share }}。\n第二行：yes\n")],
            )
        ],
    )
    text = report.to_yaml()
    assert "date: 2024-01-15\n" in text and "value: 1/3\n" in text and "|" in text
    back = reload(report, tmp_path)
    assert back == report
    assert back.meta.date == dt.date(2024, 1, 15)
    assert back.indicator("share").period == dt.date(2023, 12, 31)
    assert back.indicator("share").value == Fraction(1, 3)
    assert back.indicator("count").period == "2023"


def test_the_published_schema_is_the_models(update_golden: bool) -> None:
    schema = json.dumps(Report.model_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if update_golden:
        SCHEMA.write_text(schema, encoding="utf-8")
    assert SCHEMA.read_text(encoding="utf-8") == schema, (
        "schema/report.schema.json is out of date: run pytest --update-golden"
    )


def test_the_example_source_passes_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    def plain(node: object) -> object:
        if isinstance(node, dict):
            return {k: plain(v) for k, v in node.items()}
        if isinstance(node, list):
            return [plain(v) for v in node]
        return node.isoformat() if isinstance(node, dt.date) else node

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = plain(YAML(typ="safe").load(EXAMPLE.read_text(encoding="utf-8")))
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert errors == []
    wrong = {**data, "kpi": []}  # type: ignore[dict-item]
    assert not jsonschema.Draft202012Validator(schema).is_valid(wrong)
