"""The reports' JSON writer gives exactly `json.dumps(value, indent=2, ensure_ascii=False)`."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from costcalc.render.fastjson import dumps_indented

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities included: json.dumps writes NaN, Infinity
    st.text(),  # any character: quotes, backslashes, newlines, ##[, astral planes
)
_keys = st.one_of(st.text(max_size=6), st.integers(-3, 3), st.none(), st.booleans())
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(_keys, inner, max_size=4),
    ),
    max_leaves=30,
)


@given(_values)
def test_same_text_as_the_standard_library(value: Any) -> None:
    """Random nested data (non-string keys and tuples included): byte-identical text."""
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_a_report_shaped_payload() -> None:
    """Flat records, nested records, empty containers and escapes, written out by hand."""
    value = {"a": [{"x": 1, "y": 'q"\n'}, {}], "b": {"c": [], "d": {"e": None}}, "f": 1.5}
    expected = (
        "{\n"
        '  "a": [\n'
        "    {\n"
        '      "x": 1,\n'
        '      "y": "q\\"\\n"\n'
        "    },\n"
        "    {}\n"
        "  ],\n"
        '  "b": {\n'
        '    "c": [],\n'
        '    "d": {\n'
        '      "e": null\n'
        "    }\n"
        "  },\n"
        '  "f": 1.5\n'
        "}"
    )
    assert dumps_indented(value) == expected == json.dumps(value, indent=2, ensure_ascii=False)


def test_circular_data_fails_as_in_the_standard_library() -> None:
    """A list that contains itself: the standard library's ValueError, not a hang."""
    import pytest

    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented(loop)
