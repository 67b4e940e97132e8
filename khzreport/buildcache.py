"""Keep what a build wrote, keyed by the content of everything it read, and give it back.

Editing is a loop of builds, and most of them follow a save that changed nothing the
briefing shows (or nothing at all). A build of a source file records a *manifest*: the
content hash of every file it read (the source, its data files, its theme file and the
theme's fonts, its photos: everything that passes :func:`~khzreport.source.assets.confined_path`,
missing ones included), the outputs it wrote (kept in the cache folder by their hash) and the
warnings it had. The manifest is filed under a key of everything else that shapes the
outputs: the options, the working folder (locations print relative to it), khzreport's own
code, templates and presets (hashed), the versions of the libraries that write the formats,
the environment variables khzreport and fontconfig read, and the state of the installed
fonts (each font folder's modification time).

The next build with the same key whose inputs all hash the same writes the kept outputs
(only those that differ from what is on disk) and reports the kept warnings: byte for byte
what the build would have written, without loading the model, the charts or any writer.
A failed build (an error, or a warning under ``--strict``) records nothing.

``validate`` and ``lint`` are remembered the same way, under options of their own: a check
that passed keeps its warnings and its summary line, and checking the unchanged source again
gives them back without importing pydantic or the model (a third of a second that no check
can undercut).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic
from .errors import Location, OutputError
from .output import output_lock, write_atomic, write_files_atomic
from .resources import FONTCONFIG_ENV, cache_dir, data_root

__all__ = [
    "cached_outputs",
    "checked_before",
    "note_input",
    "options_of",
    "recording_inputs",
    "store",
]

FORMAT_VERSION = 1
"""Bump when the manifest's layout changes."""

_FOLDER = "builds"
MAX_MANIFESTS = 32
"""Builds remembered (sources times option sets); older ones are forgotten."""
_LIBRARIES = ("docx", "typst", "matplotlib", "PIL", "lxml", "pptx", "xlsxwriter", "fontTools")
"""Libraries whose version changes the bytes of an output (found by file, never imported)."""
_ENVIRONMENT = ("KHZREPORT_FONT_DIRS", "SOURCE_DATE_EPOCH", *FONTCONFIG_ENV)

_inputs: ContextVar[set[Path] | None] = ContextVar("khzreport_build_inputs", default=None)


@contextlib.contextmanager
def recording_inputs() -> Iterator[set[Path]]:
    """Collect, until the block ends, every file the work in it reads (see :func:`note_input`)."""
    found: set[Path] = set()
    token = _inputs.set(found)
    try:
        yield found
    finally:
        _inputs.reset(token)


def note_input(path: Path) -> None:
    """Note that the work being recorded reads ``path`` (or would, were it there)."""
    found = _inputs.get()
    if found is not None:
        found.add(Path(path))


def options_of(
    outdir: str | os.PathLike[str] | None,
    formats: str | Sequence[str] | None,
    **choices: Any,
) -> dict[str, Any]:
    """Return a build's options as the key takes them: as given, not yet checked (an
    option the build refuses never has a manifest, so the build runs and says why)."""
    given = {"outdir": outdir, "formats": formats, **choices}
    return {
        name: (
            os.fspath(value)
            if isinstance(value, os.PathLike)
            else list(value)
            if isinstance(value, list | tuple)
            else value
        )
        for name, value in given.items()
    }


def build_key(source: Path, options: Mapping[str, Any]) -> str:
    """Return the key of a build of ``source``: everything but the files it reads."""
    payload = {
        "format": FORMAT_VERSION,
        "source": str(source.resolve()),
        "cwd": os.getcwd(),
        "options": options,
        "code": _code_fingerprint(),
        "libraries": _library_fingerprint(),
        "python": sys.version,
        "environment": {name: os.environ.get(name) for name in _ENVIRONMENT},
        "fonts": _font_state(),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8", "surrogateescape")).hexdigest()


def cached_outputs(
    source: Path, options: Mapping[str, Any]
) -> tuple[list[Path], list[Diagnostic]] | None:
    """Write the kept outputs of an unchanged build; return them and its warnings, or None.

    None means the build must run: no manifest under this key, an input changed, or a
    kept output is gone. Outputs already on disk with the same bytes are left untouched.
    """
    folder = _folder()
    manifest = _unchanged(source, options)
    if manifest is None:
        return None
    try:
        outputs: list[list[str]] = manifest["outputs"]
        kept_diagnostics: list[dict[str, Any]] = manifest["diagnostics"]
        files: list[tuple[Path, str]] = [(Path(name), digest) for name, digest in outputs]
    except (KeyError, TypeError, ValueError):
        return None
    writes: list[tuple[Path, bytes]] = []
    for path, digest in files:
        if _digest(path) == digest:
            continue
        try:
            data = (folder / digest).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != digest:
            return None
        writes.append((path, data))
    if writes:
        with output_lock(files[0][0].parent):
            write_files_atomic(writes)
    return [path for path, _ in files], [_diagnostic(d) for d in kept_diagnostics]


def checked_before(source: Path, options: Mapping[str, Any]) -> tuple[str, list[Diagnostic]] | None:
    """Return the summary and warnings of a check (``validate``, ``lint``) of an unchanged
    source that passed, or None when it must run: :func:`cached_outputs`' test, no outputs."""
    manifest = _unchanged(source, options)
    if manifest is None:
        return None
    try:
        summary = manifest["summary"]
        kept = [_diagnostic(d) for d in manifest["diagnostics"]]
    except (KeyError, TypeError, ValueError):
        return None
    return (summary, kept) if isinstance(summary, str) else None


def _unchanged(source: Path, options: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the manifest filed under the key of ``source`` and ``options`` if every input
    it lists still hashes the same, else None."""
    try:
        manifest = json.loads((_folder() / f"{build_key(source, options)}.json").read_text("utf-8"))
        inputs: dict[str, str | None] = manifest["inputs"]
        if any(_digest(Path(name)) != digest for name, digest in inputs.items()):
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return manifest if isinstance(manifest, dict) else None


def store(
    source: Path,
    options: Mapping[str, Any],
    inputs: set[Path],
    outputs: Sequence[tuple[Path, bytes]],
    diagnostics: Sequence[Diagnostic],
    summary: str | None = None,
) -> None:
    """Record a finished build, or a passed check with its ``summary`` line (see the module
    docstring); a cache that cannot be written only means the next one runs in full."""
    folder = _folder()
    listed = {str(p): _digest(p) for p in sorted({source.resolve(), *inputs})}
    manifest: dict[str, Any] = {
        "inputs": listed,
        "outputs": [[str(path), hashlib.sha256(data).hexdigest()] for path, data in outputs],
        "diagnostics": [asdict(d) for d in diagnostics],
    }
    if summary is not None:
        manifest["summary"] = summary
    with contextlib.suppress(OutputError, OSError):
        for _, data in outputs:
            kept = folder / hashlib.sha256(data).hexdigest()
            if not kept.is_file():
                write_atomic(kept, data)
        text = json.dumps(manifest, ensure_ascii=False, indent=1)
        write_atomic(folder / f"{build_key(source, options)}.json", text.encode("utf-8"))
        _prune(folder)


def _prune(folder: Path) -> None:
    """Keep the newest :data:`MAX_MANIFESTS` manifests and only the outputs they name.

    A manifest is replaced by every build whose inputs changed, so the outputs of the
    replaced one are removed here rather than kept forever.
    """
    manifests = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in manifests[MAX_MANIFESTS:]:
        old.unlink(missing_ok=True)
    named: set[str] = set()
    for manifest in manifests[:MAX_MANIFESTS]:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            named.update(d for _, d in json.loads(manifest.read_text("utf-8"))["outputs"])
    for kept in folder.iterdir():
        if kept.suffix != ".json" and kept.name not in named and len(kept.name) == 64:
            kept.unlink(missing_ok=True)


def _folder() -> Path:
    return cache_dir() / _FOLDER


def _diagnostic(data: Mapping[str, Any]) -> Diagnostic:
    where = data.get("location")
    return Diagnostic(
        code=data["code"],
        message=data["message"],
        location=Location(**where) if isinstance(where, dict) else None,
        hint=data.get("hint"),
        severity=data.get("severity", "warning"),
    )


def _digest(path: Path) -> str | None:
    """Return the SHA-256 of a file's bytes, or None if it is not a readable file."""
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


@cache
def _code_fingerprint() -> str:
    """Return a hash of khzreport's own code, templates and presets (edited in a checkout
    without a new version number, so the version alone would not do)."""
    digest = hashlib.sha256()
    roots = [Path(__file__).parent, data_root() / "templates", data_root() / "assets"]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            digest.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape"))
            digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _library_fingerprint() -> dict[str, str]:
    """Return the size and time of each output library's top file (an upgrade changes it)."""
    found: dict[str, str] = {}
    for name in _LIBRARIES:
        spec = None
        with contextlib.suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            info = os.stat(origin) if origin else None
        except OSError:
            info = None
        found[name] = f"{origin}:{info.st_size}:{info.st_mtime_ns}" if info else "absent"
    return found


def _font_state() -> list[str]:
    """Return the modification time of every font folder and fontconfig file.

    Installing or removing a font changes its folder's time, and a font khzreport picks by
    name (for the charts, Typst and Word) may then be another file.
    """
    home = Path.home()
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    roots = [
        "/usr/share/fonts",
        "/usr/local/share/fonts",
        str(home / ".fonts"),
        str(data / "fonts"),
    ]
    roots += [p for p in os.environ.get("KHZREPORT_FONT_DIRS", "").split(os.pathsep) if p]
    state: list[str] = []
    for root in roots:
        for folder, _, _ in os.walk(root):
            state.append(f"{folder}:{_mtime(folder)}")
    for place in ("/etc/fonts", "/etc/fonts/conf.d", str(config / "fontconfig")):
        state.append(f"{place}:{_mtime(place)}")
        with contextlib.suppress(OSError):
            for item in sorted(os.scandir(place), key=lambda e: e.name):
                state.append(f"{item.path}:{_mtime(item.path)}")
    return state


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1
