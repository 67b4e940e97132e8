"""Read a report source (YAML) into the model, keeping the file:line:column of every node.

A plain source is read by :mod:`~khzreport.source.yamlquick` (libyaml's parser); anything
it leaves — aliases, tags, duplicate keys, syntax errors — by
:mod:`~khzreport.source.yamlfull` (ruamel.yaml's round-trip loader, which records positions
and refuses duplicate keys). Both read YAML 1.2, so ``no`` and ``on`` stay text and ``017``
is not octal, and give the same plain Python containers and table of positions, keyed by
the path of each node (``("sections", 1, "blocks", 3)``). Validation errors from pydantic
are then mapped back to that table, and all of them are reported at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic

from ..errors import Location, ValidationError, display_path, raise_all
from ..limits import MAX_DEPTH, MAX_NODES, MAX_SOURCE_BYTES
from ..locations import SourceMap
from ..model import Report
from ..model.blocks import BLOCK_TYPES
from ..model.messages import pydantic_errors
from .datafiles import merge_data_files
from .references import check_references
from .yamlfile import read_yaml

__all__ = ["MAX_DEPTH", "MAX_NODES", "MAX_SOURCE_BYTES", "load", "read_yaml"]


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
        raise_all(pydantic_errors(exc, data, smap, Report, BLOCK_TYPES))
        raise  # unreachable: raise_all always raises for a non-empty list
    report._khz_source = smap
    return report
