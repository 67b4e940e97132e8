"""Read a source that has schema errors as far as its valid parts allow.

``validate`` should report every error of a source in one run. Schema errors stop the model
from being built, so the reference check and the template binding would never see the rest of
the file: an editor would fix five planted errors in three runs. Here the parts pydantic
refuses are left out (an unknown or ill-typed field first, the whole list item when that is
not enough) until the rest validates; the report of what remains is then checked as usual.
Its paths are mapped back to the source, so every later error is located where it is written,
and errors that only follow from a part left out (a reference to an indicator whose entry was
dropped) are not reported twice.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pydantic

from ..errors import KhzReportError, Location
from ..locations import PathKey, SourceMap
from ..model import Report
from ..model.messages import existing_path
from .datafiles import merge_data_files
from .reader import read_yaml, validate
from .references import check_references, unknown_references

MAX_ROUNDS = 8


@dataclass
class PrunedSourceMap(SourceMap):
    """A source map for data with list items removed: paths are renumbered to the source's."""

    removed: list[tuple[PathKey, int]] = field(default_factory=list)
    """List items removed, in order, each as (path of the list, index at removal)."""

    def original(self, path: Iterable[str | int]) -> PathKey:
        """Return the source path of a path in the pruned data."""
        key = list(path)
        for list_path, index in reversed(self.removed):
            n = len(list_path)
            if len(key) > n and tuple(key[:n]) == list_path:
                at = key[n]
                if isinstance(at, int) and at >= index:
                    key[n] = at + 1
        return tuple(key)

    def locate(self, path: Iterable[str | int], data: Any = None) -> Location:
        return super().locate(self.original(path), data)

    def locate_in_text(
        self, path: PathKey, line_in_text: int, column: int | None = None
    ) -> Location:
        # SourceMap.locate_in_text locates through self.locate (renumbered already) and
        # looks the path up among the block scalars: that lookup needs the source's path.
        plain = SourceMap(**{f.name: getattr(self, f.name) for f in fields(SourceMap)})
        return plain.locate_in_text(self.original(path), line_in_text, column)


@dataclass
class PartialSource:
    """What could be read of a source: the errors so far and the report of its valid parts."""

    errors: list[KhzReportError]
    report: Report | None
    left_out: set[str] = field(default_factory=set)
    """Ids of the items (indicators, charts, sections ...) removed or changed to validate."""

    def follows_from_left_out(self, error: KhzReportError) -> bool:
        """True when an error names an item that was left out (not a problem of its own)."""
        return any(f"'{ident}'" in error.message for ident in self.left_out)


def read_partial(path: Path) -> PartialSource:
    """Read, validate and cross-check a source, going on past schema and reference errors.

    The report returned has no schema or reference error left, so its templates can be bound.
    A file that cannot be read or parsed, or whose errors leave nothing to check (a required
    ``meta`` field missing), yields its errors and no report.
    """
    try:
        data, smap = read_yaml(path)
        if isinstance(data, dict) and "data" in data:
            data = merge_data_files(data, smap)
    except KhzReportError as exc:
        return PartialSource(_listed(exc), None)
    errors: list[KhzReportError] = []
    try:
        report = validate(data, smap)
    except KhzReportError as exc:
        errors = _listed(exc)
        if not isinstance(data, dict):
            return PartialSource(errors, None)
    else:
        if not unknown_references(report):
            return PartialSource(check_references(report, smap), report)
    return _prune(data, smap, errors)


def _listed(exc: KhzReportError) -> list[KhzReportError]:
    return list(getattr(exc, "errors", [exc]))


def _prune(data: dict[str, Any], smap: SourceMap, errors: list[KhzReportError]) -> PartialSource:
    data = copy.deepcopy(data)
    pruned = PrunedSourceMap(**{f.name: getattr(smap, f.name) for f in fields(smap)})
    touched: set[PathKey] = set()
    source = PartialSource(errors, None)
    checked = False
    for _ in range(MAX_ROUNDS):
        try:
            report = Report.model_validate(data)
        except pydantic.ValidationError as exc:
            cuts = [
                _cut(err["loc"], err["type"] == "missing", data, touched) for err in exc.errors()
            ]
        else:
            report._khz_source = pruned
            if not checked:
                checked = True
                refs = check_references(report, pruned)
                source.errors += [e for e in refs if not source.follows_from_left_out(e)]
            cuts = [_cut(p, False, data, touched) for p in unknown_references(report)]
            if not cuts:
                source.report = report
                return source
        if any(cut is None for cut in cuts):
            return source
        for cut in sorted({c for c in cuts if c is not None}, reverse=True):
            _apply(cut, data, pruned, touched, source.left_out)
    return source


def _cut(loc: Iterable[Any], missing: bool, data: Any, touched: set[PathKey]) -> PathKey | None:
    """Return the path to remove for one error: the field itself, else the list item holding
    it (None: nothing can be removed, e.g. a required ``meta`` field is missing)."""
    path = existing_path(loc, data)
    if not missing and path not in touched and len(path) > 0:
        return path
    for n in range(len(path), 0, -1):
        if isinstance(path[n - 1], int):
            return path[:n]
    return None


def _apply(
    cut: PathKey, data: Any, smap: PrunedSourceMap, touched: set[PathKey], left_out: set[str]
) -> None:
    parent = data
    for part in cut[:-1]:
        parent = parent[part]
    for n in range(len(cut), 0, -1):
        if isinstance(cut[n - 1], int):
            item = _at(data, cut[:n])
            if isinstance(item, dict) and "id" in item:
                left_out.add(str(item["id"]))
            break
    key = cut[-1]
    if isinstance(parent, list) and isinstance(key, int):
        del parent[key]
        smap.removed.append((cut[:-1], key))
    elif isinstance(parent, dict):
        parent.pop(key, None)
        touched.add(cut)


def _at(data: Any, path: PathKey) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node
