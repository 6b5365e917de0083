"""Logged model and provider names -> catalog offers, through the catalog's one identity.

Names resolve with `costcalc.identity.Identity`, the resolver the price importers use,
in its order: first a provider's API name (an offer's `api_model`, after removing a
leading vendor or provider namespace such as LiteLLM's `deepseek/`), then the model's
own names (canonical id or alias, same namespaces). Nothing is guessed: a dated
snapshot name that is no alias (gpt-4o-2024-08-06) stays unknown and is counted in
`unpriced`, never dropped. What replay adds is the instant: an API name that several
models served in turn (deepseek-reasoner) resolves to all of them here, and `offer_at`
picks the one serving at each request's instant; a name of an offer's `api_names`
(deepseek-chat on the V3.1 offer) names it only inside that entry's window, kept in
`Resolution.windows`; and an offer is chosen without a logged provider only when
exactly one provider sells it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from costcalc.catalog import Catalog, OfferEntry
from costcalc.identity import Identity, unprefixed
from costcalc.records import as_instant

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


EARLIEST = dt.datetime.min.replace(tzinfo=dt.timezone.utc)

Span = tuple[dt.datetime | None, dt.datetime | None]
"""[from, until) of an API name at an offer; None: no bound on that side."""

ALWAYS: tuple[Span, ...] = ((None, None),)
"""The window of an offer's own `api_model` (or of its model's own names): no bound."""


@dataclass(frozen=True)
class Resolution:
    """Where a logged (model, provider) pair lands: the offers it may name, or why none."""

    entries: tuple[OfferEntry, ...]
    """One offer, or several at one provider that served the same API name in turn."""
    reason: str | None = None
    windows: tuple[tuple[Span, ...], ...] = ()
    """Parallel to `entries`: when the logged name named each offer (a name of the offer's
    `api_names` has its window; `api_model` and model names have ALWAYS). Empty: ALWAYS for
    every entry."""


def _provider_id(catalog: Catalog, provider: str) -> str | None:
    name = provider.strip().lower()
    if not name:
        return None
    name = PROVIDER_NAMES.get(name, name)
    return name if name in catalog.providers else None


def resolve(
    catalog: Catalog, model: str, provider: str | None, identity: Identity | None = None
) -> Resolution:
    """Resolve one logged model name (and provider, when logged) to offers of the catalog.

    Pass the catalog's `identity` when resolving many names (it is built otherwise).
    """
    ident = identity or Identity.from_catalog(catalog)
    raw = model.strip()
    wanted = _provider_id(catalog, provider) if provider else None
    if provider and provider.strip() and wanted is None:
        return Resolution((), f"unknown provider {provider.strip()!r}")
    names = unprefixed(raw, ident.providers)
    if wanted is None and len(names) > 1:
        # LiteLLM's `provider/model`: the prefix names the provider when it is one.
        wanted = _provider_id(catalog, raw.split("/", 1)[0])
    lowered = {n.lower() for n in names}
    # 1. A provider's API name (an offer's api_model, or a name of its api_names).
    sellers = [wanted] if wanted is not None else sorted(ident.api_names)
    hits = {
        (api.provider, api.model)
        for seller in sellers
        for api in ident.api_names.get(seller, [])
        if api.api_model.lower() in lowered
    }
    if hits:
        offers: list[OfferEntry] = []
        windows: list[tuple[Span, ...]] = []
        for o in catalog.offers:
            if (o.provider.id, o.model.id) not in hits:
                continue
            window = name_window(o, lowered)
            if window:
                offers.append(o)
                windows.append(window)
        return _one_seller(offers, tuple(windows))
    # 2. The model's own names.
    model_id = ident.model(raw)
    if model_id is None:
        elsewhere = sorted(
            {
                api.provider
                for apis in ident.api_names.values()
                for api in apis
                if api.api_model.lower() in lowered
            }
        )
        if wanted is not None and elsewhere:
            return Resolution((), f"not offered by {wanted} (offered by {', '.join(elsewhere)})")
        return Resolution((), "unknown model")
    offers = [o for o in catalog.offers if o.model.id == model_id]
    if not offers:
        return Resolution((), f"{model_id} has no API offer")
    if wanted is not None:
        kept = [o for o in offers if o.provider.id == wanted]
        if not kept:
            names_ = ", ".join(sorted({o.provider.id for o in offers}))
            return Resolution((), f"not offered by {wanted} (offered by {names_})")
        offers = kept
    return _one_seller(offers)


def name_window(entry: OfferEntry, lowered: set[str]) -> tuple[Span, ...]:
    """When one of the (lower-case) names named the offer: ALWAYS for its `api_model`,
    else the windows of the matching names of its `api_names`; () when none matches."""
    offer = entry.offer
    if offer.api_model is not None and offer.api_model.lower() in lowered:
        return ALWAYS
    return tuple(other.window() for other in offer.api_names if other.name.lower() in lowered)


def _one_seller(offers: list[OfferEntry], windows: tuple[tuple[Span, ...], ...] = ()) -> Resolution:
    sellers = sorted({o.provider.id for o in offers})
    if len(sellers) > 1:
        return Resolution((), f"provider not logged; offered by {', '.join(sellers)}")
    if all(w == ALWAYS for w in windows):
        windows = ()
    return Resolution(tuple(offers), windows=windows)


def window_hint(name: str, res: Resolution, at: dt.datetime) -> str:
    """For a logged name with no offer at `at`: when the name's windows say why, in words
    ("; deepseek-chat names deepseek-v3.1 from 2025-09-05 16:00 UTC", the next window to open
    after `at`, else the last one to close before it); "" for a name without windows."""
    if not res.windows:
        return ""
    windows = zip(res.entries, res.windows, strict=True)
    spans = [(span, e.model.id) for e, w in windows for span in w]
    opens = [(since, mid) for (since, _), mid in spans if since is not None and since > at]
    if opens:
        since, mid = min(opens)
        return f"; {name} names {mid} from {since:%Y-%m-%d %H:%M} UTC"
    closes = [(until, mid) for (_, until), mid in spans if until is not None and until <= at]
    if closes:
        until, mid = max(closes)
        return f"; {name} named {mid} until {until:%Y-%m-%d %H:%M} UTC"
    return ""


def _inside(window: tuple[Span, ...], at: dt.datetime) -> dt.datetime | None:
    """The latest start (EARLIEST for an open one) of the spans of `window` holding at
    `at`, or None when none holds."""
    found = None
    for since, until in window:
        if (since is None or since <= at) and (until is None or at < until):
            start = EARLIEST if since is None else since
            found = start if found is None else max(found, start)
    return found


def offer_at(
    entries: tuple[OfferEntry, ...],
    at: dt.datetime,
    windows: tuple[tuple[Span, ...], ...] = (),
) -> OfferEntry | None:
    """The offer an API name served at an instant, among offers of one provider.

    `windows` (`Resolution.windows`, parallel to `entries`; empty: no bound) says when the
    logged name named each offer: outside its window an offer is never chosen. Each offer
    holds from the start of its earliest price period in force (or of its window, when
    later); when an older price ends at an instant on the day a newer period starts
    (DeepSeek's lists changed at 2025-09-05 16:00 UTC), the newer one starts at that
    instant. Of the offers holding at `at`, the one that started last is chosen.
    """
    from costcalc.replay.pricing import starts

    if len(entries) == 1 and not windows:
        return entries[0]
    ends = sorted(
        as_instant(p.valid_until)
        for e in entries
        for p in e.offer.prices
        if p.valid_until is not None
    )
    best: tuple[dt.datetime, str] | None = None
    chosen = None
    for i, entry in enumerate(entries):
        opened = _inside(windows[i], at) if windows else EARLIEST
        if opened is None:
            continue
        begun = []
        for period in entry.offer.prices:
            start = starts(period.as_of, ends)
            if start <= at and (period.valid_until is None or at < as_instant(period.valid_until)):
                begun.append(start)
        if begun:
            key = (max(min(begun), opened), entry.model.id)
            if best is None or key > best:
                best, chosen = key, entry
    return chosen


def switches(
    entries: tuple[OfferEntry, ...], windows: tuple[tuple[Span, ...], ...] = ()
) -> list[dt.datetime]:
    """The instants at which `offer_at(entries, at, windows)` can change, ascending.

    Between two consecutive ones (the first included) every period of every entry, and
    every window, either holds or not alike, so `offer_at` gives the same offer: callers
    choose once per interval (`bisect_right(switches, at)`), not once per instant.
    """
    from costcalc.replay.pricing import starts

    ends = sorted(
        as_instant(p.valid_until)
        for e in entries
        for p in e.offer.prices
        if p.valid_until is not None
    )
    found = set(ends)
    for entry in entries:
        for period in entry.offer.prices:
            found.add(starts(period.as_of, ends))
    for window in windows:
        for span in window:
            found.update(bound for bound in span if bound is not None)
    return sorted(found)
