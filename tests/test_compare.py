"""The compare facade on a hand-made catalog: bars, filters, reasoning tokens, notes, errors.

Fixture (tests/fixtures/compare): every score has a standard error of 1, so a
two-benchmark quality has se sqrt(2)/2 = 0.7071 and a band of +-1.3859. With
1,000,000 input tokens and no output, a request costs the input price:
cheap $1 (quality 80), partial $2 (60, b2 only), cnmodel ¥16 = $2 at 8 CNY/USD
(70), mid $3 (85), dud $50 (70), top $100 (90).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from costcalc.catalog import load_catalog
from costcalc.compare import CompareOptions, compare, compare_full
from costcalc.cost import Usage
from costcalc.errors import InputError
from helpers import FIXTURES

D = Decimal
WHEN = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog([FIXTURES / "compare"], include_bundled=False)


def opts(**kw: object) -> CompareOptions:
    base: dict[str, object] = {
        "usage": Usage(D(1_000_000), D(0)),
        "when": WHEN,
        "currency": "USD",
    }
    base.update(kw)
    return CompareOptions(**base)  # type: ignore[arg-type]


def labels(ranking) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.label for r in ranking.rows]


def test_default_ranking(catalog) -> None:  # type: ignore[no-untyped-def]
    """Bar 0.9 x 90 = 81: cheap (80 + 1.386 = 81.386) clears it and is the cheapest: recommended."""
    r = compare(catalog, opts())
    assert r.bar == D(81)
    assert labels(r) == [
        "cheap @ lab",  # $1, good enough
        "mid @ lab",  # $3, good enough
        "top @ lab",  # $100, good enough
        "cnmodel @ cnhost",  # $2, 70: ties partial's cost, higher quality first
        "partial @ lab",  # $2, 60
        "dud @ lab",  # $50
    ]
    rows = {x.model: x for x in r.rows}
    assert r.recommended is rows["cheap"]
    assert rows["cnmodel"].cost.total == D(2)  # 16 CNY / 8
    assert rows["top"].not_worth_it  # (100/1 - 1) / 10 = 9.9 per point > 1
    assert rows["top"].cost_multiple == D(100)
    assert rows["top"].quality_gain == D(10)
    assert not rows["mid"].not_worth_it  # (3 - 1) / 5 = 0.4 per point
    assert rows["mid"].marginal_cost_per_point == D("0.4")  # $2 more for 5 points
    assert rows["dud"].dominated_by == "mid @ lab"  # best cheaper band top: mid 86.386 >= 68.614
    assert rows["partial"].dominated_by == "cheap @ lab"
    assert rows["partial"].quality.coverage == D("0.5")
    assert {x.model for x in r.rows if x.pareto} == {"cheap", "mid", "top"}
    assert r.verdict.startswith("Buy cheap @ lab: quality 80.0, at 1.0% of the cost of")


def test_notes(catalog) -> None:  # type: ignore[no-untyped-def]
    """Expired prices, missing scores and self-host-only models are notes, not errors."""
    r = compare(catalog, opts())
    assert r.notes == [
        "not priced: oldie @ lab: no price in force on 2025-06-01"
        " (its prices cover 2024-06-01..2025-01-01); try --as-of",
        "not scored: noscore: no score on the profile's benchmarks",
        "no API offer: selfhost (see `costcalc budget` for self-hosting)",
    ]
    assert r.unscored == {"noscore": "no score on the profile's benchmarks"}
    assert list(r.not_priced) == ["oldie @ lab"]
    assert r.no_offer == ["selfhost"]


def test_missing_fx_rate_is_a_note(catalog) -> None:  # type: ignore[no-untyped-def]
    """Before the first USD/CNY rate (2025-01-01) the CNY offer is left out with the reason."""
    r = compare(catalog, opts(when=dt.date(2024, 12, 1)))
    assert "cnmodel @ cnhost" not in labels(r)
    assert any(
        n.startswith("not priced: cnmodel @ cnhost: no CNY/USD exchange rate") for n in r.notes
    )
    assert "oldie @ lab" in labels(r)  # still in force on 2024-12-01


def test_absolute_bar_changes_recommendation(catalog) -> None:  # type: ignore[no-untyped-def]
    """--min-quality 84: cheap's band top 81.386 < 84; mid's 86.386 >= 84, so mid ($3) is recommended.

    top over mid: 100/3 = 33.3x for +5 points: (33.3 - 1) / 5 = 6.47 per point > 1, not worth it.
    """
    r = compare(catalog, opts(min_quality=D(84)))
    assert r.recommended is not None and r.recommended.label == "mid @ lab"
    assert labels(r)[:2] == ["mid @ lab", "top @ lab"]
    rows = {x.model: x for x in r.rows}
    assert rows["top"].not_worth_it
    assert rows["top"].marginal_cost_per_point == D("19.4")  # (100 - 3) / 5
    assert rows["cheap"].cost_multiple is not None
    assert rows["cheap"].cost_multiple.quantize(D("0.0001")) == D("0.3333")  # 1 / 3
    assert rows["cheap"].marginal_cost_per_point is None  # cheaper: no step up


def test_good_enough_fraction(catalog) -> None:  # type: ignore[no-untyped-def]
    """--good-enough 0.95: bar 0.95 x 90 = 85.5; mid's 86.386 reaches it, cheap's 81.386 does not."""
    r = compare(catalog, opts(good_enough=D("0.95")))
    assert r.bar == D("85.5")
    assert r.recommended is not None and r.recommended.model == "mid"


def test_user_weights_change_recommendation(catalog) -> None:  # type: ignore[no-untyped-def]
    """Weights b2 only: cheap 82, mid 86, top 90, partial 60 (single scores, band +-1.96).

    Bar 0.95 x 90 = 85.5: cheap 83.96 < 85.5; mid 87.96 >= 85.5, so mid.
    """
    r = compare(catalog, opts(weights={"b2": D(1)}, good_enough=D("0.95")))
    assert r.recommended is not None and r.recommended.model == "mid"
    assert {x.model: x.quality.value for x in r.rows}["cheap"] == D(82)


def test_profile_solo_and_coverage(catalog) -> None:  # type: ignore[no-untyped-def]
    """Mean method, profile solo (b1 only): partial has no b1 score, so it is not ranked."""
    r = compare(catalog, opts(profile="solo", quality_method="mean"))
    assert "partial @ lab" not in labels(r)
    assert r.unscored == {
        "noscore": "no score on the profile's benchmarks",
        "partial": "no score on the profile's benchmarks",
    }


def test_min_coverage(catalog) -> None:  # type: ignore[no-untyped-def]
    """--min-coverage 0.6 drops partial (50% of the weight) and says why."""
    r = compare(catalog, opts(min_coverage=D("0.6")))
    assert "partial @ lab" not in labels(r)
    assert (
        "not scored: partial: scores cover 50% of the profile weight (< 60%; missing b1)" in r.notes
    )


def test_filters(catalog) -> None:  # type: ignore[no-untyped-def]
    """Provider, open weights, license and model names narrow the candidates."""
    assert labels(compare(catalog, opts(providers=["cnhost"]))) == ["cnmodel @ cnhost"]
    r = compare(catalog, opts(open_weights=False))
    assert labels(r) == ["top @ lab", "dud @ lab"]
    assert r.recommended is not None and r.recommended.model == "top"  # alone at the top
    assert labels(compare(catalog, opts(licenses=["apache-2.0"]))) == ["mid @ lab"]
    r = compare(catalog, opts(models=["mid", "top"]))
    assert labels(r) == ["mid @ lab", "top @ lab"]  # bar 81: both clear it, mid cheaper


def test_reasoning_tokens(catalog) -> None:  # type: ignore[no-untyped-def]
    """10,000 reasoning tokens on top at $400/M output: 100 + 10,000 x 400 / 1,000,000 = $104."""
    r, result = compare_full(catalog, opts(reasoning_tokens=D(10_000), reasoning_models=["top"]))
    rows = {x.model: x for x in r.rows}
    assert rows["top"].cost.total == D(104)
    assert rows["cheap"].cost.total == D(1)  # not a named reasoning model
    assert result.hidden["top"].tokens == D(10_000)
    assert result.hidden["top"].basis == "override"
    assert result.hidden["cheap"].basis is None and result.hidden["cheap"].tokens == 0


def test_currency(catalog) -> None:  # type: ignore[no-untyped-def]
    """In CNY, cheap costs $1 x 8 = ¥8 and cnmodel its published ¥16; the ranking is the same."""
    r = compare(catalog, opts(currency="CNY"))
    rows = {x.model: x for x in r.rows}
    assert rows["cheap"].cost.total == D(8)
    assert rows["cnmodel"].cost.total == D(16)
    assert labels(r) == labels(compare(catalog, opts()))


def test_money_ceiling(catalog) -> None:  # type: ignore[no-untyped-def]
    """mid over cheap costs $0.40 per point per request; 1,000 requests a month: $400 per point."""
    r = compare(
        catalog,
        opts(max_multiple_per_point=None, max_cost_per_point=D(300), requests_per_month=D(1000)),
    )
    assert {x.model: x.not_worth_it for x in r.rows}["mid"]  # 400 > 300
    with pytest.raises(InputError, match="give --requests-per-month too"):
        compare(catalog, opts(max_cost_per_point=D(300)))


def test_errors(catalog) -> None:  # type: ignore[no-untyped-def]
    """Unknown profile, benchmark, model or provider, and out-of-range bars are input errors."""
    with pytest.raises(InputError, match="unknown profile 'nope'"):
        compare(catalog, opts(profile="nope"))
    with pytest.raises(InputError, match="unknown benchmark 'b9'"):
        compare(catalog, opts(weights={"b9": D(1)}))
    with pytest.raises(InputError, match="unknown model 'midd'; did you mean 'mid'"):
        compare(catalog, opts(models=["midd"]))
    with pytest.raises(InputError, match="unknown provider"):
        compare(catalog, opts(providers=["nolab"]))
    with pytest.raises(InputError, match="min-quality must be between 0 and 100"):
        compare(catalog, opts(min_quality=D(101)))
    with pytest.raises(InputError, match="good-enough must be a fraction"):
        compare(catalog, opts(good_enough=D("1.5")))
    with pytest.raises(InputError, match="requests=1"):
        compare(catalog, opts(usage=Usage(D(1), D(1), requests=D(2))))


def test_bundled_catalog_end_to_end() -> None:
    """The bundled sheets rank with a recommendation and a verdict under every bundled profile."""
    catalog = load_catalog([])
    for profile in ("balanced", "math", "coding", "knowledge", "general"):
        r = compare(
            catalog,
            CompareOptions(
                usage=Usage(D(2000), D(500)),
                when=dt.date(2025, 7, 15),
                currency="USD",
                profile=profile,
            ),
        )
        assert r.rows, profile
        assert r.recommended is not None, profile
        assert r.verdict.startswith("Buy "), profile


def test_left_out_reasons_are_structured(catalog) -> None:  # type: ignore[no-untyped-def]
    """Renderers read why an offer is left out as data, not by parsing the words: an expired
    price (oldie), a missing exchange rate (cnmodel before 2025-01-01), no score (noscore),
    too little coverage (partial: 50% of the weight under --min-coverage 0.6)."""
    _, result = compare_full(catalog, opts(min_coverage=D("0.6")))
    reasons = {(x.label, x.reason) for x in result.left_out}
    assert ("oldie @ lab", "no-price") in reasons
    assert ("noscore", "no-score") in reasons
    low = next(x for x in result.left_out if x.reason == "low-coverage")
    assert (low.model, low.coverage) == ("partial", D("0.5"))
    _, early = compare_full(catalog, opts(when=dt.date(2024, 12, 1)))
    rate = next(x for x in early.left_out if x.reason == "no-rate")
    assert rate.label == "cnmodel @ cnhost" and "exchange rate" in rate.why
