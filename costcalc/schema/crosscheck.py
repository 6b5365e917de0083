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
    """A bundled price that differs from a peer feed's for the same offer on the same day."""

    model: Id
    """Model id (canonical)."""
    provider: Id
    """costcalc provider id."""
    feed: Literal["genai-prices", "litellm", "llm-stats", "tokencost"]
    """The feed that disagrees."""
    on: Day
    """The day compared (both prices in force)."""
    currency: Text | None = None
    """Currency compared, when not USD."""
    component: Text | None = None
    """The price compared (input, cached_input, output...), or the usage priced."""
    ours: Number | None = None
    """The bundled figure (per million tokens, or the usage's cost)."""
    theirs: Number | None = None
    """The feed's figure."""
    reason: Text
    """Why they differ and who is right."""
    source: Source
    """Where the reason can be checked."""
    reviewed: Day
    """Day the difference was reviewed."""


class KnownDifferences(Strict):
    """Reviewed disagreements with other feeds: `pricing/known-differences.yaml`."""

    kind: Literal["known-differences"]
    scores: list[ScoreDifference] = Field(default_factory=list)
    """Bundled scores that differ from llm-stats."""
    prices: list[PriceDifference] = Field(default_factory=list)
    """Bundled prices that differ from a peer feed."""
