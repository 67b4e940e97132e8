"""The full YAML reader: ruamel.yaml's round-trip loader, for what the quick reader leaves.

:mod:`khzreport.source.yamlquick` reads plain sources through libyaml; every other text —
aliases (counted as copies against the node limit), tags, directives, duplicate keys, tabs,
syntax errors — is read here, with ruamel.yaml in pure Python, which records positions and
refuses duplicate keys. It reads YAML 1.2, so ``no`` and ``on`` stay text and ``017`` is not
octal. Its messages and locations are the ones the tests and users know. ruamel.yaml loads
only when a source needs this reader.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

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

from ..errors import Location, SourceError, display_path
from ..limits import MAX_DEPTH, MAX_NODES
from ..locations import PathKey, SourceMap, format_path
from .assets import UNPRINTABLE, describe_character

__all__ = ["path_near", "read_full"]


def read_full(
    text: str, file: Path, smap: SourceMap, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH
) -> Any:
    """Parse YAML text into plain containers, filling ``smap`` with the position of every node.

    ``max_nodes`` and ``max_depth`` are enforced while parsing (aliases counted as copies),
    so an alias bomb is never expanded. Raise a located :class:`SourceError`.
    """
    where = Location(display_path(file))
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    yaml.Scanner = _LimitedScanner
    yaml.Composer = _LimitedComposer
    yaml.Constructor = _LocatedConstructor
    yaml.khz_limits = (max_nodes, max_depth)  # type: ignore[attr-defined]
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
            f"nesting deeper than {max_depth} levels", where, "flatten the structure"
        ) from None
    except YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}", where) from None
    except Exception as exc:  # ruamel raises a few unmarked errors on malformed input
        raise SourceError(f"invalid YAML: {exc}", where) from None
    return _plain(tree, (), smap, [0], 0, (max_nodes, max_depth))


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
        Location(display_path(file), line, column, path_near(shown, line, column)),
        "remove it; text may hold tabs and line breaks but no other control characters",
    )


UNPRINTABLE_IN_YAML = re.compile(
    "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x84\\x86-\\x9f\\ud800-\\udfff\\ufffe\\uffff]"
)
"""What YAML's reader refuses (it accepts only the printable subset of Unicode), spelled as
what is refused: the class of what is accepted takes 5 ms to compile."""


def path_near(text: str, line: int, column: int) -> str:
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
        _plain(tree, (), smap, [0], 0, (MAX_NODES, MAX_DEPTH))
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
        max_depth = _limits(self.loader)[1]
        if self.khz_depth > max_depth + 1:
            raise _LimitError(
                f"nesting deeper than {max_depth} levels",
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
        max_nodes = _limits(self.loader)[0]
        if self.khz_count > max_nodes:
            if alias is not None:
                raise _LimitError(
                    f"the alias *{alias} makes the source larger than {max_nodes} values",
                    mark,
                    "aliases repeat what they name; repeat less, or write the values out",
                )
            raise _LimitError(
                f"the source has more than {max_nodes} values",
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
        max_depth = _limits(self.loader)[1]
        if len(self.flow_context) >= max_depth:
            raise _LimitError(
                f"nesting deeper than {max_depth} levels",
                self.reader.get_mark(),
                "a report source needs only a few levels; flatten the structure",
            )
        super().fetch_flow_collection_start(TokenClass, to_push)


_STANDARD_TAGS = tuple(
    f"tag:yaml.org,2002:{kind}" for kind in ("map", "seq", "omap", "set", "pairs")
)
"""Tags a list or mapping may carry; any other (``!!python/object``) is refused where it stands."""


class _LocatedConstructor(RoundTripConstructor):
    """Constructor whose errors always name the node (ruamel raises a few bare ValueErrors)."""

    khz_root: Any = None

    def construct_document(self, node: Any) -> Any:
        self.khz_root = node
        return super().construct_document(node)

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        name = str(node.tag)
        if isinstance(node, MappingNode | SequenceNode) and name not in _STANDARD_TAGS:
            error = ConstructorError(None, None, f"unsupported YAML tag {name}", node.start_mark)
            error.khz_path = _node_path(self.khz_root, node)  # type: ignore[attr-defined]
            error.khz_hint = "remove the !tag"  # type: ignore[attr-defined]
            raise error
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


def _plain(
    node: Any,
    path: PathKey,
    smap: SourceMap,
    counter: list[int],
    depth: int,
    limits: tuple[int, int],
) -> Any:
    max_nodes, max_depth = limits
    counter[0] += 1
    if counter[0] > max_nodes:
        raise SourceError(
            f"the source expands to more than {max_nodes} values (aliases?)",
            smap.locate(path),
        )
    if depth > max_depth:
        raise SourceError(f"nesting deeper than {max_depth} levels", smap.locate(path))
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            if isinstance(key, ScalarBoolean | bool) or not isinstance(key, str | int):
                where = smap.locate(path)
                lc = getattr(key, "lc", None)
                if lc is not None and lc.line is not None:
                    where = Location(where.file, lc.line + 1, lc.col + 1, where.path)
                raise SourceError(f"keys must be text, got {_kind(key)}", where, "quote the key")
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
            out[key] = _plain(value, sub, smap, counter, depth + 1, limits)
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
            items.append(_plain(value, sub, smap, counter, depth + 1, limits))
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


def _limits(loader: Any) -> tuple[int, int]:
    """Return the (nodes, depth) limits a read was given (the defaults for :func:`path_near`)."""
    return getattr(loader, "khz_limits", (MAX_NODES, MAX_DEPTH))
