"""The example's 大事记: every event the annual review dates, in the PDF and on park sheets."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import khzreport
from khzreport.api import render_sheet

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "kunshan-2023" / "report.yaml"
EVENTS = (
    ("2023年8月22日", "研发总部二期项目（昆山工业技术研究院四期EPC工程）封顶仪式举行"),
    ("2023年10月23日", "项目荣获科技进步奖一等奖"),
    ("2023年11月23日", "1000mm×2000mm钙钛矿单结组件光电转化效率刷新世界纪录"),
    ("2023年11月30日", "279mm×370mm的钙钛矿叠层组件效率再创新的世界纪录"),
    ("2023年12月14日", "369mm×555mm钙钛矿叠层组件光电转换效率再破世界纪录"),
)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no pdftotext")


def _text(pdf: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s+", "", out.stdout)


def test_briefing_pdf_holds_every_event(tmp_path: Path) -> None:
    khzreport.build(EXAMPLE, tmp_path, formats=["pdf"])
    text = _text((tmp_path / "briefing.pdf").read_bytes(), tmp_path, "copy")
    assert "年度大事记" in text
    for date, words in EVENTS:
        assert date in text and words in text


def test_gcl_sheet_shows_its_three_records_on_one_page(tmp_path: Path) -> None:
    report = khzreport.load(EXAMPLE)
    pdf = render_sheet(report, "gcl_optoelectronic", ["pdf"], narrative_limit=120)["pdf"]
    text = _text(pdf, tmp_path, "gcl")
    assert "大事记" in text
    for date, words in EVENTS[2:]:
        assert date in text and words in text
    assert EVENTS[0][0] not in text
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "gcl.pdf")], capture_output=True, text=True, check=True
    )
    assert re.search(r"^Pages:\s+1$", info.stdout, re.M)
