"""A park sheet: one A4 page per park or innovation carrier (一园一册).

Fields a park does not have are left out, never printed as empty cards or "None".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import numbers as nb
from ..document import Block, Document, Facts, Heading, Tags
from ..model import Park, Report
from ..theme import Theme
from .common import Composer

if TYPE_CHECKING:
    from ..source import PathKey


def compose_sheet(
    report: Report, park: Park, theme: Theme, language: str | None = None
) -> Document:
    """Return the resolved summary sheet of one park."""
    c = Composer(report, theme, language)
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
    blocks: list[Block] = [Heading(1, name, positioning, f"park-{park.id}", "")]
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
        blocks.extend(c.paragraphs(park.narrative, park.narrative_en, (*path, "narrative")))
    if park.chart:
        fig = c.chart_figure(park.chart, (*path, "chart"), width="half")
        if fig:
            blocks.append(fig)
    elif park.photo:
        fig = c.image_figure(park.photo, (*path, "photo"), width="half")
        if fig:
            blocks.append(fig)
    c.finish()
    zone = c.text(m.issuer, m.issuer_en, ("meta", "issuer"))
    header = c.locale.word(f"{zone} · {m.year}年园区简介", f"{zone} · Park profiles {m.year}")
    meta = c.meta(name, c.locale.word(f"{m.year}年园区简介", f"Park profile {m.year}"), header)
    sources = sorted({src for x in park.indicators if (src := report.indicator(x).source)})
    note = c.source_note("；".join(sources)) if sources else None
    from dataclasses import replace

    meta = replace(meta, footer_note=note)
    return Document(
        meta=meta,
        layout="sheet",
        theme=theme,
        blocks=tuple(blocks),
        base_dir=str(c.base_dir) if c.base_dir else None,
        name=park.id,
        warnings=tuple(c.warnings),
    )
