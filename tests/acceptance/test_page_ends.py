"""The first and the last page as a reader sees them.

Figures and KPI panels float in the PDF, but never above the title or masthead: the first
page opens with the report's title (after the running header, if any) whatever follows it.
The last page of the DOCX, laid out by LibreOffice, carries the closing 版记 (报送/抄送/印发)
at its foot under the last of the text, never alone.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from khzreport import api

ROOT = Path(__file__).parents[2]
NATIONAL = ROOT / "tests" / "fixtures" / "national" / "report.yaml"
EXAMPLE = ROOT / "examples" / "kunshan-2023" / "report.yaml"


def flat(text: str) -> str:
    return re.sub(r"[\s\u2060]+", "", text)


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return text.split("\f")[:-1]


def first_section_opens_with_a_chart(tmp: Path) -> Path:
    """Return the national source without its headline panel and with a chart as the first
    block of its first chapter: a float from the upper half of page 1 (would) rise to its
    top, above the title."""
    source = yaml.safe_load(NATIONAL.read_text(encoding="utf-8"))
    del source["kpis"]
    blocks = source["sections"][0]["blocks"]
    chart = next(b for b in blocks if "chart" in b)
    blocks.remove(chart)
    blocks.insert(0, chart)
    path = tmp / "report.yaml"
    path.write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("variant", ["as-is", "chart-first"])
@pytest.mark.parametrize("preset", ["briefing", "gov", "en"])
def test_nothing_floats_above_the_title(preset: str, variant: str, tmp_path: Path) -> None:
    source = NATIONAL if variant == "as-is" else first_section_opens_with_a_chart(tmp_path)
    language = "en" if preset == "en" else None
    result = api.build(source, tmp_path / "out", formats="pdf", theme=preset, language=language)
    meta = yaml.safe_load(NATIONAL.read_text(encoding="utf-8"))["meta"]
    title = flat(meta["title_en"] if preset == "en" else meta["title"])
    first, *rest = pages(result.outputs[0])
    header = flat(rest[0].strip().splitlines()[0]) if rest else ""
    page = flat(first)
    assert title in page, first
    before = page[: page.rindex(title)]
    assert before in ("", header), f"before the title on page 1: {before}"
