"""Speed of `costcalc compare`: the command on the bundled catalog, and ranking in process.

1. Wall time (median and best of N fresh processes) and peak resident memory of
   `costcalc compare` on the bundled catalog, next to `python -c pass`,
   `python -c "import costcalc"`, the bare imports of typer, rich, yaml and
   pydantic, and `costcalc validate` (loading the bundled catalog, no ranking).
2. In-process `costcalc.rank.rank` on 10,000 and 100,000 synthetic offers
   (random costs and qualities; building the offers is not timed), median of
   a few runs, with the Python heap peak of the ranking call (tracemalloc).

Usage: python benchmarks/compare_speed.py [--runs N] [--json]
It measures the costcalc on PATH next to this Python (install the project first).
Results are recorded in benchmarks/README.md; this is not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import shutil
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from startup import measure

AS_OF = "2025-07-15"

COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import costcalc'": [sys.executable, "-c", "import costcalc"],
    "import typer, rich, yaml, pydantic": [
        sys.executable,
        "-c",
        "import typer, rich.table, yaml, pydantic",
    ],
    "costcalc validate (bundled)": ["costcalc", "validate"],
    "costcalc compare (bundled)": ["costcalc", "compare", "--as-of", AS_OF],
    "costcalc compare --format json": ["costcalc", "compare", "--as-of", AS_OF, "-f", "json"],
    "costcalc compare --profile coding": [
        "costcalc",
        "compare",
        "--profile",
        "coding",
        "--as-of",
        AS_OF,
    ],
}


def synthetic(n: int, seed: int = 1) -> list[Any]:
    """n offers with random costs (cents to dollars) and qualities (0-100, se 0.5-5)."""
    from costcalc.catalog import OfferEntry, Origin
    from costcalc.cost import CostResult, PriceChoice, Usage
    from costcalc.quality import Z95, Quality
    from costcalc.rank import Candidate
    from costcalc.schema.pricing import Offer, PricePeriod, Provider

    rnd = random.Random(seed)
    period = PricePeriod.model_construct(as_of=dt.date(2025, 1, 1), source="synthetic")
    choice = PriceChoice(period, Origin("synthetic", None), "USD", True, None)
    usage = Usage(Decimal(1), Decimal(0))
    provider = Provider.model_construct(id="p", name="P", currency="USD")
    offer = Offer.model_construct(model="m")
    out = []
    for i in range(n):
        model: Any = SimpleNamespace(id=f"m{i:06d}")
        entry = OfferEntry(provider, model, offer, Origin("synthetic", None), ())
        total = Decimal(rnd.randint(1, 10**7)) / 10**6
        v = Decimal(rnd.randint(0, 1000)) / 10
        s = Decimal(rnd.randint(5, 50)) / 10
        q = Quality(v, s, v - Z95 * s, v + Z95 * s, Decimal(1), (), ())
        out.append(Candidate(entry, CostResult(model.id, "p", "USD", usage, total, (), choice), q))
    return out


def rank_speed(n: int, repeats: int) -> dict[str, float]:
    from costcalc.rank import rank

    cands = synthetic(n)
    times = []
    cpu = []
    for _ in range(repeats):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        rank(cands, good_enough=Decimal("0.9"))
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    gc.collect()
    tracemalloc.start()
    rank(cands, good_enough=Decimal("0.9"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "best_ms": round(min(times) * 1000, 1),
        "median_cpu_ms": round(statistics.median(cpu) * 1000, 1),
        "heap_peak_mib": round(peak / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bindir = os.path.dirname(sys.executable)
    results: dict[str, Any] = {"commands": {}, "ranking": {}}
    for name, argv in COMMANDS.items():
        if argv[0] == "costcalc":
            argv = [shutil.which("costcalc", path=bindir) or "costcalc", *argv[1:]]
        results["commands"][name] = measure(argv, args.runs)
    for n, repeats in ((10_000, 5), (100_000, 3)):
        results["ranking"][f"{n:,} offers"] = rank_speed(n, repeats)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.runs} runs each, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print()
    print("| command | median ms | best ms | peak MiB |")
    print("|---|---:|---:|---:|")
    for name, r in results["commands"].items():
        print(f"| `{name}` | {r['median_ms']} | {r['best_ms']} | {r['peak_mib']} |")
    print()
    print("| in-process `rank()` | median ms | best ms | median CPU ms | heap peak MiB |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results["ranking"].items():
        print(
            f"| {name} | {r['median_ms']} | {r['best_ms']} | {r['median_cpu_ms']}"
            f" | {r['heap_peak_mib']} |"
        )


if __name__ == "__main__":
    main()
