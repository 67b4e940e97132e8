"""Draw a :class:`~khzreport.document.ChartData` as a matplotlib figure.

Importing this module imports matplotlib, so :mod:`khzreport.charts` imports it only when a
chart really has to be drawn (a cached chart never is).

The figure is a plain :class:`matplotlib.figure.Figure` on an Agg canvas, never pyplot, so
no state leaks between charts. Every text gets the CJK font *by file*
(``FontProperties(fname=...)``) and ``parse_math=False``: labels such as ``$x^2$`` or
``C:\\path`` print literally, and no text depends on matplotlib's family list. Tick
positions and labels are fixed here rather than left to locators, so a redraw cannot add
ticks in a default (Latin) font.

Layout is measured, not guessed: a header band holds the unit line and the legend, a footer
the notes, and the plot is fitted between them by drawing, measuring every text and moving
the axes (and widening value limits so that value labels stay inside the plot) until
nothing sticks out. The tests check that no two drawn texts overlap.
"""

from __future__ import annotations

import dataclasses
import math
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from ._env import prepare_matplotlib

prepare_matplotlib()

# matplotlib must be imported after MPLCONFIGDIR is set, hence the late imports.
from matplotlib import font_manager  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyBboxPatch, Patch, Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from ..document import ChartData, ChartSeries  # noqa: E402
from ..theme import Theme  # noqa: E402
from . import text as tx  # noqa: E402
from .fonts import FontFile, family_names, missing_glyphs  # noqa: E402

__all__ = ["draw_chart", "quiet_glyph_warnings", "rc_params", "visible_texts"]

CM = 1 / 2.54
PAD_PT = 3.0
GAP_PT = 5.0
LABEL_SCALE = 0.92
_NUMBER = re.compile(r"^(\D*?)([−\-+]?\d[\d,]*(?:\.\d+)?)(.*)$", re.S)
_STEPS = [1, 2, 5, 10]

Axis = Literal["x", "y"]


def rc_params(theme: Theme) -> dict[str, Any]:
    """Return the rcParams every chart is drawn and saved with.

    ``svg.hashsalt`` fixes the ids matplotlib would otherwise make random, and
    ``svg.fonttype = "path"`` stores text as outlines (see :func:`khzreport.charts.render_both`,
    which also writes an SVG with the text as text, for the PDF).
    """
    return {
        "font.size": theme.chart.font_size,
        "text.usetex": False,
        "text.parse_math": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "khzreport",
        "path.simplify": False,
        "axes.unicode_minus": False,
        "figure.dpi": theme.chart.dpi,
        "savefig.dpi": theme.chart.dpi,
    }


@contextmanager
def quiet_glyph_warnings() -> Iterator[None]:
    """Silence matplotlib's per-glyph warnings: the caller reports missing glyphs itself."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        warnings.filterwarnings("ignore", message=r".*missing from font\(s\)")
        yield


def font_properties(font: FontFile, size: float, bold: bool = False) -> FontProperties:
    """Return properties that load exactly this face of this file, at ``size`` points.

    The file decides what is drawn. Family names and weight only label the text in an SVG
    written with ``svg.fonttype = "none"`` (the PDF's charts), so that Typst can set it in
    this same face: ``bold`` marks the bold face of the family.
    """
    family = list(family_names(font))
    weight = "bold" if bold else "normal"
    font_path = getattr(font_manager, "FontPath", None)
    if font_path is not None:
        fname: Any = font_path(str(font.path), font.index)
    else:  # matplotlib < 3.11 cannot choose a face; it takes face 0 of a collection.
        fname = str(font.path)
    return FontProperties(family=family, weight=weight, fname=fname, size=size)


@dataclass
class Style:
    """The theme's chart settings as colours and font properties."""

    theme: Theme
    font: FontFile
    bold: FontFile
    size: float
    minus: str

    @property
    def palette(self) -> list[str]:
        """Return the series colours."""
        return list(self.theme.colors.palette) or [self.theme.colors.primary]

    def color(self, i: int) -> str:
        """Return the colour of series ``i``."""
        return self.palette[i % len(self.palette)]

    def fp(self, scale: float = 1.0, bold: bool = False) -> FontProperties:
        """Return the chart font at ``scale`` times the chart font size."""
        face = self.bold if bold else self.font
        return font_properties(face, self.size * scale, bold=face is not self.font)

    def text_kw(
        self, scale: float = 1.0, color: str | None = None, bold: bool = False
    ) -> dict[str, Any]:
        """Return keyword arguments for a text artist in the chart font."""
        return {
            "fontproperties": self.fp(scale, bold),
            "color": color or self.theme.colors.text,
            "parse_math": False,
        }


@dataclass
class Chart:
    """A figure under construction and what the layout pass has to keep in place."""

    fig: Figure
    style: Style
    data: ChartData
    axes: list[Axes] = field(default_factory=list)
    header_left: Text | None = None
    header_right: Text | None = None
    legend: Legend | None = None
    legend_center: bool = False
    footer: Text | None = None
    labels: list[tuple[Axes, Text]] = field(default_factory=list)
    inside: list[tuple[Text, Rectangle]] = field(default_factory=list)
    on_position: list[Callable[[], None]] = field(default_factory=list)
    value_axis: dict[int, Axis] = field(default_factory=dict)
    extra_notes: list[str] = field(default_factory=list)

    @property
    def px(self) -> float:
        """Return pixels per point at the figure's dpi."""
        return float(self.fig.dpi) / 72.0

    @property
    def colors(self) -> Any:
        """Return the theme's colours."""
        return self.style.theme.colors


def draw_chart(
    chart: ChartData, theme: Theme, font: FontFile, bold: FontFile | None, *, raster: bool = True
) -> Figure:
    """Return a laid-out, drawn figure of ``chart`` (call it inside :func:`rc_params`).

    With ``raster`` the figure ends drawn on its Agg canvas, whose pixels are the PNG; a
    figure only saved as SVG is laid out without that last pass (each SVG is drawn anew).
    """
    minus = "\u2212" if not missing_glyphs("\u2212", font) else "-"
    style = Style(theme, font, bold or font, theme.chart.font_size, minus)
    chart = _short_names(chart)
    if chart.kind == "big_number":
        return _big_number(chart, style, raster)
    width = theme.chart.width_cm * CM
    fig = Figure(figsize=(width, width * theme.chart.aspect), dpi=theme.chart.dpi)
    fig.set_facecolor("white")
    FigureCanvasAgg(fig)
    c = Chart(fig, style, chart)
    kinds: dict[str, Callable[[Chart], None]] = {
        "bar": _bars,
        "grouped_bar": _bars,
        "stacked_bar": _bars,
        "ranking": _ranking,
        "line": _line,
        "combo": _combo,
        "donut": _donut,
    }
    if chart.kind not in kinds:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
    if any(p.value is not None for s in chart.series for p in s.points):
        kinds[chart.kind](c)
    else:
        _empty(c)
    _notes(c)
    _layout(c)
    if raster:
        fig.canvas.draw()
    return fig


def _short_names(chart: ChartData) -> ChartData:
    """Return the chart with every category and series name at most :data:`tx.MAX_LABEL_EMS`
    wide: a thousand-character name would otherwise push the plot out of the figure."""
    series = tuple(
        dataclasses.replace(
            s,
            name=tx.shorten(s.name) if s.name else s.name,
            points=tuple(dataclasses.replace(p, category=tx.shorten(p.category)) for p in s.points),
        )
        for s in chart.series
    )
    return dataclasses.replace(
        chart, categories=tuple(tx.shorten(cat) for cat in chart.categories), series=series
    )


def visible_texts(fig: Figure) -> list[Text]:
    """Return the non-empty texts a figure really draws, tick labels in view included.

    ``Figure.findobj`` would also return labels of hidden axes (the twin axis's x ticks, the
    sparkline's switched-off axes) and of ticks outside the view, which are never drawn.
    """
    out: list[Text] = list(fig.texts)
    for legend in fig.legends:
        out += legend.get_texts()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        out += [t for t in ax.texts if isinstance(t, Text)]
        if not ax.axison:
            continue
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            if not axis.get_visible():
                continue
            lo, hi = sorted(lim)
            eps = (hi - lo) * 1e-9
            locs = axis.get_majorticklocs()
            for tick in axis.get_major_ticks(len(locs)):
                if lo - eps <= tick.get_loc() <= hi + eps:
                    out += [lb for lb in (tick.label1, tick.label2) if lb.get_visible()]
    return [t for t in out if t.get_visible() and t.get_text().strip()]


# --- shared pieces of axis charts --------------------------------------------------------


def _new_axes(c: Chart) -> Axes:
    ax = c.fig.add_axes((0.1, 0.15, 0.85, 0.7))
    ax.set_facecolor("none")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_visible(not c.style.theme.chart.grid)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(c.colors.muted)
        ax.spines[side].set_linewidth(0.7)
    ax.tick_params(length=0, pad=4, colors=c.colors.text)
    c.axes.append(ax)
    return ax


def _values(series: ChartSeries) -> list[float | None]:
    return [p.value for p in series.points]


def _finite(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def _nice_limits(lo: float, hi: float, integer: bool = False) -> tuple[float, float]:
    """Return limits stretched to the next round tick when it is close (a top grid line)."""
    locator = MaxNLocator(nbins=5, steps=_STEPS, integer=integer)
    raw = [float(t) for t in locator.tick_values(lo, hi)]
    span = hi - lo
    above = [t for t in raw if t >= hi]
    below = [t for t in raw if t <= lo]
    if hi > 0 and above and above[0] - hi <= 0.12 * span:
        hi = above[0]
    if lo < 0 and below and lo - below[-1] <= 0.12 * span:
        lo = below[-1]
    return lo, hi


def _nice_ticks(lo: float, hi: float, nbins: int = 5, integer: bool = False) -> list[float]:
    """Return round tick values within ``lo``..``hi`` (whole numbers only if ``integer``)."""
    if hi <= lo:
        hi = lo + 1
    ticks = MaxNLocator(nbins=nbins, steps=_STEPS, integer=integer).tick_values(lo, hi)
    span = hi - lo
    return [float(t) for t in ticks if lo - span * 1e-9 <= t <= hi + span * 1e-9]


def _tick_format(c: Chart, ticks: Sequence[float]) -> Callable[[float], str]:
    """Return a formatter for axis ticks (plain numbers; values carry their own labels)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    decimals = next(
        (d for d in range(7) if all(abs(round(t, d) - t) <= step * 1e-6 for t in ticks)), 6
    )
    thousands = c.style.theme.thousands

    def fmt(v: float) -> str:
        if abs(v) < step * 1e-9:
            v = 0.0
        text = f"{v:,.{decimals}f}" if thousands else f"{v:.{decimals}f}"
        return text.replace("-", c.style.minus)

    return fmt


def _set_ticks(
    c: Chart, ax: Axes, axis: Axis, ticks: Sequence[float], labels: Sequence[str], muted: bool
) -> None:
    fp = c.style.fp(LABEL_SCALE if muted else 1.0)
    color = c.colors.muted if muted else c.colors.text
    if axis == "x":
        ax.set_xticks(list(ticks), list(labels), fontproperties=fp, parse_math=False, color=color)
    else:
        ax.set_yticks(list(ticks), list(labels), fontproperties=fp, parse_math=False, color=color)


def _set_value_axis(
    c: Chart, ax: Axes, lo: float, hi: float, axis: Axis = "y", values: Sequence[float] = ()
) -> None:
    """Set limits and fixed, formatted ticks of a value axis, with grid lines.

    Whole-number data (counts of 家, 个, 项) get whole-number ticks only. The ticks reach past
    the longest bar (a scale that stops at 40 under a bar of 50 cannot be read), and the
    limits past the outermost tick.
    """
    if hi - lo <= 0:
        hi = lo + 1.0
    integer = bool(values) and all(float(v).is_integer() for v in values)
    lo, hi = _nice_limits(lo, hi, integer)
    ticks = _nice_ticks(lo, hi, nbins=_tick_room(c, axis, lo, hi), integer=integer) or [lo, hi]
    if len(ticks) > 1:
        step = ticks[1] - ticks[0]
        top, bottom = max([0.0, *values]), min([0.0, *values])
        while ticks[-1] < top - step * 1e-9:
            ticks.append(ticks[-1] + step)
        while ticks[0] > bottom + step * 1e-9:
            ticks.insert(0, ticks[0] - step)
        lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    fmt = _tick_format(c, ticks)
    if axis == "y":
        ax.set_ylim(lo, hi)
    else:
        ax.set_xlim(lo, hi)
    _set_ticks(c, ax, axis, ticks, [fmt(t) for t in ticks], muted=True)
    if c.style.theme.chart.grid:
        ax.grid(True, axis=axis, color=c.colors.grid, linewidth=0.6, zorder=0)
    c.value_axis[id(ax)] = axis


def _tick_room(c: Chart, axis: Axis, lo: float, hi: float) -> int:
    """Return how many tick intervals a value axis has room for (five at most).

    A horizontal axis shares the width with the category names and value labels, so on a
    narrow chart (a phone's) five labels such as 100 200 300 400 would touch; each tick label
    is given its width and two ems of space.
    """
    if axis == "y":
        return 5
    widest = max(tx.text_width(f"{v:,.0f}") for v in (lo, hi)) * LABEL_SCALE
    room = c.fig.get_figwidth() * 72 * 0.45 / c.style.size
    return max(2, min(5, int(room // (widest + 2.0))))


def _value_range(values: Sequence[float], pad: float) -> tuple[float, float]:
    lo = min([0.0, *values])
    hi = max([0.0, *values])
    span = (hi - lo) or 1.0
    return (lo - span * pad if lo < 0 else lo, hi + span * pad if hi > 0 else hi)


def _categories(c: Chart, ax: Axes, labels: Sequence[str], axis: Axis = "x") -> None:
    """Label the category axis; fewer than three categories keep the width of three slots,
    so that one or two bars do not swell to fill the page."""
    _set_ticks(c, ax, axis, range(len(labels)), labels, muted=False)
    if axis == "x":
        pad = max(0, 3 - len(labels)) / 2
        ax.set_xlim(-0.5 - pad, len(labels) - 0.5 + pad)
    else:
        ax.set_ylim(len(labels) - 0.5, -0.5)


def _zero_line(c: Chart, ax: Axes, values: Sequence[float], axis: Axis = "y") -> None:
    """Draw a zero line when values go negative (the axis line then sits at the bottom)."""
    if not any(v < 0 for v in values):
        return
    if axis == "y":
        ax.axhline(0, color=c.colors.text, linewidth=0.8, zorder=3)
        ax.spines["bottom"].set_visible(False)
    else:
        ax.axvline(0, color=c.colors.text, linewidth=0.8, zorder=3)
        ax.spines["left"].set_visible(False)


def _slot_ems(c: Chart, n_slots: int) -> float:
    """Return the width in ems of one of ``n_slots`` equal slots across the plot."""
    plot_pt = c.fig.get_figwidth() * 72 * 0.86
    return plot_pt / max(n_slots, 1) / c.style.size


def _wrap_categories(c: Chart, labels: Sequence[str], n: int) -> tuple[list[str], bool]:
    """Return category labels wrapped at about six characters, and whether they fit."""
    return tx.wrap_categories(labels, _slot_ems(c, n))


def _legend(c: Chart, handles: list[Any], names: list[str], center: bool = False) -> None:
    if len(handles) < 2 or not all(names):
        return
    c.legend = c.fig.legend(
        handles,
        names,
        loc="upper right",
        ncols=len(handles),
        frameon=False,
        prop=c.style.fp(LABEL_SCALE),
        handlelength=1.1,
        handleheight=0.8,
        handletextpad=0.4,
        columnspacing=1.2,
        borderaxespad=0,
        borderpad=0,
    )
    for t in c.legend.get_texts():
        t.set_parse_math(False)
        t.set_color(c.colors.text)
    c.legend_center = center


def _header_text(
    c: Chart, text: str | None, right: bool = False, scale: float = LABEL_SCALE
) -> None:
    if not text:
        return
    kw = c.style.text_kw(scale, c.colors.muted)
    t = c.fig.text(0, 1, text, ha="right" if right else "left", va="top", **kw)
    if right:
        c.header_right = t
    else:
        c.header_left = t


def _value_label(
    c: Chart,
    ax: Axes,
    x: float,
    y: float,
    text: str,
    *,
    horizontal: bool = False,
    negative: bool = False,
    scale: float = LABEL_SCALE,
) -> None:
    """Print a value beside the end of its bar (below it for a negative value), upright."""
    ha: Literal["left", "right", "center"]
    va: Literal["top", "bottom", "center"]
    if horizontal:
        offset, ha, va = ((-3, 0), "right", "center") if negative else ((3, 0), "left", "center")
    else:
        offset, ha, va = ((0, -2), "center", "top") if negative else ((0, 2), "center", "bottom")
    t = ax.annotate(
        text,
        xy=(x, y),
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va=va,
        linespacing=1.1,
        annotation_clip=False,
        zorder=5,
        **c.style.text_kw(scale),
    )
    c.labels.append((ax, t))


def _choose_labels(
    c: Chart, series: Sequence[ChartSeries], slot_ems: float
) -> tuple[list[list[str]], float, bool]:
    """Return value label texts, font scale and whether they are crowded (see
    :func:`text.value_labels`): crowded grouped and combo bars leave them out, and a line
    chart labels only its last points."""
    return tx.value_labels(c.data, series, slot_ems)


def _empty(c: Chart) -> None:
    """Draw a chart without a single value as an empty frame saying so."""
    ax = _new_axes(c)
    ax.set_axis_off()
    kw = c.style.text_kw(1.0, c.colors.muted)
    ax.text(0.5, 0.5, tx.strings(c.data.language)["missing"], ha="center", va="center", **kw)
    _header_text(c, c.data.unit_line)


# --- bars --------------------------------------------------------------------------------


def _bars(c: Chart) -> None:
    """Draw vertical bars: one series, grouped series, or stacked series.

    A single series whose category names cannot be wrapped under their bars, or whose value
    labels do not fit above them, is drawn as horizontal bars instead, where long names and
    labels have room (:func:`text.horizontal_bars`, the decision every format follows).
    """
    data = c.data
    series = [s for s in data.series if s.points]
    n = len(data.categories)
    stacked = data.kind == "stacked_bar"
    groups = 1 if stacked else len(series)
    if tx.horizontal_bars(data, _slot_ems(c, n)):
        _hbars(c, series[0], sort=False)
        return
    wrapped, fits = _wrap_categories(c, data.categories, n)
    if not fits:
        wrapped = [tx.wrap(lb, 4) for lb in data.categories]
    ax = _new_axes(c)
    bw = c.style.theme.chart.bar_width
    width = bw / groups
    drawn: list[float] = []
    handles: list[Any] = []
    pos_base = [0.0] * n
    neg_base = [0.0] * n
    texts, scale, crowded = _choose_labels(c, series, _slot_ems(c, n * groups))
    for si, s in enumerate(series):
        color = c.style.color(si)
        for i, v in enumerate(_values(s)[:n]):
            if v is None:
                continue
            if stacked:
                x = float(i)
                base = pos_base[i] if v >= 0 else neg_base[i]
                if v >= 0:
                    pos_base[i] += v
                else:
                    neg_base[i] += v
                drawn += [pos_base[i], neg_base[i]]
            else:
                x = i - bw / 2 + width * (si + 0.5)
                base = 0.0
                drawn.append(v)
            fill = c.colors.down if data.kind == "bar" and v < 0 else color
            bar = Rectangle(
                (x - width / 2, base),
                width,
                v,
                facecolor=fill,
                edgecolor="white" if stacked else "none",
                linewidth=0.6 if stacked else 0,
                zorder=2,
            )
            ax.add_patch(bar)
            if stacked:
                _stack_label(c, ax, bar, s.points[i].label, fill)
            elif not crowded:
                _value_label(c, ax, x, v, texts[si][i], negative=v < 0, scale=scale)
        handles.append(Patch(facecolor=color))
    _categories(c, ax, wrapped)
    lo, hi = _value_range(drawn, 0.04 if stacked else 0.12)
    _set_value_axis(c, ax, lo, hi, values=drawn)
    _zero_line(c, ax, drawn)
    _header_text(c, data.unit_line)
    _legend(c, handles, [s.name or "" for s in series])


def _stack_label(c: Chart, ax: Axes, bar: Rectangle, label: str, fill: str) -> None:
    """Label a stacked segment inside itself; the layout hides labels that do not fit."""
    x = bar.get_x() + bar.get_width() / 2
    y = bar.get_y() + bar.get_height() / 2
    kw = c.style.text_kw(0.85, _ink_on(fill, c))
    c.inside.append((ax.text(x, y, label, ha="center", va="center", zorder=5, **kw), bar))


def _luminance(color: str) -> float:
    r, g, b = to_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink_on(fill: str, c: Chart) -> str:
    return "white" if _luminance(fill) < 0.55 else str(c.colors.text)


def _hbars(c: Chart, series: ChartSeries, sort: bool) -> None:
    """Draw one series as horizontal bars, top to bottom, largest first when ``sort``."""
    points = list(series.points)
    order = list(range(len(points)))
    if sort:
        order.sort(key=lambda i: (points[i].value is None, -(points[i].value or 0.0)))
    cats = [tx.wrap(points[i].category, 10) for i in order]
    labels = [tx.wrap(points[i].label, HBAR_LABEL_EMS) for i in order]
    _rows_height(c, [*cats, *labels], len(cats))
    ax = _new_axes(c)
    ax.spines["left"].set_visible(True)
    ax.spines["bottom"].set_visible(not c.style.theme.chart.grid)
    h = c.style.theme.chart.bar_width
    drawn: list[float] = []
    for row, i in enumerate(order):
        v = points[i].value
        if v is None:
            continue
        fill = c.style.color(0) if v >= 0 else c.colors.down
        ax.add_patch(Rectangle((0, row - h / 2), v, h, facecolor=fill, linewidth=0, zorder=2))
        _value_label(c, ax, v, row, labels[row], horizontal=True, negative=v < 0)
        drawn.append(v)
    _categories(c, ax, cats, axis="y")
    lo, hi = _value_range(drawn, 0.05)
    _set_value_axis(c, ax, lo, hi, axis="x", values=drawn)
    _zero_line(c, ax, drawn, axis="x")
    _header_text(c, c.data.unit_line)


HBAR_LABEL_EMS = 14.0
"""Value labels beside horizontal bars wrap at this width, so a long one cannot squeeze the bars."""
MIN_ROWS_HEIGHT_CM = 4.0


def _rows_height(c: Chart, texts: Sequence[str], rows: int) -> None:
    """Make the figure as tall as its rows need: a row per category, taller for wrapped text.

    The height follows the content, so two rows make a short chart and fourteen a tall one;
    ``texts`` are the category and value labels, whose line counts decide each row's height.
    """
    lines = max((t.count("\n") + 1 for t in texts), default=1)
    row_cm = max(0.8, lines * 0.42 + 0.3)
    rows_cm = rows * row_cm + 2.0
    width, _ = c.fig.get_size_inches()
    c.fig.set_size_inches(width, max(rows_cm, MIN_ROWS_HEIGHT_CM) * CM)


# --- ranking -----------------------------------------------------------------------------


def _ranking(c: Chart) -> None:
    series = c.data.series[0]
    if tx.is_rank(series):
        _rank_ladder(c, series)
    else:
        _hbars(c, series, sort=True)


def _rank_ladder(c: Chart, series: ChartSeries) -> None:
    """Draw ranks as positions: a dot on a track that runs from the list's end to 第1名.

    A rank is a position, not an amount: a bar 32 long for 第32名 would make the worst entry
    look biggest. Each row is a grey track with first place at its right end and a stem up
    to the dot, so a longer stem means a better rank, and the printed label (``第32名``)
    sits above the dot. When every rank knows its list size (``rank.of``), each row is
    drawn among its own list — 第32名 of 178 sits near the right, 第6名 of 50 too — with
    the size at the track's left end; otherwise all rows share one scale, from a round
    number past the worst rank. Best ranks come first.
    """
    points = list(series.points)
    order = sorted(
        range(len(points)), key=lambda i: (points[i].value is None, points[i].value or 0)
    )
    cats = [tx.wrap(points[i].category, 10) for i in order]
    _rows_height(c, cats, len(cats))
    ax = _new_axes(c)
    ax.spines["left"].set_visible(False)
    ax.spines["bottom"].set_visible(False)
    own = all(p.total for p in points if p.value is not None)
    values = _finite([p.value for p in points])
    worst = max(values) if values else 10.0
    shared = _nice_ticks(1, worst * 1.15 + 1)
    shared_far = max(shared[-1] if shared else 0.0, worst * 1.05 + 1)
    primary = c.style.color(0)
    track: dict[str, Any] = {"linewidth": 5, "solid_capstyle": "round"}
    for row, i in enumerate(order):
        p = points[i]
        far = float(p.total) if own and p.total else shared_far

        def x(rank: float, far: float = far) -> float:
            return (far - rank) / max(far - 1, 1e-9)  # 0 at the list's end, 1 at first place

        ax.plot([0, 1], [row, row], color=c.colors.grid, zorder=1, **track)
        if own and p.total:
            end = ax.annotate(
                _list_size(p.total, c.data.language), xy=(0, row), xytext=(0, -6),
                textcoords="offset points", ha="left", va="top", annotation_clip=False,
                zorder=5, **c.style.text_kw(0.8, c.colors.muted),
            )  # fmt: skip
            c.labels.append((ax, end))
        if p.value is None:
            continue
        at = x(p.value)
        ax.plot([0, at], [row, row], color=primary, zorder=2, **track)
        ax.plot(
            [at], [row], marker="o", markersize=9, color=primary, markeredgecolor="white",
            markeredgewidth=1.2, zorder=3,
        )  # fmt: skip
        ha: Literal["left", "right", "center"] = "center"
        dx = 0
        if at > 0.9:
            ha, dx = "right", 6
        elif at < 0.1:
            ha, dx = "left", -6
        t = ax.annotate(
            p.label, xy=(at, row), xytext=(dx, 7), textcoords="offset points", ha=ha,
            va="bottom", annotation_clip=False, zorder=5, **c.style.text_kw(LABEL_SCALE, c.colors.accent),
        )  # fmt: skip
        c.labels.append((ax, t))
    _categories(c, ax, cats, axis="y")
    ax.set_xlim(-0.02, 1.04)
    if own:
        ticks, texts = [1.0], [_first_place(c.data.language)]
    else:
        marks = sorted({1.0, *[t for t in shared if t >= 5]})
        fmt = _tick_format(c, [0, 1])
        ticks = [(shared_far - m) / max(shared_far - 1, 1e-9) for m in marks]
        texts = [fmt(m) for m in marks]
    _set_ticks(c, ax, "x", ticks, texts, muted=True)
    if c.style.theme.chart.grid and not own:
        ax.grid(True, axis="x", color=c.colors.grid, linewidth=0.6, zorder=0)
    c.value_axis[id(ax)] = "x"
    _header_text(c, c.data.unit_line)


def _list_size(total: float, language: str) -> str:
    n = f"{total:g}"
    return f"of {n}" if language.lower().startswith("en") else f"共{n}名"


def _first_place(language: str) -> str:
    return "No. 1" if language.lower().startswith("en") else "第1名"


# --- lines -------------------------------------------------------------------------------


def _line(c: Chart) -> None:
    """Draw one line per series over the categories (years); a missing value is a gap.

    With one or two series every point is labelled (the upper series above its points, the
    lower below); with more, or when labels would not fit, only each line's last value.
    """
    data = c.data
    series = [s for s in data.series if s.points]
    n = len(data.categories)
    ax = _new_axes(c)
    drawn = [v for s in series for v in _finite(_values(s))]
    texts, scale, crowded = _choose_labels(c, series, _slot_ems(c, n))
    label_all = not crowded and len(series) <= 2
    lw = c.style.theme.chart.line_width
    handles: list[Any] = []
    for si, s in enumerate(series):
        color = c.style.color(si)
        ys = [math.nan if v is None else v for v in _values(s)]
        ax.plot(range(len(ys)), ys, color=color, linewidth=lw, zorder=3, **_MARKER)
        handles.append(Line2D([], [], color=color, linewidth=lw, **_MARKER))
    for si, s in enumerate(series):
        last = max((i for i, p in enumerate(s.points) if p.value is not None), default=-1)
        for i, p in enumerate(s.points):
            if p.value is None or not (label_all or i == last):
                continue
            others = [o.points[i].value for o in series if o is not s and i < len(o.points)]
            if len(series) == 2:
                below = any(o is not None and o > p.value for o in others)
            else:
                below = _is_dip(_values(s), i)
            ink = c.style.color(si) if len(series) > 1 else None
            _point_label(c, ax, i, p.value, texts[si][i], below, scale, ink)
    _categories(c, ax, _thin(c, list(data.categories)))
    lo, hi = _line_range(drawn)
    _set_value_axis(c, ax, lo, hi, values=drawn)
    _zero_line(c, ax, drawn)
    _header_text(c, data.unit_line)
    _legend(c, handles, [s.name or "" for s in series])


def _is_dip(values: Sequence[float | None], i: int) -> bool:
    """Return whether point ``i`` lies below its neighbours (its label then goes below)."""
    v = values[i]
    near = [values[j] for j in (i - 1, i + 1) if 0 <= j < len(values)]
    near_known = [n for n in near if n is not None]
    return v is not None and bool(near_known) and all(v < n for n in near_known)


_MARKER: dict[str, Any] = {
    "marker": "o",
    "markersize": 4.5,
    "markeredgecolor": "white",
    "markeredgewidth": 0.8,
}


def _point_label(
    c: Chart,
    ax: Axes,
    x: float,
    y: float,
    text: str,
    below: bool,
    scale: float,
    color: str | None,
) -> None:
    t = ax.annotate(
        text,
        xy=(x, y),
        xytext=(0, -6 if below else 6),
        textcoords="offset points",
        ha="center",
        va="top" if below else "bottom",
        annotation_clip=False,
        zorder=5,
        **c.style.text_kw(scale, color),
    )
    c.labels.append((ax, t))


def _thin(c: Chart, labels: list[str]) -> list[str]:
    """Return category labels with only every k-th kept when they cannot all fit."""
    n = len(labels)
    room = _slot_ems(c, n) * 0.9
    widest = max((tx.text_width(lb) for lb in labels), default=0)
    step = 1
    while widest > room * step and step < n:
        step += 1
    return [lb if i % step == 0 else "" for i, lb in enumerate(labels)]


def _line_range(values: Sequence[float]) -> tuple[float, float]:
    """Return value limits: from zero unless that would flatten the line."""
    if not values:
        return 0.0, 1.0
    lo, hi = min(values), max(values)
    if 0 <= lo < 0.5 * hi:
        return _value_range(values, 0.15)
    span = (hi - lo) or abs(hi) or 1.0
    return lo - span * 0.25, hi + span * 0.25


# --- combo -------------------------------------------------------------------------------


def _combo(c: Chart) -> None:
    """Draw bars on the left axis and the secondary series as a line on the right axis.

    The two scales are unrelated, so they get separate bands: bars use the lower ~60% of
    the plot and the line the upper part, which keeps bar labels and line labels apart.
    The right axis shows ticks only over the line's own range.
    """
    data = c.data
    bars = data.series[0]
    n = len(data.categories)
    wrapped, fits = _wrap_categories(c, data.categories, n)
    if not fits:
        wrapped = [tx.wrap(lb, 4) for lb in data.categories]
    ax = _new_axes(c)
    bw = c.style.theme.chart.bar_width
    drawn = _finite(_values(bars))
    texts, scale, crowded = _choose_labels(c, [bars], _slot_ems(c, n))
    color = c.style.color(0)
    for i, p in enumerate(bars.points[:n]):
        if p.value is None:
            continue
        ax.add_patch(Rectangle((i - bw / 2, 0), bw, p.value, facecolor=color, lw=0, zorder=2))
        if not crowded:
            _value_label(c, ax, i, p.value, texts[0][i], negative=p.value < 0, scale=scale)
    _categories(c, ax, wrapped)
    lo, hi = _value_range(drawn, 0.0)
    _set_value_axis(c, ax, lo, hi / 0.58 if hi > 0 else 1.0, values=drawn)
    _zero_line(c, ax, drawn)
    handles: list[Any] = [Patch(facecolor=color)]
    names = [bars.name or ""]
    sec = data.secondary
    if sec is not None and sec.points:
        handles.append(_secondary_line(c, ax, sec, n, _contrasting(c, color)))
        names.append(sec.name or "")
        _header_text(c, data.secondary_unit_line, right=True)
    _header_text(c, data.unit_line)
    _legend(c, handles, names, center=True)


def _secondary_line(c: Chart, ax: Axes, sec: ChartSeries, n: int, color: str) -> Line2D:
    ax2 = ax.twinx()
    c.axes.append(ax2)
    ax2.set_facecolor("none")
    for side in ("top", "right", "left", "bottom"):
        ax2.spines[side].set_visible(False)
    ax2.tick_params(length=0, pad=4)
    lw = c.style.theme.chart.line_width
    ys = [math.nan if p.value is None else p.value for p in sec.points[:n]]
    ax2.plot(range(len(ys)), ys, color=color, linewidth=lw, zorder=4, **_MARKER)
    values = _finite(ys)
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    span = (hi - lo) or max(abs(hi), 1.0)
    axis_span = span / 0.22
    bottom = lo - 0.68 * axis_span
    texts, scale, _ = _choose_labels(c, [sec], _slot_ems(c, n))
    for i, p in enumerate(sec.points[:n]):
        if p.value is not None:
            _point_label(c, ax2, i, p.value, texts[0][i], False, scale, color)
    ticks = _nice_ticks(lo, hi, nbins=3)
    fmt = _tick_format(c, ticks if len(ticks) > 1 else [0, 1])
    ax2.set_ylim(bottom, bottom + axis_span)
    _set_ticks(c, ax2, "y", ticks, [fmt(t) for t in ticks], muted=True)
    c.value_axis[id(ax2)] = "y"
    return Line2D([], [], color=color, linewidth=lw, **_MARKER)


def _contrasting(c: Chart, against: str) -> str:
    """Return the accent colour, or the first palette colour far enough from ``against``.

    A combo line must not share the hue of its bars (the gov preset has red bars and a red
    accent), so colours closer than a fixed RGB distance are skipped, and so are colours too
    light to carry a thin line and its labels on white.
    """
    base = to_rgb(against)
    for candidate in (c.colors.accent, *c.style.palette[1:]):
        if math.dist(to_rgb(candidate), base) > 0.45 and _luminance(candidate) < 0.6:
            return str(candidate)
    return str(c.colors.text)


# --- donut -------------------------------------------------------------------------------


def _donut(c: Chart) -> None:
    """Draw shares as a ring, labelled outside with ``name`` / ``82个（26.9%）`` and leader lines.

    The percentage is computed here from the values; the count keeps its printed label.
    Labels on each side are spread vertically so that they never overlap, and zero or
    negative values are left out with a note.
    """
    data = c.data
    s = tx.strings(data.language)
    series = data.series[0]
    shown = [p for p in series.points if p.value is not None and p.value > 0]
    total = sum(p.value or 0.0 for p in shown)
    ax = _new_axes(c)
    ax.set_axis_off()

    def equal_aspect() -> None:
        box = ax.get_window_extent()
        half = 1.35 * box.width / max(box.height, 1.0)
        ax.set_ylim(-1.35, 1.35)
        ax.set_xlim(-half, half)

    c.on_position.append(equal_aspect)
    c.extra_notes += [
        s["negative_note"].format(what=p.category)
        for p in series.points
        if p.value is not None and p.value <= 0
    ]
    if not shown:
        return
    colors = [c.style.color(i) for i in range(len(shown))]
    wedges, *_ = ax.pie(
        [p.value or 0.0 for p in shown],
        colors=colors,
        startangle=90,
        counterclock=False,
        radius=1.0,
        wedgeprops={"width": 0.4, "edgecolor": "white", "linewidth": 1.2},
    )
    items = []
    for p, w in zip(shown, wedges, strict=True):
        mid = math.radians((w.theta1 + w.theta2) / 2)
        pct = f"{(p.value or 0.0) / total * 100:.1f}"
        value = s["share"].format(label=p.label, pct=pct)
        items.append((math.cos(mid), math.sin(mid), tx.wrap(p.category, 10) + "\n" + value))
    line_h = c.style.size * 1.3 * 2 / 72 / (c.fig.get_figheight() * 0.8) * 2.9
    for side in (1, -1):
        group = sorted([it for it in items if (it[0] >= 0) == (side > 0)], key=lambda it: -it[1])
        heights = [1.12 * line_h * (1 + lb.count("\n")) / 2 for *_, lb in group]
        ys = _spread([1.18 * it[1] for it in group], heights, 1.3)
        for (x, y, label), ty in zip(group, ys, strict=True):
            ex, ey = 1.08 * x, 1.08 * y
            tx_x = side * max(1.22, abs(ex) + 0.12)
            ax.plot(
                [1.01 * x, ex, tx_x - side * 0.04],
                [1.01 * y, ey, ty],
                color=c.colors.muted,
                linewidth=0.6,
                zorder=1,
            )
            ha: Literal["left", "right"] = "left" if side > 0 else "right"
            kw = c.style.text_kw(LABEL_SCALE)
            t = ax.text(tx_x, ty, label, ha=ha, va="center", linespacing=1.25, zorder=5, **kw)
            c.labels.append((ax, t))


def _spread(ys: list[float], heights: list[float], limit: float) -> list[float]:
    """Return label centres ``ys`` (top to bottom) moved apart by their heights, within ±limit."""
    out: list[float] = []
    for i, y in enumerate(ys):
        y = min(y, limit)
        if out:
            gap = (heights[i - 1] + heights[i]) / 2
            y = min(y, out[-1] - gap)
        out.append(y)
    if out and out[-1] < -limit:
        shift = -limit - out[-1]
        out = [y + shift for y in out]
    return out


# --- big number --------------------------------------------------------------------------


def _big_number(data: ChartData, style: Style, raster: bool = True) -> Figure:
    """Draw a KPI card for a park sheet: the value, the title, and a sparkline.

    The latest printed label is split so that the digits are large and bold while the
    qualifier and unit (近 … 亿元) stay small, as on the KPI cards of the briefing. The
    sparkline appears when the series has at least two values.
    """
    series = data.series[0] if data.series else ChartSeries(None, ())
    spark = len(_finite(_values(series))) >= 2
    width = min(6.5, style.theme.chart.width_cm) * CM
    height = (3.9 if spark else 2.6) * CM
    note = tx.note_line(tx.missing_notes(data) if spark else list(data.notes), data.language)
    if note:
        height += 0.45 * CM
    fig = Figure(figsize=(width, height), dpi=style.theme.chart.dpi)
    fig.set_facecolor("white")
    canvas = FigureCanvasAgg(fig)
    colors = style.theme.colors
    card = FancyBboxPatch(
        (0.004, 0.006),
        0.992,
        0.988,
        boxstyle="round,pad=0,rounding_size=0.04",
        transform=fig.transFigure,
        facecolor=colors.card_bg,
        edgecolor="none",
        mutation_aspect=width / height,
        zorder=-1,
    )
    fig.patches.append(card)
    w_pt, h_pt = width * 72, height * 72
    left = 9 / w_pt
    baseline = 1 - (7 + style.size * 2.5) / h_pt
    renderer = canvas.get_renderer()
    point = series.points[-1] if series.points else None
    x = left
    for part, big in _split_number(point.label if point else "—"):
        if part:
            kw = style.text_kw(2.6 if big else 1.15, colors.primary, bold=big)
            t = fig.text(x, baseline, part, ha="left", va="baseline", **kw)
            x += (t.get_window_extent(renderer).width / fig.dpi * 72 + 1.5) / w_pt
    title_y = baseline - style.size * 0.75 / h_pt
    title_kw = style.text_kw(0.95, colors.muted)
    title = fig.text(left, title_y, tx.wrap(data.title, 16), ha="left", va="top", **title_kw)
    if spark:
        _sparkline(fig, style, series, title.get_window_extent(renderer).y0, 14 if note else 3)
    if note:
        fig.text(left, 4 / h_pt, note, ha="left", va="bottom", **style.text_kw(0.75, colors.muted))
    if raster:
        canvas.draw()
    return fig


def _sparkline(
    fig: Figure, style: Style, series: ChartSeries, top_px: float, bottom_pt: float
) -> None:
    """Draw the series as a small line under the title, first and last year at its ends."""
    w_pt, h_pt = fig.get_figwidth() * 72, fig.get_figheight() * 72
    left = 9 / w_pt
    y0 = bottom_pt + style.size * 0.75 * 1.3 + 2
    y1 = top_px / fig.dpi * 72 - 7
    ax = fig.add_axes((left, y0 / h_pt, 1 - 2 * left, max(y1 - y0, 8) / h_pt))
    ax.set_axis_off()
    values = _values(series)
    ys = [math.nan if v is None else v for v in values]
    color = style.color(1 if len(style.palette) > 1 else 0)
    ax.plot(range(len(ys)), ys, color=color, linewidth=1.4, solid_capstyle="round")
    known = [i for i, v in enumerate(values) if v is not None]
    first, last = known[0], known[-1]
    alone = [i for i in known if i - 1 not in known and i + 1 not in known and i != last]
    if alone:
        ax.plot(alone, [ys[i] for i in alone], linestyle="none", marker="o", markersize=2.5,
                color=color)  # fmt: skip
    ax.plot([last], [ys[last]], marker="o", markersize=4, color=style.theme.colors.accent)
    finite = _finite(values)
    span = (max(finite) - min(finite)) or 1.0
    ax.set_ylim(min(finite) - span * 0.12, max(finite) + span * 0.12)
    ax.set_xlim(-0.15, len(ys) - 0.85)
    kw = style.text_kw(0.75, style.theme.colors.muted)
    ends: tuple[tuple[int, Literal["left", "right"]], ...] = ((first, "left"), (last, "right"))
    for i, ha in ends:
        ax.annotate(
            series.points[i].category,
            xy=(i, 0),
            xycoords=("data", "axes fraction"),
            xytext=(0, -2),
            textcoords="offset points",
            ha=ha,
            va="top",
            **kw,
        )


def _split_number(label: str) -> list[tuple[str, bool]]:
    """Split ``近140亿元`` into qualifier, number and unit so the digits can be drawn big."""
    m = _NUMBER.match(label)
    if not m:
        return [(label, True)]
    return [(m.group(1), False), (m.group(2), True), (m.group(3), False)]


# --- notes and layout --------------------------------------------------------------------


def _notes(c: Chart) -> None:
    """Print the notes (missing values, values left out) small under the plot."""
    data = dataclasses.replace(c.data, notes=(*c.data.notes, *c.extra_notes))
    line = tx.note_line(tx.missing_notes(data), data.language)
    if not line:
        return
    width_ems = c.fig.get_figwidth() * 72 / (c.style.size * 0.82) - 2
    kw = c.style.text_kw(0.82, c.colors.muted)
    c.footer = c.fig.text(
        0, 0, tx.wrap(line, width_ems), ha="left", va="bottom", linespacing=1.3, **kw
    )


def _layout(c: Chart) -> None:
    """Place header, footer and plot so that no text overlaps another or leaves the figure."""
    fig = c.fig
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    renderer = canvas.get_renderer()
    W, H = float(fig.bbox.width), float(fig.bbox.height)
    pad, gap = PAD_PT * c.px, GAP_PT * c.px
    header_h = _place_header(c, renderer, W, H, pad, gap)
    footer_h = 0.0
    if c.footer is not None:
        c.footer.set_position((pad / W, pad / H))
        footer_h = c.footer.get_window_extent(renderer).height + gap
    box = (pad, pad + footer_h, W - pad, H - pad - header_h)
    pos = Bbox.from_extents(box[0] + 40 * c.px, box[1] + 20 * c.px, box[2], box[3])
    for _ in range(5):
        for ax in c.axes:
            ax.set_position(Bbox.from_extents(pos.x0 / W, pos.y0 / H, pos.x1 / W, pos.y1 / H))
        for hook in c.on_position:
            hook()
        for _ in range(3):
            _fit_labels(c, renderer)
        tight = Bbox.union([b for ax in c.axes if (b := ax.get_tightbbox(renderer)) is not None])
        new = Bbox.from_extents(
            box[0] + (pos.x0 - tight.x0),
            box[1] + (pos.y0 - tight.y0),
            box[2] - (tight.x1 - pos.x1),
            box[3] - (tight.y1 - pos.y1),
        )
        if max(abs(a - b) for a, b in zip(new.extents, pos.extents, strict=True)) < 0.5:
            break
        pos = new
    for t, bar in c.inside:
        room = bar.get_window_extent(renderer).padded(-2 * c.px)
        extent = t.get_window_extent(renderer)
        t.set_visible(room.width > extent.width and room.height > extent.height)


def _place_header(c: Chart, renderer: Any, W: float, H: float, pad: float, gap: float) -> float:
    """Put unit lines left and right and the legend between or below them; return the height."""
    top = H - pad
    row_h = left_w = right_w = 0.0
    if c.header_left is not None:
        c.header_left.set_position((pad / W, top / H))
        box = c.header_left.get_window_extent(renderer)
        left_w, row_h = box.width, max(row_h, box.height)
    if c.header_right is not None:
        c.header_right.set_position(((W - pad) / W, top / H))
        box = c.header_right.get_window_extent(renderer)
        right_w, row_h = box.width, max(row_h, box.height)
    if c.legend is None:
        return row_h + gap if row_h else 0.0
    legend = c.legend.get_window_extent(renderer)
    space = W - 2 * pad - left_w - right_w - 2 * gap
    if legend.width <= space:
        if c.legend_center and c.header_right is not None:
            x = pad + left_w + gap + (space - legend.width) / 2 + legend.width
        else:
            x = W - pad - right_w - (gap if right_w else 0)
        c.legend.set_bbox_to_anchor((x / W, top / H), transform=c.fig.transFigure)
        return max(row_h, legend.height) + gap
    y = top - row_h - gap / 2
    c.legend.set_bbox_to_anchor(((W - pad) / W, y / H), transform=c.fig.transFigure)
    return row_h + gap / 2 + legend.height + gap


def _fit_labels(c: Chart, renderer: Any) -> None:
    """Widen value limits until every value label lies inside its axes.

    Labels sit at a fixed offset in points from their data point, so widening the limits
    moves them; the caller repeats this a few times, which converges quickly.
    """
    for ax in c.axes:
        axis = c.value_axis.get(id(ax))
        boxes = [t.get_window_extent(renderer) for a, t in c.labels if a is ax]
        if axis is None or not boxes:
            continue
        frame = ax.get_window_extent(renderer)
        margin = 2 * c.px
        if axis == "y":
            a0, a1 = frame.y0, frame.y1
            lo_px, hi_px = min(b.y0 for b in boxes), max(b.y1 for b in boxes)
            v0, v1 = ax.get_ylim()
        else:
            a0, a1 = frame.x0, frame.x1
            lo_px, hi_px = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
            v0, v1 = ax.get_xlim()
        need_lo = max(0.0, a0 + margin - lo_px)
        need_hi = max(0.0, hi_px - (a1 - margin))
        if not need_lo and not need_hi:
            continue
        per_px = (v1 - v0) / max(a1 - a0 - need_lo - need_hi, 1.0)
        new = (v0 - need_lo * per_px, v1 + need_hi * per_px)
        if axis == "y":
            ax.set_ylim(*new)
        else:
            ax.set_xlim(*new)
