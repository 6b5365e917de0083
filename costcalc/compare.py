"""The compare facade: catalog x options -> ranking of every offer (core: no typer, rich, clock).

`compare(catalog, CompareOptions(...))` prices one request on every offer,
scores every model under a profile, and ranks the offers against the bar (see
costcalc.rank). Offers that cannot be ranked are not errors: they are listed in
`Ranking.notes` (no price in force, no exchange rate, too little coverage, no
score, no API offer).

Hidden reasoning tokens (costcalc.workload.hidden_tokens, the rule budget and the
gate share): a model whose facts give `reasoning` (tokens per request, or a
multiple of the visible output) bills them on top of the output; the user's
`reasoning_tokens` replaces that for the models in `reasoning_models`; a model
marked `thinking: true` with no figure bills 0, and `CompareResult.hidden` says
its hidden tokens are unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from costcalc.catalog import Catalog, OfferEntry
from costcalc.cost import Usage, cost_of
from costcalc.dated import in_force
from costcalc.errors import InputError, NoPriceError
from costcalc.quality import (
    DEFAULT_QUALITY_METHOD,
    QUALITY_METHODS,
    Z95,
    Quality,
    QualityIndex,
    Weighting,
    latent_quality,
    model_quality,
    quality_index,
    weighting,
)
from costcalc.rank import (
    DEFAULT_MULTIPLE_PER_POINT,
    Candidate,
    Ceiling,
    PairedTest,
    Ranking,
    rank,
)
from costcalc.records import ModelInfo
from costcalc.selfhosted import SELF_HOSTED
from costcalc.workload import HiddenTokens, hidden_tokens, with_hidden

if TYPE_CHECKING:
    from costcalc.evals.paired import PairedResult
    from costcalc.latent import LatentFit

DEFAULT_GOOD_ENOUGH = Decimal("0.9")
"""Without --min-quality the bar is 90% of the best quality among the candidates."""


@dataclass(frozen=True)
class CompareOptions:
    """What to compare, for which workload, against which bar."""

    usage: Usage
    """Per-request usage (requests=1); reasoning tokens are added per model."""
    when: dt.date
    currency: str
    profile: str = "balanced"
    """Bundled or user profile id."""
    weights: Mapping[str, Decimal] | None = None
    """Benchmark weights overriding the profile."""
    min_quality: Decimal | None = None
    """Absolute bar, 0-100; wins over good_enough."""
    good_enough: Decimal | None = None
    """Bar as a fraction of the best quality (default DEFAULT_GOOD_ENOUGH)."""
    min_coverage: Decimal | None = None
    """Share of the profile weight a model needs scores for (default: the profile's, else 0.5)."""
    providers: Collection[str] | None = None
    open_weights: bool | None = None
    licenses: Collection[str] | None = None
    models: Collection[str] | None = None
    """Model ids or aliases to compare (all when None)."""
    reasoning_tokens: Decimal | None = None
    """Hidden reasoning tokens per request for the models in reasoning_models."""
    reasoning_models: Collection[str] = ()
    max_multiple_per_point: Decimal | None = DEFAULT_MULTIPLE_PER_POINT
    max_cost_per_point: Decimal | None = None
    """Money (in `currency`) per extra point per month; needs requests_per_month."""
    requests_per_month: Decimal | None = None
    z: Decimal = Z95
    """Half-width of the quality band in standard errors (1.96: a 95% band)."""
    quality_method: str = DEFAULT_QUALITY_METHOD
    """latent (missing scores predicted from the capability scale) or mean (observed only).
    With latent, min_coverage applies only when given here; the profile's is for mean."""
    volume: Decimal | None = None
    """Requests per day at which self-hosted open-weight offers are priced and ranked
    (costcalc.selfhosted); None ranks API offers only."""
    peak_factor: Decimal = Decimal(1)
    """Busiest minute / average minute, for the GPU replicas a self-hosted offer needs."""


LeftOutReason = Literal["no-price", "no-rate", "no-gpu-price", "no-score", "low-coverage"]
"""Why an offer or model is not in the ranking: no price in force on the day, no exchange
rate to the currency, no GPU price in force (a self-host option), no score on the profile's
benchmarks, or scores covering too little of the profile weight."""


@dataclass(frozen=True)
class LeftOut:
    """An offer (or a model, for scores) left out of the ranking, and why: the reason as data
    for renderers, and `why` in words (the same text as `Ranking.not_priced`/`unscored`)."""

    label: str
    """The offer's label ("model @ provider"); the model id for a score reason."""
    model: str
    reason: LeftOutReason
    why: str
    coverage: Decimal | None = None
    """The share of the profile weight scored, for low-coverage."""


@dataclass
class CompareResult:
    """Extra facts about a comparison, beside the ranking."""

    weighting: Weighting
    hidden: dict[str, HiddenTokens] = field(default_factory=dict)
    """Hidden reasoning tokens per request billed, and on what basis, per model id of every
    priced candidate (basis None: not a thinking model, nothing billed)."""
    good_enough: Decimal | None = None
    """The fraction of the best quality used as the bar (None when the bar is absolute)."""
    quality_method: str = DEFAULT_QUALITY_METHOD
    coverage_floor: Decimal = Decimal(0)
    """Coverage a model needed to be scored (see CompareOptions.quality_method)."""
    fit: LatentFit | None = None
    """The latent fit used (None with the mean method, or when nothing needed it)."""
    left_out: list[LeftOut] = field(default_factory=list)
    """Offers and models left out of the ranking, with structured reasons (one per model for
    score reasons)."""
    _unscored: set[str] = field(default_factory=set, repr=False, compare=False)
    """Models already in `left_out` for a score reason (a set: one look-up per offer)."""

    def not_scored(self, model_id: str, quality: Quality | None, floor: Decimal) -> str | None:
        """Why a model cannot be ranked on its scores (recorded once), or None when it can."""
        if quality is None:
            reason: LeftOutReason = "no-score"
            why = "no score on the profile's benchmarks"
            coverage = None
        elif quality.coverage < floor:
            reason = "low-coverage"
            why = (
                f"scores cover {quality.coverage:.0%} of the profile weight"
                f" (< {floor:.0%}; missing {', '.join(quality.missing)})"
            )
            coverage = quality.coverage
        else:
            return None
        if model_id not in self._unscored:
            self._unscored.add(model_id)
            self.left_out.append(LeftOut(model_id, model_id, reason, why, coverage))
        return why

    def not_priced(self, label: str, model: str, reason: LeftOutReason, why: str) -> str:
        self.left_out.append(LeftOut(label, model, reason, why))
        return why


def hidden_for(model: ModelInfo, options: CompareOptions, names: set[str]) -> HiddenTokens:
    """Hidden reasoning tokens one request bills on a model (`names`: the canonical ids the
    user's reasoning_tokens applies to)."""
    return hidden_tokens(model, options.usage.output_tokens, options.reasoning_tokens, names)


def _filtered(catalog: Catalog, options: CompareOptions) -> tuple[list[OfferEntry], set[str]]:
    models: set[str] | None = None
    if options.models:
        models = {catalog.model(m).id for m in options.models}
    providers = (
        {catalog.provider(p).id for p in options.providers if not _self_hosted(p)}
        if options.providers
        else None
    )
    licenses = {x.strip().lower() for x in options.licenses} if options.licenses else None
    kept = [
        o
        for o in catalog.offers
        if (models is None or o.model.id in models)
        and (providers is None or o.provider.id in providers)
        and (options.open_weights is None or o.model.open_weights == options.open_weights)
        and (licenses is None or o.model.license in licenses)
    ]
    wanted = models if models is not None else set(catalog.models)
    chosen_models = {
        m
        for m in wanted
        if (options.open_weights is None or catalog.models[m].open_weights == options.open_weights)
        and (licenses is None or catalog.models[m].license in licenses)
    }
    return kept, chosen_models


def _check(options: CompareOptions) -> None:
    """Refuse impossible options before any work."""
    if options.usage.requests != 1:
        raise InputError("compare prices one request: give a usage with requests=1")
    if options.min_quality is not None and not Decimal(0) <= options.min_quality <= 100:
        raise InputError(f"min-quality must be between 0 and 100, got {options.min_quality}")
    good = options.good_enough
    if good is not None and not Decimal(0) < good <= 1:
        raise InputError(f"good-enough must be a fraction in (0, 1], got {good}")
    for name, value in (
        ("max-multiple-per-point", options.max_multiple_per_point),
        ("max-cost-per-point", options.max_cost_per_point),
        ("band", options.z),
    ):
        if value is not None and (not value.is_finite() or value < 0):
            raise InputError(f"{name} must be a number >= 0, got {value}")
    if options.quality_method not in QUALITY_METHODS:
        raise InputError(
            f"quality method must be one of {', '.join(QUALITY_METHODS)},"
            f" got {options.quality_method!r}"
        )
    if options.volume is not None and (not options.volume.is_finite() or options.volume <= 0):
        raise InputError(f"volume must be a number of requests per day > 0, got {options.volume}")
    if not options.peak_factor.is_finite() or not 1 <= options.peak_factor <= 1000:
        raise InputError(f"peak-factor must be between 1 and 1000, got {options.peak_factor}")
    if options.requests_per_month is not None and not options.requests_per_month > 0:
        raise InputError(f"requests-per-month must be > 0, got {options.requests_per_month}")
    if options.max_cost_per_point is not None and options.requests_per_month is None:
        raise InputError("--max-cost-per-point is per month: give --requests-per-month too")
    if options.reasoning_tokens is not None and (
        not options.reasoning_tokens.is_finite() or options.reasoning_tokens < 0
    ):
        raise InputError(f"reasoning-tokens must be >= 0, got {options.reasoning_tokens}")


def compare_full(
    catalog: Catalog,
    options: CompareOptions,
    index: QualityIndex | None = None,
    cache_dir: Path | None = None,
) -> tuple[Ranking, CompareResult]:
    """Rank every offer; also return the weighting used, the notes and reasoning tokens added.

    `cache_dir` keeps the latent fit between runs (see costcalc.latent).
    """
    _check(options)
    index = index or quality_index(catalog)
    weights = weighting(index, options.profile, options.weights, options.min_coverage)
    fitted: list[LatentFit] = []
    qualities = _qualities(index, weights, options, cache_dir, fitted)
    names = {catalog.model(m).id for m in options.reasoning_models}
    offers, chosen = _filtered(catalog, options)
    floor = _coverage_floor(weights, options)
    result = CompareResult(weights, quality_method=options.quality_method, coverage_floor=floor)
    offered = {o.model.id for o in catalog.offers}
    no_offer = sorted(m for m in chosen if m not in offered and (options.providers is None))
    candidates: list[Candidate] = []
    unscored: dict[str, str] = {}
    not_priced: dict[str, str] = {}
    usages: dict[str, Usage] = {}  # the request with N hidden tokens, built once per N
    for entry in offers:
        quality = qualities(entry.model.id)
        why = result.not_scored(entry.model.id, quality, floor)
        if why is not None or quality is None:
            unscored[entry.model.id] = why or ""
            continue
        hidden = hidden_for(entry.model, options, names)
        tokens = str(hidden.tokens)  # the exact value, exponent included
        usage = usages.get(tokens) or usages.setdefault(tokens, with_hidden(options.usage, hidden))
        try:
            cost = cost_of(
                entry, usage, when=options.when, currency=options.currency, fx=catalog.fx
            )
        except NoPriceError as exc:
            dated = any(in_force(p.as_of, p.valid_until, options.when) for p in entry.offer.prices)
            not_priced[entry.label] = result.not_priced(
                entry.label,
                entry.model.id,
                "no-rate" if dated else "no-price",
                exc.problems[0].message.removeprefix(f"{entry.label}: "),
            )
            continue
        candidates.append(Candidate(entry, cost, quality))
        result.hidden[entry.model.id] = hidden
    hosted = _self_hosted_candidates(
        catalog, options, chosen, names, qualities, floor, candidates, unscored, not_priced, result
    )
    no_offer = [m for m in no_offer if m not in hosted]
    notes = [f"not priced: {label}: {why}" for label, why in sorted(not_priced.items())]
    notes += [f"not scored: {m}: {why}" for m, why in sorted(unscored.items())]
    if no_offer:
        notes.append(
            "no API offer: " + ", ".join(no_offer) + " (see `costcalc budget` for self-hosting)"
        )
    ceiling = Ceiling(
        options.max_multiple_per_point, options.max_cost_per_point, options.requests_per_month
    )
    good = options.good_enough
    if options.min_quality is None and good is None:
        good = DEFAULT_GOOD_ENOUGH
    result.good_enough = None if options.min_quality is not None else good
    ranking = rank(
        candidates,
        bar=options.min_quality,
        good_enough=good,
        ceiling=ceiling,
        paired=_paired_test(index, weights, options.z),
    )
    ranking.notes = notes
    ranking.unscored = unscored
    ranking.not_priced = not_priced
    ranking.no_offer = no_offer
    result.fit = fitted[0] if fitted else None
    return ranking, result


def _paired_test(index: QualityIndex, weights: Weighting, z: Decimal) -> PairedTest | None:
    """The paired non-inferiority test (costcalc.evals.paired) when the weighting is one
    benchmark with per-item results written by `costcalc import evals` beside its scores;
    else None (the bands decide)."""
    if len(weights.weights) != 1:
        return None
    (bench,) = weights.weights
    sheets = {
        Path(by_bench[bench].origin.file).parent
        for by_bench in index.scores.values()
        if bench in by_bench
    }
    from costcalc.evals.sheet import items_file_name

    files = [d / items_file_name(bench) for d in sorted(sheets)]
    files = [f for f in files if f.is_file()]
    if not files:
        return None
    from costcalc.evals.paired import paired_test, read_items

    per_model: dict[str, dict[str, float]] = {}
    for f in files:
        found_bench, per = read_items(f)
        if found_bench != bench:
            raise InputError(
                f"per-item file is for {found_bench!r}, not {bench!r}",
                file=str(f),
                field="benchmark",
            )
        for model, items in per.items():
            origin = index.scores.get(model, {}).get(bench)
            if origin is not None and Path(origin.origin.file).parent == f.parent.parent:
                per_model[model] = items

    def test(model: str, reference: str, margin: Decimal) -> PairedResult | None:
        if model not in per_model or reference not in per_model:
            return None
        share = float(margin) / 100
        if not -1 < share < 1:
            return None
        return paired_test(
            model, reference, bench, per_model[model], per_model[reference], share, float(z)
        )

    return test


def _self_hosted(provider: str) -> bool:
    return provider.strip().lower() == SELF_HOSTED


def _self_hosted_candidates(
    catalog: Catalog,
    options: CompareOptions,
    chosen: set[str],
    names: set[str],
    qualities: Callable[[str], Quality | None],
    floor: Decimal,
    candidates: list[Candidate],
    unscored: dict[str, str],
    not_priced: dict[str, str],
    result: CompareResult,
) -> set[str]:
    """Add a candidate per self-host option of the chosen models, priced at the volume.

    Returns the models that got one (they are no longer "no API offer" notes).
    """
    if options.volume is None:
        return set()
    if options.providers and not any(_self_hosted(p) for p in options.providers):
        return set()
    from costcalc.selfhost import selfhost_entries
    from costcalc.selfhosted import SelfHostedOffer, selfhosted_cost

    hosted: set[str] = set()
    for host in selfhost_entries(catalog):
        model = catalog.models[host.option.model]
        if model.id not in chosen:
            continue
        hosted.add(model.id)
        offer = SelfHostedOffer(host, model)
        quality = qualities(model.id)
        why = result.not_scored(model.id, quality, floor)
        if why is not None or quality is None:
            unscored[model.id] = why or ""
            continue
        hidden = hidden_for(model, options, names)
        usage = with_hidden(options.usage, hidden)
        try:
            cost = selfhosted_cost(
                host,
                usage,
                requests_per_day=options.volume,
                peak_factor=options.peak_factor,
                when=options.when,
                currency=options.currency,
                fx=catalog.fx,
            )
        except NoPriceError as exc:
            not_priced[offer.label] = result.not_priced(
                offer.label, model.id, "no-rate", exc.problems[0].message
            )
            continue
        if cost is None:
            dates = ", ".join(str(p.as_of) for p, _ in host.prices)
            not_priced[offer.label] = result.not_priced(
                offer.label,
                model.id,
                "no-gpu-price",
                f"no GPU price {host.option.gpu_price!r} in force on {options.when}"
                f" (dated {dates}); try --as-of",
            )
            continue
        candidates.append(Candidate(offer, cost, quality))
        result.hidden[model.id] = hidden
    return hosted


def _coverage_floor(weights: Weighting, options: CompareOptions) -> Decimal:
    """The coverage a model needs: the weighting's for mean; for latent only the user's own."""
    if options.quality_method == "mean":
        return weights.min_coverage
    return options.min_coverage if options.min_coverage is not None else Decimal(0)


def _qualities(
    index: QualityIndex,
    weights: Weighting,
    options: CompareOptions,
    cache_dir: Path | None,
    fitted: list[LatentFit],
) -> Callable[[str], Quality | None]:
    """Quality per model id, computed once per model; the latent fit (appended to `fitted`)
    only when first needed."""
    memo: dict[str, Quality | None] = {}

    def quality(model_id: str) -> Quality | None:
        if model_id in memo:
            return memo[model_id]
        if options.quality_method == "mean":
            found = model_quality(index, model_id, weights, options.z)
        else:
            if not fitted:
                from costcalc.latent import latent_fit

                fitted.append(latent_fit(index, cache_dir))
            found = latent_quality(index, fitted[0], model_id, weights, options.z)
        memo[model_id] = found
        return found

    return quality


def compare(catalog: Catalog, options: CompareOptions) -> Ranking:
    """Rank every offer of the catalog for a workload against a quality bar."""
    return compare_full(catalog, options)[0]
