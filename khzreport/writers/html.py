"""Write a resolved :class:`~khzreport.document.Document` as one self-contained HTML page.

The page needs nothing from the network: charts are inline SVG, photos are ``data:`` URIs,
the stylesheet is generated from the theme into a ``<style>`` element and the fonts are named,
not downloaded. A Content-Security-Policy ``<meta>`` tells the browser to refuse any request
the page might still try to make.

The markup comes from Jinja2 templates in ``templates/html/``: ``page.html.j2`` lays out the
page and ``blocks.html.j2`` holds one macro per block type, named after the block class in
snake case (``KpiPanel`` → ``kpi_panel``). Python only prepares what a template cannot do
safely: it groups blocks into chapters, cleans and inlines chart SVG, and encodes images.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from lxml import etree
from markupsafe import Markup

from ..charts import render_document_charts
from ..diagnostics import Diagnostics
from ..document import (
    Block,
    Cover,
    Distribution,
    Document,
    Figure,
    Heading,
    Masthead,
    Run,
    Signature,
    Toc,
    runs_in,
)
from ..errors import KhzReportError, Location, ValidationError
from ..resources import template_path
from ..source.assets import read_checked
from ..theme import Theme
from .base import channel, not_rendered

__all__ = ["SvgChart", "clean_svg", "render_html"]


class SvgChart(Protocol):
    """What the HTML writer needs of a rendered chart (``khzreport.charts.RenderedChart``)."""

    @property
    def svg(self) -> bytes:
        """The chart as an SVG file."""

    @property
    def width_cm(self) -> float:
        """The drawn width in centimetres (the chart is never shown wider)."""

    @property
    def alt(self) -> str:
        """A text description of the chart."""


@dataclass(frozen=True)
class _ChartMedia:
    svg: Markup
    width_cm: float
    phone: Markup | None = None
    """The chart drawn at :data:`PHONE_CHART_WIDTH_CM`, shown instead on narrow screens."""


@dataclass(frozen=True)
class _ImageMedia:
    data_uri: str
    width: int | None
    height: int | None
    symbol: str | None = None
    """The id of the page's one copy of a photo several figures show (drawn with ``<use>``)."""


@dataclass(frozen=True)
class _Item:
    """One thing the page template draws: a block (``macro`` names its macro) or a chapter."""

    macro: str
    block: Any
    media: _ChartMedia | _ImageMedia | None = None
    children: tuple[_Item, ...] = ()
    notes: tuple[Run, ...] = ()
    """The footnote marks of a chapter, whose notes are listed at its end."""


_FRONT = (Masthead, Cover, Toc)
_IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_LABELS = {
    "zh": {"page": "第 {page} 页 / 共 {pages} 页", "missing": "此图未能生成", "colon": "："},
    "en": {"page": "Page {page} of {pages}", "missing": "Figure not available", "colon": ": "},
}
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
PHONE_CHART_WIDTH_CM = 8.5
"""Width a chart is drawn at a second time for screens under 720 px wide. A 15.5 cm chart
shrunk into a 420 px phone shows its 8 pt labels at 7 px; drawn this narrow (labels wrap
and bars thin out, as matplotlib lays them out for the width), the same labels show at
11 px or more on a screen 360 px wide and up."""


def render_html(
    document: Document,
    charts: Mapping[str, SvgChart],
    *,
    diagnostics: Diagnostics | None = None,
    phone_charts: Mapping[str, SvgChart] | bool = True,
) -> bytes:
    """Return ``document`` as a UTF-8 HTML page; ``charts`` maps ``ChartData.id`` to SVG.

    A chart missing from ``charts`` or an image file that cannot be read is reported to
    ``diagnostics`` and drawn as a placeholder holding the figure's alt text; a block type
    ``blocks.html.j2`` has no macro for is left out and reported. The same document and
    charts always give the same bytes.

    ``phone_charts`` are the charts drawn for narrow screens (see
    :data:`PHONE_CHART_WIDTH_CM`): ``True`` draws them here (from the chart cache when
    unchanged), ``False`` leaves them out, a mapping gives them.
    """
    diagnostics = channel(diagnostics)
    if phone_charts is True:
        phone_charts = _phone_charts(document, charts, diagnostics)
    elif phone_charts is False:
        phone_charts = {}
    theme = document.theme if isinstance(document.theme, Theme) else Theme()
    labels = _labels(document.meta.language)
    env = _environment()
    css = env.get_template("style.css.j2").render(
        theme=theme,
        running_header=document.meta.running_header,
        page_content=_page_counter(labels["page"]),
    )
    if "</" in css:
        raise ValidationError(
            "the theme produced a stylesheet that closes its <style> element",
            Location(path="theme"),
        )
    macros = env.get_template("blocks.html.j2").module
    drawer = _Drawer(
        macros, diagnostics, shared=_shared_photos(document.blocks), phone_charts=phone_charts
    )
    front, main, back = _arrange(document, charts, drawer)
    html = env.get_template("page.html.j2").render(
        meta=document.meta,
        layout=document.layout,
        theme_name=theme.name,
        css=Markup(css),
        csp=_CSP,
        front=front,
        main=main,
        back=back,
        labels=labels,
        photos=[p for p in drawer.photos.values() if isinstance(p, _ImageMedia) and p.symbol],
    )
    return html.replace("\r\n", "\n").encode("utf-8")


@functools.cache
def _environment() -> Environment:
    """Return the process-wide Jinja2 environment for the HTML templates."""
    env = Environment(
        loader=FileSystemLoader(str(template_path("html"))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_color"] = _css_color
    env.filters["css_string"] = _css_string
    env.filters["css_fonts"] = _css_fonts
    env.filters["css_number"] = _css_number
    return env


def _labels(language: str) -> dict[str, str]:
    """Return the writer's own words (page numbers, placeholders) for ``language``."""
    return _LABELS.get(language.split("-")[0].lower(), _LABELS["zh"])


def _page_counter(label: str) -> Markup:
    """Return a CSS ``content`` value for a page label with ``{page}`` and ``{pages}``."""
    parts: list[str] = []
    for piece in re.split(r"(\{pages?\})", label):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(str(_css_string(piece)))
    return Markup(" ".join(parts))


# --- arranging blocks -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Drawer:
    """The macros of ``blocks.html.j2`` and the channel to report blocks they cannot draw.

    ``photos`` keeps each photo file read once; one that several figures show is embedded
    once in the page (an SVG ``<symbol>``) and each figure draws it with ``<use>``, so the
    page grows with the photos it holds, not with the figures that show them.
    """

    macros: Any
    diagnostics: Diagnostics
    photos: dict[str, _ChartMedia | _ImageMedia | None] = field(default_factory=dict)
    shared: frozenset[str] = frozenset()
    phone_charts: Mapping[str, SvgChart] = field(default_factory=dict)

    def draws(self, block: Block) -> bool:
        if hasattr(self.macros, block.kind):
            return True
        not_rendered(self.diagnostics, "html", block)
        return False


def _arrange(
    document: Document, charts: Mapping[str, SvgChart], drawer: _Drawer
) -> tuple[list[_Item], list[_Item], list[_Item]]:
    """Split the blocks into the page's front matter, main content and closing blocks.

    Leading masthead, cover and TOC form the front; trailing distribution lines the back.
    In between, each level-1 heading opens a chapter that runs to the next one.
    """
    blocks = [b for b in document.blocks if drawer.draws(b)]
    start = 0
    while start < len(blocks) and isinstance(blocks[start], _FRONT):
        start += 1
    end = len(blocks)
    while end > start and isinstance(blocks[end - 1], Distribution):
        end -= 1
    front = [_item(b, document, charts, drawer) for b in blocks[:start]]
    back = [_item(b, document, charts, drawer) for b in blocks[end:]]
    main: list[_Item] = []
    chapter: tuple[Heading, list[_Item]] | None = None
    for block in blocks[start:end]:
        if isinstance(block, Heading) and block.level == 1:
            if chapter is not None:
                main.append(_chapter(*chapter))
            chapter = (block, [])
            continue
        item = _item(block, document, charts, drawer)
        if chapter is None:
            main.append(item)
        else:
            chapter[1].append(item)
    if chapter is not None:
        main.append(_chapter(*chapter))
    loose = tuple(r for item in main if item.macro != "section" for r in _note_marks(item.block))
    if loose:
        main.append(_Item("notes", None, None, (), loose))
    return front, main, back


def _chapter(heading: Heading, children: list[_Item]) -> _Item:
    marks = tuple(r for item in children for r in _note_marks(item.block))
    return _Item("section", heading, None, tuple(children), marks)


def _note_marks(obj: Any) -> Iterable[Run]:
    """Yield the footnote marks of a block in reading order."""
    return (run for run in runs_in(obj) if run.note is not None)


def _item(
    block: Block, document: Document, charts: Mapping[str, SvgChart], drawer: _Drawer
) -> _Item:
    media: _ChartMedia | _ImageMedia | None = None
    if isinstance(block, Figure) and block.chart is None and block.image is not None:
        if block.image not in drawer.photos:
            photo = _figure_media(block, document, charts, drawer.diagnostics)
            if isinstance(photo, _ImageMedia) and photo.width and block.image in drawer.shared:
                symbol = f"photo-{len(drawer.photos) + 1}"
                photo = _ImageMedia(photo.data_uri, photo.width, photo.height, symbol)
            drawer.photos[block.image] = photo
        media = drawer.photos[block.image]
    elif isinstance(block, Signature) and block.seal is not None:
        media = _seal_media(block, drawer.diagnostics)
    elif isinstance(block, Figure):
        media = _figure_media(block, document, charts, drawer.diagnostics)
        phone = drawer.phone_charts.get(block.chart.id) if block.chart is not None else None
        if isinstance(media, _ChartMedia) and phone is not None:
            label = block.alt or phone.alt
            svg = clean_svg(phone.svg, prefix=f"fig{block.number}p-", label=label)
            media = dataclasses.replace(media, phone=Markup(svg))
    return _Item(block.kind, block, media)


def chart_kinds(document: Document, **_: Any) -> dict[str, frozenset[str]]:
    """Return the drawing of each chart the page uses: its SVG with the text as outlines."""
    return {chart.id: frozenset({"svg"}) for chart in document.charts()}


def _phone_charts(
    document: Document, charts: Mapping[str, SvgChart], diagnostics: Diagnostics
) -> Mapping[str, SvgChart]:
    """Return the document's charts drawn :data:`PHONE_CHART_WIDTH_CM` wide, by chart id.

    Only charts drawn for the page are drawn again; font warnings go into ``diagnostics``,
    where they repeat the wide drawing's and are recorded once.
    """
    drawn = [c for c in document.charts() if c.id in charts]
    theme = document.theme if isinstance(document.theme, Theme) else Theme()
    if not drawn or theme.chart.width_cm <= PHONE_CHART_WIDTH_CM:
        return {}
    narrow = theme.model_copy(
        update={"chart": theme.chart.model_copy(update={"width_cm": PHONE_CHART_WIDTH_CM})}
    )
    phone = dataclasses.replace(document, theme=narrow)
    return render_document_charts(phone, diagnostics=diagnostics, kinds=chart_kinds(phone))


def _shared_photos(blocks: Iterable[Block]) -> frozenset[str]:
    """Return the photo files more than one figure shows."""
    seen: set[str] = set()
    shared: set[str] = set()
    for block in blocks:
        if isinstance(block, Figure) and block.chart is None and block.image is not None:
            (shared if block.image in seen else seen).add(block.image)
    return frozenset(shared)


def _figure_media(
    figure: Figure,
    document: Document,
    charts: Mapping[str, SvgChart],
    diagnostics: Diagnostics,
) -> _ChartMedia | _ImageMedia | None:
    """Return the inline SVG or data URI of a figure, or None (reported) if there is none."""
    where = f"{figure.label} {figure.caption}"
    if figure.chart is not None:
        rendered = charts.get(figure.chart.id)
        if rendered is None:
            diagnostics.warn(
                "chart-not-rendered",
                f"not rendered: chart '{figure.chart.id}' ({where}): no SVG was supplied",
                figure.origin,
            )
            return None
        svg = clean_svg(
            rendered.svg, prefix=f"fig{figure.number}-", label=figure.alt or rendered.alt
        )
        return _ChartMedia(Markup(svg), rendered.width_cm)
    if figure.image is not None:
        return _image_media(figure, where, diagnostics)
    diagnostics.warn(
        "figure-not-rendered",
        f"not rendered: {where} has neither a chart nor an image",
        figure.origin,
    )
    return None


def _image_media(figure: Figure, where: str, diagnostics: Diagnostics) -> _ImageMedia | None:
    """Return a photo as a data URI, or None (reported) if its file is gone or changed.

    The resolve stage confined and checked the photo; :func:`read_checked` reads it under the
    same check, so this writer accepts exactly the photos the other formats do.
    """
    path = Path(figure.image or "")
    try:
        data = read_checked(path, figure.origin, where)
    except KhzReportError as exc:
        diagnostics.warn(
            "image-not-rendered", f"not rendered: {exc.message}", figure.origin, exc.hint
        )
        return None
    mime = _IMAGE_TYPES[path.suffix.lower()]
    width, height = _image_size(path)
    return _ImageMedia(
        f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", width, height
    )


def _seal_media(block: Signature, diagnostics: Diagnostics) -> _ImageMedia | None:
    """Return the 落款's seal as a data URI, or None (reported) if its file is gone or changed."""
    path = Path(block.seal or "")
    try:
        data = read_checked(path, block.origin, "the seal of the 落款")
    except KhzReportError as exc:
        diagnostics.warn(
            "image-not-rendered", f"not rendered: {exc.message}", block.origin, exc.hint
        )
        return None
    width, height = _image_size(path)
    mime = _IMAGE_TYPES[path.suffix.lower()]
    return _ImageMedia(
        f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", width, height
    )


def _image_size(path: Path) -> tuple[int | None, int | None]:
    """Return the pixel size of an image (so the page does not jump as it loads)."""
    try:
        from PIL import Image  # Pillow only when a document has a photo

        with Image.open(path) as img:
            return int(img.width), int(img.height)
    except Exception:  # an unreadable header only costs the size hint
        return None, None


# --- SVG ---------------------------------------------------------------------------------------

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_DROP_ELEMENTS = {
    "script",
    "foreignObject",
    "metadata",
    "iframe",
    "embed",
    "object",
    "set",
    "animate",
    "animateMotion",
    "animateTransform",
    "animateColor",
    "handler",
    "listener",
}
_UNWRAP_ELEMENTS = {"a"}
_URL_REF = re.compile(r"url\(\s*['\"]?#([^)'\"\s]+)['\"]?\s*\)")
_ANY_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)
_SAFE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")
_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(pt|px)?\s*$")


def clean_svg(svg: bytes, *, prefix: str, label: str) -> str:
    """Return an SVG file as markup to place inside HTML.

    Drop the XML prolog, doctype, comments, metadata, namespaces and anything active
    (scripts, event handlers, animations, links, external references). Prefix the ids the
    drawing refers to with ``prefix`` so that two charts on one page cannot clash, remove the
    others, and label the drawing for assistive technology (``role="img"``, ``aria-label``).
    """
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )
    try:
        root = etree.fromstring(svg, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"chart SVG cannot be parsed: {exc}") from None
    if root.tag != f"{{{_SVG_NS}}}svg":
        raise ValueError(f"chart SVG has root element {root.tag!r}, expected svg")
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        if qname.namespace == _SVG_NS and qname.localname in _UNWRAP_ELEMENTS:
            _unwrap(el)
        elif qname.namespace != _SVG_NS or qname.localname in _DROP_ELEMENTS:
            _remove(el)
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    referenced: set[str] = set()
    for el in elements:
        el.tag = etree.QName(el).localname
        for key in list(el.attrib):
            value = el.attrib[key]
            if key == _XLINK_HREF:
                del el.attrib[key]
                key = "href"
                if key in el.attrib:
                    continue
                el.attrib[key] = value
            elif key.startswith("{") or key.lower().startswith("on"):
                del el.attrib[key]
                continue
            if key == "href":
                if value.startswith("#"):
                    referenced.add(value[1:])
                elif not (el.tag == "image" and _SAFE_DATA.match(value)):
                    del el.attrib[key]
                continue
            if _ANY_URL.search(value) or "javascript:" in value.lower():
                del el.attrib[key]
                continue
            referenced.update(_URL_REF.findall(value))
            if key in ("d", "points"):
                el.attrib[key] = " ".join(value.split())
        if el.tag == "style" and el.text is not None:
            if _ANY_URL.search(el.text) or "@import" in el.text.lower():
                el.text = None
            else:
                referenced.update(_URL_REF.findall(el.text))
    for el in elements:
        ident = el.attrib.get("id")
        if ident is None:
            continue
        if ident in referenced:
            el.attrib["id"] = prefix + ident
        else:
            del el.attrib["id"]
    for el in elements:
        for key, value in list(el.attrib.items()):
            if key == "href" and value.startswith("#"):
                el.attrib[key] = "#" + prefix + value[1:]
            elif "url(" in value:
                el.attrib[key] = _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", value)
    _size_to_viewbox(root)
    root.attrib["role"] = "img"
    root.attrib["aria-label"] = label
    root.attrib["class"] = "chart"
    root.attrib["focusable"] = "false"
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="unicode", method="xml")


def _remove(el: Any) -> None:
    """Remove an element but keep the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _unwrap(el: Any) -> None:
    """Replace an element by its children (a link around part of a drawing keeps the part)."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    children = list(el)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if el.tail:
        last = children[-1] if children else el.getprevious()
        if last is not None:
            last.tail = (last.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _size_to_viewbox(root: Any) -> None:
    """Make the drawing scale with the page: keep only a viewBox, not a fixed size."""
    width = _LENGTH.match(root.attrib.get("width", ""))
    height = _LENGTH.match(root.attrib.get("height", ""))
    if "viewBox" not in root.attrib and width and height:
        root.attrib["viewBox"] = f"0 0 {width.group(1)} {height.group(1)}"
    if "viewBox" in root.attrib:
        root.attrib.pop("width", None)
        root.attrib.pop("height", None)
    for key in ("version", "style", "x", "y"):
        root.attrib.pop(key, None)


# --- CSS filters -------------------------------------------------------------------------------

_HEX_COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")


def _css_color(value: object, field: str = "colors") -> Markup:
    """Return a theme colour for CSS, refusing anything that is not ``#RGB`` or ``#RRGGBB``."""
    if not isinstance(value, str) or not _HEX_COLOR.match(value):
        raise ValidationError(
            f"expected a colour as #RRGGBB, got {value!r}",
            Location(path=f"theme.{field}"),
            "for example #1F4E79",
        )
    return Markup(value.upper())


def _css_string(value: object) -> Markup:
    """Return text as a quoted CSS string, escaping every character that could end it."""
    out = []
    for ch in str(value):
        if ch.isalnum() or ch in " -_.,:;/()[]，。：、（）":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return Markup('"' + "".join(out) + '"')


def _css_fonts(families: Iterable[object], *fallbacks: str) -> Markup:
    """Return a CSS font stack: the theme's families, then ``fallbacks`` (generic last)."""
    generic = {"serif", "sans-serif", "monospace", "system-ui"}
    seen: list[str] = []
    for name in [*families, *fallbacks]:
        text = str(name)
        if text and text not in seen:
            seen.append(text)
    return Markup(", ".join(n if n in generic else str(_css_string(n)) for n in seen))


def _css_number(value: object, unit: str = "") -> Markup:
    """Return a number with a CSS unit (``11.5pt``), refusing anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"expected a number, got {value!r}", Location(path="theme"))
    if not re.fullmatch(r"[a-z%]*", unit):
        raise ValueError(f"bad CSS unit {unit!r}")
    return Markup(f"{float(value):g}{unit}")
