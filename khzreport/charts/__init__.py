"""Charts: :class:`~khzreport.document.ChartData` drawn as SVG and PNG in the theme's style.

Every writer takes its charts from here: the PDF writer embeds the SVG, DOCX and HTML the
PNG (or SVG). A chart is drawn once per content: :class:`ChartCache` keeps both files under
a hash of everything that shapes the drawing (data, theme, font file, matplotlib version,
this module's :data:`CHART_CODE_VERSION`), so an unchanged chart costs two file reads and
no matplotlib import. This package imports matplotlib only when it draws.

Captions (``图 3 …``) are not part of the figure; writers print them, so the title is
never drawn twice (only the ``big_number`` card of a park sheet carries its own title).
Output is deterministic: the same chart gives byte-identical files.

Drawing holds a process-wide lock because matplotlib's ``rc_context`` changes global
settings; batch builds get their parallelism from worker processes instead.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..document import ChartData
from ..errors import FontError
from ..fonts import FONT_DIRS_ENV, FontFile, find_bold, find_font, font_fingerprint, missing_glyphs
from ..fonts import theme_font_files as _theme_font_files
from ..theme import Theme
from .text import alt_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CHART_CODE_VERSION",
    "ChartCache",
    "RenderedChart",
    "alt_text",
    "chart_font",
    "draw",
    "render",
    "render_both",
    "render_count",
]

log = logging.getLogger("khzreport")

CHART_CODE_VERSION = "1"
"""Bump when a drawing change should invalidate every cached chart."""

RENDER_COUNT = 0
"""How many charts this process has drawn; tests read it to prove cache hits draw nothing."""

_LOCK = threading.Lock()


@dataclass(frozen=True)
class RenderedChart:
    """A drawn chart: SVG and PNG bytes, size in centimetres, alt text and font warnings."""

    svg: bytes
    png: bytes
    width_cm: float
    height_cm: float
    alt: str
    warnings: tuple[str, ...] = ()


def render_count() -> int:
    """Return how many charts this process has drawn (cache hits excluded)."""
    return RENDER_COUNT


def chart_font(theme: Theme) -> tuple[FontFile, FontFile | None]:
    """Return the regular and (if installed) bold font the theme's charts are drawn with."""
    return _chart_font(
        tuple(theme.fonts.chart), tuple(_theme_font_files(theme)), os.environ.get(FONT_DIRS_ENV)
    )


def draw(chart: ChartData, theme: Theme) -> Figure:
    """Return the drawn matplotlib figure of a chart, for inspection (tests, debugging)."""
    drawing = _drawing()
    font, bold = chart_font(theme)
    import matplotlib

    with _LOCK, matplotlib.rc_context(drawing.rc_params(theme)), drawing.quiet_glyph_warnings():
        return drawing.draw_chart(chart, theme, font, bold)


def render(
    chart: ChartData, theme: Theme, fmt: Literal["svg", "png"], *, strict: bool = False
) -> bytes:
    """Return the chart as SVG or PNG bytes (use :func:`render_both` when you need both)."""
    both = render_both(chart, theme, strict=strict)
    return both.svg if fmt == "svg" else both.png


def render_both(chart: ChartData, theme: Theme, *, strict: bool = False) -> RenderedChart:
    """Draw the chart once and return it as SVG and PNG.

    Every drawn string is checked against the font's character map first; characters the
    font cannot show are logged as warnings (and returned), or raise
    :class:`~khzreport.errors.FontError` with ``strict``. The SVG draws text as outlines
    (``svg.fonttype = "path"``): Typst embeds SVG images without access to our font files,
    so outlines are the only way the chart looks the same in the PDF as in the PNG.
    """
    global RENDER_COUNT
    drawing = _drawing()
    import matplotlib

    font, bold = chart_font(theme)
    with _LOCK, matplotlib.rc_context(drawing.rc_params(theme)), drawing.quiet_glyph_warnings():
        fig = drawing.draw_chart(chart, theme, font, bold)
        problems = _check_glyphs(chart, drawing.visible_texts(fig), font, bold)
        if problems and strict:
            raise FontError(problems[0], None, "choose a font that has these characters")
        for message in problems:
            log.warning(message)
        svg = io.BytesIO()
        fig.savefig(svg, format="svg", metadata=_svg_metadata(chart))
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=theme.chart.dpi, metadata={"Software": None})
        RENDER_COUNT += 1
    width_in, height_in = fig.get_size_inches()
    return RenderedChart(
        svg=svg.getvalue(),
        png=png.getvalue(),
        width_cm=round(float(width_in) * 2.54, 3),
        height_cm=round(float(height_in) * 2.54, 3),
        alt=alt_text(chart),
        warnings=tuple(problems),
    )


class ChartCache:
    """Drawn charts kept in a folder, keyed by a hash of everything that shapes them.

    Files are written to a temporary name in the same folder and moved into place with
    ``os.replace``, so parallel builds sharing a cache never read a half-written chart.
    The metadata file is written last and marks an entry as complete.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def key(self, chart: ChartData, theme: Theme) -> str:
        """Return the cache key of a chart drawn with a theme."""
        font, bold = chart_font(theme)
        payload = {
            "chart": chart.content_key(),
            "colors": theme.colors.model_dump(mode="json"),
            "fonts": theme.fonts.model_dump(mode="json"),
            "style": theme.chart.model_dump(mode="json"),
            "thousands": theme.thousands,
            "font": font_fingerprint(font),
            "bold": font_fingerprint(bold) if bold else None,
            "matplotlib": _matplotlib_version(),
            "code": CHART_CODE_VERSION,
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def paths(self, chart: ChartData, theme: Theme) -> dict[str, Path]:
        """Return the SVG, PNG and metadata paths of a chart's cache entry."""
        stem = f"{_safe(chart.id)}-{self.key(chart, theme)[:24]}"
        return {ext: self.folder / f"{stem}.{ext}" for ext in ("svg", "png", "json")}

    def get(self, chart: ChartData, theme: Theme, *, strict: bool = False) -> RenderedChart:
        """Return the cached drawing of a chart, drawing and storing it on a miss."""
        paths = self.paths(chart, theme)
        hit = self._read(paths)
        if hit is not None:
            if hit.warnings:
                if strict:
                    raise FontError(
                        hit.warnings[0], None, "choose a font that has these characters"
                    )
                for message in hit.warnings:
                    log.warning(message)
            return hit
        rendered = render_both(chart, theme, strict=strict)
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(paths["svg"], rendered.svg)
        _write_atomic(paths["png"], rendered.png)
        meta = {
            "width_cm": rendered.width_cm,
            "height_cm": rendered.height_cm,
            "alt": rendered.alt,
            "warnings": list(rendered.warnings),
        }
        _write_atomic(paths["json"], json.dumps(meta, ensure_ascii=False, indent=1).encode())
        return rendered

    @staticmethod
    def _read(paths: dict[str, Path]) -> RenderedChart | None:
        try:
            meta = json.loads(paths["json"].read_text(encoding="utf-8"))
            return RenderedChart(
                svg=paths["svg"].read_bytes(),
                png=paths["png"].read_bytes(),
                width_cm=float(meta["width_cm"]),
                height_cm=float(meta["height_cm"]),
                alt=str(meta["alt"]),
                warnings=tuple(str(w) for w in meta.get("warnings", ())),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_glyphs(
    chart: ChartData, texts: list[Any], font: FontFile, bold: FontFile | None
) -> list[str]:
    """Return one warning per font that lacks characters of the drawn texts or the title."""
    wanted: dict[FontFile, set[str]] = {}
    strings = [(chart.title, font)]
    for t in texts:
        fname = str(t.get_fontproperties().get_file() or "")
        use = bold if bold is not None and fname == str(bold.path) and _is_face(t, bold) else font
        strings.append((t.get_text(), use))
    for text, use in strings:
        missing = missing_glyphs(text, use)
        if missing:
            wanted.setdefault(use, set()).update(missing)
    return [
        f"chart '{chart.id}': font {use.family} ({use.path.name}) has no glyph for "
        + ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in sorted(chars))
        for use, chars in wanted.items()
    ]


def _is_face(text: Any, font: FontFile) -> bool:
    file = text.get_fontproperties().get_file()
    return getattr(file, "face_index", font.index) == font.index


def _svg_metadata(chart: ChartData) -> dict[str, Any]:
    return {
        "Date": None,
        "Creator": None,
        "Title": chart.title,
        "Description": alt_text(chart),
        "Language": chart.language,
    }


@cache
def _chart_font(
    families: tuple[str, ...], files: tuple[Path, ...], font_dirs: str | None
) -> tuple[FontFile, FontFile | None]:
    """Cache the font search per process; ``font_dirs`` keys it on the environment override."""
    font = find_font(families, files, purpose="charts")
    return font, find_bold(font)


@cache
def _matplotlib_version() -> str:
    try:
        return metadata.version("matplotlib")
    except metadata.PackageNotFoundError:
        return "unknown"


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:40] or "chart"


def _drawing() -> Any:
    from . import drawing

    return drawing
