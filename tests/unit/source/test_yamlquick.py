"""The quick YAML reader gives the full reader's data and positions, or leaves the text to it.

Every YAML file of the repository and a grid of scalar spellings in every kind of place are
read both ways: where the quick reader takes a text, the data (with its Python types), the
positions of values and keys, their order and the block scalars must be the full reader's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from khzreport.errors import KhzReportError
from khzreport.source import reader, yamlfile, yamlquick

ROOT = Path(__file__).parents[3]
FILES = sorted(
    p
    for folder in ("examples", "tests/fixtures", "tests/golden", "assets", "docs")
    for p in (ROOT / folder).rglob("*.y*ml")
)


def typed(value: Any) -> Any:
    if isinstance(value, dict):
        return [(type(k).__name__, k, typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [typed(v) for v in value]
    return type(value).__name__, repr(value)


def compare(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Return 'quick' when the quick reader took the file (and agreed), else 'full'."""
    text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    quick = yamlquick.quick_tree(text, yamlfile.UNPRINTABLE, yamlfile.MAX_NODES, yamlfile.MAX_DEPTH)
    if quick is None:
        return "full"
    with monkeypatch.context() as m:
        m.setattr(yamlfile, "quick_tree", lambda *args: None)
        try:
            data, smap = reader.read_yaml(path)
        except KhzReportError as exc:
            raise AssertionError(
                f"the quick reader took a text the full one refuses: {exc}"
            ) from None
    assert typed(quick.data) == typed(data)
    assert list(quick.positions.items()) == list(smap.positions.items())
    assert quick.key_positions == smap.key_positions
    assert quick.block_scalars == smap.block_scalars
    return "quick"


def test_the_repository_sources_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(FILES) > 20
    taken = {p.relative_to(ROOT).as_posix(): compare(p, monkeypatch) for p in FILES}
    assert taken["examples/kunshan-2023/report.yaml"] == "quick"  # the speed is kept


SPELLINGS = [
    *("12", "-3", "+4", "0", "-0", "017", "00", "0o17", "0x1F", "0b1", "1_000", "9" * 25),
    *("1.5", "-0.0", "+.5", ".5", "1.", "1e5", "1.0e+3", "0.10", "-.inf", ".NaN", "1:30"),
    *("2023-12-31", "2023-1-1", "2023-02-30", "2023-12-31 10:00:00", "2023-12-31T10:00:00Z"),
    *("true", "True", "TRUE", "tRue", "false", "yes", "No", "on", "off", "y", "n"),
    *("~", "null", "Null", "NULL", "nULL", "", "<<", "=", "a: b", "x #c", "'q'", '"d"'),
    *("[1, 2]", "{a: 1}", "[]", "{}", "|\n  lit\n  x\n", ">\n  fold\n\n", "|-\n  a\n"),
    *(">+\n  a\n\n", '"multi\n  line"', "plain\n  continued", "中文", "a\u3000b", "1/3"),
    *("&a 1", "*a", "!!str 1", "! a", "? a", "%x", "@x", "http://x.y/z", '"\\x41\\/"'),
]
FORMS = [
    "k: {v}\n",
    "k: {v}",
    "- {v}\n",
    "{v}\n",
    "{v}: 1\n",
    "a:\n  b: {v}\n  c: 2\n",
    "a:\n  b: {v}\nd: 1\n",
    "- a: {v}\n- b: 1\n",
    "m: {{k: {v}}}\n",
    "s: [{v}, 2]\n",
    "k: {v}\r\nj: 2\r\n",
    "k:    {v}   # comment\n",
    "a:\n  b: {v}\n  # c\n\n  d: 1\n",
]


@pytest.mark.parametrize("form", FORMS)
def test_spellings_read_alike(form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i, spelling in enumerate(SPELLINGS):
        path = tmp_path / f"{i}.yaml"
        path.write_text(form.format(v=spelling), encoding="utf-8", newline="")
        compare(path, monkeypatch)


def test_yaml_1_2_values() -> None:
    def value(text: str) -> Any:
        tree = yamlquick.quick_tree(f"k: {text}\n", yamlfile.UNPRINTABLE, 1000, 64)
        return "full" if tree is None else tree.data["k"]

    assert [value(t) for t in ("yes", "no", "on", "017", "1:30")] == [
        "yes",
        "no",
        "on",
        "full",
        "1:30",
    ]
    assert [value(t) for t in ("12", "-1.5", "true", "~", "2023-12-31")] == [
        12,
        -1.5,
        True,
        None,
        dt.date(2023, 12, 31),
    ]
    assert value("&a 1") == value("!!str 1") == value("1e5") == "full"


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",
        "a: 1\n---\nb: 2\n",
        "%YAML 1.1\n---\na: 1\n",
        "a:\t1\n",
        "a: [1\n",
        "1: x\n1: y\n",
    ],
)
def test_what_the_full_reader_decides(text: str) -> None:
    assert yamlquick.quick_tree(text, yamlfile.UNPRINTABLE, 1000, 64) is None


def test_nesting_near_the_limit_is_left_to_the_full_reader() -> None:
    deep = "".join("  " * i + f"k{i}:\n" for i in range(70)) + "  " * 70 + "v\n"
    assert yamlquick.quick_tree(deep, yamlfile.UNPRINTABLE, 1000, 64) is None
    assert yamlquick.quick_tree(deep, yamlfile.UNPRINTABLE, 1000, 100) is not None
