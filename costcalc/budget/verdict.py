"""The verdict of a budget in plain words, and which rows carry the load."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from costcalc.budget.ratelimits import _round2, pct
from costcalc.budget.selfhost import SelfHostBudget
from costcalc.money import fmt_money, fmt_tokens, quantize
from costcalc.workload import monthly_requests

if TYPE_CHECKING:
    from costcalc.budget.projection import BudgetResult, Row


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
