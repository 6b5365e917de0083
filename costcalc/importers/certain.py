"""A fast, conservative check that an importer's plain data is valid sheet data.

`SheetBuilder.add` must skip, with pydantic's own message, every row whose model
facts, offer or provider costcalc's schema (`ModelInfo`, `Offer`, `Provider`)
refuses. Asking pydantic about each of the 3,900 rows of LiteLLM's map costs more
than converting them (the schema's number validators run in Python for every
price), and importing pydantic and the schema classes costs about as much again,
yet the rows an importer builds are valid by construction nearly always. So each
row is first looked at here: `Certain.model`, `Certain.offer` and
`Certain.provider` answer True only when the data has the plain shapes the
importers write (exact `str`, `int`, `bool`, `Decimal`, `date`, no unknown key)
and every value is inside the schema's bounds, checked strictly (a string is
matched unstripped, a price zero only at a plain exponent, a date never a
datetime, a `valid_until` never...). Anything else answers False, and the builder
asks pydantic, which stays the one authority on what is refused and why.

The rule this module must keep: True implies the schema accepts the data.
tests/test_import_fast.py checks that on every row of the three fixture feeds
and on random rows, and pins a fingerprint of the schema so that a change there
comes back here for review. Each table below lists one schema class's fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from costcalc.numbers import MAX_DIGITS, MAX_EXPONENT
from costcalc.records import CURRENCIES

Check = Callable[[Any], bool]

_ID = re.compile(r"[a-z0-9][a-z0-9._/:+-]*")
_COUNTRY = re.compile(r"[A-Z]{2}")
_HHMM = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
_MAX_PRICE = Decimal(10) ** 9
_MAX_COUNT = 10 ** (MAX_EXPONENT - 1)
_CURRENCIES = frozenset(CURRENCIES)


def _unicode(text: str) -> bool:
    """Whether pydantic can read the text (a lone surrogate is refused there)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(value: Any) -> bool:
    """`Text`: 1 to 4,000 characters once stripped. Python strips at least the characters
    pydantic strips, so a non-empty Python-stripped text is non-empty there too; a text
    is empty once stripped exactly when it is empty or `isspace()` (both use the same
    definition of white space), which is asked without copying the text."""
    return (
        type(value) is str
        and 0 < len(value) <= 4000
        and not value.isspace()
        and (value.isascii() or _unicode(value))
    )


def _source(value: Any) -> bool:
    """`Source`: 3 to 2,000 characters once stripped."""
    return (
        type(value) is str
        and len(value) <= 2000
        and len(value.strip()) >= 3
        and (value.isascii() or _unicode(value))
    )


def _id(value: Any) -> bool:
    """`Id`: matched as it is (pydantic would strip first; an id with spaces is left to it)."""
    return type(value) is str and len(value) <= 160 and _ID.fullmatch(value) is not None


def _count(value: Any) -> bool:
    """`PositiveCount`: a whole count above zero, within costcalc's number bound."""
    return type(value) is int and 0 < value < _MAX_COUNT


def _date(value: Any) -> bool:
    return type(value) is dt.date


def _api_model(value: Any) -> bool:
    return type(value) is str and len(value) <= 200 and (value.isascii() or _unicode(value))


_API_NAME_KEYS = frozenset({"name", "from", "until", "source", "note"})
_MAX_API_NAMES = 50  # costcalc.schema.pricing.MAX_API_NAMES (not imported: that loads pydantic)


def _api_names(value: Any) -> bool:
    """`Offer.api_names`: at most 50 entries, each a name (1 to 200 characters, no space
    around it), a source, an optional note and a window whose bounds, where given, are
    dates (never a datetime: left to pydantic) with `from` before `until`."""
    if type(value) is not list or len(value) > _MAX_API_NAMES:
        return False
    for entry in value:
        if type(entry) is not dict or not entry.keys() <= _API_NAME_KEYS:
            return False
        name, start, end = entry.get("name"), entry.get("from"), entry.get("until")
        if not (
            type(name) is str
            and 0 < len(name) <= 200
            and name == name.strip()
            and _unicode(name)
            and _source(entry.get("source"))
            and (entry.get("note") is None or _text(entry["note"]))
            and (start is None or _date(start))
            and (end is None or _date(end))
            and (start is None or end is None or start < end)
        ):
            return False
    return True


def _currency(value: Any) -> bool:
    return type(value) is str and value in _CURRENCIES


def _bool(value: Any) -> bool:
    return type(value) is bool


def _ids(value: Any) -> bool:
    return type(value) is list and all(_id(v) for v in value)


def _country(value: Any) -> bool:
    """Two capital ASCII letters (the schema's `^[A-Z]{2}$`, matched unstripped)."""
    return type(value) is str and _COUNTRY.fullmatch(value) is not None


def _url(value: Any) -> bool:
    """`pricing_url`: starts with http:// or https:// (so no space to strip in front),
    at most 500 characters even before stripping."""
    return (
        type(value) is str
        and len(value) <= 500
        and value.startswith(("http://", "https://"))
        and _unicode(value)
    )


def _null(value: Any) -> bool:
    """Only an absent value is certain (`valid_until`, a rate limit... are left to pydantic)."""
    return value is None


class _Optional:
    """A field that may be null (`X | None`): the table entry of its check."""

    __slots__ = ("check",)

    def __init__(self, check: Check) -> None:
        self.check = check


_optional = _Optional
Field = Check | _Optional


def _table(fields: dict[str, Field]) -> tuple[dict[str, Check], frozenset[str]]:
    """A schema class's fields as checks by key, and the keys whose value may be null."""
    checks = {k: f.check if isinstance(f, _Optional) else f for k, f in fields.items()}
    return checks, frozenset(k for k, f in fields.items() if isinstance(f, _Optional))


Table = tuple[dict[str, Check], frozenset[str]]


def _fields(data: Any, table: Table, required: frozenset[str]) -> bool:
    """A dict of known keys only, each value passing its check (or null where the field
    may be), with the required keys present."""
    if type(data) is not dict or not data.keys() >= required:
        return False
    checks, nullable = table
    try:
        for key, value in data.items():
            if value is None and key in nullable:
                continue
            if not checks[key](value):
                return False
    except KeyError:  # an unknown key (or a check that met a missing one): not certain
        return False
    return True


_MODEL = _table(
    {
        "id": _id,
        "name": _text,
        "aliases": _ids,
        "vendor": _text,
        "open_weights": _optional(_bool),
        "license": _id,
        "license_note": _optional(_text),
        "license_source": _optional(_source),
        "context_window": _optional(_count),
        "max_output": _optional(_count),
        "released": _optional(_date),
        "base_model": _optional(_id),
        "thinking": _optional(_bool),
        "source": _optional(_source),
        "note": _optional(_text),
    }
)  # ModelInfo (parameters and reasoning are left to pydantic)
_PROVIDER = _table(
    {
        "id": _id,
        "name": _text,
        "country": _country,
        "currency": _currency,
        "pricing_url": _url,
        "note": _optional(_text),
    }
)  # Provider
_PROVIDER_REQUIRED = frozenset({"id", "name", "country", "currency", "pricing_url"})
_MODEL_REQUIRED = frozenset({"id", "name", "vendor", "open_weights", "license"})
_RATES_REQUIRED = frozenset({"input", "output"})
_OFF_PEAK_REQUIRED = _RATES_REQUIRED | {"window"}
_TIER_REQUIRED = _RATES_REQUIRED | {"above_input_tokens"}
_PERIOD_REQUIRED = _RATES_REQUIRED | {"as_of", "source"}
_OFFER_REQUIRED = frozenset({"model", "prices"})


class Certain:
    """Certifies one import's rows; remembers the non-zero prices already certified."""

    __slots__ = ("_discounted", "_off_peak", "_offer", "_period", "_seen", "_tier")

    def __init__(self) -> None:
        self._seen: set[Decimal] = set()
        price, maybe = self.price, _optional(self.price)
        rates: dict[str, Field] = {
            "input": price,
            "cached_input": maybe,
            "cache_write": maybe,
            "output": price,
            "reasoning": maybe,
        }
        discounted: dict[str, Field] = {
            **rates,
            "as_of": _optional(_date),
            "valid_until": _null,
            "source": _optional(_source),
        }
        self._discounted = _table(discounted)
        self._off_peak = _table({**discounted, "window": _window})
        self._tier = _table(
            {
                **rates,
                "above_input_tokens": _count,
                "source": _optional(_source),
                "batch": _optional(self.discounted),
            }
        )
        self._period = _table(
            {
                **rates,
                "as_of": _date,
                "valid_until": _null,
                "currency": _optional(_currency),
                "source": _source,
                "note": _optional(_text),
                "tiers": self.tiers,
                "batch": _optional(self.discounted),
                "off_peak": _optional(self.off_peak),
            }
        )
        self._offer = _table(
            {
                "model": _id,
                "api_model": _optional(_api_model),
                "api_names": _api_names,
                "context_window": _optional(_count),
                "max_output": _optional(_count),
                "prices": self.prices,
                "note": _optional(_text),
            }
        )  # rate limits are left to pydantic

    def price(self, value: Any) -> bool:
        """`Price`: an exact Decimal from 0 to 10^9 within costcalc's number bound."""
        if type(value) is not Decimal or not value.is_finite():
            return False
        if value in self._seen:
            return True
        if not 0 <= value <= _MAX_PRICE:
            return False
        if value == 0:
            # Zero is bounded by its exponent (0E-100 is refused): only a plain one passes.
            exponent = value.as_tuple().exponent
            return isinstance(exponent, int) and exponent >= -2 * MAX_EXPONENT
        # Non-zero: the bound depends on the value only (leading digit, significant digits).
        if value.adjusted() < -MAX_EXPONENT or len(value.as_tuple().digits) > MAX_DIGITS:
            return False
        self._seen.add(value)
        return True

    def discounted(self, data: Any) -> bool:
        return _fields(data, self._discounted, _RATES_REQUIRED)

    def off_peak(self, data: Any) -> bool:
        return _fields(data, self._off_peak, _OFF_PEAK_REQUIRED)

    def tiers(self, data: Any) -> bool:
        """Tiers, ascending and distinct by threshold (as PricePeriod asks)."""
        if type(data) is not list:
            return False
        last = 0
        for tier in data:
            if not _fields(tier, self._tier, _TIER_REQUIRED):
                return False
            if tier["above_input_tokens"] <= last:
                return False
            last = tier["above_input_tokens"]
        return True

    def period(self, data: Any) -> bool:
        if not _fields(data, self._period, _PERIOD_REQUIRED):
            return False
        for extra in (data.get("batch"), data.get("off_peak")):
            starts = extra.get("as_of") if extra is not None else None
            if starts is not None and starts < data["as_of"]:
                return False  # a batch or off-peak price starting before its period
        return True

    def prices(self, data: Any) -> bool:
        """At least one period, no two on one day in one currency (as Offer asks)."""
        if type(data) is not list or not data:
            return False
        starts: set[tuple[dt.date, Any]] = set()
        for period in data:
            if not self.period(period):
                return False
            start = (period["as_of"], period.get("currency"))
            if start in starts:
                return False
            starts.add(start)
        return True

    def offer(self, data: Any) -> bool:
        """Whether `Offer.model_validate(data)` certainly succeeds."""
        return _fields(data, self._offer, _OFFER_REQUIRED)

    def model(self, data: Any) -> bool:
        """Whether `ModelInfo.model_validate(data)` certainly succeeds."""
        return _fields(data, _MODEL, _MODEL_REQUIRED)

    def provider(self, data: Any) -> bool:
        """Whether `Provider.model_validate(data)` certainly succeeds."""
        return _fields(data, _PROVIDER, _PROVIDER_REQUIRED)


def _window(value: Any) -> bool:
    """`Window`: two different HH:MM times (matched unstripped; no trailing newline)."""
    if type(value) is not dict or value.keys() != {"start", "end"}:
        return False
    start, end = value["start"], value["end"]
    return (
        type(start) is str
        and type(end) is str
        and start != end
        and _HHMM.fullmatch(start) is not None
        and _HHMM.fullmatch(end) is not None
    )
