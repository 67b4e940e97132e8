"""The 落款's optional seal: confined to the source folder, pressed over the organ and date in
DOCX, PDF and HTML as GB/T 9704 places it (centred on them, they a little below its centre)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from khzreport import api
from khzreport.errors import KhzReportError

MINIMAL = Path(__file__).parents[2] / "fixtures" / "minimal" / "report.yaml"
ORGAN = "示范高新区管委会"


def seal_png(path: Path) -> Path:
    """Write a small red seal on a transparent ground, as an office scans one."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((3, 3, 117, 117), outline=(220, 0, 0, 255), width=6)
    draw.regular_polygon((60, 60, 22), 5, fill=(220, 0, 0, 255))
    image.save(path)
    return path


def source(tmp_path: Path, seal: str | None = "seal.png") -> Path:
    seal_png(tmp_path / "seal.png")
    signature = "  signature:\n" + (
        f"    seal: {seal}\n" if seal else "    organ: 示范高新区管委会\n"
    )
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("  date: 2024-01-15\n", "  date: 2024-01-15\n" + signature, 1)
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def build(tmp_path: Path, seal: str | None = "seal.png") -> dict[str, bytes]:
    result = api.build(source(tmp_path, seal), tmp_path / "out")
    assert result.warnings == []
    return {p.suffix: p.read_bytes() for p in result.outputs}


def pdf_places(pdf: bytes) -> tuple[list[tuple[float, float, float, float]], dict[str, tuple]]:
    """Return the images drawn on the last page (x, y, width, height in points) and where the
    organ and the date are written (x, y of each text run that holds them)."""
    pypdf = pytest.importorskip("pypdf")
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[-1]
    images: list[tuple[float, float, float, float]] = []
    texts: dict[str, tuple] = {}

    def operator(op: bytes, args: list, cm: list, tm: list) -> None:
        if op == b"Do":
            images.append((cm[4], cm[5], cm[0], cm[3]))

    def text(chunk: str, cm: list, tm: list, *_: object) -> None:
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        for key in ("示范", "2024"):
            if chunk.startswith(key) and key not in texts and y < 500:
                texts[key] = (x, y)

    page.extract_text(visitor_operand_before=operator, visitor_text=text)
    return images, texts


def test_the_seal_covers_the_organ_and_date_in_every_format(tmp_path: Path) -> None:
    out = build(tmp_path)
    with zipfile.ZipFile(io.BytesIO(out[".docx"])) as z:
        body = z.read("word/document.xml").decode()
        assert any(n.startswith("word/media/") for n in z.namelist())
    [anchor] = [p for p in re.findall(r"<w:p>.*?</w:p>", body, re.S) if 'w:val="Signature"' in p]
    assert ORGAN in anchor
    assert 'name="印章"' in anchor and "<wp:anchor" in anchor and "<wp:wrapNone/>" in anchor
    assert 'behindDoc="0"' in anchor  # pressed over the text, not behind it
    x = int(re.search(r'relativeFrom="margin"><wp:posOffset>(-?\d+)<', anchor).group(1))
    y = int(re.search(r'relativeFrom="paragraph"><wp:posOffset>(-?\d+)<', anchor).group(1))
    assert x > 0 and y < 0  # right half of the line, reaching above the organ

    html = out[".html"].decode()
    signature = re.search(r'<p class="signature">.*?</p>', html, re.S)
    assert signature is not None
    assert f"{ORGAN}</span>" in signature.group()
    assert '<img class="seal" src="data:image/png;base64,' in signature.group()

    images, texts = pdf_places(out[".pdf"])
    assert len(images) == 1 and set(texts) == {"示范", "2024"}
    left, bottom, width, height = images[0]
    assert width == pytest.approx(4.2 / 2.54 * 72, rel=0.01)
    for x, y in texts.values():  # both lines start inside the seal's square
        assert left <= x <= left + width and bottom <= y <= bottom + height
    centre = bottom + height / 2
    assert texts["2024"][1] < centre  # the date below the seal's centre


def test_without_a_seal_no_image_is_drawn(tmp_path: Path) -> None:
    out = build(tmp_path, seal=None)
    assert (
        "<wp:anchor"
        not in zipfile.ZipFile(io.BytesIO(out[".docx"])).read("word/document.xml").decode()
    )
    assert 'class="seal"' not in out[".html"].decode()
    assert pdf_places(out[".pdf"])[0] == []


@pytest.mark.parametrize(
    ("seal", "message"),
    [
        ("../seal.png", "leads outside the source folder"),
        ("/etc/passwd", "absolute paths are not allowed"),
        ("missing.png", "seal image not found: missing.png"),
        ("report.yaml", "seal image report.yaml"),
    ],
)
def test_a_seal_outside_the_folder_or_not_an_image_is_a_located_error(
    tmp_path: Path, seal: str, message: str
) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    with pytest.raises(KhzReportError) as info:
        api.build(source(folder, seal), tmp_path / "out")
    assert message in str(info.value)
    assert "report.yaml:" in str(info.value) and "meta.signature.seal" in str(info.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
