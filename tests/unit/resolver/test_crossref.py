"""``{{ ref.ID }}`` prints the number a figure, table or section has in the finished document."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from khzreport import api
from khzreport.document import Document, Paragraph
from khzreport.errors import KhzReportError
from khzreport.writers.docx import render_docx
from khzreport.writers.html import render_html
from khzreport.writers.pdf import render_pdf

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"

PROSE = (
    "      - paragraph: 规模见{{ ref.scale }}，明细见{{ ref.t_main }}，"
    "企业情况见{{ ref.firms_sec }}。\n"
)
TABLE = "      - table:\n          id: t_main\n          title: 主要指标\n          rows: [output, firms]\n"
SECOND = "  - id: firms_sec\n    title: 企业培育\n    blocks:\n      - paragraph: 企业稳步增长。\n"
ANOTHER_CHART = "      - chart: other\n"
OTHER = (
    "  - id: other\n    kind: bar\n    title: 企业数量\n    indicators: [firms]\n    unit: 家\n"
)


def source(tmp_path: Path, before: str = "", prose: str = PROSE) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("    blocks:\n", "    blocks:\n" + prose + before, 1)
    text = text.replace("      - kpi: [output, firms, rank]\n", TABLE)
    text = text.replace("parks:\n", SECOND + "parks:\n")
    text = text.replace("charts:\n", "charts:\n" + OTHER)
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def references(document: Document) -> list[tuple[str, str | None]]:
    return [
        (r.text, r.target)
        for b in document.blocks
        if isinstance(b, Paragraph)
        for r in b.runs
        if r.target
    ]


def test_a_reference_prints_the_label_and_links_to_its_target(tmp_path: Path) -> None:
    document = api.resolve(api.load(source(tmp_path)))
    assert references(document) == [
        ("图1", "figure-1"),
        ("表1", "table-1"),
        ("第二部分", "sec-firms_sec"),
    ]
    [prose] = [b for b in document.blocks if isinstance(b, Paragraph) and "规模见" in b.text]
    assert prose.text == "规模见图1，明细见表1，企业情况见第二部分。"


def test_a_figure_inserted_before_the_referenced_one_moves_its_number(tmp_path: Path) -> None:
    document = api.resolve(api.load(source(tmp_path, before=ANOTHER_CHART)))
    assert references(document)[0] == ("图2", "figure-2")


def test_a_reference_to_a_figure_further_on_is_numbered_too(tmp_path: Path) -> None:
    late = "      - paragraph: 另见{{ ref.other }}。\n"
    path = source(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "      - paragraph: 企业稳步增长。\n", "      - paragraph: 企业稳步增长。\n" + ANOTHER_CHART
    )
    text = text.replace(PROSE, PROSE + late)
    path.write_text(text, encoding="utf-8")
    assert ("图2", "figure-2") in references(api.resolve(api.load(path)))


def test_the_english_edition_says_figure_table_and_section(tmp_path: Path) -> None:
    prose = PROSE.replace("paragraph:", "paragraph_en: See {{ ref.scale }}, {{ ref.t_main }}"
                          " and {{ ref.firms_sec }}.\n        paragraph:")
    document = api.resolve(api.load(source(tmp_path, prose=prose)), language="en")
    assert [t for t, _ in references(document)] == ["Figure 1", "Table 1", "Section 2"]


def test_an_unknown_id_is_a_located_error(tmp_path: Path) -> None:
    path = source(tmp_path, prose=PROSE.replace("ref.t_main", "ref.t_mian"))
    with pytest.raises(KhzReportError) as caught:
        api.resolve(api.load(path))
    line = next(
        n for n, s in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "t_mian" in s
    )
    message = str(caught.value)
    assert f"report.yaml:{line}:" in message
    assert "unknown reference 't_mian'" in message and "did you mean 't_main'" in message


def test_lint_does_not_count_a_referenced_number_as_typed(tmp_path: Path) -> None:
    findings = api.lint(api.load(source(tmp_path)))
    assert not [f for f in findings if "图" in str(f) or "表" in str(f)]


def test_docx_refers_by_field_pdf_and_html_by_link(tmp_path: Path) -> None:
    document = api.resolve(api.load(source(tmp_path)))
    data = render_docx(document, {})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode()
    assert re.search(r'w:bookmarkStart w:id="\d+" w:name="figure_1"', xml)
    assert "REF figure_1 \\h" in xml and "REF table_1 \\h" in xml
    assert re.search(r"REF figure_1 \\h </w:instrText>.*?<w:t[^>]*>图1</w:t>", xml, re.S)
    assert '<w:hyperlink w:anchor="sec_firms_sec"' in xml

    html = render_html(document, {}).decode()
    assert '<a class="ref" href="#figure-1">图1</a>' in html
    assert '<a class="ref" href="#sec-firms_sec">第二部分</a>' in html
    assert 'id="figure-1"' in html and 'id="table-1"' in html

    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(document, {})))
    links = [
        a.get_object()
        for page in reader.pages
        for a in page.get("/Annots") or []
        if a.get_object().get("/Subtype") == "/Link" and "/URI" not in str(a.get_object())
    ]
    assert len(links) >= 3


def test_sheet_text_cannot_refer_to_the_briefing(tmp_path: Path) -> None:
    text = source(tmp_path).read_text(encoding="utf-8")
    text = text.replace("    kind: 产业园\n", "    kind: 产业园\n    narrative: 见{{ ref.scale }}。\n")
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KhzReportError, match="park sheet"):
        api.resolve(api.load(path), park="park_a")

