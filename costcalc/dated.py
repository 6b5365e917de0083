"""What is in force on a day: the one rule every dated record of the catalog follows.

Prices, exchange rates, rate limits and GPU prices are dated records. A record
dated [as_of, valid_until) holds from 00:00 UTC of `as_of` until `valid_until`
(a date means its 00:00 UTC; `valid_until` may be an instant); a day is asked
about at its 00:00 UTC. Among the records of one kind in force on a day, the
latest `as_of` wins, and equal dates go to the later record in load order (a
later layer, or later in its file): the same "later wins" the catalog's merge
follows. Every command takes its dated lookups from here, so `cost`, `compare`,
`budget`, `check`, `replay` and `validate --max-age` agree on what holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from costcalc.records import as_instant, start_of

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

Dates = Callable[[T], "tuple[dt.date | None, dt.date | dt.datetime | None]"]
"""A record's (as_of, valid_until); None for either means unbounded on that side."""


def in_force(
    as_of: dt.date | None, valid_until: dt.date | dt.datetime | None, when: dt.date
) -> bool:
    """Whether something dated [as_of, valid_until) holds on a day (at 00:00 UTC)."""
    if as_of is not None and as_of > when:
        return False
    return valid_until is None or start_of(when) < as_instant(valid_until)


def latest_in_force(items: Iterable[T], when: dt.date, dates: Dates[T]) -> T | None:
    """The record in force on `when`: latest as_of, the later one on a tie; None if none."""
    found: T | None = None
    found_as_of: dt.date | None = None
    for item in items:
        as_of, valid_until = dates(item)
        if not in_force(as_of, valid_until, when):
            continue
        if found is None or _not_before(as_of, found_as_of):
            found, found_as_of = item, as_of
    return found


def latest_in_force_by(
    items: Iterable[T], when: dt.date, dates: Dates[T], group: Callable[[T], K]
) -> dict[K, T]:
    """`latest_in_force` per group (a currency, a rate-limit tier), groups in first-seen order."""
    found: dict[K, tuple[T, dt.date | None]] = {}
    for item in items:
        as_of, valid_until = dates(item)
        if not in_force(as_of, valid_until, when):
            continue
        key = group(item)
        held = found.get(key)
        if held is None or _not_before(as_of, held[1]):
            found[key] = (item, as_of)
    return {key: item for key, (item, _) in found.items()}


def _not_before(as_of: dt.date | None, held: dt.date | None) -> bool:
    """Whether a record dated `as_of` replaces one dated `held` (undated is the earliest)."""
    if as_of is None:
        return held is None
    return held is None or as_of >= held
