"""The English edition reads as English in every format: no Chinese word of the layout
(第 X 页, 目录, 图, 表, 资料来源, 单位 …), English numbers and English quotes.

The example carries English for every text it has, so any Chinese character left in the
English outputs is a word the layout (a writer or a template) put there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

EXAMPLE = Path(__file__).parents[2] / "examples" / "kunshan-2023" / "report.yaml"

LAYOUT_WORDS = (
    "第",
    "页",
    "共",
    "目录",
    "图",
    "表",
    "资料来源",
    "来源",
    "单位",
    "注：",
    "说明",
    "附件",
    "报送",
    "抄送",
    "印发",
    "指标",
    "数值",
    "时间",
    "备注",
    "年",
    "月",
    "日",
    "〔待填〕",
)
"""Fixed words of the Chinese layout: page footer, contents, captions, source and unit lines,
table headers, the closing block, dates and the placeholder of a figure to come."""

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ENGLISH_LAYOUT = ("Page 2 of", "Contents", "Figure 1", "Table 1", "Source:")

HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff01-\uff5e]")
"""Chinese characters and full-width punctuation (，。：、（）“ are not among them: the
curly quotes are English ones too)."""

pytestmark = [pytest.mark.slow, pytest.mark.realclient]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("english")
    command = [sys.executable, "-m", "khzreport", "build", str(EXAMPLE), "--language", "en"]
    result = subprocess.run(
        [*command, "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "english-missing" not in result.stderr and "no English" not in result.stderr
    return out


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def docx_text(path: Path) -> str:
    """Return the text of every part Word shows: body, headers, footers, notes."""
    texts = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml", name):
                root = etree.fromstring(archive.read(name))
                texts.extend(t.text or "" for t in root.iter(f"{{{W}}}t"))
    return "".join(texts)


def html_text(path: Path) -> str:
    """Return the page's text and the words it gives screen readers (alt, aria-label, labels)."""
    root = html.fromstring(path.read_bytes())
    for el in root.xpath("//style | //script"):
        el.drop_tree()
    words = [root.text_content()]
    words += root.xpath("//@alt | //@aria-label | //@data-label | //@title")
    return "\n".join(words)


def chinese_left(text: str) -> list[str]:
    """Return the layout words and any other Chinese found in ``text``, with some context."""
    found = [w for w in LAYOUT_WORDS if w in text]
    found += [text[max(0, m.start() - 15) : m.end() + 15] for m in HAN.finditer(text)][:10]
    return found


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_no_chinese_layout_word_in_the_english_edition(built: Path, fmt: str) -> None:
    path = built / f"briefing-en.{fmt}"
    text = {"pdf": pdf_text, "docx": docx_text, "html": html_text}[fmt](path)
    assert chinese_left(text) == []
    flat = re.sub(r"\s+", " ", text)
    missing = [w for w in ENGLISH_LAYOUT if w not in flat and not (fmt != "pdf" and "Page" in w)]
    assert missing == []


def test_the_docx_footer_counts_pages_in_english(built: Path) -> None:
    with zipfile.ZipFile(built / "briefing-en.docx") as archive:
        footers = [n for n in archive.namelist() if re.fullmatch(r"word/footer\d*\.xml", n)]
        xml = "".join(archive.read(n).decode("utf-8") for n in footers)
    assert "Page " in xml and " of " in xml and "NUMPAGES" in xml


def test_english_numbers_and_quotes_in_the_pdf(built: Path) -> None:
    flat = re.sub(r"\s+", " ", pdf_text(built / "briefing-en.pdf"))
    assert "RMB 74 billion" in flat
    assert not re.search(r"\b\d+\.0 (billion|trillion)", flat)
    # English quotes keep the spaces around them, as in the source's “2+2+3” system
    assert re.search(r"the “2\+2\+3” (modern|system|industrial)", flat)
    assert "“2+2+3”system" not in flat and "the“" not in flat


def test_english_park_sheets_hold_no_chinese_layout_word(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    out = tmp_path_factory.mktemp("sheets-en")
    parks = ["--park", "haokang_centre", "--park", "jiangsu_luhang"]
    command = [sys.executable, "-m", "khzreport", "sheets", str(EXAMPLE), "--language", "en"]
    result = subprocess.run(
        [*command, *parks, "-o", str(out)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    for park in ("haokang_centre", "jiangsu_luhang"):
        assert chinese_left(pdf_text(out / f"{park}.pdf")) == [], park
        assert chinese_left(docx_text(out / f"{park}.docx")) == [], park


def test_english_quotes_are_proportional_in_the_pdf(built: Path) -> None:
    """“2+2+3” is set with proportional quotes, not the CJK face's full-width ones.

    A full-width quote is 1 em wide: the word then spans about 4.75 em against about 3.7 em
    with proportional quotes; the height of a word's box is at least the font's em.
    """
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(built / "briefing-en.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    words = re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">“2\+2\+3”<', boxes
    )
    assert words
    for x0, y0, x1, y1 in words:
        ems = (float(x1) - float(x0)) / (float(y1) - float(y0))
        assert ems < 4.2, f"“2+2+3” is {ems:.2f} em wide"
