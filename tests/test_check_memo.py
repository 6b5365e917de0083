"""Files laid out alike share their answers about places (lines, where a finding points), and
those answers are the ones each file gets alone.

The parse workers give files whose line maps are equal one line map object; the
gate keeps one memo per line map object (`PlainDocument.memo`) for `line_of`
and for the line and field each finding points at. A line map holds a line for
every key and item and a map for every mapping and list, so these answers
depend on it alone. These tests compare a check against the same check with no
memo at all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from costcalc.gate import check
from costcalc.gate.load import Loading, PlainDocument

PRICING = Path(__file__).parent / "fixtures" / "check" / "pricing"
WHEN = dt.date(2026, 3, 1)
# (the pricing fixture: `cheap` on `ushost` at $0.5 / $1 per million tokens) 100,000 requests
# x (1,000 input + 500 output tokens) = 100 x 0.5 + 50 x 1 = $100 a month
DECISION = (
    "  - name: {name}\n"
    "    model: {model}\n"
    "    provider: ushost\n"
    "    workload: {{requests_per_month: 100000, input_tokens: 1000, output_tokens: 500}}\n"
    "    budget: {{monthly: {budget}, currency: USD}}\n"
    "    waivers:\n"
    "      - {{rule: over-budget, reason: r, owner: o, expires: {expires}}}\n"
)


def _write(folder: Path) -> None:
    """Six files in two layouts, with values that differ (budget, model, waiver expiry)."""
    folder.mkdir()
    cases = [(90, "cheap", "2026-12-31"), (150, "cheap", "2025-01-01"), (90, "nope", "2025-01-01")]
    for i, (budget, model, expires) in enumerate(cases * 2):
        text = "kind: procurement\ndecisions:\n"
        if i >= 3:  # the second layout: a comment line moves everything down by one
            text = "# moved\n" + text
        text += DECISION.format(name=f"d{i}", model=model, budget=budget, expires=expires)
        text += DECISION.format(name=f"e{i}", model=model, budget=budget + 100, expires=expires)
        (folder / f"f{i}.yaml").write_text(text)


def _run(folder: Path):  # type: ignore[no-untyped-def]
    return check([folder], when=WHEN, pricing=[PRICING], include_bundled=False)


@pytest.mark.parametrize("parallel", [False, True])
def test_answers_shared_by_files_laid_out_alike_are_each_files_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    """With and without the memo: the same findings (lines, fields), decisions and waivers."""
    _write(tmp_path / "p")
    if parallel:
        from costcalc.gate import load

        monkeypatch.setattr(load, "PARALLEL_FROM", 2)
        monkeypatch.setattr(load, "WORKERS", 2)
    memos: list[dict[object, object] | None] = []
    original = Loading._memo

    def recording(self: Loading, lines):  # type: ignore[no-untyped-def]
        memo = original(self, lines)
        memos.append(memo)
        return memo

    monkeypatch.setattr(Loading, "_memo", recording)
    shared = _run(tmp_path / "p")
    # six files, two layouts: at most two memos a batch, each used by three files
    assert len(memos) == 6 and len({id(m) for m in memos}) <= (4 if parallel else 2)
    assert all(m for m in memos)  # every memo holds answers
    monkeypatch.setattr(Loading, "_memo", lambda self, lines: None)
    alone = _run(tmp_path / "p")
    assert shared.findings == alone.findings
    assert [(d.file, d.line, d.name) for d in shared.decisions] == [
        (d.file, d.line, d.name) for d in alone.decisions
    ]
    assert [(w.file, w.line, w.decision, w.used) for w in shared.waivers] == [
        (w.file, w.line, w.decision, w.used) for w in alone.waivers
    ]
    # hand-checked: a decision is 7 lines, its waiver item the 7th; in f0, after 2 header
    # lines, d0 is on lines 3-9 and e0 on 10-16 (waiver item: 16); f3 has one line more (17)
    lines = {(w.file[-7:], w.decision): w.line for w in shared.waivers}
    assert lines[("f0.yaml", "e0")] == 16 and lines[("f3.yaml", "e3")] == 17
    budget = {(f.file[-7:], f.decision): f.line for f in shared.findings if f.rule == "over-budget"}
    # `budget:` is the 5th line of a decision: d0 on line 7, d3 on line 8
    assert budget[("f0.yaml", "d0")] == 7 and budget[("f3.yaml", "d3")] == 8


def test_a_document_without_a_memo_answers_the_same() -> None:
    """`line_of` with a memo (asked twice) and without one give the same line."""
    raw = {"decisions": [{"name": "a", "budget": {"monthly": 1}}]}
    lines = (1, {"decisions": 1}, {"decisions": (2, [2], {0: (2, {"name": 2, "budget": 3},
                                                             {"budget": (3, {"monthly": 3}, {})})})})  # fmt: skip
    memo: dict[object, object] = {}
    with_memo = PlainDocument("f", "procurement", None, raw, lines, None, memo)
    without = PlainDocument("f", "procurement", None, raw, lines, None, None)
    for loc in [("decisions", 0, "budget", "monthly"), ("decisions", 0, "nowhere"), ("x",), ()]:
        assert with_memo.line_of(*loc) == without.line_of(*loc) == with_memo.line_of(*loc)
    assert with_memo.line_of("decisions", 0, "budget", "monthly") == 3
    assert len(memo) == 4
