"""Commands on the price catalog itself: models, cost, validate, schema."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated

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
    emit,
    err,
    handles_errors,
    load_catalog,
    warn,
)
from costcalc.render.tables import Format


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
    from costcalc.listing import list_models
    from costcalc.render.catalog import models_payload, models_tables

    result = list_models(
        load_catalog(pricing, no_bundled),
        provider=provider,
        vendor=vendor,
        open_weights=open_weights,
        license_id=license_id,
    )
    emit(models_tables(result, fmt), fmt, models_payload(result))


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
    from costcalc import api
    from costcalc.render.catalog import cost_payload, cost_tables

    result = api.cost(
        model,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_tokens=cached_tokens,
        cache_write_tokens=cache_write_tokens,
        reasoning_tokens=reasoning_tokens,
        requests=requests,
        batch_share=Decimal(str(batch_share)),
        off_peak_share=Decimal(str(off_peak_share)),
        provider=provider,
        currency=currency,
        when=as_of_day(as_of),
        catalog=load_catalog(pricing, no_bundled),
    ).offers
    for problem in result.not_priced:  # the cheapest offer may be among them: say so here
        warn(f"not priced: {problem}")
    emit(cost_tables(result), fmt, cost_payload(result))


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
    from costcalc.loader import SCHEMA_KINDS as KINDS
    from costcalc.loader import model_for_kind
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
