"""Cross-check every bundled offer against the price feeds in tests/fixtures/crosscheck/.

For each bundled offer that a feed also prices, the same usage is priced on a day on which both
the offer's price and the feed's price are in force: by costcalc's engine (`cost_of`) on one side
and, on the other, by the small feed pricers below, written from each feed's documented format.
The two totals must agree exactly (Decimal), unless the difference is listed, with its reason
and source, in the reviewed file pricing/known-differences.yaml (`prices:`). An unexplained
disagreement fails, and so does a listed difference that no longer occurs.

Offers are matched to feed entries explicitly, by provider (the maps below) and by the offer's
`api_model` (its model id when it has none); llm-stats rows may also match by their model id.

When is a feed price in force?
- genai-prices v2 (pydantic/genai-prices @47df840, 2026-08-21): each price period holds from its
  `start_date` constraint (from the beginning when it has none) until the next period's; nothing
  later than the snapshot day is compared. Time-of-day (off-peak) periods are not compared.
- LiteLLM 1.110.2: undated, so only on the day the map was taken (LITELLM_DAY).
- llm-stats (JonathanChavezTamales/llm-leaderboard @24a9ccf): each row on the day it was last
  updated (`updated_at`).

Usages: U1 = 10,000 prompt tokens of which 2,000 cache reads and 1,000 cache writes, 3,000
output; U2 = 300,000 prompt tokens (above every 200k/256k context tier), 1,000 output. llm-stats
publishes only input and output prices, so it is compared on U0 = 10,000 in, 3,000 out.
Run `pytest tests/test_crosscheck_prices.py -s` to print the counts per feed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from costcalc.catalog import Catalog, OfferEntry, load_catalog
from costcalc.cost import Usage, cost_of
from costcalc.errors import NoPriceError
from costcalc.loader import load_document
from costcalc.schema.common import as_instant
from costcalc.schema.crosscheck import KnownDifferences, PriceDifference

FIXTURES = Path(__file__).parent / "fixtures" / "crosscheck"
REPO = Path(__file__).resolve().parent.parent
MILLION = Decimal(1_000_000)

GENAI_PRICES_DAY = dt.date(2026, 8, 21)
"""Commit date of pydantic/genai-prices @47df840, the snapshot of genai-prices-v2.json."""
LITELLM_DAY = dt.date(2026, 11, 27)
"""The day the LiteLLM 1.110.2 map was taken (checked on PyPI to be the current release); the
map itself carries no date. The bundle uses the same day for rows taken from it."""

U0 = Usage(input_tokens=Decimal(10_000), output_tokens=Decimal(3_000))
U1 = Usage(
    input_tokens=Decimal(10_000),
    cached_tokens=Decimal(2_000),
    cache_write_tokens=Decimal(1_000),
    output_tokens=Decimal(3_000),
)
U2 = Usage(input_tokens=Decimal(300_000), output_tokens=Decimal(1_000))

# Bundled provider id -> the feed's provider id. A provider missing here is not cross-checked
# against that feed (the feed does not price it, or prices another channel).
GENAI_PRICES_PROVIDER = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "deepseek": "deepseek",
    "groq": "groq",
    "fireworks": "fireworks",
    "together": "together",
    "cerebras": "cerebras",
    "novita": "novita",
    "nscale": "huggingface_nscale",
    "openrouter": "openrouter",
    "mistral": "mistral",
    "z-ai": "zai",
    "zhipu": "zhipuai",
    "moonshot": "moonshotai",
    "moonshotai": "moonshotai",
    "minimax": "minimax",
}
LITELLM_PROVIDER = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",
    "deepseek": "deepseek",
    "groq": "groq",
    "fireworks": "fireworks_ai",
    "together": "together_ai",
    "cerebras": "cerebras",
    "novita": "novita",
    "nscale": "nscale",
    "openrouter": "openrouter",
    "mistral": "mistral",
    "alibaba-model-studio": "dashscope",
    "z-ai": "zai",
    "moonshot": "moonshot",
    "moonshotai": "moonshot",
    "minimax": "minimax",
    "volcengine": "volcengine",
    "tencent": "tencent",
}
LLM_STATS_PROVIDER = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "deepseek": "deepseek",
    "groq": "groq",
    "fireworks": "fireworks",
    "together": "together",
    "cerebras": "cerebras",
    "novita": "novita",
    "mistral": "mistral",
    "deepinfra": "deepinfra",
    "hyperbolic": "hyperbolic",
    "sambanova": "sambanova",
    "lambda": "lambda",
}


# --------------------------------------------------------------------------- feed prices


@dataclass(frozen=True)
class FeedRates:
    """A feed's prices per million tokens (USD), with context tiers as the feed states them."""

    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    tiers: dict[str, tuple[tuple[int, Decimal], ...]] = field(default_factory=dict)
    """Per field, (threshold, price) pairs: above `threshold` prompt tokens the price replaces
    the base price for every token of that field (the cliff model of genai-prices and LiteLLM)."""

    def rate(self, name: str, prompt: Decimal) -> Decimal | None:
        base: Decimal | None = getattr(self, name)
        for threshold, price in self.tiers.get(name, ()):
            if prompt > threshold:
                base = price
        return base

    def price(self, usage: Usage) -> Decimal:
        """Total in USD. Cache reads and writes bill at the input price when the feed has no
        price for them (as costcalc does, and as the feeds' own calculators do)."""
        prompt = usage.input_tokens
        rate_in = self.rate("input", prompt)
        assert rate_in is not None
        uncached = usage.input_tokens - usage.cached_tokens - usage.cache_write_tokens
        total = uncached * rate_in
        total += usage.cached_tokens * (self.rate("cached_input", prompt) or rate_in)
        total += usage.cache_write_tokens * (self.rate("cache_write", prompt) or rate_in)
        rate_out = self.rate("output", prompt)
        assert rate_out is not None
        total += (usage.output_tokens + usage.reasoning_tokens) * rate_out
        return total / MILLION


@dataclass(frozen=True)
class FeedPrice:
    """One feed price with the days on which the feed says it is in force: [start, end)."""

    feed: str
    entry: str
    rates: FeedRates
    start: dt.date | None
    end: dt.date | None
    last_day: dt.date
    """No day after this is compared (the feed cannot know later prices)."""
    at: dt.time | None = None
    """The time of day (UTC) at which this price holds, for a feed price that depends on it."""


def _dec(value: Any) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


# genai-prices v2 -----------------------------------------------------------------------


@cache
def genai_prices() -> dict[str, list[dict[str, Any]]]:
    providers = json.loads((FIXTURES / "genai-prices-v2.json").read_text("utf-8"))
    return {p["id"]: p["models"] for p in providers}


def gp_matches(clause: dict[str, Any], name: str) -> bool:
    """genai-prices' match clauses (equals, starts_with, ends_with, contains, regex, or, and)."""
    ((op, arg),) = clause.items()
    if op == "or":
        return any(gp_matches(c, name) for c in arg)
    if op == "and":
        return all(gp_matches(c, name) for c in arg)
    if op == "equals":
        return name == arg
    if op == "starts_with":
        return name.startswith(arg)
    if op == "ends_with":
        return name.endswith(arg)
    if op == "contains":
        return arg in name
    if op == "regex":
        return re.search(arg, name) is not None
    raise AssertionError(f"unknown genai-prices match clause {op!r}")


def gp_rates(prices: dict[str, Any]) -> FeedRates:
    names = {
        "input": "input_mtok",
        "output": "output_mtok",
        "cached_input": "cache_read_mtok",
        "cache_write": "cache_write_mtok",
    }
    base: dict[str, Decimal | None] = {}
    tiers: dict[str, tuple[tuple[int, Decimal], ...]] = {}
    for ours, theirs in names.items():
        value = prices.get(theirs)
        if isinstance(value, dict):
            base[ours] = _dec(value["base"])
            tiers[ours] = tuple((int(t["start"]), _dec(t["price"])) for t in value["tiers"])
        else:
            base[ours] = None if value is None else _dec(value)
    assert base["input"] is not None and base["output"] is not None
    return FeedRates(
        input=base["input"],
        output=base["output"],
        cached_input=base["cached_input"],
        cache_write=base["cache_write"],
        tiers=tiers,
    )


def genai_prices_for(provider: str, name: str) -> list[FeedPrice]:
    models = genai_prices().get(provider, [])
    lowered = name.lower()
    model = next((m for m in models if gp_matches(m["match"], lowered)), None)
    if model is None:
        return []
    prices = model["prices"]
    if isinstance(prices, dict):
        return [
            FeedPrice("genai-prices", model["id"], gp_rates(prices), None, None, GENAI_PRICES_DAY)
        ]
    timed = [p for p in prices if "start_time" in (p.get("constraint") or {})]
    if timed:
        # A time-of-day price (DeepSeek's daytime list) holds inside its window and the
        # unconstrained price outside it: each is compared at a time where it holds.
        assert len(timed) == 1 and len(prices) == 2, f"unexpected genai-prices entry {model['id']}"
        window = timed[0]["constraint"]
        default = next(p for p in prices if p is not timed[0])
        return [
            FeedPrice(
                "genai-prices",
                model["id"],
                gp_rates(timed[0]["prices"]),
                None,
                None,
                GENAI_PRICES_DAY,
                _hhmm(window["start_time"]),
            ),
            FeedPrice(
                "genai-prices",
                model["id"],
                gp_rates(default["prices"]),
                None,
                None,
                GENAI_PRICES_DAY,
                _hhmm(window["end_time"]),
            ),
        ]
    dated = []
    for item in prices:
        start = (item.get("constraint") or {}).get("start_date")
        dated.append((dt.date.fromisoformat(start) if start else None, gp_rates(item["prices"])))
    dated.sort(key=lambda pair: pair[0] or dt.date.min)
    out = []
    for i, (start, rates) in enumerate(dated):
        end = dated[i + 1][0] if i + 1 < len(dated) else None
        out.append(FeedPrice("genai-prices", model["id"], rates, start, end, GENAI_PRICES_DAY))
    return out


def _hhmm(text: str) -> dt.time:
    return dt.time(int(text[0:2]), int(text[3:5]))


def in_window(at: dt.time, start: str, end: str) -> bool:
    """Whether a time of day falls in a window [start, end) that may wrap past midnight."""
    a, b = _hhmm(start), _hhmm(end)
    return a <= at < b if a < b else (at >= a or at < b)


# LiteLLM -------------------------------------------------------------------------------


@cache
def litellm() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(
        (FIXTURES / "litellm-chat-prices.json").read_text("utf-8")
    )
    return data


_LITELLM_TIER = re.compile(r"^(.*)_above_(\d+)k_tokens$")


def litellm_rates(entry: dict[str, Any]) -> FeedRates | None:
    names = {
        "input": "input_cost_per_token",
        "output": "output_cost_per_token",
        "cached_input": "cache_read_input_token_cost",
        "cache_write": "cache_creation_input_token_cost",
    }
    if entry.get(names["input"]) is None or entry.get(names["output"]) is None:
        return None
    base = {
        k: (None if entry.get(v) is None else _dec(entry[v]) * MILLION) for k, v in names.items()
    }
    tiers: dict[str, list[tuple[int, Decimal]]] = {}
    for key, value in entry.items():
        match = _LITELLM_TIER.match(key)
        if not match or value is None:
            continue
        for ours, theirs in names.items():
            if match.group(1) == theirs:
                tiers.setdefault(ours, []).append(
                    (int(match.group(2)) * 1000, _dec(value) * MILLION)
                )
    return FeedRates(
        input=base["input"],  # type: ignore[arg-type]
        output=base["output"],  # type: ignore[arg-type]
        cached_input=base["cached_input"],
        cache_write=base["cache_write"],
        tiers={k: tuple(sorted(v)) for k, v in tiers.items()},
    )


def litellm_for(provider: str, name: str) -> list[FeedPrice]:
    table = litellm()
    for key in (f"{provider}/{name}", name):
        entry = table.get(key)
        if entry is None:
            lowered = {k.lower(): k for k in table}
            entry = table.get(lowered.get(key.lower(), ""))
            key = lowered.get(key.lower(), key)
        if entry is not None and entry.get("litellm_provider") == provider:
            rates = litellm_rates(entry)
            if rates is None:
                return []
            return [
                FeedPrice(
                    "litellm",
                    key,
                    rates,
                    LITELLM_DAY,
                    LITELLM_DAY + dt.timedelta(days=1),
                    LITELLM_DAY,
                )
            ]
    return []


# llm-stats -----------------------------------------------------------------------------


@cache
def llm_stats(provider: str) -> list[dict[str, Any]]:
    path = FIXTURES / "llm-stats-providers" / f"{provider}.json"
    if not path.is_file():
        return []
    rows: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))
    return rows


def llm_stats_for(provider: str, name: str, ids: set[str]) -> list[FeedPrice]:
    out = []
    for row in llm_stats(provider):
        used = str(row.get("provider_model_id_used") or "").lower()
        if used != name.lower() and row["model_id"].lower() not in ids:
            continue
        if (
            row.get("input_cents_per_million_tokens") is None
            or row.get("output_cents_per_million_tokens") is None
        ):
            continue
        day = dt.datetime.fromisoformat(row["updated_at"]).date()
        rates = FeedRates(
            input=_dec(row["input_cents_per_million_tokens"]) / 100,
            output=_dec(row["output_cents_per_million_tokens"]) / 100,
        )
        out.append(
            FeedPrice(
                "llm-stats",
                f"{provider}/{row['model_id']}",
                rates,
                day,
                day + dt.timedelta(days=1),
                day,
            )
        )
    return out


# --------------------------------------------------------------------------- the comparison


@dataclass(frozen=True)
class Comparison:
    feed: str
    provider: str
    model: str
    entry: str
    on: dt.date
    usage: str
    ours: Decimal
    theirs: Decimal
    at: dt.time | None = None

    @property
    def agrees(self) -> bool:
        return self.ours == self.theirs

    def describe(self) -> str:
        when = f" at {self.at:%H:%M} UTC" if self.at else ""
        return (
            f"{self.feed}: {self.model} @ {self.provider} on {self.on}{when} ({self.usage}, feed entry"
            f" {self.entry!r}): costcalc ${self.ours.normalize()} vs {self.feed} ${self.theirs.normalize()}"
        )


FEEDS: dict[str, tuple[dict[str, str], tuple[tuple[str, Usage], ...]]] = {
    "genai-prices": (GENAI_PRICES_PROVIDER, (("U1", U1), ("U2", U2))),
    "litellm": (LITELLM_PROVIDER, (("U1", U1), ("U2", U2))),
    "llm-stats": (LLM_STATS_PROVIDER, (("U0", U0),)),
}


def feed_prices(feed: str, entry: OfferEntry) -> list[FeedPrice]:
    providers, _ = FEEDS[feed]
    provider = providers.get(entry.provider.id)
    if provider is None:
        return []
    name = entry.offer.api_model or entry.model.id
    if feed == "genai-prices":
        return genai_prices_for(provider, name)
    if feed == "litellm":
        return litellm_for(provider, name)
    ids = {entry.model.id.lower(), *(a.lower() for a in entry.model.aliases)}
    return llm_stats_for(provider, name, ids)


def days_to_compare(entry: OfferEntry, price: FeedPrice) -> Iterator[dt.date]:
    """For each USD period of the offer, the first day on which it and the feed price both hold."""
    seen = set()
    for period in entry.offer.prices:
        if (period.currency or entry.provider.currency) != "USD":
            continue
        day = max(period.as_of, price.start) if price.start else period.as_of
        if day > price.last_day or (price.end is not None and day >= price.end):
            continue
        if period.valid_until is not None and as_instant(day) >= as_instant(period.valid_until):
            continue
        if day not in seen:
            seen.add(day)
            yield day


@cache
def catalog() -> Catalog:
    return load_catalog([])


def compare(feed: str) -> tuple[list[Comparison], set[tuple[str, str]]]:
    """Every comparison with a feed, and the offers it could price (matched)."""
    cat = catalog()
    _, usages = FEEDS[feed]
    results: list[Comparison] = []
    matched: set[tuple[str, str]] = set()
    for entry in cat.offers:
        for price in feed_prices(feed, entry):
            for day in days_to_compare(entry, price):
                for label, usage in usages:
                    try:
                        ours = cost_of(entry, usage, when=day, currency="USD", fx=cat.fx)
                        off_peak = ours.choice.period.off_peak
                        if (
                            price.at is not None
                            and off_peak is not None
                            and in_window(price.at, off_peak.window.start, off_peak.window.end)
                        ):  # the feed's price at a time inside the offer's off-peak window
                            usage = replace(usage, off_peak_share=Decimal(1))
                            ours = cost_of(entry, usage, when=day, currency="USD", fx=cat.fx)
                    except NoPriceError:
                        continue
                    if not ours.choice.published:  # only a converted price in force: not comparable
                        continue
                    matched.add(entry.key)
                    results.append(
                        Comparison(
                            feed,
                            entry.provider.id,
                            entry.model.id,
                            price.entry,
                            day,
                            label,
                            ours.total,
                            price.rates.price(usage),
                            price.at,
                        )
                    )
    return results, matched


def known() -> list[PriceDifference]:
    doc = load_document(REPO / "pricing" / "known-differences.yaml", ("known-differences",))
    model = doc.model
    assert isinstance(model, KnownDifferences)
    return model.prices


def explains(diff: PriceDifference, c: Comparison) -> bool:
    return (
        diff.feed == c.feed
        and diff.provider == c.provider
        and diff.model == c.model
        and (diff.day is None or diff.day == c.on)
        and (diff.at is None or c.at is None or diff.at == f"{c.at:%H:%M}")
    )


def summary(feed: str) -> tuple[int, int, int, list[str], list[str]]:
    """(offers compared, offers agreeing, offers explained, unexplained, stale known entries)."""
    results, matched = compare(feed)
    listed = [d for d in known() if d.feed == feed]
    unexplained = [
        c.describe() for c in results if not c.agrees and not any(explains(d, c) for d in listed)
    ]
    used = {id(d) for c in results if not c.agrees for d in listed if explains(d, c)}
    stale = [
        f"{d.feed}: {d.model} @ {d.provider}" + (f" on {d.day}" if d.day else "")
        for d in listed
        if id(d) not in used
    ]
    by_offer: dict[tuple[str, str], list[Comparison]] = {}
    for c in results:
        by_offer.setdefault((c.model, c.provider), []).append(c)
    agreeing = sum(1 for cs in by_offer.values() if all(c.agrees for c in cs))
    explained = sum(
        1
        for cs in by_offer.values()
        if not all(c.agrees for c in cs)
        and all(c.agrees or any(explains(d, c) for d in listed) for c in cs)
    )
    return len(matched), agreeing, explained, unexplained, stale


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("feed", sorted(FEEDS))
def test_bundled_prices_agree_with_feed(feed: str, capsys: pytest.CaptureFixture[str]) -> None:
    compared, agreeing, explained, unexplained, stale = summary(feed)
    with capsys.disabled():
        print(
            f"\n{feed}: {compared} offers cross-checked, {agreeing} agree, {explained} explained"
            f" (pricing/known-differences.yaml), {len(unexplained)} unexplained"
        )
    assert compared > 0, f"no bundled offer matched any {feed} entry: the matching is broken"
    assert not unexplained, "new, unexplained price disagreements:\n" + "\n".join(unexplained)
    assert not stale, (
        "pricing/known-differences.yaml lists differences that no longer occur; remove them:\n"
        + "\n".join(stale)
    )


def test_genai_prices_pricer_by_hand() -> None:
    """genai-prices' claude-sonnet-4-5 row: 3 / cache read 0.30 / cache write 3.75 / 15, and above
    200k prompt tokens 6 / 0.60 / 7.50 / 22.50.
    U1: 7,000 x 3 + 2,000 x 0.30 + 1,000 x 3.75 + 3,000 x 15 = 21,000 + 600 + 3,750 + 45,000
        = 70,350 per million = $0.07035.
    U2: 300,000 x 6 + 1,000 x 22.50 = 1,800,000 + 22,500 = 1,822,500 per million = $1.8225."""
    (price,) = genai_prices_for("anthropic", "claude-sonnet-4-5-20250929")
    assert price.rates.price(U1) == Decimal("0.07035")
    assert price.rates.price(U2) == Decimal("1.8225")


def test_genai_prices_dated_periods_by_hand() -> None:
    """genai-prices' o3 row has two periods: 10 / 0.50 / 40 until 2025-06-10, then 2 / 0.50 / 8.
    U0 (10,000 in, 3,000 out): 10,000 x 10 + 3,000 x 40 = 220,000 per million = $0.22 before,
    10,000 x 2 + 3,000 x 8 = 44,000 per million = $0.044 after."""
    first, second = genai_prices_for("openai", "o3")
    assert (first.start, first.end, second.start, second.end) == (
        None,
        dt.date(2025, 6, 10),
        dt.date(2025, 6, 10),
        None,
    )
    assert (first.rates.price(U0), second.rates.price(U0)) == (Decimal("0.22"), Decimal("0.044"))


def test_litellm_pricer_by_hand() -> None:
    """litellm gemini/gemini-2.5-pro: 1.25e-6 / cache read 1.25e-7 / 1e-5 per token, and above
    200k tokens 2.5e-6 / 2.5e-7 / 1.5e-5.
    U1: 7,000 uncached x 1.25 + 1,000 cache writes x 1.25 (no cache-write price: billed as
        input) + 2,000 x 0.125 + 3,000 x 10 = 8,750 + 1,250 + 250 + 30,000 = 40,250 per million
        = $0.04025.
    U2: 300,000 x 2.50 + 1,000 x 15 = 765,000 per million = $0.765."""
    (price,) = litellm_for("gemini", "gemini-2.5-pro")
    assert price.rates.price(U1) == Decimal("0.04025")
    assert price.rates.price(U2) == Decimal("0.765")


def test_llm_stats_pricer_by_hand() -> None:
    """llm-stats openai o3-2025-04-16 row: 200 cents in, 800 cents out per million (the post-cut
    price). U0: 10,000 x 2 + 3,000 x 8 = 44,000 per million = $0.044."""
    prices = llm_stats_for("openai", "o3-2025-04-16", {"o3-2025-04-16"})
    assert prices and all(p.rates.price(U0) == Decimal("0.044") for p in prices)


def test_a_wrong_bundled_price_is_caught() -> None:
    """The check can fail: the real o3 offer disagrees with genai-prices on the launch period
    (cached input $2.50 bundled, $0.50 in genai-prices) and only the reviewed entry excuses it."""
    results, _ = compare("genai-prices")
    o3 = [
        c
        for c in results
        if c.model == "o3" and c.provider == "openai" and c.on == dt.date(2025, 4, 16)
    ]
    # U1 bundled: 7,000 x 10 + 2,000 x 2.50 + 1,000 x 10 + 3,000 x 40 = 205,000 per million;
    # genai-prices: 7,000 x 10 + 2,000 x 0.50 + 1,000 x 10 + 3,000 x 40 = 201,000 per million.
    u1 = next(c for c in o3 if c.usage == "U1")
    assert (u1.ours, u1.theirs) == (Decimal("0.205"), Decimal("0.201"))
    assert not any(explains(d, u1) for d in known() if d.provider != "openai" or d.model != "o3")


def test_crosscheck_fixtures_are_attributed() -> None:
    text = (FIXTURES / "SOURCES.md").read_text("utf-8")
    for name in ("genai-prices-v2.json", "litellm-chat-prices.json", "llm-stats-providers"):
        assert name in text
    for licence in ("LICENSE.genai-prices", "LICENSE.litellm", "LICENSE.llm-stats.md"):
        assert (FIXTURES / licence).is_file()
