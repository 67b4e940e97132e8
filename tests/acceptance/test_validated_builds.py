"""Property: any source ``validate`` accepts builds — DOCX, PDF and HTML, in the edition
chosen — with no internal error. Hypothesis mutates a small valid source: random text in
printed fields (control characters, lone surrogates, template syntax, very long strings),
random figures, and optional keys dropped. A mutation may make the source invalid; then
validate refuses it with a located error and there is nothing to build.

Bounded for CI: a fixed number of examples, derandomized so every run tries the same ones,
no per-example deadline (a cold chart cache makes the first build slow)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from khzreport import api
from khzreport.errors import KhzReportError
from tests.support.sources import (
    NUMBER_PATHS,
    OPTIONAL_PATHS,
    TEXT_PATHS,
    Path_,
    small_source,
    write_source,
)

LONG = ["A" * 5000, "很" * 6000, "https://example.org/" + "x" * 300, "word " * 2000]
SNIPPETS = ["{{ ind.output }}", "{{ ind.firms | growth }}", "{{", "}}", "{% if 1 %}x{% endif %}"]

texts = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=5),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),
    st.sampled_from(LONG + SNIPPETS + ["", " ", "\u200b", "\ue000", "😀𠀀", "<b>x</b>", "$x^2$"]),
)
numbers = st.one_of(
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(float),
    st.sampled_from([0, -1, 1, 0.5, 1e15, 1899, 2107, 2108, "1/3", "近80"]),
)
mutations = st.lists(
    st.one_of(
        st.tuples(st.just("text"), st.sampled_from(TEXT_PATHS), texts),
        st.tuples(st.just("inject"), st.sampled_from(TEXT_PATHS), texts),
        st.tuples(st.just("number"), st.sampled_from(NUMBER_PATHS), numbers),
        st.tuples(st.just("drop"), st.sampled_from(OPTIONAL_PATHS), st.none()),
    ),
    min_size=1,
    max_size=4,
)


def _apply(data: dict[str, Any], op: str, path: Path_, value: Any) -> None:
    node: Any = data
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return
    key = path[-1]
    if isinstance(node, dict) and op == "drop":
        node.pop(key, None)
    elif isinstance(node, dict) and key in node:
        if op == "inject" and isinstance(node[key], str):
            middle = len(node[key]) // 2
            node[key] = node[key][:middle] + value + node[key][middle:]
        else:
            node[key] = value


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutations=mutations, language=st.sampled_from(["zh-CN", "en"]))
def test_a_source_validate_accepts_builds_in_every_format(
    mutations: list[tuple[str, Path_, Any]], language: str
) -> None:
    data = small_source()
    for op, path, value in mutations:
        _apply(data, op, path, value)
    with tempfile.TemporaryDirectory(prefix="khzreport-property-") as tmp:
        source = write_source(Path(tmp), data)
        try:
            report = api.load(source)
            api.validate(report)
        except KhzReportError as exc:
            event("refused by validate")
            assert all("report.yaml" in line for line in str(exc).splitlines()), str(exc)
            return
        event("accepted")
        result = api.build(report, Path(tmp) / "out", language=language)
        assert [p.suffix for p in result.outputs] == [".docx", ".pdf", ".html"]
        assert all(p.stat().st_size > 0 for p in result.outputs)


def test_the_unmutated_source_builds_without_a_warning(tmp_path: Path) -> None:
    report = api.load(write_source(tmp_path, small_source()))
    assert api.validate(report) == []
    assert api.lint(report) == []
    result = api.build(report, tmp_path / "out", strict=True)
    assert len(result.outputs) == 3
