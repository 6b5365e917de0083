"""`costcalc check --base`: each decision's monthly cost before and after, and increase guardrails.

tests/fixtures/check/diff: `chat` moves from cheap @ ushost to mid @ ushost for
100M input + 50M output tokens a month: before 100 x 0.5 + 50 x 1 = $100, after
100 x 1 + 50 x 2 = $200, change +$100 (+100%).
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from costcalc.cli import app
from helpers import assert_golden

ARGS = ["--no-bundled", "--pricing", "tests/fixtures/check/pricing", "--as-of", "2026-03-01"]
NEW, BASE = "tests/fixtures/check/diff/new", "tests/fixtures/check/diff/base"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", NEW, "--base", BASE, *ARGS, *args])
    return result.exit_code, result.stdout, result.stderr


def test_diff_reports_before_after_and_total() -> None:
    code, out, err = invoke("--format", "json")
    assert code == 0, err
    diff = json.loads(out)["diff"]
    assert diff["decisions"] == [
        {
            "key": "team.yaml#chat",
            "status": "changed",
            "before": "100",
            "after": "200",
            "change": "100",
        }
    ]
    assert (diff["before"], diff["after"], diff["change"], diff["currency"]) == (
        "100",
        "200",
        "100",
        "USD",
    )


def test_diff_text_golden() -> None:
    code, out, _ = invoke()
    assert code == 0
    assert_golden("check/diff.text", out)


def test_guardrail_percent() -> None:
    """+100% is over a 50% guardrail: a cost-increase denial on the decision and on the total."""
    code, out, _ = invoke("--format", "json", "--max-increase-pct", "50")
    assert code == 1
    findings = [f for f in json.loads(out)["findings"] if f["rule"] == "cost-increase"]
    assert [(f["decision"], f["line"], f["figures"].get("percent")) for f in findings] == [
        ("chat", 3, "100"),
        ("(total)", None, None),
    ]


def test_guardrail_absolute() -> None:
    """+$100 is over a $99.99 guardrail, and within a $100 one."""
    assert invoke("--max-increase", "99.99")[0] == 1
    assert invoke("--max-increase", "100")[0] == 0


def test_added_and_removed_decisions(tmp_path: Path) -> None:
    """A decision only on one side is added (before: none) or removed (after: none)."""
    new = tmp_path / "new"
    new.mkdir()
    text = Path(NEW, "team.yaml").read_text().replace("name: chat", "name: chat2")
    (new / "team.yaml").write_text(text)
    result = CliRunner().invoke(app, ["check", str(new), "--base", BASE, *ARGS, "--format", "json"])
    rows = json.loads(result.stdout)["diff"]["decisions"]
    assert [(r["key"], r["status"], r["before"], r["after"]) for r in rows] == [
        ("team.yaml#chat", "removed", "100", None),
        ("team.yaml#chat2", "added", None, "200"),
    ]


def test_guardrail_needs_base() -> None:
    result = CliRunner().invoke(app, ["check", NEW, *ARGS, "--max-increase", "5"])
    assert result.exit_code == 2
    assert "need --base" in result.stderr


def test_diff_in_another_currency() -> None:
    """--currency CNY converts at the fixture's 8 CNY per USD: ¥800 -> ¥1,600."""
    _, out, _ = invoke("--format", "json", "--currency", "CNY")
    diff = json.loads(out)["diff"]
    assert (diff["before"], diff["after"], diff["currency"]) == ("800", "1600", "CNY")
