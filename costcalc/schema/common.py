"""Field types shared by every file format: exact money, ids, currencies, dates.

Units live in names (`*_tokens`, prices per million tokens). Each constrained
type is declared once here so a rule (no negative price, no bool where a number
belongs) holds in every format alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from costcalc.numbers import check_number, parse_number
from costcalc.records import CURRENCIES, CURRENCY_SYMBOLS, as_instant, start_of

__all__ = ["CURRENCIES", "CURRENCY_SYMBOLS", "as_instant", "start_of"]  # defined without pydantic


def _no_bool(value: Any) -> Any:
    # YAML reads yes/no/on/off as booleans and pydantic would turn True into 1.
    if isinstance(value, bool):
        raise ValueError("expected a number, got a yes/no value")
    if isinstance(value, float):
        # Binary floats never reach here from costcalc's own loader; refuse them so
        # an exact price is never built from an inexact one.
        raise ValueError("expected an exact decimal number (write it as text)")
    if isinstance(value, str):
        # Quoted numbers and YAML 1.1 plain scalars such as 1e999999 (no dot: a string)
        # get the same bound as numbers (costcalc.numbers), before any conversion.
        return parse_number(value)
    if isinstance(value, (int, Decimal)):
        return check_number(value)
    return value


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("must be a finite number")
    return value


class Strict(BaseModel):
    """Base of every file format: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        # Field docstrings become schema descriptions in costcalc.schema.docs, not at
        # start-up (pydantic's use_attribute_docstrings costs ~45 ms per run).
        use_attribute_docstrings=False,
        defer_build=True,
        str_strip_whitespace=True,
    )


Price = Annotated[
    Decimal,
    BeforeValidator(_no_bool),
    AfterValidator(_finite),
    Field(ge=0, le=Decimal(10) ** 9),
]
"""A price per million tokens, exact, never negative."""

Rate = Annotated[Decimal, BeforeValidator(_no_bool), AfterValidator(_finite), Field(gt=0)]
"""A strictly positive exact number (exchange rate, multiple)."""

Share = Annotated[Decimal, BeforeValidator(_no_bool), AfterValidator(_finite), Field(ge=0, le=1)]
"""A fraction between 0 and 1 inclusive."""

Count = Annotated[int, BeforeValidator(_no_bool), Field(ge=0)]
"""A whole, non-negative count (tokens, requests)."""

PositiveCount = Annotated[int, BeforeValidator(_no_bool), Field(gt=0)]

Id = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9._/:+-]*$",
        min_length=1,
        max_length=160,
        description="Lower-case identifier: letters, digits and . _ / : + -",
    ),
]

Text = Annotated[str, Field(min_length=1, max_length=4000)]

Source = Annotated[
    str,
    Field(
        min_length=3,
        max_length=2000,
        description="Where the figure comes from: a URL, or repository/path@commit.",
    ),
]

Currency = Literal[
    "USD", "CNY", "EUR", "GBP", "JPY", "HKD", "SGD", "KRW", "INR", "CAD", "AUD", "CHF"
]
"""ISO 4217 code of a currency costcalc knows; converting needs a rate in the FX table."""
assert get_args(Currency) == CURRENCIES, "costcalc.records.CURRENCIES lists the same codes"

Day = dt.date
"""A calendar date, written YYYY-MM-DD."""

Instant = dt.date | dt.datetime
"""A date, or a date and time (UTC when no offset is written)."""
