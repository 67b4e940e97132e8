"""Bind indicators to text: every printed form of a figure comes from here.

A :class:`Bound` wraps one indicator with the report and locale it is shown in, and returns
the formatted forms narrative filters, KPI cards, tables and charts need. The Chinese number
layer (:mod:`khzreport.numbers`) does the formatting; this module decides *which* formatting
an indicator's data calls for (its qualifier, unit, scaling, rank, series, previous value).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from ..document import Direction
from ..model import Indicator, Report
from . import numbers as nb
from .nouns import counting_noun, singular

PENDING_ZH = "〔待填〕"
PENDING_EN = "[to come]"
"""What a figure still to come (``value: null``) prints as, so it stands out in a draft."""


class BindingError(ValueError):
    """An indicator cannot be shown in the asked form (e.g. growth without a previous value)."""


@dataclass
class Locale:
    """The language of an edition, and a record of texts that had to fall back to Chinese."""

    language: str = "zh-CN"
    missing_en: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    nounless: list[str] = field(default_factory=list)
    """Indicators counted in a Chinese counter (个, 颗) for which no English noun was found."""

    @property
    def en(self) -> bool:
        """Return whether this is the English edition."""
        return self.language == "en"

    def pick(self, zh: str, en: str | None, what: str) -> str:
        """Return the text for this edition; note a missing English text and use Chinese."""
        if not self.en:
            return zh
        if en:
            return en
        self.missing_en.append(what)
        return zh

    def pick_list(self, zh: list[str], en: list[str] | None, what: str) -> list[str]:
        """Return a list of texts for this edition (see :meth:`pick`)."""
        if not self.en or not zh:
            return zh
        if en:
            return en
        self.missing_en.append(what)
        return zh

    def word(self, zh: str, en: str) -> str:
        """Return a fixed word of the layout in this edition's language."""
        return en if self.en else zh


class Bound:
    """One indicator as it prints in one edition."""

    def __init__(self, indicator: Indicator, report: Report, locale: Locale):
        self.indicator = indicator
        self.report = report
        self.locale = locale

    @property
    def _lang(self) -> nb.Locale:
        return "en" if self.locale.en else "zh-CN"

    @property
    def _decimals(self) -> int | None:
        """Fixed decimals of the figure in this edition (``decimals_en`` in English)."""
        ind = self.indicator
        if self.locale.en and ind.decimals_en is not None:
            return ind.decimals_en
        return ind.decimals

    @property
    def id(self) -> str:
        """Return the indicator's id."""
        return self.indicator.id

    def label(self) -> str:
        """Return the label in this edition's language."""
        ind = self.indicator
        return self.locale.pick(ind.label, ind.label_en, f"indicators.{ind.id}.label")

    def short_label(self) -> str:
        """Return the short label (charts, cards), or the label."""
        ind = self.indicator
        if ind.short_label:
            return self.locale.pick(
                ind.short_label,
                ind.short_label_en or ind.label_en,
                f"indicators.{ind.id}.short_label",
            )
        return self.label()

    def formatted(self, *, qualifier: bool = True) -> nb.FormattedValue:
        """Return the value with qualifier and unit, split into parts (for cards)."""
        ind = self.indicator
        value = ind.current
        if ind.pending:
            self.locale.pending.append(ind.id)
            text = self.locale.word(PENDING_ZH, PENDING_EN)
            return nb.FormattedValue("", text, "", "", text)
        if value is None and ind.value_min is not None and ind.value_max is not None:
            try:
                return nb.format_range(
                    ind.value_min,
                    ind.value_max,
                    ind.unit,
                    decimals=self._decimals,
                    source_unit=ind.source_unit,
                    locale=self._lang,
                    unit_en=self._unit_en(),
                )
            except ValueError as exc:  # a unit the English edition cannot render
                raise BindingError(f"indicator '{ind.id}': {exc}") from None
        if value is None:
            if ind.rank is not None:
                text = self.rank()
                return nb.FormattedValue("", text, "", "", text)
            if ind.date is not None:
                text = self.date()
                return nb.FormattedValue("", text, "", "", text)
            raise BindingError(f"indicator '{ind.id}' has no value")
        q = ind.qualifier if qualifier else None
        if ind.in_words and qualifier:
            text = self.fraction() if self._states_a_fraction() else self.words()
            return nb.FormattedValue("", text, "", "", text)
        if isinstance(value, Fraction):
            text = nb.format_fraction(value, qualifier=q, locale=self._lang)
            return nb.FormattedValue("", text, "", "", text)
        try:
            return nb.format_quantity(
                value,
                ind.unit,
                qualifier=q,
                decimals=self._decimals,
                source_unit=ind.source_unit,
                locale=self._lang,
                unit_en=self._unit_en(value),
            )
        except ValueError as exc:  # a unit the English edition cannot render
            raise BindingError(f"indicator '{ind.id}': {exc}") from None

    def full(self) -> str:
        """Return qualifier + number + unit as prose shows it: 近140亿元."""
        return self.formatted().text

    def plain(self) -> str:
        """Return number + unit without the qualifier: 140亿元."""
        return self.formatted(qualifier=False).text

    def value(self) -> str:
        """Return the number alone, scaled and rounded as displayed: 140."""
        return self.formatted(qualifier=False).number

    def _states_a_fraction(self) -> bool:
        """Return whether the figure is a part of a whole: a fraction, a percentage, a share."""
        ind = self.indicator
        return (
            isinstance(ind.value, Fraction)
            or ind.unit == "%"
            or ind.share_of is not None
            or (ind.unit == "" and ind.value is not None and 0 < ind.value < 1)
        )

    def _as_fraction(self) -> Fraction:
        """Return the simple fraction the figure states: its value, or its percentage or share."""
        ind = self.indicator
        if isinstance(ind.value, Fraction):
            return ind.value
        stated: Fraction | None = None
        shown = ""
        if ind.value is not None and ind.unit == "%":
            shown = nb.format_number(ind.value, decimals=ind.decimals) + "%"
            stated = nb.fraction_of_percent(nb.Decimal(shown[:-1]))
        elif ind.value is not None and ind.unit == "" and 0 < ind.value < 1:
            shown = nb.format_number(ind.value, decimals=ind.decimals)
            percent = nb.Decimal(shown).scaleb(2)
            stated = nb.fraction_of_percent(percent, max(0, len(shown.partition(".")[2]) - 2))
        elif ind.share_of is not None:
            shown = self.share()
            stated = nb.fraction_of_percent(nb.Decimal(shown.rstrip("%")), 1)
        else:
            raise BindingError(
                f"indicator '{self.id}': the fraction filter needs a fraction (value: \"1/3\"), "
                "a percentage, a ratio below 1 or a share_of"
            )
        if stated is None:
            raise BindingError(
                f"indicator '{self.id}': {shown} is not a simple fraction (1/2, 1/3, 2/3, 1/4 … "
                'to 9/10) as given; write it to one decimal (33.3%) or as a fraction ("1/3")'
            )
        return stated

    def fraction(self) -> str:
        """Return the figure as a fraction in words: 三分之一, 近一半, 过半 (nearly one half).

        The value may be a fraction, a percentage or ratio that states one (33.3% → 三分之一,
        50% → 一半), or a share of its ``share_of`` whole; the qualifier is the figure's own.
        """
        stated = self._as_fraction()
        try:
            return nb.format_fraction_words(
                stated, qualifier=self.indicator.qualifier, locale=self._lang
            )
        except ValueError as exc:
            raise BindingError(f"indicator '{self.id}': {exc}") from None

    def words(self) -> str:
        """Return a round figure in words: 超万亿元, 近千家, 超百亿元; refused when not round."""
        ind = self.indicator
        if ind.value is None or isinstance(ind.value, Fraction):
            raise BindingError(f"indicator '{self.id}': the words filter needs a number value")
        try:
            return nb.format_round_words(
                ind.value,
                ind.unit,
                qualifier=ind.qualifier,
                source_unit=ind.source_unit,
                locale=self._lang,
                unit_en=self._unit_en(ind.value),
            )
        except ValueError as exc:
            raise BindingError(f"indicator '{self.id}': {exc}") from None

    def ordinal(self) -> str:
        """Return the rank as an ordinal in words: 第二 (居全球第二); English ``2nd``."""
        r = self.indicator.rank
        if r is None or r.position is None:
            raise BindingError(f"indicator '{self.id}' has no rank position for an ordinal")
        n = r.position
        if self.locale.en:
            suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            return f"{n}{suffix}"
        if n > 99:
            raise BindingError(f"indicator '{self.id}': rank {n} is too large to write in words")
        return f"第{nb.to_chinese_numeral(n)}"

    def verb(self, word: str) -> str:
        """Return a verb carrying the figure's qualifier: 约占 (then 全市的{{ ind.x | plain }}).

        Chinese moves a qualifier before the number to the verb (约占全市的80%); English keeps
        it before the number (accounts for about 80%), so the English verb is followed by it.
        """
        if not isinstance(word, str) or not word.strip():
            raise BindingError('verb() needs the verb as text, e.g. verb("占")')
        q = self.indicator.qualifier
        if q is not None and q not in nb.PREFIX_QUALIFIERS:
            raise BindingError(
                f"indicator '{self.id}': the qualifier {q} stays with the number and cannot move "
                "to a verb"
            )
        if not q:
            return word
        if self.locale.en:
            return f"{word} {nb.qualifier_word(q, locale='en')}"
        return f"{q}{word}"

    def numeric(self) -> float | None:
        """Return the displayed value as a float (for charts), or None; a range gives its middle."""
        ind = self.indicator
        if ind.current is None and ind.value_min is not None and ind.value_max is not None:
            middle = (
                self._display_decimal(ind.value_min) + self._display_decimal(ind.value_max)
            ) / 2
            return float(middle)
        if ind.current is None:
            return float(ind.rank.position) if ind.rank and ind.rank.position else None
        return float(self._display_decimal(ind.current))

    def _unit_en(self, value: nb.Number | None = None) -> str | None:
        """Return the English word of the unit: ``unit_en``, or the noun a counter counts.

        A Chinese count carries its noun in the counter (164家); English needs the noun
        (164 zones), so without ``unit_en`` it is found from the labels and the counter
        (:func:`~khzreport.resolver.nouns.counting_noun`), singular for a count of one. When
        none fits, the figure prints bare and the indicator is noted for a located warning.
        """
        ind = self.indicator
        if ind.unit_en or not self.locale.en or not ind.unit or not nb.is_counting_unit(ind.unit):
            return ind.unit_en
        noun = counting_noun(ind.unit, ind.label_en, ind.label)
        if noun is None:
            self.locale.nounless.append(ind.id)
            return None
        if value is not None and not isinstance(value, Fraction):
            if self._display_decimal(value) == 1:
                return singular(noun)
        return noun

    def _quantity(self, value: nb.Number) -> nb.FormattedValue:
        """Return another value of this indicator (previous, target, a year) in its unit."""
        ind = self.indicator
        return nb.format_quantity(
            value,
            ind.unit,
            decimals=self._decimals,
            source_unit=ind.source_unit,
            locale=self._lang,
            unit_en=self._unit_en(value),
        )

    def _display_decimal(self, value: nb.Number) -> nb.Decimal:
        ind = self.indicator
        if ind.source_unit:
            return nb.scale(value, ind.source_unit, ind.unit)
        return nb.to_decimal(value)

    def series_points(self) -> list[tuple[int, float | None, str]]:
        """Return (year, value, label) for each year of the series, gaps as None."""
        ind = self.indicator
        if not ind.series:
            raise BindingError(f"indicator '{ind.id}' has no series")
        out: list[tuple[int, float | None, str]] = []
        for year in sorted(ind.series):
            raw = ind.series[year]
            if raw is None:
                out.append((year, None, self.locale.word("缺失", "n/a")))
                continue
            fv = self._quantity(raw)
            out.append((year, float(self._display_decimal(raw)), fv.text))
        return out

    def rank(self) -> str:
        """Return the rank: 第32名 / No. 32."""
        r = self.indicator.rank
        if r is None:
            raise BindingError(f"indicator '{self.id}' has no rank")
        if r.position is None:
            self.locale.pending.append(self.id)
            return self.locale.word(PENDING_ZH, PENDING_EN)
        return nb.format_rank(r.position, of=r.of, locale=self._lang)

    def top(self) -> str:
        """Return the target as a rank goal: 前30强 / top 30."""
        t = self.indicator.target
        if t is None:
            raise BindingError(f"indicator '{self.id}' has no target")
        return nb.format_top(int(t), locale=self._lang)

    def target(self) -> str:
        """Return the target value with its unit."""
        ind = self.indicator
        if ind.target is None:
            raise BindingError(f"indicator '{self.id}' has no target")
        if ind.rank is not None and ind.value is None:
            return self.top()
        return self._quantity(ind.target).text

    def previous_value(self) -> nb.Number | None:
        """Return the previous value: given, or the year before the period from the series."""
        ind = self.indicator
        if ind.previous is not None:
            return ind.previous
        if ind.series and len([v for v in ind.series.values() if v is not None]) >= 2:
            years = sorted(y for y, v in ind.series.items() if v is not None)
            return ind.series[years[-2]]
        return None

    def previous(self) -> str:
        """Return the previous value with its unit."""
        prev = self.previous_value()
        if prev is None:
            raise BindingError(f"indicator '{self.id}' has no previous value")
        return self._quantity(prev).text

    def growth_rate(self) -> nb.Decimal:
        """Return the growth rate in percent: the published ``growth`` or computed from previous."""
        ind = self.indicator
        if ind.growth is not None:
            return nb.to_decimal(ind.growth)
        prev = self.previous_value()
        if prev is None or ind.current is None:
            raise BindingError(
                f"indicator '{self.id}' needs 'previous' (or 'growth', or a series) for growth"
            )
        try:
            return nb.growth_rate(ind.current, prev)
        except ValueError as exc:
            raise BindingError(f"indicator '{self.id}': {exc}") from None

    def _growth_decimals(self, decimals: int | None) -> int | None:
        if decimals is not None:
            if (
                isinstance(decimals, bool)
                or not isinstance(decimals, int)
                or not 0 <= decimals <= 6
            ):
                raise BindingError(f"growth decimals must be a whole number 0..6, got {decimals!r}")
            return decimals
        if self.indicator.growth_decimals is not None:
            return self.indicator.growth_decimals
        return None if self.indicator.growth is not None else 1

    def growth(self, decimals: int | None = None) -> str:
        """Return growth wording: 同比名义增长6.38% (from ``growth`` or the previous value).

        ``decimals`` (the ``growth(2)`` filter) overrides the indicator's ``growth_decimals``;
        without either a published rate prints as given and a computed one with 1 decimal.
        """
        ind = self.indicator
        decimals = self._growth_decimals(decimals)
        rate = self.growth_rate()
        try:
            return nb.format_growth_from_rate(
                rate if ind.growth is None else ind.growth,
                decimals=decimals,
                locale=self._lang,
                prefix=ind.growth_base or "同比",
                kind=ind.growth_kind,
                fall=ind.growth_fall or "下降",
            )
        except ValueError as exc:
            raise BindingError(f"indicator '{self.id}': {exc}") from None

    def doubling(self) -> str:
        """Return 较2019年实现翻番, refusing the claim when the data do not support it."""
        ind = self.indicator
        if ind.previous is None or ind.current is None:
            raise BindingError(f"indicator '{self.id}' needs 'previous' for a doubling claim")
        try:
            return nb.format_doubling(
                ind.current, ind.previous, since=ind.previous_period, locale=self._lang
            )
        except ValueError as exc:
            raise BindingError(f"indicator '{self.id}': {exc}") from None

    def share(self) -> str:
        """Return this indicator's share of its ``share_of`` whole, in percent."""
        ind = self.indicator
        if ind.share_of is None:
            raise BindingError(f"indicator '{self.id}' has no 'share_of'")
        whole = self.report.indicator(ind.share_of)
        if ind.current is None or whole.current is None:
            raise BindingError(f"indicator '{self.id}': share needs both values")
        try:
            return nb.format_share(ind.current, whole.current, locale=self._lang)
        except ValueError as exc:
            raise BindingError(f"indicator '{self.id}': {exc}") from None

    def date(self) -> str:
        """Return the indicator's date: 2023年11月23日."""
        d = self.indicator.date
        if d is None:
            raise BindingError(f"indicator '{self.id}' has no 'date'")
        return nb.format_date(d, locale=self._lang)

    def as_of(self) -> str:
        """Return when a stock figure stands, as the source words it: 截至2023年底, 目前.

        A date prints as a date (2023年12月31日); words are printed as written, in English
        from ``as_of_en``.
        """
        ind = self.indicator
        a = ind.as_of
        if a is None:
            raise BindingError(f"indicator '{self.id}' has no 'as_of'")
        if isinstance(a, dt.date):
            return nb.format_date(a, locale=self._lang)
        return self.locale.pick(a, ind.as_of_en, f"indicators.{ind.id}.as_of")

    def period(self) -> str:
        """Return the period: 2023年, 2024年12月."""
        p = self.indicator.period
        if p is None:
            raise BindingError(f"indicator '{self.id}' has no 'period'")
        return nb.format_period(p, locale=self._lang)

    def change(self) -> tuple[str | None, Direction | None]:
        """Return the KPI card's change text and direction (up/down/flat), if any."""
        ind = self.indicator
        if ind.rank is not None and ind.rank.previous is not None and ind.rank.position:
            moved = ind.rank.previous - ind.rank.position
            if moved > 0:
                return self.locale.word(f"较上年上升{moved}位", f"up {moved} places"), "up"
            if moved < 0:
                return self.locale.word(f"较上年下降{-moved}位", f"down {-moved} places"), "down"
            return self.locale.word("与上年持平", "unchanged"), "flat"
        try:
            text = self.growth()
            rate = self.growth_rate()
        except BindingError:
            return None, None
        places = self._growth_decimals(None)
        shown = nb.Decimal(nb.format_number(rate, decimals=places)) if places is not None else rate
        direction: Direction = "up" if shown > 0 else "down" if shown < 0 else "flat"
        return text, direction


def date_text(value: dt.date, locale: Locale) -> str:
    """Return a date in this edition's convention."""
    return nb.format_date(value, locale="en" if locale.en else "zh-CN")
