"""What the same traffic would have cost on every other offer `compare` would consider.

The offers and their good-enough flags come from `costcalc.compare` (same profile,
bar and filters), ranked for the log's average request on `as_of` (default: the
log's last day). Each offer reprices every priced group of the log with the cost
engine, on the group's own day and prices. The result is a band, not a point:

- the same text is a different number of tokens under another tokenizer, and
  another model answers at another length; costcalc has no sourced per-model
  factor for either, so the band is a stated ± `spread` (default 25%, costcalc's
  assumption, not a measurement) on the part of the traffic that moves to a
  different model. What vendors publish are rules of thumb for English text, not
  per-model factors: OpenAI, "1 token ~= 4 chars in English" (help.openai.com,
  "What are tokens and how to count them", read 2026-11-30); DeepSeek, "1 English
  character ≈ 0.3 token, 1 Chinese character ≈ 0.6 token" (api-docs.deepseek.com,
  quick_start/token_usage, read 2026-11-30), both saying the ratio varies. They put
  the two tokenizers about 20% apart on English (0.30 / 0.25 tokens per character),
  inside the default band, but cover two vendors of many, English only, and nothing
  about answer length, so they are not applied as factors;
- traffic already on the alternative's model keeps its tokens (no band).

An offer with no price in force on one of the log's days, or no exchange rate,
cannot reprice the whole log and is left out with a note.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from costcalc.catalog import Catalog, OfferEntry
from costcalc.compare import CompareOptions, compare_full
from costcalc.cost import Usage
from costcalc.errors import NoPriceError
from costcalc.replay.pricing import Narrowed, Pricer, Slot, Traffic, unpack
from costcalc.replay.result import Alternative

DEFAULT_SPREAD = Decimal("0.25")
"""± share of the alternative's cost for traffic moved to another model (an assumption)."""


@dataclass(frozen=True)
class CounterfactualOptions:
    """compare's selection and bar, and the band."""

    profile: str = "balanced"
    weights: Mapping[str, Decimal] | None = None
    min_quality: Decimal | None = None
    good_enough: Decimal | None = None
    min_coverage: Decimal | None = None
    providers: Collection[str] | None = None
    open_weights: bool | None = None
    licenses: Collection[str] | None = None
    models: Collection[str] | None = None
    spread: Decimal = DEFAULT_SPREAD
    as_of: dt.date | None = None
    limit: int | None = None
    """Keep this many alternatives (good-enough first, cheapest first); None: all."""
    cache_dir: Path | None = None
    """Where compare keeps its latent quality fit between runs (None: fitted every run)."""


@dataclass
class Counterfactual:
    alternatives: list[Alternative]
    as_of: dt.date | None
    bar: Decimal | None
    by_day_best: dict[dt.date, Decimal]
    notes: list[str]


def _average_usage(sums: Sequence[int]) -> Usage:
    n = Decimal(max(sums[0], 1))
    inp, cached, written, out, reasoning = (Decimal(x) / n for x in sums[1:])
    if cached + written > inp:  # rounding of the averages; keep the engine's invariant
        cached = inp - written
    return Usage(
        input_tokens=inp,
        output_tokens=out,
        cached_tokens=cached,
        cache_write_tokens=written,
        reasoning_tokens=reasoning,
    )


Slice = tuple[Slot, int, dict[str, int]]
"""Traffic that every offer prices alike: the slot of its earliest group, its summed tokens,
and its tokens per catalog model (sums packed, see `pricing.pack`)."""


@dataclass
class Summary:
    """The priced traffic in the shapes the counterfactual needs, from one pass over it."""

    sums: tuple[int, ...]
    """requests and tokens of all of it."""
    tokens_by_model: dict[str, int]
    """input + output + reasoning tokens per catalog model."""
    whole: list[Slice]
    """Slices of the whole log (see `summarise`)."""
    daily: list[Slice]
    """The same, also split by day."""


def summarise(priced: Sequence[Traffic], pricer: Pricer) -> Summary:
    """Priced groups merged on what any offer's price depends on, keeping each model's share.

    That is the instant's place among every offer's price bounds and exchange-rate dates
    (`Pricer.all_bounds`), its minute of the day (off-peak windows), the tier and batch;
    and the day for the daily slices. A log of months becomes a few hundred slices. Each
    slice keeps the slot of its earliest group (`priced` comes sorted by instant, so the
    first daily slice of a whole-log slice holds its earliest group).
    """
    bounds = pricer.all_bounds()
    # A daily slice's number per slot (`Slot.order >> 1`: the same day, slices, tier and
    # batch), its key, and the first slot of each; then tokens per (slice, model), summed
    # as packed integers in the order they first appear.
    number_of: dict[int, int] = {}
    keys: dict[tuple[object, ...], int] = {}
    firsts: list[Slot] = []
    day_keys: list[tuple[object, ...]] = []
    per_model: dict[tuple[int, str], int] = {}
    for slot, model, tokens in priced:
        number = number_of.get(slot.order >> 1)
        if number is None:
            at = slot.at
            place = (bisect.bisect_right(bounds, at), at.hour * 60 + at.minute)
            key = (place, slot.tier, slot.batch, slot.day)
            number = keys.get(key)
            if number is None:
                number = keys[key] = len(firsts)
                firsts.append(slot)
                day_keys.append(key)
            number_of[slot.order >> 1] = number
        cell = (number, model)
        per_model[cell] = per_model.get(cell, 0) + tokens
    daily: list[dict[str, int]] = [{} for _ in firsts]
    for (number, model), tokens in per_model.items():
        daily[number][model] = tokens
    whole_of: dict[tuple[object, ...], int] = {}
    whole_firsts: list[Slot] = []
    whole: list[dict[str, int]] = []
    by_model: dict[str, int] = {}
    for number, models in enumerate(daily):
        wkey = day_keys[number][:3]
        w = whole_of.get(wkey)
        if w is None:
            w = whole_of[wkey] = len(whole)
            whole.append({})
            whole_firsts.append(firsts[number])
        into = whole[w]
        for model, tokens in models.items():
            into[model] = into.get(model, 0) + tokens
            by_model[model] = by_model.get(model, 0) + tokens
    unpacked = {m: unpack(s) for m, s in by_model.items()}
    return Summary(
        unpack(sum(by_model.values())),
        {m: s[1] + s[4] + s[5] for m, s in unpacked.items()},
        [(slot, sum(m.values()), m) for slot, m in zip(whole_firsts, whole, strict=True)],
        [(slot, sum(m.values()), m) for slot, m in zip(firsts, daily, strict=True)],
    )


def _hidden_on(entry: OfferEntry, tokens: Sequence[int]) -> int:
    """Reasoning tokens that traffic moved onto an offer bills: the model's sourced figure
    (per request, or a multiple of the visible output, rounded to whole tokens) replaces
    the reasoning the logged models spent, as compare bills it; with no figure the logged
    reasoning is kept (the band covers the difference)."""
    figure = entry.model.reasoning
    if figure is None:
        return tokens[5]
    if figure.tokens_per_request is not None:
        return tokens[0] * figure.tokens_per_request
    assert figure.output_multiple is not None
    return int((figure.output_multiple * tokens[4]).to_integral_value())


def reprice(
    pricer: Pricer, entry: OfferEntry, traffic: Sequence[Slice], per_day: bool = False
) -> tuple[Decimal, Decimal, dict[dt.date, Decimal]]:
    """(cost of the traffic on other models, cost of traffic already on this model, per day).

    The slices are summed first on what this offer's price depends on (its price regime at
    the slice's instant, the tier, batch, and the exchange-rate epoch or the day), then
    narrowed once per sum, then summed again on the narrowed price before the cost engine
    is called: a few cost-engine calls per offer however many slices the log has.
    """
    own = entry.model.id
    regimes: dict[int, tuple[int, int]] = {}
    whens: dict[dt.date, object] = {}
    coarse: dict[tuple[object, ...], list[Any]] = {}
    for slot, tokens, by_model in traffic:
        regime = regimes.get(slot.instant)
        if regime is None:
            regime = regimes[slot.instant] = pricer.regime(entry, slot.at)
        when_key = whens.get(slot.day)
        if when_key is None:
            when_key = whens[slot.day] = slot.day if per_day else pricer.fx_epoch(slot.day)
        key = (regime, slot.tier, slot.batch, when_key)
        found = coarse.get(key)
        if found is None:
            found = coarse[key] = [slot, 0, 0]
        # Packed sums: the part already on this model is subtracted lane by lane.
        mine = by_model.get(own, 0)
        found[1] += tokens - mine
        found[2] += mine
    merged: dict[tuple[object, ...], tuple[Narrowed, dt.date, list[int], list[int]]] = {}
    for (_regime, _tier, batch, when_key), (slot, other_sum, own_sum) in coarse.items():
        built, off_peak_any, signature = pricer.narrow_at(entry, slot.at, slot.tier)
        narrowed = Narrowed(built, off_peak_any and not slot.batch, signature, slot.at)
        mkey = (signature, when_key, batch, narrowed.off_peak)
        others, owns = list(unpack(other_sum)), list(unpack(own_sum))
        others[5] = _hidden_on(entry, others)
        found_m = merged.get(mkey)
        if found_m is None:
            merged[mkey] = (narrowed, slot.day, others, owns)
        else:
            for i in range(6):
                found_m[2][i] += others[i]
                found_m[3][i] += owns[i]
    other = Decimal(0)
    same = Decimal(0)
    days: dict[dt.date, Decimal] = {}
    for pkey, (narrowed, day, other_sums, own_sums) in merged.items():
        for sums, is_own in ((other_sums, False), (own_sums, True)):
            if not any(sums):
                continue
            cost = pricer.total(narrowed, day, sums, bool(pkey[2]))
            if is_own:
                same += cost
            else:
                other += cost
            if per_day:
                days[day] = days.get(day, Decimal(0)) + cost
    return other, same, days


def counterfactual(
    catalog: Catalog,
    pricer: Pricer,
    priced: Sequence[Traffic],
    actual_total: Decimal,
    options: CounterfactualOptions,
    last_day: dt.date | None,
) -> Counterfactual:
    """Every offer compare would consider, repriced on the log, as a band with its saving."""
    when = options.as_of or last_day
    if when is None or not priced:
        return Counterfactual([], when, None, {}, ["no priced traffic: no alternatives"])
    summary = summarise(priced, pricer)
    compare_options = CompareOptions(
        usage=_average_usage(summary.sums),
        when=when,
        currency=pricer.currency,
        profile=options.profile,
        weights=options.weights,
        min_quality=options.min_quality,
        good_enough=options.good_enough,
        min_coverage=options.min_coverage,
        providers=options.providers,
        open_weights=options.open_weights,
        licenses=options.licenses,
        models=options.models,
    )
    ranking, _ = compare_full(catalog, compare_options, cache_dir=options.cache_dir)
    traffic, traffic_by_day = summary.whole, summary.daily
    notes: list[str] = []
    spread = options.spread
    alternatives: list[Alternative] = []
    total_tokens = summary.tokens_by_model
    all_tokens = sum(total_tokens.values())
    for row in ranking.rows:
        if not isinstance(row.entry, OfferEntry):
            # A self-hosted option bills GPU-hours, not tokens: see `costcalc budget`.
            notes.append(f"not an alternative: {row.entry.label}: self-hosted (see budget)")
            continue
        try:
            other, same, _ = reprice(pricer, row.entry, traffic)
        except NoPriceError as exc:
            notes.append(
                f"not an alternative: {row.entry.label}: it cannot price the whole log"
                f" ({exc.problems[0].message.removeprefix(row.entry.label + ': ')})"
            )
            continue
        cost = other + same
        share = (
            Decimal(total_tokens.get(row.entry.model.id, 0)) / Decimal(all_tokens)
            if all_tokens
            else Decimal(0)
        )
        alternatives.append(
            Alternative(
                model=row.entry.model.id,
                provider=row.entry.provider.id,
                cost_low=same + other * (1 - spread),
                cost=cost,
                cost_high=same + other * (1 + spread),
                saving=actual_total - cost,
                good_enough=row.good_enough,
                quality=row.quality.value,
                same_model_share=share,
            )
        )
    alternatives.sort(key=lambda a: (not a.good_enough, a.cost, a.model, a.provider))
    if options.limit is not None:
        alternatives = alternatives[: options.limit]
    by_day: dict[dt.date, Decimal] = {}
    best = next((a for a in alternatives if a.good_enough), None)
    if best is not None:
        entry = next(
            o for o in catalog.offers if o.model.id == best.model and o.provider.id == best.provider
        )
        _, _, by_day = reprice(pricer, entry, traffic_by_day, per_day=True)
    figures = {a.model: catalog.models[a.model].reasoning for a in alternatives}
    billed = sorted((m, r) for m, r in figures.items() if r is not None)
    if billed:
        notes.append(
            "alternatives bill their model's sourced hidden reasoning tokens instead of the"
            " logged ones: "
            + ", ".join(
                f"{m} {r.tokens_per_request:,} per request"
                if r.tokens_per_request is not None
                else f"{m} {r.output_multiple} x the output"
                for m, r in billed
            )
        )
    notes += [n for n in ranking.notes if not n.startswith("no API offer")]
    return Counterfactual(alternatives, when, ranking.bar, by_day, notes)
