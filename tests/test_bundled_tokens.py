"""The bundled hidden-token figures and `thinking` flags: each figure recomputed from its
source data, and what they do to a cost."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.catalog import load_catalog
from costcalc.cli import app
from costcalc.schema.pricing import ModelInfo

FIXTURE = Path(__file__).parent / "fixtures" / "lrm-token-economy" / "evaluation_stats.csv"

# Bundled model id -> the LRMTokenEconomy model_name whose runs give its figure (default
# thinking setting only; see pricing/SOURCES.md).
MEASURED = {
    "deepseek-r1": "deepseek-r1",
    "deepseek-r1-0528": "deepseek-r1-0528",
    "deepseek-r1-distill-qwen-7b": "deepseek-r1-distill-qwen-7b",
    "glm-z1-32b-0414": "glm-z1-32b",
    "glm-4.5": "glm-4.5",
    "qwen3-235b-a22b": "qwen3-235b-a22b-think",
    "qwen3-235b-a22b-thinking-2507": "qwen3-235b-a22b-thinking-2507",
    "magistral-medium": "magistral-medium-2506-thinking",
}


def runs() -> dict[str, list[dict[str, str]]]:
    by_model: dict[str, list[dict[str, str]]] = defaultdict(list)
    with FIXTURE.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_model[row["model_name"]].append(row)
    return by_model


def mean_reasoning(rows: list[dict[str, str]]) -> Decimal:
    return sum((Decimal(r["tokens_reasoning"]) for r in rows), Decimal(0)) / len(rows)


@pytest.fixture(scope="module")
def models() -> dict[str, ModelInfo]:
    return load_catalog([]).models


def test_mean_of_deepseek_r1_by_hand() -> None:
    """95 runs (19 prompts x 5) summing to 200,210 reasoning tokens: 200,210 / 95 = 2,107.47...,
    which rounds to 2,107 (the bundled figure)."""
    rows = runs()["deepseek-r1"]
    assert len(rows) == 95
    assert len({r["prompt_id"] for r in rows}) == 19
    assert sum(Decimal(r["tokens_reasoning"]) for r in rows) == Decimal(200210)
    assert mean_reasoning(rows).quantize(Decimal(1), ROUND_HALF_UP) == 2107


@pytest.mark.parametrize("model_id,name", sorted(MEASURED.items()))
def test_bundled_figure_is_the_rounded_mean(
    models: dict[str, ModelInfo], model_id: str, name: str
) -> None:
    info = models[model_id]
    assert info.thinking is True, "a model billed hidden tokens must be a thinking model"
    assert info.reasoning is not None and info.reasoning.output_multiple is None
    expected = mean_reasoning(runs()[name]).quantize(Decimal(1), ROUND_HALF_UP)
    assert info.reasoning.tokens_per_request == int(expected)
    assert "LRMTokenEconomy" in info.reasoning.source and f"'{name}'" in info.reasoning.source
    assert str(info.reasoning.as_of) == "2025-08-06"


def test_only_measured_models_carry_a_figure(models: dict[str, ModelInfo]) -> None:
    """Every bundled figure is one of the recomputed ones: none was added without its data."""
    assert {m for m, info in models.items() if info.reasoning is not None} == set(MEASURED)


def test_minimax_m1_rows_are_inconsistent_so_unused(models: dict[str, ModelInfo]) -> None:
    """The reason minimax-m1 has no figure: in every one of its runs the reported reasoning
    count exceeds the billed completion, which cannot be."""
    rows = runs()["minimax-m1"]
    assert len(rows) == 92
    assert all(Decimal(r["tokens_reasoning"]) > Decimal(r["tokens_completion"]) for r in rows)
    assert models["minimax-m1"].reasoning is None
    assert models["minimax-m1"].thinking is True


@pytest.mark.parametrize(
    "model_id,flag",
    [
        ("o3", True),  # OpenAI: models before gpt-5.1 default to medium reasoning effort
        ("gpt-5", True),
        ("gpt-5.1", False),  # gpt-5.1 defaults to reasoning effort none
        ("gpt-4.1", False),  # "Smartest non-reasoning model"
        ("claude-sonnet-4.5", False),  # extended thinking is opt-in
        ("claude-3.7-sonnet", False),
        ("gemini-2.5-pro", True),  # dynamic thinking by default, cannot be disabled
        ("gemini-2.5-flash-lite", False),  # "Model does not think" by default
        ("qwen3-32b", True),  # enable_thinking defaults to True in the open weights
        ("qwen-plus", False),  # Model Studio commercial models default to off
        ("deepseek-r1", True),
        ("deepseek-v3", False),
        ("deepseek-v3.1", None),  # hybrid: the mode follows the API name, not the model
        ("gpt-5.2", None),  # no OpenAI copy read
    ],
)
def test_thinking_flags(models: dict[str, ModelInfo], model_id: str, flag: bool | None) -> None:
    assert models[model_id].thinking is flag


def test_every_set_flag_names_its_source(models: dict[str, ModelInfo]) -> None:
    for model_id, info in models.items():
        if info.thinking is not None:
            assert info.note is not None and "Thinking:" in info.note, model_id


def test_deepseek_r1_default_cost_bills_its_hidden_tokens() -> None:
    """compare's default request (2,000 in / 500 out) at DeepSeek's USD list of 2025-04-13
    ($0.55 per M input, $2.19 per M output; reasoning billed as output):
    2,000 x 0.55 / 1e6 = 0.0011; (500 + 2,107) x 2.19 / 1e6 = 2,607 x 2.19e-6 = 0.00570933;
    total $0.00680933 (without the hidden tokens it would be 0.0011 + 0.001095 = $0.002195)."""
    result = CliRunner().invoke(app, ["compare", "--as-of", "2025-04-13", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["workload"]["reasoning_tokens_added"]["deepseek-r1"] == "2107"
    row = next(
        r for r in data["models"] if r["model"] == "deepseek-r1" and r["provider"] == "deepseek"
    )
    assert row["reasoning_tokens"] == "2107"
    assert Decimal(row["cost_per_request"]) == Decimal("0.00680933")


def test_reasoning_tokens_option_still_overrides() -> None:
    """--reasoning-tokens 4000 for deepseek-r1 replaces the sheet's 2,107:
    0.0011 + (500 + 4,000) x 2.19e-6 = 0.0011 + 0.009855 = $0.010955."""
    result = CliRunner().invoke(
        app,
        [
            "compare",
            "--as-of",
            "2025-04-13",
            "--format",
            "json",
            "--reasoning-model",
            "deepseek-r1",
            "--reasoning-tokens",
            "4000",
        ],
    )
    assert result.exit_code == 0, result.stderr
    row = next(
        r
        for r in json.loads(result.stdout)["models"]
        if r["model"] == "deepseek-r1" and r["provider"] == "deepseek"
    )
    assert Decimal(row["cost_per_request"]) == Decimal("0.010955")
