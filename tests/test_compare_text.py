"""`compare -f json` writes each offer's text directly (`render.compare.model_text`): it must
be, byte for byte, the text the indented writer gives the offer's dict (`model_json`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from costcalc.catalog import load_catalog
from costcalc.compare import CompareOptions, compare_full
from costcalc.render.compare import _ROW_KEYS, TextMemo, model_json, model_text, payload
from costcalc.render.fastjson import _piece
from costcalc.render.tables import to_json, write_json
from costcalc.workload import request

CASES: dict[str, dict[str, Any]] = {
    "mean, USD": {"quality_method": "mean"},
    "latent (predicted parts), CNY (conversions)": {"currency": "CNY"},
    "self-hosted rows, reasoning override": {
        "quality_method": "mean",
        "when": dt.date(2026, 11, 1),  # GPU prices in force
        "volume": Decimal(5000),
        "reasoning_tokens": Decimal(1234),
        "reasoning_models": ("deepseek-r1",),
    },
    "absolute bar, money ceiling": {
        "quality_method": "mean",
        "min_quality": Decimal(60),
        "max_cost_per_point": Decimal("0.5"),
        "requests_per_month": Decimal(100000),
    },
}


@pytest.mark.parametrize("case", list(CASES))
def test_offer_text_is_the_text_of_its_dict(case: str) -> None:
    """Every offer of the bundled catalog, under options that reach every kind of value
    (predicted parts, conversions, self-hosted prices, hidden tokens, ratios): the direct
    text equals the indented writer's text of `model_json`, at two indents."""
    catalog = load_catalog([])
    options = CompareOptions(
        usage=request(2000, 500, Decimal(0)),
        when=CASES[case].get("when", dt.date(2025, 6, 1)),
        currency=str(CASES[case].get("currency", "USD")),
        **{k: v for k, v in CASES[case].items() if k not in ("currency", "when")},
    )
    ranking, result = compare_full(catalog, options)
    assert len(ranking.rows) >= 10
    texts = "".join(model_text(row, result, "\n") for row in ranking.rows)
    reached = {
        "latent (predicted parts), CNY (conversions)": ['"status": "predicted"', '"conversion": "'],
        "self-hosted rows, reasoning override": ['"self_hosted": true', '"hidden_tokens": "1234"'],
        "absolute bar, money ceiling": ['"marginal_cost_per_point": "'],
    }
    for needle in reached.get(case, []):
        assert needle in texts
    shared = TextMemo()  # one memo for every row at both indents, as a document shares it
    for row in ranking.rows:
        assert tuple(model_json(row, result)) == _ROW_KEYS
        for newline in ("\n    ", "\n"):
            expected = _piece(model_json(row, result), newline)
            assert model_text(row, result, newline) == expected
            assert model_text(row, result, newline, shared) == expected
    # The whole document written in parts equals the one made from the dicts.
    parts: list[str] = []
    write_json(payload(ranking, options, result, lazy=True), parts.append)
    assert "".join(parts) == to_json(payload(ranking, options, result))


def test_text_memo_gives_each_value_its_own_text() -> None:
    """The texts memoised per document equal the texts made afresh, in any order, for values
    that are equal but written differently (1.0 and 1.00, 0 and -0, -0.001 and 0.001 which
    both round to zero with their sign): a zero is never shared between 0 and -0."""
    from costcalc.money import decimal_str
    from costcalc.render.compare import TextMemo, _qt

    values = [Decimal(v) for v in ("1.0", "1.00", "1", "0", "-0", "0.00", "-0.00", "0.001",
                                   "-0.001", "-0.004", "0.004", "62.345", "62.355", "-62.345",
                                   "1E+30", "0.00005", "-0.00005", "123456789.125")]  # fmt: skip
    for order in (values, values[::-1]):
        memo = TextMemo()
        for v in order * 2:
            assert memo.quality(v) == _qt(v)
            assert memo.share(v) == _qt(v, "0.0001")
            assert memo.decimal(v) == f'"{decimal_str(v)}"'
    # The sign of a rounded zero is kept: -0.001 at two places is -0.0, 0.001 is 0.0.
    memo = TextMemo()
    assert (memo.quality(Decimal("0.001")), memo.quality(Decimal("-0.001"))) == ("0.0", "-0.0")
