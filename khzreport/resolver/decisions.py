"""Layout decisions, made once for every format from the theme and the layout.

How many KPI cards share a row, how wide each table column is and how it is aligned, how
large a figure is drawn, which blocks must not be split across pages: if each writer worked
these out for itself, DOCX, PDF and HTML would disagree (they did: nine cards came out as
3+3+3 in Word, 4+4+1 in the PDF). :func:`decide` writes the answers into the resolved blocks
and the writers and templates only read them.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from ..document import (
    Align,
    Attachments,
    Block,
    Callout,
    Cover,
    Distribution,
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
    Timeline,
)
from ..theme import Theme
from .numbers import to_chinese_numeral

KPI_MAX_PER_ROW = 4
FIGURE_SHARE = {"full": 1.0, "half": 0.5, "small": 0.35}
PHOTO_MAX_HEIGHT_CM = 9.0
TABLE_CELL_PAD_PT = 6
PT_PER_MM = 72 / 25.4
TIMELINE_WHOLE = 0.6
"""A 大事记 up to this share of the text height is kept on one page with its title; a
longer one flows on, row by row, rather than leave a page blank for it."""
KEEP_TOGETHER = (KpiPanel, Figure, Callout, Quote)
"""Blocks that must not be split across pages (a figure stays with its caption)."""
CLOSING = (Attachments, Signature, Distribution)
"""The blocks that close the text; none may stand on a page without the text before it.
The 版记 (Distribution) goes to the foot of the last page of the text: when that page has
no room for it, the last lines of the text go over with it rather than leave it alone."""


def decide(
    blocks: Iterable[Block], theme: Theme, *, float_figures: bool = False
) -> tuple[Block, ...]:
    """Return ``blocks`` with every layout decision filled in.

    Both layouts decide from the theme's page: the DOCX of a sheet has the theme's margins,
    and its PDF, whose margins are narrower, draws the decided shares of its own width.
    With ``float_figures`` (the briefing's running text) figures and KPI panels may float to
    the top or bottom of a page, so one that does not fit under its paragraph does not leave
    the rest of the page blank; a one-page sheet keeps its order. What stands between the
    title block and the first heading (the panel of headline figures) stays where it is:
    floated, it would rise to the top of the page, beside the title. The block before the 附件说明, the 落款 or the 版记 keeps
    with it, so neither the 落款 nor the 版记 stands alone on a page.
    """
    decided: list[Block] = []
    under_title = False
    for block in _plain(blocks, theme):
        if isinstance(block, Cover | Masthead | Heading):
            under_title = not isinstance(block, Heading)
        decided.append(_decide(block, theme, float_figures and not under_title))
    for i in range(len(decided) - 1):
        if isinstance(decided[i + 1], CLOSING):
            decided[i] = dataclasses.replace(decided[i], keep_with_next=True)
    return tuple(decided)


def _plain(blocks: Iterable[Block], theme: Theme) -> Iterator[Block]:
    """Yield the blocks with cards and boxes set as plain paragraphs where the theme asks.

    A 公文-style 简报 (``kpi_style: text``, ``callout_style: plain``) has neither: the
    headline figures become one sentence led by the panel's title, a call-out a paragraph led
    by its title in bold. Punctuation follows the script of the words.
    """
    for block in blocks:
        if isinstance(block, KpiPanel) and theme.kpi_style == "text":
            yield _kpi_sentence(block)
        elif isinstance(block, Callout) and theme.callout_style == "plain":
            lead = block.title + _stop(block.title) if block.title else ""
            runs = (Run(lead, strong=True), *block.runs) if lead else block.runs
            yield Paragraph(runs, origin=block.origin)
        else:
            yield block


def _kpi_sentence(panel: KpiPanel) -> Paragraph:
    """Return a KPI panel as one paragraph: 2023年主要指标：电子信息突破740亿元；…。"""
    words = [panel.title or "", *(c.label for c in panel.cards)]
    chinese = any(_is_cjk(ch) for word in words for ch in word)
    colon, semicolon, stop = ("：", "；", "。") if chinese else (": ", "; ", ".")
    runs: list[Run] = []
    if panel.title:
        runs.append(Run(panel.title + colon, strong=True))
    for i, card in enumerate(panel.cards):
        gap = "" if chinese else " "
        runs.append(Run((semicolon if i else "") + card.label + gap))
        runs.append(Run(card.value_text, indicator=card.indicator or None))
        if card.change_text:
            runs.append(Run(f"（{card.change_text}）" if chinese else f" ({card.change_text})"))
    runs.append(Run(stop))
    return Paragraph(tuple(runs), origin=panel.origin)


def _stop(title: str) -> str:
    """Return what ends a bold lead-in title: a full stop, unless it ends in punctuation."""
    if title[-1] in "。！？：":
        return ""
    if title[-1] in ".!?:":
        return " "
    return "。" if any(_is_cjk(ch) for ch in title) else ". "


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"


def _decide(block: Block, theme: Theme, float_figures: bool = False) -> Block:
    changes: dict[str, object] = {}
    if float_figures and isinstance(block, Figure | KpiPanel):
        changes["placement"] = "float"
    if isinstance(block, KEEP_TOGETHER):
        changes["keep_together"] = True
    if isinstance(block, KpiPanel):
        per_row, rows, unit_below = kpi_fit(block.cards, theme)
        changes["per_row"], changes["rows"] = per_row, rows
        if unit_below:
            changes["cards"] = tuple(
                dataclasses.replace(c, unit_below=True) if _unit_is_a_word(c.unit) else c
                for c in block.cards
            )
    elif isinstance(block, Table):
        changes["widths"], changes["align"] = table_columns(
            block.header, block.rows, block.numeric_columns, theme
        )
    elif isinstance(block, Figure):
        changes["width_cm"], changes["height_cm"] = figure_size(block, theme)
    elif isinstance(block, Timeline):
        changes["keep_together"] = timeline_height_mm(block, theme) <= TIMELINE_WHOLE * (
            text_height_mm(theme)
        )
    return dataclasses.replace(block, **changes) if changes else block  # type: ignore[arg-type]


def text_height_mm(theme: Theme) -> float:
    """Return the height of the text column on the theme's page with its margins."""
    return theme.page.height_mm - theme.page.margin_top - theme.page.margin_bottom


def timeline_height_mm(timeline: Timeline, theme: Theme) -> float:
    """Return about how high a 大事记 is set: its events' lines in the column right of the
    dates, at the body size and the timeline's line pitch (1.3), with the rows' padding.

    Only an estimate (fonts differ), good enough to tell a timeline that fits on a page
    with its title from one that does not.
    """
    unit_mm = theme.sizes.body / 2 / PT_PER_MM
    dates = max((display_width(e.date_text) for e in timeline.events), default=0)
    column = text_width_mm(theme) - (dates + 1) * unit_mm - 10
    per_line = max(1, int(column / unit_mm))
    lines = sum(
        math.ceil((display_width(e.text) + display_width(e.tag or "") + 2) / per_line)
        for e in timeline.events
    )
    return lines * theme.sizes.body * 1.3 / PT_PER_MM + len(timeline.events) * 4


def text_width_mm(theme: Theme) -> float:
    """Return the width of the text column on the theme's page with its margins."""
    return theme.page.width_mm - theme.page.margin_left - theme.page.margin_right


def grid_tracking_pt(theme: Theme) -> float:
    """Return the letter spacing (points, negative narrows) that sets ``text_grid.chars``
    body characters on a line: GB/T 9704's 28 characters of 三号 in 156 mm are each a fifth
    of a point narrower than 16 pt. Rounded down to a twentieth of a point (Word's unit), so
    the last character always fits."""
    if theme.text_grid is None:
        return 0.0
    pitch = text_width_mm(theme) * PT_PER_MM / theme.text_grid.chars
    return math.floor((pitch - theme.sizes.body) * 20) / 20


def table_font_pt(theme: Theme) -> float:
    """Return the size of table text and small print: one point under the body text."""
    if theme.sizes.table is not None:
        return float(theme.sizes.table)
    return float(round(theme.sizes.body - 1, 1))


def kpi_grid(count: int, most: int = KPI_MAX_PER_ROW) -> tuple[int, int]:
    """Return (cards per row, rows) for ``count`` cards: at most ``most`` a row, rows balanced.

    Nine cards are 3+3+3 rather than 4+4+1, five are 3+2, eight are 4+4.
    """
    if count <= 0:
        return 1, 0
    rows = math.ceil(count / max(1, most))
    per_row = math.ceil(count / rows)
    return per_row, math.ceil(count / per_row)


KPI_GUTTER_PT = 7
KPI_INSET_PT = 6
"""Space between two cards and inside a card on each side, as the writers draw them."""


def kpi_fit(cards: Sequence[KpiCard], theme: Theme) -> tuple[int, int, bool]:
    """Return (cards per row, rows, unit below) so that no card's value wraps.

    A value is one line: qualifier, number and unit (``突破740亿元``). When the widest value of
    a panel does not fit its card, every card of the panel sets its unit word on a line of its
    own (``over RMB 74`` over ``billion``; a ``%`` stays), so the panel stays regular; when even
    the number with
    its qualifier is too wide, the panel takes fewer cards a row. Widths are estimated from the
    theme's sizes: a wide (CJK) character is 1 em, a digit or Latin letter 0.58 em, a space or
    punctuation mark 0.3 em, a little more than the faces the themes name take.
    """
    per_row, rows = kpi_grid(len(cards))
    if not cards:
        return per_row, rows, False
    small = theme.sizes.kpi_label + 1.5
    big = theme.sizes.kpi_value
    text = text_width_mm(theme) * PT_PER_MM

    def width(part: str, size: float) -> float:
        return size * _ems(part)

    def line(card: KpiCard, unit: bool) -> float:
        gap = 0.25 * small if card.prefix else 0.0
        value = width(card.prefix, small) + gap + width(card.number, big)
        value += width(card.suffix, small)
        beside = unit or not _unit_is_a_word(card.unit)
        return value + (width(card.unit, small) + 0.25 * small if beside else 0.0)

    unit_below = False
    while True:
        room = (text - (per_row - 1) * KPI_GUTTER_PT) / per_row - 2 * KPI_INSET_PT
        if max(line(c, unit=True) for c in cards) <= room:
            return per_row, rows, unit_below
        unit_below = True
        if max(line(c, unit=False) for c in cards) <= room or per_row == 1:
            return per_row, rows, unit_below
        per_row, rows = kpi_grid(len(cards), per_row - 1)


def _unit_is_a_word(unit: str) -> bool:
    """Return whether a unit is a word (亿元, billion, m²) rather than a sign (%), which stays
    beside its number."""
    return any(ch.isalpha() for ch in unit)


def table_columns(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[int],
    theme: Theme,
) -> tuple[tuple[float, ...], tuple[Align, ...]]:
    """Return column widths (shares of the text width, summing to 1) and alignments.

    Each column's natural width is its longest cell plus the cell padding. If all fit, they
    grow in proportion. If not, columns that fit in an equal share of what is left keep their
    natural width (so figures like ``突破740亿元`` and dates never wrap) and the long text
    columns split the rest in proportion to the square roots of their natural widths: the
    column of long names (指标) is not crushed beside a short 来源, nor a paragraph-long 备注
    allowed to take the table. Numbers are right-aligned.
    """
    ncols = max(1, len(header), *(len(r) for r in rows))
    cells = [[*r, *[""] * (ncols - len(r))] for r in [header, *rows]]
    total = text_width_mm(theme) * PT_PER_MM
    unit = table_font_pt(theme) / 2
    pad = 2 * TABLE_CELL_PAD_PT
    natural = [
        (max((display_width(row[c]) for row in cells), default=1) + 1) * unit + pad
        for c in range(ncols)
    ]
    if sum(natural) <= total:
        widths = [w / sum(natural) for w in natural]
    else:
        fixed: dict[int, float] = {}
        while True:
            rest = [c for c in range(ncols) if c not in fixed]
            share = (total - sum(fixed.values())) / len(rest)
            fits = [c for c in rest if natural[c] <= share]
            if not fits or len(fits) == len(rest):
                break
            fixed.update((c, natural[c]) for c in fits)
        rest = [c for c in range(ncols) if c not in fixed]
        room = total - sum(fixed.values())
        weight = {c: math.sqrt(natural[c]) for c in rest}
        wanted = sum(weight.values())
        widths = [fixed.get(c, room * weight.get(c, 0) / wanted) / total for c in range(ncols)]
    align: tuple[Align, ...] = tuple("right" if c in numeric else "left" for c in range(ncols))
    return tuple(widths), align


def figure_size(figure: Figure, theme: Theme) -> tuple[float, float | None]:
    """Return (width, greatest height) in cm of a figure's art.

    The width is the figure's share of the text width, and for a chart never more than the
    theme's chart width (a chart is not enlarged). A photo is at most 9 cm high; a chart's
    height follows from its drawn aspect.
    """
    width = text_width_mm(theme) / 10 * FIGURE_SHARE.get(figure.width, 1.0)
    if figure.chart is not None:
        return round(min(width, theme.chart.width_cm), 3), None
    return round(width, 3), PHOTO_MAX_HEIGHT_CM


@functools.lru_cache(maxsize=4096)
def _ems(part: str) -> float:
    """Return the estimated width of a KPI card's text in ems (see :func:`kpi_fit`), kept per
    text: the sheet layouts fit the same cards again for every height they try."""
    return sum(
        1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.58 if ch.isalnum() else 0.3
        for ch in part
    )


@functools.lru_cache(maxsize=4096)
def display_width(text: str) -> int:
    """Return the width of ``text`` in half-width units, with the gap Word and LibreOffice
    put between Chinese and Latin characters (``autoSpaceDE``) counted as one unit.

    Kept per text: the sheet layouts measure the same words and lines thousands of times
    (ten thousand calls in a validate, most of them repeats)."""
    width = 0
    previous: bool | None = None
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in "WF"
        width += 2 if wide else 1
        if previous is not None and wide != previous and not ch.isspace():
            width += 1
        previous = wide
    return width


def numbering_style(theme: Theme, english: bool) -> str:
    """Return the theme's heading numbering: ``official``, ``decimal`` or ``none``.

    A theme that only sets ``outline_numbering`` numbers in the edition's convention.
    """
    if theme.numbering is not None:
        return theme.numbering
    if not theme.outline_numbering:
        return "none"
    return "decimal" if english else "official"


def outline_number(counters: Sequence[int], style: str) -> str:
    """Return the printed number of a heading from its position at each level (1-based).

    ``official`` is GB/T 9704's 一、 （一） 1. （1）; ``decimal`` is 1. 1.1 1.1.1 1.1.1.1.
    """
    if style == "none" or not counters:
        return ""
    if style == "decimal":
        if len(counters) == 1:
            return f"{counters[0]}. "
        return ".".join(str(n) for n in counters) + " "
    n, level = counters[-1], len(counters)
    if level == 1:
        return to_chinese_numeral(n) + "、"
    if level == 2:
        return f"（{to_chinese_numeral(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"
