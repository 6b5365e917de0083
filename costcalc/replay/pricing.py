"""Exact repricing of grouped usage with the cost engine (`costcalc.cost.cost_of`).

A group holds requests that all fall in one price: same offer, same day (prices
and exchange rates are dated by day), same slice between intra-day price changes,
same off-peak slice of the day, same context tier, same batch flag. Each group is
priced at a representative instant inside it: the cost engine is asked with an
offer narrowed to what holds at that instant (the price periods in force, the
tier every request of the group is in, the batch and off-peak prices in force, the
off-peak share when the instant is inside the window), on that instant's day, so
the currency choice and the FX conversion are the engine's own. Groups that share
all of that are summed before pricing (cost is linear in tokens), and a sum is priced
from prices per token learnt from the engine's own cost lines (`Pricer.total`, the same
Decimal digit for digit), so the engine is called a few dozen times per replay, not once
per group or day.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import NamedTuple

from costcalc.catalog import Catalog, OfferEntry
from costcalc.cost import COMPONENTS, MILLION_EXPONENT, CostResult, Usage, cost_of
from costcalc.errors import NoPriceError
from costcalc.numbers import exact_product, exact_shift, exact_sum
from costcalc.records import Discounted, PricePeriod, Tier, as_instant, start_of
from costcalc.replay.grouping import Era, Splits

ZERO = Decimal(0)
UTC = dt.timezone.utc
_COMPONENT_INDEX = {name: i for i, name in enumerate(COMPONENTS)}


def splits_of(catalog: Catalog) -> Splits:
    """Where any offer's price (or API name) can change within a day, its off-peak edges,
    its tier thresholds, and when each edge and threshold can matter (`Splits`)."""
    breaks: set[dt.datetime] = set()
    edges: dict[int, list[Span]] = {}
    thresholds: dict[int, list[Span]] = {}

    def until(value: dt.date | dt.datetime | None) -> None:
        if value is None:
            return
        instant = as_instant(value)
        if instant != start_of(instant.date()):
            breaks.add(instant)

    for entry in catalog.offers:
        for other in entry.offer.api_names:  # a name that moves mid-day splits it there too
            until(other.from_)
            until(other.until)
        for period in entry.offer.prices:
            until(period.valid_until)
            # When the period can hold, or a little more: `starts` may begin it up to a
            # day before its date; it ends at its `valid_until`, a midnight or a break.
            span = (
                start_of(period.as_of) - dt.timedelta(days=1),
                as_instant(period.valid_until) if period.valid_until else None,
            )
            extras: list[Discounted | None] = [period.batch, period.off_peak]
            for tier in period.tiers:
                thresholds.setdefault(int(tier.above_input_tokens), []).append(span)
                extras.append(tier.batch)
            for extra in extras:
                if extra is not None:
                    until(extra.valid_until)
            if period.off_peak is not None:
                for text in (period.off_peak.window.start, period.off_peak.window.end):
                    hours, minutes = text.split(":")
                    minute = int(hours) * 60 + int(minutes)
                    if minute:
                        edges.setdefault(minute, []).append(span)
    tod_edges, tod_eras = _eras(edges)
    tiers, tier_eras = _eras(thresholds)
    return Splits(tuple(sorted(breaks)), tod_edges, tiers, tod_eras, tier_eras)


Span = tuple[dt.datetime, dt.datetime | None]
"""[from, until) an edge or threshold can matter; until None: open-ended."""


ERA_TERMS = 4096
"""At most this many (era, value) pairs: a catalog with more (a layer of thousands of dated
tiers) splits everywhere instead, always right, with more groups, so neither the query nor
the work of writing it grows with the product of its periods and thresholds."""


def _eras(spans: dict[int, list[Span]]) -> tuple[tuple[int, ...], tuple[Era, ...]]:
    """The values ascending, and the eras in which each is live (none: all always are).

    The eras end where any span starts or ends: midnights, or `valid_until` instants,
    which are midnights or breakpoints. One sweep over those instants.
    """
    values = tuple(sorted(spans))
    index = {v: n for n, v in enumerate(values)}
    events: dict[dt.datetime, list[tuple[int, int]]] = {}
    for value, found in spans.items():
        for start, end in found:
            if end is not None and end <= start:
                continue  # never holds
            events.setdefault(start, []).append((index[value], 1))
            if end is not None:
                events.setdefault(end, []).append((index[value], -1))
    if (len(events) + 1) * len(values) > ERA_TERMS:
        return values, ()
    holding = [0] * len(values)
    live: tuple[int, ...] = ()  # before every span's start
    eras: list[Era] = []
    for at in [*sorted(events), None]:
        if eras and eras[-1][1] == live:
            eras[-1] = (at, live)
        else:
            eras.append((at, live))
        if at is None:
            break
        for n, step in events[at]:
            holding[n] += step
        live = tuple(n for n, count in enumerate(holding) if count > 0)
    if all(live == tuple(range(len(values))) for _end, live in eras):
        return values, ()
    return values, tuple(eras)


LANE_BITS = 96
"""Bits per count in a packed sum (`pack`): a row counts at most 10^12 of anything (larger
is a bad row, see `grouping.MAX_TOKENS`), so a lane holds the sum of 7.9 * 10^16 rows."""
_LANE = (1 << LANE_BITS) - 1


def pack(sums: Sequence[int]) -> int:
    """Requests and the five token counts (each >= 0) in one integer, one 96-bit lane each.

    Adding two packed sums adds every lane (no lane can carry into the next, see
    `LANE_BITS`), and subtracting a part of a sum from it subtracts every lane: the
    replay adds tens of thousands of groups per run, one integer addition each instead
    of six.
    """
    requests, inp, cached, written, out, reasoning = sums
    return (
        requests
        | inp << LANE_BITS
        | cached << 2 * LANE_BITS
        | written << 3 * LANE_BITS
        | out << 4 * LANE_BITS
        | reasoning << 5 * LANE_BITS
    )


def unpack(packed: int) -> tuple[int, int, int, int, int, int]:
    """The six counts of a packed sum (see `pack`)."""
    return (
        packed & _LANE,
        packed >> LANE_BITS & _LANE,
        packed >> 2 * LANE_BITS & _LANE,
        packed >> 3 * LANE_BITS & _LANE,
        packed >> 4 * LANE_BITS & _LANE,
        packed >> 5 * LANE_BITS,
    )


def requests_of(packed: int) -> int:
    """The requests of a packed sum."""
    return packed & _LANE


class Slot(NamedTuple):
    """What one packed grouping key (`grouping.Key`) says of its rows, decoded once per key."""

    day: dt.date
    tod: int
    epoch: int
    tier: int
    batch: bool
    has_cost: bool
    bad: int
    at: dt.datetime
    """An instant inside the slot (`instant_at`)."""
    instant: int
    """The same number for the same (day, tod, epoch), i.e. the same `at`."""
    order: int
    """Sorts slots by (day, tod, epoch, tier, batch, has_cost); has_cost is its lowest bit,
    so `order >> 1` is the same number for the same (day, tod, epoch, tier, batch)."""


class Traffic(NamedTuple):
    """One priced group as the counterfactual reads it: when, the catalog model, the sums."""

    slot: Slot
    model: str
    """The catalog's model id the logged name resolved to."""
    tokens: int
    """requests, input, cached, cache-write, output and reasoning tokens, packed (`pack`)."""


def instant_at(day: dt.date, tod: int, epoch: int, splits: Splits) -> dt.datetime:
    """An instant inside a slice: the start of its day, time-of-day and epoch slices.

    The slice's requests lie in [day + edge[tod-1], day + edge[tod]) and in
    [break[epoch-1], break[epoch]); both hold requests, so the later start is in both.
    """
    start = dt.datetime.combine(day, dt.time(0), tzinfo=UTC)
    if tod > 0:
        start += dt.timedelta(minutes=splits.tod_edges[tod - 1])
    if epoch > 0:
        start = max(start, splits.breakpoints[epoch - 1])
    return start


def _holds(
    as_of: dt.date | None, valid_until: dt.date | dt.datetime | None, at: dt.datetime
) -> bool:
    if as_of is not None and start_of(as_of) > at:
        return False
    return valid_until is None or at < as_instant(valid_until)


def starts(as_of: dt.date, ends: Sequence[dt.datetime]) -> dt.datetime:
    """When a price dated `as_of` starts: that day's midnight, or the hand-over it follows.

    Sheets date a period's start by day but may end the previous one at an instant
    (`valid_until: 2025-09-05T16:00:00Z`). The next period is then dated that day or,
    since a day's price is the one holding at its 00:00 UTC, the day after; either
    way it starts at that instant, so a log splits exactly there and has no gap:
    the latest end within a day after midnight, else the latest within a day before.
    `ends`: the offers' `valid_until` instants, ascending (bisected: a layer of
    thousands of periods is not a scan per period).
    """
    start = start_of(as_of)
    day = dt.timedelta(days=1)
    lo = bisect.bisect_right(ends, start - day)
    hi = bisect.bisect_left(ends, start + day)
    if hi > lo and ends[hi - 1] > start:
        return ends[hi - 1]
    before = bisect.bisect_left(ends, start, lo, hi)
    return ends[before - 1] if before > lo else start


def _minute(at: dt.datetime) -> int:
    return at.hour * 60 + at.minute


def _in_window(start: str, end: str, minute: int) -> bool:
    def mins(text: str) -> int:
        hours, minutes = text.split(":")
        return int(hours) * 60 + int(minutes)

    lo, hi = mins(start), mins(end)
    return lo <= minute < hi if lo < hi else minute >= lo or minute < hi


@dataclass(frozen=True)
class Narrowed:
    """An offer as it holds at one instant for one group, ready for `cost_of`."""

    entry: OfferEntry
    off_peak: bool
    signature: int
    """The same number for the same narrowing (of the same offer), in one Pricer."""
    at: dt.datetime
    """The instant it holds at (for messages)."""


class Pricer:
    """Narrow offers for groups and price them with the cost engine, caching both."""

    def __init__(self, catalog: Catalog, splits: Splits, currency: str) -> None:
        self.catalog = catalog
        self.splits = splits
        self.currency = currency
        self._narrowed: dict[tuple[object, ...], tuple[OfferEntry, int]] = {}
        self._memo: dict[tuple[object, ...], tuple[OfferEntry, bool, int]] = {}
        self._bound_cache: dict[tuple[str, str], tuple[list[dt.datetime], bool]] = {}
        self._schedule: dict[
            tuple[str, str], list[tuple[int, dt.datetime, dt.datetime | None]]
        ] = {}
        self._fx_epochs: dict[dt.date, int] = {}
        self._fx_days = sorted({e.rate.as_of for e in catalog.fx})
        self._all_bounds: list[dt.datetime] | None = None
        self._units: dict[tuple[object, ...], tuple[Decimal | None, ...]] = {}
        self._thresholds: dict[int, tuple[int, ...]] = {}

    def fx_epoch(self, day: dt.date) -> int:
        """Days with the same number of FX dates on or before them convert alike."""
        found = self._fx_epochs.get(day)
        if found is None:
            found = self._fx_epochs[day] = bisect.bisect_right(self._fx_days, day)
        return found

    def _bounds(self, entry: OfferEntry) -> tuple[list[dt.datetime], bool]:
        """Every instant at which anything of an offer's prices starts or stops holding,
        ascending, and whether it has an off-peak price.

        Between two consecutive bounds the offer narrows alike at every instant of the
        same minute of the day and tier (see `narrow_at`).
        """
        found = self._bound_cache.get(entry.key)
        if found is not None:
            return found
        ends = sorted(as_instant(p.valid_until) for p in entry.offer.prices if p.valid_until)
        bounds: set[dt.datetime] = set(ends)
        off_peak = False
        for period in entry.offer.prices:
            bounds.add(starts(period.as_of, ends))
            bounds.add(start_of(period.as_of))
            extras: list[Discounted | None] = [period.batch, period.off_peak]
            extras += [t.batch for t in period.tiers]
            for extra in extras:
                if extra is None:
                    continue
                if extra.as_of is not None:
                    bounds.add(start_of(extra.as_of))
                if extra.valid_until is not None:
                    bounds.add(as_instant(extra.valid_until))
            off_peak = off_peak or period.off_peak is not None
        found = self._bound_cache[entry.key] = (sorted(bounds), off_peak)
        return found

    def all_bounds(self) -> list[dt.datetime]:
        """Every offer's bounds and the start of every exchange-rate date, ascending.

        Two instants between the same two of these, at the same minute of the day, are
        priced alike by every offer of the catalog (same regime, same exchange rates).
        """
        if self._all_bounds is None:
            found: set[dt.datetime] = {start_of(day) for day in self._fx_days}
            for entry in self.catalog.offers:
                found.update(self._bounds(entry)[0])
            self._all_bounds = sorted(found)
        return self._all_bounds

    def regime(self, entry: OfferEntry, at: dt.datetime) -> tuple[int, int]:
        """What an offer's narrowing depends on in an instant: how many of its bounds lie at
        or before it, and its minute of the day when the offer has an off-peak price."""
        bounds, has_off_peak = self._bounds(entry)
        return bisect.bisect_right(bounds, at), _minute(at) if has_off_peak else -1

    def narrow_at(
        self, entry: OfferEntry, at: dt.datetime, tier: int
    ) -> tuple[OfferEntry, bool, int]:
        """The offer as it holds at an instant for a context tier: (the narrowed offer, whether
        an off-peak price holds there for non-batch traffic, its signature: the same number
        for the same narrowing).

        Memoised per offer, price regime (the bounds of `_bounds` the instant lies
        between), minute of the day (off-peak windows; only for offers with one) and
        tier: the narrowed offer depends on nothing else, so the memo holds a few
        entries per offer however many days the log spans.
        """
        memo = (entry.key, *self.regime(entry, at), tier)
        found = self._memo.get(memo)
        if found is None:
            found = self._memo[memo] = self._narrow(entry, tier, at)
        return found

    def _narrow(
        self, entry: OfferEntry, tier_index: int, at: dt.datetime
    ) -> tuple[OfferEntry, bool, int]:
        floor = self.splits.thresholds[tier_index - 1] if tier_index > 0 else None
        minute = _minute(at)
        parts: list[tuple[object, ...]] = []
        keep: list[int] = []
        off_peak_any = False
        schedule = self._schedule.get(entry.key)
        if schedule is None:
            ends = sorted(as_instant(p.valid_until) for p in entry.offer.prices if p.valid_until)
            schedule = [
                (
                    index,
                    starts(period.as_of, ends),
                    as_instant(period.valid_until) if period.valid_until else None,
                )
                for index, period in enumerate(entry.offer.prices)
            ]
            self._schedule[entry.key] = schedule
        for index, begin, end in schedule:
            if begin > at or (end is not None and at >= end):
                continue
            period = entry.offer.prices[index]
            tier = None
            if floor is not None:
                eligible = [t for t in period.tiers if t.above_input_tokens <= floor]
                tier = eligible[-1] if eligible else None
            batch_src = tier.batch if tier is not None else period.batch
            batch_on = batch_src is not None and _holds(batch_src.as_of, batch_src.valid_until, at)
            op = period.off_peak
            op_on = (
                op is not None
                and _holds(op.as_of, op.valid_until, at)
                and _in_window(op.window.start, op.window.end, minute)
            )
            off_peak_any = off_peak_any or op_on
            keep.append(index)
            # A period dated the day after its hand-over instant holds from that instant:
            # the cost engine is asked on the instant's day, so date it from that day.
            as_of = min(period.as_of, at.date())
            parts.append(
                (
                    index,
                    tier.above_input_tokens if tier is not None else None,
                    batch_on,
                    op_on,
                    as_of,
                )
            )
        parts_key = (entry.key, tuple(parts))
        found = self._narrowed.get(parts_key)
        if found is None:
            found = self._narrowed[parts_key] = (
                self._build(entry, parts, keep),
                len(self._narrowed),
            )
        return found[0], off_peak_any, found[1]

    def _build(
        self, entry: OfferEntry, parts: Sequence[tuple[object, ...]], keep: Sequence[int]
    ) -> OfferEntry:
        periods: list[PricePeriod] = []
        for index, threshold, batch_on, op_on, as_of in parts:
            assert isinstance(index, int)
            period = entry.offer.prices[index]
            tiers: list[Tier] = []
            if threshold is not None:
                tier = next(t for t in period.tiers if t.above_input_tokens == threshold)
                tiers = [tier.model_copy(update={"batch": _open(tier.batch) if batch_on else None})]
            periods.append(
                period.model_copy(
                    update={
                        "as_of": as_of,
                        "valid_until": None,
                        "tiers": tiers,
                        "batch": _open(period.batch) if batch_on and not tiers else None,
                        "off_peak": _open(period.off_peak) if op_on else None,
                    }
                )
            )
        offer = entry.offer.model_copy(update={"prices": periods})
        origins = tuple(entry.period_origins[i] for i in keep)
        return replace(entry, offer=offer, period_origins=origins)

    def price(
        self, narrowed: Narrowed, day: dt.date, sums: Sequence[int], batch: bool
    ) -> CostResult:
        """Price summed tokens on a narrowed offer as of a day (exact Decimal, the cost engine)."""
        requests, inp, cached, written, out, reasoning = sums
        usage = Usage(
            input_tokens=Decimal(inp),
            output_tokens=Decimal(out),
            cached_tokens=Decimal(cached),
            cache_write_tokens=Decimal(written),
            reasoning_tokens=Decimal(reasoning),
            batch_share=Decimal(1 if batch else 0),
            off_peak_share=Decimal(1 if narrowed.off_peak else 0),
        )
        del requests
        if not narrowed.entry.offer.prices:
            entry = narrowed.entry
            raise NoPriceError(
                f"{entry.label}: no price in force at {narrowed.at:%Y-%m-%d %H:%M} UTC",
                file=entry.origin.file,
                line=entry.origin.line,
            )
        return cost_of(narrowed.entry, usage, when=day, currency=self.currency, fx=self.catalog.fx)

    def total(self, narrowed: Narrowed, day: dt.date, sums: Sequence[int], batch: bool) -> Decimal:
        """`price(…).total`, the same Decimal (value and exponent), from prices per token.

        Every cost line is tokens × rate × 10^-6 × the conversion factor, all exact, so on
        one narrowing, exchange-rate epoch, batch and off-peak term and context tier (which
        the engine picks by the summed prompt: `_units_key`) a component's price per token
        is one Decimal, and a total is the exact sum of tokens × that price over the
        components with tokens (the engine leaves out the others, as this does). The prices
        per token are learnt from the engine's own lines, and the engine is asked again only
        for a component not seen yet there; a failure is never kept (its message names the
        day). A replay prices thousands of day-groups on a few dozen such terms.
        """
        key = self._units_key(narrowed, day, sums[1], batch)
        units = self._units.get(key)
        _requests, inp, cached, written, out, reasoning = sums
        tokens = (inp - cached - written, cached, written, out, reasoning)
        if units is not None:
            known = [(Decimal(n), u) for n, u in zip(tokens, units, strict=True) if n]
            if all(u is not None for _n, u in known):
                return exact_sum(exact_product(n, u) for n, u in known if u is not None)
        result = self.price(narrowed, day, sums, batch)
        factor = result.choice.conversion.factor if result.choice.conversion else None
        learnt: list[Decimal | None] = (
            list(units) if units is not None else [None] * len(COMPONENTS)
        )
        for line in result.lines:
            unit = exact_shift(line.rate, -MILLION_EXPONENT)
            learnt[_COMPONENT_INDEX[line.component]] = (
                exact_product(unit, factor) if factor is not None else unit
            )
        self._units[key] = tuple(learnt)
        return result.total

    def units(
        self, narrowed: Narrowed, day: dt.date, sums: Sequence[int], batch: bool
    ) -> tuple[Decimal, ...]:
        """The price of one uncached input, cache-read, cache-write, output and reasoning token
        of a group (its summed tokens `sums`) priced by `total` first, in its own context tier;
        0 for a component with no tokens in the group (no row of it has any)."""
        found = self._units[self._units_key(narrowed, day, sums[1], batch)]
        return tuple(ZERO if u is None else u for u in found)

    def _units_key(
        self, narrowed: Narrowed, day: dt.date, prompt: int, batch: bool
    ) -> tuple[object, ...]:
        """What a price per token depends on besides the component: the narrowing, the
        exchange-rate epoch, batch, off-peak, and which of the narrowing's tiers the engine
        takes for the summed prompt (a narrowed period keeps at most the one tier its
        group's requests are in; the engine takes it when the sum is above its threshold)."""
        thresholds = self._thresholds.get(narrowed.signature)
        if thresholds is None:
            thresholds = self._thresholds[narrowed.signature] = tuple(
                tier.above_input_tokens
                for period in narrowed.entry.offer.prices
                for tier in period.tiers
            )
        above = tuple(prompt > t for t in thresholds) if thresholds else ()
        return (narrowed.signature, self.fx_epoch(day), batch, narrowed.off_peak, above)


def _open(extra: Discounted | None) -> Discounted | None:
    """A batch or off-peak price in force, with its end removed (it holds for the group)."""
    if extra is None:
        return None
    return extra.model_copy(update={"valid_until": None})
