"""Page size and orientation come from the theme, and every format sets the same page."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

import khzreport
from khzreport.document import PageBreak
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


LANDSCAPE_APPENDIX = """\
appendices:
  - id: wide
    title: 主要指标明细
    landscape: true
    blocks:
      - table:
          title: 主要指标明细表
          rows: [output, firms]
          columns: [label, value, previous, growth, period, source, note]
  - id: after
    title: 其他说明
    blocks:
      - paragraph: 本附件竖排。
parks:
"""


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> khzreport.Report:
    text = MINIMAL.read_text(encoding="utf-8").replace("parks:\n", LANDSCAPE_APPENDIX, 1)
    text = text.replace(
        "  date: 2024-01-15\n",
        "  date: 2024-01-15\n  distribution:\n    printed_by: 示范高新区管委会办公室\n",
        1,
    )
    folder = tmp_path_factory.mktemp("wide")
    (folder / "report.yaml").write_text(text, encoding="utf-8")
    return khzreport.load(folder / "report.yaml")


def test_a_landscape_appendix_turns_its_pages_and_back(wide: khzreport.Report) -> None:
    document = khzreport.resolve(wide)
    turns = [b.turn for b in document.blocks if isinstance(b, PageBreak)]
    assert turns == ["landscape", "portrait"]
    pdf = PdfReader(io.BytesIO(khzreport.render(wide, "pdf", cache=None)))
    landscape = [float(p.mediabox.width) > float(p.mediabox.height) for p in pdf.pages]
    text = [p.extract_text().replace(" ", "") for p in pdf.pages]
    assert landscape.count(True) == 1
    assert "主要指标明细表" in text[landscape.index(True)]
    assert "本附件竖排" in text[-1] and not landscape[-1]


def test_word_gets_a_landscape_section_with_the_running_header(wide: khzreport.Report) -> None:
    package = zipfile.ZipFile(io.BytesIO(khzreport.render(wide, "docx", cache=None)))
    body = package.read("word/document.xml").decode()
    sections = re.findall(r"<w:sectPr[ >].*?</w:sectPr>", body)
    assert len(sections) == 3
    orients = ['w:orient="landscape"' in s for s in sections]
    assert orients == [False, True, False]
    assert "<w:titlePg/>" in sections[0] and "<w:titlePg/>" not in sections[1]
    table = body.index("主要指标明细表")
    assert body.index(sections[0]) < table < body.index(sections[1])


def test_html_prints_the_appendix_on_turned_pages(wide: khzreport.Report) -> None:
    html = khzreport.render(wide, "html", cache=None).decode()
    assert "@page turned {\n  size: A4 landscape;" in html
    assert re.search(
        r'<div class="page-break turn-landscape" aria-hidden="true"></div>\s*</section>\s*'
        r'<section class="chapter" aria-labelledby="sec-wide">',
        html,
    )
    assert (
        "section.chapter:has(> .page-break.turn-landscape:last-child) + section.chapter "
        "{ page: turned; }"
    ) in html


def test_only_an_appendix_can_be_landscape(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "    subtitle: 稳中有进\n", "    subtitle: 稳中有进\n    landscape: true\n"
    )
    (tmp_path / "report.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(khzreport.KhzReportError, match=r"sections\[0\]\.landscape: only an"):
        khzreport.load(tmp_path / "report.yaml")


def test_sheets_take_their_own_page(report: khzreport.Report) -> None:
    theme = {"sheet_page": {"orientation": "landscape", "margin_left": 18, "margin_right": 18}}
    park = report.parks[0].id
    sheet = PdfReader(io.BytesIO(khzreport.render_sheet(report, park, "pdf", theme=theme)))
    assert len(sheet.pages) == 1
    assert float(sheet.pages[0].mediabox.width) > float(sheet.pages[0].mediabox.height)
    docx = zipfile.ZipFile(io.BytesIO(khzreport.render_sheet(report, park, "docx", theme=theme)))
    assert 'w:orient="landscape"' in docx.read("word/document.xml").decode()
    briefing = PdfReader(io.BytesIO(khzreport.render(report, "pdf", theme=theme, cache=None)))
    assert float(briefing.pages[0].mediabox.width) < float(briefing.pages[0].mediabox.height)
