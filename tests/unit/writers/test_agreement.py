"""DOCX, PDF and HTML drawn from one resolved document agree on its layout decisions.

Cards per row and the number of rows of each KPI panel, the table's column order and header
texts, figure and table captions with their numbers: each is read back from the file each
writer produced (Word tables, word positions in the PDF, the HTML markup), not from the
document they were given. A block type no writer knows is reported, located, by all three.
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from khzreport.diagnostics import Diagnostics
from khzreport.document import Document, Figure, KpiPanel, Node, Table
from khzreport.errors import Location
from khzreport.writers import render
from tests.support.documents import grid_document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
BBOX = {"x": "http://www.w3.org/1999/xhtml"}


@dataclass(frozen=True)
class _Drawn:
    """What one format shows of the decisions."""

    card_rows: list[list[str]]
    header: list[str]
    captions: list[str]


@pytest.fixture(scope="module")
def document() -> Document:
    return grid_document()


def _docx(document: Document) -> _Drawn:
    data = render("docx", document, {}, diagnostics=Diagnostics())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = etree.fromstring(z.read("word/document.xml"))

    def text(el: etree._Element) -> str:
        return "".join(el.xpath(".//w:t/text()", namespaces=NS))

    rows = []
    for grid in body.xpath("//w:tbl[w:tblPr/w:tblStyle/@w:val='KpiGrid']", namespaces=NS):
        for tr in grid.xpath("w:tr", namespaces=NS):
            labels = tr.xpath(".//w:p[w:pPr/w:pStyle/@w:val='KpiLabel']", namespaces=NS)
            rows.append([text(p) for p in labels])
    table = body.xpath("//w:tbl[w:tblPr/w:tblStyle/@w:val='DataTable']", namespaces=NS)[0]
    header = [text(tc) for tc in table.xpath("w:tr[1]/w:tc", namespaces=NS)]
    captions = [
        text(p)
        for p in body.xpath(
            "//w:p[w:pPr/w:pStyle/@w:val='Caption' or w:pPr/w:pStyle/@w:val='TableCaption']",
            namespaces=NS,
        )
    ]
    return _Drawn(rows, header, captions)


def _words(pdf: Path) -> list[tuple[int, float, float, str]]:
    """Return (page, y, x, word) of every word of a PDF, from ``pdftotext -bbox``."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True
    ).stdout
    tree = etree.fromstring(out, etree.XMLParser(recover=True))
    words = []
    for number, page in enumerate(tree.iter("{*}page"), start=1):
        for w in page.iter("{*}word"):
            words.append((number, float(w.get("yMin")), float(w.get("xMin")), w.text or ""))
    return words


def _pdf(document: Document, folder: Path) -> _Drawn:
    path = folder / "grid.pdf"
    path.write_bytes(render("pdf", document, {}, diagnostics=Diagnostics()))
    words = _words(path)
    rows: list[list[str]] = []
    last: tuple[int, float] | None = None
    for page, y, _, word in sorted(words):
        if not re.fullmatch(r"(alpha|beta)\d", word):
            continue
        if last is None or last[0] != page or abs(last[1] - y) > 2:
            rows.append([])
        rows[-1].append(word)
        last = (page, y)
    table = next(b for b in document.blocks if isinstance(b, Table))
    found = {w: (p, y, x) for p, y, x, w in words if w in table.header}
    header = sorted(found, key=lambda w: (found[w][0], found[w][2]))
    assert len({found[w][:2] for w in header}) == 1, "header cells on one line"
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    captions = [
        re.sub(r"\s+", " ", m.group(0)).strip() for m in re.finditer(r"(图|表)\s*\d+\s+\S+", text)
    ]
    return _Drawn(rows, header, captions)


def _html(document: Document) -> _Drawn:
    tree = lxml.html.document_fromstring(render("html", document, {}, diagnostics=Diagnostics()))
    rows = []
    for grid in tree.find_class("kpi-grid"):
        per_row = int(re.search(r"--per-row:\s*(\d+)", grid.get("style", "")).group(1))
        labels = [card.find_class("kpi-label")[0].text_content() for card in grid]
        rows += [labels[i : i + per_row] for i in range(0, len(labels), per_row)]
    table = tree.find(".//table")
    header = [th.text_content() for th in table.findall("thead/tr/th")]
    captions = [
        el.text_content()
        for el in tree.xpath(
            "//figcaption/span[@class='caption'] | //caption/span[@class='caption']"
        )
    ]
    return _Drawn(rows, header, captions)


def _expected(document: Document) -> _Drawn:
    rows = []
    for panel in (b for b in document.blocks if isinstance(b, KpiPanel)):
        labels = [c.label for c in panel.cards]
        assert panel.rows == math.ceil(len(labels) / panel.per_row)
        rows += [labels[i : i + panel.per_row] for i in range(0, len(labels), panel.per_row)]
    table = next(b for b in document.blocks if isinstance(b, Table))
    captions = [f"{b.label} {b.caption}" for b in document.blocks if isinstance(b, Figure | Table)]
    return _Drawn(rows, list(table.header), captions)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler)")
def test_formats_agree_on_layout_decisions(document: Document, tmp_path: Path) -> None:
    expected = _expected(document)
    assert [len(r) for r in expected.card_rows] == [3, 3, 3, 3, 2]
    for drawn in (_docx(document), _pdf(document, tmp_path), _html(document)):
        assert drawn.card_rows == expected.card_rows
        assert drawn.header == expected.header
        assert [_squeeze(c) for c in drawn.captions] == [_squeeze(c) for c in expected.captions]


def _squeeze(text: str) -> str:
    """Return text without white space (PDF extraction puts a space between 图 and 1)."""
    return "".join(text.split())


@dataclass(frozen=True)
class Gadget(Node):
    """A block type no writer has a drawing for."""

    note: str


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_unknown_block_is_reported_with_its_location(document: Document, fmt: str) -> None:
    where = Location("report.yaml", 12, 7, "sections[0].blocks[2]")
    doc = dataclasses.replace(
        document, blocks=(*document.blocks[:2], Gadget("备注", origin=where), *document.blocks[2:])
    )
    diagnostics = Diagnostics()
    render(fmt, doc, {}, diagnostics=diagnostics)
    found = [d for d in diagnostics if d.code == "block-not-rendered"]
    assert [(d.message, d.location) for d in found] == [(f"not rendered in {fmt}: gadget", where)]
