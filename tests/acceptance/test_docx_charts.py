"""`khzreport build --docx-charts`: native Word charts by default in the briefing, or pictures."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "kunshan-2023" / "report.yaml"


def build(outdir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "khzreport",
            "build",
            str(EXAMPLE),
            "-o",
            str(outdir),
            "-f",
            "docx",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def charts(docx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(docx) as z:
        return {
            n: z.read(n) for n in z.namelist() if n.startswith(("word/charts/", "word/embeddings/"))
        }


@pytest.mark.slow
def test_briefing_charts_are_native_by_default_and_pictures_on_request(tmp_path: Path) -> None:
    first = build(tmp_path / "native")
    assert first.returncode == 0, first.stderr
    native = charts(tmp_path / "native" / "briefing.docx")
    books = [blob for name, blob in sorted(native.items()) if name.endswith(".xlsx")]
    assert books, "the example's bar charts are native Word charts"
    assert len(books) == len([n for n in native if re.fullmatch(r"word/charts/chart\d+\.xml", n)])
    for blob in books:
        sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
        assert sheet.max_row >= 2 and sheet["A2"].value
    second = build(tmp_path / "again")
    assert (tmp_path / "again" / "briefing.docx").read_bytes() == (
        tmp_path / "native" / "briefing.docx"
    ).read_bytes()
    picture = build(tmp_path / "picture", "--docx-charts", "picture")
    assert picture.returncode == 0, picture.stderr
    assert charts(tmp_path / "picture" / "briefing.docx") == {}
    assert second.returncode == 0


def test_an_unknown_chart_form_is_refused(tmp_path: Path) -> None:
    result = build(tmp_path, "--docx-charts", "vector")
    assert result.returncode == 2
    assert "vector" in result.stderr and "native" in result.stderr
    assert not (tmp_path / "briefing.docx").exists()
