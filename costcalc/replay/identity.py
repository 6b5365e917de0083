"""Logged model and provider names -> catalog model and offer.

One small function, `resolve`, so that the catalog-wide resolver being built in
costcalc/identity.py can replace it in one place. Until then it looks names up
through the catalog's model ids and `aliases` (case-insensitive) and the offers'
`api_model`, after stripping a known `provider/` prefix (LiteLLM writes
`deepseek/deepseek-chat`). Nothing is guessed: a dated snapshot name that is no
alias (gpt-4o-2024-08-06) stays unknown, and an offer is chosen without a logged
provider only when exactly one offer matches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from costcalc.catalog import Catalog, OfferEntry
from costcalc.schema.common import as_instant

PROVIDER_NAMES = {
    # LiteLLM `custom_llm_provider` and OpenTelemetry `gen_ai.provider.name`/`gen_ai.system`
    # values that differ from costcalc's provider ids.
    "gemini": "google",
    "gcp.gemini": "google",
    "google_ai_studio": "google",
    "fireworks_ai": "fireworks",
    "together_ai": "together",
    "dashscope": "alibaba-model-studio",
    "zai": "z-ai",
    "zhipuai": "zhipu",
}


@dataclass(frozen=True)
class Resolution:
    """Where a logged (model, provider) pair lands: the offers it may name, or why none."""

    entries: tuple[OfferEntry, ...]
    """One offer, or several at one provider that served the same API name in turn."""
    reason: str | None = None


def _provider_id(catalog: Catalog, provider: str) -> str | None:
    name = provider.strip().lower()
    if not name:
        return None
    name = PROVIDER_NAMES.get(name, name)
    return name if name in catalog.providers else None


def resolve(catalog: Catalog, model: str, provider: str | None) -> Resolution:
    """Resolve one logged model name (and provider, when logged) to offers of the catalog."""
    raw = model.strip()
    wanted = _provider_id(catalog, provider) if provider else None
    if provider and provider.strip() and wanted is None:
        return Resolution((), f"unknown provider {provider.strip()!r}")
    candidates = [raw]
    if "/" in raw:
        prefix, rest = raw.split("/", 1)
        if _provider_id(catalog, prefix) is not None:
            candidates.append(rest)
            wanted = wanted or _provider_id(catalog, prefix)
    for name in candidates:
        low = name.lower()
        model_id = catalog._names.get(low)
        if model_id is not None:
            offers = [o for o in catalog.offers if o.model.id == model_id]
        else:
            offers = [
                o
                for o in catalog.offers
                if o.offer.api_model is not None and o.offer.api_model.lower() == low
            ]
        if not offers:
            if model_id is not None:
                return Resolution((), f"{model_id} has no API offer")
            continue
        if wanted is not None:
            kept = [o for o in offers if o.provider.id == wanted]
            if not kept:
                names = ", ".join(sorted({o.provider.id for o in offers}))
                return Resolution((), f"not offered by {wanted} (offered by {names})")
            offers = kept
        sellers = sorted({o.provider.id for o in offers})
        if len(sellers) > 1:
            return Resolution((), f"provider not logged; offered by {', '.join(sellers)}")
        return Resolution(tuple(offers))
    return Resolution((), "unknown model")


def offer_at(entries: tuple[OfferEntry, ...], at: dt.datetime) -> OfferEntry | None:
    """The offer an API name served at an instant, among offers of one provider.

    Each offer holds from the start of its earliest price period in force; when an
    older offer's price ends at an instant on the day a newer one starts (DeepSeek's
    deepseek-chat moved to V3.1 at 2025-09-05 16:00 UTC), the newer one starts at that
    instant. Of the offers holding at `at`, the one that started last is chosen.
    """
    from costcalc.replay.pricing import starts

    if len(entries) == 1:
        return entries[0]
    ends = [
        as_instant(p.valid_until)
        for e in entries
        for p in e.offer.prices
        if p.valid_until is not None
    ]
    best: tuple[dt.datetime, str] | None = None
    chosen = None
    for entry in entries:
        begun = []
        for period in entry.offer.prices:
            start = starts(period.as_of, ends)
            if start <= at and (period.valid_until is None or at < as_instant(period.valid_until)):
                begun.append(start)
        if begun:
            key = (min(begun), entry.model.id)
            if best is None or key > best:
                best, chosen = key, entry
    return chosen
