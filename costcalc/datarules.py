"""Data rules across records (`costcalc validate`): what a schema cannot see in one record.

Errors (validate exits 2):

- **overlapping periods**: two price periods of one offer in one currency, in
  one file, where the earlier one's `valid_until` is after the day the later
  one starts (an open period simply ends where the next one starts; a change
  during the day, `valid_until: ...T16:00:00Z`, is no overlap). Across files
  (a later layer joining a bundled offer) the overlap is a warning: the later
  layer's period wins from its start.
- **period before release**: a price period starting before the model's
  `released` day.
- **window mismatch** (so one benchmark id never holds two problem sets): a
  score's `window` is not its benchmark's window (nor one of its
  `same_windows`), or the benchmark has no window at all;
- **one problem set under two ids**: two benchmark ids sharing a window and an
  item count (LiveCodeBench 2408-2501 and 2408-2502 on release_v5 were one).

Warnings (validate still exits 0):

- **score without a date** (`as_of`), and a score window costcalc cannot read.

Pure: the catalog and quality index in, findings out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from costcalc.catalog import Catalog
from costcalc.errors import Problem
from costcalc.quality import QualityIndex
from costcalc.schema.common import as_instant, start_of
from costcalc.schema.quality import benchmark_windows, parse_window, window_text

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    problem: Problem


def check(catalog: Catalog, index: QualityIndex) -> list[Finding]:
    """Every data-rule finding, in file and line order."""
    found = _prices(catalog) + _benchmarks(index) + _scores(index)
    return sorted(
        found,
        key=lambda f: (f.problem.file or "", f.problem.line or 0, f.problem.message),
    )


def _prices(catalog: Catalog) -> list[Finding]:
    found: list[Finding] = []
    for entry in catalog.offers:
        released = entry.model.released
        by_currency: dict[str, list[int]] = {}
        for j, period in enumerate(entry.offer.prices):
            origin = entry.period_origins[j] if j < len(entry.period_origins) else entry.origin
            cur = period.currency or entry.provider.currency
            by_currency.setdefault(cur, []).append(j)
            if released is not None and period.as_of < released:
                found.append(
                    Finding(
                        "error",
                        Problem(
                            f"price of {entry.label} starts {period.as_of}, before the model was"
                            f" released ({released}, models file); start it at the launch or"
                            " announcement",
                            origin.file,
                            origin.line,
                            "as_of",
                        ),
                    )
                )
        for currency, indexes in by_currency.items():
            ordered = sorted(indexes, key=lambda j: entry.offer.prices[j].as_of)
            for a, b in pairwise(ordered):
                first, second = entry.offer.prices[a], entry.offer.prices[b]
                if first.valid_until is None:
                    continue
                # `as_of` is a day: a change during that day (valid_until 16:00 UTC) is no overlap.
                if as_instant(first.valid_until) <= start_of(second.as_of) + dt.timedelta(days=1):
                    continue
                oa, ob = entry.period_origins[a], entry.period_origins[b]
                same_file = oa.file == ob.file
                found.append(
                    Finding(
                        "error" if same_file else "warning",
                        Problem(
                            f"price periods of {entry.label} ({currency}) overlap: the one at {oa}"
                            f" runs until {first.valid_until}, after this one starts"
                            f" ({second.as_of})"
                            + ("" if same_file else "; the later layer's period is used"),
                            ob.file,
                            ob.line,
                            "as_of",
                        ),
                    )
                )
    return found


def _benchmarks(index: QualityIndex) -> list[Finding]:
    found: list[Finding] = []
    seen: dict[tuple[object, int | None], str] = {}

    def place(bid: str) -> tuple[str, int, str]:
        origin = index.benchmark_origins[bid]
        return (origin.file, origin.line or 0, bid)

    for bid in sorted(index.benchmarks, key=place):
        bench = index.benchmarks[bid]
        origin = index.benchmark_origins[bid]
        keys = [(w, bench.items) for w in sorted(benchmark_windows(bench))]
        other = next((seen[k] for k in keys if k in seen), None)
        if other is not None:
            found.append(
                Finding(
                    "error",
                    Problem(
                        f"{bid} is the same problem set as {other} (a shared window and"
                        f" {bench.items} items): use one id",
                        origin.file,
                        origin.line,
                        "window",
                    ),
                )
            )
            continue
        for k in keys:
            seen[k] = bid
    return found


def _scores(index: QualityIndex) -> list[Finding]:
    found: list[Finding] = []
    for model in sorted(index.scores):
        for bid, entry in sorted(index.scores[model].items()):
            score, origin = entry.score, entry.origin
            if score.as_of is None:
                found.append(
                    Finding(
                        "warning",
                        Problem(
                            f"score of {model} on {bid} has no date (as_of); give the source's"
                            " publication day, or the release day with `as_of_basis`",
                            origin.file,
                            origin.line,
                            "as_of",
                        ),
                    )
                )
            if score.window is None:
                continue
            bench = index.benchmarks[bid]
            windows = benchmark_windows(bench)
            parsed = parse_window(score.window)
            if not windows:
                found.append(
                    Finding(
                        "error",
                        Problem(
                            f"score of {model} has a window ({score.window}) but {bid} is not a"
                            " windowed benchmark",
                            origin.file,
                            origin.line,
                            "window",
                        ),
                    )
                )
            elif parsed is None:
                release = bid.rsplit("-", 1)[-1]
                if score.window.strip().lower() not in (release, f"release_{release}"):
                    found.append(
                        Finding(
                            "warning",
                            Problem(
                                f"cannot read the window {score.window!r} of {model}'s score on"
                                f" {bid}; write it as 'YYYY-MM to YYYY-MM'",
                                origin.file,
                                origin.line,
                                "window",
                            ),
                        )
                    )
            elif parsed not in windows:
                found.append(
                    Finding(
                        "error",
                        Problem(
                            f"window mismatch: {model}'s score covers {window_text(parsed)}, but"
                            f" {bid} is {bench.window}"
                            + (
                                f" (or {', '.join(bench.same_windows)})"
                                if bench.same_windows
                                else ""
                            )
                            + "; file it under the benchmark of its window",
                            origin.file,
                            origin.line,
                            "window",
                        ),
                    )
                )
    return found
