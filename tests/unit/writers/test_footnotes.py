"""Footnotes in narrative: numbered through the document, and set as each format sets them."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

import khzreport
from khzreport.document import Paragraph, Run

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"
FIRST = "高新技术企业数为有效期内的认定企业数。"
SECOND = "规上工业指年主营业务收入达到规定标准的工业企业。"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> khzreport.Report:
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "          高新技术企业达{{ ind.firms }}。\n",
        "          高新技术企业达{{ ind.firms }}[^hte]。\n\n"
        f"          [^hte]: {FIRST}\n"
        "      - paragraph: >-\n"
        f"          规上工业总产值按**现行价格**计算^[{SECOND}]。\n",
    )
    folder = tmp_path_factory.mktemp("notes")
    (folder / "report.yaml").write_text(text, encoding="utf-8")
    return khzreport.load(folder / "report.yaml")


def _marks(document: khzreport.Document) -> list[Run]:
    return [r for b in document.blocks if isinstance(b, Paragraph) for r in b.runs if r.note]


def test_marks_are_numbered_through_the_document_and_hold_their_notes(
    report: khzreport.Report,
) -> None:
    marks = _marks(khzreport.resolve(report))
    assert [m.text for m in marks] == ["1", "2"]
    assert ["".join(r.text for r in m.note or ()) for m in marks] == [FIRST, SECOND]
    paragraphs = [b.text for b in khzreport.resolve(report).blocks if isinstance(b, Paragraph)]
    assert not any("[^" in p or "^[" in p for p in paragraphs), paragraphs


def test_docx_has_real_footnotes(report: khzreport.Report) -> None:
    package = zipfile.ZipFile(io.BytesIO(khzreport.render(report, "docx", cache=None)))
    notes = package.read("word/footnotes.xml").decode()
    body = package.read("word/document.xml").decode()
    assert re.findall(r'<w:footnoteReference w:id="(\d+)"/>', body) == ["1", "2"]
    assert notes.index(FIRST) < notes.index(SECOND)
    assert 'w:type="separator"' in notes
    assert "footnotes" in package.read("word/_rels/document.xml.rels").decode()
    assert "wordprocessingml.footnotes+xml" in package.read("[Content_Types].xml").decode()


def test_pdf_sets_the_notes_at_the_page_foot(report: khzreport.Report, tmp_path: Path) -> None:
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(khzreport.render(report, "pdf", cache=None))
    lines = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    body = next(i for i, line in enumerate(lines) if "现行价格计算" in line)
    first = next(i for i, line in enumerate(lines) if FIRST[:8] in line)
    second = next(i for i, line in enumerate(lines) if SECOND[:8] in line)
    kpi = next(i for i, line in enumerate(lines) if "国家高新区综合评价排名" in line)
    assert body < kpi < first < second  # under the last block of the page, in order
    assert "现行价格计算2。" in lines[body].replace(" ", "")


def test_html_lists_the_notes_at_the_end_of_the_chapter(report: khzreport.Report) -> None:
    html = khzreport.render(report, "html", cache=None).decode()
    chapter = html[html.index('<section class="chapter"') : html.index("</section>")]
    assert '<a href="#fn-1" id="fnref-1" role="doc-noteref">1</a>' in chapter
    notes = chapter[chapter.index('<aside class="footnotes"') :]
    assert re.search(rf'<li id="fn-1" value="1">{FIRST} <a href="#fnref-1"', notes)
    assert re.search(rf'<li id="fn-2" value="2">{SECOND} <a href="#fnref-2"', notes)
    assert chapter.index("fnref-2") < chapter.index('<aside class="footnotes"')


def test_a_call_out_note_comes_first_and_word_keeps_its_bold(tmp_path: Path) -> None:
    """A highlight's call-out precedes the chapters, so its note is number 1 everywhere."""
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "charts:\n",
        "highlights:\n"
        "  - id: hl\n"
        "    title: 亮点\n"
        "    text: |-\n"
        "      **产值**创新高^[按现行价格计算。]。\n"
        "charts:\n",
        1,
    )
    (tmp_path / "report.yaml").write_text(text, encoding="utf-8")
    report = khzreport.load(tmp_path / "report.yaml")
    package = zipfile.ZipFile(io.BytesIO(khzreport.render(report, "docx", cache=None)))
    body = package.read("word/document.xml").decode()
    callout = body[body.index("亮点") : body.index("创新高") + 160]
    assert 'w:val="StrongText"' in callout
    assert '<w:footnoteReference w:id="1"/>' in callout
    assert "按现行价格计算。" in package.read("word/footnotes.xml").decode()
    html = khzreport.render(report, "html", cache=None).decode()
    assert '<li id="fn-1" value="1">按现行价格计算。' in html
