"""Errors instead of empty answers (issue #13.14), the same exit code in every format.

The bundled sheets have no EUR exchange rate, and DeepSeek-R1's prices end on
2025-09-05, so on 2026-01-01 it cannot be priced while o3 can.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from costcalc.cli import app

FORMATS = ["table", "json", "csv", "markdown"]
DAY = ["--as-of", "2026-01-01"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


EXIT_2 = {
    "compare in a currency with no rate": (
        ["compare", "--currency", "EUR", *DAY],
        "error: no offer can be ranked: ",
        "no USD/EUR exchange rate dated on or before 2026-01-01",
    ),
    "budget in a currency with no rate": (
        ["budget", "--preset", "small", "--currency", "EUR", *DAY],
        "error: no offer can be priced in EUR for workload small: ",
        "no USD/EUR exchange rate dated on or before 2026-01-01",
    ),
    "cost in a currency with no rate": (
        ["cost", "o3", "--input-tokens", "1", "--output-tokens", "1", "--currency", "EUR", *DAY],
        "error: no USD/EUR exchange rate dated on or before 2026-01-01",
        "ask for --currency USD",
    ),
    "compare of one unpriced model": (
        ["compare", "deepseek-r1", *DAY],
        "error: deepseek-r1 is not in the ranking: deepseek-r1 @ deepseek: no price in force",
        "error: none of the models asked for can be ranked",
    ),
    "compare of an unscored model": (
        ["compare", "qwen-max", "--as-of", "2025-06-01"],
        "error: qwen-max is not in the ranking: not scored: no score on the profile's benchmarks",
        "none of the models asked for can be ranked",
    ),
    "compare with filters that leave nothing": (
        ["compare", "--open-weights", "--license", "proprietary", *DAY],
        "error: no offer can be ranked: ",
        "",
    ),
    "budget tier mistyped": (
        ["budget", "--preset", "small", "--tier", "tier1", *DAY],
        "error: --tier: unknown rate-limit tier 'tier1'; did you mean 'tier-1'",
        "tier-2",
    ),
    "compare license mistyped": (
        ["compare", "--license", "mitt", *DAY],
        "error: --license: unknown license 'mitt'; did you mean 'mit'?",
        "apache-2.0",
    ),
    "models license mistyped": (
        ["models", "--license", "apache2"],
        "error: --license: unknown license 'apache2'; did you mean 'apache-2.0'?",
        "",
    ),
    "currency mistyped": (
        ["compare", "--currency", "eurr", *DAY],
        "error: --currency: unknown currency 'eurr'; did you mean 'EUR'?",
        "",
    ),
    "profile mistyped": (
        ["compare", "--profile", "balancd", *DAY],
        "did you mean 'balanced'?",
        "",
    ),
    "budget profile mistyped": (
        ["budget", "--preset", "small", "--profile", "codng", *DAY],
        "did you mean 'coding'?",
        "",
    ),
    "preset mistyped": (["budget", "--preset", "smal", *DAY], "did you mean 'small'?", ""),
    "provider mistyped": (["compare", "--provider", "openaii", *DAY], "did you mean 'openai'?", ""),
    "budget provider mistyped": (
        ["budget", "--preset", "small", "--provider", "deepsek", *DAY],
        "did you mean 'deepseek'?",
        "",
    ),
    "model mistyped": (["compare", "o33", *DAY], "unknown model 'o33'; did you mean 'o3'", ""),
    "budget model mistyped": (
        ["budget", "--preset", "small", "--model", "gpt-4.1-mni", *DAY],
        "did you mean 'gpt-4.1-mini'",
        "",
    ),
    "cost provider mistyped": (
        ["cost", "o3", "--input-tokens", "1", "--output-tokens", "1", "--provider", "openia"],
        "did you mean 'openai'?",
        "",
    ),
}


@pytest.mark.parametrize("case", sorted(EXIT_2))
@pytest.mark.parametrize("fmt", FORMATS)
def test_exit_2_naming_why(case: str, fmt: str) -> None:
    """No empty table and no exit 0: exit 2, nothing on stdout, the reason on stderr."""
    args, first, second = EXIT_2[case]
    code, out, err = invoke(*args, "--format", fmt)
    assert code == 2, (out, err)
    assert out == ""
    assert first in err and second in err, err


@pytest.mark.parametrize("fmt", FORMATS)
def test_compare_warns_about_an_unpriced_model(fmt: str) -> None:
    """compare o3 deepseek-r1: o3 is ranked; deepseek-r1 is named on stderr with the reason."""
    code, out, err = invoke("compare", "o3", "deepseek-r1", *DAY, "--format", fmt)
    assert code == 0, err
    assert (
        "warning: deepseek-r1 is not in the ranking: deepseek-r1 @ deepseek: no price in force"
        " on 2026-01-01" in err
    )
    assert "o3" in out


def test_tier_is_matched_case_insensitively() -> None:
    """A tier that exists, in other case, is accepted (exit 0)."""
    code, _, err = invoke("budget", "--preset", "small", "--tier", "TIER-1", *DAY)
    assert code == 0, err


@pytest.mark.parametrize("fmt", FORMATS)
def test_cost_warns_about_an_offer_it_could_not_price(fmt: str) -> None:
    """cost of a model with two offers, one not yet priced on the day: exit 0 and a warning."""
    code, _, err = invoke(
        "cost", "deepseek-r1-0528", "--input-tokens", "1", "--output-tokens", "1",
        "--currency", "CNY", "--as-of", "2025-06-01", "--format", fmt,
    )  # fmt: skip
    assert code == 0, err
    assert (
        "warning: not priced: pricing/providers/fireworks.yaml:" in err
        and "deepseek-r1-0528 @ fireworks: no price in force on 2025-06-01" in err
    )
