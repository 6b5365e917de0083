"""Notes for people that several renderers share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

PRICE_AGE_DAYS = 180
"""A price whose period began longer ago than this is called old on screen."""


def price_age_note(
    priced: Iterable[tuple[str, dt.date]], when: dt.date, limit: int = PRICE_AGE_DAYS
) -> str | None:
    """How old the shown prices are: '3 of 15 prices took effect over 180 days before
    2026-11-30 (oldest: o1 @ openai, 2024-12-17)'. `priced` is (label, price as_of) per row.
    None when no price is that old (the table's dates are then all recent)."""
    rows = list(priced)
    old = sorted((as_of, label) for label, as_of in rows if (when - as_of).days > limit)
    if not old:
        return None
    as_of, label = old[0]
    return (
        f"{len(old)} of {len(rows)} prices took effect over {limit} days before {when}"
        f" (oldest: {label}, {as_of}); check them with `costcalc validate --max-age {limit}d`"
    )
