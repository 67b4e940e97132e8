"""A report on part of a year says so under its title: ``meta.period`` is printed by the
masthead (gov) and the title block (briefing) in DOCX, PDF and HTML, and by a park sheet's
band; a period that only restates the year is not printed twice."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document as DocxDocument

from khzreport import api
from khzreport.document import Cover, Masthead

MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal" / "report.yaml"
PERIOD = "2023年前三季度"
PERIOD_EN = "Q1–Q3 2023"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")


def source(tmp_path: Path, period: str = PERIOD) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    meta = f"  period: {period}\n  period_en: {PERIOD_EN}\n  title_en: Demo zone\n"
    text = text.replace("  date: 2024-01-15\n", f"  date: 2024-01-15\n{meta}", 1)
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in DocxDocument(BytesIO(data)).paragraphs)


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return re.sub(r"[\s\u2060\u200b]+", "", out.stdout.decode("utf-8"))


def html_text(data: bytes) -> str:
    return re.sub(r"<[^>]+>", "", data.decode("utf-8"))


@pytest.mark.parametrize(("theme", "block"), [("briefing", Cover), ("gov", Masthead)])
def test_the_period_stands_under_the_title_in_every_format(
    tmp_path: Path, theme: str, block: type
) -> None:
    report = api.load(source(tmp_path))
    document = api.resolve(report, theme=theme)
    [head] = [b for b in document.blocks if isinstance(b, block)]
    assert head.period == PERIOD
    assert docx_text(api.render(document, "docx", cache=None)).count(PERIOD) >= 1
    assert PERIOD in pdf_text(api.render(document, "pdf", cache=None))
    page = html_text(api.render(document, "html", cache=None))
    assert PERIOD in page.split("目录")[0], "printed in the head of the page"


def test_the_english_period_and_the_sheet_band(tmp_path: Path) -> None:
    report = api.load(source(tmp_path))
    document = api.resolve(report, language="en")
    [cover] = [b for b in document.blocks if isinstance(b, Cover)]
    assert cover.period == PERIOD_EN
    assert PERIOD_EN.replace(" ", "") in pdf_text(api.render(document, "pdf", cache=None))
    park = report.parks[0].id
    sheet = api.render_sheet(report, park, "pdf", cache=None)
    assert PERIOD in pdf_text(sheet)


def test_a_period_that_is_the_year_is_not_printed_again(tmp_path: Path) -> None:
    report = api.load(source(tmp_path, period="2023年"))
    for theme, block in (("briefing", Cover), ("gov", Masthead)):
        document = api.resolve(report, theme=theme)
        [head] = [b for b in document.blocks if isinstance(b, block)]
        assert head.period is None
