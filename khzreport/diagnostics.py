"""Diagnostics: what a stage could not do, as objects that keep their place in the source.

Every stage (reading data files, resolving, drawing charts, each writer, a batch of sheets)
reports what it had to leave out or change through one :class:`Diagnostics` channel, as
:class:`Diagnostic` objects with a severity, a stable code, the source location, a message
and a hint. The CLI prints them, :class:`khzreport.api.BuildResult` and batch outcomes carry
them, and ``--strict`` turns the warnings into errors with their ``file:line:col`` intact.
No code parses a warning string.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from .errors import KhzReportError, Location, ValidationError, raise_all

Severity = Literal["warning", "info", "error"]

log = logging.getLogger("khzreport")


@dataclass(frozen=True)
class Diagnostic:
    """One thing a stage could not do as the source asked.

    ``code`` is a short stable name (``block-not-rendered``, ``missing-glyph``) that tests
    and scripts can match instead of the message text.
    """

    code: str
    message: str
    location: Location | None = None
    hint: str | None = None
    severity: Severity = "warning"

    def one_line(self) -> str:
        """Return ``file:line:col: field.path: message (hint)``, like an error."""
        text = self.message + (f" ({self.hint})" if self.hint else "")
        where = str(self.location) if self.location else ""
        return f"{where}: {text}" if where else text

    def __str__(self) -> str:
        return self.one_line()

    @classmethod
    def of_error(cls, exc: KhzReportError) -> Diagnostic:
        """Return an error as a diagnostic of severity ``error``, for results that carry
        errors alongside warnings (a batch's failed park) rather than raising them.

        Its code names the error's class: ``validation-error``, ``template-error`` ...
        """
        code = re.sub(r"(?<!^)(?=[A-Z])", "-", type(exc).__name__).lower()
        return cls(code, exc.message, exc.location, exc.hint, "error")

    def as_error(self) -> KhzReportError:
        """Return this diagnostic as the error ``--strict`` raises, keeping its location."""
        return ValidationError(self.message, self.location, self.hint)


@dataclass
class Diagnostics:
    """The one channel diagnostics travel in, from every stage to whoever asked for the work.

    ``warn`` records and logs (logger ``khzreport``) once; a diagnostic equal to one already
    recorded is not repeated, so the briefing and its sheets resolving the same text twice
    give one line.
    """

    items: list[Diagnostic] = field(default_factory=list)
    logs: bool = True
    """False for a channel whose diagnostics are handed on to another (which logs them)."""

    def warn(
        self,
        code: str,
        message: str,
        location: Location | None = None,
        hint: str | None = None,
    ) -> Diagnostic:
        """Record a warning and return it."""
        return self.add(Diagnostic(code, message, location, hint, "warning"))

    def info(self, code: str, message: str, location: Location | None = None) -> Diagnostic:
        """Record a note that is neither a problem nor an error under ``--strict``."""
        return self.add(Diagnostic(code, message, location, None, "info"))

    def add(self, diagnostic: Diagnostic) -> Diagnostic:
        """Record a diagnostic made elsewhere (logged once, not repeated)."""
        if diagnostic not in self.items:
            self.items.append(diagnostic)
            if self.logs:
                level = logging.WARNING if diagnostic.severity == "warning" else logging.INFO
                log.log(level, diagnostic.one_line())
        return diagnostic

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Record several diagnostics."""
        for d in diagnostics:
            self.add(d)

    def warnings(self) -> list[Diagnostic]:
        """Return the warnings (what ``--strict`` refuses)."""
        return [d for d in self.items if d.severity == "warning"]

    def raise_if_strict(self, strict: bool) -> None:
        """Under ``strict``, raise every warning as a located error."""
        if strict:
            raise_all([d.as_error() for d in self.warnings()])

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
