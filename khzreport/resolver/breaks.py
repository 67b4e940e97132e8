"""Long strings never run off the page: break opportunities in long words, short KPI labels.

Chinese text breaks between any two characters, Latin text at spaces. A string with no space
— a URL, a file name, a code, or a mistake such as ``AAAA…`` five thousand times — has no
place to break: Typst would set it on one line past the page edge, a table cell or KPI card
would spill into its neighbours. So once, for every writer, each run of unbreakable
characters longer than the place it stands in can take — :data:`NARROW_WORD` in a table
cell, a KPI card or a tag, :data:`WIDE_WORD` in running text, a heading or a caption — gets
a zero-width space (U+200B, a break opportunity that prints nothing in Typst, Word,
LibreOffice and browsers) every :data:`BREAK_EVERY` characters, and a word wider than a
line is reported with its place. Shorter words (a URL in a paragraph) are left whole, so
they copy as written.
A KPI card's label, qualifier or unit longer than :data:`KPI_LABEL_EMS` and a table cell
longer than :data:`TABLE_CELL_LINES` lines of its column are cut with an ellipsis, with a
located warning, as a chart's labels are: a card has no room for a paragraph, and a table
row must fit a page.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic
from ..document import (
    Attachments,
    Callout,
    Cover,
    Distribution,
    Facts,
    Figure,
    Heading,
    KpiCard,
    KpiPanel,
    Masthead,
    Paragraph,
    Quote,
    Run,
    Signature,
    Table,
    Tags,
    Timeline,
    TimelineEvent,
    Toc,
    TocEntry,
)
from ..locations import Location

if TYPE_CHECKING:
    from ..document import Block
    from ..locations import PathKey
    from .composer import Composer

ZWSP = "\u200b"
NARROW_WORD = 24
"""Characters without a break opportunity that a narrow place (a table cell, a KPI card, a
tag) takes before break opportunities are inserted."""
WIDE_WORD = 60
"""The same for running text, headings and captions: most of a line."""
BREAK_EVERY = 16
"""Characters between inserted break opportunities."""
LINE_CHARS = 80
"""A word longer than this is wider than a line of body text: it is reported."""
KPI_LABEL_EMS = 24
"""The longest KPI card label, qualifier or unit, in Chinese characters (a Latin letter
counts about half)."""
LINE_EMS = 40
"""Chinese characters in a line of body text."""
TABLE_CELL_LINES = 12
"""Lines a table cell may take in a column of an equal share of the text width; a longer
cell would not fit a page (Typst cannot even tag a cell split across pages in a PDF)."""

# Characters that allow a line break on either side (CJK, full-width punctuation) or are
# spaces; a run of anything else is one unbreakable word.
_UNBREAKABLE = (
    r"[^\s\u200b\u2e80-\u2fff\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    r"\U00020000-\U0003ffff]"
)
_LONG_RUN = {
    limit: re.compile(_UNBREAKABLE + "{" + str(limit + 1) + ",}")
    for limit in (NARROW_WORD, WIDE_WORD)
}

# Fields of each node that are printed as text (ids, anchors, paths and styles are not).
_TEXT_FIELDS: dict[type, tuple[str, ...]] = {
    Masthead: ("title", "issue_text", "issuer", "headline", "period"),
    Cover: ("title", "subtitle", "issuer", "period"),
    Toc: ("title", "entries"),
    TocEntry: ("text",),
    Heading: ("text", "second_line"),
    Paragraph: ("runs",),
    KpiPanel: ("title", "cards"),
    KpiCard: ("label", "note"),
    Callout: ("runs", "title"),
    Quote: ("runs", "attribution"),
    Figure: ("caption", "source", "note"),
    Table: ("caption", "header", "rows", "unit_line", "source", "note"),
    Tags: ("label", "items"),
    Facts: ("items",),
    Attachments: ("label", "items"),
    Signature: ("organ",),
    Distribution: ("lines",),
    Timeline: ("title", "events"),
    TimelineEvent: ("runs", "tag"),
    Run: ("text", "note"),
}


_NARROW = {
    (KpiPanel, "title"),
    (KpiCard, "label"),
    (KpiCard, "note"),
    (Table, "header"),
    (Table, "rows"),
    (Tags, "items"),
    (Facts, "items"),
    (TimelineEvent, "tag"),
    (Distribution, "lines"),
}
"""Fields set in a narrow box: a table cell, a KPI card, a tag, a fact."""


@functools.lru_cache(maxsize=4096)
def ems(text: str) -> float:
    """Return the width of ``text`` in Chinese characters (a Latin letter is about half)."""
    return sum(
        1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in text if ch != ZWSP
    )


def shorten(text: str, limit: float) -> str:
    """Return ``text`` cut with … to at most ``limit`` ems."""
    cut = ""
    for ch in text:
        if ems(cut + ch) > limit - 1:
            break
        cut += ch
    return cut.rstrip() + "…"


@functools.lru_cache(maxsize=8192)
def with_breaks(text: str, limit: int = WIDE_WORD) -> tuple[str, int]:
    """Return ``text`` with break opportunities in its words longer than ``limit``, and the
    length of the longest of them (0 if none). Kept per text: every sheet passes the zone's
    texts through again."""
    longest = 0

    def broken(match: re.Match[str]) -> str:
        nonlocal longest
        word = match[0]
        longest = max(longest, len(word))
        return ZWSP.join(word[i : i + BREAK_EVERY] for i in range(0, len(word), BREAK_EVERY))

    return _LONG_RUN[limit].sub(broken, text), longest


class _Breaker:
    def __init__(self, c: Composer):
        self.c = c
        self.longest = 0

    def value(self, value: Any, limit: int = WIDE_WORD) -> Any:
        if isinstance(value, str):
            text, longest = with_breaks(value, limit)
            self.longest = max(self.longest, longest)
            return text
        if isinstance(value, tuple):
            return tuple(self.value(v, limit) for v in value)
        if type(value) in _TEXT_FIELDS:
            return self.node(value)
        return value

    def node(self, node: Any) -> Any:
        if isinstance(node, KpiCard):
            node = self.kpi_card(node)
        elif isinstance(node, Table):
            node = self.table(node)
        changes = {}
        for name in _TEXT_FIELDS[type(node)]:
            old = getattr(node, name)
            new = self.value(old, NARROW_WORD if (type(node), name) in _NARROW else WIDE_WORD)
            if new != old:
                changes[name] = new
        return dataclasses.replace(node, **changes) if changes else node

    def kpi_card(self, card: KpiCard) -> KpiCard:
        report = self.c.report
        index = next((i for i, ind in enumerate(report.indicators) if ind.id == card.indicator), 0)
        indicator = report.indicators[index] if report.indicators else None
        en = self.c.locale.en
        changes = {}
        for part, field, hint in (
            (
                "label",
                "short_label" if indicator and indicator.short_label else "label",
                f"give the indicator a short_label of at most {KPI_LABEL_EMS} Chinese characters",
            ),
            ("prefix", "unit_en" if en else "qualifier", "write a short unit"),
            ("unit", "unit_en" if en else "unit", "write a short unit"),
        ):
            text = getattr(card, part)
            if ems(text) <= KPI_LABEL_EMS:
                continue
            short = shorten(text, KPI_LABEL_EMS)
            if en and field.endswith("label") and indicator and getattr(indicator, f"{field}_en"):
                field += "_en"
            self.warn(
                f"kpi-{part}-shortened",
                f"a KPI card {part} of {len(text)} characters is shortened to '{short}'",
                self.c.where(("indicators", index, field)),
                hint,
            )
            changes[part] = short
        return dataclasses.replace(card, **changes) if changes else card

    def table(self, table: Table) -> Table:
        columns = max(1, len(table.header), *(len(row) for row in table.rows))
        limit = max(KPI_LABEL_EMS, LINE_EMS / columns * TABLE_CELL_LINES)
        rows = []
        for row in table.rows:
            cells = []
            for cell in row:
                if ems(cell) > limit:
                    short = shorten(cell, limit)
                    self.warn(
                        "table-cell-shortened",
                        f"a table cell of {len(cell)} characters is shortened to "
                        f"'{shorten(short, KPI_LABEL_EMS)}': a row must fit a page",
                        table.origin,
                        "give the indicator a short_label or a short unit, or put the text "
                        "into a paragraph",
                    )
                    cell = short
                cells.append(cell)
            rows.append(tuple(cells))
        return dataclasses.replace(table, rows=tuple(rows))

    def warn(self, code: str, message: str, where: Location | None, hint: str) -> None:
        diagnostic = Diagnostic(code, message, where, hint)
        if diagnostic not in self.c.diagnostics:
            self.c.diagnostics.append(diagnostic)
            self.c.channel.add(diagnostic)


def breakable(blocks: list[Block], c: Composer, where: PathKey | None = None) -> list[Block]:
    """Return ``blocks`` with their long words breakable and long KPI labels shortened.

    A word longer than a line (:data:`LINE_CHARS`) is reported at its block, or at ``where``
    (a park) for a block the layout made itself: it now wraps at arbitrary places, which the
    source should not rely on.
    """
    breaker = _Breaker(c)
    out: list[Block] = []
    for block in blocks:
        if type(block) not in _TEXT_FIELDS:
            out.append(block)
            continue
        breaker.longest = 0
        out.append(breaker.node(block))
        if breaker.longest > LINE_CHARS and not isinstance(block, Toc):  # a heading's copy
            breaker.warn(
                "long-word-broken",
                f"a word of {breaker.longest} characters without a space is wider than a line; "
                f"it is broken every {BREAK_EVERY} characters",
                block.origin or (c.where(where) if where is not None else None),
                "put spaces into it, shorten it, or move a long address into a note",
            )
    return out
