"""A whole report: meta, indicators, chapters, charts, parks, figures and quotes."""

from __future__ import annotations

import datetime as dt
import difflib
import io
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import pydantic
from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    model_validator,
)

from ..errors import Location, UnknownIdError, raise_all
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
from .blocks import BLOCK_TYPES, Block
from .indicators import Indicator
from .messages import pydantic_errors


class Distribution(Strict):
    """The closing block of a 简报: who receives it and who issued it."""

    submit_to: list[Text] = Field(default_factory=list, description="报送")
    submit_to_en: list[Text] | None = None
    copy_to: list[Text] = Field(default_factory=list, description="抄送")
    copy_to_en: list[Text] | None = None
    printed_by: Text | None = Field(default=None, description="印发 body")
    printed_by_en: Text | None = None
    printed_date: Day | None = None


class Signature(Strict):
    """The 落款 that closes the text: issuing organ and date, as GB/T 9704 places them.

    Both default to the report's issuer and date.
    """

    organ: Text | None = Field(default=None, description="发文机关署名; the issuer when absent.")
    organ_en: Text | None = None
    date: Day | None = Field(default=None, description="成文日期; the report's date when absent.")
    seal: Text | None = Field(
        default=None,
        description="印章: a PNG or JPEG in the source's folder (a transparent PNG prints best), "
        "drawn 4.2 cm wide over the organ and date, which sit a little below its centre.",
    )


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
    period: Text | None = Field(
        default=None,
        description="Reporting period if not the calendar year (2023年前三季度): it heads the "
        "headline KPI panel and fills a table's period column where an indicator has none.",
    )
    period_en: Text | None = None
    date: Day
    language: Language = "zh-CN"
    issue: Count | None = Field(
        default=None, description="Issue number for a 简报 masthead (第N期)."
    )
    masthead: Text | None = Field(
        default=None, description="Red masthead line, e.g. 昆山高新区发展简报."
    )
    masthead_en: Text | None = None
    keywords: list[Text] = Field(default_factory=list)
    keywords_en: list[Text] | None = None
    distribution: Distribution | None = None
    signature: Signature | None = Field(
        default=None, description="落款 after the text (and 附件 list)."
    )
    marking: Text | None = Field(
        default=None,
        description="密级 or 保密 mark at the top left of page 1, e.g. 内部资料 注意保密.",
    )
    marking_en: Text | None = None
    draft: bool = Field(
        default=False, description="Print 征求意见稿 (DRAFT) diagonally on every page."
    )
    definitions_appendix: bool = Field(
        default=False,
        description="Close with a 指标说明 appendix: every indicator with a definition (口径).",
    )


class Highlight(Strict):
    """A call-out: a short headline with one or two sentences of bound narrative."""

    id: Id | None = None
    title: Text | None = None
    title_en: Text | None = None
    text: Text = Field(description="Narrative template.")
    text_en: Text | None = None
    figure: Id | None = Field(default=None, description="Figure (photo) shown with the call-out.")


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
    image: Text | None = Field(default=None, description="Path relative to the source; optional.")
    caption: Text
    caption_en: Text | None = None
    alt: Text | None = Field(default=None, description="Alt text; the caption is used when absent.")
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
    unit: Text | None = Field(default=None, description="Axis unit, shown as 单位：亿元.")
    unit_en: Text | None = None
    source: Text | None = Field(default=None, description="资料来源 line under the chart.")
    source_en: Text | None = None
    indicators: list[Id] | None = None
    labels: list[Text] | None = Field(
        default=None, description="Category labels overriding labels."
    )
    labels_en: list[Text] | None = None
    categories: list[Text] | None = None
    categories_en: list[Text] | None = None
    series: list[Series] | None = None
    indicator: Id | None = Field(default=None, description="For big_number.")
    alt: Text | None = Field(
        default=None, description="Alt text; written from the data when absent."
    )
    alt_en: Text | None = None
    definitions: bool = Field(
        default=False, description="Print the drawn indicators' 口径 as a note under the chart."
    )

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


OUTLINE_LEVELS = 4
"""Levels of the outline: chapter, （一）, 1., （1） (GB/T 9704); deeper sections are refused."""


class Section(Strict):
    """A chapter or a sub-section: a title, an optional second line, blocks, sub-sections.

    Sub-sections follow the section's own blocks and nest to four levels in all (chapter →
    （一） → 1. → （1））, the depth of GB/T 9704 numbering; the reference check refuses deeper
    nesting where it is written.
    """

    id: Id
    title: Text
    title_en: Text | None = None
    subtitle: Text | None = Field(default=None, description="Second line of the title.")
    subtitle_en: Text | None = None
    blocks: list[Block] = Field(default_factory=list)
    subsections: list[Section] = Field(default_factory=list)
    landscape: bool = Field(
        default=False,
        description="Set an appendix on landscape pages (a wide table); appendices only.",
    )
    comment: Text | None = Field(
        default=None, description="The editor's working note on this section: never printed."
    )


class Park(Strict):
    """An industrial park or innovation carrier, the subject of one summary sheet."""

    id: Id
    name: Text
    name_en: Text | None = None
    kind: Text = Field(description="产业园, 科创载体, 企业, 综合体 ...")
    kind_en: Text | None = None
    positioning: Text | None = None
    positioning_en: Text | None = None
    area: Id | None = Field(default=None, description="Indicator id holding the park's area.")
    founded: Year | None = None
    leading_industries: list[Text] = Field(default_factory=list)
    leading_industries_en: list[Text] | None = None
    key_enterprises: list[Text] = Field(default_factory=list)
    key_enterprises_en: list[Text] | None = None
    indicators: list[Id] = Field(default_factory=list, description="KPI cards of the sheet.")
    narrative: Text | None = None
    narrative_en: Text | None = None
    photo: Id | None = Field(default=None, description="Figure id of the park's photo.")
    chart: Id | None = None


class IndicatorDefaults(Strict):
    """Fields every indicator takes unless it sets them itself, so a source states once that
    all its figures come from one bulletin, refer to one period or grow nominally."""

    source: Text | None = None
    source_en: Text | None = None
    period: Year | Text | Day | None = None
    previous_period: Year | Text | None = None
    growth_base: Text | None = None
    growth_kind: Literal["名义", "实际"] | None = None
    growth_decimals: int | None = Field(default=None, ge=0, le=6)


class Report(Strict):
    """A whole annual report: meta, indicators, narrative sections, charts, parks, figures."""

    meta: Meta
    theme: Text = Field(
        default="briefing", description="Preset name or theme file relative to source."
    )
    lead: Text | None = Field(default=None, description="Lead paragraph template.")
    lead_en: Text | None = None
    kpis: list[Id] = Field(default_factory=list, description="Headline KPI panel.")
    kpis_title: Text | None = Field(
        default=None, description="Heading of the headline KPI panel [default: 2023年主要指标]."
    )
    kpis_title_en: Text | None = None
    highlights: list[Highlight] = Field(default_factory=list)
    defaults: IndicatorDefaults | None = Field(
        default=None, description="Fields every indicator takes unless it sets its own."
    )
    indicators: list[Indicator] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    outlook: Section | None = None
    appendices: list[Section] = Field(
        default_factory=list,
        description="附件: listed after the text, printed after the 落款, numbered 附表1, 附图1.",
    )
    charts: list[ChartSpec] = Field(default_factory=list)
    parks: list[Park] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)

    _khz_source: Any = PrivateAttr(default=None)
    """The source map of the file the report was read from (folder for images and data)."""

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        """Give each indicator the ``defaults:`` it does not set itself (checked as its own)."""
        if not isinstance(data, Mapping):
            return data
        defaults, indicators = data.get("defaults"), data.get("indicators")
        if not isinstance(defaults, Mapping) or not isinstance(indicators, list):
            return data
        given = {
            k: v
            for k, v in defaults.items()
            if k in IndicatorDefaults.model_fields and v is not None
        }
        filled = [{**given, **ind} if isinstance(ind, Mapping) else ind for ind in indicators]
        return {**data, "indicators": filled}

    def indicator(self, id: str) -> Indicator:
        """Return the indicator with this id (:class:`UnknownIdError`, a ``KeyError``, if absent)."""
        found: Indicator = self._find("indicators", "indicator", id)
        return found

    def chart(self, id: str) -> ChartSpec:
        """Return the chart spec with this id."""
        found: ChartSpec = self._find("charts", "chart", id)
        return found

    def figure(self, id: str) -> Figure:
        """Return the figure with this id."""
        found: Figure = self._find("figures", "figure", id)
        return found

    def quote(self, id: str) -> Quote:
        """Return the quote with this id."""
        found: Quote = self._find("quotes", "quote", id)
        return found

    def park(self, id: str) -> Park:
        """Return the park with this id."""
        found: Park = self._find("parks", "park", id)
        return found

    def replace(self, **fields: Any) -> Report:
        """Return a copy with ``fields`` replaced, validated like a source, with the same folder.

        Values may be model objects or plain data (``indicators=[{...}]``); the whole result
        is validated again, so a wrong value is a located :class:`ReportValidationError`
        (``indicators[3].value: expected a number ...``) now rather than a failure at build.
        Images and data files still resolve against the original source's folder.
        """
        data = self.model_dump()
        data.update({name: _plain(value) for name, value in fields.items()})
        return self._derived(data)

    def with_values(self, values: Mapping[str, Any]) -> Report:
        """Return a copy with new indicator values: ``{"gdp": 800}`` sets ``value``.

        A mapping instead of a number sets several fields of that indicator
        (``{"gdp": {"value": 800, "growth": 5.1}}``). An id the report does not define is an
        :class:`UnknownIdError`; the result is validated as :meth:`replace` does.
        """
        data = self.model_dump()
        rows = {row["id"]: row for row in data["indicators"]}
        errors = []
        for ident, change in values.items():
            row = rows.get(ident)
            if row is None:
                errors.append(_unknown("indicator", ident, list(rows), Location(path="indicators")))
                continue
            row.update(_plain(change) if isinstance(change, Mapping) else {"value": change})
        raise_all(list(errors))
        return self._derived(data)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Report:
        """Return a copy; with ``update``, the validated copy :meth:`replace` makes.

        pydantic's own ``update=`` skips validation, so a wrong value would surface only at
        build time; here it is checked at once.
        """
        if update:
            return self.replace(**update)
        return super().model_copy(deep=deep)

    def __eq__(self, other: object) -> bool:
        """Reports are equal when their fields are: where one was read from does not count."""
        if not isinstance(other, Report):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # lists inside: never hashable

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Return the JSON Schema of a YAML source, for editors that complete and check it.

        It is the model's, plus the ``data:`` list of spreadsheets the reader merges before
        validating; ``schema/report.schema.json`` is this schema, kept in sync by a test.
        """
        schema = super().model_json_schema(*args, **kwargs)
        schema["properties"]["data"] = {
            "title": "Data",
            "description": "Spreadsheets whose rows become indicators (kind: indicators) "
            "or the series of charts (kind: series).",
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "description": "Path relative to the source."},
                    "sheet": {"type": ["string", "integer"]},
                    "kind": {"enum": ["indicators", "series"], "default": "indicators"},
                },
            },
        }
        return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}

    def to_yaml(self) -> str:
        """Return a YAML source that :func:`khzreport.load` reads back to an equal report.

        Fields are written as set (a report loaded from a file keeps its own; figures read
        from data files are written inline), dates as YAML dates, multi-line texts as
        literal blocks and exact fractions as ``"1/3"``. A ``Decimal`` is written as its
        digits and reads back as a float.
        """
        from ruamel.yaml import YAML  # writing YAML only here: reading needs no ruamel
        from ruamel.yaml.scalarstring import LiteralScalarString  # likewise

        data = _yaml_ready(self.model_dump(mode="python", exclude_unset=True), LiteralScalarString)
        yaml = YAML()
        yaml.width = 4096
        yaml.allow_unicode = True
        yaml.indent(mapping=2, sequence=4, offset=2)
        yaml.representer.add_representer(Decimal, _decimal)
        out = io.StringIO()
        yaml.dump(data, out)
        return out.getvalue()

    def _derived(self, data: dict[str, Any]) -> Report:
        try:
            report = type(self).model_validate(data)
        except pydantic.ValidationError as exc:
            raise_all(pydantic_errors(exc, data, None, type(self), BLOCK_TYPES))
            raise  # unreachable: raise_all always raises for a non-empty list
        report._khz_source = self._khz_source
        return report

    def chapters(self) -> list[tuple[PathKey, Section]]:
        """Return every chapter in reading order with its field path, the outlook last."""
        out: list[tuple[PathKey, Section]] = [
            (("sections", i), s) for i, s in enumerate(self.sections)
        ]
        if self.outlook is not None:
            out.append((("outlook",), self.outlook))
        return out

    def outline(self) -> list[tuple[PathKey, Section, int]]:
        """Return every section, sub-sections included, in reading order with path and level.

        Chapters are level 1, and the appendices (附件) follow them; references, lint and park
        sheets read blocks at every level.
        """
        out: list[tuple[PathKey, Section, int]] = []

        def walk(path: PathKey, section: Section, level: int) -> None:
            out.append((path, section, level))
            for k, sub in enumerate(section.subsections):
                walk((*path, "subsections", k), sub, level + 1)

        for path, section in self.chapters():
            walk(path, section, 1)
        for i, section in enumerate(self.appendices):
            walk(("appendices", i), section, 1)
        return out

    def _find(self, name: str, kind: str, ident: str) -> Any:
        index = _index_of(getattr(self, name))
        found = index.get(ident)
        if found is None:
            raise _unknown(kind, ident, list(index), Location(path=name))
        return found


_INDEXES: dict[int, tuple[list[Any], int, dict[str, Any]]] = {}
"""Lookup tables by the identity of the list they index (which they keep alive).

Keyed by the list rather than stored on the report, so a copy whose list was replaced can
never read its original's table, and the table takes no part in ``==``. Lists of frozen
models are not edited in place; a changed length is caught anyway.
"""
_MAX_INDEXES = 256


def _index_of(items: list[Any]) -> dict[str, Any]:
    hit = _INDEXES.get(id(items))
    if hit is not None and hit[0] is items and hit[1] == len(items):
        return hit[2]
    index: dict[str, Any] = {}
    for item in items:
        index.setdefault(item.id, item)
    if len(_INDEXES) >= _MAX_INDEXES:
        _INDEXES.clear()
    _INDEXES[id(items)] = (items, len(items), index)
    return index


def _unknown(kind: str, ident: str, known: list[str], where: Location) -> UnknownIdError:
    close = difflib.get_close_matches(ident, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"define it under '{kind}s'"
    return UnknownIdError(f"unknown {kind} '{ident}'", where, hint)


def _plain(value: Any) -> Any:
    """Return model objects as the plain data they validate from, so all of it is checked."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _yaml_ready(value: Any, literal: Callable[[str], Any]) -> Any:
    """Return dumped model data as YAML writes it readably and reads it back the same
    (``literal`` marks a multi-line text to be written as a literal block)."""
    if isinstance(value, dict):
        return {k: _yaml_ready(v, literal) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_yaml_ready(v, literal) for v in value]
    if isinstance(value, str) and "\n" in value:
        return literal(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _decimal(representer: Any, value: Decimal) -> Any:
    return representer.represent_scalar("tag:yaml.org,2002:float", str(value))
