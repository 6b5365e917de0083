"""Figures as display text for findings (exact decimals; rounding only for display)."""

from __future__ import annotations

from decimal import Decimal


def s(value: Decimal | int | None) -> str:
    """An exact figure as text (no exponent, no trailing zeros)."""
    from costcalc.money import decimal_str

    return "" if value is None else decimal_str(Decimal(value))


def money(value: Decimal, currency: str) -> str:
    from costcalc.money import fmt_money

    return fmt_money(value, currency)


def q(value: Decimal) -> str:
    """A quality on the 0-100 scale, one decimal."""
    return f"{value:.1f}"


def hundredths(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))
