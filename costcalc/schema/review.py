"""Reviewed differences between the bundled data and the fixture feeds it is checked against.

`pricing/known-differences.yaml` lists every disagreement that the cross-check tests
(tests/test_crosscheck_prices.py for prices) accept, each with its reason and source. A
disagreement that is not listed fails the tests, and so does a listed one that no longer occurs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from costcalc.schema.common import Day, Id, Source, Strict, Text


class PriceDifference(Strict):
    """One offer priced differently by a feed, and why that is accepted."""

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
    """Reviewed disagreements with the fixture feeds: `pricing/known-differences.yaml`."""

    kind: Literal["known-differences"]
    prices: list[PriceDifference] = Field(default_factory=list)
    scores: list[dict[str, Any]] = Field(default_factory=list)
    """Score disagreements, reviewed by the score cross-check (its own fields)."""
