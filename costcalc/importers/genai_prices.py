"""pydantic/genai-prices provider files (or its `data.json`) -> costcalc price-sheet data.

genai-prices writes prices per million tokens in USD, so numbers are copied
exactly (the YAML is read by `costcalc.yamlio`, JSON with `parse_float=Decimal`).

Mapping:

| genai-prices | costcalc |
| --- | --- |
| `input_mtok` | `input` |
| `output_mtok` | `output` |
| `cache_read_mtok` | `cached_input` |
| `cache_write_mtok` (else `cache_write_5m_mtok`) | `cache_write` |
| `{base, tiers: [{start, price}]}` | base price, and a tier `above_input_tokens: start` |
| prices with a `start_date` | dated periods (`as_of: start_date`; the previous one ends then) |
| an unconditional price plus one with `start_time`/`end_time` | standard prices and `off_peak` |

genai-prices bills a price it does not list as 0: a model with only
`input_mtok` gets `output: 0`, and `prices: {}` (a free model) gets 0 and 0,
each with a note. A model with no token price at all (only per-request or
per-search fees) is skipped. Audio, image and video tokens, 1-hour cache
writes, per-request and per-search fees are reported as not representable.

`as_of` is the model's `prices_checked` date where given, else the import date;
a dated price starts on its `start_date`. Removed models are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from costcalc.identity import Identity
from costcalc.importers.common import (
    FEED_CURRENCY,
    MAX_COUNT_DIGITS,
    UNUSABLE,
    BadValue,
    ImportResult,
    SheetBuilder,
    as_decimal,
    check_price,
    first_error,
    model_facts,
    model_id,
    provider_id,
    unusable,
)

FEED = "genai-prices"
DEFAULT_URL = "https://github.com/pydantic/genai-prices"

_COMPONENT = {
    "input_mtok": "input",
    "output_mtok": "output",
    "cache_read_mtok": "cached_input",
    "cache_write_mtok": "cache_write",
}
_ORDER = ("input", "cached_input", "cache_write", "output")
_TIME = re.compile(r"^(\d\d):(\d\d)(?::00)?(?:Z|\+00:00)?$")


def _bounded_count(value: Any) -> Any:
    """Refuse a count like 1e100000000 before pydantic's int() expands it (unbounded CPU)."""
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > MAX_COUNT_DIGITS:
        raise ValueError(f"{value} is not a token count costcalc accepts")
    return value


class GenaiProvider(BaseModel):
    """A genai-prices provider file: only the fields the importer uses are checked."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    name: str
    pricing_urls: list[str] = []
    models: list[Any]


class GenaiConditional(BaseModel):
    """One of a model's conditional prices."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    constraint: dict[str, Any] | None = None
    prices: dict[str, Any]


class GenaiModel(BaseModel):
    """One model of a genai-prices provider."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    name: str | None = None
    context_window: Annotated[int | None, BeforeValidator(_bounded_count)] = None
    prices: dict[str, Any] | list[GenaiConditional]
    prices_checked: dt.date | None = None
    price_comments: str | None = None
    deprecated: bool = False
    removed: bool = False
    match: Any = None
    """The names the model is matched by (used to resolve it to a bundled model)."""


Rates = dict[str, Decimal]
Tiers = dict[int, Rates]


def convert(
    providers: Sequence[tuple[str, Any]],
    *,
    source: str,
    as_of: dt.date,
    bundled_providers: Mapping[str, Mapping[str, Any]] | None = None,
    identity: Identity | None = None,
) -> ImportResult:
    """Convert parsed genai-prices providers, each given as (file name, data)."""
    builder = SheetBuilder(
        FEED,
        source,
        as_of,
        default_url=DEFAULT_URL,
        bundled_providers=bundled_providers,
        identity=identity,
    )
    for file, raw in providers:
        if isinstance(raw, str):  # a file the reader could not parse, with the reason
            builder.rows += 1
            builder.skip(file, f"file not readable: {raw}")
            continue
        try:
            provider = GenaiProvider.model_validate(raw)
        except ValidationError as exc:
            builder.rows += 1
            builder.skip(file, f"provider not valid: {first_error(exc)}")
            continue
        pid = provider_id(provider.id)
        url = next(
            (u for u in provider.pricing_urls if u.startswith(("http://", "https://"))), None
        )
        builder.provider(pid, name=provider.name, pricing_url=url)
        for raw_model in provider.models:
            builder.rows += 1
            key = f"{provider.id}/{raw_model.get('id') if isinstance(raw_model, dict) else '?'}"
            try:
                _convert_model(builder, file, pid, provider.id, key, raw_model)
            except BadValue as exc:
                builder.skip(key, str(exc))
            except UNUSABLE as exc:  # any other hostile value ends this row only, with the reason
                builder.skip(key, unusable(exc))
    return builder.result()


def _convert_model(
    builder: SheetBuilder, file: str, pid: str, feed_pid: str, key: str, raw: Any
) -> None:
    try:
        model = GenaiModel.model_validate(raw)
    except ValidationError as exc:
        raise BadValue(f"model not valid: {first_error(exc)}") from None
    if model.removed:
        raise BadValue("removed upstream")
    checked = model.prices_checked or builder.as_of
    source = builder.source_of(file, model.id)
    notes = []
    if model.price_comments:
        notes.append(f"genai-prices: {model.price_comments.strip()}")

    if isinstance(model.prices, dict):
        periods = [_period(builder, key, model.prices, checked, source, notes)]
    else:
        periods = _conditional(builder, key, model.prices, checked, source, notes)

    mid = model_id(pid, model.id, feed_pid)
    vendor = model.id.split("/", 1)[0] if pid == "openrouter" and "/" in model.id else None
    facts = model_facts(
        mid,
        name=model.name or model.id,
        vendor=vendor,
        feed="genai-prices",
        context_window=model.context_window,
        note="Deprecated upstream." if model.deprecated else None,
    )
    builder.add(
        key,
        pid,
        facts,
        {"model": mid, "api_model": model.id[:200], "prices": periods},
        match=model.match,
    )


def _rates(builder: SheetBuilder, key: str, prices: Mapping[str, Any]) -> tuple[Rates, Tiers]:
    """Base rates and tiers of one genai-prices price set."""
    base: Rates = {}
    tiers: Tiers = {}
    for name, value in prices.items():
        component = _COMPONENT.get(name)
        if name == "cache_write_5m_mtok" and "cache_write_mtok" not in prices:
            component = "cache_write"
        if component is None:
            if name == "cache_write_5m_mtok" and prices.get("cache_write_mtok") == value:
                continue
            if not (
                isinstance(value, (int, Decimal)) and not isinstance(value, bool) and value == 0
            ):
                builder.cannot_represent(key, name)
            continue
        if isinstance(value, dict):
            if set(value) != {"base", "tiers"} or not isinstance(value["tiers"], list):
                raise BadValue(f"{name} is neither a number nor {{base, tiers}}")
            base[component] = check_price(as_decimal(value["base"], name), name)
            for tier in value["tiers"]:
                if not isinstance(tier, dict) or set(tier) != {"start", "price"}:
                    raise BadValue(f"{name} tier is not {{start, price}}")
                start = tier["start"]
                if isinstance(start, bool) or not isinstance(start, int) or start <= 0:
                    raise BadValue(f"{name} tier start is not a positive token count: {start!r}")
                tiers.setdefault(start, {})[component] = check_price(
                    as_decimal(tier["price"], name), name
                )
        else:
            base[component] = check_price(as_decimal(value, name), name)
    return base, tiers


def _period(
    builder: SheetBuilder,
    key: str,
    prices: Mapping[str, Any],
    as_of: dt.date,
    source: str,
    notes: list[str],
) -> dict[str, Any]:
    base, tiers = _rates(builder, key, prices)
    own_notes = list(notes)
    if "input" not in base and "output" not in base:
        if prices:
            raise BadValue(f"no token prices: only {', '.join(sorted(prices))}")
        own_notes.append("No prices listed upstream: a free model (0 and 0).")
    for component in ("input", "output"):
        if component not in base:
            base[component] = Decimal(0)
            if prices:
                own_notes.append(f"No {component} price upstream: genai-prices bills it as 0.")
    period: dict[str, Any] = {"as_of": as_of, "currency": FEED_CURRENCY, "source": source}
    period.update({c: base[c] for c in _ORDER if c in base})
    if own_notes:
        period["note"] = " ".join(own_notes)[:4000]
    if tiers:
        rows = []
        running = dict(base)
        for start in sorted(tiers):
            running = {**running, **tiers[start]}
            rows.append(
                {"above_input_tokens": start, **{c: running[c] for c in _ORDER if c in running}}
            )
        period["tiers"] = rows
    return period


def _conditional(
    builder: SheetBuilder,
    key: str,
    items: Sequence[GenaiConditional],
    checked: dt.date,
    source: str,
    notes: list[str],
) -> list[dict[str, Any]]:
    kinds = [tuple(sorted(i.constraint or {})) for i in items]
    if all(k in ((), ("start_date",)) for k in kinds):
        return _dated(builder, key, items, checked, source, notes)
    if kinds == [(), ("end_time", "start_time")]:
        return [_time_of_day(builder, key, items, checked, source, notes)]
    raise BadValue(f"conditional prices not representable: constraints {kinds}")


def _dated(
    builder: SheetBuilder,
    key: str,
    items: Sequence[GenaiConditional],
    checked: dt.date,
    source: str,
    notes: list[str],
) -> list[dict[str, Any]]:
    """Dated prices: each starts on its start_date and ends where the next starts."""
    starts: list[dt.date | None] = []
    for i, item in enumerate(items):
        raw = (item.constraint or {}).get("start_date")
        if raw is None:
            if i:
                raise BadValue("an undated price after a dated one")
            starts.append(None)
            continue
        day = raw if isinstance(raw, dt.date) else _parse_date(raw)
        if i and day == dt.date.min:
            raise BadValue(f"start_date {day} leaves no day for the price before it")
        starts.append(day)
    dated = [s for s in starts if s is not None]
    if dated != sorted(set(dated)):
        raise BadValue("start_date prices are not in ascending order")
    periods = []
    for i, (item, start) in enumerate(zip(items, starts, strict=True)):
        following = starts[i + 1] if i + 1 < len(starts) else None
        if start is None:
            as_of = checked if following is None else min(checked, following - dt.timedelta(days=1))
        else:
            as_of = start
        period = _period(builder, key, item.prices, as_of, source, notes)
        if following is not None:
            period["valid_until"] = following
            period = _move_after(period, "as_of", "valid_until")
        periods.append(period)
    return periods


def _move_after(period: dict[str, Any], after: str, name: str) -> dict[str, Any]:
    value = period.pop(name)
    out: dict[str, Any] = {}
    for k, v in period.items():
        out[k] = v
        if k == after:
            out[name] = value
    return out


def _parse_date(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadValue(f"start_date is not a date: {value!r}") from None


def _hhmm(value: Any) -> str:
    match = _TIME.fullmatch(str(value))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise BadValue(f"time is not HH:MM[:00] UTC: {value!r}")
    return f"{match.group(1)}:{match.group(2)}"


def _time_of_day(
    builder: SheetBuilder,
    key: str,
    items: Sequence[GenaiConditional],
    checked: dt.date,
    source: str,
    notes: list[str],
) -> dict[str, Any]:
    """An unconditional price and a price inside a daily window -> standard and off-peak.

    The cheaper of the two is the off-peak price; its window is the constrained
    window, or the rest of the day when the unconditional price is the cheaper.
    """
    constraint = items[1].constraint or {}
    start, end = _hhmm(constraint["start_time"]), _hhmm(constraint["end_time"])
    if start == end:
        raise BadValue("a time window that starts and ends at the same time")
    outside = _period(builder, key, items[0].prices, checked, source, notes)
    inside = _period(builder, key, items[1].prices, checked, source, notes)
    if outside["input"] <= inside["input"]:
        standard, cheap, window = inside, outside, {"start": end, "end": start}
    else:
        standard, cheap, window = outside, inside, {"start": start, "end": end}
    if "tiers" in cheap:
        builder.cannot_represent(key, "tiers of off-peak prices")
    standard["off_peak"] = {"window": window, **{c: cheap[c] for c in _ORDER if c in cheap}}
    return standard
