"""The paired non-inferiority test (Tango 1998 score test), against arithmetic done by hand."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from costcalc.evals.paired import PairedResult, paired_test, restricted_q, tango_z
from costcalc.rank import Candidate, rank


def test_worked_example_not_non_inferior() -> None:
    """n=100, b=5, c=10, margin 10 points: z = 1.2309 <= 1.96, so not shown non-inferior.

    d0 = -0.1
    B = -(b + c) + (2n - b + c) d0 = -15 + 205 x (-0.1) = -35.5
    C = -c d0 (1 - d0) = -10 x (-0.1) x 1.1 = 1.1
    q = (sqrt(B^2 - 8nC) - B) / 4n = (sqrt(1260.25 - 880) + 35.5) / 400
      = (19.5 + 35.5) / 400 = 0.1375
    var = n (2q + d0 (1 - d0)) = 100 x (0.275 - 0.11) = 16.5
    z = (b - c - n d0) / sqrt(var) = (5 - 10 + 10) / sqrt(16.5) = 5 / 4.062019 = 1.230915
    """
    assert restricted_q(100, 5, 10, -0.1) == pytest.approx(0.1375, abs=1e-12)
    assert tango_z(100, 5, 10, 0.1) == pytest.approx(5 / math.sqrt(16.5), abs=1e-12)
    assert tango_z(100, 5, 10, 0.1) == pytest.approx(1.230915, abs=1e-6)


def test_worked_example_non_inferior() -> None:
    """n=100, b=10, c=5, margin 10 points: z = 3.3587 > 1.96, non-inferior.

    B = -15 + (200 - 10 + 5) x (-0.1) = -34.5; C = -5 x (-0.1) x 1.1 = 0.55
    q = (sqrt(1190.25 - 440) + 34.5) / 400 = (27.390692 + 34.5) / 400 = 0.154727
    var = 100 x (2 x 0.154727 - 0.11) = 19.945346; z = 15 / 4.466022 = 3.358693
    """
    assert restricted_q(100, 10, 5, -0.1) == pytest.approx(0.154727, abs=1e-6)
    assert tango_z(100, 10, 5, 0.1) == pytest.approx(3.358693, abs=1e-5)


def test_zero_margin_is_mcnemar() -> None:
    """At margin 0 the statistic is McNemar's (b - c) / sqrt(b + c): 5 / sqrt(15) = 1.290994."""
    assert tango_z(100, 10, 5, 0.0) == pytest.approx(5 / math.sqrt(15), abs=1e-12)


@pytest.mark.parametrize(
    ("n", "b", "c", "d0"), [(100, 5, 10, -0.1), (40, 0, 3, -0.05), (30, 7, 0, -0.2)]
)
def test_q_is_the_restricted_maximum_likelihood(n: int, b: int, c: int, d0: float) -> None:
    """q maximises b log(q + d0) + c log q + (n - b - c) log(1 - 2q - d0) over a fine grid."""

    def loglik(q: float) -> float:
        p12 = q + d0
        rest = 1 - 2 * q - d0
        if p12 <= 0 or q <= 0 or rest <= 0:
            return -math.inf
        return b * math.log(p12) + c * math.log(q) + (n - b - c) * math.log(rest)

    grid = [i / 100000 for i in range(1, 100000)]
    best = max(grid, key=loglik)
    assert restricted_q(n, b, c, d0) == pytest.approx(best, abs=2e-5)


def test_off_diagonal_zero_cells_stay_defined() -> None:
    """b = c = 0 (identical answers) with a margin: z = sqrt(n D / (1 - D)) (Tango's point).

    q = D (B = -2nD, C = 0), var = n (2D - D - D^2) = n D (1 - D), z = nD / sqrt(nD(1 - D)).
    n = 50, D = 0.1: z = sqrt(50 x 0.1 / 0.9) = sqrt(5.5556) = 2.357023.
    """
    assert tango_z(50, 0, 0, 0.1) == pytest.approx(2.357023, abs=1e-6)


def test_paired_test_counts_discordant_items_and_needs_same_items() -> None:
    """b and c are counted from the items; different item sets or partial credit give None."""
    model = {"1": 1.0, "2": 0.0, "3": 1.0, "4": 1.0}
    ref = {"1": 1.0, "2": 1.0, "3": 0.0, "4": 1.0}
    res = paired_test("a", "r", "eval/x", model, ref, 0.1)
    assert res is not None
    assert (res.n, res.b, res.c, res.difference) == (4, 1, 1, 0.0)
    assert paired_test("a", "r", "eval/x", {"1": 1.0}, {"2": 1.0}, 0.1) is None
    assert paired_test("a", "r", "eval/x", {"1": 0.5}, {"1": 1.0}, 0.1) is None


def test_rank_lets_the_paired_test_decide() -> None:
    """The paired test replaces the band's verdict for the models it covers, with the margin
    best quality - bar against the best offer's model; the others keep the band's."""
    import datetime as dt

    from costcalc.catalog import load_catalog
    from costcalc.compare import CompareOptions, compare_full
    from costcalc.cost import Usage

    catalog = load_catalog([])
    options = CompareOptions(
        usage=Usage(Decimal(1000), Decimal(100)),
        when=dt.date(2025, 7, 1),
        currency="USD",
        quality_method="mean",
    )
    ranking, _ = compare_full(catalog, options)
    best = ranking.best
    assert best is not None
    candidates = [Candidate(r.entry, r.cost, r.quality) for r in ranking.rows]
    plain = rank(candidates, good_enough=Decimal("0.9"))
    good = {r.label: r.good_enough for r in plain.rows}
    target = next(r.model for r in plain.rows if r.good_enough and r.model != best.model)
    calls: list[tuple[str, str, Decimal]] = []

    def fails_target(model: str, reference: str, margin: Decimal) -> PairedResult | None:
        calls.append((model, reference, margin))
        if model != target:
            return None
        return paired_test(model, reference, "eval/x", {"1": 0.0}, {"1": 1.0}, float(margin) / 100)

    again = rank(candidates, good_enough=Decimal("0.9"), paired=fails_target)
    for r in again.rows:
        if r.model == target:
            assert (r.good_enough, r.good_enough_test) == (False, "paired")
            assert r.paired is not None and r.paired.c == 1
        elif r.model == best.model:
            assert r.good_enough_test == "reference"
        else:
            assert (r.good_enough, r.good_enough_test) == (good[r.label], "band")
    # margin = best - bar = best x (1 - 0.9), asked once per model, always against the best
    assert all(m == plain.best_quality - plain.bar for _, _, m in calls)
    assert {ref for _, ref, _ in calls} == {best.model}
    assert len(calls) == len({m for m, _, _ in calls})
