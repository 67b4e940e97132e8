"""Long strings wrap or are shortened, with a located warning, and never run off the page:
a 5000-character word in a paragraph, a long address, a long table cell and long KPI labels,
in the PDF, the DOCX and the HTML."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from khzreport import api
from khzreport.document import KpiPanel
from khzreport.resolver.breaks import BREAK_EVERY, KPI_LABEL_EMS, ZWSP, ems

MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal" / "report.yaml"
WORD = "A" * 5000
ADDRESS = "https://example.org/" + "x" * 600
LATIN_LABEL = "B" * 400
CHINESE_LABEL = "高新技术企业" + "很长的指标名称" * 40

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")


def long_source(tmp_path: Path) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace(
        "    label: 规上工业总产值\n", f"    label: 规上工业总产值{LATIN_LABEL}\n", 1
    )
    text = text.replace("    label: 高新技术企业\n", f"    label: {CHINESE_LABEL}\n", 1)
    text = text.replace(
        "      - kpi: [output, firms, rank]\n",
        "      - kpi: [output, firms, rank]\n"
        f"      - paragraph: {WORD}\n"
        f"      - paragraph: 见{ADDRESS}。\n"
        "      - table:\n"
        "          title: 主要指标\n"
        "          rows: [output, firms]\n"
        "          columns: [label, value]\n",
    )
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def widest_word(pdf: Path) -> tuple[float, float]:
    """Return the page width and the right edge of the rightmost word on any page."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    width = float(re.search(r'<page width="([0-9.]+)"', out)[1])  # type: ignore[index]
    right = max(
        float(x) for x in re.findall(r'<word xMin="[0-9.]+" yMin="[0-9.]+" xMax="([0-9.]+)"', out)
    )
    return width, right


def test_long_strings_are_broken_or_shortened_with_located_warnings(tmp_path: Path) -> None:
    source = long_source(tmp_path)
    result = api.build(source, tmp_path / "out")
    found = {(d.code, d.location.line if d.location else None) for d in result.diagnostics}
    lines = source.read_text(encoding="utf-8").splitlines()

    def line_of(text: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if text in line)

    assert ("long-word-broken", line_of(WORD)) in found
    assert ("long-word-broken", line_of(ADDRESS)) in found
    assert ("long-word-broken", line_of("- table:") + 1) in found  # the table's mapping
    assert ("kpi-label-shortened", line_of(LATIN_LABEL)) in found
    assert ("kpi-label-shortened", line_of(CHINESE_LABEL)) in found
    document = api.resolve(api.load(source))
    [panel] = [b for b in document.blocks if isinstance(b, KpiPanel)]
    assert all(ems(card.label) <= KPI_LABEL_EMS for card in panel.cards)
    assert panel.cards[0].label.endswith("…")


def test_nothing_runs_off_the_page_in_any_format(tmp_path: Path) -> None:
    out = tmp_path / "out"
    api.build(long_source(tmp_path), out)
    width, right = widest_word(out / "briefing.pdf")
    assert right < width - 30, "a word reaches into the right margin of the PDF"
    # DOCX and HTML carry the break opportunities: no run of more than BREAK_EVERY unbroken
    # letters is left for Word, LibreOffice or a browser to push past the edge.
    # (Alt texts, which are not set on the page, are left as they are.)
    xml = zipfile.ZipFile(out / "briefing.docx").read("word/document.xml").decode("utf-8")
    xml = "\n".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    page = (out / "briefing.html").read_text(encoding="utf-8")
    page = re.sub(r"<[^>]*>", "\n", page.split("<body", 1)[1])
    for text in (xml, page):
        assert ZWSP in text
        assert not re.search(f"[AB]{{{BREAK_EVERY + 1}}}", text)
        assert "x" * (BREAK_EVERY + 1) not in text
    assert re.sub(ZWSP, "", xml).count(WORD) == 1, "the word itself is kept whole"
    soffice = shutil.which("soffice")
    if soffice:  # the DOCX as LibreOffice sets it
        subprocess.run(
            [
                *(soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless"),
                *("--convert-to", "pdf", "--outdir", str(tmp_path / "docx")),
                str(out / "briefing.docx"),
            ],
            capture_output=True,
            check=True,
            timeout=180,
        )
        width, right = widest_word(tmp_path / "docx" / "briefing.pdf")
        assert right < width - 30, "a word reaches into the right margin of the DOCX"


@pytest.mark.parametrize(
    ("field", "value", "language"),
    [
        ("label", "很" * 6000, "zh-CN"),
        ("label", "word " * 2000, "zh-CN"),
        ("unit_en", "firms " * 2000, "en"),
    ],
)
def test_a_table_cell_taller_than_a_page_is_shortened(
    tmp_path: Path, field: str, value: str, language: str
) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace(
        "    value: 820\n",
        f"    value: 820\n    {field}: {value}\n" if field == "unit_en" else "    value: 820\n",
        1,
    )
    if field == "label":
        text = text.replace("    label: 高新技术企业\n", f"    label: {value}\n", 1)
    text = text.replace(
        "      - kpi: [output, firms, rank]\n",
        "      - table:\n          title: 主要指标\n          rows: [output, firms]\n",
    )
    source = tmp_path / "report.yaml"
    source.write_text(text, encoding="utf-8")
    result = api.build(source, tmp_path / "out", language=language)
    assert "table-cell-shortened" in {d.code for d in result.diagnostics}
    assert (tmp_path / "out" / f"briefing{'-en' if language == 'en' else ''}.pdf").stat().st_size


def test_a_long_word_in_a_heading_is_reported_once_at_its_section(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("    title: 经济运行\n", "    title: 经济运行" + "A" * 300 + "\n", 1)
    source = tmp_path / "report.yaml"
    source.write_text(text, encoding="utf-8")
    document = api.resolve(api.load(source))
    found = [d for d in document.diagnostics if d.code == "long-word-broken"]
    assert [(d.location.path if d.location else None) for d in found] == ["sections[0]"]


def test_a_long_word_on_a_park_sheet_is_reported_at_the_park(tmp_path: Path) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace(
        "    kind: 产业园\n", "    kind: 产业园\n    positioning: 定位" + "A" * 300 + "\n"
    )
    source = tmp_path / "report.yaml"
    source.write_text(text, encoding="utf-8")
    document = api.resolve(api.load(source), park="park_a")
    found = [d for d in document.diagnostics if d.code == "long-word-broken"]
    assert [(d.location.path if d.location else None) for d in found] == ["parks[0]"]
    pdf = tmp_path / "park_a.pdf"
    pdf.write_bytes(api.render_sheet(api.load(source), "park_a", "pdf", cache=None))
    width, right = widest_word(pdf)
    assert right < width - 20
