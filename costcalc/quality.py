"""Pure quality scoring: benchmark scores x profile -> quality with uncertainty.

Rules (the README repeats them for users):
- a score is normalised to 0-100: a percent score is itself; a rating goes
  through its benchmark's linear `mapping` (clipped to 0..100);
- its standard error is the published one (a 95% interval counts as
  +-1.96 standard errors), else the binomial error of a single pass over the
  benchmark's items, 100 x sqrt(p(1-p)/n), with p kept within [1/n, 1-1/n] so
  that a perfect score is not certain; else the benchmark's `default_stderr`;
  else it is unknown and counted as 0 (the result says so);
- quality is the weighted mean of the normalised scores the model has; its
  standard error is sqrt(sum w^2 se^2) / sum w (scores taken as independent);
  the band is quality +- z x se (z = 1.96, a 95% band), clipped to 0..100;
- coverage is the share of the profile's weight the model has scores for; a
  model below the minimum coverage is not scored. A missing score never counts
  as zero.

The latent method (`latent_quality`, see costcalc.latent) keeps every observed
score as above and fills each missing benchmark of the profile with the score the
fitted capability scale predicts, with a wider error (the fit's uncertainty plus
one run's noise); quality is then the weighted mean over the whole profile, its
variance the observed parts' plus the predicted parts' (their shared dependence on
the model's capability counted once, not as independent errors). Benchmarks the
fit cannot predict (ratings) stay missing, and the mean is over the rest. A
latent quality's `anchor` (what the best quality, and so the default bar, is
chosen by) is the bottom of its band, so thin evidence cannot set the bar;
`coverage` and `band_width` say how much of it is observed and how sure it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, getcontext, localcontext
from typing import TYPE_CHECKING

from costcalc.catalog import Catalog, Origin, did_you_mean
from costcalc.errors import InputError, Problem
from costcalc.layers import Merged, merge_section
from costcalc.records import (
    Benchmark,
    Profile,
    Score,
)
from costcalc.scores_in_force import ScoreEntry, scores_in_force

if TYPE_CHECKING:
    from costcalc.latent import LatentFit
    from costcalc.loader import Document

ZERO = Decimal(0)
HUNDRED = Decimal(100)
Z95 = Decimal("1.96")
DEFAULT_MIN_COVERAGE = Decimal("0.5")
"""Share of a profile's weight a model needs scores for, unless the profile or user say."""
QUALITY_METHODS = ("latent", "mean")
"""latent: observed scores plus predictions from the capability scale; mean: observed only."""
DEFAULT_QUALITY_METHOD = "latent"


@dataclass(frozen=True)
class Weighting:
    """The benchmark weights in use: a profile, or the user's own weights."""

    id: str
    name: str
    weights: dict[str, Decimal]
    min_coverage: Decimal


@dataclass(slots=True, unsafe_hash=True)
class Part:
    """One benchmark's contribution to a model's quality.

    Read-only by convention, not frozen: one is made per offer, and a frozen dataclass's
    __init__ (each field set through object.__setattr__) is about ten times slower."""

    benchmark: str
    weight: Decimal
    value: Decimal
    """Normalised score, 0-100."""
    stderr: Decimal
    uncertainty: str
    """published, items, default, unknown (observed) or latent (predicted): where the error
    comes from."""
    entry: ScoreEntry | None
    """The observed score; None for a predicted one."""
    status: str = "observed"
    """observed (a published score) or predicted (from the latent capability scale)."""


@dataclass(slots=True, unsafe_hash=True)
class Quality:
    """A model's quality under a weighting, with its uncertainty band and coverage.

    Read-only by convention, not frozen: one is made per offer, and a frozen dataclass's
    __init__ (each field set through object.__setattr__) is about ten times slower."""

    value: Decimal
    stderr: Decimal
    low: Decimal
    high: Decimal
    coverage: Decimal
    """Share of the weighting's total weight the model has scores for (0-1)."""
    parts: tuple[Part, ...]
    missing: tuple[str, ...]
    """Benchmarks of the weighting the model has no score for."""
    method: str = "mean"
    """mean (observed scores only) or latent (missing ones predicted)."""
    unpredicted: tuple[str, ...] = ()
    """Latent method: missing benchmarks the fit cannot predict (left out of the mean)."""
    decision: tuple[Decimal, Decimal] | None = None
    """Latent method: the band the bar and dominance are judged on, value +- z x the
    measurement noise only (observed errors and predicted runs' noise, not the uncertainty
    of the prediction), so that thin evidence never makes a model good enough."""

    @property
    def band_width(self) -> Decimal:
        """Width of the uncertainty band, high - low (points): wide when evidence is thin."""
        return self.high - self.low

    @property
    def anchor(self) -> Decimal:
        """What the best-quality anchor is chosen by (the bar is a share of the best quality).

        Latent method: the bottom of the band, a conservative estimate, so a model whose
        score is mostly predicted (thin evidence, wide band) cannot become the best on a
        high prediction alone; the anchor's point value still sets the bar. Mean method:
        the point value (it leaves thin models out through the minimum coverage instead).
        """
        return self.low if self.method == "latent" else self.value

    @property
    def bar_high(self) -> Decimal:
        """Top of the band the bar is tested against."""
        return self.decision[1] if self.decision is not None else self.high

    @property
    def bar_low(self) -> Decimal:
        """Bottom of the band dominance is tested against."""
        return self.decision[0] if self.decision is not None else self.low

    def ties(self, other: Quality) -> bool:
        """Whether two qualities are tied: their bands overlap."""
        return self.low <= other.high and other.low <= self.high


@dataclass
class QualityIndex:
    """Benchmarks, scores and profiles merged from the catalog's layers."""

    benchmarks: dict[str, Benchmark]
    benchmark_origins: dict[str, Origin]
    scores: dict[str, dict[str, ScoreEntry]]
    """model id -> benchmark id -> score."""
    profiles: dict[str, Profile]
    profile_origins: dict[str, Origin]
    _normalised: dict[tuple[str, int], tuple[Decimal, Decimal, str]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """`normalised` of the index's scores without a published uncertainty, by benchmark and
    score value object (the cache decoder shares equal values): worked out once each."""
    _missing: dict[tuple[str, ...], tuple[str, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """The `Quality.missing` tuples made so far, each kept once."""
    _orders: dict[int, tuple[Weighting, list[tuple[str, Decimal]], Decimal]] = field(
        default_factory=dict, repr=False, compare=False
    )
    """By id of a weighting (kept alive here): its weights by benchmark id and their total,
    worked out once instead of once per model."""

    def weights_in_order(self, weighting: Weighting) -> tuple[list[tuple[str, Decimal]], Decimal]:
        """A weighting's (benchmark, weight) pairs sorted by benchmark, and its total weight
        (summed from zero at 28 digits, in dict order)."""
        found = self._orders.get(id(weighting))
        if found is None or found[0] is not weighting:
            with localcontext() as ctx:
                ctx.prec = 28
                total = sum(weighting.weights.values(), ZERO)
            found = (weighting, sorted(weighting.weights.items()), total)
            self._orders[id(weighting)] = found
        return found[1], found[2]

    def profile(self, name: str) -> Profile:
        found = self.profiles.get(name.strip().lower())
        if found is None:
            known = ", ".join(self.profiles) or "none"
            raise InputError(
                f"unknown profile {name!r}{did_you_mean(name, self.profiles)}; profiles: {known}"
            )
        return found

    def benchmark(self, name: str) -> Benchmark:
        found = self.benchmarks.get(name.strip().lower())
        if found is None:
            raise InputError(f"unknown benchmark {name!r}{did_you_mean(name, self.benchmarks)}")
        return found


def quality_index(catalog: Catalog) -> QualityIndex:
    """Index the benchmark, score and profile documents of a catalog (later layers override).

    Benchmarks and profiles: costcalc.layers' rule (a later layer's id replaces an
    earlier one's; an id given twice in one layer is an error naming both places).

    Scores: the scores in force after the layers' merge rule (costcalc.scores_in_force:
    a later layer replaces an earlier one; inside a layer curated beats feed and a
    curated `rejected` entry drops a feed score; two curated scores, or two feed
    scores, for the same pair in one layer are an error naming both places).
    Every score must name a known model and benchmark; every profile weight a
    benchmark that can be put on 0-100. All problems are reported at once.
    """
    merged_benchmarks: Merged[str, Benchmark] = merge_section(
        catalog, "benchmarks", "benchmarks", _id, lambda k: f"benchmark {k!r}"
    )
    merged_profiles: Merged[str, Profile] = merge_section(
        catalog, "profiles", "profiles", _id, lambda k: f"profile {k!r}"
    )
    benchmarks = {k: v.item for k, v in merged_benchmarks.items.items()}
    b_origins = {k: v.origin for k, v in merged_benchmarks.items.items()}
    profiles = {k: v.item for k, v in merged_profiles.items.items()}
    p_origins = {k: v.origin for k, v in merged_profiles.items.items()}
    problems = [*merged_benchmarks.problems, *merged_profiles.problems]

    def screen(doc: Document, i: int, score: Score) -> Problem | None:
        if score.benchmark not in benchmarks:
            return Problem(
                f"unknown benchmark {score.benchmark!r}"
                f"{did_you_mean(score.benchmark, benchmarks)};"
                " define it in a benchmarks file",
                doc.path,
                doc.line_of("scores", i),
                f"scores[{i}].benchmark",
            )
        if score.model not in catalog.models:
            return Problem(
                f"unknown model {score.model!r}{did_you_mean(score.model, catalog.models)}",
                doc.path,
                doc.line_of("scores", i),
                f"scores[{i}].model",
            )
        return None

    in_force = scores_in_force(catalog, screen)
    problems.extend(in_force.problems)
    for pid, prof in profiles.items():
        origin = p_origins[pid]
        for bid in prof.weights:
            problem = _unusable(bid, benchmarks)
            if problem:
                problems.append(
                    Problem(problem, origin.file, origin.line, f"profile {pid}: weights.{bid}")
                )
    if problems:
        raise InputError(problems=problems)
    return QualityIndex(benchmarks, b_origins, in_force.scores, profiles, p_origins)


def _id(item: Benchmark | Profile) -> str:
    return item.id


def _unusable(bid: str, benchmarks: Mapping[str, Benchmark]) -> str | None:
    bench = benchmarks.get(bid)
    if bench is None:
        return f"unknown benchmark {bid!r}{did_you_mean(bid, benchmarks)}"
    if bench.scale == "rating" and bench.mapping is None:
        return f"{bid!r} is a rating with no `mapping` to 0-100, so it cannot be weighted"
    return None


def weighting(
    index: QualityIndex,
    profile: str,
    weights: Mapping[str, Decimal] | None = None,
    min_coverage: Decimal | None = None,
) -> Weighting:
    """The weights to use: the user's own when given, else the named profile's."""
    if weights:
        problems = [Problem(p) for bid in weights if (p := _unusable(bid, index.benchmarks))]
        for bid, w in weights.items():
            if not w.is_finite() or w <= 0:
                problems.append(Problem(f"weight of {bid!r} must be a number > 0, got {w}"))
        if problems:
            raise InputError(problems=problems)
        custom = DEFAULT_MIN_COVERAGE if min_coverage is None else min_coverage
        return Weighting("custom", "custom weights", dict(weights), _share(custom))
    prof = index.profile(profile)
    cover = min_coverage if min_coverage is not None else prof.min_coverage
    return Weighting(
        prof.id,
        prof.name,
        dict(prof.weights),
        _share(DEFAULT_MIN_COVERAGE if cover is None else cover),
    )


def _share(value: Decimal) -> Decimal:
    if not value.is_finite() or not ZERO <= value <= 1:
        raise InputError(f"min-coverage must be between 0 and 1, got {value}")
    return value


def normalised(bench: Benchmark, score: Score) -> tuple[Decimal, Decimal, str]:
    """A score on 0-100, its standard error in the same points, and where the error comes from."""
    raw = score.score
    stderr: Decimal
    how = "published"
    unc = score.uncertainty
    if unc is not None and unc.stderr is not None:
        stderr = unc.stderr
    elif unc is not None and unc.low is not None and unc.high is not None:
        stderr = (unc.high - unc.low) / (2 * Z95)
    elif bench.scale == "percent" and bench.items:
        n = Decimal(bench.items)
        p = min(max(raw / HUNDRED, 1 / n), 1 - 1 / n)
        stderr = HUNDRED * (p * (1 - p) / n).sqrt()
        how = "items"
    elif bench.default_stderr is not None:
        stderr = bench.default_stderr
        how = "default"
    else:
        stderr = ZERO
        how = "unknown"
    if bench.scale == "rating":
        assert bench.mapping is not None
        span = bench.mapping.hundred - bench.mapping.zero
        value = (raw - bench.mapping.zero) / span * HUNDRED
        return min(max(value, ZERO), HUNDRED), stderr / span * HUNDRED, how
    return raw, stderr, how


def model_quality(
    index: QualityIndex, model_id: str, weighting: Weighting, z: Decimal = Z95
) -> Quality | None:
    """A model's quality under a weighting, or None when it has no score in it at all.

    A Quality is returned even below the minimum coverage; callers compare
    `coverage` with `weighting.min_coverage`.
    """
    have = index.scores.get(model_id, {})
    parts: list[Part] = []
    missing: list[str] = []
    memo = index._normalised
    ordered, total = index.weights_in_order(weighting)
    for bid, weight in ordered:
        entry = have.get(bid)
        if entry is None:
            missing.append(bid)
            continue
        score = entry.score
        if score.uncertainty is None:
            key = (bid, id(score.score))  # the score keeps its value (and so its id) alive
            found = memo.get(key)
            if found is None:
                found = memo[key] = normalised(index.benchmarks[bid], score)
            value, stderr, how = found
        else:
            value, stderr, how = normalised(index.benchmarks[bid], score)
        parts.append(Part(bid, weight, value, stderr, how, entry))
    if not parts:
        return None
    if getcontext().prec == 28:  # the default: no context of its own needed (half a µs)
        figures = _mean_figures(parts, z, total)
    else:
        with localcontext() as ctx:
            ctx.prec = 28
            figures = _mean_figures(parts, z, total)
    missed = tuple(missing)
    missed = index._missing.setdefault(missed, missed)  # models often miss the same ones
    return Quality(*figures, tuple(parts), missed)


def _mean_figures(
    parts: list[Part], z: Decimal, total: Decimal
) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """Value, standard error, band and coverage of a weighted mean, in the current context."""
    # One pass, the same sums in the same order as sum(..., ZERO) over the parts.
    covered = weighted = squares = ZERO
    for p in parts:
        weight = p.weight
        covered += weight
        weighted += weight * p.value
        squares += weight * weight * p.stderr * p.stderr
    value = weighted / covered
    stderr = squares.sqrt() / covered
    low = max(ZERO, value - z * stderr)
    high = min(HUNDRED, value + z * stderr)
    return value, stderr, low, high, covered / total


def latent_quality(
    index: QualityIndex,
    fit: LatentFit,
    model_id: str,
    weighting: Weighting,
    z: Decimal = Z95,
) -> Quality | None:
    """A model's quality over the whole weighting: observed scores, and predictions for the rest.

    A missing benchmark is predicted when the fit knows the model (it has a score
    the fit uses) and the benchmark; its value is the predicted score and its
    standard error sqrt(latent variance + p(1 - p) / n_eff) in points. The
    quality's variance is sum(w^2 se^2) over observed parts plus, for the
    predicted parts, the variance of sum(w p) from the fit (correlated through the
    model's capability) and each part's run noise, all over (sum w)^2. Coverage
    stays the share of the weight with observed scores. None when nothing is
    observed or predicted.
    """
    from costcalc.latent import to_points

    have = index.scores.get(model_id, {})
    parts: list[Part] = []
    missing: list[str] = []
    to_predict: dict[str, Decimal] = {}
    unpredicted: list[str] = []
    for bid, weight in sorted(weighting.weights.items()):
        entry = have.get(bid)
        if entry is not None:
            value, stderr, how = normalised(index.benchmarks[bid], entry.score)
            parts.append(Part(bid, weight, value, stderr, how, entry))
            continue
        missing.append(bid)
        if fit.has_model(model_id) and fit.has_benchmark(bid):
            to_predict[bid] = weight
        else:
            unpredicted.append(bid)
    prediction = None
    if to_predict:
        prediction = fit.predict(model_id, {b: float(w) for b, w in to_predict.items()})
        for bid, weight in to_predict.items():
            share = prediction.shares[bid]
            se = (prediction.latent_var[bid] + prediction.noise_var[bid]) ** 0.5
            parts.append(
                Part(bid, weight, to_points(share), to_points(se), "latent", None, "predicted")
            )
        parts.sort(key=lambda p: p.benchmark)
    if not parts:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        total = sum(weighting.weights.values(), ZERO)
        present = sum((p.weight for p in parts), ZERO)
        observed = sum((p.weight for p in parts if p.status == "observed"), ZERO)
        value = sum((p.weight * p.value for p in parts), ZERO) / present
        var = sum(
            (p.weight * p.weight * p.stderr * p.stderr for p in parts if p.status == "observed"),
            ZERO,
        )
        noise_var = var
        if prediction is not None:
            # In points squared: 100^2 x (var of sum(w p) + sum(w^2 x run noise)).
            noise = sum(float(w) ** 2 * prediction.noise_var[b] for b, w in to_predict.items())
            var += Decimal(repr(round((prediction.weighted_var + noise) * 10000.0, 6)))
            noise_var += Decimal(repr(round(noise * 10000.0, 6)))
        stderr = var.sqrt() / present
        low = max(ZERO, value - z * stderr)
        high = min(HUNDRED, value + z * stderr)
        noise_se = noise_var.sqrt() / present
        decision = (max(ZERO, value - z * noise_se), min(HUNDRED, value + z * noise_se))
    return Quality(
        value,
        stderr,
        low,
        high,
        observed / total,
        tuple(parts),
        tuple(missing),
        "latent",
        tuple(unpredicted),
        decision,
    )
