"""Speed and memory of `costcalc replay` against DuckDB's own raw GROUP BY on the same file.

For each size N (default 1M and 10M rows) it writes a generic-format log with
DuckDB (streamed: `COPY (SELECT … FROM range(N)) TO …`) into a temporary folder,
then times, in fresh processes and in the same run:

1. raw: DuckDB reading the file and grouping it by model, provider and day with
   sums of the token columns (`SELECT … FROM read_csv(file) GROUP BY ALL`), the
   least any replay has to do;
2. replay: `costcalc replay FILE --format json` on the bundled catalog (detection,
   the full grouping by price keys with bad-row checks, exact pricing, the
   counterfactual on every offer, rendering).

It reports wall time (median and best of --runs), CPU time (user + system, median) and
peak resident memory (from wait4's rusage of that one child), and the ratios replay /
raw (target <= 3). Raw and replay runs alternate, so both see the same load; on a
shared machine the CPU ratio is the steadier figure. `--baseline PATH` also times
another `costcalc` executable (say, an older commit installed in its own virtualenv)
in the same alternation, on the same file: before and after, side by side.

The log: timestamps spread over 2025-06-01 .. 2025-09-30 UTC (o3's price cut on
2025-06-10, DeepSeek's 2025-09-05 16:00 UTC change, DeepSeek's off-peak window),
seven logged names (deepseek-reasoner, gpt-4o, o3, gemini-2.5-pro with prompts up
to 250k tokens so its >200k tier applies, gemini-2.5-flash, deepseek-chat, and an
unknown one), a quarter of the prompts partly cached, 10% batch, a logged cost.

Usage: python benchmarks/replay_speed.py [--rows 1000000 10000000] [--format csv|parquet]
       [--runs 3] [--baseline PATH/TO/costcalc] [--json]
It measures the costcalc next to this Python (install the project first). Compare
regular installs (`pip install .` of each commit in its own virtualenv): an editable
install starts 0.2-0.4 s slower, which shows at 1M rows.
Results are recorded in benchmarks/README.md; this is not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from startup import measure

GENERATE = """
COPY (
  SELECT
    strftime(TIMESTAMP '2025-06-01' + to_seconds(CAST(hash(i) % 10540800 AS BIGINT)),
             '%Y-%m-%dT%H:%M:%SZ') AS timestamp,
    ['deepseek-reasoner', 'gpt-4o', 'o3', 'gemini-2.5-pro', 'gemini-2.5-flash',
     'deepseek-chat', 'mystery-model'][(i % 7) + 1] AS model,
    ['deepseek', 'openai', 'openai', 'google', 'google', 'deepseek', 'lab'][(i % 7) + 1]
      AS provider,
    CAST(500 + hash(i * 3) % 250000 AS BIGINT) AS input_tokens,
    CAST((500 + hash(i * 3) % 250000) * (i % 4) // 4 AS BIGINT) AS cached_tokens,
    CAST(50 + hash(i * 7) % 4000 AS BIGINT) AS output_tokens,
    i % 10 = 0 AS batch,
    round((500 + hash(i * 3) % 250000) * 0.0000005 + (50 + hash(i * 7) % 4000) * 0.000002, 8)
      AS cost
  FROM range({n}) t(i)
) TO '{path}' ({options})
"""

RAW = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
rows = con.execute(
    "SELECT model, provider, CAST(timestamp AS DATE) AS day, COUNT(*),"
    " SUM(input_tokens), SUM(cached_tokens), SUM(output_tokens)"
    " FROM {reader}(?) GROUP BY ALL", [sys.argv[1]]
).fetchall()
print(len(rows))
"""


def generate(n: int, path: Path, fmt: str) -> float:
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER"
    con.execute(GENERATE.format(n=n, path=str(path).replace("'", "''"), options=options))
    con.close()
    return time.perf_counter() - start


def _combine(runs: list[dict[str, float]]) -> dict[str, float]:
    """Single-run measurements -> median and best wall time, median CPU time, peak memory."""
    return {
        "median_ms": statistics.median(r["median_ms"] for r in runs),
        "best_ms": min(r["best_ms"] for r in runs),
        "cpu_ms": statistics.median(r["cpu_ms"] for r in runs),
        "peak_mib": max(r["peak_mib"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--baseline",
        metavar="COSTCALC",
        help="another costcalc executable to time side by side (e.g. an older commit)",
    )
    args = parser.parse_args()
    costcalc = shutil.which("costcalc", path=os.path.dirname(sys.executable)) or "costcalc"
    reader = "read_parquet" if args.format == "parquet" else "read_csv"
    results = []
    with tempfile.TemporaryDirectory(prefix="replay-bench-") as tmp:
        for n in args.rows:
            path = Path(tmp) / f"log-{n}.{args.format}"
            made = generate(n, path, args.format)
            size = path.stat().st_size
            raw_argv = [sys.executable, "-c", RAW.format(reader=reader), str(path)]
            tail = [str(path), "--format", "json", "--limit", "5"]
            commands = [raw_argv, [costcalc, "replay", *tail]]
            if args.baseline:
                commands.append([args.baseline, "replay", *tail])
            # Interleaved, so that all see the same load on a shared machine.
            rounds = [[measure(argv, 1) for argv in commands] for _ in range(args.runs)]
            raw, rep = _combine([r[0] for r in rounds]), _combine([r[1] for r in rounds])
            result = {
                "rows": n,
                "format": args.format,
                "bytes": size,
                "generate_s": round(made, 2),
                "load_before": os.getloadavg()[0],
                "raw": raw,
                "replay": rep,
                "ratio_median": round(rep["median_ms"] / raw["median_ms"], 2),
                "ratio_cpu": round(rep["cpu_ms"] / raw["cpu_ms"], 2),
            }
            if args.baseline:
                base = _combine([r[2] for r in rounds])
                result["baseline"] = base
                result["baseline_ratio_median"] = round(base["median_ms"] / raw["median_ms"], 2)
                result["baseline_ratio_cpu"] = round(base["cpu_ms"] / raw["cpu_ms"], 2)
            results.append(result)
            path.unlink()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        "| rows | file | raw GROUP BY (median / best, CPU, peak RSS)"
        " | replay (median / best, CPU, peak RSS) | replay / raw (wall) | replay / raw (CPU) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        raw = r["raw"]
        for label, rep, wall, cpu in (
            ("", r["replay"], r["ratio_median"], r["ratio_cpu"]),
            (
                " (baseline)",
                r.get("baseline"),
                r.get("baseline_ratio_median"),
                r.get("baseline_ratio_cpu"),
            ),
        ):
            if rep is None:
                continue
            print(
                f"| {r['rows']:,}{label} | {r['bytes'] / 2**20:,.0f} MiB {r['format']} |"
                f" {raw['median_ms'] / 1000:.2f} s / {raw['best_ms'] / 1000:.2f} s,"
                f" {raw['cpu_ms'] / 1000:.1f} s, {raw['peak_mib']:.0f} MiB |"
                f" {rep['median_ms'] / 1000:.2f} s / {rep['best_ms'] / 1000:.2f} s,"
                f" {rep['cpu_ms'] / 1000:.1f} s, {rep['peak_mib']:.0f} MiB |"
                f" {wall:.2f}× | {cpu:.2f}× |"
            )


if __name__ == "__main__":
    main()
