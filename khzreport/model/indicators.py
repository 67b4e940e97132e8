"""Indicators: the only place a number lives, with its unit, qualifier, period, rank and history."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from ..limits import MAX_YEAR, MIN_YEAR
from .base import (
    Count,
    Day,
    Id,
    NumberValue,
    Qualifier,
    Strict,
    Text,
    Year,
    parse_number,
    refusal,
)

_GROWTH_BASE = re.compile(
    r"同比|环比|比上年|较上年|比上年末|较上年末|比年初|较年初|比上月|(?:比|较)[0-9]{4}年末?"
)
"""Comparison bases a growth rate may name; the number layer words each of them in English."""


class Rank(Strict):
    """A position in a published list, e.g. 第32名 in 国家高新区综合评价."""

    position: Count | None = Field(
        description="1-based position in the list; null while the list is not out yet."
    )
    of: Count | None = Field(default=None, description="How many entries the list has.")
    list: Text | None = Field(
        default=None, description="Which list or evaluation, e.g. 国家高新区综合评价."
    )
    previous: Count | None = Field(default=None, description="Position in the previous period.")

    @model_validator(mode="after")
    def _within_list(self) -> Rank:
        if self.of is not None and self.position is not None and self.position > self.of:
            raise ValueError(f"rank {self.position} is outside a list of {self.of}")
        return self


class Indicator(Strict):
    """One figure of the report, with everything needed to print it correctly.

    ``value`` is stored in ``source_unit`` when that is given and shown in ``unit``; otherwise
    it is stored as shown. A qualifier such as 近/超/突破/约/逾/上/多/余/以上/左右 belongs to the
    figure, not to the prose, so it travels with it into every place the figure appears. A
    range (``value_min``/``value_max``) stands instead of a value: ``17%～20%``.
    """

    id: Id
    label: Text = Field(description="What the figure measures, e.g. 电子信息产业集群规模.")
    label_en: Text | None = None
    short_label: Text | None = Field(
        default=None, description="A short label for charts and KPI cards."
    )
    short_label_en: Text | None = None
    value: NumberValue | None = Field(
        default=None, description="The figure (int, decimal or '1/3')."
    )
    value_min: NumberValue | None = Field(
        default=None, description="Low end of a range (17 in 17%～20%)."
    )
    value_max: NumberValue | None = Field(
        default=None, description="High end of a range (20 in 17%～20%)."
    )
    unit: Text = Field(default="", description="Display unit: 亿元, 家, %, 万平方米 ...")
    unit_en: Text | None = Field(
        default=None, description="English noun for counting units (firms)."
    )
    source_unit: Text | None = Field(default=None, description="Unit the value is stored in (元).")
    decimals: int | None = Field(default=None, ge=0, le=6, description="Fixed decimals when shown.")
    decimals_en: int | None = Field(
        default=None,
        ge=0,
        le=6,
        description="Fixed decimals of the English figure, which may be scaled (RMB 935.74 billion).",
    )
    qualifier: Qualifier | None = None
    in_words: bool = Field(
        default=False,
        description="Print the figure in words wherever it shows whole (prose, KPI cards, tables, "
        "chart labels): a fraction or a percentage that states one as 三分之一/近一半, a round "
        "figure as 超万亿元/上千家.",
    )
    period: Year | Text | Day | None = Field(default=None, description="2023, '2023-12' or a date.")
    date: Day | None = Field(default=None, description="Day the figure was reached (records).")
    as_of: Day | Text | None = Field(
        default=None,
        description="When a stock figure stands, as the source words it (截至2023年底, 目前) or "
        "a date; a table's 时间 column prints it instead of the period.",
    )
    as_of_en: Text | None = None
    previous: NumberValue | None = Field(default=None, description="Value in the previous period.")
    previous_period: Year | Text | None = None
    growth: NumberValue | None = Field(
        default=None, description="Growth rate in percent, if published."
    )
    growth_decimals: int | None = Field(
        default=None,
        ge=0,
        le=6,
        description="Decimals of the growth rate; default: as published, or 1 when computed.",
    )
    growth_base: Text | None = Field(
        default=None,
        description="What the growth compares with: 同比 (default), 比上年, 较2022年, 比年初, 环比.",
    )
    growth_kind: Literal["名义", "实际"] | None = Field(
        default=None, description="名义 (nominal) or 实际 (real) growth: 同比名义增长6.38%."
    )
    growth_fall: Literal["下降", "减少"] | None = Field(
        default=None, description="The word for a fall: 下降 (default) or 减少."
    )
    measure: Literal["stock", "flow"] | None = Field(
        default=None,
        description="stock (存量): a level at a moment (820 high-tech firms at year end, an "
        "area); flow (流量): an amount over the period (56 new firms in 2023, a year's output). "
        "Lint warns of a chart that mixes the two; nothing is inferred when it is not given.",
    )
    rank: Rank | None = None
    share_of: Id | None = Field(
        default=None, description="Indicator id of the whole this is part of."
    )
    parts_of: Id | None = Field(
        default=None,
        description="Indicator id of a total that this and its siblings must not exceed.",
    )
    target: NumberValue | None = Field(default=None, description="Target value (for ranks: top N).")
    target_period: Year | Text | None = None
    series: dict[int, NumberValue | None] | None = Field(
        default=None, description="Year → value; null marks a year without data."
    )
    source: Text | None = Field(default=None, description="资料来源 line.")
    source_en: Text | None = None
    definition: Text | None = Field(default=None, description="口径: how the figure is defined.")
    definition_en: Text | None = None
    note: Text | None = None
    note_en: Text | None = None
    comment: Text | None = Field(
        default=None,
        description="The editor's working note (a derivation, a check): never printed.",
    )

    _check_value = field_validator(
        "value", "value_min", "value_max", "previous", "growth", "target", mode="before"
    )(classmethod(lambda cls, v: parse_number(v)))

    @field_validator("series", mode="before")
    @classmethod
    def _check_series(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: (None if x is None else parse_number(x)) for k, x in v.items()}
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

    @field_validator("measure", mode="before")
    @classmethod
    def _measure_in_chinese(cls, v: Any) -> Any:
        """Accept the statistician's words: 存量 is a stock, 流量 (or 增量) a flow."""
        return (
            {"存量": "stock", "流量": "flow", "增量": "flow"}.get(v, v) if isinstance(v, str) else v
        )

    @field_validator("growth_base", mode="after")
    @classmethod
    def _known_base(cls, v: str | None) -> str | None:
        if v is not None and not _GROWTH_BASE.fullmatch(v):
            raise refusal(
                f"unknown growth base {v!r}",
                "write 同比, 环比, 比上年, 比上年末, 比年初, 比上月 or 较YYYY年 (e.g. 较2022年)",
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
        if (self.value_min is None) != (self.value_max is None):
            raise ValueError("a range needs both 'value_min' and 'value_max'")
        if self.value_min is not None and self.value_max is not None:
            if self.value is not None or self.series is not None:
                raise ValueError("a range stands instead of 'value' and 'series': give one of them")
            if self.qualifier is not None:
                raise ValueError(
                    "a range takes no qualifier: the range already says how exact it is"
                )
            if not self.value_min < self.value_max:
                raise ValueError(
                    f"'value_min' ({self.value_min}) must be below 'value_max' ({self.value_max})"
                )
        return self

    @property
    def pending(self) -> bool:
        """Return whether the figure is still to come (``value: null`` and nothing else)."""
        return (
            self.value is None
            and self.value_max is None
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
