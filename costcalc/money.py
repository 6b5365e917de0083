"""Display of exact amounts: the only place money is rounded, and only for people."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from costcalc.schema.common import CURRENCY_SYMBOLS


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
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


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
    return f"{value.quantize(Decimal('0.01')):,f}"
