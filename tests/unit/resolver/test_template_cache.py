"""Compiled narrative templates kept in the cache folder render as a fresh compile does.

A text compiled once is read back from the cache folder in a new process (here: with the
process's own memo emptied); a text that fails to compile keeps nothing and fails again; a
change of a limit the sandbox checks compiles the text afresh.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from khzreport.model import Indicator, Meta, Report
from khzreport.resolver import narrative
from khzreport.resolver.binding import Locale
from khzreport.resolver.narrative import NarrativeError, render

TEMPLATES = [
    "园区实现产值{{ ind.output }}，增长{{ ind.output | growth }}。",
    "{% if meta.year > 2020 %}近年{% else %}早年{% endif %}，{{ meta.year }}年。",
    "**{{ ind.output | value }}**^[口径说明。]",
]


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KHZREPORT_CACHE", str(folder))
    narrative._compiled.cache_clear()
    yield folder
    narrative._compiled.cache_clear()


@pytest.fixture
def report() -> Report:
    return Report(
        meta=Meta(id="x", title="示范", issuer="管委会", year=2023, date="2024-01-15"),
        indicators=[Indicator(id="output", label="产值", value=112.3, unit="亿元", previous=100)],
    )


def rendered(report: Report) -> list[object]:
    return [render(t, report, Locale("zh-CN")) for t in TEMPLATES]


def test_kept_code_renders_as_a_fresh_compile(
    report: Report, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = rendered(report)
    assert len(list(cache.glob("narrative-*.cache"))) == len(TEMPLATES)
    narrative._compiled.cache_clear()
    monkeypatch.setattr(narrative.NarrativeEnvironment, "compile", None)  # no compiling now
    assert rendered(report) == fresh


def test_a_failing_text_keeps_nothing(report: Report, cache: Path) -> None:
    for _ in range(2):
        with pytest.raises(NarrativeError, match="not allowed"):
            render("{% for x in ind %}{{ x }}{% endfor %}", report, Locale("zh-CN"))
        narrative._compiled.cache_clear()
    assert not list(cache.glob("narrative-*.cache"))


def test_a_changed_limit_compiles_again(
    report: Report, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = "{{ meta.year + 1 + 2 + 3 }}"
    render(deep, report, Locale("zh-CN"))
    narrative._compiled.cache_clear()
    monkeypatch.setattr(narrative, "MAX_TEMPLATE_DEPTH", 3)
    with pytest.raises(NarrativeError, match="nests more than 3 levels"):
        render(deep, report, Locale("zh-CN"))


def test_an_unwritable_cache_folder_is_no_error(report: Report, cache: Path) -> None:
    cache.write_text("a file where the folder should be")
    assert rendered(report) == rendered(report)
