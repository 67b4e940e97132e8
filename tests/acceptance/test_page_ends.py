"""The first and the last page as a reader sees them.

Figures and KPI panels float in the PDF, but never above the title or masthead: the first
page opens with the report's title (after the running header, if any) whatever follows it.
The last page of the DOCX, laid out by LibreOffice, carries the closing 版记 (报送/抄送/印发)
at its foot under the last of the text, never alone.
"""

from __future__ import annotations

import re
import shutil
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


CLOSING_SENTENCE = (
    "开发区坚持创新驱动发展战略，持续优化营商环境，推动产业结构调整和转型升级取得新成效。"
)


def closing_source(tmp: Path, sentences: int) -> Path:
    """Return the national source with a 落款, a 版记 and a closing chapter of ``sentences``
    more sentences: its end moves down the last page as the count grows."""
    source = yaml.safe_load(NATIONAL.read_text(encoding="utf-8"))
    source["meta"]["signature"] = {"organ": "示例编写组"}
    source["meta"]["distribution"] = {
        "submit_to": ["示例上级机关"],
        "copy_to": ["各开发区"],
        "printed_by": "示例编写组办公室",
        "printed_date": "2024-03-01",
    }
    paragraphs = [CLOSING_SENTENCE * 5] * (sentences // 4) + [
        CLOSING_SENTENCE * (sentences % 4 + 1)
    ]
    source["sections"].append(
        {"id": "closing", "title": "展望", "blocks": [{"paragraph": p} for p in paragraphs]}
    )
    path = tmp / "report.yaml"
    path.write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    return path


def word_pdf(docx: Path, tmp: Path) -> Path:
    """Return ``docx`` laid out by LibreOffice, as a reader without Word sees it."""
    out = tmp / "word"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    return out / (docx.stem + ".pdf")


def last_page_lines(pdf: Path) -> list[str]:
    """Return the lines of the last page without the running header and the page number."""
    shown = [[flat(line) for line in page.splitlines() if flat(line)] for page in pages(pdf)]
    last = shown[-1]
    if len(shown) > 2 and last and shown[-2][0] == last[0]:
        last = last[1:]  # the running header every page repeats
    if last and len(last[-1]) < 16 and re.search(r"\d", last[-1]):
        last = last[:-1]  # the page number
    return last


def closing_lines(line: str, organ: str, date: str) -> bool:
    return (
        line in (organ, date) or line.startswith(("报送", "抄送", "印发")) or line.endswith("印发")
    )


SIGNED = [
    pytest.param("briefing", 0, id="briefing-short-close"),
    pytest.param("briefing", 8, id="briefing-long-close"),
    pytest.param("gov", 0, id="gov-short-close"),
    pytest.param("gov", 12, id="gov-long-close"),
    pytest.param("briefing", None, id="briefing-example"),
    pytest.param("gov", None, id="gov-example"),
]


@pytest.mark.realclient
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize(("preset", "sentences"), SIGNED)
def test_the_distribution_closes_a_page_of_text(
    preset: str, sentences: int | None, tmp_path: Path
) -> None:
    """The 版记 stands at the foot of the last page with the 落款 and the text before them,
    in the PDF and in the DOCX as LibreOffice lays it out: whatever room the text leaves."""
    if sentences is None:
        source, organ, date, end = EXAMPLE, "昆山高新区管委会", "2024年1月15日", "献。"
    else:
        source, organ, date = closing_source(tmp_path, sentences), "示例编写组", "2024年3月1日"
        end = CLOSING_SENTENCE[-2:]
    result = api.build(source, tmp_path / "out", formats="pdf,docx", theme=preset)
    built = {path.suffix: path for path in result.outputs}
    for pdf in (built[".pdf"], word_pdf(built[".docx"], tmp_path)):
        last = last_page_lines(pdf)
        assert any(line.startswith("报送") for line in last), (pdf, last)
        text = [line for line in last if not closing_lines(line, organ, date)]
        assert text, f"{pdf.parent.name}: the last page holds only the 落款 and 版记: {last}"
        assert organ in last and date in last, (pdf, last)
        assert any(line.endswith(end) for line in text), (pdf, last)  # the text's last line


CHAPTER = re.compile(r"^[一二三四五六七八九十]+、")


@pytest.mark.realclient
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_no_gov_chapter_title_ends_a_page(tmp_path: Path) -> None:
    """A chapter title (五、年度大事记) stands with what follows it, in the PDF and in Word as
    LibreOffice lays it out: never the last line of a page."""
    result = api.build(EXAMPLE, tmp_path / "out", formats="pdf,docx", theme="gov")
    built = {path.suffix: path for path in result.outputs}
    for pdf in (built[".pdf"], word_pdf(built[".docx"], tmp_path)):
        shown = [[flat(line) for line in page.splitlines() if flat(line)] for page in pages(pdf)]
        titles = [
            (n, lines.index(line))
            for n, lines in enumerate(shown, 1)
            for line in lines
            if CHAPTER.match(line)
        ]
        assert len(titles) >= 5, titles
        for n, lines in enumerate(shown, 1):
            body = lines[:-1] if lines and re.fullmatch(r"—\d+—", lines[-1]) else lines
            assert body and not CHAPTER.match(body[-1]), f"{pdf.parent.name} page {n}: {body[-3:]}"
