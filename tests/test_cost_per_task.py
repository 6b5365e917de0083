"""Cost per task: compare and budget bill each model's sourced hidden reasoning tokens by
default, say so (a table note naming model, figure and source; per-row JSON fields), call a
thinking model's hidden tokens unknown when no figure exists, and let --reasoning-tokens
override. Also `costcalc.budget.plan` called from Python, without the CLI.

The catalog is written into a temporary folder (test data, not real prices or models), in USD
per million tokens:
  r1x     in 1 / out 4, thinking, 23,000 hidden tokens per request (source "test r1x card")
  mult    in 2 / out 8, 2 x the visible output in hidden tokens (source "test mult report")
  hybrid  in 1 / out 2, thinking, no figure (unknown: billed 0)
  plain   in 1 / out 1, not thinking
Every model scores 80 on one benchmark (se 1), so all are good enough.
One request is 1,000 in / 500 out unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.budget import BudgetOptions, BudgetPlan, plan
from costcalc.catalog import Catalog, load_catalog
from costcalc.cli import app
from costcalc.compare import CompareOptions, compare_full
from costcalc.errors import InputError
from costcalc.workload import request, workload_with

WHEN = dt.date(2025, 6, 1)

MODELS = """\
kind: models
models:
  - {id: r1x, name: R1X, vendor: Test Lab, open_weights: false, license: proprietary,
     thinking: true,
     reasoning: {tokens_per_request: 23000, source: "test r1x card", as_of: 2025-01-20}}
  - {id: mult, name: Mult, vendor: Test Lab, open_weights: false, license: proprietary,
     reasoning: {output_multiple: 2, source: "test mult report", as_of: 2025-02-01}}
  - {id: hybrid, name: Hybrid, vendor: Test Lab, open_weights: false, license: proprietary,
     thinking: true}
  - {id: plain, name: Plain, vendor: Test Lab, open_weights: false, license: proprietary,
     thinking: false}
"""
PROVIDER = """\
kind: price-sheet
provider: {id: host, name: Host, country: US, currency: USD, pricing_url: "https://example.com"}
offers:
  - model: r1x
    prices: [{as_of: 2025-01-01, source: "test", input: 1, output: 4}]
  - model: mult
    prices: [{as_of: 2025-01-01, source: "test", input: 2, output: 8}]
  - model: hybrid
    prices: [{as_of: 2025-01-01, source: "test", input: 1, output: 2}]
  - model: plain
    prices: [{as_of: 2025-01-01, source: "test", input: 1, output: 1}]
"""
QUALITY = {
    "benchmarks.yaml": "kind: benchmarks\nbenchmarks:\n"
    '  - {id: b1, name: Bench, category: math, scale: percent, items: 10000, source: "test"}\n',
    "profiles.yaml": "kind: profiles\nprofiles:\n  - {id: balanced, name: One, weights: {b1: 1}}\n",
    "scores.yaml": "kind: scores\nscores:\n"
    + "".join(
        f"  - {{model: {m}, benchmark: b1, score: 80, metric: pass@1, source: test,"
        " uncertainty: {stderr: 1}}\n"
        for m in ("r1x", "mult", "hybrid", "plain")
    ),
}


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sheets")
    (folder / "providers").mkdir()
    (folder / "models.yaml").write_text(MODELS)
    (folder / "providers" / "host.yaml").write_text(PROVIDER)
    for name, text in QUALITY.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture(scope="module")
def catalog(sheets: Path) -> Catalog:
    return load_catalog([sheets], include_bundled=False)


def per_request(catalog: Catalog, **kw: object) -> dict[str, D]:
    options = CompareOptions(
        usage=request(D(1000), D(500)),
        when=WHEN,
        currency="USD",
        **kw,  # type: ignore[arg-type]
    )
    ranking, _ = compare_full(catalog, options)
    return {r.model: r.cost.total for r in ranking.rows}


def test_compare_bills_sourced_hidden_tokens_by_default(catalog: Catalog) -> None:
    """r1x: 1,000 x $1/M + (500 + 23,000) x $4/M = 0.001 + 0.094 = $0.095;
    mult: 2 x 500 = 1,000 hidden; 1,000 x $2/M + (500 + 1,000) x $8/M = 0.002 + 0.012 = $0.014;
    hybrid (unknown, billed 0): 1,000 x $1/M + 500 x $2/M = $0.002;
    plain: 1,000 x $1/M + 500 x $1/M = $0.0015."""
    assert per_request(catalog) == {
        "r1x": D("0.095"),
        "mult": D("0.014"),
        "hybrid": D("0.002"),
        "plain": D("0.0015"),
    }


def test_reasoning_tokens_override(catalog: Catalog) -> None:
    """--reasoning-tokens 5,000 for r1x: 0.001 + (500 + 5,000) x $4/M = 0.001 + 0.022 = $0.023;
    mult keeps its sheet figure ($0.014)."""
    costs = per_request(catalog, reasoning_tokens=D(5000), reasoning_models=["r1x"])
    assert costs["r1x"] == D("0.023")
    assert costs["mult"] == D("0.014")


def test_plan_from_python(catalog: Catalog) -> None:
    """1,000 requests a day x 30 = 30,000 a month. Per request (see above): r1x $0.095,
    mult $0.014, hybrid $0.002, plain $0.0015, so a month costs r1x 30,000 x 0.095 = $2,850,
    mult 30,000 x 0.014 = $420, hybrid $60, plain $45. With a $100 budget plain and hybrid
    fit; all score 80, so the choice is the cheapest: plain, $100 - $45 = $55 headroom."""
    w = workload_with(
        None, {"requests_per_day": D(1000), "input_tokens": D(1000), "output_tokens": D(500)}
    )
    result = plan(catalog, [w], BudgetOptions(when=WHEN, budget=D(100), selfhost=False))
    assert isinstance(result, BudgetPlan) and len(result.results) == 1
    (one,) = result.results
    monthly = {r.model: r.monthly_cost for r in one.rows}
    assert monthly == {"r1x": D(2850), "mult": D(420), "hybrid": D(60), "plain": D(45)}
    assert one.ranked and all(r.good_enough for r in one.rows)
    assert one.choice is not None and one.choice.model == "plain"
    assert one.choice.headroom == D(55)
    assert [r.model for r in one.rows if r.fits_budget] == ["plain", "hybrid"]
    hidden = {r.model: (r.hidden.tokens, r.hidden.basis) for r in one.rows}
    assert hidden == {
        "r1x": (D(23000), "sheet"),
        "mult": (D(1000), "sheet"),
        "hybrid": (D(0), "unknown"),
        "plain": (D(0), None),
    }
    assert "plain @ host at $45.00 a month ($55.00 headroom)" in one.verdict


def test_plan_refuses_a_mistyped_model_and_tier(catalog: Catalog) -> None:
    w = workload_with(None, {"requests_per_day": D(1), "input_tokens": D(1), "output_tokens": D(1)})
    with pytest.raises(InputError, match="unknown model 'r1'"):
        plan(catalog, w, BudgetOptions(when=WHEN, models=("r1",)))
    with pytest.raises(InputError, match="unknown rate-limit tier"):
        plan(catalog, w, BudgetOptions(when=WHEN, tier="tier1"))


def run(sheets: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, [*args, "--no-bundled", "--pricing", str(sheets), "--as-of", "2025-06-01"]
    )
    return result.exit_code, result.stdout, result.stderr


def test_compare_table_says_what_hidden_tokens_are_billed(sheets: Path) -> None:
    code, out, err = run(sheets, "compare", "--quality-method", "mean")
    assert code == 0, err
    text = " ".join(out.split())  # notes wrap at the table width
    assert "hidden reasoning tokens billed: r1x 23,000 per request (source: test r1x card," in text
    assert "mult 1,000 per request (2 × the visible output; source: test mult report" in text
    assert "hidden reasoning tokens unknown, billed as 0: hybrid" in text
    assert "plain" not in text.split("hidden reasoning tokens unknown")[1].split("(")[0]


def test_verdict_says_a_thinking_models_cost_is_a_lower_bound(sheets: Path) -> None:
    """hybrid thinks but has no figure: recommended, its cost leaves out hidden tokens."""
    code, out, err = run(sheets, "compare", "hybrid", "r1x", "--quality-method", "mean")
    assert code == 0, err
    text = " ".join(out.split())
    assert "Buy hybrid @ host" in text
    assert "so hybrid's cost is a lower bound" in text
    code, out, err = run(sheets, "compare", "--quality-method", "mean")  # plain is recommended
    assert code == 0 and "Buy plain @ host" in out and "lower bound" not in out


def test_compare_json_hidden_fields(sheets: Path) -> None:
    """compare's default request is 2,000 in / 500 out: r1x costs 2,000 x $1/M +
    (500 + 23,000) x $4/M = 0.002 + 0.094 = $0.096."""
    code, out, err = run(sheets, "compare", "--quality-method", "mean", "-f", "json")
    assert code == 0, err
    rows = {m["model"]: m for m in json.loads(out)["models"]}
    assert rows["r1x"]["hidden_tokens"] == "23000"
    assert rows["r1x"]["hidden_tokens_basis"] == "sheet"
    assert rows["r1x"]["hidden_tokens_source"] == "test r1x card"
    assert rows["r1x"]["cost_per_request"] == "0.096"
    assert (rows["hybrid"]["hidden_tokens"], rows["hybrid"]["hidden_tokens_basis"]) == (
        "0",
        "unknown",
    )
    assert rows["plain"]["hidden_tokens_basis"] is None


def test_compare_override_from_the_cli(sheets: Path) -> None:
    """--reasoning-tokens 5000 --reasoning-model r1x at the default 2,000 in / 500 out:
    2,000 x $1/M + (500 + 5,000) x $4/M = 0.002 + 0.022 = $0.024; basis override, and the
    note says so."""
    args = ("compare", "--reasoning-tokens", "5,000", "--reasoning-model", "r1x")
    code, out, err = run(sheets, *args, "-f", "json")
    assert code == 0, err
    r1x = next(m for m in json.loads(out)["models"] if m["model"] == "r1x")
    assert (r1x["hidden_tokens"], r1x["hidden_tokens_basis"]) == ("5000", "override")
    assert r1x["cost_per_request"] == "0.024"
    code, out, err = run(sheets, *args)
    assert "r1x 5,000 per request (your figure, --reasoning-tokens)" in " ".join(out.split())


def test_budget_json_and_table_report_hidden_tokens(sheets: Path) -> None:
    """Budget bills the same figures: r1x $2,850 a month (see test_plan_from_python)."""
    base = ("budget", "--requests-per-day", "1000", "--input-tokens", "1000")
    code, out, err = run(sheets, *base, "--output-tokens", "500", "--all", "-f", "json")
    assert code == 0, err
    rows = {o["model"]: o for o in json.loads(out)["workloads"][0]["offers"]}
    assert rows["r1x"]["monthly_cost"] == "2850"
    assert (rows["r1x"]["hidden_tokens"], rows["r1x"]["hidden_tokens_basis"]) == ("23000", "sheet")
    assert rows["hybrid"]["hidden_tokens_basis"] == "unknown"
    code, out, err = run(sheets, *base, "--output-tokens", "500", "--all")
    assert code == 0, err
    text = " ".join(out.split())
    assert "hidden reasoning tokens billed: r1x 23,000 per request" in text
    assert "hidden reasoning tokens unknown, billed as 0: hybrid" in text


@pytest.mark.parametrize("command", ["compare", "budget"])
def test_same_model_and_token_options(sheets: Path, command: str) -> None:
    """compare and budget take models (positional or --model) and per-request tokens the same
    way: plain named both ways, 1,000 in / 500 out, 20% cached."""
    extra = ["--requests-per-day", "1000"] if command == "budget" else []
    args = [command, "plain", "--model", "mult", "--input-tokens", "1,000"]
    args += ["--output-tokens", "500", "--cached-share", "20%", *extra, "-f", "json"]
    code, out, err = run(sheets, *args)
    assert code == 0, err
    data = json.loads(out)
    rows = data["models"] if command == "compare" else data["workloads"][0]["offers"]
    assert {r["model"] for r in rows} == {"plain", "mult"}


@pytest.mark.parametrize("command", ["compare", "budget"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cached-share", "-0.5"], "--cached-share must be between 0 and 1"),
        (["--reasoning-tokens", "10"], "--reasoning-tokens applies to the models named with"),
        (["--reasoning-model", "r1x"], "--reasoning-model needs --reasoning-tokens N"),
        (["--input-tokens", "-1"], "--input-tokens must be a number >= 0"),
    ],
)
def test_same_errors_in_both_commands(
    sheets: Path, command: str, args: list[str], message: str
) -> None:
    extra = ["--requests-per-day", "1", "--output-tokens", "1"] if command == "budget" else []
    code, _, err = run(sheets, command, *args, *extra)
    assert code == 2
    assert message in err


def test_plan_refuses_an_unknown_reasoning_model(catalog: Catalog) -> None:
    """A workload's reasoning_models must name loaded models, as compare's --reasoning-model."""
    w = workload_with(
        None,
        {
            "requests_per_day": D(1),
            "input_tokens": D(1),
            "output_tokens": D(1),
            "reasoning_tokens": D(10),
            "reasoning_models": ["r1y"],
        },
    )
    with pytest.raises(InputError, match="unknown model 'r1y'"):
        plan(catalog, w, BudgetOptions(when=WHEN))
