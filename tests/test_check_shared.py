"""Decisions written alike share their rules' work, and nothing else.

The checker computes the built-in rules' hits once per distinct written content
(the file's policy and severities, the decision's fields but its name, the
resolved workload); names, lines and waivers stay each decision's own. These
tests compare a check against the same check with sharing impossible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from costcalc.gate import check
from costcalc.gate.checker import Checker
from costcalc.gate.context import DecisionContext
from costcalc.gate.findings import Hit

PRICING = Path(__file__).parent / "fixtures" / "check" / "pricing"
WHEN = dt.date(2026, 3, 1)
# $100 a month (100,000 requests x (1,000 input + 500 output tokens) at $0.5 / $1 per
# million = 100 x 0.5 + 50 x 1) against the budget: 90 is over it, 150 is not.
DECISION = (
    "  - name: {name}\n"
    "    model: cheap\n"
    "    provider: ushost\n"
    "    workload: {{requests_per_month: 100000, input_tokens: 1000, output_tokens: 500}}\n"
    "    budget: {{monthly: {budget}, currency: USD}}\n"
)


def _write(folder: Path) -> None:
    folder.mkdir()
    for i, (budget, rules) in enumerate(
        [(90, ""), (90, ""), (150, ""), (90, "rules: {over-budget: warn}\n")]
    ):
        text = "kind: procurement\n" + rules + "decisions:\n"
        text += "# a comment moves the decision down a line\n" * i
        text += DECISION.format(name=f"d{i}", budget=budget)
        text += DECISION.format(name=f"e{i}", budget=budget)
        (folder / f"f{i}.yaml").write_text(text)


def _run(folder: Path):  # type: ignore[no-untyped-def]
    return check([folder], when=WHEN, pricing=[PRICING], include_bundled=False)


def test_alike_decisions_share_hits_but_keep_names_lines_and_severities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shared or not, the result is the same: names, files, lines and severities per decision."""
    _write(tmp_path / "p")
    memos: list[int] = []
    original = Checker.check

    def counting(self: Checker, docs):  # type: ignore[no-untyped-def]
        out = original(self, docs)
        memos.append(len(self.memo))
        return out

    monkeypatch.setattr(Checker, "check", counting)
    shared = _run(tmp_path / "p")
    # 8 decisions, 3 distinct contents: budget 90, budget 150, budget 90 with over-budget: warn
    assert memos == [3]
    monkeypatch.setattr("costcalc.gate.checker._built_in", lambda r: False)
    alone = _run(tmp_path / "p")
    assert shared.findings == alone.findings
    assert [(d.file, d.line, d.name, d.monthly_cost) for d in shared.decisions] == [
        (d.file, d.line, d.name, d.monthly_cost) for d in alone.decisions
    ]
    over = [
        (f.file[-7:], f.line, f.decision, f.severity)
        for f in shared.findings
        if f.rule == "over-budget"
    ]
    # over-budget points at `budget:`, the 5th line of a decision: f0 has `kind`, `decisions`,
    # then d0 on lines 3-7 (budget 7) and e0 on 8-12 (budget 12); f1 has one comment line
    # more (8, 13); f3 has `rules:` and three comment lines (3 + 1 + 3 + 4 = 11, 16).
    assert over == [
        ("f0.yaml", 7, "d0", "deny"),
        ("f0.yaml", 12, "e0", "deny"),
        ("f1.yaml", 8, "d1", "deny"),
        ("f1.yaml", 13, "e1", "deny"),
        ("f3.yaml", 11, "d3", "warn"),
        ("f3.yaml", 16, "e3", "warn"),
    ]


@pytest.fixture
def outside_rule() -> Iterator[list[str]]:
    """A rule registered from a test that reads the decision's name: nothing may be shared."""
    from costcalc.gate.registry import rule, unregister

    seen: list[str] = []

    @rule("named", title="t", severity="warn", field=("name",), fails_when="always")
    def named(ctx: DecisionContext) -> Iterator[Hit]:
        seen.append(ctx.decision.name)
        yield Hit(f"decision {ctx.decision.name}", "none", {})

    try:
        yield seen
    finally:
        unregister("named")


def test_a_rule_from_outside_the_gate_sees_every_decision(
    tmp_path: Path, outside_rule: list[str]
) -> None:
    """With a rule registered from outside costcalc.gate active, each decision is checked alone."""
    _write(tmp_path / "p")
    result = _run(tmp_path / "p")
    assert sorted(outside_rule) == ["d0", "d1", "d2", "d3", "e0", "e1", "e2", "e3"]
    messages = sorted(f.message for f in result.findings if f.rule == "named")
    assert messages == [f"decision {n}" for n in ["d0", "d1", "d2", "d3", "e0", "e1", "e2", "e3"]]


def _parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    from costcalc.gate import load

    monkeypatch.setattr(load, "PARALLEL_FROM", 2)
    monkeypatch.setattr(load, "WORKERS", 2)


def test_files_checked_as_workers_parse_them_give_the_serial_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked while parsed (worker processes), with a --base diff: the serial result."""
    _write(tmp_path / "p")
    _write(tmp_path / "b")
    (tmp_path / "b" / "f2.yaml").unlink()
    serial = check([tmp_path / "p"], when=WHEN, pricing=[PRICING], include_bundled=False,
                   base=tmp_path / "b")  # fmt: skip
    _parallel(monkeypatch)
    parallel = check([tmp_path / "p"], when=WHEN, pricing=[PRICING], include_bundled=False,
                     base=tmp_path / "b")  # fmt: skip
    assert parallel.findings == serial.findings
    assert parallel.decisions == serial.decisions
    assert parallel.diff == serial.diff and parallel.diff is not None


def test_a_broken_file_is_reported_before_a_decision_the_catalog_cannot_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked while parsed: a bad file still wins over an unknown profile, which then comes."""
    from costcalc.errors import InputError

    _write(tmp_path / "p")
    unknown = DECISION.format(name="q", budget=150) + "    quality: {profile: nosuch, min: 10}\n"
    (tmp_path / "p" / "f1.yaml").write_text("kind: procurement\ndecisions:\n" + unknown)
    (tmp_path / "p" / "f3.yaml").write_text("kind: procurement\ndecisions: []\n")
    _parallel(monkeypatch)
    with pytest.raises(InputError) as got:
        _run(tmp_path / "p")
    assert [(str(p.file)[-7:], p.line, p.field) for p in got.value.problems] == [
        ("f3.yaml", 2, "decisions")
    ]
    (tmp_path / "p" / "f3.yaml").unlink()
    with pytest.raises(InputError) as got:
        _run(tmp_path / "p")
    first = got.value.problems[0]
    # `quality:` is line 8 of f1.yaml (kind, decisions, then 5 lines of the decision)
    assert (str(first.file)[-7:], first.line, first.field) == (
        "f1.yaml",
        8,
        "decisions[0].quality.profile",
    )
