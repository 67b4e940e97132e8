"""Read indicator tables from .xlsx and .csv files, keeping the cell of every value.

Statistics reach a zone office as spreadsheets, typed by hand, exported from a bureau's system
or passed through Excel, WPS and LibreOffice on the way. This module turns such a table into
plain Python data — the same shapes a YAML source gives (``dict`` of field → value) — plus a
:class:`CellRef` for every value, so the caller can merge the data into a report's indicators,
validate it with :class:`khzreport.model.Indicator`, and report any problem at the cell the user
has to fix (``data/indicators.xlsx[Sheet1]!C14: value: expected a number, got '7,4O0'``).

The reader is deliberately lenient about *how* a number is written and strict about *what* it
is: a figure is accepted only when there is exactly one sensible reading of it, and anything
else is an error at its cell rather than a guess. The rules, in full:

* **Numbers.** Number cells are taken as they are. Floats are rounded to 15 significant digits
  first, which is the precision Excel shows, so a formula's ``0.30000000000000004`` reads as
  the ``0.3`` on screen. A value comes back as ``int`` when it is whole (``7400.0`` → ``7400``)
  and otherwise as the ``float`` whose shortest form is the decimal shown (``18.04``), which is
  what the YAML loader gives for the same figure; trailing zeros (``18.40``) are not kept, use
  the ``decimals`` field for those.
* **Numbers typed as text** are accepted once normalised with Unicode NFKC (full-width digits
  ``７４０``, full-width point ``１８．０４``, full-width comma and percent sign) and stripped:
  an optional sign, digits, optionally grouped by thousands with ``,`` in groups of three
  (``7,400`` and ``7，400`` → ``7400``; ``18,04`` is *not* a thousands group and is refused,
  since it is a European decimal comma), then an optional decimal part. ``1/3`` is returned as
  the text ``"1/3"`` because the model turns it into an exact fraction. Anything else
  (``7,4O0`` with a letter O, ``n/a``, ``—``) is an error; so are TRUE/FALSE and date cells.
* **Percentages** are converted only when the result is certain: for ``value``, ``previous``
  and ``target`` when the row's unit is ``%``, and always for ``growth`` (a growth rate is in
  percent by definition). A cell formatted as a percentage that holds ``0.685`` gives ``68.5``,
  and so does the text ``68.5%``. With any other unit the cell is an error ("the cell is
  formatted as a percentage (0.685) but the unit is '亿元'"), since either the format or the
  unit is wrong and only the user knows which. A series table has no unit column, so
  :func:`read_series` refuses percentages altogether.
* **Periods** (``period``, ``previous_period``, ``target_period``): a year (a number or the text
  ``2023`` / ``2023年``) → ``int``; a date cell or ISO/slashed date text → ``datetime.date``;
  other text (``2023-12``, ``2023年1-9月``) stays text for the model and the formatter.
* **As of** (``as_of``, headed 截至/时点): a date cell or date text → ``datetime.date``, other
  text (``截至2023年底``, ``目前``) kept as typed.
* **Text** fields are stripped of surrounding whitespace, including the full-width space, but
  otherwise kept as typed: NFKC would turn Chinese full-width punctuation in labels into ASCII.
  A unit written ``％`` is the one exception and becomes ``%``.
* **Layout.** The header row is the first row with at least two filled cells; single-cell rows
  above it are table titles (``表1 主要经济指标``) and are skipped. Empty rows are skipped, and
  so are single-cell footnote rows (``注：…``, ``资料来源：…``) since bureau tables end with them.
  A filled cell in a column without a header is an error rather than silently dropped data.
* **CSV** is read with the :mod:`csv` module. UTF-8 with or without a BOM is read as such, UTF-16
  with a BOM (Excel's "Unicode text") too; a file that is not UTF-8 is read as GB18030, the
  encoding Chinese Excel and WPS save CSV in, which is a superset of GBK and GB2312. The
  delimiter is the most frequent of ``,``, tab and ``;`` on the first line. A cell's reference
  counts records, not physical lines, so it matches what a spreadsheet program shows.
* **xlsx** is read with openpyxl's streaming parser, stored cells only: a formula gives the
  result Excel saved with it, never recalculated, and a warning names the cells (``notes``).
  openpyxl writes formulas without results, so such a cell is an error telling the user to
  open and save the file once. A formula that reaches outside the workbook (``WEBSERVICE``,
  ``HYPERLINK``, a DDE call, a link to another workbook) is an error at its cell. Error cells
  (``#DIV/0!``) are errors.
* **Size.** Cells read count against :data:`~khzreport.limits.MAX_SHEET_CELLS` (blank
  formatted ones too) and a value past :data:`~khzreport.limits.MAX_SHEET_COLUMNS` is an
  error at its cell; reading stops at the first cell over either limit.

All cell errors of a table are collected and raised together (up to :data:`MAX_ERRORS`), one per
line, like the YAML loader does; problems with the file itself are raised at once.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import difflib
import functools
import hashlib
import importlib.util
import io
import json
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

from ..diagnostics import Diagnostic
from ..errors import ErrorGroup, KhzReportError, Location, ValidationError
from ..limits import (
    MAX_CSV_BYTES,
    MAX_SHEET_CELLS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
)
from ..resources import cache_dir

__all__ = ["CellRef", "SpreadsheetError", "read_indicators", "read_series"]

MAX_ERRORS = 50
"""Cell errors collected before reading stops; past that the table is not what we expect."""

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})


# --- references and errors -------------------------------------------------------------------


@dataclass(frozen=True)
class CellRef:
    """The cell a value came from: file as the user named it, sheet (``None`` for CSV), ``C14``."""

    file: str
    sheet: str | None
    cell: str

    def __str__(self) -> str:
        if self.sheet is None:
            return f"{self.file}!{self.cell}"
        return f"{self.file}[{self.sheet}]!{self.cell}"

    def location(self, path: str = "") -> Location:
        """Return a :class:`Location` for an error at this cell about field ``path``.

        A cell has no line and column in the text sense, so the whole reference goes into
        ``file``; ``one_line()`` then prints ``file[sheet]!C14: path: message``.
        """
        return Location(file=str(self), line=None, column=None, path=path)


def column_letters(column: int) -> str:
    """Return the A1-style letters of a 1-based column number (1 → A, 28 → AB)."""
    if column < 1:
        raise ValueError(f"column numbers start at 1, got {column}")
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class SpreadsheetError(ValidationError):
    """A spreadsheet cannot be read, or a cell does not hold what its column needs.

    ``cell`` is the :class:`CellRef` of the offending cell when there is one (``None`` for
    problems with the file or sheet as a whole).
    """

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        hint: str | None = None,
        *,
        cell: CellRef | None = None,
    ):
        self.cell = cell
        super().__init__(message, location, hint)

    @classmethod
    def at(
        cls, where: CellRef | str, message: str, *, field: str = "", hint: str | None = None
    ) -> SpreadsheetError:
        """Return an error at a cell (a :class:`CellRef`) or a file/sheet (a plain name)."""
        if isinstance(where, CellRef):
            return cls(message, where.location(field), hint, cell=where)
        return cls(message, Location(file=where, path=field), hint)

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle as cls(*args), which would lose the location and the cell when an
        # error crosses a process boundary (batch builds use worker processes).
        return (_rebuild_error, (type(self), self.message, self.location, self.hint, self.cell))


def _rebuild_error(
    cls: type[SpreadsheetError],
    message: str,
    location: Location | None,
    hint: str | None,
    cell: CellRef | None,
) -> SpreadsheetError:
    return cls(message, location, hint, cell=cell)


class SpreadsheetErrorGroup(ErrorGroup, SpreadsheetError):
    """Several cell errors of one table, one per line; still a :class:`SpreadsheetError`."""

    def __init__(self, errors: Iterable[KhzReportError]):
        super().__init__(errors)
        first = self.errors[0]
        self.cell = first.cell if isinstance(first, SpreadsheetError) else None

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.errors,))


class _Bad(Exception):
    """A cell value that its column cannot take; turned into a SpreadsheetError at the cell."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class _Errors:
    """Collects cell errors so a user sees all of a table's problems in one run."""

    def __init__(self) -> None:
        self.items: list[SpreadsheetError] = []

    def add(self, ref: CellRef, field: str, message: str, hint: str | None = None) -> None:
        error = SpreadsheetError.at(ref, message, field=field, hint=hint)
        if any(e.one_line() == error.one_line() for e in self.items):
            return  # one cell seen twice (as a header and as a value) is one problem
        self.items.append(error)
        if len(self.items) >= MAX_ERRORS:
            self.raise_if_any()

    def bad(self, ref: CellRef, field: str, exc: _Bad) -> None:
        self.add(ref, field, exc.message, exc.hint)

    def raise_if_any(self) -> None:
        if len(self.items) == 1:
            raise self.items[0]
        if self.items:
            raise SpreadsheetErrorGroup(self.items)


# --- the grid: cells as read, before any meaning is given to them ----------------------------


@dataclass(frozen=True)
class _Cell:
    """One cell as stored: its value, whether its number format scales by 100, and a problem.

    ``problem`` is set for cells that have no usable value at all: an error value such as
    ``#DIV/0!`` or a formula saved without its result.
    """

    value: Any = None
    percent: bool = False
    problem: tuple[str, str | None] | None = None

    @property
    def empty(self) -> bool:
        if self.problem is not None:
            return False
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


_EMPTY = _Cell()


@dataclass
class _Grid:
    """The non-empty rows of one table, with their 1-based row numbers."""

    file: str
    sheet: str | None
    rows: list[tuple[int, list[_Cell]]]

    def ref(self, row: int, column: int) -> CellRef:
        return CellRef(self.file, self.sheet, f"{column_letters(column)}{row}")

    @property
    def where(self) -> str:
        """Name of the table in messages about it as a whole."""
        return self.file if self.sheet is None else f"{self.file}[{self.sheet}]"


def _cell(row: list[_Cell], column: int) -> _Cell:
    return row[column - 1] if column <= len(row) else _EMPTY


def _filled(row: list[_Cell]) -> list[int]:
    return [i for i, c in enumerate(row, 1) if not c.empty]


def _fail(where: CellRef | str, message: str, hint: str | None = None, field: str = "") -> NoReturn:
    raise SpreadsheetError.at(where, message, field=field, hint=hint)


def _load_grid(
    path: Path, display_name: str, sheet: str | None, notes: list[Diagnostic] | None = None
) -> _Grid:
    """Read a .csv or .xlsx file into a :class:`_Grid`, choosing the reader by content."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        _fail(display_name, "file not found")
    except IsADirectoryError:
        _fail(display_name, "is a folder, not a spreadsheet")
    except OSError as exc:
        _fail(display_name, f"cannot read the file: {exc.strerror or exc}")
    suffix = path.suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        _fail(
            display_name,
            "not an .xlsx workbook: an old .xls file or a password-protected workbook",
            "save it as .xlsx (Excel 2007 or later) without a password",
        )
    if head.startswith(b"PK\x03\x04"):
        if suffix in CSV_SUFFIXES:
            _fail(display_name, "this is an .xlsx workbook, not a CSV file", "rename it to .xlsx")
        return _read_xlsx(path, display_name, sheet, notes)
    if suffix in XLSX_SUFFIXES:
        _fail(
            display_name,
            "not a valid .xlsx workbook",
            "if it is a CSV file, rename it to .csv; otherwise save it again as .xlsx",
        )
    if suffix == ".xls":
        _fail(display_name, "not an .xls workbook", "save it as .xlsx or CSV (UTF-8)")
    if suffix in CSV_SUFFIXES or not suffix:
        if sheet is not None:
            _fail(display_name, f"a CSV file has no sheets (asked for sheet {sheet!r})")
        return _read_csv(path, display_name)
    _fail(display_name, f"unsupported file type {suffix!r}", "use .xlsx or .csv")


def _decode_csv(data: bytes, display_name: str) -> str:
    """Decode CSV bytes: UTF-16 with a BOM, else UTF-8 (BOM or not), else GB18030."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            _fail(display_name, "not valid UTF-16 text", "save it as CSV UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        _fail(
            display_name,
            f"not UTF-8 or GB18030 text (byte {exc.start + 1} cannot be decoded)",
            "save it as CSV UTF-8",
        )


def _read_csv(path: Path, display_name: str) -> _Grid:
    """Read a CSV file; every cell is text, converted later like a text cell of a workbook."""
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        _fail(display_name, f"the file has {size} bytes; at most {MAX_CSV_BYTES} are read")
    text = _decode_csv(path.read_bytes(), display_name)
    if "\0" in text:
        _fail(display_name, "not a text file (it contains NUL bytes)", "save it as CSV UTF-8")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=first.count)
    if not first.count(delimiter):
        delimiter = ","
    rows: list[tuple[int, list[_Cell]]] = []
    budget = _Budget(display_name, None)
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            budget.read(max(len(record), 1), number, len(record))
            cells = [_Cell(value) for value in record]
            while cells and cells[-1].empty:
                cells.pop()
            if cells:
                budget.column(number, len(cells))
                budget.kept(display_name)
                rows.append((number, cells))
    except csv.Error as exc:
        _fail(display_name, f"not a valid CSV file: {exc}", "save it as CSV UTF-8")
    return _Grid(display_name, None, rows)


def _too_many_rows(where: str) -> NoReturn:
    _fail(where, f"the table has more than {MAX_SHEET_ROWS} rows", "split it into smaller tables")


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent_format(number_format: str | None) -> bool:
    """Return whether an Excel number format shows the value times 100 with a ``%`` sign.

    A ``%`` inside quotes or escaped with a backslash (``0.0"%"``, ``0.0\\%``) is a literal
    character that does not scale the value, so those are removed before looking.
    """
    if not number_format:
        return False
    return "%" in _QUOTED.sub("", number_format)


def _read_xlsx(
    path: Path, display_name: str, sheet: str | None, notes: list[Diagnostic] | None = None
) -> _Grid:
    """Read one worksheet of an .xlsx file into a grid.

    The sheet's XML is streamed row by row through openpyxl's parser rather than its read-only
    worksheet, which pads every row to the widest one: a single cell at column XFD would make
    each row 16,384 cells. Only stored cells are looked at, counted against
    :data:`~khzreport.limits.MAX_SHEET_CELLS` (blank styled cells and empty row elements
    included), and a row is kept only up to its last value. The sheet's declared dimension is
    not used. One pass sees both a formula and the result saved with it.

    The workbook is read from a file object that this function owns, so the file is closed
    even when openpyxl fails half-way through opening it. openpyxl's own warnings about
    features it ignores are silenced: they say nothing about the figures.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        _fail(display_name, f"cannot read the file: {exc.strerror or exc}")
    key = _table_key(data, sheet)
    kept = _cached_table(key, display_name)
    if kept is not None:
        title, rows, formulas = kept
    else:
        title, rows, formulas = _parse_xlsx(data, display_name, sheet)
        _store_table(key, title, rows, formulas)
    if formulas and notes is not None:
        shown = ", ".join(ref.cell for ref, _f in formulas[:5])
        more = f" and {len(formulas) - 5} more" if len(formulas) > 5 else ""
        first, formula = formulas[0]
        notes.append(
            Diagnostic(
                "spreadsheet-formula",
                f"{len(formulas)} cell(s) hold formulas ({shown}{more}, {first.cell} is "
                f"{_clip(formula)}); the results saved with them are used, never recalculated",
                first.location(),
                "check the figures, or paste them as values (Paste Special > Values)",
            )
        )
    return _Grid(display_name, title, rows)


def _parse_xlsx(
    data: bytes, display_name: str, sheet: str | None
) -> tuple[str, list[tuple[int, list[_Cell]]], list[tuple[CellRef, str]]]:
    """Parse one worksheet of a workbook's bytes: its title, kept rows and formula cells."""
    try:
        from openpyxl import load_workbook  # only .xlsx tables need openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        _fail(display_name, "reading .xlsx needs openpyxl", "pip install openpyxl")
    _check_archive(io.BytesIO(data), display_name)
    formulas: list[tuple[CellRef, str]] = []
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
            with io.BytesIO(data) as fh:
                wb = load_workbook(fh, read_only=True, data_only=True, keep_links=False)
                try:
                    ws, title = _pick_sheet(wb, display_name, sheet)
                    rows = _xlsx_rows(ws, display_name, title, formulas)
                finally:
                    wb.close()
    except KhzReportError:
        raise
    except Exception as exc:
        # openpyxl reports a damaged archive or malformed XML with whatever its parsers raise
        # (BadZipFile, KeyError, InvalidFileException, XML syntax errors, ValueError ...); to a
        # user they all mean the same thing, and none of them deserves a traceback.
        _fail(
            display_name,
            f"not a valid .xlsx workbook ({type(exc).__name__}: {exc})",
            "open it in Excel, WPS or LibreOffice and save it again as .xlsx",
        )
    return title, rows, formulas


# --- the parsed tables of workbooks, kept in the cache folder ---------------------------------
#
# An editor saves the source far more often than its workbook. Parsing a worksheet costs the
# import of openpyxl (and numpy, which it pulls in) and a pass over the sheet's XML, so the
# rows of a parsed sheet are kept in the cache folder as JSON, under a key of the workbook's
# bytes (SHA-256), the sheet asked for, the reading limits, this module's code and openpyxl's
# installed files. A sheet that fails to read keeps nothing, so its errors come again.

TABLE_PREFIX = "table-"
"""Name of a kept table in the cache folder: ``table-<key>.json``."""
MAX_TABLES = 64
"""Kept tables (workbooks times sheets); the oldest are removed past this."""


def _table_key(data: bytes, sheet: str | None) -> str:
    payload = {
        "bytes": hashlib.sha256(data).hexdigest(),
        "sheet": sheet,
        "limits": [MAX_SHEET_CELLS, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS, MAX_XLSX_UNPACKED_BYTES],
        "code": _reader_fingerprint(),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@functools.cache
def _reader_fingerprint() -> str:
    """Return a hash of this module's code and the size and time of openpyxl's files."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    spec = None
    with contextlib.suppress(ImportError, ValueError):
        spec = importlib.util.find_spec("openpyxl")
    folders = (spec.submodule_search_locations if spec is not None else None) or []
    for folder in folders:
        for name in ("__init__.py", "_constants.py", "worksheet/_reader.py", "reader/excel.py"):
            with contextlib.suppress(OSError):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{name}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()


def _table_file(key: str) -> Path:
    return cache_dir() / f"{TABLE_PREFIX}{key}.json"


_TAGGED = {
    "datetime": (dt.datetime, dt.datetime.fromisoformat),
    "date": (dt.date, dt.date.fromisoformat),
    "time": (dt.time, dt.time.fromisoformat),
}


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return value
    if isinstance(value, dt.timedelta):
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, dt.date | dt.time):  # a datetime is a date
        tag = next(tag for tag, (kind, _parse) in _TAGGED.items() if isinstance(value, kind))
        return {tag: value.isoformat()}
    raise TypeError(f"cannot keep a cell value of type {type(value).__name__}")


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ((tag, shown),) = value.items()
    if tag == "timedelta":
        return dt.timedelta(*shown)
    return _TAGGED[tag][1](shown)


def _store_table(
    key: str,
    title: str,
    rows: list[tuple[int, list[_Cell]]],
    formulas: list[tuple[CellRef, str]],
) -> None:
    """Keep a parsed sheet (best effort: a cache folder that cannot be written keeps nothing)."""
    try:
        entry = {
            "title": title,
            "rows": [
                [number, [[_encode(c.value), c.percent, c.problem] for c in cells]]
                for number, cells in rows
            ],
            "formulas": [[ref.cell, formula] for ref, formula in formulas],
        }
        blob = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        target = _table_file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune_tables(target.parent)
    except (OSError, TypeError, ValueError):
        return


@functools.cache
def _prune_tables(folder: Path) -> None:
    """Remove the oldest kept tables past MAX_TABLES, once a process per folder."""
    kept = sorted(
        folder.glob(f"{TABLE_PREFIX}*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True
    )
    for old in kept[MAX_TABLES:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _cached_table(
    key: str, display_name: str
) -> tuple[str, list[tuple[int, list[_Cell]]], list[tuple[CellRef, str]]] | None:
    """Return a kept sheet's title, rows and formula cells, or None when it is not kept."""
    try:
        entry = json.loads(_table_file(key).read_bytes())
        title = entry["title"]
        rows = [
            (
                int(number),
                [
                    _Cell(_decode(value), bool(percent), tuple(problem) if problem else None)
                    for value, percent, problem in cells
                ],
            )
            for number, cells in entry["rows"]
        ]
        formulas = [
            (CellRef(display_name, title, cell), formula) for cell, formula in entry["formulas"]
        ]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return title, rows, formulas


_NO_RESULT = (
    "formula without a saved value",
    "open and save the file in Excel/WPS/LibreOffice",
)

_EXTERNAL_CALL = re.compile(
    r"\b(?:_xlfn\.)?(WEBSERVICE|FILTERXML|HYPERLINK|RTD|CALL|REGISTER(?:\.ID)?|EXEC|DDE\w*|"
    r"IMPORT(?:DATA|XML|HTML|FEED|RANGE)|IMAGE|INFO)\s*\(",
    re.IGNORECASE,
)
_DDE = re.compile(r"\w\s*\|")
_EXTERNAL_BOOK = re.compile(r"\[\s*\d+\s*\]|\[[^\]]*\.xl\w*\]", re.IGNORECASE)
_STRINGS = re.compile(r'"(?:[^"]|"")*"')


def external_call(formula: str) -> str | None:
    """Return what makes a formula reach outside the workbook, or ``None``.

    Web calls (``WEBSERVICE``, ``HYPERLINK``, Google's ``IMPORTXML`` ...), add-in and DDE
    calls (``=cmd|'/c calc'!A0``) and links to other workbooks (``[1]Sheet1!A1``) make the
    saved result something another program or server put there; such a cell is refused rather
    than trusted. Text in quotes is not looked at.
    """
    code = _STRINGS.sub('""', formula)
    found = _EXTERNAL_CALL.search(code)
    if found is not None:
        return f"calls {found.group(1).upper()}"
    if _DDE.search(code):
        return "is a DDE call to another program"
    if _EXTERNAL_BOOK.search(code):
        return "refers to another workbook"
    return None


def _clip(text: str, size: int = 60) -> str:
    return repr(text if len(text) <= size else text[: size - 1] + "…")


def _check_archive(path: Path | io.BytesIO, display_name: str) -> None:
    """Refuse archives that unpack to absurd sizes before openpyxl loads shared strings."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        _fail(
            display_name,
            f"not a valid .xlsx workbook ({exc})",
            "open it in Excel, WPS or LibreOffice and save it again as .xlsx",
        )
    if total > MAX_XLSX_UNPACKED_BYTES:
        _fail(display_name, f"the workbook unpacks to {total} bytes, too large for a table")


def _pick_sheet(wb: Any, display_name: str, sheet: str | None) -> tuple[Any, str]:
    names = list(wb.sheetnames)
    if sheet is None:
        if not wb.worksheets:
            _fail(display_name, "the workbook has no worksheet")
        ws = wb.worksheets[0]
        return ws, str(ws.title)
    if sheet not in names:
        folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
        if len(folded) != 1:
            listed = ", ".join(repr(n) for n in names)
            _fail(display_name, f"no sheet named {sheet!r}", f"the sheets are {listed}")
        sheet = folded[0]
    ws = wb[sheet]
    if not hasattr(ws, "iter_rows"):
        _fail(f"{display_name}[{sheet}]", "is a chart sheet, not a table")
    return ws, sheet


class _Budget:
    """Counts the cells a table costs to read, and stops at the first one over a limit.

    Each stored cell counts, blank or not, and so does an empty row element; a kept row also
    counts the empty cells before its last value, since those are held in memory.
    """

    def __init__(self, where: str, sheet: str | None) -> None:
        self.where, self.sheet, self.cells, self.rows = where, sheet, 0, 0

    def read(self, count: int, row: int, column: int) -> None:
        self.cells += count
        if self.cells > MAX_SHEET_CELLS:
            _fail(
                CellRef(self.where, self.sheet, f"{column_letters(max(column, 1))}{row}"),
                f"the table stores more than {MAX_SHEET_CELLS:,} cells (blank formatted cells "
                "count too); reading stopped here",
                "delete the unused rows and columns below and beside the table, "
                "or copy the table alone into a new file",
            )

    def column(self, row: int, column: int) -> None:
        if column > MAX_SHEET_COLUMNS:
            _fail(
                CellRef(self.where, self.sheet, f"{column_letters(column)}{row}"),
                f"a value in column {column_letters(column)}, beyond the "
                f"{MAX_SHEET_COLUMNS} columns a table may use",
                "clear the cell, or move the table to the left",
            )

    def kept(self, where: str) -> None:
        self.rows += 1
        if self.rows > MAX_SHEET_ROWS:
            _too_many_rows(where)


def _xlsx_rows(
    ws: Any, display_name: str, title: str, formulas: list[tuple[CellRef, str]]
) -> list[tuple[int, list[_Cell]]]:
    """Return the (row number, cells) of a read-only worksheet's rows that hold something."""
    from openpyxl.cell.read_only import ReadOnlyCell  # only .xlsx tables need openpyxl
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser  # likewise

    class Parser(WorkSheetParser):  # type: ignore[misc]
        """openpyxl's parser, also keeping the formula of a cell read with its saved value."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            formula = element.find(FORMULA_TAG)
            if formula is not None:
                cell["formula"] = "=" + (formula.text or "")
            return cell

    wb = ws.parent
    budget = _Budget(display_name, title)
    kept: list[tuple[int, list[_Cell]]] = []
    with ws._get_source() as src:
        parser = Parser(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for number, stored in parser.parse():
            parser.row_dimensions.clear()
            budget.read(max(len(stored), 1), number, stored[-1]["column"] if stored else 1)
            values: dict[int, _Cell] = {}
            for c in stored:
                cell = _xlsx_cell(ReadOnlyCell, ws, c, display_name, title, formulas)
                if not cell.empty:
                    budget.column(number, c["column"])
                    values[c["column"]] = cell
            if values:
                width = max(values)
                budget.read(width - len(values), number, width)
                budget.kept(display_name)
                kept.append((number, [values.get(col, _EMPTY) for col in range(1, width + 1)]))
    return kept


def _xlsx_cell(
    make: Any,
    ws: Any,
    c: dict[str, Any],
    display_name: str,
    title: str,
    formulas: list[tuple[CellRef, str]],
) -> _Cell:
    value, data_type, formula = c["value"], c["data_type"], c.get("formula")
    if formula is not None:
        ref = CellRef(display_name, title, f"{column_letters(c['column'])}{c['row']}")
        reaches = external_call(formula)
        if reaches is not None:
            return _Cell(
                problem=(
                    f"the formula {_clip(formula)} {reaches}; its saved result is not trusted",
                    "type the figure itself into the cell",
                )
            )
        if value is None and data_type != "e":
            return _Cell(problem=_NO_RESULT)
        formulas.append((ref, formula))
    if data_type == "e":
        return _Cell(problem=(f"the cell shows the error {value}", "fix the formula"))
    if value is None:
        return _EMPTY
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    percent = numeric and is_percent_format(make(ws, **_cell_fields(c)).number_format)
    return _Cell(value, percent)


def _cell_fields(c: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of a parsed cell that openpyxl's ReadOnlyCell takes."""
    return {k: c[k] for k in ("row", "column", "value", "data_type", "style_id")}


# --- converting cell values -----------------------------------------------------------------

Number = int | float

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_FRACTION = re.compile(r"(\d+)\s*/\s*(\d+)")
_YEAR = re.compile(r"(\d{4})\s*年?")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_GAPS = frozenset({"-", "--", "—", "——", "―", "――", "–", "…", "……", "..."})
"""Marks of a year without data in a series (after NFKC, so ``－`` is ``-``)."""
_FOOTNOTE = re.compile(r"(注|说明|资料来源|数据来源|来源|notes?|sources?)\s*\d*\s*:", re.IGNORECASE)
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _normal(text: str) -> str:
    """NFKC-normalise and strip text that should be a number, year or date.

    NFKC maps full-width digits, point, comma, percent and minus to ASCII; the mathematical
    minus U+2212 and the en dash as a leading sign are mapped by hand.
    """
    text = unicodedata.normalize("NFKC", text).strip()
    return text.replace("\u2212", "-")


def _plain(value: Decimal) -> Number:
    """Return a Decimal as int when whole, else as the float whose shortest repr it is."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _float_decimal(value: float) -> Decimal:
    """Return the decimal Excel would show for a float: 15 significant digits, no artefacts."""
    return Decimal(f"{value:.15g}")


def _show(value: Any) -> str:
    if isinstance(value, float):
        return format(_float_decimal(value).normalize(), "f")
    return str(value)


def _describe(value: Any) -> str:
    """Name a non-number cell value for messages."""
    if isinstance(value, bool):
        return "a TRUE/FALSE cell"
    if isinstance(value, dt.datetime):
        shown = value.date() if value.time() == dt.time() else value
        return f"a date cell ({shown.isoformat()})"
    if isinstance(value, dt.date | dt.time):
        return f"a date/time cell ({value.isoformat()})"
    if isinstance(value, dt.timedelta):
        return f"a duration cell ({value})"
    return repr(value)


def _number(
    cell: _Cell, percent_ok: bool, why_not: str, percent_hint: str | None = None
) -> Number | str:
    """Convert a cell to a number (or fraction text) under the rules in the module docstring.

    ``percent_ok`` says whether a percentage may be turned into its number of percent here;
    ``why_not`` completes the error message when it may not ("the unit is '亿元'"), and
    ``percent_hint`` replaces the default advice.
    """
    if cell.problem is not None:
        raise _Bad(*cell.problem)
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Bad(f"expected a number, got {_describe(value)}")
    if isinstance(value, int | float):
        if isinstance(value, float) and (value != value or value in (float("inf"), -float("inf"))):
            raise _Bad(f"expected a finite number, got {value!r}")
        amount = _float_decimal(value) if isinstance(value, float) else Decimal(value)
        if cell.percent:
            if not percent_ok:
                raise _Bad(
                    f"the cell is formatted as a percentage ({_show(value)}) but {why_not}",
                    percent_hint or "format the cell as a number, or correct the unit",
                )
            amount *= 100
        return _plain(amount)
    text = _normal(value)
    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    if match := _FRACTION.fullmatch(text):
        if percent:
            raise _Bad(f"expected a number, got {value!r}")
        return f"{match[1]}/{match[2]}"
    if not _NUMBER.fullmatch(text):
        hint = "leave the cell empty when there is no figure" if text in _GAPS else None
        raise _Bad(f"expected a number, got {value!r}", hint)
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise _Bad(f"expected a number, got {value!r}") from None
    if percent and not percent_ok:
        raise _Bad(
            f"the text {value!r} is a percentage but {why_not}",
            percent_hint or "write the number without %, or correct the unit",
        )
    return _plain(amount)


def _text(cell: _Cell) -> str:
    """Convert a cell to text: strings stripped, numbers as shown, dates in ISO form."""
    if cell.problem is not None:
        raise _Bad(*cell.problem)
    value = cell.value
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        raise _Bad(f"expected text, got {_describe(value)}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _show(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    raise _Bad(f"expected text, got {_describe(value)}")


def _year(cell: _Cell) -> int | None:
    """Return the year a cell holds (2019, 2019.0, "2019", "２０１９年"), or None if it holds none."""
    value = cell.value
    if cell.problem is not None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if FIRST_YEAR <= value <= LAST_YEAR else None
    if isinstance(value, str) and (match := _YEAR.fullmatch(_normal(value))):
        year = int(match[1])
        return year if FIRST_YEAR <= year <= LAST_YEAR else None
    return None


def _date_text(text: str) -> dt.date | None:
    if match := _DATE.fullmatch(_normal(text)):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise _Bad(f"{text!r} is not a valid date") from None
    return None


def _as_date(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise _Bad(f"expected a date without a time of day, got {value.isoformat()}")
        return value.date()
    return value


def _period(cell: _Cell) -> int | str | dt.date:
    """Convert a period cell: a year → int, a date → date, other text kept."""
    if cell.problem is not None:
        raise _Bad(*cell.problem)
    value = cell.value
    if isinstance(value, dt.datetime | dt.date):
        return _as_date(value)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Bad(f"expected a year, a date or a period such as 2023-12, got {_describe(value)}")
    year = _year(cell)
    if year is not None:
        return year
    if isinstance(value, int | float):
        raise _Bad(
            f"expected a year ({FIRST_YEAR}–{LAST_YEAR}), a date or a period such as 2023-12, "
            f"got {_show(value)}"
        )
    text = value.strip()
    return _date_text(text) or text


def _date(cell: _Cell) -> dt.date:
    if cell.problem is not None:
        raise _Bad(*cell.problem)
    value = cell.value
    if isinstance(value, dt.datetime | dt.date):
        return _as_date(value)
    if isinstance(value, str) and (day := _date_text(value)):
        return day
    raise _Bad(f"expected a date such as 2023-06-30, got {_describe(value)}")


def _as_of(cell: _Cell) -> dt.date | str:
    """Convert an as-of cell: a date (cell or text) → date, any other text (目前) kept."""
    if cell.problem is not None:
        raise _Bad(*cell.problem)
    value = cell.value
    if isinstance(value, dt.datetime | dt.date):
        return _as_date(value)
    if isinstance(value, str) and value.strip():
        return _date_text(value) or value.strip()
    raise _Bad(f"expected a date or words such as 截至2023年底, got {_describe(value)}")


def _whole(cell: _Cell) -> int:
    number = _number(cell, False, "a count of decimals is not a percentage")
    if not isinstance(number, int):
        raise _Bad(f"expected a whole number, got {_describe(cell.value)}")
    return number


def _unit(cell: _Cell) -> str:
    text = _text(cell)
    return "%" if _normal(text) == "%" else text


# --- headers ---------------------------------------------------------------------------------

TEXT, NUMBER, GROWTH, WHOLE, PERIOD, DATE, UNIT, AS_OF = (
    "text",
    "number",
    "growth",
    "whole",
    "period",
    "date",
    "unit",
    "as_of",
)

COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id": (TEXT, ("指标代码", "代码")),
    "label": (TEXT, ("指标", "指标名称", "名称")),
    "label_en": (TEXT, ("英文名称",)),
    "short_label": (TEXT, ("简称",)),
    "short_label_en": (TEXT, ()),
    "value": (NUMBER, ("数值", "本期值", "本期")),
    "unit": (UNIT, ("单位", "计量单位")),
    "unit_en": (TEXT, ("英文单位",)),
    "source_unit": (TEXT, ("原始单位",)),
    "decimals": (WHOLE, ("小数位数", "小数位")),
    "qualifier": (TEXT, ("修饰", "修饰词", "限定词")),
    "period": (PERIOD, ("时期", "时间", "统计时期")),
    "date": (DATE, ("日期",)),
    "as_of": (AS_OF, ("截至", "时点", "统计时点")),
    "as_of_en": (TEXT, ()),
    "previous": (NUMBER, ("上期", "上期值", "上年", "上年值", "上年同期")),
    "previous_period": (PERIOD, ("上期时期", "上年时期")),
    "growth": (GROWTH, ("增长率", "增速", "增长", "比上年增长", "同比增长")),
    "target": (NUMBER, ("目标", "目标值")),
    "target_period": (PERIOD, ("目标时期",)),
    "measure": (TEXT, ("存量流量", "指标性质")),
    "share_of": (TEXT, ()),
    "parts_of": (TEXT, ()),
    "source": (TEXT, ("来源", "资料来源", "数据来源")),
    "source_en": (TEXT, ()),
    "definition": (TEXT, ("口径", "统计口径")),
    "definition_en": (TEXT, ()),
    "note": (TEXT, ("备注", "注")),
    "note_en": (TEXT, ()),
    "comment": (TEXT, ("编者注", "内部说明", "批注")),
}
"""Column headers read by :func:`read_indicators`: field name → (kind, Chinese names).

The field names are those of :class:`khzreport.model.Indicator` (its plain, non-nested fields);
headers match them case-insensitively, with spaces or hyphens for underscores, and a growth
header may end in ``(%)`` (``增长率（%）``) since that only restates that growth is in percent.
"""


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", text).strip().casefold())


_HEADERS: dict[str, str] = {}
for _field, (_kind, _names) in COLUMNS.items():
    for _name in (_field, *_names):
        _HEADERS[_header_key(_name)] = _field


def header_field(text: str) -> str | None:
    """Return the field a column header names (``"指标名称"`` → ``"label"``), or None."""
    key = _header_key(text)
    if key in _HEADERS:
        return _HEADERS[key]
    stripped = re.sub(r"\(\s*%\s*\)$", "", key).rstrip("_")
    if stripped != key and _HEADERS.get(stripped) == "growth":
        return "growth"
    return None


def accepted_headers() -> str:
    """Return the accepted headers as one line, for the hint of an unknown-header error."""
    return ", ".join(
        f"{field} ({'/'.join(names)})" if names else field
        for field, (_kind, names) in COLUMNS.items()
    )


def _header_row(grid: _Grid) -> int:
    """Return the index in ``grid.rows`` of the header: the first row with two filled cells."""
    for index, (_number, cells) in enumerate(grid.rows):
        if len(_filled(cells)) >= 2:
            return index
    _fail(
        grid.where,
        "no header row found (a row naming at least two columns)",
        "put the column names (id, label, value …) in the first row",
    )


def _is_footnote(cells: list[_Cell]) -> bool:
    filled = _filled(cells)
    if len(filled) != 1:
        return False
    value = cells[filled[0] - 1].value
    return isinstance(value, str) and bool(_FOOTNOTE.match(_normal(value)))


# --- public readers ----------------------------------------------------------------------------


def read_indicators(
    path: Path,
    *,
    display_name: str,
    sheet: str | None = None,
    notes: list[Diagnostic] | None = None,
) -> list[tuple[dict[str, Any], dict[str, CellRef]]]:
    """Read an indicator table: one row per indicator, a header row naming the columns.

    Returns, for each row, a dict of its non-empty fields with converted values (see the module
    docstring for the rules) and the :class:`CellRef` of each of those fields. The dicts use
    :class:`~khzreport.model.Indicator` field names, ready to merge into a source's indicators
    and validate there; this function checks the form of each cell, not the indicator as a
    whole (a row without a value is returned, and the model says what it lacks).

    ``display_name`` is the file name as the user gave it, used in every reference; ``sheet``
    picks a worksheet of a workbook by name (default: the first). Warnings (figures that are
    a formula's saved result) are appended to ``notes`` when given.

    Raises:
        SpreadsheetError: the file cannot be read, the header is wrong, or cells hold values
            their columns cannot take (all such cells at once, as a SpreadsheetErrorGroup).
    """
    grid = _load_grid(Path(path), display_name, sheet, notes)
    start = _header_row(grid)
    header_number, header_cells = grid.rows[start]
    errors = _Errors()
    fields: dict[int, str] = {}
    seen: dict[str, CellRef] = {}
    for col in _filled(header_cells):
        ref = grid.ref(header_number, col)
        cell = header_cells[col - 1]
        text = cell.value if isinstance(cell.value, str) else _show(cell.value)
        field = header_field(text) if cell.problem is None else None
        if cell.problem is not None:
            errors.add(ref, "", *cell.problem)
        elif field is None:
            known = difflib.get_close_matches(_header_key(text), list(_HEADERS), n=1)
            guess = f"; did you mean {known[0]!r}?" if known else ""
            errors.add(ref, "", f"unknown column {text.strip()!r}{guess}", accepted_headers())
        elif field in seen:
            errors.add(ref, "", f"a second {field} column (the first is {seen[field].cell})")
        else:
            fields[col] = field
            seen[field] = ref
    errors.raise_if_any()
    first = grid.ref(header_number, _filled(header_cells)[0])
    for required, names in (("id", "an id/指标代码"), ("label", "a label/指标名称")):
        if required not in seen:
            errors.add(first, "", f"the header row has no {required} column", f"add {names} column")
    errors.raise_if_any()

    results: list[tuple[dict[str, Any], dict[str, CellRef]]] = []
    ids: dict[str, CellRef] = {}
    unit_col = next((c for c, f in fields.items() if f == "unit"), None)
    for number, cells in grid.rows[start + 1 :]:
        if _is_footnote(cells):
            continue
        unit = ""
        if unit_col is not None:
            try:
                unit = _unit(_cell(cells, unit_col))
            except _Bad:
                unit = ""  # reported below, where the unit cell itself is converted
        why_not = f"the unit is {unit!r}" if unit else "the row has no unit"
        data: dict[str, Any] = {}
        refs: dict[str, CellRef] = {}
        for col in _filled(cells):
            if col not in fields:
                errors.add(
                    grid.ref(number, col),
                    "",
                    "a value in a column without a header",
                    "name the column in the header row, or clear the cell",
                )
        for col, field in fields.items():
            cell = _cell(cells, col)
            if cell.empty:
                continue
            ref = grid.ref(number, col)
            kind = COLUMNS[field][0]
            try:
                value = _convert(kind, cell, unit == "%", why_not)
            except _Bad as exc:
                errors.bad(ref, field, exc)
                continue
            data[field] = value
            refs[field] = ref
        id_col = next(c for c, f in fields.items() if f == "id")
        if "id" not in data:
            if not _cell(cells, id_col).empty:
                continue  # the id cell's own error is already recorded
            errors.add(grid.ref(number, id_col), "id", "the row has no id", "fill in 指标代码/id")
            continue
        if data["id"] in ids:
            errors.add(
                refs["id"], "id", f"duplicate id {data['id']!r} (first in {ids[data['id']].cell})"
            )
            continue
        ids[data["id"]] = refs["id"]
        results.append((data, refs))
    errors.raise_if_any()
    return results


def _convert(kind: str, cell: _Cell, unit_is_percent: bool, why_not: str) -> Any:
    if kind == NUMBER:
        return _number(cell, unit_is_percent, why_not)
    if kind == GROWTH:
        return _number(cell, True, "")
    if kind == WHOLE:
        return _whole(cell)
    if kind == PERIOD:
        return _period(cell)
    if kind == DATE:
        return _date(cell)
    if kind == AS_OF:
        return _as_of(cell)
    if kind == UNIT:
        return _unit(cell)
    return _text(cell)


Series = tuple[str, dict[int, Any], dict[int, CellRef], CellRef]

_SERIES_NO_PERCENT = "a series table has no unit column to check it against"
_SERIES_HINT = "leave the cell empty, or write - or —, for a year without data"
_SERIES_PERCENT_HINT = "write the number of percent as a plain number (68.5 for 68.5%)"


def _series_value(cell: _Cell) -> Number | str | None:
    """Convert one cell of a series: empty or a dash → None (a gap), else a number."""
    if cell.empty:
        return None
    if isinstance(cell.value, str) and _normal(cell.value) in _GAPS:
        return None
    try:
        return _number(cell, False, _SERIES_NO_PERCENT, _SERIES_PERCENT_HINT)
    except _Bad as exc:
        if exc.hint is None and exc.message.startswith("expected a number"):
            raise _Bad(exc.message, _SERIES_HINT) from None
        raise


def read_series(
    path: Path,
    *,
    display_name: str,
    sheet: str | None = None,
    notes: list[Diagnostic] | None = None,
) -> list[Series]:
    """Read a multi-year table as statistics bureaus publish it.

    Two layouts are recognised. *Years across*: the header row holds an id column, optionally
    a label column, then one column per year (``id | 指标 | 2019 | 2020 …``), one row per
    indicator. *Years down*: the first column holds years (``年份 | gdp | output …``) and the
    header row holds one indicator id per column. Years across is tried first: it applies when
    the header has year cells (``2019``, ``2019年``) after its first column; otherwise the
    table is years down when the first column's first body cell is a year.

    Returns, per indicator in table order: its id, ``{year: value}`` with ``None`` for an empty
    cell or a dash (a year without data), ``{year: CellRef}``, and the :class:`CellRef` of the
    indicator's id (its row header, or its column header). Percentages are refused, since no
    unit is known here to check them against.

    Raises:
        SpreadsheetError: the file cannot be read, the layout is neither of the two, or cells
            hold something other than numbers and gaps (all such cells at once).
    """
    grid = _load_grid(Path(path), display_name, sheet, notes)
    start = _header_row(grid)
    header_number, header_cells = grid.rows[start]
    body = [(n, cells) for n, cells in grid.rows[start + 1 :] if not _is_footnote(cells)]
    filled = _filled(header_cells)
    year_cols = [c for c in filled if c > 1 and _year(header_cells[c - 1]) is not None]
    if year_cols:
        return _series_across(grid, header_number, header_cells, body, year_cols[0])
    first_body = next((cells for _n, cells in body if not _cell(cells, 1).empty), None)
    if first_body is not None and _year(_cell(first_body, 1)) is not None:
        return _series_down(grid, header_number, header_cells, body)
    _fail(
        grid.ref(header_number, filled[0]),
        "cannot tell the layout of this series table",
        "put the years across the header row (id | 2019 | 2020 …) "
        "or down the first column (年份 | gdp | …)",
    )


def _series_across(
    grid: _Grid,
    header_number: int,
    header_cells: list[_Cell],
    body: list[tuple[int, list[_Cell]]],
    first_year_col: int,
) -> list[Series]:
    errors = _Errors()
    prefix = list(range(1, first_year_col))
    named = {
        c: header_field(_cell(header_cells, c).value)
        for c in prefix
        if isinstance(_cell(header_cells, c).value, str)
    }
    if len(prefix) > 2:
        _fail(
            grid.ref(header_number, prefix[2]),
            "unexpected column before the years",
            "a series table has an id column, an optional label column, then one column per year",
        )
    id_col = next((c for c in prefix if named.get(c) == "id"), None)
    if id_col is None:
        others = [c for c in prefix if named.get(c) != "label"]
        if not others:
            _fail(
                grid.ref(header_number, 1),
                "the series table has no id column",
                "add an id/指标代码 column before the years",
            )
        id_col = others[0]
    years: dict[int, int] = {}
    for col in _filled(header_cells):
        if col < first_year_col:
            continue
        ref = grid.ref(header_number, col)
        year = _year(header_cells[col - 1])
        if year is None:
            errors.add(ref, "", f"expected a year, got {_describe(header_cells[col - 1].value)}")
        elif year in years.values():
            errors.add(ref, "", f"the year {year} appears twice")
        else:
            years[col] = year
    errors.raise_if_any()

    results: list[Series] = []
    ids: dict[str, CellRef] = {}
    for number, cells in body:
        for col in _filled(cells):
            if col >= first_year_col and col not in years:
                errors.add(grid.ref(number, col), "", "a value in a column without a year")
        id_ref = grid.ref(number, id_col)
        id_cell = _cell(cells, id_col)
        if id_cell.empty:
            if any(not _cell(cells, c).empty for c in years):
                errors.add(id_ref, "id", "the row has no id", "fill in the indicator id")
            continue
        try:
            ident = _text(id_cell)
        except _Bad as exc:
            errors.bad(id_ref, "id", exc)
            continue
        if ident in ids:
            errors.add(id_ref, "id", f"duplicate id {ident!r} (first in {ids[ident].cell})")
            continue
        ids[ident] = id_ref
        values, refs = _collect(
            errors,
            ((year, grid.ref(number, col), _cell(cells, col)) for col, year in years.items()),
        )
        results.append((ident, values, refs, id_ref))
    errors.raise_if_any()
    return results


def _series_down(
    grid: _Grid,
    header_number: int,
    header_cells: list[_Cell],
    body: list[tuple[int, list[_Cell]]],
) -> list[Series]:
    errors = _Errors()
    rows: dict[int, tuple[int, list[_Cell]]] = {}
    for number, cells in body:
        year_cell = _cell(cells, 1)
        ref = grid.ref(number, 1)
        year = _year(year_cell)
        if year is None:
            if year_cell.empty:
                errors.add(ref, "", "the row has no year", "fill in the year (2019, 2019年)")
            else:
                errors.add(ref, "", f"expected a year, got {_describe(year_cell.value)}")
        elif year in rows:
            errors.add(ref, "", f"the year {year} appears twice")
        else:
            rows[year] = (number, cells)
    columns: dict[int, tuple[str, CellRef]] = {}
    used = sorted({c for _n, cells in body for c in _filled(cells) if c > 1})
    for col in sorted(set(_filled(header_cells)) | set(used)):
        if col == 1:
            continue
        ref = grid.ref(header_number, col)
        cell = _cell(header_cells, col)
        if cell.empty:
            errors.add(ref, "", "a column of values without an indicator id in the header")
            continue
        try:
            ident = _text(cell)
        except _Bad as exc:
            errors.bad(ref, "", exc)
            continue
        if any(ident == other for other, _ref in columns.values()):
            first = next(r for other, r in columns.values() if other == ident)
            errors.add(ref, "", f"duplicate id {ident!r} (first in {first.cell})")
            continue
        columns[col] = (ident, ref)
    errors.raise_if_any()

    results: list[Series] = []
    for col, (ident, header_ref) in columns.items():
        values, refs = _collect(
            errors,
            (
                (year, grid.ref(number, col), _cell(cells, col))
                for year, (number, cells) in rows.items()
            ),
        )
        results.append((ident, values, refs, header_ref))
    errors.raise_if_any()
    return results


def _collect(
    errors: _Errors, cells: Iterable[tuple[int, CellRef, _Cell]]
) -> tuple[dict[int, Any], dict[int, CellRef]]:
    values: dict[int, Any] = {}
    refs: dict[int, CellRef] = {}
    for year, ref, cell in cells:
        refs[year] = ref
        try:
            values[year] = _series_value(cell)
        except _Bad as exc:
            errors.bad(ref, f"series[{year}]", exc)
            values[year] = None
    return values, refs
