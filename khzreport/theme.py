"""The theme: one set of colours, fonts, sizes and switches shared by charts and all writers.

Themes are data (YAML files). Presets live in ``assets/themes/``; a source names a preset
(``theme: gov``) or a theme file next to it (``theme: mytheme.yaml``), which may start from a
preset with ``extends: briefing`` and change only what it needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import pydantic
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .errors import KhzReportError, Location, ReportValidationError, raise_all
from .limits import MAX_IMAGE_PIXELS
from .locations import format_path
from .resources import asset_path

Points = Annotated[float, Field(ge=4, le=200)]
"""A font size in points."""
Millimetres = Annotated[float, Field(ge=0, le=100)]
"""A page margin in millimetres."""

HEX_COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")


def _hex(value: str) -> str:
    if not HEX_COLOR.match(value):
        raise ValueError(f"expected a colour as #RRGGBB, got {value!r}")
    return value


Color = Annotated[str, AfterValidator(_hex)]
"""A colour written ``#RRGGBB`` (or ``#RGB``)."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Fonts(_Strict):
    """Font names for DOCX (what a Chinese office has) and for PDF/charts (files we embed).

    ``docx_*`` are names written into the Word styles (East Asian and Latin slots).
    ``pdf_*`` are family names looked up among font files (theme folder first, then the
    system's fontconfig list); ``files`` adds font files, relative to the theme or source.
    """

    docx_body_cjk: str = "宋体"
    docx_heading_cjk: str = "黑体"
    docx_body_latin: str = "Times New Roman"
    docx_heading_latin: str = "Arial"
    docx_emphasis_cjk: str = "黑体"
    docx_quote_cjk: str = "楷体"
    docx_title_cjk: str = "黑体"
    pdf_body: list[str] = Field(
        default_factory=lambda: ["Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC"]
    )
    pdf_heading: list[str] = Field(
        default_factory=lambda: ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"]
    )
    pdf_quote: list[str] = Field(
        default_factory=lambda: [
            "KaiTi_GB2312",
            "楷体_GB2312",
            "KaiTi",
            "STKaiti",
            "LXGW WenKai",
            "AR PL UKai CN",
        ],
        description="楷体 faces: quotes, and headings whose style names the quote font.",
    )
    pdf_title: list[str] = Field(
        default_factory=lambda: ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"],
        description="Faces of the masthead and the title (bold where the family has a bold).",
    )
    chart: list[str] = Field(
        default_factory=lambda: [
            "Noto Sans CJK SC",
            "Source Han Sans SC",
            "WenQuanYi Zen Hei",
            "WenQuanYi Micro Hei",
            "SimHei",
            "Microsoft YaHei",
            "PingFang SC",
        ]
    )
    latin: list[str] = Field(
        default_factory=list,
        description="A face for the Latin letters and digits of body text; unset or none "
        "found, the CJK face's own, drawn to match its weight and height.",
    )
    files: list[str] = Field(default_factory=list)


class Sizes(_Strict):
    """Font sizes in points."""

    title: Points = 24
    masthead: Points = 30
    h1: Points = 16
    h1_second: Points = 13
    h2: Points = 14
    body: Points = 11.5
    lead: Points = 12.5
    caption: Points = 9.5
    note: Points = 8.5
    kpi_value: Points = 20
    kpi_label: Points = 9
    header: Points = 8.5
    table: Points | None = Field(
        default=None, description="Table text; unset, one point under the body text."
    )


class Colors(_Strict):
    """Colours as ``#RRGGBB``."""

    primary: Color = "#1F4E79"
    accent: Color = "#C8102E"
    masthead: Color = "#C00000"
    text: Color = "#1A1A1A"
    muted: Color = "#5F6B7A"
    rule: Color = "#C00000"
    callout_bg: Color = "#EEF3F8"
    card_bg: Color = "#F4F6F9"
    up: Color = "#C8102E"
    down: Color = "#2E7D32"
    grid: Color = "#D9DEE5"
    palette: list[Color] = Field(
        default_factory=lambda: [
            "#1F4E79",
            "#2E75B6",
            "#9DC3E6",
            "#C55A11",
            "#F4B183",
            "#7F7F7F",
            "#A9D18E",
        ]
    )


PAPER_MM: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
    "Letter": (215.9, 279.4),
}
"""Width and height of each paper size, upright, in millimetres."""


class Page(_Strict):
    """Page size, orientation and margins in millimetres.

    The margins keep their sides when the page is turned: ``margin_left`` is the binding
    side of a landscape page too.
    """

    size: Literal["A4", "A3", "Letter"] = "A4"
    orientation: Literal["portrait", "landscape"] = "portrait"
    margin_top: Millimetres = 25
    margin_bottom: Millimetres = 22
    margin_left: Millimetres = 25
    margin_right: Millimetres = 22

    @property
    def width_mm(self) -> float:
        """Return the width of the page as it is set (turned when landscape)."""
        w, h = PAPER_MM[self.size]
        return h if self.orientation == "landscape" else w

    @property
    def height_mm(self) -> float:
        """Return the height of the page as it is set (turned when landscape)."""
        w, h = PAPER_MM[self.size]
        return w if self.orientation == "landscape" else h


class ChartStyle(_Strict):
    """Chart geometry: width in centimetres (A4 text column), height ratio, dpi for PNG."""

    width_cm: float = Field(default=15.5, ge=2, le=50)
    aspect: float = Field(default=0.5, ge=0.1, le=3)
    dpi: int = Field(default=220, ge=200, le=600)
    font_size: float = Field(default=9, ge=4, le=40)
    line_width: float = Field(default=2.0, ge=0, le=20)
    grid: bool = True
    bar_width: float = Field(default=0.6, gt=0, le=1)

    @model_validator(mode="after")
    def _bounded_raster(self) -> ChartStyle:
        side = self.width_cm / 2.54 * self.dpi
        pixels = side * side * self.aspect
        if pixels > MAX_IMAGE_PIXELS:
            raise ValueError(
                f"a chart of {self.width_cm:g} cm at {self.dpi} dpi and aspect {self.aspect:g} "
                f"would be {pixels / 1e6:.0f} megapixels, more than the limit of "
                f"{MAX_IMAGE_PIXELS // 1_000_000}"
            )
        return self


def _heading_color(value: str) -> str:
    if value in ("primary", "text"):
        return value
    return _hex(value)


HeadingColor = Annotated[str, AfterValidator(_heading_color)]
"""A heading's colour: ``primary``, ``text`` or ``#RRGGBB``."""

FontRole = Literal["body", "heading", "quote", "title"]
"""Which of the theme's faces a piece of text takes: 仿宋/宋体 body, 黑体 heading, 楷体 quote,
小标宋 title."""


class HeadingStyle(_Strict):
    """How headings of one level look: GB/T 9704 sets 一、 in 黑体, （一） in 楷体, 1. in bold
    仿宋 and （1） in 仿宋, all black and at the body size."""

    font: FontRole = "heading"
    bold: bool = True
    size: Points | None = Field(
        default=None, description="Unset: sizes.h1, sizes.h2, then sizes.body for deeper levels."
    )
    color: HeadingColor = Field(
        default="primary", description="primary or text (the theme's colours), or #RRGGBB."
    )
    indent: float = Field(
        default=0,
        ge=0,
        le=10,
        description="Indent in characters (GB/T 9704 sets headings two characters in, as "
        "its paragraphs).",
    )
    bar: bool = Field(
        default=False,
        description="The level's ornament: an accent bar left of a chapter title, a square "
        "before a level-2 heading on the web page.",
    )


def _default_headings() -> list[HeadingStyle]:
    return [HeadingStyle(bar=True), HeadingStyle(bar=True), HeadingStyle(color="text")]


class TextGrid(_Strict):
    """A fixed grid of lines a page and characters a line (GB/T 9704: 22 × 28)."""

    lines: int = Field(ge=5, le=80)
    chars: int = Field(ge=5, le=80)


class Theme(_Strict):
    """Everything visual about a document, shared by charts, DOCX, PDF and HTML."""

    name: str = "briefing"
    masthead: bool = Field(
        default=False, description="Open with a red 简报 masthead instead of a cover."
    )
    cover: bool = Field(
        default=True, description="Open with a title block (when there is no masthead)."
    )
    toc: bool = True
    outline_numbering: bool = Field(
        default=False, description="Number chapter titles 一、二、 (1. 2. in English)."
    )
    numbering: Literal["official", "decimal", "none"] | None = Field(
        default=None,
        description="Heading numbers: official 一、（一）1.（1）, decimal 1. 1.1 1.1.1, or none; "
        "unset, outline_numbering chooses official (decimal in English) or none.",
    )
    toc_depth: int = Field(default=1, ge=1, le=4, description="Heading levels the contents list.")
    running_header: bool = Field(
        default=True, description="Print the running header on every page after the first."
    )
    page_number: Literal["of_total", "dash_outer", "none"] = Field(
        default="of_total",
        description="of_total: 第 X 页 / 共 Y 页 centred; dash_outer: — X — at the outer side "
        "(odd pages right, even pages left, one character in), GB/T 9704; none.",
    )
    kpi_style: Literal["cards", "text"] = Field(
        default="cards",
        description="Headline figures as a panel of cards, or as one plain paragraph.",
    )
    callout_style: Literal["box", "plain"] = Field(
        default="box",
        description="Call-outs in a shaded box, or as a paragraph led by its title in bold.",
    )
    headings: list[HeadingStyle] = Field(
        default_factory=_default_headings,
        description="Heading look per level (the last applies to deeper levels).",
    )
    text_grid: TextGrid | None = Field(
        default=None, description="Lines a page and characters a line the body text keeps to."
    )
    line_spacing: float = Field(default=1.5, ge=0.5, le=5)
    first_line_chars: float = Field(default=2, ge=0, le=10)
    thousands: bool = False
    fonts: Fonts = Field(default_factory=Fonts)
    sizes: Sizes = Field(default_factory=Sizes)
    colors: Colors = Field(default_factory=Colors)
    page: Page = Field(default_factory=Page)
    sheet_page: Page | None = Field(
        default=None,
        description="The park sheets' page (size, orientation, margins); unset, the briefing's.",
    )
    chart: ChartStyle = Field(default_factory=ChartStyle)
    docx_charts: Literal["native", "picture"] | None = Field(
        default=None,
        description="Charts in the DOCX: native Word charts with their data in an embedded "
        "workbook (right-click → Edit Data in Word or WPS), or pictures; unset, native in the "
        "briefing and pictures on park sheets.",
    )
    base_dir: str | None = Field(
        default=None, description="Folder the theme's font files are relative to."
    )

    def heading_style(self, level: int) -> HeadingStyle:
        """Return the look of headings at ``level`` (1 = chapter); deeper levels take the last."""
        if not self.headings:
            return HeadingStyle()
        return self.headings[min(max(level, 1), len(self.headings)) - 1]

    def heading_size(self, level: int) -> float:
        """Return the size in points of headings at ``level``."""
        size = self.heading_style(level).size
        if size is not None:
            return size
        return {1: self.sizes.h1, 2: self.sizes.h2}.get(level, self.sizes.body)

    def heading_color(self, level: int) -> str:
        """Return the colour of headings at ``level``."""
        color = self.heading_style(level).color
        return {"primary": self.colors.primary, "text": self.colors.text}.get(color, color)

    @classmethod
    def preset(cls, name: str, **overrides: Any) -> Theme:
        """Return a shipped preset with some settings changed, validated.

        ``Theme.preset("gov", toc=False, colors={"primary": "#003366"})``: a mapping changes
        only the keys it names. A wrong setting is a located
        :class:`~khzreport.errors.ReportValidationError` (``theme.colors.primary: ...``).
        """
        return theme_from_mapping({"extends": name, **overrides})


PRESETS = ("briefing", "gov", "en")


def preset_data(name: str, where: Location | None = None) -> dict[str, Any]:
    """Return the settings of a shipped preset as plain data (presets ship with the package)."""
    if name not in PRESETS:
        raise ReportValidationError(
            f"unknown theme preset '{name}'",
            where or Location(path="theme"),
            "presets: " + ", ".join(PRESETS),
        )
    from ruamel.yaml import YAML  # presets are read here only for themes given in code

    with asset_path("themes", f"{name}.yaml").open(encoding="utf-8") as fh:
        data = YAML(typ="safe", pure=True).load(fh)
    return dict(data or {})


def theme_from_mapping(settings: Mapping[str, Any], path: str = "theme") -> Theme:
    """Return the theme of settings given in code: ``{"extends": "gov", "toc": False}``.

    ``extends`` names the preset to start from (else the defaults); nested mappings change
    only the keys they name. Errors name the field path under ``path``.
    """
    data = {k: v.model_dump() if isinstance(v, BaseModel) else v for k, v in settings.items()}
    parent = data.pop("extends", None)
    base: dict[str, Any] = {}
    if parent is not None:
        if not isinstance(parent, str):
            raise ReportValidationError(
                f"expected a preset name, got {parent!r}", Location(path=f"{path}.extends")
            )
        base = preset_data(parent, Location(path=f"{path}.extends"))
    merged = merge_settings(base, data)
    try:
        return Theme.model_validate(merged)
    except pydantic.ValidationError as exc:
        errors: list[KhzReportError] = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = f"unknown field '{loc[-1]}'"
            where = Location(path=format_path((path, *loc)))
            errors.append(ReportValidationError(message, where, "see the theme keys in the README"))
        raise_all(errors)
        raise  # unreachable: raise_all always raises for a non-empty list


def merge_settings(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``over`` laid on top, mapping by mapping."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_settings(out[key], value)
        else:
            out[key] = value
    return out
