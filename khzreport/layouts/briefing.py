"""The annual briefing: opening, headline figures, call-outs, chapters, outlook, distribution."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic
from ..document import (
    Attachments,
    Block,
    Callout,
    Cover,
    Distribution,
    Document,
    Heading,
    Masthead,
    PageBreak,
    Signature,
    Toc,
    TocEntry,
)
from ..errors import KhzReportError, ValidationError
from ..model import (
    Report,
    TableSpec,
)
from ..resolver import breaks, crossref, decisions
from ..resolver import numbers as nb
from ..resolver.composer import Composer
from ..resolver.decisions import decide
from ..source.assets import check_photo, confined_path
from ..theme import Theme

if TYPE_CHECKING:
    from ..diagnostics import Diagnostics
    from ..locations import PathKey


def compose_briefing(
    report: Report,
    theme: Theme,
    language: str | None = None,
    *,
    diagnostics: Diagnostics | None = None,
) -> Document:
    """Return the resolved annual briefing; raise every binding error found, with locations.

    Warnings also go into ``diagnostics`` when given (the build's one channel).
    """
    c = Composer(report, theme, language, diagnostics)
    c.refs = crossref.referable(report)
    m = report.meta
    title = c.text(m.title, m.title_en, ("meta", "title"))
    issuer = c.text(m.issuer, m.issuer_en, ("meta", "issuer"))
    date_text = nb.format_date(m.date, locale="en" if c.locale.en else "zh-CN")
    blocks: list[Block] = []
    if theme.masthead:
        issue = None
        if m.issue is not None:
            issue = c.locale.word(f"第{m.issue}期", f"Issue {m.issue}")
        masthead = c.text(m.masthead, m.masthead_en, ("meta", "masthead")) if m.masthead else title
        headline = title if masthead != title else None
        period = reporting_period(c, report)
        blocks.append(Masthead(masthead, issue, issuer, date_text, headline, period))
        if m.subtitle:
            c.warn(
                "subtitle-not-shown",
                "a 简报 masthead has no place for the subtitle; it is not printed",
                ("meta", "subtitle"),
                "put it into the title or the lead, or use a theme with a cover",
            )
    elif theme.cover:
        subtitle = c.text(m.subtitle, m.subtitle_en, ("meta", "subtitle")) if m.subtitle else None
        blocks.append(Cover(title, subtitle, issuer, date_text, reporting_period(c, report)))
    style = decisions.numbering_style(theme, c.locale.en)
    headings = _headings(c, report, style)
    if theme.toc and headings:
        entries = tuple(
            TocEntry(h.level, h.number + h.text, h.anchor)
            for h in headings.values()
            if h.level <= theme.toc_depth
        )
        blocks.append(Toc(c.locale.word("目录", "Contents"), entries))
    if report.lead:
        blocks.extend(c.paragraphs(report.lead, report.lead_en, ("lead",), "lead"))
    if report.kpis:
        panel = c.kpi_panel(report.kpis, headline_title(c, report), ("kpis",))
        if panel:
            blocks.append(_located(panel, c, ("kpis",)))
    for i, h in enumerate(report.highlights):
        path: PathKey = ("highlights", i)
        htitle = c.text(h.title, h.title_en, (*path, "title")) if h.title else None
        callout = Callout(c.runs(h.text, h.text_en, (*path, "text")), htitle)
        blocks.append(_located(callout, c, path))
        if h.figure:
            fig = c.image_figure(h.figure, (*path, "figure"), width="half")
            if fig:
                blocks.append(_located(fig, c, (*path, "figure")))
    turned = False
    for path, section, level in report.outline():
        if _is_annex(path) and not c.annex:
            blocks.extend(_closing(c, report, headings))
            c.start_annex()
        if _is_annex(path) and level == 1:
            wide = section.landscape and theme.page.orientation == "portrait"
            blocks.append(_page_break(turned, wide))
            turned = wide
        blocks.append(headings[path])
        for j, block in enumerate(section.blocks):
            where = (*path, "blocks", j)
            blocks.extend(_located(b, c, where) for b in block.resolve(c, where))
    definitions = _defined(report)
    if not c.annex:
        blocks.extend(_closing(c, report, headings))
        if definitions:
            c.start_annex()
    if definitions:
        where: PathKey = ("meta", "definitions_appendix")
        title = c.locale.word("指标口径", "Definitions of the indicators")
        spec = TableSpec(title=title, rows=definitions, columns=["label", "definition"])
        table = c.table(spec, where)
        blocks.extend([_page_break(turned, False), headings[_definitions_path(report)]])
        turned = False
        if table is not None:
            blocks.append(_located(table, c, where))
    dist = m.distribution
    if dist is not None:
        lines: list[tuple[str, str]] = []
        sep = c.locale.word("，", ", ")
        submit = c.locale.pick_list(
            dist.submit_to, dist.submit_to_en, "meta.distribution.submit_to"
        )
        copy = c.locale.pick_list(dist.copy_to, dist.copy_to_en, "meta.distribution.copy_to")
        if submit:
            lines.append((c.locale.word("报送：", "To: "), sep.join(submit)))
        if copy:
            lines.append((c.locale.word("抄送：", "Cc: "), sep.join(copy)))
        issued = None
        if dist.printed_by:
            when = dist.printed_date or m.date
            printed = nb.format_date(when, locale="en" if c.locale.en else "zh-CN")
            by = c.text(dist.printed_by, dist.printed_by_en, ("meta", "distribution", "printed_by"))
            lines.append((c.locale.word("印发：", "Issued by: "), by))
            issued = c.locale.word(f"{printed}印发", printed)
        if lines:
            if turned:  # the 版记 closes the document upright
                blocks.append(PageBreak("portrait"))
            blocks.append(Distribution(tuple(lines), issued))
    outline = [(s.id, headings[path], _is_annex(path)) for path, s, _ in report.outline()]
    targets = {**c.targets, **crossref.section_targets(outline, c.locale.en)}
    for holder, ident in crossref.unfilled(blocks, targets):
        warning = Diagnostic(
            "reference-not-printed",
            f"'{ident}' is referred to but not printed, so its number is not known",
            holder.origin,
            "give the figure its image, or refer to something the document shows",
        )
        c.diagnostics.append(c.channel.add(warning))
    blocks = crossref.number_notes(crossref.fill(blocks, targets))
    blocks = breaks.breakable(blocks, c)  # no string runs off the page
    c.finish()
    subject = c.locale.word(f"{m.year}年度发展简报", f"Annual briefing {m.year}")
    return Document(
        meta=c.meta(title, subject, title),
        layout="briefing",
        theme=theme,
        blocks=decide(blocks, theme, float_figures=True),
        base_dir=str(c.base_dir) if c.base_dir else None,
        name="briefing",
        diagnostics=tuple(c.diagnostics),
    )


def _headings(c: Composer, report: Report, style: str) -> dict[PathKey, Heading]:
    """Return the heading of every section by its path, numbered at its level in ``style``."""
    out: dict[PathKey, Heading] = {}
    counters: list[int] = []
    annex = False
    annexes = len(report.appendices) + (1 if _defined(report) else 0)
    for path, section, level in report.outline():
        if _is_annex(path) and not annex:
            annex, counters = True, []
        del counters[level:]
        counters.extend([0] * (level - len(counters)))
        counters[level - 1] += 1
        second = (
            c.text(section.subtitle, section.subtitle_en, (*path, "subtitle"))
            if section.subtitle
            else None
        )
        out[path] = Heading(
            level,
            c.text(section.title, section.title_en, (*path, "title")),
            second,
            f"sec-{section.id}",
            _annex_number(c, counters[0], annexes)
            if annex and level == 1
            else decisions.outline_number(counters, style),
            origin=c.where(path),
        )
    if _defined(report):
        out[_definitions_path(report)] = Heading(
            1,
            c.locale.word("指标说明", "Notes on the indicators"),
            None,
            "sec-definitions",
            _annex_number(c, annexes, annexes),
            origin=c.where(("meta", "definitions_appendix")),
        )
    return out


def _definitions_path(report: Report) -> PathKey:
    """Return the key of the generated 指标说明 appendix: after the source's appendices."""
    return ("appendices", len(report.appendices))


def _defined(report: Report) -> list[str]:
    """Return the ids the 指标说明 appendix lists: every indicator with a 口径, when asked."""
    if not report.meta.definitions_appendix:
        return []
    return [ind.id for ind in report.indicators if ind.definition]


def _page_break(turned: bool, landscape: bool) -> PageBreak:
    """Return the break before an appendix, turning the pages when its orientation changes."""
    if landscape == turned:
        return PageBreak()
    return PageBreak("landscape" if landscape else "portrait")


def _is_annex(path: PathKey) -> bool:
    return path[0] == "appendices"


def _annex_number(c: Composer, n: int, count: int) -> str:
    """Return an appendix's mark: 附件2 (附件 alone when there is one), Annex 2 in English."""
    if count == 1:
        return c.locale.word("附件　", "Annex: ")
    return c.locale.word(f"附件{n}　", f"Annex {n}: ")


def _closing(c: Composer, report: Report, headings: dict[PathKey, Heading]) -> list[Block]:
    """Return the 附件说明 and the 落款 that end the text, in GB/T 9704's order."""
    out: list[Block] = []
    count = len(report.appendices) + (1 if _defined(report) else 0)
    titles = [headings[("appendices", i)].text for i in range(count)]
    if len(titles) == 1:
        out.append(Attachments(c.locale.word("附件：", "Annex: "), tuple(titles)))
    elif titles:
        items = tuple(f"{k}. {t}" if c.locale.en else f"{k}.{t}" for k, t in enumerate(titles, 1))
        out.append(Attachments(c.locale.word("附件：", "Annexes: "), items))
    m, sig = report.meta, report.meta.signature
    if sig is not None:
        organ = (
            c.text(sig.organ, sig.organ_en, ("meta", "signature", "organ"))
            if sig.organ
            else c.text(m.issuer, m.issuer_en, ("meta", "issuer"))
        )
        date = nb.format_date(sig.date or m.date, locale="en" if c.locale.en else "zh-CN")
        seal = _seal(c, sig.seal) if sig.seal else None
        out.append(Signature(organ, date, seal=seal, origin=c.where(("meta", "signature"))))
    return out


def _seal(c: Composer, relative: str) -> str | None:
    """Return the checked path of the 落款's seal image, or None with a located error.

    The seal is confined to the source's folder and checked like a photo (PNG or JPEG, within
    the size limits), so every format reads exactly the same file.
    """
    path: PathKey = ("meta", "signature", "seal")
    if c.base_dir is None:
        c.warn(
            "seal-without-source-folder",
            f"no source folder to find the seal '{relative}' in",
            path,
            "load the report from its file, so that the seal is found next to it",
        )
        return None
    where = c.where(path)
    try:
        file = confined_path(c.base_dir, relative, where)
    except KhzReportError as exc:
        c.errors.append(exc)
        return None
    if not file.is_file():
        c.errors.append(
            ValidationError(
                f"seal image not found: {relative}", where, "put the file next to the source"
            )
        )
        return None
    problem = check_photo(file)
    if problem is not None:
        c.errors.append(ValidationError(f"seal image {relative}: {problem[0]}", where, problem[1]))
        return None
    return str(file)


def _located(block: Block, c: Composer, path: PathKey) -> Block:
    """Return ``block`` with the source location of ``path``, unless it already has one."""
    if block.origin is not None:
        return block
    return dataclasses.replace(block, origin=c.where(path))


def reporting_period(c: Composer, report: Report) -> str | None:
    """Return ``meta.period`` for the masthead or title block, or None for a calendar year.

    A report on part of a year (2023年前三季度) says so under its title; a period that only
    restates the year (2023年) is left out, as the date already dates the report.
    """
    m = report.meta
    if not m.period:
        return None
    period = c.text(m.period, m.period_en, ("meta", "period"))
    year_only = {str(m.year), nb.format_year(m.year, locale="en" if c.locale.en else "zh-CN")}
    return None if period.strip() in year_only else period


def headline_title(c: Composer, report: Report) -> str:
    """Return the heading of the headline KPI panel: ``kpis_title``, or the period's key figures.

    A report on part of a year (``meta.period: 2023年前三季度``) must not label its figures
    as the whole year's, so the period, when given, replaces the year.
    """
    m = report.meta
    if report.kpis_title:
        return c.text(report.kpis_title, report.kpis_title_en, ("kpis_title",))
    if m.period:
        period = c.text(m.period, m.period_en, ("meta", "period"))
        return c.locale.word(f"{period}主要指标", f"Key figures, {period}")
    return c.locale.word(f"{m.year}年主要指标", f"Key figures {m.year}")
