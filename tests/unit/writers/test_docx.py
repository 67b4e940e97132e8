"""Tests of the DOCX writer, on the hand-built sample document.

The sample's ``word/document.xml`` and ``word/styles.xml`` are compared with golden files in
``tests/golden/docx/`` as normalised XML (pretty-printed by lxml, compared as text), the way
pandoc checks its DOCX writer. After an intended change of the output, regenerate them with::

    .venv/bin/python -m pytest tests/unit/writers --update-golden

and review the diff before committing. The LibreOffice round trip is marked ``realclient``
and skipped when ``soffice`` or ``pdftotext`` is missing.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest
from docx.oxml.ns import nsmap
from lxml import etree
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from khzreport.document import (
    Document,
    Heading,
    KpiCard,
    KpiPanel,
    PageBreak,
    Paragraph,
    Run,
    Table,
    Toc,
    TocEntry,
)
from khzreport.resolver.decisions import decide
from khzreport.theme import Theme
from khzreport.writers.docx import briefing_styles, render_docx
from tests.support.documents import INDUSTRY_CHART, sample_document, sample_photo

GOLDEN = Path(__file__).parents[2] / "golden" / "docx"
NS = {**nsmap, "asvg": "http://schemas.microsoft.com/office/drawing/2016/SVG/main"}
CT_NS = {"ct": "http://schemas.openxmlformats.org/package/2006/content-types"}
REL_NS = {"rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


@dataclasses.dataclass(frozen=True)
class FakeRenderedChart:
    """Stands in for ``khzreport.charts.RenderedChart`` (same attributes)."""

    svg: bytes
    png: bytes
    width_cm: float
    height_cm: float
    alt: str


def make_chart(width_cm: float = 15.5, height_cm: float = 7.75) -> FakeRenderedChart:
    """Draw the sample's bar chart with matplotlib (Agg, 220 dpi PNG, SVG without a date)."""
    fig = MplFigure(figsize=(width_cm / 2.54, height_cm / 2.54))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    points = INDUSTRY_CHART.series[0].points
    ax.bar(["EI", "HE", "AC"], [p.value or 0 for p in points], color="#1F4E79")
    png, svg = io.BytesIO(), io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "khzreport"}):
        fig.savefig(png, format="png", dpi=220)
        fig.savefig(svg, format="svg", metadata={"Date": None})
    return FakeRenderedChart(svg.getvalue(), png.getvalue(), width_cm, height_cm, "bar chart")


@pytest.fixture(scope="module")
def chart() -> FakeRenderedChart:
    return make_chart()


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sample_photo(str(tmp_path_factory.mktemp("photo")))


@pytest.fixture(scope="module")
def sample(photo: str) -> Document:
    return sample_document(image=photo)


@pytest.fixture(scope="module")
def docx_bytes(sample: Document, chart: FakeRenderedChart) -> bytes:
    return render_docx(sample, {"industry_scale": chart}, docx_charts="picture")


def part(data: bytes, name: str) -> etree._Element:
    """Return one part of a DOCX package, parsed."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def normalised(xml: bytes) -> str:
    """Return XML pretty-printed by lxml, the form the golden files are stored in."""
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(xml, parser), pretty_print=True, encoding="unicode")


def style(styles: etree._Element, style_id: str) -> etree._Element:
    found = styles.xpath(f"w:style[@w:styleId='{style_id}']", namespaces=NS)
    assert found, f"style {style_id} missing"
    return found[0]


def paragraphs(doc: etree._Element, style_id: str) -> list[etree._Element]:
    return doc.xpath(f"//w:p[w:pPr/w:pStyle/@w:val='{style_id}']", namespaces=NS)


def text(el: etree._Element) -> str:
    return "".join(el.xpath(".//w:t/text()", namespaces=NS))


# --- styles ---------------------------------------------------------------------------------


def test_every_font_declaration_has_an_east_asian_slot(docx_bytes: bytes) -> None:
    for name in ("word/styles.xml", "word/document.xml"):
        for fonts in part(docx_bytes, name).iter(f"{{{NS['w']}}}rFonts"):
            attrs = {etree.QName(k).localname for k in fonts.attrib}
            assert {"ascii", "hAnsi", "eastAsia"} <= attrs, etree.tostring(fonts)


def test_every_paragraph_and_character_style_names_its_fonts(docx_bytes: bytes) -> None:
    styles = part(docx_bytes, "word/styles.xml")
    for st in styles.xpath("w:style[@w:type='paragraph' or @w:type='character']", namespaces=NS):
        if st.get(f"{{{NS['w']}}}styleId") == "DefaultParagraphFont":
            continue
        assert st.xpath("w:rPr/w:rFonts/@w:eastAsia", namespaces=NS), st.get(
            f"{{{NS['w']}}}styleId"
        )


def test_brief_style_names_exist(docx_bytes: bytes) -> None:
    styles = part(docx_bytes, "word/styles.xml")
    names = set(styles.xpath("w:style/w:name/@w:val", namespaces=NS))
    wanted = {
        "Title", "Subtitle", "Masthead", "ChapterTitle", "ChapterSubtitle", "Heading2", "Body",
        "Lead", "caption", "SourceNote", "UnitLine", "KpiValue", "KpiLabel", "KpiChange",
        "Callout", "CalloutTitle", "Quote", "QuoteAttribution", "TableHeader", "TableCell",
        "TOC Heading", "Tag",
    }  # fmt: skip
    assert wanted <= names


def test_fonts_come_from_the_theme_and_bold_uses_the_heavier_family(
    docx_bytes: bytes, sample: Document
) -> None:
    fonts = sample.theme.fonts
    styles = part(docx_bytes, "word/styles.xml")
    body = style(styles, "Body").xpath("w:rPr/w:rFonts", namespaces=NS)[0]
    assert body.get(f"{{{NS['w']}}}eastAsia") == fonts.docx_body_cjk
    assert body.get(f"{{{NS['w']}}}ascii") == fonts.docx_body_latin
    assert body.get(f"{{{NS['w']}}}hint") == "eastAsia"
    heading = style(styles, "ChapterTitle").xpath("w:rPr/w:rFonts/@w:eastAsia", namespaces=NS)
    assert heading == [fonts.docx_heading_cjk]
    header = style(styles, "TableHeader").xpath("w:rPr/w:rFonts/@w:eastAsia", namespaces=NS)
    assert header == [fonts.docx_emphasis_cjk]
    assert not styles.xpath("//w:b | //w:i", namespaces=NS), "no synthetic bold/italic"


def test_body_indent_spacing_and_widow_control_follow_the_theme(chart: FakeRenderedChart) -> None:
    theme = Theme(first_line_chars=3, line_spacing=1.75)
    data = render_docx(sample_document(theme), {"industry_scale": chart})
    styles = part(data, "word/styles.xml")
    body = style(styles, "Body")
    assert body.xpath("w:pPr/w:ind/@w:firstLineChars", namespaces=NS) == ["300"]
    assert body.xpath("w:pPr/w:spacing/@w:line", namespaces=NS) == ["420"]
    assert body.xpath("w:pPr/w:jc/@w:val", namespaces=NS) == ["both"]
    assert styles.xpath("w:docDefaults/w:pPrDefault/w:pPr/w:widowControl", namespaces=NS)


def test_default_language_is_chinese(docx_bytes: bytes) -> None:
    styles = part(docx_bytes, "word/styles.xml")
    lang = styles.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang", namespaces=NS)[0]
    assert lang.get(f"{{{NS['w']}}}eastAsia") == "zh-CN"
    settings = part(docx_bytes, "word/settings.xml")
    assert settings.xpath("w:themeFontLang/@w:eastAsia", namespaces=NS) == ["zh-CN"]


def test_document_uses_style_names_not_direct_formatting(docx_bytes: bytes) -> None:
    """Only pagination the layout decides per block (keep with the next) is set directly."""
    doc = part(docx_bytes, "word/document.xml")
    direct = doc.xpath(
        "//w:rPr/*[not(self::w:rStyle)] | //w:p[not(.//w:txbxContent)]/w:pPr/*[not("
        "self::w:pStyle or self::w:pageBreakBefore or self::w:keepNext or "
        "(self::w:pBdr and ancestor::w:txbxContent))]",
        namespaces=NS,
    )
    assert direct == []
    assert len(briefing_styles(Theme())) == len({s.name for s in briefing_styles(Theme())})


# --- structure ------------------------------------------------------------------------------


def test_page_is_a4_with_theme_margins(docx_bytes: bytes, sample: Document) -> None:
    sect = part(docx_bytes, "word/document.xml").xpath("//w:body/w:sectPr", namespaces=NS)[0]
    size = sect.xpath("w:pgSz", namespaces=NS)[0]
    assert (size.get(f"{{{NS['w']}}}w"), size.get(f"{{{NS['w']}}}h")) == ("11906", "16838")
    margin = sect.xpath("w:pgMar", namespaces=NS)[0]
    expected = round(sample.theme.page.margin_left / 25.4 * 1440)
    assert abs(int(margin.get(f"{{{NS['w']}}}left")) - expected) <= 1


def test_masthead_has_title_issue_issuer_date_and_red_rule(docx_bytes: bytes) -> None:
    doc = part(docx_bytes, "word/document.xml")
    assert [text(p) for p in paragraphs(doc, "Masthead")] == ["昆山高新区发展简报"]
    assert [text(p) for p in paragraphs(doc, "MastheadIssue")] == ["第1期"]
    info = paragraphs(doc, "MastheadInfo")[0]
    assert info.xpath(".//w:tab", namespaces=NS)
    assert text(info) == "昆山高新区管委会2024年1月15日"
    styles = part(docx_bytes, "word/styles.xml")
    theme = Theme()
    rule = style(styles, "MastheadInfo").xpath("w:pPr/w:pBdr/w:bottom/@w:color", namespaces=NS)
    assert rule == [theme.colors.masthead.lstrip("#")]
    assert style(styles, "Masthead").xpath("w:rPr/w:color/@w:val", namespaces=NS) == [
        theme.colors.masthead.lstrip("#")
    ]


def test_cover_opens_when_there_is_no_masthead(chart: FakeRenderedChart) -> None:
    data = render_docx(sample_document(masthead=False), {"industry_scale": chart})
    doc = part(data, "word/document.xml")
    assert [text(p) for p in paragraphs(doc, "Title")] == ["昆山高新区2023年度发展简报"]
    assert [text(p) for p in paragraphs(doc, "Subtitle")] == ["科创引领 产业攀升"]
    assert not paragraphs(doc, "Masthead")


def test_toc_is_a_field_prefilled_with_linked_entries(docx_bytes: bytes) -> None:
    doc = part(docx_bytes, "word/document.xml")
    instr = doc.xpath("//w:instrText[contains(., 'TOC')]/text()", namespaces=NS)
    # the field lists as deep as its pre-filled entries, so Word's update agrees with them
    assert instr == [' TOC \\o "1-1" \\h \\z \\u ']
    links = doc.xpath("//w:p[w:pPr/w:pStyle/@w:val='TOC1']/w:hyperlink", namespaces=NS)
    assert [(link.get(f"{{{NS['w']}}}anchor"), text(link)) for link in links] == [
        ("sec_industry", "布局新赛道新领域"),
        ("sec_platforms", "创新平台加速汇聚"),
    ]
    # no page number is known before Word lays the pages out: the pre-filled entries carry
    # no tab either, so a reader that does not update fields shows a list, not dot leaders
    # running to nothing (Word rebuilds the field with numbers and leaders on open)
    assert not doc.xpath("//w:p[w:pPr/w:pStyle/@w:val='TOC1']//w:tab", namespaces=NS)
    bookmarks = doc.xpath("//w:bookmarkStart/@w:name", namespaces=NS)
    assert {"sec_industry", "sec_platforms"} <= set(bookmarks)
    kinds = doc.xpath("//w:fldChar/@w:fldCharType", namespaces=NS)
    assert kinds.count("begin") == kinds.count("separate") == kinds.count("end")
    settings = part(docx_bytes, "word/settings.xml")
    assert settings.xpath("w:updateFields/@w:val", namespaces=NS) == ["true"]


def test_headings_carry_bookmarks_outline_levels_and_keep_with_next(docx_bytes: bytes) -> None:
    doc = part(docx_bytes, "word/document.xml")
    chapters = paragraphs(doc, "ChapterTitle")
    assert [text(p) for p in chapters] == ["布局新赛道新领域", "创新平台加速汇聚"]
    assert chapters[0].xpath("w:bookmarkStart/@w:name", namespaces=NS) == ["sec_industry"]
    assert [text(p) for p in paragraphs(doc, "ChapterSubtitle")] == [
        "构筑现代化产业体系",
        "创新能级稳步提升",
    ]
    styles = part(docx_bytes, "word/styles.xml")
    assert style(styles, "ChapterTitle").xpath("w:pPr/w:outlineLvl/@w:val", namespaces=NS) == ["0"]
    assert style(styles, "Heading2").xpath("w:pPr/w:outlineLvl/@w:val", namespaces=NS) == ["1"]
    for sid in ("ChapterTitle", "ChapterSubtitle", "Heading2", "TableCaption", "Figure"):
        assert style(styles, sid).xpath("w:pPr/w:keepNext", namespaces=NS), sid
    # a figure's caption under it keeps only with its notes, set where it has some
    assert not style(styles, "Caption").xpath("w:pPr/w:keepNext", namespaces=NS)


def test_outline_numbers_print_before_headings_and_toc_entries(
    chart: FakeRenderedChart,
) -> None:
    base = sample_document(Theme(outline_numbering=True))
    blocks = tuple(
        dataclasses.replace(b, number="一、") if isinstance(b, Heading) and b.level == 1 else b
        for b in base.blocks
    )
    data = render_docx(dataclasses.replace(base, blocks=blocks), {"industry_scale": chart})
    doc = part(data, "word/document.xml")
    assert text(paragraphs(doc, "ChapterTitle")[0]) == "一、布局新赛道新领域"
    assert text(paragraphs(doc, "TOC1")[0]) == "一、布局新赛道新领域"


def test_running_header_and_page_x_of_y_footer(docx_bytes: bytes) -> None:
    doc = part(docx_bytes, "word/document.xml")
    sect = doc.xpath("//w:body/w:sectPr", namespaces=NS)[0]
    assert sect.xpath("w:titlePg", namespaces=NS), "masthead page has its own header"
    rels = part(docx_bytes, "word/_rels/document.xml.rels")
    targets = {
        r.get("Id"): r.get("Target") for r in rels.xpath("rel:Relationship", namespaces=REL_NS)
    }
    refs = {
        ref.get(f"{{{NS['w']}}}type"): targets[ref.get(f"{{{NS['r']}}}id")]
        for ref in sect.xpath("w:headerReference", namespaces=NS)
    }
    assert text(part(docx_bytes, "word/" + refs["default"])) == "昆山高新区2023年度发展简报"
    assert text(part(docx_bytes, "word/" + refs["first"])) == ""
    for ref in sect.xpath("w:footerReference", namespaces=NS):
        footer = part(docx_bytes, "word/" + targets[ref.get(f"{{{NS['r']}}}id")])
        codes = [c.strip() for c in footer.xpath("//w:instrText/text()", namespaces=NS)]
        assert codes == ["PAGE", "NUMPAGES"]
        assert text(footer) == "第 1 页  共 1 页"


def test_kpi_cards_show_value_unit_label_and_coloured_change(docx_bytes: bytes) -> None:
    doc = part(docx_bytes, "word/document.xml")
    grid = doc.xpath("//w:tbl[w:tblPr/w:tblStyle/@w:val='KpiGrid']", namespaces=NS)
    assert len(grid) == 1
    cells = grid[0].xpath("w:tr/w:tc", namespaces=NS)
    assert [text(c.xpath("w:p[1]", namespaces=NS)[0]) for c in cells] == [
        "突破740亿元",
        "第32名",
        "68.5%",
        "5654件",
    ]
    unit = cells[0].xpath("w:p[1]/w:r[w:rPr/w:rStyle/@w:val='KpiUnit']", namespaces=NS)
    assert text(unit[0]) == "亿元"
    up = cells[1].xpath(".//w:r[w:rPr/w:rStyle/@w:val='KpiUp']", namespaces=NS)
    assert text(up[0]) == "▲ 较上年上升3位"
    styles = part(docx_bytes, "word/styles.xml")
    theme = Theme()
    assert style(styles, "KpiUp").xpath("w:rPr/w:color/@w:val", namespaces=NS) == [
        theme.colors.up.lstrip("#")
    ]
    assert style(styles, "KpiDown").xpath("w:rPr/w:color/@w:val", namespaces=NS) == [
        theme.colors.down.lstrip("#")
    ]
    assert style(styles, "KpiGrid").xpath("w:tcPr/w:shd/@w:fill", namespaces=NS) == [
        theme.colors.card_bg.lstrip("#")
    ]


def test_kpi_cards_wrap_into_balanced_rows(chart: FakeRenderedChart) -> None:
    card = KpiCard("x", "指标", "", "1", "", "个", "1个", "下降1位", "down")
    base = sample_document()
    doc_ = dataclasses.replace(base, blocks=decide((KpiPanel((card,) * 5),), base.theme))
    doc = part(render_docx(doc_, {}), "word/document.xml")
    grids = doc.xpath("//w:tbl[w:tblPr/w:tblStyle/@w:val='KpiGrid']", namespaces=NS)
    assert [len(g.xpath("w:tr/w:tc", namespaces=NS)) for g in grids] == [3, 2]
    assert text(doc.xpath("//w:r[w:rPr/w:rStyle/@w:val='KpiDown']", namespaces=NS)[0]) == (
        "▼ 下降1位"
    )


def test_callout_and_quote(docx_bytes: bytes) -> None:
    doc = part(docx_bytes, "word/document.xml")
    box = doc.xpath("//w:tbl[w:tblPr/w:tblStyle/@w:val='CalloutBox']", namespaces=NS)[0]
    assert text(box.xpath(".//w:p[w:pPr/w:pStyle/@w:val='CalloutTitle']", namespaces=NS)[0]) == (
        "中科可控智能产线"
    )
    assert text(paragraphs(doc, "QuoteAttribution")[0]).startswith("——范斌")
    styles = part(docx_bytes, "word/styles.xml")
    assert style(styles, "QuoteAttribution").xpath("w:pPr/w:jc/@w:val", namespaces=NS) == ["right"]


def test_captions_number_with_seq_fields(docx_bytes: bytes) -> None:
    doc = part(docx_bytes, "word/document.xml")
    captions = doc.xpath(
        "//w:p[w:pPr/w:pStyle/@w:val='Caption' or w:pPr/w:pStyle/@w:val='TableCaption']",
        namespaces=NS,
    )
    assert [text(c) for c in captions] == [
        "图1 “2+2+3”产业体系主要产业规模",
        "表1 科技项目落户情况",
        "图2 协鑫光电",
    ]
    codes = [" ".join(c.xpath(".//w:instrText/text()", namespaces=NS)).strip() for c in captions]
    assert codes == ["SEQ 图 \\* ARABIC", "SEQ 表 \\* ARABIC", "SEQ 图 \\* ARABIC"]
    assert [text(p) for p in paragraphs(doc, "SourceNote")] == ["资料来源：昆山高新区管委会"] * 2


def test_caption_label_without_its_number_is_printed_as_is(chart: FakeRenderedChart) -> None:
    table = Table(4, "表四", "说明", ("a",), (("1",),))
    doc_ = dataclasses.replace(sample_document(), blocks=(table,))
    doc = part(render_docx(doc_, {}), "word/document.xml")
    assert text(paragraphs(doc, "TableCaption")[0]) == "表四 说明"
    assert not doc.xpath("//w:instrText", namespaces=NS)


def test_table_header_repeats_rows_do_not_split_numbers_align_right(docx_bytes: bytes) -> None:
    doc = part(docx_bytes, "word/document.xml")
    table = doc.xpath("//w:tbl[w:tblPr/w:tblStyle/@w:val='DataTable']", namespaces=NS)[0]
    rows = table.xpath("w:tr", namespaces=NS)
    assert len(rows) == 5
    assert rows[0].xpath("w:trPr/w:tblHeader", namespaces=NS)
    assert not rows[1].xpath("w:trPr/w:tblHeader", namespaces=NS)
    assert all(r.xpath("w:trPr/w:cantSplit", namespaces=NS) for r in rows)
    assert table.xpath("w:tr[1]/w:tc/w:p/w:pPr/w:pStyle/@w:val", namespaces=NS) == [
        "TableHeader",
        "TableHeaderNumber",
    ]
    assert table.xpath("w:tr[5]/w:tc/w:p/w:pPr/w:pStyle/@w:val", namespaces=NS) == [
        "TableCell",
        "TableCellNumber",
    ]
    # a word joiner keeps a figure in a number column on one line with its unit
    assert [text(c) for c in table.xpath("w:tr[5]/w:tc", namespaces=NS)] == ["合计", "305\u2060个"]
    unit = paragraphs(doc, "UnitLine")
    assert [text(u) for u in unit] == ["单位：个"]
    styles = part(docx_bytes, "word/styles.xml")
    assert style(styles, "UnitLine").xpath("w:pPr/w:jc/@w:val", namespaces=NS) == ["right"]
    assert style(styles, "TableCellNumber").xpath("w:pPr/w:jc/@w:val", namespaces=NS) == ["right"]


def test_every_picture_has_alt_text_and_sequential_ids(docx_bytes: bytes, sample: Document) -> None:
    doc = part(docx_bytes, "word/document.xml")
    pictures = doc.xpath("//wp:inline", namespaces=NS)
    assert len(pictures) == 2
    assert doc.xpath("//wp:docPr/@descr", namespaces=NS) == [f.alt for f in sample.figures()]
    assert doc.xpath("//wp:inline/wp:docPr/@id", namespaces=NS) == ["1", "2"]
    ids = doc.xpath("//wp:docPr/@id", namespaces=NS)
    assert len(ids) == len(set(ids))


def test_chart_keeps_its_size_and_embeds_svg_with_png_fallback(
    docx_bytes: bytes, chart: FakeRenderedChart
) -> None:
    doc = part(docx_bytes, "word/document.xml")
    inline = doc.xpath("//wp:inline", namespaces=NS)[0]
    assert inline.xpath("wp:extent/@cx", namespaces=NS) == [str(round(15.5 * 360000))]
    png_rid = inline.xpath(".//a:blip/@r:embed", namespaces=NS)[0]
    svg_rid = inline.xpath(".//asvg:svgBlip/@r:embed", namespaces=NS)[0]
    rels = part(docx_bytes, "word/_rels/document.xml.rels")
    target = {
        r.get("Id"): r.get("Target") for r in rels.xpath("rel:Relationship", namespaces=REL_NS)
    }
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        assert z.read("word/" + target[png_rid]) == chart.png
        assert z.read("word/" + target[svg_rid]) == chart.svg
    types = part(docx_bytes, "[Content_Types].xml")
    assert types.xpath(
        "ct:Override[@PartName='/word/" + target[svg_rid] + "']/@ContentType", namespaces=CT_NS
    ) == ["image/svg+xml"]


def test_photo_is_scaled_to_the_column_and_capped_in_height(docx_bytes: bytes) -> None:
    doc = part(docx_bytes, "word/document.xml")
    extent = doc.xpath("//wp:inline", namespaces=NS)[1].xpath("wp:extent", namespaces=NS)[0]
    assert int(extent.get("cy")) == round(9.0 * 360000)
    assert int(extent.get("cx")) == round(9.0 * 800 / 500 * 360000)


def test_missing_chart_is_warned_and_caption_kept(
    sample: Document, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="khzreport"):
        data = render_docx(sample, {})
    assert "industry_scale" in caplog.text and "图1" in caplog.text
    doc = part(data, "word/document.xml")
    assert len(doc.xpath("//wp:inline", namespaces=NS)) == 1
    assert text(paragraphs(doc, "Caption")[0]).startswith("图1")


def test_unreadable_image_is_warned_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image")
    doc_ = sample_document(image=str(broken))
    with caplog.at_level(logging.WARNING, logger="khzreport"):
        data = render_docx(doc_, {})
    assert "broken.jpg" in caplog.text and "图2" in caplog.text
    assert text(paragraphs(part(data, "word/document.xml"), "Caption")[-1]) == "图2 协鑫光电"


def test_tags_facts_page_break_and_distribution(docx_bytes: bytes) -> None:
    doc = part(docx_bytes, "word/document.xml")
    tags = paragraphs(doc, "TagLine")[0]
    assert tags.xpath("w:r[w:rPr/w:rStyle/@w:val='Tag']/w:t/text()", namespaces=NS) == [
        " 电子信息 ",
        " 高端装备 ",
        " 先进计算 ",
    ]
    facts = doc.xpath("//w:tbl[w:tblPr/w:tblStyle/@w:val='FactsTable']", namespaces=NS)[0]
    assert [text(c) for c in facts.xpath("w:tr/w:tc", namespaces=NS)] == [
        *("类型", "科创载体", "成立", "2013年", "占地", "27亩")
    ]  # columns 0: all pairs in one row, at most three, as the PDF draws them
    after_break = doc.xpath("//w:p[w:pPr/w:pageBreakBefore]", namespaces=NS)
    assert [text(p) for p in after_break] == ["创新平台加速汇聚"]
    lines = paragraphs(doc, "Distribution")
    box = doc.xpath("//w:txbxContent", namespaces=NS)
    assert len(box) == 1 and all(p.getparent() is box[0] for p in lines)
    anchor = box[0].xpath("ancestor::wp:anchor", namespaces=NS)[0]
    assert anchor.xpath("wp:positionV[@relativeFrom='margin']/wp:align/text()", namespaces=NS) == [
        "bottom"
    ]
    assert anchor.xpath("wp:wrapNone", namespaces=NS)  # the text is not pushed aside...
    room = anchor.xpath("ancestor::w:p", namespaces=NS)[0]
    assert room.getparent().tag == f"{{{NS['w']}}}body"  # ...the paragraph holding it keeps
    spacing = room.xpath("w:pPr/w:spacing", namespaces=NS)[0]  # the box's room in the text
    assert spacing.get(f"{{{NS['w']}}}lineRule") == "exact"
    height_emu = int(anchor.xpath("wp:extent/@cy", namespaces=NS)[0])
    assert int(spacing.get(f"{{{NS['w']}}}line")) * 635 == pytest.approx(height_emu, abs=635)
    assert room.xpath("w:pPr/w:keepLines", namespaces=NS)
    assert [text(r) for r in lines] == [
        "报送：昆山市委、市政府",
        "抄送：区各部门、各园区",
        "印发：昆山高新区党政办公室　2024年1月15日印发",
    ]


def test_page_break_before_a_table_uses_a_spacer(chart: FakeRenderedChart) -> None:
    table = Table(1, "表1", "t", ("a",), (("1",),))
    blocks = (Paragraph((Run("前"),)), PageBreak(), table, table)
    doc_ = dataclasses.replace(sample_document(), blocks=blocks)
    doc = part(render_docx(doc_, {}), "word/document.xml")
    body = doc.xpath("//w:body/*", namespaces=NS)
    styles = [
        (etree.QName(el).localname, "".join(el.xpath("w:pPr/w:pStyle/@w:val", namespaces=NS)))
        for el in body
    ]
    assert styles[1] == ("p", "TableCaption")
    assert doc.xpath("//w:body/w:p[2]/w:pPr/w:pageBreakBefore", namespaces=NS)
    assert ("tbl", "") in styles and styles[-2] == ("p", "Spacer")


def test_toc_without_entries_still_holds_the_field(chart: FakeRenderedChart) -> None:
    doc_ = dataclasses.replace(sample_document(), blocks=(Toc("目录", ()),))
    doc = part(render_docx(doc_, {}), "word/document.xml")
    assert doc.xpath("//w:instrText[contains(., 'TOC')]", namespaces=NS)


def test_toc_entry_without_heading_is_not_linked(chart: FakeRenderedChart) -> None:
    toc = Toc("目录", (TocEntry(1, "无处", "nowhere"),))
    doc_ = dataclasses.replace(sample_document(), blocks=(toc,))
    doc = part(render_docx(doc_, {}), "word/document.xml")
    assert not doc.xpath("//w:hyperlink", namespaces=NS)
    assert text(paragraphs(doc, "TOC1")[0]) == "无处"


# --- properties and determinism -------------------------------------------------------------


def test_core_properties_are_fixed_from_meta(docx_bytes: bytes, sample: Document) -> None:
    core = part(docx_bytes, "docProps/core.xml")
    ns = {
        "dc": "http://purl.org/dc/elements/1.1/",
        "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
        "dcterms": "http://purl.org/dc/terms/",
    }

    def value(path: str) -> str:
        return str(core.xpath(f"string({path})", namespaces=ns))

    meta = sample.meta
    assert value("dc:title") == meta.title
    assert value("dc:subject") == meta.subject
    assert value("dc:creator") == value("cp:lastModifiedBy") == meta.author
    assert value("cp:keywords") == "昆山高新区; 年度报告"
    assert value("dc:language") == "zh-CN"
    assert value("dcterms:created") == value("dcterms:modified") == "2024-01-15T00:00:00Z"
    assert value("cp:revision") == "1"
    assert "python-docx" not in value("dc:description")


def test_package_has_fixed_entry_order_and_timestamps(docx_bytes: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        app = z.read("docProps/app.xml").decode()
    assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
    assert names[2:] == sorted(names[2:])
    assert {i.date_time for i in infos} == {(2024, 1, 15, 0, 0, 0)}
    assert "docProps/thumbnail.jpeg" not in names
    assert not any(n.startswith("customXml") for n in names)
    assert "<Application>khzreport</Application>" in app


def test_two_renders_are_byte_identical(sample: Document, chart: FakeRenderedChart) -> None:
    first = render_docx(sample, {"industry_scale": chart})
    second = render_docx(sample, {"industry_scale": chart})
    assert first == second


def test_text_xml_cannot_hold_is_removed_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dirty = Paragraph((Run("产值\x07突破\x00740亿元\ufffe，增长\ud800"),))
    base = sample_document()
    doc_ = dataclasses.replace(
        base,
        blocks=(*base.blocks[:2], dirty, Heading(1, "标题\x1b", None, "h")),
        meta=dataclasses.replace(base.meta, title="简报\x0c"),
    )
    with caplog.at_level(logging.WARNING, logger="khzreport"):
        data = render_docx(doc_, {})
    doc = part(data, "word/document.xml")
    assert text(paragraphs(doc, "Body")[0]) == "产值突破740亿元，增长"
    assert text(paragraphs(doc, "ChapterTitle")[0]) == "标题"
    messages = [r.getMessage() for r in caplog.records if r.name == "khzreport"]
    assert any("4 character(s)" in m and "block 3 (Paragraph)" in m for m in messages)
    assert any("block 4 (Heading)" in m for m in messages)
    assert any("document properties" in m for m in messages)


# --- golden files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["document.xml", "styles.xml"])
def test_golden_parts(docx_bytes: bytes, name: str, update_golden: bool) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        actual = normalised(z.read(f"word/{name}"))
    golden = GOLDEN / name
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"missing {golden}; run pytest with --update-golden"
    assert actual == golden.read_text(encoding="utf-8")


# --- a real client --------------------------------------------------------------------------


def _needs(*tools: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    missing = [t for t in tools if shutil.which(t) is None]
    return pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)}")


@pytest.mark.realclient
@pytest.mark.slow
@_needs("soffice", "pdftotext")
def test_libreoffice_opens_and_converts(docx_bytes: bytes, tmp_path: Path) -> None:
    source = tmp_path / "briefing.docx"
    source.write_bytes(docx_bytes)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "briefing.pdf"
    assert pdf.is_file()
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout.decode("utf-8")
    flat = re.sub(r"\s+", "", out)
    for expected in (
        "布局新赛道新领域",
        "创新平台加速汇聚",
        "构筑现代化产业体系",
        "突破740亿元",
        "5654件",
        "图1",
        "表1",
        "科技项目落户情况",
        "82个",
        "305个",
        "资料来源：昆山高新区管委会",
        "第1页共",
    ):
        assert expected in flat, expected
