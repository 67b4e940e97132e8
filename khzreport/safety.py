"""Keep a source inside its folder: no absolute paths, no ``..``, no symlinks out, no URLs."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import Location, ValidationError

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def confined_path(base: Path, relative: str, where: Location) -> Path:
    """Return ``base/relative`` resolved, refusing anything that leaves ``base``."""
    hint = "name a file inside the source's folder with a relative path"
    if _URL.match(relative) or relative.startswith("//"):
        raise ValidationError(f"URLs are not allowed, got {relative!r}", where, hint)
    path = Path(relative)
    if path.is_absolute() or re.match(r"^[A-Za-z]:[\\/]", relative):
        raise ValidationError(f"absolute paths are not allowed, got {relative!r}", where, hint)
    root = base.resolve()
    full = (root / path).resolve()
    if not full.is_relative_to(root):
        raise ValidationError(f"the path {relative!r} leads outside the source folder", where, hint)
    return full
