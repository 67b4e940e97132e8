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

import stat
from pathlib import Path
from typing import Any

import pydantic

from ..errors import Location, SourceError, ValidationError, display_path, raise_all
from ..limits import MAX_DEPTH, MAX_NODES, MAX_SOURCE_BYTES
from ..locations import SourceMap
from ..model import Report
from ..model.blocks import BLOCK_TYPES
from ..model.messages import pydantic_errors
from .assets import UNPRINTABLE
from .datafiles import merge_data_files
from .references import check_references
from .yamlquick import quick_tree

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
            Location(display_path(file), line, column, _shown_path(shown, line, column)),
            "save it as UTF-8",
        ) from None
    quick = quick_tree(text, UNPRINTABLE, MAX_NODES, MAX_DEPTH)
    if quick is not None:
        smap.positions = quick.positions
        smap.key_positions = quick.key_positions
        smap.block_scalars = quick.block_scalars
        return quick.data, smap
    from . import yamlfull  # ruamel.yaml loads only for what the quick reader leaves to it

    return yamlfull.read_full(text, file, smap, MAX_NODES, MAX_DEPTH), smap


def _shown_path(text: str, line: int, column: int) -> str:
    from . import yamlfull  # ruamel.yaml loads only to locate this error

    return yamlfull.path_near(text, line, column)


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
