"""Where things are in a source: field paths and the file:line:column of every node.

The ground floor of the package: every stage, from the YAML reader to the writers, locates
what it reports through a :class:`SourceMap`, so this module imports nothing of khzreport but
its errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Location, display_path

PathKey = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Positions of the nodes of one source file, by field path."""

    file: Path
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    block_scalars: set[PathKey] = field(default_factory=set)
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    elsewhere: dict[PathKey, Location] = field(default_factory=dict)
    """Nodes that came from another file (spreadsheet cells), by field path."""
    notes: list[Any] = field(default_factory=list)
    """Warnings found while reading (``Diagnostic``), passed on to every build's channel."""
    display: str | None = None
    """The file as errors name it, when ``file`` is a worker's copy of the caller's source."""

    @property
    def folder(self) -> Path:
        """Return the folder that relative paths in the source are resolved against."""
        return self.file.parent

    def locate(self, path: Iterable[str | int], data: Any = None) -> Location:
        """Return the location of the deepest node of ``path`` that exists in the source."""
        key = tuple(path)
        shown = format_path(key)
        for n in range(len(key), -1, -1):
            other = self.elsewhere.get(key[:n])
            if other is not None:
                return other.with_path(shown)
            pos = self.positions.get(key[:n])
            if pos is not None:
                return Location(self.display or display_path(self.file), pos[0], pos[1], shown)
        return Location(self.display or display_path(self.file), None, None, shown)

    def locate_in_text(
        self, path: PathKey, line_in_text: int, column: int | None = None
    ) -> Location:
        """Return the location of a line inside a text value (for template errors)."""
        loc = self.locate(path)
        if loc.line is None:
            return loc
        if path in self.block_scalars:
            return Location(loc.file, loc.line + line_in_text, column, loc.path)
        return Location(loc.file, loc.line + line_in_text - 1, loc.column, loc.path)


def format_path(path: Iterable[str | int]) -> str:
    """Return ``sections[1].blocks[3].chart`` for ``("sections", 1, "blocks", 3, "chart")``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def source_map(report: Any) -> SourceMap | None:
    """Return the positions of the source a report was loaded from (None if built in code)."""
    return getattr(report, "_khz_source", None)
