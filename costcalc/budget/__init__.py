"""Monthly budgets: workloads x the catalog -> what a month of traffic costs on each offer.

API summary (core: no typer, rich, printing, clock or environment):

- `plan(catalog, workloads, BudgetOptions(...)) -> BudgetPlan`: the whole use case in one
  call (filters, every workload priced, ranked against the quality bar, errors instead of
  empty answers); `BudgetPlan.results` holds one `BudgetResult` per workload.
- `monthly_costs(catalog, workload, *, when, currency, budget=None, tier=None,
  offers=None, models=None, selfhost=True, utilisation=None) -> BudgetResult`:
  every offer (or the given ones) plus self-host rows, sorted by monthly cost.
- `offer_budget(entry, workload, *, when, currency, fx, budget=None, tier=None)
  -> OfferBudget`: the monthly cost, projection, budget fit and rate-limit check
  of one API offer (raises NoPriceError when no price is in force).
- `selfhost_budget(entry, workload, model, *, when, currency, fx, budget=None,
  api=None, utilisation=None) -> SelfHostBudget | None`: one self-host option
  (fixed cost, replicas, break-even against `api`); None when no GPU price holds.
- `check_rate_limits(entry, workload, usage, *, when, tier=None) -> RateLimitCheck`.
- `ranked(result, ranking) -> BudgetResult`: the result marked good enough /
  recommended / quality from a `costcalc.compare` ranking.
- `BudgetResult.rows` (API and self-host, cheapest month 1 first),
  `BudgetResult.choice` (cheapest good-enough row within budget, not rate-limited),
  `BudgetResult.verdict` (plain words).
- Workloads (presets, requests, hidden tokens, monthly volumes) live in costcalc.workload;
  the names are re-exported here.

Modules: planning (the use case), projection (a workload on every offer), rows (API offers),
selfhost (self-host options), ratelimits, verdict.

Rules (the README repeats them for users):
- month m has monthly_requests(m) requests; each is priced with
  `cost_of(entry, usage.times(requests))`, so context tiers, batch and off-peak
  shares and currencies follow the cost engine;
- each request bills the model's hidden reasoning tokens (costcalc.workload.hidden_tokens);
- `fits_budget`: month 1 costs at most the budget; `headroom` = budget - month 1;
  `over_budget_from` is the first month of the horizon over budget;
- rate limits: see costcalc.budget.ratelimits.
"""

from __future__ import annotations

from costcalc.budget.planning import BudgetOptions, BudgetPlan, plan
from costcalc.budget.projection import BudgetResult, Row, monthly_costs, ranked
from costcalc.budget.ratelimits import (
    LimitUse,
    RateLimitCheck,
    TierCheck,
    check_rate_limits,
    pct,
)
from costcalc.budget.rows import MonthCost, OfferBudget, offer_budget
from costcalc.budget.selfhost import SelfHostBudget, selfhost_budget
from costcalc.budget.verdict import carries_load, verdict
from costcalc.schema.workload import (
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    MINUTES_PER_MONTH,
    SECONDS_PER_MONTH,
)
from costcalc.workload import (
    monthly_requests,
    preset,
    presets,
    request_usage,
    tokens_per_request,
    workload_request,
    workload_with,
)

__all__ = [
    "DAYS_PER_MONTH",
    "HOURS_PER_MONTH",
    "MINUTES_PER_MONTH",
    "SECONDS_PER_MONTH",
    "BudgetOptions",
    "BudgetPlan",
    "BudgetResult",
    "LimitUse",
    "MonthCost",
    "OfferBudget",
    "RateLimitCheck",
    "Row",
    "SelfHostBudget",
    "TierCheck",
    "carries_load",
    "check_rate_limits",
    "monthly_costs",
    "monthly_requests",
    "offer_budget",
    "pct",
    "plan",
    "preset",
    "presets",
    "ranked",
    "request_usage",
    "selfhost_budget",
    "tokens_per_request",
    "verdict",
    "workload_request",
    "workload_with",
]
