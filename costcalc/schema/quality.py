"""File formats for quality: benchmark definitions, score sheets and profiles.

- `kind: benchmarks` defines benchmarks: category, scale (percent, or a rating
  with a linear mapping to 0-100) and the number of items, from which a default
  uncertainty is derived when a score has none published.
- `kind: scores` holds published scores, one per model and benchmark, each with
  the metric as published, its source, and who reported it.
- `kind: profiles` holds named weightings of benchmarks for a use case.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

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
    """Problem date window, for windowed benchmarks (LiveCodeBench)."""
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


class ScoreSheet(Strict):
    """Published benchmark scores: `pricing/scores.yaml`."""

    kind: Literal["scores"]
    scores: list[Score] = Field(min_length=1)
    """One score per model and benchmark; a later layer's replaces an earlier one."""

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
