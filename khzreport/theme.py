"""The theme: one set of colours, fonts, sizes and switches shared by charts and all writers.

Themes are data (YAML files). Presets live in ``assets/themes/``; a source names a preset
(``theme: gov``) or a theme file next to it (``theme: mytheme.yaml``), which may start from a
preset with ``extends: briefing`` and change only what it needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import Location, ValidationError, display_path
from .resources import asset_path

Color = str


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
    pdf_body: list[str] = Field(
        default_factory=lambda: ["Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC"]
    )
    pdf_heading: list[str] = Field(
        default_factory=lambda: ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"]
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
    latin: list[str] = Field(default_factory=lambda: ["Noto Serif", "DejaVu Serif"])
    files: list[str] = Field(default_factory=list)


class Sizes(_Strict):
    """Font sizes in points."""

    title: float = 24
    masthead: float = 30
    h1: float = 16
    h1_second: float = 13
    h2: float = 14
    body: float = 11.5
    lead: float = 12.5
    caption: float = 9.5
    note: float = 8.5
    kpi_value: float = 20
    kpi_label: float = 9
    header: float = 8.5


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


class Page(_Strict):
    """Page size and margins in millimetres."""

    size: Literal["A4"] = "A4"
    margin_top: float = 25
    margin_bottom: float = 22
    margin_left: float = 25
    margin_right: float = 22


class ChartStyle(_Strict):
    """Chart geometry: width in centimetres (A4 text column), height ratio, dpi for PNG."""

    width_cm: float = 15.5
    aspect: float = 0.5
    dpi: int = Field(220, ge=200, le=600)
    font_size: float = 9
    line_width: float = 2.0
    grid: bool = True
    bar_width: float = 0.6


class Theme(_Strict):
    """Everything visual about a document, shared by charts, DOCX, PDF and HTML."""

    name: str = "briefing"
    masthead: bool = Field(False, description="Open with a red 简报 masthead instead of a cover.")
    cover: bool = Field(True, description="Open with a title block (when there is no masthead).")
    toc: bool = True
    outline_numbering: bool = Field(False, description="Number headings 一、（一）1.（1）.")
    line_spacing: float = 1.5
    first_line_chars: float = 2
    thousands: bool = False
    fonts: Fonts = Field(default_factory=Fonts)
    sizes: Sizes = Field(default_factory=Sizes)
    colors: Colors = Field(default_factory=Colors)
    page: Page = Field(default_factory=Page)
    chart: ChartStyle = Field(default_factory=ChartStyle)
    base_dir: str | None = Field(None, description="Folder the theme's font files are relative to.")


PRESETS = ("briefing", "gov", "en")


def load_theme(ref: str, source_dir: Path | None) -> Theme:
    """Return the theme named by a source: a preset name or a YAML file next to the source."""
    from .source import format_path, read_yaml

    if ref in PRESETS:
        file = asset_path("themes", f"{ref}.yaml")
    else:
        if source_dir is None:
            raise ValidationError(
                f"unknown theme preset '{ref}'", None, "presets: " + ", ".join(PRESETS)
            )
        from .safety import confined_path

        file = confined_path(source_dir, ref, Location(None, None, None, "theme"))
        if not file.is_file():
            raise ValidationError(
                f"theme file not found: {ref}",
                Location(None, None, None, "theme"),
                "name a preset (" + ", ".join(PRESETS) + ") or a .yaml file next to the source",
            )
    data, smap = read_yaml(file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(
            "expected a mapping of theme settings", Location(display_path(file), 1, 1)
        )
    base: dict[str, Any] = {}
    parent = data.pop("extends", None)
    if parent is not None:
        if parent not in PRESETS:
            raise ValidationError(
                f"unknown preset '{parent}'",
                smap.locate(("extends",)),
                "presets: " + ", ".join(PRESETS),
            )
        pdata, _ = read_yaml(asset_path("themes", f"{parent}.yaml"))
        base = pdata or {}
    merged = _merge(base, data)
    merged.setdefault("base_dir", str(file.parent))
    try:
        return Theme.model_validate(merged)
    except Exception as exc:
        import pydantic

        if isinstance(exc, pydantic.ValidationError):
            err = exc.errors()[0]
            loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
            raise ValidationError(
                f"{err['msg']}", smap.locate(loc).with_path(format_path(loc))
            ) from None
        raise


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
