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
import re
import stat
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pydantic
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.scanner import RoundTripScanner

from ..errors import KhzReportError, Location, SourceError, ValidationError, display_path, raise_all
from ..limits import MAX_DEPTH, MAX_NODES, MAX_SOURCE_BYTES
from ..locations import PathKey, SourceMap, format_path
from ..model import Report
from ..model.blocks import BLOCK_TYPES
from .assets import UNPRINTABLE, describe_character
from .datafiles import merge_data_files
from .references import check_references

__all__ = ["MAX_DEPTH", "MAX_NODES", "MAX_SOURCE_BYTES", "load", "read_yaml"]

def read_yaml(file: Path) -> tuple[Any, SourceMap]:
    """Parse a YAML file into plain containers and a :class:`SourceMap`.

    The limits of :mod:`khzreport.limits` are enforced while reading: the file size before
    it is read, the nesting depth and the number of nodes (aliases counted as copies) while
    it is parsed, so neither a huge file nor an alias bomb is ever expanded in memory.
    """
    smap = SourceMap(file)
    where = Location(display_path(file))
    raw = _read_bounded(file, where)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        encoding = "UTF-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else None
        shown = raw.decode("utf-8", errors="replace")
        raise SourceError(
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})"
            + (f"; it looks like {encoding}" if encoding else ""),
            Location(display_path(file), line, column, _path_near(shown, line, column)),
            "save it as UTF-8",
        ) from None
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    yaml.Scanner = _LimitedScanner
    yaml.Composer = _LimitedComposer
    yaml.Constructor = _LocatedConstructor
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        mark_line: int | None = mark.line + 1 if mark else None
        mark_col: int | None = mark.column + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        hint: str | None = "YAML syntax: check the indentation, brackets and quotes here"
        if "found duplicate key" in str(exc) or "duplicate key" in problem:
            problem = _duplicate_key_message(str(exc))
            hint = "each key may appear once in a mapping; remove or rename one"
        if "\t" in problem or "found character '\\t'" in str(exc):
            problem = "tab character: YAML indents with spaces only"
            hint = "replace the tab with spaces"
        if "found another document" in problem:
            problem = "the file holds more than one YAML document"
            hint = "a source is one document: remove the second '---' and what follows"
        if isinstance(exc, _LimitError):
            hint = exc.hint
        hint = getattr(exc, "khz_hint", None) or hint
        composer = getattr(yaml, "_composer", None)
        path: PathKey = getattr(exc, "khz_path", None) or tuple(getattr(composer, "khz_path", ()))
        shown = format_path(path)
        where = Location(display_path(file), mark_line, mark_col, shown)
        raise SourceError(problem, where, hint) from None
    except ReaderError as exc:
        raise _reader_error(exc, text, file) from None
    except RecursionError:
        raise SourceError(
            f"nesting deeper than {MAX_DEPTH} levels", where, "flatten the structure"
        ) from None
    except YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}", where) from None
    except Exception as exc:  # ruamel raises a few unmarked errors on malformed input
        raise SourceError(f"invalid YAML: {exc}", where) from None
    counter = [0]
    data = _plain(tree, (), smap, counter, 0)
    return data, smap


def _read_bounded(file: Path, where: Location) -> bytes:
    """Return the bytes of a regular file of at most MAX_SOURCE_BYTES (never reading more)."""
    try:
        info = file.stat()
        if stat.S_ISDIR(info.st_mode):
            raise SourceError("expected a YAML file, got a folder", where)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError("expected a YAML file, got a device, pipe or socket", where)
        if info.st_size > MAX_SOURCE_BYTES:
            raise _too_big(info.st_size, where)
        with file.open("rb") as fh:
            raw = fh.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise SourceError(f"file not found: {file}", where) from None
    except IsADirectoryError:
        raise SourceError("expected a YAML file, got a folder", where) from None
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror or exc}", where) from None
    if len(raw) > MAX_SOURCE_BYTES:
        raise _too_big(len(raw), where)
    return raw


def _too_big(size: int, where: Location) -> SourceError:
    return SourceError(
        f"the file is {size} bytes, more than the limit of {MAX_SOURCE_BYTES}",
        where,
        "a report source is text; keep photos and tables in files of their own",
    )


def _reader_error(exc: ReaderError, text: str, file: Path) -> SourceError:
    """Locate a character YAML refuses (control characters, U+FFFE ...) by line and column."""
    pos = exc.position if isinstance(exc.position, int) else 0
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    char = exc.character
    name = describe_character(chr(char)) if isinstance(char, int) else repr(char)
    shown = UNPRINTABLE_IN_YAML.sub(" ", text)
    return SourceError(
        f"{name} is not allowed in a YAML file",
        Location(display_path(file), line, column, _path_near(shown, line, column)),
        "remove it; text may hold tabs and line breaks but no other control characters",
    )


UNPRINTABLE_IN_YAML = re.compile(
    "[^\\x09\\x0a\\x0d\\x20-\\x7e\\x85\\xa0-\\ud7ff\\ue000-\\ufffd\\U00010000-\\U0010ffff]"
)
"""What YAML's reader refuses (it accepts only the printable subset of Unicode)."""


def _path_near(text: str, line: int, column: int) -> str:
    """Return the field path of the last node starting at or before ``line:column``.

    Used for errors found before the tree exists (a byte that is not UTF-8, a control
    character): the text is parsed again with the offending characters replaced.
    """
    try:
        yaml = YAML(typ="rt", pure=True)
        yaml.Scanner = _LimitedScanner
        yaml.Composer = _LimitedComposer
        tree = yaml.load(text)
        smap = SourceMap(Path("-"))
        _plain(tree, (), smap, [0], 0)
    except Exception:
        return ""
    best: PathKey = ()
    for key, pos in smap.positions.items():
        if pos <= (line, column) and (pos, len(key)) >= (
            smap.positions.get(best, (0, 0)),
            len(best),
        ):
            best = key
    return format_path(best)


class _LimitError(ComposerError):
    """A limit of :mod:`khzreport.limits` was reached while composing the YAML tree."""

    def __init__(self, problem: str, mark: Any, hint: str | None = None):
        super().__init__(None, None, problem, mark)
        self.hint = hint


class _LimitedComposer(Composer):
    """Composer that counts nodes (aliases as copies of what they name) and nesting depth.

    ruamel builds one object per anchored node however often it is aliased, so the tree is
    small; but the copy into plain data (and every later walk) would expand each alias.
    Counting here, as the nodes are composed, stops an alias bomb at the alias that
    crosses :data:`MAX_NODES`, with its line, before anything is expanded.
    """

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.khz_count = 0
        self.khz_depth = 0
        self.khz_sizes: dict[int, int] = {}
        self.khz_path: list[str | int] = []
        """Field path of the node being composed (for the location of syntax errors)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None:
                size = self.khz_sizes.get(id(target))
                if size is None:
                    raise _LimitError(
                        f"the alias *{event.anchor} is used inside the node it names",
                        event.start_mark,
                        "an alias may only repeat a finished node",
                    )
                self._count(size, event.start_mark, event.anchor)
            return super().compose_node(parent, index)
        self.khz_depth += 1
        if self.khz_depth > MAX_DEPTH + 1:
            raise _LimitError(
                f"nesting deeper than {MAX_DEPTH} levels",
                event.start_mark,
                "a report source needs only a few levels; flatten the structure",
            )
        start = self.khz_count
        self._count(1, event.start_mark, None)
        part = index if isinstance(index, int) else getattr(index, "value", None)
        if isinstance(part, int | str):
            self.khz_path.append(part)
        node = super().compose_node(parent, index)
        if isinstance(part, int | str):
            self.khz_path.pop()
        self.khz_depth -= 1
        if getattr(node, "anchor", None) is not None:
            self.khz_sizes[id(node)] = self.khz_count - start
        return node

    def _count(self, n: int, mark: Any, alias: str | None) -> None:
        self.khz_count += n
        if self.khz_count > MAX_NODES:
            if alias is not None:
                raise _LimitError(
                    f"the alias *{alias} makes the source larger than {MAX_NODES} values",
                    mark,
                    "aliases repeat what they name; repeat less, or write the values out",
                )
            raise _LimitError(
                f"the source has more than {MAX_NODES} values",
                mark,
                "split the data or keep large tables in spreadsheet files",
            )


class _LimitedScanner(RoundTripScanner):
    """Scanner that refuses deep ``[[[[`` flow nesting at once.

    ruamel's scanner keeps one possible simple key per open bracket and checks them all at
    every token, so scanning ``[`` nested n deep costs n squared: 4,000 brackets take
    seconds, a 5 MB line of them days. Stopping at :data:`MAX_DEPTH` keeps it linear.
    """

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: str) -> None:
        if len(self.flow_context) >= MAX_DEPTH:
            raise _LimitError(
                f"nesting deeper than {MAX_DEPTH} levels",
                self.reader.get_mark(),
                "a report source needs only a few levels; flatten the structure",
            )
        super().fetch_flow_collection_start(TokenClass, to_push)


class _LocatedConstructor(RoundTripConstructor):
    """Constructor whose errors always name the node (ruamel raises a few bare ValueErrors)."""

    khz_root: Any = None

    def construct_document(self, node: Any) -> Any:
        self.khz_root = node
        return super().construct_document(node)

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        try:
            return super().construct_non_recursive_object(node, tag)
        except YAMLError as exc:
            if not hasattr(exc, "khz_path"):  # a duplicate key: name the mapping
                exc.khz_path = _node_path(self.khz_root, node)  # type: ignore[attr-defined]
            raise
        except Exception as exc:
            text = str(exc)
            if "integer string conversion" in text:
                text = "the number has too many digits"
            error = ConstructorError(None, None, f"cannot read this value: {text}", node.start_mark)
            error.khz_path = _node_path(self.khz_root, node)  # type: ignore[attr-defined]
            error.khz_hint = (  # type: ignore[attr-defined]
                "write the date as YYYY-MM-DD"
                if str(node.tag).endswith(":timestamp")
                else "write a plain number, or quote the value to keep it as text"
            )
            raise error from None


def _node_path(root: Any, target: Any) -> PathKey:
    """Return the field path of ``target`` in a composed YAML node graph (or ``()``)."""
    stack: list[tuple[Any, PathKey]] = [(root, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen or not isinstance(node, MappingNode | SequenceNode):
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend((child, (*path, i)) for i, child in enumerate(node.value))
        else:
            for key, value in node.value:
                name = key.value if isinstance(key, ScalarNode) else "?"
                if key is target:
                    return (*path, name)
                stack.append((value, (*path, name)))
    return ()


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
            if isinstance(key, ScalarBoolean | bool) or not isinstance(key, str | int):
                raise SourceError(
                    f"keys must be text, got {_kind(key)}",
                    smap.locate(path),
                    "quote the key",
                )
            if isinstance(key, str):
                key = str(key)
                _check_text(key, path, smap)
            else:
                key = int(key)
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
        _check_text(node, path, smap)
        return str(node)
    if isinstance(node, bool | ScalarBoolean):
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
    if isinstance(node, TaggedScalar):
        if str(node.tag) == "tag:yaml.org,2002:str" and isinstance(node.value, str):
            _check_text(node.value, path, smap)
            return str(node.value)
        raise SourceError(f"unsupported YAML tag {node.tag}", smap.locate(path), "remove the !tag")
    raise SourceError(
        f"unsupported YAML value: {_kind(node)}",
        smap.locate(path),
        "use text, a number, a date, a list or a mapping",
    )


def _kind(value: Any) -> str:
    if isinstance(value, bytes):
        return "binary data (!!binary)"
    if isinstance(value, set):
        return "a set (!!set)"
    if isinstance(value, bool | ScalarBoolean):
        return "true/false"
    if value is None:
        return "null"
    if isinstance(value, tuple | list | CommentedSeq):
        return "a list"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


def _check_text(text: str, path: PathKey, smap: SourceMap) -> None:
    """Refuse characters no document can hold (escaped in a quoted YAML string: "\x00")."""
    bad = UNPRINTABLE.search(text)
    if bad is not None:
        raise SourceError(
            f"the text holds {describe_character(bad.group())} at character {bad.start() + 1}, "
            "which no document can show",
            smap.locate(path),
            "remove it; tabs and line breaks are fine",
        )


def load(path: str | Path) -> Report:
    """Read, validate and cross-check a report source; return the :class:`Report`.

    All problems found are raised together as one :class:`~khzreport.errors.ErrorGroup`
    (or a single :class:`KhzReportError`), each naming file, line, column and field path.
    """
    file = Path(path)
    data, smap = read_yaml(file)
    if isinstance(data, dict) and "data" in data:
        data = merge_data_files(data, smap)
    report = validate(data, smap)
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
        raise_all(_merge_alternatives([_located(err, data, smap) for err in exc.errors()]))
        raise  # unreachable: raise_all always raises for a non-empty list
    report._khz_source = smap
    return report


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
        return ValidationError(message, location, f"add '{name}: ...'")
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
    ctx = err.get("ctx") or {}
    if kind == "khz_refused":
        return ValidationError(str(ctx.get("message")), smap.locate(loc), ctx.get("hint"))
    message = _describe(kind, err.get("msg", ""), given, ctx)
    if kind in ("string_too_long", "too_long"):
        hint = "shorten it, or split a long narrative into several paragraph blocks"
    else:
        hint = _HINTS.get(kind)
    return ValidationError(message, smap.locate(loc), hint)


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
        elif str(part) in BLOCK_TYPES:
            model = BLOCK_TYPES[str(part)]
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
