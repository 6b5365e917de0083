"""Tables and JSON documents of `costcalc models`, `cost` and `prices diff`.

Each result of the core (costcalc.listing.ModelList, costcalc.cost.OfferCosts,
costcalc.pricediff.PriceDiff) has a `*_payload` (the `--format json` document:
exact decimal strings, integers for counts) and a `*_tables` (display strings for
the table, Markdown and CSV formats). The CLI and costcalc.api both use these, so
a notebook gets the same document as the command line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costcalc.render.tables import Column, Format, Table, records_table

if TYPE_CHECKING:
    from costcalc.cost import CostResult, OfferCosts
    from costcalc.listing import ModelList
    from costcalc.pricediff import PriceDiff


# ------------------------------------------------------------------ models


def models_payload(result: ModelList) -> dict[str, Any]:
    """The JSON of `costcalc models`: one record per model."""
    return {"models": _model_records(result)}


def _model_records(result: ModelList) -> list[dict[str, Any]]:
    records = []
    for row in result.rows:
        model = row.model
        active = row.parameters_active_b
        records.append(
            {
                "id": model.id,
                "name": model.name,
                "vendor": model.vendor,
                "open_weights": model.open_weights,
                "license": model.license,
                "parameters_total_b": str(model.parameters.total_b) if model.parameters else None,
                "parameters_active_b": str(active) if active is not None else None,
                "context_window": model.context_window,
                "aliases": list(model.aliases),
                "providers": list(row.providers),
            }
        )
    return records


def models_tables(result: ModelList, fmt: Format = Format.table) -> list[Table]:
    """The models as a table; for CSV, the JSON records as exact values."""
    if fmt is Format.csv:
        records = _model_records(result)
        return [records_table(records, list(records[0]) if records else ["id"])]
    rows: list[list[str]] = []
    for row in result.rows:
        model = row.model
        params = ""
        if model.parameters:
            params = f"{model.parameters.total_b}B"
            if model.parameters.active_b:
                params += f" ({model.parameters.active_b}B active)"
        rows.append(
            [
                model.id,
                model.vendor,
                {True: "yes", False: "no", None: "unknown"}[model.open_weights],
                model.license,
                params,
                f"{model.context_window:,}" if model.context_window else "",
                ", ".join(row.providers) or "-",
            ]
        )
    table = Table(
        [
            Column("model", no_wrap=True, essential=True),
            Column("vendor", priority=5),
            Column("open weights", priority=6),
            Column("license", priority=2),
            Column("parameters", "right", priority=4),
            Column("context", "right", priority=3),
            Column("offered by", priority=7),
        ],
        rows,
        title=f"{len(rows)} models",
    )
    return [table]


# ------------------------------------------------------------------ cost


def cost_payload(result: OfferCosts) -> dict[str, Any]:
    """The JSON of `costcalc cost`: the cheapest offer's breakdown; with several offers asked,
    the others' totals and the offers that could not be priced."""
    from costcalc.money import decimal_str

    payload = _result_payload(result.best)
    if result.others or result.not_priced:
        payload["other_offers"] = [
            {"provider": r.provider, "total": decimal_str(r.total)} for r in result.others
        ]
        payload["not_priced"] = [p.message for p in result.not_priced]
    return payload


def cost_tables(result: OfferCosts) -> list[Table]:
    """The cheapest offer's breakdown, then (with several offers) the others' totals."""
    from costcalc.money import fmt_money

    best = result.best
    tables = [breakdown_table(best)]
    if result.others or result.not_priced:
        tables.append(
            Table(
                [
                    Column("other offers of " + best.model),
                    Column(f"cost ({best.currency})", "right"),
                ],
                [[r.provider, fmt_money(r.total, r.currency)] for r in result.others],
                notes=[f"not priced: {p.message}" for p in result.not_priced],
            )
        )
    return tables


def _result_payload(result: CostResult) -> dict[str, Any]:
    from costcalc.money import decimal_str

    choice = result.choice
    return {
        "model": result.model,
        "provider": result.provider,
        "currency": result.currency,
        "total": decimal_str(result.total),
        "price_currency": choice.currency,
        "price_published_in_currency": choice.published,
        "price_as_of": choice.period.as_of.isoformat(),
        "price_source": choice.period.source,
        "price_origin": str(choice.origin),
        "conversion": (
            {
                "base": choice.conversion.base,
                "quote": choice.conversion.quote,
                "rate": decimal_str(choice.conversion.rate),
                "as_of": choice.conversion.as_of.isoformat(),
                "source": choice.conversion.source,
                "origin": choice.conversion.origin,
            }
            if choice.conversion
            else None
        ),
        "breakdown": [
            {
                "component": line.component,
                "mode": line.mode,
                "billed_as": line.billed_as,
                "tier_above_input_tokens": line.tier,
                "tokens": decimal_str(line.tokens),
                "rate_per_million": decimal_str(line.rate),
                "rate_currency": line.rate_currency,
                "amount": decimal_str(line.amount),
                "source": line.source,
                "as_of": line.as_of.isoformat(),
                "origin": line.origin,
            }
            for line in result.lines
        ],
        "notes": list(result.notes),
    }


def breakdown_table(result: CostResult) -> Table:
    """The breakdown as a table; sources are numbered notes so the table stays narrow."""
    from costcalc.money import fmt_money, fmt_tokens

    how = "published price" if result.choice.published else "converted"
    sources: list[str] = []
    rows = []
    for line in result.lines:
        if line.source not in sources:
            sources.append(line.source)
        rows.append(
            [
                line.component + ("" if line.mode == "standard" else f" ({line.mode})"),
                fmt_tokens(line.tokens),
                f"{fmt_money(line.rate, line.rate_currency, places=_places(line.rate))}/M"
                + (" as " + line.billed_as if line.billed_as != line.component else ""),
                fmt_money(line.amount, result.currency),
                f"{line.as_of} [{sources.index(line.source) + 1}]",
            ]
        )
    rows.append(["total", "", "", fmt_money(result.total, result.currency), ""])
    return Table(
        [
            Column("component", essential=True),
            Column("tokens", "right", priority=6),
            Column("price", "right", priority=5),
            Column(f"cost ({result.currency})", "right", essential=True),
            Column("as of [source]", priority=3),
        ],
        rows,
        title=f"{result.model} @ {result.provider}: {fmt_money(result.total, result.currency)}"
        f" ({how})",
        notes=[
            *(f"[{i}] {text}" for i, text in enumerate(sources, 1)),
            f"prices: {result.choice.origin}",
            *result.notes,
        ],
    )


def _places(rate: Decimal) -> int:
    """Enough places to show a per-million price exactly, at least two."""
    from costcalc.money import trim

    exponent = trim(rate).as_tuple().exponent  # normalize() would round past 28 digits
    return max(2, -exponent if isinstance(exponent, int) else 2)


# ------------------------------------------------------------------ prices diff


def diff_payload(result: PriceDiff, old: str, new: str) -> dict[str, Any]:
    """The JSON of `prices diff`: exact decimal strings; percent rounded to 0.01."""
    from costcalc.money import decimal_str

    def offer(o: Any) -> dict[str, Any]:
        return {
            "provider": o.provider,
            "model": o.model,
            "currency": o.currency,
            "as_of": o.as_of.isoformat(),
            "prices": {k: decimal_str(v) for k, v in o.prices.items()},
            "origin": o.origin,
        }

    return {
        "old": old,
        "new": new,
        "summary": {
            "added": len(result.added),
            "removed": len(result.removed),
            "changed_offers": result.changed_offers,
            "changed_prices": len(result.changed),
            "unchanged": result.unchanged,
        },
        "added": [offer(o) for o in result.added],
        "removed": [offer(o) for o in result.removed],
        "changed": [
            {
                "provider": c.provider,
                "model": c.model,
                "currency": c.currency,
                "price": c.price,
                "old": decimal_str(c.old) if c.old is not None else None,
                "new": decimal_str(c.new) if c.new is not None else None,
                "percent": decimal_str(c.percent) if c.percent is not None else None,
                "old_as_of": c.old_as_of.isoformat(),
                "new_as_of": c.new_as_of.isoformat(),
                "origin": c.origin,
            }
            for c in result.changed
        ],
    }


def diff_table(result: PriceDiff) -> Table:
    """One table (so CSV holds everything): a row per added or removed offer, per changed price."""
    from costcalc.money import decimal_str

    def in_out(prices: dict[str, Any]) -> str:
        return f"in {decimal_str(prices['input'])} / out {decimal_str(prices['output'])}"

    rows: list[list[str]] = []
    for o in result.added:
        rows.append(["added", o.model, o.provider, o.currency, "", "", in_out(o.prices), ""])
    for o in result.removed:
        rows.append(["removed", o.model, o.provider, o.currency, "", in_out(o.prices), "", ""])
    for c in result.changed:
        pct = c.percent
        rows.append(
            [
                "changed",
                c.model,
                c.provider,
                c.currency,
                c.price,
                decimal_str(c.old) if c.old is not None else "-",
                decimal_str(c.new) if c.new is not None else "-",
                (f"{pct:+.2f}%" if pct is not None else ""),
            ]
        )
    title = (
        f"{count(len(result.added), 'offer')} added, {len(result.removed):,} removed,"
        f" {count(len(result.changed), 'price')} changed"
        f" in {count(result.changed_offers, 'offer')},"
        f" {result.unchanged:,} unchanged (prices per million tokens)"
    )
    return Table(
        [
            Column("change"),
            Column("model"),
            Column("provider"),
            Column("currency"),
            Column("price"),
            Column("old", "right"),
            Column("new", "right"),
            Column("change %", "right"),
        ],
        rows,
        title=title,
    )


def count(n: int, noun: str) -> str:
    """'1 offer', '2,000 offers'."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
