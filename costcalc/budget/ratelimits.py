"""Rate limits: whether an offer's published limits carry a workload, month by month.

Per-minute limits are checked at the peak (average minute x peak factor), daily
limits at the average day, on the online requests (the batch share goes through
the batch API and its own queue); tokens counted are input + output + reasoning.
Each month of the horizon is checked. Without a tier, the offer is limited when
no published tier carries the load, and the tier shown is the smallest one that does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Literal

from costcalc.catalog import OfferEntry
from costcalc.cost import Usage
from costcalc.dated import latest_in_force_by
from costcalc.fx import PRECISION
from costcalc.money import fmt_tokens, quantize, trim
from costcalc.numbers import exact_shift
from costcalc.records import RateLimit
from costcalc.schema.workload import DAYS_PER_MONTH, MINUTES_PER_MONTH, Workload
from costcalc.workload import monthly_requests, tokens_per_request

ZERO = Decimal(0)
ONE = Decimal(1)

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
    return latest_in_force_by(
        entry.offer.rate_limits, when, lambda lim: (lim.as_of, None), lambda lim: lim.tier
    )


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
