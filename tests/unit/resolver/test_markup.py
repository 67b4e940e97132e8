"""Narrative markup: **bold**, *着重号* and lists, read after binding, in all three formats."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from khzreport import api
from khzreport.document import Document, Paragraph
from khzreport.errors import KhzReportError
from khzreport.resolver.narrative import _parts
from khzreport.writers.docx import render_docx
from khzreport.writers.html import render_html
from khzreport.writers.pdf import render_pdf

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"

PROSE = """\
      - paragraph: |-
          **一是产业规模扩大。**规上工业总产值{{ ind.output }}，其中*高新技术企业*达**{{ ind.firms }}**。

          全年重点工作：
          - 稳住**工业**基本盘
          - 培育高新技术企业{{ ind.firms }}
          1. 第一项
          2. 第二项
"""


def document(tmp_path: Path, prose: str = PROSE) -> Document:
    text = MINIMAL.read_text(encoding="utf-8").replace("    blocks:\n", "    blocks:\n" + prose, 1)
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return api.resolve(api.load(path))


def paragraphs(doc: Document) -> list[Paragraph]:
    return [b for b in doc.blocks if isinstance(b, Paragraph)]


def test_bold_and_dots_are_flags_on_bound_runs(tmp_path: Path) -> None:
    first = paragraphs(document(tmp_path))[0]
    styled = [(r.text, r.indicator, r.strong, r.dots) for r in first.runs]
    assert styled == [
        ("一是产业规模扩大。", None, True, False),
        ("规上工业总产值", None, False, False),
        ("超1234.5亿元", "output", False, False),
        ("，其中", None, False, False),
        ("高新技术企业", None, False, True),
        ("达", None, False, False),
        ("820家", "firms", True, False),
        ("。", None, False, False),
    ]
    assert first.text == "一是产业规模扩大。规上工业总产值超1234.5亿元，其中高新技术企业达820家。"


def test_list_lines_become_items_with_markers(tmp_path: Path) -> None:
    items = [(p.style, p.marker, p.text) for p in paragraphs(document(tmp_path))[1:5 + 1]]
    assert items == [
        ("body", "", "全年重点工作："),
        ("item", "•", "稳住工业基本盘"),
        ("item", "•", "培育高新技术企业820家"),
        ("item", "1.", "第一项"),
        ("item", "2.", "第二项"),
    ]


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("# 不是标题 > 不是引用 &amp; \\* [链接](x) `代码` <b>", "# 不是标题 > 不是引用 &amp; \\* [链接](x) `代码` <b>"),
        ("“4+2+X”体系和2*3", "“4+2+X”体系和2*3"),
        ("snake_case_id 不变", "snake_case_id 不变"),
    ],
)
def test_only_the_subset_is_markup(text: str, printed: str) -> None:
    [part] = _parts(text)
    assert "".join(r.text for r in part.runs) == printed
    assert not any(r.strong or r.dots for r in part.runs)


def test_an_indicator_inside_markup_is_still_checked(tmp_path: Path) -> None:
    with pytest.raises(KhzReportError, match="unknown indicator 'nope'"):
        document(tmp_path, "      - paragraph: '**{{ ind.nope }}**'\n")


def test_lint_leaves_list_numbers_alone(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8").replace("    blocks:\n", "    blocks:\n" + PROSE, 1)
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    findings = [str(f) for f in api.lint(api.load(path))]
    assert not [f for f in findings if "'1'" in f or "'2'" in f]


def test_all_formats_draw_bold_dots_and_items(tmp_path: Path) -> None:
    doc = document(tmp_path)
    with zipfile.ZipFile(io.BytesIO(render_docx(doc, {}))) as z:
        body = z.read("word/document.xml").decode()
        styles = z.read("word/styles.xml").decode()
    assert re.search(r'<w:rStyle w:val="StrongText"/></w:rPr><w:t[^>]*>一是产业规模扩大。', body)
    assert re.search(r'<w:rStyle w:val="DotsText"/></w:rPr><w:t[^>]*>高新技术企业<', body)
    assert re.search(r'w:styleId="DotsText".*?<w:em w:val="dot"/>', styles, re.S)
    assert '<w:pStyle w:val="ListItem"/></w:pPr><w:r><w:t>1.</w:t><w:tab/><w:t>第一项<' in body
    assert re.search(r'w:styleId="ListItem".*?w:hangingChars="200"', styles, re.S)

    html = render_html(doc, {}).decode()
    assert "<strong>一是产业规模扩大。</strong>" in html
    assert '<em class="dots">高新技术企业</em>' in html
    assert '<strong><span class="num" data-indicator="firms">820家</span></strong>' in html
    assert '<p class="item"><span class="marker">•</span>稳住<strong>工业</strong>基本盘</p>' in html

    pypdf = pytest.importorskip("pypdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(render_pdf(doc, {}))).pages)
    assert "一是产业规模扩大。" in text and "第二项" in text and "•" in text
