"""Speed of `costcalc check` on many procurement files, and on a hostile file.

1. Writes N procurement files (default 1,000, one decision each) to a temporary
   folder: models and providers of the bundled catalog, 4 workloads x 2 quality
   profiles x 2 budget currencies, every rule's policy fields set, one waiver in
   three. Then runs `costcalc check FOLDER --as-of 2025-06-01 -f json` in fresh
   processes (median and best of --runs) and reports the files per second.
2. In process: `costcalc.gate.check` (the one library call the CLI makes), with
   the loading of the files timed on its own, the number of comparisons the
   per-(workload, profile, day, currency) cache actually ran, and the rendering
   of every report format.
3. A hostile file (an alias bomb) must fail with exit 2 in under a second.

With `--before EXE` (another build's `costcalc`, e.g. main's in its own virtualenv),
step 1 instead times the two side by side on the same folder: interleaved fresh
processes (after, before, after, ...), one untimed warm-up each, with
`side_by_side.pair` (wall, CPU of the process and its parse workers, peak RSS),
and the load average before and after.

Usage: python benchmarks/check_speed.py [--files N] [--runs N] [--distinct]
       [--before EXE] [--json]
It measures the costcalc on PATH next to this Python (install the project first).
Results are recorded in benchmarks/README.md; this is not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

AS_OF = "2025-06-01"
CHOICES = [
    ("deepseek-r1", "deepseek"),
    ("deepseek-r1-0528", "deepseek"),
    ("deepseek-v3-0324", "deepseek"),
    ("gemini-2.5-flash", "google"),
    ("gpt-4.1-mini", "openai"),
    ("qwq-32b", "groq"),
    ("o3", "openai"),
    ("no-such-model", "deepseek"),
]
WORKLOADS = [
    "{requests_per_month: 100000, input_tokens: 2000, output_tokens: 500}",
    "{requests_per_day: 5000, input_tokens: 4000, output_tokens: 600, cached_share: 0.5}",
    "{requests_per_month: 20000, input_tokens: 1000, output_tokens: 300, batch_share: 1}",
    "{preset: small}",
]
PROFILES = ["balanced", "coding"]
CURRENCIES = [("USD", 500), ("CNY", 3000)]


def write_files(folder: Path, n: int, distinct: bool = False) -> None:
    """N files of one decision each. They repeat every 96 files (names aside), so the
    checker's sharing of work between decisions written alike applies; with
    `distinct`, each budget differs by a cent, so no two decisions are alike."""
    for i in range(n):
        model, provider = CHOICES[i % len(CHOICES)]
        workload = WORKLOADS[(i // len(CHOICES)) % len(WORKLOADS)]
        profile = PROFILES[i % len(PROFILES)]
        currency, budget = CURRENCIES[(i // 3) % len(CURRENCIES)]
        amount = f"{budget + i // 100}.{i % 100:02}" if distinct else str(budget)
        waiver = (
            "    waivers:\n"
            "      - {rule: dominated, reason: bench, owner: bench, expires: 2025-12-31}\n"
            if i % 3 == 0
            else ""
        )
        (folder / f"team-{i:05}.yaml").write_text(
            "kind: procurement\n"
            "policy: {licenses: {deny: [llama-3.1-community]}, max_price_age_days: 365,"
            " max_score_age_days: 3650, max_cost_multiple: 3, max_cost_per_point: 100,"
            " rate_limit_headroom: 1.5}\n"
            "decisions:\n"
            f"  - name: decision-{i}\n"
            f"    model: {model}\n"
            f"    provider: {provider}\n"
            f"    workload: {workload}\n"
            f"    quality: {{profile: {profile}, min: 60}}\n"
            f"    budget: {{monthly: {amount}, currency: {currency}}}\n" + waiver
        )


def wall(argv: list[str], runs: int, cpu: list[float] | None = None) -> tuple[list[float], int]:
    """Wall times of `runs` fresh processes (into `cpu`: their CPU seconds, workers included)."""
    import resource

    times = []
    code = 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        code = subprocess.run(argv, capture_output=True, check=False).returncode
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if cpu is not None:
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, code


def _loadavg() -> str:
    """The machine's 1-minute load average (wall times mean little on a busy machine)."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def in_process(folder: Path) -> dict[str, Any]:
    """The same library call the CLI makes (costcalc.gate.check), CPU seconds by stage.

    CPU, not wall: on a shared machine wall time measures the queue. `workers` is
    the parse processes' CPU. Within `check` the files are validated and checked
    as the workers parse them, so loading and rules are not separable there;
    `load_files` times loading alone (the same parse and validation, no rules).
    """
    import resource

    from costcalc.catalog import load_catalog
    from costcalc.gate import check, paused_gc
    from costcalc.gate.load import load_procurement
    from costcalc.render.reports import ReportFormat, formatter_for

    def workers() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    when = dt.date.fromisoformat(AS_OF)
    t0 = time.process_time()
    catalog = load_catalog([])
    t1, w1 = time.process_time(), workers()
    with paused_gc():
        load_procurement([folder])
    t2, w2 = time.process_time(), workers()
    result = check([folder], when=when, catalog=catalog)
    t3, w3 = time.process_time(), workers()
    sizes, render = {}, {}
    for fmt in ReportFormat:
        start = time.process_time()
        with paused_gc():
            sizes[fmt.value] = len(formatter_for(fmt).format(result))
        render[fmt.value] = round(time.process_time() - start, 3)
    return {
        "load_catalog_cpu_s": round(t1 - t0, 3),
        "load_files_cpu_s (parent, workers)": (round(t2 - t1, 3), round(w2 - w1, 3)),
        "check_cpu_s (parent, workers)": (round(t3 - t2, 3), round(w3 - w2, 3)),
        "render_cpu_s": render,
        "decisions": len(result.decisions),
        "findings": len(result.findings),
        "comparisons_run": result.comparisons,
        "report_chars": sizes,
    }


def before_after(exe: str, before: str, folder: Path, runs: int, cache: Path) -> dict[str, Any]:
    """`costcalc check FOLDER` of this build (a) and of `before` (b), interleaved."""
    import os

    sys.path.insert(0, str(Path(__file__).parent))
    from side_by_side import pair

    env = dict(os.environ, COSTCALC_CACHE_DIR=str(cache), NO_COLOR="1")
    env.pop("COSTCALC_NO_CACHE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a normal install has its bytecode compiled
    argv = ["check", str(folder), "--as-of", AS_OF, "-f", "json"]
    load_before = os.getloadavg()
    result = pair([exe, *argv], [before, *argv], runs, env)
    return {
        "after": result["a"],
        "before": result["b"],
        "ratio_wall": result["ratio_wall"],
        "ratio_cpu": result["ratio_cpu"],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--distinct", action="store_true", help="no two decisions alike (no shared rule work)"
    )
    parser.add_argument("--before", metavar="EXE", help="another costcalc, timed side by side")
    args = parser.parse_args()
    exe = shutil.which("costcalc") or str(Path(sys.executable).with_name("costcalc"))
    tmp = Path(tempfile.mkdtemp(prefix="costcalc-check-bench-"))
    try:
        folder = tmp / "procurement"
        folder.mkdir()
        write_files(folder, args.files, args.distinct)
        if args.before:
            out = before_after(exe, args.before, folder, args.runs, tmp / "cache")
            out.update(files=args.files, distinct_decisions=args.distinct)
            print(json.dumps(out, indent=2))
            return
        cpu: list[float] = []
        times, code = wall(
            [exe, "check", str(folder), "--as-of", AS_OF, "-f", "json"], args.runs, cpu
        )
        bomb = tmp / "bomb.yaml"
        rows = ["kind: procurement", 'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
        rows += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
        bomb.write_text("\n".join(rows) + "\n")
        bomb_times, bomb_code = wall([exe, "check", str(bomb)], args.runs)
        out = {
            "files": args.files,
            "distinct_decisions": args.distinct,
            "check_exit_code": code,
            "check_wall_median_s": round(statistics.median(times), 3),
            "check_wall_best_s": round(min(times), 3),
            "files_per_second": round(args.files / statistics.median(times)),
            "check_cpu_median_s (all processes)": round(statistics.median(cpu), 3),
            "load_average_1min_after": _loadavg(),
            "in_process": in_process(folder),
            "hostile_exit_code": bomb_code,
            "hostile_wall_median_s": round(statistics.median(bomb_times), 3),
        }
    finally:
        shutil.rmtree(tmp)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for key, value in out.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
