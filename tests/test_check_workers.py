"""The parse workers (forked processes, one pipe each) give the serial result, even when one dies.

`costcalc.gate.load._Workers` forks plain processes that parse batches of files
and send them back pickled through a pipe; the parent reads them in file order.
These tests pin the result against the serial path, the hand-over when a worker
ends early (the parent parses the rest itself), and that no worker is left
behind (every child reaped).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from costcalc.gate import check, load

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers: Linux")

PRICING = Path(__file__).parent / "fixtures" / "check" / "pricing"
WHEN = dt.date(2026, 3, 1)
# (the pricing fixture: `cheap` on `ushost` at $0.5 / $1 per million tokens) 100,000 requests
# x (1,000 input + 500 output tokens) = 100 x 0.5 + 50 x 1 = $100 a month: 90 is over budget
DECISION = (
    "kind: procurement\n"
    "decisions:\n"
    "  - name: d{i}\n"
    "    model: cheap\n"
    "    provider: ushost\n"
    "    workload: {{requests_per_month: 100000, input_tokens: 1000, output_tokens: 500}}\n"
    "    budget: {{monthly: {budget}, currency: USD}}\n"
)


def _write(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        budget = 150 if i % 4 == 0 else 90  # every fourth passes
        (folder / f"f{i:03}.yaml").write_text(DECISION.format(i=i, budget=budget))


def _run(folder: Path):  # type: ignore[no-untyped-def]
    return check([folder], when=WHEN, pricing=[PRICING], include_bundled=False)


def _no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "PARALLEL_FROM", 2)
    monkeypatch.setattr(load, "WORKERS", 2)
    monkeypatch.setattr(load, "BATCH", 7)  # 40 files: 6 batches, 3 for each worker


def test_workers_give_the_serial_result_and_are_all_reaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsed in two workers, batch by batch: the serial findings and decisions, in order."""
    _write(tmp_path / "p", 40)
    serial = _run(tmp_path / "p")
    _parallel(monkeypatch)
    started: list[int] = []
    original = load._Workers.__init__

    def recording(self: load._Workers, batches, n):  # type: ignore[no-untyped-def]
        original(self, batches, n)
        started.append(len(self.pids))

    monkeypatch.setattr(load._Workers, "__init__", recording)
    parallel = _run(tmp_path / "p")
    assert started == [2]
    assert parallel.findings == serial.findings
    assert [d.name for d in parallel.decisions] == [f"d{i}" for i in range(40)]
    # 40 decisions, every fourth under budget: 30 over-budget denials
    assert sum(f.rule == "over-budget" for f in parallel.findings) == 30
    assert _no_child_left()


def test_a_worker_that_dies_leaves_its_files_to_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker ending mid-way (here: at its second batch): the parent parses the rest."""
    _write(tmp_path / "p", 40)
    serial = _run(tmp_path / "p")
    _parallel(monkeypatch)
    parent = os.getpid()
    original = load._parse_batch
    calls = {"n": 0}

    def dying(batch):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            calls["n"] += 1  # this worker's own count (a copy of the dict after the fork)
            if calls["n"] == 2 and batch[0][0].name == "f021.yaml":  # batch 3: worker 1's 2nd
                os._exit(3)
        return original(batch)

    monkeypatch.setattr(load, "_parse_batch", dying)
    finished: list[bool] = []
    close = load._Workers.close

    def recording(self: load._Workers) -> None:
        finished.append(self.done)
        close(self)

    monkeypatch.setattr(load._Workers, "close", recording)
    parallel = _run(tmp_path / "p")
    assert finished[0] is False  # the workers' results stopped short: the parent took over
    assert parallel.findings == serial.findings
    assert [d.name for d in parallel.decisions] == [d.name for d in serial.decisions]
    assert _no_child_left()


def test_files_in_error_are_reported_alike_from_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken file among many: the same InputError, whether parsed here or in a worker."""
    from costcalc.errors import InputError

    _write(tmp_path / "p", 40)
    (tmp_path / "p" / "f017.yaml").write_text("kind: procurement\ndecisions: [\n")
    with pytest.raises(InputError) as serial:
        _run(tmp_path / "p")
    _parallel(monkeypatch)
    with pytest.raises(InputError) as parallel:
        _run(tmp_path / "p")
    assert parallel.value.problems == serial.value.problems
    assert serial.value.problems[0].file.endswith("f017.yaml")
    assert _no_child_left()
