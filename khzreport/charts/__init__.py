"""Charts: :class:`~khzreport.document.ChartData` drawn as SVG and PNG in the theme's style.

Every writer takes its charts from here: DOCX embeds the PNG with the SVG, HTML the SVG, and
the PDF writer its own SVG whose text is text (Typst sets it in the same font files, so the
PDF carries each glyph once instead of an outline per use). A chart is drawn once per
content: :class:`ChartCache` keeps the drawings under a hash of everything that shapes them
(data, theme, font file, matplotlib version, this module's :data:`CHART_CODE_VERSION`), so an
unchanged chart costs three file reads and no matplotlib import. This package imports
matplotlib only when it draws.

Captions (``图 3 …``) are not part of the figure; writers print them, so the title is
never drawn twice (only the ``big_number`` card of a park sheet carries its own title).
Output is deterministic: the same chart gives byte-identical files.

Drawing holds a process-wide lock because matplotlib's ``rc_context`` changes global
settings; batch builds get their parallelism from worker processes instead.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import json
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..document import ChartData, Document
from ..errors import FontError, Location
from ..output import write_files_atomic
from ..resolver.alt import alt_text
from ..resources import cache_dir as default_cache_dir
from ..resources import die_with_parent
from ..theme import Theme
from . import _env
from .fonts import FONT_DIRS_ENV, FontFile, find_bold, find_font, font_fingerprint, missing_glyphs
from .fonts import role_files as _role_files

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..diagnostics import Diagnostics

__all__ = [
    "CHART_CODE_VERSION",
    "CHART_PROCESSES_ENV",
    "KINDS",
    "ChartCache",
    "ChartKinds",
    "DrawElsewhere",
    "RenderedChart",
    "alt_text",
    "chart_font",
    "draw",
    "draw_charts_here",
    "drawn_elsewhere",
    "prepare_drawing",
    "render",
    "render_both",
    "render_count",
]

log = logging.getLogger("khzreport")

CHART_CODE_VERSION = "5"
"""Bump when a drawing change should invalidate every cached chart."""


RENDER_COUNT = 0
"""How many charts this process has drawn; tests read it to prove cache hits draw nothing."""

_LOCK = threading.Lock()

CHART_PROCESSES_ENV = "KHZREPORT_CHART_PROCESSES"
"""Set to ``1`` to draw every chart in the building process (no drawer, no second process)."""

DrawElsewhere = Callable[
    [Sequence[ChartData], Theme, Mapping[str, frozenset[str]]], "list[RenderedChart] | None"
]
"""Draws charts in another process (the build's drawer, :func:`khzreport.drawer.draw`):
their drawings in order, or None when it cannot, and they are drawn here."""

_ELSEWHERE: ContextVar[DrawElsewhere | None] = ContextVar("khzreport_draw_elsewhere", default=None)


@contextlib.contextmanager
def drawn_elsewhere(draw: DrawElsewhere) -> Iterator[None]:
    """Have ``draw`` draw the charts this context misses (a build hands them to its drawer).

    A context, not an argument: the writers that draw charts of their own (the web page's
    phone-width charts) reach its drawer too, without every layer passing it on.
    """
    token = _ELSEWHERE.set(draw)
    try:
        yield
    finally:
        _ELSEWHERE.reset(token)


KINDS = frozenset({"png", "svg", "pdf_svg"})
"""The drawings of a chart a writer may use: ``png`` and ``svg`` (text as outlines) for
Word's pictures and the web page, ``pdf_svg`` (text as text) for Typst."""

ChartKinds = Mapping[str, Collection[str]]
"""The drawings wanted, by chart id (a chart not named gets every kind)."""


@dataclass(frozen=True)
class RenderedChart:
    """A drawn chart: SVG and PNG bytes, size in centimetres, alt text and font warnings.

    ``svg`` draws text as outlines (it looks the same wherever it is shown); ``pdf_svg`` is
    the same drawing with the text as ``<text>`` in the chart font's family, for Typst, which
    has that font (empty when not drawn, and the PDF writer then uses ``svg``). A drawing
    not asked for (see :data:`KINDS`) is empty; the size, alt text and warnings are always
    there.
    """

    svg: bytes
    png: bytes
    width_cm: float
    height_cm: float
    alt: str
    warnings: tuple[str, ...] = ()
    pdf_svg: bytes = b""


def render_count() -> int:
    """Return how many charts this process has drawn (cache hits excluded)."""
    return RENDER_COUNT


def chart_font(theme: Theme) -> tuple[FontFile, FontFile | None]:
    """Return the regular and (if installed) bold font the theme's charts are drawn with."""
    return _chart_font(
        tuple(theme.fonts.chart),
        tuple(_role_files(theme, theme.fonts.chart)),
        os.environ.get(FONT_DIRS_ENV),
    )


def draw(chart: ChartData, theme: Theme) -> Figure:
    """Return the drawn matplotlib figure of a chart, for inspection (tests, debugging)."""
    drawing = _drawing(None)
    font, bold = chart_font(theme)
    import matplotlib  # loaded by _drawing above; named here for its rc_context

    with _LOCK, matplotlib.rc_context(drawing.rc_params(theme)), drawing.quiet_glyph_warnings():
        return drawing.draw_chart(chart, theme, font, bold)


def render(
    chart: ChartData, theme: Theme, fmt: Literal["svg", "png"], *, strict: bool = False
) -> bytes:
    """Return the chart as SVG or PNG bytes (use :func:`render_both` when you need both)."""
    both = render_both(chart, theme, strict=strict)
    return both.svg if fmt == "svg" else both.png


def render_both(
    chart: ChartData, theme: Theme, *, strict: bool = False, _mpl_cache: Path | None = None
) -> RenderedChart:
    """Draw the chart once and return it as SVG and PNG (and the PDF's SVG).

    Every drawn string is checked against the font's character map first; characters the
    font cannot show are logged as warnings (and returned), or raise
    :class:`~khzreport.errors.FontError` with ``strict``. ``svg`` draws text as outlines
    (``svg.fonttype = "path"``), so that Word and browsers show the chart as the PNG does
    without the font; ``pdf_svg`` keeps text as text in the chart font's family for Typst,
    which is given that font's folder (see :mod:`khzreport.writers.pdf`).

    The PNG is the image the layout pass already drew (the last ``canvas.draw()``), encoded
    as ``savefig(format="png")`` would: drawing it a second time gave the same pixels.
    """
    rendered = _render(chart, theme, _mpl_cache)
    _report(rendered, strict)
    return rendered


_GLYPH_HINT = "choose a font that has these characters"


def _report(
    rendered: RenderedChart,
    strict: bool,
    diagnostics: Diagnostics | None = None,
    location: Location | None = None,
) -> None:
    """Record a drawing's font warnings in ``diagnostics``, or log them, or raise under ``strict``.

    With a channel, ``strict`` is left to its owner (:meth:`Diagnostics.raise_if_strict`), which
    raises every warning of the build at once, located.
    """
    if diagnostics is not None:
        for message in rendered.warnings:
            diagnostics.warn("missing-glyph", message, location, _GLYPH_HINT)
        return
    if rendered.warnings and strict:
        raise FontError(rendered.warnings[0], None, _GLYPH_HINT)
    for message in rendered.warnings:
        log.warning(message)


def _render(
    chart: ChartData, theme: Theme, mpl_cache: Path | None, kinds: Collection[str] = KINDS
) -> RenderedChart:
    """Draw one chart (see :func:`render_both`); its font warnings are returned, not logged.

    Only the drawings in ``kinds`` are made: each SVG is a drawing pass of its own and the
    PNG an encoding of the layout pass, together two thirds of a chart's time, and a PDF
    uses neither the PNG nor the outlined SVG. Each drawing is the same whichever others
    are made with it.
    """
    global RENDER_COUNT
    drawing = _drawing(mpl_cache)
    import matplotlib  # loaded by _drawing above; named here for its rc_context

    font, bold = chart_font(theme)
    png = svg = pdf_svg = b""
    with _LOCK, matplotlib.rc_context(drawing.rc_params(theme)), drawing.quiet_glyph_warnings():
        fig = drawing.draw_chart(chart, theme, font, bold, raster="png" in kinds)
        problems = _check_glyphs(chart, drawing.visible_texts(fig), font, bold)
        if "png" in kinds:
            png = _png(fig, theme.chart.dpi)
        if "svg" in kinds:
            out = io.BytesIO()
            fig.savefig(out, format="svg", metadata=_svg_metadata(chart))
            svg = out.getvalue()
        if "pdf_svg" in kinds:
            out = io.BytesIO()
            with matplotlib.rc_context({"svg.fonttype": "none"}):
                fig.savefig(out, format="svg", metadata=_svg_metadata(chart))
            pdf_svg = out.getvalue()
        RENDER_COUNT += 1
    width_in, height_in = fig.get_size_inches()
    return RenderedChart(
        svg=svg,
        png=png,
        width_cm=round(float(width_in) * 2.54, 3),
        height_cm=round(float(height_in) * 2.54, 3),
        alt=alt_text(chart),
        warnings=tuple(problems),
        pdf_svg=pdf_svg,
    )


def _png(fig: Figure, dpi: int) -> bytes:
    """Return the figure's last Agg drawing as ``savefig(format="png", dpi=dpi)`` writes it.

    The same steps as matplotlib's ``print_png`` (``image.imsave``) without drawing again:
    RGBA pixels, no text chunks (``metadata={"Software": None}``), the dpi in ``pHYs``.
    """
    from PIL import Image, PngImagePlugin  # Pillow is needed only for PNG output

    canvas = fig.canvas
    width, height = canvas.get_width_height(physical=True)
    pixels = bytes(canvas.buffer_rgba())  # type: ignore[attr-defined]
    image = Image.frombuffer("RGBA", (width, height), pixels, "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.save(out, format="png", pnginfo=PngImagePlugin.PngInfo(), dpi=(dpi, dpi))
    return out.getvalue()


class ChartCache:
    """Drawn charts kept in a folder, keyed by a hash of everything that shapes them.

    Files are written with :func:`~khzreport.output.write_files_atomic` (a temporary name in
    the same folder moved into place), so parallel builds sharing a cache never read a
    half-written chart. The metadata file is moved last and marks an entry as complete.
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
        """Return the SVG, PNG and metadata paths of a chart's cache entry.

        The metadata (JSON) also holds the PDF's SVG, and is written last.
        """
        stem = f"{_safe(chart.id)}-{self.key(chart, theme)[:24]}"
        return {ext: self.folder / f"{stem}.{ext}" for ext in ("svg", "png", "json")}

    def get(self, chart: ChartData, theme: Theme, *, strict: bool = False) -> RenderedChart:
        """Return the cached drawing of a chart, drawing and storing it on a miss."""
        return self.get_all([chart], theme, strict=strict)[chart.id]

    def get_all(
        self,
        charts: Sequence[ChartData],
        theme: Theme,
        *,
        strict: bool = False,
        diagnostics: Diagnostics | None = None,
        locations: Mapping[str, Location] | None = None,
        kinds: ChartKinds | None = None,
    ) -> dict[str, RenderedChart]:
        """Return the drawings of several charts by id, drawing (and storing) the misses.

        ``kinds`` names the drawings wanted of each chart (default: all of :data:`KINDS`);
        a cached chart lacking one is drawn again with the drawings it had. Misses are drawn
        in the build's drawer or in two processes when that pays (see :func:`_draw_all`). Font warnings go into
        ``diagnostics`` (located by chart id from ``locations``), else are logged, or raised
        under ``strict``, chart by chart in order.
        """
        where = locations or {}
        wanted = {c.id: frozenset(kinds.get(c.id, KINDS) if kinds else KINDS) for c in charts}
        entries = [(chart, self.paths(chart, theme)) for chart in charts]
        found = {chart.id: self._read(paths, wanted[chart.id]) for chart, paths in entries}
        misses = [(chart, paths) for chart, paths in entries if found[chart.id][0] is None]
        todo = {chart.id: wanted[chart.id] | found[chart.id][1] for chart, _ in misses}
        drawn = dict(
            zip(
                (chart.id for chart, _ in misses),
                _draw_all([chart for chart, _ in misses], theme, self.folder / _MPL, todo),
                strict=True,
            )
        )
        out: dict[str, RenderedChart] = {}
        for chart, paths in entries:
            hit = found[chart.id][0]
            if hit is None:
                rendered = drawn[chart.id]
                self._store(paths, rendered, todo[chart.id])
            else:
                rendered = hit
            _report(rendered, strict, diagnostics, where.get(chart.id))
            out[chart.id] = rendered
        return out

    def _store(
        self, paths: dict[str, Path], rendered: RenderedChart, kinds: frozenset[str]
    ) -> None:
        meta = {
            "width_cm": rendered.width_cm,
            "height_cm": rendered.height_cm,
            "alt": rendered.alt,
            "warnings": list(rendered.warnings),
            "pdf_svg": rendered.pdf_svg.decode("utf-8"),
            "kinds": sorted(kinds),
        }
        files = [(paths[kind], getattr(rendered, kind)) for kind in ("svg", "png") if kind in kinds]
        meta_file = (paths["json"], json.dumps(meta, ensure_ascii=False, indent=1).encode())
        write_files_atomic([*files, meta_file])

    @staticmethod
    def _read(
        paths: dict[str, Path], wanted: frozenset[str]
    ) -> tuple[RenderedChart | None, frozenset[str]]:
        """Return the cached drawing with the ``wanted`` kinds (or None), and the kinds kept."""
        try:
            meta = json.loads(paths["json"].read_text(encoding="utf-8"))
            kept = frozenset(meta.get("kinds", KINDS))  # entries from before kinds: all
            if not wanted <= kept:
                return None, kept
            return RenderedChart(
                svg=paths["svg"].read_bytes() if "svg" in wanted else b"",
                png=paths["png"].read_bytes() if "png" in wanted else b"",
                width_cm=float(meta["width_cm"]),
                height_cm=float(meta["height_cm"]),
                alt=str(meta["alt"]),
                warnings=tuple(str(w) for w in meta.get("warnings", ())),
                pdf_svg=str(meta["pdf_svg"]).encode("utf-8") if "pdf_svg" in wanted else b"",
            ), kept
        except (OSError, ValueError, KeyError, TypeError):
            return None, frozenset()


def _draw_all(
    charts: list[ChartData],
    theme: Theme,
    mpl_cache: Path | None,
    kinds: Mapping[str, Collection[str]] | None = None,
) -> list[RenderedChart]:
    """Draw charts (font warnings returned, not logged): by the build's drawer when one
    draws for this context (see :func:`drawn_elsewhere`), else here, in two processes when
    that pays."""
    global RENDER_COUNT
    wanted = {chart.id: frozenset((kinds or {}).get(chart.id, KINDS)) for chart in charts}
    elsewhere = _ELSEWHERE.get()
    drawn = elsewhere(charts, theme, wanted) if charts and elsewhere is not None else None
    if drawn is not None:
        RENDER_COUNT += len(drawn)
        return drawn
    return _draw_split(charts, theme, mpl_cache, wanted, _can_fork())


def draw_charts_here(
    charts: list[ChartData], theme: Theme, kinds: Mapping[str, frozenset[str]]
) -> list[RenderedChart]:
    """Draw charts in this process and a forked second one: the drawer's work.

    The drawer runs a thread that watches its parent, which rules out the usual check for a
    safe fork (:func:`_can_fork`); that thread holds no lock a forked child could need.
    """
    second = (
        os.environ.get(CHART_PROCESSES_ENV, "") != "1"
        and sys.platform == "linux"
        and len(os.sched_getaffinity(0)) >= 2
    )
    return _draw_split(charts, theme, None, kinds, second)


def _draw_split(
    charts: list[ChartData],
    theme: Theme,
    mpl_cache: Path | None,
    wanted: Mapping[str, frozenset[str]],
    fork: bool,
) -> list[RenderedChart]:
    """Draw charts, in two processes when ``fork`` allows it and several are missing.

    Drawing holds the GIL, so a second core helps only as a second process: matplotlib is
    imported here and the process forks once; the child (which needs no import of its own)
    draws every second chart and sends the drawings back through a pipe while this process
    draws the others. Anything going wrong on the child's side only means this process
    draws those charts itself; the drawings are the same either way.
    """
    global RENDER_COUNT
    if len(charts) < 2 or not fork:
        return [_render(chart, theme, mpl_cache, wanted[chart.id]) for chart in charts]
    _drawing(mpl_cache)  # import matplotlib once, before the fork, for both processes
    mine, theirs = charts[0::2], charts[1::2]
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_draw_in_child, args=(send, theirs, theme, wanted), daemon=True)
    try:
        child.start()
    except OSError:
        return [_render(chart, theme, mpl_cache, wanted[chart.id]) for chart in charts]
    finally:
        send.close()
    drawn_there: list[RenderedChart] | None = None
    try:
        drawn_here = [_render(chart, theme, mpl_cache, wanted[chart.id]) for chart in mine]
        try:
            result = receive.recv()
        except (EOFError, OSError):  # the child died: draw its charts here
            result = None
        if isinstance(result, list) and len(result) == len(theirs):
            drawn_there = result
    finally:
        receive.close()
        if drawn_there is None:
            child.kill()  # this process failed or was interrupted: the child's work is moot
        child.join()
    if drawn_there is None:
        drawn_there = [_render(chart, theme, mpl_cache, wanted[chart.id]) for chart in theirs]
    else:
        RENDER_COUNT += len(drawn_there)
    out = [*drawn_here, *drawn_there]
    order = [*mine, *theirs]
    by_chart = {id(chart): rendered for chart, rendered in zip(order, out, strict=True)}
    return [by_chart[id(chart)] for chart in charts]


def _draw_in_child(
    send: Any, charts: list[ChartData], theme: Theme, kinds: Mapping[str, frozenset[str]]
) -> None:
    """Draw charts in the forked child and send the drawings (or an error marker) back."""
    die_with_parent()
    try:
        result: Any = [_render(chart, theme, None, kinds[chart.id]) for chart in charts]
    except BaseException as exc:  # reported by the parent drawing these charts itself
        result = f"{type(exc).__name__}: {exc}"
    try:
        send.send(result)
    finally:
        send.close()


def _can_fork() -> bool:
    """Return whether drawing in a forked second process is safe and can pay off."""
    if os.environ.get(CHART_PROCESSES_ENV, "") == "1":
        return False
    return (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and multiprocessing.parent_process() is None
        and threading.active_count() == 1
        and len(os.sched_getaffinity(0)) >= 2
    )


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


_MPL = "matplotlib"
"""Folder of the chart cache where matplotlib's font list is kept between processes."""


def _drawing(mpl_cache: Path | None) -> Any:
    """Import the drawing module (and matplotlib), seeding its font list from ``mpl_cache``.

    When this imports matplotlib, everything the process holds so far (the modules of
    matplotlib, pydantic and the rest, the report) is then moved out of the cyclic garbage
    collector's sight with :func:`gc.freeze`: those objects live until the process ends,
    and leaving them to the collector cost every later collection a walk over all of them,
    the forked drawing process a copy of every page they sit on, and the interpreter's exit
    a tenth of a second. Objects made later are collected as usual.
    """
    if "matplotlib" not in sys.modules:
        _env.prepare_matplotlib(mpl_cache)
        from . import drawing  # imports matplotlib, a second's start-up

        _env.keep_font_list(mpl_cache)
        gc.freeze()
    from . import drawing  # imports matplotlib, a second's start-up

    return drawing


def prepare_drawing(cache_dir: Path | None = None) -> None:
    """Import matplotlib now, as the first chart drawn would, seeded from ``cache_dir``.

    A long-running process (the live preview) calls this while it waits, so the first
    chart an edit changes is drawn without a quarter second of start-up.
    """
    folder = cache_dir if cache_dir is not None else default_cache_dir()
    _drawing(folder / _MPL)


def render_document_charts(
    document: Document,
    cache_dir: Path | None = None,
    *,
    strict: bool = False,
    diagnostics: Diagnostics | None = None,
    kinds: ChartKinds | None = None,
) -> dict[str, RenderedChart]:
    """Return the drawn charts of a document by chart id (from the cache when unchanged).

    ``kinds`` names the drawings the writers will use (default: every kind). Font warnings
    go into ``diagnostics`` when given, located where each chart is shown.
    """
    charts = document.charts()
    if not charts:
        return {}
    folder = cache_dir if cache_dir is not None else default_cache_dir()
    locations = {
        f.chart.id: f.origin
        for f in document.figures()
        if f.chart is not None and f.origin is not None
    }
    return dict(
        ChartCache(folder).get_all(
            charts,
            document.theme,
            strict=strict,
            diagnostics=diagnostics,
            locations=locations,
            kinds=kinds,
        )
    )
