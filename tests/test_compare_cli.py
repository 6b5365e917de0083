"""CLI tests for `costcalc compare`: golden outputs per format, options, plots and exit codes.

The fixture catalog and its hand-worked figures are described in tests/test_compare.py.
"""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from helpers import COMPARE_ARGS, assert_golden

ARGS = COMPARE_ARGS


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*ARGS, *args])
    return result.exit_code, result.stdout, result.stderr


def as_json(*args: str) -> dict[str, Any]:
    code, out, err = invoke(*args, "--format", "json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_golden(fmt: str) -> None:
    """Each format's output is pinned (UPDATE_GOLDEN=1 rewrites tests/golden/compare/)."""
    code, out, err = invoke("--format", fmt)
    assert code == 0, err
    assert_golden(f"compare/default.{fmt}", out)


def test_golden_min_quality_markdown() -> None:
    """A user bar moves the recommendation to mid, as worked out in test_compare.py."""
    code, out, err = invoke("--min-quality", "84", "--format", "markdown")
    assert code == 0, err
    assert_golden("compare/min-quality-84.markdown", out)


def test_json_contract() -> None:
    """The documented JSON keys are present with exact decimal strings for money."""
    data = as_json()
    assert data["currency"] == "USD"
    assert data["bar"]["value"] == 81.0  # 0.9 x 90
    assert data["bar"]["good_enough"] == "0.9"
    assert data["recommended"] == "cheap @ lab"
    first = data["models"][0]
    for key in (
        "model", "provider", "rank", "quality", "quality_low", "quality_high", "coverage",
        "cost_per_request", "good_enough", "recommended", "pareto", "dominated_by", "not_worth_it",
    ):  # fmt: skip
        assert key in first
    assert first["cost_per_request"] == "1"
    top = next(m for m in data["models"] if m["model"] == "top")
    assert top["not_worth_it"] is True
    assert top["marginal_cost_per_point"] == "9.9"  # (100 - 1) / 10
    assert data["workload"] == {
        "input_tokens": "1000000",
        "cached_tokens": "0",
        "output_tokens": "0",
        "reasoning_tokens": "0",
        "reasoning_tokens_added": {},
    }


def test_weights_option() -> None:
    """--weights b2=1 with --good-enough 0.95: mid is recommended (see test_compare.py)."""
    data = as_json("--weights", "b2=1", "--good-enough", "0.95")
    assert data["recommended"] == "mid @ lab"
    assert data["profile"] == {
        "id": "custom",
        "name": "custom weights",
        "weights": {"b2": "1"},
        "min_coverage": "0.5",
    }


def test_cached_share_and_reasoning() -> None:
    """--cached-share 0.5 bills half the prompt as cached (no cached price: input price);
    --reasoning-tokens 10000 on top adds 10,000 x $400 / 1M = $4."""
    data = as_json(
        "--cached-share", "0.5", "--reasoning-tokens", "10000", "--reasoning-model", "top"
    )
    assert data["workload"]["cached_tokens"] == "500000"  # 1,000,000 x 0.5
    assert data["workload"]["reasoning_tokens_added"] == {"top": "10000"}
    top = next(m for m in data["models"] if m["model"] == "top")
    assert top["cost_per_request"] == "104"  # 100 + 4


def test_filters_and_model_arguments() -> None:
    """Model arguments, --provider, --open-weights and --license narrow the candidates."""
    assert [m["label"] for m in as_json("mid", "top")["models"]] == ["mid @ lab", "top @ lab"]
    assert [m["model"] for m in as_json("--provider", "cnhost")["models"]] == ["cnmodel"]
    assert [m["model"] for m in as_json("--closed-weights")["models"]] == ["top", "dud"]
    assert [m["model"] for m in as_json("--license", "apache-2.0")["models"]] == ["mid"]


def test_money_ceiling_option() -> None:
    """--max-cost-per-point 300 --requests-per-month 1000: mid's $400 per point is too much."""
    data = as_json("--max-cost-per-point", "300", "--requests-per-month", "1000")
    assert next(m for m in data["models"] if m["model"] == "mid")["not_worth_it"] is True
    assert data["ceiling"] == {
        "max_multiple_per_point": None,
        "max_cost_per_point": "300",
        "requests_per_month": "1000",
    }


def test_profile_file(tmp_path: Path) -> None:
    """--profile FILE.yaml uses the first profile of a user's profiles file."""
    path = tmp_path / "mine.yaml"
    path.write_text(
        "kind: profiles\nprofiles:\n  - {id: mine, name: Mine, weights: {b2: 1}}\n",
        encoding="utf-8",
    )
    data = as_json("--profile", str(path), "--good-enough", "0.95")
    assert data["profile"]["id"] == "mine"
    assert data["recommended"] == "mid @ lab"


def test_profile_file_errors(tmp_path: Path) -> None:
    """A user profile weighting an unknown benchmark fails with file, line and field."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "kind: profiles\nprofiles:\n  - id: bad\n    name: Bad\n    weights:\n      b7: 1\n",
        encoding="utf-8",
    )
    code, _, err = invoke("--profile", str(path))
    assert code == 2
    assert "bad.yaml:6: profiles[0].weights.b7: unknown benchmark 'b7'" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--profile", "balancd"], "unknown profile 'balancd'; did you mean 'balanced'?"),
        (["--weights", "b9=1"], "unknown benchmark 'b9'"),
        (["--weights", "b1"], "--weights: expected BENCHMARK=WEIGHT, got 'b1'"),
        (["--weights", "b1=x"], "--weights: expected a number, got 'x'"),
        (["--weights", "raw-elo=1"], "'raw-elo' is a rating with no `mapping` to 0-100"),
        (["chepa"], "unknown model 'chepa'; did you mean 'cheap'?"),
        (["--provider", "labb"], "unknown provider 'labb'"),
        (["--min-quality", "120"], "min-quality must be between 0 and 100"),
        (["--good-enough", "0"], "good-enough must be a fraction in (0, 1]"),
        (["--cached-share", "2"], "--cached-share 2: expected a fraction"),
        (["--cached-share", "-0.5"], "--cached-share must be between 0 and 1"),
        (["--reasoning-tokens", "5"], "--reasoning-tokens applies to the models named"),
        (["--reasoning-model", "top"], "--reasoning-model needs --reasoning-tokens"),
        (["--max-cost-per-point", "1"], "give --requests-per-month too"),
        (["--currency", "XYZ"], "unknown currency 'XYZ'"),
        (["--plot", "chart.pdf"], "--plot needs a file ending in .svg or .png"),
        (["--band", "-1"], "band must be a number >= 0"),
        (["--max-multiple-per-point", "-2"], "max-multiple-per-point must be a number >= 0"),
        (["--profile", "math"], "unknown profile 'math'"),
    ],
)
def test_input_errors_exit_2(args: list[str], message: str) -> None:
    """Bad input ends with exit code 2 and a clear message on stderr, nothing on stdout."""
    code, out, err = invoke(*args)
    assert code == 2
    assert message in err
    assert out == ""


def test_plot_svg(tmp_path: Path) -> None:
    """--plot FILE.svg writes an SVG of the chart and still prints the table."""
    pytest.importorskip("matplotlib")
    path = tmp_path / "frontier.svg"
    code, out, err = invoke("--plot", str(path))
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "cheap @ lab ★" in text
    assert f"wrote {path}" in err
    assert "Buy cheap @ lab" in out


def test_plot_png(tmp_path: Path) -> None:
    """--plot FILE.png writes a PNG."""
    pytest.importorskip("matplotlib")
    path = tmp_path / "frontier.png"
    code, _, err = invoke("--plot", str(path), "--format", "json")
    assert code == 0, err
    assert path.read_bytes().startswith(b"\x89PNG")


def test_plot_without_matplotlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the plot extra, --plot exits 2 and says how to install it."""
    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    code, _, err = invoke("--plot", str(tmp_path / "x.svg"))
    assert code == 2
    assert "pip install 'costcalc[plot]'" in err
    assert not (tmp_path / "x.svg").exists()


def test_bundled_compare_without_arguments() -> None:
    """`costcalc compare` with no arguments ranks the bundled catalog and ends with a verdict."""
    result = CliRunner().invoke(app, ["compare", "--as-of", "2025-07-15"])
    assert result.exit_code == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("Buy ") or "Buy " in result.stdout


def test_bundled_compare_json_profiles() -> None:
    """Every bundled profile ranks the bundled catalog with a recommendation."""
    for profile in ("balanced", "math", "coding", "knowledge", "general"):
        result = CliRunner().invoke(
            app, ["compare", "--profile", profile, "--as-of", "2025-07-15", "--format", "json"]
        )
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["recommended"], profile
        assert data["verdict"].startswith("Buy "), profile


def test_schema_kinds() -> None:
    """`costcalc schema` prints the JSON Schema of the three quality kinds."""
    for kind in ("benchmarks", "scores", "profiles"):
        result = CliRunner().invoke(app, ["schema", kind])
        assert result.exit_code == 0
        assert json.loads(result.stdout)["properties"]["kind"]["const"] == kind


def test_validate_checks_score_references(tmp_path: Path) -> None:
    """`costcalc validate` reports a score naming an unknown benchmark, with file and line."""
    (tmp_path / "s.yaml").write_text(
        "kind: scores\nscores:\n  - {model: cheap, benchmark: b5, score: 1, metric: x, source: abc}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["validate", "--no-bundled", "--pricing", "tests/fixtures/compare", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "s.yaml:3: scores[0].benchmark: unknown benchmark 'b5'" in result.stderr
