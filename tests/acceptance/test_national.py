"""A synthetic national-scale source builds in every format with no warning, and each number
form it uses reaches the PDF as written: growth with two decimals and its kind, fractions and
round figures in words, postfix qualifiers, a qualifier on the verb, a range, English billions
with their significant digits and English counting nouns."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from khzreport.cli import main

SOURCE = Path(__file__).parents[1] / "fixtures" / "national" / "report.yaml"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")

ZH = [
    "同比名义增长6.38%",
    "三分之一",
    "近一半",
    "超万亿元",
    "200余家",
    "80%以上",
    "约占全市的80%",
    "17%～20%",
    "比上年下降3.15%",
    "与上年持平",
    "开发区164家",
]
EN = [
    "RMB 935.74 billion",
    "164 zones",
    "up 6.38% year on year in nominal terms",
    "over RMB 1 trillion",
    "over 200 firms",
    "at least 80%",
    "account for about 80% of the city",
    "one third",
    "nearly one half",
    "17–20%",
    "down 3.15% on the previous year",
]


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    return result.stderr


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


@pytest.mark.parametrize(("language", "forms"), [("zh-CN", ZH), ("en", EN)])
def test_every_form_reaches_the_pdf_with_no_warning(
    tmp_path: Path, language: str, forms: list[str]
) -> None:
    run("lint", str(SOURCE))
    run("build", str(SOURCE), "-o", str(tmp_path), "--language", language, "--strict")
    run("sheets", str(SOURCE), "-o", str(tmp_path / "sheets"), "-j", "1", "--language", language)
    suffix = "-en" if language == "en" else ""
    for fmt in ("docx", "pdf", "html"):
        assert (tmp_path / f"briefing{suffix}.{fmt}").stat().st_size > 0
    assert len(list((tmp_path / "sheets").glob("*.pdf"))) == 3
    text = pdf_text(tmp_path / f"briefing{suffix}.pdf")
    # Typst sets a quarter-em gap between Chinese and Latin characters, which pdftotext reads
    # as a space; Chinese prose has no spaces of its own, English wraps lines.
    gap = " " if language == "en" else ""
    text = re.sub(r"\s+", gap, text)
    for form in forms:
        assert form in text, form
