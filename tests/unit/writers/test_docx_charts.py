"""Native Word charts: chart parts with an embedded workbook, read back as a reader would.

Each chart of the gallery (one figure per chart sample) is checked in the DOCX package:
its chart part, the workbook it links to (read back with openpyxl), the cached values Word
draws without opening the workbook, the East Asian font slot, the labels in the number
layer's words, the alt text. python-docx and LibreOffice must keep every chart through an
open-and-save; the LibreOffice tests are marked ``realclient`` and skipped without soffice.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path, PurePosixPath

import docx
import openpyxl
import pytest
from lxml import etree

from khzreport.charts import text as tx
from khzreport.document import ChartData, Document, Figure
from khzreport.errors import ReportValidationError
from khzreport.theme import Theme
from khzreport.writers.docx import render_docx
from khzreport.writers.docx_charts import charts_mode, has_native_form
from tests.support.charts import SAMPLES, gallery_document

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
PACKAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 2), "white").save(out, "PNG")
    return out.getvalue()


@dataclasses.dataclass(frozen=True)
class Drawn:
    """The size and alt text of a drawn chart (what the writer takes from a rendering)."""

    svg: bytes = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    png: bytes = dataclasses.field(default_factory=_png)
    width_cm: float = 15.5
    height_cm: float = 7.75
    alt: str = ""


@pytest.fixture(scope="module")
def gallery() -> Document:
    return gallery_document()


@pytest.fixture(scope="module")
def drawn(gallery: Document) -> dict[str, Drawn]:
    return {c.id: Drawn() for c in gallery.charts()}


@pytest.fixture(scope="module")
def native(gallery: Document, drawn: dict[str, Drawn]) -> bytes:
    return render_docx(gallery, drawn)


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def rels_of(files: dict[str, bytes], part: str) -> dict[str, etree._Element]:
    path = PurePosixPath(part)
    rels = etree.fromstring(files[str(path.parent / "_rels" / (path.name + ".rels"))])
    return {r.get("Id"): r for r in rels.xpath("rel:Relationship", namespaces=NS)}


def target(part: str, rel: etree._Element) -> str:
    joined = PurePosixPath(part).parent / rel.get("Target")
    parts: list[str] = []
    for piece in joined.parts:
        if piece == "..":
            parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)


@dataclasses.dataclass(frozen=True)
class NativeChart:
    figure: Figure
    inline: etree._Element
    name: str
    space: etree._Element
    workbook: bytes


def native_charts(data: bytes, document: Document) -> list[NativeChart]:
    """Return the document's chart drawings in order, each with its figure, part and workbook."""
    files = entries(data)
    body = etree.fromstring(files["word/document.xml"])
    rels = rels_of(files, "word/document.xml")
    figures = {f"{f.label} {f.chart.id}": f for f in document.figures() if f.chart}
    out = []
    for inline in body.xpath("//wp:inline[.//c:chart]", namespaces=NS):
        rid = inline.xpath("string(.//c:chart/@r:id)", namespaces=NS)
        assert rels[rid].get("Type") == CHART_REL
        name = target("word/document.xml", rels[rid])
        space = etree.fromstring(files[name])
        link = space.xpath("string(c:externalData/@r:id)", namespaces=NS)
        book = rels_of(files, name)[link]
        assert book.get("Type") == PACKAGE_REL
        figure = figures[inline.xpath("string(wp:docPr/@name)", namespaces=NS)]
        out.append(NativeChart(figure, inline, name, space, files[target(name, book)]))
    return out


def expected_order(chart: ChartData) -> list[int]:
    """Return the category order Word draws: a ranking sorted largest first."""
    order = list(range(len(chart.categories)))
    if chart.kind == "ranking":
        values = [p.value for p in chart.series[0].points]
        order.sort(key=lambda i: (values[i] is None, -(values[i] or 0.0)))
    return order


def test_one_chart_part_per_chart_with_a_native_form(native: bytes, gallery: Document) -> None:
    charts = native_charts(native, gallery)
    expected = [f.chart.id for f in gallery.figures() if f.chart and has_native_form(f.chart)]
    assert [c.figure.chart.id for c in charts if c.figure.chart] == expected
    assert len(expected) == 10
    files = entries(native)
    assert len([n for n in files if re.fullmatch(r"word/charts/chart\d+\.xml", n)]) == 10
    assert len([n for n in files if n.startswith("word/embeddings/")]) == 10
    pictures = etree.fromstring(files["word/document.xml"]).xpath(
        "//wp:inline//a:blip", namespaces=NS
    )
    assert len(pictures) == 3  # two big numbers and a ladder of ranks stay pictures


def test_kinds_without_a_word_form_stay_pictures() -> None:
    assert not has_native_form(SAMPLES["big_number"]())
    assert not has_native_form(SAMPLES["ranking"]())  # 第32名: a bar would make it look biggest
    assert has_native_form(SAMPLES["ranking_values"]())
    empty = dataclasses.replace(
        SAMPLES["bar"](),
        series=tuple(
            dataclasses.replace(
                s, points=tuple(dataclasses.replace(p, value=None) for p in s.points)
            )
            for s in SAMPLES["bar"]().series
        ),
    )
    assert not has_native_form(empty)


def test_workbook_reads_back_to_the_resolved_values(native: bytes, gallery: Document) -> None:
    for chart in native_charts(native, gallery):
        data = chart.figure.chart
        assert data is not None
        sheet = openpyxl.load_workbook(io.BytesIO(chart.workbook)).active
        rows = list(sheet.iter_rows(values_only=True))
        order = expected_order(data)
        series = [*data.series, *([data.secondary] if data.secondary else [])]
        assert [r[0] for r in rows[1:]] == [data.categories[i] for i in order], data.id
        for column, s in enumerate(series, start=1):
            assert rows[0][column] == (s.name or data.title), data.id
            assert [r[column] for r in rows[1:]] == [s.points[i].value for i in order], data.id


def test_cached_values_let_word_draw_without_the_workbook(native: bytes, gallery: Document) -> None:
    for chart in native_charts(native, gallery):
        data = chart.figure.chart
        assert data is not None
        order = expected_order(data)
        series = [*data.series, *([data.secondary] if data.secondary else [])]
        sers = chart.space.xpath("//c:ser", namespaces=NS)
        assert len(sers) == len(series), data.id
        for ser, s in zip(sers, series, strict=True):
            cats = ser.xpath("c:cat//c:strCache/c:pt/c:v/text()", namespaces=NS)
            assert cats == [data.categories[i] for i in order]
            cached = {
                int(pt.get("idx")): float(pt.findtext("c:v", namespaces=NS))
                for pt in ser.xpath("c:val//c:numCache/c:pt", namespaces=NS)
            }
            values = [s.points[i].value for i in order]
            assert cached == {i: v for i, v in enumerate(values) if v is not None}
            assert ser.xpath("c:val/c:numRef/c:f/text()", namespaces=NS)[0].startswith("Sheet1!")


def test_labels_are_the_number_layers_words_in_a_chinese_font(
    native: bytes, gallery: Document
) -> None:
    theme = gallery.theme
    for chart in native_charts(native, gallery):
        space = chart.space
        for latin in space.xpath("//a:latin", namespaces=NS):
            props = latin.getparent()
            assert props.xpath("string(a:ea/@typeface)", namespaces=NS) == (
                theme.fonts.docx_heading_cjk
            )
            assert props.get("lang") == "zh-CN"
        labels = [
            "".join(d.xpath(".//a:t/text()", namespaces=NS))
            for d in space.xpath("//c:dLbl", namespaces=NS)
        ]
        data = chart.figure.chart
        assert data is not None and labels
        if data.kind != "donut":
            words = {p.label for s in data.series for p in s.points}
            words |= {tx.strip_unit(p.label, s.unit) for s in data.series for p in s.points}
            if data.secondary:
                words |= {p.label for p in data.secondary.points}
            assert set(labels) <= words, data.id
    industry = next(
        c for c in native_charts(native, gallery) if c.figure.chart.id == SAMPLES["bar"]().id
    )
    texts = industry.space.xpath("//c:dLbl//a:t/text()", namespaces=NS)
    assert "突破740亿元" in texts
    assert industry.space.xpath("string(//c:valAx/c:title//a:t)", namespaces=NS) == "单位：亿元"


def test_theme_colours_grid_and_legend(native: bytes, gallery: Document) -> None:
    theme = gallery.theme
    palette = [c.lstrip("#").upper() for c in theme.colors.palette]
    by_id = {c.figure.chart.id: c.space for c in native_charts(native, gallery)}
    grouped = by_id[SAMPLES["grouped_bar"]().id]
    fills = grouped.xpath("//c:ser/c:spPr/a:solidFill/a:srgbClr/@val", namespaces=NS)
    assert fills == palette[: len(fills)]
    assert grouped.xpath("//c:legend/c:legendPos/@val", namespaces=NS) == ["t"]
    grid = grouped.xpath("//c:valAx/c:majorGridlines//a:srgbClr/@val", namespaces=NS)
    assert grid == [theme.colors.grid.lstrip("#").upper()]
    combo = by_id[SAMPLES["combo"]().id]
    assert combo.xpath("count(//c:barChart/c:ser)", namespaces=NS) == 1
    assert combo.xpath("count(//c:lineChart/c:ser)", namespaces=NS) == 1
    assert combo.xpath("//c:valAx/c:axPos/@val", namespaces=NS) == ["l", "r"]
    line_axes = combo.xpath("//c:lineChart/c:axId/@val", namespaces=NS)
    right = combo.xpath("//c:valAx[c:axPos/@val='r']/c:axId/@val", namespaces=NS)[0]
    assert right in line_axes
    negative = by_id[SAMPLES["bar_negative"]().id]
    assert theme.colors.down.lstrip("#").upper() in negative.xpath(
        "//c:dPt//a:srgbClr/@val", namespaces=NS
    )


def test_alt_text_caption_and_source_as_for_pictures(native: bytes, gallery: Document) -> None:
    body = etree.fromstring(entries(native)["word/document.xml"])
    for chart in native_charts(native, gallery):
        assert chart.inline.xpath("string(wp:docPr/@descr)", namespaces=NS) == chart.figure.alt
        para = chart.inline.xpath("ancestor::w:p", namespaces=NS)[0]
        after = [
            "".join(p.xpath(".//w:t/text()", namespaces=NS))
            for p in para.itersiblings()
            if p.tag == f"{{{NS['w']}}}p"
        ][:3]
        caption = next(t for t in after if t.startswith(chart.figure.label))
        assert chart.figure.caption in caption
        assert chart.figure.source in after
    ids = body.xpath("//wp:docPr/@id", namespaces=NS)
    assert len(ids) == len(set(ids))


def test_missing_values_are_noted_under_the_chart(native: bytes, gallery: Document) -> None:
    body = etree.fromstring(entries(native)["word/document.xml"])
    text = "".join(body.xpath("//w:t/text()", namespaces=NS))
    note = tx.note_line(tx.missing_notes(SAMPLES["line"]()), "zh-CN")
    assert note and note in text


def test_package_is_safe_and_typed(native: bytes) -> None:
    files = entries(native)
    for name, blob in files.items():
        if name.endswith(".rels"):
            rels = etree.fromstring(blob).xpath("rel:Relationship", namespaces=NS)
            assert all(r.get("TargetMode") != "External" for r in rels), name
    types = etree.fromstring(files["[Content_Types].xml"])
    chart_types = types.xpath(
        "ct:Override[starts-with(@PartName, '/word/charts/')]/@ContentType", namespaces=NS
    )
    assert set(chart_types) == {"application/vnd.openxmlformats-officedocument.drawingml.chart+xml"}
    assert types.xpath("ct:Default[@Extension='xlsx']/@ContentType", namespaces=NS) == [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ]
    for name, blob in files.items():
        if name.startswith("word/embeddings/"):
            with zipfile.ZipFile(io.BytesIO(blob)) as book:
                inner = book.namelist()
                assert not any("vbaProject" in n or "externalLink" in n for n in inner)
                assert {i.date_time for i in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
                assert b"2024-01-15T00:00:00Z" in book.read("docProps/core.xml")


def test_two_builds_are_byte_identical(gallery: Document, drawn: dict[str, Drawn]) -> None:
    assert render_docx(gallery, drawn) == render_docx(gallery, drawn)


def test_python_docx_opens_and_saves_every_chart_unchanged(native: bytes) -> None:
    saved = io.BytesIO()
    docx.Document(io.BytesIO(native)).save(saved)
    before, after = entries(native), entries(saved.getvalue())
    for name in before:
        if name.startswith(("word/charts/", "word/embeddings/")):
            assert after[name] == before[name], name
    assert {n for n in after if n.startswith("word/charts/chart")} == {
        n for n in before if n.startswith("word/charts/chart")
    }


def test_picture_mode_draws_no_chart(gallery: Document, drawn: dict[str, Drawn]) -> None:
    picture = render_docx(gallery, drawn, docx_charts="picture")
    themed = dataclasses.replace(gallery, theme=Theme(docx_charts="picture"))
    assert render_docx(themed, drawn) == picture
    files = entries(picture)
    assert not any(n.startswith(("word/charts/", "word/embeddings/")) for n in files)
    body = etree.fromstring(files["word/document.xml"])
    assert len(body.xpath("//wp:inline//a:blip", namespaces=NS)) == len(gallery.charts())
    overridden = dataclasses.replace(gallery, theme=Theme(docx_charts="picture"))
    assert native_charts(render_docx(overridden, drawn, docx_charts="native"), gallery)


def test_default_is_native_for_the_briefing_and_pictures_for_sheets() -> None:
    theme = Theme()
    assert charts_mode(theme, "briefing") == "native"
    assert charts_mode(theme, "sheet") == "picture"
    assert charts_mode(Theme(docx_charts="native"), "sheet") == "native"
    assert charts_mode(Theme(docx_charts="native"), "briefing", "picture") == "picture"


# --- a real client --------------------------------------------------------------------------


def _soffice(tmp_path: Path, source: Path, fmt: str, outdir: Path) -> Path:
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return outdir / source.with_suffix("." + fmt.split(":")[0]).name


@pytest.mark.realclient
@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs soffice and pdftotext",
)
def test_libreoffice_keeps_every_chart_and_draws_its_labels(
    native: bytes, gallery: Document, tmp_path: Path
) -> None:
    source = tmp_path / "gallery.docx"
    source.write_bytes(native)
    again = _soffice(tmp_path, source, "docx:MS Word 2007 XML", tmp_path / "saved")
    files = entries(again.read_bytes())
    charts = [n for n in files if re.fullmatch(r"word/charts/chart\d+\.xml", n)]
    assert len(charts) == len(native_charts(native, gallery))
    for name in charts:
        space = etree.fromstring(files[name])
        assert space.xpath("count(//c:ser)", namespaces=NS) >= 1
        assert space.xpath("//c:numCache/c:pt", namespaces=NS)
    pdf = _soffice(tmp_path, source, "pdf", tmp_path / "pdf")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")
    flat = re.sub(r"\s+", "", text)
    for expected in ("突破740亿元", "单位：亿元", "2019年", "同比增长", "14.3%"):
        assert expected in flat, expected


def test_a_wrong_theme_choice_is_a_located_error() -> None:
    with pytest.raises(ReportValidationError) as caught:
        Theme.preset("briefing", docx_charts="vector")
    assert "theme.docx_charts" in str(caught.value)


def test_thousands_separators_never_leave_a_bare_point(drawn: dict[str, Drawn]) -> None:
    document = gallery_document(Theme(thousands=True))
    formats = {
        c.figure.chart.id: c.space.xpath("string(//c:valAx/c:numFmt/@formatCode)", namespaces=NS)
        for c in native_charts(render_docx(document, drawn), document)
    }
    assert formats[SAMPLES["grouped_bar"]().id] == "#,##0"
    assert formats[SAMPLES["bar_negative"]().id] == "#,##0.0"
