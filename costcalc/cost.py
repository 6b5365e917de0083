"""Pure cost engine: a usage on an offer, priced as of a day, in a currency.

Prices are per million tokens, so a line costs tokens x rate / 1,000,000, in
Decimal from the sheet to the total. Every line of the result names the price it
used, that price's source and date, and where it is written, so every figure
shown can be traced back to a sheet.

Rules (the README repeats them for users):
- `input_tokens` counts every prompt token; cached reads and cache writes are
  part of it, the rest is billed as uncached input;
- a tier applies to the whole request when its prompt is longer than the tier's
  threshold; the highest such tier wins;
- `batch_share` of the requests is billed at batch prices and `off_peak_share`
  at off-peak prices, the rest at standard prices; an offer without such prices
  bills that share at standard prices, and the result says so;
- reasoning tokens are billed at the reasoning price, or as output where none is
  published; cached reads and cache writes without a price of their own are
  billed as uncached input;
- a price published in the asked currency wins; otherwise the period in the
  provider's currency is converted with the dated FX rate.

Arithmetic is exact: every product and sum is computed with the precision its
result needs (`costcalc.numbers`), so nothing rounds and a total is always the
exact sum of its lines. The work is proportional to the digits involved, which
the bound on every number read (`costcalc.numbers`) keeps small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from costcalc.catalog import Catalog, FxEntry, OfferEntry, Origin
from costcalc.dated import in_force, latest_in_force_by
from costcalc.errors import InputError, NoPriceError, Problem
from costcalc.fx import Conversion, conversion
from costcalc.numbers import exact_product, exact_shift, exact_sum
from costcalc.records import Discounted, PricePeriod, Rates, Tier, as_instant, start_of

MILLION = Decimal(1_000_000)
MILLION_EXPONENT = 6
ZERO = Decimal(0)
ONE = Decimal(1)

COMPONENTS = ("input", "cached_input", "cache_write", "output", "reasoning")
_USAGE_FIELD = {
    "cached_input": "cached_tokens",
    "cache_write": "cache_write_tokens",
    "output": "output_tokens",
    "reasoning": "reasoning_tokens",
}
FALLBACK = {"cached_input": "input", "cache_write": "input", "reasoning": "output"}


@dataclass(frozen=True)
class Usage:
    """Tokens of one request, and how many such requests are billed."""

    input_tokens: Decimal
    """Every prompt token, cached reads and cache writes included."""
    output_tokens: Decimal
    """Visible completion tokens."""
    cached_tokens: Decimal = ZERO
    cache_write_tokens: Decimal = ZERO
    reasoning_tokens: Decimal = ZERO
    """Hidden reasoning tokens billed on top of the visible output."""
    requests: Decimal = ONE
    batch_share: Decimal = ZERO
    off_peak_share: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in (
            "input_tokens",
            "output_tokens",
            "cached_tokens",
            "cache_write_tokens",
            "reasoning_tokens",
            "requests",
        ):
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                object.__setattr__(self, name, value := Decimal(value))
            if not value.is_finite() or value < 0:
                raise InputError(
                    f"{name.replace('_', '-')} must be a finite number >= 0, got {value}"
                )
        for name in ("batch_share", "off_peak_share"):
            value = Decimal(getattr(self, name))
            object.__setattr__(self, name, value)
            if not value.is_finite() or not ZERO <= value <= ONE:
                raise InputError(f"{name.replace('_', '-')} must be between 0 and 1, got {value}")
        if exact_sum([self.batch_share, self.off_peak_share]) > ONE:
            raise InputError("batch-share and off-peak-share together exceed 1")
        if exact_sum([self.cached_tokens, self.cache_write_tokens]) > self.input_tokens:
            raise InputError(
                "cached and cache-write tokens are part of the input tokens and cannot exceed them"
                f" ({self.cached_tokens} + {self.cache_write_tokens} > {self.input_tokens})"
            )

    def tokens(self, component: str) -> Decimal:
        """Tokens of one request billed as a component (uncached input is what is left)."""
        if component == "input":
            return exact_sum([self.input_tokens, -self.cached_tokens, -self.cache_write_tokens])
        value: Decimal = getattr(self, _USAGE_FIELD[component])
        return value

    def billed_tokens(self) -> tuple[tuple[str, Decimal, tuple[tuple[str, Decimal], ...]], ...]:
        """Per billing mode with a share (standard, batch, off-peak): the share, and the tokens
        of each component with any (share x requests x tokens per request). Worked out once per
        usage object and kept on it: a compare prices the same request on every offer."""
        plan = self.__dict__.get("_billed")
        if plan is None:
            modes = (
                ("standard", exact_sum([ONE, -self.batch_share, -self.off_peak_share])),
                ("batch", self.batch_share),
                ("off-peak", self.off_peak_share),
            )
            plan = tuple(
                (
                    mode,
                    share,
                    tuple(
                        (component, tokens)
                        for component in COMPONENTS
                        if (tokens := exact_product(self.tokens(component), share, self.requests))
                        != 0
                    ),
                )
                for mode, share in modes
                if share != 0
            )
            object.__setattr__(self, "_billed", plan)
        return plan

    def times(self, factor: Decimal) -> Usage:
        """The same requests, `factor` times as many."""
        return replace(self, requests=exact_product(self.requests, factor))


@dataclass(slots=True, unsafe_hash=True)
class PriceChoice:
    """The price period used for an offer on a day, and how it reaches the asked currency.

    Read-only by convention, not frozen: one is made per offer, and a frozen dataclass's
    __init__ (each field set through object.__setattr__) is about ten times slower."""

    period: PricePeriod
    origin: Origin
    currency: str
    published: bool
    """True when the period is in the asked currency; False when it is converted."""
    conversion: Conversion | None


@dataclass(slots=True, unsafe_hash=True)
class CostLine:
    """One priced component of a usage.

    Read-only by convention, not frozen: one is made per offer, and a frozen dataclass's
    __init__ (each field set through object.__setattr__) is about ten times slower."""

    component: str
    mode: str
    billed_as: str
    tier: int | None
    tokens: Decimal
    rate: Decimal
    rate_currency: str
    amount: Decimal
    source: str
    as_of: dt.date
    origin: str


@dataclass(slots=True, unsafe_hash=True)
class CostResult:
    """The cost of a usage on one offer, with its full breakdown.

    Read-only by convention, not frozen: one is made per offer, and a frozen dataclass's
    __init__ (each field set through object.__setattr__) is about ten times slower.

    `cost_of` leaves the breakdown to be made on first access to `lines` (from the same
    period, usage and day, by the same function that gave the total): a ranking of
    100,000 offers reads only totals, and its lines were about 60 MB."""

    model: str
    provider: str
    currency: str
    usage: Usage
    total: Decimal
    given_lines: tuple[CostLine, ...] | None = field(compare=False, repr=False)
    """The breakdown, or None until `lines` first makes it."""
    choice: PriceChoice
    notes: tuple[str, ...] = field(default_factory=tuple)
    when: dt.date | None = field(default=None, compare=False, repr=False)
    """The day priced (for a breakdown made later); None when the lines were given."""

    @property
    def lines(self) -> tuple[CostLine, ...]:
        """Each priced component: tokens, rate, amount and the price's source and date."""
        if self.given_lines is None:
            assert self.when is not None
            self.given_lines = _lines(self.choice, self.usage, self.when)
        return self.given_lines


def choose_period(
    entry: OfferEntry, when: dt.date, currency: str, fx: Sequence[FxEntry]
) -> PriceChoice:
    """The price period in force on a day, preferring one published in the asked currency."""
    default = entry.provider.currency
    latest = periods_in_force(entry, when)
    if not latest:
        dates = ", ".join(
            f"{p.as_of}..{p.valid_until or ''}"
            for p in sorted(entry.offer.prices, key=lambda p: p.as_of)
        )
        raise NoPriceError(
            f"{entry.label}: no price in force on {when} (its prices cover {dates}); try --as-of"
            + _moved(entry, when),
            file=entry.origin.file,
            line=entry.origin.line,
        )
    if currency in latest:
        period, origin = latest[currency]
        return PriceChoice(period, origin, currency, True, None)
    chosen: str = default if default in latest else sorted(latest)[0]
    period, origin = latest[chosen]
    return PriceChoice(period, origin, chosen, False, conversion(fx, chosen, currency, when))


def periods_in_force(entry: OfferEntry, when: dt.date) -> dict[str, tuple[PricePeriod, Origin]]:
    """The offer's price period in force on a day per currency (`costcalc.dated`'s rule), with
    where each is written; a period naming no currency is in the provider's."""
    default = entry.provider.currency
    prices, origins = entry.offer.prices, entry.period_origins
    if len(prices) == 1 and len(origins) == 1:  # the common case, by the same rule
        period = prices[0]
        if not in_force(period.as_of, period.valid_until, when):
            return {}
        return {period.currency or default: (period, origins[0])}
    return latest_in_force_by(
        zip(entry.offer.prices, entry.period_origins, strict=True),
        when,
        lambda po: (po[0].as_of, po[0].valid_until),
        lambda po: po[0].currency or default,
    )


def _moved(entry: OfferEntry, when: dt.date) -> str:
    """Why an offer whose API name moved on has no price: every period ended before `when`."""
    ends = [p.valid_until for p in entry.offer.prices]
    if entry.offer.api_model is None or any(
        end is None or start_of(when) < as_instant(end) for end in ends
    ):
        return ""
    last = max(as_instant(end) for end in ends if end is not None)
    text = f". Every price ended by {last:%Y-%m-%d %H:%M} UTC: the API name {entry.offer.api_model}"
    text += f" no longer serves {entry.offer.model} at {entry.provider.id}"
    return text + (f" ({entry.offer.note})" if entry.offer.note else "")


def _tier_for(period: PricePeriod, prompt: Decimal) -> Tier | None:
    chosen = None
    for tier in period.tiers:
        if prompt > tier.above_input_tokens:
            chosen = tier
    return chosen


def _price_block(
    period: PricePeriod, tier: Tier | None, mode: str, when: dt.date, notes: list[str]
) -> tuple[Rates, str, dt.date, str]:
    """The rates a mode uses, with their source, date and a label; notes explain fallbacks."""
    standard: tuple[Rates, str, dt.date, str] = (
        (tier, tier.source or period.source, period.as_of, "standard")
        if tier
        else (period, period.source, period.as_of, "standard")
    )
    extra: Discounted | None
    if mode == "batch":
        extra = tier.batch if tier else period.batch
    elif mode == "off-peak":
        extra = period.off_peak
    else:
        return standard
    if extra is None or not in_force(extra.as_of, extra.valid_until, when):
        notes.append(f"no {mode} price in force: the {mode} share is billed at standard prices")
        return (standard[0], standard[1], standard[2], f"{mode} at standard prices")
    return (extra, extra.source or period.source, extra.as_of or period.as_of, mode)


def cost_of(
    entry: OfferEntry,
    usage: Usage,
    *,
    when: dt.date,
    currency: str,
    fx: Sequence[FxEntry],
) -> CostResult:
    """Price a usage on an offer as of a day, in a currency, with a traceable breakdown."""
    choice = choose_period(entry, when, currency, fx)
    notes: list[str] = []
    fallbacks: list[str] = []
    conversion = choice.conversion
    amounts: list[Decimal] = []
    for component, _mode, billed_as, _tier, _tokens, _rate, native, _source, _as_of in _priced(
        choice.period, usage, when, notes
    ):
        amounts.append(conversion.apply(native) if conversion else native)
        if billed_as != component:
            fallbacks.append(f"{component} tokens are billed at the {billed_as} price")
    notes += fallbacks
    if conversion:
        notes.append(
            f"no {currency} price is published: {choice.currency} prices converted at"
            f" {conversion.describe()}"
        )
    return CostResult(
        entry.model.id,
        entry.provider.id,
        currency,
        usage,
        exact_sum(amounts),
        None,
        choice,
        tuple(dict.fromkeys(notes)),
        when,
    )


_Priced = tuple[str, str, str, int | None, Decimal, Decimal, Decimal, str, dt.date]
"""component, mode label, billed as, tier, tokens, rate, amount in the rate's currency,
source, as of."""


def _priced(
    period: PricePeriod, usage: Usage, when: dt.date, notes: list[str]
) -> Iterator[_Priced]:
    """Each billed component of a usage on a price period, in order: the one rule both the
    total and the breakdown come from. Notes explain the modes billed at standard prices."""
    tier = _tier_for(period, usage.input_tokens)
    above = tier.above_input_tokens if tier else None
    for mode, _share, billed in usage.billed_tokens():
        rates, source, as_of, label = _price_block(period, tier, mode, when, notes)
        for component, tokens in billed:
            billed_as = component
            rate = getattr(rates, component)
            while rate is None:
                billed_as = FALLBACK[billed_as]
                rate = getattr(rates, billed_as)
            native = exact_shift(exact_product(tokens, rate), -MILLION_EXPONENT)
            yield component, label, billed_as, above, tokens, rate, native, source, as_of


def _lines(choice: PriceChoice, usage: Usage, when: dt.date) -> tuple[CostLine, ...]:
    """The breakdown `cost_of` summed: one line per priced component."""
    conversion = choice.conversion
    origin = str(choice.origin)
    return tuple(
        CostLine(
            component=component,
            mode=label,
            billed_as=billed_as,
            tier=tier,
            tokens=tokens,
            rate=rate,
            rate_currency=choice.currency,
            amount=conversion.apply(native) if conversion else native,
            source=source,
            as_of=as_of,
            origin=origin,
        )
        for component, label, billed_as, tier, tokens, rate, native, source, as_of in _priced(
            choice.period, usage, when, []
        )
    )


@dataclass(frozen=True)
class OfferCosts:
    """A usage priced on every asked offer of one model: the cheapest first, then the others,
    and the offers that could not be priced on the day (no price in force, no rate)."""

    model: str
    currency: str
    results: tuple[CostResult, ...]
    """Cheapest first (ties by provider id); never empty."""
    not_priced: tuple[Problem, ...] = ()

    @property
    def best(self) -> CostResult:
        return self.results[0]

    @property
    def others(self) -> tuple[CostResult, ...]:
        return self.results[1:]


def cost_offers(
    catalog: Catalog,
    model: str,
    usage: Usage,
    *,
    when: dt.date,
    provider: str | None = None,
    currency: str | None = None,
) -> OfferCosts:
    """Price a usage on a model's offers (or one provider's), cheapest first.

    `currency` None: one offer is priced in its provider's currency, several in USD (to
    compare them). An offer without a price in force is listed in `not_priced`, unless it
    is the only one asked for: then, as when none can be priced, NoPriceError / InputError.
    """
    info = catalog.model(model)
    entries = catalog.offers_for(info.id, provider)
    if not entries:
        raise InputError(
            f"{info.id!r} is in the catalog but no provider sheet offers it"
            " (an open-weight model you would host yourself?); add an offer with --pricing"
        )
    cur = currency_code(currency, entries[0].provider.currency if len(entries) == 1 else "USD")
    results: list[CostResult] = []
    skipped: list[Problem] = []
    for entry in entries:
        try:
            results.append(cost_of(entry, usage, when=when, currency=cur, fx=catalog.fx))
        except NoPriceError as exc:
            if len(entries) == 1:
                raise
            skipped.extend(exc.problems)
    if not results:
        raise InputError(problems=skipped)
    results.sort(key=lambda r: (r.total, r.provider))
    return OfferCosts(info.id, cur, tuple(results), tuple(skipped))


def currency_code(value: str | None, default: str, field: str = "--currency") -> str:
    """Upper-case a currency code (`value`, else `default`) and refuse ones costcalc does not
    know, with a did-you-mean (exit 2)."""
    from costcalc.records import CURRENCIES

    code = (value or default).strip().upper()
    if code not in CURRENCIES:
        import difflib

        close = difflib.get_close_matches(code, CURRENCIES, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(
            f"unknown currency {value!r}{hint}; known: {', '.join(CURRENCIES)}", field=field
        )
    return code
