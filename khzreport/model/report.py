"""A whole report: meta, indicators, chapters, charts, parks, figures and quotes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    model_validator,
)

from ..locations import PathKey
from .base import (
    Count,
    Day,
    Id,
    Language,
    Strict,
    Text,
    Year,
)
from .blocks import Block
from .indicators import Indicator


class Distribution(Strict):
    """The closing block of a 简报: who receives it and who issued it."""

    submit_to: list[Text] = Field(default_factory=list, description="报送")
    submit_to_en: list[Text] | None = None
    copy_to: list[Text] = Field(default_factory=list, description="抄送")
    copy_to_en: list[Text] | None = None
    printed_by: Text | None = Field(None, description="印发 body")
    printed_by_en: Text | None = None
    printed_date: Day | None = None


class Meta(Strict):
    """Identity of the report: title, issuer, period, date, language, masthead data."""

    id: Id
    title: Text
    title_en: Text | None = None
    subtitle: Text | None = None
    subtitle_en: Text | None = None
    issuer: Text
    issuer_en: Text | None = None
    year: Year
    period: Text | None = Field(None, description="Reporting period if not the calendar year.")
    date: Day
    language: Language = "zh-CN"
    issue: Count | None = Field(None, description="Issue number for a 简报 masthead (第N期).")
    masthead: Text | None = Field(None, description="Red masthead line, e.g. 昆山高新区发展简报.")
    masthead_en: Text | None = None
    keywords: list[Text] = Field(default_factory=list)
    keywords_en: list[Text] | None = None
    distribution: Distribution | None = None


class Highlight(Strict):
    """A call-out: a short headline with one or two sentences of bound narrative."""

    id: Id | None = None
    title: Text | None = None
    title_en: Text | None = None
    text: Text = Field(description="Narrative template.")
    text_en: Text | None = None
    figure: Id | None = Field(None, description="Figure (photo) shown with the call-out.")


class Quote(Strict):
    """Words of a named person, with attribution."""

    id: Id
    text: Text
    text_en: Text | None = None
    by: Text
    by_en: Text | None = None
    role: Text | None = None
    role_en: Text | None = None


class Figure(Strict):
    """An image file with a caption, stored relative to the source file."""

    id: Id
    image: Text | None = Field(None, description="Path relative to the source; optional.")
    caption: Text
    caption_en: Text | None = None
    alt: Text | None = Field(None, description="Alt text; the caption is used when absent.")
    alt_en: Text | None = None
    source: Text | None = None
    source_en: Text | None = None


class Series(Strict):
    """One data series of a chart: a list of indicators, or one indicator's time series."""

    name: Text | None = None
    name_en: Text | None = None
    indicators: list[Id] | None = None
    indicator: Id | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Series:
        if (self.indicators is None) == (self.indicator is None):
            raise ValueError("a series names either 'indicators' (a list) or one 'indicator'")
        return self


ChartKind = Literal[
    "bar", "ranking", "grouped_bar", "stacked_bar", "line", "combo", "donut", "big_number"
]


class ChartSpec(Strict):
    """A chart whose every value comes from indicators.

    ``bar``, ``ranking`` and ``donut`` take ``indicators`` (one bar or slice each).
    ``grouped_bar`` and ``stacked_bar`` take ``categories`` and ``series`` of indicator lists.
    ``line`` takes ``series`` of single indicators with a time series; ``combo`` draws the
    first series as bars and its year-on-year growth (or a second series) as a line.
    ``big_number`` shows one indicator large, with its series as a sparkline if present.
    """

    id: Id
    kind: ChartKind
    title: Text
    title_en: Text | None = None
    unit: Text | None = Field(None, description="Axis unit, shown as 单位：亿元.")
    unit_en: Text | None = None
    source: Text | None = Field(None, description="资料来源 line under the chart.")
    source_en: Text | None = None
    indicators: list[Id] | None = None
    labels: list[Text] | None = Field(None, description="Category labels overriding labels.")
    labels_en: list[Text] | None = None
    categories: list[Text] | None = None
    categories_en: list[Text] | None = None
    series: list[Series] | None = None
    indicator: Id | None = Field(None, description="For big_number.")
    alt: Text | None = Field(None, description="Alt text; written from the data when absent.")
    alt_en: Text | None = None

    @model_validator(mode="after")
    def _data_fits_kind(self) -> ChartSpec:
        k = self.kind
        if k in ("bar", "ranking", "donut") and not self.indicators:
            raise ValueError(f"a {k} chart needs 'indicators'")
        if k in ("grouped_bar", "stacked_bar"):
            if not self.series or not self.categories:
                raise ValueError(f"a {k} chart needs 'categories' and 'series'")
            for s in self.series:
                if s.indicators is None or len(s.indicators) != len(self.categories):
                    raise ValueError("each series needs one indicator per category")
        if k in ("line", "combo") and not self.series:
            raise ValueError(f"a {k} chart needs 'series'")
        if k == "big_number" and not self.indicator:
            raise ValueError("a big_number chart needs 'indicator'")
        if self.labels is not None and self.indicators is not None:
            if len(self.labels) != len(self.indicators):
                raise ValueError("'labels' needs one label per indicator")
        return self




class Section(Strict):
    """A chapter: a two-line title (main line and second line) and an ordered list of blocks."""

    id: Id
    title: Text
    title_en: Text | None = None
    subtitle: Text | None = Field(None, description="Second line of the chapter title.")
    subtitle_en: Text | None = None
    blocks: list[Block] = Field(default_factory=list)


class Park(Strict):
    """An industrial park or innovation carrier, the subject of one summary sheet."""

    id: Id
    name: Text
    name_en: Text | None = None
    kind: Text = Field(description="产业园, 科创载体, 企业, 综合体 ...")
    kind_en: Text | None = None
    positioning: Text | None = None
    positioning_en: Text | None = None
    area: Id | None = Field(None, description="Indicator id holding the park's area.")
    founded: Year | None = None
    leading_industries: list[Text] = Field(default_factory=list)
    leading_industries_en: list[Text] | None = None
    key_enterprises: list[Text] = Field(default_factory=list)
    key_enterprises_en: list[Text] | None = None
    indicators: list[Id] = Field(default_factory=list, description="KPI cards of the sheet.")
    narrative: Text | None = None
    narrative_en: Text | None = None
    photo: Id | None = Field(None, description="Figure id of the park's photo.")
    chart: Id | None = None


class Report(Strict):
    """A whole annual report: meta, indicators, narrative sections, charts, parks, figures."""

    meta: Meta
    theme: Text = Field("briefing", description="Preset name or theme file relative to source.")
    lead: Text | None = Field(None, description="Lead paragraph template.")
    lead_en: Text | None = None
    kpis: list[Id] = Field(default_factory=list, description="Headline KPI panel.")
    highlights: list[Highlight] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    outlook: Section | None = None
    charts: list[ChartSpec] = Field(default_factory=list)
    parks: list[Park] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)

    _khz_index: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)
    _khz_source: Any = PrivateAttr(default=None)

    def indicator(self, id: str) -> Indicator:
        """Return the indicator with this id (KeyError if absent)."""
        return self._index("indicators")[id]

    def chart(self, id: str) -> ChartSpec:
        """Return the chart spec with this id."""
        return self._index("charts")[id]

    def figure(self, id: str) -> Figure:
        """Return the figure with this id."""
        return self._index("figures")[id]

    def quote(self, id: str) -> Quote:
        """Return the quote with this id."""
        return self._index("quotes")[id]

    def park(self, id: str) -> Park:
        """Return the park with this id."""
        return self._index("parks")[id]

    def chapters(self) -> list[tuple[PathKey, Section]]:
        """Return every chapter in reading order with its field path, the outlook last."""
        out: list[tuple[PathKey, Section]] = [
            (("sections", i), s) for i, s in enumerate(self.sections)
        ]
        if self.outlook is not None:
            out.append((("outlook",), self.outlook))
        return out

    def _index(self, name: str) -> dict[str, Any]:
        cache = self._khz_index
        if name not in cache:
            cache[name] = {item.id: item for item in getattr(self, name)}
        return cache[name]
