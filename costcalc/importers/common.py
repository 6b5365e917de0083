"""Shared conversion of foreign price feeds into costcalc price-sheet data.

A converter reads parsed feed data (never a file), and hands each usable row to
a `SheetBuilder`, which:

- names providers and models by the documented rule (see `model_id`): model ids
  are always qualified by the provider id (`openrouter/qwen/qwq-32b`), so an
  import layered over the bundled sheets never replaces a bundled model's facts;
- gives each provider the facts costcalc requires (country, pricing URL) from
  the bundled catalog when the id is the same, else from a small table of
  well-known providers, else `ZZ` (ISO 3166 "unknown") and the feed's own URL;
- validates every model and offer with costcalc's own schema, so a row either
  becomes valid sheet data or is skipped with a reason, and collisions of ids
  inside one import are skipped with a reason too;
- records what a row has that costcalc cannot represent (per-request fees,
  audio or image tokens, priority tiers...) instead of dropping it silently.

Every price written states `currency: USD` (all three feeds are in USD), so a
provider sheet that shares an id with a bundled sheet in another currency keeps
meaning the same thing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Any

from costcalc.errors import Problem
from costcalc.files import MAX_BYTES
from costcalc.importers.certain import Certain
from costcalc.numbers import NumberError, check_number, exact_shift

if TYPE_CHECKING:
    from pydantic import ValidationError

    from costcalc.identity import Identity

MILLION_EXPONENT = 6
MAX_PRICE = Decimal(10) ** 9
UNKNOWN_COUNTRY = "ZZ"
"""ISO 3166-1 user-assigned code, used here for "country unknown"."""

FEED_CURRENCY = "USD"

_ID_BAD = re.compile(r"[^a-z0-9._/:+-]+")
_ID_GOOD = re.compile(r"[a-z0-9._/:+-]*")


@dataclass(frozen=True)
class KnownProvider:
    """Facts about a provider that feeds leave out."""

    id: str
    name: str
    country: str
    pricing_url: str


KNOWN_PROVIDERS: dict[str, KnownProvider] = {
    p.id: p
    for p in (
        KnownProvider("openai", "OpenAI", "US", "https://openai.com/api/pricing/"),
        KnownProvider("anthropic", "Anthropic", "US", "https://www.anthropic.com/pricing#api"),
        KnownProvider("google", "Google", "US", "https://ai.google.dev/gemini-api/docs/pricing"),
        KnownProvider(
            "vertex_ai",
            "Google Vertex AI",
            "US",
            "https://cloud.google.com/vertex-ai/generative-ai/pricing",
        ),
        KnownProvider("mistral", "Mistral AI", "FR", "https://mistral.ai/pricing#api-pricing"),
        KnownProvider(
            "deepseek", "DeepSeek", "CN", "https://api-docs.deepseek.com/quick_start/pricing"
        ),
        KnownProvider("xai", "xAI", "US", "https://docs.x.ai/docs/models"),
        KnownProvider("x_ai", "xAI", "US", "https://docs.x.ai/docs/models"),
        KnownProvider("groq", "Groq", "US", "https://groq.com/pricing"),
        KnownProvider("together", "Together AI", "US", "https://www.together.ai/pricing"),
        KnownProvider("fireworks", "Fireworks AI", "US", "https://fireworks.ai/pricing"),
        KnownProvider("cohere", "Cohere", "CA", "https://cohere.com/pricing"),
        KnownProvider("ai21", "AI21 Labs", "IL", "https://www.ai21.com/pricing/"),
        KnownProvider(
            "perplexity", "Perplexity", "US", "https://docs.perplexity.ai/guides/pricing"
        ),
        KnownProvider("openrouter", "OpenRouter", "US", "https://openrouter.ai/models"),
        KnownProvider("bedrock", "Amazon Bedrock", "US", "https://aws.amazon.com/bedrock/pricing/"),
        KnownProvider("aws", "Amazon Bedrock", "US", "https://aws.amazon.com/bedrock/pricing/"),
        KnownProvider("azure", "Microsoft Azure", "US", "https://azure.microsoft.com/pricing/"),
        KnownProvider("deepinfra", "DeepInfra", "US", "https://deepinfra.com/pricing"),
        KnownProvider("cerebras", "Cerebras", "US", "https://www.cerebras.ai/pricing"),
        KnownProvider("sambanova", "SambaNova", "US", "https://cloud.sambanova.ai/pricing"),
        KnownProvider("novita", "Novita AI", "US", "https://novita.ai/pricing"),
        KnownProvider("moonshot", "Moonshot AI", "CN", "https://platform.moonshot.ai/docs/pricing"),
        KnownProvider(
            "moonshotai", "Moonshot AI", "CN", "https://platform.moonshot.ai/docs/pricing"
        ),
        KnownProvider("minimax", "MiniMax", "CN", "https://www.minimax.io/price"),
        KnownProvider(
            "dashscope",
            "Alibaba Cloud DashScope",
            "CN",
            "https://www.alibabacloud.com/help/en/model-studio/models",
        ),
        KnownProvider("z-ai", "Z.ai", "CN", "https://docs.z.ai/guides/overview/pricing"),
        KnownProvider("zhipu", "Zhipu AI", "CN", "https://open.bigmodel.cn/pricing"),
        KnownProvider("volcengine", "Volcengine", "CN", "https://www.volcengine.com/pricing"),
        KnownProvider("nebius", "Nebius", "NL", "https://nebius.com/prices-ai-studio"),
        KnownProvider(
            "ovhcloud", "OVHcloud", "FR", "https://www.ovhcloud.com/en/public-cloud/ai-endpoints/"
        ),
        KnownProvider(
            "scaleway", "Scaleway", "FR", "https://www.scaleway.com/en/pricing/model-as-a-service/"
        ),
        KnownProvider("hyperbolic", "Hyperbolic", "US", "https://hyperbolic.xyz/pricing"),
        KnownProvider("nscale", "Nscale", "GB", "https://www.nscale.com/pricing"),
    )
}
"""Providers whose country and pricing page the importers know (by costcalc id)."""

PROVIDER_ALIASES: dict[str, str] = {
    "gemini": "google",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
    "zai": "z-ai",
    "zhipuai": "zhipu",
}
"""Feed provider ids that are certainly the same provider as a costcalc id."""


# ------------------------------------------------------------------ numbers


class BadValue(ValueError):
    """A feed value that cannot be a price; the message is the skip reason."""


def as_decimal(value: Any, what: str) -> Decimal:
    """A feed number as an exact Decimal: from Decimal, int or numeric text, never a float."""
    if isinstance(value, bool):
        raise BadValue(f"{what} is a yes/no value, not a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            raise BadValue(f"{what} is not a number: {value!r}") from None
    elif isinstance(value, float):
        # The readers never produce floats (parse_float=Decimal, yamlio); refuse rather than guess.
        raise BadValue(f"{what} is a binary float; read the feed with exact decimals")
    else:
        raise BadValue(f"{what} is not a number: {value!r}")
    if not number.is_finite():
        raise BadValue(f"{what} is not a finite number: {value!r}")
    try:
        check_number(number)
    except NumberError as exc:
        raise BadValue(f"{what}: {exc}") from None
    return number


UNUSABLE = (ArithmeticError, LookupError, TypeError, ValueError)
"""Errors a hostile value of one row can raise in a converter: the row is skipped, not the feed."""


def unusable(exc: Exception) -> str:
    """The skip reason for a row whose value broke a conversion."""
    return f"value not usable: {type(exc).__name__}: {str(exc)[:200]}"


def check_price(value: Decimal, what: str) -> Decimal:
    """A per-million price within costcalc's bounds (0 to 10^9), else a skip reason."""
    if value < 0:
        raise BadValue(f"{what} is negative ({clean(value)} per million tokens)")
    if value > MAX_PRICE:
        raise BadValue(f"{what} is more than 10^9 per million tokens ({clean(value)})")
    return clean(value)


def per_million(per_token: Any, what: str) -> Decimal:
    """A per-token price as a per-million price, exactly (a shift of the decimal point)."""
    return check_price(exact_shift(as_decimal(per_token, what), MILLION_EXPONENT), what)


def clean(value: Decimal) -> Decimal:
    """The same number without trailing zeros or exponent noise (3.000000 -> 3)."""
    if value == 0:
        return Decimal(0)
    # Enough precision for every digit (the default 28 would round or fail on large values).
    context = Context(prec=max(28, value.adjusted() + 2, len(value.as_tuple().digits)))
    normal = value.normalize(context)
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normal.quantize(Decimal(1), context=context)
    return normal


# ----------------------------------------------------------------- ids


def slug(text: str) -> str:
    """Lower-case text made into a costcalc id piece (invalid characters become '-')."""
    out = text.strip().lower()
    if _ID_GOOD.fullmatch(out) is None:  # (a whole match is cheaper than a substitution)
        out = _ID_BAD.sub("-", out)
    return out.lstrip("-./:+_")


def provider_id(feed_provider: str) -> str:
    """The costcalc provider id for a feed's provider name."""
    pid = slug(feed_provider).replace("/", "-")
    return PROVIDER_ALIASES.get(pid, pid)


def model_id(pid: str, name: str, feed_provider: str | None = None) -> str:
    """`<provider id>/<model name>`, lower-case; a leading `<feed provider>/` is not repeated."""
    text = name.strip()
    for prefix in {feed_provider or "", pid}:
        if prefix and text.lower().startswith(prefix.lower() + "/"):
            text = text[len(prefix) + 1 :]
            break
    return f"{pid}/{slug(text)}"


# ----------------------------------------------------------------- results


@dataclass(frozen=True)
class Skipped:
    """A feed row that was not imported, and why."""

    key: str
    reason: str


@dataclass(frozen=True)
class Unrepresented:
    """Something an imported row has that costcalc's price sheets cannot hold."""

    key: str
    what: str


@dataclass
class ImportResult:
    """Price-sheet data converted from one feed, with everything left out and why."""

    feed: str
    source: str
    as_of: dt.date
    models: list[dict[str, Any]]
    sheets: dict[str, dict[str, Any]]
    """Provider id -> price-sheet data (plain dicts, ready for `dump_yaml`)."""
    rows: int
    """Rows (entries, models) read from the feed."""
    skipped: list[Skipped] = field(default_factory=list)
    unrepresented: list[Unrepresented] = field(default_factory=list)
    matched: dict[str, str] = field(default_factory=dict)
    """Feed key -> the canonical (bundled) model id its offer was filed under."""
    unmatched: list[Skipped] = field(default_factory=list)
    """Imported rows that name no known model (kept under their own id), with why."""

    @property
    def offers(self) -> int:
        return sum(len(s["offers"]) for s in self.sheets.values())

    def skip_reasons(self) -> list[tuple[str, int]]:
        """Skip reasons with their counts, most frequent first (details stripped of keys)."""
        return Counter(_general(s.reason) for s in self.skipped).most_common()

    def unrepresented_counts(self) -> list[tuple[str, int]]:
        return Counter(u.what for u in self.unrepresented).most_common()


def _general(reason: str) -> str:
    """A reason without the row-specific part after ': ' (for grouping)."""
    return reason.split(": ", 1)[0]


def refusal(schema: str, data: Any) -> str | None:
    """pydantic's first complaint about `data` as the costcalc.schema.pricing class named
    `schema` (Provider, ModelInfo, Offer), or None when it is valid.

    pydantic and the schema classes are imported here, on the first row the certifier
    does not vouch for: an import whose rows are all certified never imports them.
    """
    from pydantic import ValidationError

    from costcalc.schema import pricing

    try:
        getattr(pricing, schema).model_validate(data)
    except ValidationError as exc:
        return first_error(exc)
    return None


def first_error(exc: ValidationError) -> str:
    err = exc.errors(include_url=False, include_context=False)[0]
    where = ".".join(str(p) for p in err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


class SheetBuilder:
    """Collects validated models and offers, one price sheet per provider."""

    def __init__(
        self,
        feed: str,
        source: str,
        as_of: dt.date,
        *,
        default_url: str,
        bundled_providers: Mapping[str, Mapping[str, Any]] | None = None,
        identity: Identity | None = None,
    ) -> None:
        self.feed = feed
        self.identity = identity
        self.matched: dict[str, str] = {}
        self.unmatched: list[Skipped] = []
        self.source = source
        self.as_of = as_of
        self.default_url = default_url
        self.bundled = dict(bundled_providers or {})
        self.rows = 0
        self.models: dict[str, dict[str, Any]] = {}
        self.model_keys: dict[str, str] = {}
        self.sheets: dict[str, dict[str, Any]] = {}
        self.bad_providers: dict[str, str] = {}
        self.skipped: list[Skipped] = []
        self.unrepresented: list[Unrepresented] = []
        self.certain = Certain()
        """Certifies rows before pydantic is asked (see costcalc.importers.certain)."""
        self._per_million: dict[Decimal | int, Decimal] = {}

    def per_million(self, per_token: Any, what: str) -> Decimal:
        """`per_million`, remembering each value converted: a feed repeats few prices many times.

        Only successes are remembered, keyed by the number: for a non-zero Decimal or an
        int, whether it converts and to what depends on its value alone (the result is
        `clean`ed), so 1.5E-6 and 0.0000015 share an entry. Anything else (zero, text,
        a refusal) is converted every time, so a message always names its own field.
        """
        kind = type(per_token)
        if (kind is Decimal and per_token.is_finite() and per_token) or kind is int:
            found = self._per_million.get(per_token)
            if found is None:
                found = self._per_million[per_token] = per_million(per_token, what)
            return found
        return per_million(per_token, what)

    # -------------------------------------------------------------- rows
    def skip(self, key: str, reason: str) -> None:
        self.skipped.append(Skipped(key, reason))

    def cannot_represent(self, key: str, what: str) -> None:
        self.unrepresented.append(Unrepresented(key, what))

    def source_of(self, file: str, key: str) -> str:
        """Where a figure comes from: feed, file and key."""
        return f"{self.feed} {file}#{key}"

    def provider(
        self, pid: str, *, name: str | None = None, pricing_url: str | None = None
    ) -> bool:
        """Make sure a provider sheet exists; False when the provider cannot be valid."""
        if pid in self.sheets:
            return True
        if pid in self.bad_providers:
            return False
        facts: dict[str, Any]
        if pid in self.bundled:
            facts = dict(self.bundled[pid])
        elif pid in KNOWN_PROVIDERS:
            known = KNOWN_PROVIDERS[pid]
            facts = {
                "id": pid,
                "name": known.name,
                "country": known.country,
                "currency": FEED_CURRENCY,
                "pricing_url": known.pricing_url,
            }
        else:
            url = (
                pricing_url
                if pricing_url and pricing_url.startswith(("http://", "https://"))
                else None
            )
            facts = {
                "id": pid,
                "name": name or pid,
                "country": UNKNOWN_COUNTRY,
                "currency": FEED_CURRENCY,
                "pricing_url": url or self.default_url,
                "note": f"Imported from {self.feed}: country unknown (ZZ)"
                + ("" if url else "; pricing_url is the feed's, not the provider's")
                + ".",
            }
        wrong = None if self.certain.provider(facts) else refusal("Provider", facts)
        if wrong is not None:
            self.bad_providers[pid] = f"provider {pid!r} is not valid: {wrong}"
            return False
        self.sheets[pid] = {"kind": "price-sheet", "provider": facts, "offers": []}
        return True

    def add(
        self,
        key: str,
        pid: str,
        model: dict[str, Any],
        offer: dict[str, Any],
        *,
        names: tuple[str, ...] = (),
        match: Any = None,
    ) -> bool:
        """Add one model and its offer at a provider, or skip the row with the reason.

        With an `identity`, a row that names a known model (by the provider's API
        name, the feed's `names` or genai-prices' `match` clause) is filed under
        the canonical id and writes no model facts of its own; see costcalc.identity.
        """
        if pid not in self.sheets and not self.provider(pid):
            self.skip(key, self.bad_providers[pid])
            return False
        if self.identity is not None and self._resolved(key, pid, offer, names, match):
            return True
        mid = model["id"]
        if mid in self.model_keys:
            self.skip(key, f"same model id as another row: {mid} (from {self.model_keys[mid]})")
            return False
        wrong = None if self.certain.model(model) else refusal("ModelInfo", model)
        if wrong is not None:
            self.skip(key, f"model facts not valid: {wrong}")
            return False
        wrong = None if self.certain.offer(offer) else refusal("Offer", offer)
        if wrong is not None:
            self.skip(key, f"prices not valid: {wrong}")
            return False
        self.model_keys[mid] = key
        self.models[mid] = model
        self.sheets[pid]["offers"].append(offer)
        return True

    def _resolved(
        self, key: str, pid: str, offer: dict[str, Any], names: tuple[str, ...], match: Any
    ) -> bool:
        """File the offer under a canonical model when the identity knows it."""
        assert self.identity is not None
        api_model = offer.get("api_model")
        if names:
            feed_names = tuple(n for n in (api_model, *names) if n)
        else:
            feed_names = (api_model,) if api_model else ()
        # An API name means the model it named when the row's latest price was set.
        when = None
        for period in offer.get("prices", []):
            start = period.get("as_of")
            if isinstance(start, dt.date) and (when is None or start > when):
                when = start
        if when is None:
            when = self.as_of
        found = self.identity.offer(pid, feed_names, when, match)
        if found.model is None:
            self.unmatched.append(Skipped(key, found.how))
            return False
        slot = f"{found.model}@{pid}"
        if slot in self.model_keys:
            self.unmatched.append(
                Skipped(
                    key,
                    f"same bundled offer as another row ({found.model} @ {pid},"
                    f" from {self.model_keys[slot]})",
                )
            )
            return False
        resolved = {**offer, "model": found.model}
        if api_model and not self.identity.names_offer(pid, found.model, api_model):
            # The catalog's offer keeps its own API names: a feed's spelling says neither what
            # the provider's API answers to nor when (deepseek-v3.2's `api_model` is
            # deepseek-reasoner, with deepseek-chat for a window; genai-prices spells it
            # deepseek-v3.2). Layered, a later `api_model` replaces the earlier one, and
            # replay then billed deepseek-reasoner traffic of 2026-01 as R1-0528.
            del resolved["api_model"]
        wrong = None if self.certain.offer(resolved) else refusal("Offer", resolved)
        if wrong is not None:
            self.skip(key, f"prices not valid: {wrong}")
            return True
        self.model_keys[slot] = key
        self.matched[key] = found.model
        self.sheets[pid]["offers"].append(resolved)
        return True

    def result(self) -> ImportResult:
        """The import; what cannot be represented is reported for imported rows only."""
        sheets = {pid: s for pid, s in sorted(self.sheets.items()) if s["offers"]}
        imported = set(self.model_keys.values())
        return ImportResult(
            feed=self.feed,
            source=self.source,
            as_of=self.as_of,
            models=[self.models[k] for k in sorted(self.models)],
            sheets=sheets,
            rows=self.rows,
            skipped=self.skipped,
            unrepresented=[u for u in self.unrepresented if u.key in imported],
            matched=dict(sorted(self.matched.items())),
            unmatched=[u for u in self.unmatched if u.key in imported],
        )


def model_facts(
    mid: str,
    *,
    name: str,
    vendor: str | None,
    feed: str,
    open_weights: bool | None = None,
    context_window: Any = None,
    max_output: Any = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Model facts for an imported model; what the feed does not say is stated as unknown."""
    unknown = [] if open_weights is not None else ["open weights"]
    unknown.append("license")
    if vendor is None:
        unknown.append("vendor")
    facts: dict[str, Any] = {
        "id": mid,
        "name": name[:4000] or mid,
        "vendor": vendor or "unknown",
        "open_weights": open_weights,
        "license": "unknown",
    }
    for key, value in (("context_window", context_window), ("max_output", max_output)):
        count = positive_int(value)
        if count is not None:
            facts[key] = count
    parts = [f"Imported from {feed}; unknown: {', '.join(unknown)}."]
    if note:
        parts.append(note)
    facts["note"] = " ".join(parts)[:4000]
    return facts


def positive_int(value: Any) -> int | None:
    """A whole positive count from a feed value (10000.0 counts), else None."""
    if type(value) is int:  # the common case, decided without a Decimal
        return value if 0 < value < _COUNT_LIMIT else None
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except (ArithmeticError, TypeError, ValueError):
        return None
    if not number.is_finite() or number <= 0 or number.adjusted() > MAX_COUNT_DIGITS:
        return None  # an absurd count (1e100000000) is refused before int() expands it
    if number != number.to_integral_value():
        return None
    return int(number)


MAX_COUNT_DIGITS = 15
"""Most digits (minus one) of a token count taken from a feed: 10^16 is far past any context."""
_COUNT_LIMIT = 10 ** (MAX_COUNT_DIGITS + 1)


def oversized(files: Mapping[str, str], limit: int = MAX_BYTES) -> list[Problem]:
    """Files of an import larger than the sheet reader accepts (it would refuse them later)."""
    problems = []
    for rel, text in files.items():
        size = len(text.encode("utf-8"))
        if size > limit:
            problems.append(
                Problem(
                    f"would be {size:,} bytes; sheets are read up to {limit:,} bytes, so the"
                    " import would not validate: nothing was written (import fewer rows)",
                    rel,
                )
            )
    return problems
