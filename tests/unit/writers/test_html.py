"""Tests of the HTML edition: content, escaping, self-containment, structure, determinism."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import matplotlib
import pytest
from matplotlib.figure import Figure as MplFigure

from khzreport.document import Document, Figure, Heading, KpiCard, KpiPanel, Paragraph, Run
from khzreport.errors import ValidationError
from khzreport.theme import Colors, Theme
from khzreport.writers.html import SvgChart, clean_svg, render_html
from tests.support.documents import INDUSTRY_CHART, sample_document, sample_photo

HOSTILE = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>']


@dataclass(frozen=True)
class FakeChart:
    """Stands in for ``khzreport.charts.RenderedChart`` until that module exists."""

    svg: bytes
    png: bytes
    width_cm: float
    height_cm: float
    alt: str


def fake_chart(title: str = "Industry scale") -> FakeChart:
    """Return a small bar chart drawn by matplotlib's SVG backend (ASCII text only)."""
    with matplotlib.rc_context({"svg.hashsalt": "khz-test"}):
        fig = MplFigure(figsize=(6.1, 3.05))
        ax = fig.add_subplot()
        ax.bar(["A", "B", "C"], [740, 500, 140])
        ax.set_title(title)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return FakeChart(buf.getvalue(), b"", 15.5, 7.75, "bar chart")


@pytest.fixture(scope="module")
def charts() -> dict[str, SvgChart]:
    return {INDUSTRY_CHART.id: fake_chart()}


@pytest.fixture
def photo_doc(tmp_path: Path) -> Document:
    doc = sample_document(image=sample_photo(str(tmp_path)))
    return dataclasses.replace(doc, base_dir=str(tmp_path))


def render(doc: Document, charts: Mapping[str, SvgChart]) -> str:
    return render_html(doc, charts).decode("utf-8")


def text_of(html: str) -> str:
    return " ".join(lxml.html.document_fromstring(html).text_content().split())


# --- content -----------------------------------------------------------------------------------


def test_holds_titles_kpis_captions_and_distribution(
    photo_doc: Document, charts: dict[str, SvgChart]
) -> None:
    html = render(photo_doc, charts)
    tree = lxml.html.document_fromstring(html)
    text = text_of(html)
    assert tree.findtext(".//title") == "昆山高新区2023年度发展简报"
    for expected in (
        "昆山高新区发展简报",
        "第1期",
        "布局新赛道新领域",
        "构筑现代化产业体系",
        "创新平台加速汇聚",
        "电子信息产业集群规模",
        "较上年上升3位",
        "68.5",
        "5654",
        "第32名",
        "中科可控智能产线",
        "——范斌，昆山协鑫光电材料有限公司董事长",
        "报送",
        "昆山市委、市政府",
        "资料来源：昆山高新区管委会",
        "单位：个",
        "主导产业",
        "27亩",
    ):
        assert expected in text, expected
    captions = [" ".join(c.text_content().split()) for c in tree.iter("figcaption")]
    assert any(c.startswith("图1 “2+2+3”产业体系主要产业规模") for c in captions), captions
    assert any(c.startswith("图2 协鑫光电") for c in captions), captions
    table_caption = " ".join(tree.find(".//table/caption").text_content().split())
    assert table_caption.startswith("表1 科技项目落户情况")


def test_bound_numbers_are_marked(charts: dict[str, SvgChart]) -> None:
    tree = lxml.html.document_fromstring(render(sample_document(), charts))
    spans = {s.get("data-indicator"): s.text_content() for s in tree.find_class("num")}
    assert spans["cluster_electronics"] in ("突破740亿元", "740")
    assert spans["ac_output"] == "近140亿元"
    assert spans["automation"] == "95%"
    lead = tree.find_class("lead")[0]
    assert lead.tag == "p"
    assert lead.text_content() == (
        "2023年，昆山高新区电子信息、装备制造两大主导产业集群规模分别突破740亿元、500亿元。"
    )


def test_cover_variant_draws_a_title_block(charts: dict[str, SvgChart]) -> None:
    tree = lxml.html.document_fromstring(render(sample_document(masthead=False), charts))
    header = tree.find(".//header")
    assert header.get("class") == "cover"
    assert header.findtext(".//h1") == "昆山高新区2023年度发展简报"


# --- escaping ----------------------------------------------------------------------------------


def hostile_document(payload: str) -> Document:
    doc = sample_document()
    blocks = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            block = Paragraph((Run(payload), Run(payload, payload)), block.style)
        elif isinstance(block, Heading):
            block = dataclasses.replace(block, text=payload, second_line=payload)
        elif isinstance(block, KpiPanel):
            block = KpiPanel(
                (KpiCard(payload, payload, payload, payload, "", payload, payload),), title=payload
            )
        elif isinstance(block, Figure):
            block = dataclasses.replace(block, caption=payload, alt=payload, source=payload)
        blocks.append(block)
    meta = dataclasses.replace(
        doc.meta, title=payload, author=payload, keywords=(payload,), running_header=payload
    )
    return dataclasses.replace(doc, meta=meta, blocks=tuple(blocks))


@pytest.mark.parametrize("payload", HOSTILE)
def test_text_is_escaped(payload: str, charts: dict[str, SvgChart]) -> None:
    html = render(hostile_document(payload), charts)
    tree = lxml.html.document_fromstring(html)
    assert tree.findall(".//script") == []
    assert all(img.get("onerror") is None for img in tree.iter("img"))
    assert all(img.get("src", "").startswith("data:") for img in tree.iter("img"))
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert payload in tree.findtext(".//title")
    assert payload in text_of(html)
    style = tree.findtext(".//style")
    assert "</" not in style and "<" not in style


def test_bad_theme_colour_is_refused(charts: dict[str, SvgChart]) -> None:
    payload = "red}</style><script>alert(1)</script>"
    with pytest.raises(ValueError, match="expected a colour"):
        Colors(primary=payload)
    # the writer refuses it too, should a theme reach it without validation
    theme = Theme.model_construct(
        **{
            **dict(Theme()),
            "colors": Colors.model_construct(**{**dict(Colors()), "primary": payload}),
        }
    )
    with pytest.raises(ValidationError, match=r"theme\.colors\.primary"):
        render_html(sample_document(theme), charts)


def test_svg_is_cleaned_of_anything_active() -> None:
    svg = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="100pt" height="50pt" onload="alert(1)">
 <!-- a comment -->
 <metadata><x>https://matplotlib.org/</x></metadata>
 <script>alert(2)</script>
 <defs><clipPath id="clip"><rect width="10" height="10"/></clipPath>
   <path id="glyph" d="M 0 0
 L 1 1"/></defs>
 <g id="unused" clip-path="url(#clip)" style="fill: url(http://evil.example/x)">
  <use xlink:href="#glyph"/>
  <use href="http://evil.example/sprite.svg#x"/>
  <a xlink:href="javascript:alert(3)"><text>kept</text></a>
  <foreignObject><div>html</div></foreignObject>
  <set attributeName="href" to="javascript:alert(4)"/>
  <text>a &lt; b &amp; &lt;/svg&gt;</text>
 </g>
</svg>"""
    out = clean_svg(svg, prefix="fig9-", label='"><script>x</script>')
    for gone in (
        "<?xml",
        "DOCTYPE",
        "<!--",
        "metadata",
        "script>",
        "onload",
        "http",
        "xmlns",
        "javascript",
        "foreignObject",
        "<set",
        "<a",
        'id="unused"',
        "evil",
    ):
        assert gone not in out, gone
    assert out.startswith('<svg viewBox="0 0 100 50"')
    assert 'id="fig9-clip"' in out and 'clip-path="url(#fig9-clip)"' in out
    assert 'id="fig9-glyph"' in out and 'href="#fig9-glyph"' in out
    assert 'd="M 0 0 L 1 1"' in out
    assert "<text>kept</text>" in out
    assert "a &lt; b &amp; &lt;/svg&gt;" in out
    assert 'role="img"' in out and 'aria-label="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in out


# --- self-contained ----------------------------------------------------------------------------


def test_no_urls_and_no_external_resources(
    photo_doc: Document, charts: dict[str, SvgChart]
) -> None:
    html = render(photo_doc, charts)
    assert "http://" not in html and "https://" not in html
    tree = lxml.html.document_fromstring(html)
    assert tree.findall(".//link") == [] and tree.findall(".//script") == []
    for el in tree.iter():
        for attr in ("src", "href"):
            value = el.get(attr)
            if value is not None:
                assert value.startswith(("data:", "#")), (el.tag, value)
    assert "@import" not in html
    # a font face may only name a font installed on the reader's machine
    for face in re.findall(r"@font-face\s*\{(.*?)\}", html, re.S):
        sources = re.search(r"src:(.*?);", face, re.S)
        assert sources is not None
        assert re.fullmatch(r'(\s*local\("[^"]+"\),?)+', sources.group(1)), face
    assert not re.search(r"url\((?!#)", html)
    csp = tree.find('.//meta[@http-equiv="Content-Security-Policy"]')
    assert csp is not None and "default-src 'none'" in csp.get("content")


def test_charts_are_inline_svg(charts: dict[str, SvgChart]) -> None:
    html = render(sample_document(), charts)
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    tree = lxml.html.document_fromstring(html)
    figure = tree.get_element_by_id("figure-1")
    assert figure.tag == "figure"
    # the chart as laid out, and drawn again for a phone's width (shown under 720 px)
    wide, phone = (figure.find_class(f"{kind}-only")[0] for kind in ("wide", "phone"))
    assert len(list(wide.iter("svg"))) == 1 and len(list(phone.iter("svg"))) == 1
    svg = next(wide.iter("svg"))
    assert next(phone.iter("svg")).get("aria-label") == svg.get("aria-label")
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == (
        "柱状图：电子信息突破740亿元；高端装备突破500亿元；先进计算近140亿元"
    )
    assert svg.get("viewbox") is not None and svg.get("width") is None
    assert figure[-1].tag == "figcaption"
    assert svg.find(".//path") is not None


def test_images_are_data_uris(photo_doc: Document, charts: dict[str, SvgChart]) -> None:
    tree = lxml.html.document_fromstring(render(photo_doc, charts))
    imgs = list(tree.iter("img"))
    assert len(imgs) == 1
    assert imgs[0].get("src").startswith("data:image/jpeg;base64,/9j/")
    assert imgs[0].get("alt") == "协鑫光电钙钛矿组件生产线"
    assert (imgs[0].get("width"), imgs[0].get("height")) == ("800", "500")


def test_missing_chart_and_image_are_logged_and_placeheld(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    doc = sample_document(image=str(tmp_path / "absent.jpg"))
    with caplog.at_level(logging.WARNING, logger="khzreport.writers.html"):
        html = render(doc, {})
    messages = [r.getMessage() for r in caplog.records]
    assert any("industry_scale" in m and "图1" in m for m in messages), messages
    assert any("absent.jpg" in m for m in messages), messages
    tree = lxml.html.document_fromstring(html)
    holders = tree.find_class("media-missing")
    assert len(holders) == 2
    assert holders[0].get("aria-label").startswith("柱状图")


def test_image_is_read_under_the_one_photo_check(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from PIL import Image

    gif = tmp_path / "photo.gif"
    Image.new("RGB", (40, 30), "#C00000").save(gif)
    with caplog.at_level(logging.WARNING, logger="khzreport.writers.html"):
        html = render(sample_document(image=str(gif)), {})
    assert "base64" not in html
    assert any("photos must be PNG or JPEG" in r.getMessage() for r in caplog.records)


# --- structure and determinism -----------------------------------------------------------------

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Balance(HTMLParser):
    """Check that every element is closed, in order (self-closing only inside SVG)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID and "svg" not in self.stack:
            self.problems.append(f"self-closed <{tag}/> outside SVG")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_structure(photo_doc: Document, charts: dict[str, SvgChart]) -> None:
    html = render(photo_doc, charts)
    assert html.startswith("<!DOCTYPE html>\n")
    checker = _Balance()
    checker.feed(html)
    checker.close()
    assert checker.problems == [] and checker.stack == []

    tree = lxml.html.document_fromstring(html)
    assert tree.get("lang") == "zh-CN"
    metas = {m.get("name"): m.get("content") for m in tree.iter("meta") if m.get("name")}
    assert metas["viewport"].startswith("width=device-width")
    assert metas["author"] == "昆山高新区管委会"
    assert metas["keywords"] == "昆山高新区, 年度报告"
    assert tree.find(".//meta[@charset]").get("charset") == "utf-8"

    ids = [el.get("id") for el in tree.iter() if el.get("id") is not None]
    assert len(ids) == len(set(ids)), "duplicate ids"
    nav = tree.find(".//nav")
    links = [a.get("href") for a in nav.iter("a")]
    assert links == ["#sec-industry", "#sec-platforms"]
    for href in (a.get("href") for a in tree.iter("a")):
        assert href[1:] in ids, href

    body = tree.find("body")
    paper = body[0]
    assert [el.tag for el in paper] == ["header", "nav", "main", "footer"]
    assert paper[3].get("class") == "distribution"
    sections = paper[2].findall("section")
    assert len(sections) == 2
    h2 = sections[0][0]
    assert h2.tag == "h2" and h2.get("id") == "sec-industry"
    assert h2.find_class("second")[0].text == "构筑现代化产业体系"
    assert sections[0].get("aria-labelledby") == "sec-industry"
    assert sections[1].find(".//h3").get("id") == "sec-platforms-1"

    grid = tree.find_class("kpi-grid")[0]
    assert grid.tag == "ul" and len(grid) == 4
    assert grid[1].get("class") == "kpi-card up"

    table = tree.find(".//table")
    assert [c.tag for c in table] == ["caption", "colgroup", "thead", "tbody"]
    assert [c.get("style") for c in table.find("colgroup")] == [
        "width: 58.86%",
        "width: 41.14%",
    ]
    assert table.find("thead/tr/th[2]").get("class") == "numeric"
    cells = table.findall("tbody/tr/td")
    assert [c.text for c in cells][-1] == "305个"
    assert all(c.get("class") == "numeric align-right" for c in cells)
    assert tree.find_class("unit-line")[0].text == "单位：个"


def test_two_charts_do_not_share_ids(charts: dict[str, SvgChart]) -> None:
    doc = sample_document()
    first = next(b for b in doc.blocks if isinstance(b, Figure))
    second = dataclasses.replace(first, number=3, label="图3")
    doc = dataclasses.replace(doc, blocks=(*doc.blocks, second))
    tree = lxml.html.document_fromstring(render(doc, charts))
    assert len(list(tree.iter("svg"))) == 4  # each drawn for the page and for a phone
    ids = [el.get("id") for el in tree.iter() if el.get("id") is not None]
    assert len(ids) == len(set(ids))
    for use in tree.iter("use"):
        assert use.get("href")[1:] in ids


def test_output_is_deterministic(photo_doc: Document) -> None:
    a = render_html(photo_doc, {INDUSTRY_CHART.id: fake_chart()})
    b = render_html(photo_doc, {INDUSTRY_CHART.id: fake_chart()})
    assert a == b


def test_english_document_is_labelled_en(charts: dict[str, SvgChart]) -> None:
    doc = sample_document()
    doc = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, language="en"))
    html = render(doc, charts)
    assert '<html lang="en">' in html
    assert "counter(page)" in html and '"Page "' in html


def test_gov_theme_draws_in_its_colours(charts: dict[str, SvgChart]) -> None:
    from khzreport.source.themes import load_theme

    html = render(sample_document(load_theme("gov", None)), charts)
    assert "--masthead: #E60000;" in html
    assert "--size-body: 16pt;" in html
    assert ".heading.level-2 {\n  font-family: var(--font-quote);\n  font-weight: 400;" in html
    # printed, the page numbers stand at the outer side, with no running header
    assert '@page :left {\n  @bottom-left {\n    content: "— " counter(page) " —";' in html
    assert "@top-center" not in html and "counter(pages)" not in html


# --- a real browser ----------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.realclient
@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
@pytest.mark.parametrize("width", [1200, 420])
def test_chromium_screenshot(
    width: int, tmp_path: Path, photo_doc: Document, charts: dict[str, SvgChart]
) -> None:
    page = tmp_path / "briefing.html"
    page.write_bytes(render_html(photo_doc, charts))
    shot = tmp_path / "page.png"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--window-size={width},2400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    from PIL import Image

    with Image.open(shot) as img:
        assert img.size == (width, 2400)
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "the page looks blank"
