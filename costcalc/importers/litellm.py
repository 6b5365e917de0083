"""LiteLLM's `model_prices_and_context_window.json` -> costcalc price-sheet data.

The map is keyed by LiteLLM model name; each entry names its `litellm_provider`
and gives prices per token. Read it with `json.loads(text, parse_float=Decimal)`
so each price is the exact decimal written in the file; a per-token price
becomes a per-million price by moving the decimal point six places.

Mapping (per token -> per million):

| LiteLLM key | costcalc |
| --- | --- |
| `input_cost_per_token` | `input` |
| `output_cost_per_token` | `output` |
| `cache_read_input_token_cost` (or `input_cost_per_token_cache_hit`) | `cached_input` |
| `cache_creation_input_token_cost` | `cache_write` |
| `output_cost_per_reasoning_token` | `reasoning` |
| `<key>_above_<N>k_tokens` | a tier `above_input_tokens: N*1000` |
| `<key>_batches` | `batch` (and a tier's `batch`) |
| `tiered_pricing` ranges `[start, end]` | the range at 0 is the base, others tiers above `start` |
| `off_peak_pricing` with one daily UTC window | `off_peak` |

A tier keeps the base price of anything it does not list (as LiteLLM does).
Anything else priced (per request, second, image, character, audio token;
priority, flex and other service tiers; 1-hour cache writes; weekday off-peak
windows; regional uplifts) cannot be written in a costcalc sheet and is
reported as not representable. Rows without a per-token input and output price
(image, audio, search and rerank models) are skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from costcalc.identity import Identity
from costcalc.importers.common import (
    FEED_CURRENCY,
    MAX_COUNT_DIGITS,
    UNUSABLE,
    BadValue,
    ImportResult,
    SheetBuilder,
    as_decimal,
    first_error,
    model_facts,
    model_id,
    provider_id,
    unusable,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

FEED = "litellm"
DEFAULT_URL = "https://docs.litellm.ai/docs/providers"

_COMPONENT = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cached_input",
    "cache_creation_input_token_cost": "cache_write",
    "output_cost_per_reasoning_token": "reasoning",
}
_PRICE_KEY = re.compile(
    r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
    r"|cache_creation_input_token_cost|output_cost_per_reasoning_token)"
    r"(?:_above_(\d{1,9})k_tokens)?(?:_([a-z0-9]+))?$"
)
_CACHE_HIT = "input_cost_per_token_cache_hit"
_HHMM_RANGE = re.compile(r"^(\d\d:\d\d)-(\d\d:\d\d)$")
_PRICED = ("cost", "pricing", "multiplier")

Key = tuple[int | None, str | None]
"""(tier threshold or None, mode: None for standard or 'batches')."""


@functools.cache
def entry_model() -> type[BaseModel]:
    """The pydantic model of one entry of the LiteLLM map: the fields this importer reads;
    the rest is kept aside. Built on the first entry that needs it (see `_entry`), so an
    import of plain entries never imports pydantic."""
    from pydantic import BaseModel, ConfigDict

    class LiteLLMEntry(BaseModel):
        """One entry of the LiteLLM map."""

        model_config = ConfigDict(extra="allow", frozen=True)

        litellm_provider: str
        mode: str | None = None
        source: str | None = None
        max_input_tokens: Any = None
        max_output_tokens: Any = None
        deprecation_date: Any = None
        tiered_pricing: list[dict[str, Any]] | None = None
        off_peak_pricing: dict[str, Any] | None = None

    return LiteLLMEntry


def _is_zero(value: Any) -> bool:
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, Decimal)):
        return value == 0
    if isinstance(value, dict):
        return all(_is_zero(v) for v in value.values())
    return value in (None, "", [])


def convert(
    data: Any,
    *,
    source_file: str,
    as_of: dt.date,
    bundled_providers: Mapping[str, Mapping[str, Any]] | None = None,
    identity: Identity | None = None,
) -> ImportResult:
    """Convert a parsed LiteLLM map (a dict of entries) into price-sheet data."""
    builder = SheetBuilder(
        FEED, source_file, as_of, default_url=DEFAULT_URL, bundled_providers=bundled_providers,
        identity=identity,
    )  # fmt: skip
    if not isinstance(data, dict):
        raise BadValue("a LiteLLM map is a JSON object of model entries")
    repeats = _Repeats()
    for key, raw in data.items():
        builder.rows += 1
        try:
            _convert_entry(builder, str(key), raw, source_file, repeats)
        except BadValue as exc:
            builder.skip(str(key), str(exc))
        except UNUSABLE as exc:  # any other hostile value ends this row only, with the reason
            builder.skip(str(key), unusable(exc))
    return builder.result()


_PRICE, _SERVICE_TIER, _HIT, _LATER, _PRICED_OTHER, _OTHER = range(6)
_KeyKind = tuple[int, Any, Any]
"""What a key of an entry holds: (kind, price slot or what is unrepresented, component)."""


def _key_kind(name: str) -> _KeyKind:
    """What a key of an entry holds (the same in every entry: worked out once per import)."""
    match = _PRICE_KEY.fullmatch(name)
    if match and match.group(3) in (None, "batches"):
        threshold = int(match.group(2)) * 1000 if match.group(2) else None
        return _PRICE, (threshold, match.group(3)), _COMPONENT[match.group(1)]
    if match:
        return _SERVICE_TIER, f"{match.group(3)} service-tier prices", None
    if name == _CACHE_HIT:
        return _HIT, None, None
    if name in ("tiered_pricing", "off_peak_pricing"):
        return _LATER, None, None
    if any(word in name for word in _PRICED):
        return _PRICED_OTHER, name, None
    return _OTHER, None, None


class _Repeats:
    """What the entries of one map repeat, worked out once each.

    A key set (4,878 entries have 1,521): whether pydantic reads every key as text,
    and the keys that hold a price or something priced, in order, with what each holds.
    A provider name (a few dozen): its costcalc provider id.
    """

    def __init__(self) -> None:
        self.kinds: dict[str, _KeyKind] = {}
        self.shapes: dict[tuple[Any, ...], tuple[bool, tuple[tuple[str, _KeyKind], ...]]] = {}
        self.refused: set[str] = set()
        self.providers: dict[str, str] = {}
        """litellm_provider -> costcalc provider id (a few dozen names, thousands of rows)."""

    def shape(self, raw: dict[str, Any]) -> tuple[bool, tuple[tuple[str, _KeyKind], ...]]:
        names = tuple(raw)
        found = self.shapes.get(names)
        if found is None:
            plain = True
            priced: list[tuple[str, _KeyKind]] = []
            for name in names:
                kind = self.kinds.get(name)
                if kind is None:
                    if type(name) is not str:
                        plain = False  # pydantic refuses a key that is not text: the entry
                        continue  # goes to it, and never gets this far
                    kind = self.kinds[name] = _key_kind(name)
                    if not _unicode(name):
                        self.refused.add(name)  # nor text it cannot read
                if name in self.refused:
                    plain = False
                if kind[0] not in (_OTHER, _LATER):
                    priced.append((name, kind))
            found = self.shapes[names] = (plain, tuple(priced))
        return found


class _Fields(NamedTuple):
    """The fields of an entry this importer reads (those of `entry_model()`)."""

    litellm_provider: str
    mode: str | None
    source: str | None
    max_input_tokens: Any
    max_output_tokens: Any
    deprecation_date: Any
    tiered_pricing: list[dict[str, Any]] | None
    off_peak_pricing: dict[str, Any] | None


_NO_PROVIDER = "entry not valid: litellm_provider: Field required"
"""pydantic's refusal of an entry without `litellm_provider`, its first field (an alias
entry, `{"alias_of": ...}`, has nothing else): the first error it lists whatever else
the entry holds, so it is given here without asking (tests/test_import_fast.py checks
the wording against pydantic's)."""


def _entry(raw: dict[str, Any], plain_keys: bool) -> _Fields:
    """The entry's fields: taken as they are when they have the plain JSON types
    LiteLLMEntry accepts unchanged, else validated by pydantic (which words a refusal)."""
    if plain_keys and "litellm_provider" not in raw:
        raise BadValue(_NO_PROVIDER)
    provider = raw.get("litellm_provider")
    mode = raw.get("mode")
    source = raw.get("source")
    tiered = raw.get("tiered_pricing")
    off_peak = raw.get("off_peak_pricing")
    if (
        type(provider) is str
        and (mode is None or type(mode) is str)
        and (source is None or type(source) is str)
        and (tiered is None or (type(tiered) is list and all(_str_keys(r) for r in tiered)))
        and (off_peak is None or _str_keys(off_peak))
        and _unicode(provider, mode, source)
        and plain_keys
    ):
        return _Fields(
            provider,
            mode,
            source,
            raw.get("max_input_tokens"),
            raw.get("max_output_tokens"),
            raw.get("deprecation_date"),
            tiered,
            off_peak,
        )
    from pydantic import ValidationError

    try:
        entry = entry_model().model_validate(raw)
    except ValidationError as exc:
        raise BadValue(f"entry not valid: {first_error(exc)}") from None
    return _Fields(*(getattr(entry, name) for name in _Fields._fields))


def _str_keys(value: Any) -> bool:
    return type(value) is dict and all(type(k) is str and _unicode(k) for k in value)


def _unicode(*texts: str | None) -> bool:
    """Whether pydantic reads each text as it is (it refuses a lone surrogate)."""
    for text in texts:
        if text is not None and not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


def _convert_entry(
    builder: SheetBuilder, key: str, raw: Any, source_file: str, repeats: _Repeats
) -> None:
    if key == "sample_spec":
        raise BadValue("documentation entry (sample_spec), not a model")
    if not isinstance(raw, dict):
        raise BadValue("entry is not an object")
    plain_keys, priced = repeats.shape(raw)
    entry = _entry(raw, plain_keys)

    prices: dict[Key, dict[str, Decimal]] = {}
    for name, (what, slot, component) in priced:
        value = raw[name]
        if what == _PRICE:
            prices.setdefault(slot, {})[component] = builder.per_million(value, name)
        elif what == _SERVICE_TIER:
            if not _is_zero(value):
                builder.cannot_represent(key, slot)
        elif what == _HIT:
            hit = builder.per_million(value, name)
            if "cache_read_input_token_cost" not in raw:
                prices.setdefault((None, None), {})["cached_input"] = hit
            elif builder.per_million(raw["cache_read_input_token_cost"], name) != hit:
                builder.cannot_represent(key, f"{name} different from cache_read_input_token_cost")
        elif not _is_zero(value):  # _PRICED_OTHER
            builder.cannot_represent(key, slot)

    if entry.tiered_pricing:
        _tiered(builder, key, entry.tiered_pricing, prices)

    base = prices.get((None, None), {})
    if "input" not in base or "output" not in base:
        missing = [c for c in ("input", "output") if c not in base]
        raise BadValue(
            f"no per-token {' and '.join(missing)} price: mode {entry.mode or 'unknown'}"
        )

    period: dict[str, Any] = {
        "as_of": builder.as_of,
        "currency": FEED_CURRENCY,
        "source": builder.source_of(source_file, key),
    }
    period.update(_ordered(base))
    if entry.source:
        period["note"] = f"LiteLLM cites {entry.source}"[:4000]
    if len(prices) > 1:  # more than the base prices: tiers or batch prices
        _tiers_and_batch(builder, key, prices, base, period)
    if entry.off_peak_pricing:
        off_peak = _off_peak(builder, key, entry.off_peak_pricing)
        if off_peak is not None:
            period["off_peak"] = off_peak

    pid = repeats.providers.get(entry.litellm_provider)
    if pid is None:
        pid = repeats.providers[entry.litellm_provider] = provider_id(entry.litellm_provider)
    if not pid:
        raise BadValue(f"litellm_provider is empty: {entry.litellm_provider!r}")
    mid = model_id(pid, key, entry.litellm_provider)
    note = f"LiteLLM mode: {entry.mode or 'unknown'}."
    if entry.deprecation_date:
        note += f" LiteLLM deprecation date: {entry.deprecation_date}."
    model = model_facts(
        mid,
        name=key,
        vendor=None,
        feed="LiteLLM",
        context_window=entry.max_input_tokens,
        max_output=entry.max_output_tokens,
        note=note,
    )
    offer = {"model": mid, "api_model": key[:200], "prices": [period]}
    builder.add(key, pid, model, offer)


def _tiers_and_batch(
    builder: SheetBuilder,
    key: str,
    prices: dict[Key, dict[str, Decimal]],
    base: dict[str, Decimal],
    period: dict[str, Any],
) -> None:
    """A period's tiers (each keeping the base prices it does not list) and batch prices."""
    tiers = []
    for threshold in sorted(t for (t, mode) in prices if t is not None and mode is None):
        tier: dict[str, Any] = {"above_input_tokens": threshold}
        tier.update(_ordered({**base, **prices[(threshold, None)]}))
        tier_batch = prices.get((threshold, "batches"))
        if tier_batch is not None:
            filled = {**prices.get((None, "batches"), {}), **tier_batch}
            if "input" in filled and "output" in filled:
                tier["batch"] = _ordered(filled)
            else:
                builder.cannot_represent(key, "tier batch prices without input and output")
        tiers.append(tier)
    orphan = [
        t for (t, mode) in prices if t is not None and mode == "batches" and (t, None) not in prices
    ]
    if orphan:
        builder.cannot_represent(key, "tier batch prices without standard tier prices")
    if tiers:
        period["tiers"] = tiers
    batch = prices.get((None, "batches"))
    if batch is not None:
        if "input" in batch and "output" in batch:
            period["batch"] = _ordered(batch)
        else:
            builder.cannot_represent(key, "batch prices without both input and output")


_ORDER = ("input", "cached_input", "cache_write", "output", "reasoning")


def _ordered(rates: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Rates in the order sheets write them."""
    return {c: rates[c] for c in _ORDER if c in rates}


def _tiered(
    builder: SheetBuilder,
    key: str,
    rows: list[dict[str, Any]],
    prices: dict[Key, dict[str, Decimal]],
) -> None:
    """LiteLLM `tiered_pricing`: [{range: [start, end], <prices>}], one range starting at 0."""
    for row in rows:
        if not isinstance(row, dict):
            raise BadValue("tiered_pricing row is not an object")
        bounds = row.get("range")
        if bounds is None:
            builder.cannot_represent(key, "tiered_pricing without token ranges")
            continue
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise BadValue(f"tiered_pricing range is not [start, end]: {bounds!r}")
        start = as_decimal(bounds[0], "tiered_pricing range start")
        if start < 0 or start.adjusted() > MAX_COUNT_DIGITS or start != start.to_integral_value():
            raise BadValue(f"tiered_pricing range start is not a whole token count: {bounds[0]}")
        threshold = int(start) or None
        found: dict[str, Decimal] = {}
        for name, value in row.items():
            if name == "range":
                continue
            if name in _COMPONENT:
                found[_COMPONENT[name]] = builder.per_million(value, f"tiered_pricing {name}")
            elif not _is_zero(value):
                builder.cannot_represent(key, f"tiered_pricing {name}")
        if not found:
            continue
        slot = prices.setdefault((threshold, None), {})
        for component, value in found.items():
            slot.setdefault(component, value)


def _every_day(weekdays: list[Any]) -> bool:
    """Whether a window's weekdays are all seven (items of any other type count as not)."""
    return all(isinstance(d, int) and not isinstance(d, bool) for d in weekdays) and set(
        weekdays
    ) == {1, 2, 3, 4, 5, 6, 7}


def _off_peak(builder: SheetBuilder, key: str, raw: dict[str, Any]) -> dict[str, Any] | None:
    """One daily UTC window on every day becomes `off_peak`; anything finer is reported."""
    windows = raw.get("windows")
    simple = (
        isinstance(windows, list)
        and len(windows) == 1
        and isinstance(windows[0], dict)
        and isinstance(windows[0].get("hours_utc"), str)
        and isinstance(windows[0].get("weekdays", []), list)
        and _every_day(windows[0].get("weekdays", [1, 2, 3, 4, 5, 6, 7]))
        and "weekday_timezone" not in raw
    )
    match = _HHMM_RANGE.fullmatch(windows[0]["hours_utc"]) if simple and windows else None
    if not match or match.group(1) == match.group(2):
        builder.cannot_represent(key, "off_peak_pricing with weekday or several windows")
        return None
    rates = {
        _COMPONENT[name]: builder.per_million(value, f"off_peak_pricing {name}")
        for name, value in raw.items()
        if name in _COMPONENT
    }
    if "input" not in rates or "output" not in rates:
        builder.cannot_represent(key, "off_peak_pricing without input and output")
        return None
    return {"window": {"start": match.group(1), "end": match.group(2)}, **_ordered(rates)}
