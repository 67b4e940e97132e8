"""The data-file and path limits the README lists, each tried at and just over its value
(the large ones lowered for the test, as the reader checks them the same way)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from khzreport import limits
from khzreport.errors import ValidationError
from khzreport.locations import Location
from khzreport.source import spreadsheet
from khzreport.source.assets import confined_path
from khzreport.source.spreadsheet import SpreadsheetError, read_indicators


def csv(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "t.csv"
    lines = ["id,label,value", *(f"i{n},指标{n},{n}" for n in range(rows))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read(path: Path) -> int:
    return len(read_indicators(path, display_name=path.name))


def refusal(path: Path) -> str:
    with pytest.raises(SpreadsheetError) as info:
        read(path)
    return info.value.one_line()


def test_rows_at_and_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert limits.MAX_SHEET_ROWS == 100_000
    monkeypatch.setattr(spreadsheet, "MAX_SHEET_ROWS", 5)
    assert read(csv(tmp_path, 4)) == 4  # the header row and four indicators
    assert "the table has more than 5 rows" in refusal(csv(tmp_path, 5))


def test_csv_bytes_at_and_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert limits.MAX_CSV_BYTES == 50 * 1024 * 1024
    path = csv(tmp_path, 3)
    monkeypatch.setattr(spreadsheet, "MAX_CSV_BYTES", path.stat().st_size)
    assert read(path) == 3
    monkeypatch.setattr(spreadsheet, "MAX_CSV_BYTES", path.stat().st_size - 1)
    assert f"at most {path.stat().st_size - 1} are read" in refusal(path)


def test_xlsx_unpacked_bytes_at_and_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert limits.MAX_XLSX_UNPACKED_BYTES == 500 * 1024 * 1024
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "label", "value"])
    ws.append(["a", "甲", 1])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    unpacked = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    monkeypatch.setattr(spreadsheet, "MAX_XLSX_UNPACKED_BYTES", unpacked)
    assert read(path) == 1
    monkeypatch.setattr(spreadsheet, "MAX_XLSX_UNPACKED_BYTES", unpacked - 1)
    assert f"the workbook unpacks to {unpacked} bytes" in refusal(path)


@pytest.mark.parametrize(
    ("relative", "refused"),
    [
        ("x" * limits.MAX_NAME_BYTES, False),
        ("x" * (limits.MAX_NAME_BYTES + 1), True),
        ("字" * (limits.MAX_NAME_BYTES // 3 + 1), True),  # three bytes each in UTF-8
        ("/".join(["d" * 200] * 5) + "/" + "x" * 19, False),  # 1,024 bytes
        ("/".join(["d" * 200] * 5) + "/" + "x" * 20, True),
    ],
)
def test_names_and_paths_at_and_over(tmp_path: Path, relative: str, refused: bool) -> None:
    where = Location(path="figures[0].image")
    if refused:
        with pytest.raises(ValidationError, match=r"the path is too long"):
            confined_path(tmp_path, relative, where)
    else:
        assert confined_path(tmp_path, relative, where).name == Path(relative).name
