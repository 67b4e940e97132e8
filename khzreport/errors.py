"""Errors that carry the place in the source where they arose.

Every user-facing failure is a :class:`KhzReportError`. Its ``str()`` is one line in the
form compilers use, ``report.yaml:42:7: sections[1].blocks[3].indicator: unknown indicator
'gdp_2023' (did you mean 'gdp2023'?)``, so editors and terminals can jump to it. The CLI
maps these to exit code 2 and prints no traceback; anything else is an internal error.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A place in a source file: path, 1-based line and column, and the field path."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = ""

    def __str__(self) -> str:
        parts = []
        if self.file:
            head = self.file
            if self.line is not None:
                head += f":{self.line}"
                if self.column is not None:
                    head += f":{self.column}"
            parts.append(head)
        if self.path:
            parts.append(self.path)
        return ": ".join(parts)

    def with_path(self, path: str) -> Location:
        """Return this location naming another field path."""
        return Location(self.file, self.line, self.column, path)


def display_path(file: str | Path | None) -> str | None:
    """Return a file name as the user gave it, relative to the working folder if possible."""
    if file is None:
        return None
    return _shown(str(file), os.getcwd())


@functools.lru_cache(maxsize=256)
def _shown(file: str, cwd: str) -> str:
    # Every located message names its file: resolving the same two paths again for each
    # one cost ~20 ms of a validate. Keyed by the working folder, which the path depends on.
    p = Path(file)
    try:
        return str(p.resolve().relative_to(Path(cwd).resolve()))
    except ValueError:
        return str(p)


class KhzReportError(Exception):
    """Base of every error caused by the input (source, data, theme, fonts, output folder)."""

    exit_code = 2

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        self.message = message
        self.location = location
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Return ``file:line:col: field.path: message (hint)`` on one line."""
        text = self.message
        if self.hint:
            text += f" ({self.hint})"
        where = str(self.location) if self.location else ""
        return f"{where}: {text}" if where else text


class SourceError(KhzReportError):
    """The source file cannot be read or parsed (missing file, YAML syntax, duplicate key)."""


class ReportValidationError(KhzReportError, ValueError):
    """The source parsed, or the objects were built, but do not describe a valid report
    (types, fields, references). A ``ValueError`` too, as pydantic's own error is."""


ValidationError = ReportValidationError
"""The former name, kept for code that imports it; it clashes with pydantic's."""


class UnknownIdError(ReportValidationError, KeyError):
    """A lookup or a reference names an id the report does not define.

    A ``KeyError`` too, so code that caught the bare ``KeyError`` of earlier versions still
    does.
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return self.one_line()


class TemplateError(KhzReportError):
    """A narrative template is malformed, refers to unknown data or tries to leave the sandbox."""


class FontError(KhzReportError):
    """No usable font was found, or the fonts cannot show some characters (under --strict)."""


class OutputError(KhzReportError):
    """An output file could not be written."""


class ErrorGroup(KhzReportError):
    """Several errors found in one pass, reported together (one per line)."""

    def __init__(self, errors: Iterable[KhzReportError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.message, first.location, first.hint)

    def one_line(self) -> str:
        return self.errors[0].one_line()

    def __str__(self) -> str:
        return "\n".join(e.one_line() for e in self.errors)


def raise_all(errors: list[KhzReportError]) -> None:
    """Raise nothing, the single error, or an :class:`ErrorGroup` of all of them."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ErrorGroup(errors)
