"""A park sheet: one A4 page per park or innovation carrier (一园一册).

Fields a park does not have are left out, never printed as empty cards or "None".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..document import Block, Cover, Document, Facts, Paragraph, Run, Tags
from ..model import Park, Report
from ..resolver import crossref
from ..resolver import numbers as nb
from ..resolver.composer import Composer, strip_source_prefix
from ..resolver.decisions import decide
from ..theme import Theme

if TYPE_CHECKING:
    from ..diagnostics import Diagnostics
    from ..locations import PathKey


SENTENCE_ENDS = "。！？"
"""Punctuation that ends a Chinese sentence; a shortened narrative is cut after one."""
_CLOSERS = "”’」』）)》"
ELLIPSIS = "……"
"""What replaces the end of the last sentence kept when a narrative is shortened."""


def compose_sheet(
    report: Report,
    park: Park,
    theme: Theme,
    language: str | None = None,
    *,
    narrative_limit: int | None = None,
    figure: bool = True,
    diagnostics: Diagnostics | None = None,
) -> Document:
    """Return the resolved summary sheet of one park.

    ``narrative_limit`` shortens the narrative to at most that many characters (counted over
    its paragraphs' text), cut after the last whole sentence that fits (see
    :func:`sentence_breaks`) and ending in ``……``; at least the first sentence is kept.
    ``figure=False`` leaves out the park's chart or photo. Both add a located warning; the
    batch (:mod:`khzreport.batch`) uses them to fit a sheet on one page. Warnings also go
    into ``diagnostics`` when given.
    """
    if theme.sheet_page is not None:  # the sheet's own page, for every writer and decision
        theme = theme.model_copy(update={"page": theme.sheet_page})
    c = Composer(report, theme, language, diagnostics)
    i = [p.id for p in report.parks].index(park.id)
    path: PathKey = ("parks", i)
    m = report.meta
    name = c.text(park.name, park.name_en, (*path, "name"))
    kind = c.text(park.kind, park.kind_en, (*path, "kind"))
    positioning = (
        c.text(park.positioning, park.positioning_en, (*path, "positioning"))
        if park.positioning
        else None
    )
    zone = c.text(m.issuer, m.issuer_en, ("meta", "issuer"))
    period = (  # the band names the reporting period: 2023年前三季度, else the year
        c.text(m.period, m.period_en, ("meta", "period"))
        if m.period
        else nb.format_year(m.year, locale="en" if c.locale.en else "zh-CN")
    )
    blocks: list[Block] = [Cover(name, positioning, zone, period)]
    facts: list[tuple[str, str]] = [(c.locale.word("类型", "Type"), kind)]
    if park.founded:
        facts.append(
            (
                c.locale.word("成立", "Founded"),
                nb.format_year(park.founded, locale="en" if c.locale.en else "zh-CN"),
            )
        )
    if park.area:
        facts.append((c.locale.word("面积", "Area"), c.bound(park.area).full()))
    blocks.append(Facts(tuple(facts)))
    ids = [x for x in park.indicators if x != park.area]
    if ids:
        panel = c.kpi_panel(ids, None, (*path, "indicators"))
        if panel:
            blocks.append(panel)
    if park.leading_industries:
        items = (
            park.leading_industries_en
            if c.locale.en and park.leading_industries_en
            else park.leading_industries
        )
        blocks.append(Tags(c.locale.word("主导产业", "Leading industries"), tuple(items)))
    if park.key_enterprises:
        items = (
            park.key_enterprises_en
            if c.locale.en and park.key_enterprises_en
            else park.key_enterprises
        )
        blocks.append(Tags(c.locale.word("重点企业", "Key enterprises"), tuple(items)))
    if park.narrative:
        paragraphs = c.paragraphs(park.narrative, park.narrative_en, (*path, "narrative"))
        if narrative_limit is not None:
            total = sum(len(p.text) for p in paragraphs)
            paragraphs = shorten_paragraphs(paragraphs, narrative_limit)
            kept = sum(len(p.text) for p in paragraphs)
            if kept < total:
                c.warn(
                    "narrative-shortened",
                    f"narrative shortened to {kept} of {total} characters to fit one page",
                    (*path, "narrative"),
                )
        blocks.extend(paragraphs)
    blocks.extend(_events(c, report, park.id))
    if not figure and (park.chart or park.photo):
        what = "chart" if park.chart else "photo"
        c.warn("figure-left-out", f"{what} left out to fit one page", (*path, what))
    elif park.chart and not _repeats_a_card(report, park):
        fig = c.chart_figure(park.chart, (*path, "chart"), width="full")
        if fig:
            blocks.append(fig)
    elif park.chart and not park.photo:
        _warn_repeated_chart(c, park, path)
    elif park.photo:
        if park.chart:
            _warn_repeated_chart(c, park, path)
        fig = c.image_figure(park.photo, (*path, "photo"), width="half")
        if fig:
            blocks.append(fig)
    if _is_sparse(park) and report.kpis:
        title = c.locale.word(f"{m.year}年全区主要指标", f"Zone key figures {m.year}")
        if m.period:
            period = c.text(m.period, m.period_en, ("meta", "period"))
            title = c.locale.word(f"{period}全区主要指标", f"Zone key figures, {period}")
        panel = c.kpi_panel(report.kpis[:6], title, ("kpis",))
        if panel:
            blocks.append(panel)
    c.finish()
    header = c.locale.word("园区简介", "Park profile")
    subject = c.locale.word(f"{m.year}年园区简介", f"Park profile {m.year}")
    meta = c.meta(name, subject, header, title_at=(*path, "name"))
    sources = sorted(
        {
            strip_source_prefix(c.locale.pick(ind.source, ind.source_en, f"indicators.{x}.source"))
            for x in park.indicators
            if (ind := report.indicator(x)).source
        }
    )
    note = c.source_note("；".join(sources)) if sources else None
    meta = replace(meta, footer_note=note)
    return Document(
        meta=meta,
        layout="sheet",
        theme=theme,
        blocks=decide(crossref.number_notes(blocks), theme),
        base_dir=str(c.base_dir) if c.base_dir else None,
        name=park.id,
        diagnostics=tuple(c.diagnostics),
    )


def _events(c: Composer, report: Report, park: str) -> list[Block]:
    """Return the park's part of every timeline of the report, as compact timelines.

    Each block type says what of it belongs to a park (``for_park``); the part is resolved
    at the block's own source path, so an error in an event is located where it is written.
    """
    out: list[Block] = []
    for base, section, _ in report.outline():
        for j, block in enumerate(section.blocks):
            part = block.for_park(park)
            if part is None:
                continue
            out.extend(part.resolve(c, (*base, "blocks", j)))
    return out


def _warn_repeated_chart(c: Composer, park: Park, path: PathKey) -> None:
    c.warn(
        "chart-repeats-card",
        f"chart '{park.chart}' is not shown: it is one big figure that a KPI card of this "
        "sheet already shows",
        (*path, "chart"),
        "give the chart's indicator a series, or choose another chart for the park",
    )


def _repeats_a_card(report: Report, park: Park) -> bool:
    """Return whether the park's chart only shows again a figure its KPI cards show.

    A big-number chart of an indicator without a series is one big figure; on a sheet whose
    cards already carry that indicator it would print the same number twice.
    """
    spec = report.chart(park.chart) if park.chart else None
    if spec is None or spec.kind != "big_number" or spec.indicator not in park.indicators:
        return False
    return not report.indicator(spec.indicator).series


def _is_sparse(park: Park) -> bool:
    """Return whether a park has too little of its own to fill a sheet.

    Such a sheet also shows the zone's headline figures, so it still tells a visitor what
    the park is part of rather than leaving most of the page empty.
    """
    return not park.narrative and len(park.indicators) < 3


def sentence_breaks(texts: Sequence[str]) -> list[int]:
    """Return where a narrative of these paragraph texts may be cut, as character offsets.

    Offsets count over the paragraphs' text joined without separators. A break follows each
    sentence end (``。！？``, or ``.!?`` before a space in English) together with closing
    quotes or brackets after it, and each paragraph end. The last offset is the whole length.
    """
    breaks: list[int] = []
    offset = 0
    for text in texts:
        n = len(text)
        for k, ch in enumerate(text):
            if ch in SENTENCE_ENDS or (ch in ".!?" and (k + 1 == n or text[k + 1] == " ")):
                end = k + 1
                while end < n and text[end] in _CLOSERS:
                    end += 1
                if end < n and not (breaks and breaks[-1] == offset + end):
                    breaks.append(offset + end)
        offset += n
        if n and (not breaks or breaks[-1] != offset):
            breaks.append(offset)
    return breaks


def shorten_paragraphs(paragraphs: Sequence[Paragraph], limit: int) -> list[Paragraph]:
    """Return the paragraphs cut after the last sentence ending within ``limit`` characters.

    The cut sentence's closing punctuation becomes ``……`` (Chinese) or ``…`` (English text).
    At least one sentence is kept; a narrative within the limit is returned unchanged.
    """
    texts = [p.text for p in paragraphs]
    total = sum(len(t) for t in texts)
    if limit >= total:
        return list(paragraphs)
    breaks = sentence_breaks(texts)
    fitting = [b for b in breaks if b <= limit]
    cut = fitting[-1] if fitting else breaks[0]
    out: list[Paragraph] = []
    offset = 0
    for p in paragraphs:
        n = len(p.text)
        if offset + n <= cut:
            out.append(p)
            offset += n
            if offset == cut:
                break
            continue
        runs: list[Run] = []
        room = cut - offset
        for r in p.runs:
            if room <= 0:
                break
            runs.append(Run(r.text[:room], r.indicator) if len(r.text) > room else r)
            room -= len(r.text)
        out.append(Paragraph(tuple(runs), p.style))
        break
    last = out[-1]
    return [*out[:-1], Paragraph(_with_ellipsis(last.runs), last.style)]


def _with_ellipsis(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    """Replace the final sentence punctuation of ``runs`` by an ellipsis."""
    text = "".join(r.text for r in runs)
    body = text.rstrip(_CLOSERS + " ")
    closers = text[len(body) :]
    stripped = body.rstrip(SENTENCE_ENDS + ".!?；;，,")
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    mark = ELLIPSIS if chinese else "…"
    drop = len(text) - len(stripped)
    out = list(runs)
    while drop and out:
        r = out[-1]
        if len(r.text) <= drop:
            drop -= len(r.text)
            out.pop()
        else:
            out[-1] = Run(r.text[: len(r.text) - drop], r.indicator)
            drop = 0
    return (*out, Run(mark + closers.strip()))
