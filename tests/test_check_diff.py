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
    """+100% is over a 50% guardrail: one cost-increase denial, on the decision, counted once.

    The total (+$100, +100%) breaches too, but only because of that decision: no second finding.
    """
    code, out, _ = invoke("--format", "json", "--max-increase-pct", "50")
    assert code == 1
    payload = json.loads(out)
    findings = [f for f in payload["findings"] if f["rule"] == "cost-increase"]
    assert [(f["decision"], f["line"], f["figures"].get("percent")) for f in findings] == [
        ("chat", 3, "100"),
    ]
    assert payload["summary"]["deny"] == 1


def test_total_guardrail_alone(tmp_path: Path) -> None:
    """Two decisions +$100 each are within $150 each, but +$200 in total is over: one finding."""
    team = Path(BASE, "team.yaml").read_text()
    two = team + team.split("decisions:\n", 1)[1].replace("name: chat", "name: chat2")
    base, new = tmp_path / "base", tmp_path / "new"
    base.mkdir()
    new.mkdir()
    (base / "team.yaml").write_text(two)
    (new / "team.yaml").write_text(two.replace("model: cheap", "model: mid"))
    result = CliRunner().invoke(
        app,
        ["check", str(new), "--base", str(base), *ARGS, "-f", "json", "--max-increase", "150"],
    )
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert [(f["decision"], f["file"]) for f in payload["findings"]] == [("(total)", None)]
    assert payload["findings"][0]["figures"]["change"] == "200"  # (200 - 100) x 2
    assert payload["summary"]["deny"] == 1


def test_unpriced_new_choice_is_not_a_saving(tmp_path: Path) -> None:
    """A new choice that cannot be priced (unknown model) is `unpriced`, not a -100% change.

    Base chat: cheap, $100. New chat: an unknown model: the change is unknown (null),
    left out of the totals (0 -> 0), and the gate fails on unknown-model, not on a saving.
    """
    new = tmp_path / "new"
    new.mkdir()
    text = Path(NEW, "team.yaml").read_text()
    (new / "team.yaml").write_text(text.replace("model: mid", "model: no-such-model"))
    result = CliRunner().invoke(
        app,
        ["check", str(new), "--base", BASE, *ARGS, "-f", "json", "--max-increase-pct", "10"],
    )
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    (row,) = payload["diff"]["decisions"]
    assert (row["status"], row["before"], row["after"], row["change"]) == (
        "unpriced",
        "100",
        None,
        None,
    )
    assert (payload["diff"]["before"], payload["diff"]["after"], payload["diff"]["change"]) == (
        "0",
        "0",
        "0",
    )
    assert payload["diff"]["unpriced"] == 1
    assert [f["rule"] for f in payload["findings"]] == ["unknown-model"]
    text_out = CliRunner().invoke(app, ["check", str(new), "--base", BASE, *ARGS]).stdout
    # The file's path is left out: pytest's temporary folders count up (pytest-1000/...).
    assert "-100" not in text_out.replace(str(tmp_path), "<tmp>")
    assert "unpriced" in text_out


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
