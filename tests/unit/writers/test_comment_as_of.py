"""An editor's ``comment`` never prints; an indicator's ``as_of`` prints in every format."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from khzreport import api

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"

COMMENT = "编辑核对甲乙丙"
"""A working note no format may print (characters the rest of the fixture never uses)."""

EXTRA = f"""\
  - id: stock
    label: 入驻企业
    value: 96
    unit: 家
    as_of: 截至目前
    as_of_en: to date
    comment: {COMMENT}（指标）
  - id: dated
    label: 有效发明专利
    value: 5654
    unit: 件
    as_of: 2023-12-31
"""

BLOCKS = f"""\
      - paragraph: |-
          入驻企业{{{{ ind.stock }}}}（{{{{ ind.stock | as_of }}}}）。
        paragraph_en: >-
          {{{{ ind.stock }}}} ({{{{ ind.stock | as_of }}}}).
        comment: {COMMENT}（段落）
      - table:
          title: 存量指标
          rows: [stock, dated, firms]
          columns: [label, value, period, note]
          comment: {COMMENT}（表格）
"""


def source(tmp_path: Path) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("charts:\n", EXTRA + "charts:\n", 1)
    text = text.replace("      - kpi: [output, firms, rank]\n", BLOCKS, 1)
    text = text.replace(
        "    subtitle: 稳中有进\n", f"    subtitle: 稳中有进\n    comment: {COMMENT}（章）\n"
    )
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def texts(tmp_path: Path, language: str = "zh-CN") -> dict[str, str]:
    """Return the text a reader gets of each format: DOCX XML text, PDF text, HTML."""
    result = api.build(source(tmp_path), tmp_path / language, language=language)
    out = {p.suffix: p.read_bytes() for p in result.outputs}
    with zipfile.ZipFile(io.BytesIO(out[".docx"])) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    docx = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)) + xml
    pypdf = pytest.importorskip("pypdf")
    pdf = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(out[".pdf"])).pages)
    return {
        "docx": docx,
        "pdf": pdf.replace(" ", "").replace("\n", ""),
        "html": out[".html"].decode(),
    }


def test_a_comment_reaches_no_format_and_as_of_prints_in_all(tmp_path: Path) -> None:
    for name, text in texts(tmp_path).items():
        assert COMMENT not in text, name
        assert "编辑核对" not in text, name
        assert "截至目前" in text, name  # the table's 时间 cell and the prose
        assert "2023年12月31日" in text, name  # a date as_of prints as a date
    report = api.load(source(tmp_path))
    assert report.indicator("stock").comment == f"{COMMENT}（指标）"


def test_the_time_column_prints_as_of_and_invents_nothing(tmp_path: Path) -> None:
    from khzreport.document import Table

    document = api.resolve(api.load(source(tmp_path)))
    [table] = [b for b in document.blocks if isinstance(b, Table)]
    times = {row[0]: row[2] for row in table.rows}
    assert times == {"入驻企业": "截至目前", "有效发明专利": "2023年12月31日", "高新技术企业": ""}


def test_english_prints_as_of_en(tmp_path: Path) -> None:
    text = texts(tmp_path, "en")["html"]
    assert "to date" in text and COMMENT not in text
