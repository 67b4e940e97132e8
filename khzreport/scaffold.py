"""Start a report: an empty, commented source folder, or next year's from last year's.

``khzreport new DIR`` writes ``report.yaml`` (every field shown, the optional ones commented),
``data/indicators.xlsx`` (an indicator table with the headers the reader knows) and
``theme.yaml``. ``khzreport new DIR --from SOURCE`` copies last year's folder forward instead:
the period moves on by one year, current figures become ``previous`` figures, and the new
figures are left empty (``value: null``, printed as 〔待填〕), so the new year starts from the
old structure, narrative and charts, and ``khzreport validate`` lists what is still to fill in.
"""

from __future__ import annotations

import datetime as dt
import shutil
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from . import api
from .errors import Location, OutputError, ValidationError
from .output import write_atomic
from .resources import template_path
from .source.spreadsheet import COLUMNS

TABLE_HEADERS = (
    "id",
    "指标",
    "数值",
    "单位",
    "修饰",
    "时期",
    "上期",
    "上期时期",
    "来源",
    "口径",
    "备注",
    "label_en",
    "unit_en",
)
"""Headers of a new indicator table (Chinese names the spreadsheet reader knows)."""


def new_report(folder: Path, *, year: int | None = None) -> list[Path]:
    """Write an empty, commented report source into ``folder``; return the files written."""
    folder = Path(folder)
    _check_empty(folder)
    year = year or dt.date.today().year - 1
    text = template_path("scaffold", "report.yaml").read_text(encoding="utf-8")
    text = (
        text.replace("__YEAR__", str(year))
        .replace("__NEXT_YEAR__", str(year + 1))
        .replace("__DATE__", f"{year + 1}-01-15")
    )
    written = [
        _write(folder / "report.yaml", text.encode("utf-8")),
        _write(
            folder / "theme.yaml",
            template_path("scaffold", "theme.yaml").read_bytes(),
        ),
        _write(folder / "data" / "indicators.xlsx", _empty_table()),
    ]
    (folder / "images").mkdir(exist_ok=True)
    return written


def copy_forward(source: Path, folder: Path) -> list[Path]:
    """Copy last year's report folder into ``folder`` as next year's skeleton."""
    source = Path(source)
    report = api.load(source)  # refuse to copy a broken source forward
    _check_empty(folder)
    old_year = report.meta.year
    new_year = old_year + 1
    shutil.copytree(
        source.parent, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("build", ".*")
    )
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    target = folder / source.name
    tree = yaml.load(target.read_text(encoding="utf-8"))
    _roll_meta(tree["meta"], old_year, new_year)
    for ind in tree.get("indicators") or []:
        _roll_indicator(ind, old_year)
    buffer = StringIO()
    yaml.dump(tree, buffer)
    written = [_write(target, buffer.getvalue().encode("utf-8"))]
    for entry in tree.get("data") or []:
        if entry.get("kind", "indicators") == "indicators":
            path = folder / str(entry["file"])
            _roll_table(path, str(entry["file"]), old_year)
            written.append(path)
    return written


def _next_year(day: dt.date) -> dt.date:
    """Return the same day a year on (28 February for 29 February); a datetime stays one."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _roll_meta(meta: Any, old: int, new: int) -> None:
    meta["year"] = new
    if isinstance(meta.get("date"), dt.date):
        meta["date"] = _next_year(meta["date"])
    for part, key in (("distribution", "printed_date"), ("signature", "date")):
        block = meta.get(part)
        if block is not None and isinstance(block.get(key), dt.date):
            block[key] = _next_year(block[key])
    for key in ("id", "title", "title_en", "subtitle", "subtitle_en", "period"):
        if isinstance(meta.get(key), str):
            meta[key] = meta[key].replace(str(old), str(new))


def _in_year(value: Any, year: int) -> bool:
    if value is None:
        return True
    if isinstance(value, int):
        return value == year
    if isinstance(value, dt.date):
        return value.year == year
    return str(year) in str(value)


def _roll_indicator(ind: Any, year: int) -> None:
    """Move a figure of ``year`` to ``previous`` and leave the new one empty."""
    if not _in_year(ind.get("period"), year) or not _in_year(ind.get("date"), year):
        return  # a historic fact (founded 2013) stays as it is
    rank = ind.get("rank")
    if rank is not None and rank.get("position") is not None:
        rank["previous"] = rank["position"]
        rank["position"] = None
    if "value" in ind and ind["value"] is not None:
        ind["previous"] = ind["value"]
        ind["previous_period"] = ind.get("period") if isinstance(ind.get("period"), int) else year
        ind["value"] = None
        for key in ("qualifier", "growth"):
            ind.pop(key, None)
    elif ind.get("date") is not None and "value" not in ind:
        ind["value"] = None
    ind.pop("date", None)
    if isinstance(ind.get("period"), int):
        ind["period"] = year + 1
    elif isinstance(ind.get("period"), dt.date):
        ind["period"] = _next_year(ind["period"])
    elif isinstance(ind.get("period"), str):
        ind["period"] = ind["period"].replace(str(year), str(year + 1))
    if isinstance(ind.get("as_of"), dt.date):
        ind["as_of"] = _next_year(ind["as_of"])
    elif isinstance(ind.get("as_of"), str):
        ind["as_of"] = ind["as_of"].replace(str(year), str(year + 1))
    series = ind.get("series")
    if series is not None and year in series:
        series[year + 1] = None


def _roll_table(path: Path, name: str, year: int) -> None:
    """Shift an indicator table: 数值 → 上期, 时期 → 上期时期, new values empty."""
    if path.suffix.lower() != ".xlsx":
        raise ValidationError(
            f"cannot copy the table {name} forward: only .xlsx tables are rolled over",
            Location(name),
            "convert it to .xlsx, or move the values by hand",
        )
    from openpyxl import load_workbook  # only a spreadsheet source needs openpyxl

    aliases = {n.casefold(): f for f, (_, names) in COLUMNS.items() for n in (f, *names)}
    wb = load_workbook(path)
    try:
        ws = wb.worksheets[0]
        header = {aliases.get(str(c.value).strip().casefold()): c.column for c in ws[1] if c.value}
        value, previous = header.get("value"), header.get("previous")
        if value is None:
            return
        if previous is None:
            previous = ws.max_column + 1
            ws.cell(row=1, column=previous, value="上期")
        period, prev_period = header.get("period"), header.get("previous_period")
        if prev_period is None:
            prev_period = ws.max_column + 1
            ws.cell(row=1, column=prev_period, value="上期时期")
        for row in range(2, ws.max_row + 1):
            cell = ws.cell(row=row, column=value)
            if cell.value in (None, ""):
                continue
            p = ws.cell(row=row, column=period).value if period else None
            if p is not None and not _in_year(p, year):
                continue
            ws.cell(row=row, column=previous, value=cell.value)
            ws.cell(row=row, column=prev_period, value=year)
            cell.value = None
            for key in ("qualifier", "growth"):
                if key in header:
                    ws.cell(row=row, column=header[key]).value = None
            if period and isinstance(p, dt.date):  # a date cell (openpyxl reads a datetime)
                ws.cell(row=row, column=period, value=_next_year(p))
            elif period and isinstance(p, int):
                ws.cell(row=row, column=period, value=year + 1)
            elif period and isinstance(p, str):
                ws.cell(row=row, column=period, value=p.replace(str(year), str(year + 1)))
            a = ws.cell(row=row, column=header["as_of"]).value if "as_of" in header else None
            if isinstance(a, dt.date):
                ws.cell(row=row, column=header["as_of"], value=_next_year(a))
            elif isinstance(a, str):
                ws.cell(row=row, column=header["as_of"], value=a.replace(str(year), str(year + 1)))
        wb.save(path)
    finally:
        wb.close()


def _empty_table() -> bytes:
    # openpyxl is needed only when a new report gets its empty table
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill  # the header's look, same library

    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append(list(TABLE_HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for column, width in zip(
        "ABCDEFGHIJKLM", (18, 28, 10, 10, 8, 10, 10, 10, 24, 16, 20, 28, 10), strict=True
    ):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "khzreport"
    fixed = dt.datetime(2020, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _check_empty(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(
            f"{folder} exists and is not an empty folder",
            Location(str(folder)),
            "choose a new folder name",
        )


def _write(path: Path, data: bytes) -> Path:
    write_atomic(path, data)
    return path
