"""The YAML layer: exact decimals, located containers, and round-trips of what it writes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from costcalc.yamlio import LineDict, LineList, dump_yaml, locate, parse_yaml, write_atomic


def test_floats_are_exact_decimals() -> None:
    """0.1 + 0.2 is exactly 0.3 when read as Decimal from the text (it is not as binary floats)."""
    data = parse_yaml("a: 0.1\nb: 0.2\nc: 1_000.5\nd: 2.19\n")
    assert data["a"] + data["b"] == Decimal("0.3")
    assert data["c"] == Decimal("1000.5")
    assert isinstance(data["d"], Decimal) and str(data["d"]) == "2.19"


def test_lines_are_remembered() -> None:
    data = parse_yaml("top:\n  items:\n    - x: 1\n    - x: 2\n      y: 3\n")
    assert isinstance(data, LineDict) and isinstance(data["top"]["items"], LineList)
    assert data.lines["top"] == 1
    assert data["top"]["items"].lines == [3, 4]
    assert locate(data, ("top", "items", 1, "y")) == (5, "top.items[1].y")
    # A missing key points at its parent mapping; the dotted name still says which field.
    assert locate(data, ("top", "items", 0, "z")) == (3, "top.items[0].z")


def test_merge_keys_still_work() -> None:
    data = parse_yaml("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n")
    assert dict(data["child"]) == {"x": 1, "y": 3}


@given(st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False, places=12))
def test_decimal_dump_round_trips(value: Decimal) -> None:
    """What costcalc writes, it reads back to the same exact number."""
    text = dump_yaml({"price": value})
    assert parse_yaml(text)["price"] == value


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "sheet.yaml"
    write_atomic(target, "one\n")
    write_atomic(target, "two\n")
    assert target.read_text() == "two\n"
    assert [p.name for p in target.parent.iterdir()] == ["sheet.yaml"]
