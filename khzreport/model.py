"""The report model: what a zone's annual report *is*, independent of any file format.

Every class is a frozen pydantic model that rejects unknown keys, so a typo in a source is an
error rather than a silently ignored field. The same objects can be built in Python without
YAML (``Report(meta=Meta(...), indicators=[Indicator(...)], ...)``).

Numbers live only in :class:`Indicator` objects. Narrative, charts, tables, KPI panels and
park sheets refer to indicators by id, which is what keeps the documents consistent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .limits import MAX_ID_CHARS, MAX_NUMBER, MAX_TEXT_CHARS, MAX_YEAR, MIN_YEAR

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=MAX_ID_CHARS),
]
"""An identifier: letters, digits and underscores, not starting with a digit (usable in templates)."""

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_CHARS)]


def _not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise refusal(
            "expected a whole number, got a yes/no value",
            "YAML reads yes/no/true/false as a boolean; write the number",
        )
    return value


Count = Annotated[int, Field(ge=1, le=MAX_NUMBER), BeforeValidator(_not_a_boolean)]
"""A positive whole number (a rank, the length of a list, an issue number)."""
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR), BeforeValidator(_not_a_boolean)]
"""A year, as a whole number from MIN_YEAR to MAX_YEAR."""


def _not_a_timestamp(value: Any) -> Any:
    if isinstance(value, int | float):  # pydantic would read 20231123 as seconds since 1970
        raise refusal(
            f"expected a date like 2023-12-31, got {value!r}", "write the date as YYYY-MM-DD"
        )
    return value


Day = Annotated[dt.date, BeforeValidator(_not_a_timestamp)]
"""A calendar day, written 2023-12-31 (a number is not taken as a timestamp)."""
Qualifier = Literal["近", "超", "突破", "约", "多", "余"]
Language = Literal["zh-CN", "en"]


def _parse_number(value: Any) -> Any:
    """Accept ``"1/3"`` as an exact fraction; reject booleans, non-finite and huge numbers.

    A number may be negative (a fall, a growth rate below zero) but never NaN or infinite,
    and never larger in magnitude than :data:`~khzreport.limits.MAX_NUMBER`.
    """
    if isinstance(value, bool):
        raise refusal(
            "expected a number, got a yes/no value",
            "YAML reads yes/no/true/false as a boolean; write the number",
        )
    if isinstance(value, str):
        text = value.strip()
        if "/" in text and len(text) <= 40:
            num, _, den = text.partition("/")
            if num.strip().isdigit() and den.strip().isdigit() and int(den) != 0:
                value = Fraction(int(num), int(den))
        if isinstance(value, str):
            raise refusal(
                f"expected a number, got the text {value!r}",
                'write a number such as 12.5, or a fraction in quotes such as "1/3"',
            )
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise refusal(
            f"expected a finite number, got {value!r}",
            "write the figure, or null for a figure still to come",
        )
    if isinstance(value, int | float | Decimal | Fraction) and abs(value) > MAX_NUMBER:  # type: ignore[operator]
        raise refusal(
            f"expected a number of at most 1e15 in size, got {_short_number(value)}",
            "1e15 is the limit for any figure; check the digits or store it in a larger unit",
        )
    return value


def refusal(message: str, hint: str) -> PydanticCustomError:
    """Return a validation error with a hint (the source loader shows it in brackets)."""
    return PydanticCustomError("khz_refused", "{message}", {"message": message, "hint": hint})


def _short_number(value: Any) -> str:
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a number of {len(str(abs(value)))} digits"
    return f"{value:g}" if isinstance(value, float) else str(value)


class Strict(BaseModel):
    """Base of all model classes: frozen, unknown keys rejected, no coercion of text to numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


NumberValue = int | float | Decimal | Fraction


class Rank(Strict):
    """A position in a published list, e.g. 第32名 in 国家高新区综合评价."""

    position: Count | None = Field(
        description="1-based position in the list; null while the list is not out yet."
    )
    of: Count | None = Field(None, description="How many entries the list has.")
    list: Text | None = Field(
        None, description="Which list or evaluation, e.g. 国家高新区综合评价."
    )
    previous: Count | None = Field(None, description="Position in the previous period.")

    @model_validator(mode="after")
    def _within_list(self) -> Rank:
        if self.of is not None and self.position is not None and self.position > self.of:
            raise ValueError(f"rank {self.position} is outside a list of {self.of}")
        return self


class Indicator(Strict):
    """One figure of the report, with everything needed to print it correctly.

    ``value`` is stored in ``source_unit`` when that is given and shown in ``unit``; otherwise
    it is stored as shown. A qualifier such as 近/超/突破/约/多/余 belongs to the figure, not to
    the prose, so it travels with it into every place the figure appears.
    """

    id: Id
    label: Text = Field(description="What the figure measures, e.g. 电子信息产业集群规模.")
    label_en: Text | None = None
    short_label: Text | None = Field(None, description="A short label for charts and KPI cards.")
    short_label_en: Text | None = None
    value: NumberValue | None = Field(None, description="The figure (int, decimal or '1/3').")
    unit: Text = Field("", description="Display unit: 亿元, 家, %, 万平方米 ...")
    unit_en: Text | None = Field(None, description="English noun for counting units (firms).")
    source_unit: Text | None = Field(None, description="Unit the value is stored in (元).")
    decimals: int | None = Field(None, ge=0, le=6, description="Fixed decimals when shown.")
    qualifier: Qualifier | None = None
    period: Year | Text | Day | None = Field(None, description="2023, '2023-12' or a date.")
    date: Day | None = Field(None, description="Day the figure was reached (records).")
    previous: NumberValue | None = Field(None, description="Value in the previous period.")
    previous_period: Year | Text | None = None
    growth: NumberValue | None = Field(None, description="Growth rate in percent, if published.")
    rank: Rank | None = None
    share_of: Id | None = Field(None, description="Indicator id of the whole this is part of.")
    parts_of: Id | None = Field(
        None, description="Indicator id of a total that this and its siblings must not exceed."
    )
    target: NumberValue | None = Field(None, description="Target value (for ranks: top N).")
    target_period: Year | Text | None = None
    series: dict[int, NumberValue | None] | None = Field(
        None, description="Year → value; null marks a year without data."
    )
    source: Text | None = Field(None, description="资料来源 line.")
    source_en: Text | None = None
    definition: Text | None = Field(None, description="口径: how the figure is defined.")
    definition_en: Text | None = None
    note: Text | None = None
    note_en: Text | None = None

    _check_value = field_validator("value", "previous", "growth", "target", mode="before")(
        classmethod(lambda cls, v: _parse_number(v))
    )

    @field_validator("series", mode="before")
    @classmethod
    def _check_series(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: (None if x is None else _parse_number(x)) for k, x in v.items()}
        return v

    @field_validator("series", mode="after")
    @classmethod
    def _series_years(cls, v: Any) -> Any:
        for year in v or ():
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise refusal(
                    f"a series is keyed by years from {MIN_YEAR} to {MAX_YEAR}, got {year}",
                    "write one 'YEAR: value' entry per year, e.g. 2023: 440",
                )
        return v

    @model_validator(mode="after")
    def _has_something(self) -> Indicator:
        if self.pending and "value" not in self.model_fields_set and self.rank is None:
            raise ValueError(
                "an indicator needs a value, a series, a rank or a date "
                "(write 'value: null' for a figure still to come)"
            )
        if isinstance(self.value, Fraction) and self.qualifier in ("多", "余"):
            raise ValueError(f"the qualifier {self.qualifier} does not go with a fraction; use 超")
        return self

    @property
    def pending(self) -> bool:
        """Return whether the figure is still to come (``value: null`` and nothing else)."""
        return (
            self.value is None
            and self.series is None
            and (self.rank is None or self.rank.position is None)
            and self.date is None
        )

    @property
    def current(self) -> NumberValue | None:
        """Return the value, or the latest value of the series when no value is given."""
        if self.value is not None:
            return self.value
        if self.series:
            for year in sorted(self.series, reverse=True):
                if self.series[year] is not None:
                    return self.series[year]
        return None


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


class Paragraph(Strict):
    """A paragraph of narrative; the text is a template bound to indicators."""

    paragraph: Text
    paragraph_en: Text | None = None


class Callout(Strict):
    """A highlighted call-out inside a chapter."""

    callout: Text
    callout_en: Text | None = None
    title: Text | None = None
    title_en: Text | None = None


class QuoteRef(Strict):
    """A quote from ``Report.quotes`` placed here."""

    quote: Id


class ChartRef(Strict):
    """A chart from ``Report.charts`` placed here, numbered 图 N."""

    chart: Id


class FigureRef(Strict):
    """A figure (photo) from ``Report.figures`` placed here, numbered 图 N."""

    figure: Id


TableColumn = Literal[
    "label",
    "value",
    "previous",
    "growth",
    "rank",
    "share",
    "target",
    "period",
    "date",
    "source",
    "note",
]


_DEFAULT_COLUMNS: tuple[TableColumn, ...] = ("label", "value")


class TableSpec(Strict):
    """A table whose rows are indicators and whose columns are their attributes."""

    title: Text
    title_en: Text | None = None
    rows: list[Id] = Field(min_length=1)
    columns: list[TableColumn] = Field(default_factory=lambda: list(_DEFAULT_COLUMNS))
    unit: Text | None = Field(None, description="单位 line when all rows share a unit.")
    unit_en: Text | None = None
    source: Text | None = None
    source_en: Text | None = None


class TableRef(Strict):
    """A table placed here, numbered 表 N."""

    table: TableSpec


class KpiPanel(Strict):
    """A row of KPI cards: value with unit and qualifier, label, change or rank movement."""

    kpi: list[Id] = Field(min_length=1)
    title: Text | None = None
    title_en: Text | None = None


def _block_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in BLOCK_KINDS:
            if key in value:
                return key
        return None
    fields = getattr(type(value), "model_fields", {})
    return next((key for key in BLOCK_KINDS if key in fields), None)


BLOCK_KINDS = ("paragraph", "callout", "quote", "chart", "figure", "table", "kpi")

Block = Annotated[
    Annotated[Paragraph, Tag("paragraph")]
    | Annotated[Callout, Tag("callout")]
    | Annotated[QuoteRef, Tag("quote")]
    | Annotated[ChartRef, Tag("chart")]
    | Annotated[FigureRef, Tag("figure")]
    | Annotated[TableRef, Tag("table")]
    | Annotated[KpiPanel, Tag("kpi")],
    Discriminator(
        lambda v: _block_kind(v),
        custom_error_type="block_kind",
        custom_error_message="a block is one of: " + ", ".join(BLOCK_KINDS),
    ),
]
"""A block of a section, written in YAML as a mapping whose first key says what it is."""


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

    def _index(self, name: str) -> dict[str, Any]:
        cache = self._khz_index
        if name not in cache:
            cache[name] = {item.id: item for item in getattr(self, name)}
        return cache[name]
