"""Building blocks of the model: the strict base class and the value types (ids, texts, years,
numbers) that every part of a source is checked against."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pydantic
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from ..errors import raise_all
from ..limits import MAX_ID_CHARS, MAX_NUMBER, MAX_TEXT_CHARS, MAX_YEAR, MIN_YEAR
from .messages import pydantic_errors

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


def _year_in_range(value: dt.date) -> dt.date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise refusal(
            f"the date {value.isoformat()} is outside the years {MIN_YEAR}–{MAX_YEAR}",
            "check the year",
        )
    return value


Day = Annotated[dt.date, BeforeValidator(_not_a_timestamp), AfterValidator(_year_in_range)]
"""A calendar day, written 2023-12-31 (a number is not taken as a timestamp)."""
Qualifier = Literal["近", "超", "突破", "约", "逾", "上", "多", "余", "以上", "左右"]
Language = Literal["zh-CN", "en"]


def parse_number(value: Any) -> Any:
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
            raise refusal(f"expected a number, got the text {value!r}", _number_hint(text))
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


_QUALIFIED_NUMBER = re.compile(
    r"(近|超|突破|约|逾)?\s*([0-9]+(?:\.[0-9]+)?)\s*(多|余)?\s*([^0-9\s]*?)\s*(以上|左右)?"
)


def _number_hint(text: str) -> str:
    """Suggest the qualifier field for '近80' or '200余家', the way a report prints them."""
    match = _QUALIFIED_NUMBER.fullmatch(text)
    if not match or not (match[1] or match[3] or match[4] or match[5]):
        return 'write a number such as 12.5, or a fraction in quotes such as "1/3"'
    qualifier = match[1] or match[3] or match[5]
    parts = [f"value: {match[2]}"]
    if qualifier:
        parts.append(f"qualifier: {qualifier}")
    if match[4]:
        parts.append(f"unit: {match[4]}")
    return "write " + ", ".join(parts)


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

    if not TYPE_CHECKING:  # type checkers keep the field-by-field signature pydantic gives

        def __init__(self, /, **data: Any) -> None:
            """Build the object; a wrong field is a located ``ReportValidationError``.

            Objects built in Python fail as a source does (``value: expected a number, got
            'lots'``), with one error class to catch, instead of pydantic's own.
            """
            try:
                super().__init__(**data)
            except pydantic.ValidationError as exc:
                raise_all(pydantic_errors(exc, data, None, type(self)))
                raise  # unreachable: raise_all always raises for a non-empty list

        # pydantic's own mark for an __init__ that only validates: nested models and
        # model_validate then build objects directly, as without this __init__
        __init__.__pydantic_base_init__ = True


NumberValue = int | float | Decimal | Fraction
