"""Park sheets as a reader gets them: every park of the example is one page in the PDF and
in the DOCX (as LibreOffice lays it out), no sheet is more than a third blank, and the
source line prints once, on a line of its own.

The sheets are built by the CLI. Each page is rendered to a small grey image and the text
area inside the sheet's margins (without the band and the footer) is measured: a row with
any pixel darker than paper white is printed (text, rules, the light fill of a box), and
white bands at least :data:`GAP_MM` high count as blank. The checks read only the outputs,
so they hold for whatever the example's parks say.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from khzreport import api
from khzreport.layouts.sheet import sheet_theme

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"
DPI = 20
PAPER = 250
"""A pixel darker than this is printed matter; the paper is 255."""
GAP_MM = 5.0
"""White bands thinner than this are line and block spacing inside the text, not blank."""
MOST_BLANK = 1 / 3


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=300).stdout


def pages(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(pdf))).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils")
    out = tmp_path_factory.mktemp("sheets")
    result = subprocess.run(
        [sys.executable, "-m", "khzreport", "sheets", str(EXAMPLE), "-o", str(out), "-j", "2"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def parks(built: Path) -> list[str]:
    names = sorted(pdf.stem for pdf in built.glob("*.pdf"))
    assert names == sorted(p.id for p in api.load(EXAMPLE).parks)
    return names


@pytest.fixture(scope="module")
def word(built: Path, parks: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of the sheets' DOCX as LibreOffice lays them out, as PDF."""
    if shutil.which("soffice") is None:
        pytest.skip("needs LibreOffice")
    out = tmp_path_factory.mktemp("word")
    subprocess.run(
        [
            *("soffice", f"-env:UserInstallation=file://{out}/lo", "--headless"),
            *("--convert-to", "pdf", "--outdir", str(out)),
            *(str(built / f"{park}.docx") for park in parks),
        ],
        capture_output=True,
        check=True,
        timeout=600,
    )
    return out


def blank_share(pdf: Path, tmp: Path) -> float:
    """Return the share of the first page's text area that lies in white bands ≥ GAP_MM."""
    page = sheet_theme(api.theme_of(api.load(EXAMPLE))).page
    mm = DPI / 25.4
    stem = tmp / pdf.stem
    run("pdftoppm", "-r", str(DPI), "-gray", "-png", "-f", "1", "-l", "1", str(pdf), str(stem))
    (image,) = tmp.glob(f"{pdf.stem}*.png")
    pixels = np.asarray(Image.open(image).convert("L"))
    height, width = pixels.shape
    area = pixels[
        round(page.margin_top * mm) : height - round(page.margin_bottom * mm),
        round(page.margin_left * mm) : width - round(page.margin_right * mm),
    ]
    printed = [*(area < PAPER).any(axis=1), True]
    blank = band = 0
    for row in printed:
        if row:
            blank += band if band >= GAP_MM * mm else 0
            band = 0
        else:
            band += 1
    return blank / area.shape[0]


def test_every_sheet_is_one_page_in_the_pdf_and_in_word(
    built: Path, parks: list[str], word: Path
) -> None:
    counts = {park: (pages(built / f"{park}.pdf"), pages(word / f"{park}.pdf")) for park in parks}
    assert {park: n for park, n in counts.items() if n != (1, 1)} == {}


def test_no_sheet_is_more_than_a_third_blank(
    built: Path, parks: list[str], word: Path, tmp_path: Path
) -> None:
    (tmp_path / "pdf").mkdir()
    (tmp_path / "word").mkdir()
    shares = {
        park: (
            round(blank_share(built / f"{park}.pdf", tmp_path / "pdf"), 2),
            round(blank_share(word / f"{park}.pdf", tmp_path / "word"), 2),
        )
        for park in parks
    }
    assert {p: s for p, s in shares.items() if max(s) > MOST_BLANK} == {}


def test_the_source_line_prints_once_on_a_line_of_its_own(
    built: Path, parks: list[str], word: Path
) -> None:
    report = api.load(EXAMPLE)
    for park in parks:
        sheet = api.resolve(report, park=park)
        note = sheet.meta.footer_note
        for pdf in (built / f"{park}.pdf", word / f"{park}.pdf"):
            text = run("pdftotext", "-layout", str(pdf), "-")
            lines = [line.strip() for line in text.splitlines() if "资料来源" in line]
            assert lines == ([note] if note else []), pdf
            dated = [line for line in text.splitlines() if sheet.meta.author in line]
            assert any(
                re.sub(r"\s", "", sheet.meta.date_text) in re.sub(r"\s", "", line) for line in dated
            ), pdf
