"""Monthly budgets: a workload x the catalog -> what a month of traffic costs on each offer.

API summary (core: no typer, rich, printing, clock or environment):

- `DAYS_PER_MONTH` (30), `HOURS_PER_MONTH` (720), `MINUTES_PER_MONTH`,
  `SECONDS_PER_MONTH`: what a month is, the same everywhere.
- `presets(catalog) -> dict[str, Workload]`, `preset(catalog, name) -> Workload`:
  named workloads of the catalog's `workloads` files (the bundled presets).
- `workload_with(base, overrides, source) -> Workload`: a workload with some
  fields replaced (None values ignored), validated with located errors.
- `monthly_requests(workload, month) -> Decimal`: month 1 x (1 + growth)^(month-1).
- `request_usage(workload, model) -> Usage`: one request (requests=1), with the
  model's reasoning tokens (same rule as compare).
- `offer_budget(entry, workload, *, when, currency, fx, budget=None, tier=None)
  -> OfferBudget`: the monthly cost, projection, budget fit and rate-limit check
  of one API offer (raises NoPriceError when no price is in force).
- `check_rate_limits(entry, workload, usage, *, when, tier=None) -> RateLimitCheck`.
- `monthly_costs(catalog, workload, *, when, currency, budget=None, tier=None,
  offers=None, models=None, selfhost=True, utilisation=None) -> BudgetResult`:
  every offer (or the given ones) plus self-host rows, sorted by monthly cost.
- `selfhost_budget(entry, workload, model, *, when, currency, fx, budget=None,
  api=None, utilisation=None) -> SelfHostBudget | None`: one self-host option
  (fixed cost, replicas, break-even against `api`); None when no GPU price holds.
- `apply_ranking(result, ranking) -> None`: marks good_enough / recommended /
  quality from a `costcalc.compare` ranking and recomputes the verdict.
- `BudgetResult.rows` (API and self-host, cheapest month 1 first),
  `BudgetResult.choice` (cheapest good-enough row within budget, not rate-limited),
  `BudgetResult.verdict` (plain words).

Rules (the README repeats them for users):
- month m has monthly_requests(m) requests; each is priced with
  `cost_of(entry, usage.times(requests))`, so context tiers, batch and off-peak
  shares and currencies follow the cost engine;
- `fits_budget`: month 1 costs at most the budget; `headroom` = budget - month 1;
  `over_budget_from` is the first month of the horizon over budget;
- rate limits: per-minute limits are checked at the peak (average minute x peak
  factor), daily limits at the average day, on the online requests (the batch
  share goes through the batch API and its own queue); tokens counted are input
  + output + reasoning. Each month of the horizon is checked. Without a tier,
  the offer is limited when no published tier carries the load, and the tier
  shown is the smallest one that does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import TYPE_CHECKING, Any, Literal

from costcalc.catalog import Catalog, FxEntry, OfferEntry
from costcalc.cost import CostResult, Usage, cost_of
from costcalc.errors import InputError, NoPriceError
from costcalc.fx import PRECISION, Conversion
from costcalc.loader import validate_data
from costcalc.money import fmt_money, fmt_tokens, quantize, trim
from costcalc.numbers import exact_shift, exact_sum
from costcalc.schema.pricing import ModelInfo, RateLimit
from costcalc.schema.selfhost import GpuPrice
from costcalc.schema.workload import (
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    MINUTES_PER_MONTH,
    SECONDS_PER_MONTH,
    Workload,
    WorkloadFile,
)
from costcalc.selfhost import (
    SelfHostEntry,
    break_even,
    capacity_requests,
    peak_output_rate,
    replica_monthly_cost,
    replicas_needed,
    selfhost_entries,
)

if TYPE_CHECKING:
    from costcalc.catalog import Origin
    from costcalc.rank import Ranking

ZERO = Decimal(0)
ONE = Decimal(1)

__all__ = [
    "DAYS_PER_MONTH",
    "HOURS_PER_MONTH",
    "MINUTES_PER_MONTH",
    "SECONDS_PER_MONTH",
    "BudgetResult",
    "LimitUse",
    "MonthCost",
    "OfferBudget",
    "RateLimitCheck",
    "SelfHostBudget",
    "TierCheck",
    "apply_ranking",
    "check_rate_limits",
    "monthly_costs",
    "monthly_requests",
    "offer_budget",
    "preset",
    "presets",
    "request_usage",
    "selfhost_budget",
    "verdict",
    "workload_with",
]


# ------------------------------------------------------------------ workloads


def presets(catalog: Catalog) -> dict[str, Workload]:
    """Named workloads of every `workloads` file in the catalog (a later layer wins)."""
    found: dict[str, Workload] = {}
    for doc in catalog.documents_of("workloads"):
        assert isinstance(doc.model, WorkloadFile)
        for w in doc.model.workloads:
            found[w.name] = w
    return found


def preset(catalog: Catalog, name: str) -> Workload:
    """A preset by name, or an error listing the known ones."""
    from costcalc.catalog import did_you_mean

    known = presets(catalog)
    found = known.get(name.strip().lower())
    if found is None:
        raise InputError(
            f"unknown preset {name!r}{did_you_mean(name, known)};"
            f" presets: {', '.join(known) or 'none in the loaded sheets'}",
            field="--preset",
        )
    return found


def workload_with(
    base: Workload | None, overrides: Mapping[str, Any], source: str = "command line"
) -> Workload:
    """`base` with the non-None `overrides` applied, validated (errors name `source` and the field).

    Giving requests_per_day drops the base's requests_per_month and the other way round.
    """
    data: dict[str, Any] = base.model_dump(exclude_defaults=True) if base else {"name": "custom"}
    given = {k: v for k, v in overrides.items() if v is not None}
    if "requests_per_day" in given:
        data.pop("requests_per_month", None)
    if "requests_per_month" in given:
        data.pop("requests_per_day", None)
    data.update(given)
    missing = [f for f in ("input_tokens", "output_tokens") if f not in data]
    if "requests_per_day" not in data and "requests_per_month" not in data:
        missing.insert(0, "requests_per_day or requests_per_month")
    if missing:
        raise InputError(
            "a workload needs "
            + ", ".join(missing).replace("_", "-")
            + ": give --preset, --workload-file or the flags"
        )
    return validate_data(data, Workload, source)


def monthly_requests(workload: Workload, month: int = 1) -> Decimal:
    """Requests in a month of the horizon: month 1 x (1 + growth)^(month - 1), rounded half
    to even to a whole number of requests (a month bills whole requests, and its cost is then
    an exact product with no long tail of decimals)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        if workload.requests_per_month is not None:
            first = workload.requests_per_month
        else:
            assert workload.requests_per_day is not None
            first = workload.requests_per_day * DAYS_PER_MONTH
        return (first * (ONE + workload.growth) ** (month - 1)).quantize(ONE, ROUND_HALF_EVEN)


def reasoning_tokens(model: ModelInfo, workload: Workload) -> Decimal:
    """Hidden reasoning tokens per request on a model, by compare's rule.

    The workload's reasoning_tokens for the models it names in reasoning_models
    (ids or aliases); otherwise the model's own figure (tokens per request, or a
    multiple of the visible output); otherwise 0.
    """
    names = {n.lower() for n in workload.reasoning_models}
    if workload.reasoning_tokens is not None and names & {model.id, *model.aliases}:
        return workload.reasoning_tokens
    if model.reasoning is None:
        return ZERO
    if model.reasoning.tokens_per_request is not None:
        return Decimal(model.reasoning.tokens_per_request)
    assert model.reasoning.output_multiple is not None
    return model.reasoning.output_multiple * workload.output_tokens


def workload_request(workload: Workload) -> Usage:
    """One request of a workload (requests=1) before any model's reasoning tokens:
    cached tokens are input x cached_share."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        cached = workload.input_tokens * workload.cached_share
    return Usage(
        input_tokens=workload.input_tokens,
        output_tokens=workload.output_tokens,
        cached_tokens=cached,
        batch_share=workload.batch_share,
        off_peak_share=workload.off_peak_share,
    )


def request_usage(workload: Workload, model: ModelInfo) -> Usage:
    """One request of the workload on a model (requests=1), its reasoning tokens included."""
    return replace(workload_request(workload), reasoning_tokens=reasoning_tokens(model, workload))


def tokens_per_request(usage: Usage) -> Decimal:
    """Tokens one request moves: input + output + reasoning."""
    return usage.input_tokens + usage.output_tokens + usage.reasoning_tokens


# ---------------------------------------------------------------- rate limits

LIMIT_NAMES = ("rpm", "tpm", "rpd", "tpd")


@dataclass(frozen=True)
class LimitUse:
    """One published limit against the workload's demand."""

    name: str
    """rpm, tpm, rpd or tpd."""
    limit: int
    demand: Decimal
    """Peak per minute (rpm, tpm) or average per day (rpd, tpd)."""

    @property
    def exceeded(self) -> bool:
        return self.demand > self.limit

    @property
    def ratio(self) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return self.demand / self.limit

    def describe(self) -> str:
        sign = ">" if self.exceeded else "<="
        return f"{fmt_tokens(_round2(self.demand))} {sign} {self.limit:,} {self.name}"


def pct(share: Decimal) -> str:
    """0.125 -> "12.5": a share as a percentage without trailing zeros (display only)."""
    return format(trim(quantize(exact_shift(share, 2), 1)), "f")


def _round2(value: Decimal) -> Decimal:
    return quantize(value, 2) if value != value.to_integral_value() else value


@dataclass(frozen=True)
class TierCheck:
    """One account tier's limits against the load of the horizon."""

    tier: str
    limit: RateLimit
    status: Literal["ok", "exceeded", "unpublished"]
    """unpublished: the tier is listed with no numbers (no fixed limit, or none given)."""
    uses: tuple[LimitUse, ...]
    """At the first month over a limit, else at the busiest month."""
    month: int
    """The month `uses` describe."""
    first_month_exceeded: int | None

    @property
    def worst(self) -> Decimal:
        return max((u.ratio for u in self.uses), default=ZERO)


@dataclass(frozen=True)
class RateLimitCheck:
    """Whether an offer's published rate limits carry the workload."""

    status: Literal["ok", "exceeded", "unpublished", "none"]
    """none: the offer publishes no rate limit at all."""
    tier: str | None
    """The tier shown: the asked one, else the smallest that carries the load, else the largest."""
    shown: TierCheck | None
    tiers: tuple[TierCheck, ...]

    @property
    def rate_limited(self) -> bool:
        return self.status == "exceeded"

    @property
    def verified(self) -> bool:
        """Published numbers show the load fits: only then does an offer carry the load."""
        return self.status == "ok"

    def describe(self) -> str:
        """Plain words: which tier, which numbers."""
        if self.status == "none":
            return "no published limit"
        assert self.shown is not None
        t = self.shown
        if self.status == "unpublished":
            return f"{t.tier}: no numbers published" + (
                f" ({t.limit.note})" if t.limit.note else ""
            )
        if not t.uses:
            return f"{t.tier}: ok"
        binding = max(t.uses, key=lambda u: u.ratio)
        if t.first_month_exceeded is None:
            return f"ok on {t.tier} ({pct(binding.ratio)}% of {binding.name})"
        text = f"{t.tier}: {binding.describe()}"
        if t.first_month_exceeded > 1:
            text += f" from month {t.first_month_exceeded}"
        return text


def _limits_in_force(entry: OfferEntry, when: dt.date) -> dict[str, RateLimit]:
    """The latest limit dated on or before the day, per tier (file order breaks ties)."""
    found: dict[str, RateLimit] = {}
    for limit in entry.offer.rate_limits:
        if limit.as_of > when:
            continue
        if limit.tier not in found or limit.as_of >= found[limit.tier].as_of:
            found[limit.tier] = limit
    return found


def _uses(limit: RateLimit, workload: Workload, usage: Usage, month: int) -> tuple[LimitUse, ...]:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        online = monthly_requests(workload, month) * (ONE - workload.batch_share)
        tokens = tokens_per_request(usage)
        # multiply first, divide last: exact whenever the result is
        demand = {
            "rpm": online * workload.peak_factor / MINUTES_PER_MONTH,
            "tpm": online * tokens * workload.peak_factor / MINUTES_PER_MONTH,
            "rpd": online / DAYS_PER_MONTH,
            "tpd": online * tokens / DAYS_PER_MONTH,
        }
    return tuple(
        LimitUse(name, value, demand[name])
        for name in LIMIT_NAMES
        if (value := getattr(limit, name)) is not None
    )


def _tier_check(tier: str, limit: RateLimit, workload: Workload, usage: Usage) -> TierCheck:
    if not any(getattr(limit, n) is not None for n in LIMIT_NAMES):
        return TierCheck(tier, limit, "unpublished", (), 1, None)
    busiest = max(range(1, workload.months + 1), key=lambda m: (monthly_requests(workload, m), -m))
    for month in range(1, workload.months + 1):
        uses = _uses(limit, workload, usage, month)
        if any(u.exceeded for u in uses):
            return TierCheck(tier, limit, "exceeded", uses, month, month)
    return TierCheck(tier, limit, "ok", _uses(limit, workload, usage, busiest), busiest, None)


def check_rate_limits(
    entry: OfferEntry, workload: Workload, usage: Usage, *, when: dt.date, tier: str | None = None
) -> RateLimitCheck:
    """Check the workload against the offer's limits in force on a day, for one tier or any."""
    limits = _limits_in_force(entry, when)
    if not limits:
        return RateLimitCheck("none", None, None, ())
    checks = tuple(_tier_check(t, lim, workload, usage) for t, lim in sorted(limits.items()))
    if tier is not None:
        chosen = next((c for c in checks if c.tier.lower() == tier.strip().lower()), None)
        if chosen is None:
            return RateLimitCheck("none", tier, None, checks)
        return RateLimitCheck(chosen.status, chosen.tier, chosen, checks)
    numeric = [c for c in checks if c.status != "unpublished"]
    carrying = [c for c in numeric if c.status == "ok"]
    if carrying:
        shown = max(carrying, key=lambda c: (c.worst, c.tier))
        return RateLimitCheck("ok", shown.tier, shown, checks)
    if numeric:
        shown = min(numeric, key=lambda c: (-(c.first_month_exceeded or 0), c.worst, c.tier))
        return RateLimitCheck("exceeded", shown.tier, shown, checks)
    return RateLimitCheck("unpublished", checks[0].tier, checks[0], checks)


# --------------------------------------------------------------- API offers


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


def _fit(
    months: Sequence[MonthCost], budget: Decimal | None
) -> tuple[bool | None, Decimal | None, int | None]:
    if budget is None:
        return None, None, None
    first = months[0].cost
    over = next((m.month for m in months if m.cost > budget), None)
    return first <= budget, budget - first, over


@dataclass
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
    usage = request_usage(workload, entry.model)
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
    fits, headroom, over = _fit(months, budget)
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
    )


# ---------------------------------------------------------------- self-host


@dataclass
class SelfHostBudget:
    """A month of the workload on rented GPUs running an open-weight model."""

    entry: SelfHostEntry
    price: GpuPrice
    price_origin: Origin
    conversion: Conversion | None
    replica_cost: Decimal
    """One replica (the option's hardware) for a month, in the asked currency."""
    replica_throughput: Decimal
    """Output tokens/s one replica is planned to serve (measured x utilisation)."""
    utilisation: Decimal
    peak_output_rate: Decimal
    """Output tokens/s in month 1's busiest second."""
    capacity_requests_per_month: Decimal | None
    """Requests a month one replica carries at the workload's mix and peak factor."""
    months: tuple[MonthCost, ...]
    total: Decimal
    fits_budget: bool | None
    headroom: Decimal | None
    over_budget_from: int | None
    usage: Usage
    compared_with: OfferBudget | None
    """The cheapest API offer of the same model, for the break-even."""
    break_even_requests_per_month: Decimal | None
    break_even_tokens_per_month: Decimal | None
    notes: tuple[str, ...] = ()
    good_enough: bool | None = None
    recommended: bool = False
    quality: Decimal | None = None
    kind: str = "selfhost"

    @property
    def model(self) -> str:
        return self.entry.option.model

    @property
    def provider(self) -> str:
        return "self-hosted"

    @property
    def label(self) -> str:
        hw = self.entry.option.hardware
        return f"{self.model} self-hosted on {hw.count}x {hw.gpu}"

    @property
    def monthly_cost(self) -> Decimal:
        return self.months[0].cost

    @property
    def fixed_monthly_cost(self) -> Decimal:
        return self.months[0].fixed

    @property
    def replicas(self) -> int:
        assert self.months[0].replicas is not None
        return self.months[0].replicas

    @property
    def rate_limited(self) -> bool:
        return False

    @property
    def cheaper_than_api(self) -> bool | None:
        if self.compared_with is None:
            return None
        return self.monthly_cost < self.compared_with.monthly_cost


def selfhost_budget(
    entry: SelfHostEntry,
    workload: Workload,
    model: ModelInfo,
    *,
    when: dt.date,
    currency: str,
    fx: Sequence[FxEntry],
    budget: Decimal | None = None,
    api: OfferBudget | None = None,
    utilisation: Decimal | None = None,
) -> SelfHostBudget | None:
    """The self-host cost of a workload (None when no GPU price is in force on the day)."""
    replica = replica_monthly_cost(entry, when=when, currency=currency, fx=fx)
    if replica is None:
        return None
    usage = request_usage(workload, model)
    out = usage.output_tokens + usage.reasoning_tokens
    capacity = entry.replica_throughput(utilisation)
    months = []
    for month in range(1, workload.months + 1):
        n = monthly_requests(workload, month)
        count = replicas_needed(peak_output_rate(n, out, workload.peak_factor), capacity)
        with localcontext() as ctx:
            ctx.prec = PRECISION
            fixed = replica.amount * count
        months.append(MonthCost(month, n, fixed, fixed, count))
    total = exact_sum(m.cost for m in months)  # exact: the total is the sum of its months
    cap = capacity_requests(capacity, out, workload.peak_factor)
    even = break_even(replica.amount, api.per_request, cap) if api else None
    notes = _selfhost_notes(entry, usage)
    if api is None:
        notes.append("no API offer of this model is priced: no break-even to show")
    elif even is None:
        notes.append(
            "self-hosting never wins: one replica costs more than the API bill for the most"
            " traffic it can carry"
        )
    fits, headroom, over = _fit(months, budget)
    return SelfHostBudget(
        entry=entry,
        price=replica.price,
        price_origin=replica.price_origin,
        conversion=replica.conversion,
        replica_cost=replica.amount,
        replica_throughput=capacity,
        utilisation=entry.option.target_utilisation if utilisation is None else utilisation,
        peak_output_rate=peak_output_rate(monthly_requests(workload, 1), out, workload.peak_factor),
        capacity_requests_per_month=cap,
        months=tuple(months),
        total=total,
        fits_budget=fits,
        headroom=headroom,
        over_budget_from=over,
        usage=usage,
        compared_with=api,
        break_even_requests_per_month=even,
        break_even_tokens_per_month=(
            even * tokens_per_request(usage) if even is not None else None
        ),
        notes=tuple(notes),
    )


def _selfhost_notes(entry: SelfHostEntry, usage: Usage) -> list[str]:
    tp = entry.option.throughput
    notes = []
    if tp.proxy:
        notes.append(f"throughput measured on a proxy model ({tp.measured_model}): {tp.note}")
    if tp.input_tokens and tp.output_tokens and usage.output_tokens > 0:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            measured = Decimal(tp.input_tokens) / tp.output_tokens
            mine = usage.input_tokens / (usage.output_tokens + usage.reasoning_tokens)
        if mine > measured * 2 or mine * 2 < measured:
            notes.append(
                f"throughput was measured at {tp.input_tokens:,} in / {tp.output_tokens:,} out per"
                f" request; this workload sends {fmt_tokens(_round2(usage.input_tokens))} in /"
                f" {fmt_tokens(_round2(usage.output_tokens + usage.reasoning_tokens))} out,"
                " so its real throughput may differ"
            )
    if entry.option.target_utilisation == 1:
        notes.append("planned at the measured throughput (utilisation 1): no headroom")
    return notes


# ------------------------------------------------------------------ results

Row = OfferBudget | SelfHostBudget


@dataclass
class BudgetResult:
    """A workload priced on every candidate offer, with the verdict."""

    workload: Workload
    when: dt.date
    currency: str
    budget: Decimal | None
    tier: str | None
    offers: list[OfferBudget]
    """API offers, cheapest month 1 first."""
    selfhost: list[SelfHostBudget]
    notes: list[str] = field(default_factory=list)
    """Offers left out, and why."""
    ranked: bool = False
    """Whether good_enough comes from a ranking (apply_ranking)."""
    bar: Decimal | None = None
    verdict: str = ""

    @property
    def rows(self) -> list[Row]:
        """API and self-host rows together, cheapest month 1 first."""
        rows: list[Row] = [*self.offers, *self.selfhost]
        return sorted(rows, key=lambda r: (r.monthly_cost, r.kind, r.label))

    def _eligible(self) -> list[Row]:
        """Rows good enough (or unranked), within the budget and not rate-limited, cheapest
        first; self-host rows only where they beat the API."""
        out = []
        for row in self.rows:
            if self.ranked and row.good_enough is not True:
                continue
            if row.fits_budget is False or row.rate_limited:
                continue
            if isinstance(row, SelfHostBudget) and row.cheaper_than_api is False:
                continue
            out.append(row)
        return out

    @property
    def choice(self) -> Row | None:
        """The cheapest eligible row that is known to carry the load (published rate limits
        that fit, or a self-host plan sized for it); an offer whose limits are unverified
        never beats one whose limits are known. With no such row, the cheapest eligible
        row (its limits unverified: `choice_verified` is False)."""
        eligible = self._eligible()
        verified = [r for r in eligible if carries_load(r)]
        pool = verified or eligible
        return pool[0] if pool else None

    @property
    def choice_verified(self) -> bool:
        choice = self.choice
        return choice is not None and carries_load(choice)


def monthly_costs(
    catalog: Catalog,
    workload: Workload,
    *,
    when: dt.date,
    currency: str,
    budget: Decimal | None = None,
    tier: str | None = None,
    offers: Sequence[OfferEntry] | None = None,
    models: Collection[str] | None = None,
    selfhost: bool = True,
    utilisation: Decimal | None = None,
) -> BudgetResult:
    """Price the workload on every offer (or `offers`) and the self-host options of their models.

    `models` limits the self-host rows (default: the models of the offers, plus
    every self-hostable model when `offers` is None). Offers with no price in
    force on the day are left out with a note.
    """
    if budget is not None and (not budget.is_finite() or budget < 0):
        raise InputError(f"budget must be a number >= 0, got {budget}")
    if utilisation is not None and not (utilisation.is_finite() and ZERO < utilisation <= ONE):
        raise InputError(f"utilisation must be in (0, 1], got {utilisation}")
    candidates = list(catalog.offers if offers is None else offers)
    rows: list[OfferBudget] = []
    notes: list[str] = []
    for entry in candidates:
        try:
            rows.append(
                offer_budget(
                    entry,
                    workload,
                    when=when,
                    currency=currency,
                    fx=catalog.fx,
                    budget=budget,
                    tier=tier,
                )
            )
        except NoPriceError as exc:
            notes.append(f"not priced: {exc.problems[0].message}")
    rows.sort(key=lambda r: (r.monthly_cost, r.label))
    hosted: list[SelfHostBudget] = []
    if selfhost:
        wanted = set(models) if models is not None else {e.model.id for e in candidates}
        for sh in selfhost_entries(catalog):
            model_id = sh.option.model
            if models is None and offers is not None and model_id not in wanted:
                continue
            if models is not None and model_id not in wanted:
                continue
            api = next((r for r in rows if r.model == model_id), None)
            try:
                row = selfhost_budget(
                    sh,
                    workload,
                    catalog.models[model_id],
                    when=when,
                    currency=currency,
                    fx=catalog.fx,
                    budget=budget,
                    api=api,
                    utilisation=utilisation,
                )
            except NoPriceError as exc:
                notes.append(f"not priced: {sh.label}: {exc.problems[0].message}")
                continue
            if row is None:
                dates = ", ".join(str(p.as_of) for p, _ in sh.prices)
                notes.append(
                    f"not priced: {sh.label}: no GPU price {sh.option.gpu_price!r} in force on"
                    f" {when} (dated {dates}); try --as-of"
                )
                continue
            hosted.append(row)
        hosted.sort(key=lambda r: (r.monthly_cost, r.label))
    result = BudgetResult(workload, when, currency, budget, tier, rows, hosted, notes)
    result.verdict = verdict(result)
    return result


def apply_ranking(result: BudgetResult, ranking: Ranking) -> None:
    """Mark each row good enough / recommended from a compare ranking; recompute the verdict.

    Quality belongs to the model, so a self-host row takes the model's: it is good
    enough when an offer of the same model is. Rows of unscored models stay None.
    When nothing could be ranked (no model scored), the result is left unranked.
    """
    unscored = sorted(ranking.unscored)
    if unscored:
        result.notes.append("not scored on the profile (no quality): " + ", ".join(unscored))
    if not ranking.rows:
        result.notes.append("no offer could be ranked: every priced offer is shown")
        result.verdict = verdict(result)
        return
    by_key = {(r.model, r.provider): r for r in ranking.rows}
    by_model: dict[str, Any] = {}
    for r in ranking.rows:
        by_model.setdefault(r.model, r)
    for row in result.offers:
        ranked = by_key.get((row.model, row.provider))
        if ranked is not None:
            row.good_enough = ranked.good_enough
            row.recommended = ranked.recommended
            row.quality = ranked.quality.value
    for sh in result.selfhost:
        ranked = by_model.get(sh.model)
        if ranked is not None:
            sh.good_enough = ranked.good_enough
            sh.quality = ranked.quality.value
    result.ranked = True
    result.bar = ranking.bar
    result.verdict = verdict(result)


def _money(value: Decimal, currency: str) -> str:
    return fmt_money(value, currency)


def carries_load(row: Row) -> bool:
    """An API offer carries the load only when published limits show it; a self-host row
    is sized for the load by construction."""
    return isinstance(row, SelfHostBudget) or row.rate_limit.verified


def verdict(result: BudgetResult) -> str:
    """The answer in plain words."""
    cur = result.currency
    rows = result.rows
    if not rows:
        return "No offer could be priced for this workload; see the notes."
    pool = [r for r in rows if r.good_enough is True] if result.ranked else rows
    what = "good-enough offer" if result.ranked else "offer"
    parts: list[str] = []
    if not pool:
        parts.append("No offer reaches the quality bar.")
    else:
        choice = result.choice
        if choice is not None:
            clauses = []
            if result.budget is not None:
                clauses.append(f"fits {_money(result.budget, cur)} a month")
            if result.choice_verified:
                clauses.append("carries the load")
            text = f"The cheapest {what}"
            if clauses:
                text += " that " + " and ".join(clauses)
            text += f" is {choice.label} at {_money(choice.monthly_cost, cur)} a month"
            if choice.headroom is not None:
                text += f" ({_money(choice.headroom, cur)} headroom)"
            text += "."
            if not result.choice_verified:
                text += (
                    " Its rate limits are unverified (no published numbers), and no offer"
                    " whose published limits carry the load is eligible."
                )
            parts.append(text)
            if choice.over_budget_from is not None:
                parts.append(
                    f"With {pct(result.workload.growth)}% growth a month it goes over budget"
                    f" in month {choice.over_budget_from}."
                )
        else:
            cheapest = pool[0]
            reason = []
            if result.budget is not None:
                reason.append(f"fits {_money(result.budget, cur)} a month")
            reason.append("carries the load")
            parts.append(
                f"No {what} {' and '.join(reason)}; the cheapest {what} is {cheapest.label}"
                f" at {_money(cheapest.monthly_cost, cur)} a month."
            )
        if result.budget is not None:
            fit = sum(1 for r in pool if r.fits_budget)
            parts.append(f"{fit} of {len(pool)} {what}s fit the budget.")
        limited = [r for r in pool if r.rate_limited]
        if limited:
            verb = "is" if len(limited) == 1 else "are"
            parts.append(f"{len(limited)} of them {verb} held back by rate limits.")
    for sh in result.selfhost:
        if result.ranked and sh.good_enough is not True:
            continue
        even = sh.break_even_requests_per_month
        hw = sh.entry.option.hardware
        base = f"Self-hosting {sh.model} on {hw.count} x {hw.gpu}"
        if sh.replicas > 1:
            base += f" ({sh.replicas} replicas)"
        base += f" costs {_money(sh.fixed_monthly_cost, cur)} a month fixed"
        if sh.compared_with is None:
            parts.append(base + ".")
        elif even is None:
            parts.append(base + f"; it never beats {sh.compared_with.label}.")
        else:
            now = monthly_requests(result.workload, 1)
            side = "cheaper" if sh.cheaper_than_api else "dearer"
            parts.append(
                base + f"; it beats {sh.compared_with.label} above"
                f" {fmt_tokens(quantize(even, 0))} requests a month"
                f" (this workload: {fmt_tokens(_round2(now))}, so self-hosting is {side})."
            )
    return " ".join(parts)
