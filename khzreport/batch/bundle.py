"""A report packed with its files as bytes, so a worker needs no shared filesystem.

A worker on another machine (a Dask cluster) or in another working folder cannot read the
caller's source folder, which may even be gone by the time the task runs. The parent packs
what rendering reads from disk: the photos the figures name, the data files the source
lists (their values are already in the report; they are shipped so the worker's copy of
the folder is whole), and the theme's font files. A worker writes them once per process
into a temporary folder and renders a copy of the report whose source folder is that one;
located errors still name the caller's source file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.util import Finalize
from pathlib import Path, PurePosixPath

from ..errors import KhzReportError, display_path
from ..locations import source_map
from ..model import Report
from ..resources import temp_folder
from ..source.assets import confined_path
from ..source.reader import read_yaml
from ..theme import Theme

SOURCE = "source"
FONTS = "fonts"


@dataclass(frozen=True)
class ReportBundle:
    """A report, its theme and the files they read, as plain picklable data."""

    report: Report
    theme: Theme
    source_name: str | None
    """The source file's name (its folder is rebuilt around it), None for a report in code."""
    shown: str | None
    """The source file as the caller's errors name it."""
    files: Mapping[str, bytes] = field(default_factory=dict)
    """Files of the source folder by relative POSIX path."""
    fonts: tuple[tuple[str, bytes], ...] = ()
    """The theme's font files, in ``fonts.files`` order, by file name."""
    identity: str = ""
    """A digest of everything above, taken once by :func:`pack`: what a worker keeps an
    unpacked copy under (two reports in code share their files' key, never this)."""

    @property
    def key(self) -> str:
        """Return a digest of the files, naming the folder a worker writes them into."""
        digest = hashlib.sha256()
        for name, data in [*sorted(self.files.items()), *self.fonts]:
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()[:16]


def pack(report: Report, theme: Theme) -> ReportBundle:
    """Return ``report`` and ``theme`` with the bytes of every file they read from disk.

    A file that is missing or leaves the folder is left out: the worker reports it at its
    field, as a build in this process would.
    """
    smap = source_map(report)
    files: dict[str, bytes] = {}
    if smap is not None:
        names: list[object] = [f.image for f in report.figures if f.image]
        names += [d.get("file") for d in _data_entries(smap.file)]
        for name in names:
            if not isinstance(name, str) or name in files:
                continue
            with contextlib.suppress(KhzReportError, OSError):
                path = confined_path(smap.folder, name, smap.locate(()))
                files[PurePosixPath(Path(name)).as_posix()] = path.read_bytes()
    fonts = []
    base = Path(theme.base_dir) if theme.base_dir else Path.cwd()
    for k, name in enumerate(theme.fonts.files):
        path = Path(name).expanduser()
        path = path if path.is_absolute() else base / path
        with contextlib.suppress(OSError):
            fonts.append((f"{k}-{path.name}", path.read_bytes()))
    bundle = ReportBundle(
        report,
        theme,
        smap.file.name if smap else None,
        display_path(smap.file) if smap else None,
        files,
        tuple(fonts),
    )
    identity = hashlib.sha256()
    for part in (
        report.model_dump_json(),
        theme.model_dump_json(),
        repr((bundle.source_name, bundle.shown)),
        bundle.key,
    ):
        identity.update(part.encode() + b"\0")
    return dataclasses.replace(bundle, identity=identity.hexdigest())


def _data_entries(source: Path) -> list[dict[str, object]]:
    """Return the ``data:`` entries of a source file (the model keeps only their values)."""
    try:
        data, _ = read_yaml(source)
    except (KhzReportError, OSError):
        return []
    entries = data.get("data") if isinstance(data, dict) else None
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


_folders: dict[str, Path] = {}
_folders_lock = threading.Lock()


_unpacked: dict[str, tuple[Report, Theme]] = {}
UNPACKED_MOST = 4
"""Bundles a worker keeps unpacked; a batch sends one, a long-lived pool may see a few."""


def unpack(bundle: ReportBundle) -> tuple[Report, Theme]:
    """Return the bundle's report and theme reading their files from this process's copy.

    Every task carries the bundle, so a worker unpickles a new copy of the report per park;
    the first copy unpacked for a bundle's key is kept and given back for the rest. A new
    copy per park would cost its unpacking each time and keep the worker's memory growing
    with the number of sheets it renders (0.7 MB a sheet for a zone of 300 parks).
    """
    key = bundle.identity
    if not key:  # a bundle made by hand, without pack(): nothing safe to key it by
        return _unpack(bundle)
    with _folders_lock:
        hit = _unpacked.get(key)
    if hit is not None:
        return hit
    unpacked = _unpack(bundle)
    with _folders_lock:
        while len(_unpacked) >= UNPACKED_MOST:
            _unpacked.pop(next(iter(_unpacked)))
        return _unpacked.setdefault(key, unpacked)


def _unpack(bundle: ReportBundle) -> tuple[Report, Theme]:
    folder = _folder(bundle)
    report, theme = bundle.report, bundle.theme
    smap = source_map(report)
    if smap is not None and bundle.source_name is not None:
        report = report.model_copy()
        file = folder / SOURCE / bundle.source_name
        report._khz_source = dataclasses.replace(smap, file=file, display=bundle.shown)
    if bundle.fonts:
        files = [str(folder / FONTS / name) for name, _ in bundle.fonts]
        fonts = theme.fonts.model_copy(update={"files": files})
        theme = theme.model_copy(update={"fonts": fonts, "base_dir": str(folder / FONTS)})
    return report, theme


def _folder(bundle: ReportBundle) -> Path:
    """Write the bundle's files once per process; return the folder holding them."""
    key = bundle.key
    with _folders_lock:
        hit = _folders.get(key)
        if hit is not None and hit.is_dir():
            return hit
        folder = Path(temp_folder("khzbundle-"))
        Finalize(None, shutil.rmtree, args=(folder, True), exitpriority=-100)
        for name, data in bundle.files.items():
            path = folder / SOURCE / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        (folder / SOURCE).mkdir(exist_ok=True)
        (folder / FONTS).mkdir()
        for name, data in bundle.fonts:
            (folder / FONTS / name).write_bytes(data)
        os.chmod(folder, 0o700)
        _folders[key] = folder
        return folder
