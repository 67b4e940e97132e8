"""Render numbers, quantities, rates and dates the way Chinese zone briefings print them.

Every figure in a report passes through this module, so that the same value reads the same in
the narrative, the KPI cards, the tables and the English edition. The module stands alone (only
the standard library) because every other part of khzreport imports it.

Conventions:

* Chinese text has no spaces between qualifier, digits and unit: ``近140亿元``, ``140多家``,
  ``第32名``, ``18.04%``. English text uses spaces (``nearly RMB 14 billion``, ``No. 32``)
  except before ``%``.
* Rounding is always :data:`decimal.ROUND_HALF_UP` (2.45 → 2.5), as readers and statistical
  yearbooks expect, never banker's rounding. Floats are converted through ``str()`` so that
  ``2.675`` is treated as the 2.675 its author typed rather than the binary value just below it.
* Negative numbers use the ASCII hyphen-minus ``-``; a value that rounds to zero is printed
  without a sign (``0.0``, not ``-0.0``).
* Non-finite values (NaN, infinities) and booleans are rejected: they are always data errors.

Known units (:data:`UNITS`) — each has an English rendering in :func:`format_quantity`:

* money: 元, 万元, 亿元 (``RMB``); 美元, 万美元, 亿美元 (``USD``)
* area and length: 平方米, 万平方米 (``m²``); 亩, 万亩 (``mu``); 米 (``m``)
* 层 (``floors``), 年 (``years``), ``%``
* counting units, shown in English with the noun ``unit_en`` names (the binding layer finds
  one from the labels when it is not given, see :mod:`.nouns`), else bare: 家, 项,
  件, 名, 个, 颗, 人, 人次, 次, 台, 户, 所, 座, 栋, 强, 期, and the 万-forms 万个, 万颗, 万人,
  万人次, 万件, 万台, 万次.

Any unit made of a leading 万 or 亿 and a known base unit works the same way, even if it is not
listed. Chinese output accepts any unit string (it is printed verbatim); English output needs a
known unit or ``unit_en``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Literal, TypeAlias

__all__ = [
    "GROWTH_FALLS",
    "GROWTH_KINDS",
    "PREFIX_QUALIFIERS",
    "QUALIFIERS",
    "UNITS",
    "FormattedValue",
    "Locale",
    "Number",
    "axis_unit",
    "format_date",
    "format_doubling",
    "format_fraction",
    "format_fraction_words",
    "format_growth",
    "format_growth_from_rate",
    "format_month",
    "format_number",
    "format_percent",
    "format_period",
    "format_points",
    "format_quantity",
    "format_range",
    "format_rank",
    "format_round_words",
    "format_share",
    "format_top",
    "format_year",
    "fraction_of_percent",
    "growth_rate",
    "is_counting_unit",
    "qualifier_word",
    "scale",
    "to_chinese_numeral",
    "to_decimal",
]

Locale: TypeAlias = Literal["zh-CN", "en"]
Number: TypeAlias = int | float | Decimal | Fraction

QUALIFIERS: tuple[str, ...] = ("近", "超", "突破", "约", "逾", "上", "多", "余", "以上", "左右")
"""Qualifiers a figure may carry. In Chinese 多 and 余 stand between the number and the unit
(200余家), 以上 and 左右 after the unit (80%以上, 10万元左右); the others precede the number.
上 is a headline word for a round figure reached (上千家, 上百亿元)."""

PREFIX_QUALIFIERS = frozenset({"近", "超", "突破", "约", "逾"})
"""Qualifiers written before the number, which can also move to a verb (约占全市的80%)."""
_BEFORE_NUMBER = PREFIX_QUALIFIERS | {"上"}
_SUFFIX_QUALIFIERS = frozenset({"多", "余"})
_AFTER_UNIT_QUALIFIERS = frozenset({"以上", "左右"})
_QUALIFIERS_EN = {
    "近": "nearly",
    "超": "over",
    "突破": "over",
    "约": "about",
    "逾": "over",
    "上": "over",
    "多": "more than",
    "余": "over",
    "以上": "at least",
    "左右": "around",
}

_CURRENCIES = {"元": "RMB", "美元": "USD"}
_MEASURES = {
    "平方米": ("m²", "m²"),
    "亩": ("mu", "mu"),
    "米": ("m", "m"),
    "层": ("floor", "floors"),
    "年": ("year", "years"),
}
_MEASURES_RANGE = frozenset({"年", "层"})
"""Units whose English noun is singular for 1: a range names them once, in the plural."""
_COUNTERS = frozenset(
    {"家", "项", "件", "名", "个", "颗", "人", "人次"}
    | {"次", "台", "户", "所", "座", "栋", "强", "期"}
)

UNITS: frozenset[str] = (
    frozenset({"元", "万元", "亿元", "美元", "万美元", "亿美元", "%"})
    | frozenset({"平方米", "万平方米", "亩", "万亩", "米", "层", "年"})
    | _COUNTERS
    | frozenset({"万个", "万颗", "万人", "万人次", "万件", "万台", "万次"})
)
"""Display units with a known English rendering (see the module docstring for the families)."""

_FACTORS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_MAGNITUDES = (
    (Decimal(10) ** 12, "trillion"),
    (Decimal(10) ** 9, "billion"),
    (Decimal(10) ** 6, "million"),
    (Decimal(10) ** 3, "thousand"),
)
_FRACTION_WORDS = {
    Fraction(1, 2): "one half",
    Fraction(1, 3): "one third",
    Fraction(1, 4): "one quarter",
    Fraction(2, 3): "two thirds",
    Fraction(3, 4): "three quarters",
}
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_CHINESE_DIGITS = "一二三四五六七八九"
_GROWTH_PREFIXES_EN = {"同比": "year on year", "环比": "on the previous period", "": ""}
_FLAT_ZH = {"同比": "与上年持平", "环比": "与上期持平", "": "持平"}

# Exact for any realistic figure; ratios are cut to 28 significant digits like Decimal's default.
_EXACT = Context(prec=60, rounding=ROUND_HALF_UP)
_RATIO = Context(prec=28, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FormattedValue:
    """A value split into parts so writers can style them (KPI cards show number big, unit small).

    ``text`` is what prose shows. In Chinese it is ``prefix + number + suffix + unit``. In
    English all qualifiers precede the number, so ``suffix`` is always empty; ``prefix`` holds
    everything before the number (qualifier and currency code, ``"nearly RMB"``) and ``unit``
    everything after it (``"billion"``, ``"million chips"``, ``"m²"``, ``"%"``), joined by single
    spaces except that ``%`` is attached to the number.
    """

    prefix: str
    number: str
    suffix: str
    unit: str
    text: str

    def __str__(self) -> str:
        return self.text


def to_decimal(value: Number) -> Decimal:
    """Convert a number to :class:`~decimal.Decimal` without binary-float artefacts.

    Floats go through ``str()`` so that 18.04 stays 18.04. A :class:`~fractions.Fraction` is
    divided out to 28 significant digits (ROUND_HALF_UP), enough for any printed figure.

    Raises:
        TypeError: for booleans and anything that is not a number.
        ValueError: for NaN and infinities, naming the value.
    """
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got the boolean {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(str(value))
    elif isinstance(value, Fraction):
        result = _RATIO.divide(Decimal(value.numerator), Decimal(value.denominator))
    else:
        raise TypeError(f"expected a number, got {type(value).__name__} {value!r}")
    if not result.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return result


def qualifier_word(qualifier: str, *, locale: Locale = "zh-CN") -> str:
    """Return a qualifier as it reads in this locale: 约 → ``about``, 近 → ``nearly``."""
    _check_locale(locale)
    qualifier = _check_qualifier(qualifier)
    return _QUALIFIERS_EN.get(qualifier, "") if locale == "en" else qualifier


def is_counting_unit(unit: str) -> bool:
    """Return whether ``unit`` counts things (家, 项, 万人): English needs a noun for it."""
    return _split_unit(unit)[1] in _COUNTERS


def _split_unit(unit: str) -> tuple[Decimal, str]:
    """Split a unit into its 万/亿 factor and base unit (``亿元`` → 1e8, ``元``)."""
    factor = Decimal(1)
    base = unit
    while base[:1] in _FACTORS:
        factor *= _FACTORS[base[0]]
        base = base[1:]
    return factor, base


def scale(value: Number, from_unit: str, to_unit: str) -> Decimal:
    """Convert a value between units of one family, such as 元 → 亿元 or 平方米 → 万平方米.

    Sources store figures in whatever unit the statistics come in; reports show them in the unit
    readers expect. The rule is generic: a leading 万 (1e4) or 亿 (1e8) is stripped to find the
    base unit (万亿元 is 1e12 元), and the two base units must be identical. The result is exact.

    Raises:
        ValueError: when the units belong to different families.
    """
    amount = to_decimal(value)
    from_factor, from_base = _split_unit(from_unit)
    to_factor, to_base = _split_unit(to_unit)
    if from_base != to_base:
        raise ValueError(
            f"cannot scale from {from_unit!r} to {to_unit!r}: base units {from_base!r} and "
            f"{to_base!r} differ (only 万/亿 multiples of one unit can be converted)"
        )
    return _EXACT.divide(_EXACT.multiply(amount, from_factor), to_factor)


def _check_locale(locale: str) -> None:
    if locale not in ("zh-CN", "en"):
        raise ValueError(f"unknown locale {locale!r}; expected 'zh-CN' or 'en'")


def _check_decimals(decimals: int | None) -> None:
    if decimals is None:
        return
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be a non-negative integer or None, got {decimals!r}")


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _check_qualifier(qualifier: str | None, allowed: tuple[str, ...] = QUALIFIERS) -> str:
    if qualifier is None or qualifier == "":
        return ""
    if qualifier not in allowed:
        raise ValueError(
            f"unknown qualifier {qualifier!r}; allowed: {', '.join(allowed)} (or None)"
        )
    return qualifier


def _round(value: Decimal, decimals: int) -> Decimal:
    context = Context(prec=max(28, value.adjusted() + decimals + 3), rounding=ROUND_HALF_UP)
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=context)
    return abs(rounded) if rounded == 0 else rounded


def _trim(value: Decimal) -> Decimal:
    context = Context(prec=max(28, len(value.as_tuple().digits)))
    trimmed = value.normalize(context)
    return Decimal(0) if trimmed == 0 else trimmed


def _digits(value: Decimal, thousands: bool) -> str:
    return format(value, ",f" if thousands else "f")


def format_number(
    value: Number,
    *,
    decimals: int | None = None,
    thousands: bool = False,
    locale: Locale = "zh-CN",
) -> str:
    """Format a bare number.

    With ``decimals=None`` the value is shown as given, minus meaningless trailing zeros (18.04 →
    ``18.04``, 68.50 → ``68.5``, 5.0 → ``5``), and a Fraction stays a fraction (``1/3``). With
    ``decimals=n`` it is rounded half-up to n places and zeros are kept (74 → ``74.0``), because
    a fixed precision is a promise about the data. Thousands separators (``,``) appear only when
    asked for: Chinese briefings do not use them, English callers pass ``thousands=True``. Both
    locales print numbers identically; ``locale`` is accepted so all formatters share a
    signature.
    """
    _check_locale(locale)
    _check_decimals(decimals)
    if isinstance(value, Fraction) and decimals is None:
        sign = "-" if value < 0 else ""
        numerator = _digits(Decimal(abs(value.numerator)), thousands)
        if value.denominator == 1:
            return f"{sign}{numerator}"
        return f"{sign}{numerator}/{_digits(Decimal(value.denominator), thousands)}"
    amount = to_decimal(value)
    if decimals is None:
        return _digits(_trim(amount), thousands)
    return _digits(_round(amount, decimals), thousands)


def _magnitude(amount: Decimal, *, allow_thousand: bool) -> tuple[str, Decimal]:
    for size, word in _MAGNITUDES:
        if abs(amount) >= size and (allow_thousand or word != "thousand"):
            return word, size
    return "", Decimal(1)


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def format_quantity(
    value: Number,
    unit: str = "",
    *,
    qualifier: str | None = None,
    decimals: int | None = None,
    source_unit: str | None = None,
    thousands: bool | None = None,
    locale: Locale = "zh-CN",
    unit_en: str | None = None,
) -> FormattedValue:
    """Format a figure with its qualifier and unit, split into styleable parts.

    ``source_unit`` names the unit the value is stored in; it is scaled to ``unit`` first
    (74000000000 元 → 740 亿元). ``thousands=None`` means the locale's habit: off in Chinese,
    on in English. ``decimals`` applies to the number actually displayed, which in English may
    differ from the Chinese one (9357.4亿元 → 935.74 billion).

    Chinese: ``近140亿元``, ``超5亿美元``, ``逾200家``, ``140多家``, ``200余个``, ``18.04%``,
    ``80%以上``, ``10万元左右`` (以上 and 左右 follow the unit, so they are part of ``unit``).

    English, where every qualifier precedes the number (近 nearly, 超/突破/逾/余 over, 约 about,
    多 more than, 以上 at least, 左右 around):

    * Money is restated in RMB/USD with a magnitude word chosen by size: ≥1e12 ``trillion``,
      ≥1e9 ``billion``, ≥1e6 ``million``, and, for 万-based units only, ≥1e3 ``thousand``
      (740亿元 → ``RMB 74 billion``, 5亿美元 → ``USD 500 million``, 100万元 → ``RMB 1
      million``, 50万元 → ``RMB 500 thousand``, 50000元 → ``RMB 50,000``). Billions and
      trillions keep the significant digits of the Chinese figure and add none (9357.4亿元 →
      ``RMB 935.74 billion``, 740亿元 → ``RMB 74 billion``, not 74.0, which would claim a
      precision the source does not have); smaller magnitudes show the number as it is.
    * Measures are restated in the base unit: 17万平方米 → ``170,000 m²``, 亩 → ``mu``, 米 →
      ``m``, 层 → ``floors``, 年 → ``years`` (singular when the number is exactly ``1``).
    * Counting units are a bare number unless ``unit_en`` names the noun (``140 firms``; the
      binding layer passes the noun :mod:`.nouns` finds when the source gives none); their
      万/亿 forms get a magnitude word (100万颗 → ``1 million``).
    * ``unit_en`` replaces the English unit word where there is one and the currency code for
      money; with it, any unit (even an unknown one) renders like a counting unit.

    Raises:
        ValueError: for an unknown qualifier, incompatible ``source_unit``, or a unit with no
            English rendering and no ``unit_en``.
    """
    _check_locale(locale)
    _check_decimals(decimals)
    qualifier = _check_qualifier(qualifier)
    amount: Number = value if source_unit is None else scale(value, source_unit, unit)
    if locale == "en":
        return _quantity_en(
            amount,
            unit,
            qualifier=qualifier,
            decimals=decimals,
            thousands=True if thousands is None else thousands,
            unit_en=unit_en,
        )
    number = format_number(amount, decimals=decimals, thousands=bool(thousands))
    prefix = qualifier if qualifier in _BEFORE_NUMBER else ""
    suffix = qualifier if qualifier in _SUFFIX_QUALIFIERS else ""
    if qualifier in _AFTER_UNIT_QUALIFIERS:
        unit = f"{unit}{qualifier}"
    return FormattedValue(prefix, number, suffix, unit, f"{prefix}{number}{suffix}{unit}")


def format_range(
    low: Number,
    high: Number,
    unit: str = "",
    *,
    decimals: int | None = None,
    source_unit: str | None = None,
    locale: Locale = "zh-CN",
    unit_en: str | None = None,
) -> FormattedValue:
    """Format a range of values: ``17%～20%``, ``3至5年``; English ``17–20%``, ``3–5 years``.

    Chinese repeats ``%`` on both ends with a wave dash (the statistical style) and writes other
    units once after 至. English joins the two numbers with an en dash when both ends share
    their words (``RMB 1.2–1.5 billion``) and writes ``A to B`` when they do not. The parts
    put the whole range in ``number`` and its unit in ``unit``, so a KPI card shows ``17～20``
    large and ``%`` small.

    Raises:
        ValueError: when ``low`` is not below ``high``.
    """
    if to_decimal(low) >= to_decimal(high):
        raise ValueError(f"a range needs its low end below its high end, got {low} and {high}")
    lo, hi = (
        format_quantity(
            v,
            unit,
            decimals=decimals,
            source_unit=source_unit,
            locale=locale,
            unit_en=unit_en,
        )
        for v in (low, high)
    )
    if locale == "en":
        if lo.prefix == hi.prefix and (lo.unit == hi.unit or unit in _MEASURES_RANGE):
            number = f"{lo.number}–{hi.number}"
            text = _join(hi.prefix, number) + ("%" if hi.unit == "%" else "")
            if hi.unit != "%":
                text = _join(text, hi.unit)
            return FormattedValue(hi.prefix, number, "", hi.unit, text)
        text = f"{lo.text} to {hi.text}"
        return FormattedValue("", text, "", "", text)
    if unit == "%":
        return FormattedValue("", f"{lo.number}～{hi.number}", "", "%", f"{lo.text}～{hi.text}")
    number = f"{lo.number}至{hi.number}"
    return FormattedValue("", number, "", unit, f"{number}{unit}")


def _quantity_en(
    value: Number,
    unit: str,
    *,
    qualifier: str,
    decimals: int | None,
    thousands: bool,
    unit_en: str | None,
) -> FormattedValue:
    factor, base = _split_unit(unit)
    prefix = _QUALIFIERS_EN.get(qualifier, "")

    def number_of(amount: Number, default_decimals: int | None = None) -> str:
        places = default_decimals if decimals is None else decimals
        return format_number(amount, decimals=places, thousands=thousands)

    def magnified(*, allow_thousand: bool, money: bool) -> tuple[str, str]:
        if factor == 1 and not money:
            return number_of(value), ""
        amount = _EXACT.multiply(to_decimal(value), factor)
        word, size = _magnitude(amount, allow_thousand=allow_thousand)
        if not word:
            return number_of(value if factor == 1 else amount), ""
        shown = _EXACT.divide(amount, size)
        default = None
        if money and size >= Decimal(10) ** 9:
            default = -min(0, int(_trim(shown).as_tuple().exponent))
        return number_of(shown, default), word

    if unit == "%" and unit_en is None:
        number = number_of(value)
        return FormattedValue(prefix, number, "", "%", f"{_join(prefix, number)}%")
    if base in _CURRENCIES:
        prefix = _join(prefix, unit_en or _CURRENCIES[base])
        number, word = magnified(allow_thousand=factor > 1, money=True)
    elif base in _MEASURES:
        number = number_of(value if factor == 1 else _EXACT.multiply(to_decimal(value), factor))
        word = unit_en or _MEASURES[base][number != "1"]
    elif base in _COUNTERS or base == "" or unit_en is not None:
        number, magnitude = magnified(allow_thousand=True, money=False)
        word = _join(magnitude, unit_en or "")
    else:
        raise ValueError(
            f"no English rendering for unit {unit!r}; pass unit_en or use one of the known units"
        )
    return FormattedValue(prefix, number, "", word, _join(prefix, number, word))


def axis_unit(
    unit: str,
    largest: Number,
    *,
    locale: Locale = "zh-CN",
    unit_en: str | None = None,
) -> tuple[str, Decimal] | None:
    """Return the unit a chart axis of values in ``unit`` is labelled with, and its divisor.

    The axis says what the value labels say, because both come from here: Chinese keeps the
    unit (亿元, divisor 1); English restates money with the magnitude word
    :func:`format_quantity` gives the ``largest`` value (740亿元 → ``RMB billion`` and
    divisor 10, so the axis reads 74 where the label reads ``RMB 74.0 billion``), measures in
    their base unit (万平方米 → ``m²``, divisor 1/10,000) and counts with their noun
    (``unit_en``). None when English has no word for the unit (a count without ``unit_en``).
    """
    _check_locale(locale)
    if locale != "en" or unit == "%":
        return unit, Decimal(1)
    factor, base = _split_unit(unit)
    amount = _EXACT.multiply(abs(to_decimal(largest)), factor)
    if base in _CURRENCIES:
        word, size = _magnitude(amount, allow_thousand=factor > 1)
        return _join(unit_en or _CURRENCIES[base], word), _EXACT.divide(size, factor)
    if base in _MEASURES:
        return unit_en or _MEASURES[base][1], _EXACT.divide(Decimal(1), factor)
    if unit_en is None or (base not in _COUNTERS and base != ""):
        return None
    if factor == 1:
        return unit_en, Decimal(1)
    word, size = _magnitude(amount, allow_thousand=True)
    return _join(word, unit_en), _EXACT.divide(size, factor)


def format_rank(
    position: int,
    *,
    of: int | None = None,
    show_of: bool = False,
    locale: Locale = "zh-CN",
) -> str:
    """Format a position in a ranking: ``第32名``; English ``No. 32``.

    Chinese prose names the list and its size in the sentence (在178家国家高新区中排名第32名 is
    written by the author), so ``of`` is ignored unless ``show_of=True`` asks for the compact
    ``第32名（共178家）`` used in tables (家, because ranked lists are of zones and parks). English
    shows ``No. 32 of 178`` whenever ``of`` is given.

    Raises:
        ValueError: for a position below 1, or beyond ``of``; ``show_of`` without ``of``.
    """
    _check_locale(locale)
    _check_int("position", position, 1)
    if of is not None:
        _check_int("of", of, 1)
        if position > of:
            raise ValueError(f"rank {position} is outside a list of {of}")
    elif show_of:
        raise ValueError("show_of=True needs the list size in `of`")
    if locale == "en":
        return f"No. {position}" if of is None else f"No. {position} of {of}"
    if show_of:
        return f"第{position}名（共{of}家）"
    return f"第{position}名"


def format_top(n: int, *, locale: Locale = "zh-CN") -> str:
    """Format a top-N list membership: ``前30强``; English ``top 30``."""
    _check_locale(locale)
    _check_int("n", n, 1)
    return f"top {n}" if locale == "en" else f"前{n}强"


def growth_rate(current: Number, previous: Number) -> Decimal:
    """Return the growth from ``previous`` to ``current`` in percent (12.3 means +12.3%).

    Raises:
        ValueError: when ``previous`` is 0 (growth is undefined) or negative (a rate computed
            from a negative base, such as a loss, has the wrong sign and would mislead).
    """
    now = to_decimal(current)
    before = to_decimal(previous)
    if before == 0:
        raise ValueError("previous value is 0; growth is undefined")
    if before < 0:
        raise ValueError(
            f"previous value {previous!r} is negative; a growth rate from it is not meaningful"
        )
    return _RATIO.divide(_EXACT.multiply(_EXACT.subtract(now, before), 100), before)


_BASES_EN = {
    "同比": "year on year",
    "环比": "on the previous period",
    "比上年": "on the previous year",
    "较上年": "on the previous year",
    "比上年末": "on the end of the previous year",
    "较上年末": "on the end of the previous year",
    "比年初": "since the start of the year",
    "较年初": "since the start of the year",
    "比上月": "on the previous month",
}
_FLAT_BASES_ZH = {
    "比上年": "与上年持平",
    "较上年": "与上年持平",
    "比上年末": "与上年末持平",
    "较上年末": "与上年末持平",
    "比年初": "与年初持平",
    "较年初": "与年初持平",
    "比上月": "与上月持平",
}
GROWTH_KINDS: dict[str, str] = {"名义": "in nominal terms", "实际": "in real terms"}
"""Kinds of growth rate (名义 nominal, 实际 real, at comparable prices) and their English."""
GROWTH_FALLS: tuple[str, ...] = ("下降", "减少")
"""Words for a fall: 下降 for rates and levels, 减少 for counts and amounts."""


def _base_en(prefix: str) -> str:
    if prefix in _GROWTH_PREFIXES_EN:
        return _GROWTH_PREFIXES_EN[prefix]
    if prefix in _BASES_EN:
        return _BASES_EN[prefix]
    if match := re.fullmatch(r"(?:比|较)([0-9]{4})年(末?)", prefix):
        return f"on end-{match[1]}" if match[2] else f"on {match[1]}"
    return prefix


def _growth_text(
    rate: Decimal,
    decimals: int | None,
    locale: str,
    prefix: str,
    kind: str | None = None,
    fall: str = "下降",
) -> str:
    _check_locale(locale)
    if decimals is not None:
        _check_int("decimals", decimals, 0)
    kind = kind or ""
    if kind and kind not in GROWTH_KINDS:
        raise ValueError(f"unknown kind of growth {kind!r}; allowed: {', '.join(GROWTH_KINDS)}")
    if fall not in GROWTH_FALLS:
        raise ValueError(f"unknown word for a fall {fall!r}; allowed: {', '.join(GROWTH_FALLS)}")

    def shown(amount: Decimal) -> Decimal:
        return _trim(amount) if decimals is None else _round(amount, decimals)

    rounded = shown(rate)
    if locale == "en":
        tail = _join(_base_en(prefix), GROWTH_KINDS.get(kind, ""))
        if rounded == 0:
            return _join("unchanged", tail)
        if rate >= 100 and shown(_RATIO.divide(rate, 100)) == 1:
            return _join("doubled", tail)
        direction = "up" if rounded > 0 else "down"
        return _join(f"{direction} {_digits(abs(rounded), True)}%", tail)
    if rounded == 0:
        if prefix in _FLAT_ZH:
            return _FLAT_ZH[prefix]
        return _FLAT_BASES_ZH.get(prefix) or f"{prefix}持平"
    lead = f"{prefix}{kind}"
    if rate >= 100:
        times = shown(_RATIO.divide(rate, 100))
        if times == 1:
            return f"{lead}实现翻番"
        return f"{lead}增长{_digits(times, False)}倍"
    if rounded > 0:
        return f"{lead}增长{_digits(rounded, False)}%"
    return f"{lead}{fall}{_digits(abs(rounded), False)}%"


def format_growth(
    current: Number,
    previous: Number,
    *,
    decimals: int = 1,
    locale: Locale = "zh-CN",
    prefix: str = "同比",
    kind: str | None = None,
    fall: str = "下降",
) -> str:
    """Describe the change from ``previous`` to ``current`` in words.

    The rule follows the National Bureau of Statistics: growth below 100% is a percentage
    (``同比增长12.3%``, ``同比下降4.5%``); growth of 100% or more is stated in 倍 of increase
    (``增长1.5倍`` means the value is 2.5 times the base), and ``实现翻番`` when that multiple
    rounds to exactly 1. A rate that rounds to 0 is ``与上年持平``. ``decimals`` governs both
    the percentage and the multiple; a computed rate has endless digits, so it defaults to 1.

    ``prefix`` is the comparison: 同比 (与上年持平 when flat), 环比 (与上期持平), 比上年,
    比年初 (与年初持平), ``较2019年`` (较2019年持平), ``""`` (持平) or any other text. English
    maps the known bases (同比 ``year on year``, 环比 ``on the previous period``, 比上年 ``on
    the previous year``, 比年初 ``since the start of the year``, 较2019年 ``on 2019``) and
    appends any other prefix verbatim, so pass English text there: ``up 12.3% year on year``,
    ``down 4.5% year on year``, ``unchanged year on year``, ``doubled year on year``; growth of
    100% or more that is not a doubling stays a percentage (``up 150.0% year on year``), which
    is unambiguous in English where "N times" is not.

    ``kind`` is 名义 (nominal) or 实际 (real): ``同比名义增长6.38%``, ``up 6.38% year on year in
    nominal terms``. ``fall`` is the word for a decrease, 下降 or 减少 (English ``down``).
    """
    return _growth_text(growth_rate(current, previous), decimals, locale, prefix, kind, fall)


def format_growth_from_rate(
    rate_percent: Number,
    *,
    decimals: int | None = None,
    locale: Locale = "zh-CN",
    prefix: str = "同比",
    kind: str | None = None,
    fall: str = "下降",
) -> str:
    """Describe a published growth rate (in percent) in the wording of :func:`format_growth`.

    A published rate is printed as the source gives it (6.38 → ``6.38%``; a statistics bureau's
    two decimals are part of the figure) unless ``decimals`` fixes the places. A Fraction has
    no "as given" digits and is shown with one decimal.
    """
    if decimals is None and isinstance(rate_percent, Fraction):
        decimals = 1
    return _growth_text(to_decimal(rate_percent), decimals, locale, prefix, kind, fall)


def format_doubling(
    current: Number,
    base: Number,
    *,
    since: str | int | None = None,
    locale: Locale = "zh-CN",
) -> str:
    """State that ``current`` is at least double ``base``: ``较2019年实现翻番``.

    The check exists because 翻番 is a headline claim: it is refused rather than printed when
    the data do not support it. ``since`` may be a year (int or four-digit string, which gets
    年) or any other text used verbatim (``较“十三五”末实现翻番``); English puts it after
    ``since`` (``doubled since 2019``).

    Raises:
        ValueError: when ``base`` is not positive or ``current`` is less than twice ``base``.
    """
    _check_locale(locale)
    now = to_decimal(current)
    then = to_decimal(base)
    if then <= 0:
        raise ValueError(f"base value {base!r} must be positive to claim a doubling")
    if now < 2 * then:
        ratio = _round(_RATIO.divide(now, then), 2)
        raise ValueError(
            f"{current!r} is only {ratio} times {base!r}; claiming a doubling would be false"
        )
    if isinstance(since, bool):
        raise TypeError(f"since must be a year or text, got {since!r}")
    if locale == "en":
        return "doubled" if since is None else f"doubled since {since}"
    if since is None:
        return "实现翻番"
    if isinstance(since, int) or re.fullmatch(r"[0-9]{4}", since):
        return f"较{since}年实现翻番"
    return f"较{since}实现翻番"


def format_share(
    part: Number, whole: Number, *, decimals: int = 1, locale: Locale = "zh-CN"
) -> str:
    """Format ``part`` as a percentage of ``whole``: ``68.5%``.

    Raises:
        ValueError: when ``whole`` is 0 (undefined) or negative (not a whole).
    """
    total = to_decimal(whole)
    if total == 0:
        raise ValueError("whole is 0; share is undefined")
    if total < 0:
        raise ValueError(f"whole {whole!r} is negative; share is not meaningful")
    share = _RATIO.divide(_EXACT.multiply(to_decimal(part), 100), total)
    return format_percent(share, decimals=decimals, locale=locale)


def format_percent(value: Number, *, decimals: int | None = None, locale: Locale = "zh-CN") -> str:
    """Format a value that is already in percent: 68.5 → ``68.5%`` (no space in either locale).

    Raises:
        ValueError: for a Fraction without ``decimals`` (``1/3%`` would be unreadable).
    """
    if isinstance(value, Fraction) and decimals is None:
        raise ValueError(f"pass decimals to show the fraction {value} as a percentage")
    return f"{format_number(value, decimals=decimals, locale=locale)}%"


def format_points(delta: Number, *, decimals: int = 1, locale: Locale = "zh-CN") -> str:
    """Describe a change of a percentage in percentage points: ``提高1.2个百分点``.

    Falling values read ``下降0.5个百分点``, a change that rounds to 0 reads ``持平``. English:
    ``up 1.2 percentage points``, ``down 0.5 percentage points``, ``unchanged`` (``point`` when
    the number is exactly ``1``).
    """
    _check_locale(locale)
    _check_int("decimals", decimals, 0)
    rounded = _round(to_decimal(delta), decimals)
    number = _digits(abs(rounded), False)
    if locale == "en":
        if rounded == 0:
            return "unchanged"
        noun = "percentage point" if number == "1" else "percentage points"
        return f"{'up' if rounded > 0 else 'down'} {number} {noun}"
    if rounded == 0:
        return "持平"
    return f"{'提高' if rounded > 0 else '下降'}{number}个百分点"


_FRACTION_QUALIFIERS = ("近", "超", "突破", "约", "逾", "以上", "左右")
_SIMPLE_DENOMINATORS = range(2, 11)


def fraction_of_percent(percent: Number, places: int | None = None) -> Fraction | None:
    """Return the simple fraction (denominator 2 to 10) a percentage states, or None.

    A percentage states a fraction when it is that fraction exactly (50 → 1/2, 25 → 1/4) or,
    given to at least one decimal place, is the fraction rounded to its own places (33.3 →
    1/3, 66.67 → 2/3). A whole-number percentage that is only near a fraction (33) is not
    taken for one: 三分之一 would claim a precision the figure does not have. ``places`` is
    the number of decimals the figure was given with (default: those of ``percent``).
    """
    amount = to_decimal(percent)
    if places is None:
        places = max(0, -int(_trim(amount).as_tuple().exponent))
    for denominator in _SIMPLE_DENOMINATORS:
        for numerator in range(1, denominator):
            candidate = Fraction(numerator, denominator)
            if candidate.denominator != denominator:
                continue
            exact = _RATIO.divide(Decimal(100 * numerator), Decimal(denominator))
            if exact == amount or (places >= 1 and _round(exact, places) == amount):
                return candidate
    return None


def format_fraction(
    value: Fraction, *, qualifier: str | None = None, locale: Locale = "zh-CN"
) -> str:
    """Format a positive fraction with an optional qualifier: ``近1/3``; ``nearly one third``.

    English spells out 1/2, 1/3, 1/4, 2/3 and 3/4 (``over one half``) and writes the rest as
    digits (``nearly 1/5``). The prefix qualifiers and 以上/左右 (``1/3以上``) are allowed: 多 and
    余 do not attach to fractions in Chinese (``1/3多`` is not written; use 超).

    Raises:
        TypeError: when ``value`` is not a Fraction.
        ValueError: for a non-positive value or the qualifier 多 or 余.
    """
    _check_locale(locale)
    if not isinstance(value, Fraction):
        raise TypeError(f"expected a Fraction, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"fraction must be positive, got {value}")
    qualifier = _check_qualifier(qualifier, _FRACTION_QUALIFIERS)
    if locale == "en":
        words = _FRACTION_WORDS.get(value) or format_number(value)
        return _join(_QUALIFIERS_EN.get(qualifier, ""), words)
    if qualifier in _AFTER_UNIT_QUALIFIERS:
        return f"{format_number(value)}{qualifier}"
    return f"{qualifier}{format_number(value)}"


def format_fraction_words(
    value: Fraction, *, qualifier: str | None = None, locale: Locale = "zh-CN"
) -> str:
    """Write a fraction in words: ``三分之一``, ``近三分之二``, ``一半``, ``近一半``, ``过半``.

    A half reads 一半, and 超一半 reads 过半 as Chinese writes it. English is the wording of
    :func:`format_fraction` (``nearly one half``).

    Raises:
        ValueError: for a fraction that is not between 0 and 1 or has a denominator above 99,
            and for the qualifiers :func:`format_fraction` refuses.
    """
    text = format_fraction(value, qualifier=qualifier, locale=locale)
    if locale == "en":
        return text
    if not 0 < value < 1 or value.denominator > 99:
        raise ValueError(f"{value} cannot be written as a fraction in words (一半, 三分之一)")
    qualifier = qualifier or ""
    if value == Fraction(1, 2):
        if qualifier in ("超", "逾", "突破"):
            return "过半"
        words = "一半"
    else:
        words = f"{to_chinese_numeral(value.denominator)}分之{to_chinese_numeral(value.numerator)}"
    if qualifier in _AFTER_UNIT_QUALIFIERS:
        return f"{words}{qualifier}"
    return f"{qualifier}{words}"


_ROUND_WORDS = ((Decimal(1000), "千"), (Decimal(100), "百"), (Decimal(10), "十"))


def format_round_words(
    value: Number,
    unit: str = "",
    *,
    qualifier: str | None = None,
    source_unit: str | None = None,
    locale: Locale = "zh-CN",
    unit_en: str | None = None,
) -> str:
    """Write a round figure the way headlines do: ``超万亿元``, ``近千家``, ``超百亿元``.

    The displayed number must be 1 before a 万/亿 unit (超1万亿元 → 超万亿元) or exactly 10,
    100, 1000 or 10000 (近1000家 → 近千家, 10000家 → 万家; 上 gives 上千家). English prints the
    figure (``over RMB 1 trillion``), which is how English says it.

    Raises:
        ValueError: when the figure is not such a round number.
    """
    qualifier = _check_qualifier(qualifier)
    amount = to_decimal(value if source_unit is None else scale(value, source_unit, unit))
    if locale == "en":
        return format_quantity(
            amount, unit, qualifier=qualifier, locale="en", unit_en=unit_en, decimals=0
        ).text
    _check_locale(locale)
    if amount == 1 and unit[:1] in _FACTORS:
        words = unit
    elif amount == 10_000:
        words = f"万{unit}"
    else:
        words = next((f"{w}{unit}" for size, w in _ROUND_WORDS if amount == size), "")
    if not words:
        raise ValueError(
            f"{format_number(amount)}{unit} is not a round figure (1万, 1亿, 10, 100, 1000 or "
            "10000 of its unit) to write in words"
        )
    if qualifier in _SUFFIX_QUALIFIERS:
        raise ValueError(f"the qualifier {qualifier} does not go with a figure in words")
    if qualifier in _AFTER_UNIT_QUALIFIERS:
        return f"{words}{qualifier}"
    return f"{qualifier}{words}"


def format_date(value: date, *, locale: Locale = "zh-CN") -> str:
    """Format a date: ``2023年11月23日`` (no zero padding); English ``23 November 2023``."""
    _check_locale(locale)
    if not isinstance(value, date):
        raise TypeError(f"expected a date, got {type(value).__name__} {value!r}")
    if locale == "en":
        return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def format_month(year: int, month: int, *, locale: Locale = "zh-CN") -> str:
    """Format a month: ``2024年12月``; English ``December 2024``."""
    _check_locale(locale)
    _check_int("year", year, 1)
    _check_int("month", month, 1)
    if month > 12:
        raise ValueError(f"month must be 1..12, got {month}")
    if locale == "en":
        return f"{_MONTHS_EN[month - 1]} {year}"
    return f"{year}年{month}月"


def format_year(year: int, *, locale: Locale = "zh-CN") -> str:
    """Format a year: ``2023年``; English ``2023``."""
    _check_locale(locale)
    _check_int("year", year, 1)
    return str(year) if locale == "en" else f"{year}年"


def format_period(period: int | str | date, *, locale: Locale = "zh-CN") -> str:
    """Format the period a figure refers to, as a source states it.

    An int is a year, a date is a day, ``"2024-12"`` is a month and ``"2023-11-23"`` a day. Any
    other text (``"2023年末"``, ``"十四五"``) is returned unchanged, since it is already prose.

    Raises:
        ValueError: for text shaped like a month or date that does not exist (``"2024-13"``),
            since that is a typo rather than prose.
    """
    _check_locale(locale)
    if isinstance(period, bool):
        raise TypeError(f"expected a year, date or text, got {period!r}")
    if isinstance(period, date):
        return format_date(period, locale=locale)
    if isinstance(period, int):
        return format_year(period, locale=locale)
    if not isinstance(period, str):
        raise TypeError(f"expected a year, date or text, got {type(period).__name__} {period!r}")
    if match := re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", period):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"period {period!r} has no month {month}")
        return format_month(year, month, locale=locale)
    if match := re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", period):
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as exc:
            raise ValueError(f"period {period!r} is not a valid date: {exc}") from None
        return format_date(day, locale=locale)
    return period


def to_chinese_numeral(n: int) -> str:
    """Write 1..99 in Chinese numerals (一, 十, 十一, 二十, 九十九) for outline numbers like 一、.

    Raises:
        ValueError: outside 1..99, where outline numbering has no use and the rules change.
    """
    _check_int("n", n, 1)
    if n > 99:
        raise ValueError(f"n must be in 1..99, got {n}")
    tens, ones = divmod(n, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else _CHINESE_DIGITS[tens - 1]) + "十"
    if ones:
        text += _CHINESE_DIGITS[ones - 1]
    return text
