"""Invariants of the cost engine, over generated usages and prices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.catalog import FxEntry, OfferEntry, Origin
from costcalc.cost import Usage, cost_of
from costcalc.fx import conversion
from costcalc.schema.pricing import FxRate, ModelInfo, Offer, PricePeriod, Provider

DAY = dt.date(2025, 6, 1)
prices = st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False)
tokens = st.integers(min_value=0, max_value=2_000_000)
shares = st.decimals(min_value=0, max_value=Decimal("0.5"), places=2)


def make_entry(inp: Decimal, cached: Decimal, out: Decimal, batch: Decimal) -> OfferEntry:
    period = PricePeriod.model_validate(
        {
            "as_of": "2025-01-01",
            "source": "generated",
            "input": inp,
            "cached_input": cached,
            "output": out,
            "batch": {"input": batch, "output": batch},
        }
    )
    offer = Offer(model="m", prices=[period])
    provider = Provider(id="p", name="P", country="US", currency="USD", pricing_url="https://p")
    model = ModelInfo(id="m", name="M", vendor="V", open_weights=True, license="mit")
    return OfferEntry(provider, model, offer, Origin("gen", 1), (Origin("gen", 2),))


FX = [
    FxEntry(
        FxRate(
            base="USD", quote="CNY", rate=Decimal("7.25"), as_of=dt.date(2025, 1, 1), source="test"
        ),
        Origin("fx", 1),
    )
]


@st.composite
def usages(draw: st.DrawFn) -> Usage:
    inp = draw(tokens)
    cached = draw(st.integers(min_value=0, max_value=inp))
    return Usage(
        input_tokens=Decimal(inp),
        cached_tokens=Decimal(cached),
        output_tokens=Decimal(draw(tokens)),
        reasoning_tokens=Decimal(draw(tokens)),
        batch_share=draw(shares),
        off_peak_share=draw(shares),
    )


@settings(max_examples=200)
@given(usages(), prices, prices, prices, prices, st.integers(min_value=0, max_value=10**6))
def test_cost_is_linear_in_requests_and_never_negative(
    usage: Usage, inp: Decimal, cached: Decimal, out: Decimal, batch: Decimal, k: int
) -> None:
    entry = make_entry(inp, cached, out, batch)
    one = cost_of(entry, usage, when=DAY, currency="USD", fx=FX)
    many = cost_of(entry, usage.times(Decimal(k)), when=DAY, currency="USD", fx=FX)
    assert one.total >= 0
    assert many.total == one.total * k
    assert sum(line.amount for line in one.lines) == one.total


@settings(max_examples=200)
@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False))
def test_conversion_round_trips(amount: Decimal) -> None:
    """USD -> CNY -> USD returns the amount to far beyond any displayed digit."""
    there = conversion(FX, "USD", "CNY", DAY)
    back = conversion(FX, "CNY", "USD", DAY)
    assert there is not None and back is not None
    assert abs(back.apply(there.apply(amount)) - amount) < Decimal("1e-30")
