"""The Western vendors' and third-party hosts' bundled prices, checked end to end against figures
worked out by hand from the sources named in the sheets (issue #10: coverage and dates)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from costcalc.cli import app


def cost(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["cost", *args, "--currency", "USD", "--format", "json"])
    data: dict = json.loads(result.stdout) if result.exit_code == 0 else {}  # type: ignore[type-arg]
    return result.exit_code, data


def total(*args: str) -> Decimal:
    code, data = cost(*args)
    assert code == 0, args
    return Decimal(data["total"])


M = ("--input-tokens", "1000000", "--output-tokens", "1000000")


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # 1M in + 1M out on the seed article's day, at the prices then in force:
        ("gpt-4o", "12.5"),  # 2.50 + 10.00 (gpt-4o-2024-08-06 list, recorded 2024-10-16)
        ("o1", "75"),  # 15 + 60
        ("o3-mini", "5.5"),  # 1.10 + 4.40 (recorded on launch day 2025-01-31)
        ("claude-3.7-sonnet", "18"),  # 3 + 15
        ("gemini-2.0-flash", "0.5"),  # 0.10 + 0.40
        # Gemini 2.5 Pro: 1M prompt tokens are above the 200k tier: 2.50 + 15.00.
        ("gemini-2.5-pro", "17.5"),
    ],
)
def test_seed_models_priced_on_2025_04_13(model: str, expected: str) -> None:
    assert total(model, *M, "--as-of", "2025-04-13") == Decimal(expected)


def test_gemini_2_5_flash_did_not_exist_on_the_seed_date() -> None:
    """The 04-17 preview is dated from its release, not 2025-04-01: no price on 2025-04-13."""
    code, _ = cost("gemini-2.5-flash", *M, "--as-of", "2025-04-13")
    assert code == 2
    # Preview on 2025-04-17: 0.15 + 0.60 = $0.75; GA from 2025-06-17: 0.30 + 2.50 = $2.80.
    assert total("gemini-2.5-flash", *M, "--as-of", "2025-04-17") == Decimal("0.75")
    assert total("gemini-2.5-flash", *M, "--as-of", "2025-06-17") == Decimal("2.8")


def test_o3_launch_period_cached_price() -> None:
    """o3 from 2025-04-16 to 2025-06-10: $10 in / $2.50 cached / $40 out. 1M prompt tokens of which
    500k cached, 100k out: 500k x 10 + 500k x 2.50 + 100k x 40 = 5 + 1.25 + 4 = $10.25."""
    args = ("--input-tokens", "1000000", "--cached-tokens", "500000", "--output-tokens", "100000")
    assert total("o3", *args, "--as-of", "2025-05-01") == Decimal("10.25")
    # After the cut: 500k x 2 + 500k x 0.50 + 100k x 8 = 1 + 0.25 + 0.80 = $2.05.
    assert total("o3", *args, "--as-of", "2025-06-10") == Decimal("2.05")


@pytest.mark.parametrize(
    ("model", "last_day", "first_gone"),
    [
        ("claude-3.7-sonnet", "2026-02-18", "2026-02-19"),
        ("claude-3.5-haiku", "2026-02-18", "2026-02-19"),
        ("gemini-2.0-flash", "2026-05-31", "2026-06-01"),
        ("claude-sonnet-4", "2026-06-14", "2026-06-15"),
        ("claude-opus-4.1", "2026-08-04", "2026-08-05"),
        ("gemini-3-pro", "2026-03-08", "2026-03-09"),
    ],
)
def test_retired_models_have_no_price_after_retirement(
    model: str, last_day: str, first_gone: str
) -> None:
    assert cost(model, *M, "--as-of", last_day)[0] == 0
    assert cost(model, *M, "--as-of", first_gone)[0] == 2


def test_gpt_5_family_prices() -> None:
    """Launched 2025-08-07. 1M in (200k cached) + 1M out:
    gpt-5: 800k x 1.25 + 200k x 0.125 + 1M x 10 = 1.00 + 0.025 + 10 = $11.025;
    gpt-5-mini: 800k x 0.25 + 200k x 0.025 + 1M x 2 = 0.20 + 0.005 + 2 = $2.205;
    gpt-5-nano: 800k x 0.05 + 200k x 0.005 + 1M x 0.40 = 0.04 + 0.001 + 0.40 = $0.441."""
    args = ("--input-tokens", "1000000", "--cached-tokens", "200000", "--output-tokens", "1000000")
    assert total("gpt-5", *args, "--as-of", "2025-08-07") == Decimal("11.025")
    assert total("gpt-5-mini", *args, "--as-of", "2025-08-07") == Decimal("2.205")
    assert total("gpt-5-nano", *args, "--as-of", "2025-08-07") == Decimal("0.441")
    assert cost("gpt-5", *args, "--as-of", "2025-08-06")[0] == 2


def test_claude_sonnet_4_5_long_context_tier() -> None:
    """Sonnet 4.5: $3 / $15, and above 200k prompt tokens $6 / $22.50 for the whole request.
    200k in + 10k out: 0.6 + 0.15 = $0.75; 300k in + 10k out: 1.8 + 0.225 = $2.025."""
    assert total(
        "claude-sonnet-4.5", "--input-tokens", "200000", "--output-tokens", "10000"
    ) == Decimal("0.75")
    assert total(
        "claude-sonnet-4.5", "--input-tokens", "300000", "--output-tokens", "10000"
    ) == Decimal("2.025")


def test_sonnet_4_long_context_tier_starts_2025_08_12() -> None:
    """300k in + 10k out on Sonnet 4: $3/$15 before the 1M-context beta (0.9 + 0.15 = $1.05),
    $6/$22.50 after it (1.8 + 0.225 = $2.025)."""
    args = ("--input-tokens", "300000", "--output-tokens", "10000")
    assert total("claude-sonnet-4", *args, "--as-of", "2025-08-11") == Decimal("1.05")
    assert total("claude-sonnet-4", *args, "--as-of", "2025-08-12") == Decimal("2.025")


def test_fireworks_bills_cache_hits_at_half_the_input_price() -> None:
    """Fireworks DeepSeek-R1-0528: $3 in, $1.50 cached (50%), $8 out. 1M prompt tokens of which
    400k cached, no output: 600k x 3 + 400k x 1.50 = 1.80 + 0.60 = $2.40."""
    code, data = cost(
        "deepseek-r1-0528",
        "--provider",
        "fireworks",
        "--input-tokens",
        "1000000",
        "--cached-tokens",
        "400000",
        "--output-tokens",
        "0",
        "--as-of",
        "2025-08-01",
    )
    assert code == 0 and Decimal(data["total"]) == Decimal("2.4")


def test_gpt_oss_on_groq_before_and_after_the_price_change() -> None:
    """Groq gpt-oss-120b: 0.15 / 0.75 first recorded 2025-08-06; 0.15 / 0.60 from 2025-11-11.
    1M in + 1M out: $0.90, then $0.75."""

    def groq(day: str) -> Decimal:
        code, data = cost("gpt-oss-120b", "--provider", "groq", *M, "--as-of", day)
        assert code == 0
        return Decimal(data["total"])

    assert (groq("2025-08-06"), groq("2025-11-11")) == (Decimal("0.9"), Decimal("0.75"))


def test_third_party_hosts_dated_from_earliest_record() -> None:
    """Novita's R1-Distill-Qwen-32B at 0.30 / 0.30 has been on record since 2025-06-22 (it was
    dated 2026-08-21 before): 1M in + 1M out = $0.60 on 2025-07-01."""
    code, data = cost(
        "deepseek-r1-distill-qwen-32b", "--provider", "novita", *M, "--as-of", "2025-07-01"
    )
    assert code == 0 and Decimal(data["total"]) == Decimal("0.6")


def test_claude_4_6_long_context_surcharge_removed_on_2026_03_13() -> None:
    """Sonnet 4.6 with 300k prompt tokens and 10k out: before 2026-03-13 the whole request is
    billed at the >200k tier, 300k x 6 + 10k x 22.50 = 1.80 + 0.225 = $2.025; from 2026-03-13 at
    the flat list, 300k x 3 + 10k x 15 = 0.90 + 0.15 = $1.05."""
    args = ("--input-tokens", "300000", "--output-tokens", "10000")
    assert total("claude-sonnet-4.6", *args, "--as-of", "2026-03-12") == Decimal("2.025")
    assert total("claude-sonnet-4.6", *args, "--as-of", "2026-03-13") == Decimal("1.05")


def test_gpt_5_4_tier_above_272k_prompt_tokens() -> None:
    """gpt-5.4: $2.50 / $15, and above 272k prompt tokens $5 / $22.50 for the whole request.
    272k in + 10k out: 0.68 + 0.15 = $0.83; 300k in + 10k out: 1.50 + 0.225 = $1.725."""
    assert total("gpt-5.4", "--input-tokens", "272000", "--output-tokens", "10000") == Decimal(
        "0.83"
    )
    assert total("gpt-5.4", "--input-tokens", "300000", "--output-tokens", "10000") == Decimal(
        "1.725"
    )
