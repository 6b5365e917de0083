"""One "in force on a day" rule (costcalc.dated) and the layers' merge of exchange rates.

The FX cases are worked by hand from tests/fixtures/mini (alpha @ ushost: $0.5 per 1M
input tokens, $1 per 1M output tokens, USD only; USD/CNY 7.25 from 2025-02-01, 8 from
2026-01-01).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costcalc.catalog import load_catalog
from costcalc.cost import Usage, cost_of
from costcalc.dated import in_force, latest_in_force, latest_in_force_by
from costcalc.errors import InputError

MINI = Path(__file__).parent / "fixtures" / "mini"
DAY = dt.date(2026, 2, 1)


def test_in_force_is_half_open() -> None:
    """[as_of, valid_until): the first day holds, the day valid_until names does not."""
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    assert in_force(start, end, start)
    assert in_force(start, end, dt.date(2026, 1, 30))
    assert not in_force(start, end, end)
    assert not in_force(start, end, dt.date(2025, 12, 31))
    assert in_force(None, None, start)
    # an instant: 2026-01-31 00:00:01 UTC still covers the day 2026-01-31 (asked at 00:00)
    assert in_force(start, dt.datetime(2026, 1, 31, 0, 0, 1, tzinfo=dt.UTC), end)


def test_latest_wins_and_the_later_one_breaks_a_tie() -> None:
    def dates(item: tuple[str, dt.date]) -> tuple[dt.date, None]:
        return item[1], None

    a = ("a", dt.date(2026, 1, 1))
    b = ("b", dt.date(2026, 1, 10))
    c = ("c", dt.date(2026, 1, 10))
    future = ("future", dt.date(2026, 3, 1))
    assert latest_in_force([a, b, c, future], DAY, dates) == c
    assert latest_in_force([a, c, b, future], DAY, dates) == b
    assert latest_in_force([future], DAY, dates) is None
    grouped = latest_in_force_by([a, b, ("x", dt.date(2025, 5, 1))], DAY, dates, lambda i: i[0])
    assert grouped == {"a": a, "b": b, "x": ("x", dt.date(2025, 5, 1))}


@given(
    st.lists(
        st.tuples(st.dates(dt.date(2024, 1, 1), dt.date(2027, 1, 1)), st.integers(0, 3)),
        max_size=12,
    ),
    st.dates(dt.date(2024, 1, 1), dt.date(2027, 1, 1)),
)
def test_latest_in_force_by_matches_a_sort(items: list[tuple[dt.date, int]], when: dt.date) -> None:
    """Per group: the item with the greatest (as_of, position) among those dated <= when."""
    numbered = list(enumerate(items))
    got = latest_in_force_by(numbered, when, lambda n: (n[1][0], None), lambda n: n[1][1])
    expected: dict[int, tuple[int, tuple[dt.date, int]]] = {}
    for n in sorted(numbered, key=lambda n: (n[1][0], n[0])):
        if n[1][0] <= when:
            expected[n[1][1]] = n
    assert got == expected


def _fx_layer(folder: Path, rate: str, as_of: str, base: str = "USD", quote: str = "CNY") -> Path:
    folder.mkdir()
    (folder / "fx.yaml").write_text(
        "kind: fx-rates\nrates:\n"
        f"  - {{base: {base}, quote: {quote}, rate: {rate}, as_of: {as_of}, source: test}}\n",
        encoding="utf-8",
    )
    return folder


def _alpha_in_cny(layers: list[Path]) -> D:
    catalog = load_catalog(layers, include_bundled=False)
    offer = next(e for e in catalog.offers if e.key == ("alpha", "ushost"))
    usage = Usage(input_tokens=D(1_000_000), output_tokens=D(1_000_000))
    return cost_of(offer, usage, when=DAY, currency="CNY", fx=catalog.fx).total


def test_a_later_layer_replaces_a_rate_of_the_same_day(tmp_path: Path) -> None:
    """mini: USD/CNY 8 from 2026-01-01, so $1.50 is ¥12 on 2026-02-01. A later layer
    dated the same day at 9 replaces it: 1.5 x 9 = ¥13.5, whatever the files' paths sort
    as (the old rule took the greatest path on a tie, so "/tmp/..." lost to the bundled
    "pricing/fx.yaml" and a user's rate was silently ignored)."""
    assert _alpha_in_cny([MINI]) == D(12)
    override = _fx_layer(tmp_path / "a", "9", "2026-01-01")
    assert _alpha_in_cny([MINI, override]) == D("13.5")
    # Written the other way round (1 CNY = 0.125 USD), it is the same pair and day: $1.50 / 0.125 = ¥12
    inverse = _fx_layer(tmp_path / "b", "0.125", "2026-01-01", base="CNY", quote="USD")
    assert _alpha_in_cny([MINI, override, inverse]) == D(12)


def test_two_rates_for_one_day_in_one_layer_are_an_error(tmp_path: Path) -> None:
    layer = _fx_layer(tmp_path / "a", "9", "2026-01-01")
    (layer / "more.yaml").write_text(
        "kind: fx-rates\nrates:\n"
        "  - {base: CNY, quote: USD, rate: 0.11, as_of: 2026-01-01, source: test}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_catalog([layer], include_bundled=False)
    problem = caught.value.problems[0]
    assert "a second CNY/USD rate dated 2026-01-01 in this layer" in problem.message
    assert problem.file is not None and problem.file.endswith("more.yaml")
    assert problem.line == 3
    assert problem.field == "rates[0]"


def _beta_limits(layers: list[Path], day: str) -> dict[str, int | None]:
    from costcalc.budget.ratelimits import _limits_in_force

    catalog = load_catalog(layers, include_bundled=False)
    entry = next(e for e in catalog.offers if e.key == ("beta", "ushost"))
    return {
        tier: lim.rpm for tier, lim in _limits_in_force(entry, dt.date.fromisoformat(day)).items()
    }


def _limits_layer(folder: Path, *limits: str) -> Path:
    """A layer offering mini's beta @ ushost again (its price period as in mini), with `limits`."""
    folder.mkdir()
    (folder / "ushost.yaml").write_text(
        "kind: price-sheet\n"
        "provider: {id: ushost, name: US Host, country: US, currency: USD,"
        " pricing_url: 'https://example.com/pricing'}\n"
        "offers:\n"
        "  - model: beta\n"
        "    rate_limits:\n"
        + "".join(f"      - {{{lim}, source: test}}\n" for lim in limits)
        + "    prices:\n"
        "      - {as_of: 2025-01-01, source: test, input: 1.25, output: 10}\n",
        encoding="utf-8",
    )
    return folder


def test_a_later_layers_rate_limits_join_the_earlier_ones(tmp_path: Path) -> None:
    """mini: beta @ ushost, tier free, 5 rpm from 2025-05-07. Rate limits merge like price
    periods: a later layer's limit replaces only the limit of its own tier and day (the
    old rule dropped every earlier limit as soon as a later layer listed any)."""
    assert _beta_limits([MINI], "2025-07-01") == {"free": 5}
    other_tier = _limits_layer(tmp_path / "a", "tier: tier-1, rpm: 50, as_of: 2025-06-01")
    assert _beta_limits([MINI, other_tier], "2025-07-01") == {"free": 5, "tier-1": 50}
    assert _beta_limits([MINI, other_tier], "2025-05-31") == {"free": 5}  # tier-1 not yet
    same_day = _limits_layer(tmp_path / "b", "tier: free, rpm: 7, as_of: 2025-05-07")
    assert _beta_limits([MINI, same_day], "2025-07-01") == {"free": 7}
    later = _limits_layer(tmp_path / "c", "tier: free, rpm: 9, as_of: 2025-08-01")
    assert _beta_limits([MINI, later], "2025-07-31") == {"free": 5}
    assert _beta_limits([MINI, later], "2025-08-01") == {"free": 9}
