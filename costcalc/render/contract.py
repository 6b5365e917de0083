"""The one JSON contract every command's document follows.

- `schema_version` (an integer) at the top of every document;
- money as exact decimal strings (`money`): no float ever touches an amount;
- qualities and other measured figures (rates, ratios, throughput) as JSON numbers rounded
  to a stated number of places (`number`): they are estimates, not amounts;
- counts (requests, tokens in a month, replicas) as JSON integers (`count`).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal

from costcalc.money import decimal_str, quantize

SCHEMA_VERSION = 2
"""Bumped when a field changes meaning or is removed (adding a field is not a change).
2: budget counts are integers and its quality and rates numbers; compare's benchmark parts
may be predicted (`status`, null `score`), self-hosted offers and the `quality` block."""


def money(value: Decimal | None) -> str | None:
    """An amount, exact."""
    return None if value is None else decimal_str(value)


def number(value: Decimal | None, places: int = 2) -> float | None:
    """A measured figure as a JSON number, rounded half to even to `places` decimals."""
    if value is None:
        return None
    return float(quantize(value, places))


def count(value: Decimal | int | None, rounding: str = ROUND_HALF_EVEN) -> int | None:
    """A whole count as a JSON integer. Thresholds pass ROUND_CEILING (the least count that
    reaches them) and capacities ROUND_FLOOR (the most that fits)."""
    if value is None:
        return None
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"a count must be finite, got {value}")
    digits = max(value.adjusted(), 0) + 2
    return int(value.to_integral_value(rounding, Context(prec=max(28, digits))))


__all__ = ["ROUND_CEILING", "ROUND_FLOOR", "SCHEMA_VERSION", "count", "money", "number"]
