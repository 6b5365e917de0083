"""Self-host rows: a workload on rented GPUs running an open-weight model, with the break-even."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING

from costcalc.budget.ratelimits import _round2
from costcalc.budget.rows import MonthCost, OfferBudget, budget_fit
from costcalc.catalog import FxEntry
from costcalc.cost import Usage
from costcalc.fx import PRECISION, Conversion
from costcalc.money import fmt_tokens
from costcalc.numbers import exact_sum
from costcalc.records import GpuPrice, ModelInfo
from costcalc.schema.workload import Workload
from costcalc.selfhost import (
    SelfHostEntry,
    break_even,
    capacity_requests,
    peak_output_rate,
    replica_monthly_cost,
    replicas_needed,
)
from costcalc.workload import (
    HiddenTokens,
    monthly_requests,
    tokens_per_request,
    with_hidden,
    workload_hidden,
    workload_request,
)

if TYPE_CHECKING:
    from costcalc.catalog import Origin

ZERO = Decimal(0)


@dataclass(frozen=True)
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
    hidden: HiddenTokens
    """The hidden reasoning tokens in `usage`, and where the figure comes from."""
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
    hidden = workload_hidden(workload, model)
    usage = with_hidden(workload_request(workload), hidden)
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
    fits, headroom, over = budget_fit(months, budget)
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
        hidden=hidden,
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
