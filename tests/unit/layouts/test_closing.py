"""The end of a report as GB/T 9704 orders it: 附件说明, 落款, the appendices, then 版记."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from khzreport import api
from khzreport.document import (
    Attachments,
    Distribution,
    Document,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Signature,
    Table,
)
from khzreport.writers.docx import render_docx
from khzreport.writers.html import render_html
from khzreport.writers.pdf import render_pdf

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"

META = """\
  signature: {}
  distribution:
    copy_to: [区各部门]
    printed_by: 示范高新区党政办公室
"""

APPENDICES = """\
appendices:
  - id: annex_stats
    title: 主要统计指标
    blocks:
      - paragraph: 详见{{ ref.t_annex }}和{{ ref.scale }}。
      - table:
          id: t_annex
          title: 主要指标
          rows: [output, firms]
      - chart: scale
  - id: annex_parks
    title: 园区名录
    blocks:
      - paragraph: 见{{ ref.annex_stats }}。
"""


def build(tmp_path: Path, appendices: str = APPENDICES, language: str | None = None) -> Document:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("  date: 2024-01-15\n", "  date: 2024-01-15\n" + META, 1)
    text = text.replace("parks:\n", appendices + "parks:\n")
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return api.resolve(api.load(path), language=language)


def kinds(document: Document) -> list[str]:
    return [b.kind for b in document.blocks]


def test_blocks_come_in_the_order_of_the_standard(tmp_path: Path) -> None:
    document = build(tmp_path)
    order = kinds(document)
    last_body = max(i for i, b in enumerate(document.blocks) if b.kind == "kpi_panel")
    assert order[last_body + 1 : last_body + 4] == ["attachments", "signature", "page_break"]
    assert order[-1] == "distribution"
    [att] = [b for b in document.blocks if isinstance(b, Attachments)]
    assert (att.label, att.items) == ("附件：", ("1.主要统计指标", "2.园区名录"))
    [sig] = [b for b in document.blocks if isinstance(b, Signature)]
    assert (sig.organ, sig.date_text) == ("示范高新区管委会", "2024年1月15日")
    annexes = [b for b in document.blocks if isinstance(b, Heading) and b.anchor.startswith("sec-annex")]
    assert [(h.number, h.text) for h in annexes] == [("附件1　", "主要统计指标"), ("附件2　", "园区名录")]
    assert sum(isinstance(b, PageBreak) for b in document.blocks) == 2
    assert isinstance(document.blocks[-1], Distribution)


def test_appendix_figures_and_tables_have_their_own_numbers(tmp_path: Path) -> None:
    document = build(tmp_path)
    figures = [(f.label, f.anchor) for f in document.blocks if isinstance(f, Figure)]
    tables = [(t.label, t.anchor) for t in document.blocks if isinstance(t, Table)]
    assert figures == [("图1", "figure-1"), ("附图1", "annex-figure-1")]
    assert tables == [("附表1", "annex-table-1")]
    texts = [b.text for b in document.blocks if isinstance(b, Paragraph)]
    assert "详见附表1和图1。" in texts  # the chart is referred to where it is first placed
    assert "见附件1。" in texts


def test_one_appendix_is_named_without_a_number(tmp_path: Path) -> None:
    one = APPENDICES.split("  - id: annex_parks")[0].replace("{{ ref.scale }}", "图表")
    document = build(tmp_path, one)
    [att] = [b for b in document.blocks if isinstance(b, Attachments)]
    assert att.items == ("主要统计指标",)
    assert [h.number for h in document.blocks if isinstance(h, Heading)][-1] == "附件　"


def test_english_edition(tmp_path: Path) -> None:
    document = build(tmp_path, language="en")
    [att] = [b for b in document.blocks if isinstance(b, Attachments)]
    assert att.label == "Annexes: " and att.items[0].startswith("1. ")
    labels = [f.label for f in document.blocks if isinstance(f, Figure | Table)]
    assert labels == ["Figure 1", "Table A1", "Figure A1"]


def test_every_format_prints_the_closing(tmp_path: Path) -> None:
    document = build(tmp_path)
    with zipfile.ZipFile(io.BytesIO(render_docx(document, {}))) as z:
        xml = z.read("word/document.xml").decode()
    for style, text in [
        ("AttachmentList", "附件：1.主要统计指标"),
        ("AttachmentMore", "2.园区名录"),
        ("Signature", "示范高新区管委会"),
        ("SignatureDate", "2024年1月15日"),
    ]:
        assert f'<w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t>' in xml
    assert "SEQ 附表" in xml and "REF annex_table_1 \\h" in xml

    html = render_html(document, {}).decode()
    assert '<span class="attachments-label">附件：</span>' in html
    assert '<span class="organ">示范高新区管委会</span><span class="date">2024年1月15日</span>' in html
    assert 'id="annex-table-1"' in html and 'href="#annex-table-1">附表1</a>' in html

    pypdf = pytest.importorskip("pypdf")
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(render_pdf(document, {}))).pages]
    signed = next(i for i, t in enumerate(pages) if "2024年1月15日" in t.replace(" ", ""))
    assert "附表1" not in pages[signed].replace(" ", "")  # the appendix starts a new page
    assert any("附表1" in t.replace(" ", "") for t in pages[signed + 1 :])
