"""Read a YAML file into plain containers and the position of every node, within limits.

Apart from :mod:`.reader` (which turns what this reads into the model): the build's table
reader (:mod:`khzreport.drawer`) reads a source's data files without loading pydantic and
the model.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from ..errors import Location, SourceError, display_path
from ..limits import MAX_DEPTH, MAX_NODES, MAX_SOURCE_BYTES
from ..locations import SourceMap
from .assets import UNPRINTABLE
from .yamlquick import quick_tree

__all__ = ["MAX_DEPTH", "MAX_NODES", "MAX_SOURCE_BYTES", "read_yaml"]


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
