"""Start-up and single-command wall time and peak memory of the costcalc CLI.

Runs each command N times in a fresh process and reports the median and best wall
time, the median CPU time (user + system, from wait4's rusage of that one child:
less disturbed than wall time on a shared machine) and the peak resident memory.
Each command runs once before timing, so the catalog cache is warm.
Usage: python benchmarks/startup.py [--runs N] [--json]
It measures the costcalc on PATH next to this Python (install the project first).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import costcalc'": [sys.executable, "-c", "import costcalc"],
    "import typer, rich, yaml, pydantic": [
        sys.executable,
        "-c",
        "import typer, rich.table, yaml, pydantic",
    ],
    "costcalc --help": ["costcalc", "--help"],
    "costcalc cost deepseek-r1 (bundled)": [
        "costcalc",
        "cost",
        "deepseek-r1",
        "--input-tokens",
        "1000000",
        "--output-tokens",
        "1000000",
        "--currency",
        "CNY",
        "--as-of",
        "2025-04-13",
    ],
    "costcalc validate (bundled)": ["costcalc", "validate"],
    "costcalc compare (bundled, warm cache)": [
        "costcalc",
        "compare",
        "deepseek-r1",
        "gpt-4.1",
        "--as-of",
        "2025-06-01",
    ],
}


def measure(argv: list[str], runs: int) -> dict[str, float]:
    """Median and best wall time and peak memory of a command over fresh processes.

    Shared by the other benchmark scripts. An argument containing "{out}" gets a
    new empty temporary folder in each run (for commands that write files).
    """
    walls: list[float] = []
    cpus: list[float] = []
    peak_kib = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            full = [a.replace("{out}", out) for a in argv]
            start = time.perf_counter()
            proc = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            walls.append(time.perf_counter() - start)
            cpus.append(usage.ru_utime + usage.ru_stime)
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"{' '.join(full)} exited {os.waitstatus_to_exitcode(status)}")
            peak_kib = max(peak_kib, usage.ru_maxrss)
    return {
        "median_ms": round(statistics.median(walls) * 1000, 1),
        "best_ms": round(min(walls) * 1000, 1),
        "cpu_ms": round(statistics.median(cpus) * 1000, 1),
        "peak_mib": round(peak_kib / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bindir = os.path.dirname(sys.executable)
    results = {}
    for name, argv in COMMANDS.items():
        if argv[0] == "costcalc":
            argv = [shutil.which("costcalc", path=bindir) or "costcalc", *argv[1:]]
        measure(argv, 1)  # warm the catalog cache
        results[name] = measure(argv, args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.runs} runs each, {os.cpu_count()} cores")
    print("| command | median ms | best ms | CPU ms | peak MiB |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| `{name}` | {r['median_ms']} | {r['best_ms']} | {r['cpu_ms']} | {r['peak_mib']} |")


if __name__ == "__main__":
    main()
