"""Plain run-time records of the sheets: what the engine reads, built once per catalog.

pydantic validates a sheet when it is read from YAML (costcalc.schema, on a catalog
cache miss only); the validated models are then copied into these slotted, frozen
dataclasses, which have the same names, the same fields and the same defaults. The
catalog cache stores and decodes only these, so a warm run never imports pydantic
or builds a schema class. tests/test_records.py checks that every record matches its
schema class field by field.

The records are read-only by convention, not frozen: a frozen class sets each field
through object.__setattr__, five times slower, and a large catalog builds hundreds of
thousands of records on every run. Like pydantic's frozen models they compare and hash
by their fields.

Only the kinds the engine reads at run time have records (prices, models, exchange
rates, benchmarks, scores, profiles, self-host options); documents of other kinds
(workloads, procurement files, known differences) keep their pydantic models.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

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


REQUIRED: Any = object()
"""In a record's _FIELDS: the field has no default."""
LIST: Any = object()
"""In a record's _FIELDS: the field defaults to a new empty list."""


class Record:
    """Base of the records: a slotted class per file-format class, its fields in `_FIELDS`
    (name, default: a value, REQUIRED or LIST), compared, hashed and shown by their values,
    with pydantic's `model_copy(update=...)` and a plain `model_dump()`.

    Plain classes rather than dataclasses: the dataclass decorator spent 160-180 ms of a
    warm compare's start (at load 7) building the 32 of them; these cost nothing to build.
    """

    __slots__ = ()
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name, _ in self._FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__.__name__, *self._values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name, _ in self._FIELDS)
        return f"{self.__class__.__name__}({shown})"

    def model_copy(self: R, *, update: dict[str, Any] | None = None) -> R:
        """A copy with some fields replaced (no validation, as pydantic's model_copy)."""
        values = {name: getattr(self, name) for name, _ in self._FIELDS}
        values.update(update or {})
        return type(self)(**values)

    def model_dump(self, *, exclude_none: bool = False) -> dict[str, Any]:
        """Every field as plain data (records inside as dicts), as pydantic's model_dump();
        `exclude_none` leaves out None values at every depth, as pydantic does."""
        values = ((name, getattr(self, name)) for name, _ in self._FIELDS)
        return {
            name: _dump(value, exclude_none)
            for name, value in values
            if not (exclude_none and value is None)
        }


def _dump(value: Any, exclude_none: bool = False) -> Any:
    if isinstance(value, Record):
        return value.model_dump(exclude_none=exclude_none)
    if type(value) is list:
        return [_dump(v, exclude_none) for v in value]
    if type(value) is dict:
        return {
            k: _dump(v, exclude_none) for k, v in value.items() if not (exclude_none and v is None)
        }
    return value


class Rates(Record):
    """Prices per million tokens, in the currency of the period that holds them."""

    __slots__ = ("cache_write", "cached_input", "input", "output", "reasoning")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("input", REQUIRED),
        ("cached_input", None),
        ("cache_write", None),
        ("output", REQUIRED),
        ("reasoning", None),
    )
    input: Decimal
    cached_input: Decimal | None
    cache_write: Decimal | None
    output: Decimal
    reasoning: Decimal | None

    def __init__(
        self,
        *,
        input: Decimal,
        cached_input: Decimal | None = None,
        cache_write: Decimal | None = None,
        output: Decimal,
        reasoning: Decimal | None = None,
    ) -> None:
        self.input = input
        self.cached_input = cached_input
        self.cache_write = cache_write
        self.output = output
        self.reasoning = reasoning


class Window(Record):
    """A daily time window in UTC; it may wrap past midnight (16:30-00:30)."""

    __slots__ = ("end", "start")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("start", REQUIRED),
        ("end", REQUIRED),
    )
    start: str
    end: str

    def __init__(self, *, start: str, end: str) -> None:
        self.start = start
        self.end = end

    def minutes(self) -> int:
        """Length of the window in minutes."""

        def mins(text: str) -> int:
            hours, minutes = text.split(":")
            return int(hours) * 60 + int(minutes)

        return (mins(self.end) - mins(self.start)) % (24 * 60)


class Discounted(Rates):
    """A second price list for the same tokens: the batch API, or off-peak hours."""

    __slots__ = ("as_of", "source", "valid_until")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("input", REQUIRED),
        ("cached_input", None),
        ("cache_write", None),
        ("output", REQUIRED),
        ("reasoning", None),
        ("as_of", None),
        ("valid_until", None),
        ("source", None),
    )
    as_of: dt.date | None
    valid_until: dt.date | dt.datetime | None
    source: str | None

    def __init__(
        self,
        *,
        input: Decimal,
        cached_input: Decimal | None = None,
        cache_write: Decimal | None = None,
        output: Decimal,
        reasoning: Decimal | None = None,
        as_of: dt.date | None = None,
        valid_until: dt.date | dt.datetime | None = None,
        source: str | None = None,
    ) -> None:
        self.input = input
        self.cached_input = cached_input
        self.cache_write = cache_write
        self.output = output
        self.reasoning = reasoning
        self.as_of = as_of
        self.valid_until = valid_until
        self.source = source


class Tier(Rates):
    """Prices that replace the base prices when the prompt is longer than a threshold."""

    __slots__ = ("above_input_tokens", "batch", "source")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("input", REQUIRED),
        ("cached_input", None),
        ("cache_write", None),
        ("output", REQUIRED),
        ("reasoning", None),
        ("above_input_tokens", REQUIRED),
        ("source", None),
        ("batch", None),
    )
    above_input_tokens: int
    source: str | None
    batch: Discounted | None

    def __init__(
        self,
        *,
        input: Decimal,
        cached_input: Decimal | None = None,
        cache_write: Decimal | None = None,
        output: Decimal,
        reasoning: Decimal | None = None,
        above_input_tokens: int,
        source: str | None = None,
        batch: Discounted | None = None,
    ) -> None:
        self.input = input
        self.cached_input = cached_input
        self.cache_write = cache_write
        self.output = output
        self.reasoning = reasoning
        self.above_input_tokens = above_input_tokens
        self.source = source
        self.batch = batch


class OffPeak(Discounted):
    """Prices for requests started inside a daily time window."""

    __slots__ = ("window",)
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("input", REQUIRED),
        ("cached_input", None),
        ("cache_write", None),
        ("output", REQUIRED),
        ("reasoning", None),
        ("as_of", None),
        ("valid_until", None),
        ("source", None),
        ("window", REQUIRED),
    )
    window: Window

    def __init__(
        self,
        *,
        input: Decimal,
        cached_input: Decimal | None = None,
        cache_write: Decimal | None = None,
        output: Decimal,
        reasoning: Decimal | None = None,
        as_of: dt.date | None = None,
        valid_until: dt.date | dt.datetime | None = None,
        source: str | None = None,
        window: Window,
    ) -> None:
        self.input = input
        self.cached_input = cached_input
        self.cache_write = cache_write
        self.output = output
        self.reasoning = reasoning
        self.as_of = as_of
        self.valid_until = valid_until
        self.source = source
        self.window = window


class PricePeriod(Rates):
    """One dated price list of one offer, in one currency, with its source."""

    __slots__ = ("as_of", "batch", "currency", "note", "off_peak", "source", "tiers", "valid_until")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("input", REQUIRED),
        ("cached_input", None),
        ("cache_write", None),
        ("output", REQUIRED),
        ("reasoning", None),
        ("as_of", REQUIRED),
        ("valid_until", None),
        ("currency", None),
        ("source", REQUIRED),
        ("note", None),
        ("tiers", LIST),
        ("batch", None),
        ("off_peak", None),
    )
    as_of: dt.date
    valid_until: dt.date | dt.datetime | None
    currency: str | None
    source: str
    note: str | None
    tiers: list[Tier]
    batch: Discounted | None
    off_peak: OffPeak | None

    def __init__(
        self,
        *,
        input: Decimal,
        cached_input: Decimal | None = None,
        cache_write: Decimal | None = None,
        output: Decimal,
        reasoning: Decimal | None = None,
        as_of: dt.date,
        valid_until: dt.date | dt.datetime | None = None,
        currency: str | None = None,
        source: str,
        note: str | None = None,
        tiers: list[Tier] | None = None,
        batch: Discounted | None = None,
        off_peak: OffPeak | None = None,
    ) -> None:
        self.input = input
        self.cached_input = cached_input
        self.cache_write = cache_write
        self.output = output
        self.reasoning = reasoning
        self.as_of = as_of
        self.valid_until = valid_until
        self.currency = currency
        self.source = source
        self.note = note
        self.tiers = [] if tiers is None else tiers
        self.batch = batch
        self.off_peak = off_peak


class RateLimit(Record):
    """A published API rate limit for an offer on one account tier."""

    __slots__ = ("as_of", "note", "rpd", "rpm", "source", "tier", "tpd", "tpm")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("tier", "default"),
        ("rpm", None),
        ("tpm", None),
        ("rpd", None),
        ("tpd", None),
        ("as_of", REQUIRED),
        ("source", REQUIRED),
        ("note", None),
    )
    tier: str
    rpm: int | None
    tpm: int | None
    rpd: int | None
    tpd: int | None
    as_of: dt.date
    source: str
    note: str | None

    def __init__(
        self,
        *,
        tier: str = "default",
        rpm: int | None = None,
        tpm: int | None = None,
        rpd: int | None = None,
        tpd: int | None = None,
        as_of: dt.date,
        source: str,
        note: str | None = None,
    ) -> None:
        self.tier = tier
        self.rpm = rpm
        self.tpm = tpm
        self.rpd = rpd
        self.tpd = tpd
        self.as_of = as_of
        self.source = source
        self.note = note


class OtherApiName(Record):
    """Another name the provider's API answered for this offer's model, within a window
    [from_, until) (the file's key is `from`), further limited by the offer's periods."""

    __slots__ = ("from_", "name", "note", "source", "until")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("name", REQUIRED),
        ("from_", None),
        ("until", None),
        ("source", REQUIRED),
        ("note", None),
    )
    name: str
    from_: dt.date | dt.datetime | None
    until: dt.date | dt.datetime | None
    source: str
    note: str | None

    def __init__(
        self,
        *,
        name: str,
        from_: dt.date | dt.datetime | None = None,
        until: dt.date | dt.datetime | None = None,
        source: str,
        note: str | None = None,
    ) -> None:
        self.name = name
        self.from_ = from_
        self.until = until
        self.source = source
        self.note = note

    def window(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """[from, until) as aware UTC instants (None: no bound on that side)."""
        return (
            None if self.from_ is None else as_instant(self.from_),
            None if self.until is None else as_instant(self.until),
        )


class Offer(Record):
    """One model sold by one provider, with its dated prices."""

    __slots__ = (
        "api_model",
        "api_names",
        "context_window",
        "max_output",
        "model",
        "note",
        "prices",
        "rate_limits",
    )
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("model", REQUIRED),
        ("api_model", None),
        ("api_names", LIST),
        ("context_window", None),
        ("max_output", None),
        ("prices", REQUIRED),
        ("rate_limits", LIST),
        ("note", None),
    )
    model: str
    api_model: str | None
    api_names: list[OtherApiName]
    context_window: int | None
    max_output: int | None
    prices: list[PricePeriod]
    rate_limits: list[RateLimit]
    note: str | None

    def __init__(
        self,
        *,
        model: str,
        api_model: str | None = None,
        api_names: list[OtherApiName] | None = None,
        context_window: int | None = None,
        max_output: int | None = None,
        prices: list[PricePeriod],
        rate_limits: list[RateLimit] | None = None,
        note: str | None = None,
    ) -> None:
        self.model = model
        self.api_model = api_model
        self.api_names = [] if api_names is None else api_names
        self.context_window = context_window
        self.max_output = max_output
        self.prices = prices
        self.rate_limits = [] if rate_limits is None else rate_limits
        self.note = note


class Parameters(Record):
    """Parameter counts in billions."""

    __slots__ = ("active_b", "total_b")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("total_b", REQUIRED),
        ("active_b", None),
    )
    total_b: Decimal
    active_b: Decimal | None

    def __init__(self, *, total_b: Decimal, active_b: Decimal | None = None) -> None:
        self.total_b = total_b
        self.active_b = active_b


class Reasoning(Record):
    """How many hidden reasoning tokens a model typically bills per request."""

    __slots__ = ("as_of", "output_multiple", "source", "tokens_per_request")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("tokens_per_request", None),
        ("output_multiple", None),
        ("source", REQUIRED),
        ("as_of", REQUIRED),
    )
    tokens_per_request: int | None
    output_multiple: Decimal | None
    source: str
    as_of: dt.date

    def __init__(
        self,
        *,
        tokens_per_request: int | None = None,
        output_multiple: Decimal | None = None,
        source: str,
        as_of: dt.date,
    ) -> None:
        self.tokens_per_request = tokens_per_request
        self.output_multiple = output_multiple
        self.source = source
        self.as_of = as_of


class ModelInfo(Record):
    """Facts about a model that do not depend on who sells it."""

    __slots__ = (
        "aliases",
        "base_model",
        "context_window",
        "id",
        "license",
        "license_note",
        "license_source",
        "max_output",
        "name",
        "note",
        "open_weights",
        "parameters",
        "reasoning",
        "released",
        "source",
        "thinking",
        "vendor",
    )
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("id", REQUIRED),
        ("name", REQUIRED),
        ("aliases", LIST),
        ("vendor", REQUIRED),
        ("open_weights", REQUIRED),
        ("license", REQUIRED),
        ("license_note", None),
        ("license_source", None),
        ("parameters", None),
        ("context_window", None),
        ("max_output", None),
        ("released", None),
        ("base_model", None),
        ("thinking", None),
        ("reasoning", None),
        ("source", None),
        ("note", None),
    )
    id: str
    name: str
    aliases: list[str]
    vendor: str
    open_weights: bool | None
    license: str
    license_note: str | None
    license_source: str | None
    parameters: Parameters | None
    context_window: int | None
    max_output: int | None
    released: dt.date | None
    base_model: str | None
    thinking: bool | None
    reasoning: Reasoning | None
    source: str | None
    note: str | None

    def __init__(
        self,
        *,
        id: str,
        name: str,
        aliases: list[str] | None = None,
        vendor: str,
        open_weights: bool | None,
        license: str,
        license_note: str | None = None,
        license_source: str | None = None,
        parameters: Parameters | None = None,
        context_window: int | None = None,
        max_output: int | None = None,
        released: dt.date | None = None,
        base_model: str | None = None,
        thinking: bool | None = None,
        reasoning: Reasoning | None = None,
        source: str | None = None,
        note: str | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.aliases = [] if aliases is None else aliases
        self.vendor = vendor
        self.open_weights = open_weights
        self.license = license
        self.license_note = license_note
        self.license_source = license_source
        self.parameters = parameters
        self.context_window = context_window
        self.max_output = max_output
        self.released = released
        self.base_model = base_model
        self.thinking = thinking
        self.reasoning = reasoning
        self.source = source
        self.note = note


class Provider(Record):
    """Who sells the offers of a sheet."""

    __slots__ = ("country", "currency", "id", "name", "note", "pricing_url")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("id", REQUIRED),
        ("name", REQUIRED),
        ("country", REQUIRED),
        ("currency", REQUIRED),
        ("pricing_url", REQUIRED),
        ("note", None),
    )
    id: str
    name: str
    country: str
    currency: str
    pricing_url: str
    note: str | None

    def __init__(
        self,
        *,
        id: str,
        name: str,
        country: str,
        currency: str,
        pricing_url: str,
        note: str | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.country = country
        self.currency = currency
        self.pricing_url = pricing_url
        self.note = note


class PriceSheet(Record):
    """One provider's offers: the `pricing/providers/*.yaml` files."""

    __slots__ = ("kind", "models", "offers", "provider")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("kind", REQUIRED),
        ("provider", REQUIRED),
        ("models", LIST),
        ("offers", LIST),
    )
    kind: str
    provider: Provider
    models: list[ModelInfo]
    offers: list[Offer]

    def __init__(
        self,
        *,
        kind: str,
        provider: Provider,
        models: list[ModelInfo] | None = None,
        offers: list[Offer] | None = None,
    ) -> None:
        self.kind = kind
        self.provider = provider
        self.models = [] if models is None else models
        self.offers = [] if offers is None else offers


class ModelRegistry(Record):
    """Model facts shared by every provider: `pricing/models.yaml`."""

    __slots__ = ("kind", "models")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("kind", REQUIRED),
        ("models", REQUIRED),
    )
    kind: str
    models: list[ModelInfo]

    def __init__(self, *, kind: str, models: list[ModelInfo]) -> None:
        self.kind = kind
        self.models = models


class FxRate(Record):
    """One dated exchange rate: 1 `base` = `rate` `quote`."""

    __slots__ = ("as_of", "base", "note", "quote", "rate", "source")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("base", REQUIRED),
        ("quote", REQUIRED),
        ("rate", REQUIRED),
        ("as_of", REQUIRED),
        ("source", REQUIRED),
        ("note", None),
    )
    base: str
    quote: str
    rate: Decimal
    as_of: dt.date
    source: str
    note: str | None

    def __init__(
        self,
        *,
        base: str,
        quote: str,
        rate: Decimal,
        as_of: dt.date,
        source: str,
        note: str | None = None,
    ) -> None:
        self.base = base
        self.quote = quote
        self.rate = rate
        self.as_of = as_of
        self.source = source
        self.note = note


class FxTable(Record):
    """Dated exchange rates: `pricing/fx.yaml`."""

    __slots__ = ("kind", "rates")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("kind", REQUIRED),
        ("rates", REQUIRED),
    )
    kind: str
    rates: list[FxRate]

    def __init__(self, *, kind: str, rates: list[FxRate]) -> None:
        self.kind = kind
        self.rates = rates


class RatingMapping(Record):
    """A linear map of a rating onto 0-100: (rating - zero) / (hundred - zero) x 100, clipped."""

    __slots__ = ("hundred", "source", "zero")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("zero", REQUIRED),
        ("hundred", REQUIRED),
        ("source", None),
    )
    zero: Decimal
    hundred: Decimal
    source: str | None

    def __init__(self, *, zero: Decimal, hundred: Decimal, source: str | None = None) -> None:
        self.zero = zero
        self.hundred = hundred
        self.source = source


class Benchmark(Record):
    """One benchmark: what it measures, on what scale, over how many items."""

    __slots__ = (
        "category",
        "default_stderr",
        "id",
        "items",
        "items_note",
        "mapping",
        "name",
        "note",
        "same_windows",
        "scale",
        "source",
        "window",
    )
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("id", REQUIRED),
        ("name", REQUIRED),
        ("category", REQUIRED),
        ("scale", REQUIRED),
        ("items", None),
        ("items_note", None),
        ("window", None),
        ("same_windows", LIST),
        ("mapping", None),
        ("default_stderr", None),
        ("source", REQUIRED),
        ("note", None),
    )
    id: str
    name: str
    category: str
    scale: str
    items: int | None
    items_note: str | None
    window: str | None
    same_windows: list[str]
    mapping: RatingMapping | None
    default_stderr: Decimal | None
    source: str
    note: str | None

    def __init__(
        self,
        *,
        id: str,
        name: str,
        category: str,
        scale: str,
        items: int | None = None,
        items_note: str | None = None,
        window: str | None = None,
        same_windows: list[str] | None = None,
        mapping: RatingMapping | None = None,
        default_stderr: Decimal | None = None,
        source: str,
        note: str | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.category = category
        self.scale = scale
        self.items = items
        self.items_note = items_note
        self.window = window
        self.same_windows = [] if same_windows is None else same_windows
        self.mapping = mapping
        self.default_stderr = default_stderr
        self.source = source
        self.note = note


class BenchmarkSheet(Record):
    """Benchmark definitions: `pricing/benchmarks.yaml`."""

    __slots__ = ("benchmarks", "kind")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("kind", REQUIRED),
        ("benchmarks", REQUIRED),
    )
    kind: str
    benchmarks: list[Benchmark]

    def __init__(self, *, kind: str, benchmarks: list[Benchmark]) -> None:
        self.kind = kind
        self.benchmarks = benchmarks


class Uncertainty(Record):
    """A published uncertainty of a score: a standard error, or a 95% interval."""

    __slots__ = ("high", "low", "source", "stderr")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("stderr", None),
        ("low", None),
        ("high", None),
        ("source", None),
    )
    stderr: Decimal | None
    low: Decimal | None
    high: Decimal | None
    source: str | None

    def __init__(
        self,
        *,
        stderr: Decimal | None = None,
        low: Decimal | None = None,
        high: Decimal | None = None,
        source: str | None = None,
    ) -> None:
        self.stderr = stderr
        self.low = low
        self.high = high
        self.source = source


class Alternative(Record):
    """Another published figure for the same model and benchmark, kept for reference, not used."""

    __slots__ = ("metric", "reported_by", "score", "source", "version", "via", "why_not_used")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("score", REQUIRED),
        ("metric", REQUIRED),
        ("source", REQUIRED),
        ("reported_by", None),
        ("via", None),
        ("version", None),
        ("why_not_used", REQUIRED),
    )
    score: Decimal
    metric: str
    source: str
    reported_by: str | None
    via: str | None
    version: str | None
    why_not_used: str

    def __init__(
        self,
        *,
        score: Decimal,
        metric: str,
        source: str,
        reported_by: str | None = None,
        via: str | None = None,
        version: str | None = None,
        why_not_used: str,
    ) -> None:
        self.score = score
        self.metric = metric
        self.source = source
        self.reported_by = reported_by
        self.via = via
        self.version = version
        self.why_not_used = why_not_used


class Score(Record):
    """One published score of one model on one benchmark."""

    __slots__ = (
        "alternatives",
        "as_of",
        "as_of_basis",
        "benchmark",
        "confidence",
        "metric",
        "model",
        "note",
        "reported_by",
        "score",
        "self_reported",
        "source",
        "uncertainty",
        "version",
        "via",
        "window",
    )
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("model", REQUIRED),
        ("benchmark", REQUIRED),
        ("score", REQUIRED),
        ("metric", REQUIRED),
        ("source", REQUIRED),
        ("as_of", None),
        ("as_of_basis", None),
        ("self_reported", None),
        ("uncertainty", None),
        ("reported_by", None),
        ("via", None),
        ("version", None),
        ("window", None),
        ("confidence", None),
        ("note", None),
        ("alternatives", LIST),
    )
    model: str
    benchmark: str
    score: Decimal
    metric: str
    source: str
    as_of: dt.date | None
    as_of_basis: str | None
    self_reported: bool | None
    uncertainty: Uncertainty | None
    reported_by: str | None
    via: str | None
    version: str | None
    window: str | None
    confidence: str | None
    note: str | None
    alternatives: list[Alternative]

    def __init__(
        self,
        *,
        model: str,
        benchmark: str,
        score: Decimal,
        metric: str,
        source: str,
        as_of: dt.date | None = None,
        as_of_basis: str | None = None,
        self_reported: bool | None = None,
        uncertainty: Uncertainty | None = None,
        reported_by: str | None = None,
        via: str | None = None,
        version: str | None = None,
        window: str | None = None,
        confidence: str | None = None,
        note: str | None = None,
        alternatives: list[Alternative] | None = None,
    ) -> None:
        self.model = model
        self.benchmark = benchmark
        self.score = score
        self.metric = metric
        self.source = source
        self.as_of = as_of
        self.as_of_basis = as_of_basis
        self.self_reported = self_reported
        self.uncertainty = uncertainty
        self.reported_by = reported_by
        self.via = via
        self.version = version
        self.window = window
        self.confidence = confidence
        self.note = note
        self.alternatives = [] if alternatives is None else alternatives


class Attribution(Record):
    """Credit for a licensed data source (CC BY 4.0 asks for name, link, licence and changes)."""

    __slots__ = ("changes", "license", "name", "url")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("name", REQUIRED),
        ("url", REQUIRED),
        ("license", REQUIRED),
        ("changes", REQUIRED),
    )
    name: str
    url: str
    license: str
    changes: str

    def __init__(self, *, name: str, url: str, license: str, changes: str) -> None:
        self.name = name
        self.url = url
        self.license = license
        self.changes = changes


class Rejected(Record):
    """A figure a feed gives that is not used: a feed sheet's score for this pair is dropped."""

    __slots__ = ("benchmark", "model", "reason", "score", "source")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("model", REQUIRED),
        ("benchmark", REQUIRED),
        ("score", None),
        ("reason", REQUIRED),
        ("source", REQUIRED),
    )
    model: str
    benchmark: str
    score: Decimal | None
    reason: str
    source: str

    def __init__(
        self, *, model: str, benchmark: str, score: Decimal | None = None, reason: str, source: str
    ) -> None:
        self.model = model
        self.benchmark = benchmark
        self.score = score
        self.reason = reason
        self.source = source


class ScoreSheet(Record):
    """Published benchmark scores: `pricing/scores.yaml`."""

    __slots__ = ("attribution", "generated_by", "kind", "rejected", "role", "scores")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("kind", REQUIRED),
        ("role", "curated"),
        ("generated_by", None),
        ("attribution", None),
        ("scores", REQUIRED),
        ("rejected", LIST),
    )
    kind: str
    role: str
    generated_by: str | None
    attribution: Attribution | None
    scores: list[Score]
    rejected: list[Rejected]

    def __init__(
        self,
        *,
        kind: str,
        role: str = "curated",
        generated_by: str | None = None,
        attribution: Attribution | None = None,
        scores: list[Score],
        rejected: list[Rejected] | None = None,
    ) -> None:
        self.kind = kind
        self.role = role
        self.generated_by = generated_by
        self.attribution = attribution
        self.scores = scores
        self.rejected = [] if rejected is None else rejected


class Profile(Record):
    """A named weighting of benchmarks for a use case."""

    __slots__ = ("description", "id", "min_coverage", "name", "weights")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("id", REQUIRED),
        ("name", REQUIRED),
        ("description", None),
        ("weights", REQUIRED),
        ("min_coverage", None),
    )
    id: str
    name: str
    description: str | None
    weights: dict[str, Decimal]
    min_coverage: Decimal | None

    def __init__(
        self,
        *,
        id: str,
        name: str,
        description: str | None = None,
        weights: dict[str, Decimal],
        min_coverage: Decimal | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.description = description
        self.weights = weights
        self.min_coverage = min_coverage


class ProfileSheet(Record):
    """Named profiles: `pricing/profiles.yaml`."""

    __slots__ = ("kind", "profiles")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("kind", REQUIRED),
        ("profiles", REQUIRED),
    )
    kind: str
    profiles: list[Profile]

    def __init__(self, *, kind: str, profiles: list[Profile]) -> None:
        self.kind = kind
        self.profiles = profiles


class GpuPrice(Record):
    """A dated rental price for one GPU for one hour."""

    __slots__ = (
        "as_of",
        "currency",
        "derived",
        "gpu",
        "id",
        "instance",
        "note",
        "price_per_gpu_hour",
        "pricing",
        "provider",
        "region",
        "source",
        "valid_until",
    )
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("id", REQUIRED),
        ("gpu", REQUIRED),
        ("provider", REQUIRED),
        ("instance", None),
        ("region", None),
        ("price_per_gpu_hour", REQUIRED),
        ("currency", REQUIRED),
        ("pricing", REQUIRED),
        ("derived", False),
        ("as_of", REQUIRED),
        ("valid_until", None),
        ("source", REQUIRED),
        ("note", None),
    )
    id: str
    gpu: str
    provider: str
    instance: str | None
    region: str | None
    price_per_gpu_hour: Decimal
    currency: str
    pricing: str
    derived: bool
    as_of: dt.date
    valid_until: dt.date | dt.datetime | None
    source: str
    note: str | None

    def __init__(
        self,
        *,
        id: str,
        gpu: str,
        provider: str,
        instance: str | None = None,
        region: str | None = None,
        price_per_gpu_hour: Decimal,
        currency: str,
        pricing: str,
        derived: bool = False,
        as_of: dt.date,
        valid_until: dt.date | dt.datetime | None = None,
        source: str,
        note: str | None = None,
    ) -> None:
        self.id = id
        self.gpu = gpu
        self.provider = provider
        self.instance = instance
        self.region = region
        self.price_per_gpu_hour = price_per_gpu_hour
        self.currency = currency
        self.pricing = pricing
        self.derived = derived
        self.as_of = as_of
        self.valid_until = valid_until
        self.source = source
        self.note = note


class Hardware(Record):
    """The hardware block one replica of the model runs on."""

    __slots__ = ("count", "gpu")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("gpu", REQUIRED),
        ("count", REQUIRED),
    )
    gpu: str
    count: int

    def __init__(self, *, gpu: str, count: int) -> None:
        self.gpu = gpu
        self.count = count


class Throughput(Record):
    """A measured serving throughput, with the setup it was measured in."""

    __slots__ = (
        "as_of",
        "engine",
        "input_tokens",
        "load",
        "measured_model",
        "note",
        "output_tokens",
        "output_tokens_per_s",
        "per",
        "precision",
        "proxy",
        "source",
    )
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("output_tokens_per_s", REQUIRED),
        ("per", "replica"),
        ("measured_model", REQUIRED),
        ("proxy", False),
        ("engine", REQUIRED),
        ("precision", REQUIRED),
        ("input_tokens", None),
        ("output_tokens", None),
        ("load", REQUIRED),
        ("as_of", REQUIRED),
        ("source", REQUIRED),
        ("note", None),
    )
    output_tokens_per_s: Decimal
    per: str
    measured_model: str
    proxy: bool
    engine: str
    precision: str
    input_tokens: int | None
    output_tokens: int | None
    load: str
    as_of: dt.date
    source: str
    note: str | None

    def __init__(
        self,
        *,
        output_tokens_per_s: Decimal,
        per: str = "replica",
        measured_model: str,
        proxy: bool = False,
        engine: str,
        precision: str,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        load: str,
        as_of: dt.date,
        source: str,
        note: str | None = None,
    ) -> None:
        self.output_tokens_per_s = output_tokens_per_s
        self.per = per
        self.measured_model = measured_model
        self.proxy = proxy
        self.engine = engine
        self.precision = precision
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.load = load
        self.as_of = as_of
        self.source = source
        self.note = note


class SelfHostOption(Record):
    """Running one open-weight model on rented GPUs."""

    __slots__ = ("gpu_price", "hardware", "id", "model", "note", "target_utilisation", "throughput")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("id", REQUIRED),
        ("model", REQUIRED),
        ("hardware", REQUIRED),
        ("gpu_price", REQUIRED),
        ("throughput", REQUIRED),
        ("target_utilisation", REQUIRED),
        ("note", None),
    )
    id: str
    model: str
    hardware: Hardware
    gpu_price: str
    throughput: Throughput
    target_utilisation: Decimal
    note: str | None

    def __init__(
        self,
        *,
        id: str,
        model: str,
        hardware: Hardware,
        gpu_price: str,
        throughput: Throughput,
        target_utilisation: Decimal,
        note: str | None = None,
    ) -> None:
        self.id = id
        self.model = model
        self.hardware = hardware
        self.gpu_price = gpu_price
        self.throughput = throughput
        self.target_utilisation = target_utilisation
        self.note = note


class SelfHostSheet(Record):
    """Self-hosting options: `pricing/selfhost.yaml`."""

    __slots__ = ("gpu_prices", "kind", "note", "options")
    _FIELDS: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("kind", REQUIRED),
        ("note", None),
        ("gpu_prices", LIST),
        ("options", LIST),
    )
    kind: str
    note: str | None
    gpu_prices: list[GpuPrice]
    options: list[SelfHostOption]

    def __init__(
        self,
        *,
        kind: str,
        note: str | None = None,
        gpu_prices: list[GpuPrice] | None = None,
        options: list[SelfHostOption] | None = None,
    ) -> None:
        self.kind = kind
        self.note = note
        self.gpu_prices = [] if gpu_prices is None else gpu_prices
        self.options = [] if options is None else options


RECORD_KINDS = frozenset(
    {"price-sheet", "models", "fx-rates", "benchmarks", "scores", "profiles", "selfhost"}
)
"""The file kinds whose validated models become records (see the module docstring)."""

_RECORDS: dict[str, type[Record]] = {
    cls.__name__: cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, Record) and cls is not Record
}


_LEAVES = frozenset({str, int, bool, float, Decimal, dt.date, dt.datetime, type(None)})
"""Field value types copied as they are (no model, list or dict inside): not recursed into
(at 20,000 synthetic offers, 282,557 calls of `from_model` instead of 1,856,924)."""


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
        leaves = _LEAVES
        copied = {}
        for name in fields:
            field_value = getattr(value, name)
            copied[name] = field_value if type(field_value) in leaves else from_model(field_value)
        return cls(**copied)
    if type(value) is list:
        return [v if type(v) in _LEAVES else from_model(v) for v in value]
    if type(value) is dict:
        return {k: v if type(v) in _LEAVES else from_model(v) for k, v in value.items()}
    return value
