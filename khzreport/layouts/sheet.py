"""A park sheet: one page per park or innovation carrier (一园一册), laid out by density.

Fields a park does not have are left out, never printed as empty cards or "None". What the
park has decides the layout (:func:`plan_sheet`), once, for every writer:

- ``rich``: the park's own blocks fill most of the page. Its facts stand two a row, its
  chart is drawn taller (the sheet theme's chart aspect) or its photo full width to take
  the room left over.
- ``medium``: its own blocks fill part of the page; the zone's context follows as far as
  the page holds.
- ``sparse``: a compact profile: a fact box (type, founding year, area) one pair a row,
  what the report says of the park, its events from the report's timelines, then the
  zone's context.

The zone's context is the report's own: its lead in a box labelled 所在园区概况, its
headline figures, the parks of the same kind and its highlights. A sheet with room left is
set looser, up to the theme's own sizes (:func:`sheet_theme`). Heights are estimated from
the sheet theme's sizes, for the PDF (:func:`block_height_mm`, measured against Typst) and
for Word (:func:`word_height_mm`, against LibreOffice); the batch's fitting
(:mod:`khzreport.layouts.fit`) then checks the PDF is one page.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..diagnostics import Diagnostics
from ..document import (
    Block,
    Callout,
    Cover,
    Document,
    Facts,
    Figure,
    KpiPanel,
    Paragraph,
    Quote,
    Run,
    Tags,
    Timeline,
)
from ..errors import KhzReportError, ValidationError
from ..model import Park, Report
from ..resolver import breaks, crossref
from ..resolver import numbers as nb
from ..resolver.binding import BindingError
from ..resolver.composer import Composer, strip_source_prefix
from ..resolver.decisions import (
    PHOTO_MAX_HEIGHT_CM,
    decide,
    display_width,
    figure_size,
    text_width_mm,
)
from ..source.assets import photo_size
from ..theme import Theme

if TYPE_CHECKING:
    from ..locations import PathKey


SENTENCE_ENDS = "。！？"
"""Punctuation that ends a Chinese sentence; a shortened narrative is cut after one."""
_CLOSERS = "”’」』）)》"
ELLIPSIS = "……"
"""What replaces the end of the last sentence kept when a narrative is shortened."""

Density = Literal["sparse", "medium", "rich"]

SHEET_MARGIN_TOP = 26.0
"""Millimetres above the text: the sheet's coloured band (zone, period) stands in it."""
SHEET_MARGIN_MAX = 18.0
"""The widest side and bottom margin of a sheet, so a full park fits its page."""
SPARSE_BELOW = 0.4
"""A park whose own blocks fill less than this share of the page is ``sparse``."""
RICH_FROM = 0.62
"""A park whose own blocks fill at least this share of the page is ``rich``."""
FILL_TARGET = 0.9
"""The share of the page a sheet's PDF is filled to at most."""
WORD_FILL = 0.98
"""The share of the page the same blocks may take in Word, whose CJK lines are taller."""
WORD_GROWTH: dict[str, float] = {
    "Paragraph": 1.05,
    "Callout": 1.12,
    "Quote": 1.2,
    "Timeline": 1.3,
    "Facts": 0.86,
    "KpiPanel": 1.2,
    "Tags": 1.15,
    "Figure": 1.06,
}
"""How much taller a block is in Word (LibreOffice) than in the PDF: CJK fonts' line height
on top of the line spacing makes text lines taller, cards and charts barely change."""
WORD_COVER_EXTRA_MM = 6.0
"""The Word title block's extra height: Word sets the big title on a taller line."""
CHART_HEADROOM_MM = 10.0
"""Room a grown chart leaves in Word: a chart cannot break, so a page that overflows by a
line would send it whole to a second page."""
CHART_ASPECT_RANGE = (0.32, 0.72)
"""Heights (as a share of their width) a sheet's chart may be drawn at to fill the page."""
ZONE_FIGURES_MOST = 8
"""The most of the zone's headline figures a sheet shows."""
RELATED_MOST = 8
"""The most other parks a sheet names as related; more are counted in one last tag."""
MENTION_LIMIT = 2
"""Sentences of the report naming the park that a sheet quotes at most."""
REPEAT_SHARE = 0.5
"""A sentence of the report sharing this much with the sheet's own text is not quoted."""

SHEET_SIZES = {"body": 10, "lead": 10.5, "h1": 13, "h2": 11.5, "kpi_value": 17, "caption": 9}
"""The largest sizes (pt) of a tight sheet; a sheet with room eases towards the theme's."""
EASE_STEPS = (1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125)
"""How far a sheet with room is eased towards the theme's own sizes, loosest first."""

_MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class SheetPlan:
    """The layout of one sheet: how dense the park is and what fills its page.

    ``own_share`` is the estimated share of the page the park's own blocks fill;
    ``ease`` is how loosely it is set (see :func:`sheet_theme`), ``photo_width`` how wide
    its photo is drawn (a rich park's with room takes the full width). ``context`` names the
    blocks added around them, each with the variant chosen (``zone:1``: the lead's first
    paragraphs only): ``mentions``, ``zone``, ``zone_figures``, ``related``,
    ``highlights``; ``chart_aspect`` is the height the chart is drawn at (None: the
    theme's).
    """

    density: Density
    own_share: float
    facts_columns: int
    context: tuple[str, ...] = ()
    chart_aspect: float | None = None
    ease: float = 0.0
    photo_width: Literal["half", "full"] = "half"


def sheet_theme(theme: Theme, ease: float = 0.0) -> Theme:
    """Return the theme a sheet is drawn with, in every format.

    The sheet's own page (``theme.sheet_page``) with room for the band at the top and side
    margins of at most 18 mm, no page number (a sheet is one page) and no document grid (a
    sheet is not a 公文 page: the gov preset's 22 × 28 grid is for its text), and sizes and line
    spacing between the tight set a full sheet needs (``ease`` 0: body 10 pt, lines 1.25)
    and the theme's own (``ease`` 1), so that a sheet with room is set as loosely as the
    briefing. The DOCX and the PDF of a sheet set the same text on the same page.
    """
    page = theme.sheet_page or theme.page
    page = page.model_copy(
        update={
            "margin_top": max(page.margin_top, SHEET_MARGIN_TOP),
            "margin_bottom": min(page.margin_bottom, SHEET_MARGIN_MAX),
            "margin_left": min(page.margin_left, SHEET_MARGIN_MAX),
            "margin_right": min(page.margin_right, SHEET_MARGIN_MAX),
        }
    )

    def eased(own: float, tight: float) -> float:
        low = min(own, tight)
        return round(low + ease * (own - low), 1)

    s = theme.sizes
    sizes = s.model_copy(
        update={key: eased(getattr(s, key), most) for key, most in SHEET_SIZES.items()}
    )
    return theme.model_copy(
        update={
            "page": page,
            "sizes": sizes,
            "line_spacing": round(eased(theme.line_spacing, 1.25), 2),
            "page_number": "none",
            "text_grid": None,
        }
    )


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
    """Return the resolved summary sheet of one park, laid out for what it has.

    The park's own blocks come first (title, facts, KPI cards, tags, narrative, events,
    chart or photo); :func:`plan_sheet` then decides its density and what fills the rest of
    the page. ``narrative_limit`` shortens the narrative to at most that many characters
    (counted over its paragraphs' text), cut after the last whole sentence that fits (see
    :func:`sentence_breaks`) and ending in ``……``; at least the first sentence is kept.
    ``figure=False`` leaves out the park's chart or photo. Both add a located warning; the
    batch (:mod:`khzreport.batch`) uses them to fit a sheet on one page. Warnings also go
    into ``diagnostics`` when given.
    """
    return _compose(report, park, theme, language, narrative_limit, figure, diagnostics)[0]


def sheet_plan(report: Report, park: Park, theme: Theme, language: str | None = None) -> SheetPlan:
    """Return the layout :func:`compose_sheet` chooses for a park (its density and context)."""
    return _compose(report, park, theme, language, None, True, Diagnostics())[1]


def _compose(
    report: Report,
    park: Park,
    theme: Theme,
    language: str | None,
    narrative_limit: int | None,
    figure: bool,
    diagnostics: Diagnostics | None,
) -> tuple[Document, SheetPlan]:
    base = theme
    theme = sheet_theme(base)
    c = Composer(report, theme, language, diagnostics)
    i = [p.id for p in report.parks].index(park.id)
    path: PathKey = ("parks", i)
    m = report.meta
    en = c.locale.en
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
        else nb.format_year(m.year, locale="en" if en else "zh-CN")
    )
    blocks: list[Block] = [Cover(name, positioning, zone, period)]
    facts: list[tuple[str, str]] = [(c.locale.word("类型", "Type"), kind)]
    if park.founded:
        facts.append(
            (
                c.locale.word("成立", "Founded"),
                nb.format_year(park.founded, locale="en" if en else "zh-CN"),
            )
        )
    if park.area:
        try:
            facts.append((c.locale.word("面积", "Area"), c.bound(park.area).full()))
        except BindingError as exc:  # a unit with no English rendering, say
            c.errors.append(ValidationError(str(exc), c.where((*path, "area"))))
    blocks.append(Facts(tuple(facts)))
    ids = [x for x in park.indicators if x != park.area]
    if ids:
        panel = c.kpi_panel(ids, None, (*path, "indicators"))
        if panel:
            blocks.append(panel)
    if park.leading_industries:
        items = (
            park.leading_industries_en
            if en and park.leading_industries_en
            else park.leading_industries
        )
        blocks.append(Tags(c.locale.word("主导产业", "Leading industries"), tuple(items)))
    if park.key_enterprises:
        items = park.key_enterprises_en if en and park.key_enterprises_en else park.key_enterprises
        blocks.append(Tags(c.locale.word("重点企业", "Key enterprises"), tuple(items)))
    narrative: list[Paragraph] = []
    if park.narrative:
        narrative = c.paragraphs(park.narrative, park.narrative_en, (*path, "narrative"))
        if narrative_limit is not None:
            total = sum(len(p.text) for p in narrative)
            narrative = shorten_paragraphs(narrative, narrative_limit)
            kept = sum(len(p.text) for p in narrative)
            if kept < total:
                c.warn(
                    "narrative-shortened",
                    f"narrative shortened to {kept} of {total} characters to fit one page",
                    (*path, "narrative"),
                )
        blocks.extend(narrative)
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
    context = _context_blocks(c, report, park, _text_of(blocks), language)
    plan = plan_sheet(blocks, context, base)
    blocks = _arranged(blocks, context, plan)
    theme = sheet_theme(base, plan.ease)
    if plan.chart_aspect is not None:
        theme = theme.model_copy(
            update={"chart": theme.chart.model_copy(update={"aspect": plan.chart_aspect})}
        )
    c.finish()
    header = c.locale.word("园区简介", "Park profile")
    subject = c.locale.word(f"{m.year}年园区简介", f"Park profile {m.year}")
    meta = c.meta(name, subject, header, title_at=(*path, "name"))
    shown = [
        *park.indicators,
        *(card.indicator for b in blocks if isinstance(b, KpiPanel) for card in b.cards),
    ]
    sources = {
        strip_source_prefix(c.locale.pick(ind.source, ind.source_en, f"indicators.{x}.source"))
        for x in dict.fromkeys(shown)
        if (ind := report.indicator(x)).source
    }
    sources.update(
        strip_source_prefix(b.source) for b in blocks if isinstance(b, Figure) and b.source
    )
    blocks = [replace(b, source=None) if isinstance(b, Figure) else b for b in blocks]
    note = c.source_note("；".join(sorted(sources))) if sources else None
    meta = replace(meta, footer_note=note)
    document = Document(
        meta=meta,
        layout="sheet",
        theme=theme,
        blocks=decide(breaks.breakable(crossref.number_notes(blocks), c, path), theme),
        base_dir=str(c.base_dir) if c.base_dir else None,
        name=park.id,
        diagnostics=tuple(c.diagnostics),
    )
    return document, plan


@dataclass(frozen=True)
class _Context:
    """What a sheet may add around a park's own blocks, each piece optional."""

    mentions: Quote | None = None
    zone: tuple[Callout, ...] = ()
    """The zone's box with the whole lead, then with fewer of its paragraphs."""
    zone_figures: tuple[KpiPanel, ...] = ()
    """The zone's headline figures, then fewer of them."""
    related: Tags | None = None
    highlights: tuple[Callout, ...] = ()
    """The zone's highlights in one box, then with fewer of them."""


def _text_of(blocks: Sequence[Block]) -> str:
    """Return the words a sheet's own blocks print: positioning, narrative and events."""
    parts: list[str] = []
    for b in blocks:
        if isinstance(b, Cover) and b.subtitle:
            parts.append(b.subtitle)
        elif isinstance(b, Paragraph | Callout | Quote):
            parts.append(b.text)
        elif isinstance(b, Timeline):
            parts.extend(e.text for e in b.events)
    return "\n".join(parts)


def _context_blocks(
    c: Composer, report: Report, park: Park, own: str, language: str | None
) -> _Context:
    """Return the blocks that can give a park's sheet its context.

    What the report's own text says of the park (sentences of its chapters that name it,
    quoted with the report as source, unless the sheet says it already), the zone's lead
    in a box labelled 所在园区概况, the zone's headline figures, the other parks of the
    same kind (or of the zone) and the zone's highlights.
    """
    m = report.meta
    en = c.locale.en
    title = c.text(m.title, m.title_en, ("meta", "title"))
    mentions = _mentions(report, park, own, c.theme, language)
    quote = Quote(mentions, "——" + c.locale.word(f"《{title}》", title)) if mentions else None
    zone: tuple[Callout, ...] = ()
    if report.lead:
        lead = c.paragraphs(report.lead, report.lead_en, ("lead",))
        label = c.locale.word("所在园区概况", "About the zone")
        gap = (Run(c.locale.word("", " ")),)
        zone = tuple(
            Callout(
                tuple(r for k, p in enumerate(lead[:n]) for r in (gap if k else ()) + p.runs), label
            )
            for n in range(len(lead), 0, -1)
        )
    figures: tuple[KpiPanel, ...] = ()
    if report.kpis:
        heading = c.locale.word(f"{m.year}年全区主要指标", f"Zone key figures {m.year}")
        if m.period:
            period = c.text(m.period, m.period_en, ("meta", "period"))
            heading = c.locale.word(f"{period}全区主要指标", f"Zone key figures, {period}")
        panel = c.kpi_panel(report.kpis[:ZONE_FIGURES_MOST], heading, ("kpis",))
        if panel:
            counts = sorted({min(n, len(panel.cards)) for n in (ZONE_FIGURES_MOST, 4, 2)})
            figures = tuple(replace(panel, cards=panel.cards[:n]) for n in reversed(counts))
    kind = park.kind_en if en and park.kind_en else park.kind
    names = {p.id: p.name_en if en and p.name_en else p.name for p in report.parks}
    own_name = names[park.id]
    alike = _at_most(
        [names[p.id] for p in report.parks if p.kind == park.kind and names[p.id] != own_name], c
    )
    others = _at_most([names[p.id] for p in report.parks if names[p.id] != own_name], c)
    related = (
        Tags(c.locale.word(f"同类{kind}", "Of the same kind"), tuple(alike))
        if alike
        else Tags(
            c.locale.word("区内其他园区与载体", "Other parks and carriers of the zone"),
            tuple(others),
        )
        if others
        else None
    )
    shown = [
        (
            Run(
                c.text(h.title, h.title_en, ("highlights", k, "title")) + c.locale.word("：", ": "),
                strong=True,
            )
            if h.title
            else None,
            c.runs(h.text, h.text_en, ("highlights", k, "text")),
        )
        for k, h in enumerate(report.highlights)
    ]
    label = c.locale.word("全区亮点", "Zone highlights")
    gap = (Run(c.locale.word("　", " ")),)
    highlights = tuple(
        Callout(
            tuple(
                r
                for k, (head, runs) in enumerate(shown[:n])
                for r in (gap if k else ()) + ((head,) if head else ()) + runs
            ),
            label,
        )
        for n in range(len(shown), 0, -1)
    )
    return _Context(quote, zone, figures, related, highlights)


def _at_most(names: list[str], c: Composer) -> list[str]:
    """Return park names once each, at most :data:`RELATED_MOST` of them and a tag saying
    how many more there are, so a zone of many parks does not fill a sheet with its list."""
    unique = list(dict.fromkeys(names))
    if len(unique) <= RELATED_MOST:
        return unique
    more = len(unique) - RELATED_MOST
    return [*unique[:RELATED_MOST], c.locale.word(f"等{len(unique)}个", f"and {more} more")]


def _mentions(
    report: Report, park: Park, own: str, theme: Theme, language: str | None
) -> tuple[Run, ...]:
    """Return the sentences of the report's chapters that name the park, as runs.

    A sentence that mostly says again what the sheet already says (``own``: its narrative,
    events, positioning) is skipped (see :func:`_repeats`); at most :data:`MENTION_LIMIT`
    are kept. They are resolved by a composer of their own, so the sheet's figure numbers
    and warnings are not touched.
    """
    reader = Composer(report, theme, language, Diagnostics())
    name = park.name_en if reader.locale.en and park.name_en else park.name
    key = "".join(name.split())
    found: list[tuple[Run, ...]] = []
    for base, section, _ in report.outline():
        for j, block in enumerate(section.blocks):
            for where, zh, en_text in block.texts():
                template = reader.locale.pick(zh, en_text, "")
                if where != ("paragraph",) or key not in "".join(template.split()):
                    continue
                try:
                    paragraphs = reader.paragraphs(zh, en_text, (*base, "blocks", j, *where))
                except KhzReportError:  # the briefing reports it; the sheet does without
                    continue
                for p in paragraphs:
                    for sentence in _sentences(_without_references(p.runs)):
                        text = "".join(r.text for r in sentence)
                        if name in text and not _repeats(text, own) and len(found) < MENTION_LIMIT:
                            found.append(sentence)
    out: list[Run] = []
    for sentence in found:
        out.extend(sentence)
    return tuple(out)


def _repeats(text: str, own: str) -> bool:
    """Return whether most of ``text`` is already in ``own``: at least half of its pairs of
    neighbouring characters (spaces and punctuation aside) occur there."""
    letters = [ch for ch in text if ch.isalnum()]
    pairs = {a + b for a, b in itertools.pairwise(letters)}
    seen = [ch for ch in own if ch.isalnum()]
    known = {a + b for a, b in itertools.pairwise(seen)}
    return bool(pairs) and len(pairs & known) >= REPEAT_SHARE * len(pairs)


_REFERENCE_OPENERS = ("（见", "(见", "（详见", "(see ", "(See ", "(")
_REFERENCE_CLOSERS = ("）", ")")


def _without_references(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    """Return runs without their cross-references (（见表1）): the briefing's tables and
    figures are not on the sheet, and a footnote mark's note is not either."""
    out: list[Run] = []
    dropped = False
    for run in runs:
        if run.target is not None or run.note is not None:
            last = out[-1] if out else None
            opener = next((o for o in _REFERENCE_OPENERS if last and last.text.endswith(o)), None)
            if last is not None and opener:
                out[-1] = replace(last, text=last.text[: -len(opener)].rstrip())
            dropped = bool(opener)
            continue
        if dropped and run.text.startswith(_REFERENCE_CLOSERS):
            run = replace(run, text=run.text[1:])
        dropped = False
        out.append(run)
    return tuple(r for r in out if r.text)


def _sentences(runs: tuple[Run, ...]) -> list[tuple[Run, ...]]:
    """Split runs at sentence ends (see :func:`sentence_breaks`), keeping each run's binding."""
    text = "".join(r.text for r in runs)
    cuts = sentence_breaks([text])
    out: list[tuple[Run, ...]] = []
    start = 0
    for end in cuts:
        piece: list[Run] = []
        offset = 0
        for r in runs:
            a, b = max(start, offset), min(end, offset + len(r.text))
            if a < b:
                piece.append(replace(r, text=r.text[a - offset : b - offset]))
            offset += len(r.text)
        first = piece[0] if piece else None
        if first is not None and first.text.strip() != first.text:
            piece[0] = replace(first, text=first.text.lstrip())
        if piece:
            out.append(tuple(piece))
        start = end
    return out


def plan_sheet(own: Sequence[Block], context: _Context, base: Theme) -> SheetPlan:
    """Return the layout of a sheet from its own blocks and the context it may add.

    The park's density is the share of the page its own blocks fill (estimated from the
    sheet theme's sizes, in the PDF and in Word). A rich park's chart first grows into the
    room left; then context is added, the pieces in order (what the report says of the
    park, the zone's box, its figures, related parks, the zone's highlights), each only if
    it still fits, in fewer words or figures if need be; a rich park with a chart rarely
    has room for any. A sheet whose blocks leave room is then set looser (see
    :func:`sheet_theme`), as loose as still fits, and a chart grows into what is left.
    """
    theme = sheet_theme(base)
    page = body_height_mm(theme)
    share = pdf_height_mm(own, theme) / page
    density: Density = (
        "rich" if share >= RICH_FROM else "sparse" if share < SPARSE_BELOW else "medium"
    )
    columns = 1 if density == "sparse" else 2
    laid = [replace(b, columns=columns) if isinstance(b, Facts) else b for b in own]
    used = pdf_height_mm(laid, theme)
    used_word = word_total_mm(laid, theme)
    added: list[str] = []
    chart = next((b for b in own if isinstance(b, Figure) and b.chart is not None), None)
    low, high = CHART_ASPECT_RANGE
    growth = 0.0
    if density == "rich" and chart is not None:  # the park's chart comes before any context
        width = _art_width_mm(chart, theme)
        growth = max(0.0, min(page * FILL_TARGET - used, (high - theme.chart.aspect) * width))
    photo = next((b for b in laid if isinstance(b, Figure) and b.image and b.width == "half"), None)
    photo_width: Literal["half", "full"] = "half"
    if photo is not None and density == "rich":  # a rich park's photo takes the full width
        wide = replace(photo, width="full")
        extra = pdf_height_mm([wide], theme) - pdf_height_mm([photo], theme)
        extra_word = word_total_mm([wide], theme) - word_total_mm([photo], theme)
        if used + extra <= page * FILL_TARGET and used_word + extra_word <= page * WORD_FILL:
            photo_width = "full"
            used, used_word = used + extra, used_word + extra_word
    pieces: list[tuple[str, Sequence[Block]]] = [
        ("mentions", [context.mentions] if context.mentions else []),
        ("zone", context.zone),
        ("zone_figures", context.zone_figures),
        ("related", [context.related] if context.related else []),
        ("highlights", context.highlights),
    ]
    for name, variants in pieces:
        for k, block in enumerate(variants):
            h, hw = pdf_height_mm([block], theme), word_total_mm([block], theme)
            pdf_room = page * FILL_TARGET - used - growth
            word_room = page * WORD_FILL - used_word - growth * WORD_GROWTH["Figure"]
            if h <= pdf_room and hw <= word_room:
                added.append(f"{name}:{k}")
                used += h
                used_word += hw
                break
    ease = 0.0
    draft = SheetPlan(density, share, columns, tuple(added), photo_width=photo_width)
    blocks = _arranged(own, context, draft)
    for step in EASE_STEPS:
        loose = sheet_theme(base, step)
        if (
            pdf_height_mm(blocks, loose) <= page * FILL_TARGET
            and word_total_mm(blocks, loose) <= page * WORD_FILL
        ):
            ease, theme = step, loose
            used, used_word = pdf_height_mm(blocks, theme), word_total_mm(blocks, theme)
            break
    aspect = None
    if chart is not None:
        width = _art_width_mm(chart, theme)
        drawn = width * theme.chart.aspect
        room = min(
            page * FILL_TARGET - used,
            (page * WORD_FILL - used_word) / WORD_GROWTH["Figure"] - CHART_HEADROOM_MM,
        )
        aspect = round(min(high, max(low, (drawn + room) / width)), 2)
        if abs(aspect - theme.chart.aspect) < 0.02:
            aspect = None
    return SheetPlan(density, round(share, 3), columns, tuple(added), aspect, ease, photo_width)


def _arranged(own: Sequence[Block], context: _Context, plan: SheetPlan) -> list[Block]:
    """Return the sheet's blocks in order: own blocks, then the context the plan chose.

    What the report says of the park follows its own text (before its chart); the zone's
    box, its figures and related parks close the page.
    """
    out: list[Block] = []
    chosen = dict(name.split(":") for name in plan.context)
    mentions = context.mentions if "mentions" in chosen else None
    for block in own:
        if isinstance(block, Facts):
            block = replace(block, columns=plan.facts_columns)
        if isinstance(block, Figure) and block.image and block.width != plan.photo_width:
            block = replace(block, width=plan.photo_width)
        if isinstance(block, Figure) and mentions:
            out.append(mentions)
            mentions = None
        out.append(block)
    if mentions:
        out.append(mentions)
    if "zone" in chosen:
        out.append(context.zone[int(chosen["zone"])])
    if "zone_figures" in chosen:
        out.append(context.zone_figures[int(chosen["zone_figures"])])
    if "related" in chosen and context.related:
        out.append(context.related)
    if "highlights" in chosen:
        out.append(context.highlights[int(chosen["highlights"])])
    return out


def pdf_height_mm(blocks: Sequence[Block], theme: Theme) -> float:
    """Return the estimated height of blocks in the PDF, drawn as the theme decides them
    (a 公文 theme sets cards and boxes as plain paragraphs)."""
    return sum(block_height_mm(b, theme) for b in decide(blocks, theme))


def word_total_mm(blocks: Sequence[Block], theme: Theme) -> float:
    """Return the estimated height of blocks in Word, drawn as the theme decides them."""
    return sum(word_height_mm(b, theme) for b in decide(blocks, theme))


def word_height_mm(block: Block, theme: Theme) -> float:
    """Return the estimated height of a sheet block in Word (as LibreOffice sets it)."""
    if isinstance(block, Cover):
        return block_height_mm(block, theme) + WORD_COVER_EXTRA_MM
    return block_height_mm(block, theme) * WORD_GROWTH.get(type(block).__name__, 1.3)


def body_height_mm(theme: Theme) -> float:
    """Return the height of a sheet's text area: the page less its margins."""
    return theme.page.height_mm - theme.page.margin_top - theme.page.margin_bottom


def _lines(text: str, width_mm: float, size_pt: float, indent: float = 0) -> int:
    """Return how many lines ``text`` takes at ``size_pt`` in a column ``width_mm`` wide."""
    if not text:
        return 0
    per_line = max(1.0, width_mm / (size_pt * _MM_PER_PT / 2))
    return max(1, math.ceil((display_width(text) + 2 * indent) / per_line))


def _art_width_mm(figure: Figure, theme: Theme) -> float:
    width = figure.width_cm * 10 if figure.width_cm else text_width_mm(theme)
    return min(width, theme.chart.width_cm * 10, text_width_mm(theme))


def block_height_mm(block: Block, theme: Theme) -> float:
    """Return the estimated height of a sheet block (with its spacing) in millimetres.

    A measure of the sheet template's drawing (``templates/typst/sheet.typ`` and
    ``blocks.typ``) from the theme's sizes and line spacing; the PDF is checked after.
    """
    s = theme.sizes
    w = text_width_mm(theme)
    em = s.body * _MM_PER_PT
    pitch = em * 1.2 * theme.line_spacing
    if isinstance(block, Cover):
        title = _lines(block.title, w, s.title) * s.title * 1.15 * _MM_PER_PT
        sub = _lines(block.subtitle or "", w, s.body + 1) * (s.body + 1) * 1.6 * _MM_PER_PT
        return title + sub + 1.6 * em
    if isinstance(block, Facts):
        cols = max(1, min(block.columns or 3, len(block.items)))
        rows = math.ceil(len(block.items) / cols)
        cell = w / cols - 30
        tall = sum(
            max(_lines(v, cell, s.body) for _, v in block.items[r * cols : (r + 1) * cols])
            for r in range(rows)
        )
        return tall * em * 1.25 + (rows - 1) * 9 * _MM_PER_PT + 20 * _MM_PER_PT + 1.35 * em
    if isinstance(block, KpiPanel):
        per_row = block.per_row or min(4, len(block.cards)) or 1
        rows = math.ceil(len(block.cards) / per_row)
        label = max((_lines(k.label, w / per_row - 4, s.kpi_label) for k in block.cards), default=1)
        change = any(k.change_text or k.note for k in block.cards)
        card = (
            s.kpi_value * 1.25
            + s.body * 0.75
            + label * s.kpi_label * 1.25
            + s.kpi_label * 0.5
            + (s.kpi_label * 1.4 if change else 0)
            + 21
        ) * _MM_PER_PT
        title = em * 2.2 if block.title else 0
        return title + rows * card + (rows - 1) * 7 * _MM_PER_PT + em
    if isinstance(block, Tags):
        units = display_width(block.label) * s.body / 2 + 12
        units += sum(display_width(t) * (s.body - 1) / 2 + 17 for t in block.items)
        lines = max(1, math.ceil(units * _MM_PER_PT / w))
        return lines * em * 1.42 + 1.1 * em
    if isinstance(block, Paragraph):
        lines = _lines(block.text, w / 1.08, s.body, theme.first_line_chars)
        return lines * pitch + pitch - em
    if isinstance(block, Callout):
        title = em * 1.5 if block.title else 0
        return 24 * _MM_PER_PT + title + _lines(block.text, w - 11, s.body) * pitch + em
    if isinstance(block, Quote):
        lines = _lines(block.text, w - 4 * em - 5, s.body)
        return lines * pitch + s.caption * 1.3 * _MM_PER_PT + 2.4 * em
    if isinstance(block, Timeline):
        size = s.body - 1
        events = sum(
            (
                _lines(e.text, w - 35, size) * size * 1.35 * _MM_PER_PT + 7 * _MM_PER_PT
                for e in block.events
            ),
            0.0,
        )
        return 1.1 * (events + (em * 1.7 if block.title else 0) + 2 * em)
    if isinstance(block, Figure):
        caption = s.caption * 1.5 * _MM_PER_PT + 0.5 * em
        if block.chart is not None:
            return _art_width_mm(block, theme) * theme.chart.aspect + caption
        width_cm, most_cm = figure_size(block, theme)
        pixels = photo_size(Path(block.image)) if block.image else None
        aspect = pixels[1] / pixels[0] if pixels and pixels[0] else 0.75
        art = min(width_cm * aspect, most_cm or PHOTO_MAX_HEIGHT_CM) * 10
        return art + caption + 0.5 * em
    return 0.0


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
