"""The Chinese vendors' bundled sheets and the FX table, checked against their sources by hand.

Every expected figure is worked out in the docstring from the sheet's published prices.
"""

from __future__ import annotations

import json
from decimal import Decimal

from typer.testing import CliRunner

from costcalc.cli import app

ONE_M = ["--input-tokens", "1000000", "--output-tokens", "1000000"]


def cost_json(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["cost", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return data


def total(*args: str) -> Decimal:
    return Decimal(cost_json(*args)["total"])


def test_deepseek_r1_today_says_the_api_moved() -> None:
    """deepseek-reasoner left R1 on 2025-05-28 and was retired 2026-07-24: no R1 price today, and
    the error says where the API went (exit 2, as for any query with no price in force)."""
    result = CliRunner().invoke(app, ["cost", "deepseek-r1", *ONE_M, "--as-of", "2026-11-30"])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "no price in force on 2026-11-30" in message
    assert "the API name deepseek-reasoner no longer serves deepseek-r1 at deepseek" in message
    assert "deepseek-v4.1-flash" in message


def test_deepseek_endpoint_moves_follow_the_change_log() -> None:
    """deepseek-reasoner: R1 until 2025-05-28, R1-0528 until 2025-08-21, then V3.1 (news250821).
    On 2025-05-27 R1 prices ($0.55 + $2.19 = $2.74); on 2025-05-28 it has none, R1-0528 does."""
    assert total("deepseek-r1", *ONE_M, "--currency", "USD", "--as-of", "2025-05-27") == Decimal(
        "2.74"
    )
    moved = CliRunner().invoke(app, ["cost", "deepseek-r1", *ONE_M, "--as-of", "2025-05-28"])
    assert moved.exit_code == 2
    assert total(
        "deepseek-r1-0528", *ONE_M, "--currency", "USD", "--as-of", "2025-08-20"
    ) == Decimal("2.74")
    gone = CliRunner().invoke(
        app, ["cost", "deepseek-r1-0528", "--provider", "deepseek", *ONE_M, "--as-of", "2025-08-21"]
    )
    assert gone.exit_code == 2


def test_deepseek_v31_keeps_the_old_list_until_2025_09_05() -> None:
    """V3.1 on deepseek-reasoner from 2025-08-21 at the old list: $0.55 + $2.19 = $2.74 (CNY ¥4 + ¥16
    = ¥20); from 2025-09-05 16:00 UTC $0.56 + $1.68 = $2.24, dated 2025-09-06 (a day is queried at
    00:00 UTC, when the old list still held)."""
    assert total("deepseek-v3.1", *ONE_M, "--currency", "USD", "--as-of", "2025-08-21") == Decimal(
        "2.74"
    )
    assert total("deepseek-v3.1", *ONE_M, "--currency", "CNY", "--as-of", "2025-09-01") == Decimal(
        "20"
    )
    assert total("deepseek-v3.1", *ONE_M, "--currency", "USD", "--as-of", "2025-09-05") == Decimal(
        "2.74"
    )
    assert total("deepseek-v3.1", *ONE_M, "--currency", "USD", "--as-of", "2025-09-06") == Decimal(
        "2.24"
    )


def test_deepseek_cut_of_2025_09_29() -> None:
    """V3.2-Exp from 2025-09-29: $0.28 miss + $0.42 out = $0.70; ¥2 + ¥3 = ¥5; 1M cached input
    + 1M output = $0.028 + $0.42 = $0.448. V3.2 keeps the price from 2025-12-01."""
    assert total(
        "deepseek-v3.2-exp", *ONE_M, "--currency", "USD", "--as-of", "2025-09-29"
    ) == Decimal("0.70")
    assert total(
        "deepseek-v3.2-exp", *ONE_M, "--currency", "CNY", "--as-of", "2025-10-01"
    ) == Decimal("5")
    cached = total(
        "deepseek-v3.2-exp",
        *ONE_M,
        "--cached-tokens",
        "1000000",
        "--currency",
        "USD",
        "--as-of",
        "2025-10-01",
    )
    assert cached == Decimal("0.448")
    assert total("deepseek-v3.2", *ONE_M, "--currency", "USD", "--as-of", "2026-01-10") == Decimal(
        "0.70"
    )


def test_deepseek_flash_today_peak_and_off_peak() -> None:
    """deepseek-flash (V4.1-Flash) on 2026-11-30: peak ¥2 in + ¥8 out = ¥10; all off-peak
    ¥1 + ¥4 = ¥5; in USD peak $0.30 + $1.20 = $1.50."""
    assert total(
        "deepseek-v4.1-flash", *ONE_M, "--currency", "CNY", "--as-of", "2026-11-30"
    ) == Decimal("10")
    off = total(
        "deepseek-v4.1-flash",
        *ONE_M,
        "--off-peak-share",
        "1",
        "--currency",
        "CNY",
        "--as-of",
        "2026-11-30",
    )
    assert off == Decimal("5")
    assert total(
        "deepseek-v4.1-flash", *ONE_M, "--currency", "USD", "--as-of", "2026-11-30"
    ) == Decimal("1.50")


def test_alibaba_implicit_cache_bills_20_percent() -> None:
    """qwen-plus: 1M prompt tokens all cache hits at 20% of $0.40 = $0.08, plus 1M output at $1.20
    = $1.28 (was $1.60 with no cache price)."""
    data = cost_json(
        "qwen-plus",
        *ONE_M,
        "--cached-tokens",
        "1000000",
        "--currency",
        "USD",
        "--as-of",
        "2026-11-30",
    )
    assert Decimal(data["total"]) == Decimal("1.28")


def test_qwen3_max_prompt_length_tier() -> None:
    """100,000 prompt tokens are above the 32,000 threshold: $2.40/M in, $12/M out.
    0.1M x 2.40 = $0.24; 0.01M x 12 = $0.12; total $0.36. At 10,000 prompt tokens the base tier:
    0.01 x 1.20 + 0.01 x 6 = $0.072."""
    big = total(
        "qwen3-max",
        "--provider",
        "alibaba-model-studio",
        "--input-tokens",
        "100000",
        "--output-tokens",
        "10000",
        "--as-of",
        "2026-11-30",
    )
    assert big == Decimal("0.36")
    small = total(
        "qwen3-max",
        "--provider",
        "alibaba-model-studio",
        "--input-tokens",
        "10000",
        "--output-tokens",
        "10000",
        "--as-of",
        "2026-11-30",
    )
    assert small == Decimal("0.072")


def test_ernie_x1_has_no_price_before_its_launch() -> None:
    """ERNIE X1 launched 2025-03-16: no price on 2025-03-15; $0.28 + $1.10 = $1.38 from launch."""
    before = CliRunner().invoke(app, ["cost", "ernie-x1", *ONE_M, "--as-of", "2025-03-15"])
    assert before.exit_code == 2
    assert total("ernie-x1", *ONE_M, "--currency", "USD", "--as-of", "2025-03-16") == Decimal(
        "1.38"
    )


def test_fx_uses_official_parities_not_vendor_factors() -> None:
    """qwen-max has a USD list only ($1.60 in, $6.40 out). In CNY on 2026-11-30 the latest
    official fix is 6.9858 (2026-01-27), not genai-prices' 7.25: 8.00 x 6.9858 = ¥55.8864.
    DeepSeek-V3.1-Terminus has no CNY list bundled ($0.56 + $1.68 = $2.24); on 2025-09-24 the fix in
    force is 7.1057 (2025-09-23): 2.24 x 7.1057 = ¥15.916768."""
    today = cost_json(
        "qwen-max",
        "--provider",
        "alibaba-model-studio",
        *ONE_M,
        "--currency",
        "CNY",
        "--as-of",
        "2026-11-30",
    )
    assert today["conversion"]["rate"] == "6.9858"
    assert Decimal(today["total"]) == Decimal("55.8864")
    sept = cost_json("deepseek-v3.1-terminus", *ONE_M, "--currency", "CNY", "--as-of", "2025-09-24")
    assert sept["conversion"]["rate"] == "7.1057"
    assert Decimal(sept["total"]) == Decimal("15.916768")


def test_compare_on_the_seed_date_ranks_deepseek_r1_at_its_cny_list() -> None:
    """2,000 input + 500 output tokens at ¥4 / ¥16 per M, plus DeepSeek-R1's 2,107 hidden reasoning
    tokens billed as output by default (pricing/models.yaml): ¥0.008 + (500 + 2,107) x ¥16 / 1M =
    ¥0.008 + ¥0.041712 = ¥0.049712 a request (¥0.016 without the hidden tokens)."""
    result = CliRunner().invoke(
        app, ["compare", "--as-of", "2025-04-13", "--currency", "CNY", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    rows = {m["label"]: m for m in json.loads(result.stdout)["models"]}
    r1 = rows["deepseek-r1 @ deepseek"]
    assert (r1["cost_per_request"], r1["price_currency"], r1["conversion"]) == (
        "0.049712",
        "CNY",
        None,
    )


def test_moonshot_zai_minimax_periods_start_at_their_first_dated_record() -> None:
    """Kimi K2 0711 from 2025-07-22 (Roo-Code's first record): $0.60 + $2.50 = $3.10; nothing the
    day before. K2 series retired 2026-05-25. GLM-4.6 from its release 2025-09-30: $0.60 + $2.20
    = $2.80. MiniMax-M2 on 2025-11-10 with 1M cached prompt tokens: $0.03 + $1.20 = $1.23."""
    assert total("kimi-k2-0711", *ONE_M, "--as-of", "2025-07-22") == Decimal("3.10")
    for day in ("2025-07-21", "2026-05-25"):
        result = CliRunner().invoke(app, ["cost", "kimi-k2-0711", *ONE_M, "--as-of", day])
        assert result.exit_code == 2, day
    assert total("glm-4.6", *ONE_M, "--as-of", "2025-09-30") == Decimal("2.80")
    cached = total("minimax-m2", *ONE_M, "--cached-tokens", "1000000", "--as-of", "2025-11-10")
    assert cached == Decimal("1.23")


def test_alibaba_china_list_is_a_cny_offer_with_tiers_and_batch() -> None:
    """qwen3-max on the China (Bailian) list, 100,000 prompt tokens (second tier): 0.1M x ¥4 +
    0.01M x ¥16 = ¥0.56; all batch: 0.1 x 2 + 0.01 x 8 = ¥0.28. qwen-max: ¥2.4 + ¥9.6 = ¥12,
    published in CNY (no conversion)."""
    args = ["--provider", "alibaba-bailian", "--input-tokens", "100000", "--output-tokens", "10000"]
    assert total("qwen3-max", *args, "--as-of", "2026-11-30") == Decimal("0.56")
    batch = total("qwen3-max", *args, "--batch-share", "1", "--as-of", "2026-11-30")
    assert batch == Decimal("0.28")
    data = cost_json("qwen-max", "--provider", "alibaba-bailian", *ONE_M, "--as-of", "2026-11-30")
    assert (data["total"], data["price_published_in_currency"]) == ("12", True)
