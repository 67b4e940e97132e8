"""Story 4: bytes in memory for a web app, from several threads at once, nothing written."""

from __future__ import annotations

import io
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pypdf import PdfReader

import khzreport

SOURCE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"
report = khzreport.load(SOURCE)
park = report.parks[0]


def sheet_pages(figure: int) -> tuple[int, str]:
    variant = report.with_values({"cluster_electronics": figure})
    html = khzreport.render(variant, "html", cache=None).decode("utf-8")
    return figure, html


with tempfile.TemporaryDirectory() as cache:
    pdf = khzreport.render_sheet(report, park.id, "pdf", cache=Path(cache))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pdf.startswith(b"%PDF") and pages == 1  # fitted on one page, as the CLI does
    with ThreadPoolExecutor(8) as pool:
        for figure, html in pool.map(sheet_pages, range(801, 809)):
            assert f"{figure}亿元" in html
print("sheet pages:", pages)
