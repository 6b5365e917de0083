"""Ranking: the bar, frontier, dominance, value per point; worked examples and invariants."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.catalog import OfferEntry, Origin
from costcalc.cost import CostResult, PriceChoice, Usage
from costcalc.quality import Z95, Quality
from costcalc.rank import Candidate, Ceiling, Ranking, rank
from costcalc.schema.pricing import Offer, PricePeriod, Provider

D = Decimal
_PERIOD = PricePeriod.model_construct(as_of=dt.date(2025, 1, 1), source="test")
_USAGE = Usage(D(1), D(0))


_PROVIDER = Provider.model_construct(id="p", name="P", currency="USD")
_OFFER = Offer.model_construct(model="x")


def cand(
    name: str, cost: str | Decimal, value: str | Decimal, se: str | Decimal = "1"
) -> Candidate:
    """A candidate `name @ p` with a cost per request and a quality value +- 1.96 x se."""
    # ranking reads only ids: a bare model object keeps 100,000 synthetic offers cheap to build
    model: Any = SimpleNamespace(id=name)
    entry = OfferEntry(_PROVIDER, model, _OFFER, Origin("t", 1), ())
    choice = PriceChoice(_PERIOD, Origin("t", 1), "USD", True, None)
    total = D(cost)
    result = CostResult(name, "p", "USD", _USAGE, total, (), choice)
    v, s = D(value), D(se)
    quality = Quality(v, s, v - Z95 * s, v + Z95 * s, D(1), (), ())
    return Candidate(entry, result, quality)


def by_label(ranking: Ranking) -> dict[str, object]:
    return {r.label: r for r in ranking.rows}


def test_worked_example_default_bar() -> None:
    """cheap (1, 80), mid (3, 85), top (100, 90), dud (50, 70); bar 0.9 x 90 = 81.

    cheap's band top is 80 + 1.96 = 81.96 >= 81, so cheap is recommended; top costs
    100x for +10 points: (100 - 1) / 10 = 9.9 > 1, not worth it; mid: (3 - 1) / 5 = 0.4.
    """
    r = rank(
        [cand("top", 100, 90), cand("dud", 50, 70), cand("mid", 3, 85), cand("cheap", 1, 80)],
        good_enough=D("0.9"),
    )
    assert r.bar == D(81)  # 0.9 x 90
    assert [x.label for x in r.rows] == ["cheap @ p", "mid @ p", "top @ p", "dud @ p"]
    rows = {x.model: x for x in r.rows}
    assert r.recommended is rows["cheap"]
    assert rows["cheap"].good_enough and rows["mid"].good_enough and rows["top"].good_enough
    assert not rows["dud"].good_enough  # 70 + 1.96 < 81
    assert rows["top"].not_worth_it and rows["top"].cost_multiple == D(100)
    assert rows["top"].marginal_cost_per_point == D("9.9")  # (100 - 1) / 10
    assert not rows["mid"].not_worth_it
    assert rows["mid"].marginal_cost_per_point == D("0.4")  # (3 - 1) / 5
    assert rows["mid"].quality_gain == D(5)
    assert [x.pareto for x in r.rows] == [True, True, True, False]
    # dud: cheaper offers' best band top is mid's 86.96 >= dud's low 68.04
    assert rows["dud"].dominated_by == "mid @ p"
    # top's low 88.04 is above every cheaper band top (mid 86.96): not dominated
    assert rows["top"].dominated_by is None
    assert r.verdict == (
        "Buy cheap @ p: quality 80.0, at 1.0% of the cost of the best-scoring top @ p (90.0),"
        " for 10.0 points less."
    )


def test_tied_within_noise_is_dominated() -> None:
    """b costs 2 and scores 81 +- 3.92; a costs 1 and scores 80 +- 3.92: bands overlap, so a dominates b."""
    r = rank([cand("a", 1, 80, 2), cand("b", 2, 81, 2)], good_enough=D("0.9"))
    rows = {x.model: x for x in r.rows}
    assert rows["b"].dominated_by == "a @ p"
    assert rows["b"].pareto  # on the frontier by point estimates, yet not worth the price
    assert "tied within the uncertainty" in r.verdict


def test_absolute_bar_and_no_recommendation() -> None:
    """With --min-quality 95 nobody's band (top 90 + 1.96) reaches the bar."""
    r = rank([cand("a", 1, 80), cand("b", 2, 90)], bar=D(95))
    assert r.recommended is None
    assert all(not x.good_enough for x in r.rows)
    assert r.verdict == "No offer reaches the bar of 95.0: the best is b @ p at 90.0 ± 2.0."


def test_money_ceiling() -> None:
    """mid over cheap: (3 - 1) / 5 = $0.40 per point per request; x 1,000 requests = $400 a month."""
    cands = [cand("cheap", 1, 80), cand("mid", 3, 85)]
    ok = rank(cands, good_enough=D("0.9"), ceiling=Ceiling(None, D(400), D(1000)))
    assert not by_label(ok)["mid @ p"].not_worth_it  # 400 is not above 400
    bad = rank(cands, good_enough=D("0.9"), ceiling=Ceiling(None, D("399.99"), D(1000)))
    assert by_label(bad)["mid @ p"].not_worth_it


def test_multiple_ceiling_boundary() -> None:
    """2x the cost for 1 point is exactly (2 - 1) / 1 = 1 per point: not above the default ceiling of 1."""
    r = rank([cand("a", 1, 80), cand("b", 2, 81)], good_enough=D("0.9"))
    assert not by_label(r)["b @ p"].not_worth_it
    r = rank([cand("a", 1, 80), cand("b", "2.01", 81)], good_enough=D("0.9"))
    assert by_label(r)["b @ p"].not_worth_it


def test_equal_twins_do_not_dominate_each_other() -> None:
    """Two offers with the same cost and quality are both on the frontier; the label breaks the tie."""
    r = rank([cand("b", 1, 80), cand("a", 1, 80)], good_enough=D("0.9"))
    assert [x.label for x in r.rows] == ["a @ p", "b @ p"]
    assert all(x.pareto and x.dominated_by is None for x in r.rows)


def test_empty() -> None:
    """No candidates: an empty ranking with a plain verdict."""
    r = rank([], good_enough=D("0.9"))
    assert r.rows == [] and r.recommended is None and r.verdict == "No offer to rank."


# --------------------------------------------------------------------- invariants

costs = st.integers(min_value=1, max_value=10_000).map(lambda n: D(n) / 100)
values = st.integers(min_value=0, max_value=1000).map(lambda n: D(n) / 10)
ses = st.integers(min_value=0, max_value=50).map(lambda n: D(n) / 10)
offers = st.lists(st.tuples(costs, values, ses), min_size=1, max_size=25)
fractions = st.sampled_from([D("0.5"), D("0.8"), D("0.9"), D("0.95"), D(1)])


def build(data: list[tuple[Decimal, Decimal, Decimal]]) -> list[Candidate]:
    return [cand(f"m{i:02d}", c, v, s) for i, (c, v, s) in enumerate(data)]


def summary(r: Ranking) -> list[tuple[object, ...]]:
    return [
        (x.label, x.rank, x.good_enough, x.recommended, x.pareto, x.dominated_by, x.not_worth_it)
        for x in r.rows
    ]


@settings(max_examples=150, deadline=None)
@given(offers, fractions)
def test_dominated_never_outranks_dominator(data, frac) -> None:  # type: ignore[no-untyped-def]
    """Whenever dominated_by names an offer, that offer ranks higher, is no dearer and not worse."""
    r = rank(build(data), good_enough=frac)
    rows = by_label(r)
    for x in r.rows:
        if x.dominated_by:
            d = rows[x.dominated_by]
            assert d.rank < x.rank  # type: ignore[attr-defined]
            assert d.cost.total <= x.cost.total  # type: ignore[attr-defined]
            assert d.quality.high >= x.quality.low  # type: ignore[attr-defined]
            assert d.good_enough or not x.good_enough  # type: ignore[attr-defined]


@settings(max_examples=150, deadline=None)
@given(offers, fractions)
def test_dominance_is_complete(data, frac) -> None:  # type: ignore[no-untyped-def]
    """An offer left undominated has no dominator by the brute-force definition, and the frontier
    is exactly the offers no other beats on cost and point quality."""
    r = rank(build(data), good_enough=frac)
    for x in r.rows:
        dominators = [
            y
            for y in r.rows
            if y is not x
            and (
                y.cost.total < x.cost.total
                or (y.cost.total == x.cost.total and y.quality.value > x.quality.value)
            )
            and y.quality.high >= x.quality.low
            and (y.good_enough or not x.good_enough)
        ]
        assert (x.dominated_by is not None) == bool(dominators)
        beaten = any(
            y.cost.total <= x.cost.total
            and y.quality.value >= x.quality.value
            and (y.cost.total < x.cost.total or y.quality.value > x.quality.value)
            for y in r.rows
        )
        assert x.pareto == (not beaten)


@settings(max_examples=150, deadline=None)
@given(offers, fractions, st.randoms(use_true_random=False))
def test_order_does_not_matter(data, frac, rnd: random.Random) -> None:  # type: ignore[no-untyped-def]
    """Shuffling the input gives the same ranking, flags and verdict."""
    cands = build(data)
    shuffled = list(cands)
    rnd.shuffle(shuffled)
    a, b = rank(cands, good_enough=frac), rank(shuffled, good_enough=frac)
    assert summary(a) == summary(b)
    assert a.verdict == b.verdict


@settings(max_examples=150, deadline=None)
@given(offers, fractions, st.sampled_from([D("0.001"), D("7.25"), D(3), D(1000)]))
def test_scaling_prices_keeps_ranking(data, frac, factor) -> None:  # type: ignore[no-untyped-def]
    """Multiplying every price by one factor (a currency change) keeps ranks and flags."""
    a = rank(build(data), good_enough=frac)
    b = rank(build([(c * factor, v, s) for c, v, s in data]), good_enough=frac)
    assert summary(a) == summary(b)


@settings(max_examples=150, deadline=None)
@given(offers, fractions, st.data())
def test_adding_dominated_offer_keeps_recommendation(data, frac, draw) -> None:  # type: ignore[no-untyped-def]
    """An extra offer at least as dear, no better and no less certain than an existing one never
    changes the recommendation."""
    cands = build(data)
    before = rank(cands, good_enough=frac)
    i = draw.draw(st.integers(min_value=0, max_value=len(data) - 1))
    c, v, s = data[i]
    extra_cost = draw.draw(st.integers(min_value=0, max_value=500).map(lambda n: D(n) / 100))
    less = draw.draw(st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 10))
    if extra_cost == 0 and less == 0:
        less = D("0.1")
    worse = cand("zz-extra", c + extra_cost, v - less, s)
    after = rank([*cands, worse], good_enough=frac)
    label = lambda r: r.recommended.label if r.recommended else None  # noqa: E731
    assert label(before) == label(after)
    assert before.bar == after.bar


def test_many_offers_rank() -> None:
    """5,000 synthetic offers rank (a smoke test; timings are in benchmarks/, not here)."""
    rnd = random.Random(7)
    cands = [
        cand(f"m{i}", D(rnd.randint(1, 10**6)) / 1000, D(rnd.randint(0, 1000)) / 10)
        for i in range(5_000)
    ]
    r = rank(cands, good_enough=D("0.9"))
    assert len(r.rows) == 5_000
    assert r.recommended is not None


def test_costs_equal_as_floats_are_ordered_exactly() -> None:
    """Two costs one part in 10^22 apart are the same float (0.1): the ranking still puts the
    cheaper one first although the dearer scores higher (the float sort only groups them),
    and an exact tie of cost and quality falls back to the label."""
    cheaper, dearer = D("0.1"), D("0.1000000000000000000001")
    assert float(cheaper) == float(dearer)
    offers = [
        cand("b-dear", dearer, "80", "0.1"),
        cand("a-cheap", cheaper, "70", "0.1"),
        cand("d-twin", cheaper, "70", "0.1"),
        cand("c-twin", cheaper, "70", "0.1"),
    ]
    ranking = rank(offers, bar=D(0))
    assert [r.label for r in ranking.rows] == [
        "a-cheap @ p",
        "c-twin @ p",
        "d-twin @ p",
        "b-dear @ p",
    ]
    assert ranking.best is not None and ranking.best.label == "b-dear @ p"
