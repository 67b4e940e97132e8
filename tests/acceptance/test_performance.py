"""Tests of the speed and size work: each shortcut gives what the slow path gave.

Character maps kept on disk equal fontTools' answer; the PNG taken from the layout pass
equals ``savefig``'s; charts drawn in a second process equal those drawn in one; the cached
styled base of the DOCX writer gives the bytes a fresh one gives; the PDF's object streams
hold the very objects Typst wrote; the font search answers from its disk cache and sees a change.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

import khzreport.charts as charts
from khzreport.charts import ChartCache, draw, fonts, render_both
from khzreport.charts.fonts import FONT_DIRS_ENV, find_font
from khzreport.source.themes import load_theme
from khzreport.writers.base import page_count
from tests.support.charts import SAMPLES, THEME

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_font_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FONT_DIRS_ENV, raising=False)


# --- fonts -------------------------------------------------------------------------------


def _faces_to_check() -> list[tuple[str, int]]:
    chart = find_font(THEME.fonts.chart)
    body = find_font(THEME.fonts.pdf_body)
    latin = fonts.find_fonts(THEME.fonts.latin, require_cjk=False)[:1]
    mpl = sorted((ROOT / ".venv").glob("lib/python*/site-packages/matplotlib/mpl-data/fonts/ttf"))
    out = {(str(f.path), f.index) for f in [chart, body, *latin]}
    for folder in mpl[:1]:
        out |= {(str(p), 0) for p in sorted(folder.glob("DejaVuSans*.ttf"))[:3]}
    return sorted(out)


@pytest.mark.parametrize("face", _faces_to_check())
def test_cached_character_map_equals_fonttools(
    face: tuple[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fontTools.ttLib import TTFont

    path, index = face
    with open(path, "rb") as fh:
        expected = frozenset(TTFont(fh, fontNumber=index, lazy=True).getBestCmap() or {})
    monkeypatch.setenv("KHZREPORT_CACHE", str(tmp_path))
    _forget_font_caches(monkeypatch)
    assert fonts._cmap(path, index) == expected
    _forget_font_caches(monkeypatch)
    monkeypatch.setattr(fonts, "_read_cmap", lambda *face: pytest.fail(f"read {face}"))
    assert fonts._cmap(path, index) == expected  # from fonts.json, as runs of code points


def test_character_map_of_a_broken_file_is_empty(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 40)
    assert fonts._cmap(str(broken), 0) == frozenset()


def test_missing_in_all_intersects_the_fonts() -> None:
    faces = [
        find_font(THEME.fonts.pdf_body),
        *fonts.find_fonts(THEME.fonts.latin, require_cjk=False),
    ]
    text = "高新区 Zone\u2003😀\u200b"
    expected = set.intersection(*(fonts.missing_glyphs(text, f) for f in faces))
    assert fonts.missing_in_all(text, faces) == expected == {"😀"}


def test_font_search_answers_from_its_disk_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KHZREPORT_CACHE", str(tmp_path))
    _forget_font_caches(monkeypatch)
    first = find_font(THEME.fonts.chart)
    pair = charts.chart_font(THEME)  # also reads the name tables of the bold face's folder
    assert (tmp_path / "fonts.json").is_file()
    _forget_font_caches(monkeypatch)

    def no_fontconfig(args: list[str]) -> str:
        raise AssertionError(f"fontconfig called: {args}")

    monkeypatch.setattr(fonts, "_run_fc", no_fontconfig)
    monkeypatch.setattr(fonts, "_read_faces", lambda path: pytest.fail(f"read {path}"))
    monkeypatch.setattr(fonts, "_read_cmap", lambda *face: pytest.fail(f"read {face}"))
    assert find_font(THEME.fonts.chart) == first
    assert charts.chart_font(THEME) == pair


def test_font_search_cache_is_dropped_when_a_font_folder_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KHZREPORT_CACHE", str(tmp_path))
    folder = tmp_path / "fonts"
    folder.mkdir()
    _forget_font_caches(monkeypatch)
    calls: list[list[str]] = []
    real = fonts._run_fc

    def counted(args: list[str]) -> str:
        calls.append(args)
        if args[:2] == ["fc-list", "-f"] and args[2] == "%{file}\\n":
            return str(folder / "x.ttf") + "\n"  # pretend fontconfig knows one font folder
        return real(args)

    monkeypatch.setattr(fonts, "_run_fc", counted)
    find_font(THEME.fonts.chart)
    asked = len(calls)
    _forget_font_caches(monkeypatch)
    find_font(THEME.fonts.chart)
    assert len(calls) == asked  # unchanged state: no fontconfig call at all
    (folder / "new.ttf").write_bytes(b"")  # a font installed: the folder's time changes
    os.utime(folder, ns=(0, 12345))
    _forget_font_caches(monkeypatch)
    find_font(THEME.fonts.chart)
    assert len(calls) > asked


def _forget_font_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_disk_data", None)
    for cached in (fonts._fc_match, fonts._fc_list_zh, fonts._fontconfig_answers):
        cached.cache_clear()
    fonts._faces_cached.cache_clear()
    fonts._cmap_cached.cache_clear()
    fonts._cmap_union.cache_clear()
    charts._chart_font.cache_clear()


# --- charts ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SAMPLES))
def test_png_from_the_layout_pass_equals_savefig(name: str) -> None:
    import matplotlib

    from khzreport.charts import drawing

    fig = draw(SAMPLES[name](), THEME)
    taken = charts._png(fig, THEME.chart.dpi)
    with matplotlib.rc_context(drawing.rc_params(THEME)):
        saved = io.BytesIO()
        fig.savefig(saved, format="png", dpi=THEME.chart.dpi, metadata={"Software": None})
    assert taken == saved.getvalue()


def test_pdf_svg_keeps_text_as_text_in_the_chart_font() -> None:
    font, bold = charts.chart_font(THEME)
    out = render_both(SAMPLES["big_number"](), THEME)
    assert b"<text" not in out.svg  # Word and browsers get outlines
    text_svg = out.pdf_svg.decode()
    assert "<text" in text_svg and "<path d=" in text_svg
    assert f"font-family: '{fonts.family_names(font)[0]}'" in text_svg
    if bold is not None and bold.path != font.path:
        assert "font-weight: 700" in text_svg
    assert render_both(SAMPLES["big_number"](), THEME).pdf_svg == out.pdf_svg


def test_charts_drawn_in_two_processes_equal_those_drawn_in_one(tmp_path: Path) -> None:
    # In a fresh process: this one may run threads (which rule the second process out).
    code = textwrap.dedent("""
        import os, sys
        from pathlib import Path
        import khzreport.charts as charts
        from khzreport.charts import ChartCache
        from tests.support.charts import SAMPLES, THEME
        if not charts._can_fork():
            print("skip")
            sys.exit(0)
        several = [make() for make in SAMPLES.values()]
        forked = ChartCache(Path(sys.argv[1]) / "a").get_all(several, THEME)
        assert charts.render_count() == len(several)
        os.environ[charts.CHART_PROCESSES_ENV] = "1"
        alone = ChartCache(Path(sys.argv[1]) / "b").get_all(several, THEME)
        assert list(forked) == [c.id for c in several]
        assert forked == alone
        print("ok")
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tests"))
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    if done.stdout.strip() == "skip":
        pytest.skip("no second process here (platform or one CPU)")
    assert done.stdout.strip() == "ok"


def test_chart_cache_keeps_every_drawing(tmp_path: Path) -> None:
    chart = SAMPLES["combo"]()
    drawn = ChartCache(tmp_path).get(chart, THEME)
    again = ChartCache(tmp_path).get(chart, THEME)
    assert again == drawn and again.pdf_svg.startswith(b"<?xml")


def test_matplotlib_font_list_is_kept_between_processes(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import sys
        from pathlib import Path
        from khzreport.charts import ChartCache
        from khzreport.document import ChartData, ChartPoint, ChartSeries
        from khzreport.theme import Theme
        point = ChartPoint("电子信息", 742.0, "突破740亿元")
        chart = ChartData(id="one", kind="bar", title="一", categories=("电子信息",),
                          series=(ChartSeries(None, (point,), "亿元"),), unit_line="单位：亿元")
        ChartCache(Path(sys.argv[1])).get(chart, Theme())
        assert sys.modules["matplotlib"]
    """)
    env = {k: v for k, v in os.environ.items() if k != "MPLCONFIGDIR"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, env=env)
    assert list((tmp_path / "matplotlib").glob("fontlist-v*.json"))


# --- DOCX --------------------------------------------------------------------------------


def test_cached_docx_base_gives_the_bytes_of_a_fresh_one() -> None:
    from khzreport.writers import docx as writer
    from tests.support.documents import sample_document

    doc, gov = sample_document(), sample_document(load_theme("gov", None))
    first = writer.render_docx(doc, {})
    other = writer.render_docx(gov, {})  # another theme's base in between
    writer._BASES.clear()
    assert writer.render_docx(doc, {}) == first
    assert writer.render_docx(gov, {}) == other != first


# --- PDF ---------------------------------------------------------------------------------


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Return every object's body, object streams unpacked (a minimal reader for the test)."""
    bodies = {
        int(m[1]): m[2].strip()
        for m in re.finditer(rb"(?s)(?:^|\n)(\d+) 0 obj\s*(.*?)\s*endobj", pdf)
    }
    for number, body in list(bodies.items()):
        if body.startswith(b"<</Type/ObjStm"):
            first = int(re.search(rb"/First (\d+)", body)[1])  # type: ignore[index]
            data = zlib.decompress(body[body.index(b"stream\n") + 7 : body.rindex(b"endstream")])
            head = data[:first].split()
            offsets = [(int(head[i]), int(head[i + 1])) for i in range(0, len(head), 2)]
            for k, (inner, offset) in enumerate(offsets):
                end = offsets[k + 1][1] if k + 1 < len(offsets) else len(data) - first
                bodies[inner] = data[first + offset : first + end].strip()
            del bodies[number]
    return bodies


def test_compacted_pdf_holds_the_same_objects() -> None:
    from khzreport.writers import pdf as writer
    from tests.support.documents import sample_document
    from tests.support.pdf import charts as sample_charts

    raw = {}
    real = writer._compact
    try:
        writer._compact = lambda data: raw.setdefault("pdf", data)  # type: ignore[assignment]
        writer.render_pdf(sample_document(), sample_charts())
    finally:
        writer._compact = real
    original = raw["pdf"]
    compact = writer._compact(original)
    assert len(compact) < len(original)
    assert b"/Type/ObjStm" in compact and b"/Type/XRef" in compact
    before, after = _objects(original), _objects(compact)
    after = {n: b for n, b in after.items() if not b.startswith(b"<</Type/XRef")}
    assert after == before
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(compact))
    assert len(reader.pages) == len(pypdf.PdfReader(io.BytesIO(original)).pages)
    assert reader.trailer["/ID"] == pypdf.PdfReader(io.BytesIO(original)).trailer["/ID"]
    assert page_count(compact) == len(reader.pages)


@pytest.mark.parametrize(
    "data",
    [
        b"not a pdf",
        b"%PDF-1.4\n1 0 obj\n<</Type/StructElem>>\nendobj\n",
        b"%PDF-1.7\n%%EOF\n",
    ],
)
def test_compact_leaves_anything_unexpected_alone(data: bytes) -> None:
    from khzreport.writers import pdf as writer

    assert writer._compact(data) == data


def test_pdf_charts_are_text_in_the_embedded_fonts(tmp_path: Path) -> None:
    from khzreport import api

    example = ROOT / "examples" / "kunshan-2023" / "report.yaml"
    source = tmp_path / "src"
    shutil.copytree(example.parent, source)
    doc = api.resolve(api.load(source / "report.yaml"))
    rendered = ChartCache(tmp_path / "cache").get_all(doc.charts(), doc.theme)
    from khzreport.writers.pdf import render_pdf

    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(render_pdf(doc, rendered))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "单位：亿元" in text  # a chart's unit line, set as text
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    names = [row.split()[0].split("+")[-1] for row in listing.splitlines()[2:]]
    assert len(names) == len(set(names))  # no face embedded twice
    assert pdf.stat().st_size <= 400 * 1024
