"""Tests for the Chinese number layer: every printed figure depends on these rules."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal, getcontext, localcontext
from fractions import Fraction
from typing import Any

import pytest

from khzreport.resolver import numbers
from khzreport.resolver.numbers import (
    QUALIFIERS,
    UNITS,
    FormattedValue,
    format_date,
    format_doubling,
    format_fraction,
    format_growth,
    format_growth_from_rate,
    format_month,
    format_number,
    format_percent,
    format_period,
    format_points,
    format_quantity,
    format_rank,
    format_share,
    format_top,
    format_year,
    growth_rate,
    scale,
    to_chinese_numeral,
    to_decimal,
)

NON_FINITE = [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("-Infinity")]


# --- constants -------------------------------------------------------------------------------


def test_qualifiers_are_the_documented_ten_in_order() -> None:
    assert QUALIFIERS == ("近", "超", "突破", "约", "逾", "上", "多", "余", "以上", "左右")


def test_units_contain_the_documented_families() -> None:
    expected = {
        *("亿元", "万元", "元", "亿美元", "万美元", "美元", "万平方米", "平方米", "亩", "万亩"),
        *("家", "项", "件", "名", "个", "%", "米", "层", "颗", "万颗", "人", "次", "台"),
        *("年", "强", "期", "人次", "万人次", "万个", "万人", "万件", "万台", "万次"),
        *("户", "所", "座", "栋"),
    }
    assert expected == UNITS
    assert isinstance(UNITS, frozenset)


def test_module_exports_only_existing_names() -> None:
    for name in numbers.__all__:
        assert hasattr(numbers, name), name


# --- FormattedValue --------------------------------------------------------------------------


def test_formatted_value_str_is_text_and_is_frozen() -> None:
    value = FormattedValue(prefix="近", number="140", suffix="", unit="亿元", text="近140亿元")
    assert str(value) == "近140亿元"
    assert f"{value}" == "近140亿元"
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.text = "x"  # type: ignore[misc]


# --- to_decimal ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (18.04, Decimal("18.04")),
        (0.1, Decimal("0.1")),
        (2.675, Decimal("2.675")),
        (-3.5, Decimal("-3.5")),
        (1e20, Decimal("1E+20")),
        (0, Decimal(0)),
        (140, Decimal(140)),
        (-7, Decimal(-7)),
        (10**30, Decimal(10**30)),
        (Decimal("68.50"), Decimal("68.50")),
        (Fraction(1, 4), Decimal("0.25")),
        (Fraction(-3, 2), Decimal("-1.5")),
    ],
)
def test_to_decimal_is_exact(value: Any, expected: Decimal) -> None:
    result = to_decimal(value)
    assert isinstance(result, Decimal)
    assert result == expected


def test_to_decimal_keeps_float_as_typed() -> None:
    assert str(to_decimal(18.04)) == "18.04"
    binary = 18.04
    assert to_decimal(binary) != Decimal(binary)


def test_to_decimal_divides_fraction_to_28_digits() -> None:
    assert to_decimal(Fraction(1, 3)) == Decimal("0." + "3" * 28)
    assert to_decimal(Fraction(2, 3)) == Decimal("0." + "6" * 27 + "7")


def test_to_decimal_ignores_global_context() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        assert to_decimal(Fraction(1, 3)) == Decimal("0." + "3" * 28)
        assert scale(123456789, "元", "万元") == Decimal("12345.6789")
    assert getcontext().prec == 28


@pytest.mark.parametrize("value", NON_FINITE)
def test_to_decimal_rejects_non_finite_naming_the_value(value: Any) -> None:
    with pytest.raises(ValueError, match=r"(?i)(nan|inf)"):
        to_decimal(value)


@pytest.mark.parametrize("value", [True, False, "1", None, [1]])
def test_to_decimal_rejects_non_numbers(value: Any) -> None:
    with pytest.raises(TypeError):
        to_decimal(value)


# --- scale -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (74_000_000_000, "元", "亿元", Decimal("740")),
        (73_956_000_000, "元", "亿元", Decimal("739.56")),
        (12_345, "元", "万元", Decimal("1.2345")),
        (1.5, "亿元", "元", Decimal("150000000")),
        (3, "亿元", "万元", Decimal("30000")),
        (25_000, "万元", "亿元", Decimal("2.5")),
        (500_000_000, "美元", "亿美元", Decimal("5")),
        (5, "亿美元", "万美元", Decimal("50000")),
        (170_000, "平方米", "万平方米", Decimal("17")),
        (17, "万平方米", "平方米", Decimal("170000")),
        (1_000_000, "颗", "万颗", Decimal("100")),
        (35_000, "个", "万个", Decimal("3.5")),
        (12_000, "人", "万人", Decimal("1.2")),
        (2, "万亿元", "亿元", Decimal("20000")),
        (15_000, "", "万", Decimal("1.5")),
        (42, "家", "家", Decimal("42")),
        (18.04, "%", "%", Decimal("18.04")),
        (Fraction(1, 2), "亿元", "万元", Decimal("5000")),
    ],
)
def test_scale_within_a_family(value: Any, from_unit: str, to_unit: str, expected: Decimal) -> None:
    result = scale(value, from_unit, to_unit)
    assert isinstance(result, Decimal)
    assert result == expected


def test_scale_is_exact_for_large_values() -> None:
    assert scale(123_456_789_012_345_678, "元", "亿元") == Decimal("1234567890.12345678")


@pytest.mark.parametrize(
    ("from_unit", "to_unit"),
    [
        ("元", "美元"),
        ("亿元", "亿美元"),
        ("平方米", "亩"),
        ("万平方米", "万元"),
        ("家", "个"),
        ("%", "元"),
        ("万颗", "万个"),
    ],
)
def test_scale_rejects_incompatible_units(from_unit: str, to_unit: str) -> None:
    with pytest.raises(ValueError, match="cannot scale") as excinfo:
        scale(1, from_unit, to_unit)
    assert from_unit in str(excinfo.value)
    assert to_unit in str(excinfo.value)


@pytest.mark.parametrize("value", NON_FINITE)
def test_scale_rejects_non_finite(value: Any) -> None:
    with pytest.raises(ValueError):
        scale(value, "元", "亿元")


# --- format_number ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (140, "140"),
        (0, "0"),
        (-12, "-12"),
        (18.04, "18.04"),
        (68.5, "68.5"),
        (5.0, "5"),
        (0.0, "0"),
        (-0.0, "0"),
        (Decimal("68.50"), "68.5"),
        (Decimal("5.000"), "5"),
        (Decimal("-0.00"), "0"),
        (Decimal("1E+2"), "100"),
        (Decimal("740"), "740"),
        (Decimal("0.0000001"), "0.0000001"),
        (1e20, "100000000000000000000"),
        (10**30, "1" + "0" * 30),
        (Decimal("123456789012345678901234567890.5"), "123456789012345678901234567890.5"),
        (Fraction(1, 3), "1/3"),
        (Fraction(2, 3), "2/3"),
        (Fraction(-1, 3), "-1/3"),
        (Fraction(4, 2), "2"),
        (Fraction(0), "0"),
    ],
)
def test_format_number_as_given(value: Any, expected: str) -> None:
    assert format_number(value) == expected
    assert format_number(value, locale="en") == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (74, 1, "74.0"),
        (74, 0, "74"),
        (5.0, 2, "5.00"),
        (18.04, 1, "18.0"),
        (68.46, 1, "68.5"),
        (Decimal("739.56"), 1, "739.6"),
        (Decimal("73.956"), 1, "74.0"),
        (Fraction(1, 3), 2, "0.33"),
        (Fraction(2, 3), 1, "0.7"),
        (Fraction(5, 2), 0, "3"),
        (123456789012345678901234567890, 2, "123456789012345678901234567890.00"),
        (Decimal("99999999999999999999999999999.995"), 2, "100000000000000000000000000000.00"),
    ],
)
def test_format_number_fixed_decimals_keep_zeros(value: Any, decimals: int, expected: str) -> None:
    assert format_number(value, decimals=decimals) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.05, 1, "0.1"),
        (0.05, 0, "0"),
        (0.5, 0, "1"),
        (1.5, 0, "2"),
        (2.5, 0, "3"),
        (2.45, 1, "2.5"),
        (2.35, 1, "2.4"),
        (2.675, 2, "2.68"),
        (1.005, 2, "1.01"),
        (0.125, 2, "0.13"),
        (Decimal("2.45"), 1, "2.5"),
        (Decimal("0.045"), 2, "0.05"),
        (Fraction(1, 8), 2, "0.13"),
        (-0.05, 1, "-0.1"),
        (-2.45, 1, "-2.5"),
        (-2.5, 0, "-3"),
        (-0.04, 1, "0.0"),
        (-0.4, 0, "0"),
        (0.04, 1, "0.0"),
    ],
)
def test_format_number_rounds_half_up(value: Any, decimals: int, expected: str) -> None:
    assert format_number(value, decimals=decimals) == expected


def test_format_number_half_up_differs_from_builtin_round() -> None:
    assert round(2.675, 2) == 2.67
    assert round(2.5) == 2
    assert format_number(2.675, decimals=2) == "2.68"
    assert format_number(2.5, decimals=0) == "3"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567, None, "1,234,567"),
        (-1234567, None, "-1,234,567"),
        (999, None, "999"),
        (1000, None, "1,000"),
        (1234567.891, None, "1,234,567.891"),
        (1234567.891, 1, "1,234,567.9"),
        (Decimal("170000"), None, "170,000"),
        (Fraction(12345, 1001), None, "12,345/1,001"),
    ],
)
def test_format_number_thousands_only_when_asked(
    value: Any, decimals: int | None, expected: str
) -> None:
    assert format_number(value, decimals=decimals, thousands=True) == expected
    assert "," not in format_number(value, decimals=decimals)


def test_format_number_negative_uses_ascii_hyphen_minus() -> None:
    text = format_number(-4.5)
    assert text == "-4.5"
    assert text[0] == "\u002d"


@pytest.mark.parametrize("value", NON_FINITE)
def test_format_number_rejects_non_finite(value: Any) -> None:
    with pytest.raises(ValueError):
        format_number(value)


@pytest.mark.parametrize("decimals", [-1, True, 1.5])
def test_format_number_rejects_bad_decimals(decimals: Any) -> None:
    with pytest.raises(ValueError, match="decimals"):
        format_number(1, decimals=decimals)


def test_format_number_rejects_unknown_locale() -> None:
    with pytest.raises(ValueError, match="locale"):
        format_number(1, locale="fr")  # type: ignore[arg-type]


# --- format_quantity: Chinese ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "parts"),
    [
        (140, "亿元", "近", ("近", "140", "", "亿元", "近140亿元")),
        (5, "亿美元", "超", ("超", "5", "", "亿美元", "超5亿美元")),
        (740, "亿元", "突破", ("突破", "740", "", "亿元", "突破740亿元")),
        (100, "万颗", "约", ("约", "100", "", "万颗", "约100万颗")),
        (140, "家", "多", ("", "140", "多", "家", "140多家")),
        (200, "个", "余", ("", "200", "余", "个", "200余个")),
        (18.04, "%", None, ("", "18.04", "", "%", "18.04%")),
        (32, "", None, ("", "32", "", "", "32")),
        (30, "年", "多", ("", "30", "多", "年", "30多年")),
    ],
)
def test_format_quantity_zh_places_qualifiers(
    value: Any, unit: str, qualifier: str | None, parts: tuple[str, ...]
) -> None:
    result = format_quantity(value, unit, qualifier=qualifier)
    assert (result.prefix, result.number, result.suffix, result.unit, result.text) == parts
    assert " " not in result.text


@pytest.mark.parametrize("qualifier", QUALIFIERS)
def test_format_quantity_zh_every_qualifier(qualifier: str) -> None:
    result = format_quantity(140, "亿元", qualifier=qualifier)
    if qualifier in ("多", "余"):
        assert result.text == f"140{qualifier}亿元"
        assert (result.prefix, result.suffix) == ("", qualifier)
    elif qualifier in ("以上", "左右"):
        assert result.text == f"140亿元{qualifier}"
        assert (result.prefix, result.suffix, result.unit) == ("", "", f"亿元{qualifier}")
    else:
        assert result.text == f"{qualifier}140亿元"
        assert (result.prefix, result.suffix) == (qualifier, "")


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_format_quantity_zh_every_unit(unit: str) -> None:
    result = format_quantity(12, unit)
    assert result.text == f"12{unit}"
    assert result.unit == unit
    assert result.prefix + result.number + result.suffix + result.unit == result.text


def test_format_quantity_zh_accepts_unknown_unit_verbatim() -> None:
    assert format_quantity(3, "辆").text == "3辆"


@pytest.mark.parametrize(
    ("value", "source_unit", "unit", "decimals", "expected"),
    [
        (74_000_000_000, "元", "亿元", None, "740亿元"),
        (73_956_000_000, "元", "亿元", 1, "739.6亿元"),
        (73_956_000_000, "元", "亿元", 0, "740亿元"),
        (74_000_000_000, "元", "亿元", 1, "740.0亿元"),
        (170_000, "平方米", "万平方米", None, "17万平方米"),
        (172_500, "平方米", "万平方米", 1, "17.3万平方米"),
        (1_234_567, "万元", "亿元", 2, "123.46亿元"),
        (1_000_000, "颗", "万颗", None, "100万颗"),
    ],
)
def test_format_quantity_zh_scales_from_source_unit(
    value: Any, source_unit: str, unit: str, decimals: int | None, expected: str
) -> None:
    result = format_quantity(value, unit, source_unit=source_unit, decimals=decimals)
    assert result.text == expected


def test_format_quantity_rejects_incompatible_source_unit() -> None:
    with pytest.raises(ValueError, match="cannot scale"):
        format_quantity(1, "亿元", source_unit="美元")


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (0, {"unit": "家"}, "0家"),
        (-4.5, {"unit": "亿元"}, "-4.5亿元"),
        (1234567, {"unit": "万元"}, "1234567万元"),
        (1234567, {"unit": "万元", "thousands": True}, "1,234,567万元"),
        (1234567, {"unit": "万元", "thousands": False}, "1234567万元"),
        (Fraction(1, 3), {"unit": "", "qualifier": "近"}, "近1/3"),
        (68.5, {"unit": "%", "decimals": 2}, "68.50%"),
        (2.45, {"unit": "%", "decimals": 1}, "2.5%"),
    ],
)
def test_format_quantity_zh_number_rules(value: Any, kwargs: dict[str, Any], expected: str) -> None:
    assert format_quantity(value, **kwargs).text == expected


# --- format_quantity: English ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "parts"),
    [
        (140, "亿元", "近", ("nearly RMB", "14", "", "billion", "nearly RMB 14 billion")),
        (5, "亿美元", "超", ("over USD", "500", "", "million", "over USD 500 million")),
        (740, "亿元", "突破", ("over RMB", "74", "", "billion", "over RMB 74 billion")),
        (100, "万颗", "约", ("about", "1", "", "million", "about 1 million")),
        (140, "家", "多", ("more than", "140", "", "", "more than 140")),
        (200, "个", "余", ("over", "200", "", "", "over 200")),
        (18.04, "%", None, ("", "18.04", "", "%", "18.04%")),
        (18.04, "%", "约", ("about", "18.04", "", "%", "about 18.04%")),
        (17, "万平方米", None, ("", "170,000", "", "m²", "170,000 m²")),
    ],
)
def test_format_quantity_en_examples(
    value: Any, unit: str, qualifier: str | None, parts: tuple[str, ...]
) -> None:
    result = format_quantity(value, unit, qualifier=qualifier, locale="en")
    assert (result.prefix, result.number, result.suffix, result.unit, result.text) == parts


@pytest.mark.parametrize(
    ("qualifier", "expected"),
    [
        ("近", "nearly 140 firms"),
        ("超", "over 140 firms"),
        ("突破", "over 140 firms"),
        ("约", "about 140 firms"),
        ("多", "more than 140 firms"),
        ("余", "over 140 firms"),
        (None, "140 firms"),
    ],
)
def test_format_quantity_en_every_qualifier_goes_first(
    qualifier: str | None, expected: str
) -> None:
    result = format_quantity(140, "家", qualifier=qualifier, unit_en="firms", locale="en")
    assert result.text == expected
    assert result.suffix == ""


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (740, "亿元", "RMB 74 billion"),
        (140, "亿元", "RMB 14 billion"),
        (739.56, "亿元", "RMB 73.956 billion"),
        (9357.4, "亿元", "RMB 935.74 billion"),
        (1.25, "万亿元", "RMB 1.25 trillion"),
        (12.33, "万亿元", "RMB 12.33 trillion"),
        (1000, "亿元", "RMB 100 billion"),
        (10, "亿元", "RMB 1 billion"),
        (5, "亿元", "RMB 500 million"),
        (1.5, "亿元", "RMB 150 million"),
        (12_000, "亿元", "RMB 1.2 trillion"),
        (5, "亿美元", "USD 500 million"),
        (1.25, "亿美元", "USD 125 million"),
        (50, "亿美元", "USD 5 billion"),
        (50, "万元", "RMB 500 thousand"),
        (99, "万元", "RMB 990 thousand"),
        (100, "万元", "RMB 1 million"),
        (2_500, "万元", "RMB 25 million"),
        (150_000, "万元", "RMB 1.5 billion"),
        (0.05, "万元", "RMB 500"),
        (30, "万美元", "USD 300 thousand"),
        (120, "万美元", "USD 1.2 million"),
        (50_000, "元", "RMB 50,000"),
        (2_500_000, "元", "RMB 2.5 million"),
        (500, "美元", "USD 500"),
        (-5, "亿元", "RMB -500 million"),
        (0, "亿元", "RMB 0"),
    ],
)
def test_format_quantity_en_money(value: Any, unit: str, expected: str) -> None:
    assert format_quantity(value, unit, locale="en").text == expected


def test_format_quantity_en_money_from_source_unit() -> None:
    result = format_quantity(74_000_000_000, "亿元", source_unit="元", locale="en")
    assert result.text == "RMB 74 billion"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (739.56, 2, "RMB 73.96 billion"),
        (740, 0, "RMB 74 billion"),
        (5, 1, "RMB 500.0 million"),
    ],
)
def test_format_quantity_en_decimals_apply_to_displayed_number(
    value: Any, decimals: int, expected: str
) -> None:
    assert format_quantity(value, "亿元", decimals=decimals, locale="en").text == expected


def test_format_quantity_en_unit_en_replaces_currency_code() -> None:
    assert format_quantity(740, "亿元", unit_en="CNY", locale="en").text == "CNY 74 billion"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (17, "万平方米", "170,000 m²"),
        (1.25, "万平方米", "12,500 m²"),
        (5000, "平方米", "5,000 m²"),
        (2, "万亩", "20,000 mu"),
        (500, "亩", "500 mu"),
        (120, "米", "120 m"),
        (32, "层", "32 floors"),
        (1, "层", "1 floor"),
        (5, "年", "5 years"),
        (1, "年", "1 year"),
        (1.0, "年", "1 year"),
        (1.5, "年", "1.5 years"),
    ],
)
def test_format_quantity_en_measures(value: Any, unit: str, expected: str) -> None:
    assert format_quantity(value, unit, locale="en").text == expected


@pytest.mark.parametrize(
    "unit", ["家", "项", "件", "名", "个", "颗", "人", "人次", "次", "台", "户", "所", "座", "栋"]
)
def test_format_quantity_en_counting_units_are_bare_unless_named(unit: str) -> None:
    assert format_quantity(1400, unit, locale="en").text == "1,400"
    named = format_quantity(1400, unit, unit_en="things", locale="en")
    assert named.text == "1,400 things"
    assert named.unit == "things"


@pytest.mark.parametrize(
    ("value", "unit", "unit_en", "expected"),
    [
        (100, "万颗", None, "1 million"),
        (100, "万颗", "chips", "1 million chips"),
        (5, "万颗", None, "50 thousand"),
        (250, "万人", "people", "2.5 million people"),
        (1.2, "万人次", "visits", "12 thousand visits"),
        (0.05, "万个", None, "500"),
        (15, "亿人", None, "1.5 billion"),
        (3, "万", None, "30 thousand"),
        (3, "万辆", "vehicles", "30 thousand vehicles"),
    ],
)
def test_format_quantity_en_counting_with_magnitude(
    value: Any, unit: str, unit_en: str | None, expected: str
) -> None:
    assert format_quantity(value, unit, unit_en=unit_en, locale="en").text == expected


@pytest.mark.parametrize(
    ("value", "unit", "kwargs", "expected"),
    [
        (1234567, "", {}, "1,234,567"),
        (1234567, "", {"thousands": False}, "1234567"),
        (17, "万平方米", {"thousands": False}, "170000 m²"),
        (1234.5, "%", {}, "1,234.5%"),
        (Fraction(1, 3), "", {}, "1/3"),
        (-1200, "家", {"unit_en": "firms"}, "-1,200 firms"),
        (0, "家", {}, "0"),
        (18.04, "%", {"unit_en": "percent"}, "18.04 percent"),
        (3, "辆", {"unit_en": "vehicles"}, "3 vehicles"),
    ],
)
def test_format_quantity_en_number_rules(
    value: Any, unit: str, kwargs: dict[str, Any], expected: str
) -> None:
    assert format_quantity(value, unit, locale="en", **kwargs).text == expected


@pytest.mark.parametrize("unit", sorted(UNITS))
@pytest.mark.parametrize("qualifier", [None, "近", "多"])
def test_format_quantity_en_every_unit_renders_consistently(
    unit: str, qualifier: str | None
) -> None:
    result = format_quantity(12, unit, qualifier=qualifier, locale="en")
    assert result.suffix == ""
    assert result.number in result.text
    assert not any("\u4e00" <= char <= "\u9fff" for char in result.text), result.text
    if result.unit == "%":
        expected = " ".join(p for p in (result.prefix, result.number) if p) + "%"
    else:
        expected = " ".join(p for p in (result.prefix, result.number, result.unit) if p)
    assert result.text == expected
    if qualifier is not None:
        assert result.text.startswith({"近": "nearly ", "多": "more than "}[qualifier])


def test_format_quantity_en_rejects_unknown_unit_without_unit_en() -> None:
    with pytest.raises(ValueError, match="unit_en"):
        format_quantity(3, "辆", locale="en")


# --- format_quantity: validation -------------------------------------------------------------


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("qualifier", ["将近", "nearly", "超过", " 近"])
def test_format_quantity_rejects_unknown_qualifier_listing_allowed(
    qualifier: str, locale: Any
) -> None:
    with pytest.raises(ValueError, match="qualifier") as excinfo:
        format_quantity(1, "家", qualifier=qualifier, locale=locale)
    for allowed in QUALIFIERS:
        assert allowed in str(excinfo.value)


def test_format_quantity_empty_qualifier_means_none() -> None:
    assert format_quantity(140, "家", qualifier="").text == "140家"


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("value", NON_FINITE)
def test_format_quantity_rejects_non_finite(value: Any, locale: Any) -> None:
    with pytest.raises(ValueError):
        format_quantity(value, "亿元", locale=locale)


def test_format_quantity_rejects_bool() -> None:
    with pytest.raises(TypeError):
        format_quantity(True, "家")


def test_format_quantity_rejects_unknown_locale() -> None:
    with pytest.raises(ValueError, match="locale"):
        format_quantity(1, "家", locale="zh-TW")  # type: ignore[arg-type]


# --- ranks and top lists ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "kwargs", "zh", "en"),
    [
        (32, {}, "第32名", "No. 32"),
        (1, {}, "第1名", "No. 1"),
        (32, {"of": 178}, "第32名", "No. 32 of 178"),
        (32, {"of": 178, "show_of": True}, "第32名（共178家）", "No. 32 of 178"),
        (178, {"of": 178}, "第178名", "No. 178 of 178"),
    ],
)
def test_format_rank(position: int, kwargs: dict[str, Any], zh: str, en: str) -> None:
    assert format_rank(position, **kwargs) == zh
    assert format_rank(position, locale="en", **kwargs) == en


@pytest.mark.parametrize(
    ("position", "kwargs", "error"),
    [
        (0, {}, ValueError),
        (-3, {}, ValueError),
        (33, {"of": 32}, ValueError),
        (1, {"of": 0}, ValueError),
        (1, {"show_of": True}, ValueError),
        (True, {}, TypeError),
        (1.0, {}, TypeError),
    ],
)
def test_format_rank_rejects_impossible_positions(
    position: Any, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        format_rank(position, **kwargs)


@pytest.mark.parametrize(("n", "zh", "en"), [(30, "前30强", "top 30"), (100, "前100强", "top 100")])
def test_format_top(n: int, zh: str, en: str) -> None:
    assert format_top(n) == zh
    assert format_top(n, locale="en") == en


@pytest.mark.parametrize(("n", "error"), [(0, ValueError), (-1, ValueError), (True, TypeError)])
def test_format_top_rejects_bad_sizes(n: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        format_top(n)


# --- growth ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (112.3456, 100, Decimal("12.3456")),
        (95.5, 100, Decimal("-4.5")),
        (100, 100, Decimal(0)),
        (200, 100, Decimal(100)),
        (0, 100, Decimal(-100)),
        (4, 3, Decimal("33.33333333333333333333333333")),
        (Fraction(2, 3), Fraction(1, 3), Decimal(100)),
        (Decimal("739.56"), Decimal("658.3"), Decimal("12.34391614765304572383411818")),
    ],
)
def test_growth_rate(current: Any, previous: Any, expected: Decimal) -> None:
    result = growth_rate(current, previous)
    assert isinstance(result, Decimal)
    assert result == expected


@pytest.mark.parametrize("previous", [0, 0.0, Decimal("0.00"), Fraction(0)])
def test_growth_rate_from_zero_is_a_value_error(previous: Any) -> None:
    with pytest.raises(ValueError, match="previous value is 0; growth is undefined"):
        growth_rate(5, previous)


def test_growth_rate_from_negative_base_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        growth_rate(5, -10)


@pytest.mark.parametrize(
    ("current", "previous", "zh", "en"),
    [
        (112.3456, 100, "同比增长12.3%", "up 12.3% year on year"),
        (95.5, 100, "同比下降4.5%", "down 4.5% year on year"),
        (100, 100, "与上年持平", "unchanged year on year"),
        (100.04, 100, "与上年持平", "unchanged year on year"),
        (99.96, 100, "与上年持平", "unchanged year on year"),
        (100.05, 100, "同比增长0.1%", "up 0.1% year on year"),
        (99.95, 100, "同比下降0.1%", "down 0.1% year on year"),
        (102.45, 100, "同比增长2.5%", "up 2.5% year on year"),
        (112, 100, "同比增长12.0%", "up 12.0% year on year"),
        (0, 100, "同比下降100.0%", "down 100.0% year on year"),
        (199.99, 100, "同比增长100.0%", "up 100.0% year on year"),
        (200, 100, "同比实现翻番", "doubled year on year"),
        (204.9, 100, "同比实现翻番", "doubled year on year"),
        (205, 100, "同比增长1.1倍", "up 105.0% year on year"),
        (250, 100, "同比增长1.5倍", "up 150.0% year on year"),
        (300, 100, "同比增长2.0倍", "up 200.0% year on year"),
        (1234, 100, "同比增长11.3倍", "up 1,134.0% year on year"),
    ],
)
def test_format_growth(current: Any, previous: Any, zh: str, en: str) -> None:
    assert format_growth(current, previous) == zh
    assert format_growth(current, previous, locale="en") == en


@pytest.mark.parametrize(
    ("current", "previous", "kwargs", "expected"),
    [
        (112.3456, 100, {"decimals": 2}, "同比增长12.35%"),
        (112.3456, 100, {"decimals": 0}, "同比增长12%"),
        (100.4, 100, {"decimals": 0}, "与上年持平"),
        (252, 100, {"decimals": 2}, "同比增长1.52倍"),
        (112.3, 100, {"prefix": "环比"}, "环比增长12.3%"),
        (100, 100, {"prefix": "环比"}, "与上期持平"),
        (112.3, 100, {"prefix": ""}, "增长12.3%"),
        (100, 100, {"prefix": ""}, "持平"),
        (112.3, 100, {"prefix": "较2019年"}, "较2019年增长12.3%"),
        (100, 100, {"prefix": "较2019年"}, "较2019年持平"),
        (200, 100, {"prefix": "较2019年"}, "较2019年实现翻番"),
        (112.3, 100, {"prefix": "环比", "locale": "en"}, "up 12.3% on the previous period"),
        (112.3, 100, {"prefix": "", "locale": "en"}, "up 12.3%"),
        (112.3, 100, {"prefix": "on 2019", "locale": "en"}, "up 12.3% on 2019"),
        (200, 100, {"prefix": "since 2019", "locale": "en"}, "doubled since 2019"),
    ],
)
def test_format_growth_options(
    current: Any, previous: Any, kwargs: dict[str, Any], expected: str
) -> None:
    assert format_growth(current, previous, **kwargs) == expected


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_format_growth_from_zero_is_a_value_error(locale: Any) -> None:
    with pytest.raises(ValueError, match="previous value is 0"):
        format_growth(5, 0, locale=locale)


@pytest.mark.parametrize(
    ("rate", "zh", "en"),
    [
        (12.34, "同比增长12.34%", "up 12.34% year on year"),
        (6.38, "同比增长6.38%", "up 6.38% year on year"),
        (-4.5, "同比下降4.5%", "down 4.5% year on year"),
        (0, "与上年持平", "unchanged year on year"),
        (-0.04, "同比下降0.04%", "down 0.04% year on year"),
        (2.45, "同比增长2.45%", "up 2.45% year on year"),
        (100, "同比实现翻番", "doubled year on year"),
        (150, "同比增长1.5倍", "up 150% year on year"),
        (Decimal("-100"), "同比下降100%", "down 100% year on year"),
        (Fraction(25, 2), "同比增长12.5%", "up 12.5% year on year"),
        (Fraction(1, 3), "同比增长0.3%", "up 0.3% year on year"),
    ],
)
def test_format_growth_from_rate_prints_the_rate_as_published(rate: Any, zh: str, en: str) -> None:
    assert format_growth_from_rate(rate) == zh
    assert format_growth_from_rate(rate, locale="en") == en


@pytest.mark.parametrize(
    ("rate", "zh", "en"),
    [
        (12.34, "同比增长12.3%", "up 12.3% year on year"),
        (-0.04, "与上年持平", "unchanged year on year"),
        (2.45, "同比增长2.5%", "up 2.5% year on year"),
        (150, "同比增长1.5倍", "up 150.0% year on year"),
        (Decimal("-100"), "同比下降100.0%", "down 100.0% year on year"),
    ],
)
def test_format_growth_from_rate_with_fixed_decimals(rate: Any, zh: str, en: str) -> None:
    assert format_growth_from_rate(rate, decimals=1) == zh
    assert format_growth_from_rate(rate, decimals=1, locale="en") == en


def test_format_growth_from_rate_matches_format_growth() -> None:
    for current in (50, 99.5, 100, 100.2, 150, 200, 260, 1000):
        rate = growth_rate(current, 100)
        assert format_growth_from_rate(rate, decimals=1) == format_growth(current, 100)


@pytest.mark.parametrize("rate", NON_FINITE)
def test_format_growth_from_rate_rejects_non_finite(rate: Any) -> None:
    with pytest.raises(ValueError):
        format_growth_from_rate(rate)


def test_format_growth_rejects_negative_decimals() -> None:
    with pytest.raises(ValueError):
        format_growth(110, 100, decimals=-1)


# --- doubling --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "base", "since", "zh", "en"),
    [
        (200, 100, 2019, "较2019年实现翻番", "doubled since 2019"),
        (200, 100, "2019", "较2019年实现翻番", "doubled since 2019"),
        (350, 100, 2019, "较2019年实现翻番", "doubled since 2019"),
        (200, 100, None, "实现翻番", "doubled"),
        (200, 100, "“十三五”末", "较“十三五”末实现翻番", "doubled since “十三五”末"),
        (Fraction(2, 3), Fraction(1, 3), 2019, "较2019年实现翻番", "doubled since 2019"),
    ],
)
def test_format_doubling(current: Any, base: Any, since: Any, zh: str, en: str) -> None:
    assert format_doubling(current, base, since=since) == zh
    assert format_doubling(current, base, since=since, locale="en") == en


@pytest.mark.parametrize(
    ("current", "base"),
    [(199.99, 100), (100, 100), (50, 100), (-300, 100), (100, 0), (100, -50)],
)
def test_format_doubling_refuses_false_claims(current: Any, base: Any) -> None:
    with pytest.raises(ValueError):
        format_doubling(current, base, since=2019)


def test_format_doubling_rejects_bool_since() -> None:
    with pytest.raises(TypeError):
        format_doubling(200, 100, since=True)


# --- shares, percentages, points -------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "kwargs", "expected"),
    [
        (685, 1000, {}, "68.5%"),
        (1, 3, {}, "33.3%"),
        (2, 3, {}, "66.7%"),
        (1, 3, {"decimals": 2}, "33.33%"),
        (1, 8, {"decimals": 1}, "12.5%"),
        (1, 16, {"decimals": 2}, "6.25%"),
        (1, 16, {"decimals": 1}, "6.3%"),
        (0, 10, {}, "0.0%"),
        (10, 10, {}, "100.0%"),
        (10, 10, {"decimals": 0}, "100%"),
        (Decimal("739.56"), Decimal("1000"), {"decimals": 2}, "73.96%"),
        (Fraction(1, 3), 1, {}, "33.3%"),
    ],
)
def test_format_share(part: Any, whole: Any, kwargs: dict[str, Any], expected: str) -> None:
    assert format_share(part, whole, **kwargs) == expected
    assert format_share(part, whole, locale="en", **kwargs) == expected


@pytest.mark.parametrize("whole", [0, 0.0, Decimal(0)])
def test_format_share_of_zero_is_a_value_error(whole: Any) -> None:
    with pytest.raises(ValueError, match="whole is 0"):
        format_share(1, whole)


def test_format_share_of_negative_whole_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_share(1, -3)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (68.5, None, "68.5%"),
        (18.04, None, "18.04%"),
        (5.0, None, "5%"),
        (68.5, 2, "68.50%"),
        (2.45, 1, "2.5%"),
        (-3.2, None, "-3.2%"),
        (0, None, "0%"),
        (Fraction(1, 3), 1, "0.3%"),
    ],
)
def test_format_percent(value: Any, decimals: int | None, expected: str) -> None:
    assert format_percent(value, decimals=decimals) == expected
    assert format_percent(value, decimals=decimals, locale="en") == expected


def test_format_percent_needs_decimals_for_fractions() -> None:
    with pytest.raises(ValueError, match="decimals"):
        format_percent(Fraction(1, 3))


@pytest.mark.parametrize("value", NON_FINITE)
def test_format_percent_rejects_non_finite(value: Any) -> None:
    with pytest.raises(ValueError):
        format_percent(value)


@pytest.mark.parametrize(
    ("delta", "kwargs", "zh", "en"),
    [
        (1.2, {}, "提高1.2个百分点", "up 1.2 percentage points"),
        (-0.5, {}, "下降0.5个百分点", "down 0.5 percentage points"),
        (0, {}, "持平", "unchanged"),
        (0.04, {}, "持平", "unchanged"),
        (-0.04, {}, "持平", "unchanged"),
        (0.05, {}, "提高0.1个百分点", "up 0.1 percentage points"),
        (2.45, {}, "提高2.5个百分点", "up 2.5 percentage points"),
        (1, {}, "提高1.0个百分点", "up 1.0 percentage points"),
        (1, {"decimals": 0}, "提高1个百分点", "up 1 percentage point"),
        (-1.2, {"decimals": 0}, "下降1个百分点", "down 1 percentage point"),
        (3.456, {"decimals": 2}, "提高3.46个百分点", "up 3.46 percentage points"),
    ],
)
def test_format_points(delta: Any, kwargs: dict[str, Any], zh: str, en: str) -> None:
    assert format_points(delta, **kwargs) == zh
    assert format_points(delta, locale="en", **kwargs) == en


# --- fractions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "qualifier", "zh", "en"),
    [
        (Fraction(1, 3), "近", "近1/3", "nearly one third"),
        (Fraction(1, 2), "超", "超1/2", "over one half"),
        (Fraction(1, 4), "约", "约1/4", "about one quarter"),
        (Fraction(2, 3), "突破", "突破2/3", "over two thirds"),
        (Fraction(3, 4), None, "3/4", "three quarters"),
        (Fraction(1, 5), "近", "近1/5", "nearly 1/5"),
        (Fraction(2, 6), "近", "近1/3", "nearly one third"),
        (Fraction(3, 2), None, "3/2", "3/2"),
        (Fraction(2, 1), None, "2", "2"),
    ],
)
def test_format_fraction(value: Fraction, qualifier: str | None, zh: str, en: str) -> None:
    assert format_fraction(value, qualifier=qualifier) == zh
    assert format_fraction(value, qualifier=qualifier, locale="en") == en


@pytest.mark.parametrize("qualifier", ["多", "余", "将近"])
def test_format_fraction_rejects_suffix_and_unknown_qualifiers(qualifier: str) -> None:
    with pytest.raises(ValueError, match="qualifier") as excinfo:
        format_fraction(Fraction(1, 3), qualifier=qualifier)
    for allowed in ("近", "超", "突破", "约"):
        assert allowed in str(excinfo.value)


@pytest.mark.parametrize("value", [Fraction(0), Fraction(-1, 3)])
def test_format_fraction_rejects_non_positive(value: Fraction) -> None:
    with pytest.raises(ValueError):
        format_fraction(value)


@pytest.mark.parametrize("value", [0.5, Decimal("0.5"), 1])
def test_format_fraction_rejects_non_fractions(value: Any) -> None:
    with pytest.raises(TypeError):
        format_fraction(value)


# --- dates and periods -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (date(2023, 11, 23), "2023年11月23日", "23 November 2023"),
        (date(2024, 1, 5), "2024年1月5日", "5 January 2024"),
        (date(2020, 2, 29), "2020年2月29日", "29 February 2020"),
        (date(2024, 12, 31), "2024年12月31日", "31 December 2024"),
        (datetime(2023, 6, 1, 15, 30), "2023年6月1日", "1 June 2023"),
    ],
)
def test_format_date(value: date, zh: str, en: str) -> None:
    assert format_date(value) == zh
    assert format_date(value, locale="en") == en


def test_format_date_rejects_non_dates() -> None:
    with pytest.raises(TypeError):
        format_date("2023-11-23")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("year", "month", "zh", "en"),
    [
        (2024, 12, "2024年12月", "December 2024"),
        (2024, 1, "2024年1月", "January 2024"),
        (2023, 7, "2023年7月", "July 2023"),
    ],
)
def test_format_month(year: int, month: int, zh: str, en: str) -> None:
    assert format_month(year, month) == zh
    assert format_month(year, month, locale="en") == en


def test_format_month_names_cover_the_year() -> None:
    names = [format_month(2024, m, locale="en").split()[0] for m in range(1, 13)]
    assert names == [date(2024, m, 1).strftime("%B") for m in range(1, 13)]


@pytest.mark.parametrize(
    ("year", "month", "error"),
    [(2024, 0, ValueError), (2024, 13, ValueError), (0, 1, ValueError), (2024, True, TypeError)],
)
def test_format_month_rejects_bad_months(year: Any, month: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        format_month(year, month)


@pytest.mark.parametrize(("year", "zh", "en"), [(2023, "2023年", "2023"), (1988, "1988年", "1988")])
def test_format_year(year: int, zh: str, en: str) -> None:
    assert format_year(year) == zh
    assert format_year(year, locale="en") == en


@pytest.mark.parametrize(
    ("year", "error"), [(0, ValueError), ("2023", TypeError), (True, TypeError)]
)
def test_format_year_rejects_non_years(year: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        format_year(year)


@pytest.mark.parametrize(
    ("period", "zh", "en"),
    [
        (2023, "2023年", "2023"),
        (date(2023, 11, 23), "2023年11月23日", "23 November 2023"),
        ("2024-12", "2024年12月", "December 2024"),
        ("2024-03", "2024年3月", "March 2024"),
        ("2024-3", "2024年3月", "March 2024"),
        ("2023-11-23", "2023年11月23日", "23 November 2023"),
        ("2023-01-05", "2023年1月5日", "5 January 2023"),
        ("2023年末", "2023年末", "2023年末"),
        ("十四五", "十四五", "十四五"),
        ("end of 2023", "end of 2023", "end of 2023"),
        ("2023", "2023", "2023"),
        ("", "", ""),
    ],
)
def test_format_period(period: Any, zh: str, en: str) -> None:
    assert format_period(period) == zh
    assert format_period(period, locale="en") == en


@pytest.mark.parametrize("period", ["2024-13", "2024-00", "2023-02-30", "2023-13-01"])
def test_format_period_rejects_impossible_dates(period: str) -> None:
    with pytest.raises(ValueError, match=period):
        format_period(period)


@pytest.mark.parametrize("period", [True, 2023.0, None])
def test_format_period_rejects_other_types(period: Any) -> None:
    with pytest.raises(TypeError):
        format_period(period)


# --- Chinese numerals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "一"),
        (2, "二"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (35, "三十五"),
        (90, "九十"),
        (99, "九十九"),
    ],
)
def test_to_chinese_numeral(n: int, expected: str) -> None:
    assert to_chinese_numeral(n) == expected


def test_to_chinese_numeral_is_unique_over_range() -> None:
    assert len({to_chinese_numeral(n) for n in range(1, 100)}) == 99


@pytest.mark.parametrize("n", [0, -1, 100, 1000])
def test_to_chinese_numeral_rejects_out_of_range(n: int) -> None:
    with pytest.raises(ValueError):
        to_chinese_numeral(n)


@pytest.mark.parametrize("n", [True, 1.0, "1"])
def test_to_chinese_numeral_rejects_non_integers(n: Any) -> None:
    with pytest.raises(TypeError):
        to_chinese_numeral(n)


# --- locale validation across the API --------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda loc: format_quantity(1, "家", locale=loc),
        lambda loc: format_rank(1, locale=loc),
        lambda loc: format_top(1, locale=loc),
        lambda loc: format_growth(110, 100, locale=loc),
        lambda loc: format_growth_from_rate(10, locale=loc),
        lambda loc: format_doubling(200, 100, locale=loc),
        lambda loc: format_share(1, 2, locale=loc),
        lambda loc: format_percent(1, locale=loc),
        lambda loc: format_points(1, locale=loc),
        lambda loc: format_fraction(Fraction(1, 3), locale=loc),
        lambda loc: format_date(date(2023, 1, 1), locale=loc),
        lambda loc: format_month(2023, 1, locale=loc),
        lambda loc: format_year(2023, locale=loc),
        lambda loc: format_period("x", locale=loc),
    ],
)
def test_every_formatter_rejects_unknown_locale(call: Any) -> None:
    with pytest.raises(ValueError, match="locale"):
        call("zh")
