"""Fitting a park sheet on one page: each draft is drawn as decided for it."""

from __future__ import annotations

from pathlib import Path

import khzreport
from khzreport.api import resolve
from khzreport.document import Document, Figure
from khzreport.layouts.fit import fit_sheet
from khzreport.resolver.decisions import figure_size

EXAMPLE = Path(__file__).parents[3] / "examples" / "kunshan-2023" / "report.yaml"


def _figure(document: Document) -> Figure:
    return next(b for b in document.blocks if isinstance(b, Figure))


def test_a_figure_drawn_smaller_is_sized_for_its_new_width() -> None:
    report = khzreport.load(EXAMPLE)
    sheet = resolve(report, park="jiangsu_luhang")
    drafts: list[Document] = []

    def render(document: Document) -> bytes:
        drafts.append(document)
        return b"1" if _figure(document).width == "small" else b"2"

    fitted = fit_sheet(report, "jiangsu_luhang", sheet, render, lambda pdf: int(pdf))
    figure = _figure(fitted.document)
    assert figure.width == "small"
    assert (figure.width_cm, figure.height_cm) == figure_size(figure, sheet.theme)
    assert figure.width_cm < _figure(sheet).width_cm
    assert [d.code for d in fitted.diagnostics] == ["figure-drawn-smaller"]


def test_a_sheet_whose_pdf_fits_but_whose_word_page_would_not_is_fitted_too() -> None:
    import dataclasses

    from khzreport.document import Paragraph
    from khzreport.layouts.fit import word_fits

    report = khzreport.load(EXAMPLE)
    sheet = resolve(report, park="jiangsu_luhang")
    long = tuple(p for b in sheet.blocks if isinstance(b, Paragraph) for p in [b] * 12)
    blocks = [b for b in sheet.blocks if not isinstance(b, Paragraph)]
    at = next(i for i, b in enumerate(sheet.blocks) if isinstance(b, Paragraph))
    swollen = dataclasses.replace(sheet, blocks=(*blocks[:at], *long, *blocks[at:]))
    assert not word_fits(swollen)

    fitted = fit_sheet(report, "jiangsu_luhang", swollen, lambda d: b"1", lambda pdf: 1)
    assert word_fits(fitted.document)
    assert "narrative-shortened" in [d.code for d in fitted.diagnostics]


def test_a_sheet_no_draft_of_which_fits_word_keeps_its_pdf_page_with_a_warning() -> None:
    import dataclasses

    from khzreport.document import KpiPanel

    report = khzreport.load(EXAMPLE)
    sheet = resolve(report, park="jiangsu_luhang")
    panel = next(b for b in sheet.blocks if isinstance(b, KpiPanel))
    crowded = dataclasses.replace(sheet, blocks=(*sheet.blocks, *[panel] * 8))

    fitted = fit_sheet(report, "jiangsu_luhang", crowded, lambda d: b"1", lambda pdf: 1)
    assert fitted.document == crowded
    (warning,) = fitted.diagnostics
    assert warning.code == "sheet-may-overflow-in-word"
    assert warning.location is not None and warning.location.line
