"""The layers' merge rule for id-keyed sections (costcalc.layers): benchmarks, profiles,
self-host options and GPU prices. A later layer replaces; one id per layer."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.catalog import load_catalog
from costcalc.cli import app
from costcalc.errors import InputError
from costcalc.quality import quality_index
from costcalc.selfhost import replica_monthly_cost, selfhost_entries

FIXTURES = Path(__file__).parent / "fixtures"
COMPARE = FIXTURES / "compare"
BUDGET = FIXTURES / "budget" / "catalog"

BENCH = (
    "kind: benchmarks\nbenchmarks:\n"
    "  - {{id: b1, name: {name}, category: math, scale: percent, source: test}}\n"
)


def test_a_later_layer_replaces_a_benchmark(tmp_path: Path) -> None:
    later = tmp_path / "later"
    later.mkdir()
    (later / "b.yaml").write_text(BENCH.format(name="Renamed"), encoding="utf-8")
    index = quality_index(load_catalog([COMPARE, later], include_bundled=False))
    assert index.benchmarks["b1"].name == "Renamed"
    assert index.benchmark_origins["b1"].file.endswith("b.yaml")
    assert index.benchmarks["b2"].name == "Bench two"  # untouched ids stay


def test_one_benchmark_id_twice_in_a_layer_is_an_error(tmp_path: Path) -> None:
    """Two files of one layer define b1: the second is a problem naming both places (the
    old rule kept whichever file was read last, silently)."""
    layer = tmp_path / "layer"
    shutil.copytree(COMPARE, layer)
    (layer / "zz.yaml").write_text(BENCH.format(name="Again"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        quality_index(load_catalog([layer], include_bundled=False))
    (problem,) = caught.value.problems
    assert problem.message.startswith("a second benchmark 'b1' in this layer (the other is at ")
    assert "benchmarks.yaml:3" in problem.message
    assert problem.file is not None and problem.file.endswith("zz.yaml")
    assert (problem.line, problem.field) == (3, "benchmarks[0]")
    # The CLI: exit 2, naming the file, line and field
    result = CliRunner().invoke(app, ["compare", "--no-bundled", "--pricing", str(layer)])
    assert result.exit_code == 2, result.output
    assert "zz.yaml:3" in result.output and "a second benchmark 'b1'" in result.output


def test_profiles_follow_the_same_rule(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    shutil.copytree(COMPARE, layer)
    (layer / "more.yaml").write_text(
        "kind: profiles\nprofiles:\n  - {id: solo, name: Solo again, weights: {b2: 1}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="a second profile 'solo' in this layer"):
        quality_index(load_catalog([layer], include_bundled=False))
    later = tmp_path / "later"
    later.mkdir()
    (later / "more.yaml").write_text(
        "kind: profiles\nprofiles:\n  - {id: solo, name: Solo again, weights: {b2: 1}}\n",
        encoding="utf-8",
    )
    index = quality_index(load_catalog([COMPARE, later], include_bundled=False))
    assert index.profiles["solo"].weights == {"b2": 1}


def test_gpu_prices_and_options_follow_the_same_rule(tmp_path: Path) -> None:
    """A GPU price is keyed by id and day: a second test-gpu price dated 2025-01-01 in the
    budget fixture's layer is an error; in a later layer it replaces ($5 x 720 h = $3,600
    a month for one GPU)."""
    price = (
        "kind: selfhost\ngpu_prices:\n"
        "  - {id: test-gpu, gpu: Test GPU, provider: Test Cloud, price_per_gpu_hour: 5,"
        " currency: USD, pricing: on-demand, as_of: 2025-01-01, source: test}\n"
    )
    layer = tmp_path / "layer"
    shutil.copytree(BUDGET, layer)
    (layer / "zz-gpu.yaml").write_text(price, encoding="utf-8")
    with pytest.raises(InputError, match="a second GPU price 'test-gpu' dated 2025-01-01"):
        selfhost_entries(load_catalog([layer], include_bundled=False))
    later = tmp_path / "later"
    later.mkdir()
    (later / "gpu.yaml").write_text(price, encoding="utf-8")
    catalog = load_catalog([BUDGET, later], include_bundled=False)
    slow = next(e for e in selfhost_entries(catalog) if e.option.id == "open7-slow")
    assert len(slow.prices) == 1
    cost = replica_monthly_cost(slow, when=dt.date(2025, 6, 1), currency="USD", fx=catalog.fx)
    assert cost is not None and cost.amount == 3600
