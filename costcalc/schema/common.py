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


# ----------------------------------------------------------- validating read data fast


def _native(node: Any) -> Any:
    """`node` (a pydantic-core schema) with every number check done in Rust: see
    `validator_for_read_data`. A copy; the model's own schema is left as it is."""
    if isinstance(node, list):
        return [_native(item) for item in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    function = node.get("function")
    call = function.get("function") if isinstance(function, dict) else None
    if kind == "function-before" and call is _no_bool:
        inner = _native(node["schema"])
        if inner.get("type") not in ("decimal", "int"):
            return {**node, "schema": inner}
        # Only an int (never a bool: strict) or a Decimal gets through, unchanged; text,
        # floats and yes/no values fail here and take the full path (see below).
        gate = {
            "type": "union",
            "choices": [
                {"type": "is-instance", "cls": Decimal},
                {"type": "int", "strict": True},
            ],
        }
        return {"type": "chain", "steps": [gate, dict(inner)]}
    if kind == "function-after" and (call is _finite or _bound_of(call) is not None):
        inner = _native(node["schema"])
        steps = inner.get("steps") if inner.get("type") == "chain" else None
        last = steps[-1] if steps and len(steps) == 2 else None
        if last is None or last.get("type") not in ("decimal", "int"):
            return {**node, "schema": inner}
        if call is _finite:
            if last["type"] != "decimal":
                return {**node, "schema": inner}
            last["allow_inf_nan"] = False
        else:
            key, bound = _bound_of(call)  # type: ignore[misc]
            if key in last:
                return {**node, "schema": inner}
            last[key] = bound
        return inner
    return {key: _native(value) for key, value in node.items()}


def _bound_of(call: Any) -> tuple[str, Any] | None:
    """("ge", 0) for pydantic's partial(greater_than_or_equal_validator, ge=0), and so on."""
    keywords = getattr(call, "keywords", None)
    name = getattr(getattr(call, "func", None), "__name__", "")
    if not keywords or len(keywords) != 1 or not name.endswith("_validator"):
        return None
    ((key, bound),) = keywords.items()
    expected = {
        "ge": "greater_than_or_equal_validator",
        "gt": "greater_than_validator",
        "le": "less_than_or_equal_validator",
        "lt": "less_than_validator",
    }
    return (key, bound) if expected.get(key) == name else None


_FAST: dict[type[BaseModel], Any] = {}


def validator_for_read_data(model: type[BaseModel]) -> Any:
    """A pydantic-core validator of `model` for data read by `costcalc.yamlio`, whose
    every number is already an int or a Decimal within `costcalc.numbers`' bound.

    It is the model's own schema with the per-field Python number checks (`_no_bool`,
    `_finite`, and the bounds pydantic then has to apply in Python) replaced by the same
    checks in pydantic-core. It accepts only ints (not bools) and Decimals where a
    number belongs, and refuses text, floats and yes/no values there, so: every
    document it accepts, the model accepts with the same result (the numbers' bound
    check is a no-op on such data); a document it refuses must be validated by the
    model itself, which gives the errors (their wording is the model's alone).
    """
    validator = _FAST.get(model)
    if validator is None:
        from pydantic_core import SchemaValidator

        model.model_rebuild()
        validator = SchemaValidator(_native(model.__pydantic_core_schema__))
        _FAST[model] = validator
    return validator
