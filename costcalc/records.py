"""Plain run-time records of the sheets: what the engine reads, built once per catalog.

pydantic validates a sheet when it is read from YAML (costcalc.schema, on a catalog
cache miss only); the validated models are then copied into these slotted, frozen
dataclasses, which have the same names, the same fields and the same defaults. The
catalog cache stores and decodes only these, so a warm run never imports pydantic
or builds a schema class. tests/test_records.py checks that every record matches its
schema class field by field.

The records are read-only by convention, not frozen: a frozen dataclass's __init__ sets
each field through object.__setattr__, five times slower than a plain one, and a large
catalog builds hundreds of thousands of records on every run. Like pydantic's frozen
models they compare and hash by their fields.

Only the kinds the engine reads at run time have records (prices, models, exchange
rates, benchmarks, scores, profiles, self-host options); documents of other kinds
(workloads, procurement files, known differences) keep their pydantic models.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

R = TypeVar("R", bound="Record")

CURRENCIES: tuple[str, ...] = (
    "USD", "CNY", "EUR", "GBP", "JPY", "HKD", "SGD", "KRW", "INR", "CAD", "AUD", "CHF"
)  # fmt: skip
"""The currencies a sheet may use (costcalc.schema.common.Currency is the same list)."""

CURRENCY_SYMBOLS = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£"}

DAYS_PER_MONTH = Decimal(30)
"""Days in a month, the same everywhere in costcalc (see the README, "Workloads"): exact in
decimal (365/12 is not), so every amount stays exact and can be checked by hand."""
HOURS_PER_MONTH = DAYS_PER_MONTH * 24
"""720 GPU-hours make a month of one rented GPU."""
MINUTES_PER_MONTH = HOURS_PER_MONTH * 60
SECONDS_PER_MONTH = MINUTES_PER_MONTH * 60


def start_of(day: dt.date) -> dt.datetime:
    """The first instant (00:00 UTC) of a day: prices for a day are those in force then."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def as_instant(value: dt.date | dt.datetime) -> dt.datetime:
    """A date or datetime as an aware UTC datetime, for comparing validity bounds."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return start_of(value)


class Record:
    """Base of the records: `model_copy(update=...)` as pydantic's frozen models have it."""

    __slots__ = ()

    def model_copy(self: R, *, update: dict[str, Any] | None = None) -> R:
        """A copy with some fields replaced (no validation, as pydantic's model_copy)."""
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Rates(Record):
    """Prices per million tokens, in the currency of the period that holds them."""

    input: Decimal
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    output: Decimal
    reasoning: Decimal | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Window(Record):
    """A daily time window in UTC; it may wrap past midnight (16:30-00:30)."""

    start: str
    end: str

    def minutes(self) -> int:
        """Length of the window in minutes."""

        def mins(text: str) -> int:
            hours, minutes = text.split(":")
            return int(hours) * 60 + int(minutes)

        return (mins(self.end) - mins(self.start)) % (24 * 60)


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Discounted(Rates):
    """A second price list for the same tokens: the batch API, or off-peak hours."""

    as_of: dt.date | None = None
    valid_until: dt.date | dt.datetime | None = None
    source: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Tier(Rates):
    """Prices that replace the base prices when the prompt is longer than a threshold."""

    above_input_tokens: int
    source: str | None = None
    batch: Discounted | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class OffPeak(Discounted):
    """Prices for requests started inside a daily time window."""

    window: Window


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class PricePeriod(Rates):
    """One dated price list of one offer, in one currency, with its source."""

    as_of: dt.date
    valid_until: dt.date | dt.datetime | None = None
    currency: str | None = None
    source: str
    note: str | None = None
    tiers: list[Tier] = field(default_factory=list)
    batch: Discounted | None = None
    off_peak: OffPeak | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class RateLimit(Record):
    """A published API rate limit for an offer on one account tier."""

    tier: str = "default"
    rpm: int | None = None
    tpm: int | None = None
    rpd: int | None = None
    tpd: int | None = None
    as_of: dt.date
    source: str
    note: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Offer(Record):
    """One model sold by one provider, with its dated prices."""

    model: str
    api_model: str | None = None
    context_window: int | None = None
    max_output: int | None = None
    prices: list[PricePeriod]
    rate_limits: list[RateLimit] = field(default_factory=list)
    note: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Parameters(Record):
    """Parameter counts in billions."""

    total_b: Decimal
    active_b: Decimal | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Reasoning(Record):
    """How many hidden reasoning tokens a model typically bills per request."""

    tokens_per_request: int | None = None
    output_multiple: Decimal | None = None
    source: str
    as_of: dt.date


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class ModelInfo(Record):
    """Facts about a model that do not depend on who sells it."""

    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    vendor: str
    open_weights: bool | None
    license: str
    license_note: str | None = None
    license_source: str | None = None
    parameters: Parameters | None = None
    context_window: int | None = None
    max_output: int | None = None
    released: dt.date | None = None
    base_model: str | None = None
    thinking: bool | None = None
    reasoning: Reasoning | None = None
    source: str | None = None
    note: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Provider(Record):
    """Who sells the offers of a sheet."""

    id: str
    name: str
    country: str
    currency: str
    pricing_url: str
    note: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class PriceSheet(Record):
    """One provider's offers: the `pricing/providers/*.yaml` files."""

    kind: str
    provider: Provider
    models: list[ModelInfo] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class ModelRegistry(Record):
    """Model facts shared by every provider: `pricing/models.yaml`."""

    kind: str
    models: list[ModelInfo]


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class FxRate(Record):
    """One dated exchange rate: 1 `base` = `rate` `quote`."""

    base: str
    quote: str
    rate: Decimal
    as_of: dt.date
    source: str
    note: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class FxTable(Record):
    """Dated exchange rates: `pricing/fx.yaml`."""

    kind: str
    rates: list[FxRate]


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class RatingMapping(Record):
    """A linear map of a rating onto 0-100: (rating - zero) / (hundred - zero) x 100, clipped."""

    zero: Decimal
    hundred: Decimal
    source: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Benchmark(Record):
    """One benchmark: what it measures, on what scale, over how many items."""

    id: str
    name: str
    category: str
    scale: str
    items: int | None = None
    items_note: str | None = None
    window: str | None = None
    same_windows: list[str] = field(default_factory=list)
    mapping: RatingMapping | None = None
    default_stderr: Decimal | None = None
    source: str
    note: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class BenchmarkSheet(Record):
    """Benchmark definitions: `pricing/benchmarks.yaml`."""

    kind: str
    benchmarks: list[Benchmark]


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Uncertainty(Record):
    """A published uncertainty of a score: a standard error, or a 95% interval."""

    stderr: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    source: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Alternative(Record):
    """Another published figure for the same model and benchmark, kept for reference, not used."""

    score: Decimal
    metric: str
    source: str
    reported_by: str | None = None
    via: str | None = None
    version: str | None = None
    why_not_used: str


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Score(Record):
    """One published score of one model on one benchmark."""

    model: str
    benchmark: str
    score: Decimal
    metric: str
    source: str
    as_of: dt.date | None = None
    as_of_basis: str | None = None
    self_reported: bool | None = None
    uncertainty: Uncertainty | None = None
    reported_by: str | None = None
    via: str | None = None
    version: str | None = None
    window: str | None = None
    confidence: str | None = None
    note: str | None = None
    alternatives: list[Alternative] = field(default_factory=list)


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Attribution(Record):
    """Credit for a licensed data source (CC BY 4.0 asks for name, link, licence and changes)."""

    name: str
    url: str
    license: str
    changes: str


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Rejected(Record):
    """A figure a feed gives that is not used: a feed sheet's score for this pair is dropped."""

    model: str
    benchmark: str
    score: Decimal | None = None
    reason: str
    source: str


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class ScoreSheet(Record):
    """Published benchmark scores: `pricing/scores.yaml`."""

    kind: str
    role: str = "curated"
    generated_by: str | None = None
    attribution: Attribution | None = None
    scores: list[Score]
    rejected: list[Rejected] = field(default_factory=list)


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Profile(Record):
    """A named weighting of benchmarks for a use case."""

    id: str
    name: str
    description: str | None = None
    weights: dict[str, Decimal]
    min_coverage: Decimal | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class ProfileSheet(Record):
    """Named profiles: `pricing/profiles.yaml`."""

    kind: str
    profiles: list[Profile]


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class GpuPrice(Record):
    """A dated rental price for one GPU for one hour."""

    id: str
    gpu: str
    provider: str
    instance: str | None = None
    region: str | None = None
    price_per_gpu_hour: Decimal
    currency: str
    pricing: str
    derived: bool = False
    as_of: dt.date
    valid_until: dt.date | dt.datetime | None = None
    source: str
    note: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Hardware(Record):
    """The hardware block one replica of the model runs on."""

    gpu: str
    count: int


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class Throughput(Record):
    """A measured serving throughput, with the setup it was measured in."""

    output_tokens_per_s: Decimal
    per: str = "replica"
    measured_model: str
    proxy: bool = False
    engine: str
    precision: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    load: str
    as_of: dt.date
    source: str
    note: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class SelfHostOption(Record):
    """Running one open-weight model on rented GPUs."""

    id: str
    model: str
    hardware: Hardware
    gpu_price: str
    throughput: Throughput
    target_utilisation: Decimal
    note: str | None = None


@dataclass(slots=True, kw_only=True, unsafe_hash=True)
class SelfHostSheet(Record):
    """Self-hosting options: `pricing/selfhost.yaml`."""

    kind: str
    note: str | None = None
    gpu_prices: list[GpuPrice] = field(default_factory=list)
    options: list[SelfHostOption] = field(default_factory=list)


RECORD_KINDS = frozenset(
    {"price-sheet", "models", "fx-rates", "benchmarks", "scores", "profiles", "selfhost"}
)
"""The file kinds whose validated models become records (see the module docstring)."""

_RECORDS: dict[str, type[Record]] = {
    cls.__name__: cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, Record) and cls is not Record
}


def from_model(value: Any) -> Any:
    """A validated schema model (and the lists, dicts and models inside it) as records.

    Every field is copied as validated; a schema class without a record is an error
    (a TypeError: the schema and the records have drifted apart).
    """
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        cls = _RECORDS.get(type(value).__name__)
        if cls is None or not type(value).__module__.startswith("costcalc.schema."):
            raise TypeError(f"no record for {type(value).__qualname__}")
        return cls(**{name: from_model(getattr(value, name)) for name in fields})
    if type(value) is list:
        return [from_model(v) for v in value]
    if type(value) is dict:
        return {k: from_model(v) for k, v in value.items()}
    return value
