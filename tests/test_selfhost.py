"""Self-host options: cross-checks against the catalog, dated GPU prices, pure arithmetic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from costcalc.catalog import load_catalog
from costcalc.errors import InputError
from costcalc.selfhost import (
    break_even,
    capacity_requests,
    peak_output_rate,
    replica_monthly_cost,
    replicas_needed,
    selfhost_entries,
)

CATALOG = Path(__file__).parent / "fixtures" / "budget" / "catalog"

OPTION = """
  - id: opt
    model: {model}
    hardware: {{gpu: {gpu}, count: 1}}
    gpu_price: {price}
    target_utilisation: 1
    throughput: {{output_tokens_per_s: 10, measured_model: m, engine: e, precision: p, load: l,
                  as_of: 2025-01-01, source: "test"}}
"""


def layer(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "layer"
    folder.mkdir()
    (folder / "selfhost.yaml").write_text("kind: selfhost\noptions:" + body)
    return folder


@pytest.mark.parametrize(
    ("model", "gpu", "price", "message", "field"),
    [
        ("nope", "Test GPU", "test-gpu", "unknown model 'nope'", "options[0].model"),
        ("closed", "Test GPU", "test-gpu", "has no open weights", "options[0].model"),
        ("open7", "Test GPU", "missing", "unknown GPU price 'missing'", "options[0].gpu_price"),
        ("open7", "Other GPU", "test-gpu", "is for Test GPU", "options[0].gpu_price"),
    ],
)
def test_options_are_checked_against_the_catalog(
    tmp_path: Path, model: str, gpu: str, price: str, message: str, field: str
) -> None:
    """Unknown or closed models, unknown GPU prices and GPU mismatches are located errors."""
    extra = layer(tmp_path, OPTION.format(model=model, gpu=gpu, price=price))
    catalog = load_catalog([CATALOG, extra], include_bundled=False)
    with pytest.raises(InputError, match=message) as info:
        selfhost_entries(catalog)
    (problem,) = info.value.problems
    assert problem.field == field
    assert problem.line == (4 if field.endswith("model") else 6)  # the field's own line
    assert problem.file is not None and problem.file.endswith("selfhost.yaml")


def test_dated_gpu_prices_pick_the_one_in_force(tmp_path: Path) -> None:
    """A later layer adds a $3 price from 2026 to `test-gpu` ($2 from 2025): 1 GPU x 720 h is
    $1,440 in 2025 and $2,160 in 2026; before 2025 there is no price."""
    folder = tmp_path / "later"
    folder.mkdir()
    (folder / "prices.yaml").write_text(
        "kind: selfhost\ngpu_prices:\n"
        "  - {id: test-gpu, gpu: Test GPU, provider: Test Cloud, price_per_gpu_hour: 3,"
        " currency: USD, pricing: on-demand, as_of: 2026-01-01, source: test}\n"
    )
    catalog = load_catalog([CATALOG, folder], include_bundled=False)
    slow = next(e for e in selfhost_entries(catalog) if e.option.id == "open7-slow")
    cost = replica_monthly_cost(slow, when=dt.date(2025, 6, 1), currency="USD", fx=catalog.fx)
    assert cost is not None and cost.amount == D(1440)
    cost = replica_monthly_cost(slow, when=dt.date(2026, 6, 1), currency="USD", fx=catalog.fx)
    assert cost is not None and cost.amount == D(2160)
    assert (
        replica_monthly_cost(slow, when=dt.date(2024, 6, 1), currency="USD", fx=catalog.fx) is None
    )


def test_per_gpu_throughput_is_multiplied_by_the_count() -> None:
    """open7-slow: 10 tok/s per GPU x 1 GPU x utilisation 1 = 10; open7-fast: 2,000 x 0.5 = 1,000."""
    catalog = load_catalog([CATALOG], include_bundled=False)
    found = {e.option.id: e for e in selfhost_entries(catalog)}
    assert found["open7-slow"].replica_throughput() == D(10)
    assert found["open7-fast"].replica_throughput() == D(1000)
    assert found["open7-fast"].replica_throughput(D("0.25")) == D(500)


def test_arithmetic_by_hand() -> None:
    """2,592,000 requests x 100 tokens / 2,592,000 s x peak 2 = 200 tok/s; at 75 tok/s a replica
    that needs ceil(200 / 75) = 3 replicas; one replica carries 75 x 2,592,000 / (2 x 100) =
    972,000 requests; $1,000 / $0.001 = 1,000,000 > 972,000: no break-even."""
    rate = peak_output_rate(D(2_592_000), D(100), D(2))
    assert rate == D(200)
    assert replicas_needed(rate, D(75)) == 3
    assert replicas_needed(D(0), D(75)) == 1
    assert capacity_requests(D(75), D(100), D(2)) == D(972_000)
    assert break_even(D(1000), D("0.001"), D(972_000)) is None
    assert break_even(D(1000), D("0.001"), D(1_000_000)) == D(1_000_000)
    assert break_even(D(1000), D(0), None) is None
