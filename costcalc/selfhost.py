"""Pure self-hosting arithmetic: GPUs for a month, replicas for a load, break-even volume.

Rules (the README repeats them for users):
- one *replica* is the option's hardware block (e.g. 8 x H200); it serves the
  measured output throughput (per GPU figures are multiplied by the GPU count)
  times the option's target utilisation;
- a replica costs GPUs x price per GPU-hour x HOURS_PER_MONTH (720) a month,
  converted to the asked currency through the dated FX table; this is a fixed
  cost: it is paid whether the GPUs are busy or not;
- the load is the busiest second: requests per month x (output + reasoning
  tokens per request) / SECONDS_PER_MONTH x peak factor; replicas needed =
  ceil(load / replica capacity), at least one;
- break-even: with `a` the API cost of one request and `F` the monthly cost of
  one replica, the costs meet at V* = F / a requests a month. Above V*
  self-hosting is cheaper, as long as one replica carries V* (else there is no
  break-even: each replica costs more than the API bill of the most traffic it
  can carry). Past the first replica's capacity, adding a replica is a step, so
  just above each step the API can be cheaper again when F > a x capacity / 2.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from costcalc.catalog import Catalog, FxEntry, Origin
from costcalc.dated import latest_in_force
from costcalc.errors import InputError, Problem
from costcalc.fx import PRECISION, Conversion, conversion
from costcalc.layers import Merged, merge_section
from costcalc.records import (
    HOURS_PER_MONTH,
    SECONDS_PER_MONTH,
    GpuPrice,
    SelfHostOption,
)


@dataclass(frozen=True)
class SelfHostEntry:
    """A self-host option with its GPU prices (every dated row of its `gpu_price` id)."""

    option: SelfHostOption
    origin: Origin
    prices: tuple[tuple[GpuPrice, Origin], ...]

    @property
    def label(self) -> str:
        hw = self.option.hardware
        return f"{self.option.model} self-hosted on {hw.count} x {hw.gpu}"

    def price_on(self, when: dt.date) -> tuple[GpuPrice, Origin] | None:
        """The GPU price in force on a day (the latest dated on or before it), if any."""
        return latest_in_force(self.prices, when, lambda po: (po[0].as_of, po[0].valid_until))

    def replica_throughput(self, utilisation: Decimal | None = None) -> Decimal:
        """Output tokens per second one replica is planned to serve."""
        tp = self.option.throughput
        per_replica = tp.output_tokens_per_s * (
            self.option.hardware.count if tp.per == "gpu" else 1
        )
        share = self.option.target_utilisation if utilisation is None else utilisation
        return per_replica * share


def selfhost_entries(catalog: Catalog) -> list[SelfHostEntry]:
    """Every self-host option of the catalog's selfhost files, checked against the catalog.

    A later layer's option with the same id, or GPU price with the same id and day,
    replaces the earlier one; inside one layer each may be given once
    (`costcalc.layers`). Problems
    (unknown model, closed weights, unknown GPU price, GPU mismatch) are all
    reported at once, at the option's line.
    """
    gpu: Merged[tuple[str, dt.date], GpuPrice] = merge_section(
        catalog,
        "selfhost",
        "gpu_prices",
        lambda p: (p.id, p.as_of),
        lambda k: f"GPU price {k[0]!r} dated {k[1]}",
    )
    opts: Merged[str, SelfHostOption] = merge_section(
        catalog, "selfhost", "options", lambda o: o.id, lambda k: f"self-host option {k!r}"
    )
    prices: dict[str, list[tuple[GpuPrice, Origin]]] = {}
    for row in gpu.items.values():
        prices.setdefault(row.item.id, []).append((row.item, row.origin))
    problems: list[Problem] = [*gpu.problems, *opts.problems]
    entries: list[SelfHostEntry] = []
    for placed in opts.items.values():
        option, origin, where, line = placed.item, placed.origin, placed.field, placed.lines
        info = catalog.models.get(option.model)
        if info is None:
            from costcalc.catalog import did_you_mean

            problems.append(
                Problem(
                    f"unknown model {option.model!r}{did_you_mean(option.model, catalog.models)}",
                    origin.file,
                    line("model"),
                    f"{where}.model",
                )
            )
            continue
        if not info.open_weights:
            problems.append(
                Problem(
                    f"{option.model!r} has no open weights"
                    + (" (not known: its facts say neither)" if info.open_weights is None else "")
                    + ": it cannot be self-hosted",
                    origin.file,
                    line("model"),
                    f"{where}.model",
                )
            )
            continue
        rows = prices.get(option.gpu_price, [])
        if not rows:
            problems.append(
                Problem(
                    f"unknown GPU price {option.gpu_price!r}; define it under gpu_prices",
                    origin.file,
                    line("gpu_price"),
                    f"{where}.gpu_price",
                )
            )
            continue
        wrong = sorted({p.gpu for p, _ in rows if p.gpu != option.hardware.gpu})
        if wrong:
            problems.append(
                Problem(
                    f"GPU price {option.gpu_price!r} is for {', '.join(wrong)},"
                    f" but the hardware is {option.hardware.gpu!r}",
                    origin.file,
                    line("gpu_price"),
                    f"{where}.gpu_price",
                )
            )
            continue
        entries.append(SelfHostEntry(option, origin, tuple(sorted(rows, key=lambda r: r[0].as_of))))
    if problems:
        raise InputError(problems=problems)
    return sorted(entries, key=lambda e: (e.option.model, e.option.id))


@dataclass(frozen=True)
class ReplicaCost:
    """What one replica costs for a month in the asked currency, and from which price."""

    amount: Decimal
    price: GpuPrice
    price_origin: Origin
    conversion: Conversion | None


def replica_monthly_cost(
    entry: SelfHostEntry, *, when: dt.date, currency: str, fx: Sequence[FxEntry]
) -> ReplicaCost | None:
    """GPUs x price per GPU-hour x HOURS_PER_MONTH, converted; None when no price is in force."""
    found = entry.price_on(when)
    if found is None:
        return None
    price, origin = found
    conv = conversion(fx, price.currency, currency, when)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        native = entry.option.hardware.count * price.price_per_gpu_hour * HOURS_PER_MONTH
        amount = conv.apply(native) if conv else native
    return ReplicaCost(amount, price, origin, conv)


def peak_output_rate(
    requests_per_month: Decimal, output_per_request: Decimal, peak: Decimal
) -> Decimal:
    """Generated tokens per second in the busiest second of a month."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return requests_per_month * output_per_request / SECONDS_PER_MONTH * peak


def replicas_needed(peak_rate: Decimal, capacity: Decimal) -> int:
    """Replicas that carry a peak output rate: ceil(rate / capacity), at least one."""
    if peak_rate <= 0:
        return 1
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return max(1, math.ceil(peak_rate / capacity))


def capacity_requests(
    capacity: Decimal, output_per_request: Decimal, peak: Decimal
) -> Decimal | None:
    """Requests a month one replica carries at the peak factor (None: no output, no limit)."""
    if output_per_request <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return capacity * SECONDS_PER_MONTH / (peak * output_per_request)


def break_even(
    replica_cost: Decimal, api_cost_per_request: Decimal, capacity: Decimal | None
) -> Decimal | None:
    """Requests a month where one replica costs what the API does (None: never cheaper)."""
    if api_cost_per_request <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        volume = replica_cost / api_cost_per_request
    if capacity is not None and volume > capacity:
        return None
    return volume


__all__ = [
    "ReplicaCost",
    "SelfHostEntry",
    "break_even",
    "capacity_requests",
    "peak_output_rate",
    "replica_monthly_cost",
    "replicas_needed",
    "selfhost_entries",
]
