"""Budget results -> tables (rich, Markdown, CSV) and the documented JSON payload.

Nothing here prints. Amounts in JSON and CSV are exact decimal strings
(`decimal_str`); tables round for display only (`fmt_money`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from costcalc.budget import (
    DAYS_PER_MONTH,
    BudgetPlan,
    BudgetResult,
    OfferBudget,
    Row,
    SelfHostBudget,
    monthly_requests,
    pct,
)
from costcalc.money import decimal_str, fmt_money, fmt_tokens, quantize, trim
from costcalc.numbers import exact_shift
from costcalc.render.contract import (
    ROUND_CEILING,
    ROUND_FLOOR,
    SCHEMA_VERSION,
    count,
    money,
    number,
)
from costcalc.render.notes import hidden_tokens_notes, price_age_note
from costcalc.render.tables import Column, Table

PROJECTION_COLUMNS = 3
"""Offers shown side by side in the projection table."""


def _d(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value)


def _short(value: Decimal) -> str:
    """1,234 / 1.2M / 3.4B: volumes in a table cell."""
    for size, floor, suffix in (
        (Decimal(10) ** 9, Decimal(10) ** 9, "B"),
        (Decimal(10) ** 6, Decimal(10) ** 6, "M"),
        (Decimal(10) ** 3, Decimal(10) ** 4, "k"),
    ):
        if abs(value) >= floor:
            shown = trim(quantize(exact_shift(value, -size.adjusted()), 1))
            return f"{shown:f}{suffix}"
    return fmt_tokens(quantize(value, 0))


def shown_rows(result: BudgetResult, show_all: bool, limit: int) -> tuple[list[Row], int]:
    """Rows to show: good-enough ones when a ranking was applied (all with show_all),
    at most `limit` API rows (0: no limit) plus, always, the recommended and chosen rows
    (so the table and the projection show what the verdict names); self-host rows always."""
    rows: Sequence[Row] = result.rows
    if result.ranked and not show_all:
        rows = [r for r in rows if r.good_enough is True]
    api = [r for r in rows if isinstance(r, OfferBudget)]
    if limit > 0:
        api = api[:limit]
    keep = {id(r) for r in api}
    keep |= {id(r) for r in rows if r.recommended or r is result.choice}
    shown = [r for r in rows if id(r) in keep or isinstance(r, SelfHostBudget)]
    return shown, len(result.rows) - len(shown)


def describe_workload(result: BudgetResult) -> str:
    w = result.workload
    first = monthly_requests(w, 1)
    parts = [f"{_short(first)} requests in month 1"]
    tokens = f"{fmt_tokens(w.input_tokens)} in"
    if w.cached_share:
        tokens += f" ({pct(w.cached_share)}% cached)"
    tokens += f" / {fmt_tokens(w.output_tokens)} out per request"
    parts.append(tokens)
    if w.batch_share:
        parts.append(f"{pct(w.batch_share)}% batch")
    if w.off_peak_share:
        parts.append(f"{pct(w.off_peak_share)}% off-peak")
    if w.months > 1:
        sign = "+" if w.growth >= 0 else ""
        parts.append(f"{sign}{pct(w.growth)}% a month over {w.months} months")
    parts.append(f"peak x{trim(w.peak_factor):f}")
    name = w.name + (" (illustrative preset)" if w.illustrative else "")
    return f"Workload {name}: " + ", ".join(parts)


def _m(value: Decimal, currency: str) -> str:
    """Table money: whole units from 1,000 up (display only), else fmt_money's default."""
    return fmt_money(value, currency, places=0 if abs(value) >= 1000 else None)


def _budget_cell(row: Row, currency: str) -> str:
    if row.fits_budget is None:
        return ""
    assert row.headroom is not None
    if not row.fits_budget:
        return f"over by {_m(-row.headroom, currency)}"
    text = f"fits, {_m(row.headroom, currency)} left"
    if row.over_budget_from is not None:
        text += f"; over in month {row.over_budget_from}"
    return text


def _notes_cell(row: Row) -> str:
    if isinstance(row, OfferBudget):
        check = row.rate_limit
        if check.status == "none":
            return "unverified: no published limits" + (
                f" for tier {check.tier}" if check.tier else ""
            )
        prefix = "LIMITED " if check.rate_limited else ""
        return (
            prefix + check.describe() + (" (unverified)" if check.status == "unpublished" else "")
        )
    hw = row.entry.option.hardware
    text = f"{row.replicas} x ({hw.count}x {hw.gpu}"
    text += f", {fmt_tokens(quantize(row.replica_throughput, 0))} tok/s)"
    if row.break_even_requests_per_month is not None:
        text += f"; break-even {_short(row.break_even_requests_per_month)} req/mo"
    elif row.compared_with is not None:
        text += "; never beats the API"
    return text


def main_table(result: BudgetResult, rows: Sequence[Row], hidden: int) -> Table:
    cur = result.currency
    many = result.workload.months > 1
    columns = [
        Column("model", no_wrap=True, essential=True),
        Column("provider", no_wrap=True, essential=True, stack_under="model"),
    ]
    if result.ranked:
        columns.append(Column("good enough", priority=9))
    columns += [
        Column("fixed/mo", "right", priority=4),
        Column("usage/mo", "right", priority=3),
        Column("month 1", "right", essential=True),
    ]
    if many:
        columns.append(Column(f"{result.workload.months} months", "right", priority=6))
    if result.budget is not None:
        columns.append(Column("budget", priority=8))
    columns.append(Column("rate limit / capacity", priority=5))
    body: list[list[str]] = []
    for row in rows:
        cells = [row.model, row.provider]
        if result.ranked:
            cells.append(
                "?"
                if row.good_enough is None
                else ("yes" if row.good_enough else "no") + (" *" if row.recommended else "")
            )
        cells += [
            _m(row.fixed_monthly_cost, cur) if row.fixed_monthly_cost else "-",
            _m(row.months[0].usage, cur) if row.months[0].usage else "-",
            _m(row.monthly_cost, cur),
        ]
        if many:
            cells.append(_m(row.total, cur))
        if result.budget is not None:
            cells.append(_budget_cell(row, cur))
        cells.append(_notes_cell(row))
        body.append(cells)
    notes = [result.verdict]
    if result.ranked:
        notes.append(
            f"good enough: quality band reaches the bar of {result.bar:.1f}"
            if result.bar is not None
            else "good enough: from the ranking"
        )
        notes.append("* the recommended offer of the ranking (cheapest good enough)")
    if hidden:
        what = "below the bar or past --limit" if result.ranked else "past --limit"
        notes.append(f"{hidden} more offers {what}; --all --limit 0 shows them")
    if result.workload.illustrative:
        notes.append("the preset's figures are illustrative assumptions, not measurements")
    age = price_age_note(
        (
            (f"{r.model} @ {r.provider}", r.cost.choice.period.as_of)
            for r in rows
            if isinstance(r, OfferBudget)
        ),
        result.when,
    )
    if age:
        notes.append(age)
    notes += hidden_tokens_notes(r.hidden for r in rows)
    for sh in rows:
        if isinstance(sh, SelfHostBudget):
            notes += [f"{sh.label}: {n}" for n in sh.notes]
    notes += _condensed(result)
    marks = {}
    for i, row in enumerate(rows):
        if row.rate_limited:
            marks[i] = "bad"
        elif row.fits_budget is False:
            marks[i] = "warn"
        elif row.recommended or row is result.choice:
            marks[i] = "good"
    return Table(
        columns,
        body,
        title=f"{describe_workload(result)} (prices as of {result.when}, {cur})",
        notes=notes,
        marks=marks,
    )


def _condensed(result: BudgetResult) -> list[str]:
    """Notes, with the offers that have no price on the day gathered on one line."""
    unpriced = []
    notes = []
    for note in result.notes:
        if note.startswith("not priced: ") and " no price in force on " in note:
            unpriced.append(note[len("not priced: ") :].split(":")[0])
        else:
            notes.append(note)
    if unpriced:
        notes.insert(
            0, f"no price in force on {result.when} for: {', '.join(unpriced)} (try --as-of)"
        )
    return notes


def projection_table(result: BudgetResult, rows: Sequence[Row]) -> Table | None:
    """Month by month for the first few shown rows (the choice first)."""
    if result.workload.months <= 1 or not rows:
        return None
    picked: list[Row] = []
    choice = result.choice
    if choice is not None and any(r is choice for r in rows):
        picked.append(choice)
    for row in rows:
        if len(picked) >= PROJECTION_COLUMNS:
            break
        if all(row is not p for p in picked):
            picked.append(row)
    cur = result.currency
    # The first picked offer (the choice) always shows; later ones hide first on a narrow screen.
    columns = [Column("month", "right", essential=True), Column("requests", "right", priority=9)]
    columns += [
        Column(r.label, "right", essential=i == 0, priority=-i) for i, r in enumerate(picked)
    ]
    body = []
    for i in range(result.workload.months):
        cells = [str(i + 1), _short(picked[0].months[i].requests)]
        for r in picked:
            m = r.months[i]
            text = _m(m.cost, cur)
            if m.replicas is not None and m.replicas > 1:
                text += f" ({m.replicas}x)"
            cells.append(text)
        body.append(cells)
    body.append(["total", ""] + [_m(r.total, cur) for r in picked])
    return Table(columns, body, title=f"Projection ({cur} a month)")


def budget_tables(plan: BudgetPlan, show_all: bool, limit: int) -> list[Table]:
    """The main table and the projection of every workload of the plan."""
    tables: list[Table] = []
    for result in plan.results:
        rows, hidden = shown_rows(result, show_all, limit)
        tables.append(main_table(result, rows, hidden))
        projection = projection_table(result, rows)
        if projection is not None:
            tables.append(projection)
    return tables


CSV_COLUMNS = (
    "workload",
    "kind",
    "model",
    "provider",
    "good_enough",
    "fixed_monthly_cost",
    "usage_monthly_cost",
    "monthly_cost",
    "total",
    "fits_budget",
    "headroom",
    "rate_limited",
    "replicas",
    "break_even_requests_per_month",
    "break_even_tokens_per_month",
    "hidden_tokens",
    "hidden_tokens_basis",
)


def _flag(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


def budget_csv(plan: BudgetPlan, show_all: bool, limit: int) -> Table:
    """One flat table of exact values (CSV is for machines)."""
    body = []
    for result in plan.results:
        rows, _ = shown_rows(result, show_all, limit)
        for r in rows:
            sh = r if isinstance(r, SelfHostBudget) else None
            body.append(
                [
                    result.workload.name,
                    r.kind,
                    r.model,
                    r.provider,
                    _flag(r.good_enough),
                    decimal_str(r.fixed_monthly_cost),
                    decimal_str(r.months[0].usage),
                    decimal_str(r.monthly_cost),
                    decimal_str(r.total),
                    _flag(r.fits_budget),
                    _d(r.headroom) or "",
                    _flag(r.rate_limited),
                    str(sh.replicas) if sh else "",
                    (_d(sh.break_even_requests_per_month) or "") if sh else "",
                    (_d(sh.break_even_tokens_per_month) or "") if sh else "",
                    decimal_str(r.hidden.tokens),
                    r.hidden.basis or "",
                ]
            )
    return Table([Column(c) for c in CSV_COLUMNS], body)


# ----------------------------------------------------------------------- JSON


def _rate_limit_payload(row: OfferBudget) -> dict[str, Any]:
    check = row.rate_limit
    shown = check.shown
    return {
        "status": check.status,
        "tier": check.tier,
        "month": shown.month if shown else None,
        "first_month_exceeded": shown.first_month_exceeded if shown else None,
        "limits": [
            {
                "name": u.name,
                "limit": u.limit,
                "demand": number(u.demand),
                "exceeded": u.exceeded,
            }
            for u in (shown.uses if shown else ())
        ],
        "as_of": shown.limit.as_of.isoformat() if shown else None,
        "source": shown.limit.source if shown else None,
        "note": shown.limit.note if shown else None,
        "tiers": [
            {"tier": t.tier, "status": t.status, "first_month_exceeded": t.first_month_exceeded}
            for t in check.tiers
        ],
    }


def _common(row: Row) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "model": row.model,
        "provider": row.provider,
        "good_enough": row.good_enough,
        "recommended": row.recommended,
        "quality": number(row.quality),
        "monthly_cost": decimal_str(row.monthly_cost),
        "fixed_monthly_cost": decimal_str(row.fixed_monthly_cost),
        "usage_monthly_cost": decimal_str(row.months[0].usage),
        "total": decimal_str(row.total),
        "fits_budget": row.fits_budget,
        "headroom": money(row.headroom),
        "over_budget_from": row.over_budget_from,
        "rate_limited": row.rate_limited,
        "hidden_tokens": decimal_str(row.hidden.tokens),
        "hidden_tokens_basis": row.hidden.basis,
        "hidden_tokens_source": row.hidden.source,
        "hidden_tokens_as_of": row.hidden.as_of.isoformat() if row.hidden.as_of else None,
    }


def offer_payload(row: Row) -> dict[str, Any]:
    """One row of the JSON `offers` list (see the README for every field)."""
    data = _common(row)
    if isinstance(row, OfferBudget):
        choice = row.cost.choice
        data.update(
            {
                "cost_per_request": decimal_str(row.per_request),
                "reasoning_tokens_per_request": decimal_str(row.usage.reasoning_tokens),
                "rate_limit": _rate_limit_payload(row),
                "price_as_of": choice.period.as_of.isoformat(),
                "price_source": choice.period.source,
                "price_origin": str(choice.origin),
                "price_currency": choice.currency,
                "projection": [
                    {
                        "month": m.month,
                        "requests": count(m.requests),
                        "cost": decimal_str(m.cost),
                    }
                    for m in row.months
                ],
                "notes": list(row.cost.notes),
            }
        )
        return data
    option = row.entry.option
    tp = option.throughput
    data.update(
        {
            "option": option.id,
            "hardware": {"gpu": option.hardware.gpu, "count": option.hardware.count},
            "replicas": row.replicas,
            "replica_monthly_cost": decimal_str(row.replica_cost),
            "replica_output_tokens_per_s": number(row.replica_throughput),
            "utilisation": number(row.utilisation, 4),
            "peak_output_tokens_per_s": number(row.peak_output_rate),
            "capacity_requests_per_month": count(row.capacity_requests_per_month, ROUND_FLOOR),
            "break_even_requests_per_month": count(
                row.break_even_requests_per_month, ROUND_CEILING
            ),
            "break_even_tokens_per_month": count(row.break_even_tokens_per_month, ROUND_CEILING),
            "compared_with": (
                {
                    "model": row.compared_with.model,
                    "provider": row.compared_with.provider,
                    "monthly_cost": decimal_str(row.compared_with.monthly_cost),
                }
                if row.compared_with
                else None
            ),
            "cheaper_than_api": row.cheaper_than_api,
            "gpu_price": {
                "provider": row.price.provider,
                "gpu": row.price.gpu,
                "price_per_gpu_hour": decimal_str(row.price.price_per_gpu_hour),
                "currency": row.price.currency,
                "pricing": row.price.pricing,
                "as_of": row.price.as_of.isoformat(),
                "source": row.price.source,
                "origin": str(row.price_origin),
                "conversion": row.conversion.describe() if row.conversion else None,
            },
            "throughput": {
                "output_tokens_per_s": number(tp.output_tokens_per_s),
                "per": tp.per,
                "measured_model": tp.measured_model,
                "proxy": tp.proxy,
                "engine": tp.engine,
                "as_of": tp.as_of.isoformat(),
                "source": tp.source,
            },
            "projection": [
                {
                    "month": m.month,
                    "requests": count(m.requests),
                    "cost": decimal_str(m.cost),
                    "replicas": m.replicas,
                }
                for m in row.months
            ],
            "notes": list(row.notes),
        }
    )
    return data


def workload_payload(result: BudgetResult) -> dict[str, Any]:
    w = result.workload
    return {
        "name": w.name,
        "description": w.description,
        "illustrative": w.illustrative,
        "requests_month_1": count(monthly_requests(w, 1)),
        "input_tokens": decimal_str(w.input_tokens),
        "output_tokens": decimal_str(w.output_tokens),
        "reasoning_tokens": _d(w.reasoning_tokens),
        "cached_share": decimal_str(w.cached_share),
        "batch_share": decimal_str(w.batch_share),
        "off_peak_share": decimal_str(w.off_peak_share),
        "growth": decimal_str(w.growth),
        "months": w.months,
        "peak_factor": decimal_str(w.peak_factor),
    }


def budget_payload(plan: BudgetPlan, show_all: bool, limit: int) -> dict[str, Any]:
    """The JSON document of `costcalc budget` (documented in the README)."""
    first = plan.results[0]
    items = []
    for result in plan.results:
        rows, hidden = shown_rows(result, show_all, limit)
        choice = result.choice
        items.append(
            {
                "workload": workload_payload(result),
                "ranked": result.ranked,
                "bar": number(result.bar),
                "verdict": result.verdict,
                "choice": (
                    {"model": choice.model, "provider": choice.provider, "kind": choice.kind}
                    if choice
                    else None
                ),
                "offers": [offer_payload(r) for r in rows],
                "hidden": hidden,
                "notes": list(result.notes),
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": first.when.isoformat(),
        "currency": first.currency,
        "days_per_month": decimal_str(DAYS_PER_MONTH),
        "budget": _d(first.budget),
        "tier": first.tier,
        "workloads": items,
    }
