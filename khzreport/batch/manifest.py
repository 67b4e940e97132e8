"""``manifest.json``: what a batch wrote, and what ``resume`` may keep from an earlier run.

The manifest lists every park of the report in source order with its status (``ok``,
``failed``, or ``skipped`` when it was not built and has no earlier output), its outputs
(file, format, sha256, size, pages), its errors and its diagnostics. It has sorted keys and
no timestamps, so the same source gives the same manifest. ``inputs`` is a hash of the
source text, khzreport version and language; ``resume`` trusts an ``ok`` entry only when
that hash matches and its files still have the recorded sha256.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal, TextIO

from ..diagnostics import Diagnostic
from ..errors import Location, display_path
from ..model import Report
from ..output import write_atomic
from ..theme import Theme

MANIFEST = "manifest.json"
"""Name of the manifest in the output folder."""
BOOKLET = "parks-booklet.pdf"
"""Name of the booklet of all sheet PDFs (``booklet=True``)."""
JOURNAL = ".manifest.journal"
"""The manifest's journal in the output folder: a park's entry is appended as soon as its
files are written, so a run that dies before its manifest (``kill -9``, a full disk) still
tells ``resume`` which sheets are done. Writing the manifest removes it."""

Status = Literal["ok", "failed", "skipped"]

_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


@dataclass(frozen=True)
class SheetOutput:
    """One file written for a park."""

    format: str
    path: Path
    sha256: str
    size: int
    pages: int | None = None


@dataclass
class SheetOutcome:
    """What became of one park in a batch: status, files, located errors and diagnostics."""

    park: str
    name: str
    status: Status
    outputs: dict[str, SheetOutput] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)
    """Why the park failed, each of severity ``error``; ``str()`` is its located line."""
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    attempts: int = 0


def output_stems(ids: Sequence[str]) -> dict[str, str]:
    """Return a file stem for each park id, safe on every OS and stable across runs.

    Characters outside ``[A-Za-z0-9_-]`` become ``_``; Windows device names (``CON``,
    ``PRN``, ``AUX``, ``NUL``, ``COM1``-``COM9``, ``LPT1``-``LPT9``) get a trailing ``_``;
    ids equal but for case (one folder on Windows and macOS) get ``-2``, ``-3`` … in source
    order.
    """
    stems: dict[str, str] = {}
    used = {Path(MANIFEST).stem, Path(BOOKLET).stem}
    for ident in ids:
        base = re.sub(r"[^A-Za-z0-9_-]", "_", ident) or "park"
        if base.upper() in _RESERVED:
            base += "_"
        stem, n = base, 2
        while stem.lower() in used:
            stem, n = f"{base}-{n}", n + 1
        used.add(stem.lower())
        stems[ident] = stem
    return stems


def version() -> str:
    """Return the installed khzreport version (``0`` when run from a plain checkout)."""
    try:
        return metadata.version("khzreport")
    except metadata.PackageNotFoundError:
        return "0"


def sha256(data: bytes) -> str:
    """Return the hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str | None:
    """Return the hex sha256 of a file, or None when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def fingerprint(report: Report, theme: Theme, files: Mapping[str, bytes], edition: str) -> str:
    """Return the hash of what a batch's sheets are made from, so ``resume`` keeps only
    sheets of the same inputs: the report's content as held (changed in memory, or with
    new rows in a data file, it differs from the source file's text), the theme, the bytes
    of the files they read (photos, fonts), the version and the language."""
    h = hashlib.sha256()
    h.update(f"khzreport {version()}\0{edition}\0".encode())
    h.update(report.model_dump_json().encode())
    h.update(theme.model_dump_json(exclude={"base_dir"}).encode())
    for name, data in sorted(files.items()):
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def previous_entries(
    outdir: Path, inputs: str, resume: bool
) -> tuple[dict[str, dict[str, Any]], list[Diagnostic]]:
    """Return an earlier manifest's park entries if made from the same ``inputs``.

    Also return why an existing manifest was not used (unreadable, or, under ``resume``,
    made from other inputs).
    """
    path = outdir / MANIFEST
    journal = read_journal(outdir, inputs)
    if not path.is_file():
        return journal, []
    where = Location(file=display_path(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = {e["park"]: e for e in data["parks"]}
    except (OSError, ValueError, KeyError, TypeError):
        notes = [Diagnostic("manifest-unreadable", "unreadable manifest ignored", where)]
        return journal, notes
    if data.get("inputs") != inputs:
        if journal:
            return journal, []
        if resume:
            return {}, [
                Diagnostic(
                    "inputs-changed",
                    "the source, language or khzreport version changed since the last run; "
                    "rebuilding every sheet",
                    where,
                )
            ]
        return {}, []
    return {**entries, **journal}, []


def read_journal(outdir: Path, inputs: str) -> dict[str, dict[str, Any]]:
    """Return the park entries a run from the same ``inputs`` journaled (see :data:`JOURNAL`).

    A line cut short by a kill is skipped; each entry is still checked against its files'
    sha256 before a sheet is kept.
    """
    try:
        lines = (outdir / JOURNAL).read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return {}
    entries: dict[str, dict[str, Any]] = {}
    for n, line in enumerate(lines):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if n == 0:
            if not isinstance(data, dict) or data.get("inputs") != inputs:
                return {}
        elif isinstance(data, dict) and isinstance(data.get("park"), str):
            entries[data["park"]] = data
    return entries


class Journal:
    """Append-only record of the parks finished in this run (see :data:`JOURNAL`)."""

    def __init__(self, outdir: Path, inputs: str) -> None:
        self.path = outdir / JOURNAL
        self.inputs = inputs
        self._file: TextIO | None = None

    def record(self, entry: Mapping[str, Any]) -> None:
        """Append a park's entry, handed to the system before the next park is reported.

        It outlives this process (``kill -9``) at once. It is not synced to the disk itself:
        after a power cut the last lines may be missing, which only rebuilds those sheets,
        and an entry whose files did not reach the disk fails its sha256 check on resume.
        Syncing every line cost the batch a few ms a sheet of waiting for the disk.
        """
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keep = bool(read_journal(self.path.parent, self.inputs))
            self._file = open(self.path, "a" if keep else "w", encoding="utf-8")  # noqa: SIM115
            if not keep:
                self._file.write(json.dumps({"inputs": self.inputs}) + "\n")
        self._file.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the journal file (before the manifest that replaces it is written)."""
        if self._file is not None:
            with contextlib.suppress(OSError):  # every line was flushed as it was written
                self._file.close()
            self._file = None


def intact_outcome(
    entry: Mapping[str, Any] | None, paths: Mapping[str, Path]
) -> SheetOutcome | None:
    """Return an earlier ``ok`` outcome whose files (``paths`` by format) are as recorded."""
    if not entry or entry.get("status") != "ok":
        return None
    recorded = {o.get("format"): o for o in entry.get("outputs", [])}
    outputs: dict[str, SheetOutput] = {}
    for fmt, expected in paths.items():
        item = recorded.get(fmt)
        if not item:
            return None
        path = expected.parent / str(item.get("file"))
        if path.name != expected.name or file_sha256(path) != item.get("sha256"):
            return None
        outputs[fmt] = SheetOutput(
            fmt, path, str(item["sha256"]), int(item["size"]), item.get("pages")
        )
    try:
        warnings = [diagnostic_from_json(d) for d in entry.get("warnings", [])]
    except (KeyError, TypeError, ValueError):
        return None
    return SheetOutcome(
        str(entry["park"]),
        str(entry.get("name", entry["park"])),
        "skipped",
        outputs,
        warnings=warnings,
    )


def entry_of(park: str, name: str, outcome: SheetOutcome | None) -> dict[str, Any]:
    """Return a park's manifest entry (``skipped`` and empty when it has no outcome)."""
    if outcome is None:
        return {
            "park": park,
            "name": name,
            "status": "skipped",
            "outputs": [],
            "errors": [],
            "warnings": [],
        }
    return {
        "park": park,
        "name": outcome.name,
        "status": "ok" if outcome.status == "skipped" else outcome.status,
        "outputs": [
            {
                "format": o.format,
                "file": o.path.name,
                "sha256": o.sha256,
                "size": o.size,
                **({"pages": o.pages} if o.pages is not None else {}),
            }
            for o in outcome.outputs.values()
        ],
        "errors": [e.one_line() for e in outcome.errors],
        "warnings": [diagnostic_to_json(d) for d in outcome.warnings],
    }


def write_manifest(
    outdir: Path,
    report: Report,
    source_file: Path | None,
    inputs: str,
    edition: str,
    formats: Sequence[str],
    entries: Sequence[dict[str, Any]],
    booklet: Path | None,
) -> Path:
    """Write ``manifest.json`` atomically and return its path."""
    booklet_entry = None
    if booklet is not None:
        data = booklet.read_bytes()
        booklet_entry = {"file": booklet.name, "sha256": sha256(data), "size": len(data)}
    manifest = {
        "generator": f"khzreport {version()}",
        "source": source_file.name if source_file else None,
        "inputs": inputs,
        "report": report.meta.id,
        "language": edition,
        "formats": list(formats),
        "parks": list(entries),
        "booklet": booklet_entry,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path = outdir / MANIFEST
    write_atomic(path, text.encode("utf-8"))
    with contextlib.suppress(FileNotFoundError):
        (outdir / JOURNAL).unlink()  # the manifest now holds what it recorded
    return path


def diagnostic_to_json(d: Diagnostic) -> dict[str, Any]:
    """Return a diagnostic as manifest data: its fields, and its one-line text for readers."""
    loc = d.location
    return {
        "code": d.code,
        "severity": d.severity,
        "message": d.message,
        "hint": d.hint,
        "location": None
        if loc is None
        else {"file": loc.file, "line": loc.line, "column": loc.column, "path": loc.path},
        "text": d.one_line(),
    }


def diagnostic_from_json(data: Mapping[str, Any]) -> Diagnostic:
    """Return the diagnostic an earlier manifest recorded with :func:`diagnostic_to_json`."""
    loc = data.get("location")
    location = (
        None
        if loc is None
        else Location(loc.get("file"), loc.get("line"), loc.get("column"), loc.get("path", ""))
    )
    severity = data.get("severity", "warning")
    if severity not in ("warning", "info"):
        raise ValueError(severity)
    return Diagnostic(str(data["code"]), str(data["message"]), location, data.get("hint"), severity)
