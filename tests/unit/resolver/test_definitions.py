"""An indicator's 口径 (``definition``) prints as a table column and as a note under a table or chart."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from khzreport import api
from khzreport.document import Document, Figure, Table
from khzreport.writers.docx import render_docx
from khzreport.writers.html import render_html
from khzreport.writers.pdf import render_pdf

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"
DEFINITION = "    definition: 年主营业务收入2000万元及以上的工业企业的总产值。\n"
TABLE = """\
      - table:
          title: 主要指标
          rows: [output, firms]
          columns: [label, value, definition]
          definitions: true
"""


def build(tmp_path: Path, chart_note: bool = True) -> Document:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("    unit: 亿元\n    qualifier: 超\n", "    unit: 亿元\n    qualifier: 超\n" + DEFINITION, 1)
    text = text.replace("      - kpi: [output, firms, rank]\n", "      - kpi: [output, firms, rank]\n" + TABLE)
    if chart_note:
        text = text.replace("    indicators: [output]\n    unit: 亿元\n", "    indicators: [output]\n    unit: 亿元\n    definitions: true\n")
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return api.resolve(api.load(path))


NOTE = "注：规上工业总产值：年主营业务收入2000万元及以上的工业企业的总产值。"


def test_definition_column_and_notes(tmp_path: Path) -> None:
    document = build(tmp_path)
    [table] = [b for b in document.blocks if isinstance(b, Table)]
    assert table.header == ("指标", "数值", "口径")
    assert [row[2] for row in table.rows] == ["年主营业务收入2000万元及以上的工业企业的总产值。", ""]
    assert table.note == NOTE
    [figure] = [b for b in document.blocks if isinstance(b, Figure)]
    assert figure.note == NOTE


def test_no_note_unless_asked(tmp_path: Path) -> None:
    [figure] = [b for b in build(tmp_path, chart_note=False).blocks if isinstance(b, Figure)]
    assert figure.note is None


def test_every_format_prints_the_note(tmp_path: Path) -> None:
    document = build(tmp_path)
    with zipfile.ZipFile(io.BytesIO(render_docx(document, {}))) as z:
        assert z.read("word/document.xml").decode().count(NOTE) == 2
    assert render_html(document, {}).decode().count(NOTE) == 2
    pypdf = pytest.importorskip("pypdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(render_pdf(document, {}))).pages)
    assert text.replace(" ", "").replace("\n", "").count("注：规上工业总产值") == 2
