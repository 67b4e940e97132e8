"""Parsed worksheets kept in the cache folder, keyed by the workbook's bytes.

A second read of an unchanged workbook gives the same rows, values and formula warning
without parsing it again; any change of the bytes, the sheet asked for or a reading limit
parses it afresh; a sheet that fails to read keeps nothing.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from khzreport.diagnostics import Diagnostic
from khzreport.errors import KhzReportError
from khzreport.source import spreadsheet
from khzreport.source.spreadsheet import read_indicators


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KHZREPORT_CACHE", str(folder))
    return folder


def workbook(path: Path, value: Any = 68.5) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "label", "value", "unit", "period", "as_of"])
    ws.append(["a", "甲", 0.685, "%", dt.datetime(2023, 12, 31), "截至2023年底"])
    ws["C2"].number_format = "0.0%"
    ws.append(["b", "乙", "=1+1", "亿元", 2023, None])
    ws.append(["c", "丙", value, "亿元", 2023, None])
    wb.save(path)
    # openpyxl saves no result of a formula: give B's formula one, as Excel would
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def read(path: Path) -> tuple[list[Any], list[str]]:
    notes: list[Diagnostic] = []
    rows = [
        (row, {k: str(v) for k, v in cells.items()})
        for row, cells in read_indicators(path, display_name="data/t.xlsx", notes=notes)
    ]
    return rows, [n.one_line() for n in notes]


def no_parsing(*_args: Any) -> Any:
    raise AssertionError("parsed again")


def test_an_unchanged_workbook_is_read_from_the_cache(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path / "t.xlsx")
    first = read(path)
    assert first[0][0][0]["value"] == 68.5  # the percent format is kept
    assert first[0][0][0]["period"] == dt.date(2023, 12, 31)  # and the date cell
    assert "1 cell(s) hold formulas (C3" in first[1][0]
    assert len(list(cache.glob("table-*.json"))) == 1
    monkeypatch.setattr(spreadsheet, "_parse_xlsx", no_parsing)
    assert read(path) == first


def test_a_change_parses_again(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path / "t.xlsx")
    read(path)
    workbook(path, value=7)
    assert read(path)[0][2][0]["value"] == 7
    monkeypatch.setattr(spreadsheet, "MAX_SHEET_ROWS", 3)
    with pytest.raises(KhzReportError, match="more than 3 rows"):
        read(path)
    assert len(list(cache.glob("table-*.json"))) == 2  # the failed read kept nothing


def test_an_unwritable_cache_folder_is_no_error(tmp_path: Path, cache: Path) -> None:
    cache.write_text("a file where the folder should be")
    path = workbook(tmp_path / "t.xlsx")
    assert read(path) == read(path)
