"""The optional 指标说明 appendix: every indicator with a 口径, after the 落款, in every format."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest

import khzreport
from khzreport.document import Attachments, Heading, PageBreak, Signature, Table, Toc

EXAMPLE = Path(__file__).parents[3] / "examples" / "kunshan-2023" / "report.yaml"


@pytest.fixture(scope="module")
def report() -> khzreport.Report:
    base = khzreport.load(EXAMPLE)
    return base.replace(meta=base.meta.model_copy(update={"definitions_appendix": True}))


def test_off_by_default() -> None:
    document = khzreport.resolve(khzreport.load(EXAMPLE))
    assert not any(
        isinstance(b, Heading) and b.anchor == "sec-definitions" for b in document.blocks
    )


def test_lists_every_defined_indicator_as_the_last_annex(report: khzreport.Report) -> None:
    document = khzreport.resolve(report)
    blocks = list(document.blocks)
    heading = next(b for b in blocks if isinstance(b, Heading) and b.anchor == "sec-definitions")
    at = blocks.index(heading)
    assert isinstance(blocks[at - 1], PageBreak)
    assert heading.number.strip() == "附件" and heading.text == "指标说明"
    table = blocks[at + 1]
    assert isinstance(table, Table) and table.label == "附表1"
    assert table.header == ("指标", "口径")
    defined = [i for i in report.indicators if i.definition]
    assert [row[1] for row in table.rows] == [i.definition for i in defined]
    attachments = next(b for b in blocks if isinstance(b, Attachments))
    assert attachments.items == ("指标说明",)
    assert (
        blocks.index(attachments)
        < blocks.index(next(b for b in blocks if isinstance(b, Signature)))
        < at
    )
    toc = next(b for b in blocks if isinstance(b, Toc))
    assert toc.entries[-1].anchor == "sec-definitions"


def test_english_edition_names_it_in_english(report: khzreport.Report) -> None:
    document = khzreport.resolve(report, language="en")
    heading = next(
        b for b in document.blocks if isinstance(b, Heading) and b.anchor == "sec-definitions"
    )
    assert heading.text == "Notes on the indicators"


def test_every_format_prints_it(report: khzreport.Report, tmp_path: Path) -> None:
    first = next(i for i in report.indicators if i.definition).definition
    assert first is not None
    package = zipfile.ZipFile(io.BytesIO(khzreport.render(report, "docx", cache=None)))
    body = package.read("word/document.xml").decode()
    assert "附表" in body and first in body and "指标说明" in body
    html = khzreport.render(report, "html", cache=None).decode()
    assert 'id="sec-definitions"' in html and first in html
    pdf = tmp_path / "briefing.pdf"
    pdf.write_bytes(khzreport.render(report, "pdf", cache=None))
    text = (
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
        .stdout.replace(" ", "")
        .replace("\n", "")
    )
    assert "指标说明" in text and first.replace(" ", "")[:12] in text
