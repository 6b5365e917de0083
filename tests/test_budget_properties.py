"""Invariants of the budget engine, checked on generated workloads (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from decimal import localcontext
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.budget import monthly_costs, monthly_requests, offer_budget, workload_with
from costcalc.catalog import load_catalog
from costcalc.cost import cost_of

CATALOG = load_catalog(
    [Path(__file__).parent / "fixtures" / "budget" / "catalog"], include_bundled=False
)
WHEN = dt.date(2025, 6, 1)

tokens = st.integers(min_value=0, max_value=200_000).map(D)
positive_tokens = st.integers(min_value=1, max_value=20_000).map(D)
shares = st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 100)
volumes = st.integers(min_value=0, max_value=10_000_000).map(D)


@settings(max_examples=60, deadline=None)
@given(
    volume=volumes,
    factor=st.integers(min_value=0, max_value=1000),
    input_tokens=tokens,
    output_tokens=tokens,
    cached=shares,
    batch=shares,
    model=st.sampled_from(["open7", "closed", "thinker"]),
)
def test_api_monthly_cost_is_linear_in_volume(
    volume: D, factor: int, input_tokens: D, output_tokens: D, cached: D, batch: D, model: str
) -> None:
    """factor x the requests costs factor x as much on every API offer."""
    (entry,) = CATALOG.offers_for(model, "apihost")
    common = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cached_share": cached,
        "batch_share": batch,
    }
    one = offer_budget(
        entry,
        workload_with(None, {**common, "requests_per_month": volume}),
        when=WHEN,
        currency="CNY",
        fx=CATALOG.fx,
    )
    many = offer_budget(
        entry,
        workload_with(None, {**common, "requests_per_month": volume * factor}),
        when=WHEN,
        currency="CNY",
        fx=CATALOG.fx,
    )
    assert many.monthly_cost == one.monthly_cost * factor
    assert one.monthly_cost == one.per_request * volume


@settings(max_examples=60, deadline=None)
@given(
    input_tokens=tokens,
    output_tokens=positive_tokens,
    cached=shares,
    peak=st.integers(min_value=1, max_value=20).map(D),
)
def test_break_even_is_where_the_costs_meet(
    input_tokens: D, output_tokens: D, cached: D, peak: D
) -> None:
    """At the break-even volume the API bill equals one replica's month; below it the API is
    cheaper, above it (while one replica carries the load) self-hosting is."""
    w = workload_with(
        None,
        {
            "requests_per_month": D(1000),
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cached_share": cached,
            "peak_factor": peak,
        },
    )
    result = monthly_costs(CATALOG, w, when=WHEN, currency="USD")
    for sh in result.selfhost:
        even = sh.break_even_requests_per_month
        if even is None:
            continue
        assert sh.compared_with is not None
        api = sh.compared_with
        at = cost_of(api.entry, api.usage.times(even), when=WHEN, currency="USD", fx=CATALOG.fx)
        # break-even is a division (50 digits); Usage.times rounds to 28: equal to 1 part in 1e20
        assert abs(at.total - sh.replica_cost) <= sh.replica_cost * D("1e-20")
        assert sh.capacity_requests_per_month is not None
        assert even <= sh.capacity_requests_per_month
        below = cost_of(
            api.entry, api.usage.times(even * D("0.99")), when=WHEN, currency="USD", fx=CATALOG.fx
        )
        assert below.total < sh.replica_cost
        above = min(even * D("1.01"), sh.capacity_requests_per_month)
        if above > even:
            over = cost_of(
                api.entry, api.usage.times(above), when=WHEN, currency="USD", fx=CATALOG.fx
            )
            assert over.total > sh.replica_cost


@settings(max_examples=60, deadline=None)
@given(
    volume=volumes,
    growth=st.integers(min_value=-99, max_value=100).map(lambda n: D(n) / 100),
    months=st.integers(min_value=1, max_value=24),
)
def test_growth_compounds_month_by_month(volume: D, growth: D, months: int) -> None:
    """Month m is month 1 x (1 + growth)^(m-1), rounded to a whole number of requests."""
    w = workload_with(
        None,
        {
            "requests_per_month": volume,
            "input_tokens": D(1),
            "output_tokens": D(1),
            "growth": growth,
            "months": months,
        },
    )
    assert monthly_requests(w, 1) == volume.quantize(D(1))
    with localcontext() as ctx:
        ctx.prec = 80  # exact: volume has few digits and (1 + g)^23 at most 2 x 23 + 1
        for m in range(1, months + 1):
            exact = volume * (1 + growth) ** (m - 1)
            got = monthly_requests(w, m)
            assert got == got.to_integral_value()
            assert abs(got - exact) <= D("0.5")


@settings(max_examples=40, deadline=None)
@given(volume=volumes, peak=st.integers(min_value=1, max_value=50).map(D))
def test_replicas_carry_the_peak(volume: D, peak: D) -> None:
    """Replicas x planned throughput covers the peak output rate, and one fewer would not."""
    w = workload_with(
        None,
        {
            "requests_per_month": volume,
            "input_tokens": D(100),
            "output_tokens": D(500),
            "peak_factor": peak,
        },
    )
    result = monthly_costs(CATALOG, w, when=WHEN, currency="USD")
    for sh in result.selfhost:
        assert sh.replicas * sh.replica_throughput >= sh.peak_output_rate
        if sh.replicas > 1:
            assert (sh.replicas - 1) * sh.replica_throughput < sh.peak_output_rate
        assert sh.monthly_cost == sh.replicas * sh.replica_cost
