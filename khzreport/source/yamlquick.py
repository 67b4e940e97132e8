"""Read the YAML of a plain source quickly: libyaml's parser, YAML 1.2 values, every position.

The full reader (:mod:`khzreport.source.reader`) parses with ruamel.yaml in pure Python,
which costs ~90 ms for the example's 80 KB, most of it in the scanner. Here libyaml (the C
parser PyYAML ships) reads the events and this module builds the plain data and the
positions from them, for the sources that use plain YAML only: mappings with text or integer
keys, lists and scalars. Scalars are given the values the full reader gives (YAML 1.2:
``yes``/``no``/``on`` stay text, ``017`` and ``1:30`` are not numbers), and only for the
simplest spellings of each kind (``12``, ``-3.5``, ``2023-12-31``, ``true``, ``null``).

Anything else gives up — anchors and aliases, tags, directives, merge keys, a second
document, a duplicate or non-text key, a tab, a control or line-separator character, a
number or date written any other way, a text no document can show, a parse error, a nesting
or size near the limits — and the full reader then reads the file, so every error message,
location and edge of the YAML rules stays exactly the full reader's. For the sources this
accepts it gives the data and positions the full reader gives, which the tests check on
every source the repository holds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ..locations import PathKey

try:
    from yaml import _yaml as _libyaml
    from yaml.events import (
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
    )
except ImportError:  # pragma: no cover - PyYAML built without libyaml: the full reader reads
    _libyaml = None

__all__ = ["QuickTree", "quick_tree"]


@dataclass
class QuickTree:
    """Plain data of a source and the 1-based (line, column) of its nodes, by field path."""

    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    block_scalars: set[PathKey] = field(default_factory=set)


class _GiveUp(Exception):
    """The source uses something this reader leaves to the full one."""


_UNUSUAL_TEXT = re.compile(
    "[\\x00-\\x09\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u2028\\u2029\\ud800-\\udfff\\ufeff\\ufffe\\uffff]"
)
"""Characters left to the full reader: tabs, controls, NEL, the line and paragraph
separators, a byte order mark inside the text, and what YAML refuses."""

# YAML 1.2 as the full reader resolves plain scalars (ruamel.yaml's VersionedResolver for
# 1.2): the first match, among the kinds whose first characters the scalar starts with, wins.
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_FLOAT = re.compile(
    r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))\Z""",
    re.X,
)
_INT = re.compile(r"(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)\Z")
_TIMESTAMP = re.compile(
    r"""(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
    (?:[Tt]|[ \t]+)[0-9][0-9]?
    :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
    (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\Z""",
    re.X,
)
_SPECIAL_FIRST = frozenset("tTfF-+0123456789.<~nN=")
"""First characters of the plain scalars YAML 1.2 may read as other than text."""

# The spellings taken here; every other one that matches a kind above is left to the full reader.
_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})\Z")
_SIMPLE_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})\.[0-9]{1,17}\Z")
_SIMPLE_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")


def _plain_scalar(text: str) -> Any:
    """Return the value of a plain (unquoted) scalar, or give up on a rare spelling."""
    if not text:
        return None
    if text[0] not in _SPECIAL_FIRST:
        return text
    if _BOOL.match(text):
        return text[0] in "tT"
    if _NULL.match(text):
        return None
    if text[0] in "-+0123456789.":
        if _FLOAT.match(text):
            if _SIMPLE_FLOAT.match(text):
                return float(text)
            raise _GiveUp
        if _INT.match(text):
            if _SIMPLE_INT.match(text):
                return int(text)
            raise _GiveUp
    if text[0] in "0123456789" and _TIMESTAMP.match(text):
        date = _SIMPLE_DATE.match(text)
        if date is None:
            raise _GiveUp
        return dt.date(int(date[1]), int(date[2]), int(date[3]))
    if text in ("<<", "="):
        raise _GiveUp
    return text


class _Composer:
    def __init__(self, parser: Any, text: str, refuse: re.Pattern[str], nodes: int, depth: int):
        self.next = parser.get_event
        self.nodes = nodes
        self.depth = depth - 2  # short of where the full reader stops
        self.text = text
        self.refuse = refuse
        self.tree = QuickTree(None)
        self.count = 0

    def scalar(self, event: Any) -> Any:
        if not event.style:  # plain: libyaml names its style ''
            value = _plain_scalar(event.value)
            if type(value) is not str:
                return value
        else:
            value = event.value
        if self.refuse.search(value):
            raise _GiveUp
        return value

    def node(self, event: Any, path: PathKey, depth: int) -> Any:
        self.count += 1
        if self.count > self.nodes or depth > self.depth:
            raise _GiveUp
        kind = type(event)
        if event.anchor is not None or getattr(event, "tag", None) is not None:
            raise _GiveUp
        if kind is ScalarEvent:
            return self.scalar(event)
        if kind is SequenceStartEvent:
            return self.sequence(path, depth)
        if kind is MappingStartEvent:
            return self.mapping(path, depth, bool(event.flow_style))
        raise _GiveUp  # an alias

    def sequence(self, path: PathKey, depth: int) -> list[Any]:
        items: list[Any] = []
        tree = self.tree
        while True:
            event = self.next()
            if type(event) is SequenceEndEvent:
                return items
            sub = (*path, len(items))
            mark = event.start_mark
            tree.positions[sub] = (mark.line + 1, mark.column + 1)
            if type(event) is ScalarEvent and event.style in ("|", ">"):
                tree.block_scalars.add(sub)
            items.append(self.node(event, sub, depth + 1))

    def mapping(self, path: PathKey, depth: int, flow: bool) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        tree = self.tree
        empty: PathKey | None = None
        empty_at = 0
        while True:
            event = self.next()
            if empty is not None:
                # An empty value (``key:`` and nothing) of a block mapping stands, for the
                # full reader, where the next token starts; libyaml marks it just after the
                # colon. (At the end of a text without a final line break libyaml's mark is
                # on a line of its own; that is left to the full reader.)
                mark = event.start_mark
                if mark.index >= len(self.text) and not self.text.endswith(("\n", "\r")):
                    raise _GiveUp
                if "#" in self.text[empty_at : mark.index]:
                    raise _GiveUp  # ruamel marks a comment after the colon, or not, by case
                tree.positions[empty] = (mark.line + 1, mark.column + 1)
                empty = None
            if type(event) is MappingEndEvent:
                return out
            if type(event) is not ScalarEvent or event.anchor is not None or event.tag is not None:
                raise _GiveUp
            self.count += 1
            key = self.scalar(event)
            if (type(key) is not str and type(key) is not int) or key in out:
                raise _GiveUp
            sub = (*path, key)
            mark = event.start_mark
            tree.key_positions[sub] = (mark.line + 1, mark.column + 1)
            event = self.next()
            if type(event) is ScalarEvent and not event.style and not event.value:
                if flow:
                    raise _GiveUp  # ``{key: }``: the two parsers mark it differently
                empty, empty_at = sub, event.start_mark.index
            else:
                mark = event.start_mark
                tree.positions[sub] = (mark.line + 1, mark.column + 1)
            if type(event) is ScalarEvent and event.style in ("|", ">"):
                tree.block_scalars.add(sub)
            out[key] = self.node(event, sub, depth + 1)


def quick_tree(
    text: str, refuse: re.Pattern[str], max_nodes: int, max_depth: int
) -> QuickTree | None:
    """Return the data and positions of a plain YAML text, or None to leave it to the full
    reader. ``refuse`` matches what no text of the source may hold (keys and values); a
    text near ``max_nodes`` nodes or ``max_depth`` levels is left to the full reader."""
    if _libyaml is None or _UNUSUAL_TEXT.search(text):
        return None
    parser = _libyaml.CParser(text)
    try:
        parser.get_event()  # the stream's start
        start = parser.get_event()
        if start.version is not None or start.tags:
            return None  # a %YAML or %TAG directive
        composer = _Composer(parser, text, refuse, max_nodes, max_depth)
        composer.tree.data = composer.node(parser.get_event(), (), 0)
        parser.get_event()  # the document's end
        if type(parser.get_event()).__name__ != "StreamEndEvent":
            return None  # a second document
        return composer.tree
    except Exception:  # a parse error, or a source this reader leaves to the full one
        return None
    finally:
        parser.dispose()
