"""One JSON contract across commands: schema_version, exact money strings, numbers for
quality and other estimates, integers for counts; CSV cells are exact values, not display text."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.render.contract import SCHEMA_VERSION

DOCUMENTS = {
    "compare": ["compare", "--as-of", "2025-06-01"],
    "budget": ["budget", "--monthly", "--preset", "medium", "--as-of", "2025-06-01"],
    "cost": ["cost", "o3", "--input-tokens", "1000", "--output-tokens", "1000"],
    "models": ["models"],
    "prices diff": [
        "prices",
        "diff",
        "tests/fixtures/importers/diff/old",
        "tests/fixtures/importers/diff/new",
    ],
}


def document(runner: CliRunner, args: list[str]) -> Any:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_document_starts_with_the_schema_version(runner: CliRunner, name: str) -> None:
    data = document(runner, DOCUMENTS[name])
    assert next(iter(data)) == "schema_version"
    assert data["schema_version"] == SCHEMA_VERSION


def test_budget_speaks_the_contract(runner: CliRunner) -> None:
    data = document(runner, DOCUMENTS["budget"])
    workload = data["workloads"][0]
    # The medium preset: 150k requests in month 1, +10% a month (pricing/workloads.yaml).
    assert workload["workload"]["requests_month_1"] == 150000
    assert isinstance(workload["bar"], float)
    for offer in workload["offers"]:
        assert offer["quality"] is None or isinstance(offer["quality"], float)
        Decimal(offer["monthly_cost"])  # an exact decimal string
        assert isinstance(offer["monthly_cost"], str)
        months = offer["projection"]
        # 150,000 x 1.1 = 165,000; x 1.1^2 = 181,500; counts are integers.
        assert [m["requests"] for m in months[:3]] == [150000, 165000, 181500]
        for m in months:
            assert isinstance(m["requests"], int)
            # money stays exact and short: whole requests x an exact per-request price
            assert len(m["cost"].partition(".")[2]) <= 12
        for limit in offer.get("rate_limit", {}).get("limits", []):
            assert isinstance(limit["demand"], float)


def test_models_csv_holds_exact_values(runner: CliRunner) -> None:
    result = runner.invoke(app, ["models", "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    for row in rows:
        assert row["open_weights"] in {"true", "false", ""}
        if row["context_window"]:
            int(row["context_window"])  # 128000, not "128,000"
        if row["parameters_total_b"]:
            Decimal(row["parameters_total_b"])  # 70, not "70B"
