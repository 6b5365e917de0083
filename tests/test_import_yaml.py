"""The fast YAML writer used by imports (`dump_yaml(..., quote_strings=True)`) reads back exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.yamlio import dump_yaml, parse_yaml

scalars = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=8, min_value=-(10**9), max_value=10**9
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
)
keys = st.one_of(st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True), st.text(max_size=10))
data = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=20,
)


def plain(value: Any) -> Any:
    """Located containers as plain dicts and lists, for comparing."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(keys, data, min_size=1, max_size=5))
def test_round_trip(value: dict[str, Any]) -> None:
    """Any mapping of strings, exact numbers, dates, lists and mappings reads back equal."""
    text = dump_yaml(value, quote_strings=True)
    back = plain(parse_yaml(text, "t.yaml"))
    assert back == value
    for k, v in value.items():  # Decimal stays Decimal, int stays int (no float anywhere)
        if isinstance(v, Decimal) and v != v.to_integral_value():
            assert isinstance(back[k], Decimal)


def test_awkward_strings() -> None:
    """Quotes, backslashes, YAML words, times, line breaks and non-printables survive."""
    value = {
        "a": 'say "yes"\\no',
        "b": "yes",
        "c": "16:30",
        "d": "010",
        "e": "line\nbreak\u2028sep\x85nel\x00nul",
        "f": "ünïcödé 价格 🙂",
        "yes": "key that YAML would read as true",
        "_\n": "a key ending in a line break",
        "g": [],
        "h": {},
        "i": [{"x": 1, "y": [Decimal("0.10")]}, "z"],
    }
    assert plain(parse_yaml(dump_yaml(value, quote_strings=True))) == {
        **value,
        "i": [{"x": 1, "y": [Decimal("0.1")]}, "z"],
    }


def test_layout_matches_the_usual_block_style() -> None:
    """Nested mappings indent by two; list items start with '- ' at the key's indent."""
    text = dump_yaml(
        {"offers": [{"model": "m", "prices": [{"input": Decimal("2.50")}]}]}, quote_strings=True
    )
    assert text == 'offers:\n- model: "m"\n  prices:\n  - input: 2.5\n'


def test_a_string_with_nothing_to_escape_is_written_as_it_is() -> None:
    """The writer skips its escaping pass for a printable string without `"` or `\\`: for
    every code point, such a character is one the escaping pass leaves alone (so the
    text is the same), and every other character is still escaped or kept as before."""
    from costcalc import yamltext

    for code in range(0x110000):
        char = chr(code)
        if char.isprintable() and char not in '"\\':
            assert yamltext._NOT_PRINTABLE.search(char) is None, hex(code)
    # Spot checks, worked out from YAML's escapes: a NEL, a separator and a quote.
    assert yamltext.scalar("a\x85b") == '"a\\x85b"'
    assert yamltext.scalar("a\u2028b") == '"a\\u2028b"'
    assert yamltext.scalar('say "hi"') == '"say \\"hi\\""'
    assert yamltext.scalar("ünïcödé 价格 🙂") == '"ünïcödé 价格 🙂"'
    assert yamltext.scalar("\xa0nbsp") == '"\xa0nbsp"'  # printable for YAML, not for Python
