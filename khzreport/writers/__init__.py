"""Writers turn a resolved document into file bytes, one writer per format.

The registry and what the writers share live in :mod:`khzreport.writers.base`;
:func:`parse_formats` reads the formats a build or a batch of sheets is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..errors import Location, ValidationError
from .base import WRITERS, render, suffix, writer

__all__ = ["DEFAULT_FORMATS", "FORMATS", "WRITERS", "parse_formats", "render", "suffix", "writer"]

FORMATS: tuple[str, ...] = tuple(WRITERS)
"""Every format a briefing can be written in, in the order a build writes them."""

DEFAULT_FORMATS: tuple[str, ...] = ("docx", "pdf", "html")
"""The formats a build writes when none are named (OFD only when asked for)."""


def parse_formats(
    formats: str | Iterable[str] | None,
    allowed: Sequence[str] = FORMATS,
    *,
    what: str = "format",
) -> tuple[str, ...]:
    """Return the formats of ``"docx,pdf"`` or a list: lower-cased, each once, in the order given.

    ``None`` means the allowed formats among :data:`DEFAULT_FORMATS`. An unknown name, or
    nothing at all, raises a :class:`ValidationError` located at ``formats`` whose hint
    lists ``allowed``; ``what`` names the kind in the message (``"sheet format"`` for a
    batch of park sheets).
    """
    if formats is None:
        return tuple(f for f in allowed if f in DEFAULT_FORMATS)
    where = Location(path="formats")
    hint = "use one of: " + ", ".join(allowed)
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    out: list[str] = []
    for item in (i.strip().lower() for i in items):
        if not item:
            continue
        if item not in allowed:
            raise ValidationError(f"unknown {what} '{item}'", where, hint)
        if item not in out:
            out.append(item)
    if not out:
        raise ValidationError(f"no {what} given", where, hint)
    return tuple(out)
