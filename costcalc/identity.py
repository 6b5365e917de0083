"""One model identity across all data: feed names -> costcalc's canonical model ids.

Every importer (LiteLLM, genai-prices, OpenRouter, llm-stats) asks the same
`Identity` which canonical model a feed's row names, so an import layered over
the bundled sheets refreshes the bundled offers instead of adding look-alikes.

A canonical model id is the `id` of a models file; its `aliases` are other
spellings of the *same* model (vendor snapshot names such as
`gpt-4o-2024-08-06`, aggregator ids such as llm-stats' `gpt-4o-2024-08-06`).
The names a provider's API uses live in each offer's `api_model`, because an
API name can move from one model to the next (`deepseek-reasoner` was
DeepSeek-R1, then R1-0528, then V3.1), and in its `api_names`, other names the
API answered for the same model within a window of time (from 2025-09-05 16:00
UTC `deepseek-chat` also named V3.1, whose `api_model` is `deepseek-reasoner`).

Resolution of a price row (provider id + the feed's names for the model), in
order:

1. **the provider's API name**: the provider sells an offer whose `api_model`,
   or a name of its `api_names`, equals one of the names (case-insensitive),
   or, for genai-prices, matches the row's `match` clause. When several models
   carried that API name over time, the one whose prices are in force on the
   import's day (and, for a name of `api_names`, inside its window) wins; if
   none or several are, the row stays unmatched and says why.
2. **the model's own names**: a name equals a canonical id or alias, after
   removing a leading `<provider>/` or `<vendor>/` segment (`openai/gpt-4o`,
   `gemini/gemini-2.5-pro`, `openrouter/qwen/qwq-32b`).

Nothing is matched by similarity: a near miss stays unmatched, so a price is
never attached to the wrong model. This module is pure (no I/O).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from costcalc.catalog import Catalog

NAMESPACES = frozenset(
    {
        "anthropic",
        "baidu",
        "bedrock",
        "deepseek",
        "deepseek-ai",
        "fireworks_ai",
        "gemini",
        "google",
        "meta",
        "meta-llama",
        "minimax",
        "mistral",
        "mistralai",
        "moonshot",
        "moonshotai",
        "openai",
        "openrouter",
        "qwen",
        "thudm",
        "together_ai",
        "vertex_ai",
        "x-ai",
        "xai",
        "z-ai",
        "zai",
        "zai-org",
        "zhipuai",
    }
)
"""Leading `segment/` of a feed name that is a vendor's or provider's namespace, not part of the
model's name (`openai/gpt-4o`, `openrouter/qwen/qwq-32b`). Other prefixes (Azure's `eu/`,
`global-standard/` deployments, which are priced differently) are kept, so they do not match."""

MAX_MATCH_DEPTH = 16
"""Deepest nesting of a genai-prices `match` clause that is evaluated (hostile input)."""


@dataclass(frozen=True)
class ApiName:
    """One provider's API name for one model, and when the offer has prices."""

    provider: str
    api_model: str
    model: str
    starts: tuple[dt.date, ...]
    """First day of each price period."""
    ends: tuple[dt.date | None, ...]
    """First day each period no longer holds (None: open-ended)."""
    since: dt.datetime | None = None
    """For a name of the offer's `api_names`: first instant it named this model (None: no bound)."""
    until: dt.datetime | None = None
    """For a name of the offer's `api_names`: first instant it no longer did (None: no bound)."""

    def in_force(self, when: dt.date) -> bool:
        """Whether the name named this model on `when`: a period holds that day and, for a
        name of `api_names`, the day's 00:00 UTC is inside the name's window (a day's price
        is the one holding at its 00:00 UTC)."""
        if self.since is not None or self.until is not None:
            at = dt.datetime(when.year, when.month, when.day, tzinfo=dt.timezone.utc)
            if (self.since is not None and at < self.since) or (
                self.until is not None and at >= self.until
            ):
                return False
        for start, end in zip(self.starts, self.ends, strict=True):
            if start <= when and (end is None or when < end):
                return True
        return False


@dataclass(frozen=True)
class Resolution:
    """The canonical model a feed row names, or why there is none."""

    model: str | None
    how: str
    """'api name', 'model name', or the reason it stayed unmatched."""


@dataclass
class Identity:
    """Canonical model ids with their aliases, and every provider's API names."""

    names: dict[str, str] = field(default_factory=dict)
    """Lower-case id or alias -> canonical id."""
    api_names: dict[str, list[ApiName]] = field(default_factory=dict)
    """Provider id -> its offers' API names."""
    offers: dict[tuple[str, str], tuple[str | None, bool]] = field(default_factory=dict)
    """(provider id, canonical model id) of every offer the catalog has -> its `api_model`
    and whether it has `api_names`."""

    @property
    def providers(self) -> frozenset[str]:
        return frozenset(self.api_names)

    @classmethod
    def build(
        cls,
        models: Mapping[str, Sequence[str]],
        api_names: Iterable[ApiName] = (),
        offers: Mapping[tuple[str, str], tuple[str | None, bool]] | None = None,
    ) -> Identity:
        """From canonical id -> aliases, the offers' API names, and every offer's
        (provider, model) -> (api_model, has api_names)."""
        names: dict[str, str] = {}
        for mid in sorted(models):
            names[mid.lower()] = mid
        for mid in sorted(models):
            for alias in models[mid]:
                names.setdefault(alias.lower(), mid)
        by_provider: dict[str, list[ApiName]] = {}
        for api in api_names:
            by_provider.setdefault(api.provider, []).append(api)
        return cls(names, by_provider, dict(offers or {}))

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Identity:
        """The identity of a loaded catalog: its models' aliases and its offers' API names."""
        from costcalc.records import as_instant

        apis: list[ApiName] = []
        for entry in catalog.offers:
            offer = entry.offer
            if not offer.api_model and not offer.api_names:
                continue
            periods = sorted(offer.prices, key=lambda p: p.as_of)
            starts = tuple(p.as_of for p in periods)
            ends = tuple(
                as_instant(p.valid_until).date() if p.valid_until is not None else None
                for p in periods
            )
            provider, model = entry.provider.id, entry.model.id
            if offer.api_model:
                apis.append(ApiName(provider, offer.api_model, model, starts, ends))
            for other in offer.api_names:  # in force: the periods within the name's window
                since, until = other.window()
                apis.append(ApiName(provider, other.name, model, starts, ends, since, until))
        offers = {
            (o.provider.id, o.model.id): (o.offer.api_model, bool(o.offer.api_names))
            for o in catalog.offers
        }
        return cls.build({m.id: m.aliases for m in catalog.models.values()}, apis, offers)

    def names_offer(self, provider: str, model: str, api_model: str) -> bool:
        """Whether an imported row for `model` at `provider` may give the offer the API name
        `api_model`: always for an offer the catalog does not have, or has without API names
        (the name adds to it); for one that has API names, only its own `api_model` (a row
        layered over it would otherwise replace them: see `costcalc.catalog`)."""
        found = self.offers.get((provider, model))
        if found is None:
            return True
        own, windowed = found
        if own is None and not windowed:
            return True
        return own is not None and own.lower() == api_model.lower()

    # ------------------------------------------------------------ lookups
    def model(self, name: str) -> str | None:
        """The canonical id of a model name: an id or alias, optionally `<vendor>/`-prefixed."""
        for candidate in unprefixed(name, self.providers):
            found = self.names.get(candidate.lower())
            if found is not None:
                return found
        return None

    def offer(
        self,
        provider: str,
        names: Sequence[str],
        when: dt.date,
        match: Any = None,
    ) -> Resolution:
        """The canonical model a provider's price row is for (see the module docstring)."""
        providers = self.providers
        spellings = [unprefixed(n, providers) for n in names]  # used twice: worked out once
        wanted = {c.lower() for spelled in spellings for c in spelled}
        offered = self.api_names.get(provider, [])
        exact = [a for a in offered if a.api_model.lower() in wanted]
        if not exact and match is not None:
            exact = [a for a in offered if matches(match, a.api_model)]
        models = sorted({a.model for a in exact})
        if len(models) == 1:
            return Resolution(models[0], "api name")
        if len(models) > 1:
            live = sorted({a.model for a in exact if a.in_force(when)})
            if len(live) == 1:
                return Resolution(live[0], "api name")
            state = "none" if not live else "several"
            return Resolution(
                None,
                f"API name used by several models over time ({', '.join(models)});"
                f" {state} in force on {when}",
            )
        for spelled in spellings:  # self.model(name) for each name, in order
            for candidate in spelled:
                found = self.names.get(candidate.lower())
                if found is not None:
                    return Resolution(found, "model name")
        return Resolution(None, "no bundled model or API name")


def unprefixed(name: str, providers: frozenset[str] = frozenset()) -> list[str]:
    """A name, then the name without each leading namespace segment in turn (see NAMESPACES)."""
    text = name.strip()
    out = [text]
    while "/" in text:
        head, text = text.split("/", 1)
        if not text or (head.lower() not in NAMESPACES and head.lower() not in providers):
            break
        out.append(text)
    return out


def matches(clause: Any, name: str, depth: int = 0) -> bool:
    """Whether a genai-prices `match` clause matches a name (case-insensitive).

    Understood: equals, starts_with, ends_with, contains, or, and. Anything
    else (regex included: never run a pattern from a feed) matches nothing.
    """
    if depth > MAX_MATCH_DEPTH or not isinstance(clause, dict) or len(clause) != 1:
        return False
    ((op, arg),) = clause.items()
    text = name.lower()
    if op in ("or", "and"):
        if not isinstance(arg, list):
            return False
        results = (matches(c, name, depth + 1) for c in arg)
        return any(results) if op == "or" else bool(arg) and all(results)
    if not isinstance(arg, str):
        return False
    value = arg.lower()
    if op == "equals":
        return text == value
    if op == "starts_with":
        return text.startswith(value)
    if op == "ends_with":
        return text.endswith(value)
    if op == "contains":
        return value in text
    return False
