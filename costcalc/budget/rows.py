"""API offer rows: a workload priced month by month on one offer, with its budget fit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from costcalc.budget.ratelimits import RateLimitCheck, check_rate_limits
from costcalc.catalog import FxEntry, OfferEntry
from costcalc.cost import CostResult, Usage, cost_of
from costcalc.numbers import exact_sum
from costcalc.schema.workload import Workload
from costcalc.workload import (
    HiddenTokens,
    monthly_requests,
    with_hidden,
    workload_hidden,
    workload_request,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class MonthCost:
    """One month of the projection."""

    month: int
    requests: Decimal
    cost: Decimal
    """Fixed + usage."""
    fixed: Decimal = ZERO
    """Fixed part (the GPUs of a self-host row); 0 for an API offer."""
    replicas: int | None = None
    """Self-host replicas needed that month."""

    @property
    def usage(self) -> Decimal:
        return self.cost - self.fixed


def budget_fit(
    months: Sequence[MonthCost], budget: Decimal | None
) -> tuple[bool | None, Decimal | None, int | None]:
    """Whether month 1 fits the monthly budget, the headroom left, and the first month
    over it (all None without a budget); budget rows and the gate's rules share it."""
    if budget is None:
        return None, None, None
    first = months[0].cost
    over = next((m.month for m in months if m.cost > budget), None)
    return first <= budget, budget - first, over


@dataclass(frozen=True)
class OfferBudget:
    """A month of the workload on one API offer."""

    entry: OfferEntry
    cost: CostResult
    """Month 1, with the cost engine's full breakdown."""
    per_request: Decimal
    months: tuple[MonthCost, ...]
    total: Decimal
    """Over the horizon."""
    fits_budget: bool | None
    headroom: Decimal | None
    over_budget_from: int | None
    rate_limit: RateLimitCheck
    usage: Usage
    """One request, reasoning tokens included."""
    hidden: HiddenTokens
    """The hidden reasoning tokens in `usage`, and where the figure comes from."""
    good_enough: bool | None = None
    """None when no ranking was applied (or the model is not scored)."""
    recommended: bool = False
    quality: Decimal | None = None
    kind: str = "api"

    @property
    def model(self) -> str:
        return self.entry.model.id

    @property
    def provider(self) -> str:
        return self.entry.provider.id

    @property
    def label(self) -> str:
        return self.entry.label

    @property
    def monthly_cost(self) -> Decimal:
        return self.months[0].cost

    @property
    def fixed_monthly_cost(self) -> Decimal:
        return ZERO

    @property
    def rate_limited(self) -> bool:
        return self.rate_limit.rate_limited


def offer_budget(
    entry: OfferEntry,
    workload: Workload,
    *,
    when: dt.date,
    currency: str,
    fx: Sequence[FxEntry],
    budget: Decimal | None = None,
    tier: str | None = None,
) -> OfferBudget:
    """The monthly cost, projection, budget fit and rate limits of one API offer."""
    hidden = workload_hidden(workload, entry.model)
    usage = with_hidden(workload_request(workload), hidden)
    one = cost_of(entry, usage, when=when, currency=currency, fx=fx)
    months: list[MonthCost] = []
    first: CostResult | None = None
    for month in range(1, workload.months + 1):
        n = monthly_requests(workload, month)
        result = cost_of(entry, usage.times(n), when=when, currency=currency, fx=fx)
        first = first or result
        months.append(MonthCost(month, n, result.total))
    assert first is not None
    total = exact_sum(m.cost for m in months)  # exact: the total is the sum of its months
    fits, headroom, over = budget_fit(months, budget)
    return OfferBudget(
        entry=entry,
        cost=first,
        per_request=one.total,
        months=tuple(months),
        total=total,
        fits_budget=fits,
        headroom=headroom,
        over_budget_from=over,
        rate_limit=check_rate_limits(entry, workload, usage, when=when, tier=tier),
        usage=usage,
        hidden=hidden,
    )
