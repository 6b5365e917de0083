"""Time and peak memory of costcalc on hostile files (each must end fast with its exit code).

Usage: python benchmarks/hostile.py
Writes each case into a temporary folder and runs the installed costcalc on it:
`validate --no-bundled` for sheets (exit 2), `import` for feeds (exit 0: the
hostile row is skipped and named; exit 2 for a repeated JSON key).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def bomb() -> bytes:
    lines = ["kind: models", "a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


CASES = {
    "billion laughs (9^9 aliases)": bomb,
    "50 MB file": lambda: b"a" * (50 * 1024 * 1024),
    "4.9 MB of nested lists": lambda: (
        b"kind: models\nmodels: " + b"[]".join([b"[" * 2_450_000, b"]" * 2_450_000])
    ),
    "4.9 MB flat mapping": lambda: (
        b"kind: models\n" + b"".join(f"k{i}: {i}\n".encode() for i in range(450_000))
    ),
    "binary junk": lambda: os.urandom(1 << 20),
    "!!python/object/apply tag": lambda: (
        b"kind: models\nmodels: !!python/object/apply:os.system ['echo owned']\n"
    ),
    "!!set tag": lambda: b"kind: models\nmodels: !!set {a, b}\n",
    "5,000-digit integer": lambda: b"kind: models\nmodels: " + b"9" * 5000 + b"\n",
    "1 MB integer": lambda: b"kind: models\nmodels: " + b"9" * 1_000_000 + b"\n",
    "float 1.0e+999999": lambda: b"kind: models\nmodels: 1.0e+999999\n",
}

GOOD_ROW = (
    b'"ok": {"litellm_provider": "openai", "input_cost_per_token": 1e-06,'
    b' "output_cost_per_token": 2e-06}'
)


def _feed(bad: bytes) -> bytes:
    return (
        b"{" + GOOD_ROW + b', "bad": {"litellm_provider": "openai", "input_cost_per_token": 1e-06,'
        b' "output_cost_per_token": 2e-06, ' + bad + b"}}"
    )


FEEDS = {
    "max_input_tokens 1e100000000": lambda: _feed(b'"max_input_tokens": 1e100000000'),
    "tier range start 1e100000000": lambda: _feed(
        b'"tiered_pricing": [{"range": [1e100000000, 2], "input_cost_per_token": 1e-06}]'
    ),
    "price 1e999999 per token": lambda: _feed(b'"cache_read_input_token_cost": 1e999999'),
    "1 MB integer count": lambda: _feed(b'"max_input_tokens": ' + b"9" * 1_000_000),
    "repeated key": lambda: b"{" + GOOD_ROW + b", " + GOOD_ROW + b"}",
}


def _run(exe: str, args: list[str]) -> tuple[int, float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen([exe, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--make":
        # Files are made in a child process so this measuring process stays small:
        # a forked child's peak memory counts what its parent held when it forked.
        for i, make in enumerate(CASES.values()):
            Path(sys.argv[2], str(i)).mkdir()
            Path(sys.argv[2], str(i), "case.yaml").write_bytes(make())
        for i, make in enumerate(FEEDS.values()):
            Path(sys.argv[2], f"feed{i}.json").write_bytes(make())
        return
    exe = shutil.which("costcalc", path=os.path.dirname(sys.executable)) or "costcalc"
    print("| case | command | exit | wall s | peak MiB |")
    print("|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as root:
        subprocess.run([sys.executable, __file__, "--make", root], check=True)
        for i, name in enumerate(CASES):
            code, wall, peak = _run(exe, ["validate", "--no-bundled", str(Path(root, str(i)))])
            print(f"| {name} | validate | {code} | {wall:.2f} | {peak:.0f} |")
        for i, name in enumerate(FEEDS):
            out = str(Path(root, f"out{i}"))
            args = ["import", "litellm", str(Path(root, f"feed{i}.json")), "--output", out]
            code, wall, peak = _run(exe, args)
            print(f"| {name} | import litellm | {code} | {wall:.2f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
