"""Replay splits a log by off-peak edges and tier thresholds only while a price has them.

`pricing.splits_of` records when each edge and threshold can matter (`Splits.tod_eras`,
`Splits.tier_eras`); outside those eras the grouping keeps their slices together. The
totals must be the ones a split everywhere gives, with fewer groups.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import costcalc.replay.run as replay_run
from costcalc.catalog import Catalog, load_catalog
from costcalc.replay import CounterfactualOptions, replay
from costcalc.replay.engines import DuckDBEngine
from costcalc.replay.grouping import Splits
from costcalc.replay.pricing import ERA_TERMS, _eras, splits_of, starts

PRICING = Path(__file__).parent / "fixtures" / "replay" / "pricing"
UTC = dt.timezone.utc

LAYER = """\
kind: price-sheet
provider: {id: lab, name: Lab, country: US, currency: USD, pricing_url: 'https://example.com/lab'}
offers:
  - model: beta
    prices:
      - {as_of: 2025-01-01, valid_until: 2025-07-01, source: test, input: 0.5, output: 1}
      - as_of: 2025-07-01
        source: test
        input: 0.5
        output: 1
        off_peak: {window: {start: '16:30', end: '00:30'}, input: 0.25, output: 0.5}
        tiers:
          - {above_input_tokens: 100000, input: 2.5, output: 15}
"""
"""beta @ lab, $/M 0.5 in and 1 out; from 2025-07-01 also half price from 16:30 to 00:30
UTC and 2.5 in, 15 out above 100,000 prompt tokens."""


@pytest.fixture
def window_from_july(tmp_path: Path) -> Catalog:
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "lab.yaml").write_text(LAYER, encoding="utf-8")
    return load_catalog([PRICING, layer], include_bundled=False)


def test_eras_by_hand(window_from_july: Catalog) -> None:
    """The window's edges (16:30 and 00:30) and the 100,000 threshold are live from the day
    before the period's date (`starts` may begin a period up to a day early) on."""
    splits = splits_of(window_from_july)
    assert splits.tod_edges == (30, 990)
    assert splits.thresholds == (100_000,)
    june_30 = dt.datetime(2025, 6, 30, tzinfo=UTC)
    assert splits.tod_eras == ((june_30, ()), (None, (0, 1)))
    assert splits.tier_eras == ((june_30, ()), (None, (0,)))
    # alpha's price change at 2025-06-10 12:00 UTC is still a breakpoint.
    assert splits.breakpoints == (dt.datetime(2025, 6, 10, 12, tzinfo=UTC),)


def test_a_catalog_whose_edges_always_hold_has_no_eras() -> None:
    """With no window and no tier the splits are empty; the SQL is the one before eras."""
    splits = splits_of(load_catalog([PRICING], include_bundled=False))
    assert (splits.tod_edges, splits.thresholds, splits.tod_eras, splits.tier_eras) == (
        (),
        (),
        (),
        (),
    )


def test_june_keeps_slices_together_july_splits_them(
    window_from_july: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worked by hand, $/M:
    - 2025-06-15 17:00, 200,000 in, 1,000 out: no window, no tier in June:
      0.5 x 0.2 + 1 x 0.001 = 0.101
    - 2025-06-15 08:00, 1,000 in, 1,000 out: 0.0005 + 0.001 = 0.0015
    - 2025-07-15 17:00 (off-peak), 1,000 in, 1,000 out: 0.25 x 0.001 + 0.5 x 0.001 = 0.00075
    - 2025-07-15 08:00, 200,000 in, 1,000 out, above the tier: 2.5 x 0.2 + 15 x 0.001 = 0.515
    Total 0.61825. June's two rows are one group (split everywhere: two); July's are two.
    """
    log = tmp_path / "log.csv"
    log.write_text(
        "timestamp,model,provider,input_tokens,cached_tokens,output_tokens\n"
        "2025-06-15T17:00:00Z,beta,lab,200000,0,1000\n"
        "2025-06-15T08:00:00Z,beta,lab,1000,0,1000\n"
        "2025-07-15T17:00:00Z,beta,lab,1000,0,1000\n"
        "2025-07-15T08:00:00Z,beta,lab,200000,0,1000\n",
        encoding="utf-8",
    )
    groups: list[int] = []
    query = DuckDBEngine.query

    def counted(self: DuckDBEngine, sql: str) -> list[Any]:
        rows = query(self, sql)
        groups.append(len(rows))
        return rows

    monkeypatch.setattr(DuckDBEngine, "query", counted)
    result = replay([log], catalog=window_from_july)
    assert result.total == Decimal("0.61825")
    assert result.by_day[dt.date(2025, 6, 15)].cost == Decimal("0.1025")
    assert result.by_day[dt.date(2025, 7, 15)].cost == Decimal("0.51575")
    assert groups == [3]

    groups.clear()
    everywhere = splits_everywhere(splits_of(window_from_july))
    monkeypatch.setattr(replay_run, "splits_of", lambda catalog: everywhere)
    assert replay([log], catalog=window_from_july).total == Decimal("0.61825")
    assert groups == [4]


def splits_everywhere(splits: Splits) -> Splits:
    """Every edge and threshold live always: the grouping before eras."""
    return dataclasses.replace(splits, tod_eras=(), tier_eras=())


@functools.cache
def bundled() -> Catalog:
    """The bundled sheets: windows of 2025 and 2026, tiers of 2025 and 2026."""
    return load_catalog([], include_bundled=True)


NAMES = (
    ("deepseek-chat", "deepseek"),
    ("deepseek-reasoner", "deepseek"),
    ("gemini-2.5-pro", "google"),
    ("claude-sonnet-4", "anthropic"),
    ("qwen3-max", "alibaba-bailian"),
    ("gpt-5.4", "openai"),
    ("gpt-4o", "openai"),
)
"""Models with off-peak windows or context tiers in some period, and one with neither."""

rows = st.lists(
    st.tuples(
        st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 11, 29)),
        st.sampled_from(NAMES),
        st.integers(min_value=1, max_value=400_000),
        st.integers(min_value=0, max_value=100),  # cached share, %
        st.integers(min_value=1, max_value=20_000),
        st.booleans(),
    ),
    min_size=1,
    max_size=25,
)


def _totals(result: Any) -> tuple[object, ...]:
    """Everything a replay prices; the unpriced list only as requests per name (its
    reasons name an instant inside a slice, which is coarser with eras)."""
    unpriced: dict[tuple[str, str], int] = {}
    for u in result.unpriced:
        unpriced[(u.model, u.provider)] = unpriced.get((u.model, u.provider), 0) + u.requests
    return (
        result.total,
        {k: (v.cost, v.requests) for k, v in result.by_model.items()},
        {k: v.cost for k, v in result.by_day.items()},
        sorted(unpriced.items()),
        [(a.model, a.provider, a.cost, a.cost_low, a.cost_high) for a in result.alternatives],
        result.best_alternative_by_day,
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=rows)
def test_eras_price_as_splitting_everywhere(
    rows: list[tuple[dt.datetime, tuple[str, str], int, int, int, bool]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Random logs over 2025-2026 on the bundled catalog: the same totals, days, models and
    alternatives as a grouping split by every edge and threshold at every instant."""
    log = tmp_path / "log.csv"
    lines = ["timestamp,model,provider,input_tokens,cached_tokens,output_tokens,batch"]
    for at, (model, provider), prompt, share, output, batch in rows:
        cached = prompt * share // 100
        lines.append(
            f"{at:%Y-%m-%dT%H:%M:%S}Z,{model},{provider},{prompt},{cached},{output},{batch}"
        )
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    catalog = bundled()
    options = CounterfactualOptions(as_of=dt.date(2026, 11, 30))
    with monkeypatch.context() as patch:
        eras = replay([log], catalog=catalog, alternatives=options)
        split = splits_everywhere(splits_of(catalog))
        patch.setattr(replay_run, "splits_of", lambda catalog: split)
        everywhere = replay([log], catalog=catalog, alternatives=options)
    assert _totals(eras) == _totals(everywhere)


instants = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2025, 1, 20)).map(
    lambda at: at.replace(minute=0, second=0, microsecond=0, tzinfo=UTC)
)
spans = st.dictionaries(
    st.integers(min_value=1, max_value=6),
    st.lists(st.tuples(instants, st.one_of(st.none(), instants)), min_size=1, max_size=3),
    min_size=1,
    max_size=4,
)


@given(spans=spans)
def test_eras_are_the_values_holding_in_each(
    spans: dict[int, list[tuple[dt.datetime, dt.datetime | None]]],
) -> None:
    """Each era's live values are those with a span holding at the era's first instant,
    and no value holds anywhere else; or, with no eras, every value always holds where
    any could matter (no span ends, and all start together)."""
    values, eras = _eras(spans)
    assert values == tuple(sorted(spans))

    def live_at(at: dt.datetime) -> tuple[int, ...]:
        return tuple(
            n
            for n, v in enumerate(values)
            if any(s <= at and (e is None or at < e) for s, e in spans[v])
        )

    edges = sorted({at for found in spans.values() for span in found for at in span if at})
    if not eras:
        assert all(live_at(at) in ((), tuple(range(len(values)))) for at in edges)
        return
    begin: dt.datetime | None = None
    for end, live in eras:
        if begin is None:
            assert live == ()  # before every start
        else:
            probes = [at for at in edges if at >= begin and (end is None or at < end)]
            assert all(live_at(at) == live for at in [begin, *probes])
        begin = end
    assert eras[-1][0] is None


def test_thousands_of_dated_tiers_split_everywhere_instead() -> None:
    """5,000 thresholds, each in a period of its own day: 10,000 eras of one value each
    would write a CASE of that many branches per row; past `ERA_TERMS` pairs the grouping
    splits at every threshold always (right, with more groups), at once."""
    day = dt.datetime(2025, 1, 1, tzinfo=UTC)
    many = {
        1000 + n: [(day + dt.timedelta(days=n), day + dt.timedelta(days=n + 1))]
        for n in range(5000)
    }
    started = time.process_time()
    values, eras = _eras(many)
    assert time.process_time() - started < 1
    assert len(values) == 5000
    assert eras == ()
    assert ERA_TERMS < (2 * 5000 + 1) * 5000  # instants x values


def _starts_by_scan(as_of: dt.date, ends: list[dt.datetime]) -> dt.datetime:
    """`starts` as it was written before bisecting: a scan of every end."""
    start = dt.datetime.combine(as_of, dt.time(0), tzinfo=UTC)
    day = dt.timedelta(days=1)
    near = [x for x in ends if start - day < x < start + day and x != start]
    later = [x for x in near if x > start]
    if later:
        return max(later)
    return max(near) if near else start


@given(
    as_of=st.dates(min_value=dt.date(2025, 1, 2), max_value=dt.date(2025, 1, 9)),
    ends=st.lists(
        st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2025, 1, 10)).map(
            lambda at: at.replace(second=0, microsecond=0, tzinfo=UTC)
        ),
        max_size=12,
    ),
)
def test_starts_bisects_as_the_scan_did(as_of: dt.date, ends: list[dt.datetime]) -> None:
    """The hand-over a period dated `as_of` starts at, ends within a day either side (at
    midnight too), equal ends, none."""
    midnights = [dt.datetime.combine(as_of, dt.time(0), tzinfo=UTC)]
    for extra in ([], midnights):
        found = sorted(ends + extra)
        assert starts(as_of, found) == _starts_by_scan(as_of, found)


def test_thousands_of_periods_are_not_a_scan_each() -> None:
    """30,000 periods (a layer under the file limits): each start is found by bisection.
    The scan per period took minutes here (9 x 10^8 comparisons); now well under a second."""
    first = dt.date(2000, 1, 1)
    ends = sorted(
        dt.datetime.combine(first + dt.timedelta(days=n), dt.time(16), tzinfo=UTC)
        for n in range(30_000)
    )
    started = time.process_time()
    found = [starts(first + dt.timedelta(days=n + 1), ends) for n in range(30_000)]
    assert time.process_time() - started < 2
    # A period dated day D starts at D's own 16:00 end, the latest within a day after
    # midnight; the scan agrees on a sample.
    assert found[:3] == ends[1:4]
    sample = range(0, 30_000, 3_000)
    assert [found[n] for n in sample] == [
        _starts_by_scan(first + dt.timedelta(days=n + 1), ends) for n in sample
    ]
