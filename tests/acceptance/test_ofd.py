"""OFD of the example as a user makes it: the CLI and the API, read back against pdftotext."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import khzreport
from khzreport import api
from khzreport.writers.ofd import OFD_NAMESPACE

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "kunshan-2023" / "report.yaml"
NS = {"ofd": OFD_NAMESPACE}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler (pdftotext)"),
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "khzreport", *args], capture_output=True, text=True, timeout=600
    )


def pages_of(ofd: bytes) -> list[ET.Element]:
    """Return the Content.xml of each page of an OFD package, in page order."""
    package = zipfile.ZipFile(io.BytesIO(ofd))
    document = ET.fromstring(package.read("Doc_0/Document.xml"))
    return [
        ET.fromstring(package.read(f"Doc_0/{page.get('BaseLoc')}"))
        for page in document.findall("ofd:Pages/ofd:Page", NS)
    ]


def text_of(ofd: bytes) -> str:
    """Return the text of every TextCode of the package, page by page in drawing order."""
    return "\n".join(
        "".join(code.text or "" for code in page.iter(f"{{{OFD_NAMESPACE}}}TextCode"))
        for page in pages_of(ofd)
    )


def pdftotext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


_UNPRINTED = re.compile(r"[\s\u2060\u00ad]")


@pytest.fixture(scope="module")
def briefing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ofd-build")
    result = run("build", str(EXAMPLE), "-o", str(out), "--format", "pdf,ofd")
    assert result.returncode == 0, result.stderr
    assert f"{out / 'briefing.ofd'}" in result.stdout or "briefing.ofd" in result.stdout
    return out


def test_the_briefing_ofd_shows_what_the_pdf_shows(briefing: Path) -> None:
    ofd = (briefing / "briefing.ofd").read_bytes()
    shown = text_of(ofd)
    printed = pdftotext(briefing / "briefing.pdf")
    assert len(pages_of(ofd)) == printed.count("\f")
    flat = _UNPRINTED.sub("", shown)
    report = api.load(EXAMPLE)
    for section in report.sections:  # every chapter title
        assert _UNPRINTED.sub("", section.title) in flat, section.title
    for seed in ("分别突破740亿元、500亿元；", "姑苏领才（团队）116个", "居全球第二", "截至目前"):
        assert seed in flat, seed
    lines = [_UNPRINTED.sub("", line) for line in printed.splitlines()]
    missing = [line for line in lines if line and line not in flat]
    assert not missing, missing[:5]
    assert sorted(_UNPRINTED.sub("", printed)) == sorted(flat)


def test_the_api_renders_the_same_package_as_the_cli(briefing: Path) -> None:
    data = khzreport.render(api.load(EXAMPLE), "ofd", cache=None)
    assert data == (briefing / "briefing.ofd").read_bytes()


def test_sheets_and_their_booklet_as_ofd(tmp_path: Path) -> None:
    park = api.load(EXAMPLE).parks[0]
    result = run(
        "sheets",
        str(EXAMPLE),
        "-o",
        str(tmp_path),
        "--park",
        park.id,
        "-f",
        "pdf,ofd",
        "-j",
        "1",
        "--booklet",
    )
    assert result.returncode == 0, result.stderr
    sheet = (tmp_path / f"{park.id}.ofd").read_bytes()
    assert len(pages_of(sheet)) == 1
    flat = _UNPRINTED.sub("", text_of(sheet))
    assert _UNPRINTED.sub("", park.name) in flat
    assert sorted(_UNPRINTED.sub("", pdftotext(tmp_path / f"{park.id}.pdf"))) == sorted(flat)
    booklet = (tmp_path / "parks-booklet.ofd").read_bytes()
    document = ET.fromstring(zipfile.ZipFile(io.BytesIO(booklet)).read("Doc_0/Document.xml"))
    assert [e.get("Title") for e in document.iter(f"{{{OFD_NAMESPACE}}}OutlineElem")] == [park.name]
    assert khzreport.render_sheet(api.load(EXAMPLE), park.id, "ofd", cache=None) == sheet
    alone = run(
        "sheets", str(EXAMPLE), "-o", str(tmp_path / "alone"), "--park", park.id, "-f", "ofd"
    )
    assert alone.returncode == 0, alone.stderr
    assert (tmp_path / "alone" / f"{park.id}.ofd").read_bytes() == sheet
    assert not (tmp_path / "alone" / f"{park.id}.pdf").exists()


def test_a_misspelt_format_names_ofd_among_those_known(tmp_path: Path) -> None:
    result = run("build", str(EXAMPLE), "-o", str(tmp_path), "--format", "pdf,odf")
    assert result.returncode == 2
    assert "unknown format 'odf'" in result.stderr and "ofd" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_a_build_of_pdf_and_ofd_sets_the_pdf_once(
    briefing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from khzreport.writers import pdf

    calls: list[str] = []
    render_pdf = pdf.render_pdf

    def counted(*args: object, **kwargs: object) -> bytes:
        calls.append("pdf")
        return render_pdf(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf, "render_pdf", counted)
    result = api.build(EXAMPLE, tmp_path, formats="ofd,pdf")
    assert [p.name for p in result.outputs] == ["briefing.ofd", "briefing.pdf"]
    assert calls == ["pdf"]
    assert (tmp_path / "briefing.ofd").read_bytes() == (briefing / "briefing.ofd").read_bytes()
