"""`costcalc check` report formats: golden outputs, SARIF schema, JUnit/GitLab parsed back, exit codes.

tests/fixtures/check/report/team.yaml (as of 2026-03-01) has four decisions, each
100M input + 50M output tokens a month:
- chat: cheap @ ushost, 100 x 0.5 + 50 x 1 = $100 <= $150: passes;
- search: the same $100 > $90: over-budget, denied (line 15);
- review: mid @ ushost, 100 x 1 + 50 x 2 = $200 <= $250, but cheap ($100, quality 70,
  band top 71.96 >= mid's low 72 - 1.96 = 70.04) dominates it: warning (line 17);
- launch: $100 > $90, waived until 2026-12-31 (line 26).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.render.reports import ReportFormat, formatter_for
from helpers import REPO, assert_golden

ARGS = ["--no-bundled", "--pricing", "tests/fixtures/check/pricing", "--as-of", "2026-03-01"]
TEAM = "tests/fixtures/check/report"
PASSING = "tests/fixtures/check/rules/over-budget-pass.yaml"
FORMATS = [f.value for f in ReportFormat]
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-2.1.0.schema.json"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def run(fmt: str, *extra: str, path: str = TEAM) -> tuple[int, str, str]:
    return invoke(path, *ARGS, "--format", fmt, *extra)


def test_every_format_has_a_formatter() -> None:
    """Every --format choice maps to a formatter object with a format(result) method."""
    for fmt in ReportFormat:
        assert callable(formatter_for(fmt).format)


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str) -> None:
    """Each format's output for the team fixture is pinned (UPDATE_GOLDEN=1 rewrites)."""
    code, out, err = run(fmt)
    assert code == 1, err
    assert_golden(f"check/team.{fmt}", out)


def test_golden_markdown_summary_only() -> None:
    code, out, _ = run("markdown", "--summary-only")
    assert code == 1
    assert_golden("check/team.summary.markdown", out)
    assert "|" not in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_exit_codes_are_the_same_for_every_format(fmt: str, tmp_path: Path) -> None:
    """0 passed, 1 a denial, 2 invalid input: whatever the format."""
    assert run(fmt, path=PASSING)[0] == 0
    assert run(fmt)[0] == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: procurement\ndecisions: []\n")
    code, out, err = run(fmt, path=str(bad))
    assert code == 2
    assert out == ""
    assert f"error: {bad}:2: decisions: List should have at least 1 item" in err
    # a warning alone passes, and fails with --fail-on-warn
    warn = "tests/fixtures/check/rules/dominated-fail.yaml"
    assert run(fmt, path=warn)[0] == 0
    assert run(fmt, "--fail-on-warn", path=warn)[0] == 1


def test_json_is_versioned_with_exact_amounts() -> None:
    _, out, _ = run("json")
    payload = json.loads(out)
    assert payload["schema_version"] == 2
    assert payload["summary"] == {
        "files": 1,
        "decisions": 4,
        "deny": 1,
        "warn": 1,
        "waived": 1,
        "waivers_active": 1,
        "waivers_expired": 0,
    }
    review = next(d for d in payload["decisions"] if d["name"] == "review")
    assert review["monthly_cost"] == "200"  # 100 x 1 + 50 x 2
    assert review["cheapest_monthly_cost"] == "100"  # 100 x 0.5 + 50 x 1


def test_sarif_validates_against_the_2_1_0_schema() -> None:
    """The SARIF log is valid SARIF 2.1.0; rule ids are stable; the waived finding is suppressed."""
    schema = json.loads(SARIF_SCHEMA.read_text())
    _, out, _ = run("sarif")
    log = json.loads(out)
    jsonschema.Draft4Validator(schema).validate(log)
    run_ = log["runs"][0]
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    from costcalc.gate.registry import rule_ids

    assert rules == list(rule_ids())  # the registry is the one list of rules
    assert rules[:3] == ["unknown-model", "no-current-price", "over-budget"]
    results = run_["results"]
    assert [
        (r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in results
    ] == [("over-budget", "error", 15), ("dominated", "warning", 17), ("over-budget", "error", 26)]
    assert "suppressions" in results[2] and "suppressions" not in results[0]
    for r in results:
        assert rules[r["ruleIndex"]] == r["ruleId"]


def test_sarif_with_a_total_finding_validates(tmp_path: Path) -> None:
    """A finding about the total (no file) is still valid SARIF (no location).

    Two decisions move from cheap ($100) to mid ($200): +$100 each, within a $150
    guardrail, but +$200 in total, over it: one finding, on the total.
    """
    schema = json.loads(SARIF_SCHEMA.read_text())
    team = Path("tests/fixtures/check/diff/base/team.yaml").read_text()
    two = team + team.split("decisions:\n", 1)[1].replace("name: chat", "name: chat2")
    base, new = tmp_path / "base", tmp_path / "new"
    base.mkdir()
    new.mkdir()
    (base / "team.yaml").write_text(two)
    (new / "team.yaml").write_text(two.replace("model: cheap", "model: mid"))
    code, out, _ = invoke(
        str(new), "--base", str(base), *ARGS, "--format", "sarif", "--max-increase", "150"
    )
    assert code == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["cost-increase"]
    assert "locations" not in results[0]


def test_junit_parses_back() -> None:
    """One test case per decision; the denied one fails; warnings go to system-out."""
    _, out, _ = run("junit")
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("4", "1")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert sorted(cases) == ["chat", "launch", "review", "search"]
    failure = cases["search"].find("failure")
    assert failure is not None and failure.get("type") == "over-budget"
    assert cases["chat"].find("failure") is None
    out_text = cases["review"].findtext("system-out") or ""
    assert "[dominated]" in out_text


def test_gitlab_code_quality_parses_back() -> None:
    """A list of issues with the fields GitLab requires; waived findings are left out."""
    _, out, _ = run("gitlab")
    issues: list[dict[str, Any]] = json.loads(out)
    assert [(i["check_name"], i["severity"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("over-budget", "critical", 15),
        ("dominated", "minor", 17),
    ]
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["location"]["path"] == "tests/fixtures/check/report/team.yaml"
    assert len({i["fingerprint"] for i in issues}) == 2


def test_github_annotations_on_the_yaml_line() -> None:
    _, out, _ = run("github")
    lines = out.splitlines()
    assert lines[0].startswith(
        "::error file=tests/fixtures/check/report/team.yaml,line=15,title=costcalc over-budget (search)::"
    )
    assert lines[1].startswith("::warning file=tests/fixtures/check/report/team.yaml,line=17,")
    assert lines[2].startswith("::notice file=tests/fixtures/check/report/team.yaml,line=26,")


def test_github_escapes_workflow_command_data() -> None:
    """%, CR and LF in messages, and : , in properties, are escaped as GitHub requires."""
    from costcalc.render.reports.formats import _gh_data, _gh_prop

    assert _gh_data("50% a\nb\r") == "50%25 a%0Ab%0D"
    assert _gh_prop("a:b,c") == "a%3Ab%2Cc"


def test_several_reports_in_one_run(tmp_path: Path) -> None:
    """--report FORMAT=PATH writes each report to its file; stdout keeps the --format one."""
    sarif, md = tmp_path / "out.sarif", tmp_path / "sub" / "summary.md"
    code, out, err = run("github", "--report", f"sarif={sarif}", "--report", f"markdown={md}")
    assert code == 1
    assert out.startswith("::error")
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert md.read_text().startswith("## ❌ costcalc check failed")
    assert "costcalc check failed: 4 decisions in 1 file;" in err
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize("spec", ["sarif", "xml=out.xml", "sarif="])
def test_bad_report_spec_is_usage_error(spec: str) -> None:
    code, _, err = run("text", "--report", spec)
    assert code == 2
    assert "--report" in err


def test_markdown_is_capped(tmp_path: Path) -> None:
    """A long report is cut to --max-markdown-bytes, saying how many lines are left out."""
    folder = tmp_path / "many"
    folder.mkdir()
    text = Path("tests/fixtures/check/rules/over-budget-fail.yaml").read_text()
    for i in range(60):
        (folder / f"f{i:02}.yaml").write_text(text)
    code, out, _ = invoke(
        str(folder), *ARGS, "--format", "markdown", "--max-markdown-bytes", "4000"
    )
    assert code == 1
    assert len(out.encode()) <= 4000
    assert "more lines not shown (report capped at 4,000 bytes" in out
    assert out.startswith("## ❌ costcalc check failed")


def test_schema_procurement_is_printed() -> None:
    """`costcalc schema procurement` prints the JSON Schema, with field descriptions."""
    result = CliRunner().invoke(app, ["schema", "procurement"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["properties"]["kind"]["const"] == "procurement"
    waiver = schema["$defs"]["Waiver"]["properties"]
    assert waiver["expires"]["description"].startswith("Last day the waiver holds")


def test_summary_is_printed_once_and_junit_timestamp_has_a_time() -> None:
    """#13.17: github output had the summary twice (stdout and stderr); JUnit's timestamp had
    no time of day. The check day is 2025-06-01, judged at 00:00 UTC."""
    from typer.testing import CliRunner

    from costcalc.cli import app

    args = ["check", "examples/procurement/bad", "--as-of", "2025-06-01"]
    result = CliRunner().invoke(app, [*args, "--format", "github"])
    assert result.exit_code == 1
    both = result.stdout + result.stderr
    assert both.count("costcalc check failed:") == 1
    assert "costcalc check failed:" in result.stderr
    result = CliRunner().invoke(app, [*args, "--format", "junit"])
    assert 'timestamp="2025-06-01T00:00:00"' in result.stdout


def test_large_json_report_is_written_in_two_parts_with_the_same_text() -> None:
    """A report of SHARED_FROM findings or more is written partly by a forked child; the
    text is exactly the one-call text, for every cut of the findings, forked or not."""
    import dataclasses
    import datetime as dt

    from costcalc.gate import check
    from costcalc.render.fastjson import dumps_indented
    from costcalc.render.reports import escape
    from costcalc.render.reports.formats import SHARED_FROM, payload_text, to_payload

    small = check(
        [TEAM],
        when=dt.date(2026, 3, 1),
        pricing=["tests/fixtures/check/pricing"],
        include_bundled=False,
    )
    assert small.findings and small.waivers
    expected = dumps_indented(to_payload(small))
    for cut in range(len(small.findings) + 1):
        for fork in (False, True):
            assert payload_text(small, cut=cut, fork=fork) == expected
    empty = dataclasses.replace(small, findings=[], waivers=[])
    assert payload_text(empty, cut=0) == dumps_indented(to_payload(empty))
    copies = SHARED_FROM // len(small.findings) + 1
    big = dataclasses.replace(small, findings=small.findings * copies)
    assert len(big.findings) >= SHARED_FROM
    text = formatter_for(ReportFormat.json).format(big)
    assert text == escape.json_no_commands(dumps_indented(to_payload(big))) + "\n"
    assert len(json.loads(text)["findings"]) == len(big.findings)
