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
