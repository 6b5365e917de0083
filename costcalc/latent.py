"""A latent capability scale: a two-parameter logistic (2PL) item-response model of all scores.

Every model i has a capability theta_i; every benchmark j a difficulty b_j and a
discrimination a_j = exp(l_j). The expected share of benchmark j's items that
model i solves is p_ij = 1 / (1 + exp(-a_j (theta_i - b_j))). A published score
s_ij (a share, 0-1) on a benchmark of n_j items is read as s_ij x n_j successes
out of n_j (a binomial likelihood), with the items made *over-dispersed*: two
vendors' harnesses differ by more than the sampling of items, and a benchmark
measures more than the one capability, so a score on benchmark j counts as
n_eff = n / (1 + (n - 1) rho_j) items: its variance around the curve is
p(1 - p) (1/n + rho_j (1 - 1/n)), the misfit of the scale included.

rho_j (0 <= rho_j <= 0.5) is estimated per benchmark from *leave-one-out*
residuals: a fitted score's residual understates the error of predicting it
(the score helped place its own model and benchmark), so each squared Pearson
residual is divided by 1 - h, its leverage h = n_eff p(1 - p) var(eta) taken from
the Laplace covariance. Summed over a benchmark's scores these give a moment
estimate of rho_j, shrunk towards the pooled estimate of all benchmarks with the
weight of DISPERSION_PRIOR_SCORES (5) scores, since a benchmark with two scores
cannot tell its misfit from luck. (On the bundled data rho_j runs from 0 for
AIME 2025 to 0.11 for SimpleQA, a knowledge benchmark the one-dimensional scale
fits worst.) A predicted score's band is then the parameters' uncertainty
(delta method over the Laplace covariance) plus the benchmark's misfit, and a
model with little evidence has a wide theta variance, so its predictions widen.

Band calibration: the same leave-one-out errors, each over its predictive
variance (its benchmark's rho_j also re-estimated without it), should fall
inside +-1.96 for 95% of the scores. If fewer do (heavy tails), every predictive
variance is multiplied by `band_scale`, the factor that makes exactly 95% do; it
is never below 1 (the band is never narrowed below the variance model).

What enters the fit: every score on a `percent` benchmark that has an item count.
A percent benchmark without one uses the count its standard error implies
(p(1 - p) / se^2, with the published or the benchmark's default error); with
neither, its scores are left out. Ratings (Elo-like) are left out: a linear
mapping to 0-100 is not a share of items solved, so the logistic curve does not
describe them. Scores left out are listed in `LatentFit.left_out`.

Priors make the model identifiable (location and scale of theta are otherwise
free) and keep benchmarks with one or two scores stable: theta ~ N(0, 1),
b ~ N(0, 2^2), log a ~ N(0, 0.5^2). The fit is the posterior mode (MAP), found by
Fisher scoring (Newton steps with the expected information, halved until the
objective falls) from a fixed start (theta = 0, a = 1, b = minus the mean logit
of the benchmark's scores), stopping when no parameter moves by more than 1e-8
or after 100 steps. The over-dispersion starts at rho_j = 0.01 and is
re-estimated after each fit, each fit started from the last, until no rho_j moves
by more than 0.001 (at most 8 re-estimates; 3-5 on the catalogs measured); the
fits before the last stop at moves of 1e-4, only the last one at 1e-8. The
uncertainty of the parameters is the inverse of the information at the mode (a
Laplace approximation).

numpy is imported only to fit. A fit is remembered in process, and with a
cache folder it is written there as a small JSON file keyed by a SHA-256 of the
fit's inputs; a cached fit is read back without numpy, and predictions are plain
float arithmetic.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from costcalc.quality import QualityIndex

FIT_VERSION = 2
"""Bump when the model, priors or stopping rule change: old cache files then miss."""

THETA_SD = 1.0
LOG_A_LIMIT = 50.0
"""Bound on a benchmark's log-discrimination inside the likelihood (overflow guard)."""
DIFFICULTY_SD = 2.0
LOG_DISCRIMINATION_SD = 0.5
MAX_STEPS = 100
STEP_TOLERANCE = 1e-8
ROUND_TOLERANCE = 1e-4
"""Stopping rule of the rounds before the last: their optimum only feeds the dispersion
estimate, which a move of 1e-4 does not change to any precision that matters."""
DISPERSION_ROUNDS = 8
"""At most this many re-estimates of the over-dispersion (each followed by a refit)."""
DISPERSION_TOLERANCE = 1e-3
"""The re-estimates stop when no benchmark's rho_j moves by more than this."""
MAX_RHO = 0.5
START_RHO = 0.01
"""Over-dispersion of the first round (then re-estimated twice): near what published scores
show (0.006-0.014 on the catalogs measured), so the first round is not a fit to items taken
as exact, which takes many more Newton steps."""
DISPERSION_PRIOR_SCORES = 5.0
"""A benchmark's own over-dispersion is shrunk to the pooled one with the weight of this many
scores."""
MAX_LEVERAGE = 0.95
"""Cap on a score's leverage (a benchmark with one score would otherwise divide by zero)."""
BAND_LEVEL = 0.95
BAND_Z = 1.96
MAX_BAND_SCALE = 100.0
"""Cap on a score's leverage (a benchmark with one score would otherwise divide by zero)."""
MAX_CACHE_BYTES = 4 * 1024 * 1024
CACHE_KEEP = 8

_MEMO: dict[str, LatentFit] = {}


@dataclass(frozen=True)
class Observation:
    """One score as the fit reads it: a share of items solved, out of a number of items."""

    model: str
    benchmark: str
    share: float
    items: float


@dataclass(frozen=True)
class FitInput:
    """Everything the fit depends on (its cache key is a hash of this)."""

    observations: tuple[Observation, ...]
    left_out: tuple[tuple[str, str, str], ...]
    """(model, benchmark, why) for scores that are not in the fit."""

    def key(self) -> str:
        text = json.dumps(
            [
                FIT_VERSION,
                THETA_SD,
                DIFFICULTY_SD,
                LOG_DISCRIMINATION_SD,
                DISPERSION_PRIOR_SCORES,
                MAX_LEVERAGE,
                DISPERSION_ROUNDS,
                ROUND_TOLERANCE,
                START_RHO,
                DISPERSION_TOLERANCE,
                [[o.model, o.benchmark, repr(o.share), repr(o.items)] for o in self.observations],
            ],
            separators=(",", ":"),
        )
        return hashlib.sha256(text.encode()).hexdigest()


def fit_input(index: QualityIndex) -> FitInput:
    """The scores of an index the fit can use, in a fixed order, and those it leaves out."""
    from costcalc.quality import normalised

    kept: list[Observation] = []
    left: list[tuple[str, str, str]] = []
    for model in sorted(index.scores):
        for bid in sorted(index.scores[model]):
            bench = index.benchmarks[bid]
            score = index.scores[model][bid].score
            if bench.scale != "percent":
                left.append((model, bid, "a rating, not a share of items solved"))
                continue
            share = min(max(float(score.score) / 100.0, 0.0), 1.0)
            if bench.items:
                items = float(bench.items)
            else:
                _, stderr, how = normalised(bench, score)
                se = float(stderr) / 100.0
                if how in ("published", "default") and se > 0:
                    p = min(max(share, 0.01), 0.99)
                    items = max(1.0, p * (1 - p) / (se * se))
                else:
                    left.append((model, bid, "no item count and no standard error"))
                    continue
            kept.append(Observation(model, bid, share, items))
    return FitInput(tuple(kept), tuple(left))


@dataclass(frozen=True)
class LatentFit:
    """The fitted scale: parameters, their covariance (the parts predictions need), dispersion."""

    models: tuple[str, ...]
    benchmarks: tuple[str, ...]
    theta: tuple[float, ...]
    theta_var: tuple[float, ...]
    difficulty: tuple[float, ...]
    log_discrimination: tuple[float, ...]
    items: tuple[float, ...]
    """Item count per benchmark (the largest its scores were read with)."""
    rho: float
    """Pooled over-dispersion of all scores (reported; predictions use `dispersion`)."""
    dispersion: tuple[float, ...]
    """Over-dispersion per benchmark: a score on benchmark j counts as
    n / (1 + (n - 1) rho_j) items."""
    band_scale: float
    """Calibration of predictive variances (>= 1): the factor that puts 95% of the scores'
    leave-one-out errors inside +-1.96 predictive standard errors."""
    bench_cov: tuple[tuple[float, ...], ...]
    """Covariance of (b_1..b_B, l_1..l_B), 2B x 2B."""
    cross_cov: tuple[tuple[float, ...], ...]
    """Covariance of theta_i with (b_1..b_B, l_1..l_B), M x 2B."""
    steps: int
    converged: bool
    left_out: tuple[tuple[str, str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_m", {m: i for i, m in enumerate(self.models)})
        object.__setattr__(self, "_b", {b: j for j, b in enumerate(self.benchmarks)})

    def has_model(self, model: str) -> bool:
        return model in self._m  # type: ignore[attr-defined]

    def has_benchmark(self, bench: str) -> bool:
        return bench in self._b  # type: ignore[attr-defined]

    def effective_items(self, bench: str) -> float:
        j: int = self._b[bench]  # type: ignore[attr-defined]
        n = self.items[j]
        return n / (1.0 + (n - 1.0) * self.dispersion[j])

    def capability(self, model: str) -> tuple[float, float]:
        """theta and its standard error."""
        i = self._m[model]  # type: ignore[attr-defined]
        return self.theta[i], math.sqrt(max(self.theta_var[i], 0.0))

    def predict(self, model: str, weights: Mapping[str, float]) -> Prediction:
        """Predicted shares on benchmarks, with the variance of their weighted sum.

        For each benchmark: p = logistic(a (theta - b)), its latent variance by the
        delta method over (theta_i, b_j, l_j) with the fit's covariance, and the
        noise of one run, p (1 - p) / n_eff. `weighted_var` is the variance of
        sum(w_j p_j) from the latent parameters (the benchmarks share theta_i, so
        their errors are correlated and are not added as if independent).
        """
        i = self._m[model]  # type: ignore[attr-defined]
        big_b = len(self.benchmarks)
        theta = self.theta[i]
        shares: dict[str, float] = {}
        latent: dict[str, float] = {}
        noise: dict[str, float] = {}
        # Gradient of sum(w p) over (theta_i, b_1..b_B, l_1..l_B), kept sparse.
        g_theta = 0.0
        g_bench: dict[int, float] = {}
        for bench, w in weights.items():
            j = self._b[bench]  # type: ignore[attr-defined]
            a = math.exp(self.log_discrimination[j])
            eta = a * (theta - self.difficulty[j])
            p = _logistic(eta)
            d = p * (1.0 - p)
            grad = (d * a, -d * a, d * eta)
            idx = (j, big_b + j)
            var = grad[0] * grad[0] * self.theta_var[i]
            for u in range(2):
                var += 2.0 * grad[0] * grad[u + 1] * self.cross_cov[i][idx[u]]
                for v in range(2):
                    var += grad[u + 1] * grad[v + 1] * self.bench_cov[idx[u]][idx[v]]
            shares[bench] = p
            latent[bench] = max(var, 0.0) * self.band_scale
            noise[bench] = d / self.effective_items(bench) * self.band_scale
            g_theta += w * grad[0]
            g_bench[idx[0]] = g_bench.get(idx[0], 0.0) + w * grad[1]
            g_bench[idx[1]] = g_bench.get(idx[1], 0.0) + w * grad[2]
        total = g_theta * g_theta * self.theta_var[i]
        for u, gu in g_bench.items():
            total += 2.0 * g_theta * gu * self.cross_cov[i][u]
            row = self.bench_cov[u]
            for v, gv in g_bench.items():
                total += gu * gv * row[v]
        return Prediction(shares, latent, noise, max(total, 0.0) * self.band_scale)

    # ------------------------------------------------------------ (de)serialise
    def to_json(self) -> dict[str, Any]:
        return {
            "fit_version": FIT_VERSION,
            "models": list(self.models),
            "benchmarks": list(self.benchmarks),
            "theta": list(self.theta),
            "theta_var": list(self.theta_var),
            "difficulty": list(self.difficulty),
            "log_discrimination": list(self.log_discrimination),
            "items": list(self.items),
            "rho": self.rho,
            "dispersion": list(self.dispersion),
            "band_scale": self.band_scale,
            "bench_cov": [list(r) for r in self.bench_cov],
            "cross_cov": [list(r) for r in self.cross_cov],
            "steps": self.steps,
            "converged": self.converged,
            "left_out": [list(x) for x in self.left_out],
        }

    @classmethod
    def from_json(cls, data: Any) -> LatentFit:
        """Rebuild a fit from its JSON, checking every shape and number (raises ValueError)."""
        if not isinstance(data, dict) or data.get("fit_version") != FIT_VERSION:
            raise ValueError("not a fit of this version")
        models = _strings(data["models"])
        benches = _strings(data["benchmarks"])
        m, b = len(models), len(benches)
        fit = cls(
            models=models,
            benchmarks=benches,
            theta=_floats(data["theta"], m),
            theta_var=_floats(data["theta_var"], m),
            difficulty=_floats(data["difficulty"], b),
            log_discrimination=_floats(data["log_discrimination"], b),
            items=_floats(data["items"], b),
            rho=_floats([data["rho"]], 1)[0],
            dispersion=_floats(data["dispersion"], b),
            band_scale=_floats([data["band_scale"]], 1)[0],
            bench_cov=tuple(_floats(r, 2 * b) for r in _list(data["bench_cov"], 2 * b)),
            cross_cov=tuple(_floats(r, 2 * b) for r in _list(data["cross_cov"], m)),
            steps=int(data["steps"]),
            converged=bool(data["converged"]),
            left_out=tuple(
                (str(x[0]), str(x[1]), str(x[2])) for x in _list(data["left_out"], None)
            ),
        )
        if (
            not 0 <= fit.rho <= MAX_RHO
            or not all(0 <= r <= MAX_RHO for r in fit.dispersion)
            or not 1 <= fit.band_scale <= MAX_BAND_SCALE
            or any(n < 1 for n in fit.items)
        ):
            raise ValueError("out of range")
        return fit


@dataclass(frozen=True)
class Prediction:
    """Predicted shares (0-1) of one model, per benchmark, and their uncertainty."""

    shares: dict[str, float]
    latent_var: dict[str, float]
    """Variance of each share from the fitted parameters."""
    noise_var: dict[str, float]
    """Variance of one run of the benchmark around the share: p (1 - p) / n_eff."""
    weighted_var: float
    """Variance of sum(w_j p_j) from the fitted parameters (correlations included)."""


def _logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _list(value: Any, length: int | None) -> list[Any]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        raise ValueError("bad list")
    return value


def _strings(value: Any) -> tuple[str, ...]:
    items = _list(value, None)
    if not all(isinstance(x, str) for x in items) or len(set(items)) != len(items):
        raise ValueError("bad names")
    return tuple(items)


def _floats(value: Any, length: int) -> tuple[float, ...]:
    items = _list(value, length)
    out = []
    for x in items:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise ValueError("bad number")
        out.append(float(x))
    return tuple(out)


# ------------------------------------------------------------------------- fit


def fit(data: FitInput) -> LatentFit:
    """Fit the 2PL model to the observations (numpy, imported here)."""
    import numpy as np

    models = tuple(sorted({o.model for o in data.observations}))
    benches = tuple(sorted({o.benchmark for o in data.observations}))
    m_ix = {m: i for i, m in enumerate(models)}
    b_ix = {b: j for j, b in enumerate(benches)}
    big_m, big_b = len(models), len(benches)
    if not data.observations:
        return LatentFit((), (), (), (), (), (), (), 0.0, (), 1.0, (), (), 0, True, data.left_out)
    mi = np.array([m_ix[o.model] for o in data.observations], dtype=np.intp)
    bj = np.array([b_ix[o.benchmark] for o in data.observations], dtype=np.intp)
    s = np.array([o.share for o in data.observations], dtype=float)
    n = np.array([o.items for o in data.observations], dtype=float)
    items = np.zeros(big_b)
    np.maximum.at(items, bj, n)

    # Fixed start: theta 0, a 1, b = -(mean logit of the benchmark's scores).
    clipped = np.clip(s, 0.5 / n, 1 - 0.5 / n)
    logit = np.log(clipped / (1 - clipped))
    counts = np.bincount(bj, minlength=big_b)
    x = np.concatenate(
        [
            np.zeros(big_m),
            -np.bincount(bj, logit, minlength=big_b) / np.maximum(counts, 1),
            np.zeros(big_b),
        ]
    )
    prior = np.concatenate(
        [
            np.full(big_m, 1 / THETA_SD**2),
            np.full(big_b, 1 / DIFFICULTY_SD**2),
            np.full(big_b, 1 / LOG_DISCRIMINATION_SD**2),
        ]
    )
    rows_b = big_m + bj
    rows_l = big_m + big_b + bj

    def parts(x: Any) -> tuple[Any, Any, Any]:
        # A trial step of the line search can propose a huge log-discrimination: clip it
        # (e^50 is far past any fitted value) so the exponential never overflows.
        a = np.exp(np.clip(x[rows_l], -LOG_A_LIMIT, LOG_A_LIMIT))
        eta = a * (x[mi] - x[rows_b])
        return a, eta, 0.5 * (1 + np.tanh(eta / 2))  # the logistic, without overflow

    def objective(x: Any, w: Any) -> float:
        _, eta, _ = parts(x)
        # -[s log p + (1 - s) log(1 - p)] = s log(1 + e^-eta) + (1 - s) log(1 + e^eta)
        nll = np.sum(w * (s * np.logaddexp(0, -eta) + (1 - s) * np.logaddexp(0, eta)))
        return float(nll + 0.5 * np.sum(prior * x * x))

    def information(x: Any, w: Any, exact: bool = False) -> tuple[Any, Any, Any, Any]:
        """Gradient and information in blocks: theta (diagonal), theta x bench, bench x bench.

        The bench parameters are (b_1..b_B, l_1..l_B). Only the small bench block
        is ever factorised (the theta block is diagonal): numpy's threaded BLAS
        routines are avoided on purpose, they are slow on a loaded 2-core machine.
        """
        a, eta, p = parts(x)
        r = w * (p - s)
        g = np.concatenate(
            [
                np.bincount(mi, r * a, minlength=big_m),
                np.bincount(bj, -r * a, minlength=big_b),
                np.bincount(bj, r * eta, minlength=big_b),
            ]
        )
        g += prior * x
        v = w * p * (1 - p)
        diag = prior[:big_m] + np.bincount(mi, v * a * a, minlength=big_m)
        cross = np.zeros((big_m, 2 * big_b))
        cross[mi, bj] = -v * a * a
        cross[mi, big_b + bj] = v * a * eta
        bench = np.diag(prior[big_m:])
        jb = np.arange(big_b)
        jl = big_b + jb
        bench[jb, jb] += np.bincount(bj, v * a * a, minlength=big_b)
        bench[jl, jl] += np.bincount(bj, v * eta * eta, minlength=big_b)
        bl = np.bincount(bj, -v * a * eta, minlength=big_b)
        if exact:
            # The observed information adds the residual times the second derivatives of
            # eta: d2eta/dtheta dl = a, d2eta/db dl = -a, d2eta/dl2 = eta.
            cross[mi, big_b + bj] += r * a
            bl = bl + np.bincount(bj, -r * a, minlength=big_b)
            bench[jl, jl] += np.bincount(bj, r * eta, minlength=big_b)
        bench[jb, jl] += bl
        bench[jl, jb] += bl
        return g, diag, cross, bench

    def schur(diag: Any, cross: Any, bench: Any) -> Any:
        """The bench block minus what theta explains: E - C^T D^-1 C (einsum, no BLAS)."""
        scaled = cross / np.sqrt(diag)[:, None]
        return bench - np.einsum("ij,ik->jk", scaled, scaled)

    def newton(g: Any, diag: Any, cross: Any, schur_chol: Any) -> Any:
        """Solve H d = -g through the Schur complement, given its Cholesky factor."""
        g_t, g_b = g[:big_m], g[big_m:]
        rhs = g_b - np.einsum("ij,i->j", cross, g_t / diag)
        y = np.linalg.solve(schur_chol, rhs)
        d_b = np.linalg.solve(schur_chol.T, y)
        d_t = (g_t - np.einsum("ij,j->i", cross, d_b)) / diag
        return -np.concatenate([d_t, d_b])

    def covariance(x: Any, w: Any) -> tuple[Any, Any, Any]:
        """Inverse of the expected information, by blocks (bench, cross, theta variances).

        With D the theta diagonal, C the cross block and S = E - C^T D^-1 C: the bench
        block is S^-1, the cross covariance -D^-1 C S^-1, and
        var(theta_i) = 1/D_i + (D^-1 C S^-1 C^T D^-1)_ii.
        """
        _, diag, cross, bench = information(x, w)
        bench_cov = np.linalg.inv(schur(diag, cross, bench))
        bench_cov = (bench_cov + bench_cov.T) / 2
        scaled = cross / diag[:, None]
        cross_cov = -np.einsum("ij,jk->ik", scaled, bench_cov)
        theta_var = 1 / diag - np.einsum("ik,ik->i", cross_cov, scaled)
        return bench_cov, cross_cov, theta_var

    def loo(x: Any, w: Any) -> tuple[Any, tuple[Any, Any, Any]]:
        """Each score's squared leave-one-out residual over p(1 - p), and the covariance.

        A fitted score's residual is smaller than the error of predicting it, because the
        score helped place its own model and benchmark. Its leverage h = w p(1-p) var(eta)
        (var(eta) from the Laplace covariance) undoes that: (s - p)^2 / (p(1-p)(1 - h)) is,
        to first order, the squared error of predicting the score from all the others over
        p(1 - p), with the expectation 1/n + rho (1 - 1/n).
        """
        a, eta, p = parts(x)
        cov = covariance(x, w)
        bench_cov, cross_cov, theta_var = cov
        var_eta = (
            a * a * (theta_var[mi] + bench_cov[bj, bj] - 2 * cross_cov[mi, bj])
            + eta * eta * bench_cov[big_b + bj, big_b + bj]
            + 2 * a * eta * (cross_cov[mi, big_b + bj] - bench_cov[bj, big_b + bj])
        )
        pq = np.clip(p * (1 - p), 1e-12, None)
        leverage = np.clip(w * pq * np.clip(var_eta, 0, None), 0.0, MAX_LEVERAGE)
        return (s - p) ** 2 / (pq * (1 - leverage)), cov

    def dispersion(z: Any) -> tuple[Any, float]:
        """Per-benchmark over-dispersion from leave-one-out residuals, shrunk to the pooled one.

        Summed per benchmark, the leave-one-out residuals give a moment estimate of rho_j;
        rho_j is then shrunk towards the pooled estimate with the weight of
        DISPERSION_PRIOR_SCORES scores (a benchmark with two scores cannot tell its own
        misfit apart from luck).
        """
        excess = np.bincount(bj, z - 1 / n, minlength=big_b)
        spread = np.bincount(bj, 1 - 1 / n, minlength=big_b)
        total = float(np.sum(spread))  # 0 when every score is out of a single item
        pooled = min(MAX_RHO, max(0.0, float(np.sum(excess)) / total)) if total > 0 else 0.0
        own = (excess + DISPERSION_PRIOR_SCORES * pooled) / (spread + DISPERSION_PRIOR_SCORES)
        return np.clip(own, 0.0, MAX_RHO), pooled

    rho = np.full(big_b, START_RHO)
    pooled = 0.0
    steps = 0
    converged = False
    final = False
    for round_ in range(DISPERSION_ROUNDS + 1):
        w = n / (1 + (n - 1) * rho[bj])
        f = objective(x, w)
        converged = False
        for _ in range(MAX_STEPS):
            steps += 1
            g, diag, cross, bench = information(x, w, exact=True)
            try:
                # Newton with the observed information where it is positive definite,
                # else a Fisher-scoring step (the expected information always is).
                if np.any(diag <= 0):
                    raise np.linalg.LinAlgError
                chol = np.linalg.cholesky(schur(diag, cross, bench))
            except np.linalg.LinAlgError:
                g, diag, cross, bench = information(x, w)
                chol = np.linalg.cholesky(schur(diag, cross, bench))
            step = newton(g, diag, cross, chol)
            slope = float(np.dot(g, step))
            t = 1.0
            for _ in range(40):
                trial = x + t * step
                f_trial = objective(trial, w)
                if f_trial <= f + 1e-4 * t * slope:
                    break
                t /= 2
            else:
                trial, f_trial = x, f
            moved = float(np.max(np.abs(trial - x)))
            x, f = trial, f_trial
            if moved <= (STEP_TOLERANCE if final else ROUND_TOLERANCE):
                converged = True
                break
        if final:
            break
        new_rho, pooled = dispersion(loo(x, w)[0])
        # The last fit, to the full tolerance, once no rho_j moves by more than
        # DISPERSION_TOLERANCE (or after DISPERSION_ROUNDS re-estimates).
        final = (
            round_ + 1 == DISPERSION_ROUNDS
            or float(np.max(np.abs(new_rho - rho))) <= DISPERSION_TOLERANCE
        )
        rho = new_rho
    w = n / (1 + (n - 1) * rho[bj])
    z, (bench_cov, cross_cov, theta_var) = loo(x, w)
    # Band calibration: u^2 is each score's squared leave-one-out error over its predictive
    # variance, with its benchmark's dispersion also estimated without it (an outlier must
    # not widen its own band); where more than 5% of them exceed 1.96^2 (heavy tails), every
    # predictive variance is scaled so that exactly 5% do.
    excess = np.bincount(bj, z - 1 / n, minlength=big_b)[bj] - (z - 1 / n)
    spread = np.bincount(bj, 1 - 1 / n, minlength=big_b)[bj] - (1 - 1 / n)
    rho_loo = np.clip(
        (excess + DISPERSION_PRIOR_SCORES * pooled) / (spread + DISPERSION_PRIOR_SCORES),
        0.0,
        MAX_RHO,
    )
    u2 = z / (1 / n + rho_loo * (1 - 1 / n))
    scale = min(MAX_BAND_SCALE, max(1.0, float(np.quantile(u2, BAND_LEVEL)) / BAND_Z**2))
    if not all(np.all(np.isfinite(v)) for v in (x, bench_cov, cross_cov, theta_var)):
        from costcalc.errors import InputError

        raise InputError(
            "the latent capability fit did not reach finite values on these scores;"
            " use --quality-method mean"
        )
    return LatentFit(
        models=models,
        benchmarks=benches,
        theta=tuple(x[:big_m].tolist()),
        # tolist() gives Python floats, the same values float() would, much faster.
        theta_var=tuple(theta_var.tolist()),
        difficulty=tuple(x[big_m : big_m + big_b].tolist()),
        log_discrimination=tuple(x[big_m + big_b :].tolist()),
        items=tuple(items.tolist()),
        rho=float(pooled),
        dispersion=tuple(rho.tolist()),
        band_scale=scale,
        bench_cov=tuple(map(tuple, bench_cov.tolist())),
        cross_cov=tuple(map(tuple, cross_cov.tolist())),
        steps=steps,
        converged=converged,
        left_out=data.left_out,
    )


# ----------------------------------------------------------------------- cache


def latent_fit(index: QualityIndex, cache_dir: Path | None = None) -> LatentFit:
    """The fit of an index's scores: remembered in process, and cached in `cache_dir` as JSON.

    A cache file that is missing, a symlink, too large or not a valid fit is
    ignored and replaced; a folder that cannot be written only costs speed.
    """
    data = fit_input(index)
    key = data.key()
    found = _MEMO.get(key)
    if found is not None:
        return found
    path = cache_dir / f"latent-{key}.json" if cache_dir is not None else None
    if path is not None:
        found = _read_cache(path)
    if found is None:
        found = fit(data)
        if path is not None:
            _write_cache(path, found)
    _MEMO.clear()  # one fit is enough to remember: a process compares one catalog
    _MEMO[key] = found
    return found


def _read_cache(path: Path) -> LatentFit | None:
    # Trusted as the catalog cache is: owner, modes, no links, HMAC (a planted fit is ignored).
    from costcalc.catalog_cache import read_private

    try:
        body = read_private(path.parent, path.name, MAX_CACHE_BYTES)
        return None if body is None else LatentFit.from_json(json.loads(body.decode("utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError):
        return None


def _write_cache(path: Path, value: LatentFit) -> None:
    from costcalc.catalog_cache import write_private

    folder = path.parent
    try:
        if folder.is_symlink():
            return
        body = json.dumps(value.to_json(), separators=(",", ":")).encode("utf-8")
        write_private(folder, path.name, body)
        old = sorted(
            (p for p in folder.glob("latent-*.json") if not p.is_symlink()),
            key=lambda p: (p.stat().st_mtime_ns, p.name),
        )
        for stale in old[:-CACHE_KEEP]:
            with contextlib.suppress(OSError):
                stale.unlink()
    except OSError:
        pass


def clear_memo() -> None:
    """Forget the fit remembered in process (tests, benchmarks)."""
    _MEMO.clear()


def to_points(share: float) -> Decimal:
    """A share 0-1 as a quality in points (0-100), rounded to 1e-6 so output is stable."""
    return Decimal(repr(round(share * 100.0, 6)))


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation (ties get their average rank)."""
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / math.sqrt(vx * vy) if vx > 0 and vy > 0 else 0.0


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks
