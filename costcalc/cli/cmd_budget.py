"""`costcalc budget --monthly`: what a month of traffic costs, what fits, and self-hosting."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from costcalc.cli.common import (
    AsOfOpt,
    CurrencyOpt,
    FormatOpt,
    GoodEnoughOpt,
    MinCoverageOpt,
    MinQualityOpt,
    NoBundledOpt,
    OpenWeightsOpt,
    PricingOpt,
    WeightsOpt,
    app,
    as_of_day,
    check_currency,
    decimal_option,
    emit,
    err,
    fraction_option,
    handles_errors,
    known_choice,
    load_catalog,
    summarise_reasons,
    warn,
    write_output,
)
from costcalc.render.tables import Format

PROJECT_WORKLOADS = "workloads.yaml"
"""The project's workload file, read from the current folder when no workload is given."""

if TYPE_CHECKING:
    from decimal import Decimal

    from costcalc.budget import BudgetResult
    from costcalc.catalog import Catalog, OfferEntry
    from costcalc.schema.workload import Workload


def _workloads(
    catalog: Catalog,
    preset_name: str | None,
    workload_file: Path | None,
    names: list[str] | None,
    overrides: dict[str, Any],
) -> list[Workload]:
    """The workloads to price: a preset, a file's (all or the named ones), or flags alone."""
    from costcalc.budget import preset, presets, workload_with
    from costcalc.catalog import did_you_mean
    from costcalc.errors import InputError
    from costcalc.loader import load_document

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
        doc = load_document(workload_file, ("workloads",))
        found = {w.name: w for w in doc.model.workloads}
        if names:
            missing = [n for n in names if n not in found]
            if missing:
                raise InputError(
                    f"no workload named {missing[0]!r} in the file"
                    f"{did_you_mean(missing[0], found)}; it has: {', '.join(found)}",
                    file=str(workload_file),
                )
            chosen = [found[n] for n in names]
        else:
            chosen = list(found.values())
        bases = [(w, f"{workload_file} ({w.name}) with flags") for w in chosen]
    else:
        if names:
            raise InputError("--workload NAME picks from a --workload-file")
        bases = [(None, "command line")]
    if not flags_given:
        return [b for b, _ in bases if b is not None] or [workload_with(None, overrides)]
    return [workload_with(base, overrides, source) for base, source in bases]


def _ranking(
    catalog: Catalog,
    result: BudgetResult,
    *,
    profile: str | None,
    weights: str | None,
    min_quality: Decimal | None,
    good_enough: Decimal | None,
    min_coverage: Decimal | None,
    providers: list[str] | None,
    open_weights: bool | None,
    models: list[str] | None,
) -> bool:
    """Mark good-enough rows from compare's ranking; False when the catalog has no quality data."""
    from costcalc.budget import apply_ranking
    from costcalc.cli.cmd_compare import _profile_file, parse_weights
    from costcalc.cli.common import cache_dir
    from costcalc.compare import CompareOptions, compare_full
    from costcalc.cost import Usage
    from costcalc.quality import quality_index

    asked = any(x is not None for x in (profile, weights, min_quality, good_enough, min_coverage))
    index = quality_index(catalog)
    if not index.profiles and not asked:
        return False
    name = profile or "balanced"
    if profile and (profile.endswith((".yaml", ".yml")) or Path(profile).is_file()):
        name = _profile_file(Path(profile), catalog, index)
    w = result.workload
    usage = Usage(
        input_tokens=w.input_tokens,
        output_tokens=w.output_tokens,
        cached_tokens=w.input_tokens * w.cached_share,
        batch_share=w.batch_share,
        off_peak_share=w.off_peak_share,
    )
    options = CompareOptions(
        usage=usage,
        when=result.when,
        currency=result.currency,
        profile=name,
        weights=parse_weights(weights) if weights is not None else None,
        min_quality=min_quality,
        good_enough=good_enough,
        min_coverage=min_coverage,
        providers=providers or None,
        open_weights=open_weights,
        models=models or None,
        reasoning_tokens=w.reasoning_tokens,
        reasoning_models=tuple(w.reasoning_models),
    )
    ranking, _ = compare_full(catalog, options, index, cache_dir())
    apply_ranking(result, ranking)
    return True


def require_priced(
    catalog: Catalog, result: BudgetResult, asked: list[str] | None, offers: list[OfferEntry]
) -> None:
    """Errors instead of empty answers, as in compare (the README states the rule).

    No row priced at all (no rate to the currency, no price in force): exit 2 with the
    reasons. A model asked for with --model that has no row: a warning naming it and why;
    exit 2 when none of them has one.
    """
    from costcalc.cost import choose_period
    from costcalc.errors import InputError, NoPriceError, Problem

    if not result.rows:
        reasons = [n.removeprefix("not priced: ") for n in result.notes if n.startswith("not ")]
        raise InputError(
            f"no offer can be priced in {result.currency} for workload {result.workload.name}: "
            + (summarise_reasons(reasons) if reasons else "no offer matches the filters")
        )
    if not asked:
        return
    shown = {row.model for row in result.rows}
    problems = []
    for name in asked:
        mid = catalog.model(name).id
        if mid in shown:
            continue
        why = []
        for entry in (o for o in offers if o.model.id == mid):
            try:
                choose_period(entry, result.when, result.currency, catalog.fx)
            except NoPriceError as exc:
                why.append(exc.problems[0].message)
        problems.append(
            Problem(f"{name} is not in the budget: {'; '.join(why) or 'no offer of it is priced'}")
        )
    if len(problems) == len(asked):
        raise InputError(problems=[*problems, Problem("none of the models asked for is priced")])
    for problem in problems:
        warn(problem.message)


@app.command("budget")
@handles_errors
def budget_command(
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
    input_tokens: Annotated[
        str | None,
        typer.Option(
            "--input-tokens",
            metavar="NUMBER",
            help="Prompt tokens per request, cached ones included.",
            show_default=False,
        ),
    ] = None,
    output_tokens: Annotated[
        str | None,
        typer.Option(
            "--output-tokens",
            metavar="NUMBER",
            help="Answer tokens per request.",
            show_default=False,
        ),
    ] = None,
    reasoning_tokens: Annotated[
        str | None,
        typer.Option(
            "--reasoning-tokens",
            metavar="NUMBER",
            help="Hidden reasoning tokens per request for the --reasoning-model models.",
            show_default=False,
        ),
    ] = None,
    reasoning_model: Annotated[
        list[str] | None,
        typer.Option(
            "--reasoning-model",
            metavar="MODEL",
            help="A model --reasoning-tokens applies to; repeatable.",
        ),
    ] = None,
    cached_share: Annotated[
        str | None,
        typer.Option(
            "--cached-share",
            metavar="NUMBER",
            help="Share of the prompt read from cache (0-1).",
            show_default=False,
        ),
    ] = None,
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
    model: Annotated[
        list[str] | None,
        typer.Option("--model", metavar="MODEL", help="Only this model; repeatable."),
    ] = None,
    provider: Annotated[
        list[str] | None,
        typer.Option(
            "--provider", metavar="PROVIDER", help="Only this provider's offers; repeatable."
        ),
    ] = None,
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
    from costcalc.budget import DAYS_PER_MONTH, monthly_costs
    from costcalc.errors import InputError
    from costcalc.render.budget import budget_csv, budget_payload, budget_tables

    del monthly  # the only period; the flag keeps `budget --monthly` explicit
    catalog = load_catalog(pricing, no_bundled)
    overrides: dict[str, Any] = {
        "requests_per_day": decimal_option(requests_per_day, "--requests-per-day"),
        "requests_per_month": decimal_option(requests_per_month, "--requests-per-month"),
        "input_tokens": decimal_option(input_tokens, "--input-tokens"),
        "output_tokens": decimal_option(output_tokens, "--output-tokens"),
        "reasoning_tokens": decimal_option(reasoning_tokens, "--reasoning-tokens"),
        "reasoning_models": list(reasoning_model) if reasoning_model else None,
        "cached_share": fraction_option(cached_share, "--cached-share"),
        "batch_share": fraction_option(batch_share, "--batch-share"),
        "off_peak_share": fraction_option(off_peak_share, "--off-peak-share"),
        "growth": fraction_option(growth, "--growth"),
        "months": months,
        "peak_factor": decimal_option(peak_factor, "--peak-factor"),
    }
    if overrides["requests_per_day"] is not None and overrides["requests_per_month"] is not None:
        raise InputError("give --requests-per-day or --requests-per-month, not both")
    loads = _workloads(catalog, preset_name, workload_file, workload, overrides)
    when = as_of_day(as_of)
    cur = check_currency(currency, "USD")
    money = decimal_option(budget, "--budget")
    share = decimal_option(utilisation, "--utilisation")
    if tier is not None:
        tiers = {lim.tier for o in catalog.offers for lim in o.offer.rate_limits}
        tier = known_choice(tier, tiers, "--tier", "rate-limit tier")
    wanted = {catalog.model(m).id for m in model} if model else None
    providers = {catalog.provider(p).id for p in provider} if provider else None
    offers = [
        o
        for o in catalog.offers
        if (wanted is None or o.model.id in wanted)
        and (providers is None or o.provider.id in providers)
        and (open_weights is None or o.model.open_weights == open_weights)
    ]
    hostable = {
        m.id
        for m in catalog.models.values()
        if (wanted is None or m.id in wanted) and open_weights is not False
    }
    if providers is not None:
        hostable &= {o.model.id for o in offers}
    results = []
    for load in loads:
        result = monthly_costs(
            catalog,
            load,
            when=when,
            currency=cur,
            budget=money,
            tier=tier,
            offers=offers,
            models=hostable,
            selfhost=selfhost,
            utilisation=share,
        )
        ranked = _ranking(
            catalog,
            result,
            profile=profile,
            weights=weights,
            min_quality=decimal_option(min_quality, "--min-quality"),
            good_enough=decimal_option(good_enough, "--good-enough"),
            min_coverage=decimal_option(min_coverage, "--min-coverage"),
            providers=provider,
            open_weights=open_weights,
            models=model,
        )
        if not ranked:
            result.notes.append("no quality data in the loaded sheets: every priced offer is shown")
        require_priced(catalog, result, model, offers)
        results.append(result)
    if plot is not None:
        from costcalc.render.budget_plot import plot_projection

        image = plot_projection(results[0], plot.suffix.lower().lstrip("."), show_all, limit)
        write_output(plot, image, "the plot")
        err(f"wrote {plot}")
    if fmt is Format.csv:
        emit([budget_csv(results, show_all, limit)], fmt, None)
        return
    emit(
        budget_tables(results, show_all, limit),
        fmt,
        budget_payload(results, show_all, limit, DAYS_PER_MONTH),
    )
