"""How a pydantic validation error reads to a person: located, in plain words, with a hint.

Shared by the YAML reader (positions from the source map) and by reports built or derived in
Python (field paths only), so both say ``indicators[3].value: expected a number, got 'lots'``.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import pydantic
from pydantic import BaseModel

from ..errors import KhzReportError, Location, ReportValidationError
from ..locations import PathKey, SourceMap, format_path


def pydantic_errors(
    exc: pydantic.ValidationError,
    data: Any,
    smap: SourceMap | None,
    root: type[BaseModel],
    blocks: Mapping[str, type[BaseModel]] | None = None,
) -> list[KhzReportError]:
    """Return one located :class:`ReportValidationError` per problem pydantic found in ``data``.

    ``root`` is the model ``data`` was validated as and ``blocks`` the block classes by key;
    they name the allowed fields in the hint for an unknown field.
    """
    known = blocks or {}
    return _merge_alternatives([_located(err, data, smap, root, known) for err in exc.errors()])


def _where(smap: SourceMap | None, path: PathKey) -> Location:
    return smap.locate(path) if smap is not None else Location(path=format_path(path))


_EXPECTED = re.compile(r"^expected (?P<what>.+?), got (?P<got>.+)$")


def _merge_alternatives(errors: list[KhzReportError]) -> list[KhzReportError]:
    """Say once what a field may be when it can be one of several kinds (``2023``, text or a
    date): pydantic reports one error per alternative of the union."""
    out: list[KhzReportError] = []
    for error in errors:
        previous = out[-1] if out else None
        a = _EXPECTED.match(previous.message) if previous is not None else None
        b = _EXPECTED.match(error.message)
        if previous is not None and a and b and previous.location == error.location:
            merged = a["what"].replace(" or ", ", ") + " or " + b["what"]
            out[-1] = type(previous)(
                f"expected {merged}, got {a['got']}", previous.location, previous.hint
            )
        else:
            out.append(error)
    return out


def _located(
    err: Any,
    data: Any,
    smap: SourceMap | None,
    root: type[BaseModel],
    blocks: Mapping[str, type[BaseModel]],
) -> KhzReportError:
    loc = existing_path(err["loc"], data)
    kind = err["type"]
    given = err.get("input")
    hint = None
    if kind == "missing":
        message = "missing required field"
        location = _where(smap, loc)
        name = err["loc"][-1]
        location = location.with_path(format_path((*loc, name)))
        return ReportValidationError(message, location, f"add '{name}: ...'")
    if kind == "extra_forbidden":
        name = str(err["loc"][-1])
        allowed = _allowed_fields(err["loc"][:-1], root, blocks)
        close = difflib.get_close_matches(name, allowed, n=1)
        message = f"unknown field '{name}'"
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else ("expected one of: " + ", ".join(allowed) if allowed else None)
        )
        key = loc if loc and loc[-1] == name else (*loc, name)
        pos = smap.key_positions.get(key) if smap else None
        where = _where(smap, key)
        if pos:
            where = Location(where.file, pos[0], pos[1], where.path)
        return ReportValidationError(message, where, hint)
    ctx = err.get("ctx") or {}
    if kind == "khz_refused":
        return ReportValidationError(str(ctx.get("message")), _where(smap, loc), ctx.get("hint"))
    message = _describe(kind, err.get("msg", ""), given, ctx)
    if kind in ("string_too_long", "too_long"):
        hint = "shorten it, or split a long narrative into several paragraph blocks"
    else:
        hint = _HINTS.get(kind)
    return ReportValidationError(message, _where(smap, loc), hint)


_HINTS = {
    "int_type": "write a whole number such as 2023",
    "int_parsing": "write a whole number such as 2023",
    "int_from_float": "write a whole number such as 2023",
    "float_type": 'write a number such as 12.5, or a fraction in quotes such as "1/3"',
    "float_parsing": 'write a number such as 12.5, or a fraction in quotes such as "1/3"',
    "decimal_type": "write a number such as 12.5",
    "is_instance_of": 'write a number such as 12.5, or a fraction in quotes such as "1/3"',
    "string_type": "put the value in quotes to make it text",
    "list_type": "write a list: [a, b] or one '- item' per line",
    "dict_type": "write 'key: value' lines indented under it",
    "model_type": "write 'key: value' lines indented under it",
    "date_type": "write the date as YYYY-MM-DD",
    "date_parsing": "write the date as YYYY-MM-DD",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
    "date_from_datetime_inexact": "write the date as YYYY-MM-DD, without a time",
    "bool_type": "write true or false",
    "literal_error": "use one of the values listed",
    "string_pattern_mismatch": "for example gdp_2023",
    "too_short": "add at least one entry",
    "greater_than_equal": "check the number",
    "less_than_equal": "check the number",
    "greater_than": "check the number",
    "less_than": "check the number",
    "block_kind": "start the block with one of its kind keys, e.g. '- paragraph: ...'",
}


def existing_path(loc: Iterable[Any], data: Any) -> PathKey:
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


def _allowed_fields(
    loc: Iterable[Any], root: type[BaseModel], blocks: Mapping[str, type[BaseModel]]
) -> list[str]:
    """Return the field names of the model class at a pydantic error location."""
    model: Any = root
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
        elif str(part) in blocks:
            model = blocks[str(part)]
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
