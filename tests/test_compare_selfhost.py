"""Self-hosted open-weight offers in the compare ranking, priced per request at a volume.

Fixtures: tests/fixtures/compare (see test_compare.py) with the self-host layer
tests/fixtures/compare_selfhost: option `one-gpu` runs model `selfhost` on 1 x
Test GPU at $2 an hour, 100 output tokens/s; `mid-cn` runs `mid` on 2 x Test GPU at
¥16 an hour (8 CNY per USD), 100 tokens/s per GPU at utilisation 0.5.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from costcalc.catalog import load_catalog
from costcalc.cli import app
from costcalc.compare import CompareOptions, compare
from costcalc.cost import Usage
from costcalc.errors import InputError
from costcalc.selfhosted import SelfHostedCost
from helpers import FIXTURES

D = Decimal
ARGS = [
    "compare",
    "--no-bundled",
    "--pricing",
    "tests/fixtures/compare",
    "--pricing",
    "tests/fixtures/compare_selfhost",
    "--input-tokens",
    "1000000",
    "--as-of",
    "2025-06-01",
]


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog(
        [FIXTURES / "compare", FIXTURES / "compare_selfhost"], include_bundled=False
    )


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*ARGS, *args])
    return result.exit_code, result.stdout, result.stderr


def as_json(*args: str) -> dict[str, Any]:
    code, out, err = invoke(*args, "--format", "json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def row(data: dict[str, Any], label: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in data["models"] if m["label"] == label)
    return found


def test_hand_worked_price_per_request(catalog) -> None:  # type: ignore[no-untyped-def]
    """100,000 requests a day = 3,000,000 a month of 500 output tokens: the busiest second
    makes 3,000,000 x 500 / 2,592,000 = 578.7 tokens/s; one replica serves 100, so 6
    replicas x 1 GPU x $2 x 720 h = $8,640 a month, / 3,000,000 = $0.00288 a request."""
    options = CompareOptions(
        usage=Usage(D(1_000_000), D(500)),
        when=dt.date(2025, 6, 1),
        currency="USD",
        volume=D(100_000),
    )
    ranking = compare(catalog, options)
    hosted = next(r for r in ranking.rows if r.label == "selfhost @ self-hosted (one-gpu)")
    assert hosted.self_hosted and hosted.provider == "self-hosted"
    cost = hosted.cost
    assert isinstance(cost, SelfHostedCost)
    assert cost.requests_per_month == 3_000_000
    assert cost.replicas == 6
    assert cost.monthly == 8640
    assert cost.total == D("0.00288")


def test_converted_gpu_price_and_utilisation() -> None:
    """mid on 2 GPUs at ¥16/h: 2 x 16 x 720 = ¥23,040 = $2,880 a month at 8 CNY/USD; planned
    at 2 x 100 x 0.5 = 100 tokens/s, so 6 replicas at 100,000 requests a day: $17,280 /
    3,000,000 = $0.00576 a request."""
    data = as_json("--output-tokens", "500", "--volume", "100000")
    mid = row(data, "mid @ self-hosted (mid-cn)")
    assert mid["self_hosted"] is True
    assert mid["cost_per_request"] == "0.00576"
    assert mid["selfhost"]["replica_monthly_cost"] == "2880"
    assert mid["selfhost"]["replicas"] == 6
    assert mid["selfhost"]["monthly_cost"] == "17280"
    assert mid["price_currency"] == "CNY"
    assert mid["conversion"] is not None
    assert row(data, "mid @ lab")["self_hosted"] is False


def test_low_volume_needs_one_replica() -> None:
    """With no output tokens no replica is busy, but one is always paid: $1,440 a month over
    1,000 x 30 = 30,000 requests = $0.048 a request."""
    data = as_json("--output-tokens", "0", "--volume", "1000")
    assert row(data, "selfhost @ self-hosted (one-gpu)")["cost_per_request"] == "0.048"
    assert data["self_hosting"] == {"requests_per_day": "1000", "peak_factor": "1"}


def test_peak_factor_adds_replicas() -> None:
    """Peak x2 at 100,000 a day: 1,157.4 tokens/s needs 12 replicas: $17,280 / 3,000,000."""
    data = as_json("--output-tokens", "500", "--volume", "100000", "--peak-factor", "2")
    assert row(data, "selfhost @ self-hosted (one-gpu)")["cost_per_request"] == "0.00576"


def test_flagged_in_table_and_csv() -> None:
    """The table flags self-hosted rows and explains their month; CSV has a self_hosted column."""
    code, out, err = invoke("--output-tokens", "500", "--volume", "100000")
    assert code == 0, err
    text = " ".join(out.split())  # rich wraps long lines
    assert "self-hosted at 100,000 requests/day" in text
    assert "self-hosted, rec" in text
    assert "#1 selfhost self-hosted on 1x Test GPU (one-gpu): 6 replicas x $1,440.00" in text
    code, out, err = invoke("--output-tokens", "500", "--volume", "100000", "--format", "csv")
    assert code == 0, err
    header, *lines = out.splitlines()
    assert header.split(",")[-1] == "self_hosted"
    flags = {line.split(",")[1] + "@" + line.split(",")[2]: line.split(",")[-1] for line in lines}
    assert flags["selfhost@self-hosted"] == "true"
    assert flags["cheap@lab"] == "false"


def test_filters() -> None:
    """--no-self-hosted ranks APIs only; --provider self-hosted ranks only self-hosted offers;
    --closed-weights leaves them out (they are open weights by construction)."""
    labels = [m["label"] for m in as_json("--no-self-hosted")["models"]]
    assert not any("self-hosted" in label for label in labels)
    labels = [m["label"] for m in as_json("--provider", "self-hosted")["models"]]
    assert sorted(labels) == ["mid @ self-hosted (mid-cn)", "selfhost @ self-hosted (one-gpu)"]
    labels = [m["label"] for m in as_json("--closed-weights")["models"]]
    assert not any("self-hosted" in label for label in labels)
    labels = [m["label"] for m in as_json("selfhost")["models"]]
    assert labels == ["selfhost @ self-hosted (one-gpu)"]


def test_no_gpu_price_in_force_is_a_note() -> None:
    """Before the GPU price's date the offer is not priced, with a note naming the price."""
    data = as_json("--as-of", "2024-12-01")
    why = data["not_priced"]["selfhost @ self-hosted (one-gpu)"]
    assert "no GPU price 'test-gpu' in force on 2024-12-01 (dated 2025-01-01)" in why
    assert "selfhost" not in data["no_api_offer"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--volume", "0"], "volume must be a number of requests per day > 0"),
        (["--volume", "-5"], "volume must be a number of requests per day > 0"),
        (["--volume", "lots"], "--volume: expected a number"),
        (["--peak-factor", "0.5"], "peak-factor must be between 1 and 1000"),
    ],
)
def test_bad_volume_exit_2(args: list[str], message: str) -> None:
    """A bad volume or peak factor is exit 2 with a message, nothing on stdout."""
    code, out, err = invoke(*args)
    assert code == 2
    assert message in err
    assert out == ""


def test_library_without_volume_ranks_apis_only(catalog) -> None:  # type: ignore[no-untyped-def]
    """In Python, CompareOptions.volume defaults to None: API offers only."""
    options = CompareOptions(
        usage=Usage(D(1_000_000), D(0)), when=dt.date(2025, 6, 1), currency="USD"
    )
    assert not any(r.self_hosted for r in compare(catalog, options).rows)
    with pytest.raises(InputError):
        compare(catalog, CompareOptions(**{**options.__dict__, "volume": D(0)}))


def test_bundled_open_weight_models_appear_self_hosted() -> None:
    """On the bundled sheets, every self-host option whose GPU price is in force is ranked
    beside the API offers (whatever the data engineers put there)."""
    from costcalc.selfhost import selfhost_entries

    catalog = load_catalog([])
    when = max(p.as_of for e in selfhost_entries(catalog) for p, _ in e.prices)
    result = CliRunner().invoke(app, ["compare", "--as-of", when.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    ranked = {m["label"] for m in data["models"] if m["self_hosted"]}
    for entry in selfhost_entries(catalog):
        label = f"{entry.option.model} @ self-hosted ({entry.option.id})"
        assert label in ranked or label in data["not_scored"] or label in data["not_priced"]
