"""A draft carries 征求意见稿 / DRAFT across every page; a final build never does. 密级 marks."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from khzreport import api

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"
CHAPTER = """\
  - id: more
    title: 第二章
    blocks:
      - paragraph: 第二章正文。
"""


def source(tmp_path: Path, meta: str = "") -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("  date: 2024-01-15\n", "  date: 2024-01-15\n" + meta, 1)
    text = text.replace("parks:\n", CHAPTER.replace("  - id: more", "  - id: more") + "parks:\n")
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def outputs(tmp_path: Path, meta: str = "", **options: object) -> dict[str, bytes]:
    result = api.build(source(tmp_path, meta), tmp_path / "out", **options)
    return {p.suffix: p.read_bytes() for p in result.outputs}


def headers(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/header"))


def pdf_pages(pdf: bytes) -> list[str]:
    pypdf = pytest.importorskip("pypdf")
    return [p.extract_text().replace(" ", "") for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_a_draft_build_carries_the_watermark_in_every_format(tmp_path: Path) -> None:
    out = outputs(tmp_path, draft=True)
    assert headers(out[".docx"]).count('string="征求意见稿"') == 2  # first page and the others
    assert 'class="watermark" aria-hidden="true">征求意见稿<' in out[".html"].decode()
    pages = pdf_pages(out[".pdf"])
    assert len(pages) >= 2 and all("征求意见稿" in page for page in pages)


def test_a_final_build_does_not(tmp_path: Path) -> None:
    out = outputs(tmp_path)
    assert "textpath" not in headers(out[".docx"])
    assert "watermark" not in out[".html"].decode().split("</style>")[1]
    assert not any("征求意见稿" in page for page in pdf_pages(out[".pdf"]))


def test_the_source_can_ask_for_a_draft_and_english_says_draft(tmp_path: Path) -> None:
    out = outputs(tmp_path, "  draft: true\n", formats="docx,pdf", language="en")
    assert 'string="DRAFT"' in headers(out[".docx"])
    assert all("DRAFT" in page for page in pdf_pages(out[".pdf"]))


def test_a_marking_opens_the_first_page(tmp_path: Path) -> None:
    out = outputs(tmp_path, "  marking: 内部资料 注意保密\n")
    with zipfile.ZipFile(io.BytesIO(out[".docx"])) as z:
        body = z.read("word/document.xml").decode()
    first = body.index("<w:body>")
    assert body.index('<w:pStyle w:val="Marking"/>', first) < body.index("<w:t>示范高新区", first)
    assert '<p class="marking">内部资料 注意保密</p>' in out[".html"].decode()
    pages = pdf_pages(out[".pdf"])
    assert pages[0].startswith("内部资料注意保密") and "内部资料" not in pages[1]


def test_characters_xml_cannot_hold_in_the_page_furniture_are_reported(tmp_path: Path) -> None:
    # the count of removed characters was reset at the first block, so what the page
    # header, the footer note and the marking lost was never told
    from dataclasses import replace

    from khzreport.diagnostics import Diagnostics
    from khzreport.writers.docx import render_docx

    document = api.resolve(api.load(source(tmp_path)))
    meta = replace(
        document.meta, running_header="页眉\x01", footer_note="脚注\x02\x03", marking="秘密\x04"
    )
    found = Diagnostics(logs=False)
    docx = render_docx(replace(document, meta=meta), {}, diagnostics=found)
    removed = [d.message for d in found if d.code == "characters-removed"]
    assert len(removed) == 1, removed  # each header part counts the header's character
    assert removed[0].startswith("docx: removed ") and removed[0].endswith(
        "that XML cannot hold (control characters, U+FFFE/U+FFFF or lone surrogates) "
        "from page headers, footers and marking"
    )
    assert "页眉" in headers(docx) and "\x01" not in headers(docx)
