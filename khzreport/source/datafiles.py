"""Merge indicator and series tables (.xlsx, .csv) named by a source into its indicators.

A source may list data files next to itself::

    data:
      - file: data/indicators.xlsx      # one row per indicator (id, label, value, unit, ...)
        sheet: 指标                      # optional; default the first sheet
      - file: data/series.csv            # multi-year table: years across or down
        kind: series

Rows of ``indicators`` tables become indicators exactly as if written in YAML; ``series``
tables fill the ``series`` of indicators defined in YAML or in an indicator table. Every value
remembers its cell, so an error reads ``data/indicators.xlsx[Sheet1]!C14: indicators[12].value:
expected a number, got '7,4O0'``. An id defined twice (in YAML and a table, or in two tables) is
reported by the reference check like any duplicate, at the cell of the second one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import KhzReportError, Location, ValidationError, raise_all
from . import spreadsheet
from .assets import confined_path

if TYPE_CHECKING:
    from ..locations import SourceMap

KINDS = ("indicators", "series")
FIELDS = ("file", "sheet", "kind")


def merge_data_files(data: dict[str, Any], smap: SourceMap) -> dict[str, Any]:
    """Return the source data with the tables it names merged into ``indicators``."""
    entries = data.get("data")
    merged = {k: v for k, v in data.items() if k != "data"}
    if entries is None:
        return merged
    if not isinstance(entries, list):
        raise ValidationError(
            "expected a list of data files", smap.locate(("data",)), "- file: data/indicators.xlsx"
        )
    indicators = list(merged.get("indicators") or [])
    if not isinstance(merged.get("indicators", []), list):
        return data  # the model reports the wrong type of 'indicators'
    errors: list[KhzReportError] = []
    series_tables = []
    for i, entry in enumerate(entries):
        where = smap.locate(("data", i))
        if not isinstance(entry, dict):
            errors.append(ValidationError("expected a mapping with 'file'", where))
            continue
        unknown = [k for k in entry if k not in FIELDS]
        for key in unknown:
            errors.append(
                ValidationError(
                    f"unknown field '{key}'",
                    smap.locate(("data", i, key)),
                    "expected one of: " + ", ".join(FIELDS),
                )
            )
        name, kind, sheet = entry.get("file"), entry.get("kind", "indicators"), entry.get("sheet")
        if not isinstance(name, str) or not name:
            errors.append(
                ValidationError("missing the data file's name", where.with_path(f"data[{i}].file"))
            )
            continue
        if kind not in KINDS:
            errors.append(
                ValidationError(
                    f"expected one of {', '.join(KINDS)}, got {kind!r}",
                    smap.locate(("data", i, "kind")),
                )
            )
            continue
        if sheet is not None and not isinstance(sheet, str | int):
            errors.append(
                ValidationError("expected a sheet name", smap.locate(("data", i, "sheet")))
            )
            continue
        try:
            file = confined_path(smap.folder, name, smap.locate(("data", i, "file")))
            if not file.is_file():
                raise ValidationError(
                    f"data file not found: {name}",
                    smap.locate(("data", i, "file")),
                    "put it next to the source or fix the path",
                )
            if kind == "indicators":
                for row, cells in spreadsheet.read_indicators(
                    file,
                    display_name=name,
                    sheet=None if sheet is None else str(sheet),
                    notes=smap.notes,
                ):
                    index = len(indicators)
                    row.setdefault("value", None)  # an empty value cell: a figure still to come
                    indicators.append(row)
                    first = cells.get("id") or next(iter(cells.values()), None)
                    if first is not None:
                        smap.elsewhere[("indicators", index)] = _cell(first)
                    for field_name, ref in cells.items():
                        smap.elsewhere[("indicators", index, field_name)] = _cell(ref)
            else:
                series_tables.append(
                    (
                        i,
                        spreadsheet.read_series(
                            file,
                            display_name=name,
                            sheet=None if sheet is None else str(sheet),
                            notes=smap.notes,
                        ),
                    )
                )
        except KhzReportError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
    by_id = {ind.get("id"): k for k, ind in enumerate(indicators) if isinstance(ind, dict)}
    for _entry, table in series_tables:
        for ident, values, year_cells, header in table:
            k = by_id.get(ident)
            if k is None:
                errors.append(
                    ValidationError(
                        f"series for unknown indicator '{ident}'",
                        _cell(header),
                        "define the indicator in the source or an indicator table",
                    )
                )
                continue
            if indicators[k].get("series") is not None:
                errors.append(
                    ValidationError(f"indicator '{ident}' already has a series", _cell(header))
                )
                continue
            indicators[k] = {**indicators[k], "series": dict(values)}
            smap.elsewhere[("indicators", k, "series")] = _cell(header)
            for year, ref in year_cells.items():
                smap.elsewhere[("indicators", k, "series", year)] = _cell(ref)
    raise_all(errors)
    merged["indicators"] = indicators
    return merged


def _cell(ref: Any) -> Location:
    return Location(file=str(ref))
