"""Native Word charts: a DrawingML chart part with its data in an embedded workbook.

A chart written this way is a chart in Word and WPS, not a picture: an editor changes a bar,
a colour or the order the day before printing (right-click → Edit Data opens the embedded
workbook) without coming back to the source. Each chart is three pieces:

- the chart part ``/word/charts/chartN.xml`` (``c:chartSpace``), whose series refer to the
  workbook's cells and carry cached values (``c:numCache``/``c:strCache``), so Word, WPS and
  LibreOffice draw it without opening the workbook;
- the workbook ``/word/embeddings/Microsoft_Excel_WorksheetN.xlsx`` (categories in column A,
  one column per series, names in row 1), tied to the chart by ``c:externalData``;
- a ``wp:inline`` whose ``a:graphicData`` names the chart URI, with the figure's alt text.

python-pptx writes the chart XML and the workbook (its chart XML writer and XlsxWriter-based
workbook writer produce the DrawingML parts PowerPoint, Word and Excel share) and styles it
through its chart object model; this module adds what a Word document needs and python-pptx
lacks: the parts and their relationships in a python-docx package, the inline drawing, the
link to the workbook, a combo chart's line on a secondary axis, the East Asian font slot
(``a:ea``) on every text, and a workbook with fixed properties, so that builds stay
byte-identical. The theme styles it as it styles the matplotlib drawings: palette, font,
value labels in the number layer's words (``突破740亿元``), grid lines, legend, size.

Kinds without a Word equivalent stay pictures: a big number, a ladder of ranks (a bar as
long as 第32名 would make the worst rank look biggest), a chart without a single value and a
donut with values it cannot show as shares.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

from ..charts import text as tx
from ..document import ChartData, ChartSeries
from ..theme import Theme
from . import ooxml
from .docx_forms import NATIVE_KINDS, charts_mode, has_native_form, native_notes

if TYPE_CHECKING:
    from pptx.chart.chart import Chart

__all__ = [
    "CHART_URI",
    "NATIVE_KINDS",
    "add_native_chart",
    "charts_mode",
    "has_native_form",
    "native_notes",
]

CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
C_NS = CHART_URI
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

EMU_PER_PT = 12700
LABEL_SCALE = 0.92
PLOT_SHARE = 0.86
"""The share of the chart's width the plot takes (the drawings' value, for label choices)."""
DONUT_LABEL_SHARE = 0.05
"""A donut's slices below this share go without a label on the ring, where it cannot fit;
the legend names them, the workbook holds their values."""
COMBO_BAR_BAND = 0.58
COMBO_LINE_BAND = (0.68, 0.22)
"""A combo's bars fill the lower 58% of the plot; the line's range takes 22% above 68%,
as in the drawings, so bar labels and line labels stay apart."""

_SECONDARY_AXES = ("50000001", "50000002")


def add_native_chart(
    part: Any,
    chart: ChartData,
    theme: Theme,
    *,
    number: int,
    width_emu: int,
    height_emu: int,
    shape_id: int,
    name: str,
    descr: str,
    created: dt.datetime,
) -> Any:
    """Add the chart and its workbook to the package of ``part``; return its ``wp:inline``.

    ``number`` names the parts (``chart3.xml``), ``shape_id`` must be unique among the
    document's drawings, ``created`` is the workbook's fixed creation time.
    """
    plan = _plan(chart, theme)
    package = part.package
    workbook = Part(
        PackURI(f"/word/embeddings/Microsoft_Excel_Worksheet{number}.xlsx"),
        CT.SML_SHEET,
        workbook_bytes(plan, created),
        package,
    )
    chart_part = _ChartPart(PackURI(f"/word/charts/chart{number}.xml"), CT.DML_CHART, b"", package)
    rid = chart_part.relate_to(workbook, RT.PACKAGE)
    size_pt = (width_emu / EMU_PER_PT, height_emu / EMU_PER_PT)
    chart_part.set_xml(chart_space(plan, theme, rid, size_pt))
    return inline_chart(
        rid=part.relate_to(chart_part, RT.CHART),
        width_emu=width_emu,
        height_emu=height_emu,
        shape_id=shape_id,
        name=name,
        descr=descr,
    )


class _ChartPart(Part):
    """A chart part whose XML is set once its workbook relationship has an id."""

    def set_xml(self, xml: bytes) -> None:
        """Set the part's content."""
        self._blob = xml


def inline_chart(
    *, rid: str, width_emu: int, height_emu: int, shape_id: int, name: str, descr: str
) -> Any:
    """Return a ``wp:inline`` showing the chart part related as ``rid``, with alt text."""
    inline = ooxml.element("wp:inline", {"distT": "0", "distB": "0", "distL": "0", "distR": "0"})
    inline.append(ooxml.element("wp:extent", {"cx": str(width_emu), "cy": str(height_emu)}))
    inline.append(ooxml.element("wp:effectExtent", {"l": "0", "t": "0", "r": "0", "b": "0"}))
    inline.append(ooxml.element("wp:docPr", {"id": str(shape_id), "name": name, "descr": descr}))
    inline.append(ooxml.element("wp:cNvGraphicFramePr"))
    graphic = ooxml.element("a:graphic")
    data = ooxml.element("a:graphicData", {"uri": CHART_URI})
    ref = etree.SubElement(data, f"{{{C_NS}}}chart", nsmap={"c": C_NS, "r": R_NS})
    ref.set(f"{{{R_NS}}}id", rid)
    graphic.append(data)
    inline.append(graphic)
    return inline


# --- what is drawn -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    name: str
    values: tuple[float | None, ...]
    labels: tuple[str, ...]
    color: str


@dataclass(frozen=True)
class _Plan:
    """A chart as Word draws it: kind, categories in drawing order, series and texts."""

    data: ChartData
    form: Literal["column", "bar", "stacked", "line", "combo", "donut"]
    categories: tuple[str, ...]
    series: tuple[_Series, ...]
    legend: bool


def _clean(text: str) -> str:
    return ooxml.xml_safe(text)[0]


def _plan(chart: ChartData, theme: Theme) -> _Plan:
    """Return what Word is to draw: the drawings' choices, made the same way.

    Label and orientation choices are measured at the theme's chart width, as the drawings
    measure them, so the native chart and its picture agree.
    """
    width_cm = theme.chart.width_cm
    palette = list(theme.colors.palette) or [theme.colors.primary]
    cats = [_clean(c) for c in chart.categories]
    n = len(cats)
    series = [s for s in chart.series if s.points]
    size = theme.chart.font_size

    def values(s: ChartSeries) -> list[float | None]:
        out: list[float | None] = [p.value for p in s.points[:n]]
        out = [v if v is None or math.isfinite(v) else None for v in out]
        return out + [None] * (n - len(out))

    def labels(s: ChartSeries, short: bool) -> list[str]:
        out = [
            _clean(tx.strip_unit(p.label, s.unit) if short and chart.unit_line else p.label)
            for p in s.points[:n]
        ]
        return out + [""] * (n - len(out))

    def slot_ems(slots: int) -> float:
        return width_cm / 2.54 * 72 * PLOT_SHARE / max(slots, 1) / size

    def fitting(group: Sequence[ChartSeries], slots: int) -> tuple[list[list[str]], bool]:
        """Return the drawings' value labels (wrapped when crowded) and whether crowded."""
        texts, _, crowded = tx.value_labels(chart, group, slot_ems(slots))
        padded = [[_clean(t) for t in row[:n]] + [""] * (n - len(row[:n])) for row in texts]
        return padded, crowded

    def unless(crowded: bool, texts: list[str]) -> list[str]:
        return [""] * len(texts) if crowded else texts

    def named(s: ChartSeries) -> str:
        return _clean(s.name or chart.title or chart.id)

    kind = chart.kind
    if kind == "ranking":
        s = series[0]
        order = sorted(range(n), key=lambda i: (values(s)[i] is None, -(values(s)[i] or 0.0)))
        vals, words = values(s), labels(s, False)
        one = _Series(
            named(s), tuple(vals[i] for i in order), tuple(words[i] for i in order), palette[0]
        )
        return _Plan(chart, "bar", tuple(cats[i] for i in order), (one,), False)
    if kind == "donut":
        s = series[0]
        vals = values(s)
        total = sum(v for v in vals if v is not None) or 1.0
        shares = [
            f"{t}\n{(v or 0.0) / total * 100:.1f}%" if v and v / total >= DONUT_LABEL_SHARE else ""
            for t, v in zip(labels(s, False), vals, strict=True)
        ]
        one = _Series(named(s), tuple(vals), tuple(shares), palette[0])
        return _Plan(chart, "donut", tuple(cats), (one,), True)
    if kind == "combo":
        bars = series[0]
        group = [bars]
        bar_texts, crowded = fitting([bars], n)
        out = [
            _Series(
                named(bars), tuple(values(bars)), tuple(unless(crowded, bar_texts[0])), palette[0]
            )
        ]
        sec = chart.secondary
        if sec is not None and sec.points:
            line = _Series(
                named(sec),
                tuple(values(sec)),
                tuple(fitting([sec], n)[0][0]),
                contrasting(theme, palette[0]),
            )
            out.append(line)
            group.append(sec)
        legend = len(out) > 1 and all(s.name for s in group)
        return _Plan(chart, "combo", tuple(cats), tuple(out), legend)
    legend = len(series) > 1 and all(s.name for s in series)
    colors = [palette[i % len(palette)] for i in range(len(series))]
    if kind == "line":
        texts, crowded = fitting(series, n)
        if crowded or len(series) > 2:  # only each line's last value, as the drawings do
            texts = [
                [t if i == _last_known(values(s)) else "" for i, t in enumerate(row)]
                for s, row in zip(series, texts, strict=True)
            ]
        drawn = [
            _Series(named(s), tuple(values(s)), tuple(t), c)
            for s, t, c in zip(series, texts, colors, strict=True)
        ]
        return _Plan(chart, "line", tuple(cats), tuple(drawn), legend)
    if kind == "stacked_bar":
        tallest = max(
            (
                sum(v for v in column if v is not None and v > 0)
                for column in zip(*map(values, series), strict=True)
            ),
            default=0.0,
        )
        room = theme.chart.width_cm * theme.chart.aspect / 2.54 * 72 * 0.7 / (tallest * 1.1 or 1.0)
        drawn = [
            _Series(
                named(s),
                tuple(values(s)),
                tuple(
                    t if v is not None and abs(v) * room >= size * 1.3 else ""
                    for t, v in zip(labels(s, False), values(s), strict=True)
                ),
                c,
            )
            for s, c in zip(series, colors, strict=True)
        ]
        return _Plan(chart, "stacked", tuple(cats), tuple(drawn), legend)
    if tx.horizontal_bars(chart, slot_ems(n)):
        s = series[0]
        one = _Series(named(s), tuple(values(s)), tuple(labels(s, False)), palette[0])
        return _Plan(chart, "bar", tuple(cats), (one,), False)
    texts, crowded = fitting(series, n * (len(series) if kind == "grouped_bar" else 1))
    drawn = [
        _Series(named(s), tuple(values(s)), tuple(unless(crowded, t)), c)
        for s, t, c in zip(series, texts, colors, strict=True)
    ]
    return _Plan(chart, "column", tuple(cats), tuple(drawn), legend)


def _last_known(values: Sequence[float | None]) -> int:
    return max((i for i, v in enumerate(values) if v is not None), default=-1)


def contrasting(theme: Theme, against: str) -> str:
    """Return the accent colour, or the first palette colour far enough from ``against``.

    The drawings' rule for a combo's line: not the hue of its bars, not too light to carry
    a thin line and its labels on white.
    """
    base = _rgb(against)
    palette = list(theme.colors.palette)
    for candidate in (theme.colors.accent, *palette[1:]):
        if math.dist(_rgb(candidate), base) > 0.45 and _luminance(candidate) < 0.6:
            return candidate
    return theme.colors.text


def _rgb(color: str) -> tuple[float, float, float]:
    hexa = ooxml.hex_color(color)
    return (int(hexa[0:2], 16) / 255, int(hexa[2:4], 16) / 255, int(hexa[4:6], 16) / 255)


def _luminance(color: str) -> float:
    r, g, b = _rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --- the workbook --------------------------------------------------------------------------


def _chart_data(plan: _Plan) -> Any:
    from pptx.chart.data import CategoryChartData  # python-pptx: only native DOCX charts

    data = CategoryChartData(number_format="General")
    data.categories = list(plan.categories)
    for s in plan.series:
        data.add_series(s.name, list(s.values), number_format="General")
    return data


def workbook_bytes(plan: _Plan, created: dt.datetime) -> bytes:
    """Return the embedded workbook: python-pptx's sheet layout, fixed properties.

    XlsxWriter stamps its entries with a fixed date already; the creation time it writes
    into ``docProps/core.xml`` is set here, so the same chart gives the same bytes.
    """
    from pptx.chart.xlsx import CategoryWorkbookWriter  # python-pptx: only native DOCX charts
    from xlsxwriter import Workbook  # XlsxWriter: only native DOCX charts embed a workbook

    widest = max((tx.text_width(c) for c in plan.categories), default=4.0)

    class FixedWorkbookWriter(CategoryWorkbookWriter):
        @contextmanager
        def _open_worksheet(self, xlsx_file: io.BytesIO) -> Iterator[tuple[Any, Any]]:
            book = Workbook(xlsx_file, {"in_memory": True})
            book.set_properties({"created": created, "title": plan.data.title})
            sheet = book.add_worksheet()
            yield book, sheet
            sheet.set_column(0, 0, max(10.0, widest * 2 + 2))
            sheet.set_column(1, len(plan.series), 14)
            book.close()

    blob: bytes = FixedWorkbookWriter(_chart_data(plan)).xlsx_blob
    return blob


# --- the chart part ------------------------------------------------------------------------


def chart_space(
    plan: _Plan, theme: Theme, workbook_rid: str, size_pt: tuple[float, float]
) -> bytes:
    """Return the ``c:chartSpace`` XML of a planned chart ``size_pt`` large, themed."""
    from pptx.chart.chart import Chart  # python-pptx: only native DOCX charts
    from pptx.chart.xmlwriter import ChartXmlWriter  # python-pptx: only native DOCX charts
    from pptx.enum.chart import XL_CHART_TYPE  # python-pptx: only native DOCX charts
    from pptx.oxml import parse_xml  # python-pptx: only native DOCX charts

    kinds = {
        "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "bar": XL_CHART_TYPE.BAR_CLUSTERED,
        "stacked": XL_CHART_TYPE.COLUMN_STACKED,
        "line": XL_CHART_TYPE.LINE_MARKERS,
        "combo": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "donut": XL_CHART_TYPE.DOUGHNUT,
    }
    data = _chart_data(plan)
    space = parse_xml(ChartXmlWriter(kinds[plan.form], data).xml.encode("utf-8"))
    if plan.form == "combo" and len(plan.series) > 1:
        line_space = parse_xml(ChartXmlWriter(XL_CHART_TYPE.LINE_MARKERS, data).xml.encode())
        _move_to_secondary_line(space, line_space)
    chart = Chart(space, None)
    style = _Style(theme)
    _style_chart(chart, plan, style)
    _finish(space, plan, style, workbook_rid, size_pt)
    xml: bytes = etree.tostring(space, xml_declaration=True, encoding="UTF-8", standalone=True)
    return xml


@dataclass(frozen=True)
class _Style:
    theme: Theme

    @property
    def size(self) -> float:
        return self.theme.chart.font_size

    @property
    def latin(self) -> str:
        return self.theme.fonts.docx_heading_latin

    @property
    def east_asia(self) -> str:
        return self.theme.fonts.docx_heading_cjk

    @property
    def colors(self) -> Any:
        return self.theme.colors


def _c(tag: str) -> str:
    return f"{{{C_NS}}}{tag}"


def _a(tag: str) -> str:
    return f"{{{A_NS}}}{tag}"


def _move_to_secondary_line(space: Any, line_space: Any) -> None:
    """Move the second series of a bar chart into a line chart on secondary axes.

    python-pptx writes one chart type per part; its line chart of the same data gives the
    line series (markers, references to column C) that Word's combo charts hold in a
    ``c:lineChart`` beside the ``c:barChart``, on a value axis at the right.
    """
    plot_area = space.find(f"{_c('chart')}/{_c('plotArea')}")
    bar_chart = plot_area.find(_c("barChart"))
    bar_chart.remove(bar_chart.findall(_c("ser"))[1])
    line_chart = line_space.find(f"{_c('chart')}/{_c('plotArea')}/{_c('lineChart')}")
    first = line_chart.findall(_c("ser"))[0]
    line_chart.remove(first)
    for axis_id in line_chart.findall(_c("axId")):
        line_chart.remove(axis_id)
    for axis_id in _SECONDARY_AXES:
        etree.SubElement(line_chart, _c("axId")).set("val", axis_id)
    last_chart = plot_area.index(bar_chart)
    plot_area.insert(last_chart + 1, line_chart)
    cat = etree.SubElement(plot_area, _c("catAx"))
    for tag, val in (
        ("axId", _SECONDARY_AXES[0]),
        ("scaling", None),
        ("delete", "1"),
        ("axPos", "b"),
        ("majorTickMark", "none"),
        ("minorTickMark", "none"),
        ("tickLblPos", "nextTo"),
        ("crossAx", _SECONDARY_AXES[1]),
        ("crosses", "autoZero"),
        ("auto", "1"),
        ("lblAlgn", "ctr"),
        ("lblOffset", "100"),
        ("noMultiLvlLbl", "0"),
    ):
        child = etree.SubElement(cat, _c(tag))
        if val is not None:
            child.set("val", val)
        else:
            etree.SubElement(child, _c("orientation")).set("val", "minMax")
    val_axis = etree.SubElement(plot_area, _c("valAx"))
    for tag, val in (
        ("axId", _SECONDARY_AXES[1]),
        ("scaling", None),
        ("delete", "0"),
        ("axPos", "r"),
        ("majorTickMark", "none"),
        ("minorTickMark", "none"),
        ("tickLblPos", "nextTo"),
        ("crossAx", _SECONDARY_AXES[0]),
        ("crosses", "max"),
        ("crossBetween", "between"),
    ):
        child = etree.SubElement(val_axis, _c(tag))
        if val is not None:
            child.set("val", val)
        else:
            etree.SubElement(child, _c("orientation")).set("val", "minMax")


def _style_chart(chart: Chart, plan: _Plan, style: _Style) -> None:
    """Style the chart through python-pptx's chart objects: colours, labels, axes, legend."""
    from pptx.chart.plot import LinePlot  # python-pptx: only native DOCX charts
    from pptx.dml.color import RGBColor  # python-pptx: only native DOCX charts
    from pptx.enum import chart as xl  # python-pptx: only native DOCX charts
    from pptx.util import Pt  # python-pptx: only native DOCX charts

    POS = xl.XL_LABEL_POSITION

    def rgb(color: str) -> Any:
        return RGBColor.from_string(ooxml.hex_color(color))

    def font(target: Any, scale: float, color: str) -> None:
        target.size = Pt(style.size * scale)
        target.color.rgb = rgb(color)
        target.name = style.latin

    colors = style.colors
    chart.has_title = False
    font(chart.font, 1.0, colors.text)
    chart.has_legend = plan.legend
    if plan.legend:
        legend = chart.legend
        legend.position = (
            xl.XL_LEGEND_POSITION.RIGHT if plan.form == "donut" else xl.XL_LEGEND_POSITION.TOP
        )
        legend.include_in_layout = False
        font(legend.font, LABEL_SCALE, colors.text)
    bar_gap = round((1 - style.theme.chart.bar_width) / style.theme.chart.bar_width * 100)
    line_width = Pt(style.theme.chart.line_width)
    for plot in chart.plots:
        is_line = isinstance(plot, LinePlot)
        plot.vary_by_categories = plan.form == "donut"
        if not is_line and plan.form != "donut":
            plot.gap_width = min(500, max(0, bar_gap))
            plot.overlap = 100 if plan.form == "stacked" else 0
        for ser in plot.series:
            drawn = plan.series[ser.index]
            fill = ser.format
            if is_line:
                ser.smooth = False
                fill.line.color.rgb = rgb(drawn.color)
                fill.line.width = line_width
                ser.marker.style = xl.XL_MARKER_STYLE.CIRCLE
                ser.marker.size = 5
                ser.marker.format.fill.solid()
                ser.marker.format.fill.fore_color.rgb = rgb(drawn.color)
                ser.marker.format.line.color.rgb = rgb("#FFFFFF")
                ser.marker.format.line.width = Pt(0.8)
            elif plan.form != "donut":
                fill.fill.solid()
                fill.fill.fore_color.rgb = rgb(drawn.color)
                if plan.form == "stacked":
                    fill.line.color.rgb = rgb("#FFFFFF")
                    fill.line.width = Pt(0.6)
                else:
                    fill.line.fill.background()
            for i, point in enumerate(ser.points):
                if i >= len(drawn.values) or drawn.values[i] is None or not drawn.labels[i]:
                    continue
                value = drawn.values[i] or 0.0
                ink = colors.text
                if plan.form == "donut":
                    pie = style.theme.colors.palette or [colors.primary]
                    piece = pie[i % len(pie)]
                    point.format.fill.solid()
                    point.format.fill.fore_color.rgb = rgb(piece)
                    point.format.line.color.rgb = rgb("#FFFFFF")
                    point.format.line.width = Pt(1.2)
                    ink = "#FFFFFF" if _luminance(piece) < 0.55 else colors.text
                elif plan.data.kind in ("bar", "ranking") and value < 0:
                    point.format.fill.solid()
                    point.format.fill.fore_color.rgb = rgb(colors.down)
                if plan.form == "stacked":
                    ink = "#FFFFFF" if _luminance(drawn.color) < 0.55 else colors.text
                elif is_line and len(plan.series) > 1:
                    ink = drawn.color
                label = point.data_label
                scale = 0.85 if plan.form == "stacked" else LABEL_SCALE
                paragraph = label.text_frame.paragraphs[0]
                for n, line in enumerate(drawn.labels[i].split("\n")):
                    if n:
                        paragraph.add_line_break()
                    run = paragraph.add_run()
                    run.text = line
                    font(run.font, scale, ink)
                for target in (paragraph.font, label.font):
                    font(target, scale, ink)
                if plan.form == "donut":
                    continue
                if plan.form == "stacked":
                    label.position = POS.CENTER
                elif is_line:
                    label.position = POS.BELOW if _below(plan, drawn, i) else POS.ABOVE
                else:
                    label.position = POS.OUTSIDE_END
    if plan.form == "donut":
        return
    for axis in (chart.category_axis, chart.value_axis):
        axis.major_tick_mark = xl.XL_TICK_MARK.NONE
        axis.minor_tick_mark = xl.XL_TICK_MARK.NONE
    category = chart.category_axis
    category.tick_label_position = xl.XL_TICK_LABEL_POSITION.LOW
    category.format.line.color.rgb = rgb(colors.muted)
    category.format.line.width = Pt(0.7)
    font(category.tick_labels.font, 1.0, colors.text)
    if plan.form == "bar":
        category.reverse_order = True
    value = chart.value_axis
    value.has_major_gridlines = style.theme.chart.grid
    if style.theme.chart.grid:
        value.major_gridlines.format.line.color.rgb = rgb(colors.grid)
        value.major_gridlines.format.line.width = Pt(0.6)
        value.format.line.fill.background()
    else:
        value.format.line.color.rgb = rgb(colors.muted)
        value.format.line.width = Pt(0.7)
    value.tick_labels.number_format = _tick_format(plan, style.theme.thousands)
    value.tick_labels.number_format_is_linked = False
    font(value.tick_labels.font, LABEL_SCALE, colors.muted)


def _tick_format(plan: _Plan, thousands: bool) -> str:
    """Return the value axis's number format: plain, or with thousands separators.

    Excel's ``#,##0.##`` would print a bare point after whole numbers (``1,000.``), so
    whole-number data gets ``#,##0`` and other data one decimal.
    """
    if not thousands:
        return "General"
    values = [v for s in plan.series for v in s.values if v is not None]
    return "#,##0" if all(float(v).is_integer() for v in values) else "#,##0.0"


def _below(plan: _Plan, series: _Series, i: int) -> bool:
    """Return whether a line's label goes below its point (the drawings' rule)."""
    value = series.values[i]
    if value is None:
        return False
    lines = [s for s in plan.series if s is not series]
    if plan.form == "combo":
        return False
    if len(plan.series) == 2:
        return any(o.values[i] is not None and (o.values[i] or 0.0) > value for o in lines)
    near = [series.values[j] for j in (i - 1, i + 1) if 0 <= j < len(series.values)]
    known = [v for v in near if v is not None]
    return bool(known) and all(value < v for v in known)


def _finish(
    space: Any, plan: _Plan, style: _Style, workbook_rid: str, size_pt: tuple[float, float]
) -> None:
    """Add what python-pptx leaves out: unit titles, fonts' East Asian slot, frame, workbook."""
    chart = space.find(_c("chart"))
    lang = etree.Element(_c("lang"))
    lang.set("val", "zh-CN" if plan.data.language.lower().startswith("zh") else "en-US")
    space.insert(1, lang)
    if space.find(_c("roundedCorners")) is None:
        rounded = etree.Element(_c("roundedCorners"))
        rounded.set("val", "0")
        space.insert(2, rounded)
    plot_area = chart.find(_c("plotArea"))
    value_axes = plot_area.findall(_c("valAx"))
    for axis in value_axes:
        if axis.find(_c("crossBetween")) is None:
            between = etree.Element(_c("crossBetween"))
            between.set("val", "between")
            _insert_in_order(axis, between)
    if plan.form == "bar":
        value_axes[0].find(_c("crosses")).set("val", "max")
    if plan.form == "combo" and len(value_axes) > 1:
        _copy_axis_look(value_axes[0], value_axes[1])
        _combo_bands(value_axes, plan)
    for hole in plot_area.iter(_c("holeSize")):
        hole.set("val", "58")
    if plan.form != "donut":
        units = [
            plan.data.unit_line,
            plan.data.secondary_unit_line if len(value_axes) > 1 else None,
        ]
        for axis, text, right in zip(value_axes, units, (False, True), strict=False):
            if text:
                _unit_title(axis, _clean(text), style, size_pt[0], right=right)
        if any(units) or plan.legend:
            _header_band(plot_area, style, size_pt[1])
        if plan.legend and plan.form != "combo":
            _legend_at_top_right(chart.find(_c("legend")), plan, style, size_pt)
    if chart.find(_c("plotVisOnly")) is None:
        visible = etree.Element(_c("plotVisOnly"))
        visible.set("val", "1")
        chart.find(_c("dispBlanksAs")).addprevious(visible)
    frame = etree.Element(_c("spPr"))
    etree.SubElement(frame, _a("noFill"))
    etree.SubElement(etree.SubElement(frame, _a("ln")), _a("noFill"))
    chart.addnext(frame)
    _east_asian_fonts(space, style, plan.data.language)
    external = etree.SubElement(space, _c("externalData"))
    external.set(f"{{{R_NS}}}id", workbook_rid)
    etree.SubElement(external, _c("autoUpdate")).set("val", "0")


def _nice_step(span: float) -> float:
    """Return the round step (1, 2 or 5 times a power of ten) at or above ``span``."""
    span = abs(span) or 1.0
    power = 10 ** math.floor(math.log10(span))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= span * (1 - 1e-9))


def _set_scale(axis: Any, low: float, high: float, step: float | None = None) -> None:
    scaling = axis.find(_c("scaling"))
    for tag in ("max", "min"):
        for old in scaling.findall(_c(tag)):
            scaling.remove(old)
    etree.SubElement(scaling, _c("max")).set("val", f"{high:g}")
    etree.SubElement(scaling, _c("min")).set("val", f"{low:g}")
    if step is not None:
        unit = etree.Element(_c("majorUnit"))
        unit.set("val", f"{step:g}")
        _insert_in_order(axis, unit)


def _combo_bands(value_axes: Sequence[Any], plan: _Plan) -> None:
    """Fix both value axes' bounds so bars and line get bands of their own (the drawings')."""
    bars = [v for v in plan.series[0].values if v is not None]
    line = [v for v in plan.series[1].values if v is not None]
    if not bars or not line:
        return
    hi = max(0.0, *bars) / COMBO_BAR_BAND
    lo = min(0.0, *bars)
    step = _nice_step((hi - lo) / 5)
    _set_scale(value_axes[0], math.floor(lo / step) * step, math.ceil(hi / step) * step)
    low, high = min(line), max(line)
    span = (high - low) or max(abs(high), 1.0)
    start, share = COMBO_LINE_BAND
    bottom = low - start / share * span
    top = bottom + span / share
    step = _nice_step(span / 2)
    _set_scale(value_axes[1], math.floor(bottom / step) * step, math.ceil(top / step) * step, step)
    first, last = math.ceil(low / step) * step, math.floor(high / step) * step
    number_format = value_axes[1].find(_c("numFmt"))
    if number_format is not None:
        # Ticks show only over the line's own range, as in the drawings.
        number_format.set("formatCode", f'[<{first:g}]"";[>{last:g}]"";General')
        number_format.set("sourceLinked", "0")


_AXIS_ORDER = (
    "axId", "scaling", "delete", "axPos", "majorGridlines", "minorGridlines", "title",
    "numFmt", "majorTickMark", "minorTickMark", "tickLblPos", "spPr", "txPr", "crossAx",
    "crosses", "crossesAt", "crossBetween", "majorUnit", "minorUnit", "dispUnits", "extLst",
)  # fmt: skip


def _insert_in_order(axis: Any, child: Any) -> None:
    tag = etree.QName(child).localname
    later = _AXIS_ORDER[_AXIS_ORDER.index(tag) + 1 :]
    for existing in axis:
        if etree.QName(existing).localname in later:
            existing.addprevious(child)
            return
    axis.append(child)


def _copy_axis_look(primary: Any, secondary: Any) -> None:
    """Give the secondary value axis the primary's number format, line and tick fonts."""
    for tag in ("numFmt", "spPr", "txPr"):
        source = primary.find(_c(tag))
        if source is not None and secondary.find(_c(tag)) is None:
            _insert_in_order(secondary, _deep_copy(source))


def _deep_copy(el: Any) -> Any:
    return etree.fromstring(etree.tostring(el))


def _header_band(plot_area: Any, style: _Style, height_pt: float) -> None:
    """Keep a band above the plot for the unit lines and the legend, as the drawings do.

    Word lays an axis title out beside its axis and turned; a unit line placed at the top
    corner instead needs the plot (its tick labels included) moved down below it.
    """
    band = min(0.3, style.size * LABEL_SCALE * 2.0 / max(height_pt, 1.0))
    layout = plot_area.find(_c("layout"))
    if layout is None:
        layout = etree.Element(_c("layout"))
        plot_area.insert(0, layout)
    for child in list(layout):
        layout.remove(child)
    manual = etree.SubElement(layout, _c("manualLayout"))
    for tag, val in (("layoutTarget", "outer"), ("xMode", "edge"), ("yMode", "edge"),
                     ("x", "0"), ("y", f"{band:.4f}"), ("w", "1"), ("h", f"{1 - band:.4f}")):  # fmt: skip
        etree.SubElement(manual, _c(tag)).set("val", val)


def _legend_at_top_right(
    legend: Any, plan: _Plan, style: _Style, size_pt: tuple[float, float]
) -> None:
    """Move the legend into the header band's right end, where the drawings put it."""
    em = style.size * LABEL_SCALE
    key = 4.0 if plan.form == "line" else 2.4  # a line's key is wider than a swatch
    width = (sum(tx.text_width(s.name) * em + key * em for s in plan.series) + em) * 1.1
    w = min(1.0, width / max(size_pt[0], 1.0))
    h = min(0.3, em * 1.8 / max(size_pt[1], 1.0))
    layout = legend.find(_c("layout"))
    if layout is None:
        layout = etree.Element(_c("layout"))
        legend.find(_c("legendPos")).addnext(layout)
    for child in list(layout):
        layout.remove(child)
    manual = etree.SubElement(layout, _c("manualLayout"))
    for tag, val in (("xMode", "edge"), ("yMode", "edge"), ("x", f"{1 - w:.4f}"), ("y", "0"),
                     ("w", f"{w:.4f}"), ("h", f"{h:.4f}")):  # fmt: skip
        etree.SubElement(manual, _c(tag)).set("val", val)


def _unit_title(axis: Any, text: str, style: _Style, width_pt: float, *, right: bool) -> None:
    """Print the unit line (单位：亿元) level at the top corner, as the drawings do."""
    x = 0.0
    if right:
        text_pt = tx.text_width(text) * style.size * LABEL_SCALE
        x = max(0.0, 1 - (text_pt + style.size) / max(width_pt, 1.0))
    title = etree.Element(_c("title"))
    rich = etree.SubElement(etree.SubElement(title, _c("tx")), _c("rich"))
    etree.SubElement(rich, _a("bodyPr"), {"rot": "0", "vert": "horz"})
    etree.SubElement(rich, _a("lstStyle"))
    para = etree.SubElement(rich, _a("p"))
    ppr = etree.SubElement(para, _a("pPr"))
    _run_props(etree.SubElement(ppr, _a("defRPr")), style, LABEL_SCALE, style.colors.muted)
    run = etree.SubElement(para, _a("r"))
    _run_props(etree.SubElement(run, _a("rPr")), style, LABEL_SCALE, style.colors.muted)
    etree.SubElement(run, _a("t")).text = text
    layout = etree.SubElement(etree.SubElement(title, _c("layout")), _c("manualLayout"))
    for tag, val in (("xMode", "edge"), ("yMode", "edge"), ("x", f"{x:.4f}"), ("y", "0")):
        etree.SubElement(layout, _c(tag)).set("val", val)
    etree.SubElement(title, _c("overlay")).set("val", "0")
    _insert_in_order(axis, title)


def _run_props(rpr: Any, style: _Style, scale: float, color: str) -> None:
    rpr.set("sz", str(round(style.size * scale * 100)))
    rpr.set("b", "0")
    fill = etree.SubElement(rpr, _a("solidFill"))
    etree.SubElement(fill, _a("srgbClr")).set("val", ooxml.hex_color(color))
    etree.SubElement(rpr, _a("latin")).set("typeface", style.latin)


def _east_asian_fonts(space: Any, style: _Style, language: str) -> None:
    """Name the East Asian (and complex-script) font beside every Latin one, and the language.

    python-pptx sets ``a:latin`` only; Word and WPS then draw Chinese in a fallback face.
    Every run property that names a font gets the chart's CJK face in ``a:ea`` and ``a:cs``,
    right after ``a:latin`` as the schema orders them. Every run property also names its
    language: LibreOffice, lacking the named CJK face, chooses the substitute by it (without,
    it sets Chinese in a face that spaces every character apart).
    """
    chinese = language.lower().startswith("zh")
    for tag in ("defRPr", "rPr", "endParaRPr"):
        for rpr in space.iter(_a(tag)):
            rpr.set("lang", "zh-CN" if chinese else "en-US")
            rpr.set("altLang", "en-US" if chinese else "zh-CN")
    for latin in space.iter(_a("latin")):
        anchor = latin
        for tag, face in (("ea", style.east_asia), ("cs", style.east_asia)):
            existing = latin.getparent().find(_a(tag))
            if existing is None:
                existing = etree.Element(_a(tag))
                anchor.addnext(existing)
            existing.set("typeface", face)
            anchor = existing
