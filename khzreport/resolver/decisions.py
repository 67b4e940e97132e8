"""Layout decisions, made once for every format from the theme and the layout.

How many KPI cards share a row, how wide each table column is and how it is aligned, how
large a figure is drawn, which blocks must not be split across pages: if each writer worked
these out for itself, DOCX, PDF and HTML would disagree (they did: nine cards came out as
3+3+3 in Word, 4+4+1 in the PDF). :func:`decide` writes the answers into the resolved blocks
and the writers and templates only read them.
"""

from __future__ import annotations

import dataclasses
import math
import unicodedata
from collections.abc import Iterable, Sequence

from ..document import Align, Block, Callout, Figure, KpiPanel, Quote, Table
from ..theme import Theme
from .numbers import to_chinese_numeral

KPI_MAX_PER_ROW = 4
FIGURE_SHARE = {"full": 1.0, "half": 0.5, "small": 0.35}
PHOTO_MAX_HEIGHT_CM = 9.0
TABLE_CELL_PAD_PT = 6
PT_PER_MM = 72 / 25.4
KEEP_TOGETHER = (KpiPanel, Figure, Callout, Quote)
"""Blocks that must not be split across pages (a figure stays with its caption)."""


def decide(blocks: Iterable[Block], theme: Theme) -> tuple[Block, ...]:
    """Return ``blocks`` with every layout decision filled in.

    Both layouts decide from the theme's page: the DOCX of a sheet has the theme's margins,
    and its PDF, whose margins are narrower, draws the decided shares of its own width.
    """
    return tuple(_decide(block, theme) for block in blocks)


def _decide(block: Block, theme: Theme) -> Block:
    changes: dict[str, object] = {}
    if isinstance(block, KEEP_TOGETHER):
        changes["keep_together"] = True
    if isinstance(block, KpiPanel):
        changes["per_row"], changes["rows"] = kpi_grid(len(block.cards))
    elif isinstance(block, Table):
        changes["widths"], changes["align"] = table_columns(
            block.header, block.rows, block.numeric_columns, theme
        )
    elif isinstance(block, Figure):
        changes["width_cm"], changes["height_cm"] = figure_size(block, theme)
    return dataclasses.replace(block, **changes) if changes else block  # type: ignore[arg-type]


def text_width_mm(theme: Theme) -> float:
    """Return the width of the text column on the theme's page with its margins."""
    return theme.page.width_mm - theme.page.margin_left - theme.page.margin_right


def table_font_pt(theme: Theme) -> float:
    """Return the size of table text and small print: one point under the body text."""
    return float(round(theme.sizes.body - 1, 1))


def kpi_grid(count: int) -> tuple[int, int]:
    """Return (cards per row, rows) for ``count`` cards: at most four a row, rows balanced.

    Nine cards are 3+3+3 rather than 4+4+1, five are 3+2, eight are 4+4.
    """
    if count <= 0:
        return 1, 0
    rows = math.ceil(count / KPI_MAX_PER_ROW)
    per_row = math.ceil(count / rows)
    return per_row, math.ceil(count / per_row)


def table_columns(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[int],
    theme: Theme,
) -> tuple[tuple[float, ...], tuple[Align, ...]]:
    """Return column widths (shares of the text width, summing to 1) and alignments.

    Each column's natural width is its longest cell plus the cell padding. If all fit, they
    grow in proportion. If not, the width is shared max-min fairly: columns that fit in an
    equal share of what is left keep their natural width (so figures like ``突破740亿元`` and
    dates never wrap) and the long text columns split the rest. Numbers are right-aligned.
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
        widths = [fixed.get(c, share) / total for c in range(ncols)]
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


def display_width(text: str) -> int:
    """Return the width of ``text`` in half-width units, with the gap Word and LibreOffice
    put between Chinese and Latin characters (``autoSpaceDE``) counted as one unit."""
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
