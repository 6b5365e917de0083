"""Coverage of the default profile for the models the 2026-11 review found thinly scored, and the
Kimi offers that replace the retired K2 series, checked against their sources by hand.

Default profile weights (pricing/profiles.yaml, balanced): GPQA Diamond 2, AIME 2025 2, SWE-bench
Verified 2, MMLU-Pro 1.5, AIME 2024 1, HLE 0.5, Aider Polyglot 0.5, IFEval 0.25, LiveCodeBench
2408-2505 0.25; total 10.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from costcalc.cli import app

ONE_M = ["--input-tokens", "1000000", "--output-tokens", "1000000"]


def cost_total(*args: str) -> Decimal:
    result = CliRunner().invoke(app, ["cost", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return Decimal(json.loads(result.stdout)["total"])


@pytest.fixture(scope="module")
def today() -> dict[str, Any]:
    """`costcalc compare --format json` at 2026-11-30 (the bundled data's review day)."""
    result = CliRunner().invoke(app, ["compare", "--as-of", "2026-11-30", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def observed_weight(data: dict[str, Any], model: str) -> Decimal:
    """The profile weight carried by a model's published (observed) scores, from its first row."""
    row = next(r for r in data["models"] if r["model"] == model)
    return sum(
        (Decimal(b["weight"]) for b in row["benchmarks"] if b["status"] == "observed"),
        Decimal(0),
    )


def test_kimi_k25_price_from_genai_prices_history() -> None:
    """kimi-k2.5 at Moonshot: $0.60 in / $0.10 cache hit / $3.00 out (genai-prices 8ab5336c,
    checked 2026-03-11). 1M in + 1M out = $0.60 + $3.00 = $3.60; with 400k of the input read from
    cache: 0.6 * 0.60 + 0.4 * 0.10 + 3.00 = 0.36 + 0.04 + 3.00 = $3.40."""
    assert cost_total("kimi-k2.5", *ONE_M, "--as-of", "2026-11-30") == Decimal("3.6")
    cached = cost_total("kimi-k2.5", *ONE_M, "--cached-tokens", "400000", "--as-of", "2026-11-30")
    assert cached == Decimal("3.4")


def test_kimi_k26_price_and_its_start() -> None:
    """kimi-k2.6: $0.95 + $4.00 = $4.95 per 1M in + 1M out from 2026-05-22 (genai-prices'
    check day); the day before there is no price on record (exit 2)."""
    assert cost_total("kimi-k2.6", *ONE_M, "--as-of", "2026-05-22") == Decimal("4.95")
    before = CliRunner().invoke(app, ["cost", "kimi-k2.6", *ONE_M, "--as-of", "2026-05-21"])
    assert before.exit_code == 2


def test_a_kimi_offer_is_ranked_today(today: dict[str, Any]) -> None:
    """After the K2 series' retirement (2026-05-25) kimi-k2.5 is ranked on its own card's scores:
    GPQA 2 + AIME 2025 2 + SWE-bench Verified 2 + MMLU-Pro 1.5 + HLE 0.5 = 8 of 10."""
    assert any(r["model"] == "kimi-k2.5" and r["provider"] == "moonshot" for r in today["models"])
    assert observed_weight(today, "kimi-k2.5") == Decimal("8")


@pytest.mark.parametrize(
    ("model", "weight"),
    [
        # GPQA 2 + AIME 2025 2 + AIME 2024 1 + MMLU-Pro 1.5 + HLE 0.5 + IFEval 0.25 = 7.25
        ("qwen3-235b-a22b", "7.25"),
        # GPQA 2 + AIME 2025 2 + AIME 2024 1 + IFEval 0.25 = 5.25 (no MMLU-Pro or SWE found)
        ("qwen3-32b", "5.25"),
        # GPQA 2 + MMLU-Pro 1.5 (Meta) + AIME 2024 1 + AIME 2025 2 + IFEval 0.25 (Qwen's runs)
        ("llama-4-maverick", "6.75"),
        ("llama-4-scout", "6.75"),
        # GPQA 2 + HLE 0.5 + AIME 2024 1 + AIME 2025 2 = 5.5 (no SWE-bench figure found)
        ("gpt-oss-120b", "5.5"),
        # GPQA 2 + HLE 0.5 + AIME 2025 2 + SWE-bench Verified 2 = 6.5
        ("gpt-oss-20b", "6.5"),
        # V3-0324's card: GPQA 2 + MMLU-Pro 1.5 + AIME 2024 1; DeepSeek's V3.1 table: AIME 2025 2
        # + SWE-bench Verified 2 + Aider 0.5 + LiveCodeBench 2408-2505 0.25 = 9.25
        ("deepseek-v3-0324", "9.25"),
        # OpenAI: GPQA 2 + AIME 2024 1 + SWE-bench Verified 2; Qwen's runs: AIME 2025 2 + IFEval
        # 0.25 = 7.25
        ("o1", "7.25"),
    ],
)
def test_observed_weight_of_thinly_scored_models(
    today: dict[str, Any], model: str, weight: str
) -> None:
    """Each model's published scores carry the profile weight worked out in the comment."""
    assert observed_weight(today, model) == Decimal(weight)
