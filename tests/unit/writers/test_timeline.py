"""Each writer draws a timeline: DOCX table XML, Typst/PDF text, HTML markup, a sheet."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

import khzreport
from khzreport.api import render_sheet, resolve
from khzreport.document import Document, Run, Timeline, TimelineEvent
from khzreport.writers.docx import render_docx
from khzreport.writers.html import render_html
from khzreport.writers.pdf import render_pdf
from tests.support.documents import sample_document
from tests.support.timeline import timeline_source

TIMELINE = Timeline(
    "大事记",
    (
        TimelineEvent("2023年8月22日", (Run("研发总部二期项目封顶仪式举行。"),), "载体建设"),
        TimelineEvent(
            "2023年11月23日",
            (Run("单结组件光电转化效率达到"), Run("18.04%", "pvk_rec1_eff"), Run("。")),
            None,
        ),
    ),
)


def _document() -> Document:
    base = sample_document()
    return replace(base, blocks=(*base.blocks[:3], TIMELINE, *base.blocks[3:]))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_docx_holds_the_events_in_a_timeline_table() -> None:
    data = render_docx(_document(), {})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode()
        styles = z.read("word/styles.xml").decode()
    for style in ("TimelineTable", "TimelineDate", "TimelineText", "TimelineTag"):
        assert f'w:styleId="{style}"' in styles
    table = re.search(r"<w:tbl>(?:(?!</w:tbl>).)*TimelineTable.*?</w:tbl>", body, re.S)
    assert table is not None
    text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", table.group(0)))
    assert "2023年8月22日" in text and "载体建设" in text and "18.04%" in text
    assert table.group(0).count("<w:cantSplit/>") == 2


def test_html_draws_events_with_dates_tags_and_bound_numbers() -> None:
    html = render_html(_document(), {}).decode()
    assert '<section class="timeline" aria-label="大事记">' in html
    assert html.count('<li class="timeline-event">') == 2
    assert '<p class="timeline-date">2023年11月23日</p>' in html
    assert '<span class="timeline-tag">载体建设</span>' in html
    assert '<span class="num" data-indicator="pvk_rec1_eff">18.04%</span>' in html


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no pdftotext")


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@needs_pdftotext
def test_pdf_prints_dates_tags_and_text(tmp_path: Path) -> None:
    text = _flat(_pdf_text(render_pdf(_document(), {}), tmp_path))
    for part in ("大事记", "2023年8月22日", "载体建设", "研发总部二期项目封顶仪式举行", "18.04%"):
        assert part in text


@needs_pdftotext
def test_a_sheet_with_events_stays_on_one_page(tmp_path: Path) -> None:
    report = khzreport.load(timeline_source(tmp_path))
    sheet = resolve(report, park="park_a")
    assert any(isinstance(b, Timeline) for b in sheet.blocks)
    out = render_sheet(report, "park_a", ["pdf", "docx"])
    text = _flat(_pdf_text(out["pdf"], tmp_path))
    assert "大事记" in text and "2023年8月22日" in text and "示范产业园研发大楼封顶" in text
    assert "全区规上工业总产值" not in text  # another event, not the park's
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "out.pdf")], capture_output=True, text=True, check=True
    )
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M)
    with zipfile.ZipFile(io.BytesIO(out["docx"])) as z:
        assert "示范产业园研发大楼封顶" in z.read("word/document.xml").decode()
