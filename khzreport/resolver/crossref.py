"""Cross-references: ``{{ ref.ID }}`` in narrative prints 图3, 表2 or 第四部分, and links there.

A template renders before the document is numbered (a figure it names may come later), so
the narrative marks the run with the id and :func:`fill` writes the label and the anchor into
it once every block is composed: the printed number always follows the document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..document import LEAF_TYPES, Block, Heading, Run, field_names, runs_in
from ..model import Report
from .narrative import REF_MARK
from .numbers import to_chinese_numeral


def referable(report: Report) -> frozenset[str]:
    """Return the ids ``ref.ID`` may name: sections, placed charts and figures, named tables."""
    ids = {section.id for _, section, _ in report.outline()}
    ids.update(h.figure for h in report.highlights if h.figure)
    for _, section, _ in report.outline():
        for block in section.blocks:
            ids.update(block.targets())
    return frozenset(ids)


def section_targets(
    headings: Iterable[tuple[str, Heading, bool]], english: bool
) -> dict[str, tuple[str, str]]:
    """Return each section id's anchor and printed name.

    A chapter is named by its place (第四部分 / Section 4), an appendix by its mark (附件2 /
    Annex 2); a sub-section by its number and title (（二）企业培育 / 1.2 Enterprises), or its
    title alone when headings are unnumbered. Each item is (id, heading, is an appendix).
    """
    out: dict[str, tuple[str, str]] = {}
    chapter = 0
    for ident, heading, annex in headings:
        if annex and heading.level == 1:
            name = heading.number.strip(" :　")
        elif heading.level == 1:
            chapter += 1
            name = f"Section {chapter}" if english else f"第{to_chinese_numeral(chapter)}部分"
        else:
            name = heading.number.strip() + (" " if english and heading.number else "")
            name += heading.text
        out[ident] = (heading.anchor, name)
    return out


def unfilled(
    blocks: Iterable[Block], targets: Mapping[str, tuple[str, str]]
) -> list[tuple[Block, str]]:
    """Return each block holding a reference to something the document does not print."""
    out: list[tuple[Block, str]] = []
    for block in blocks:
        for run in runs_in(block):
            if run.target and run.target.startswith(REF_MARK) and run.target[1:] not in targets:
                out.append((block, run.target[1:]))
    return out


def fill(blocks: Iterable[Block], targets: Mapping[str, tuple[str, str]]) -> list[Block]:
    """Return ``blocks`` with every reference run holding its label and its target's anchor.

    A reference to something not printed (a figure without its image yet) keeps no link and
    prints its id; :func:`unfilled` lists those for a warning.
    """

    def filled(run: Run) -> Run:
        if not (run.target and run.target.startswith(REF_MARK)):
            return run
        found = targets.get(run.target[1:])
        if found is None:
            return dataclasses.replace(run, target=None)
        anchor, label = found
        return dataclasses.replace(run, text=label, target=anchor)

    return [_map_runs(block, filled) for block in blocks]


def number_notes(blocks: Iterable[Block]) -> list[Block]:
    """Return ``blocks`` with their footnote marks numbered 1, 2, 3 … through the document.

    The narrative is rendered paragraph by paragraph, so only the finished document knows
    the order of its notes; the writers print the number this gives each mark.
    """
    counter = [0]

    def number(run: Run) -> Run:
        if run.note is None:
            return run
        counter[0] += 1
        return dataclasses.replace(run, text=str(counter[0]))

    return [_map_runs(block, number) for block in blocks]


def _map_runs(obj: Any, change: Callable[[Run], Run]) -> Any:
    if type(obj) in LEAF_TYPES:
        return obj
    if isinstance(obj, Run):
        return change(obj)
    if isinstance(obj, tuple):
        items = tuple(_map_runs(x, change) for x in obj)
        return obj if all(a is b for a, b in zip(items, obj, strict=True)) else items
    names = field_names(type(obj))
    if names:
        changes = {}
        for name in names:
            value = getattr(obj, name)
            if type(value) in LEAF_TYPES:
                continue
            if isinstance(value, Run | tuple) or field_names(type(value)) is not None:
                new = _map_runs(value, change)
                if new is not value:
                    changes[name] = new
        return dataclasses.replace(obj, **changes) if changes else obj
    return obj
