"""The latent capability scale: fit speed, recovery of known capabilities, and hold-out error.

1. Speed, in process: `costcalc.latent.fit` on a synthetic catalog of 200 models x
   30 benchmarks (target <= 200 ms) and on the bundled scores; median and best of
   N runs, numpy already imported (its import time is reported apart). Also the
   cached path: reading the fit back from its JSON cache file.
2. Recovery: on synthetic catalogs with selective reporting
   (tests/latent_synthetic.py: strong models report hard benchmarks, weak models
   easy ones), Spearman's rank correlation of the fitted capabilities and of the
   mean of each model's reported scores with the true capabilities, per seed.
3. Hold-out (tests/latent_synthetic.py `holdout`): 20% of the scores the fit uses
   are hidden (fixed seed; a score is hidden only if its model keeps at least one
   other), the scale is refitted on the rest and predicts them. Mean absolute
   error in points against the naive predictor (the mean of the model's remaining
   scores), and the share of hidden scores inside the prediction's 95% band
   (coverage), on the bundled scores (seed 20261130, then seeds 1-5 pooled) and on
   the synthetic catalogs of seeds 1-10. Thin evidence (`thin_holdout`): every
   bundled model with 6+ scores keeps only k = 1..4 of them (four draws each), and
   the mean of its hidden scores is predicted with the band a profile's quality
   gets; the share of cases inside that 95% band.

Usage: python benchmarks/latent_speed.py [--runs N] [--json]
Results are recorded in benchmarks/README.md; this is not a timed test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the synthetic generator lives with the tests

from latent_synthetic import Holdout, holdout, synthetic, thin_holdout  # noqa: E402

from costcalc import latent  # noqa: E402
from costcalc.catalog import load_catalog  # noqa: E402
from costcalc.latent import fit, fit_input, spearman  # noqa: E402
from costcalc.quality import quality_index  # noqa: E402

HOLDOUT_SEED = 20261130
HOLDOUT_SHARE = 0.2
SEEDS = (1, 2, 3, 4, 5)


def timed(func: object, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "best_ms": round(min(times) * 1000, 1),
    }


def speed(runs: int) -> dict[str, object]:
    start = time.perf_counter()
    import numpy  # noqa: F401

    numpy_ms = round((time.perf_counter() - start) * 1000, 1)
    big = synthetic(99, models=200, benchmarks=30).data
    bundled = fit_input(quality_index(load_catalog([])))
    out: dict[str, object] = {"numpy_import_ms": numpy_ms}
    for name, data in (("synthetic_200x30", big), ("bundled", bundled)):
        result = fit(data)
        out[name] = {
            "scores": len(data.observations),
            "models": len(result.models),
            "benchmarks": len(result.benchmarks),
            "newton_steps": result.steps,
            "rho_pooled": round(result.rho, 5),
            "band_scale": round(result.band_scale, 4),
            **timed(lambda d=data: fit(d), runs),  # type: ignore[misc]
        }
    with tempfile.TemporaryDirectory() as folder:
        index = quality_index(load_catalog([]))
        latent.clear_memo()
        latent.latent_fit(index, Path(folder))

        def cached() -> None:
            latent.clear_memo()
            latent.latent_fit(index, Path(folder))

        out["bundled_cached_read"] = timed(cached, runs)
    return out


def recovery() -> dict[str, object]:
    rows = []
    for seed in SEEDS:
        syn = synthetic(seed)
        result = fit(syn.data)
        est = dict(zip(result.models, result.theta, strict=True))
        names = sorted(syn.theta)
        truth = [syn.theta[m] for m in names]
        rows.append(
            {
                "seed": seed,
                "scores": len(syn.data.observations),
                "latent": round(spearman([est[m] for m in names], truth), 3),
                "mean": round(spearman([syn.mean[m] for m in names], truth), 3),
            }
        )
    return {
        "catalog": "60 models x 12 benchmarks, selective reporting",
        "seeds": rows,
        "latent_mean": round(sum(r["latent"] for r in rows) / len(rows), 3),  # type: ignore[misc]
        "mean_mean": round(sum(r["mean"] for r in rows) / len(rows), 3),  # type: ignore[misc]
    }


def holdout_report() -> dict[str, object]:
    """Hold-out on the bundled scores (seed HOLDOUT_SEED, then SEEDS) and on synthetic catalogs."""
    data = fit_input(quality_index(load_catalog([])))

    def summary(runs: list[Holdout]) -> dict[str, object]:
        hidden = sum(r.hidden for r in runs)
        inside = sum(r.inside for r in runs)
        return {
            "inside_95_band": f"{inside} of {hidden}",
            "coverage": round(inside / hidden, 3),
            "coverage_per_seed": [round(r.coverage, 3) for r in runs],
            "mae_latent_points": round(statistics.mean(r.mae_latent for r in runs), 2),
            "mae_naive_points": round(statistics.mean(r.mae_naive for r in runs), 2),
        }

    full = fit(data)
    return {
        "scores": len(data.observations),
        "share_hidden": HOLDOUT_SHARE,
        "rho_pooled": round(full.rho, 5),
        "band_scale": round(full.band_scale, 4),
        "dispersion": {
            b: round(r, 5) for b, r in zip(full.benchmarks, full.dispersion, strict=True)
        },
        f"bundled_seed_{HOLDOUT_SEED}": summary([holdout(data, HOLDOUT_SEED, HOLDOUT_SHARE)]),
        "bundled_seeds_1_5": summary([holdout(data, s, HOLDOUT_SHARE) for s in SEEDS]),
        "bundled_thin_evidence": {
            f"keep_{k}": summary([thin_holdout(data, k)]) for k in (1, 2, 3, 4)
        },
        "synthetic_seeds_1_10": summary(
            [holdout(synthetic(s).data, s, HOLDOUT_SHARE) for s in range(1, 11)]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = {"speed": speed(args.runs), "recovery": recovery(), "holdout": holdout_report()}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for section, values in report.items():
        print(f"[{section}]")
        print(json.dumps(values, indent=2))


if __name__ == "__main__":
    main()
