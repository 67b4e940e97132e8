"""Sections nest to four levels, numbered in the theme's style, in the contents and every format."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from khzreport import api
from khzreport.document import Document, Heading, Toc
from khzreport.errors import KhzReportError
from khzreport.theme import Theme
from khzreport.writers.docx import render_docx
from khzreport.writers.html import render_html
from khzreport.writers.pdf import render_pdf

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"

OUTLINE = """\
    subsections:
      - id: s_a
        title: 产业发展
        subtitle: 主导产业稳步壮大
        blocks:
          - paragraph: 主导产业稳步壮大。
        subsections:
          - id: s_a1
            title: 电子信息
            subsections:
              - id: s_a1x
                title: 先进计算
                blocks:
                  - paragraph: 先进计算加快集聚。
              - id: s_a1y
                title: 新型显示
          - id: s_a2
            title: 装备制造
      - id: s_b
        title: 企业培育
"""

DEEPER = """\
                subsections:
                  - id: too_deep
                    title: 过深
"""

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def source(tmp_path: Path, extra: str = "", theme: str = "briefing") -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    anchor = "      - kpi: [output, firms, rank]\n"
    outline = OUTLINE
    if extra:
        leaf = "                title: 先进计算\n"
        outline = outline.replace(leaf, leaf + extra)
    text = text.replace(anchor, anchor + outline).replace("meta:", f"theme: {theme}\nmeta:")
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def headings(document: Document) -> list[tuple[int, str, str]]:
    return [(b.level, b.number, b.text) for b in document.blocks if isinstance(b, Heading)]


def resolved(tmp_path: Path, **theme: object) -> Document:
    report = api.load(source(tmp_path))
    base = api.theme_of(report)
    return api.resolve(report, theme=base.model_copy(update=theme))


@pytest.mark.parametrize(
    ("style", "numbers"),
    [
        ("official", ["一、", "（一）", "1.", "（1）", "（2）", "2.", "（二）"]),
        ("decimal", ["1. ", "1.1 ", "1.1.1 ", "1.1.1.1 ", "1.1.1.2 ", "1.1.2 ", "1.2 "]),
        ("none", [""] * 7),
    ],
)
def test_four_levels_are_numbered_in_the_theme_style(
    tmp_path: Path, style: str, numbers: list[str]
) -> None:
    document = resolved(tmp_path, numbering=style)
    assert headings(document) == [
        (lv, n, t)
        for lv, n, t in zip(
            [1, 2, 3, 4, 4, 3, 2],
            numbers,
            ["经济运行", "产业发展", "电子信息", "先进计算", "新型显示", "装备制造", "企业培育"],
            strict=True,
        )
    ]
    second = {b.text: b.second_line for b in document.blocks if isinstance(b, Heading)}
    assert second["产业发展"] == "主导产业稳步壮大"
    texts = [getattr(b, "text", None) for b in document.blocks]
    assert texts.index("主导产业稳步壮大。") < texts.index("电子信息") < texts.index("先进计算加快集聚。")


def test_outline_numbering_alone_numbers_officially_and_in_english_decimally(
    tmp_path: Path,
) -> None:
    report = api.load(source(tmp_path))
    theme = Theme(outline_numbering=True)
    zh = api.resolve(report, theme=theme)
    en = api.resolve(report, theme=theme, language="en")
    assert [n for _, n, _ in headings(zh)][:3] == ["一、", "（一）", "1."]
    assert [n for _, n, _ in headings(en)][:3] == ["1. ", "1.1 ", "1.1.1 "]


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_the_contents_go_as_deep_as_the_theme_says(tmp_path: Path, depth: int) -> None:
    document = resolved(tmp_path, numbering="official", toc_depth=depth)
    [toc] = [b for b in document.blocks if isinstance(b, Toc)]
    assert max(e.level for e in toc.entries) == depth
    assert len(toc.entries) == {1: 1, 2: 3, 4: 7}[depth]
    assert toc.entries[0].text == "一、经济运行"
    if depth > 1:
        assert (toc.entries[1].text, toc.entries[1].anchor) == ("（一）产业发展", "sec-s_a")


def test_a_fifth_level_is_a_located_error(tmp_path: Path) -> None:
    path = source(tmp_path, DEEPER)
    with pytest.raises(KhzReportError) as caught:
        api.load(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    message = str(caught.value)
    assert "nested 5 levels deep" in message
    assert "subsections[0].subsections[0].subsections[0].subsections[0]" in message
    assert f":{lines.index('                  - id: too_deep') + 1}:" in message


def test_blocks_in_subsections_are_checked_for_references(tmp_path: Path) -> None:
    path = source(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "先进计算加快集聚。", "先进计算加快集聚。\n                  - chart: nope"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KhzReportError, match=r"subsections\[0\]\.blocks\[1\]\.chart.*unknown chart"):
        api.load(path)


def test_docx_headings_carry_styles_and_outline_levels(tmp_path: Path) -> None:
    document = resolved(tmp_path, numbering="official", toc_depth=4)
    data = render_docx(document, {})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        styles = etree.fromstring(z.read("word/styles.xml"))
    levels = {}
    for st in styles.iter(f"{W}style"):
        lvl = st.find(f"{W}pPr/{W}outlineLvl")
        if lvl is not None:
            levels[st.get(f"{W}styleId")] = int(lvl.get(f"{W}val"))
    found = []
    for p in body.iter(f"{W}p"):
        ps = p.find(f"{W}pPr/{W}pStyle")
        sid = ps.get(f"{W}val") if ps is not None else None
        if sid in levels:
            found.append((levels[sid], "".join(t.text or "" for t in p.iter(f"{W}t"))))
    assert found == [
        (0, "一、经济运行"),
        (1, "（一）产业发展"),
        (2, "1.电子信息"),
        (3, "（1）先进计算"),
        (3, "（2）新型显示"),
        (2, "2.装备制造"),
        (1, "（二）企业培育"),
    ]
    instr = "".join(t.text or "" for t in body.iter(f"{W}instrText"))
    assert 'TOC \\o "1-4"' in instr
    assert "TOC4" in {
        p.find(f"{W}pPr/{W}pStyle").get(f"{W}val")
        for p in body.iter(f"{W}p")
        if p.find(f"{W}pPr/{W}pStyle") is not None
    }


def test_html_headings_run_from_h2_to_h5(tmp_path: Path) -> None:
    document = resolved(tmp_path, numbering="decimal", toc_depth=3)
    html = render_html(document, {}).decode()
    tags = re.findall(r'<(h[1-6]) id="sec-[^"]+" class="heading level-(\d)">', html)
    assert tags == [("h2", "1"), ("h3", "2"), ("h4", "3"), ("h5", "4"), ("h5", "4"), ("h4", "3"), ("h3", "2")]
    assert 'class="toc-level-3"><a href="#sec-s_a1">1.1.1 电子信息' in html
    assert '<li class="toc-level-4"' not in html


def test_pdf_bookmarks_nest_with_the_levels(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    document = resolved(tmp_path, numbering="official")
    pdf = render_pdf(document, {})

    def tree(items: list) -> list:
        out: list = []
        for item in items:
            if isinstance(item, list):
                out.append(tree(item))
            else:
                out.append(item.title)
        return out

    assert tree(pypdf.PdfReader(io.BytesIO(pdf)).outline) == [
        "一、经济运行",
        ["（一）产业发展", ["1.电子信息", ["（1）先进计算", "（2）新型显示"], "2.装备制造"], "（二）企业培育"],
    ]
