"""Unit tests of the OOXML helpers, checked against the XML they produce."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx.oxml.ns import nsmap, qn
from lxml import etree

from khzreport.writers import ooxml
from khzreport.writers.ooxml import PPR_ORDER, RPR_ORDER, Border, TabStop

W = nsmap["w"]


def tags(parent: etree._Element) -> list[str]:
    """Return the children's tags as ``w:name``."""
    prefixes = {v: k for k, v in nsmap.items()}
    out = []
    for child in parent:
        ns, local = child.tag[1:].split("}")
        out.append(f"{prefixes[ns]}:{local}")
    return out


def attr(el: etree._Element, name: str) -> str | None:
    return el.get(qn(name))


def test_set_child_inserts_in_schema_order_and_replaces() -> None:
    ppr = ooxml.element("w:pPr")
    ooxml.set_child(ppr, ooxml.element("w:jc", {"w:val": "both"}), PPR_ORDER)
    ooxml.set_child(ppr, ooxml.element("w:pStyle", {"w:val": "Body"}), PPR_ORDER)
    ooxml.set_child(ppr, ooxml.element("w:spacing"), PPR_ORDER)
    ooxml.set_child(ppr, ooxml.element("w:keepNext"), PPR_ORDER)
    ooxml.set_child(ppr, ooxml.element("w:jc", {"w:val": "center"}), PPR_ORDER)
    assert tags(ppr) == ["w:pStyle", "w:keepNext", "w:spacing", "w:jc"]
    assert attr(ppr[-1], "w:val") == "center"


def test_set_child_appends_unknown_tags() -> None:
    ppr = ooxml.element("w:pPr")
    ooxml.set_child(ppr, ooxml.element("w:jc"), PPR_ORDER)
    ooxml.set_child(ppr, ooxml.element("w:unknownThing"), PPR_ORDER)
    assert tags(ppr) == ["w:jc", "w:unknownThing"]


def test_on_off_writes_false_as_val_zero() -> None:
    ppr = ooxml.element("w:pPr")
    ooxml.on_off(ppr, "w:keepNext", PPR_ORDER, False)
    assert attr(ppr[0], "w:val") == "0"
    ooxml.on_off(ppr, "w:keepNext", PPR_ORDER)
    assert attr(ppr[0], "w:val") is None and len(ppr) == 1


def test_set_fonts_fills_every_slot_with_east_asian_hint() -> None:
    rpr = ooxml.element("w:rPr")
    ooxml.set_child(rpr, ooxml.element("w:sz", {"w:val": "24"}), RPR_ORDER)
    ooxml.set_fonts(rpr, "Times New Roman", "宋体")
    fonts = rpr[0]
    assert tags(rpr) == ["w:rFonts", "w:sz"]
    assert attr(fonts, "w:ascii") == attr(fonts, "w:hAnsi") == "Times New Roman"
    assert attr(fonts, "w:eastAsia") == "宋体"
    assert attr(fonts, "w:hint") == "eastAsia"
    ooxml.set_fonts(rpr, "Arial", "黑体", hint=False)
    assert attr(rpr[0], "w:hint") is None and attr(rpr[0], "w:eastAsia") == "黑体"


def test_set_lang_and_size_and_color() -> None:
    rpr = ooxml.element("w:rPr")
    ooxml.set_lang(rpr, "en-US", "zh-CN")
    ooxml.set_size(rpr, 11.5)
    ooxml.set_color(rpr, "#c00000")
    assert tags(rpr) == ["w:color", "w:sz", "w:szCs", "w:lang"]
    assert attr(rpr[1], "w:val") == "23"
    assert attr(rpr[0], "w:val") == "C00000"
    assert attr(rpr[3], "w:eastAsia") == "zh-CN"


def test_hex_color_rejects_names() -> None:
    with pytest.raises(ValueError, match="#RRGGBB"):
        ooxml.hex_color("red")


def test_set_indent_writes_chars_and_twips_fallback() -> None:
    ppr = ooxml.element("w:pPr")
    ooxml.set_indent(ppr, first_line_chars=2, char_points=12)
    ind = ppr[0]
    assert attr(ind, "w:firstLineChars") == "200"
    assert attr(ind, "w:firstLine") == "480"
    ooxml.set_indent(ppr, left_chars=1.5, right_chars=2, char_points=10)
    ind = ppr[0]
    assert attr(ind, "w:leftChars") == "150" and attr(ind, "w:left") == "300"
    assert attr(ind, "w:rightChars") == "200" and attr(ind, "w:firstLineChars") is None


def test_set_spacing_line_is_a_multiple_of_240() -> None:
    ppr = ooxml.element("w:pPr")
    ooxml.set_spacing(ppr, before_pt=6, after_pt=0, line=1.5)
    sp = ppr[0]
    assert (attr(sp, "w:before"), attr(sp, "w:after")) == ("120", "0")
    assert (attr(sp, "w:line"), attr(sp, "w:lineRule")) == ("360", "auto")


def test_tabs_and_outline_level() -> None:
    ppr = ooxml.element("w:pPr")
    ooxml.set_outline_level(ppr, 1)
    ooxml.set_tabs(ppr, [TabStop(9000, "right", "dot"), TabStop(100)])
    assert tags(ppr) == ["w:tabs", "w:outlineLvl"]
    first, second = ppr[0]
    assert (attr(first, "w:val"), attr(first, "w:pos"), attr(first, "w:leader")) == (
        "right",
        "9000",
        "dot",
    )
    assert attr(second, "w:leader") is None


def test_paragraph_borders_follow_schema_side_order() -> None:
    ppr = ooxml.element("w:pPr")
    ooxml.set_borders(
        ppr,
        "w:pBdr",
        {"bottom": Border(2.25, "#C00000", space_pt=4), "top": Border(0.5, "#000000")},
        PPR_ORDER,
    )
    pbdr = ppr[0]
    assert tags(pbdr) == ["w:top", "w:bottom"]
    bottom = pbdr[1]
    assert (attr(bottom, "w:val"), attr(bottom, "w:sz"), attr(bottom, "w:space")) == (
        "single",
        "18",
        "4",
    )
    assert attr(bottom, "w:color") == "C00000"


def test_table_borders_reject_paragraph_sides() -> None:
    tblpr = ooxml.element("w:tblPr")
    with pytest.raises(ValueError, match="between"):
        ooxml.set_borders(tblpr, "w:tblBorders", {"between": ooxml.NO_BORDER}, ())
    ooxml.set_borders(tblpr, "w:tblBorders", {"insideV": ooxml.NO_BORDER}, ())
    assert attr(tblpr[0][0], "w:val") == "nil"


def test_shading_is_clear_with_fill() -> None:
    tcpr = ooxml.element("w:tcPr")
    ooxml.set_cell_width(tcpr, 2000)
    ooxml.set_cell_valign(tcpr, "center")
    ooxml.set_shading(tcpr, "#F4F6F9", ooxml.TCPR_ORDER)
    assert tags(tcpr) == ["w:tcW", "w:shd", "w:vAlign"]
    shd = tcpr[1]
    assert (attr(shd, "w:val"), attr(shd, "w:fill")) == ("clear", "F4F6F9")


def test_table_properties_in_order() -> None:
    tblpr = ooxml.element("w:tblPr")
    ooxml.set_child(tblpr, ooxml.element("w:tblStyle", {"w:val": "DataTable"}), ooxml.TBLPR_ORDER)
    ooxml.set_cell_margins(tblpr, "w:tblCellMar", {"left": 6, "top": 3}, ooxml.TBLPR_ORDER)
    ooxml.set_fixed_layout(tblpr)
    ooxml.set_table_width(tblpr, 9000)
    assert tags(tblpr) == ["w:tblStyle", "w:tblW", "w:tblLayout", "w:tblCellMar"]
    assert tags(tblpr[-1]) == ["w:top", "w:left"]
    assert attr(tblpr[-1][1], "w:w") == "120"


def test_header_row_and_cant_split_are_added_once() -> None:
    trpr = ooxml.element("w:trPr")
    ooxml.mark_header_row(trpr)
    ooxml.mark_header_row(trpr)
    ooxml.mark_cant_split(trpr)
    assert tags(trpr) == ["w:tblHeader", "w:cantSplit"]


def test_field_runs_begin_code_separate_result_end() -> None:
    runs = ooxml.field("SEQ 图 \\* ARABIC", "3", style="Caption")
    kinds = []
    for r in runs:
        assert r.find(f"{{{W}}}rPr/{{{W}}}rStyle").get(qn("w:val")) == "Caption"
        fld = r.find(f"{{{W}}}fldChar")
        instr = r.find(f"{{{W}}}instrText")
        text = r.find(f"{{{W}}}t")
        if fld is not None:
            kinds.append(fld.get(qn("w:fldCharType")))
        elif instr is not None:
            kinds.append("code:" + instr.text)
            assert instr.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
        else:
            kinds.append("result:" + text.text)
    assert kinds == ["begin", "code: SEQ 图 \\* ARABIC ", "separate", "result:3", "end"]


def test_field_start_and_end_can_span_paragraphs() -> None:
    start = ooxml.field_start('TOC \\o "1-2" \\h \\z \\u')
    assert len(start) == 3
    end = ooxml.field_end()
    assert end[0].get(qn("w:fldCharType")) == "end"


def test_bookmark_wraps_content_after_ppr() -> None:
    p = ooxml.element("w:p")
    p.append(ooxml.element("w:pPr"))
    p.append(ooxml.run("标题"))
    ooxml.wrap_in_bookmark(p, 7, "sec_a")
    assert tags(p) == ["w:pPr", "w:bookmarkStart", "w:r", "w:bookmarkEnd"]
    assert attr(p[1], "w:name") == "sec_a" and attr(p[1], "w:id") == attr(p[3], "w:id") == "7"


def test_internal_link_targets_anchor() -> None:
    link = ooxml.internal_link("sec_a", [ooxml.run("第一章")])
    assert attr(link, "w:anchor") == "sec_a" and attr(link, "w:history") == "1"
    assert link.xpath("string(.)") == "第一章"


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ("sec_industry", "sec_industry"),
        ("sec-industry", "sec_industry"),
        ("1st", "h1st"),
    ],
)
def test_bookmark_name_keeps_readable_names(anchor: str, expected: str) -> None:
    assert ooxml.bookmark_name(anchor) == expected


def test_bookmark_name_hashes_lossy_or_long_anchors() -> None:
    chinese = ooxml.bookmark_name("sec-产业")
    other = ooxml.bookmark_name("sec-平台")
    assert chinese != other
    long = ooxml.bookmark_name("a" * 60)
    for name in (chinese, other, long):
        assert len(name) <= 40
        assert name[0].isalpha()
        assert all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name)


def test_inline_picture_has_alt_text_ids_and_svg_extension() -> None:
    inline = ooxml.inline_picture(
        embed="rId5",
        width_emu=5_580_000,
        height_emu=2_790_000,
        shape_id=3,
        name="图1",
        descr="柱状图 & <说明>",
        svg_embed="rId6",
    )
    xml = etree.tostring(inline, encoding=str)
    inline = etree.fromstring(xml)
    assert 'descr="柱状图 &amp; &lt;说明&gt;"' in xml
    ns = {**nsmap, "asvg": ooxml.ASVG_NS}
    assert inline.xpath("wp:docPr/@id", namespaces=ns) == ["3"]
    assert inline.xpath("wp:extent/@cx", namespaces=ns) == ["5580000"]
    assert inline.xpath(".//a:blip/@r:embed", namespaces=ns) == ["rId5"]
    ext = inline.xpath(".//a:blip/a:extLst/a:ext", namespaces=ns)[0]
    assert ext.get("uri") == "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
    assert ext.xpath("asvg:svgBlip/@r:embed", namespaces=ns) == ["rId6"]


def test_inline_picture_without_svg_has_no_extension() -> None:
    inline = ooxml.inline_picture(
        embed="rId5", width_emu=1, height_emu=1, shape_id=1, name="p", descr="d"
    )
    assert not etree.fromstring(etree.tostring(inline)).xpath(".//a:extLst", namespaces=nsmap)
    run = ooxml.drawing_run(inline)
    assert tags(run) == ["w:drawing"]


def test_doc_defaults_replace_theme_fonts() -> None:
    styles = etree.fromstring(
        f'<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault/></w:docDefaults>'
        '<w:style w:styleId="Normal"/></w:styles>'
    )
    ooxml.set_doc_defaults(
        styles,
        latin="Times New Roman",
        east_asia="仿宋",
        size_pt=14,
        lang_latin="en-US",
        lang_east_asia="zh-CN",
    )
    assert tags(styles) == ["w:docDefaults", "w:style"]
    rpr = styles.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr")
    assert tags(rpr) == ["w:rFonts", "w:sz", "w:szCs", "w:lang"]
    assert attr(rpr[0], "w:eastAsia") == "仿宋"
    assert attr(rpr[3], "w:eastAsia") == "zh-CN"
    assert styles.xpath("count(//w:pPrDefault/w:pPr/w:widowControl)", namespaces=nsmap) == 1


def test_configure_settings_keeps_schema_order() -> None:
    settings = etree.fromstring(
        f'<w:settings xmlns:w="{W}"><w:zoom w:val="bestFit"/><w:proofState w:spelling="clean"/>'
        '<w:defaultTabStop w:val="720"/><w:compat><w:compatSetting w:name="compatibilityMode"'
        ' w:val="14"/></w:compat><w:rsids/><w:themeFontLang w:val="en-US"/>'
        '<w:decimalSymbol w:val="."/></w:settings>'
    )
    ooxml.configure_settings(settings, lang_latin="en-US", lang_east_asia="zh-CN")
    assert tags(settings) == [
        "w:zoom",
        "w:defaultTabStop",
        "w:characterSpacingControl",
        "w:updateFields",
        "w:compat",
        "w:themeFontLang",
        "w:decimalSymbol",
    ]
    assert attr(settings[3], "w:val") == "true"
    assert settings.xpath("w:compat/w:compatSetting/@w:val", namespaces=nsmap) == ["15"]
    assert attr(settings[5], "w:eastAsia") == "zh-CN"


def test_font_table_gives_cjk_faces_charset_and_alternate_names() -> None:
    root = etree.fromstring(ooxml.font_table_xml(["Times New Roman", "Arial"], ["宋体", "黑体"]))
    names = root.xpath("w:font/@w:name", namespaces=nsmap)
    assert names == ["宋体", "黑体", "Times New Roman", "Arial"]
    song = root.xpath("w:font[@w:name='宋体']", namespaces=nsmap)[0]
    assert song.xpath("w:altName/@w:val", namespaces=nsmap) == ["SimSun"]
    assert song.xpath("w:charset/@w:val", namespaces=nsmap) == ["86"]


def test_app_xml_is_escaped() -> None:
    root = etree.fromstring(ooxml.app_xml("khzreport", "A & B"))
    ns = {"ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"}
    assert root.xpath("string(ep:Company)", namespaces=ns) == "A & B"


@pytest.mark.parametrize(
    ("text", "clean", "removed"),
    [
        ("正常文本\t换行\n", "正常文本\t换行\n", 0),
        ("a\x00b\x07c\x1fd", "abcd", 3),
        ("x\ufffey\uffff", "xy", 2),
        ("lone\ud800surrogate", "lonesurrogate", 1),
        ("emoji 😀 ok", "emoji 😀 ok", 0),
    ],
)
def test_xml_safe(text: str, clean: str, removed: int) -> None:
    assert ooxml.xml_safe(text) == (clean, removed)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def test_normalise_package_orders_entries_and_fixes_time() -> None:
    data = _zip(
        {"word/b.xml": b"b", "_rels/.rels": b"r", "word/a.xml": b"a", "[Content_Types].xml": b"ct"}
    )
    out = ooxml.normalise_package(
        data, date_time=(2024, 1, 15, 0, 0, 0), replace={"word/a.xml": b"A"}
    )
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/a.xml",
            "word/b.xml",
        ]
        assert {i.date_time for i in infos} == {(2024, 1, 15, 0, 0, 0)}
        assert z.read("word/a.xml") == b"A"
    again = ooxml.normalise_package(
        _zip(
            {
                "word/a.xml": b"a",
                "word/b.xml": b"b",
                "[Content_Types].xml": b"ct",
                "_rels/.rels": b"r",
            }
        ),
        date_time=(2024, 1, 15, 0, 0, 0),
        replace={"word/a.xml": b"A"},
    )
    assert again == out


def test_normalise_package_refuses_to_replace_missing_entries() -> None:
    with pytest.raises(KeyError, match=r"nothing\.xml"):
        ooxml.normalise_package(
            _zip({"a": b""}), date_time=(1980, 1, 1, 0, 0, 0), replace={"nothing.xml": b""}
        )
