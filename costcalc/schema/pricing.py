"""File formats for prices: price sheets, model registries and exchange-rate tables.

A price sheet is one provider's list of offers. An offer is one model at one
provider; it holds dated price periods, each in one currency with its source.
A provider that publishes two currency lists (DeepSeek: CNY and USD) has two
periods for the same dates: those are two prices, not a conversion.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from costcalc.schema.common import (
    Count,
    Currency,
    Day,
    Id,
    Instant,
    PositiveCount,
    Price,
    Rate,
    Source,
    Strict,
    Text,
    as_instant,
)

_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class Rates(Strict):
    """Prices per million tokens, in the currency of the period that holds them."""

    input: Price
    """Uncached prompt tokens (cache miss)."""
    cached_input: Price | None = None
    """Prompt tokens read from the provider's cache (cache hit); input price when absent."""
    cache_write: Price | None = None
    """Prompt tokens written to the cache, where the provider bills writes apart."""
    output: Price
    """Completion tokens."""
    reasoning: Price | None = None
    """Hidden reasoning tokens, where billed apart; otherwise they are billed as output."""


class Window(Strict):
    """A daily time window in UTC; it may wrap past midnight (16:30-00:30)."""

    start: str = Field(description="HH:MM in UTC, quoted ('16:30').")
    end: str = Field(description="HH:MM in UTC, quoted ('00:30').")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _hhmm(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError("write the time in quotes, e.g. '16:30'")
        if not isinstance(value, str) or not _HHMM.match(value):
            raise ValueError("expected a time HH:MM in quotes, e.g. '16:30'")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Window:
        if self.start == self.end:
            raise ValueError("start and end are the same: the window would be empty")
        return self

    def minutes(self) -> int:
        """Length of the window in minutes."""

        def mins(text: str) -> int:
            hours, minutes = text.split(":")
            return int(hours) * 60 + int(minutes)

        return (mins(self.end) - mins(self.start)) % (24 * 60)


class Discounted(Rates):
    """A second price list for the same tokens: the batch API, or off-peak hours."""

    as_of: Day | None = None
    """First day this price holds; the period's date when absent."""
    valid_until: Instant | None = None
    """First instant it no longer holds, where an end is documented."""
    source: Source | None = None
    """Where it is published, when not the period's source."""


class Tier(Rates):
    """Prices that replace the base prices when the prompt is longer than a threshold."""

    above_input_tokens: PositiveCount
    """The tier applies to a whole request whose prompt has more tokens than this."""
    source: Source | None = None
    """Where this tier is published, when not the period's source."""
    batch: Discounted | None = None
    """Batch-API prices for requests in this tier."""


class OffPeak(Discounted):
    """Prices for requests started inside a daily time window."""

    window: Window


class PricePeriod(Rates):
    """One dated price list of one offer, in one currency, with its source."""

    as_of: Day
    """First day the price is known to hold."""
    valid_until: Instant | None = None
    """First instant it no longer holds (a date, or a UTC time such as 2025-09-05T16:00:00Z)."""
    currency: Currency | None = None
    """Currency of these prices; the provider's currency when absent."""
    source: Source
    note: Text | None = None
    tiers: list[Tier] = Field(default_factory=list)
    """Long-prompt tiers, ascending by threshold."""
    batch: Discounted | None = None
    """Batch-API prices."""
    off_peak: OffPeak | None = None
    """Time-of-day prices."""

    @model_validator(mode="after")
    def _consistent(self) -> PricePeriod:
        if self.valid_until is not None and as_instant(self.valid_until) <= as_instant(self.as_of):
            raise ValueError(f"valid_until {self.valid_until} is not after as_of {self.as_of}")
        thresholds = [t.above_input_tokens for t in self.tiers]
        if thresholds != sorted(set(thresholds)):
            raise ValueError("tiers must have distinct above_input_tokens in ascending order")
        for extra in (self.batch, self.off_peak):
            if extra is not None and extra.as_of is not None and extra.as_of < self.as_of:
                raise ValueError(
                    f"a batch or off-peak as_of ({extra.as_of})"
                    f" is before the period's ({self.as_of})"
                )
        return self


class RateLimit(Strict):
    """A published API rate limit for an offer on one account tier."""

    tier: str = "default"
    rpm: PositiveCount | None = None
    """Requests per minute."""
    tpm: PositiveCount | None = None
    """Tokens per minute (as the provider counts them)."""
    rpd: PositiveCount | None = None
    """Requests per day."""
    tpd: PositiveCount | None = None
    """Tokens per day."""
    as_of: Day
    source: Source
    note: Text | None = None


MAX_API_NAMES = 50
"""Most `api_names` entries an offer may hold (hostile input)."""


class OtherApiName(Strict):
    """Another name the provider's API answered for this offer's model, within a window.

    The window is [from, until), further limited by the offer's own price periods: a
    request logged under this name at an instant inside both is priced by this offer.
    """

    name: str = Field(min_length=1, max_length=200)
    """The API name, as requests send it (deepseek-chat)."""
    from_: Instant | None = Field(
        default=None,
        alias="from",
        # An aliased field's docstring is not found by costcalc.schema.docs: described here.
        description="First instant the name served this model (a date is 00:00 UTC);"
        " unbounded when absent.",
    )
    until: Instant | None = None
    """First instant it no longer did (a date is 00:00 UTC); unbounded when absent."""
    source: Source
    """Where the move of the name is documented."""
    note: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> OtherApiName:
        if (
            self.from_ is not None
            and self.until is not None
            and as_instant(self.until) <= as_instant(self.from_)
        ):
            raise ValueError(f"until {self.until} is not after from {self.from_}")
        return self


class Offer(Strict):
    """One model sold by one provider, with its dated prices."""

    model: Id
    """Id of the model (defined in a models file or in this sheet's `models`)."""
    api_model: str | None = Field(default=None, max_length=200)
    """The name the provider's API uses for it."""
    api_names: list[OtherApiName] = Field(default_factory=list, max_length=MAX_API_NAMES)
    """Other names the provider's API answered for this model, each for a window of time
    (an API name that moved from model to model: DeepSeek's deepseek-chat)."""
    context_window: PositiveCount | None = None
    """Context window at this provider, when it differs from the model's."""
    max_output: PositiveCount | None = None
    prices: list[PricePeriod] = Field(min_length=1)
    rate_limits: list[RateLimit] = Field(default_factory=list)
    note: Text | None = None

    @model_validator(mode="after")
    def _distinct_periods(self) -> Offer:
        seen: set[tuple[dt.date, str | None]] = set()
        for period in self.prices:
            key = (period.as_of, period.currency)
            if key in seen:
                raise ValueError(
                    f"two price periods start on {period.as_of} in the same currency;"
                    " give one a later as_of"
                )
            seen.add(key)
        return self


class Parameters(Strict):
    """Parameter counts in billions."""

    total_b: Rate
    active_b: Rate | None = None
    """Active per token, for mixture-of-experts models."""


class Reasoning(Strict):
    """How many hidden reasoning tokens a model typically bills per request."""

    tokens_per_request: Count | None = None
    """Typical reasoning tokens per request."""
    output_multiple: Rate | None = None
    """Reasoning tokens as a multiple of the visible output tokens."""
    source: Source
    as_of: Day

    @model_validator(mode="after")
    def _one(self) -> Reasoning:
        if (self.tokens_per_request is None) == (self.output_multiple is None):
            raise ValueError("give exactly one of tokens_per_request and output_multiple")
        return self


class ModelInfo(Strict):
    """Facts about a model that do not depend on who sells it."""

    id: Id
    name: Text
    aliases: list[Id] = Field(default_factory=list)
    vendor: Text
    open_weights: bool | None
    """Whether the weights are published; null when no source says (never a guess)."""
    license: Id
    """License id (SPDX where one exists: mit, apache-2.0; else e.g. llama-4-community)."""
    license_note: Text | None = None
    license_source: Source | None = None
    parameters: Parameters | None = None
    context_window: PositiveCount | None = None
    max_output: PositiveCount | None = None
    released: Day | None = None
    base_model: Id | None = None
    thinking: bool | None = None
    """Whether requests spend hidden reasoning tokens billed as output by default (a
    reasoning model, or a hybrid whose thinking mode is on by default); null when no
    source says. A thinking model without `reasoning` figures is billed 0 hidden
    tokens, and the output says so."""
    reasoning: Reasoning | None = None
    source: Source | None = None
    """Where the facts above come from."""
    note: Text | None = None


class Provider(Strict):
    """Who sells the offers of a sheet."""

    id: Id
    name: Text
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. CN, US.")
    currency: Currency
    """Default currency of the sheet's prices."""
    pricing_url: str = Field(pattern=r"^https?://", max_length=500)
    note: Text | None = None


class PriceSheet(Strict):
    """One provider's offers: the `pricing/providers/*.yaml` files."""

    kind: Literal["price-sheet"]
    provider: Provider
    models: list[ModelInfo] = Field(default_factory=list)
    """Models defined here rather than in a models file."""
    offers: list[Offer] = Field(default_factory=list)


class ModelRegistry(Strict):
    """Model facts shared by every provider: `pricing/models.yaml`."""

    kind: Literal["models"]
    models: list[ModelInfo]


class FxRate(Strict):
    """One dated exchange rate: 1 `base` = `rate` `quote`."""

    base: Currency
    quote: Currency
    rate: Rate
    as_of: Day
    source: Source
    note: Text | None = None

    @model_validator(mode="after")
    def _two_currencies(self) -> FxRate:
        if self.base == self.quote:
            raise ValueError("base and quote are the same currency")
        return self


class FxTable(Strict):
    """Dated exchange rates: `pricing/fx.yaml`."""

    kind: Literal["fx-rates"]
    rates: list[FxRate] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> FxTable:
        seen: set[tuple[str, str, dt.date]] = set()
        for r in self.rates:
            key = (*sorted((r.base, r.quote)), r.as_of)
            if key in seen:
                raise ValueError(f"two {r.base}/{r.quote} rates dated {r.as_of}")
            seen.add(key)  # type: ignore[arg-type]
        return self


ZERO = Decimal(0)
