"""End-to-end checks of the bundled sheets against facts stated in the issue and the sources."""

from __future__ import annotations

import json
from decimal import Decimal

from typer.testing import CliRunner

from costcalc.cli import app
from helpers import million_each


def cost_json(*args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["cost", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return data


def test_bundled_sheets_validate() -> None:
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("ok: ")


def test_deepseek_r1_april_2025_in_cny() -> None:
    """The field's example: ¥4 per M uncached input + ¥16 per M output = ¥20 on 2025-04-13;
    cached input was ¥1 per M: 1M cached + 1M output = ¥1 + ¥16 = ¥17."""
    data = cost_json(
        "deepseek-r1",
        *million_each("CNY", "2025-04-13"),
    )
    assert (data["provider"], data["total"]) == ("deepseek", "20")
    assert [(b["component"], b["amount"]) for b in data["breakdown"]] == [
        ("input", "4"),
        ("output", "16"),
    ]
    assert data["price_published_in_currency"] is True
    cached = cost_json(
        "deepseek-r1",
        "--input-tokens",
        "1000000",
        "--cached-tokens",
        "1000000",
        "--output-tokens",
        "1000000",
        "--currency",
        "CNY",
        "--as-of",
        "2025-04-13",
    )
    assert cached["total"] == "17"


def test_deepseek_r1_april_2025_in_usd_uses_published_list() -> None:
    """DeepSeek's own USD list: $0.55 + $2.19 = $2.74, not ¥20 converted."""
    data = cost_json(
        "deepseek-r1",
        *million_each("USD", "2025-04-13"),
    )
    assert data["total"] == "2.74"
    assert data["price_published_in_currency"] is True
    assert data["conversion"] is None


def test_o3_price_cut_on_2025_06_10() -> None:
    """o3 fell from $10/$40 to $2/$8 per M on 2025-06-10: 1M in + 1M out = $50 before, $10 after."""
    before = cost_json(
        "o3",
        *million_each("USD", "2025-06-01"),
    )
    after = cost_json(
        "o3",
        *million_each("USD", "2025-06-10"),
    )
    assert (before["total"], after["total"]) == ("50", "10")


def test_conversion_names_its_rate() -> None:
    """GPT-4o has only a USD list ($2.50/M in, $10/M out). In CNY on 2025-08-01 the latest rate on
    or before that day is the bundled 2025-04-30 CFETS parity 7.2014:
    (2.5 + 10) x 7.2014 = 12.5 x 7.2014 = ¥90.0175."""
    data = cost_json(
        "gpt-4o",
        *million_each("CNY", "2025-08-01"),
    )
    assert data["price_published_in_currency"] is False
    assert data["conversion"]["rate"] == "7.2014"
    assert Decimal(data["total"]) == Decimal("90.0175")
