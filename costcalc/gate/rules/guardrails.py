"""The `--base` guardrail: applied by costcalc.gate.diff to the cost change, not per decision."""

from __future__ import annotations

from costcalc.gate.registry import Rule, register

COST_INCREASE = register(
    Rule(
        "cost-increase",
        "The monthly cost rose more than the --base guardrail allows",
        "deny",
        None,
        "with `--base`: the monthly increase exceeds `--max-increase` / `--max-increase-pct`"
        " (a decision over the limit is counted once; the total is checked on its own only"
        " when no decision is over)",
        configurable=False,
    )
)
