"""Self-hosted open-weight models as rankable offers: a self-host option priced per request.

compare ranks them beside the API offers. The arithmetic is budget's self-host
model (costcalc.selfhost), at a stated volume:

- requests a month = requests per day x DAYS_PER_MONTH (30);
- the busiest second generates requests a month x (output + reasoning tokens per
  request) / SECONDS_PER_MONTH x peak factor tokens/s; replicas =
  ceil(that / one replica's planned throughput), at least one;
- a month costs replicas x GPUs x price per GPU-hour x HOURS_PER_MONTH (720),
  converted through the dated FX table; this is a fixed cost;
- cost per request = that month / requests a month. It falls as volume grows
  (until another replica is needed), unlike an API's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from costcalc.catalog import FxEntry
from costcalc.cost import Usage
from costcalc.fx import PRECISION
from costcalc.records import DAYS_PER_MONTH, ModelInfo
from costcalc.selfhost import (
    ReplicaCost,
    SelfHostEntry,
    peak_output_rate,
    replica_monthly_cost,
    replicas_needed,
)

SELF_HOSTED = "self-hosted"
"""The provider id of every self-hosted offer."""


@dataclass(frozen=True)
class SelfHostedProvider:
    """Stands where an API offer's provider does."""

    id: str = SELF_HOSTED


@dataclass(frozen=True)
class SelfHostedOffer:
    """An open-weight model run on the GPUs of one self-host option."""

    host: SelfHostEntry
    model: ModelInfo
    provider: SelfHostedProvider = SelfHostedProvider()

    @property
    def key(self) -> tuple[str, str]:
        return (self.model.id, f"{SELF_HOSTED}:{self.host.option.id}")

    @property
    def label(self) -> str:
        return f"{self.model.id} @ {SELF_HOSTED} ({self.host.option.id})"

    @property
    def hardware(self) -> str:
        hw = self.host.option.hardware
        return f"{hw.count}x {hw.gpu}"


@dataclass(frozen=True)
class SelfHostedCost:
    """The cost of one request on a self-hosted offer at a volume."""

    total: Decimal
    """Per request, in `currency`."""
    currency: str
    usage: Usage
    requests_per_day: Decimal
    requests_per_month: Decimal
    peak_factor: Decimal
    replicas: int
    monthly: Decimal
    """All replicas for a month."""
    replica: ReplicaCost
    replica_throughput: Decimal
    """Output tokens/s one replica is planned to serve."""


def selfhosted_cost(
    host: SelfHostEntry,
    usage: Usage,
    *,
    requests_per_day: Decimal,
    peak_factor: Decimal,
    when: dt.date,
    currency: str,
    fx: Sequence[FxEntry],
) -> SelfHostedCost | None:
    """One request's share of a month of self-hosting (None: no GPU price in force that day).

    Raises NoPriceError when the GPU price has no exchange rate to `currency`.
    """
    replica = replica_monthly_cost(host, when=when, currency=currency, fx=fx)
    if replica is None:
        return None
    capacity = host.replica_throughput()
    with localcontext() as ctx:
        ctx.prec = PRECISION
        per_month = requests_per_day * DAYS_PER_MONTH
        generated = usage.output_tokens + usage.reasoning_tokens
        count = replicas_needed(peak_output_rate(per_month, generated, peak_factor), capacity)
        monthly = replica.amount * count
        total = monthly / per_month
    return SelfHostedCost(
        total=total,
        currency=currency,
        usage=usage,
        requests_per_day=requests_per_day,
        requests_per_month=per_month,
        peak_factor=peak_factor,
        replicas=count,
        monthly=monthly,
        replica=replica,
        replica_throughput=capacity,
    )


__all__ = [
    "SELF_HOSTED",
    "SelfHostedCost",
    "SelfHostedOffer",
    "SelfHostedProvider",
    "selfhosted_cost",
]
