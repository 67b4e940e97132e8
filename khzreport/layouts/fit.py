"""Fit a park sheet on one page: shorten its narrative, then shrink or drop its figure.

A draft fits when its PDF is one page and its blocks, as Word sets them, are estimated to
fit the page too (:func:`word_fits`), so the DOCX the batch writes is one page as well. As
Word's page is an estimate, a sheet that fits no draft in Word is not failed for it: it
keeps the fullest draft whose PDF is one page, with a ``sheet-may-overflow-in-word``
warning.

The sheet is resolved once; each draft is that document with its narrative cut at a
sentence end (see :func:`~khzreport.layouts.sheet.shorten_paragraphs`) and its figure drawn
smaller or left out, so only the PDF is rendered again. Layouts do not import writers: the
caller passes the PDF renderer and the page counter.

The steps, each with a located warning: (1) the narrative is shortened at a sentence end
(。！？), ending in ``……``, keeping as much as fits (a binary search over the sentence ends,
down to the first sentence); (2) if even that is too long, the figure is drawn smaller,
then left out (again with as much narrative as fits); (3) otherwise
:class:`~khzreport.errors.ValidationError` names what to shorten.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..diagnostics import Diagnostic
from ..document import Block, Document, Figure, Paragraph
from ..errors import Location, ValidationError
from ..locations import PathKey, format_path, source_map
from ..model import Report
from ..resolver.decisions import decide
from .sheet import body_height_mm, sentence_breaks, shorten_paragraphs, word_height_mm

Width = Literal["full", "half", "small"]


@dataclass(frozen=True)
class FittedSheet:
    """A sheet that fits one page: the document drawn, its PDF, and what was changed."""

    document: Document
    pdf: bytes
    pages: int
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class _Draft:
    document: Document
    pdf: bytes
    pages: int
    kept: int
    total: int
    word_fits: bool = True

    @property
    def fits(self) -> bool:
        """Return whether the draft is one page in the PDF and, as estimated, in Word."""
        return self.pages <= 1 and self.word_fits


def word_fits(document: Document) -> bool:
    """Return whether a sheet's blocks, as Word sets them (estimated), fit its page."""
    theme = document.theme
    return sum(word_height_mm(b, theme) for b in document.blocks) <= body_height_mm(theme)


def fit_sheet(
    report: Report,
    park: str,
    document: Document,
    render_pdf: Callable[[Document], bytes],
    page_count: Callable[[bytes], int],
) -> FittedSheet:
    """Return the fullest version of a park's sheet whose PDF is one page.

    ``document`` is the park's resolved sheet (:func:`~khzreport.layouts.compose_sheet`);
    ``render_pdf`` draws a document as PDF bytes and ``page_count`` counts a PDF's pages.
    """
    paragraphs = [b for b in document.blocks if isinstance(b, Paragraph)]
    total = sum(len(p.text) for p in paragraphs)

    def draft(limit: int | None, width: Width | None, figure: bool) -> _Draft:
        doc = _variant(document, paragraphs, limit, width, figure)
        pdf = render_pdf(doc)
        kept = sum(len(b.text) for b in doc.blocks if isinstance(b, Paragraph))
        return _Draft(doc, pdf, page_count(pdf), kept, total, word_fits(doc))

    first = draft(None, None, True)
    if first.fits:
        return FittedSheet(first.document, first.pdf, first.pages)
    cuts = sentence_breaks([p.text for p in paragraphs])[:-1]
    has_figure = any(isinstance(b, Figure) for b in document.blocks)
    steps: list[tuple[Width | None, bool]] = [(None, True)]
    if has_figure:
        steps += [("small", True), (None, False)]

    def fitted(word: bool) -> FittedSheet | None:
        """Return the fullest draft that fits the PDF's page (and Word's, with ``word``)."""

        def fits(d: _Draft) -> bool:
            return d.fits if word else d.pages <= 1

        for width, figure in steps:
            full = first if (width, figure) == (None, True) else draft(None, width, figure)
            best: _Draft | None = full if fits(full) else None
            if best is None and cuts:
                shortest = draft(cuts[0], width, figure)
                if fits(shortest):
                    best = shortest
                    lo, hi = 0, len(cuts) - 1
                    while lo < hi:
                        mid = (lo + hi + 1) // 2
                        attempt = draft(cuts[mid], width, figure)
                        if fits(attempt):
                            lo, best = mid, attempt
                        else:
                            hi = mid - 1
            if best is not None:
                changes = _changes(report, park, best, width, figure)
                return FittedSheet(best.document, best.pdf, best.pages, changes)
        return None

    done = fitted(word=True)
    if done is None and first.pages <= 1:  # Word's page is estimated: keep the PDF's page
        done = FittedSheet(first.document, first.pdf, first.pages)
    if done is None:
        done = fitted(word=False)
    if done is not None:
        if not word_fits(done.document):
            over = Diagnostic(
                "sheet-may-overflow-in-word",
                "the sheet fits one page in the PDF, but its DOCX may run over one page",
                park_location(report, park),
                "shorten its narrative or show fewer indicators",
            )
            done = dataclasses.replace(done, diagnostics=(*done.diagnostics, over))
        return done
    raise ValidationError(
        f"the sheet of park '{park}' runs to {first.pages} pages and does not fit on one "
        "even with its narrative cut to one sentence"
        + (" and its figure left out" if has_figure else ""),
        park_location(report, park),
        "shorten its positioning, leading industries or key enterprises, or show fewer indicators",
    )


def park_location(report: Report, park: str, fieldname: str | None = None) -> Location:
    """Return where a park (or one of its fields) is in the source."""
    i = [p.id for p in report.parks].index(park)
    key: PathKey = ("parks", i) if fieldname is None else ("parks", i, fieldname)
    smap = source_map(report)
    return smap.locate(key) if smap else Location(path=format_path(key))


def _variant(
    document: Document,
    paragraphs: list[Paragraph],
    limit: int | None,
    width: Width | None,
    figure: bool,
) -> Document:
    """Return the document with its narrative cut to ``limit`` and its figure changed."""
    shortened = iter(shorten_paragraphs(paragraphs, limit) if limit is not None else paragraphs)
    blocks: list[Block] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            kept = next(shortened, None)
            if kept is not None:
                blocks.append(kept)
        elif isinstance(block, Figure):
            if figure:
                blocks.append(_resized(block, width, document) if width else block)
        else:
            blocks.append(block)
    return dataclasses.replace(document, blocks=tuple(blocks))


def _resized(figure: Figure, width: Width, document: Document) -> Block:
    """Return the figure at another width, its drawn size decided again for that width."""
    (resized,) = decide([dataclasses.replace(figure, width=width)], document.theme)
    return resized


def _changes(
    report: Report, park: str, draft: _Draft, width: Width | None, figure: bool
) -> tuple[Diagnostic, ...]:
    """Return a located warning for each change that made the sheet fit."""
    p = report.park(park)
    what = "chart" if p.chart else "photo" if p.photo else None
    out: list[Diagnostic] = []
    if draft.kept < draft.total:
        out.append(
            Diagnostic(
                "narrative-shortened",
                f"narrative shortened to {draft.kept} of {draft.total} characters to fit one page",
                park_location(report, park, "narrative"),
            )
        )
    if what and width == "small":
        out.append(
            Diagnostic(
                "figure-drawn-smaller",
                f"{what} drawn smaller to fit one page",
                park_location(report, park, what),
            )
        )
    if what and not figure:
        out.append(
            Diagnostic(
                "figure-left-out",
                f"{what} left out to fit one page",
                park_location(report, park, what),
            )
        )
    return tuple(out)
