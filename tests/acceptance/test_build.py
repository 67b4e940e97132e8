"""Acceptance: build the Kunshan example with the CLI and read the outputs as a reader would.

pdftotext must find the chapters and the source's figures with qualifiers and units,
pdffonts must show only embedded subsets, LibreOffice must open the DOCX, the HTML must hold
the same figures, and two builds must give byte-identical files.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from khzreport import api

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "kunshan-2023" / "report.yaml"
CHAPTERS = ["布局新赛道新领域", "创新平台加速汇聚", "精心培育企业主体", "纷至沓来"]
FIGURES = [
    "突破740亿元",
    "第32名",
    "第6名",
    "68.5%",
    "305个",
    "82个",
    "133个",
    "超5亿美元",
    "近4亿美元",
    "近140亿元",
    "941亩",
    "140多家",
    "17万平方米",
    "18.04%",
    "26.17%",
    "26.34%",
    "820家",
    "5654件",
    "近1/3",
    "200余个",
    "约100万颗",
    "95%",
    "前30强",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler"),
]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    result = subprocess.run(
        [sys.executable, "-m", "khzreport", "build", str(EXAMPLE), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


def test_pdf_holds_chapters_and_figures(built: Path) -> None:
    text = flat(
        subprocess.run(
            ["pdftotext", str(built / "briefing.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    for needle in CHAPTERS + FIGURES:
        assert needle in text, needle
    assert re.search(r"图\d+", text) and re.search(r"表\d+", text)


def test_pdf_fonts_are_embedded_subsets(built: Path) -> None:
    out = subprocess.run(
        ["pdffonts", str(built / "briefing.pdf")], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert out
    for line in out:
        name = line.split()[0]
        assert re.match(r"[A-Z]{6}\+", name), line
        cols = line.split()
        assert cols[-5] == "yes" and cols[-4] == "yes", line  # emb, sub


def test_html_holds_figures(built: Path) -> None:
    html = (built / "briefing.html").read_text(encoding="utf-8")
    text = flat(re.sub(r"<[^>]+>", "", html))
    for needle in CHAPTERS + FIGURES:
        assert needle in text, needle


@pytest.mark.realclient
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_libreoffice_opens_the_docx(built: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(built / "briefing.docx"),
        ],
        capture_output=True,
        check=True,
        timeout=240,
    )
    text = flat(
        subprocess.run(
            ["pdftotext", str(tmp_path / "briefing.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    for needle in CHAPTERS + FIGURES:
        assert needle in text, needle


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "khzreport", "build", str(EXAMPLE), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for name in ("briefing.docx", "briefing.pdf", "briefing.html"):
        first = hashlib.sha256((built / name).read_bytes()).hexdigest()
        second = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        assert first == second, name


@pytest.mark.parametrize("standard", ["a-2b", "ua-1"])
def test_pdf_standards(standard: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "khzreport",
            "build",
            str(EXAMPLE),
            "-o",
            str(tmp_path),
            "-f",
            "pdf",
            "--pdf-standard",
            standard,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def test_rebuild_with_unchanged_source_redraws_no_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from khzreport import charts

    monkeypatch.setenv("KHZREPORT_CACHE", str(tmp_path / "cache"))
    api.build(EXAMPLE, tmp_path / "a", formats="docx,pdf")
    drawn = charts.render_count()
    assert drawn > 0
    api.build(EXAMPLE, tmp_path / "b", formats="docx,pdf")
    assert charts.render_count() == drawn


def test_gov_preset_builds_a_jianbao(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    shutil.copytree(EXAMPLE.parent, folder)
    source = folder / "report.yaml"
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^theme: .*$", "", text) + "\ntheme: gov\n"
    source.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "khzreport",
            "build",
            str(source),
            "-o",
            str(tmp_path / "out"),
            "-f",
            "pdf,docx",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    pages = [
        flat(
            subprocess.run(
                [
                    "pdftotext",
                    "-f",
                    str(k),
                    "-l",
                    str(k),
                    str(tmp_path / "out" / "briefing.pdf"),
                    "-",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for k in (1, 2)
    ]
    assert "昆山高新区发展简报" in pages[0] and "第1期" in pages[0]
    assert "一、布局新赛道新领域" in "".join(pages)  # after the lead and the three call-outs
