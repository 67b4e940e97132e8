"""Cross-check a report: every id it refers to exists, and no id is defined twice."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import KhzReportError, Location, ValidationError
from ..locations import format_path
from ..model import (
    OUTLINE_LEVELS,
    Report,
)

if TYPE_CHECKING:
    from ..locations import PathKey, SourceMap


def _known(report: Report) -> dict[str, list[str]]:
    return {
        "indicator": [i.id for i in report.indicators],
        "chart": [c.id for c in report.charts],
        "figure": [f.id for f in report.figures],
        "quote": [q.id for q in report.quotes],
        "park": [p.id for p in report.parks],
        "section": [s.id for _, s, _ in report.outline()],
    }


def unknown_references(report: Report) -> list[PathKey]:
    """Return the paths of the references to ids the report does not define."""
    sets = {k: set(v) for k, v in _known(report).items()}
    return [path for path, kind, ident in _references(report) if ident not in sets[kind]]


def check_references(report: Report, smap: SourceMap | None) -> list[KhzReportError]:
    """Return an error for each unknown reference and each duplicated id."""
    known = _known(report)
    section_paths = [p for p, _, _ in report.outline()]
    errors: list[KhzReportError] = []

    def where(path: PathKey) -> Location:
        return smap.locate(path) if smap else Location(path=_fmt(path))

    for kind, ids in known.items():
        seen: dict[str, int] = {}
        plural = {
            "indicator": "indicators",
            "chart": "charts",
            "figure": "figures",
            "quote": "quotes",
            "park": "parks",
            "section": "sections",
        }[kind]
        for index, ident in enumerate(ids):
            if ident in seen:
                path: PathKey = (plural, index, "id")
                first = f"{plural}[{seen[ident]}]"
                if kind == "section":
                    path = (*section_paths[index], "id")
                    first = _fmt(section_paths[seen[ident]])
                errors.append(
                    ValidationError(
                        f"duplicate {kind} id '{ident}'", where(path), f"first defined as {first}"
                    )
                )
            else:
                seen[ident] = index
    for path, section, level in report.outline():
        if section.landscape and (path[0] != "appendices" or level != 1):
            errors.append(
                ValidationError(
                    "only an appendix can be set landscape",
                    where((*path, "landscape")),
                    "landscape pages start with the appendix's own page: move the wide table "
                    "into an appendix under 'appendices'",
                )
            )
        if level == OUTLINE_LEVELS + 1:
            errors.append(
                ValidationError(
                    f"a section nested {level} levels deep; the outline has {OUTLINE_LEVELS}",
                    where(path),
                    "chapter → （一） → 1. → （1）: move this section up a level or make its "
                    "content blocks of its parent",
                )
            )
    sets = {k: set(v) for k, v in known.items()}
    for path, kind, ident in _references(report):
        if ident not in sets[kind]:
            close = difflib.get_close_matches(ident, known[kind], n=1)
            errors.append(
                ValidationError(
                    f"unknown {kind} '{ident}'",
                    where(path),
                    f"did you mean '{close[0]}'?" if close else f"define it under '{kind}s'",
                )
            )
    return errors


def _references(report: Report) -> Iterator[tuple[PathKey, str, str]]:
    for i, ident in enumerate(report.kpis):
        yield ("kpis", i), "indicator", ident
    for i, h in enumerate(report.highlights):
        if h.figure:
            yield ("highlights", i, "figure"), "figure", h.figure
    for i, ind in enumerate(report.indicators):
        if ind.share_of:
            yield ("indicators", i, "share_of"), "indicator", ind.share_of
        if ind.parts_of:
            yield ("indicators", i, "parts_of"), "indicator", ind.parts_of
    for base, section, _ in report.outline():
        for j, block in enumerate(section.blocks):
            path = (*base, "blocks", j)
            for rel, kind, ident in block.references():
                yield (*path, *rel), kind, ident
    for i, chart in enumerate(report.charts):
        base = ("charts", i)
        for k, ident in enumerate(chart.indicators or []):
            yield (*base, "indicators", k), "indicator", ident
        if chart.indicator:
            yield (*base, "indicator"), "indicator", chart.indicator
        for s, series in enumerate(chart.series or []):
            if series.indicator:
                yield (*base, "series", s, "indicator"), "indicator", series.indicator
            for k, ident in enumerate(series.indicators or []):
                yield (*base, "series", s, "indicators", k), "indicator", ident
    for i, park in enumerate(report.parks):
        base = ("parks", i)
        if park.area:
            yield (*base, "area"), "indicator", park.area
        for k, ident in enumerate(park.indicators):
            yield (*base, "indicators", k), "indicator", ident
        if park.photo:
            yield (*base, "photo"), "figure", park.photo
        if park.chart:
            yield (*base, "chart"), "chart", park.chart


def _fmt(path: PathKey) -> str:
    return format_path(path)
