"""`kind: known-differences`: reviewed disagreements between the bundled data and other feeds.

The cross-check tests compare every bundled score with llm-stats and every
bundled price with the peer feeds (genai-prices, LiteLLM, llm-stats provider
prices); a disagreement fails the suite unless it is listed here with its
reason and source. An entry that no longer matches a disagreement fails too,
so the file stays true.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from costcalc.schema.common import Day, Id, Source, Strict, Text
from costcalc.schema.quality import Number


class ScoreDifference(Strict):
    """A bundled score that differs from a feed's figure for the same model and benchmark."""

    model: Id
    """Model id (canonical, as in the models file)."""
    benchmark: Id
    """costcalc benchmark id."""
    feed: Literal["llm-stats"]
    """The feed that disagrees."""
    ours: Number
    """The bundled (curated) figure."""
    theirs: Number
    """The feed's figure."""
    reason: Text
    """Why they differ and why ours is kept (another setting, snapshot, metric...)."""
    source: Source
    """Where the reason can be checked."""
    reviewed: Day
    """Day the difference was reviewed."""


class PriceDifference(Strict):
    """One offer priced differently by a peer feed, and why that is accepted."""

    feed: Literal["genai-prices", "litellm", "llm-stats"]
    """The fixture feed that disagrees."""
    provider: Id
    """Provider id of the bundled offer."""
    model: Id
    """Model id of the bundled offer."""
    day: Day | None = None
    """The day compared (as the test reports it); every compared day when absent."""
    at: str | None = Field(default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    """For a feed price that depends on the time of day: the time compared (HH:MM UTC)."""
    reason: Text
    """Who is right and why."""
    source: Source
    """Where the right figure is published."""


class KnownDifferences(Strict):
    """Reviewed disagreements with other feeds: `pricing/known-differences.yaml`."""

    kind: Literal["known-differences"]
    scores: list[ScoreDifference] = Field(default_factory=list)
    """Bundled scores that differ from llm-stats."""
    prices: list[PriceDifference] = Field(default_factory=list)
    """Bundled prices that differ from a peer feed."""
