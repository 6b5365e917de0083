"""The `costcalc` program ends as soon as its answer is written, without losing any of it.

costcalc.cli.run skips the interpreter's teardown (os._exit) once the atexit handlers
have run and stdout and stderr are flushed; these tests run the real program in a
child process and check the output, the exit code and the handlers are all kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app, finish

REPO = Path(__file__).resolve().parent.parent
COMPARE = [
    "compare",
    "--no-bundled",
    "--pricing",
    "tests/fixtures/compare",
    "--as-of",
    "2025-06-01",
]


def program(args: list[str], tmp_path: Path, before: str = "") -> subprocess.CompletedProcess[str]:
    """`costcalc ARGS` as the console script runs it (costcalc.cli.run), in a child."""
    code = f"import sys\n{before}\nsys.argv = ['costcalc', *{args!r}]\nfrom costcalc.cli import run\nrun()\n"
    env = dict(os.environ, COSTCALC_CACHE_DIR=str(tmp_path), NO_COLOR="1", COLUMNS="100")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )


def test_output_and_exit_code_are_the_ones_main_gives(runner: CliRunner, tmp_path: Path) -> None:
    """The table and the JSON written through a pipe are whole and identical to the
    in-process run's; the exit code is 0."""
    for args in (COMPARE, [*COMPARE, "-f", "json"]):
        child = program(args, tmp_path)
        assert child.returncode == 0, child.stderr
        inside = runner.invoke(app, args, env={"COLUMNS": "100"})
        assert child.stdout == inside.stdout
    json.loads(child.stdout)


def test_bad_input_still_exits_2_with_its_message(tmp_path: Path) -> None:
    """Exit 2 and the error on stderr, as before."""
    child = program(["compare", "--as-of", "2025-13-45"], tmp_path)
    assert child.returncode == 2
    assert "--as-of" in child.stderr


def test_atexit_handlers_still_run(tmp_path: Path) -> None:
    """A handler registered with atexit runs (after the answer, before the process ends),
    with the exit code kept."""
    before = "import atexit\natexit.register(lambda: print('handler ran', file=sys.stderr))"
    ok = program([*COMPARE, "-f", "json"], tmp_path, before)
    assert ok.returncode == 0 and ok.stderr.strip().endswith("handler ran")
    bad = program(["compare", "--as-of", "2025-13-45"], tmp_path, before)
    assert bad.returncode == 2 and bad.stderr.strip().endswith("handler ran")


def test_finish_leaves_the_usual_exit_when_something_may_be_pending() -> None:
    """Another thread alive, or an exit code that is not a number: finish returns (the
    test process is still here to check it)."""
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert finish(0) is None
    finally:
        stop.set()
        worker.join()
    assert finish("a message") is None


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_exit_0(args: list[str], tmp_path: Path) -> None:
    """Eager options that end the run early (help, version) exit 0 with their text."""
    child = program(args, tmp_path)
    assert child.returncode == 0 and child.stdout


def test_finish_ends_the_process_with_the_code() -> None:
    """With nothing pending, finish ends the process at once with the code given, after
    the atexit handlers and with stdout flushed."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "print('answer')\n"
        "from costcalc.cli import finish\n"
        "finish(3)\n"
        "print('not reached')\n"
    )
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert child.returncode == 3
    assert child.stdout == "answer\nhandler ran\n"
