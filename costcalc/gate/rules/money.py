"""Rules about a month of the workload on the chosen offer: budget, price freshness, rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_CEILING, Decimal

from costcalc.gate.context import DEFAULT_MAX_PRICE_AGE_DAYS, DecisionContext
from costcalc.gate.findings import Hit
from costcalc.gate.registry import rule
from costcalc.gate.rules._fmt import money, s


@rule(
    "over-budget",
    title="The monthly cost exceeds the budget",
    severity="deny",
    field=("budget", "monthly"),
    needs="priced",
    fails_when="a month of the workload's horizon costs more than the budget",
)
def over_budget(ctx: DecisionContext) -> Iterator[Hit]:
    ob = ctx.priced
    assert ob is not None and ctx.entry is not None
    if ob.over_budget_from is None:
        return
    budget, currency = ctx.decision.budget.monthly, ctx.currency
    month = ob.months[ob.over_budget_from - 1]
    when = "a month" if month.month == 1 else f"in month {month.month} of the projection (growth)"
    yield Hit(
        f"{ctx.entry.label} costs {money(month.cost, currency)} {when},"
        f" over the budget of {money(budget, currency)}"
        f" by {money(month.cost - budget, currency)}",
        f"raise budget.monthly to at least {s(month.cost.to_integral_value(ROUND_CEILING))},"
        " reduce the workload, or choose a cheaper offer",
        {
            "monthly_cost": s(month.cost),
            "month": str(month.month),
            "budget": s(budget),
            "currency": currency,
        },
    )


@rule(
    "stale-price",
    title="The price used is older than the policy allows",
    severity="warn",
    field=("provider",),
    needs="priced",
    fails_when="the price used is older than `max_price_age_days` (default"
    f" {DEFAULT_MAX_PRICE_AGE_DAYS})",
)
def stale_price(ctx: DecisionContext) -> Iterator[Hit]:
    ob = ctx.priced
    assert ob is not None and ctx.entry is not None
    choice = ob.cost.choice
    limit = ctx.policy.max_price_age_days
    if limit is None:
        limit = DEFAULT_MAX_PRICE_AGE_DAYS
    age = (ctx.when - choice.period.as_of).days
    if age > limit:
        yield Hit(
            f"the price of {ctx.entry.label} used is {age} days old (as of {choice.period.as_of},"
            f" {choice.origin}); the policy allows {limit}",
            f"check the provider's current price and update {choice.origin.file}",
            {
                "price_as_of": str(choice.period.as_of),
                "age_days": str(age),
                "max_days": str(limit),
                "origin": str(choice.origin),
            },
        )


@rule(
    "rate-limit",
    title="Published rate limits do not cover the workload's peak with the headroom",
    severity="deny",
    field=("workload",),
    other_fields=(("policy", "rate_limit_tier"),),
    needs="priced",
    fails_when="the published limits (rpm, tpm at the peak; rpd, tpd on average) cannot carry"
    " the load x headroom",
)
def rate_limit(ctx: DecisionContext) -> Iterator[Hit]:
    from costcalc.budget import check_rate_limits

    ob, entry, policy, workload = ctx.priced, ctx.entry, ctx.policy, ctx.workload
    assert ob is not None and entry is not None
    headroom = policy.rate_limit_headroom or Decimal(1)
    check = ob.rate_limit
    key = ("rate-limit", entry.key, ctx.workload_key, headroom, policy.rate_limit_tier)
    if headroom != 1 and key not in ctx.session.memo:
        scaled = workload.model_copy(
            update={
                "requests_per_day": None
                if workload.requests_per_day is None
                else workload.requests_per_day * headroom,
                "requests_per_month": None
                if workload.requests_per_month is None
                else workload.requests_per_month * headroom,
            }
        )
        ctx.session.memo[key] = check_rate_limits(
            entry, scaled, ob.usage, when=ctx.when, tier=policy.rate_limit_tier
        )
    if headroom != 1:
        check = ctx.session.memo[key]
    tier = policy.rate_limit_tier
    if tier is not None and check.shown is None and check.tiers:
        yield Hit(
            f"{entry.label} publishes no rate limits for tier {tier!r}"
            f" (tiers: {', '.join(t.tier for t in check.tiers)})",
            "set policy.rate_limit_tier to a published tier",
            {"tier": tier},
            ("policy", "rate_limit_tier"),
        )
    elif check.rate_limited and check.shown is not None:
        binding = max(check.shown.uses, key=lambda u: u.ratio)
        scope = "" if check.shown.month == 1 else f" from month {check.shown.month}"
        yield Hit(
            f"{entry.label} tier {check.shown.tier!r} cannot carry the load{scope}"
            + (f" x headroom {s(headroom)}" if headroom != 1 else "")
            + f": {check.describe()}",
            "ask the provider for a higher tier (and set policy.rate_limit_tier),"
            " spread the load, or choose another provider",
            {
                "tier": check.shown.tier,
                "limit": f"{binding.limit} {binding.name}",
                "demand": s(binding.demand.quantize(Decimal("0.01"))),
                "headroom": s(headroom),
                "source": check.shown.limit.source,
            },
        )
