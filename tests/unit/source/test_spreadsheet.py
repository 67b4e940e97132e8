"""The spreadsheet reader: .xlsx and .csv indicator tables and series, with cell references.

Every workbook is written here, in ``tmp_path``: by openpyxl for the cases a program can
produce exactly (percent formats, formulas without results, error cells), and by LibreOffice
from a CSV for what real office software does to typed figures. The LibreOffice tests are
marked ``realclient`` and skipped when ``soffice`` or its Calc component is missing (Debian:
``libreoffice-calc-nogui``).
"""

from __future__ import annotations

import datetime as dt
import gc
import pickle
import shutil
import subprocess
import warnings
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from khzreport.errors import KhzReportError
from khzreport.model import Indicator
from khzreport.source.spreadsheet import (
    CellRef,
    SpreadsheetError,
    SpreadsheetErrorGroup,
    column_letters,
    header_field,
    is_percent_format,
    read_indicators,
    read_series,
)

PCT = "0.0%"

# --- helpers ---------------------------------------------------------------------------------


def write_xlsx(
    path: Path,
    rows: Iterable[Iterable[Any] | None],
    *,
    formats: dict[str, str] | None = None,
    title: str = "Sheet1",
    sheets: dict[str, Iterable[Iterable[Any]]] | None = None,
) -> Path:
    """Write a workbook whose first sheet holds ``rows`` (None = empty cell).

    ``formats`` maps cell names to number formats (``{"C3": "0.0%"}``); ``sheets`` adds
    further sheets by name.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row or [], 1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for name, fmt in (formats or {}).items():
        ws[name].number_format = fmt
    for name, more in (sheets or {}).items():
        other = wb.create_sheet(name)
        for row in more:
            other.append(list(row))
    wb.save(path)
    wb.close()
    return path


def read(path: Path, name: str | None = None, **kw: Any) -> list[tuple[dict[str, Any], dict]]:
    return read_indicators(path, display_name=name or path.name, **kw)


def error_of(call: Callable[[], object]) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as info:
        call()
    return info.value


def by_id(rows: list[tuple[dict[str, Any], dict[str, CellRef]]]) -> dict[str, dict[str, Any]]:
    return {data["id"]: data for data, _refs in rows}


HEADER = ["id", "label", "value", "unit", "period", "growth"]

# One table in every spelling a statistician might use; the value column is C.
TABLE: list[list[Any]] = [
    HEADER,
    ["gdp", "地区生产总值", 5654, "亿元", 2023, 6.5],
    ["firms", "高新技术企业", " 740 ", "家", "2023年", None],
    ["cluster", "电子信息产业集群规模", "7,400", "亿元", 2023, "6.5%"],
    ["cluster_fw", "集群规模（全角逗号）", "7，400", "亿元", None, None],
    ["patents", "发明专利授权", "７４０", "件", None, None],
    ["density", "万人发明专利拥有量", "１８．０４", "件", None, None],
    ["rd", "研发投入", 18.04, "亿元", None, None],
    ["whole", "整数浮点", 7400.0, "亿元", None, None],
    ["share", "高新技术产业产值占比", 0.685, "%", None, None],
    ["share_text", "占比（文本）", "68.5%", "％", None, None],
    ["third", "三分之一", "1/3", "", None, None],
    ["neg", "负数", "−1.5", "%", None, None],
]


def table_xlsx(tmp_path: Path, rows: list[list[Any]] | None = None, **kw: Any) -> Path:
    formats = {"C10": PCT, "F2": PCT} | kw.pop("formats", {})
    table = [list(r) for r in (rows or TABLE)]
    table[1][5] = 0.065  # growth, formatted as a percentage
    return write_xlsx(tmp_path / "indicators.xlsx", table, formats=formats, **kw)


EXPECTED = {
    "gdp": 5654,
    "firms": 740,
    "cluster": 7400,
    "cluster_fw": 7400,
    "patents": 740,
    "density": 18.04,
    "rd": 18.04,
    "whole": 7400,
    "share": 68.5,
    "share_text": 68.5,
    "third": "1/3",
    "neg": -1.5,
}


def check_table(rows: list[tuple[dict[str, Any], dict[str, CellRef]]]) -> None:
    """Assert the values of TABLE and that every row is a valid Indicator."""
    data = by_id(rows)
    assert {k: v["value"] for k, v in data.items()} == EXPECTED
    for value in EXPECTED.values():
        assert type(value) in (int, float, str)
    assert type(data["whole"]["value"]) is int
    assert data["gdp"]["growth"] == 6.5
    assert data["cluster"]["growth"] == 6.5
    assert data["gdp"]["period"] == 2023
    assert data["firms"]["period"] == 2023
    assert data["share_text"]["unit"] == "%"
    assert "unit" not in data["third"]  # an empty cell is no field at all
    for fields, _refs in rows:
        Indicator(**fields)  # the model takes the data as it comes


# --- xlsx ------------------------------------------------------------------------------------


def test_xlsx_values_are_numbers_as_shown(tmp_path: Path) -> None:
    rows = read(table_xlsx(tmp_path), "data/indicators.xlsx")
    check_table(rows)
    data, refs = rows[0]
    assert data == {
        "id": "gdp",
        "label": "地区生产总值",
        "value": 5654,
        "unit": "亿元",
        "period": 2023,
        "growth": 6.5,
    }
    assert str(refs["value"]) == "data/indicators.xlsx[Sheet1]!C2"
    assert refs["growth"] == CellRef("data/indicators.xlsx", "Sheet1", "F2")
    assert str(rows[-1][1]["label"]) == "data/indicators.xlsx[Sheet1]!B13"


def test_float_artefacts_are_read_as_excel_shows_them(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "f.xlsx",
        [HEADER[:4], ["a", "A", 0.1 + 0.2, "亿元"], ["b", "B", 1e20, "元"], ["c", "C", 0.57, "%"]],
        formats={"C4": PCT},
    )
    data = by_id(read(path))
    assert data["a"]["value"] == 0.3
    assert data["b"]["value"] == 10**20 and type(data["b"]["value"]) is int
    assert data["c"]["value"] == 57  # 0.57 * 100 is 56.99999999999999 in binary floats


def test_percent_formatted_cell_with_another_unit_is_an_error(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx", [HEADER[:4], ["gdp", "GDP", 0.685, "亿元"]], formats={"C2": PCT}
    )
    err = error_of(lambda: read(path, "data/t.xlsx"))
    assert err.one_line() == (
        "data/t.xlsx[Sheet1]!C2: value: the cell is formatted as a percentage (0.685) but the "
        "unit is '亿元' (format the cell as a number, or correct the unit)"
    )
    assert err.cell == CellRef("data/t.xlsx", "Sheet1", "C2")


def test_percentages_without_a_unit_and_percent_text_with_another_unit(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [HEADER[:4], ["a", "A", 0.5, None], ["b", "B", "68.5%", "亿元"]],
        formats={"C2": "0%"},
    )
    err = error_of(lambda: read(path))
    assert isinstance(err, SpreadsheetErrorGroup)
    lines = str(err).splitlines()
    assert lines[0].startswith("t.xlsx[Sheet1]!C2: value: the cell is formatted as a percentage")
    assert "but the row has no unit" in lines[0]
    assert lines[1].startswith(
        "t.xlsx[Sheet1]!C3: value: the text '68.5%' is a percentage but the unit is '亿元'"
    )


def test_literal_percent_sign_in_a_format_does_not_scale() -> None:
    assert is_percent_format("0.0%") and is_percent_format("0%;[Red]-0%")
    assert not is_percent_format('0.0"%"')
    assert not is_percent_format("0.0\\%")
    assert not is_percent_format("General") and not is_percent_format(None)


def test_letter_o_in_a_number_is_an_error_at_its_cell(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["表1 2023年主要指标"], HEADER[:4]]
    rows += [[f"i{n}", f"指标{n}", n, "家"] for n in range(3, 14)]
    rows.append(["bad", "错字", "7,4O0", "亿元"])  # row 14, value column C
    path = write_xlsx(tmp_path / "indicators.xlsx", rows)
    err = error_of(lambda: read(path, "data/indicators.xlsx"))
    assert (
        err.one_line() == "data/indicators.xlsx[Sheet1]!C14: value: expected a number, got '7,4O0'"
    )
    assert not isinstance(err, SpreadsheetErrorGroup)
    assert isinstance(err, KhzReportError) and err.exit_code == 2


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("n/a", None),
        ("—", "leave the cell empty when there is no figure"),
        ("18,04", None),  # a European decimal comma, not a thousands group
        ("74,00", None),
        ("1.2.3", None),
        ("1/3%", None),
        ("七百四十", None),
    ],
)
def test_text_that_is_not_a_number_is_an_error(tmp_path: Path, text: str, hint: str | None) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [HEADER[:3], ["a", "A", text]])
    err = error_of(lambda: read(path))
    assert err.message == f"expected a number, got {text!r}"
    assert err.hint == hint
    assert str(err.cell) == "t.xlsx[Sheet1]!C2"


def test_all_cell_errors_are_reported_together(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["id", "label", "value", "period", "decimals"],
            ["a", "A", True, 2023, 1],
            ["b", "B", 1, 2023.5, 1.5],
            ["c", "C", dt.datetime(2023, 1, 3), "2023-02-30", 2],
        ],
    )
    err = error_of(lambda: read(path))
    assert isinstance(err, SpreadsheetErrorGroup)
    assert str(err).splitlines() == [
        "t.xlsx[Sheet1]!C2: value: expected a number, got a TRUE/FALSE cell",
        "t.xlsx[Sheet1]!D3: period: expected a year (1900–2199), a date or a period such as "
        "2023-12, got 2023.5",
        "t.xlsx[Sheet1]!E3: decimals: expected a whole number, got 1.5",
        "t.xlsx[Sheet1]!C4: value: expected a number, got a date cell (2023-01-03)",
        "t.xlsx[Sheet1]!D4: period: '2023-02-30' is not a valid date",
    ]
    assert err.cell == CellRef("t.xlsx", "Sheet1", "C2")


def test_periods_dates_and_text_fields(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["ID", "指标名称", "数值", "单位", "时期", "日期", "上年", "上期时期", "修饰", "备注"],
            ["a", "  A  ", 1, "亿元", dt.datetime(2023, 12, 31), "2023/6/30", 2, 2022, "超", 12],
            ["b", "B", 1, "家", "2023年1-9月", dt.date(2024, 1, 5), None, "2022年", None, None],
            ["c", "C", 1, "家", "2023-12", "2023年6月30日", None, "２０２２", None, None],
        ],
    )
    data = by_id(read(path))
    assert data["a"] == {
        "id": "a",
        "label": "A",
        "value": 1,
        "unit": "亿元",
        "period": dt.date(2023, 12, 31),
        "date": dt.date(2023, 6, 30),
        "previous": 2,
        "previous_period": 2022,
        "qualifier": "超",
        "note": "12",
    }
    assert data["b"]["period"] == "2023年1-9月"
    assert data["b"]["date"] == dt.date(2024, 1, 5)
    assert data["b"]["previous_period"] == 2022
    assert data["c"]["period"] == "2023-12"
    assert data["c"]["date"] == dt.date(2023, 6, 30)
    assert data["c"]["previous_period"] == 2022
    for fields in data.values():
        Indicator(**fields)


def test_as_of_words_or_dates_and_a_comment_column(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["ID", "指标名称", "数值", "单位", "截至", "编者注"],
        ["a", "A", 96, "家", "截至目前", "305 − 82 = 223"],
        ["b", "B", 5654, "件", dt.datetime(2023, 12, 31), None],
        ["c", "C", 7, "家", "2023年12月31日", None],
    ]
    with pytest.raises(SpreadsheetError) as info:
        read(write_xlsx(tmp_path / "bad.xlsx", [*rows, ["d", "D", 7, "家", True, None]]))
    assert "E5" in str(info.value) and "截至2023年底" in str(info.value)
    data = by_id(read(write_xlsx(tmp_path / "t.xlsx", rows)))
    assert data["a"]["as_of"] == "截至目前" and data["a"]["comment"] == "305 − 82 = 223"
    assert data["b"]["as_of"] == dt.date(2023, 12, 31)
    assert data["c"]["as_of"] == dt.date(2023, 12, 31)
    for fields in data.values():
        Indicator(**fields)


def test_chinese_and_variant_headers() -> None:
    assert header_field("指标代码") == "id"
    assert header_field(" Label-EN ") == "label_en"
    assert header_field("short label") == "short_label"
    assert header_field("增长率（%）") == "growth"
    assert header_field("资料来源") == "source"
    assert header_field("口径") == "definition"
    assert header_field("数值（%）") is None  # only growth may restate its percent
    assert header_field("value2") is None


def test_unknown_header_is_an_error_at_the_header_cell(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx", [["说明"], ["id", "label", "vaule", "单位"], ["a", "A", 1, "家"]]
    )
    err = error_of(lambda: read(path, "data/t.xlsx"))
    assert str(err.cell) == "data/t.xlsx[Sheet1]!C2"
    assert err.message == "unknown column 'vaule'; did you mean 'value'?"
    assert err.hint is not None
    assert "id (指标代码/代码)" in err.hint and "value (数值/本期值/本期)" in err.hint
    assert err.one_line().startswith("data/t.xlsx[Sheet1]!C2: unknown column 'vaule'")


def test_missing_and_duplicate_headers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["指标名称", "数值"], ["A", 1]])
    err = error_of(lambda: read(path))
    assert err.one_line() == (
        "a.xlsx[Sheet1]!A1: the header row has no id column (add an id/指标代码 column)"
    )
    path = write_xlsx(tmp_path / "b.xlsx", [["id", "value"], ["a", 1]])
    assert error_of(lambda: read(path)).message == "the header row has no label column"
    path = write_xlsx(tmp_path / "c.xlsx", [["id", "label", "数值", "value"], ["a", "A", 1, 2]])
    err = error_of(lambda: read(path))
    assert err.one_line() == "c.xlsx[Sheet1]!D1: a second value column (the first is C1)"
    path = write_xlsx(tmp_path / "d.xlsx", [["only one cell"], ["x"]])
    assert "no header row found" in error_of(lambda: read(path)).message


def test_layout_rows_titles_footnotes_and_stray_cells(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["表1 主要经济指标"],
            None,
            ["id", "label", "value"],
            ["a", "A", 1],
            [None, None, None],
            [],
            ["b", "B", 2],
            ["注：本表为快报数。"],
        ],
    )
    rows = read(path)
    assert [d for d, _r in rows] == [
        {"id": "a", "label": "A", "value": 1},
        {"id": "b", "label": "B", "value": 2},
    ]
    assert str(rows[1][1]["value"]) == "t.xlsx[Sheet1]!C7"

    path = write_xlsx(
        tmp_path / "u.xlsx",
        [["id", "label", "value"], ["a", "A", 1, "stray"], [None, "B", 2], ["a", "C", 3]],
    )
    assert str(error_of(lambda: read(path))).splitlines() == [
        "u.xlsx[Sheet1]!D2: a value in a column without a header (name the column in the "
        "header row, or clear the cell)",
        "u.xlsx[Sheet1]!A3: id: the row has no id (fill in 指标代码/id)",
        "u.xlsx[Sheet1]!A4: id: duplicate id 'a' (first in A2)",
    ]


def test_formula_without_a_saved_value_is_an_error(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [HEADER[:4], ["a", "A", 2, "家"], ["b", "B", "=C2*2", "家"]],
        formats={"D5": "0.00"},  # a formatted blank cell is not a formula
    )
    err = error_of(lambda: read(path, "data/t.xlsx"))
    assert err.one_line() == (
        "data/t.xlsx[Sheet1]!C3: value: formula without a saved value "
        "(open and save the file in Excel/WPS/LibreOffice)"
    )


def test_error_cells_are_errors(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [HEADER[:3], ["a", "A", "#DIV/0!"]])
    err = error_of(lambda: read(path))
    assert err.one_line() == (
        "t.xlsx[Sheet1]!C2: value: the cell shows the error #DIV/0! (fix the formula)"
    )


def test_second_sheet_by_name_and_unknown_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [["封面"]],
        title="说明",
        sheets={"园区指标": [HEADER[:3], ["parks", "园区数", 5]]},
    )
    rows = read(path, "data/t.xlsx", sheet="园区指标")
    assert rows[0][0]["value"] == 5
    assert str(rows[0][1]["value"]) == "data/t.xlsx[园区指标]!C2"
    # a name that differs only in case or surrounding spaces still finds its sheet
    other = write_xlsx(tmp_path / "u.xlsx", [["x"]], sheets={"Data": [HEADER[:3], ["a", "A", 1]]})
    assert str(read(other, sheet=" data")[0][1]["id"]) == "u.xlsx[Data]!A2"

    err = error_of(lambda: read(path, "data/t.xlsx", sheet="Sheet2"))
    assert err.one_line() == (
        "data/t.xlsx: no sheet named 'Sheet2' (the sheets are '说明', '园区指标')"
    )
    assert err.cell is None
    # the first sheet is the default
    assert "no header row found" in error_of(lambda: read(path)).message


def test_files_that_are_not_workbooks(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    err = error_of(lambda: read(garbage, "data/garbage.xlsx"))
    assert err.one_line().startswith("data/garbage.xlsx: not a valid .xlsx workbook")

    not_office = tmp_path / "other.xlsx"
    with zipfile.ZipFile(not_office, "w") as archive:
        archive.writestr("hello.txt", "a zip, but no workbook inside")
    err = error_of(lambda: read(not_office))
    assert err.message.startswith("not a valid .xlsx workbook (")

    renamed = tmp_path / "renamed.xlsx"
    renamed.write_text("id,label,value\na,A,1\n", encoding="utf-8")
    err = error_of(lambda: read(renamed))
    assert err.hint is not None and "rename it to .csv" in err.hint

    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "old .xls" in error_of(lambda: read(old)).message

    assert error_of(lambda: read(tmp_path / "missing.xlsx", "x.xlsx")).one_line() == (
        "x.xlsx: file not found"
    )
    other_type = tmp_path / "t.ods"
    other_type.write_text("not a table", encoding="utf-8")
    assert error_of(lambda: read(other_type)).one_line() == (
        "t.ods: unsupported file type '.ods' (use .xlsx or .csv)"
    )


def test_workbooks_are_closed(tmp_path: Path) -> None:
    good = table_xlsx(tmp_path)
    bad = write_xlsx(tmp_path / "bad.xlsx", [HEADER[:3], ["a", "A", "=1+1"]])
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read(good)
        for path in (bad, broken):
            with pytest.raises(SpreadsheetError):
                read(path)
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_errors_survive_pickling(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [HEADER[:3], ["a", "A", "x"], ["b", "B", "y"]])
    group = error_of(lambda: read(path))
    assert isinstance(group, SpreadsheetErrorGroup)
    again = pickle.loads(pickle.dumps(group))
    assert isinstance(again, SpreadsheetErrorGroup)
    assert str(again) == str(group)
    single = pickle.loads(pickle.dumps(group.errors[0]))
    assert isinstance(single, SpreadsheetError)
    assert single.one_line() == group.errors[0].one_line()
    assert single.cell == CellRef("t.xlsx", "Sheet1", "C2")


def test_column_letters() -> None:
    assert [column_letters(n) for n in (1, 3, 26, 27, 28, 52, 703)] == [
        "A",
        "C",
        "Z",
        "AA",
        "AB",
        "AZ",
        "AAA",
    ]
    assert str(CellRef("data/indicators.csv", None, "C14")) == "data/indicators.csv!C14"


# --- CSV -------------------------------------------------------------------------------------


def csv_text(rows: list[list[Any]], delimiter: str = ",") -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def csv_table() -> list[list[Any]]:
    rows = [list(r) for r in TABLE]
    rows[9][2] = "68.5%"  # a CSV has no formats: percentages are written out
    return rows


def test_csv_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "indicators.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(csv_table()).encode("utf-8"))
    rows = read(path, "data/indicators.csv")
    check_table(rows)
    assert rows[0][0]["id"] == "gdp"  # the BOM is not part of the first header
    assert str(rows[0][1]["value"]) == "data/indicators.csv!C2"


def test_csv_gb18030_from_chinese_excel(tmp_path: Path) -> None:
    path = tmp_path / "indicators.csv"
    path.write_bytes(csv_text(csv_table()).encode("gb18030"))
    rows = read(path)
    check_table(rows)
    assert by_id(rows)["gdp"]["label"] == "地区生产总值"


def test_csv_tab_separated_utf16_and_letter_o(tmp_path: Path) -> None:
    rows: list[list[Any]] = [HEADER[:4]]
    rows += [[f"i{n}", f"指标{n}", n, "家"] for n in range(2, 14)]
    rows.append(["bad", "错字", "7,4O0", "亿元"])
    path = tmp_path / "indicators.txt"
    path.write_bytes(csv_text(rows, "\t").encode("utf-16"))
    err = error_of(lambda: read(path, "data/indicators.csv"))
    assert err.one_line() == "data/indicators.csv!C14: value: expected a number, got '7,4O0'"


def test_csv_problems(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,label,value\r\na,A,\xff\xff\r\n")
    err = error_of(lambda: read(path))
    assert err.hint == "save it as CSV UTF-8"
    path.write_text("id,label,value\na,A,1\n", encoding="utf-8")
    err = error_of(lambda: read(path, sheet="Sheet1"))
    assert "a CSV file has no sheets" in err.message
    path.write_bytes(b"id,label\x00,value\n")
    assert "NUL" in error_of(lambda: read(path)).message


def test_csv_records_not_lines_give_the_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('id,label,value\na,"two\nlines",1\nb,B,x\n', encoding="utf-8")
    err = error_of(lambda: read(path))
    assert str(err.cell) == "t.csv!C3"


# --- series ----------------------------------------------------------------------------------


def test_series_years_across_with_gaps(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "s.xlsx",
        [
            ["指标代码", "指标", "2019年", "2020年", 2021, "２０２２"],
            ["gdp", "地区生产总值", 4045.06, "4,276.76", None, 5006.7],
            ["firms", "高新技术企业", 1011, "—", "-", 2400],
        ],
    )
    series = read_series(path, display_name="data/s.xlsx")
    assert [s[0] for s in series] == ["gdp", "firms"]
    ident, values, refs, head = series[0]
    assert values == {2019: 4045.06, 2020: 4276.76, 2021: None, 2022: 5006.7}
    assert str(refs[2021]) == "data/s.xlsx[Sheet1]!E2"
    assert str(head) == "data/s.xlsx[Sheet1]!A2"
    assert series[1][1] == {2019: 1011, 2020: None, 2021: None, 2022: 2400}
    Indicator(id=ident, label="GDP", series=values)


def test_series_years_across_without_label_column(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["id", 2022, 2023], ["gdp", 1, 2]])
    assert read_series(path, display_name="s.xlsx")[0][1] == {2022: 1, 2023: 2}
    path = write_xlsx(tmp_path / "t.xlsx", [["指标", 2022, 2023], ["地区生产总值", 1, 2]])
    err = error_of(lambda: read_series(path, display_name="t.xlsx"))
    assert err.one_line() == (
        "t.xlsx[Sheet1]!A1: the series table has no id column "
        "(add an id/指标代码 column before the years)"
    )


def test_series_years_down_with_gap(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        csv_text(
            [
                ["年份", "gdp", "firms"],
                ["2019年", "4045.06", "1011"],
                ["2020年", "", "1123"],
                ["2021年", "4,748.06", "—"],
                ["注：2021年为快报数", None, None],
            ]
        ),
        encoding="utf-8-sig",
    )
    series = read_series(path, display_name="data/s.csv")
    assert [(s[0], s[1]) for s in series] == [
        ("gdp", {2019: 4045.06, 2020: None, 2021: 4748.06}),
        ("firms", {2019: 1011, 2020: 1123, 2021: None}),
    ]
    assert str(series[0][3]) == "data/s.csv!B1"
    assert str(series[1][2][2021]) == "data/s.csv!C4"


def test_series_errors(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "s.xlsx",
        [["id", 2019, 2020], ["gdp", "n/a", 0.5], ["gdp", 1, 2]],
        formats={"C2": PCT},
    )
    assert str(error_of(lambda: read_series(path, display_name="s.xlsx"))).splitlines() == [
        "s.xlsx[Sheet1]!B2: series[2019]: expected a number, got 'n/a' "
        "(leave the cell empty, or write - or —, for a year without data)",
        "s.xlsx[Sheet1]!C2: series[2020]: the cell is formatted as a percentage (0.5) but a "
        "series table has no unit column to check it against (write the number of percent as "
        "a plain number (68.5 for 68.5%))",
        "s.xlsx[Sheet1]!A3: id: duplicate id 'gdp' (first in A2)",
    ]
    path = write_xlsx(tmp_path / "t.xlsx", [["id", 2019, 2019], ["gdp", 1, 2]])
    err = error_of(lambda: read_series(path, display_name="t.xlsx"))
    assert err.one_line() == "t.xlsx[Sheet1]!C1: the year 2019 appears twice"
    path = write_xlsx(tmp_path / "u.xlsx", [["年份", "gdp"], [2019, 1], ["合计", 2]])
    err = error_of(lambda: read_series(path, display_name="u.xlsx"))
    assert err.one_line() == "u.xlsx[Sheet1]!A3: expected a year, got '合计'"
    path = write_xlsx(tmp_path / "v.xlsx", [["指标", "数值"], ["gdp", 1]])
    err = error_of(lambda: read_series(path, display_name="v.xlsx"))
    assert err.message == "cannot tell the layout of this series table"


# --- files written by LibreOffice ------------------------------------------------------------


def _calc_installed() -> bool:
    """Return whether soffice exists and has its spreadsheet part (Debian splits it off)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return False
    program = Path(soffice).resolve().parent
    return any(program.glob("*sclo.*")) or not (program / "soffice.bin").exists()


needs_calc = pytest.mark.skipif(
    not _calc_installed(), reason="needs LibreOffice Calc (soffice, libreoffice-calc-nogui)"
)


def libreoffice_convert(source: Path, outdir: Path, *options: str) -> Path:
    """Convert ``source`` to .xlsx with LibreOffice, as a user saving it in Calc would."""
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{source.parent}/lo",
            *options,
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    result = outdir / f"{source.stem}.xlsx"
    assert result.is_file(), f"LibreOffice did not write {result}"
    return result


# CSV import options: comma, double quote, UTF-8 (76), start at line 1, no column types,
# default language, quoted fields not forced to text, "detect special numbers" off: Calc's import
# dialog defaults. The last must be given: left out, the command line turns it on.
UTF8_CSV = "--infilter=CSV:44,34,76,1,,0,false,false"
# The same with "detect special numbers" on, which turns 68.5% into a percent-formatted 0.685
# and — the classic — 1/3 into a date.
SPECIAL_NUMBERS_CSV = "--infilter=CSV:44,34,76,1,,0,false,true,true"


@pytest.mark.realclient
@needs_calc
def test_libreoffice_saved_csv(tmp_path: Path) -> None:
    source = tmp_path / "indicators.csv"
    source.write_text(csv_text(csv_table()), encoding="utf-8")
    xlsx = libreoffice_convert(source, tmp_path / "out", UTF8_CSV)
    rows = read(xlsx, "data/indicators.xlsx")
    # "7,400" may be stored as the number 7400 or kept as text: either way it reads as 7400.
    check_table(rows)
    assert str(rows[2][1]["value"]) == "data/indicators.xlsx[indicators]!C4"


@pytest.mark.realclient
@needs_calc
def test_libreoffice_special_numbers(tmp_path: Path) -> None:
    source = tmp_path / "indicators.csv"
    source.write_text(
        csv_text(
            [
                ["id", "label", "value", "unit", "period"],
                ["share", "占比", "68.5%", "%", "2023-06-30"],
                ["gdp", "地区生产总值", "7,400", "亿元", "2023"],
            ]
        ),
        encoding="utf-8",
    )
    xlsx = libreoffice_convert(source, tmp_path / "out", SPECIAL_NUMBERS_CSV)
    data = by_id(read(xlsx))
    assert data["share"]["value"] == 68.5  # stored as 0.685 with a percent format
    assert data["share"]["period"] == dt.date(2023, 6, 30)  # stored as a date cell
    assert data["gdp"]["value"] == 7400

    # LibreOffice reads 1/3 as 3 January; that must not pass as a figure.
    source.write_text(
        csv_text([["id", "label", "value"], ["third", "三分之一", "1/3"]]), encoding="utf-8"
    )
    xlsx = libreoffice_convert(source, tmp_path / "out2", SPECIAL_NUMBERS_CSV)
    err = error_of(lambda: read(xlsx))
    assert err.message.startswith("expected a number, got a date cell (")


@pytest.mark.realclient
@needs_calc
def test_libreoffice_saves_formula_results(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [HEADER[:4], ["a", "A", 2, "家"], ["b", "B", "=C2*2"]])
    assert "formula without a saved value" in error_of(lambda: read(path)).message
    saved = libreoffice_convert(path, tmp_path / "saved")
    assert by_id(read(saved))["b"]["value"] == 4
