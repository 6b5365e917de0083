"""Currency conversion through the dated exchange-rate table, and nothing else.

The rate in force on a day is the latest one dated on or before it (`costcalc.dated`;
in the catalog's merge a later layer's rate replaces an earlier one of the same day). A rate
written one way (1 USD = 7.25 CNY) converts both ways; the inverse is a division
done in a wide Decimal context and rounded only when displayed. No rate means an
error: costcalc never guesses one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from costcalc.catalog import FxEntry
from costcalc.dated import latest_in_force
from costcalc.errors import NoPriceError
from costcalc.numbers import exact_product

PRECISION = 50
"""Significant digits of an inverse rate (1 / 7.25), and of divisions elsewhere (budgets,
self-hosting): far beyond any amount shown. Products and sums of money are exact
(`costcalc.numbers`), so a converted total is still the exact sum of its lines."""


@dataclass(frozen=True)
class Conversion:
    """How an amount was converted: which rate, from which line of which file."""

    source_currency: str
    target_currency: str
    factor: Decimal
    """Multiply an amount in source_currency by this to get target_currency."""
    rate: Decimal
    """The rate as written in the table: 1 base = rate quote."""
    base: str
    quote: str
    as_of: dt.date
    source: str
    origin: str

    def describe(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} (as of {self.as_of}, {self.origin})"

    def apply(self, amount: Decimal) -> Decimal:
        """The amount converted, exactly (the factor itself is the rounded inverse, if any)."""
        return exact_product(amount, self.factor)


def conversion(
    table: Sequence[FxEntry], source: str, target: str, when: dt.date
) -> Conversion | None:
    """The conversion from one currency to another in force on a day (None when the same)."""
    if source == target:
        return None
    pair = {source, target}
    entry = latest_in_force(
        (e for e in table if {e.rate.base, e.rate.quote} == pair), when, _rate_dates
    )
    if entry is None:
        dated = sorted(e.rate.as_of for e in table if {e.rate.base, e.rate.quote} == pair)
        hint = f" (the earliest is dated {dated[0]})" if dated else ""
        raise NoPriceError(
            f"no {source}/{target} exchange rate dated on or before {when} in the FX table{hint};"
            f" add one to an fx-rates file, or ask for --currency {source}"
        )
    r = entry.rate
    with localcontext() as ctx:
        ctx.prec = PRECISION
        factor = r.rate if r.base == source else Decimal(1) / r.rate
    return Conversion(
        source, target, factor, r.rate, r.base, r.quote, r.as_of, r.source, str(entry.origin)
    )


def _rate_dates(entry: FxEntry) -> tuple[dt.date, None]:
    """A rate holds from its day until a later one replaces it."""
    return entry.rate.as_of, None
