"""The PDF writer: Typst typesetting of briefings and park sheets, read back with poppler."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from khzreport.document import (
    Cover,
    Document,
    DocumentMeta,
    Facts,
    Figure,
    Heading,
    KpiCard,
    KpiPanel,
    Paragraph,
    Run,
    Tags,
    Toc,
)
from khzreport.errors import FontError
from khzreport.writers.pdf import render_pdf
from tests.support.documents import sample_document, sample_photo
from tests.support.pdf import PARK_CHART, charts

pytestmark = [
    pytest.mark.skipif(
        shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
        reason="needs poppler (pdftotext, pdffonts)",
    ),
]


def sheet_document() -> Document:
    """Return a one-page park sheet built by hand (what the sheet layout will produce)."""
    meta = DocumentMeta(
        title="昆山高新区园区简介：先进计算产业园",
        subtitle=None,
        author="昆山高新区管委会",
        subject="园区简介",
        language="zh-CN",
        keywords=("昆山高新区", "园区简介"),
        date="2024-01-15",
        date_text="2024年1月15日",
        running_header="一园一册",
        footer_note="数据来源：昆山高新区管委会，截至2023年底",
    )
    blocks = (
        Cover(
            "先进计算产业园", "产业园区 · 打造全国领先的先进计算产业集聚区", "昆山高新区", "2023年"
        ),
        KpiPanel(
            (
                KpiCard(
                    "ac_output",
                    "2023年产值",
                    "近",
                    "140",
                    "",
                    "亿元",
                    "近140亿元",
                    "同比增长15.7%",
                    "up",
                ),
                KpiCard("ac_firms", "集聚企业", "", "60", "多", "家", "60多家"),
                KpiCard("ac_area", "规划面积", "约", "3.2", "", "平方公里", "约3.2平方公里"),
                KpiCard("ac_rank", "省级特色产业基地", "", "前10强", "", "", "前10强"),
            )
        ),
        Tags("主导产业", ("服务器整机", "高端芯片", "存储", "信创终端", "先进封测")),
        Tags("重点企业", ("中科可控", "协鑫光电", "龙腾光电", "好孩子集团")),
        Facts(
            (
                ("类型", "产业园区"),
                ("设立", "2019年"),
                ("区位", "高新区中部"),
                ("主导方向", "先进计算"),
                ("载体面积", "45万平方米"),
                ("联系部门", "经发局"),
            )
        ),
        Heading(2, "园区概况", None, "sheet-about"),
        Paragraph(
            (
                Run("先进计算产业园聚焦服务器整机、高端芯片与信创终端，2023年实现产值"),
                Run("近140亿元", "ac_output"),
                Run("，集聚上下游企业"),
                Run("60多家", "ac_firms"),
                Run(
                    "。园区以中科可控为龙头，建成智能化整机生产线，每90秒可下线一台高端整机产品，"
                    "正加快形成从芯片设计、整机制造到应用服务的完整产业链。"
                ),
            )
        ),
        Figure(
            1,
            "图1",
            "先进计算产业园产值",
            "柱状图：2021年98亿元，2022年121亿元，2023年近140亿元",
            "资料来源：昆山高新区管委会",
            chart=PARK_CHART,
        ),
    )
    return Document(
        meta=meta, layout="sheet", theme=sample_document().theme, blocks=blocks, name="sheet-ac"
    )


def pdftotext(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first is not None:
        args += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    """Return text without whitespace (pdftotext spaces CJK/Latin gaps and line ends)."""
    return re.sub(r"\s+", "", text.replace("\u2060", ""))


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    assert match
    return int(match.group(1))


@pytest.fixture(scope="module")
def briefing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, Document]:
    folder = tmp_path_factory.mktemp("pdf")
    doc = sample_document(image=sample_photo(str(folder)))
    pdf = render_pdf(doc, charts())
    path = folder / "briefing.pdf"
    path.write_bytes(pdf)
    return path, pdf, doc


def test_briefing_text_holds_titles_numbers_captions_and_table(briefing) -> None:
    path, pdf, _ = briefing
    assert pdf.startswith(b"%PDF-")
    text = flat(pdftotext(path))
    for expected in (
        "昆山高新区发展简报",
        "第1期",
        "布局新赛道新领域",
        "构筑现代化产业体系",
        "创新平台加速汇聚",
        "创新能级稳步提升",
        "突破740亿元",
        "第32名",
        "68.5%",
        "5654件",
        "▲较上年上升3位",
        "图1“2+2+3”产业体系主要产业规模",
        "图2协鑫光电",
        "表1科技项目落户情况",
        "单位：个",
        "人才类项目82个",
        "合计305个",
        "资料来源：昆山高新区管委会",
        "中科可控智能产线",
        "——范斌，昆山协鑫光电材料有限公司董事长",
        "报送：昆山市委、市政府",
        "印发：昆山高新区党政办公室",
    ):
        assert expected in text, expected


def test_fonts_are_embedded_subsets(briefing) -> None:
    path, _, _ = briefing
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows, out.stdout
    names = " ".join(r.split()[0] for r in rows)
    assert "NotoSerifCJK" in names and "NotoSansCJK" in names
    for row in rows:
        cols = row.split()
        emb, sub = cols[-5], cols[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert re.match(r"^[A-Z]{6}\+", cols[0]), row


def test_two_renders_are_byte_identical(briefing) -> None:
    _, pdf, doc = briefing
    assert render_pdf(doc, charts()) == pdf


def test_metadata_title_author_subject_language(briefing) -> None:
    path, pdf, _ = briefing
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Title:           昆山高新区2023年度发展简报" in info.stdout
    assert "Author:          昆山高新区管委会" in info.stdout
    assert "Subject:         2023年度发展简报" in info.stdout
    assert "Keywords:        昆山高新区, 年度报告" in info.stdout
    assert "CreationDate:" in info.stdout and "2024" in info.stdout
    assert re.search(rb"/Lang\s*\(zh-CN\)", pdf)


def test_bookmarks_mirror_the_chapters(briefing) -> None:
    _, pdf, doc = briefing
    assert b"/Outlines" in pdf
    chapters = [b for b in doc.blocks if isinstance(b, Heading) and b.level == 1]
    for chapter in chapters:
        utf16 = "\ufeff".encode("utf-16-be") + chapter.text.encode("utf-16-be")
        as_hex = "<" + utf16.hex().upper() + ">"
        assert utf16 in pdf or as_hex.encode() in pdf, chapter.text
    try:
        import pypdf
    except ImportError:
        return
    titles = [
        item.title
        for item in pypdf.PdfReader(io.BytesIO(pdf)).outline
        if not isinstance(item, list)
    ]
    assert titles == [c.text for c in chapters]


def test_every_figure_carries_its_alt_text(briefing) -> None:
    _, pdf, doc = briefing
    figures = doc.figures()
    assert len(figures) == 2
    for figure in figures:
        utf16 = ("\ufeff" + figure.alt).encode("utf-16-be")
        assert b"<" + utf16.hex().upper().encode() + b">" in pdf.upper(), figure.label


def test_toc_page_numbers_point_at_the_chapters(briefing) -> None:
    path, _, doc = briefing
    toc_page = pdftotext(path, 1)
    toc = next(b for b in doc.blocks if isinstance(b, Toc))
    for entry in toc.entries:
        match = re.search(re.escape(entry.text) + r"[\s.\u2060]*(\d+)", toc_page)
        assert match, entry.text
        page = int(match.group(1))
        assert entry.text in flat(pdftotext(path, page)), (entry.text, page)
    assert page > 1


def test_every_page_but_the_first_has_header_and_page_number(briefing) -> None:
    path, _, doc = briefing
    pages = page_count(path)
    assert pages >= 3
    assert "第1页" not in flat(pdftotext(path, 1))
    for n in range(2, pages + 1):
        text = flat(pdftotext(path, n))
        assert f"第{n}页/共{pages}页" in text, n
        assert doc.meta.running_header in text, n


@pytest.mark.parametrize("standard", ["a-2b", "a-3b", "ua-1"])
def test_pdf_standards_compile(standard: str, tmp_path: Path) -> None:
    doc = sample_document(image=sample_photo(str(tmp_path)))
    pdf = render_pdf(doc, charts(), pdf_standard=standard)
    assert pdf.startswith(b"%PDF-")
    marker = b"pdfaid:part" if standard.startswith("a-") else b"pdfuaid:part"
    assert marker in pdf


def test_unknown_pdf_standard_is_rejected() -> None:
    from khzreport.errors import ValidationError

    with pytest.raises(ValidationError, match="unknown PDF standard"):
        render_pdf(sample_document(), charts(), pdf_standard="a-9z")


MARKUP = '#import "x": * *bold* $x^2$ ] [ @ref <label> #set text(red) \\ `raw` _em_ // no'


def test_markup_in_source_text_prints_literally(tmp_path: Path) -> None:
    doc = sample_document()
    paragraph = Paragraph((Run(MARKUP),))
    heading = Heading(2, "标题 #emph[x] <h>", None, "h-x")
    doc = dataclasses.replace(doc, blocks=(*doc.blocks[:3], heading, paragraph, *doc.blocks[3:]))
    path = tmp_path / "markup.pdf"
    path.write_bytes(render_pdf(doc, charts()))
    text = pdftotext(path)
    assert flat(MARKUP) in flat(text)
    assert "标题 #emph[x] <h>" in text


def test_missing_glyph_is_reported_with_its_place(caplog: pytest.LogCaptureFixture) -> None:
    doc = sample_document()
    odd = Paragraph((Run("数学符号\U0001d400与生僻字\U00020000"),))
    doc = dataclasses.replace(doc, blocks=(*doc.blocks[:5], odd, *doc.blocks[5:]))
    with caplog.at_level(logging.WARNING, logger="khzreport"):
        render_pdf(doc, charts())
    message = " ".join(r.getMessage() for r in caplog.records)
    assert "U+1D400" in message and "U+20000" in message
    assert "paragraph 5" in message
    with pytest.raises(FontError, match="U\\+1D400") as info:
        render_pdf(doc, charts(), strict=True)
    assert info.value.location is not None and info.value.location.path == "blocks[5]"


def test_clean_document_logs_no_glyph_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="khzreport"):
        render_pdf(sample_document(), charts(), strict=True)
    assert not caplog.records


def test_missing_chart_is_warned_and_strict_raises(caplog: pytest.LogCaptureFixture) -> None:
    from khzreport.errors import KhzReportError

    with caplog.at_level(logging.WARNING, logger="khzreport"):
        pdf = render_pdf(sample_document(), {})
    assert pdf.startswith(b"%PDF-")
    assert "industry_scale" in caplog.text
    with pytest.raises(KhzReportError, match="industry_scale"):
        render_pdf(sample_document(), {}, strict=True)


def test_template_dir_overrides_a_template(tmp_path: Path) -> None:
    (tmp_path / "briefing.typ").write_text(
        '#let d = json(bytes(sys.inputs.data))\n#set text(font: "Noto Sans CJK SC")\n'
        "自定义模板：#d.meta.title\n",
        encoding="utf-8",
    )
    out = tmp_path / "custom.pdf"
    out.write_bytes(render_pdf(sample_document(), charts(), template_dir=tmp_path))
    assert "自定义模板：昆山高新区2023年度发展简报" in flat(pdftotext(out))


def test_sheet_is_one_page(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="khzreport"):
        pdf = render_pdf(sheet_document(), charts())
    assert not caplog.records, caplog.text
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    assert page_count(path) == 1
    text = flat(pdftotext(path))
    for expected in (
        "先进计算产业园",
        "昆山高新区",
        "2023年",
        "近140亿元",
        "60多家",
        "服务器整机",
        "中科可控",
        "产业园区",
        "图1先进计算产业园产值",
        "数据来源：昆山高新区管委会",
    ):
        assert expected in text, expected


def test_long_sheet_warns(caplog: pytest.LogCaptureFixture) -> None:
    sheet = sheet_document()
    long = Paragraph((Run("园区持续优化营商环境。" * 120),))
    sheet = dataclasses.replace(sheet, blocks=(*sheet.blocks, long, long))
    with caplog.at_level(logging.WARNING, logger="khzreport"):
        render_pdf(sheet, charts())
    assert "runs to 2 pages" in caplog.text or "runs to 3 pages" in caplog.text


def test_cover_variant_renders(tmp_path: Path) -> None:
    doc = sample_document(masthead=False)
    assert isinstance(doc.blocks[0], Cover)
    path = tmp_path / "cover.pdf"
    path.write_bytes(render_pdf(doc, charts()))
    first = flat(pdftotext(path, 1))
    assert "昆山高新区2023年度发展简报" in first and "科创引领产业攀升" in first


def test_unreadable_photo_names_its_figure(tmp_path: Path) -> None:
    from khzreport.errors import SourceError

    bad = tmp_path / "photo.jpg"
    bad.write_text("not a jpeg", encoding="utf-8")
    with pytest.raises(SourceError, match="图2") as info:
        render_pdf(sample_document(image=str(bad)), charts())
    assert info.value.location is not None and info.value.location.path.startswith("blocks[")
    with pytest.raises(SourceError, match="not found"):
        render_pdf(sample_document(image=str(tmp_path / "missing.jpg")), charts())
    from PIL import Image

    Image.new("RGB", (40, 30), "#C00000").save(tmp_path / "photo.gif")
    with pytest.raises(SourceError, match="photos must be PNG or JPEG"):  # the resolve check
        render_pdf(sample_document(image=str(tmp_path / "photo.gif")), charts())


def test_one_compiler_serves_a_batch_without_stale_files(tmp_path: Path) -> None:
    from PIL import Image

    from khzreport.writers import pdf as pdf_writer

    for name, colour, size in (("a", "#C00000", (400, 300)), ("b", "#2E7D32", (300, 400))):
        (tmp_path / name).mkdir()
        Image.new("RGB", size, colour).save(tmp_path / name / "photo.jpg")
    first = render_pdf(sample_document(image=str(tmp_path / "a" / "photo.jpg")), charts())
    compilers = dict(pdf_writer._compilers)
    other = render_pdf(sample_document(image=str(tmp_path / "b" / "photo.jpg")), charts())
    again = render_pdf(sample_document(image=str(tmp_path / "a" / "photo.jpg")), charts())
    render_pdf(sheet_document(), charts())
    assert first == again and first != other
    assert pdf_writer._compilers == compilers


def test_a_prepared_compiler_sets_the_same_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """prepare() starts the very compiler render_pdf then uses, with its faces loaded, and
    changes no byte of the PDF."""
    from khzreport.writers import pdf as pdf_writer

    document = sample_document()
    unprepared = render_pdf(document, charts())
    monkeypatch.setattr(pdf_writer, "_compilers", {})
    monkeypatch.setattr(pdf_writer, "_fonts_found", {})
    pdf_writer.prepare(document)
    (compiler, _lock, _stage), *others = pdf_writer._compilers.values()
    assert not others
    assert render_pdf(document, charts()) == unprepared
    assert list(pdf_writer._compilers.values()) == [(compiler, _lock, _stage)]


def test_a_template_edited_between_pdfs_is_read_again(tmp_path: Path) -> None:
    """The compiler's folder keeps the templates from one PDF to the next: an edited user
    template (the preview running) is written again, and a removed one gives way to ours."""
    import io

    from pypdf import PdfReader

    from khzreport.resources import template_path

    def text(pdf: bytes) -> str:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

    mine = tmp_path / "templates"
    mine.mkdir()
    shipped = (template_path("typst") / "briefing.typ").read_text(encoding="utf-8")
    (mine / "briefing.typ").write_text(shipped, encoding="utf-8")
    document = sample_document()
    plain = render_pdf(document, charts(), template_dir=mine)
    (mine / "briefing.typ").write_text(shipped + "\n#block[EDITEDMARK]\n", encoding="utf-8")
    edited = render_pdf(document, charts(), template_dir=mine)
    assert "EDITEDMARK" not in text(plain) and "EDITEDMARK" in text(edited)
    (mine / "briefing.typ").unlink()
    assert render_pdf(document, charts(), template_dir=mine) == plain


def test_sheet_meets_pdf_ua() -> None:
    pdf = render_pdf(sheet_document(), charts(), pdf_standard="ua-1")
    assert b"pdfuaid:part" in pdf


def test_no_cjk_font_stops_with_font_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from khzreport.charts.fonts import FONT_DIRS_ENV

    monkeypatch.setenv(FONT_DIRS_ENV, str(tmp_path))
    with pytest.raises(FontError, match="Noto Serif CJK SC"):
        render_pdf(sample_document(), charts())
