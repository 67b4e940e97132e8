"""The `gov` preset prints a 公文-style 简报 (GB/T 9704-2012), checked as a reader checks it:
page numbers, fonts and sizes read back from the PDF, the styles Word and WPS see in the DOCX."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pypdf
import pytest
from lxml import etree

from khzreport import api
from khzreport.document import Heading, KpiPanel, Paragraph, Run
from khzreport.theme import Theme
from khzreport.writers.pdf import _resolve_fonts, render_pdf
from tests.support.documents import sample_document

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
MM = 72 / 25.4

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler is not installed")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gov")
    api.build(EXAMPLE, out, formats="pdf,docx,html", theme="gov")
    return out


def words(pdf: Path, page: int) -> list[tuple[float, float, str]]:
    """Return (x, y, word) of every word on a page, top left first, in points."""
    xml = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', xml)
    return [(float(x), float(y), w) for x, y, w in found]


def runs(pdf: Path, page: int) -> list[tuple[str, str, float]]:
    """Return (text, font, size in pt) of every piece of text Typst drew on a page."""
    out: list[tuple[str, str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict, size: float) -> None:
        if text.strip() and font:
            scale = (tm[3] or 1) * (cm[3] or 1)
            name = str(font.get("/BaseFont", "")).split("+")[-1]
            out.append((text, name, round(size * scale, 1)))

    pypdf.PdfReader(pdf).pages[page - 1].extract_text(visitor_text=visit)
    return out


def font_of(pdf: Path, page: int, text: str) -> tuple[str, float]:
    """Return the font and size of the first piece of text on a page holding ``text``."""
    for piece, font, size in runs(pdf, page):
        if text in piece:
            return font, size
    raise AssertionError(f"{text!r} not drawn on page {page}")


def page_of(pdf: Path, text: str) -> int:
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for number, page in enumerate(pages.split("\f"), start=1):
        if text in re.sub(r"\s", "", page):
            return number
    raise AssertionError(f"{text!r} not printed")


def test_page_numbers_are_dashed_at_the_outer_side_of_every_page(built: Path) -> None:
    pdf = built / "briefing.pdf"
    pages = len(pypdf.PdfReader(pdf).pages)
    width = 210 * MM
    for n in range(1, pages + 1):
        foot = [(x, w) for x, y, w in words(pdf, n) if y > (297 - 35) * MM]
        assert " ".join(w for _, w in foot) == f"— {n} —", n
        left = foot[0][0]
        if n % 2:  # odd pages: right, one character in from the text block's edge
            assert left > width / 2
        else:
            assert left == pytest.approx(28 * MM + 16, abs=1)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert not re.search(r"第\s*\d+\s*页", text)


def test_no_contents_no_cards_no_running_header(built: Path) -> None:
    pdf = built / "briefing.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s", "", text)
    assert "目录" not in flat
    # the headline figures read as one sentence, not as a panel of cards
    cards = api.resolve(api.load(EXAMPLE), theme="briefing").blocks
    panel = next(b for b in cards if isinstance(b, KpiPanel))
    first, second = panel.cards[:2]
    sentence = f"{panel.title}：{first.label}{first.value_text}；{second.label}"
    assert re.sub(r"\s", "", sentence) in flat
    for n in range(2, len(pypdf.PdfReader(pdf).pages) + 1):
        assert all(y > 37 * MM - 8 for _, y, _ in words(pdf, n)), f"page {n} has a header"


def test_body_is_16_pt_and_headings_take_their_level_s_face(built: Path) -> None:
    pdf = built / "briefing.pdf"
    page = page_of(pdf, "一、布局新赛道新领域")
    sizes = Counter(size for _, _, size in runs(pdf, page))
    assert sizes.most_common(1)[0][0] == 16.0
    body_font, _ = font_of(pdf, page, "方能制胜未来")
    chapter_font, chapter_size = font_of(pdf, page, "布局新赛道新领域")
    section = page_of(pdf, "（一）先进计算产业集群")
    section_font, section_size = font_of(pdf, section, "先进计算产业集群")
    assert chapter_size == section_size == 16.0
    assert "Bold" not in chapter_font  # 一、 in 黑体 at its own weight
    assert len({body_font, chapter_font, section_font}) == 3
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert section_font in fonts  # （一） in the 楷体 face, embedded
    if "LXGW WenKai" in subprocess.run(["fc-list"], capture_output=True, text=True).stdout:
        assert "LXGWWenKai" in section_font
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # embedded


def test_four_heading_levels_take_heiti_kaiti_bold_fangsong_and_fangsong(tmp_path: Path) -> None:
    levels = [("一、", "产业"), ("（一）", "集群"), ("1.", "项目"), ("（1）", "成果")]
    headings = [
        Heading(level, text + "标题", None, f"h{level}", number)
        for level, (number, text) in enumerate(levels, start=1)
    ]
    blocks = (*headings, Paragraph((Run("正文段落。"),)))
    document = dataclasses.replace(sample_document(Theme.preset("gov")), blocks=blocks)
    pdf = tmp_path / "levels.pdf"
    pdf.write_bytes(render_pdf(document, {}))
    drawn = {text: font for text, font, _ in runs(pdf, 1)}

    def face(text: str) -> str:
        return next(font for piece, font in drawn.items() if text in piece)

    body = face("正文段落")
    assert face("产业标题") != body and face("集群标题") not in (body, face("产业标题"))
    assert face("项目标题") != body and face("项目标题").replace("Bold", "Regular") == body
    assert face("成果标题") == body
    assert {size for text, _, size in runs(pdf, 1) if "标题" in text or "正文" in text} == {16.0}


def test_the_colophon_stands_at_the_foot_of_the_last_page(built: Path) -> None:
    pdf = built / "briefing.pdf"
    last = len(pypdf.PdfReader(pdf).pages)
    placed = {w: (x, y) for x, y, w in words(pdf, last)}
    issued = next(y for w, (_, y) in placed.items() if w.startswith("印发"))
    assert issued > (297 - 35 - 30) * MM  # the 印发 line sits on the text block's foot
    date = next(x for w, (x, y) in placed.items() if w.endswith("印发") and y == issued)
    assert date > 105 * MM  # the 印发日期 at the right end of its line


def docx_part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        return etree.fromstring(z.read(name))


def style(styles: etree._Element, style_id: str) -> etree._Element:
    return styles.xpath(f"//w:style[@w:styleId='{style_id}']", namespaces=NS)[0]


def test_docx_names_the_office_faces_per_heading_level(built: Path) -> None:
    styles = docx_part(built / "briefing.docx", "word/styles.xml")

    def east_asia(style_id: str) -> str:
        return style(styles, style_id).xpath("string(w:rPr/w:rFonts/@w:eastAsia)", namespaces=NS)

    def bold(style_id: str) -> bool:
        return bool(style(styles, style_id).xpath("w:rPr/w:b", namespaces=NS))

    assert east_asia("Normal") == "仿宋_GB2312"
    assert style(styles, "Normal").xpath("string(w:rPr/w:sz/@w:val)", namespaces=NS) == "32"
    assert east_asia("Masthead") == "方正小标宋简体"
    assert (east_asia("ChapterTitle"), bold("ChapterTitle")) == ("黑体", False)
    assert (east_asia("Heading2"), bold("Heading2")) == ("楷体_GB2312", False)
    assert (east_asia("Heading3"), bold("Heading3")) == ("仿宋_GB2312", True)
    assert (east_asia("Heading4"), bold("Heading4")) == ("仿宋_GB2312", False)
    for level in ("ChapterTitle", "Heading2", "Heading3", "Heading4"):
        assert style(styles, level).xpath("string(w:rPr/w:color/@w:val)", namespaces=NS) == "000000"
        assert not style(styles, level).xpath("w:pPr/w:pBdr", namespaces=NS)
        indent = "string(w:pPr/w:ind/@w:firstLineChars)"
        assert style(styles, level).xpath(indent, namespaces=NS) == "200"  # two characters in


def test_docx_page_grid_numbers_and_no_running_header(built: Path) -> None:
    path = built / "briefing.docx"
    document = docx_part(path, "word/document.xml")
    grid = document.xpath("//w:sectPr/w:docGrid", namespaces=NS)[0]
    assert grid.get(f"{{{W}}}linePitch") == str(int(225 * MM / 22 * 20))  # 22 lines
    styles = docx_part(path, "word/styles.xml")
    body = style(styles, "Body")
    assert body.xpath("string(w:pPr/w:snapToGrid/@w:val)", namespaces=NS) == "1"
    assert body.xpath("string(w:pPr/w:spacing/@w:line)", namespaces=NS) == "240"  # one grid line
    narrowed = int(body.xpath("string(w:rPr/w:spacing/@w:val)", namespaces=NS)) / 20
    assert 28 * (16 + narrowed) <= 156 * MM < 29 * (16 + narrowed)  # 28 characters a line
    settings = docx_part(path, "word/settings.xml")
    assert settings.xpath("w:evenAndOddHeaders", namespaces=NS)
    with zipfile.ZipFile(path) as z:
        footers = [etree.fromstring(z.read(n)) for n in z.namelist() if "footer" in n]
        headers = [etree.fromstring(z.read(n)) for n in z.namelist() if "header" in n]
    sides = set()
    for footer in footers:
        text = "".join(footer.xpath("//w:t/text()", namespaces=NS))
        assert text == "— 1 —"  # a PAGE field between two 一字线
        sides.add(footer.xpath("string(//w:pPr/w:jc/@w:val)", namespaces=NS))
    assert sides == {"left", "right"}
    assert all(not "".join(h.xpath("//w:t/text()", namespaces=NS)) for h in headers)
    body = docx_part(path, "word/document.xml")
    text = "".join(body.xpath("//w:t/text()", namespaces=NS))
    assert "目录" not in text and "主要指标：" in text
    colophon = body.xpath("//w:p[w:pPr/w:pStyle/@w:val='Distribution']", namespaces=NS)
    assert colophon[-1].xpath("w:r[w:tab]/w:t/text()", namespaces=NS)[-1].endswith("日印发")


def test_captions_centred_and_source_lines_at_the_left_in_every_format(built: Path) -> None:
    pdf = built / "briefing.pdf"
    page = page_of(pdf, "资料来源")
    starts = [x for x, _, w in words(pdf, page) if w.startswith("资料来源")]
    assert starts and all(x == pytest.approx(28 * MM, abs=0.5) for x in starts)
    styles = docx_part(built / "briefing.docx", "word/styles.xml")
    align = "string(w:pPr/w:jc/@w:val)"
    assert style(styles, "SourceNote").xpath(align, namespaces=NS) in ("", "left")
    assert style(styles, "Caption").xpath(align, namespaces=NS) == "center"
    css = (built / "briefing.html").read_text(encoding="utf-8")
    rule = re.search(r"\.figure \.source, \.table-block \.source \{[^}]*\}", css)
    assert rule and "text-align: left" in rule.group(0)


def test_default_preset_digits_come_from_a_face_made_for_the_cjk_serif(tmp_path: Path) -> None:
    api.build(EXAMPLE, tmp_path, formats="pdf")
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "briefing.pdf")], capture_output=True, text=True
    ).stdout
    assert "DejaVu" not in fonts


WENKAI = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")


@pytest.mark.skipif(not WENKAI.is_file(), reason="needs fonts-lxgw-wenkai")
def test_an_office_font_file_serves_the_role_that_names_it(tmp_path: Path) -> None:
    # an office's licensed 仿宋 stands in here as a file named for the body only
    shutil.copyfile(WENKAI, tmp_path / "office-body.ttf")
    theme = Theme.preset(
        "gov",
        base_dir=str(tmp_path),
        fonts={"files": ["office-body.ttf"], "pdf_body": ["LXGW WenKai"], "pdf_quote": ["KaiTi"]},
    )
    chosen = _resolve_fonts(theme)
    assert chosen.body.path == tmp_path / "office-body.ttf"
    assert tmp_path / "office-body.ttf" not in (chosen.heading.path, chosen.title.path)
