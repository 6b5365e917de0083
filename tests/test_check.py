"""`costcalc check` rules: a passing and a failing fixture per rule, waivers, severities.

The catalog is tests/fixtures/check/pricing (test data), checked as of 2026-03-01.
Every fixture's workload is 100,000 requests a month of 1,000 input and 500
output tokens, i.e. 100M input and 50M output tokens a month:
- cheap @ ushost ($0.5 / $1 per M): 100 x 0.5 + 50 x 1 = $100 a month;
- mid @ ushost ($1 / $2): 100 x 1 + 50 x 2 = $200;
- frontier @ ushost ($10 / $40): 100 x 10 + 50 x 40 = $3,000;
- cheap @ cnhost (¥8 / ¥16, USD->CNY 8): (100 x 8 + 50 x 16) / 8 = $200;
- frontier @ cnhost: its only price period ended on 2026-02-01 (no price in force).
Quality (one benchmark, weight 1, stderr 1, band +-1.96): cheap 70 (68.04-71.96),
mid 72 (70.04-73.96), frontier 90 (88.04-91.96); unscored has no score.
Prices are dated 2026-01-01 (59 days before the check: 31 + 28), scores
2025-12-01 (90 days: 31 + 31 + 28).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from costcalc.cli import app

PRICING = "tests/fixtures/check/pricing"
RULES = "tests/fixtures/check/rules"
AS_OF = "2026-03-01"
ARGS = ["--no-bundled", "--pricing", PRICING, "--as-of", AS_OF]


def check(*paths: str, extra: tuple[str, ...] = ()) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(app, ["check", *paths, *ARGS, "--format", "json", *extra])
    payload = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.exit_code, payload, result.stderr


RULE_IDS = [
    "unknown-model",
    "over-budget",
    "below-quality-bar",
    "dominated",
    "not-worth-it",
    "license-denied",
    "open-weights-required",
    "provider-country",
    "stale-price",
    "stale-score",
    "rate-limit",
    "cost-multiple",
    "no-current-price",
]


@pytest.mark.parametrize("rule", RULE_IDS)
def test_passing_fixture_has_no_finding(rule: str) -> None:
    """Each rule's passing fixture passes with no finding at all (exit 0)."""
    code, payload, err = check(f"{RULES}/{rule}-pass.yaml")
    assert code == 0, err
    assert payload["findings"] == []
    assert payload["status"] == "passed"


# rule -> (exit code, severity, YAML line, field, figures expected)
FAILING: dict[str, tuple[int, str, int, str, dict[str, str]]] = {
    # 'cheep' is one edit from 'cheap'.
    "unknown-model": (1, "deny", 5, "decisions[0].model", {"model": "cheep"}),
    # $100 a month > $90: over by $10.
    "over-budget": (
        1,
        "deny",
        9,
        "decisions[0].budget.monthly",
        {"monthly_cost": "100", "budget": "90", "currency": "USD", "month": "1"},
    ),
    # the band's top 71.96 < bar 75.
    "below-quality-bar": (
        1,
        "deny",
        8,
        "decisions[0].quality.min",
        {"quality": "70.0", "band_high": "72.0", "bar": "75"},
    ),
    # cheap ($100, 70, top 71.96) reaches mid's low 70.04: saves 200 - 100 = $100, 200 / 100 = 2x.
    "dominated": (
        0,
        "warn",
        5,
        "decisions[0].model",
        {
            "alternative": "cheap @ ushost",
            "alternative_monthly": "100",
            "alternative_quality": "70.0",
            "monthly_cost": "200",
            "monthly_saving": "100",
            "cost_multiple": "2",
        },
    ),
    # (3000 - 100) / (90 - 70) = $145 per point per month > $100: an explicit limit, a denial.
    "not-worth-it": (
        1,
        "deny",
        5,
        "decisions[0].model",
        {
            "alternative": "cheap @ ushost",
            "monthly_saving": "2900",
            "quality_gain": "20.0",
            "cost_per_point": "145",
            "max_cost_per_point": "100",
        },
    ),
    "license-denied": (1, "deny", 5, "decisions[0].model", {"license": "mit", "note": ""}),
    "open-weights-required": (1, "deny", 5, "decisions[0].model", {}),
    "provider-country": (1, "deny", 7, "decisions[0].provider", {"country": "CN"}),
    # 59 days > 58.
    "stale-price": (
        0,
        "warn",
        6,
        "decisions[0].provider",
        {
            "price_as_of": "2026-01-01",
            "age_days": "59",
            "max_days": "58",
            "origin": "tests/fixtures/check/pricing/providers/ushost.yaml:8",
        },
    ),
    # frontier $3,000 a month / cheap $100 (good enough at the bar 60) = 30x > the limit 20x;
    # frontier (90) is significantly better than cheap (70), so it is not dominated.
    "cost-multiple": (
        1,
        "deny",
        5,
        "decisions[0].model",
        {
            "cost_multiple": "30",
            "max_cost_multiple": "20",
            "alternative": "cheap @ ushost",
            "alternative_monthly": "100",
            "alternative_quality": "70.0",
            "monthly_cost": "3000",
            "monthly_saving": "2900",
        },
    ),
    # the offer exists, but its only price period ended on 2026-02-01.
    "no-current-price": (
        1,
        "deny",
        6,
        "decisions[0].provider",
        {"model": "frontier", "provider": "cnhost"},
    ),
    # 90 days > 89.
    "stale-score": (0, "warn", 8, "decisions[0].quality.profile", {"stale": "1", "max_days": "89"}),
    # 100,000 / 43,200 minutes x peak factor 5 = 11.574... rpm > 10.
    "rate-limit": (
        1,
        "deny",
        7,
        "decisions[0].workload",
        {
            "tier": "tier-1",
            "limit": "10 rpm",
            "demand": "11.57",
            "headroom": "1",
            "source": "test limit",
        },
    ),
}


@pytest.mark.parametrize("rule", RULE_IDS)
def test_failing_fixture_names_rule_line_and_figures(rule: str) -> None:
    """Each rule's failing fixture gives exactly that finding, on the right line, with its figures."""
    expected_code, severity, line, field, figures = FAILING[rule]
    path = f"{RULES}/{rule}-fail.yaml"
    code, payload, err = check(path)
    assert code == expected_code, err
    (finding,) = payload["findings"]
    assert finding["rule"] == rule
    assert finding["severity"] == severity
    assert finding["file"] == path
    assert finding["line"] == line
    assert finding["field"] == field
    assert finding["fix"]
    if figures:
        assert finding["figures"] == figures


def test_failing_fixture_lines_point_at_the_field() -> None:
    """The reported line holds the field the finding is about."""
    for rule, (_, _, line, field, _) in FAILING.items():
        text = Path(f"{RULES}/{rule}-fail.yaml").read_text().splitlines()[line - 1]
        key = field.rsplit(".", 1)[-1].split("[")[0]
        assert f"{key}:" in text, (rule, text)


def test_rate_limit_headroom() -> None:
    """Headroom 1.5 on peak factor 4: 100,000 / 43,200 x 4 x 1.5 = 13.89 rpm > 10 (9.26 passes alone)."""
    code, payload, _ = check(f"{RULES}/rate-limit-headroom-fail.yaml")
    assert code == 1
    (finding,) = payload["findings"]
    assert finding["figures"]["demand"] == "13.89"
    assert finding["figures"]["headroom"] == "1.5"


def test_warnings_fail_with_fail_on_warn() -> None:
    """A warning passes by default and fails with --fail-on-warn (exit 1)."""
    code, payload, _ = check(f"{RULES}/dominated-fail.yaml")
    assert (code, payload["status"]) == (0, "passed")
    code, payload, _ = check(f"{RULES}/dominated-fail.yaml", extra=("--fail-on-warn",))
    assert (code, payload["status"]) == (1, "failed")
    assert payload["findings"][0]["blocking"] is True


def test_valid_waiver_waives_and_is_counted() -> None:
    """A waiver in force waives its rule: exit 0, the finding kept and marked, the waiver counted."""
    code, payload, err = check("tests/fixtures/check/waivers/valid.yaml")
    assert code == 0, err
    (finding,) = payload["findings"]
    assert finding["rule"] == "over-budget"
    assert finding["waived_by"] == {
        "owner": "team-a",
        "reason": "Launch month traffic",
        "expires": "2026-12-31",
    }
    assert payload["summary"]["waived"] == 1
    assert payload["summary"]["waivers_active"] == 1
    assert payload["waivers"][0]["waived_findings"] == 1


def test_expired_waiver_no_longer_waives() -> None:
    """A waiver that expired the day before the check waives nothing, and the message says so."""
    code, payload, _ = check("tests/fixtures/check/waivers/expired.yaml")
    assert code == 1
    (finding,) = payload["findings"]
    assert finding["waived_by"] is None
    assert "expired on 2026-02-28" in finding["message"]
    assert payload["summary"]["waivers_expired"] == 1


def test_waiver_holds_on_its_expiry_day() -> None:
    """A waiver holds up to and including its expiry day."""
    code, payload, _ = check(
        "tests/fixtures/check/waivers/expired.yaml", extra=("--as-of", "2026-02-28")
    )
    # --as-of given twice: typer keeps the last one.
    assert payload["as_of"] == "2026-02-28"
    assert code == 0


def test_severity_override_per_file(tmp_path: Path) -> None:
    """`rules:` in a file turns a warning into a denial, or a rule off."""
    text = Path(f"{RULES}/dominated-fail.yaml").read_text()
    deny = tmp_path / "deny.yaml"
    deny.write_text(
        text.replace("kind: procurement\n", "kind: procurement\nrules: {dominated: deny}\n")
    )
    code, payload, _ = check(str(deny))
    assert code == 1 and payload["findings"][0]["severity"] == "deny"
    off = tmp_path / "off.yaml"
    off.write_text(
        text.replace("kind: procurement\n", 'kind: procurement\nrules: {dominated: "off"}\n')
    )
    code, payload, _ = check(str(off))
    assert code == 0 and payload["findings"] == []


def test_file_policy_is_refined_by_decision_policy(tmp_path: Path) -> None:
    """A decision's policy field overrides the file's; the file's other fields still apply."""
    path = tmp_path / "p.yaml"
    path.write_text(
        "kind: procurement\n"
        "policy: {licenses: {deny: [mit]}, max_price_age_days: 10}\n"
        "decisions:\n"
        "  - name: a\n"
        "    model: cheap\n"
        "    provider: ushost\n"
        "    workload: {requests_per_month: 100000, input_tokens: 1000, output_tokens: 500}\n"
        "    budget: {monthly: 150, currency: USD}\n"
        "    policy: {licenses: {allow: [mit]}}\n"
    )
    code, payload, _ = check(str(path))
    # licences come from the decision (mit allowed); the price age (59 > 10) from the file.
    assert [f["rule"] for f in payload["findings"]] == ["stale-price"]
    assert code == 0


def test_unknown_provider_and_missing_offer(tmp_path: Path) -> None:
    """An unknown provider, or one that does not offer the model, is an unknown-model denial."""
    path = tmp_path / "p.yaml"
    path.write_text(
        "kind: procurement\n"
        "decisions:\n"
        "  - {name: a, model: cheap, provider: ushots, workload: {preset: small},"
        " budget: {monthly: 1, currency: USD}}\n"
        "  - {name: b, model: mid, provider: cnhost, workload: {preset: small},"
        " budget: {monthly: 1, currency: USD}}\n"
    )
    # presets come from `kind: workloads` sheets; give one with the pricing layer.
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "w.yaml").write_text(
        "kind: workloads\nworkloads:\n  - {name: small, requests_per_month: 10, input_tokens: 1, output_tokens: 1}\n"
    )
    result = CliRunner().invoke(
        app, ["check", str(path), *ARGS, "--pricing", str(presets), "--format", "json"]
    )
    payload = json.loads(result.stdout)
    assert result.exit_code == 1
    messages = [f["message"] for f in payload["findings"]]
    assert messages[0] == "unknown provider 'ushots'; did you mean 'ushost'?"
    assert messages[1] == "provider 'cnhost' does not offer 'mid'"
    assert payload["findings"][1]["fix"] == "choose one of its providers: ushost"


def test_unknown_preset_is_bad_input(tmp_path: Path) -> None:
    """A preset that no loaded sheet defines is invalid input (exit 2) at the preset's line."""
    path = tmp_path / "p.yaml"
    path.write_text(
        "kind: procurement\ndecisions:\n  - name: a\n    model: cheap\n    provider: ushost\n"
        "    workload: {preset: huge}\n    budget: {monthly: 1, currency: USD}\n"
    )
    code, _, err = check(str(path))
    assert code == 2
    assert f"{path}:6: decisions[0].workload.preset: unknown preset 'huge'" in err


def test_core_api_counts_cached_comparisons() -> None:
    """The library call compares once per (workload, profile, currency): the pass fixtures share one."""
    from costcalc.catalog import load_catalog
    from costcalc.gate import check as gate_check

    catalog = load_catalog([Path(PRICING)], include_bundled=False)
    paths = sorted(Path(RULES).glob("*-pass.yaml"))
    result = gate_check(paths, when=dt.date(2026, 3, 1), catalog=catalog)
    assert result.findings == []
    assert result.exit_code == 0
    # rate-limit-pass has peak_factor 4, but the request is the same: one comparison in all.
    assert result.comparisons == 1
    cheap = next(d for d in result.decisions if d.name == "over-budget-pass")
    assert cheap.monthly_cost == D(100)  # 100 x 0.5 + 50 x 1
    assert cheap.cheapest == "cheap @ ushost"


def test_core_api_loads_the_catalog_itself() -> None:
    """Without a catalog, `check` loads --pricing layers itself; a denial is exit code 1."""
    from costcalc.gate import check as gate_check

    result = gate_check(
        [f"{RULES}/over-budget-fail.yaml"],
        when=dt.date(2026, 3, 1),
        pricing=[PRICING],
        include_bundled=False,
    )
    assert [f.rule for f in result.findings] == ["over-budget"]
    assert (result.failed, result.exit_code) == (True, 1)


def test_a_crash_is_never_reported_as_a_policy_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected error exits 2 (could not run), never 1 (policy failed)."""
    from costcalc.gate.checker import Checker

    def boom(self: Checker, docs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Checker, "check", boom)
    code, _, err = check(f"{RULES}/over-budget-pass.yaml")
    assert code == 2
    assert "error: costcalc check could not run: RuntimeError: boom" in err


def test_expired_price_has_its_own_rule() -> None:
    """An offer whose price period ended is `no-current-price`, not `unknown-model` (exit 1)."""
    code, payload, _ = check(f"{RULES}/no-current-price-fail.yaml")
    assert code == 1
    (finding,) = payload["findings"]
    assert finding["rule"] == "no-current-price"
    assert finding["message"] == (
        "frontier @ cnhost has no price in force on 2026-03-01 (price periods from: 2025-10-01)"
    )


def test_explicit_cost_multiple_is_a_denial_stating_multiple_and_limit(tmp_path: Path) -> None:
    """max_cost_multiple: 2 breached by mid (2x cheap, and dominated) denies under cost-multiple.

    mid $200 / cheap $100 = 2x: within 2, over 1.5. mid is also dominated by cheap (a warning).
    """
    text = Path(f"{RULES}/dominated-fail.yaml").read_text()
    over = tmp_path / "over.yaml"
    over.write_text(text + "    policy: {max_cost_multiple: 1.5}\n")
    code, payload, _ = check(str(over))
    assert code == 1
    rules = {f["rule"]: f for f in payload["findings"]}
    assert sorted(rules) == ["cost-multiple", "dominated"]
    assert rules["cost-multiple"]["severity"] == "deny"
    assert rules["dominated"]["severity"] == "warn"
    message = rules["cost-multiple"]["message"]
    assert "2x the cost of the cheapest good-enough allowed offer cheap @ ushost" in message
    assert "over the policy's limit of 1.5x" in message
    within = tmp_path / "within.yaml"
    within.write_text(text + "    policy: {max_cost_multiple: 2}\n")
    code, payload, _ = check(str(within))
    assert code == 0
    assert [f["rule"] for f in payload["findings"]] == ["dominated"]


def test_cost_multiple_can_be_waived_or_turned_down(tmp_path: Path) -> None:
    """The new rule id is a waiver's `rule` and a `rules:` key like any other."""
    text = Path(f"{RULES}/cost-multiple-fail.yaml").read_text()
    warn = tmp_path / "warn.yaml"
    warn.write_text(
        text.replace("kind: procurement\n", "kind: procurement\nrules: {cost-multiple: warn}\n")
    )
    code, payload, _ = check(str(warn))
    assert code == 0 and payload["findings"][0]["severity"] == "warn"
    waived = tmp_path / "waived.yaml"
    waived.write_text(
        text
        + "    waivers:\n      - {rule: cost-multiple, reason: r, owner: o, expires: 2026-12-31}\n"
    )
    code, payload, _ = check(str(waived))
    assert code == 0 and payload["summary"]["waived"] == 1


def test_unknown_rule_id_in_a_file_is_bad_input(tmp_path: Path) -> None:
    """A rule id the registry does not know is exit 2 with did-you-mean, at its line."""
    path = tmp_path / "p.yaml"
    path.write_text(
        Path(f"{RULES}/over-budget-pass.yaml")
        .read_text()
        .replace("kind: procurement\n", "kind: procurement\nrules: {cost-multipel: warn}\n")
    )
    code, _, err = check(str(path))
    assert code == 2
    assert "did you mean 'cost-multiple'?" in err
