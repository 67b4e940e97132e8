"""Read a report source (YAML) into the model, keeping the file:line:column of every node.

ruamel.yaml's round-trip loader is used because it records positions and refuses duplicate
keys; it reads YAML 1.2, so ``no`` and ``on`` stay text and ``017`` is not octal. The loaded
tree is copied into plain Python containers while a table of positions is built, keyed by
the path of each node (``("sections", 1, "blocks", 3)``). Validation errors from pydantic
are then mapped back to that table, and all of them are reported at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from .errors import KhzReportError, Location, SourceError, ValidationError, display_path, raise_all
from .model import BLOCK_KINDS, Report

MAX_SOURCE_BYTES = 5 * 1024 * 1024
"""Largest source file accepted; a real annual report is well under 200 KB."""
MAX_NODES = 200_000
"""Most YAML nodes accepted after aliases are expanded (stops alias bombs early)."""
MAX_DEPTH = 64
"""Deepest nesting accepted; a report source needs fewer than ten levels."""

PathKey = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Positions of the nodes of one source file, by field path."""

    file: Path
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    block_scalars: set[PathKey] = field(default_factory=set)
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    elsewhere: dict[PathKey, Location] = field(default_factory=dict)
    """Nodes that came from another file (spreadsheet cells), by field path."""

    @property
    def folder(self) -> Path:
        """Return the folder that relative paths in the source are resolved against."""
        return self.file.parent

    def locate(self, path: Iterable[str | int], data: Any = None) -> Location:
        """Return the location of the deepest node of ``path`` that exists in the source."""
        key = tuple(path)
        shown = format_path(key)
        for n in range(len(key), -1, -1):
            other = self.elsewhere.get(key[:n])
            if other is not None:
                return other.with_path(shown)
            pos = self.positions.get(key[:n])
            if pos is not None:
                return Location(display_path(self.file), pos[0], pos[1], shown)
        return Location(display_path(self.file), None, None, shown)

    def locate_in_text(
        self, path: PathKey, line_in_text: int, column: int | None = None
    ) -> Location:
        """Return the location of a line inside a text value (for template errors)."""
        loc = self.locate(path)
        if loc.line is None:
            return loc
        if path in self.block_scalars:
            return Location(loc.file, loc.line + line_in_text, column, loc.path)
        return Location(loc.file, loc.line + line_in_text - 1, loc.column, loc.path)


def format_path(path: Iterable[str | int]) -> str:
    """Return ``sections[1].blocks[3].chart`` for ``("sections", 1, "blocks", 3, "chart")``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_yaml(file: Path) -> tuple[Any, SourceMap]:
    """Parse a YAML file into plain containers and a :class:`SourceMap`."""
    smap = SourceMap(file)
    where = Location(display_path(file))
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"file not found: {file}", where) from None
    except IsADirectoryError:
        raise SourceError("expected a YAML file, got a folder", where) from None
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror}", where) from None
    if len(raw) > MAX_SOURCE_BYTES:
        raise SourceError(
            f"the file is {len(raw)} bytes, more than the limit of {MAX_SOURCE_BYTES}", where
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})",
            Location(display_path(file), line),
            "save it as UTF-8",
        ) from None
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        mark_line: int | None = mark.line + 1 if mark else None
        mark_col: int | None = mark.column + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "found duplicate key" in str(exc) or "duplicate key" in problem:
            problem = _duplicate_key_message(str(exc))
        if "\t" in problem or "found character '\\t'" in str(exc):
            problem = "tab character: YAML indents with spaces only"
        raise SourceError(problem, Location(display_path(file), mark_line, mark_col)) from None
    except Exception as exc:  # ruamel raises a few unmarked errors on malformed input
        raise SourceError(f"invalid YAML: {exc}", where) from None
    counter = [0]
    data = _plain(tree, (), smap, counter, 0)
    return data, smap


def _duplicate_key_message(text: str) -> str:
    for line in text.splitlines():
        if "found duplicate key" in line:
            return line.strip().replace("found duplicate key", "duplicate key").rstrip(".")
    return "duplicate key"


def _plain(node: Any, path: PathKey, smap: SourceMap, counter: list[int], depth: int) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise SourceError(
            f"the source expands to more than {MAX_NODES} values (aliases?)",
            smap.locate(path),
        )
    if depth > MAX_DEPTH:
        raise SourceError(f"nesting deeper than {MAX_DEPTH} levels", smap.locate(path))
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            if not isinstance(key, str | int):
                raise SourceError(f"keys must be text, got {type(key).__name__}", smap.locate(path))
            sub = (*path, key)
            pos = node.lc.data.get(key)
            if pos:
                smap.positions[sub] = (pos[2] + 1, pos[3] + 1)
                smap.key_positions[sub] = (pos[0] + 1, pos[1] + 1)
                kind = type(value).__name__
                if kind in ("LiteralScalarString", "FoldedScalarString"):
                    smap.block_scalars.add(sub)
            out[key] = _plain(value, sub, smap, counter, depth + 1)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            sub = (*path, i)
            pos = node.lc.data.get(i)
            if pos:
                smap.positions[sub] = (pos[0] + 1, pos[1] + 1)
                if type(value).__name__ in ("LiteralScalarString", "FoldedScalarString"):
                    smap.block_scalars.add(sub)
            items.append(_plain(value, sub, smap, counter, depth + 1))
        return items
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, dt.datetime):
        return node
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    if node is None:
        return None
    raise SourceError(f"unsupported YAML value of type {type(node).__name__}", smap.locate(path))


def load(path: str | Path) -> Report:
    """Read, validate and cross-check a report source; return the :class:`Report`.

    All problems found are raised together as one :class:`~khzreport.errors.ErrorGroup`
    (or a single :class:`KhzReportError`), each naming file, line, column and field path.
    """
    file = Path(path)
    data, smap = read_yaml(file)
    if isinstance(data, dict) and "data" in data:
        from .datafiles import merge_data_files

        data = merge_data_files(data, smap)
    report = validate(data, smap)
    from .references import check_references

    raise_all(check_references(report, smap))
    return report


def validate(data: Any, smap: SourceMap) -> Report:
    """Turn plain data into a :class:`Report`, mapping every pydantic error to its location."""
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ValidationError(
            f"expected a mapping with 'meta', 'indicators', 'sections' ..., got {found}",
            Location(display_path(smap.file), 1, 1),
        )
    try:
        report = Report.model_validate(data)
    except pydantic.ValidationError as exc:
        raise_all([_located(err, data, smap) for err in exc.errors()])
        raise  # unreachable: raise_all always raises for a non-empty list
    report._khz_source = smap
    return report


def _located(err: Any, data: Any, smap: SourceMap) -> KhzReportError:
    loc = _data_path(err["loc"], data)
    kind = err["type"]
    given = err.get("input")
    hint = None
    if kind == "missing":
        message = "missing required field"
        location = smap.locate(loc)
        name = err["loc"][-1]
        location = location.with_path(format_path((*loc, name)))
        return ValidationError(message, location)
    if kind == "extra_forbidden":
        name = str(err["loc"][-1])
        allowed = _allowed_fields(err["loc"][:-1])
        close = difflib.get_close_matches(name, allowed, n=1)
        message = f"unknown field '{name}'"
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else ("expected one of: " + ", ".join(allowed) if allowed else None)
        )
        key = loc if loc and loc[-1] == name else (*loc, name)
        pos = smap.key_positions.get(key)
        where = smap.locate(key)
        if pos:
            where = Location(where.file, pos[0], pos[1], where.path)
        return ValidationError(message, where, hint)
    message = _describe(kind, err.get("msg", ""), given, err.get("ctx"))
    return ValidationError(message, smap.locate(loc), hint)


def _data_path(loc: Iterable[Any], data: Any) -> PathKey:
    """Keep the parts of a pydantic error location that exist in the data (drop union tags)."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            out.append(part)
            node = node[part]
    return tuple(out)


def _describe(kind: str, msg: str, given: Any, ctx: dict[str, Any] | None) -> str:
    shown = _show(given)
    expected = {
        "int_type": "an integer",
        "int_parsing": "an integer",
        "int_from_float": "a whole number",
        "float_type": "a number",
        "float_parsing": "a number",
        "string_type": "text",
        "list_type": "a list",
        "dict_type": "a mapping",
        "model_type": "a mapping",
        "date_type": "a date like 2023-12-31",
        "date_parsing": "a date like 2023-12-31",
        "date_from_datetime_parsing": "a date like 2023-12-31",
        "bool_type": "true or false",
        "decimal_type": "a number",
        "is_instance_of": "a number",
    }.get(kind)
    if expected:
        return f"expected {expected}, got {shown}"
    if kind == "literal_error" and ctx:
        return f"expected one of {ctx.get('expected')}, got {shown}"
    if kind == "string_pattern_mismatch":
        return f"expected an id of letters, digits and _ (not starting with a digit), got {shown}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than") and ctx:
        bound = next(iter(ctx.values()))
        word = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        return f"expected a value {word} {bound}, got {shown}"
    if kind == "too_short":
        return f"expected at least one entry, got {shown}"
    if kind in ("string_too_long", "too_long") and ctx:
        return f"too long: at most {ctx.get('max_length')} allowed"
    if kind in ("value_error", "assertion_error"):
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "block_kind":
        return f"{msg}; got {shown}"
    return f"{msg}, got {shown}"


def _show(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/true/false as a boolean; quote it)"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, dict):
        return "a mapping with keys " + ", ".join(map(str, list(value)[:6]))
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return repr(value)


def _allowed_fields(loc: Iterable[Any]) -> list[str]:
    """Return the field names of the model class at a pydantic error location."""
    model: Any = Report
    for part in loc:
        if isinstance(part, int):
            continue
        if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
            info = model.model_fields.get(str(part))
            if info is None:
                tagged = _union_member(model, str(part))
                if tagged is None:
                    continue
                model = tagged
                continue
            model = _model_in(info.annotation)
        elif str(part) in BLOCK_KINDS:
            from . import model as m

            model = {
                "paragraph": m.Paragraph,
                "callout": m.Callout,
                "quote": m.QuoteRef,
                "chart": m.ChartRef,
                "figure": m.FigureRef,
                "table": m.TableRef,
                "kpi": m.KpiPanel,
            }[str(part)]
    if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
        return list(model.model_fields)
    return []


def _union_member(model: Any, name: str) -> Any:
    return None


def _model_in(annotation: Any) -> Any:
    """Return the block tag marker or the model class inside list[...]/X | None annotations."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
        return "block" if origin is list else None
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    return None


def source_map(report: Report) -> SourceMap | None:
    """Return the positions of the source a report was loaded from (None if built in code)."""
    return getattr(report, "_khz_source", None)
