"""Commands on the price catalog itself: models, cost, validate, schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from costcalc.cli.common import (
    EXIT_INPUT,
    AsOfOpt,
    CurrencyOpt,
    FormatOpt,
    NoBundledOpt,
    PricingOpt,
    app,
    as_of_day,
    check_currency,
    emit,
    err,
    handles_errors,
    known_choice,
    load_catalog,
    warn,
)
from costcalc.render.tables import Format

if TYPE_CHECKING:
    from costcalc.cost import CostResult


@app.command("models")
@handles_errors
def models_command(
    provider: Annotated[
        str | None,
        typer.Option("--provider", metavar="PROVIDER", help="Only models this provider offers."),
    ] = None,
    vendor: Annotated[
        str | None,
        typer.Option("--vendor", metavar="VENDOR", help="Only models by this vendor (substring)."),
    ] = None,
    open_weights: Annotated[
        bool | None,
        typer.Option(
            "--open-weights/--closed-weights", help="Only open-weight (or closed) models."
        ),
    ] = None,
    license_id: Annotated[
        str | None,
        typer.Option("--license", metavar="LICENSE", help="Only models under this license id."),
    ] = None,
    pricing: PricingOpt = None,
    no_bundled: NoBundledOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """List the models of the catalog with their license and where they are offered."""
    from costcalc.render.tables import Column, Table, records_table

    catalog = load_catalog(pricing, no_bundled)
    if provider:
        catalog.provider(provider)
    if license_id:
        known = {m.license for m in catalog.models.values()}
        license_id = known_choice(license_id, known, "--license", "license")
    offered: dict[str, list[str]] = {}
    for o in catalog.offers:
        offered.setdefault(o.model.id, []).append(o.provider.id)
    rows: list[list[str]] = []
    payload: list[dict[str, Any]] = []
    for model in catalog.models.values():
        providers = sorted(offered.get(model.id, []))
        if provider and provider.lower() not in providers:
            continue
        if vendor and vendor.lower() not in model.vendor.lower():
            continue
        if open_weights is not None and model.open_weights != open_weights:
            continue
        if license_id and model.license != license_id.lower():
            continue
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
                ", ".join(providers) or "-",
            ]
        )
        payload.append(
            {
                "id": model.id,
                "name": model.name,
                "vendor": model.vendor,
                "open_weights": model.open_weights,
                "license": model.license,
                "parameters_total_b": str(model.parameters.total_b) if model.parameters else None,
                "parameters_active_b": (
                    str(model.parameters.active_b)
                    if model.parameters and model.parameters.active_b
                    else None
                ),
                "context_window": model.context_window,
                "aliases": list(model.aliases),
                "providers": providers,
            }
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
    if fmt is Format.csv:
        table = records_table(payload, list(payload[0]) if payload else ["id"])
    emit([table], fmt, {"models": payload})


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


def _breakdown_table(result: CostResult) -> Any:
    """The breakdown as a table; sources are numbered notes so the table stays narrow."""
    from costcalc.money import fmt_money, fmt_tokens
    from costcalc.render.tables import Column, Table

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


@app.command("cost")
@handles_errors
def cost_command(
    model: Annotated[str, typer.Argument(metavar="MODEL", help="Model id or alias.")],
    input_tokens: Annotated[
        int,
        typer.Option(
            "--input-tokens", metavar="N", min=0, help="All prompt tokens, cached ones included."
        ),
    ],
    output_tokens: Annotated[
        int, typer.Option("--output-tokens", metavar="N", min=0, help="Visible answer tokens.")
    ],
    cached_tokens: Annotated[
        int,
        typer.Option("--cached-tokens", metavar="N", min=0, help="Prompt tokens read from cache."),
    ] = 0,
    cache_write_tokens: Annotated[
        int,
        typer.Option(
            "--cache-write-tokens", metavar="N", min=0, help="Prompt tokens written to cache."
        ),
    ] = 0,
    reasoning_tokens: Annotated[
        int,
        typer.Option(
            "--reasoning-tokens", metavar="N", min=0, help="Hidden reasoning tokens billed on top."
        ),
    ] = 0,
    requests: Annotated[
        int, typer.Option("--requests", metavar="N", min=0, help="How many such requests.")
    ] = 1,
    batch_share: Annotated[
        float,
        typer.Option(
            "--batch-share", metavar="SHARE", min=0, max=1, help="Share sent through a batch API."
        ),
    ] = 0.0,
    off_peak_share: Annotated[
        float,
        typer.Option(
            "--off-peak-share", metavar="SHARE", min=0, max=1, help="Share sent in off-peak hours."
        ),
    ] = 0.0,
    provider: Annotated[
        str | None,
        typer.Option("--provider", metavar="PROVIDER", help="Price this provider's offer only."),
    ] = None,
    currency: CurrencyOpt = None,
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    no_bundled: NoBundledOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Cost of a usage on a model's offers, with the breakdown behind the figure.

    Without --provider every offer of the model is priced; the cheapest comes first.
    """
    from costcalc.cost import Usage, cost_of
    from costcalc.errors import InputError, NoPriceError, Problem

    catalog = load_catalog(pricing, no_bundled)
    info = catalog.model(model)
    entries = catalog.offers_for(info.id, provider)
    if not entries:
        raise _no_offer(info.id)
    when = as_of_day(as_of)
    usage = Usage(
        input_tokens=Decimal(input_tokens),
        output_tokens=Decimal(output_tokens),
        cached_tokens=Decimal(cached_tokens),
        cache_write_tokens=Decimal(cache_write_tokens),
        reasoning_tokens=Decimal(reasoning_tokens),
        requests=Decimal(requests),
        batch_share=Decimal(str(batch_share)),
        off_peak_share=Decimal(str(off_peak_share)),
    )
    # One offer is priced in its provider's currency by default; several in USD, to compare.
    cur = check_currency(currency, entries[0].provider.currency if len(entries) == 1 else "USD")
    results = []
    skipped: list[Problem] = []
    for entry in entries:
        try:
            results.append(cost_of(entry, usage, when=when, currency=cur, fx=catalog.fx))
        except NoPriceError as exc:
            if len(entries) == 1:
                raise
            skipped.extend(exc.problems)
    if not results:
        raise InputError(problems=skipped)
    for problem in skipped:  # the cheapest offer may be among them: say so where it is seen
        warn(f"not priced: {problem}")
    results.sort(key=lambda r: (r.total, r.provider))
    best, others = results[0], results[1:]
    tables = [_breakdown_table(best)]
    payload = _result_payload(best)
    if others or skipped:
        from costcalc.money import decimal_str, fmt_money
        from costcalc.render.tables import Column, Table

        tables.append(
            Table(
                [
                    Column("other offers of " + best.model),
                    Column(f"cost ({best.currency})", "right"),
                ],
                [[r.provider, fmt_money(r.total, r.currency)] for r in others],
                notes=[f"not priced: {p.message}" for p in skipped],
            )
        )
        payload["other_offers"] = [
            {"provider": r.provider, "total": decimal_str(r.total)} for r in others
        ]
        payload["not_priced"] = [p.message for p in skipped]
    emit(tables, fmt, payload)


def _no_offer(model_id: str) -> Exception:
    from costcalc.errors import InputError

    return InputError(
        f"{model_id!r} is in the catalog but no provider sheet offers it"
        " (an open-weight model you would host yourself?); add an offer with --pricing"
    )


@app.command("validate")
@handles_errors
def validate_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH",
            help="Folders or files of sheets; the bundled ones when none is given.",
        ),
    ] = None,
    pricing: PricingOpt = None,
    no_bundled: NoBundledOpt = False,
    max_age: Annotated[
        str | None,
        typer.Option(
            "--max-age",
            metavar="AGE",
            help="Warn about prices (in force on --as-of) and scores older than this: 90d, 12w.",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="With --max-age: stale figures fail (exit 1).")
    ] = False,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            "--as-of",
            metavar="YYYY-MM-DD",
            formats=["%Y-%m-%d"],
            help="With --max-age: measure ages on this day (YYYY-MM-DD); default: today (UTC).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check sheets: every field, every cross-reference, the data rules; exit 2 naming file,
    line and field (overlapping price periods, a price before the model's release, a score
    window that is not its benchmark's, one problem set under two benchmark ids). A score
    without a date is a warning.

    With --max-age, also name every price and score older than the limit (a warning;
    with --strict a failure, exit 1).
    """
    from costcalc.budget import presets
    from costcalc.cli.cmd_import import check_staleness
    from costcalc.errors import InputError
    from costcalc.quality import quality_index
    from costcalc.selfhost import selfhost_entries

    catalog = load_catalog(list(pricing or []) + list(paths or []), no_bundled)
    # Cross-references between kinds, all reported in one run: scores and profiles
    # name known models and benchmarks, self-host options known models and GPU prices,
    # workload presets are well formed.
    problems = []
    for check in (quality_index, selfhost_entries, presets):
        try:
            check(catalog)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems=problems)
    from costcalc.datarules import check as data_rules

    findings = data_rules(catalog, quality_index(catalog))
    errors = [f.problem for f in findings if f.severity == "error"]
    if errors:
        raise InputError(problems=errors)
    for finding in findings:
        err(f"warning: {finding.problem}")
    files = len({d.path for d in catalog.documents})
    periods = sum(len(o.offer.prices) for o in catalog.offers)
    err(
        f"ok: {files} files, {len(catalog.models)} models, {len(catalog.providers)} providers,"
        f" {len(catalog.offers)} offers, {periods} price periods, {len(catalog.fx)} exchange rates"
    )
    check_staleness(catalog, max_age, strict, as_of_day(as_of))


@app.command("schema")
@handles_errors
def schema_command(
    kind: Annotated[
        str | None,
        typer.Argument(metavar="KIND", help="File kind: price-sheet, models, fx-rates, ..."),
    ] = None,
    write: Annotated[
        Path | None,
        typer.Option(
            "--write",
            metavar="DIR",
            help="Write every kind's schema as KIND.schema.json into this folder.",
        ),
    ] = None,
) -> None:
    """Print the JSON Schema of a file kind, for editor completion and checking."""
    import json

    from costcalc.catalog import did_you_mean
    from costcalc.errors import InputError
    from costcalc.files import write_outputs
    from costcalc.loader import KINDS, model_for_kind
    from costcalc.schema.docs import json_schema

    if write is not None:
        texts = {
            name: json.dumps(json_schema(model_for_kind(name)), indent=2) + "\n" for name in KINDS
        }
        write_outputs([(write / f"{n}.schema.json", t, "the schema") for n, t in texts.items()])
        err(f"wrote {len(KINDS)} schemas to {write}")
        return
    if kind is None:
        err("kinds: " + ", ".join(KINDS))
        raise typer.Exit(EXIT_INPUT)
    if kind not in KINDS:
        raise InputError(
            f"unknown kind {kind!r}{did_you_mean(kind, KINDS)}; kinds: {', '.join(KINDS)}"
        )
    typer.echo(json.dumps(json_schema(model_for_kind(kind)), indent=2))
