"""`costcalc budget --monthly`: what a month of traffic costs, what fits, and self-hosting."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from costcalc.cli.common import (
    AsOfOpt,
    CachedShareOpt,
    CurrencyOpt,
    FormatOpt,
    GoodEnoughOpt,
    InputTokensOpt,
    MinCoverageOpt,
    MinQualityOpt,
    ModelOpt,
    ModelsArg,
    NoBundledOpt,
    OpenWeightsOpt,
    OutputTokensOpt,
    PricingOpt,
    ProviderOpt,
    ReasoningModelOpt,
    ReasoningTokensOpt,
    WeightsOpt,
    app,
    as_of_day,
    cache_dir,
    cached_share_option,
    check_currency,
    decimal_option,
    emit,
    err,
    fraction_option,
    handles_errors,
    load_catalog,
    token_option,
    warn,
    write_output,
)
from costcalc.render.tables import Format

PROJECT_WORKLOADS = "workloads.yaml"
"""The project's workload file, read from the current folder when no workload is given."""

if TYPE_CHECKING:
    from costcalc.catalog import Catalog
    from costcalc.schema.workload import Workload


def _workloads(
    catalog: "Catalog",
    preset_name: str | None,
    workload_file: Path | None,
    names: list[str] | None,
    overrides: dict[str, Any],
) -> "list[Workload]":
    """The workloads to price: a preset, a file's (all or the named ones), or flags alone."""
    from costcalc.errors import InputError
    from costcalc.workload import load_workloads, preset, presets, workload_with

    if preset_name and workload_file:
        raise InputError("give --preset or --workload-file, not both")
    flags_given = any(v is not None for v in overrides.values())
    if not (preset_name or workload_file or names or flags_given):
        # `costcalc budget --monthly` alone: the project's workload file, as Infracost finds
        # its usage file, else every bundled preset side by side.
        if Path(PROJECT_WORKLOADS).is_file():
            workload_file = Path(PROJECT_WORKLOADS)
            err(f"workloads from ./{PROJECT_WORKLOADS} (give --preset or flags for others)")
        else:
            known = presets(catalog)
            if known:
                err(
                    f"no workload given and no ./{PROJECT_WORKLOADS}: projecting the presets"
                    f" {', '.join(known)} (give --preset, --workload-file or flags)"
                )
                return list(known.values())
    bases: list[tuple[Workload | None, str]]
    if preset_name:
        bases = [(preset(catalog, preset_name), f"--preset {preset_name} with flags")]
    elif workload_file:
        chosen = load_workloads(workload_file, names)
        bases = [(w, f"{workload_file} ({w.name}) with flags") for w in chosen]
    else:
        if names:
            raise InputError("--workload NAME picks from a --workload-file")
        bases = [(None, "command line")]
    if not flags_given:
        return [b for b, _ in bases if b is not None] or [workload_with(None, overrides)]
    return [workload_with(base, overrides, source) for base, source in bases]


@app.command("budget")
@handles_errors
def budget_command(
    models: ModelsArg = None,
    monthly: Annotated[
        bool,
        typer.Option(
            "--monthly", help="Monthly budget (the only period for now; may be left out)."
        ),
    ] = True,
    preset_name: Annotated[
        str | None,
        typer.Option(
            "--preset",
            metavar="NAME",
            help="Bundled illustrative workload: small (support bot), medium (coding assistant),"
            " large (batch summariser).",
            show_default=False,
        ),
    ] = None,
    workload_file: Annotated[
        Path | None,
        typer.Option(
            "--workload-file",
            metavar="FILE",
            help="YAML file of named workloads (kind: workloads).",
        ),
    ] = None,
    workload: Annotated[
        list[str] | None,
        typer.Option(
            "--workload",
            metavar="NAME",
            help="Workload of --workload-file to price (all by default); repeatable.",
        ),
    ] = None,
    requests_per_day: Annotated[
        str | None,
        typer.Option(
            "--requests-per-day",
            metavar="NUMBER",
            help="Average requests a day.",
            show_default=False,
        ),
    ] = None,
    requests_per_month: Annotated[
        str | None,
        typer.Option(
            "--requests-per-month",
            metavar="NUMBER",
            help="Requests in month 1.",
            show_default=False,
        ),
    ] = None,
    input_tokens: InputTokensOpt = None,
    output_tokens: OutputTokensOpt = None,
    reasoning_tokens: ReasoningTokensOpt = None,
    reasoning_model: ReasoningModelOpt = None,
    cached_share: CachedShareOpt = None,
    batch_share: Annotated[
        str | None,
        typer.Option(
            "--batch-share",
            metavar="NUMBER",
            help="Share of requests sent in batch (0-1).",
            show_default=False,
        ),
    ] = None,
    off_peak_share: Annotated[
        str | None,
        typer.Option(
            "--off-peak-share",
            metavar="NUMBER",
            help="Share of requests sent off-peak (0-1).",
            show_default=False,
        ),
    ] = None,
    growth: Annotated[
        str | None,
        typer.Option(
            "--growth",
            metavar="NUMBER",
            help="Monthly growth, e.g. 0.1 for +10% a month.",
            show_default=False,
        ),
    ] = None,
    months: Annotated[
        int | None,
        typer.Option(
            "--months", metavar="N", help="Horizon of the projection in months.", show_default=False
        ),
    ] = None,
    peak_factor: Annotated[
        str | None,
        typer.Option(
            "--peak-factor",
            metavar="NUMBER",
            help="Busiest minute / average minute (>= 1).",
            show_default=False,
        ),
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(
            "--budget",
            metavar="NUMBER",
            help="Monthly budget in --currency; marks what fits.",
            show_default=False,
        ),
    ] = None,
    tier: Annotated[
        str | None,
        typer.Option(
            "--tier",
            metavar="TIER",
            help="Account tier whose rate limits to check (e.g. free, tier-1)"
            " [default: any published tier; see the README].",
            show_default=False,
        ),
    ] = None,
    utilisation: Annotated[
        str | None,
        typer.Option(
            "--utilisation",
            metavar="NUMBER",
            help="Share of the measured GPU throughput to plan on (0-1] [default: the option's].",
            show_default=False,
        ),
    ] = None,
    selfhost: Annotated[
        bool,
        typer.Option(
            "--selfhost/--no-selfhost", help="Show self-host rows for open-weight models."
        ),
    ] = True,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            metavar="PROFILE",
            help="Quality profile for the good-enough bar (as in compare) [default: balanced].",
            show_default=False,
        ),
    ] = None,
    weights: WeightsOpt = None,
    min_quality: MinQualityOpt = None,
    good_enough: GoodEnoughOpt = None,
    min_coverage: MinCoverageOpt = None,
    model: ModelOpt = None,
    provider: ProviderOpt = None,
    open_weights: OpenWeightsOpt = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also show offers below the quality bar.")
    ] = False,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", metavar="N", min=0, help="Most API offers shown per workload (0: all)."
        ),
    ] = 15,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help="Also draw the projection to FILE.svg or FILE.png (needs costcalc[plot]).",
        ),
    ] = None,
    currency: CurrencyOpt = None,
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    no_bundled: NoBundledOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Monthly cost of a workload on good-enough offers: budget, growth, rate limits, self-hosting.

    The workload comes from --preset, --workload-file or the flags (flags override a
    preset's or file's fields). A month is 30 days. See the README for every rule.
    """
    from costcalc.budget import BudgetOptions, plan
    from costcalc.cli.cmd_compare import check_reasoning_override, parse_weights
    from costcalc.errors import InputError
    from costcalc.render.budget import budget_csv, budget_payload, budget_tables

    del monthly  # the only period; the flag keeps `budget --monthly` explicit
    catalog = load_catalog(pricing, no_bundled)
    chosen = tuple([*(models or ()), *(model or ())])
    check_reasoning_override(reasoning_tokens, reasoning_model)
    overrides: dict[str, Any] = {
        "requests_per_day": decimal_option(requests_per_day, "--requests-per-day"),
        "requests_per_month": decimal_option(requests_per_month, "--requests-per-month"),
        "input_tokens": token_option(input_tokens, "--input-tokens"),
        "output_tokens": token_option(output_tokens, "--output-tokens"),
        "reasoning_tokens": token_option(reasoning_tokens, "--reasoning-tokens"),
        "reasoning_models": list(reasoning_model) if reasoning_model else None,
        "cached_share": cached_share_option(cached_share),
        "batch_share": fraction_option(batch_share, "--batch-share"),
        "off_peak_share": fraction_option(off_peak_share, "--off-peak-share"),
        "growth": fraction_option(growth, "--growth"),
        "months": months,
        "peak_factor": decimal_option(peak_factor, "--peak-factor"),
    }
    if overrides["requests_per_day"] is not None and overrides["requests_per_month"] is not None:
        raise InputError("give --requests-per-day or --requests-per-month, not both")
    loads = _workloads(catalog, preset_name, workload_file, workload, overrides)
    index = None
    if profile and (profile.endswith((".yaml", ".yml")) or Path(profile).is_file()):
        from costcalc.cli.cmd_compare import _profile_file
        from costcalc.quality import quality_index

        index = quality_index(catalog)
        profile = _profile_file(Path(profile), catalog, index)
    options = BudgetOptions(
        when=as_of_day(as_of),
        currency=check_currency(currency, "USD"),
        budget=decimal_option(budget, "--budget"),
        tier=tier,
        models=chosen,
        providers=tuple(provider or ()),
        open_weights=open_weights,
        selfhost=selfhost,
        utilisation=decimal_option(utilisation, "--utilisation"),
        profile=profile,
        weights=parse_weights(weights) if weights is not None else None,
        min_quality=decimal_option(min_quality, "--min-quality"),
        good_enough=decimal_option(good_enough, "--good-enough"),
        min_coverage=decimal_option(min_coverage, "--min-coverage"),
    )
    result = plan(catalog, loads, options, index=index, cache_dir=cache_dir())
    for message in result.warnings:
        warn(message)
    if plot is not None:
        from costcalc.render.budget_plot import plot_projection

        image = plot_projection(result.results[0], plot.suffix.lower().lstrip("."), show_all, limit)
        write_output(plot, image, "the plot")
        err(f"wrote {plot}")
    if fmt is Format.csv:
        emit([budget_csv(result, show_all, limit)], fmt, None)
        return
    emit(budget_tables(result, show_all, limit), fmt, budget_payload(result, show_all, limit))
