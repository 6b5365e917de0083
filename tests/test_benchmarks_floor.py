"""benchmarks/columnar_floor.py's constants are the bundled sheets' figures, and it runs."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from types import ModuleType

import yaml

from helpers import REPO


def _floor() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "columnar_floor", REPO / "benchmarks" / "columnar_floor.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_weights_and_item_counts_are_the_bundled_ones() -> None:
    floor = _floor()
    sheets = yaml.safe_load((REPO / "pricing" / "benchmarks.yaml").read_text(encoding="utf-8"))
    items = {b["id"]: b.get("items") for b in sheets["benchmarks"]}
    assert {b: items[b] for b in floor.ITEMS} == floor.ITEMS
    profiles = yaml.safe_load((REPO / "pricing" / "profiles.yaml").read_text(encoding="utf-8"))
    (balanced,) = [p for p in profiles["profiles"] if p["id"] == "balanced"]
    assert {b: Decimal(str(balanced["weights"][b])) for b in floor.WEIGHTS} == floor.WEIGHTS


def test_it_measures_every_stage() -> None:
    per = _floor().measure(200)
    assert set(per) == {
        "json", "decimals", "quality", "quality_numpy", "cost", "rank", "table", "total",
    }  # fmt: skip
    assert per["total"] > 0
    assert per["total"] >= per["quality"]
