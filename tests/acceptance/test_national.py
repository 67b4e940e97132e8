"""A synthetic national-scale source builds in every format with no warning, and each number
form it uses is printed as written in every place a figure prints — prose, KPI cards, tables
and charts — in Chinese and English, and reaches the text of the PDF, the DOCX and the HTML:
growth with two decimals and its kind, fractions and round figures in words, postfix
qualifiers, a qualifier on the verb, a range, English billions with their significant digits
and English counting nouns."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from khzreport import api
from khzreport.cli import main
from khzreport.document import ChartData, Document, KpiCard, Paragraph, Table

SOURCE = Path(__file__).parents[1] / "fixtures" / "national" / "report.yaml"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")

PROSE, CARD, TABLE, CHART = "prose", "KPI card", "table", "chart"
EVERYWHERE = (PROSE, CARD, TABLE, CHART)

# Each form and the places it is printed in. Growth is a change, not a charted value (a
# combo chart's growth line is tested with the number layer); 约占…的80% is a verb's form,
# so prose only; the zones' count is the headline card's, not a table row's.
ZH: dict[str, tuple[str, ...]] = {
    "同比名义增长6.38%": (PROSE, CARD, TABLE),
    "三分之一": EVERYWHERE,
    "近一半": EVERYWHERE,
    "超万亿元": EVERYWHERE,
    "200余家": EVERYWHERE,
    "80%以上": EVERYWHERE,
    "约占全市的80%": (PROSE,),
    "17%～20%": EVERYWHERE,
    "比上年下降3.15%": (CARD, TABLE),
    "与上年持平": (CARD, TABLE),
    "全国共有开发区164家": (PROSE,),
}
EN: dict[str, tuple[str, ...]] = {
    "RMB 935.74 billion": (PROSE, CARD, TABLE),
    "164 zones": (PROSE, CARD, CHART),
    "up 6.38% year on year in nominal terms": (PROSE, CARD, TABLE),
    "over RMB 1 trillion": EVERYWHERE,
    "over 200 firms": EVERYWHERE,
    "at least 80%": EVERYWHERE,
    "account for about 80% of the city": (PROSE,),
    "one third": EVERYWHERE,
    "nearly one half": EVERYWHERE,
    "17–20%": EVERYWHERE,
    "down 3.15% on the previous year": (CARD, TABLE),
}


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    return result.stderr


def nodes(tree: Any) -> Iterator[Any]:
    """Yield every dataclass node of a resolved document, nested ones included."""
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        yield tree
        for f in dataclasses.fields(tree):
            yield from nodes(getattr(tree, f.name))
    elif isinstance(tree, (list, tuple)):
        for item in tree:
            yield from nodes(item)


def printed(documents: list[Document]) -> dict[str, list[str]]:
    """Return, for each place, the texts the documents print there."""
    out: dict[str, list[str]] = {place: [] for place in EVERYWHERE}
    for document in documents:
        for node in nodes(list(document.blocks)):
            if isinstance(node, Paragraph):
                out[PROSE].append(node.text)
            elif isinstance(node, KpiCard):
                out[CARD].append(f"{node.value_text} {node.change_text or ''}")
            elif isinstance(node, Table):
                out[TABLE] += [cell for row in node.rows for cell in row]
            elif isinstance(node, ChartData):
                out[CHART] += [p.label for s in node.series for p in s.points]
    return out


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def html_text(path: Path) -> str:
    """Return what a reader of the page gets: its text and its charts' labels (aria-label)."""
    page = re.sub(r"<style.*?</style>", "", path.read_text(encoding="utf-8"), flags=re.S)
    labels = " ".join(re.findall(r'aria-label="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + labels)


def flat(text: str, language: str) -> str:
    # Typst sets a quarter-em gap between Chinese and Latin characters, which pdftotext reads
    # as a space; Chinese prose has no spaces of its own, English wraps lines. Word joiners and
    # zero-width spaces (where a figure may not or may break) print nothing.
    text = re.sub("[\u2060\u200b]", "", text)
    return re.sub(r"\s+", " " if language == "en" else "", text)


@pytest.mark.parametrize(("language", "forms"), [("zh-CN", ZH), ("en", EN)])
def test_every_form_is_printed_in_every_place(
    language: str, forms: dict[str, tuple[str, ...]]
) -> None:
    report = api.load(SOURCE)
    briefing = api.resolve(report, language=language)
    sheets = [api.resolve(report, park=p.id, language=language) for p in report.parks]
    places = printed([briefing, *sheets])
    for form, expected in forms.items():
        found = tuple(place for place in EVERYWHERE if any(form in t for t in places[place]))
        assert found == expected, form


@pytest.mark.parametrize(("language", "forms"), [("zh-CN", ZH), ("en", EN)])
def test_every_form_reaches_every_format_with_no_warning(
    tmp_path: Path, language: str, forms: dict[str, tuple[str, ...]]
) -> None:
    run("lint", str(SOURCE))
    run("build", str(SOURCE), "-o", str(tmp_path), "--language", language, "--strict")
    run("sheets", str(SOURCE), "-o", str(tmp_path / "sheets"), "-j", "1", "--language", language)
    suffix = "-en" if language == "en" else ""
    for fmt in ("docx", "pdf", "html"):
        assert (tmp_path / f"briefing{suffix}.{fmt}").stat().st_size > 0
    assert len(list((tmp_path / "sheets").glob("*.pdf"))) == 3
    # Each format prints a form as often as the briefing places it.
    places = printed([api.resolve(api.load(SOURCE), language=language)])
    texts = {
        "pdf": pdf_text(tmp_path / f"briefing{suffix}.pdf"),
        "html": html_text(tmp_path / f"briefing{suffix}.html"),
    }
    soffice = shutil.which("soffice")
    if soffice:  # the DOCX as Word's reader shows it, charts included
        subprocess.run(
            [
                *(soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless"),
                *("--convert-to", "pdf", "--outdir", str(tmp_path / "docx")),
                str(tmp_path / f"briefing{suffix}.docx"),
            ],
            capture_output=True,
            check=True,
            timeout=180,
        )
        texts["docx"] = pdf_text(tmp_path / "docx" / f"briefing{suffix}.pdf")
    # A card sets its number large and its qualifier and unit small, beside it (17～20 %) or
    # under it (over 200 / firms), so a sheet card's parts are looked for, spaces aside.
    report = api.load(SOURCE)
    sheet_cards = [
        node
        for park in report.parks
        for node in nodes(list(api.resolve(report, park=park.id, language=language).blocks))
        if isinstance(node, KpiCard)
    ]
    sheet_text = re.sub(
        r"\s+", "", "".join(pdf_text(p) for p in (tmp_path / "sheets").glob("*.pdf"))
    )
    for form in forms:
        times = sum(sum(form in t for t in texts_of) for texts_of in places.values())
        assert times >= 1, form
        for fmt, text in texts.items():
            assert flat(text, language).count(form) >= times, (fmt, form)
        if CARD in forms[form] and not any(form in t for t in places[CARD]):
            [card] = [c for c in sheet_cards if form in f"{c.value_text} {c.change_text}"]
            for part in (card.prefix, f"{card.number}{card.suffix}", card.unit):
                assert re.sub(r"\s+", "", part) in sheet_text, ("sheet card", form, part)
