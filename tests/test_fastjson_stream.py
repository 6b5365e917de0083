"""`write_indented` writes, in parts, exactly `json.dumps(value, indent=2, ensure_ascii=False)`;
`write_json` writes exactly `to_json`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from costcalc.render.fastjson import write_indented
from costcalc.render.tables import to_json, write_json

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities: json.dumps writes NaN, Infinity
    st.text(),
)
_keys = st.one_of(st.text(max_size=6), st.integers(-3, 3), st.none(), st.booleans())
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(_keys, inner, max_size=4),
    ),
    max_leaves=40,
)


def _written(value: Any) -> tuple[str, list[str]]:
    parts: list[str] = []
    write_indented(value, parts.append)
    return "".join(parts), parts


@given(_values)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert _written(value)[0] == json.dumps(value, indent=2, ensure_ascii=False)


@given(_values)
def test_write_json_is_to_json(value: Any) -> None:
    parts: list[str] = []
    write_json(value, parts.append)
    assert "".join(parts) == to_json(value)


def test_rows_are_written_one_by_one() -> None:
    rows = [{"id": f"m{i}", "cost": "0.01", "quality": 1.5, "why": ["a", "b"]} for i in range(3)]
    doc = {"schema_version": 1, "rows": rows, "odd": {1: [float("nan")]}}
    text, parts = _written(doc)
    assert text == json.dumps(doc, indent=2, ensure_ascii=False)
    # each row is one part, indented two levels (its lines start with four spaces):
    row_parts = [p for p in parts if p.startswith('{\n      "id"')]
    assert len(row_parts) == 3
    assert row_parts[0] == json.dumps(rows[0], indent=2).replace("\n", "\n    ")
    # a value dumps cannot make fails the same way
    try:
        _written({"a": [object()]})
    except TypeError:
        pass
    else:
        raise AssertionError("an object is not JSON")


def test_rows_made_as_written() -> None:
    from costcalc.render.fastjson import Rows

    made: list[int] = []

    def make(i: int) -> dict[str, Any]:
        made.append(i)
        return {"i": i, "half": i / 2, "tags": ["x"] * i}

    doc = {"a": 1, "models": Rows(range(3), make), "empty": Rows([], make), "z": None}
    plain = {"a": 1, "models": [make(i) for i in range(3)], "empty": [], "z": None}
    made.clear()
    parts: list[str] = []

    def write(text: str) -> None:
        parts.append(text)
        if text.startswith('{\n      "i": 1'):  # row 1 written: row 2 not made yet
            assert made == [0, 1]

    write_indented(doc, write)
    assert made == [0, 1, 2]
    assert "".join(parts) == json.dumps(plain, indent=2, ensure_ascii=False)
    # a Rows in place of a list deep inside (no part of its own) is written whole
    deep = {"a": {"b": {"c": Rows(range(2), make)}}}
    parts.clear()
    write_indented(deep, parts.append)
    assert "".join(parts) == json.dumps(
        {"a": {"b": {"c": [make(0), make(1)]}}}, indent=2, ensure_ascii=False
    )


@given(
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.decimals(min_value=-(10**30), max_value=10**30, places=6)
    | st.sampled_from([Decimal("0.005"), Decimal("0.015"), Decimal("-0.00005"), Decimal("9" * 26)])
)
def test_compare_quality_rounding_is_money_quantize(value: Decimal) -> None:
    """render.compare._q rounds exactly as money.quantize (half-even; 0.005 -> 0.0, 0.015
    -> 0.02), also past 28 digits and for NaN (the one-call path then steps aside)."""
    from costcalc.money import quantize
    from costcalc.render.compare import _q

    def old(places: int) -> Any:  # what _q was: float(money.quantize(...))
        try:
            x = float(quantize(value, places))
        except ValueError as exc:  # sNaN: float() refuses it
            return str(exc)
        return "nan" if x != x else x

    def new(places: str) -> Any:
        try:
            x = _q(value, places)
        except ValueError as exc:
            return str(exc)
        return "nan" if x != x else x

    assert new("0.01") == old(2) and new("0.0001") == old(4), value


def test_compare_json_shows_a_non_utf8_file_name_as_bytes(tmp_path: Path) -> None:
    """The JSON of compare, written in parts, still passes non-ASCII parts through
    cli.common.printable: a sheet whose name is not UTF-8 (its byte \\xff held by Python as
    the lone surrogate U+DCFF) is named with the text \\xff, and the document still parses
    (the backslash is escaped inside JSON strings)."""
    import os
    import shutil

    from typer.testing import CliRunner

    from costcalc.cli import app

    folder = tmp_path / "p"
    shutil.copytree(Path("tests/fixtures/compare"), folder)
    sheets = sorted((folder / "providers").iterdir())
    odd = sheets[0].with_name(os.fsdecode(b"bad\xff.yaml"))
    sheets[0].rename(odd)
    args = ["compare", "--no-bundled", "--pricing", str(folder), "--as-of", "2025-06-01"]
    result = CliRunner().invoke(app, [*args, "-f", "json"])
    assert result.exit_code in (0, 1), result.stderr
    assert "\udcff" not in result.stdout
    document = json.loads(result.stdout)
    strings: list[str] = []
    json.loads(result.stdout, object_hook=lambda d: strings.extend(map(str, d.values())) or d)
    assert document and any("bad\\xff.yaml" in text for text in strings)  # reads \xff
