"""Time and peak memory of `costcalc validate` on hostile files (each must fail fast, exit 2).

Usage: python benchmarks/hostile.py
Writes each case into a temporary folder and runs the installed costcalc on it.
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
}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--make":
        # Files are made in a child process so this measuring process stays small:
        # a forked child's peak memory counts what its parent held when it forked.
        for i, make in enumerate(CASES.values()):
            Path(sys.argv[2], str(i)).mkdir()
            Path(sys.argv[2], str(i), "case.yaml").write_bytes(make())
        return
    exe = shutil.which("costcalc", path=os.path.dirname(sys.executable)) or "costcalc"
    print("| case | exit | wall s | peak MiB |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as root:
        subprocess.run([sys.executable, __file__, "--make", root], check=True)
        for i, name in enumerate(CASES):
            tmp = str(Path(root, str(i)))
            start = time.perf_counter()
            proc = subprocess.Popen(
                [exe, "validate", "--no-bundled", tmp],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            code = os.waitstatus_to_exitcode(status)
            print(f"| {name} | {code} | {wall:.2f} | {usage.ru_maxrss / 1024:.0f} |")


if __name__ == "__main__":
    main()
