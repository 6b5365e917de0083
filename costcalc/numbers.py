"""The one bound on numbers costcalc reads, and exact arithmetic within it.

Every number read from a file, a feed or a command-line option passes
`check_number` (or `parse_number` for text):

- at most `MAX_TEXT` characters of text, checked before any conversion, so a
  5,000-digit integer or `1e100000000` costs nothing to refuse (Python's own
  `int()` would spend minutes, or stop at 4,300 digits with a traceback);
- at most `MAX_DIGITS` significant digits;
- a magnitude below 10^`MAX_EXPONENT` and, unless zero, at least
  10^-`MAX_EXPONENT` (the exponent of its leading digit is within
  ±`MAX_EXPONENT`).

No figure costcalc deals in comes near: prices are at most 10^9 per million
tokens, requests at most 3×10^11 a month, budgets at most 10^12, exchange
rates between currencies differ by at most 10^4, and real sheets use fewer than
ten significant digits. Within the bound, arithmetic is exact by construction:
`exact_product` and `exact_sum` work in a context of the largest precision
decimal allows, where a product or sum is never rounded and costs only as much
as its own digits (at most the sum of its factors' digits; for a sum, the span
from its largest leading digit to its smallest last digit, which the bound keeps
to a few hundred). The only rounding
in the cost engine is the inverse of an exchange rate (`fx.PRECISION`
significant digits), and that factor is then used exactly, so a total is always
the exact sum of its lines.

This module is pure and light (no pydantic, no PyYAML): the YAML reader, the
feed readers and the option parser all use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, InvalidOperation

MAX_DIGITS = 40
"""Most significant digits a number may have."""

MAX_EXPONENT = 40
"""A non-zero number's leading digit is between 10^-40 and 10^40."""

MAX_TEXT = 100
"""Longest number text looked at (with signs, points, underscores and exponent)."""


_INT_BOUND = 10**MAX_EXPONENT
"""|n| < 10^40: at most 40 digits, leading digit below 10^40 (MAX_DIGITS is 40 too)."""


class NumberError(ValueError):
    """A number outside costcalc's bound; the message says which bound and why."""


def check_number(value: Decimal | int, text: str | None = None) -> Decimal | int:
    """The number itself when within the bound, else NumberError (text labels the message)."""
    if type(value) is int and -_INT_BOUND < value < _INT_BOUND:
        return value  # fewer than MAX_EXPONENT digits: within every bound below
    shown = text if text is not None else _short(value)
    if isinstance(value, int):
        number = Decimal(value) if abs(value) < 10 ** (MAX_TEXT + 1) else None
        if number is None:
            raise NumberError(f"{shown} is too long a number (more than {MAX_TEXT} digits)")
    else:
        number = value
    if not number.is_finite():
        return value  # NaN and infinities are refused by the schemas with their own message
    digits = number.as_tuple().digits
    if number != 0 and len(digits) > MAX_DIGITS:
        significant = len("".join(map(str, digits)).rstrip("0"))
        if significant > MAX_DIGITS:
            raise NumberError(
                f"{shown} has {significant} significant digits; costcalc keeps at most {MAX_DIGITS}"
            )
    adjusted = number.adjusted()
    if number != 0 and not -MAX_EXPONENT <= adjusted < MAX_EXPONENT:
        raise NumberError(
            f"{shown} is out of range: numbers must lie between 1e-{MAX_EXPONENT}"
            f" and 1e{MAX_EXPONENT}"
        )
    if number == 0 and number.as_tuple().exponent < -2 * MAX_EXPONENT:  # type: ignore[operator]
        raise NumberError(f"{shown} has too many decimal places")
    return value


def parse_number(text: str) -> Decimal:
    """Exact number from text (`1_000` allowed), bounded before conversion; NumberError else."""
    cleaned = text.strip().replace("_", "")
    if len(cleaned) > MAX_TEXT:
        raise NumberError(f"{_short(cleaned)} is too long a number (over {MAX_TEXT} characters)")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise NumberError(f"{text!r} is not a number") from None
    check_number(number, cleaned)
    return number


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:20]}…{text[-10:]} ({len(text):,} characters)"


EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""Multiplication and addition in this context never round: libmpdec sizes a result by its
own digits, not by the precision, so the work is proportional to the digits involved.
Never divide in it (1/3 would expand to MAX_PREC digits)."""


def exact_product(*factors: Decimal) -> Decimal:
    """The product of finite decimals, never rounded."""
    result = Decimal(1)
    for factor in factors:
        result = EXACT.multiply(result, factor)
    return result


def exact_sum(values: Iterable[Decimal], start: Decimal = Decimal(0)) -> Decimal:
    """The sum of finite decimals, never rounded."""
    total = start
    for value in values:
        total = EXACT.add(total, value)
    return total


def exact_shift(value: Decimal, places: int) -> Decimal:
    """value × 10^places, exactly (moving the decimal point; no division)."""
    return EXACT.scaleb(value, places)
