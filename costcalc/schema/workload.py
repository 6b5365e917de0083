"""File format for workloads: a month of a product's traffic, several named per file.

Like Infracost's usage file, a workloads file says how much traffic to expect
rather than what it costs: requests per day or per month, tokens per request,
and how the traffic grows. The bundled `pricing/workloads.yaml` holds the
presets (`--preset small|medium|large`); they are illustrative assumptions,
not measurements.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from costcalc.records import DAYS_PER_MONTH, HOURS_PER_MONTH, MINUTES_PER_MONTH, SECONDS_PER_MONTH
from costcalc.schema.common import Id, Share, Strict, Text, _finite, _no_bool

__all__ = ["DAYS_PER_MONTH", "HOURS_PER_MONTH", "MINUTES_PER_MONTH", "SECONDS_PER_MONTH"]


MAX_REQUESTS_PER_DAY = 10**10
"""Ten billion requests a day: far above any single product; more is a typo."""
MAX_REQUESTS_PER_MONTH = 3 * 10**11
MAX_TOKENS_PER_REQUEST = 10**7
"""Ten million tokens: beyond every context window in the catalog."""
MAX_MONTHS = 120

RequestsPerDay = Annotated[
    Decimal,
    BeforeValidator(_no_bool),
    AfterValidator(_finite),
    Field(ge=0, le=MAX_REQUESTS_PER_DAY),
]
"""Average requests a day (fractions allowed), at most ten billion."""

RequestsPerMonth = Annotated[
    Decimal,
    BeforeValidator(_no_bool),
    AfterValidator(_finite),
    Field(ge=0, le=MAX_REQUESTS_PER_MONTH),
]
"""Requests in a month (fractions allowed), at most 300 billion."""

Tokens = Annotated[
    Decimal,
    BeforeValidator(_no_bool),
    AfterValidator(_finite),
    Field(ge=0, le=MAX_TOKENS_PER_REQUEST),
]
"""Tokens of one request (an average: fractions allowed), at most ten million."""

Growth = Annotated[
    Decimal,
    BeforeValidator(_no_bool),
    AfterValidator(_finite),
    Field(gt=-1, le=1),
]
"""Monthly growth as a fraction: 0.1 is +10% a month, -0.05 is -5%; at most +100%."""

PeakFactor = Annotated[
    Decimal,
    BeforeValidator(_no_bool),
    AfterValidator(_finite),
    Field(ge=1, le=1000),
]
"""Busiest minute / average minute, at least 1."""


class Workload(Strict):
    """One named workload: the traffic of a product, per request and per month."""

    name: Id
    """Name used by `--workload NAME` (and `--preset NAME` for the bundled presets)."""
    description: Text | None = None
    """What the traffic is, in plain words."""
    illustrative: bool = False
    """True for presets: assumed figures to start from, not measurements."""
    requests_per_day: RequestsPerDay | None = None
    """Average requests per day; a month has costcalc.budget.DAYS_PER_MONTH (30) days."""
    requests_per_month: RequestsPerMonth | None = None
    """Requests in the first month (give this or requests_per_day, not both)."""
    input_tokens: Tokens
    """Prompt tokens per request, the cached ones included."""
    output_tokens: Tokens
    """Visible answer tokens per request."""
    reasoning_tokens: Tokens | None = None
    """Hidden reasoning tokens per request billed by the models in reasoning_models."""
    reasoning_models: list[Id] = Field(default_factory=list)
    """Models (ids or aliases) reasoning_tokens applies to; other models use their own figure."""
    cached_share: Share = Decimal(0)
    """Share of the prompt tokens read from the provider's cache."""
    batch_share: Share = Decimal(0)
    """Share of the requests sent through a batch API."""
    off_peak_share: Share = Decimal(0)
    """Share of the requests sent in the provider's off-peak window."""
    growth: Growth = Decimal(0)
    """Monthly growth of the volume, compounded: month m = month 1 x (1 + growth)^(m-1)."""
    months: int = Field(default=1, ge=1, le=MAX_MONTHS)
    """Horizon of the projection in months."""
    peak_factor: PeakFactor = Decimal(1)
    """Busiest minute / average minute: rate limits and GPU capacity are checked at the peak."""
    source: Text | None = None
    """Where the figures come from (a measurement, a log query), or why they were assumed."""

    @model_validator(mode="after")
    def _volume(self) -> Workload:
        if (self.requests_per_day is None) == (self.requests_per_month is None):
            raise ValueError("give exactly one of requests_per_day and requests_per_month")
        if (self.reasoning_tokens is None) != (not self.reasoning_models):
            raise ValueError(
                "reasoning_tokens and reasoning_models go together:"
                " the tokens apply to those models"
            )
        if self.batch_share + self.off_peak_share > 1:
            raise ValueError("batch_share and off_peak_share together exceed 1")
        return self


class WorkloadFile(Strict):
    """Named workloads: `pricing/workloads.yaml` (the presets) or a user's `--workload-file`."""

    kind: Literal["workloads"]
    note: Text | None = None
    """What the file describes; for presets, that the figures are illustrative."""
    workloads: list[Workload] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> WorkloadFile:
        seen: set[str] = set()
        for w in self.workloads:
            if w.name in seen:
                raise ValueError(f"two workloads are named {w.name!r}")
            seen.add(w.name)
        return self
