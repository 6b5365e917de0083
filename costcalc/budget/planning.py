"""`plan(catalog, workloads, options) -> BudgetPlan`: the budget use case as one library call.

Everything `costcalc budget` answers comes from here: the offers the filters keep,
every workload priced on them and on the self-host options of their models, each
result marked good enough from compare's ranking (when the loaded sheets carry
quality data or a quality option is given), and errors instead of empty answers.
The CLI parses its options into `BudgetOptions`, calls `plan` once and renders
the `BudgetPlan`; a notebook does the same without the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from costcalc.budget.projection import BudgetResult, monthly_costs, ranked
from costcalc.catalog import Catalog, OfferEntry
from costcalc.errors import InputError, NoPriceError, Problem
from costcalc.schema.workload import Workload
from costcalc.workload import request

if TYPE_CHECKING:
    from costcalc.quality import QualityIndex


@dataclass(frozen=True)
class BudgetOptions:
    """How to price workloads: the day, currency and budget, which offers, and the quality bar."""

    when: dt.date
    currency: str = "USD"
    budget: Decimal | None = None
    """Monthly budget in `currency`; marks what fits."""
    tier: str | None = None
    """Account tier whose rate limits to check (None: any published tier)."""
    models: tuple[str, ...] = ()
    """Model ids or aliases to price (all when empty)."""
    providers: tuple[str, ...] = ()
    """Providers whose offers to price (all when empty)."""
    open_weights: bool | None = None
    selfhost: bool = True
    """Also price self-host options of open-weight models."""
    utilisation: Decimal | None = None
    """Share of the measured GPU throughput to plan on (None: each option's own)."""
    profile: str | None = None
    """Quality profile id for the good-enough bar (None: balanced, and only when the loaded
    sheets hold profiles or another quality option is given)."""
    weights: Mapping[str, Decimal] | None = None
    min_quality: Decimal | None = None
    good_enough: Decimal | None = None
    min_coverage: Decimal | None = None


@dataclass(frozen=True)
class BudgetPlan:
    """Every workload's result, and the warnings for people (a model asked for left out)."""

    options: BudgetOptions
    results: tuple[BudgetResult, ...]
    warnings: tuple[str, ...] = ()


def _offers(catalog: Catalog, options: BudgetOptions) -> tuple[list[OfferEntry], set[str]]:
    """The API offers the filters keep, and the models whose self-host options to price."""
    wanted = {catalog.model(m).id for m in options.models} if options.models else None
    providers = {catalog.provider(p).id for p in options.providers} if options.providers else None
    offers = [
        o
        for o in catalog.offers
        if (wanted is None or o.model.id in wanted)
        and (providers is None or o.provider.id in providers)
        and (options.open_weights is None or o.model.open_weights == options.open_weights)
    ]
    hostable = {
        m.id
        for m in catalog.models.values()
        if (wanted is None or m.id in wanted) and options.open_weights is not False
    }
    if providers is not None:
        hostable &= {o.model.id for o in offers}
    return offers, hostable


def _check_tier(catalog: Catalog, tier: str | None) -> str | None:
    """The tier as the sheets spell it, or exit 2 with a did-you-mean (a mistyped tier would
    match nothing and quietly change the answer)."""
    if tier is None:
        return None
    from costcalc.catalog import did_you_mean

    known = {lim.tier.lower(): lim.tier for o in catalog.offers for lim in o.offer.rate_limits}
    found = known.get(tier.strip().lower())
    if found is None:
        listed = ", ".join(sorted(known.values())) or "none in the loaded sheets"
        raise InputError(
            f"unknown rate-limit tier {tier!r}{did_you_mean(tier.strip().lower(), known)};"
            f" {listed}",
            field="--tier",
        )
    return found


def _rank(
    catalog: Catalog,
    result: BudgetResult,
    options: BudgetOptions,
    index: QualityIndex,
    cache_dir: Path | None,
) -> BudgetResult:
    """The result marked from compare's ranking; unranked (with a note) when the catalog has
    no quality data and no quality option was given."""
    from costcalc.compare import CompareOptions, compare_full

    asked = options.profile is not None or any(
        x is not None
        for x in (options.weights, options.min_quality, options.good_enough, options.min_coverage)
    )
    if not index.profiles and not asked:
        return ranked_note(
            result, "no quality data in the loaded sheets: every priced offer is shown"
        )
    w = result.workload
    compare_options = CompareOptions(
        usage=request(
            w.input_tokens,
            w.output_tokens,
            w.cached_share,
            batch_share=w.batch_share,
            off_peak_share=w.off_peak_share,
        ),
        when=result.when,
        currency=result.currency,
        profile=options.profile or "balanced",
        weights=options.weights,
        min_quality=options.min_quality,
        good_enough=options.good_enough,
        min_coverage=options.min_coverage,
        providers=options.providers or None,
        open_weights=options.open_weights,
        models=options.models or None,
        reasoning_tokens=w.reasoning_tokens,
        reasoning_models=tuple(w.reasoning_models),
    )
    ranking, _ = compare_full(catalog, compare_options, index, cache_dir)
    return ranked(result, ranking)


def ranked_note(result: BudgetResult, note: str) -> BudgetResult:
    from dataclasses import replace

    return replace(result, notes=(*result.notes, note))


def _require_priced(
    catalog: Catalog, result: BudgetResult, asked: Sequence[str], offers: list[OfferEntry]
) -> list[str]:
    """Errors instead of empty answers, as in compare (the README states the rule).

    No row priced at all (no rate to the currency, no price in force): InputError with the
    reasons. A model asked for that has no row: a warning naming it and why (returned);
    InputError when none of them has one.
    """
    from costcalc.cost import choose_period

    if not result.rows:
        reasons = [n.removeprefix("not priced: ") for n in result.notes if n.startswith("not ")]
        raise InputError(
            f"no offer can be priced in {result.currency} for workload {result.workload.name}: "
            + (_summarise(reasons) if reasons else "no offer matches the filters")
        )
    if not asked:
        return []
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
    return [p.message for p in problems]


def _summarise(reasons: Sequence[str], shown: int = 3) -> str:
    """Distinct reasons, most frequent first, with their counts: for one error message."""
    from collections import Counter

    counts = Counter(reasons).most_common()
    parts = [f"{why} ({n} offers)" if n > 1 else why for why, n in counts[:shown]]
    if len(counts) > shown:
        parts.append(f"... and {len(counts) - shown} more reasons")
    return "; ".join(parts)


def plan(
    catalog: Catalog,
    workloads: Sequence[Workload] | Workload,
    options: BudgetOptions,
    *,
    index: QualityIndex | None = None,
    cache_dir: Path | None = None,
) -> BudgetPlan:
    """Price each workload on every offer the options keep (and the self-host options of
    their models), mark what is good enough, and give the verdict.

    `index` is the quality index to rank with (default: the catalog's; pass one to add a
    user's profiles file); `cache_dir` keeps the latent quality fit between runs. Raises
    InputError (located where it can be) when the options are invalid or nothing can be
    priced.
    """
    loads = [workloads] if isinstance(workloads, Workload) else list(workloads)
    if not loads:
        raise InputError("give at least one workload")
    tier = _check_tier(catalog, options.tier)
    offers, hostable = _offers(catalog, options)
    if index is None:
        from costcalc.quality import quality_index

        index = quality_index(catalog)
    results = []
    warnings: list[str] = []
    for load in loads:
        for name in load.reasoning_models:
            catalog.model(name)  # a mistyped reasoning model is an error, as in compare
        result = monthly_costs(
            catalog,
            load,
            when=options.when,
            currency=options.currency,
            budget=options.budget,
            tier=tier,
            offers=offers,
            models=hostable,
            selfhost=options.selfhost,
            utilisation=options.utilisation,
        )
        result = _rank(catalog, result, options, index, cache_dir)
        warnings += _require_priced(catalog, result, options.models, offers)
        results.append(result)
    return BudgetPlan(options, tuple(results), tuple(warnings))
