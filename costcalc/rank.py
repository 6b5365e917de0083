"""Pure good-enough ranking: the bar, the frontier, dominance and the price of extra points.

Rules (the README repeats them for users):
- an offer is *good enough* when the top of its quality band reaches the bar (with
  latent qualities, the band of measurement noise only: `Quality.bar_high`, so a
  band widened by predictions never makes an offer good enough; dominance uses the
  same band);
- the best quality (the bar's anchor) is that of the offer with the highest
  `Quality.anchor`: with latent qualities the bottom of the band, so a model
  known mostly by prediction cannot set the bar on a high prediction alone;
- rank order: good-enough offers first, then the rest; inside each group the
  cheapest first, then the higher quality, then the label (so the order never
  depends on input order); the first good-enough offer is *recommended*;
- *pareto*: no other offer is at most as expensive and at least as good (point
  quality), with one of the two strictly;
- *dominated_by*: another offer is cheaper (or as cheap and better), not
  significantly worse (its band reaches this one's band) and clears the bar
  whenever this one does; the best such offer is named. A dominated offer
  therefore never ranks above its dominator;
- for an offer that costs more than the recommended one and scores higher:
  cost multiple = cost / recommended cost, gain = quality - recommended quality,
  marginal cost per point = (cost - recommended cost) / gain; it is
  *not worth it* when (multiple - 1) / gain exceeds `max_multiple_per_point`
  (default 1: each extra point may cost at most one more recommended model's
  worth; 100x the cost for 10 points is 9.9 per point), or when marginal cost per
  point x requests per month exceeds `max_cost_per_point` (money per point per
  month), whichever ceilings are set.

Sorting dominates the work: everything is O(n log n).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costcalc.catalog import OfferEntry
from costcalc.cost import CostResult
from costcalc.gcpause import paused_gc
from costcalc.quality import Quality
from costcalc.selfhosted import SelfHostedCost, SelfHostedOffer

if TYPE_CHECKING:
    from costcalc.evals.paired import PairedResult

PairedTest = Callable[[str, str, Decimal], "PairedResult | None"]
"""(model id, reference model id, margin in points) -> the paired non-inferiority test of the
model against the reference on the same items, or None when there are no such per-item results
(costcalc.compare builds it from `costcalc import evals` output)."""

Entry = OfferEntry | SelfHostedOffer
"""An API offer, or an open-weight model on self-hosted GPUs (costcalc.selfhosted)."""
Cost = CostResult | SelfHostedCost

ZERO = Decimal(0)
ONE = Decimal(1)
DEFAULT_MULTIPLE_PER_POINT = Decimal(1)


@dataclass(slots=True, unsafe_hash=True)
class Candidate:
    """An offer to rank: its cost per request and its quality.

    Read-only by convention, not frozen: one is made per offer, and a frozen dataclass's
    __init__ (each field set through object.__setattr__) is about ten times slower."""

    entry: Entry
    cost: Cost
    quality: Quality

    @property
    def label(self) -> str:
        return self.entry.label


@dataclass(frozen=True)
class Ceiling:
    """When a step up from the recommended offer is not worth it (None switches a rule off)."""

    max_multiple_per_point: Decimal | None = DEFAULT_MULTIPLE_PER_POINT
    """Extra cost, in multiples of the recommended offer's cost, allowed per extra point."""
    max_cost_per_point: Decimal | None = None
    """Money per extra point per month allowed (needs requests_per_month)."""
    requests_per_month: Decimal | None = None


@dataclass(slots=True)
class RankRow:
    """One offer in the ranking."""

    entry: Entry
    cost: Cost
    """Cost of one request."""
    quality: Quality
    rank: int = 0
    good_enough: bool = False
    recommended: bool = False
    pareto: bool = False
    dominated_by: str | None = None
    """Label ("model @ provider") of an offer cheaper and not significantly worse."""
    not_worth_it: bool = False
    cost_multiple: Decimal | None = None
    """Cost / recommended cost (None without a recommendation, or when that costs 0)."""
    quality_gain: Decimal | None = None
    """Quality - recommended quality, in points."""
    marginal_cost_per_point: Decimal | None = None
    """(Cost - recommended cost) / gain, per request, for offers that cost more and score higher."""
    good_enough_test: str = "band"
    """What decided good_enough: band (the quality band reaches the bar), paired (a paired
    non-inferiority test against the best model on the same items) or reference (the best
    model itself, the paired test's reference)."""
    paired: PairedResult | None = None
    """The paired test, when it decided."""

    @property
    def label(self) -> str:
        return self.entry.label

    @property
    def model(self) -> str:
        return self.entry.model.id

    @property
    def provider(self) -> str:
        return self.entry.provider.id

    @property
    def self_hosted(self) -> bool:
        return isinstance(self.entry, SelfHostedOffer)


@dataclass
class Ranking:
    """Every ranked offer in rank order, the bar, and the verdict."""

    rows: list[RankRow]
    bar: Decimal
    best_quality: Decimal
    """Highest point quality among the ranked offers."""
    recommended: RankRow | None
    verdict: str
    best: RankRow | None = None
    """The offer with the highest point quality (cheapest among equals)."""
    ceiling: Ceiling = field(default_factory=Ceiling)
    notes: list[str] = field(default_factory=list)
    """Offers and models left out of the ranking, one line each (filled by costcalc.compare):
    "not priced: LABEL: why", "not scored: MODEL: why", "no API offer: MODELS (...)"."""
    unscored: dict[str, str] = field(default_factory=dict)
    """Model id -> why it was not scored (no score, or too little coverage)."""
    not_priced: dict[str, str] = field(default_factory=dict)
    """Offer label -> why it has no price (none in force on the day, or no exchange rate)."""
    no_offer: list[str] = field(default_factory=list)
    """Models of the selection that no provider sheet offers."""


def rank(
    candidates: Sequence[Candidate],
    *,
    bar: Decimal | None = None,
    good_enough: Decimal | None = None,
    ceiling: Ceiling | None = None,
    paired: PairedTest | None = None,
) -> Ranking:
    """Rank offers against a bar: absolute (`bar`) or a fraction of the best quality.

    With `paired`, an offer whose model has per-item results on the same items as
    the best offer's model is good enough when the paired non-inferiority test at
    margin best quality - bar says so, instead of by its band.
    """
    ceiling = ceiling or Ceiling()
    with paused_gc():
        return _rank(candidates, bar, good_enough, ceiling, paired)


def _rank(
    candidates: Sequence[Candidate],
    bar: Decimal | None,
    good_enough: Decimal | None,
    ceiling: Ceiling,
    paired: PairedTest | None = None,
) -> Ranking:
    if not candidates:
        empty_bar = bar if bar is not None else ZERO
        return Ranking([], empty_bar, ZERO, None, "No offer to rank.", None, ceiling)
    # One sort serves everything: (cost, -quality, label) is the frontier and dominance sweep
    # order, and the rank order is its stable partition into good enough and the rest. The
    # sort is on the cost's float, which orders the same way as the Decimal (correct rounding
    # is monotonic); only a run of equal floats (rare, but every free offer shares 0.0) is
    # then sorted on the exact key, so the order is exact without an exact key per offer.
    n = len(candidates)
    floats = [float(c.cost.total) for c in candidates]
    order = sorted(range(n), key=floats.__getitem__)
    start = 0
    while start < n:
        end = start + 1
        cost = floats[order[start]]
        while end < n and floats[order[end]] == cost:
            end += 1
        if end - start > 1:
            order[start:end] = sorted(order[start:end], key=lambda i: _exact_key(candidates, i))
        start = end
    # The best-quality anchor: the highest `Quality.anchor` (latent: the band's bottom, so thin
    # evidence cannot set the bar), then the higher point quality, the cheaper, the label.
    best_i = min(range(n), key=lambda i: (-candidates[i].quality.anchor, i))
    top = -candidates[best_i].quality.anchor
    tied = [i for i in range(n) if -candidates[i].quality.anchor == top]
    if len(tied) > 1:
        best_i = min(tied, key=lambda i: _best_key(candidates, i))
    best_q = candidates[best_i].quality.value
    if bar is None:
        bar = best_q * (good_enough if good_enough is not None else ONE)
    by_cost = []
    best: RankRow | None = None
    for i in order:
        c = candidates[i]
        row = RankRow(c.entry, c.cost, c.quality, 0, c.quality.bar_high >= bar)
        by_cost.append(row)
        if i == best_i:
            best = row
    if paired is not None and best is not None:
        _paired(by_cost, best, best_q - bar, paired)
    _frontier(by_cost)
    _dominance(by_cost)
    rows = [r for r in by_cost if r.good_enough] + [r for r in by_cost if not r.good_enough]
    for n, r in enumerate(rows, 1):
        r.rank = n
    recommended = rows[0] if rows[0].good_enough else None
    if recommended is not None:
        recommended.recommended = True
        _value(rows, recommended, ceiling)
    return Ranking(
        rows, bar, best_q, recommended, verdict(rows, recommended, best, bar), best, ceiling
    )


def _exact_key(candidates: Sequence[Candidate], i: int) -> tuple[Any, ...]:
    """The rank order's full key: cost, then the higher quality, the label, the input order
    (each Decimal preceded by its float, which orders the same way)."""
    c = candidates[i]
    return (c.cost.total, -float(c.quality.value), -c.quality.value, c.label, i)


def _best_key(candidates: Sequence[Candidate], i: int) -> tuple[Any, ...]:
    """Among equal anchors: the higher point quality, the cheaper, the label, the input order."""
    c = candidates[i]
    value, total = c.quality.value, c.cost.total
    return (-float(value), -value, float(total), total, c.label, i)


def _paired(rows: list[RankRow], best: RankRow, margin: Decimal, paired: PairedTest) -> None:
    """Let the paired test decide good_enough where it applies (see `rank`)."""
    results: dict[str, PairedResult | None] = {}
    for row in rows:
        if row.model == best.model:
            continue
        if row.model not in results:
            results[row.model] = paired(row.model, best.model, margin)
        found = results[row.model]
        if found is not None:
            row.good_enough = found.non_inferior
            row.good_enough_test = "paired"
            row.paired = found
    if any(r.paired is not None for r in rows):
        for row in rows:
            if row.model == best.model:
                row.good_enough_test = "reference"


def _frontier(by_cost: list[RankRow]) -> None:
    """Mark the cost-quality frontier (point qualities) in one sweep over rows sorted by cost."""
    top: Decimal | None = None
    i = 0
    n = len(by_cost)
    while i < n:
        # Offers with the same cost and quality share their fate.
        cost, value = by_cost[i].cost.total, by_cost[i].quality.value
        j = i + 1
        while j < n and by_cost[j].cost.total == cost and by_cost[j].quality.value == value:
            j += 1
        if top is None or value > top:
            for r in by_cost[i:j]:
                r.pareto = True
            top = value
        i = j


def _dominance(by_cost: list[RankRow]) -> None:
    """Name, for each offer, the best offer that dominates it (see the module docstring).

    Offers are swept by (cost, -quality); a prefix maximum of the band's top,
    one over all offers and one over good-enough offers, finds a dominator.
    Offers with the same cost and quality are added to the prefix together, so
    none dominates its twin.
    """
    best_all: RankRow | None = None
    best_good: RankRow | None = None
    all_key: tuple[Decimal, Decimal] | None = None
    good_key: tuple[Decimal, Decimal] | None = None
    i = 0
    n = len(by_cost)
    while i < n:
        cost, value = by_cost[i].cost.total, by_cost[i].quality.value
        j = i + 1
        while j < n and by_cost[j].cost.total == cost and by_cost[j].quality.value == value:
            j += 1
        group = by_cost[i:j]
        for r in group:
            cand = best_good if r.good_enough else best_all
            if cand is not None and cand.quality.bar_high >= r.quality.bar_low:
                r.dominated_by = cand.entry.label
        for r in group:
            key = (r.quality.bar_high, r.quality.value)
            if all_key is None or key > all_key:
                best_all, all_key = r, key
            if r.good_enough and (good_key is None or key > good_key):
                best_good, good_key = r, key
        i = j


def _value(rows: list[RankRow], rec: RankRow, ceiling: Ceiling) -> None:
    """Cost multiple, gain and marginal cost per point against the recommended offer."""
    base = rec.cost.total
    for r in rows:
        gain = r.quality.value - rec.quality.value
        r.quality_gain = gain
        r.cost_multiple = r.cost.total / base if base > 0 else None
        extra = r.cost.total - base
        if gain <= 0 or extra <= 0:
            continue
        r.marginal_cost_per_point = extra / gain
        flag = False
        if ceiling.max_multiple_per_point is not None:
            # (multiple - 1) / gain > ceiling, written without dividing by a zero base.
            flag = extra > ceiling.max_multiple_per_point * gain * base
        if ceiling.max_cost_per_point is not None and ceiling.requests_per_month is not None:
            flag = (
                flag
                or r.marginal_cost_per_point * ceiling.requests_per_month
                > ceiling.max_cost_per_point
            )
        r.not_worth_it = flag


def _pct(value: Decimal) -> str:
    if value >= 10:
        return f"{value:.0f}%"
    if value >= 1:
        return f"{value:.1f}%"
    return f"{value:.2g}%"


def verdict(
    rows: Sequence[RankRow], rec: RankRow | None, best: RankRow | None, bar: Decimal
) -> str:
    """One plain line: what to buy, at what share of the best cost, for how many points less."""
    if not rows or best is None:
        return "No offer to rank."
    if rec is None:
        return (
            f"No offer reaches the bar of {bar:.1f}: the best is {best.label}"
            f" at {best.quality.value:.1f} ± {best.quality.high - best.quality.value:.1f}."
        )
    q = f"{rec.quality.value:.1f}"
    if rec.label == best.label or rec.quality.value >= best.quality.value:
        return f"Buy {rec.label}: quality {q}, the best-scoring offer and the cheapest good enough."
    gap = best.quality.value - rec.quality.value
    share = ""
    if best.cost.total > 0:
        share = f" at {_pct(rec.cost.total / best.cost.total * 100)} of the cost of"
    else:
        share = " instead of"
    tied = " (tied within the uncertainty)" if rec.quality.ties(best.quality) else ""
    return (
        f"Buy {rec.label}: quality {q},{share} the best-scoring {best.label}"
        f" ({best.quality.value:.1f}), for {gap:.1f} points less{tied}."
    )
