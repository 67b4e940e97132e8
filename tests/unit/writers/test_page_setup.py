"""Page size and orientation come from the theme, and every format sets the same page."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

import khzreport
from khzreport.resolver.decisions import text_width_mm
from khzreport.theme import Theme

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"
PT_PER_MM = 72 / 25.4
TWIPS_PER_MM = 1440 / 25.4

CASES = {
    "A3 landscape": ({"size": "A3", "orientation": "landscape"}, (420.0, 297.0)),
    "Letter": ({"size": "Letter"}, (215.9, 279.4)),
    "A4 landscape": ({"orientation": "landscape"}, (297.0, 210.0)),
}


@pytest.fixture(scope="module")
def report() -> khzreport.Report:
    return khzreport.load(MINIMAL)


@pytest.mark.parametrize("name", list(CASES))
def test_every_format_sets_the_themes_page(report: khzreport.Report, name: str) -> None:
    page, (width, height) = CASES[name]
    theme = {"page": page}
    pdf = PdfReader(io.BytesIO(khzreport.render(report, "pdf", theme=theme, cache=None)))
    box = pdf.pages[0].mediabox
    assert float(box.width) == pytest.approx(width * PT_PER_MM, abs=1)
    assert float(box.height) == pytest.approx(height * PT_PER_MM, abs=1)
    docx = zipfile.ZipFile(io.BytesIO(khzreport.render(report, "docx", theme=theme, cache=None)))
    size = re.search(r"<w:pgSz [^>]*>", docx.read("word/document.xml").decode())
    assert size is not None
    w = int(re.search(r'w:w="(\d+)"', size.group()).group(1))  # type: ignore[union-attr]
    h = int(re.search(r'w:h="(\d+)"', size.group()).group(1))  # type: ignore[union-attr]
    assert w == pytest.approx(width * TWIPS_PER_MM, abs=2)
    assert h == pytest.approx(height * TWIPS_PER_MM, abs=2)
    assert ('w:orient="landscape"' in size.group()) == (width > height)
    html = khzreport.render(report, "html", theme=theme, cache=None).decode()
    orientation = "landscape" if width > height else "portrait"
    assert f"size: {page.get('size', 'A4')} {orientation};" in html


def test_the_text_column_follows_the_page() -> None:
    turned = Theme.preset("briefing", page={"orientation": "landscape"})
    upright = Theme.preset("briefing")
    assert text_width_mm(turned) - text_width_mm(upright) == pytest.approx(297 - 210)


def test_an_unknown_size_is_a_located_error(report: khzreport.Report) -> None:
    with pytest.raises(khzreport.KhzReportError, match=r"page\.size"):
        khzreport.render(report, "html", theme={"page": {"size": "B5"}}, cache=None)
