"""The issue #9 scale targets, each measured against its reference in the same run.

Every pair is timed in fresh processes, interleaved (A, B, A, B, ...), so a change
in the machine's load hits both sides alike; the figure that matters is the ratio
of the medians. Wall time is what a user waits; CPU is user + system of the child
(from wait4), less disturbed by other processes on a shared machine.

(a) a warm `costcalc compare deepseek-r1 gpt-4.1` against genai-prices' one-model
    `genai-prices calc gpt-4o -i 2000 -o 500` (install the `bench` extra:
    pip install '.[bench]'). Target: costcalc <= 0.5x genai-prices.
(b) a warm `costcalc compare` over N synthetic offers (default 100,000: one model,
    one offer and three scores each, in a --pricing folder layered over the bundled
    sheets) against the same command on the bundled catalog alone. Both use
    `--quality-method mean --no-self-hosted -f json` (see benchmarks/README.md: the latent
    fit is a separate cost). Target: <= 15x, peak RSS <= 600 MiB. `--format table`
    times the default table instead, drawn at 80 columns.
(c) `costcalc check` over N procurement files (default 10,000; the files of
    benchmarks/check_speed.py). Target: <= 3 s wall.
(d) `costcalc import litellm` of the 4,878-entry fixture in tests/fixtures.
    Target: <= 0.8 s wall. With `--before EXE` (another build's `costcalc`, e.g. a
    script running main's checkout), the two are timed interleaved, after / before.

Usage: python benchmarks/side_by_side.py [--runs N] [--only a,b,c,d]
       [--offers N] [--format json|table] [--files N] [--before EXE] [--json] [--stages]
(--stages: for (b), also the CPU per offer of each stage of the compare, in process.)
It runs the costcalc next to this Python; results go in benchmarks/README.md.
Each run uses its own catalog cache folder (COSTCALC_CACHE_DIR), warmed first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LITELLM = (
    ROOT / "tests" / "fixtures" / "importers" / "litellm"
    / "model_prices_and_context_window_backup.json"
)  # fmt: skip
AS_OF = "2025-06-01"
BENCHMARKS = ("gpqa-diamond", "aime-2025", "swe-bench-verified")


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit(f"{name} is not installed next to {sys.executable}")
    return found


def run_once(argv: list[str], env: dict[str, str], out: str | None = None) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one fresh process; exit 0 or 1 only."""
    full = [a.replace("{out}", out or "") for a in argv]
    start = time.perf_counter()
    proc = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(full)} exited {code}:\n{stderr[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def pair(
    a: list[str], b: list[str], runs: int, env: dict[str, str], fresh_out: bool = False
) -> dict[str, Any]:
    """Interleaved runs of two commands (one untimed warm-up each); medians and the ratio a/b."""
    samples: dict[str, list[dict[str, float]]] = {"a": [], "b": []}
    for argv in (a, b):
        with tempfile.TemporaryDirectory() as out:
            run_once(argv, env, out)  # warm: the catalog cache, the page cache
    for _ in range(runs):
        for side, argv in (("a", a), ("b", b)):
            if fresh_out:
                with tempfile.TemporaryDirectory() as out:
                    samples[side].append(run_once(argv, env, out))
            else:
                samples[side].append(run_once(argv, env))
    result: dict[str, Any] = {}
    for side in ("a", "b"):
        got = samples[side]
        result[side] = {
            "median_wall_ms": round(statistics.median(s["wall"] for s in got) * 1000, 1),
            "best_wall_ms": round(min(s["wall"] for s in got) * 1000, 1),
            "median_cpu_ms": round(statistics.median(s["cpu"] for s in got) * 1000, 1),
            "peak_rss_mib": round(max(s["rss"] for s in got), 1),
        }
    result["ratio_wall"] = round(result["a"]["median_wall_ms"] / result["b"]["median_wall_ms"], 3)
    result["ratio_cpu"] = round(result["a"]["median_cpu_ms"] / result["b"]["median_cpu_ms"], 3)
    return result


def timed(argv: list[str], runs: int, env: dict[str, str], fresh_out: bool) -> dict[str, Any]:
    """One command, warmed once, then `runs` fresh processes."""
    got = []
    with tempfile.TemporaryDirectory() as out:
        run_once(argv, env, out)
    for _ in range(runs):
        if fresh_out:
            with tempfile.TemporaryDirectory() as out:
                got.append(run_once(argv, env, out))
        else:
            got.append(run_once(argv, env))
    return {
        "median_wall_ms": round(statistics.median(s["wall"] for s in got) * 1000, 1),
        "best_wall_ms": round(min(s["wall"] for s in got) * 1000, 1),
        "median_cpu_ms": round(statistics.median(s["cpu"] for s in got) * 1000, 1),
        "peak_rss_mib": round(max(s["rss"] for s in got), 1),
    }


def write_synthetic(folder: Path, n: int, seed: int = 9, per_file: int = 1000) -> None:
    """n synthetic models, each with one offer (USD, random prices) and three scores.

    The ids are `syn-000001`...; prices are random cents to tens of dollars per
    million tokens, scores uniform 20-95, so the bar leaves some offers in and many out.
    Sheets hold `per_file` models each (one synthetic provider per sheet), under the
    per-file limit of 200,000 YAML values.
    """
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for chunk, first in enumerate(range(0, n, per_file)):
        ids = range(first, min(n, first + per_file))
        sheet = [
            "kind: price-sheet",
            f"provider: {{id: syn-p{chunk:04d}, name: Synthetic {chunk}, country: US,"
            " currency: USD, pricing_url: 'https://example.com/pricing'}",
            "models:",
        ]
        for i in ids:
            sheet.append(
                f"  - {{id: syn-{i:06d}, name: Syn {i}, vendor: Synthetic, open_weights: false,"
                " license: proprietary}"
            )
        sheet.append("offers:")
        for i in ids:
            price_in = rnd.randint(1, 2000) / 100
            price_out = rnd.randint(1, 8000) / 100
            sheet.append(
                f"  - {{model: syn-{i:06d}, prices: [{{as_of: 2025-01-01, source: synthetic,"
                f" input: {price_in}, output: {price_out}}}]}}"
            )
        (folder / f"synthetic-{chunk:04d}.yaml").write_text("\n".join(sheet) + "\n")
        scores = ["kind: scores", "scores:"]
        for i in ids:
            for bench in BENCHMARKS:
                scores.append(
                    f"  - {{model: syn-{i:06d}, benchmark: {bench},"
                    f" score: {rnd.randint(200, 950) / 10}, metric: pass@1, source: synthetic,"
                    " as_of: 2025-01-01}"
                )
        (folder / f"synthetic-scores-{chunk:04d}.yaml").write_text("\n".join(scores) + "\n")


def stages(folder: Path, cache: Path, runs: int) -> dict[str, float]:
    """In this process: CPU microseconds per offer of each stage of a warm compare over the
    catalog layered with `folder` (the best of `runs`, after one run that warms the cache):
    load the catalog, index the scores, compare_full, the JSON payload and the JSON text, both
    as `compare -f json` makes them: the lazy payload (each offer's text made as it is written,
    `render.compare.model_text`) written in parts to a sink; the table is not built for JSON.
    (Before 2026-12-01 this built the eager payload, a dict per offer, which the CLI does not.)
    The collector as the CLI sets it (costcalc.cli raises its first threshold)."""
    import datetime as dt
    import gc
    from decimal import Decimal

    from costcalc.catalog import load_catalog
    from costcalc.compare import CompareOptions, compare_full
    from costcalc.quality import quality_index
    from costcalc.render.compare import payload
    from costcalc.render.tables import write_json
    from costcalc.workload import (
        DEFAULT_CACHED_SHARE,
        DEFAULT_INPUT_TOKENS,
        DEFAULT_OUTPUT_TOKENS,
        request,
    )

    gc.set_threshold(100_000)
    options = CompareOptions(
        usage=request(DEFAULT_INPUT_TOKENS, DEFAULT_OUTPUT_TOKENS, DEFAULT_CACHED_SHARE),
        when=dt.date.fromisoformat(AS_OF),
        currency="USD",
        quality_method="mean",
        max_multiple_per_point=Decimal(1),
    )
    best: dict[str, float] = {}
    offers = 0
    for attempt in range(runs + 1):
        clock = time.process_time
        took: dict[str, float] = {}
        start = clock()
        catalog = load_catalog([folder], cache_dir=cache)
        took["load"] = clock() - start
        start = clock()
        index = quality_index(catalog)
        took["index"] = clock() - start
        start = clock()
        ranking, result = compare_full(catalog, options, index)
        took["compare_full"] = clock() - start
        start = clock()
        out = payload(ranking, options, result, lazy=True)
        took["payload"] = clock() - start
        start = clock()
        write_json(out, len)  # made and measured, not kept
        took["json"] = clock() - start
        offers = len(catalog.offers)
        del catalog, index, ranking, result, out
        if attempt:  # the first run fills the cache
            for name, value in took.items():
                best[name] = min(best.get(name, value), value)
    return {name: round(value / offers * 1e6, 1) for name, value in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="a,b,c,d")
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument(
        "--format",
        default="json",
        choices=["json", "table"],
        help="(b): the output format of both compares (table: drawn at 80 columns)",
    )
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--before", metavar="EXE", help="(d): another costcalc to compare with")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--stages", action="store_true", help="(b) also: CPU per offer of each stage, in process"
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    costcalc = tool("costcalc")
    results: dict[str, Any] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, COSTCALC_CACHE_DIR=str(Path(tmp) / "cache"), NO_COLOR="1")
        env.pop("COSTCALC_NO_CACHE", None)
        # A normal install has its bytecode compiled; an environment that forbids writing
        # it would time the compiler, not costcalc (or genai-prices).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        compare = [costcalc, "compare", "deepseek-r1", "gpt-4.1", "--as-of", AS_OF]
        if "a" in only:
            genai = [tool("genai-prices"), "calc", "gpt-4o", "-i", "2000", "-o", "500", "-n"]
            results["a"] = pair(compare, genai, args.runs, env)
        if "b" in only:
            syn = Path(tmp) / "synthetic"
            write_synthetic(syn, args.offers)
            scale = [costcalc, "compare", "--as-of", AS_OF, "--quality-method", "mean",
                     "--no-self-hosted", "-f", args.format]  # fmt: skip
            # a table is drawn at 80 columns, the width the README's tables are checked at
            benv = dict(env, COLUMNS="80") if args.format == "table" else env
            started = time.perf_counter()
            cold = run_once([*scale, "--pricing", str(syn)], benv)
            results["b_cold_ms"] = round((time.perf_counter() - started) * 1000, 1)
            results["b_cold_rss_mib"] = round(cold["rss"], 1)
            results["b"] = pair([*scale, "--pricing", str(syn)], scale, args.runs, benv)
            results["b"]["offers"] = args.offers
            results["b"]["format"] = args.format
            if args.stages:
                results["b_stages_us_per_offer"] = stages(
                    syn, Path(tmp) / "stage-cache", min(args.runs, 3)
                )
        if "c" in only:
            sys.path.insert(0, str(Path(__file__).parent))
            from check_speed import write_files

            folder = Path(tmp) / "procurement"
            folder.mkdir()
            write_files(folder, args.files)
            check = [costcalc, "check", str(folder), "--as-of", AS_OF, "-f", "json"]
            results["c"] = timed(check, args.runs, env, fresh_out=False)
            results["c"]["files"] = args.files
        if "d" in only:
            imp = [costcalc, "import", "litellm", str(LITELLM), "--output", "{out}/feed",
                   "--as-of", "2026-11-27"]  # fmt: skip
            if args.before:
                before = [args.before, *imp[1:]]
                results["d_before"] = pair(imp, before, args.runs, env, fresh_out=True)
            else:
                results["d"] = timed(imp, args.runs, env, fresh_out=True)
    results["load_after"] = os.getloadavg()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"{args.runs} interleaved runs, {results['cpus']} CPUs, Python {results['python']},"
        f" load {results['load_before'][0]:.1f} -> {results['load_after'][0]:.1f}"
    )
    rows = [
        ("a", "warm compare / genai-prices calc", "<= 0.5"),
        ("b", f"compare {args.offers:,} offers / bundled, -f {args.format}", "<= 15"),
    ]
    for key, name, target in rows:
        if key in results:
            r = results[key]
            print(
                f"({key}) {name}: wall {r['a']['median_wall_ms']} / {r['b']['median_wall_ms']} ms"
                f" = {r['ratio_wall']}x, CPU {r['a']['median_cpu_ms']} /"
                f" {r['b']['median_cpu_ms']} ms = {r['ratio_cpu']}x (target {target});"
                f" peak RSS {r['a']['peak_rss_mib']} / {r['b']['peak_rss_mib']} MiB"
            )
    if "b_stages_us_per_offer" in results:
        per = results["b_stages_us_per_offer"]
        print("    in process, CPU per offer: " + ", ".join(f"{k} {v} us" for k, v in per.items()))
    if "d_before" in results:
        r = results["d_before"]
        print(
            f"(d) import litellm, after / before: wall {r['a']['median_wall_ms']} /"
            f" {r['b']['median_wall_ms']} ms = {r['ratio_wall']}x (best {r['a']['best_wall_ms']} /"
            f" {r['b']['best_wall_ms']}), CPU {r['a']['median_cpu_ms']} / {r['b']['median_cpu_ms']}"
            f" ms = {r['ratio_cpu']}x; peak RSS {r['a']['peak_rss_mib']} /"
            f" {r['b']['peak_rss_mib']} MiB (target 800 ms wall)"
        )
    if "b_cold_ms" in results:
        print(f"    cold (cache miss) compare over the synthetic offers: {results['b_cold_ms']} ms,"
              f" {results['b_cold_rss_mib']} MiB")  # fmt: skip
    for key, name, target in (("c", f"check {args.files:,} files", "3000 ms"),
                              ("d", "import litellm", "800 ms")):  # fmt: skip
        if key in results:
            r = results[key]
            print(
                f"({key}) {name}: median wall {r['median_wall_ms']} ms (best {r['best_wall_ms']}),"
                f" CPU {r['median_cpu_ms']} ms, peak RSS {r['peak_rss_mib']} MiB"
                f" (target {target} wall)"
            )


if __name__ == "__main__":
    main()
