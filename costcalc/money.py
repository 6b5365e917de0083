"""Display of exact amounts: the only place money is rounded, and only for people."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal

from costcalc.records import CURRENCY_SYMBOLS


def decimal_str(value: Decimal) -> str:
    """An exact decimal as plain text without exponent or trailing zeros (for JSON and CSV)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def round_money(value: Decimal, places: int | None = None) -> Decimal:
    """Round for display: 2 places from a cent up, else 3 significant digits (at most 8 places)."""
    if places is None:
        places = 2
        magnitude = abs(value)
        if 0 < magnitude < Decimal("0.01"):
            places = min(8, -magnitude.adjusted() + 2)
    return quantize(value, places)


def quantize(value: Decimal, places: int) -> Decimal:
    """Round half-even to `places` decimals, whatever the size of the value.

    `Decimal.quantize` in the default 28-digit context fails (InvalidOperation) on
    any value with more than 28 - places integer digits: a month of 10^10 requests
    a day at the schema's largest token counts is such a value.
    """
    if not value.is_finite():
        return value
    digits = max(value.adjusted(), 0) + places + 2
    if digits <= 28:  # the common case: one shared context and quantum per number of places
        quantum = _QUANTA.get(places)
        if quantum is None:
            quantum = _QUANTA[places] = Decimal(1).scaleb(-places, _CONTEXT_28)
        return value.quantize(quantum, context=_CONTEXT_28)
    context = Context(prec=digits, rounding=ROUND_HALF_EVEN, Emax=10**9, Emin=-(10**9))
    return value.quantize(Decimal(1).scaleb(-places, context), context=context)


_CONTEXT_28 = Context(prec=28, rounding=ROUND_HALF_EVEN, Emax=10**9, Emin=-(10**9))
_QUANTA: dict[int, Decimal] = {}


def fmt_money(value: Decimal, currency: str, places: int | None = None) -> str:
    """¥20.00, $0.000412, 1,234.50 CHF — rounded half-even for display only."""
    shown = round_money(value, places)
    sign = "-" if shown < 0 else ""
    digits = f"{abs(shown):,f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    if symbol and currency in ("USD", "CNY", "GBP", "EUR"):
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {currency}"


def fmt_tokens(value: Decimal) -> str:
    """Token counts with thousands separators; fractions (averages) keep up to 2 places."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{quantize(value, 2):,f}"


def trim(value: Decimal) -> Decimal:
    """The same number without trailing zeros, never rounded (`normalize` rounds past 28 digits)."""
    if not value.is_finite():
        return value
    return value.normalize(
        Context(prec=max(28, len(value.as_tuple().digits)), Emax=10**9, Emin=-(10**9))
    )
