"""CLI tests for models, cost, validate and schema: output, formats and exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from helpers import MINI, MINI_REL, assert_golden, million_each

MINI_ARGS = ["--no-bundled", "--pricing", MINI_REL]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_models_golden(fmt: str) -> None:
    code, out, err = invoke("models", *MINI_ARGS, "--format", fmt)
    assert code == 0, err
    assert_golden(f"catalog/models.{fmt}", out)


def test_models_filters() -> None:
    code, out, _ = invoke("models", *MINI_ARGS, "--open-weights", "--format", "json")
    assert code == 0
    assert [m["id"] for m in json.loads(out)["models"]] == ["alpha", "gamma"]
    code, out, _ = invoke(
        "models", *MINI_ARGS, "--provider", "ushost", "--license", "proprietary", "--format", "json"
    )
    assert [m["id"] for m in json.loads(out)["models"]] == ["beta"]
    code, _, err = invoke("models", *MINI_ARGS, "--provider", "ushots")
    assert code == 2
    assert "unknown provider 'ushots'; did you mean 'ushost'?" in err


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_cost_golden(fmt: str) -> None:
    """alpha on 2025-04-13 in CNY, cheapest offer first:
    cnhost ¥ list: 1M x ¥4 + 1M x ¥16 = ¥20; ushost $ list converted: (0.5 + 1) x 7.25 = ¥10.875.
    So ushost (¥10.875) is shown with its breakdown, cnhost (¥20) under other offers."""
    code, out, err = invoke(
        "cost",
        "alpha",
        *MINI_ARGS,
        *million_each("CNY", "2025-04-13"),
        "--format",
        fmt,
    )
    assert code == 0, err
    assert_golden(f"catalog/cost.{fmt}", out)


def test_cost_json_fields() -> None:
    """The JSON contract: model, provider, currency, total (decimal string), breakdown."""
    code, out, _ = invoke(
        "cost",
        "alpha-latest",
        *MINI_ARGS,
        "--provider",
        "cnhost",
        "--input-tokens",
        "1000000",
        "--output-tokens",
        "1000000",
        "--currency",
        "usd",
        "--as-of",
        "2025-04-13",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    # DeepSeek-like USD list: $0.55 + $2.19 = $2.74, published, not converted.
    assert (data["model"], data["provider"], data["currency"], data["total"]) == (
        "alpha",
        "cnhost",
        "USD",
        "2.74",
    )
    assert data["price_published_in_currency"] is True and data["conversion"] is None
    assert [(b["component"], b["amount"]) for b in data["breakdown"]] == [
        ("input", "0.55"),
        ("output", "2.19"),
    ]
    assert data["breakdown"][0]["origin"].endswith("cnhost.yaml:19")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["cost", "alhpa", "--input-tokens", "1", "--output-tokens", "1"],
            "unknown model 'alhpa'; did you mean 'alpha'",
        ),
        (
            ["cost", "alpha", "--input-tokens", "1", "--output-tokens", "1", "--currency", "XYZ"],
            "unknown currency 'XYZ'",
        ),
        (
            [
                "cost",
                "alpha",
                "--input-tokens",
                "10",
                "--cached-tokens",
                "20",
                "--output-tokens",
                "1",
            ],
            "cannot exceed",
        ),
        (
            ["cost", "gamma", "--input-tokens", "1", "--output-tokens", "1"],
            "no provider sheet offers it",
        ),
        (
            ["cost", "beta", "--provider", "cnhost", "--input-tokens", "1", "--output-tokens", "1"],
            "does not offer 'beta'; it is offered by: ushost",
        ),
        (
            [
                "cost",
                "alpha",
                "--provider",
                "cnhost",
                "--input-tokens",
                "1",
                "--output-tokens",
                "1",
                "--as-of",
                "2024-01-01",
            ],
            "no price in force on 2024-01-01",
        ),
        (["cost", "alpha", "--input-tokens", "-5", "--output-tokens", "1"], ""),
        (
            [
                "cost",
                "alpha",
                "--input-tokens",
                "1",
                "--output-tokens",
                "1",
                "--as-of",
                "13/04/2025",
            ],
            "",
        ),
    ],
)
def test_cost_bad_input_exits_2(args: list[str], message: str) -> None:
    code, out, err = invoke(*args, *MINI_ARGS)
    assert code == 2
    assert message in err
    assert out == ""
    assert "Traceback" not in err


def test_validate_ok_and_counts() -> None:
    code, _, err = invoke("validate", *MINI_ARGS)
    assert code == 0
    assert (
        err == "ok: 4 files, 3 models, 2 providers, 3 offers, 5 price periods, 2 exchange rates\n"
    )


def test_no_bundled_needs_pricing() -> None:
    code, _, err = invoke("models", "--no-bundled")
    assert code == 2
    assert "--no-bundled needs at least one --pricing folder" in err


def test_schema_prints_json_schema() -> None:
    code, out, _ = invoke("schema", "price-sheet")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "PriceSheet"
    assert "offers" in schema["properties"]
    code, _, err = invoke("schema", "price-shet")
    assert code == 2
    assert "did you mean 'price-sheet'" in err


def test_version_and_help() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.startswith("costcalc ")
    code, out, _ = invoke("--help")
    assert code == 0
    for command in ("models", "cost", "validate", "schema"):
        assert command in out


def test_user_layer_overrides_bundled_offer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A user's sheet for the same provider and model replaces the earlier layer's offer:
    alpha @ ushost repriced to $1/$1 -> 1M in + 1M out = $2."""
    (tmp_path / "us.yaml").write_text(
        "kind: price-sheet\n"
        'provider: {id: ushost, name: US Host, country: US, currency: USD, pricing_url: "https://example.com/p"}\n'
        "offers:\n"
        '  - model: alpha\n    prices:\n      - {as_of: 2025-01-01, source: "my contract", input: 1, output: 1}\n'
    )
    code, out, err = invoke(
        "cost",
        "alpha",
        *MINI_ARGS,
        "--pricing",
        str(tmp_path),
        "--provider",
        "ushost",
        "--input-tokens",
        "1000000",
        "--output-tokens",
        "1000000",
        "--as-of",
        "2025-04-13",
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)["total"] == "2"
    assert json.loads(out)["price_source"] == "my contract"


def test_env_var_adds_pricing_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        app, ["validate", "--no-bundled"], env={"COSTCALC_PRICING": str(MINI)}
    )
    assert result.exit_code == 0, result.stderr
    assert "3 models" in result.stderr


def test_validate_checks_cross_references_of_every_kind(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A self-host option and a score naming unknown models are both reported, with lines."""
    (tmp_path / "sh.yaml").write_text(
        "kind: selfhost\ngpu_prices: []\noptions:\n  - id: bad\n    model: no-such-model\n"
        "    hardware: {gpu: H200 141GB, count: 8}\n    gpu_price: nope\n    target_utilisation: 1\n"
        "    throughput: {output_tokens_per_s: 100, per: replica, measured_model: X, engine: e,"
        " precision: p, load: l, as_of: 2025-04-01, source: somewhere}\n"
    )
    (tmp_path / "scores.yaml").write_text(
        "kind: scores\nscores:\n  - {model: nobody, benchmark: aime-2024, score: 50, metric: pass@1, source: somewhere}\n"
    )
    code, _, err = invoke("validate", str(tmp_path))
    assert code == 2
    assert "sh.yaml:5: options[0].model: unknown model 'no-such-model'" in err
    assert "scores.yaml:3" in err and "nobody" in err
