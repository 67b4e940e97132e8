"""Hostile workbooks: bounded memory and time, formulas that reach outside, cell-located errors.

The workbooks are made by openpyxl and then given a sheet body written here, because the
cases are what other programs (or an attacker) store: blank formatted cells far to the right
or a million rows down, formulas saved with their results, web and DDE calls.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from khzreport import limits
from khzreport.diagnostics import Diagnostic
from khzreport.source.spreadsheet import SpreadsheetError, read_indicators, read_series

HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>label</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>value</t></is></c></row>'
)


def row(n: int, ident: str, value: str, extra: str = "") -> str:
    """Return an indicator row: id, label, then ``value`` as the raw XML of cell C."""
    return (
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{ident}</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>{ident} label</t></is></c>{value}{extra}</row>'
    )


def number(n: int, v: int) -> str:
    return f'<c r="C{n}"><v>{v}</v></c>'


def workbook(path: Path, body: str, dimension: str = "A1:C2") -> Path:
    """Write an .xlsx whose first sheet's rows are ``body`` (XML), with a bold style at s=1."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "placeholder"
    ws["A1"].font = Font(bold=True)
    wb.save(path)
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    head = sheet[: sheet.index("<sheetData")]
    head = head.replace('<dimension ref="A1"/>', f'<dimension ref="{dimension}"/>')
    tail = sheet[sheet.index("</sheetData>") + len("</sheetData>") :]
    parts["xl/worksheets/sheet1.xml"] = (head + f"<sheetData>{body}</sheetData>" + tail).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def read(path: Path, notes: list[Diagnostic] | None = None) -> dict[str, object]:
    rows = read_indicators(path, display_name="t.xlsx", notes=notes)
    return {data["id"]: data.get("value") for data, _refs in rows}


def error(path: Path) -> str:
    with pytest.raises(SpreadsheetError) as info:
        read(path)
    return info.value.one_line()


# --- size: cells read, not the sheet's declared or padded size -------------------------------


HOSTILE = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    from khzreport.source.spreadsheet import SpreadsheetError, read_indicators
    out = {}
    for name in sys.argv[1:]:
        start = time.monotonic()
        try:
            rows = read_indicators(Path(name), display_name=Path(name).name)
            result = f"{len(rows)} rows"
        except SpreadsheetError as exc:
            result = exc.one_line()
        out[Path(name).name] = [result, time.monotonic() - start]
    # VmHWM is this program's own peak: ru_maxrss also counts the pytest process it was
    # forked from, which after a long run is larger than anything read here
    status = Path("/proc/self/status").read_text()
    if "VmHWM:" in status:
        rss_mb = int(status.split("VmHWM:")[1].split()[0]) / 1024
    else:
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"files": out, "rss_mb": rss_mb}))
    """
)


def test_hostile_workbooks_stay_within_memory_and_time(tmp_path: Path) -> None:
    wide = "".join(row(n, f"i{n}", number(n, n), f'<c r="XFD{n}" s="1"/>') for n in range(2, 2002))
    blank_rows = '<row><c s="1"/></row>' * 1_000_000  # rows and cells numbered by position
    empty_rows = '<row s="1" customFormat="1"/>' * 1_000_000
    files = [
        workbook(tmp_path / "wide.xlsx", HEADER + wide, dimension="A1:XFD1048576"),
        workbook(tmp_path / "blank.xlsx", HEADER + row(2, "a", number(2, 1)) + blank_rows),
        workbook(tmp_path / "rows.xlsx", HEADER + row(2, "a", number(2, 1)) + empty_rows),
    ]
    assert max(f.stat().st_size for f in files) < 500_000
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    found = report["files"]
    assert found["wide.xlsx"][0] == "2000 rows"
    over = limits.MAX_SHEET_CELLS
    assert found["blank.xlsx"][0].startswith(f"blank.xlsx[Sheet]!A{over - 3}: ")
    assert f"more than {over:,} cells" in found["blank.xlsx"][0]
    assert found["rows.xlsx"][0].startswith(f"rows.xlsx[Sheet]!A{over - 3}: ")
    assert report["rss_mb"] < 300, report
    assert max(seconds for _result, seconds in found.values()) < 20, report


def test_a_value_past_the_last_column_stops_reading_at_its_cell(tmp_path: Path) -> None:
    far = '<c r="XFD2"><v>1</v></c>'
    path = workbook(tmp_path / "t.xlsx", HEADER + row(2, "a", number(2, 1), far))
    assert error(path).startswith("t.xlsx[Sheet]!XFD2: a value in column XFD, beyond the 1000")


def test_a_csv_counts_its_cells_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("khzreport.source.spreadsheet.MAX_SHEET_CELLS", 100)
    path = tmp_path / "t.csv"
    path.write_text("id,label,value\na,A,1\n" + ",,,,,,,,,\n" * 20, encoding="utf-8")
    with pytest.raises(SpreadsheetError, match=r"^t.csv!J12: the table stores more than 100"):
        read_indicators(path, display_name="t.csv")


# --- formulas --------------------------------------------------------------------------------


def test_saved_formula_results_are_used_with_a_warning_naming_the_cells(tmp_path: Path) -> None:
    body = HEADER + "".join(
        row(n, f"i{n}", f'<c r="C{n}"><f>SUM(1,{n})</f><v>{n + 1}</v></c>') for n in range(2, 9)
    )
    notes: list[Diagnostic] = []
    assert read(workbook(tmp_path / "t.xlsx", body), notes)["i8"] == 9
    assert len(notes) == 1
    assert (
        notes[0]
        .one_line()
        .startswith(
            "t.xlsx[Sheet]!C2: 7 cell(s) hold formulas (C2, C3, C4, C5, C6 and 2 more, "
            "C2 is '=SUM(1,2)'); the results saved with them are used, never recalculated"
        )
    )


@pytest.mark.parametrize(
    ("formula", "why"),
    [
        ('WEBSERVICE("http://example.com/x")', "calls WEBSERVICE"),
        ('_xlfn.WEBSERVICE("http://x")', "calls WEBSERVICE"),
        ('HYPERLINK("http://example.com","7400")', "calls HYPERLINK"),
        ("cmd|' /C calc'!A0", "is a DDE call to another program"),
        ("[1]Sheet1!A1", "refers to another workbook"),
    ],
)
def test_formulas_reaching_outside_are_refused_at_their_cell(
    tmp_path: Path, formula: str, why: str
) -> None:
    xml = formula.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    body = HEADER + row(2, "a", f'<c r="C2"><f>{xml}</f><v>7400</v></c>')
    line = error(workbook(tmp_path / "t.xlsx", body))
    assert line.startswith("t.xlsx[Sheet]!C2: value: the formula ")
    assert f"{why}; its saved result is not trusted" in line


def test_a_text_that_mentions_a_web_call_is_no_call(tmp_path: Path) -> None:
    body = HEADER + row(2, "a", '<c r="C2"><f>LEN("WEBSERVICE(x)|y")</f><v>15</v></c>')
    assert read(workbook(tmp_path / "t.xlsx", body)) == {"a": 15}


def test_a_bad_cell_is_reported_once(tmp_path: Path) -> None:
    bad = '<c r="A3" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    body = HEADER.replace("</row>", '<c r="D1" t="e"><v>#REF!</v></c></row>') + bad
    with pytest.raises(SpreadsheetError) as info:
        read_series(workbook(tmp_path / "t.xlsx", body), display_name="t.xlsx")
    lines = [e.one_line() for e in getattr(info.value, "errors", [info.value])]
    assert len(lines) == len(set(lines)), lines
