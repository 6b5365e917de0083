"""The checker's `_where` (line and field of a finding) from one walk equals the
prefix-by-prefix search it replaces, on every procurement fixture and many fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from costcalc.gate import checker
from costcalc.gate.load import PlainDocument
from costcalc.located import lines_along, locate_in
from costcalc.yamlio import load_plain

FIXTURES = Path(__file__).parent / "fixtures" / "check"

LOCS: list[tuple[Any, ...]] = [
    (),
    ("budget",),
    ("budget", "monthly"),
    ("budget", "nope"),
    ("quality", "min"),
    ("quality", "profile"),
    ("model",),
    ("workload", "requests_per_month"),
    ("workload", "preset"),
    ("workload", "file"),
    ("policy", "max_cost_multiple"),
    ("policy", "licenses", "deny"),
    ("policy", "licenses", "deny", 0),
    ("policy", "provider_countries", 1),
    ("waivers", 0, "rule"),
    ("waivers", 5, "rule"),
    ("function-after[x]", "budget"),
    ("budget", "monthly", "deeper", 3),
]


def _old_where(document: Any, i: int, loc: tuple[Any, ...]) -> tuple[int | None, str]:
    full = ("decisions", i, *loc)
    if loc and loc[0] == "policy" and not checker._written(document.raw, full):
        line = document.line_of(*loc)
        if line is not None and checker._written(document.raw, loc):
            return line, checker._dotted(loc)
    for n in range(len(full), 2, -1):
        line = document.line_of(*full[:n])
        if line is not None and checker._written(document.raw, full[:n]):
            return line, checker._dotted(full[:n])
    return document.line_of("decisions", i), checker._dotted(full[:2])


def test_where_in_one_walk_is_the_prefix_search() -> None:
    compared = 0
    for path in sorted(FIXTURES.rglob("*.yaml")):
        try:
            data, lines = load_plain(path)
        except Exception:  # hostile fixtures the reader refuses
            continue
        if not isinstance(data, dict) or not isinstance(data.get("decisions"), list):
            continue
        doc = PlainDocument(str(path), "procurement", None, data, lines)
        for i in range(len(data["decisions"]) + 1):
            for loc in LOCS:
                assert checker._where(doc, i, loc) == _old_where(doc, i, loc), (path, i, loc)
                full = ("decisions", i, *loc)
                along = lines_along(data, lines, full)
                # each prefix's line as locate_in (the walk that also names the field) gives it
                assert along == [locate_in(data, lines, full[:n])[0] for n in range(len(full) + 1)]
                compared += 1
    assert compared > 1000


def test_dotted_names() -> None:
    assert checker._dotted(("decisions", 0, "budget", "monthly")) == "decisions[0].budget.monthly"
    assert checker._dotted(("policy", "licenses", "deny", 2)) == "policy.licenses.deny[2]"
    assert checker._dotted(("decisions", 0, "budget", "monthly")) == "decisions[0].budget.monthly"
