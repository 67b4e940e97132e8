"""Write output files atomically: a temp file in the same folder, then ``os.replace``.

A reader (or a crash, or Ctrl-C) never sees a half-written DOCX or PDF: the old file stays
until the new one is complete.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from .errors import Location, OutputError


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so the file is either the old one or the complete new one."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(
            _why(exc), Location(str(path.parent)), "choose a writable folder with -o"
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(_why(exc), Location(str(path))) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "cannot write: the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "cannot write: permission denied"
    return f"cannot write: {exc.strerror or exc}"
