"""The monthly budget engine, checked against figures worked out by hand.

Catalog: tests/fixtures/budget/catalog (test data, not real prices), in USD per
million tokens: open7 @ apihost 1 in / 0.5 cached / 2 out; closed @ apihost
2 in / 8 out (batch 1 / 4), rate limits free (5 rpm, 100,000 tpm, 2,000 rpd) and
tier-1 (100 rpm, 1,000,000 tpm); thinker @ apihost 1 in / 4 out, bills 1,000
reasoning tokens a request. 1 USD = 7 CNY. A month is 30 days (720 hours,
43,200 minutes, 2,592,000 seconds).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from costcalc.budget import (
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    check_rate_limits,
    monthly_costs,
    monthly_requests,
    offer_budget,
    preset,
    request_usage,
    workload_with,
)
from costcalc.catalog import load_catalog
from costcalc.errors import InputError

BUDGET = Path(__file__).parent / "fixtures" / "budget"
WHEN = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog([BUDGET / "catalog"], include_bundled=False)


def offer(catalog, model: str):  # type: ignore[no-untyped-def]
    (found,) = catalog.offers_for(model, "apihost")
    return found


def wl(**fields):  # type: ignore[no-untyped-def]
    base = {"input_tokens": D(1000), "output_tokens": D(500)}
    base.update(fields)
    return workload_with(None, base)


def test_month_is_thirty_days() -> None:
    """The one month constant: 30 days, 720 GPU-hours."""
    assert DAYS_PER_MONTH == 30
    assert HOURS_PER_MONTH == 720


def test_monthly_cost_by_hand(catalog) -> None:  # type: ignore[no-untyped-def]
    """1,000 requests a day x 30 = 30,000 a month; one request on open7 costs
    1,000 x $1/M + 500 x $2/M = $0.001 + $0.001 = $0.002, so a month is 30,000 x $0.002 = $60."""
    w = wl(requests_per_day=D(1000))
    row = offer_budget(offer(catalog, "open7"), w, when=WHEN, currency="USD", fx=catalog.fx)
    assert row.per_request == D("0.002")
    assert row.monthly_cost == D(60)
    assert row.months[0].requests == D(30000)


def test_cached_share_by_hand(catalog) -> None:  # type: ignore[no-untyped-def]
    """Half the prompt cached: 500 x $1/M + 500 x $0.5/M + 500 x $2/M = $0.0005 + $0.00025 + $0.001
    = $0.00175 a request; 30,000 a month -> $52.50."""
    w = wl(requests_per_month=D(30000), cached_share=D("0.5"))
    row = offer_budget(offer(catalog, "open7"), w, when=WHEN, currency="USD", fx=catalog.fx)
    assert row.monthly_cost == D("52.5")


def test_reasoning_tokens_included(catalog) -> None:  # type: ignore[no-untyped-def]
    """thinker bills 1,000 reasoning tokens as output: 1,000 x $1/M + (500 + 1,000) x $4/M
    = $0.001 + $0.006 = $0.007; 30,000 requests -> $210."""
    w = wl(requests_per_month=D(30000))
    row = offer_budget(offer(catalog, "thinker"), w, when=WHEN, currency="USD", fx=catalog.fx)
    assert row.usage.reasoning_tokens == D(1000)
    assert row.monthly_cost == D(210)


def test_user_reasoning_tokens_replace_the_models(catalog) -> None:  # type: ignore[no-untyped-def]
    """--reasoning-tokens 250 for thinker: 1,000 x $1/M + 750 x $4/M = $0.004 -> 30,000 x = $120."""
    w = wl(requests_per_month=D(30000), reasoning_tokens=D(250), reasoning_models=["thinker"])
    row = offer_budget(offer(catalog, "thinker"), w, when=WHEN, currency="USD", fx=catalog.fx)
    assert row.monthly_cost == D(120)


def test_batch_share_by_hand(catalog) -> None:  # type: ignore[no-untyped-def]
    """closed, 30,000 requests, half batch: standard request 1,000 x $2/M + 500 x $8/M = $0.006,
    batch 1,000 x $1/M + 500 x $4/M = $0.003; 15,000 x 0.006 + 15,000 x 0.003 = $90 + $45 = $135."""
    w = wl(requests_per_month=D(30000), batch_share=D("0.5"))
    row = offer_budget(offer(catalog, "closed"), w, when=WHEN, currency="USD", fx=catalog.fx)
    assert row.monthly_cost == D(135)


def test_growth_compounds(catalog) -> None:  # type: ignore[no-untyped-def]
    """+10% a month over 3 months: 30,000; 33,000; 36,300 requests -> $60; $66; $72.60,
    total $198.60."""
    w = wl(requests_per_day=D(1000), growth=D("0.1"), months=3)
    assert [monthly_requests(w, m) for m in (1, 2, 3)] == [D(30000), D(33000), D(36300)]
    row = offer_budget(offer(catalog, "open7"), w, when=WHEN, currency="USD", fx=catalog.fx)
    assert [m.cost for m in row.months] == [D(60), D(66), D("72.6")]
    assert row.total == D("198.6")


def test_budget_fit_headroom_and_month_over(catalog) -> None:  # type: ignore[no-untyped-def]
    """Budget $65: month 1 is $60 (fits, $5 headroom), month 2 $66 is over."""
    w = wl(requests_per_day=D(1000), growth=D("0.1"), months=3)
    row = offer_budget(
        offer(catalog, "open7"), w, when=WHEN, currency="USD", fx=catalog.fx, budget=D(65)
    )
    assert row.fits_budget is True
    assert row.headroom == D(5)
    assert row.over_budget_from == 2


def test_currency_conversion(catalog) -> None:  # type: ignore[no-untyped-def]
    """$60 at 1 USD = 7 CNY is ¥420."""
    w = wl(requests_per_day=D(1000))
    row = offer_budget(offer(catalog, "open7"), w, when=WHEN, currency="CNY", fx=catalog.fx)
    assert row.monthly_cost == D(420)


def test_rate_limit_free_tier_exceeded(catalog) -> None:  # type: ignore[no-untyped-def]
    """30,000 requests a month / 43,200 minutes = 0.69444 a minute; x peak 10 = 6.944 rpm > 5 on
    the free tier; tokens 6.944 x 1,500 = 10,416.7 tpm < 100,000; a day 30,000 / 30 = 1,000 < 2,000."""
    w = wl(requests_per_month=D(30000), peak_factor=D(10))
    usage = request_usage(w, offer(catalog, "closed").model)
    check = check_rate_limits(offer(catalog, "closed"), w, usage, when=WHEN, tier="free")
    assert check.rate_limited
    assert check.shown is not None
    uses = {u.name: u for u in check.shown.uses}
    assert uses["rpm"].exceeded and not uses["tpm"].exceeded and not uses["rpd"].exceeded
    assert uses["rpm"].demand.quantize(D("0.001")) == D("6.944")
    assert uses["rpd"].demand == D(1000)
    assert "6.94 > 5 rpm" in check.describe()


def test_rate_limit_default_picks_smallest_tier_that_carries(catalog) -> None:  # type: ignore[no-untyped-def]
    """Without --tier the offer is limited only if no tier carries it: tier-1's 100 rpm does
    (6.944 / 100 = 6.9%)."""
    w = wl(requests_per_month=D(30000), peak_factor=D(10))
    usage = request_usage(w, offer(catalog, "closed").model)
    check = check_rate_limits(offer(catalog, "closed"), w, usage, when=WHEN)
    assert not check.rate_limited
    assert check.tier == "tier-1"
    assert check.describe() == "ok on tier-1 (6.9% of rpm)"


def test_rate_limit_month_of_growth(catalog) -> None:  # type: ignore[no-untyped-def]
    """Peak 4: month 1 is 30,000 / 43,200 x 4 = 2.78 rpm; +50% a month reaches
    2.78 x 1.5^2 = 6.25 > 5 rpm in month 3."""
    w = wl(requests_per_month=D(30000), peak_factor=D(4), growth=D("0.5"), months=4)
    usage = request_usage(w, offer(catalog, "closed").model)
    check = check_rate_limits(offer(catalog, "closed"), w, usage, when=WHEN, tier="free")
    assert check.rate_limited
    assert check.shown is not None and check.shown.first_month_exceeded == 3


def test_batch_share_is_not_rate_limited(catalog) -> None:  # type: ignore[no-untyped-def]
    """Only online requests count: 80% batch leaves 6.944 x 0.2 = 1.39 rpm < 5."""
    w = wl(requests_per_month=D(30000), peak_factor=D(10), batch_share=D("0.8"))
    usage = request_usage(w, offer(catalog, "closed").model)
    check = check_rate_limits(offer(catalog, "closed"), w, usage, when=WHEN, tier="free")
    assert not check.rate_limited


def test_selfhost_wins_above_break_even(catalog) -> None:  # type: ignore[no-untyped-def]
    """open7-fast: 2 GPUs x $2/h x 720 h = $2,880 a month; 2,000 tok/s x 0.5 = 1,000 tok/s.
    2,000,000 requests: API 2,000,000 x $0.002 = $4,000; peak output 2,000,000 x 500 / 2,592,000
    = 385.8 tok/s -> 1 replica, $2,880: self-hosting is cheaper. Break-even $2,880 / $0.002 =
    1,440,000 requests = 1,440,000 x 1,500 = 2,160,000,000 tokens a month."""
    w = wl(requests_per_month=D(2_000_000))
    result = monthly_costs(catalog, w, when=WHEN, currency="USD")
    fast = next(r for r in result.selfhost if r.entry.option.id == "open7-fast")
    assert fast.replica_cost == D(2880)
    assert fast.replicas == 1
    assert fast.fixed_monthly_cost == D(2880)
    assert fast.months[0].usage == 0
    assert fast.compared_with is not None and fast.compared_with.monthly_cost == D(4000)
    assert fast.break_even_requests_per_month == D(1_440_000)
    assert fast.break_even_tokens_per_month == D(2_160_000_000)
    assert fast.cheaper_than_api is True


def test_selfhost_loses_below_break_even(catalog) -> None:  # type: ignore[no-untyped-def]
    """30,000 requests: API $60 against $2,880 of GPUs: the API is cheaper (break-even unchanged)."""
    w = wl(requests_per_day=D(1000))
    result = monthly_costs(catalog, w, when=WHEN, currency="USD")
    fast = next(r for r in result.selfhost if r.entry.option.id == "open7-fast")
    assert fast.cheaper_than_api is False
    assert fast.break_even_requests_per_month == D(1_440_000)


def test_selfhost_never_wins_when_a_replica_cannot_carry_break_even(catalog) -> None:  # type: ignore[no-untyped-def]
    """open7-slow: 1 GPU x $2 x 720 = $1,440; 10 tok/s carries 10 x 2,592,000 / 500 = 51,840
    requests a month, whose API bill is $103.68 < $1,440: no break-even (it would be 720,000)."""
    w = wl(requests_per_day=D(1000))
    result = monthly_costs(catalog, w, when=WHEN, currency="USD")
    slow = next(r for r in result.selfhost if r.entry.option.id == "open7-slow")
    assert slow.capacity_requests_per_month == D(51840)
    assert slow.break_even_requests_per_month is None
    assert any("never wins" in n for n in slow.notes)


def test_selfhost_replicas_grow_with_peak(catalog) -> None:  # type: ignore[no-untyped-def]
    """Peak 4: 385.8 x 4 = 1,543.2 tok/s > 1,000 -> 2 replicas, 2 x $2,880 = $5,760;
    in CNY 5,760 x 7 = ¥40,320."""
    w = wl(requests_per_month=D(2_000_000), peak_factor=D(4))
    result = monthly_costs(catalog, w, when=WHEN, currency="CNY")
    fast = next(r for r in result.selfhost if r.entry.option.id == "open7-fast")
    assert fast.replicas == 2
    assert fast.monthly_cost == D(40320)


def test_offers_without_price_are_left_out_with_a_note(catalog) -> None:  # type: ignore[no-untyped-def]
    """open7-late is priced only from 2026: in June 2025 it is a note, not a row."""
    result = monthly_costs(catalog, wl(requests_per_day=D(1)), when=WHEN, currency="USD")
    assert all(r.model != "open7-late" for r in result.offers)
    assert any("open7-late" in n and "no price in force" in n for n in result.notes)


def test_sorted_and_choice_within_budget(catalog) -> None:  # type: ignore[no-untyped-def]
    """Sorted by month 1: open7 $60 < closed $180 < thinker $210; with $100 the choice is open7."""
    result = monthly_costs(
        catalog, wl(requests_per_day=D(1000)), when=WHEN, currency="USD", budget=D(100)
    )
    assert [r.model for r in result.offers] == ["open7", "closed", "thinker"]
    assert result.choice is not None and result.choice.model == "open7"
    assert "open7 @ apihost at $60.00 a month ($40.00 headroom)" in result.verdict
    # open7 publishes no rate limits and closed ($180) is over budget: open7 is named, unverified.
    assert not result.choice_verified
    assert "Its rate limits are unverified" in result.verdict


def test_an_offer_with_unverified_limits_never_beats_one_whose_limits_carry_the_load(
    catalog,
) -> None:  # type: ignore[no-untyped-def]
    """open7 ($60) publishes no rate limits; closed ($180) publishes tier-1 limits that carry
    1,000 a day (1,000 x 30 / 43,200 = 0.694 rpm x peak 1 = 0.69 < 100 rpm): closed is chosen.
    Without budget the cheaper open7 is only named as unverified when nothing verified fits."""
    result = monthly_costs(
        catalog, wl(requests_per_day=D(1000)), when=WHEN, currency="USD", tier="tier-1"
    )
    open7 = next(r for r in result.offers if r.model == "open7")
    assert open7.rate_limit.status == "none" and not open7.rate_limit.verified
    assert result.choice is not None and result.choice.model == "closed"
    assert result.choice_verified
    assert "that carries the load is closed @ apihost at $180.00 a month" in result.verdict


def test_presets_come_from_the_catalog(catalog) -> None:  # type: ignore[no-untyped-def]
    """A preset is a named workload of a workloads file; an unknown one suggests names."""
    assert preset(catalog, "small").requests_per_day == D(1000)
    with pytest.raises(InputError, match="unknown preset 'smal'; did you mean 'small'"):
        preset(catalog, "smal")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"requests_per_day": D(-1)}, "greater than or equal to 0"),
        ({"requests_per_day": D(10) ** 11}, "less than or equal to 10000000000"),
        ({"requests_per_day": D(1), "cached_share": D("1.5")}, "less than or equal to 1"),
        ({"requests_per_day": D(1), "growth": D(-1)}, "greater than -1"),
        ({"requests_per_day": D(1), "peak_factor": D("0.5")}, "greater than or equal to 1"),
        ({"requests_per_day": D(1), "months": 0}, "greater than or equal to 1"),
        ({"requests_per_day": D(1), "input_tokens": D(10) ** 8}, "less than or equal to"),
    ],
)
def test_bad_workloads_name_the_field(fields, message) -> None:  # type: ignore[no-untyped-def]
    """Negative or absurd volumes and shares outside 0-1 are input errors naming the field."""
    with pytest.raises(InputError, match=message) as info:
        wl(**fields)
    assert info.value.problems[0].field is not None
    assert info.value.problems[0].file == "command line"


def test_workload_needs_a_volume() -> None:
    """No volume, no workload."""
    with pytest.raises(InputError, match="requests-per-day or requests-per-month"):
        workload_with(None, {"input_tokens": D(1), "output_tokens": D(1)})
