"""`validator_for_read_data`: the gate's fast validation of data read by costcalc.yamlio.

It must accept only what the model accepts, with the same result, and refuse (so the
model gives the error) every number the model's Python checks would look at: text,
floats, yes/no values, non-finite and out-of-bound values.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from costcalc.schema.common import validator_for_read_data
from costcalc.schema.procurement import ProcurementFile
from costcalc.yamlio import load_plain

FIXTURES = Path(__file__).parent / "fixtures" / "check"


def _doc(monthly: Any = 500, multiple: Any = 3, min_: Any = 60, requests: Any = 1000) -> Any:
    return {
        "kind": "procurement",
        "policy": {"max_cost_multiple": multiple, "max_price_age_days": 365},
        "decisions": [
            {
                "name": "d",
                "model": "o3",
                "provider": "openai",
                "workload": {
                    "requests_per_month": requests,
                    "input_tokens": 2000,
                    "output_tokens": 500,
                    "cached_share": Decimal("0.5"),
                },
                "quality": {"profile": "balanced", "min": min_},
                "budget": {"monthly": monthly, "currency": "USD"},
            }
        ],
    }


def _both(data: Any) -> tuple[Any, Any]:
    """(model's result or its error messages, fast result or None when refused)."""
    try:
        full: Any = ProcurementFile.model_validate(data)
    except ValidationError as exc:
        full = [e["msg"] for e in exc.errors()]
    try:
        fast = validator_for_read_data(ProcurementFile).validate_python(data)
    except ValidationError:
        fast = None
    return full, fast


def test_every_procurement_fixture_validates_alike() -> None:
    files = [p for p in sorted(FIXTURES.rglob("*.yaml")) if "kind: procurement" in p.read_text()]
    assert len(files) >= 20
    accepted = 0
    for path in files:
        try:
            data, _ = load_plain(path)
        except Exception:  # a hostile fixture the reader refuses: not this test's concern
            continue
        full, fast = _both(data)
        if fast is not None:
            accepted += 1
            assert isinstance(full, ProcurementFile), path
            assert type(fast) is ProcurementFile
            assert fast == full and repr(fast) == repr(full), path
    assert accepted >= 20


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("monthly", True),  # yes/no: the model says "got a yes/no value"
        ("monthly", "500"),  # quoted text: the model parses it with costcalc.numbers
        ("monthly", 500.0),  # a binary float: the model refuses it
        ("monthly", Decimal("NaN")),
        ("monthly", Decimal("Infinity")),
        ("monthly", Decimal("-1")),
        ("monthly", Decimal(10) ** 12 + 1),
        ("multiple", Decimal(0)),
        ("multiple", "1e999"),  # text out of costcalc's bound: the model's own message
        ("min_", Decimal("100.01")),
        ("requests", False),
        ("requests", "1000"),
    ],
)
def test_numbers_the_model_checks_in_python_are_left_to_it(field: str, value: Any) -> None:
    full, fast = _both(_doc(**{field: value}))
    assert fast is None
    if isinstance(full, ProcurementFile):  # text the model reads as a number
        assert isinstance(value, str)


def test_ints_become_decimals_as_in_the_model() -> None:
    full, fast = _both(_doc(monthly=500, multiple=3, min_=60))
    assert fast is not None and fast == full
    assert fast.decisions[0].budget.monthly == Decimal(500)
    assert type(fast.decisions[0].budget.monthly) is Decimal
    assert type(fast.policy.max_cost_multiple) is Decimal
    assert type(fast.policy.max_price_age_days) is int  # Days: an int field stays an int


_NUMBER = st.one_of(
    st.integers(min_value=-(10**13), max_value=10**13),
    st.decimals(allow_nan=True, allow_infinity=True, places=3),
    st.booleans(),
    st.sampled_from(["5", "1_000", " 7 ", "abc", "1e5", "0.5"]),
    st.floats(allow_nan=False, width=32),
)


@settings(max_examples=300, deadline=None)
@given(monthly=_NUMBER, multiple=_NUMBER, min_=_NUMBER, requests=_NUMBER)
def test_fast_accepts_only_what_the_model_accepts_alike(
    monthly: Any, multiple: Any, min_: Any, requests: Any
) -> None:
    full, fast = _both(_doc(monthly, multiple, min_, requests))
    if fast is not None:
        assert isinstance(full, ProcurementFile)
        assert fast == full and repr(fast) == repr(full)
