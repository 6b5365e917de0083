"""Replay's per-token pricing (`Pricer.total`, `Pricer.units`) against the cost engine."""

from __future__ import annotations

import datetime as dt
import functools
import json
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from costcalc.catalog import Catalog, load_catalog
from costcalc.cli import app
from costcalc.errors import NoPriceError
from costcalc.fx import PRECISION
from costcalc.replay.pricing import Narrowed, Pricer, splits_of
from helpers import tiered_beta

PRICING = Path(__file__).parent / "fixtures" / "replay" / "pricing"
runner = CliRunner()


@functools.cache
def bundled() -> Catalog:
    """The bundled sheets: context tiers, off-peak windows, cache writes, CNY prices (not a
    fixture: hypothesis would print the whole catalog with a failing example)."""
    return load_catalog([], include_bundled=True)


count = st.one_of(
    st.just(0),
    st.integers(min_value=1, max_value=10**5),
    st.integers(min_value=1, max_value=10**12),
)
"""A token count: zero a third of the time (a component with no tokens is left out of a
total), small a third (a summed prompt below a context tier's threshold)."""


@settings(max_examples=300)
@given(
    pick=st.integers(min_value=0, max_value=10**6),
    day=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 11, 30)),
    minute=st.integers(min_value=0, max_value=1439),
    tier=st.integers(min_value=0, max_value=8),
    batch=st.booleans(),
    currency=st.sampled_from(["USD", "CNY"]),  # the bundled FX table is USD/CNY
    groups=st.lists(
        st.tuples(st.sampled_from((0, 1, 45, 90, 180)), count, count, count, count, count, count),
        min_size=1,
        max_size=4,
    ),
)
def test_total_is_the_engines_total_digit_for_digit(
    pick: int,
    day: dt.date,
    minute: int,
    tier: int,
    batch: bool,
    currency: str,
    groups: list[tuple[int, int, int, int, int, int, int]],
) -> None:
    """The same Decimal as `price(…).total` (str() compares the exponent too), or the same
    error, for groups priced one after another on one narrowing, each on its own day (up to
    180 days on: other exchange rates): the first teaches the prices per token, the later
    ones use them (or teach a component not seen yet)."""
    catalog = bundled()
    pricer = Pricer(catalog, splits_of(catalog), currency)
    entry = catalog.offers[pick % len(catalog.offers)]
    at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=dt.timezone.utc)
    tiers = len(pricer.splits.thresholds) + 1
    built, off_peak_any, signature = pricer.narrow_at(entry, at, tier % tiers)
    narrowed = Narrowed(built, off_peak_any and not batch, signature, at)
    for later, requests, a, b, c, out, reasoning in groups:
        inp = a + b + c  # cached and cache-write tokens are part of the prompt
        sums = (requests, inp, b, c, out, reasoning)
        on = day + dt.timedelta(days=later)
        try:
            want = str(pricer.price(narrowed, on, sums, batch).total)
        except NoPriceError:
            with pytest.raises(NoPriceError):
                pricer.total(narrowed, on, sums, batch)
            continue
        assert str(pricer.total(narrowed, on, sums, batch)) == want


def test_a_narrowing_in_a_tier_priced_below_its_threshold(tmp_path: Path) -> None:
    """The engine takes a narrowed tier only when the summed prompt is above its threshold
    (a group of rows logging 0 requests can sum below it), and `total` does the same:
    beta @ lab, $/M 0.5 in, 1 out; above 100,000 prompt tokens 2.5 in, 15 out.
    250,000 in + 1,000 out in the tier: 0.625 + 0.015 = 0.64; then, on the same
    narrowing, 1,000 in + 1,000 out: 0.0005 + 0.001 = 0.0015."""
    catalog = load_catalog([PRICING, tiered_beta(tmp_path, 100_000)], include_bundled=False)
    pricer = Pricer(catalog, splits_of(catalog), "USD")
    entry = next(o for o in catalog.offers if o.label == "beta @ lab")
    at = dt.datetime(2025, 7, 1, tzinfo=dt.timezone.utc)
    tier = pricer.splits.thresholds.index(100_000) + 1
    built, off_peak, signature = pricer.narrow_at(entry, at, tier)
    narrowed = Narrowed(built, off_peak, signature, at)
    day = at.date()
    assert pricer.total(narrowed, day, (1, 250_000, 0, 0, 1_000, 0), False) == Decimal("0.64")
    assert pricer.total(narrowed, day, (0, 1_000, 0, 0, 1_000, 0), False) == Decimal("0.0015")


def test_units_are_the_groups_own_tier(tmp_path: Path) -> None:
    """The rows whose logged cost differs most are priced in their group's context tier.

    beta @ lab, $/M: 0.5 in, 1 out; above 100,000 prompt tokens 2.5 in, 15 out.
    - line 2: 250,000 in, 1,000 out: 250,000 x 2.5 / 10^6 + 1,000 x 15 / 10^6
      = 0.625 + 0.015 = 0.64; logged 0.1 -> difference -0.54.
      (Before 2026-12-01 the per-token prices came from pricing one token, below every
      threshold: 250,000 x 0.5 / 10^6 + 1,000 x 1 / 10^6 = 0.126.)
    - line 3: 1,000 in, 1,000 out: 0.0005 + 0.001 = 0.0015; logged 0.1 -> +0.0985.
    The rows add up to the reconciliation's list price, 0.6415.
    """
    layer = tiered_beta(tmp_path, 100_000)
    log = tmp_path / "tiered.csv"
    log.write_text(
        "timestamp,model,provider,input_tokens,cached_tokens,output_tokens,cost\n"
        "2025-07-01T10:00:00Z,beta,lab,250000,0,1000,0.1\n"
        "2025-07-01T11:00:00Z,beta,lab,1000,0,1000,0.1\n",
        encoding="utf-8",
    )
    out = runner.invoke(
        app,
        ["replay", str(log), "--no-bundled", "--pricing", str(PRICING), "--pricing", str(layer),
         "--format", "json", "--row-differences", "5"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    rec = json.loads(out.stdout)["reconciliation"]
    rows = [(r["input_tokens"], r["list"], r["difference"]) for r in rec["rows"]]
    assert rows == [(250000, "0.64", "-0.54"), (1000, "0.0015", "0.0985")]
    assert rec["list_total"] == "0.6415"
    assert sum(Decimal(r["list"]) for r in rec["rows"]) == Decimal(rec["list_total"])


def test_one_narrowing_on_two_exchange_rates() -> None:
    """cnmodel @ cnhost bills CNY 4 in / 16 out; asked in USD, one narrowing priced on
    2025-06-12 (1 USD = 8 CNY, dated 2025-06-01) and then on 2025-06-16 (7.5, dated
    2025-06-15): 1M in + 1M out = CNY 20 -> USD 2.5, then 20 / 7.5 (each line x the
    rounded inverse of the rate, as the engine converts)."""
    catalog = load_catalog([PRICING], include_bundled=False)
    pricer = Pricer(catalog, splits_of(catalog), "USD")
    entry = next(o for o in catalog.offers if o.model.id == "cnmodel")
    at = dt.datetime(2025, 6, 12, tzinfo=dt.timezone.utc)
    built, off_peak, signature = pricer.narrow_at(entry, at, 0)
    narrowed = Narrowed(built, off_peak, signature, at)
    sums = (1, 1_000_000, 0, 0, 1_000_000, 0)
    assert pricer.total(narrowed, dt.date(2025, 6, 12), sums, False) == Decimal("2.5")
    later = pricer.total(narrowed, dt.date(2025, 6, 16), sums, False)
    assert str(later) == str(pricer.price(narrowed, dt.date(2025, 6, 16), sums, False).total)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        factor = Decimal(1) / Decimal("7.5")  # 0.1333…3, 50 digits
        ctx.prec = 200  # then exact: 4 x factor + 16 x factor = 2.666…60
        assert later == 4 * factor + 16 * factor
