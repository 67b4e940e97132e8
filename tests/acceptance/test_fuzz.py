"""Fuzzing: a mutated report source is either valid or refused with a located error.

The example source (with its statistics table inlined as YAML indicators) is loaded once;
each example then mutates it -- a value replaced by another type, a huge or non-finite
number, odd text, template syntax; a key deleted or misspelt; a list item duplicated --,
writes it as YAML and runs ``load``, ``validate``, ``resolve`` and ``lint``. Any outcome is
fine except an exception that is not a :class:`~khzreport.errors.KhzReportError`, or one
whose message does not name the file.

CI runs 50 examples. To fuzz longer::

    KHZREPORT_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/acceptance/test_fuzz.py -q
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from khzreport import api
from khzreport.errors import KhzReportError

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"
EXAMPLES = int(os.environ.get("KHZREPORT_FUZZ_EXAMPLES", "50"))

Path_ = tuple[str | int, ...]


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k) if isinstance(k, str) else int(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def _base() -> dict[str, Any]:
    """Return the example as plain data, its statistics table inlined as indicators."""
    from khzreport.source.spreadsheet import read_indicators

    tree = YAML(typ="rt").load(EXAMPLE.read_text(encoding="utf-8"))
    for entry in tree.pop("data", []):
        rows = read_indicators(
            EXAMPLE.parent / entry["file"],
            display_name=entry["file"],
            sheet=entry.get("sheet"),
        )
        tree["indicators"].extend(row for row, _cells in rows)
    return _plain(tree)  # type: ignore[no-any-return]


BASE = _base()


def _paths(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*path, i))


PATHS = [p for p in _paths(BASE) if p]

TEMPLATE_SNIPPETS = [
    "{{",
    "}}",
    "{{ ind.nope }}",
    "{{ ind }}",
    "{{ meta }}",
    "{{ ''.__class__.__mro__ }}",
    "{{ ind.rank_national | attr('x') }}",
    "{% include 'x' %}",
    "{% for a in 'x'*9999 %}{% for b in 'x'*9999 %}{% endfor %}{% endfor %}",
    "{% set a = 1 %}",
    "{% if %}",
    "{% if 1 %}x",
    "{{ 'x' * 100000 }}",
    "{{ 'x'.center(10**9) }}",
    "{{ '%0999d' % 1 }}",
    "{{ 1 / 0 }}",
    "{{ 9 ** 999 }}",
    "{{ [1] * 10 }}",
    "{{ ind.rank_national | growth }}",
    "{{ ind.rank_national | share }}",
    "{{ ind.rank_national | doubling }}",
    "{{ ind.rank_national | value | value }}",
    "{{ (((((((((((((((((((((((1))))))))))))))))))))))) }}",
    '#image("http://example.com/x.png")',
    "<script>alert(1)</script>",
    "$\\alpha$ \\ {",
    "\x00\x0b\ufffe",
    "😀𠀀",
]

text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(TEMPLATE_SNIPPETS),
    st.sampled_from(["", " ", "no", "on", "yes", "017", "1e3", "1/0", "1/3", "-", "null", "~"]),
    st.sampled_from(["../x.yaml", "/etc/passwd", "http://example.com/a.png", "gov", "a.yaml"]),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 10**15, 10**15 + 1, -(10**15), 1e15, 1e16, 2023, 1899, 2201]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    text,
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.dictionaries(st.sampled_from(["id", "value", "x", "label", "series"]), scalars, max_size=3),
    st.dictionaries(st.integers(min_value=1800, max_value=2300), numbers, max_size=4),
)


def _parent(data: Any, path: Path_) -> tuple[Any, str | int] | None:
    node = data
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    key = path[-1]
    if isinstance(node, dict) and key in node:
        return node, key
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node, key
    return None


def _mutate(data: Any, path: Path_, op: str, value: Any, snippet: str) -> None:
    found = _parent(data, path)
    if found is None:
        return
    parent, key = found
    if op == "replace":
        parent[key] = value
    elif op == "delete":
        del parent[key]
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(int(key), copy.deepcopy(parent[key]))
    elif op == "inject" and isinstance(parent[key], str):
        middle = len(parent[key]) // 2
        parent[key] = parent[key][:middle] + snippet + parent[key][middle:]
    elif op == "rename" and isinstance(parent, dict) and isinstance(key, str):
        parent[key + "x"] = parent.pop(key)


mutation = st.tuples(
    st.sampled_from(PATHS),
    st.sampled_from(["replace", "replace", "delete", "duplicate", "inject", "inject", "rename"]),
    values,
    st.sampled_from(TEMPLATE_SNIPPETS),
)


def _dump(data: Any) -> str:
    """Write plain data as block YAML (quick: ruamel's pure-Python dumper takes 0.1 s).

    Text is double-quoted with JSON escapes (a subset of YAML's), so control characters and
    lone surrogates reach the loader as escapes; multi-line printable text becomes a literal
    block (``|-``) like the narrative of a real source.
    """
    out: list[str] = []
    _emit(data, 0, out)
    return "".join(out).lstrip("\n")


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=any(0xD800 <= ord(c) <= 0xDFFF for c in text))


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return _quote(str(value))


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            out.append(" {}\n")
            return
        out.append("\n")
        for key, item in value.items():
            out.append(f"{pad}{key if isinstance(key, int) else _quote(str(key))}:")
            _emit(item, indent + 1, out)
    elif isinstance(value, list):
        if not value:
            out.append(" []\n")
            return
        out.append("\n")
        for item in value:
            out.append(f"{pad}-")
            _emit(item, indent + 1, out)
    elif (
        isinstance(value, str)
        and "\n" in value
        and value == value.strip()
        and all(c == "\n" or c.isprintable() for c in value)
    ):
        lines = value.split("\n")
        out.append(" |-\n" + "".join(f"{pad}{line}\n" if line else "\n" for line in lines))
    else:
        out.append(" " + _scalar(value) + "\n")


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="khzreport-fuzz-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutations=st.lists(mutation, min_size=1, max_size=5))
def test_mutated_source_is_valid_or_refused_with_a_location(
    folder: Path, mutations: list[tuple[Path_, str, Any, str]]
) -> None:
    data = copy.deepcopy(BASE)
    for path, op, value, snippet in mutations:
        _mutate(data, path, op, value, snippet)
    source = folder / "report.yaml"
    source.write_text(_dump(data), encoding="utf-8")
    try:
        report = api.load(source)
        api.validate(report)
        api.resolve(report)
        api.lint(report)
    except KhzReportError as exc:
        event(f"refused: {type(exc).__name__}")
        for line in str(exc).splitlines():
            assert "report.yaml" in line, line
    else:
        event("valid")


def test_the_unmutated_base_is_valid_and_reads_back(folder: Path) -> None:
    from khzreport.source import read_yaml

    source = folder / "report.yaml"
    source.write_text(_dump(BASE), encoding="utf-8")
    assert read_yaml(source)[0] == BASE
    api.validate(api.load(source))
