"""Test helpers importable from any test module (`from helpers import ...`)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
MINI_REL = "tests/fixtures/mini"
"""The mini catalog as a path relative to the repository root (tests run there), so
golden outputs do not contain the checkout's absolute path."""
MINI = FIXTURES / "mini"
GOLDEN = Path(__file__).parent / "golden"
COMPARE_ARGS = [
    "compare",
    "--no-bundled",
    "--pricing",
    "tests/fixtures/compare",
    "--input-tokens",
    "1000000",
    "--output-tokens",
    "0",
    "--as-of",
    "2025-06-01",
]
"""`costcalc compare` on the compare fixture catalog (figures in tests/test_compare.py):
1M prompt tokens, no answer, on 2025-06-01."""


def million_each(currency: str, as_of: str) -> list[str]:
    """`cost`'s arguments for 1M prompt and 1M answer tokens, in a currency, on a day."""
    return [
        *("--input-tokens", "1000000", "--output-tokens", "1000000"),
        *("--currency", currency, "--as-of", as_of),
    ]


def assert_golden(relative: str, text: str) -> None:
    """Compare output with tests/golden/<relative>; UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / relative
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def tiered_beta(folder: Path, threshold: int) -> Path:
    """A --pricing layer in `folder`/tiers giving beta @ lab (tests/fixtures/replay) $/M 0.5
    in and 1 out, and 2.5 in and 15 out above `threshold` prompt tokens."""
    layer = folder / "tiers"
    layer.mkdir()
    (layer / "lab.yaml").write_text(
        "kind: price-sheet\n"
        "provider: {id: lab, name: Lab, country: US, currency: USD,"
        " pricing_url: 'https://example.com/lab'}\n"
        "offers:\n"
        "  - model: beta\n"
        "    prices:\n"
        "      - as_of: 2025-01-01\n"
        "        source: test\n"
        "        input: 0.5\n"
        "        output: 1\n"
        "        tiers:\n"
        f"          - {{above_input_tokens: {threshold}, input: 2.5, output: 15}}\n",
        encoding="utf-8",
    )
    return layer
