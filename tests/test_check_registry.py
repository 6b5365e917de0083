"""The gate's rule registry (#9.2): a rule declared once reaches every place rules are listed.

The acceptance test registers a rule from this file only (no other module edited) and
finds it in the SARIF rule list and results, the README's rule table, the schema's rule
ids, the severity overrides and the waivers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.gate.context import DecisionContext
from costcalc.gate.findings import Hit
from helpers import REPO

ARGS = ["--no-bundled", "--pricing", "tests/fixtures/check/pricing", "--as-of", "2026-03-01"]
PASSING = "tests/fixtures/check/rules/over-budget-pass.yaml"  # budget $150, cost $100


@pytest.fixture
def odd_budget_rule() -> Iterator[str]:
    """A test-only rule: a monthly budget that is not a multiple of 100 (150 is not)."""
    from costcalc.gate.registry import rule, unregister

    @rule(
        "round-budget",
        title="The monthly budget is not a round hundred",
        severity="warn",
        field=("budget", "monthly"),
        fails_when="the monthly budget is not a multiple of 100",
    )
    def round_budget(ctx: DecisionContext) -> Iterator[Hit]:
        monthly = ctx.decision.budget.monthly
        if monthly % 100:
            yield Hit(
                f"the budget {monthly} is not a round hundred", "round it", {"budget": str(monthly)}
            )

    try:
        yield "round-budget"
    finally:
        unregister("round-budget")


def run(path: str, fmt: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", path, *ARGS, "--format", fmt])
    return result.exit_code, result.stdout


def test_a_rule_registered_from_a_test_reaches_sarif_docs_and_waivers(
    odd_budget_rule: str, tmp_path: Path
) -> None:
    """One decorated function: SARIF lists the rule and reports it on the budget line (line 9)."""
    code, out = run(PASSING, "sarif")
    assert code == 0  # a warning
    run_ = json.loads(out)["runs"][0]
    ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert ids[-1] == odd_budget_rule
    described = run_["tool"]["driver"]["rules"][-1]
    assert described["shortDescription"]["text"] == "The monthly budget is not a round hundred"
    assert described["defaultConfiguration"]["level"] == "warning"
    (result,) = run_["results"]
    assert (result["ruleId"], ids[result["ruleIndex"]]) == (odd_budget_rule, odd_budget_rule)
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 9
    # the README's table, generated from the registry
    from costcalc.gate.registry import docs_table

    assert (
        "| `round-budget` | warn | `budget.monthly` | the monthly budget is not a multiple of 100 |"
        in docs_table()
    )
    # the schema accepts its id in `rules:` and in waivers
    from costcalc.schema.docs import json_schema
    from costcalc.schema.procurement import ProcurementFile

    schema = json_schema(ProcurementFile)
    assert odd_budget_rule in schema["$defs"]["Waiver"]["properties"]["rule"]["enum"]
    text = Path(PASSING).read_text()
    denied = tmp_path / "deny.yaml"
    denied.write_text(
        text.replace("kind: procurement\n", "kind: procurement\nrules: {round-budget: deny}\n")
    )
    assert run(str(denied), "json")[0] == 1
    waived = tmp_path / "waived.yaml"
    waived.write_text(
        denied.read_text()
        + "    waivers:\n      - {rule: round-budget, reason: r, owner: o, expires: 2026-12-31}\n"
    )
    code, out = run(str(waived), "json")
    assert code == 0
    assert json.loads(out)["summary"]["waived"] == 1


def test_an_unregistered_rule_is_gone(tmp_path: Path) -> None:
    """Without the fixture the rule does not exist: its id in a file is invalid input."""
    from costcalc.gate.registry import rule_ids

    assert "round-budget" not in rule_ids()
    text = Path(PASSING).read_text()
    path = tmp_path / "p.yaml"
    path.write_text(
        text.replace("kind: procurement\n", "kind: procurement\nrules: {round-budget: deny}\n")
    )
    assert run(str(path), "json")[0] == 2


def test_rule_ids_are_unique_and_registration_refuses_a_duplicate() -> None:
    from costcalc.gate.registry import Rule, register, rule_ids

    ids = rule_ids()
    assert len(ids) == len(set(ids))
    with pytest.raises(ValueError, match="already registered"):
        register(Rule("over-budget", "t", "deny", None, "x"))


def test_readme_rule_table_is_the_registry() -> None:
    """The README's table of rules is `docs_table()` verbatim (paste its output to update it)."""
    from costcalc.gate.registry import docs_table

    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### CI gate on procurement files") :]
    start = section.index("| rule | default |")
    end = section.index("\n\n", start)
    assert section[start : end + 1] == docs_table()


def test_every_rule_has_a_passing_and_a_failing_fixture() -> None:
    """Each per-decision rule is pinned by tests/fixtures/check/rules/RULE-{pass,fail}.yaml."""
    from costcalc.gate.registry import rules

    folder = REPO / "tests" / "fixtures" / "check" / "rules"
    for r in rules():
        if r.check is None:
            continue  # applied by the --base diff (tests/test_check_diff.py)
        assert (folder / f"{r.id}-pass.yaml").is_file(), r.id
        assert (folder / f"{r.id}-fail.yaml").is_file(), r.id


def test_the_gate_never_imports_typer_or_rich() -> None:
    """Layering, at run time: the whole check (load, rules, diff) runs without typer or rich.

    The static test in test_project.py reads import statements; this one runs the library
    call in a fresh interpreter and looks at what was imported, transitively.
    """
    code = (
        "import sys, datetime, importlib, pathlib\n"
        "root = pathlib.Path('costcalc')\n"
        "core = sorted('.'.join(p.with_suffix('').parts).removesuffix('.__init__')\n"
        "              for p in root.rglob('*.py') if p.parts[1] not in ('cli', 'render', '__main__.py'))\n"
        "for name in core:\n"
        "    importlib.import_module(name)\n"
        "from costcalc.gate import check\n"
        "r = check(['tests/fixtures/check/diff/new'], base='tests/fixtures/check/diff/base',\n"
        "          when=datetime.date(2026, 3, 1), pricing=['tests/fixtures/check/pricing'],\n"
        "          include_bundled=False, max_increase_pct=__import__('decimal').Decimal(50))\n"
        "assert r.exit_code == 1, r.findings\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'click'))\n"
        "print('IMPORTED:' + ','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip().splitlines()[-1] == "IMPORTED:"
