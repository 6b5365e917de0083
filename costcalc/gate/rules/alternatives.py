"""Rules comparing the choice with the allowed alternatives `compare` ranks for the same request.

The alternatives are the offers `costcalc compare` ranks for the decision's
request, profile, day and currency, filtered by the policy's licence,
open-weights and country constraints and ranked again at the decision's bar. The
recommended row is the cheapest good-enough allowed offer.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from costcalc.gate.context import Alternatives, DecisionContext
from costcalc.gate.findings import Hit
from costcalc.gate.registry import rule
from costcalc.gate.rules._fmt import hundredths, money, q, s
from costcalc.rank import RankRow


def _cheaper(ctx: DecisionContext) -> tuple[Alternatives, RankRow] | None:
    """The ranking and its recommended row, when that is another offer than the choice."""
    alt = ctx.alternatives
    if alt is None or alt.recommended is None or alt.recommended is alt.row:
        return None
    return alt, alt.recommended


def _multiple(alt: Alternatives, rec: RankRow) -> Decimal | None:
    """Cost of the choice / cost of the cheapest good-enough offer (None when that is free)."""
    return alt.row.cost.total / rec.cost.total if rec.cost.total > 0 else None


@rule(
    "dominated",
    title="A cheaper good-enough offer is not significantly worse",
    severity="warn",
    field=("model",),
    needs="quality",
    fails_when="a cheaper allowed offer is good enough and not significantly worse (as in"
    " `compare`); names it and the monthly saving",
)
def dominated(ctx: DecisionContext) -> Iterator[Hit]:
    found = _cheaper(ctx)
    if found is None:
        return
    alt, rec = found
    if alt.row.dominated_by is None:
        return
    other = alt.by_label.get(alt.row.dominated_by)
    if other is None:
        return
    quality = ctx.quality
    assert quality is not None
    months, currency, one = alt.months, ctx.currency, alt.row.cost.total
    saving = (one - other.cost.total) * months
    yield Hit(
        f"{other.label} costs {money(other.cost.total * months, currency)} a month at quality"
        f" {q(other.quality.value)}, not significantly worse than {q(quality.value)}:"
        f" switching saves {money(saving, currency)} a month",
        f"choose {other.entry.model.id} at {other.entry.provider.id},"
        " or waive dominated with a reason",
        {
            "alternative": other.label,
            "alternative_monthly": s(other.cost.total * months),
            "alternative_quality": q(other.quality.value),
            "monthly_cost": s(one * months),
            "monthly_saving": s(saving),
            "cost_multiple": s(hundredths(_multiple(alt, rec))),
        },
    )


@rule(
    "cost-multiple",
    title="The choice costs more than the policy's max_cost_multiple times the cheapest"
    " good-enough offer",
    severity="deny",
    field=("model",),
    needs="quality",
    fails_when="`max_cost_multiple` is set and the choice costs more than that multiple of the"
    " cheapest good-enough allowed offer; states the multiple, the limit and the saving",
)
def cost_multiple(ctx: DecisionContext) -> Iterator[Hit]:
    limit = ctx.policy.max_cost_multiple
    found = _cheaper(ctx)
    if limit is None or found is None:
        return
    alt, rec = found
    months, currency, one = alt.months, ctx.currency, alt.row.cost.total
    saving = (one - rec.cost.total) * months
    multiple = _multiple(alt, rec)
    if saving <= 0 or (multiple is not None and multiple <= limit):
        return
    times = (
        f"{s(hundredths(multiple))}x the cost of"
        if multiple is not None
        else "more than any multiple of (it is free)"
    )
    label = alt.row.label
    yield Hit(
        f"{label} costs {money(one * months, currency)} a month, {times} the cheapest"
        f" good-enough allowed offer {rec.label} ({money(rec.cost.total * months, currency)}"
        f" a month at quality {q(rec.quality.value)}): over the policy's limit of"
        f" {s(limit)}x; switching saves {money(saving, currency)} a month",
        f"choose {rec.entry.model.id} at {rec.entry.provider.id}, raise"
        " policy.max_cost_multiple, or waive cost-multiple with a reason",
        {
            "cost_multiple": s(hundredths(multiple)),
            "max_cost_multiple": s(limit),
            "alternative": rec.label,
            "alternative_monthly": s(rec.cost.total * months),
            "alternative_quality": q(rec.quality.value),
            "monthly_cost": s(one * months),
            "monthly_saving": s(saving),
        },
    )


@rule(
    "not-worth-it",
    title="Extra quality over the cheapest good-enough offer costs more per point than the"
    " policy's max_cost_per_point",
    severity="deny",
    field=("model",),
    needs="quality",
    fails_when="`max_cost_per_point` is set and the extra quality over the cheapest good-enough"
    " offer costs more than that per point per month (a dominated choice is reported as"
    " `dominated` instead)",
)
def not_worth_it(ctx: DecisionContext) -> Iterator[Hit]:
    found = _cheaper(ctx)
    if found is None:
        return
    alt, rec = found
    row = alt.row
    if (
        row.dominated_by is not None
        or not row.not_worth_it
        or row.marginal_cost_per_point is None
        or row.quality_gain is None
    ):
        return
    months, currency = alt.months, ctx.currency
    saving = (row.cost.total - rec.cost.total) * months
    per_point = row.marginal_cost_per_point * months
    limit = ctx.policy.max_cost_per_point or Decimal(0)
    yield Hit(
        f"{row.label} scores {q(row.quality_gain)} points above {rec.label} for"
        f" {money(saving, currency)} more a month: {money(per_point, currency)} per point per"
        f" month, over the policy's {money(limit, currency)}",
        f"choose {rec.entry.model.id} at {rec.entry.provider.id}"
        f" (saves {money(saving, currency)} a month), or raise policy.max_cost_per_point",
        {
            "alternative": rec.label,
            "monthly_saving": s(saving),
            "quality_gain": q(row.quality_gain),
            "cost_per_point": s(per_point),
            "max_cost_per_point": s(ctx.policy.max_cost_per_point),
        },
    )
