"""What both layouts share: binding, numbering, located errors and resolved charts."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..diagnostics import Diagnostic, Diagnostics
from ..document import (
    ChartData,
    ChartPoint,
    ChartSeries,
    DocumentMeta,
    Figure,
    KpiCard,
    KpiPanel,
    Paragraph,
    Quote,
    Run,
    Table,
)
from ..errors import KhzReportError, Location, TemplateError, ValidationError, raise_all
from ..limits import MAX_DOCUMENT_CHARS, MAX_DOCUMENT_FIGURES, MAX_PROPERTY_CHARS
from ..locations import format_path, source_map
from ..model import ChartSpec, Report, TableSpec
from ..source.assets import check_photo, confined_path
from ..theme import Theme
from . import numbers as nb
from .alt import alt_text
from .binding import BindingError, Bound, Locale
from .lint import unbound_templates
from .narrative import NarrativeError, Part, clean_text, render, render_parts

FigureWidth = Literal["full", "half", "small"]

if TYPE_CHECKING:
    from ..locations import PathKey


class Composer:
    """State of one layout run: report, edition, theme, caption counters, errors, warnings.

    Warnings go into ``channel`` (the caller's :class:`Diagnostics`, or one of its own) and
    are kept in ``diagnostics`` too, so the document carries exactly the ones it caused.
    """

    def __init__(
        self,
        report: Report,
        theme: Theme,
        language: str | None = None,
        diagnostics: Diagnostics | None = None,
    ):
        self.report = report
        self.theme = theme
        self.locale = Locale(language or report.meta.language)
        self.smap = source_map(report)
        self.figure_count = 0
        self.table_count = 0
        self.annex = False
        self.refs: frozenset[str] = frozenset()
        self.targets: dict[str, tuple[str, str]] = {}
        self.errors: list[KhzReportError] = []
        self.channel = diagnostics if diagnostics is not None else Diagnostics()
        self.diagnostics: list[Diagnostic] = []
        self.used: set[str] = set()
        self.printed_chars = 0
        self.placed_figures = 0
        self.without_image: dict[str, str] = {}
        for note in self.smap.notes if self.smap else ():
            self.diagnostics.append(note)  # found while reading (a data file's formulas)
            self.channel.add(note)

    @property
    def base_dir(self) -> Path | None:
        """Return the source folder, where images and data files are looked up."""
        return self.smap.folder if self.smap else None

    def where(self, path: PathKey) -> Location:
        """Return the source location of a field path."""
        if self.smap:
            return self.smap.locate(path)
        return Location(path=format_path(path))

    def finish(self) -> None:
        """Raise the errors collected; warn of figures to come, missing English, no images.

        Each figure still to come and each figure without an image is its own warning at its
        place in the source (``--strict`` then names every line to fix); texts without English
        are one warning, as they are usually many.
        """
        self.errors.extend(unbound_templates(self.report))
        raise_all(self.errors)
        marker = self.locale.word("〔待填〕", "[to come]")
        for ident in dict.fromkeys(self.locale.pending):
            self.warn(
                "value-pending",
                f"indicator '{ident}' has no value yet and prints as {marker}",
                self._pending_path(ident),
                "fill in the figure before the report is issued",
            )
        if self.locale.missing_en:
            missing = list(dict.fromkeys(self.locale.missing_en))
            shown = ", ".join(missing[:8]) + (
                f" and {len(missing) - 8} more" if len(missing) > 8 else ""
            )
            self.warn(
                "english-missing",
                f"{len(missing)} text(s) have no English version and stay in Chinese: {shown}",
            )
        for ident in dict.fromkeys(self.locale.nounless):
            i = [x.id for x in self.report.indicators].index(ident)
            unit = self.report.indicators[i].unit
            self.warn(
                "english-count-noun",
                f"indicator '{ident}' counts in {unit} and no English noun fits its labels: "
                "the English edition prints the bare number",
                ("indicators", i, "unit_en"),
                "name what is counted, e.g. unit_en: projects",
            )
        for ident, caption in self.without_image.items():
            i = [f.id for f in self.report.figures].index(ident)
            self.warn(
                "figure-without-image",
                f"figure '{ident}' ({caption}) has no image file and is not shown",
                ("figures", i, "image"),
                "set image: to a file next to the source",
            )

    def _pending_path(self, ident: str) -> PathKey:
        """Return the field that a figure still to come leaves empty (its value or its rank)."""
        i = [x.id for x in self.report.indicators].index(ident)
        ind = self.report.indicators[i]
        no_value = ind.pending and "value" in ind.model_fields_set
        if ind.rank is not None and ind.rank.position is None and not no_value:
            return ("indicators", i, "rank", "position")
        return ("indicators", i, "value")

    def warn(
        self, code: str, message: str, path: PathKey | None = None, hint: str | None = None
    ) -> Diagnostic:
        """Record a warning that the layout could not do something, located at ``path``."""
        location = self.where(path) if path is not None else None
        diagnostic = Diagnostic(code, message, location, hint)
        if diagnostic not in self.diagnostics:
            self.diagnostics.append(diagnostic)
        return self.channel.add(diagnostic)

    def text(self, zh: str, en: str | None, path: PathKey) -> str:
        """Return a short source text in this edition's language, its ``{{ }}`` bound.

        Titles, captions, units and the like hold bindings like paragraphs do; they render as
        one line of plain text.
        """
        text = clean_text(self.locale.pick(zh, en, format_path(path) + "_en"))
        if "{{" not in text and "{%" not in text:
            self.count_text(len(text), path)
            return text
        used = (*path[:-1], f"{path[-1]}_en") if self.locale.en and en else path
        try:
            paragraphs = render(text, self.report, self.locale, self.used)
        except NarrativeError as exc:
            self.errors.append(
                TemplateError(exc.message, self._text_location(used, exc.line), exc.hint)
            )
            return ""
        out = "".join(run.text for runs in paragraphs for run in runs)
        self.count_text(len(out), path)
        return out

    def period(self, value: int | str) -> str:
        """Return a year, a month (``2023-08``) or a day (``2023-08-22``) in this edition's style."""
        return nb.format_period(value, locale="en" if self.locale.en else "zh-CN")

    def bound(self, ident: str) -> Bound:
        """Return the indicator with this id bound to this edition."""
        return Bound(self.report.indicator(ident), self.report, self.locale)

    def narrative(self, zh: str, en: str | None, path: PathKey) -> list[Part]:
        """Render a narrative template into paragraphs; errors are collected with locations."""
        text = self.locale.pick(zh, en, format_path(path) + "_en")
        if self.locale.en and not en:
            path_used = path
        else:
            path_used = (*path[:-1], f"{path[-1]}_en") if self.locale.en else path
        try:
            parts = render_parts(text, self.report, self.locale, self.used, self.refs)
        except NarrativeError as exc:
            loc = self._text_location(path_used, exc.line)
            self.errors.append(TemplateError(exc.message, loc, exc.hint))
            return []
        self.count_text(sum(len(r.text) for p in parts for r in p.runs), path_used)
        return parts

    def _text_location(self, path: PathKey, line: int | None) -> Location:
        if self.smap is None:
            return self.where(path)
        if line is None:
            return self.smap.locate(path)
        return self.smap.locate_in_text(path, line)

    def paragraphs(
        self, zh: str, en: str | None, path: PathKey, style: Literal["body", "lead"] = "body"
    ) -> list[Paragraph]:
        """Return the paragraphs of a narrative text."""
        return [
            Paragraph(p.runs, "item", p.marker) if p.marker else Paragraph(p.runs, style)
            for p in self.narrative(zh, en, path)
        ]

    def runs(self, zh: str, en: str | None, path: PathKey) -> tuple[Run, ...]:
        """Return a narrative text as one run sequence (paragraphs joined)."""
        out: list[Run] = []
        for i, part in enumerate(self.narrative(zh, en, path)):
            if i:
                out.append(Run("\n"))
            if part.marker:
                out.append(Run(part.marker + " "))
            out.extend(part.runs)
        return tuple(out)

    def source_note(self, source: str | None) -> str | None:
        """Return ``资料来源：…`` for a source line (adding the prefix when missing)."""
        if not source:
            return None
        source = clean_text(source)
        return self.locale.word("资料来源：", "Source: ") + strip_source_prefix(source)

    def unit_line(self, unit: str | None) -> str | None:
        """Return ``单位：亿元`` / ``Unit: RMB 100 million`` for an axis or table unit."""
        if not unit:
            return None
        return self.locale.word("单位：", "Unit: ") + unit

    def another_figure(self, path: PathKey) -> bool:
        """Count a figure placed in the document; past MAX_DOCUMENT_FIGURES, refuse it (once)."""
        self.placed_figures += 1
        if self.placed_figures == MAX_DOCUMENT_FIGURES + 1:
            self.errors.append(
                ValidationError(
                    f"the document would show more than {MAX_DOCUMENT_FIGURES} figures",
                    self.where(path),
                    "show a figure once and refer to it with {{ ref.ID }}",
                )
            )
        return self.placed_figures <= MAX_DOCUMENT_FIGURES

    def count_text(self, length: int, path: PathKey) -> None:
        """Count resolved text; the block that takes the document past MAX_DOCUMENT_CHARS
        is refused (once), so a short source cannot print thousands of pages."""
        before = self.printed_chars
        self.printed_chars += length
        if before <= MAX_DOCUMENT_CHARS < self.printed_chars:
            self.errors.append(
                ValidationError(
                    f"the document's text passes {MAX_DOCUMENT_CHARS:,} characters here",
                    self.where(path),
                    "a briefing is far shorter: check templates that repeat text",
                )
            )

    def next_figure_label(self) -> tuple[int, str]:
        """Return the next figure number and its label (图1 / Figure 1; 附图1 in an appendix)."""
        self.figure_count += 1
        n = self.figure_count
        if self.annex:
            return n, self.locale.word(f"附图{n}", f"Figure A{n}")
        return n, self.locale.word(f"图{n}", f"Figure {n}")

    def next_table_label(self) -> tuple[int, str]:
        """Return the next table number and its label (表1 / Table 1; 附表1 in an appendix)."""
        self.table_count += 1
        n = self.table_count
        if self.annex:
            return n, self.locale.word(f"附表{n}", f"Table A{n}")
        return n, self.locale.word(f"表{n}", f"Table {n}")

    def definition(self, ident: str) -> str | None:
        """Return an indicator's 口径 in this edition's language, or None."""
        ind = self.report.indicator(ident)
        if not ind.definition:
            return None
        i = [x.id for x in self.report.indicators].index(ident)
        return self.text(ind.definition, ind.definition_en, ("indicators", i, "definition"))

    def definitions_note(self, ids: list[str]) -> str | None:
        """Return the 口径 note of some indicators (注：甲：…；乙：…。), or None if none has one."""
        parts = []
        for ident in dict.fromkeys(ids):
            text = (self.definition(ident) or "").rstrip("。.；; ")
            if text:
                label = self.bound(ident).label()
                parts.append(self.locale.word(f"{label}：{text}", f"{label}: {text}"))
        if not parts:
            return None
        return self.locale.word("注：" + "；".join(parts) + "。", "Note: " + "; ".join(parts) + ".")

    def start_annex(self) -> None:
        """Number the figures and tables from here on as the appendices' own: 附图1, 附表1."""
        self.annex = True
        self.figure_count = self.table_count = 0

    def caption_anchor(self, kind: str, number: int) -> str:
        """Return the anchor of figure or table ``number`` (``figure-3``, ``annex-table-1``)."""
        return f"annex-{kind}-{number}" if self.annex else f"{kind}-{number}"

    def kpi_panel(self, ids: list[str], title: str | None, path: PathKey) -> KpiPanel | None:
        """Return a KPI panel of cards for these indicator ids."""
        cards = []
        for k, ident in enumerate(ids):
            b = self.bound(ident)
            try:
                fv = b.formatted()
            except BindingError as exc:
                self.errors.append(ValidationError(str(exc), self.where((*path, k))))
                continue
            change, direction = b.change()
            cards.append(
                KpiCard(
                    indicator=ident,
                    label=b.short_label(),
                    prefix=fv.prefix,
                    number=fv.number,
                    suffix=fv.suffix,
                    unit=fv.unit,
                    value_text=fv.text,
                    change_text=change,
                    direction=direction,
                )
            )
        return KpiPanel(tuple(cards), title, origin=self.where(path)) if cards else None

    def quote(self, ident: str, path: PathKey) -> Quote:
        """Return a quote with its attribution line."""
        q = self.report.quote(ident)
        i = [x.id for x in self.report.quotes].index(ident)
        qpath: PathKey = ("quotes", i)
        runs = self.runs(q.text, q.text_en, (*qpath, "text"))
        by = self.text(q.by, q.by_en, (*qpath, "by"))
        role = self.text(q.role, q.role_en, (*qpath, "role")) if q.role else None
        sep = self.locale.word("，", ", ")
        return Quote(runs, "——" + by + (sep + role if role else ""), origin=self.where(path))

    def chart_figure(self, ident: str, path: PathKey, width: FigureWidth = "full") -> Figure | None:
        """Return a numbered chart figure, its data bound and formatted."""
        spec = self.report.chart(ident)
        i = [c.id for c in self.report.charts].index(ident)
        try:
            data = self.chart_data(spec, ("charts", i))
        except BindingError as exc:
            self.errors.append(ValidationError(str(exc), self.where(("charts", i))))
            return None
        if not self.another_figure(path):
            return None
        number, label = self.next_figure_label()
        anchor = self.caption_anchor("figure", number)
        self.targets.setdefault(ident, (anchor, label))
        alt = (
            self.text(spec.alt, spec.alt_en, ("charts", i, "alt"))
            if spec.alt and (spec.alt_en or not self.locale.en)
            else alt_text(data)
        )
        return Figure(
            number,
            label,
            data.title,
            alt,
            self.source_note(
                self.locale.pick(spec.source, spec.source_en, f"charts[{i}].source_en")
                if spec.source
                else None
            ),
            chart=data,
            width=width,
            anchor=anchor,
            note=self.definitions_note(_chart_indicators(spec)) if spec.definitions else None,
            origin=self.where(path),
        )

    def chart_data(self, spec: ChartSpec, path: PathKey) -> ChartData:
        """Bind a chart spec to its indicators: categories, values and printed labels."""
        title = self.text(spec.title, spec.title_en, (*path, "title"))
        unit = self.text(spec.unit, spec.unit_en, (*path, "unit")) if spec.unit else None
        notes: list[str] = []
        categories: tuple[str, ...]
        series: tuple[ChartSeries, ...]
        if spec.kind in ("bar", "ranking", "donut"):
            categories, series = self._category_series(spec, path, unit)
        elif spec.kind in ("grouped_bar", "stacked_bar"):
            categories, series = self._grouped_series(spec, path, unit)
        elif spec.kind in ("line", "combo"):
            categories, series = self._time_series(spec, path, unit, notes)
        else:
            categories, series = self._big_number(spec)
        if spec.kind != "big_number":
            unit, series = self._axis_unit(unit, series)
        if spec.kind == "combo":
            return self._combo(spec, title, categories, series, unit, notes)
        return ChartData(
            id=spec.id,
            kind=spec.kind,
            title=title,
            categories=categories,
            series=series,
            unit_line=self.unit_line(unit),
            notes=tuple(notes),
            language=self.locale.language,
        )

    def _year(self, year: int) -> str:
        return nb.format_year(year, locale="en" if self.locale.en else "zh-CN")

    def _axis_unit(
        self, unit: str | None, series: tuple[ChartSeries, ...]
    ) -> tuple[str | None, tuple[ChartSeries, ...]]:
        """Return the axis unit and the series in it, as the number layer words the labels.

        When every drawn indicator has one unit that the edition restates (English money in
        billions, areas in m²), :func:`numbers.axis_unit` names the axis (``RMB billion``
        beside labels in billions) and the values are divided to match; otherwise the spec's
        unit stands (``营业收入（亿元）``), or the indicators' when the spec gives none.
        """
        ids = [p.indicator for s in series for p in s.points if p.indicator]
        if not ids:
            return unit, series
        inds = [self.report.indicator(i) for i in dict.fromkeys(ids)]
        if any(i.rank is not None and i.current is None for i in inds):
            return unit, series
        units = {(i.unit, i.unit_en) for i in inds}
        values = [abs(p.value) for s in series for p in s.points if p.value is not None]
        if len(units) != 1 or not values:
            return unit, series
        ((shared, shared_en),) = units
        try:
            found = nb.axis_unit(
                shared, max(values), locale="en" if self.locale.en else "zh-CN", unit_en=shared_en
            )
        except ValueError:
            return unit, series
        if found is None or not found[0]:
            return unit, series
        text, divisor = found
        if divisor == 1:
            return unit or text, series
        scaled = tuple(
            ChartSeries(
                s.name,
                tuple(
                    ChartPoint(
                        p.category,
                        None if p.value is None else float(nb.to_decimal(p.value) / divisor),
                        p.label,
                        p.indicator,
                        p.total,
                    )
                    for p in s.points
                ),
                text,
            )
            for s in series
        )
        return text, scaled

    def _chart_label(self, text: str, path: PathKey) -> str:
        """Return a chart's category or series label, shortened with … when it is too long.

        A chart has room for a label of about :data:`CHART_LABEL_EMS` Chinese characters; a
        longer one would crowd out the plot (or, at a thousand characters, leave it blank), so
        it is cut with an ellipsis and a located warning.
        """
        if _ems(text) <= CHART_LABEL_EMS:
            return text
        cut = ""
        for ch in text:
            if _ems(cut + ch) > CHART_LABEL_EMS - 1:
                break
            cut += ch
        short = cut.rstrip() + "…"
        self.warn(
            "chart-label-shortened",
            f"a chart label of {len(text)} characters is shortened to '{short}'",
            path,
            f"give the chart a short label (at most {CHART_LABEL_EMS} Chinese characters) "
            "in 'labels' or the indicator's 'short_label'",
        )
        return short

    def _category_series(
        self, spec: ChartSpec, path: PathKey, unit: str | None
    ) -> tuple[tuple[str, ...], tuple[ChartSeries, ...]]:
        ids = spec.indicators or []
        labels = [
            self._chart_label(lab, self._label_path(spec, ids, path, k))
            for k, lab in enumerate(self._labels(spec, ids, path))
        ]
        points = tuple(self._point(lab, ident) for lab, ident in zip(labels, ids, strict=True))
        return tuple(labels), (ChartSeries(None, points, unit or ""),)

    def _grouped_series(
        self, spec: ChartSpec, path: PathKey, unit: str | None
    ) -> tuple[tuple[str, ...], tuple[ChartSeries, ...]]:
        en = spec.categories_en or []
        field = "categories_en" if self.locale.en and spec.categories_en else "categories"
        categories = tuple(
            self._chart_label(
                clean_text(
                    self.locale.pick(
                        c, en[k] if k < len(en) else None, f"charts.{spec.id}.categories_en"
                    )
                ),
                (*path, field, k),
            )
            for k, c in enumerate(spec.categories or [])
        )
        series = tuple(
            ChartSeries(
                self._series_name(s.name, s.name_en, (*path, "series", j, "name"))
                if s.name
                else None,
                tuple(
                    self._point(cat, ident)
                    for cat, ident in zip(categories, s.indicators or [], strict=True)
                ),
                unit or "",
            )
            for j, s in enumerate(spec.series or [])
        )
        return categories, series

    def _time_series(
        self, spec: ChartSpec, path: PathKey, unit: str | None, notes: list[str]
    ) -> tuple[tuple[str, ...], tuple[ChartSeries, ...]]:
        refs = [s.indicator or (s.indicators or [""])[0] for s in spec.series or []]
        years: set[int] = set()
        for ident in refs:
            ind = self.report.indicator(ident)
            if not ind.series:
                raise BindingError(f"chart '{spec.id}': indicator '{ind.id}' has no series")
            years.update(ind.series)
        ordered = sorted(years)
        categories = tuple(self._year(y) for y in ordered)
        built = []
        for j, (s, ident) in enumerate(zip(spec.series or [], refs, strict=True)):
            b = self.bound(ident)
            by_year = {y: (v, lab) for y, v, lab in b.series_points()}
            points = []
            for y, cat in zip(ordered, categories, strict=True):
                v, lab = by_year.get(y, (None, ""))
                if v is None:
                    notes.append(
                        self.locale.word(
                            f"{cat}{b.short_label()}数据缺失",
                            f"{b.short_label()}: no data for {cat}",
                        )
                    )
                points.append(ChartPoint(cat, v, lab if v is not None else "", ident))
            name = (
                self._series_name(s.name, s.name_en, (*path, "series", j, "name"))
                if s.name
                else b.short_label()
            )
            built.append(ChartSeries(name, tuple(points), unit or ""))
        return categories, tuple(built)

    def _big_number(self, spec: ChartSpec) -> tuple[tuple[str, ...], tuple[ChartSeries, ...]]:
        b = self.bound(spec.indicator or "")
        fv = b.formatted()
        if b.indicator.series and len(b.indicator.series) >= 2:
            pts = b.series_points()
            categories = tuple(self._year(y) for y, _, _ in pts)
            points = tuple(
                ChartPoint(c, v, lab) for c, (_, v, lab) in zip(categories, pts, strict=True)
            )
        else:
            categories = (b.short_label(),)
            points = (ChartPoint(b.short_label(), b.numeric(), fv.text),)
        return categories, (ChartSeries(fv.text, points, fv.unit),)

    def _combo(
        self,
        spec: ChartSpec,
        title: str,
        categories: tuple[str, ...],
        series: tuple[ChartSeries, ...],
        unit: str | None,
        notes: list[str],
    ) -> ChartData:
        bars = series[0]
        if len(series) > 1:
            line = series[1]
            second_unit = line.unit
        else:
            pts: list[ChartPoint] = []
            prev: float | None = None
            first = (spec.series or [])[0]
            ident = first.indicator or (first.indicators or [""])[0]
            places = self.report.indicator(ident).growth_decimals
            places = 1 if places is None else places
            for p in bars.points:
                if p.value is None or prev in (None, 0):
                    pts.append(ChartPoint(p.category, None, ""))
                else:
                    assert prev is not None
                    rate = float(nb.growth_rate(p.value, prev))
                    pts.append(
                        ChartPoint(p.category, rate, nb.format_percent(rate, decimals=places))
                    )
                prev = p.value
            line = ChartSeries(self.locale.word("同比增长", "Growth"), tuple(pts), "%")
            second_unit = "%"
        return ChartData(
            id=spec.id,
            kind="combo",
            title=title,
            categories=categories,
            series=(bars,),
            unit_line=self.unit_line(unit),
            secondary=line,
            secondary_unit_line=self.unit_line(second_unit),
            notes=tuple(notes),
            language=self.locale.language,
        )

    def _labels(self, spec: ChartSpec, ids: list[str], path: PathKey) -> list[str]:
        if spec.labels:
            en = spec.labels_en or []
            return [
                clean_text(
                    self.locale.pick(
                        z, en[k] if k < len(en) else None, f"charts.{spec.id}.labels_en"
                    )
                )
                for k, z in enumerate(spec.labels)
            ]
        return [self.bound(i).short_label() for i in ids]

    def _series_name(self, zh: str, en: str | None, path: PathKey) -> str:
        used = (*path[:-1], f"{path[-1]}_en") if self.locale.en and en else path
        return self._chart_label(self.text(zh, en, path), used)

    def _label_path(self, spec: ChartSpec, ids: list[str], path: PathKey, k: int) -> PathKey:
        """Return the field a chart's ``k``-th category label comes from (for its warning)."""
        if spec.labels:
            return (*path, "labels_en" if self.locale.en and spec.labels_en else "labels", k)
        i = [x.id for x in self.report.indicators].index(ids[k])
        ind = self.report.indicators[i]
        name = "short_label" if ind.short_label else "label"
        return ("indicators", i, f"{name}_en" if self.locale.en else name)

    def _point(self, category: str, ident: str) -> ChartPoint:
        b = self.bound(ident)
        rank = b.indicator.rank
        total = (
            float(rank.of) if rank is not None and rank.of and b.indicator.current is None else None
        )
        return ChartPoint(category, b.numeric(), b.full(), ident, total)

    def table(self, spec: TableSpec, path: PathKey) -> Table | None:
        """Return a numbered table whose rows are indicators."""
        headers = {
            "label": ("指标", "Indicator"),
            "value": ("数值", "Value"),
            "previous": ("上期", "Previous"),
            "growth": ("增长", "Change"),
            "rank": ("排名", "Rank"),
            "share": ("占比", "Share"),
            "target": ("目标", "Target"),
            "period": ("时间", "Period"),
            "date": ("日期", "Date"),
            "source": ("来源", "Source"),
            "note": ("备注", "Note"),
            "definition": ("口径", "Definition"),
        }
        rows = []
        for k, ident in enumerate(spec.rows):
            b = self.bound(ident)
            row = []
            for col in spec.columns:
                try:
                    row.append(self._cell(b, col))
                except BindingError as exc:
                    self.errors.append(ValidationError(str(exc), self.where((*path, "rows", k))))
                    row.append("")
            rows.append(tuple(row))
        number, label = self.next_table_label()
        anchor = self.caption_anchor("table", number)
        if spec.id:
            self.targets.setdefault(spec.id, (anchor, label))
        numeric = tuple(
            i
            for i, c in enumerate(spec.columns)
            if c in ("value", "previous", "growth", "rank", "share", "target")
        )
        return Table(
            number,
            label,
            self.text(spec.title, spec.title_en, (*path, "title")),
            tuple(self.locale.word(*headers[c]) for c in spec.columns),
            tuple(rows),
            unit_line=self.unit_line(
                self.text(spec.unit, spec.unit_en, (*path, "unit")) if spec.unit else None
            ),
            source=self.source_note(
                self.text(spec.source, spec.source_en, (*path, "source")) if spec.source else None
            ),
            numeric_columns=numeric,
            anchor=anchor,
            note=self.definitions_note(spec.rows) if spec.definitions else None,
            indicators=tuple(spec.rows),
            origin=self.where(path),
        )

    def _cell(self, b: Bound, col: str) -> str:
        ind = b.indicator
        if col == "label":
            return b.label()
        if col == "value":
            return b.full()
        if col == "source":
            source = (
                self.locale.pick(ind.source, ind.source_en, f"indicators.{ind.id}.source")
                if ind.source
                else ""
            )
            return clean_text(strip_source_prefix(source))
        if col == "date":
            return b.date() if ind.date is not None else ""
        if col == "definition":
            return self.definition(ind.id) or ""
        if col == "note":
            return clean_text(
                self.locale.pick(ind.note, ind.note_en, f"indicators.{ind.id}.note")
                if ind.note
                else ""
            )
        if col == "period":
            if ind.as_of is not None:
                return clean_text(b.as_of())
            if ind.period is None and self.report.meta.period:
                m = self.report.meta
                return self.text(m.period, m.period_en, ("meta", "period"))
            return b.period() if ind.period is not None else ""
        if col == "rank":
            return b.rank() if ind.rank else ""
        if col == "target":
            return b.target() if ind.target is not None else ""
        if col == "previous":
            return b.previous() if b.previous_value() is not None else ""
        if col == "growth":
            return b.growth() if (ind.growth is not None or b.previous_value() is not None) else ""
        if col == "share":
            return b.share() if ind.share_of else ""
        raise AssertionError(col)

    def image_figure(self, ident: str, path: PathKey, width: FigureWidth = "full") -> Figure | None:
        """Return a numbered photo figure, or None (with a warning) when it has no image."""
        fig = self.report.figure(ident)
        i = [f.id for f in self.report.figures].index(ident)
        fpath: PathKey = ("figures", i)
        caption = self.text(fig.caption, fig.caption_en, (*fpath, "caption"))
        if not fig.image:
            self.without_image.setdefault(ident, caption)
            return None
        if self.base_dir is None:
            self.warn(
                "figure-without-source-folder",
                f"figure '{ident}': no source folder to find '{fig.image}' in",
                fpath,
                "load the report from its file, so that images are found next to it",
            )
            return None
        try:
            file = confined_path(self.base_dir, fig.image, self.where((*fpath, "image")))
        except KhzReportError as exc:
            self.errors.append(exc)
            return None
        if not file.is_file():
            self.errors.append(
                ValidationError(
                    f"image not found: {fig.image}",
                    self.where((*fpath, "image")),
                    "put the file next to the source or fix the path",
                )
            )
            return None
        problem = check_photo(file)
        if problem is not None:
            message, hint = problem
            self.errors.append(
                ValidationError(
                    f"image {fig.image}: {message}", self.where((*fpath, "image")), hint
                )
            )
            return None
        if not self.another_figure(path):
            return None
        number, label = self.next_figure_label()
        anchor = self.caption_anchor("figure", number)
        self.targets.setdefault(ident, (anchor, label))
        alt = (
            self.text(fig.alt, fig.alt_en, (*fpath, "alt"))
            if fig.alt and (fig.alt_en or not self.locale.en)
            else caption
        )
        source = self.text(fig.source, fig.source_en, (*fpath, "source")) if fig.source else None
        return Figure(
            number,
            label,
            caption,
            alt,
            self.source_note(source),
            image=str(file),
            width=width,
            anchor=anchor,
            origin=self.where(fpath),
        )

    def _edition_field(self, path: PathKey) -> PathKey:
        """Return the field this edition printed: ``title_en`` when the English one was used."""
        if not self.locale.en:
            return path
        holder: Any = self.report
        for key in path[:-1]:
            holder = holder[key] if isinstance(key, int) else getattr(holder, key)
        twin = f"{path[-1]}_en"
        return (*path[:-1], twin) if getattr(holder, twin, None) else path

    def meta(
        self,
        title: str,
        subject: str,
        running_header: str,
        title_at: PathKey = ("meta", "title"),
    ) -> DocumentMeta:
        """Return document properties shared by both layouts.

        Each is checked against what a DOCX file's properties hold, here rather than in the
        writer, so that ``validate`` refuses what a build would (``title_at`` is where the
        title comes from: the report's title, or a park's name).
        """
        m = self.report.meta
        meta = DocumentMeta(
            title=title,
            subtitle=self.text(m.subtitle, m.subtitle_en, ("meta", "subtitle"))
            if m.subtitle
            else None,
            author=self.text(m.issuer, m.issuer_en, ("meta", "issuer")),
            subject=subject,
            language=self.locale.language,
            keywords=tuple(
                clean_text(k)
                for k in self.locale.pick_list(m.keywords, m.keywords_en, "meta.keywords")
            ),
            date=m.date.isoformat(),
            date_text=nb.format_date(m.date, locale="en" if self.locale.en else "zh-CN"),
            running_header=running_header,
            marking=self.text(m.marking, m.marking_en, ("meta", "marking")) if m.marking else None,
            watermark=self.locale.word("征求意见稿", "DRAFT") if m.draft else None,
        )
        fields = (
            (meta.title, title_at),
            (meta.subtitle or "", ("meta", "subtitle")),
            (meta.author, ("meta", "issuer")),
            ("; ".join(meta.keywords), ("meta", "keywords")),
        )
        for text, at in fields:
            if len(text) > MAX_PROPERTY_CHARS:
                self.errors.append(
                    ValidationError(
                        f"{len(text)} characters, more than the {MAX_PROPERTY_CHARS} "
                        "a document's properties hold",
                        self.where(self._edition_field(at)),
                        "shorten it" if at[-1] != "keywords" else "use fewer or shorter keywords",
                    )
                )
        raise_all(self.errors)
        return meta


_SOURCE_PREFIXES = (
    "资料来源：",
    "资料来源:",
    "数据来源：",
    "数据来源:",
    "来源：",
    "Source:",
    "Sources:",
)


def strip_source_prefix(source: str) -> str:
    """Return a source line without its 资料来源： prefix (layouts add it once)."""
    for prefix in _SOURCE_PREFIXES:
        if source.startswith(prefix):
            return source[len(prefix) :].strip()
    return source


CHART_LABEL_EMS = 24
"""The longest chart label, in Chinese characters (a Latin letter counts about half)."""


def _ems(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in text)


def _chart_indicators(spec: ChartSpec) -> list[str]:
    """Return the ids of the indicators a chart draws, in its order."""
    ids = list(spec.indicators or [])
    if spec.indicator:
        ids.append(spec.indicator)
    for series in spec.series or []:
        ids.extend(series.indicators or [])
        if series.indicator:
            ids.append(series.indicator)
    return ids
