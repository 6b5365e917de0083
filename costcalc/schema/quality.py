"""File formats for quality: benchmark definitions, score sheets and profiles.

- `kind: benchmarks` defines benchmarks: category, scale (percent, or a rating
  with a linear mapping to 0-100) and the number of items, from which a default
  uncertainty is derived when a score has none published.
- `kind: scores` holds published scores, one per model and benchmark, each with
  the metric as published, its source, and who reported it.
- `kind: profiles` holds named weightings of benchmarks for a use case.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from costcalc.schema.common import (
    Day,
    Id,
    PositiveCount,
    Rate,
    Share,
    Source,
    Strict,
    Text,
    _finite,
    _no_bool,
)

if TYPE_CHECKING:
    from costcalc import records

Number = Annotated[Decimal, BeforeValidator(_no_bool), AfterValidator(_finite)]
"""An exact, finite number (may be negative: a rating)."""

NonNegative = Annotated[Decimal, BeforeValidator(_no_bool), AfterValidator(_finite), Field(ge=0)]

Category = Literal["math", "code", "science", "knowledge", "chat", "agents"]


class RatingMapping(Strict):
    """A linear map of a rating onto 0-100: (rating - zero) / (hundred - zero) x 100, clipped."""

    zero: Number
    """The rating that maps to 0."""
    hundred: Number
    """The rating that maps to 100."""
    source: Source | None = None
    """Why these anchors (a documented choice, or a published mapping)."""

    @model_validator(mode="after")
    def _ordered(self) -> RatingMapping:
        if self.hundred <= self.zero:
            raise ValueError("`hundred` must be greater than `zero`")
        return self


class Benchmark(Strict):
    """One benchmark: what it measures, on what scale, over how many items."""

    id: Id
    """Identifier used by score sheets and profiles (e.g. aime-2024, livecodebench-2408-2501)."""
    name: Text
    """Human name, with the dataset version."""
    category: Category
    """math, code, science, knowledge, chat or agents."""
    scale: Literal["percent", "rating"]
    """percent: share of items solved, 0-100; rating: an Elo-like number that needs `mapping`."""
    items: PositiveCount | None = None
    """Number of scored items; a default uncertainty is derived from it (binomial)."""
    items_note: Text | None = None
    """Why `items` is absent, where it is."""
    window: Text | None = None
    """Problem date window, for windowed benchmarks (LiveCodeBench): 'YYYY-MM to YYYY-MM'."""
    same_windows: list[Text] = Field(default_factory=list)
    """Other windows that select exactly the same problems (a window cut from a release that ends
    earlier), e.g. '2024-08 to 2025-02' on release_v5, which has no problems after 2025-01."""
    mapping: RatingMapping | None = None
    """For ratings: how a rating maps to 0-100; a rating without one cannot be used in a profile."""
    default_stderr: NonNegative | None = None
    """Standard error (in points of the benchmark's own scale) to assume when a score publishes none
    and `items` cannot give one (ratings)."""
    source: Source
    """Where the definition and the item count come from."""
    note: Text | None = None
    """Caveats: versions, metrics, how the count was found."""

    @model_validator(mode="after")
    def _scale(self) -> Benchmark:
        if self.scale == "percent" and self.mapping is not None:
            raise ValueError("a percent benchmark needs no `mapping`")
        return self


class BenchmarkSheet(Strict):
    """Benchmark definitions: `pricing/benchmarks.yaml`."""

    kind: Literal["benchmarks"]
    benchmarks: list[Benchmark] = Field(min_length=1)
    """The definitions; a later layer's id replaces an earlier one."""


class Uncertainty(Strict):
    """A published uncertainty of a score: a standard error, or a 95% interval."""

    stderr: NonNegative | None = None
    """Standard error, in points of the benchmark's scale."""
    low: Number | None = None
    """Lower end of the published 95% interval."""
    high: Number | None = None
    """Upper end of the published 95% interval."""
    source: Source | None = None
    """Where it is published, when not the score's source."""

    @model_validator(mode="after")
    def _one(self) -> Uncertainty:
        interval = self.low is not None or self.high is not None
        if interval and (self.low is None or self.high is None):
            raise ValueError("give both `low` and `high` of the interval")
        if interval == (self.stderr is not None):
            raise ValueError("give either `stderr` or a `low`/`high` interval, not both or neither")
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError("`high` is below `low`")
        return self


class Alternative(Strict):
    """Another published figure for the same model and benchmark, kept for reference, not used."""

    score: Number
    """The other figure, as published."""
    metric: Text
    """Its metric as published."""
    source: Source
    """Where it is published."""
    reported_by: Text | None = None
    """Who measured it, when not the model's authors."""
    via: Text | None = None
    """The aggregator it was read through."""
    version: Text | None = None
    """The model version it scores, when named."""
    why_not_used: Text
    """Why the main score was preferred (the rule applied)."""


class Score(Strict):
    """One published score of one model on one benchmark."""

    model: Id
    """Model id (as in the models file)."""
    benchmark: Id
    """Benchmark id (as in a benchmarks file)."""
    score: Number
    """The score as published, on the benchmark's scale (percent or rating)."""
    metric: Text
    """The metric as published: pass@1, avg@32, cons@64, rating..."""
    source: Source
    """Where the figure is published."""
    as_of: Day | None = None
    """Day the figure was published, where the source dates it."""
    as_of_basis: Text | None = None
    """What `as_of` is when it is not the source's own date (e.g. the vendor's release date of
    the model, or the day an aggregator recorded the figure)."""
    self_reported: bool | None = None
    """True when the model's authors measured the figure; false when someone else did."""
    uncertainty: Uncertainty | None = None
    """Published uncertainty; when absent it is derived from the benchmark's item count."""
    reported_by: Text | None = None
    """Who measured it, when not the model's authors."""
    via: Text | None = None
    """The aggregator it was read through, when not read from the source itself."""
    version: Text | None = None
    """The exact model version scored, when the source names one."""
    window: Text | None = None
    """The problem window as published (windowed benchmarks)."""
    confidence: Text | None = None
    """A caveat on the figure's reliability (e.g. low)."""
    note: Text | None = None
    """Anything else a reader should know about the figure."""
    alternatives: list[Alternative] = Field(default_factory=list)
    """Other published figures for the same model and benchmark, not used in scoring."""


class Attribution(Strict):
    """Credit for a licensed data source (CC BY 4.0 asks for name, link, licence and changes)."""

    name: Text
    """The work and its author."""
    url: Source
    """Where the work is published."""
    license: Text
    """Licence name, with a link to its text."""
    changes: Text
    """What was changed in deriving this sheet from the work."""


class Rejected(Strict):
    """A figure a feed gives that is not used: a feed sheet's score for this pair is dropped."""

    model: Id
    benchmark: Id
    score: Number | None = None
    """The rejected figure, as the feed gives it (for the record)."""
    reason: Text
    """Why it is not comparable or not trusted (best-of-n, another snapshot...)."""
    source: Source
    """Where the reason is documented."""


class ScoreSheet(Strict):
    """Published benchmark scores: `pricing/scores.yaml`."""

    kind: Literal["scores"]
    role: Literal["curated", "feed"] = "curated"
    """curated: reviewed by hand; feed: generated from a score feed. Inside one layer a curated
    score beats a feed score for the same model and benchmark; two curated scores (or two feed
    scores) for the same pair in one layer are an error."""
    generated_by: Text | None = None
    """The command that generated a feed sheet (run it again to refresh it)."""
    attribution: Attribution | None = None
    """Credit for the feed the scores come from."""
    scores: list[Score] = Field(min_length=1)
    """One score per model and benchmark; a later layer's replaces an earlier one."""
    rejected: list[Rejected] = Field(default_factory=list)
    """Curated sheets only: feed scores of the same layer that must not be used, with why."""

    @model_validator(mode="after")
    def _one_per_pair(self) -> ScoreSheet:
        seen: set[tuple[str, str]] = set()
        for s in self.scores:
            key = (s.model, s.benchmark)
            if key in seen:
                raise ValueError(
                    f"two scores for {s.model} on {s.benchmark}: keep one, move the other to"
                    " `alternatives` with `why_not_used`"
                )
            seen.add(key)
        if self.rejected and self.role != "curated":
            raise ValueError("only a curated sheet may list `rejected` feed scores")
        return self


class Profile(Strict):
    """A named weighting of benchmarks for a use case."""

    id: Id
    """Profile id, used with --profile."""
    name: Text
    """Human name."""
    description: Text | None = None
    """What use case it stands for and why these benchmarks."""
    weights: dict[Id, Rate] = Field(min_length=1)
    """Benchmark id -> relative weight (> 0)."""
    min_coverage: Share | None = None
    """Share of the weight a model must have scores for to be scored; default 0.5."""


class ProfileSheet(Strict):
    """Named profiles: `pricing/profiles.yaml`."""

    kind: Literal["profiles"]
    profiles: list[Profile] = Field(min_length=1)
    """The profiles; a later layer's id replaces an earlier one."""


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_YM = r"(20\d\d)[-./](0[1-9]|1[0-2])"
_WINDOW_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    # 2024-08 to 2025-01, 2024.10-2025.02 (month precision, inclusive)
    (re.compile(_YM + r"\s*(?:to|-|–|→)\s*" + _YM + r"(?![-./]\d)"), "ym"),
    # 2024-08-01 to 2025-02-01 (day precision; an end on the 1st is exclusive)
    (re.compile(_YM + r"[-./](\d\d)\s*(?:to|-|–|→)\s*" + _YM + r"[-./](\d\d)"), "ymd"),
    # 8/1/24-2/1/25, 1/1/2025-5/1/2025 (US month/day/year; an end on the 1st is exclusive)
    (
        re.compile(
            r"\b(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*(?:to|-|–)\s*"
            r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\b"
        ),
        "mdy",
    ),
    # 2408-2505 (YYMM-YYMM, inclusive)
    (re.compile(r"\b(2\d)(0[1-9]|1[0-2])\s*-\s*(2\d)(0[1-9]|1[0-2])\b"), "yymm"),
    # 25.02-25.05 (YY.MM-YY.MM, inclusive)
    (re.compile(r"\b(2\d)\.(0[1-9]|1[0-2])\s*-\s*(2\d)\.(0[1-9]|1[0-2])\b"), "yy.mm"),
    # Aug 24-May 25, Aug 2024 - May 2025
    (
        re.compile(
            r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{2}|\d{4})\s*(?:to|-|–)\s*"
            r"([A-Za-z]{3})[a-z]*\.?\s+(\d{2}|\d{4})\b"
        ),
        "mon",
    ),
)

Month = tuple[int, int]


def _year(text: str) -> int:
    return int(text) + (2000 if len(text) == 2 else 0)


def _before(month: Month) -> Month:
    year, m = month
    return (year - 1, 12) if m == 1 else (year, m - 1)


def parse_window(text: str) -> tuple[Month, Month] | None:
    """A problem window written in one of the usual ways, as (first month, last month) inclusive.

    A window ending on the first day of a month (`2024-08-01 to 2025-02-01`, `8/1/24-2/1/25`)
    excludes that month, as LiveCodeBench's date filters do. None when no window is found.
    """
    for pattern, form in _WINDOW_FORMS:
        m = pattern.search(text)
        if not m:
            continue
        g = m.groups()
        start: Month
        end: Month
        if form == "ym":
            start, end = (int(g[0]), int(g[1])), (int(g[2]), int(g[3]))
        elif form == "ymd":
            start, end = (int(g[0]), int(g[1])), (int(g[3]), int(g[4]))
            if g[5] == "01":
                end = _before(end)
        elif form == "mdy":
            if not (1 <= int(g[0]) <= 12 and 1 <= int(g[3]) <= 12):
                continue
            start, end = (_year(g[2]), int(g[0])), (_year(g[5]), int(g[3]))
            if int(g[4]) == 1:
                end = _before(end)
        elif form in ("yymm", "yy.mm"):
            start, end = (_year(g[0]), int(g[1])), (_year(g[2]), int(g[3]))
        else:
            first, last = _MONTHS.get(g[0].lower()), _MONTHS.get(g[2].lower())
            if first is None or last is None:
                continue
            start, end = (_year(g[1]), first), (_year(g[3]), last)
        if start <= end:
            return start, end
    return None


def window_text(window: tuple[Month, Month]) -> str:
    """A parsed window written back as 'YYYY-MM to YYYY-MM'."""
    (y1, m1), (y2, m2) = window
    return f"{y1:04d}-{m1:02d} to {y2:04d}-{m2:02d}"


def benchmark_windows(bench: Benchmark | records.Benchmark) -> set[tuple[Month, Month]]:
    """Every window that selects a benchmark's problems (its own and its `same_windows`)."""
    found = set()
    for text in (bench.window, *bench.same_windows):
        parsed = parse_window(text) if text else None
        if parsed:
            found.add(parsed)
    return found
