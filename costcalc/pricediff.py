"""What changed between two sets of price sheets: offers added and removed, prices changed.

The core of `costcalc prices diff OLD NEW`, for reviewing a price-update pull
request or a re-import. An offer is one model at one provider in one currency;
it is compared through its **latest** price period in that currency (the
highest `as_of`), so adding a new dated period shows as a change from the
previous figures. Every price is compared: input, cached input, cache write,
output, reasoning, each tier's, batch and off-peak prices. Model facts and
exchange rates are not compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path
from typing import Any

from costcalc.errors import InputError
from costcalc.loader import Document, load_document, load_folder
from costcalc.schema.pricing import PricePeriod, PriceSheet, Rates

COMPONENTS = ("input", "cached_input", "cache_write", "output", "reasoning")

Key = tuple[str, str, str]
"""(provider id, model id, currency)."""


@dataclass(frozen=True)
class OfferPrice:
    """The latest price period of an offer in one currency, flattened to named prices."""

    provider: str
    model: str
    currency: str
    as_of: dt.date
    prices: dict[str, Decimal]
    origin: str

    @property
    def key(self) -> Key:
        return (self.provider, self.model, self.currency)


@dataclass(frozen=True)
class PriceChange:
    """One price of one offer that differs between OLD and NEW (None: absent on that side)."""

    provider: str
    model: str
    currency: str
    price: str
    """input, output, cached_input, batch.input, tier>200000.output, off_peak.input..."""
    old: Decimal | None
    new: Decimal | None
    old_as_of: dt.date
    new_as_of: dt.date
    origin: str

    @property
    def percent(self) -> Decimal | None:
        """(new - old) / old x 100, rounded half-even to 0.01; None when not defined."""
        if self.old is None or self.new is None or self.old == 0:
            return None
        with localcontext() as ctx:
            # Prices lie in [1e-40, 1e9] (costcalc.numbers, the sheet schema), so a change is
            # below 1e52 percent: 120 digits hold every digit down to the 0.01 shown.
            ctx.prec = 120
            value = (self.new - self.old) / self.old * 100
            return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@dataclass
class PriceDiff:
    added: list[OfferPrice] = field(default_factory=list)
    removed: list[OfferPrice] = field(default_factory=list)
    changed: list[PriceChange] = field(default_factory=list)
    unchanged: int = 0
    """Offers present on both sides with the same prices."""

    @property
    def changed_offers(self) -> int:
        return len({(c.provider, c.model, c.currency) for c in self.changed})


def load_sheets(path: Path) -> list[Document]:
    """Price sheets of a folder (other kinds are ignored) or one price-sheet file."""
    try:
        is_file = path.is_file()
    except OSError as exc:  # a name over 255 bytes, a path through a file...
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    if is_file:
        return [load_document(path, ("price-sheet",))]
    return [d for d in load_folder(path) if d.kind == "price-sheet"]


def _flatten(period: PricePeriod) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}

    def put(prefix: str, rates: Rates | None) -> None:
        if rates is None:
            return
        for name in COMPONENTS:
            value = getattr(rates, name)
            if value is not None:
                out[prefix + name] = value

    put("", period)
    put("batch.", period.batch)
    put("off_peak.", period.off_peak)
    for tier in period.tiers:
        put(f"tier>{tier.above_input_tokens}.", tier)
        put(f"tier>{tier.above_input_tokens}.batch.", tier.batch)
    return out


def index(documents: Sequence[Document]) -> dict[Key, OfferPrice]:
    """Latest price per (provider, model, currency) over the sheets; a later file wins a tie."""
    found: dict[Key, OfferPrice] = {}
    for doc in documents:
        sheet: Any = doc.model
        if not isinstance(sheet, PriceSheet):
            continue
        provider = sheet.provider
        for i, offer in enumerate(sheet.offers):
            latest: dict[str, tuple[PricePeriod, int]] = {}
            for j, period in enumerate(offer.prices):
                currency: str = period.currency or provider.currency
                if currency not in latest or period.as_of >= latest[currency][0].as_of:
                    latest[currency] = (period, j)
            for currency, (period, j) in latest.items():
                line = doc.line_of("offers", i, "prices", j)
                item = OfferPrice(
                    provider.id,
                    offer.model,
                    currency,
                    period.as_of,
                    _flatten(period),
                    f"{doc.path}:{line}" if line else doc.path,
                )
                found[item.key] = item
    return found


def diff(old: Sequence[Document], new: Sequence[Document]) -> PriceDiff:
    """Offers added and removed, and every price that changed, sorted by provider and model."""
    before, after = index(old), index(new)
    result = PriceDiff()
    for key in sorted(before.keys() | after.keys()):
        if key not in before:
            result.added.append(after[key])
            continue
        if key not in after:
            result.removed.append(before[key])
            continue
        a, b = before[key], after[key]
        changes = [
            PriceChange(
                *key, name, a.prices.get(name), b.prices.get(name), a.as_of, b.as_of, b.origin
            )
            for name in _names(a.prices, b.prices)
            if a.prices.get(name) != b.prices.get(name)
        ]
        if changes:
            result.changed.extend(changes)
        else:
            result.unchanged += 1
    return result


def _names(a: dict[str, Decimal], b: dict[str, Decimal]) -> list[str]:
    """Price names of both sides, in a reading order: base, batch, off-peak, then tiers."""
    names = list(a) + [n for n in b if n not in a]

    def order(name: str) -> tuple[int, int, int, str]:
        parts = name.split(".")
        tier = int(parts[0][5:]) if parts[0].startswith("tier>") else 0
        rest = parts[1:] if tier else parts
        group = {"batch": 1, "off_peak": 2}.get(rest[0], 0) if len(rest) > 1 else 0
        component = COMPONENTS.index(rest[-1]) if rest[-1] in COMPONENTS else 9
        return (tier, group, component, name)

    return sorted(names, key=order)
