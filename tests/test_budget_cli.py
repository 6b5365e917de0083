"""`costcalc budget` end to end: formats (golden files), exit codes and error messages.

Golden outputs live in tests/golden/budget/; UPDATE_GOLDEN=1 rewrites them. Every
run passes --as-of, so nothing depends on today's date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from helpers import assert_golden

CAT = "tests/fixtures/budget/catalog"
FILE = "tests/fixtures/budget/workloads.yaml"
BAD = "tests/fixtures/budget/bad"
BASE = ["budget", "--monthly", "--no-bundled", "--pricing", CAT, "--as-of", "2025-06-01"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*BASE, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_workload_file_golden(fmt: str) -> None:
    """Two named workloads of a file, a $100 budget, in every format."""
    code, out, _ = run("--workload-file", FILE, "--budget", "100", "--format", fmt)
    assert code == 0
    suffix = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md"}[fmt]
    assert_golden(f"budget/workloads.{suffix}", out)


def test_preset_in_cny_golden() -> None:
    """The `big` preset in CNY: self-hosting open7 on 2 GPUs beats the API (break-even 1.44M)."""
    code, out, _ = run("--preset", "big", "--currency", "CNY")
    assert code == 0
    assert_golden("budget/preset-big-cny.txt", out)


def test_json_fields_by_hand() -> None:
    """chat: 30,000 requests x $0.002 = $60 on open7; self-host rows carry fixed cost and break-even."""
    code, out, _ = run("--workload-file", FILE, "--workload", "chat", "--format", "json")
    assert code == 0
    data = json.loads(out)
    (item,) = data["workloads"]
    rows = {(r["model"], r["provider"], r.get("option")): r for r in item["offers"]}
    open7 = rows[("open7", "apihost", None)]
    assert open7["monthly_cost"] == "60"  # 30,000 x (1,000 x $1/M + 500 x $2/M)
    assert open7["total"] == "198.6"  # 60 + 66 + 72.6 with +10% a month
    assert open7["fits_budget"] is None and open7["rate_limited"] is False
    fast = rows[("open7", "self-hosted", "open7-fast")]
    assert fast["fixed_monthly_cost"] == "2880"  # 2 GPUs x $2 x 720 h
    assert fast["break_even_requests_per_month"] == 1440000  # $2,880 / $0.002
    assert fast["break_even_tokens_per_month"] == 2160000000  # x 1,500 tokens
    assert data["days_per_month"] == "30"


def test_flags_override_a_preset() -> None:
    """--requests-per-month replaces the preset's requests-per-day: 60,000 x $0.002 = $120."""
    code, out, _ = run("--preset", "small", "--requests-per-month", "60000", "--format", "json")
    assert code == 0
    rows = json.loads(out)["workloads"][0]["offers"]
    assert next(r for r in rows if r["model"] == "open7")["monthly_cost"] == "120"


def test_flags_alone() -> None:
    """A workload from flags only."""
    code, out, _ = run(
        "--requests-per-day", "1000", "--input-tokens", "1000", "--output-tokens", "500",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0
    assert "custom,api,open7,apihost,,0,60,60,60" in out


def test_tier_free_is_rate_limited() -> None:
    """spiky: peak 6.94 rpm > 5 on the free tier, flagged with the numbers."""
    code, out, _ = run("--workload-file", FILE, "--workload", "spiky", "--tier", "free")
    assert code == 0
    assert "LIMITED free: 6.94 > 5 rpm" in out


def test_plot_svg(tmp_path: Path) -> None:
    """--plot writes the projection chart."""
    pytest.importorskip("matplotlib")
    target = tmp_path / "projection.svg"
    code, _, err = run("--workload-file", FILE, "--workload", "chat", "--plot", str(target))
    assert code == 0
    assert target.read_text().lstrip().startswith("<?xml")
    assert "wrote" in err


def test_plot_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the plot extra: a clear message and exit 2."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = run("--preset", "small", "--plot", str(tmp_path / "p.png"))
    assert code == 2
    assert "pip install 'costcalc[plot]'" in err


def test_plot_bad_suffix(tmp_path: Path) -> None:
    code, _, err = run("--preset", "small", "--plot", str(tmp_path / "p.gif"))
    assert code == 2
    assert ".svg or .png" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "huge"], "unknown preset 'huge'"),
        (["--preset", "small", "--requests-per-day", "-5"], "requests_per_day: Input should be"),
        (["--preset", "small", "--cached-share", "1.5"], "--cached-share 1.5: expected a fraction"),
        (["--preset", "small", "--growth", "abc"], "--growth: expected a number"),
        (["--preset", "small", "--requests-per-day", "1e12"], "requests_per_day"),
        (["--preset", "small", "--budget", "-1"], "budget must be a number >= 0"),
        (["--preset", "small", "--utilisation", "0"], "utilisation must be in (0, 1]"),
        (["--preset", "small", "--workload-file", FILE], "not both"),
        (["--input-tokens", "100"], "a workload needs requests-per-day or requests-per-month"),
        (["--workload-file", FILE, "--workload", "nope"], "no workload named 'nope'"),
        (["--workload-file", "no/such.yaml"], "no/such.yaml"),
    ],
)
def test_bad_input_exits_2(args: list[str], message: str) -> None:
    """Bad volumes, shares, presets and files: exit 2 with a message naming what is wrong."""
    code, _, err = run(*args)
    assert code == 2
    assert message in err


def test_bad_workload_file_names_file_line_and_field() -> None:
    """Every problem of a workloads file, each with file, line and field."""
    code, _, err = run("--workload-file", f"{BAD}/workloads.yaml")
    assert code == 2
    assert f"{BAD}/workloads.yaml:4: workloads[0].requests_per_day: Input should be" in err
    assert f"{BAD}/workloads.yaml:7: workloads[0].cached_share: Input should be" in err


def test_unknown_gpu_price_is_located() -> None:
    """A self-host option naming an unknown GPU price: exit 2 at the option's line."""
    result = CliRunner().invoke(
        app,
        [
            "budget", "--no-bundled", "--pricing", CAT, "--pricing", f"{BAD}/unknown-price",
            "--preset", "small", "--as-of", "2025-06-01",
        ],
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"{BAD}/unknown-price/selfhost.yaml:6: options[0].gpu_price: unknown GPU price" in (
        result.stderr
    )


def test_schema_kinds_registered() -> None:
    """`costcalc schema workloads` and `selfhost` print JSON Schemas."""
    for kind in ("workloads", "selfhost"):
        result = CliRunner().invoke(app, ["schema", kind])
        assert result.exit_code == 0
        assert '"properties"' in result.stdout


def test_bundled_done_when() -> None:
    """The issue's example on the bundled sheets: offers that fit ¥5,000, and a self-host row with
    a break-even volume for an open-weight model with a sourced option."""
    result = CliRunner().invoke(
        app,
        [
            "budget", "--monthly", "--preset", "medium", "--budget", "5000", "--currency", "CNY",
            "--as-of", "2026-11-27", "--format", "json", "--all", "--limit", "0",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    (item,) = data["workloads"]
    assert item["workload"]["illustrative"] is True
    offers = item["offers"]
    for row in offers:
        for key in ("model", "provider", "monthly_cost", "fits_budget", "rate_limited"):
            assert key in row
    assert any(r["kind"] == "api" and r["fits_budget"] for r in offers)
    hosted = [r for r in offers if r["kind"] == "selfhost"]
    assert hosted
    assert any(r["break_even_tokens_per_month"] is not None for r in hosted)
    for r in hosted:
        assert r["fixed_monthly_cost"] == r["monthly_cost"]
        # Only the Skywork-OR1 rows run on another model's measurement (Qwen2.5-32B, the same
        # architecture and size), and they are flagged as proxies.
        assert r["throughput"]["proxy"] is r["model"].startswith("skywork-or1-32b")
        assert r["gpu_price"]["source"]


def run_in_cwd(*args: str) -> tuple[int, str, str]:
    """`costcalc budget --monthly` on the bundled sheets, from whatever folder the test is in."""
    result = CliRunner().invoke(app, ["budget", "--monthly", "--as-of", "2025-06-01", *args])
    return result.exit_code, result.stdout, result.stderr


def test_budget_monthly_alone_projects_the_presets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`costcalc budget --monthly`, as users type it, answers: every bundled preset side by side."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_in_cwd("--format", "json")
    assert code == 0, err
    names = [w["workload"]["name"] for w in json.loads(out)["workloads"]]
    assert names == ["small", "medium", "large"]
    assert "projecting the presets small, medium, large" in err


def test_budget_monthly_alone_reads_the_projects_workloads_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "workloads.yaml").write_text(
        "kind: workloads\nworkloads:\n  - name: tickets\n    requests_per_day: 100\n"
        "    input_tokens: 1000\n    output_tokens: 100\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run_in_cwd("--format", "json")
    assert code == 0, err
    workloads = json.loads(out)["workloads"]
    assert [w["workload"]["name"] for w in workloads] == ["tickets"]
    assert workloads[0]["workload"]["requests_month_1"] == 3000  # 100 a day x 30 days
    assert "workloads from ./workloads.yaml" in err


def test_all_with_a_limit_still_shows_the_recommended_row() -> None:
    """--all lists cheaper offers below the bar first; the recommended one must not fall off."""
    result = CliRunner().invoke(
        app, ["budget", "--preset", "medium", "--all", "--limit", "1", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    workload = json.loads(result.stdout)["workloads"][0]
    choice = workload["choice"]
    assert choice is not None
    shown = [(o["model"], o["provider"]) for o in workload["offers"] if o["kind"] == "api"]
    assert (choice["model"], choice["provider"]) in shown
    assert any(o["recommended"] for o in workload["offers"])
    # --limit 1 keeps the cheapest offer (maybe below the bar) plus, always, the recommended and
    # the chosen rows (render.budget.shown_rows); they differ when the recommended offer publishes
    # no rate limits and the choice prefers one that does.
    assert len(shown) <= 3


@pytest.mark.parametrize(
    ("value", "expected"), [("20%", "0.2"), ("0.2", "0.2"), ("12.5%", "0.125")]
)
def test_growth_takes_a_fraction_or_a_percentage(value: str, expected: str) -> None:
    code, out, err = run("--preset", "small", "--growth", value, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["workloads"][0]["workload"]["growth"] == expected


def test_a_bare_percentage_number_gets_a_hint() -> None:
    code, _, err = run("--preset", "small", "--growth", "20")
    assert code == 2
    assert "--growth 20: expected a fraction such as 0.2 or a percentage such as 20%" in err
    assert "for 20% write --growth 0.2" in err
