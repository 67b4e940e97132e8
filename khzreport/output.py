"""Write output files atomically: a temp file in the same folder, then ``os.replace``.

A reader (or a crash, or Ctrl-C) never sees a half-written DOCX or PDF: the old file stays
until the new one is complete. :func:`write_files_atomic` writes a set of files (the DOCX,
PDF and HTML of one build) so that a failure while writing any of them (a full disk) leaves
every earlier file as it was. :func:`output_lock` keeps two builds from writing into one
folder at the same time.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import Location, OutputError, display_path
from .resources import clean_stale_temp

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_HINT = "wait for it to finish, or write to another output folder"

_held: set[int] = set()
"""Descriptors of the output locks this process holds."""


def _drop_inherited_locks() -> None:
    """Close, in a forked child, the lock descriptors it inherited.

    ``flock`` belongs to the open file, which a fork shares: a child that outlived its
    parent (the chart drawer after ``kill -9`` of the build) would otherwise hold the
    output folder's lock for ever. Closing the child's copy leaves the lock to its taker.
    """
    for fd in list(_held):
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_inherited_locks)

_interrupted = False
"""Set by :func:`note_interrupt`: Ctrl-C arrived, even if the KeyboardInterrupt got lost."""


def note_interrupt(signum: int, frame: Any) -> None:
    """Handle SIGINT: remember it, then raise KeyboardInterrupt as Python's default does.

    A KeyboardInterrupt raised while a finaliser runs (a ``__del__``) is printed and
    dropped by the interpreter, and the build would go on to write its files; remembering
    the signal lets :func:`write_files_atomic` and the command line stop anyway.
    """
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def interrupted() -> bool:
    """Return whether Ctrl-C arrived while :func:`note_interrupt` was the handler."""
    return _interrupted


_STALE = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
"""Names of our temporary files (``.briefing.pdf.k3j_x9a2.tmp``, see :func:`_stage`)."""


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so the file is either the old one or the complete new one."""
    write_files_atomic([(Path(path), data)])


def write_files_atomic(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files so that each is either its old or its complete new version.

    Every file is first written in full to a temporary file next to it (and flushed to
    disk); only when all of them are written are they renamed into place. A failure while
    writing (disk full, permission denied) removes the temporary files and leaves every
    earlier output untouched.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            staged.append((_stage(Path(path), data), Path(path)))
        if _interrupted:
            raise KeyboardInterrupt
        while staged:
            tmp, path = staged[0]
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise OutputError(_why(exc), Location(display_path(path))) from None
            staged.pop(0)
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _stage(path: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``path``; return its name."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(
            _why(exc), Location(display_path(path.parent)), "choose a writable output folder"
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(
                _why(exc), Location(display_path(path)), "free some space or choose another folder"
            ) from None
        raise
    return tmp


@contextlib.contextmanager
def output_lock(folder: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock on an output folder while a build writes into it.

    The lock is ``flock`` on the folder itself (no lock file is left in it), taken without
    waiting: a second build into the same folder fails at once with an :class:`OutputError`
    instead of interleaving its files with the first one's. The folder is created if
    needed. Where folders cannot be locked (Windows, some network file systems) the build
    goes ahead unlocked.
    """
    path = Path(folder)
    where = Location(display_path(path))
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise OutputError(_why(exc), where, "choose a writable output folder") from None
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputError(
                    f"another build is writing to {display_path(path)}", where, LOCK_HINT
                ) from None
            except OSError:
                pass  # the file system cannot lock folders: go ahead without
            else:
                _held.add(fd)
                clean_stale_files(path)
                clean_stale_temp()
        yield
    finally:
        held = fd in _held
        _held.discard(fd)
        if held:
            clean_stale_temp()  # what this run's own workers left (they end without atexit)
        os.close(fd)  # closing releases the lock


def clean_stale_files(folder: Path) -> list[Path]:
    """Remove our temporary files left in ``folder`` by a build that was killed.

    Called with the folder's lock held, so no running build owns them. Only names
    :func:`_stage` makes are touched.
    """
    removed: list[Path] = []
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if _STALE.match(entry.name) and entry.is_file() and not entry.is_symlink():
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed.append(entry)
    return removed


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "cannot write: the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "cannot write: permission denied"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "cannot write: a file is in the way of the output folder"
    return f"cannot write: {exc.strerror or exc}"
