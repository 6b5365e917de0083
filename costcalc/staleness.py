"""Stale figures: prices and scores older than a limit (`costcalc validate --max-age`).

A price's age is measured from the `as_of` of the period **in force** on the
given day (per offer and currency: the latest period started and not ended).
An offer whose every period has ended is reported too ("no price in force"),
dated by its latest period; an offer whose prices all start later is not.
A benchmark score's age is measured from its own `as_of`, for the scores in force
only (costcalc.scores_in_force: a score a later layer replaced, or a feed score a
curated sheet rejects, is not aged); scores without a date cannot be aged and are
only counted. Today is passed in, never read here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from costcalc.catalog import Catalog
from costcalc.cost import periods_in_force
from costcalc.dated import latest_in_force
from costcalc.errors import InputError
from costcalc.scores_in_force import scores_in_force

_AGE = re.compile(r"^\s*(\d{1,12})\s*([dw]?)\s*$")

MAX_AGE_DAYS = 36_500
"""Longest --max-age: 100 years (a longer limit flags nothing; dates would overflow)."""


def parse_max_age(text: str) -> int:
    """'90d' (days), '12w' (weeks) or '90' (days) as a number of days, 1 to 36,500."""
    match = _AGE.match(text.lower())
    if not match:
        raise InputError(f"--max-age {text!r}: expected days or weeks, e.g. 90d or 12w")
    days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
    if days <= 0:
        raise InputError(f"--max-age {text!r}: must be at least one day")
    if days > MAX_AGE_DAYS:
        raise InputError(f"--max-age {text!r}: at most {MAX_AGE_DAYS:,} days (100 years)")
    return days


@dataclass(frozen=True)
class StaleItem:
    """One figure older than the limit."""

    kind: str
    """price or score"""
    label: str
    as_of: dt.date
    age_days: int
    origin: str
    detail: str = ""

    def message(self, max_age_days: int) -> str:
        extra = f"; {self.detail}" if self.detail else ""
        return (
            f"{self.origin}: {self.kind} of {self.label} is {self.age_days} days old"
            f" (as of {self.as_of}; limit {max_age_days} days){extra}"
        )


@dataclass
class StaleReport:
    items: list[StaleItem] = field(default_factory=list)
    prices_checked: int = 0
    scores_checked: int = 0
    scores_undated: int = 0


def find_stale(catalog: Catalog, today: dt.date, max_age_days: int) -> StaleReport:
    """Every price in force today, and every dated score in force, older than `max_age_days`.

    Two scores for one model and benchmark in one layer and role (which one is in
    force is then unknown) are an InputError naming both places.
    """
    report = StaleReport()
    limit = dt.timedelta(days=max_age_days)
    for entry in catalog.offers:
        latest = periods_in_force(entry, today)
        for currency, (period, origin) in sorted(latest.items()):
            report.prices_checked += 1
            age = today - period.as_of
            if age > limit:
                label = entry.label + (f" ({currency})" if len(latest) > 1 else "")
                report.items.append(StaleItem("price", label, period.as_of, age.days, str(origin)))
        # No price in force: the latest that started, ended or not (its age is what is stale).
        ended = (
            None
            if latest
            else latest_in_force(
                zip(entry.offer.prices, entry.period_origins, strict=True),
                today,
                lambda po: (po[0].as_of, None),
            )
        )
        if ended is not None:
            period, origin = ended
            report.prices_checked += 1
            age = today - period.as_of
            report.items.append(
                StaleItem(
                    "price",
                    entry.label,
                    period.as_of,
                    age.days,
                    str(origin),
                    f"no price in force on {today} (the latest ended {period.valid_until})",
                )
            )
    merged = scores_in_force(catalog)
    if merged.problems:
        raise InputError(problems=list(merged.problems))
    for scored in merged.entries():
        score = scored.score
        if score.as_of is None:
            report.scores_undated += 1
            continue
        report.scores_checked += 1
        age = today - score.as_of
        if age > limit:
            label = f"{score.model} on {score.benchmark}"
            report.items.append(
                StaleItem("score", label, score.as_of, age.days, str(scored.origin))
            )
    report.items.sort(key=lambda s: (s.origin.rsplit(":", 1)[0], _line(s.origin), s.label))
    return report


def _line(origin: str) -> int:
    tail = origin.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0
