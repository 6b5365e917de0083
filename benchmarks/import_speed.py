"""Speed of `costcalc import`: the whole LiteLLM map (target: at most 0.8 s wall on 2 cores).

1. Wall time (median and best of N fresh processes) and peak resident memory of
   `costcalc import litellm` on the 4,878-entry map in tests/fixtures/importers,
   next to `python -c "import costcalc.cli"` (start-up alone), and the same for
   the genai-prices snapshot (36 provider files) and the OpenRouter fixture.
2. In-process phases of the LiteLLM import as the command runs it (median of N):
   loading the bundled catalog (from the catalog cache), its model identity and
   provider facts, reading the JSON with exact decimals, converting (rows matched
   to the bundled models, each row certified or validated), rendering the YAML,
   writing the folder (plan + atomic folder swap with one syncfs), and, for
   comparison, the way it was written before: each file atomically with its own
   fsync (`files.write_atomic`). Read, convert, render and write run without the
   cyclic garbage collector, as in the command (`feeds.bulk`).

Usage: python benchmarks/import_speed.py [--runs N] [--json]
It runs the costcalc next to this Python (install the project first).
Results are recorded in benchmarks/README.md; this is not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from startup import measure

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "importers"
LITELLM = FIXTURES / "litellm" / "model_prices_and_context_window_backup.json"
GENAI = FIXTURES / "genai-prices" / "providers"
OPENROUTER = FIXTURES / "openrouter" / "models.json"
AS_OF = "2026-11-27"


def costcalc() -> str:
    found = shutil.which("costcalc", path=str(Path(sys.executable).parent))
    return found or "costcalc"


def phases(runs: int) -> dict[str, float]:
    """Median milliseconds of each in-process phase of the LiteLLM import."""
    from costcalc.catalog import load_catalog
    from costcalc.cli.common import cache_dir
    from costcalc.files import write_atomic
    from costcalc.identity import Identity
    from costcalc.importers import litellm
    from costcalc.importers.feeds import bulk, bundled_providers
    from costcalc.importers.output import apply, plan, render_files
    from costcalc.importers.read import read_json

    times: dict[str, list[float]] = {
        "catalog": [],
        "read": [],
        "convert": [],
        "render": [],
        "write": [],
        "write, one fsync per file (before)": [],
    }
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            catalog = load_catalog([], cache_dir=cache_dir())
            identity, providers = Identity.from_catalog(catalog), bundled_providers(catalog)
            t1 = time.perf_counter()
            with bulk():
                data = read_json(LITELLM)
                t2 = time.perf_counter()
                result = litellm.convert(
                    data,
                    source_file=LITELLM.name,
                    as_of=dt.date(2026, 11, 27),
                    bundled_providers=providers,
                    identity=identity,
                )
                t3 = time.perf_counter()
                files = render_files(result)
                t4 = time.perf_counter()
                apply(plan(Path(out) / "swap", files, force=False))
                t5 = time.perf_counter()
            for rel, text in files.items():
                write_atomic(Path(out) / "per-file" / rel, text)
            t6 = time.perf_counter()
        steps = (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)
        for name, value in zip(times, steps, strict=True):
            value_ms = value * 1000
            times[name].append(value_ms)
    return {name: round(statistics.median(v), 1) for name, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    exe = costcalc()
    commands = {
        "python -c 'import costcalc.cli'": [sys.executable, "-c", "import costcalc.cli"],
        "costcalc import litellm (4,878 entries)": [
            exe, "import", "litellm", str(LITELLM), "-o", "{out}", "--as-of", AS_OF,
        ],
        "costcalc import genai-prices (36 files)": [
            exe, "import", "genai-prices", str(GENAI), "-o", "{out}", "--as-of", AS_OF,
        ],
        "costcalc import openrouter (10 rows)": [
            exe, "import", "openrouter", str(OPENROUTER), "-o", "{out}", "--as-of", AS_OF,
        ],
    }  # fmt: skip
    results = {name: measure(argv, args.runs) for name, argv in commands.items()}
    inside = phases(args.runs)
    if args.json:
        print(json.dumps({"commands": results, "litellm_phases_ms": inside}, indent=2))
        return
    print(f"{'command':45} {'median':>9} {'best':>9} {'CPU':>9} {'peak RSS':>9}")
    for name, r in results.items():
        print(
            f"{name:45} {r['median_ms']:>7} ms {r['best_ms']:>7} ms {r['cpu_ms']:>7} ms"
            f" {r['peak_mib']:>5} MiB"
        )
    steps = ", ".join(f"{k} {v}" for k, v in inside.items())
    print(f"LiteLLM import, in process (median ms): {steps}")
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
