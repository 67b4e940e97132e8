"""Pages are composed, not filled: the example briefing as a reader sees its pages.

The PDF and the DOCX (through LibreOffice) are rendered to small grey images and the text
area of each page (inside the theme's margins, so without running header and footer) is
measured: no page but a chapter's last or the document's last may be more than a quarter
blank. Tables keep their rows whole and start with two rows; a figure bound to an
indicator (近140亿元, 91项) is printed on one line. The checks read only the outputs and
the resolved document, so they hold for any content the example is given.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from lxml import etree
from PIL import Image

from khzreport import api
from khzreport.document import Document, Heading, Paragraph, Table
from khzreport.theme import Theme

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

DPI = 20
INK = 240
"""A pixel darker than this is printed matter (text, rules, the light fill of a box)."""
GAP_MM = 15
"""Only white bands at least this high count as blank: line and block spacing do not,
a page foot left empty or the white above the bars of a chart's plot do not add up."""
MOST_BLANK = 0.25
"""The most of a page's text area that may be blank, but on a chapter's or the document's
last page. Word cannot float a figure past the text after it (the DOCX keeps figures in
the text's order, each with its caption), so in the DOCX a page may also end blank where
the block starting the next page did not fit into what was left (see ``overfull_pages``);
LibreOffice, which lays the DOCX out here, sets it in substitute fonts of other metrics
than Word's, so where its pages break differs from Word's and the PDF's."""


def flat(text: str) -> str:
    return re.sub(r"[\s\u2060]+", "", text)


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=300).stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("composition")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "khzreport",
            "build",
            str(EXAMPLE),
            "-o",
            str(out),
            "-f",
            "pdf,docx",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def word_pdf(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the DOCX as LibreOffice lays it out, converted to PDF."""
    if shutil.which("soffice") is None:
        pytest.skip("needs LibreOffice")
    out = tmp_path_factory.mktemp("word")
    subprocess.run(
        [
            *("soffice", f"-env:UserInstallation=file://{out}/lo", "--headless"),
            *("--convert-to", "pdf", "--outdir", str(out), str(built / "briefing.docx")),
        ],
        capture_output=True,
        check=True,
        timeout=240,
    )
    return out / "briefing.pdf"


@pytest.fixture(scope="module")
def document() -> Document:
    return api.resolve(api.load(EXAMPLE))


@pytest.fixture(scope="module")
def theme() -> Theme:
    return api.theme_of(api.load(EXAMPLE))


@dataclasses.dataclass(frozen=True)
class PageProfile:
    """How a page's text area is filled, as shares of its height: ``blank`` in white bands
    ≥ GAP_MM, ``foot`` in the white band at its foot."""

    blank: float
    foot: float


def profiles(pdf: Path, theme: Theme, tmp: Path) -> list[PageProfile]:
    """Return the profile of every page of ``pdf``, rendered small and grey."""
    page = theme.page
    mm = DPI / 25.4
    run("pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(tmp / "page"))
    out = []
    for image in sorted(tmp.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
        pixels = np.asarray(Image.open(image).convert("L"))
        height, width = pixels.shape
        area = pixels[
            round(page.margin_top * mm) : height - round(page.margin_bottom * mm),
            round(page.margin_left * mm) : width - round(page.margin_right * mm),
        ]
        inked = [bool(row) for row in (area < INK).any(axis=1)]
        bands: list[tuple[bool, int]] = []  # (inked, rows) runs from the top
        for row in inked:
            if bands and bands[-1][0] == row:
                bands[-1] = (row, bands[-1][1] + 1)
            else:
                bands.append((row, 1))
        wide = GAP_MM * mm
        blank = sum(n for ink, n in bands if not ink and n >= wide)
        foot = bands[-1][1] if bands and not bands[-1][0] else 0
        out.append(PageProfile(blank / len(inked), foot / len(inked)))
    return out


def blank_shares(pdf: Path, theme: Theme, tmp: Path) -> list[float]:
    """Return, per page, the share of the text area's height in white bands ≥ GAP_MM."""
    return [p.blank for p in profiles(pdf, theme, tmp)]


def page_texts(pdf: Path, theme: Theme | None = None, *flags: str) -> list[str]:
    """Return each page's text; with ``theme`` only of its text area (no header or footer).

    ``-raw`` (in ``flags``) keeps the text in the order it was drawn: a table cell's lines
    together rather than interleaved with the cells beside it."""
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf)))[1])  # type: ignore[index]
    texts = []
    for n in range(1, pages + 1):
        crop: list[str] = []
        if theme is not None:
            pt = 72 / 25.4
            p = theme.page
            crop = ["-x", "0", "-y", str(round(p.margin_top * pt)), "-W", "10000"]
            crop += ["-H", str(round((p.height_mm - p.margin_top - p.margin_bottom) * pt))]
        texts.append(run("pdftotext", *flags, "-f", str(n), "-l", str(n), *crop, str(pdf), "-"))
    return texts


def chapter_openings(texts: list[str], document: Document) -> set[int]:
    """Return the (1-based) pages on which a chapter's title stands on a line of its own."""
    titles = {
        flat(b.number + b.text) for b in document.blocks if isinstance(b, Heading) and b.level == 1
    }
    return {
        n
        for n, text in enumerate(texts, 1)
        if any(flat(line) in titles for line in text.splitlines())
    }


def overfull_pages(
    pdf: Path, theme: Theme, document: Document, tmp: Path, *, pushed: bool = False
) -> dict[int, str]:
    """Return the pages more than MOST_BLANK blank that neither end a chapter nor the
    document, with their blank share.

    With ``pushed`` a page may also end blank where the next page starts with something
    moved there whole (a figure with its caption, a panel, a table's first rows, a title
    kept with them: Word cannot float a figure) rather than with running text, which
    would have filled the foot, as long as the rest of the page is filled."""
    pages = profiles(pdf, theme, tmp)
    texts = page_texts(pdf, theme)
    openings = chapter_openings(texts, document)
    exempt = {len(pages)} | {n - 1 for n in openings}
    prose = [flat(b.text) for b in document.blocks if isinstance(b, Paragraph)]
    found = {}
    for n, page in enumerate(pages, 1):
        if page.blank <= MOST_BLANK or n in exempt:
            continue
        moved_whole = n < len(pages) and not starts_with_prose(texts[n], prose)
        if pushed and moved_whole and page.blank - page.foot <= MOST_BLANK:
            continue
        found[n] = f"{page.blank:.0%}"
    return found


def starts_with_prose(text: str, prose: list[str]) -> bool:
    """Return whether a page's first line is a line of a paragraph (not of a figure, panel,
    table or title): a whole line of running text, found in one of the paragraphs."""
    for line in text.splitlines():
        if flat(line):
            return len(flat(line)) >= 8 and any(flat(line) in p for p in prose)
    return False


@pytest.mark.realclient
@pytest.mark.parametrize("preset", ["gov"])
def test_other_presets_compose_their_pages(preset: str, tmp_path: Path) -> None:
    """The same rules in another preset's page, fonts and sizes (gov: GB/T 9704's 版心)."""
    if shutil.which("soffice") is None:
        pytest.skip("needs LibreOffice")
    report = api.load(EXAMPLE).replace(theme=preset)
    theme, document = api.theme_of(report), api.resolve(report)
    (tmp_path / "pdf.pdf").write_bytes(api.render(report, "pdf"))
    (tmp_path / "word.docx").write_bytes(api.render(report, "docx"))
    subprocess.run(
        [
            *("soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless"),
            *("--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "word.docx")),
        ],
        capture_output=True,
        check=True,
        timeout=240,
    )
    for name, pushed in (("pdf", False), ("word", True)):
        images = tmp_path / name
        images.mkdir()
        found = overfull_pages(tmp_path / f"{name}.pdf", theme, document, images, pushed=pushed)
        assert found == {}, name


@pytest.mark.realclient
def test_no_pdf_page_is_left_a_quarter_blank(
    built: Path, theme: Theme, document: Document, tmp_path: Path
) -> None:
    assert overfull_pages(built / "briefing.pdf", theme, document, tmp_path) == {}


@pytest.mark.realclient
def test_no_word_page_is_left_blank(
    word_pdf: Path, theme: Theme, document: Document, tmp_path: Path
) -> None:
    assert overfull_pages(word_pdf, theme, document, tmp_path, pushed=True) == {}


def test_blank_share_finds_a_blank_page_foot(tmp_path: Path, theme: Theme) -> None:
    """The measure itself: print on the upper 60 % of the text area, nothing below it."""
    import typst

    page = theme.page
    high = page.height_mm - page.margin_top - page.margin_bottom
    (tmp_path / "foot.typ").write_text(
        f'#set page(paper: "a4", margin: (top: {page.margin_top}mm, bottom: '
        f"{page.margin_bottom}mm, left: {page.margin_left}mm, right: {page.margin_right}mm))\n"
        f"#rect(width: 100%, height: {high * 0.6}mm, fill: gray)\n",
        encoding="utf-8",
    )
    (tmp_path / "foot.pdf").write_bytes(typst.compile(str(tmp_path / "foot.typ")))
    (share,) = blank_shares(tmp_path / "foot.pdf", theme, tmp_path)
    assert 0.37 < share < 0.42


def tables(document: Document) -> list[Table]:
    return [b for b in document.blocks if isinstance(b, Table)]


def long_cells(row: tuple[str, ...]) -> list[str]:
    """The cells of a row long enough to wrap (a split row shows as one of them broken)."""
    return [flat(c) for c in row if len(flat(c)) >= 6]


@pytest.mark.realclient
@pytest.mark.parametrize("edition", ["pdf", "word"])
def test_table_rows_stay_whole_and_tables_start_with_two_rows(
    edition: str, built: Path, word_pdf: Path, document: Document
) -> None:
    pdf = built / "briefing.pdf" if edition == "pdf" else word_pdf
    pages = [flat(t) for t in page_texts(pdf, None, "-raw")]
    assert len(pages) > 3
    for table in tables(document):
        for row in table.rows:
            for cell in long_cells(row):
                assert any(cell in page for page in pages), f"{table.label}: row split: {cell}"
        if edition == "word":
            # LibreOffice does not keep table rows with the next (Word does): what the DOCX
            # asks for is checked in its XML below, not in LibreOffice's pages.
            continue
        caption = flat(table.label + table.caption)
        start = next(n for n, page in enumerate(pages) if caption in page)
        for row in table.rows[:2]:
            for cell in long_cells(row):
                assert cell in pages[start], f"{table.label} starts without its row {cell}"


@pytest.mark.realclient
@pytest.mark.parametrize("edition", ["pdf", "word"])
def test_a_figure_and_its_unit_share_a_line(
    edition: str, built: Path, word_pdf: Path, document: Document
) -> None:
    pdf = built / "briefing.pdf" if edition == "pdf" else word_pdf
    lines = {flat(line) for text in page_texts(pdf) for line in text.splitlines()}
    text = "\n".join(lines)
    figures = {
        flat(r.text)
        for b in document.blocks
        if isinstance(b, Paragraph)
        for r in b.runs
        if r.indicator and re.search(r"\d", r.text) and not re.fullmatch(r"[\d.]+", r.text)
    }
    assert figures
    broken = sorted(f for f in figures if f not in text)
    assert broken == []


def docx_part(built: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(built / "briefing.docx") as z:
        return etree.fromstring(z.read(name))


def test_word_keeps_rows_panels_captions_and_the_signature(built: Path) -> None:
    body = docx_part(built, "word/document.xml")
    styles = docx_part(built, "word/styles.xml")

    def style_keeps(style: str) -> bool:
        """Whether the style, or one it is based on, keeps with the next paragraph."""
        found = styles.xpath(f"w:style[@w:styleId='{style}']", namespaces=NS)
        if not found:
            return False
        if found[0].xpath("w:pPr/w:keepNext", namespaces=NS):
            return True
        parent = found[0].xpath("string(w:basedOn/@w:val)", namespaces=NS)
        return bool(parent) and style_keeps(parent)

    def keeps(p: etree._Element) -> bool:
        return bool(p.xpath("w:pPr/w:keepNext", namespaces=NS)) or style_keeps(
            p.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS)
        )

    data = body.xpath("//w:tbl[w:tblPr/w:tblStyle/@w:val='DataTable']", namespaces=NS)
    assert data
    for table in data:
        rows = table.xpath("w:tr", namespaces=NS)
        assert all(r.xpath("w:trPr/w:cantSplit", namespaces=NS) for r in rows)
        assert rows[0].xpath("w:trPr/w:tblHeader", namespaces=NS)
        if len(rows) > 2:  # header and first row keep with the second row
            assert all(keeps(p) for r in rows[:2] for p in r.xpath(".//w:p", namespaces=NS))
        caption = table.getprevious()
        while caption.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS) == "UnitLine":
            caption = caption.getprevious()
        assert keeps(caption)
    for grid in body.xpath("//w:tbl[w:tblPr/w:tblStyle/@w:val='KpiGrid']", namespaces=NS):
        assert grid.xpath("w:tr/w:trPr/w:cantSplit", namespaces=NS)
        if grid.getparent().tag == f"{{{W}}}tc":  # a panel of rows in one unsplittable row
            assert grid.getparent().getparent().xpath("w:trPr/w:cantSplit", namespaces=NS)
        else:  # a one-row panel: no second row follows outside a frame
            after = grid.getnext()
            while after is not None and "PanelGap" in after.xpath(
                "string(w:pPr/w:pStyle/@w:val)", namespaces=NS
            ):
                after = after.getnext()
            assert after is None or "KpiGrid" not in after.xpath(
                "string(w:tblPr/w:tblStyle/@w:val)", namespaces=NS
            )
    assert style_keeps("Figure") and style_keeps("TableCaption")
    for caption in body.xpath("//w:p[w:pPr/w:pStyle/@w:val='Caption']", namespaces=NS):
        after = caption.getnext()  # a figure's caption keeps with its notes, not beyond them
        noted = (
            after is not None
            and after.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS) == "SourceNote"
        )
        assert keeps(caption) == noted, caption.xpath("string(.)")
    for art in body.xpath("//w:p[w:pPr/w:pStyle/@w:val='Figure']", namespaces=NS):
        held = art  # the chart, its notes and its caption keep together
        while held.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS) != "Caption":
            assert keeps(held), held.xpath("string(.)")
            held = held.getnext()
    for signature in body.xpath("//w:p[w:pPr/w:pStyle/@w:val='Signature']", namespaces=NS):
        before = signature.getprevious()
        last = (
            before.xpath("w:tr[last()]//w:p", namespaces=NS)
            if before.tag == f"{{{W}}}tbl"
            else [before]
        )
        assert keeps(signature) and all(keeps(p) for p in last)
