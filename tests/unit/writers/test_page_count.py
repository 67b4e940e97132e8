"""The page counter reads Typst's page tree root, and leaves any other PDF to pypdf."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from khzreport.writers.base import page_count
from khzreport.writers.pdf import render_pdf
from tests.support.documents import sample_document, sample_photo
from tests.support.pdf import charts


def pdfinfo_pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    assert match
    return int(match[1])


@pytest.fixture(scope="module")
def briefing(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("count")
    doc = sample_document(image=sample_photo(str(folder)))
    return render_pdf(doc, charts())


def test_a_typst_pdf_is_counted_from_its_page_tree(briefing: bytes, tmp_path: Path) -> None:
    pages = pdfinfo_pages(briefing, tmp_path)
    assert pages >= 3
    assert page_count(briefing) == pages == len(PdfReader(io.BytesIO(briefing)).pages)


def test_other_page_trees_are_counted_by_pypdf(briefing: bytes, tmp_path: Path) -> None:
    # two copies of the briefing's pages under one root: several /Pages nodes
    writer = PdfWriter()
    for _ in range(2):
        writer.append(PdfReader(io.BytesIO(briefing)))
    out = io.BytesIO()
    writer.write(out)
    merged = out.getvalue()
    assert page_count(merged) == pdfinfo_pages(merged, tmp_path) == 2 * page_count(briefing)


def test_a_nested_page_tree_is_counted_whole() -> None:
    # a root with a child tree: the root alone holds the total; the child names its /Parent
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Count 3/Kids[3 0 R 4 0 R]>>",
        b"<</Type/Pages/Parent 2 0 R/Count 2/Kids[5 0 R 6 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>",
        b"<</Type/Page/Parent 3 0 R/MediaBox[0 0 10 10]>>",
        b"<</Type/Page/Parent 3 0 R/MediaBox[0 0 10 10]>>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    assert page_count(bytes(out)) == 3
