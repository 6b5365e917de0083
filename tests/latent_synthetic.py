"""A synthetic catalog generator for the latent-scale tests and benchmarks (test data, not facts).

Known truth: every model a capability theta ~ N(0, 1); every benchmark a
difficulty b spread over [-2.5, 2.5], a discrimination a = exp(N(0, 0.3)) and an
item count drawn from 30..2,000. Selective reporting, as vendors do: model i
reports benchmark j with probability exp(-(theta_i - b_j)^2 / (2 x 0.75^2)), so
strong models report hard benchmarks and weak models easy ones (every model
reports at least its two closest benchmarks). A reported score is a binomial draw
over the items of p = logistic(a (theta - b) + harness), with a harness shift
~ N(0, 0.15) on the logit per score (vendors' harnesses differ). Pure Python
`random` with a fixed seed, so the catalogs are the same on every machine.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from costcalc.latent import FitInput, Observation

ITEM_COUNTS = (30, 60, 198, 500, 1000, 2000)


@dataclass(frozen=True)
class Synthetic:
    data: FitInput
    theta: dict[str, float]
    """True capability per model."""
    mean: dict[str, float]
    """Mean of the scores each model reports (the old method with equal weights)."""


def synthetic(
    seed: int, models: int = 60, benchmarks: int = 12, harness: float = 0.15
) -> Synthetic:
    """A catalog of `models` x `benchmarks` with selective reporting (see the module docstring)."""
    rng = random.Random(seed)
    theta = {f"m{i:03d}": rng.gauss(0.0, 1.0) for i in range(models)}
    benches = {}
    for j in range(benchmarks):
        b = -2.5 + 5.0 * (j + rng.random()) / benchmarks
        benches[f"b{j:02d}"] = (b, math.exp(rng.gauss(0.0, 0.3)), rng.choice(ITEM_COUNTS))
    obs: list[Observation] = []
    mean: dict[str, float] = {}
    for m, t in theta.items():
        closest = sorted(benches, key=lambda k: abs(benches[k][0] - t))[:2]
        reported = []
        for k, (b, a, n) in benches.items():
            chance = math.exp(-((t - b) ** 2) / (2 * 0.75**2))
            if k in closest or rng.random() < chance:
                p = 1 / (1 + math.exp(-(a * (t - b) + rng.gauss(0.0, harness))))
                solved = sum(rng.random() < p for _ in range(n))
                reported.append(Observation(m, k, solved / n, float(n)))
        obs.extend(reported)
        mean[m] = sum(o.share for o in reported) / len(reported)
    return Synthetic(FitInput(tuple(obs), ()), theta, mean)


@dataclass(frozen=True)
class Holdout:
    """Hidden scores predicted from a refit on the rest."""

    hidden: int
    inside: int
    """Hidden scores inside the prediction's 95% band."""
    mae_latent: float
    """Mean absolute error of the latent prediction, in points."""
    mae_naive: float
    """Mean absolute error of the mean of the model's other scores, in points."""

    @property
    def coverage(self) -> float:
        return self.inside / self.hidden if self.hidden else 0.0


def holdout(data: FitInput, seed: int, share: float = 0.2) -> Holdout:
    """Hide `share` of the scores (a score only if its model keeps another), refit, predict.

    A hidden score whose benchmark has no score left cannot be predicted: both
    predictors use the model's mean there (and it is outside the coverage count).
    """
    from costcalc.latent import fit

    obs = list(data.observations)
    order = list(range(len(obs)))
    random.Random(seed).shuffle(order)
    remaining: dict[str, int] = {}
    for o in obs:
        remaining[o.model] = remaining.get(o.model, 0) + 1
    target = round(share * len(obs))
    hidden: set[int] = set()
    for i in order:
        if len(hidden) == target:
            break
        if remaining[obs[i].model] >= 2:
            hidden.add(i)
            remaining[obs[i].model] -= 1
    kept = [o for i, o in enumerate(obs) if i not in hidden]
    result = fit(FitInput(tuple(kept), ()))
    err_latent, err_naive = [], []
    inside = predicted = 0
    for i in sorted(hidden):
        o = obs[i]
        mine = [k.share for k in kept if k.model == o.model]
        naive = sum(mine) / len(mine)
        err_naive.append(abs(naive - o.share) * 100)
        if not result.has_benchmark(o.benchmark):
            err_latent.append(err_naive[-1])
            continue
        pred = result.predict(o.model, {o.benchmark: 1.0})
        p = pred.shares[o.benchmark]
        se = math.sqrt(pred.latent_var[o.benchmark] + pred.noise_var[o.benchmark])
        inside += abs(p - o.share) <= 1.96 * se
        predicted += 1
        err_latent.append(abs(p - o.share) * 100)
    return Holdout(
        predicted,
        inside,
        sum(err_latent) / len(err_latent),
        sum(err_naive) / len(err_naive),
    )


def thin_holdout(data: FitInput, keep: int, draws: int = 4, min_scores: int = 6) -> Holdout:
    """Thin evidence made on purpose: each model with at least `min_scores` scores keeps only
    `keep` of them (`draws` random choices per model, fixed seeds), the scale is refitted, and
    the equal-weighted mean of its hidden scores is predicted with the band a profile's
    quality gets (the shared capability counted once, each benchmark's misfit added).

    `hidden` counts the (model, draw) cases, `inside` those whose true mean of the hidden
    scores falls inside the 95% band; the errors are of that mean, in points (naive: the
    mean of the kept scores).
    """
    from costcalc.latent import fit

    by_model: dict[str, list[Observation]] = {}
    for o in data.observations:
        by_model.setdefault(o.model, []).append(o)
    inside = cases = 0
    err_latent, err_naive = [], []
    for model in sorted(by_model):
        mine = by_model[model]
        if len(mine) < min_scores:
            continue
        others = [o for o in data.observations if o.model != model]
        for draw in range(draws):
            order = list(range(len(mine)))
            random.Random(f"{model}/{draw}").shuffle(order)
            kept = [mine[i] for i in order[:keep]]
            result = fit(FitInput(tuple(others + kept), ()))
            hidden = [mine[i] for i in order[keep:] if result.has_benchmark(mine[i].benchmark)]
            if not hidden:
                continue
            weights = {o.benchmark: 1.0 / len(hidden) for o in hidden}
            pred = result.predict(model, weights)
            value = sum(w * pred.shares[b] for b, w in weights.items())
            truth = sum(o.share for o in hidden) / len(hidden)
            var = pred.weighted_var + sum(w * w * pred.noise_var[b] for b, w in weights.items())
            inside += abs(value - truth) <= 1.96 * math.sqrt(var)
            cases += 1
            err_latent.append(abs(value - truth) * 100)
            err_naive.append(abs(sum(o.share for o in kept) / len(kept) - truth) * 100)
    return Holdout(
        cases,
        inside,
        sum(err_latent) / max(len(err_latent), 1),
        sum(err_naive) / max(len(err_naive), 1),
    )
