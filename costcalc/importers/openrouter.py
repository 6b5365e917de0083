"""OpenRouter's `/api/v1/models` JSON -> one costcalc price sheet (provider `openrouter`).

Prices are per token, written as strings ("0.00000015"); they become per-million
prices exactly. `"-1"` means the price is dynamic (a router such as
`openrouter/auto` bills whatever model it picks): such rows are skipped.

| OpenRouter `pricing` | costcalc |
| --- | --- |
| `prompt` | `input` |
| `completion` | `output` |
| `input_cache_read` | `cached_input` |
| `input_cache_write` | `cache_write` |
| `internal_reasoning` (when above 0) | `reasoning` |

Other non-zero prices (`request`, `image`, `web_search`, audio...) are reported
as not representable. Model ids are `openrouter/<OpenRouter id>`; the vendor is
the part of the OpenRouter id before `/`; a model with a `hugging_face_id` is
recorded as open weights (OpenRouter links only open-weight models to Hugging
Face); the license stays unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from costcalc.identity import Identity
from costcalc.importers.common import (
    FEED_CURRENCY,
    UNUSABLE,
    BadValue,
    ImportResult,
    SheetBuilder,
    as_decimal,
    check_price,
    first_error,
    model_facts,
    model_id,
    unusable,
)
from costcalc.numbers import exact_shift

FEED = "openrouter"
PROVIDER = "openrouter"
DEFAULT_URL = "https://openrouter.ai/models"

_COMPONENT = {
    "prompt": "input",
    "input_cache_read": "cached_input",
    "input_cache_write": "cache_write",
    "completion": "output",
    "internal_reasoning": "reasoning",
}
_ORDER = ("input", "cached_input", "cache_write", "output", "reasoning")
DYNAMIC = Decimal(-1)


class TopProvider(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    context_length: Any = None
    max_completion_tokens: Any = None


class OpenRouterModel(BaseModel):
    """One model of the `/api/v1/models` listing (fields the importer reads)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    name: str | None = None
    context_length: Any = None
    pricing: dict[str, Any]
    top_provider: TopProvider | None = None
    hugging_face_id: str | None = None


class OpenRouterListing(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    data: list[Any]


def convert(
    data: Any,
    *,
    source_file: str,
    as_of: dt.date,
    bundled_providers: Mapping[str, Mapping[str, Any]] | None = None,
    identity: Identity | None = None,
) -> ImportResult:
    """Convert a parsed `/api/v1/models` response into price-sheet data."""
    try:
        listing = OpenRouterListing.model_validate(data)
    except ValidationError as exc:
        raise BadValue(f"not an OpenRouter model listing: {first_error(exc)}") from None
    builder = SheetBuilder(
        FEED,
        source_file,
        as_of,
        default_url=DEFAULT_URL,
        bundled_providers=bundled_providers,
        identity=identity,
    )
    for i, raw in enumerate(listing.data):
        builder.rows += 1
        key = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"data[{i}]"
        try:
            _convert_model(builder, key, raw, source_file)
        except BadValue as exc:
            builder.skip(key, str(exc))
        except UNUSABLE as exc:  # any other hostile value ends this row only, with the reason
            builder.skip(key, unusable(exc))
    return builder.result()


def _convert_model(builder: SheetBuilder, key: str, raw: Any, source_file: str) -> None:
    try:
        model = OpenRouterModel.model_validate(raw)
    except ValidationError as exc:
        raise BadValue(f"model not valid: {first_error(exc)}") from None
    rates: dict[str, Decimal] = {}
    for name, value in model.pricing.items():
        number = as_decimal(value, f"pricing.{name}")
        if number == DYNAMIC:
            raise BadValue(f"dynamic price (-1): pricing.{name}")
        component = _COMPONENT.get(name)
        if component is None:
            if number != 0:
                builder.cannot_represent(key, f"pricing.{name}")
            continue
        price = check_price(exact_shift(number, 6), f"pricing.{name}")  # never rounded
        if component == "reasoning" and price == 0:
            continue  # "0" here means reasoning is billed as completion tokens
        rates[component] = price
    missing = [c for c in ("input", "output") if c not in rates]
    if missing:
        raise BadValue(f"no {' and '.join(missing)} price")
    mid = model_id(PROVIDER, model.id, PROVIDER)
    top = model.top_provider or TopProvider()
    facts = model_facts(
        mid,
        name=model.name or model.id,
        vendor=model.id.split("/", 1)[0] if "/" in model.id else None,
        feed="OpenRouter",
        open_weights=True if model.hugging_face_id else None,
        context_window=model.context_length or top.context_length,
        max_output=top.max_completion_tokens,
    )
    period: dict[str, Any] = {
        "as_of": builder.as_of,
        "currency": FEED_CURRENCY,
        "source": builder.source_of(source_file, model.id),
    }
    period.update({c: rates[c] for c in _ORDER if c in rates})
    builder.add(
        key, PROVIDER, facts, {"model": mid, "api_model": model.id[:200], "prices": [period]}
    )
