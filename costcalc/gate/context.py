"""What a rule sees of one decision: its offer, month, quality and alternatives, worked out lazily.

A `Session` holds the catalog, the day and the caches shared by every decision
of a check (one `compare` per workload, profile and currency). A
`DecisionContext` computes each fact of one decision once, on first use, so a
rule that is switched off costs nothing and rules never repeat each other's work.

Monthly cost = cost of one request x requests per month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError, NoPriceError
from costcalc.gate.findings import Hit

if TYPE_CHECKING:
    from costcalc.budget import OfferBudget
    from costcalc.catalog import Catalog, OfferEntry
    from costcalc.gate.load import ProcurementDoc
    from costcalc.quality import Quality, QualityIndex, Weighting
    from costcalc.rank import Candidate, Ranking, RankRow
    from costcalc.schema.procurement import Decision, Policy
    from costcalc.schema.workload import Workload

DEFAULT_MAX_PRICE_AGE_DAYS = 180
DEFAULT_MAX_SCORE_AGE_DAYS = 365


class Session:
    """The catalog, the day and the caches of one check."""

    def __init__(self, catalog: Catalog, when: dt.date) -> None:
        self.catalog = catalog
        self.when = when
        self._index: QualityIndex | None = None
        self._weightings: dict[str, Weighting] = {}
        self._candidates: dict[tuple[Any, ...], list[Candidate]] = {}
        self._qualities: dict[tuple[str, str], Quality | None] = {}
        self._offers: dict[tuple[str, str], list[OfferEntry]] | None = None
        self.memo: dict[tuple[Any, ...], Any] = {}
        """Results shared by decisions with the same inputs (resolution, month, ranking)."""
        self.comparisons = 0
        """Comparisons actually computed (the cache's misses), for the benchmark."""

    @property
    def index(self) -> QualityIndex:
        if self._index is None:
            from costcalc.quality import quality_index

            self._index = quality_index(self.catalog)
        return self._index

    def weighting(self, profile: str) -> Weighting:
        if profile not in self._weightings:
            from costcalc.quality import weighting

            self._weightings[profile] = weighting(self.index, profile)
        return self._weightings[profile]

    def quality(self, model_id: str, profile: str) -> Quality | None:
        key = (model_id, profile)
        if key not in self._qualities:
            from costcalc.quality import model_quality

            self._qualities[key] = model_quality(self.index, model_id, self.weighting(profile))
        return self._qualities[key]

    def offers(self, model_id: str, provider_id: str) -> list[OfferEntry]:
        """The catalog's offers of a model at a provider (indexed once)."""
        if self._offers is None:
            index: dict[tuple[str, str], list[OfferEntry]] = {}
            for o in self.catalog.offers:
                index.setdefault((o.model.id, o.provider.id), []).append(o)
            self._offers = index
        return self._offers.get((model_id, provider_id), [])

    def candidates(self, workload: Workload, profile: str, currency: str) -> list[Candidate]:
        """Every priced, scored offer for a workload's request, from `compare` (cached)."""
        from costcalc.workload import workload_request

        usage = workload_request(workload)
        reasoning = (workload.reasoning_tokens, tuple(workload.reasoning_models))
        key = (usage, reasoning, profile, currency)
        if key not in self._candidates:
            from costcalc.compare import CompareOptions, compare_full
            from costcalc.rank import Candidate

            self.comparisons += 1
            options = CompareOptions(
                usage=usage,
                when=self.when,
                currency=currency,
                profile=profile,
                min_quality=Decimal(0),
                max_multiple_per_point=None,
                reasoning_tokens=workload.reasoning_tokens,
                reasoning_models=tuple(workload.reasoning_models),
                quality_method="mean",  # the gate's own rules score with the mean method
            )
            ranking, _ = compare_full(self.catalog, options, self.index)
            self._candidates[key] = [Candidate(r.entry, r.cost, r.quality) for r in ranking.rows]
        return self._candidates[key]


_NOT_PRICED = ("name", "description", "source", "illustrative")
"""Workload fields that do not change a cost (left out of cache keys)."""


def workload_key(workload: Workload) -> tuple[Any, ...]:
    """What a workload's cost depends on, as a hashable key."""
    return tuple(
        (k, tuple(v) if isinstance(v, list) else v)
        for k, v in workload.__dict__.items()
        if k not in _NOT_PRICED
    )


@dataclass(frozen=True)
class Unresolved:
    """Why the chosen offer cannot be used: the rule it breaks and what it found."""

    rule: str
    hit: Hit


@dataclass(frozen=True)
class Alternatives:
    """The chosen offer ranked among the allowed alternatives at the decision's bar."""

    ranking: Ranking
    row: RankRow
    """The chosen offer's row."""
    recommended: RankRow | None
    """The cheapest good-enough allowed offer."""
    months: Decimal
    """Requests per month."""

    @cached_property
    def by_label(self) -> dict[str, RankRow]:
        """The ranking's rows by label (the first row of each label)."""
        rows: dict[str, RankRow] = {}
        for r in self.ranking.rows:
            rows.setdefault(r.label, r)
        return rows


@dataclass
class DecisionContext:
    """One decision of one file, with every fact a rule may need (computed on first use)."""

    session: Session
    doc: ProcurementDoc
    index: int
    """The decision's position in its file."""
    decision: Decision
    policy: Policy
    """The file's policy refined by the decision's."""
    workload: Workload
    notes: dict[str, Any] = field(default_factory=dict)
    """Free space for rules outside the built-in families to share facts."""

    @property
    def when(self) -> dt.date:
        return self.session.when

    @property
    def catalog(self) -> Catalog:
        return self.session.catalog

    @property
    def currency(self) -> str:
        return self.decision.budget.currency

    # ------------------------------------------------------------ the offer
    @cached_property
    def resolution(self) -> OfferEntry | Unresolved:
        """The chosen offer, or the rule it breaks (unknown-model, no-current-price)."""
        key = ("resolution", self.decision.model, self.decision.provider)
        memo = self.session.memo
        if key not in memo:
            memo[key] = self._resolve()
        found: OfferEntry | Unresolved = memo[key]
        return found

    def _resolve(self) -> OfferEntry | Unresolved:
        from costcalc.catalog import did_you_mean
        from costcalc.cost import Usage, cost_of

        decision, catalog = self.decision, self.catalog
        try:
            model_id = catalog.model(decision.model).id
        except InputError as exc:
            return Unresolved(
                "unknown-model",
                Hit(
                    exc.problems[0].message,
                    "use a model id from `costcalc models`, or add the model to a --pricing sheet",
                    {"model": decision.model},
                    ("model",),
                ),
            )
        pid = decision.provider.strip().lower()
        if pid not in catalog.providers:
            return Unresolved(
                "unknown-model",
                Hit(
                    f"unknown provider {decision.provider!r}{did_you_mean(pid, catalog.providers)}",
                    "use a provider id from `costcalc models`",
                    {"provider": decision.provider},
                    ("provider",),
                ),
            )
        found = self.session.offers(model_id, pid)
        if not found:
            others = sorted(o.provider.id for o in catalog.offers if o.model.id == model_id)
            return Unresolved(
                "unknown-model",
                Hit(
                    f"provider {pid!r} does not offer {model_id!r}",
                    ("choose one of its providers: " + ", ".join(others))
                    if others
                    else "it has no offer",
                    {"model": model_id, "provider": pid},
                    ("provider",),
                ),
            )
        entry = found[0]
        try:
            cost_of(
                entry,
                Usage(Decimal(1), Decimal(1)),
                when=self.when,
                currency=entry.provider.currency,
                fx=catalog.fx,
            )
        except NoPriceError:
            dates = ", ".join(str(p.as_of) for p in entry.offer.prices)
            return Unresolved(
                "no-current-price",
                Hit(
                    f"{entry.label} has no price in force on {self.when}"
                    f" (price periods from: {dates})",
                    "update the price sheet, or choose an offer with a current price",
                    {"model": model_id, "provider": pid},
                    ("provider",),
                ),
            )
        return entry

    @property
    def entry(self) -> OfferEntry | None:
        found = self.resolution
        return None if isinstance(found, Unresolved) else found

    @property
    def unresolved(self) -> Unresolved | None:
        found = self.resolution
        return found if isinstance(found, Unresolved) else None

    # ------------------------------------------------------------ the month
    @cached_property
    def pricing(self) -> OfferBudget | InputError | None:
        """A month of the workload on the chosen offer (costcalc.budget), or why not."""
        entry = self.entry
        if entry is None:
            return None
        key = (
            "month",
            entry.key,
            self.workload_key,
            self.currency,
            self.decision.budget.monthly,
            self.policy.rate_limit_tier,
        )
        memo = self.session.memo
        if key not in memo:
            memo[key] = self._price(entry)
        found: OfferBudget | InputError = memo[key]
        return found

    @cached_property
    def workload_key(self) -> tuple[Any, ...]:
        return workload_key(self.workload)

    def _price(self, entry: OfferEntry) -> OfferBudget | InputError:
        """The month against this budget: the month itself is shared by every budget."""
        from dataclasses import replace

        from costcalc.budget.rows import budget_fit

        tier = self.policy.rate_limit_tier
        key = ("month-any-budget", entry.key, self.workload_key, self.currency, tier)
        memo = self.session.memo
        if key not in memo:
            memo[key] = self._price_month(entry)
        month: OfferBudget | InputError = memo[key]
        if isinstance(month, InputError):
            return month
        fits, headroom, over = budget_fit(month.months, self.decision.budget.monthly)
        return replace(month, fits_budget=fits, headroom=headroom, over_budget_from=over)

    def _price_month(self, entry: OfferEntry) -> OfferBudget | InputError:
        from costcalc.budget import offer_budget

        try:
            return offer_budget(
                entry,
                self.workload,
                when=self.when,
                currency=self.currency,
                fx=self.catalog.fx,
                budget=None,
                tier=self.policy.rate_limit_tier,
            )
        except InputError as exc:  # no exchange rate on that day
            return exc

    @property
    def priced(self) -> OfferBudget | None:
        found = self.pricing
        return None if found is None or isinstance(found, InputError) else found

    @cached_property
    def requests_per_month(self) -> Decimal:
        from costcalc.workload import monthly_requests

        return monthly_requests(self.workload, 1)

    # ---------------------------------------------------------- the quality
    @cached_property
    def quality(self) -> Quality | None:
        """The chosen model's quality on the decision's profile (None: no bar, or no scores)."""
        entry, bar = self.entry, self.decision.quality
        if entry is None or bar is None:
            return None
        return self.session.quality(entry.model.id, bar.profile)

    @property
    def covered(self) -> bool:
        """Whether the model's scores cover enough of the profile to tell its quality."""
        bar, quality = self.decision.quality, self.quality
        if bar is None or quality is None:
            return False
        return quality.coverage >= self.session.weighting(bar.profile).min_coverage

    @cached_property
    def alternatives(self) -> Alternatives | None:
        """compare's candidates, filtered by this policy, ranked at this bar (None: no bar)."""
        entry, bar = self.entry, self.decision.quality
        if entry is None or bar is None or not self.covered or self.priced is None:
            return None
        policy = self.policy
        key = (
            "alternatives",
            entry.key,
            self.workload_key,
            bar.profile,
            bar.min,
            self.currency,
            None
            if policy.licenses is None
            else (
                None if policy.licenses.allow is None else tuple(policy.licenses.allow),
                tuple(policy.licenses.deny),
            ),
            policy.open_weights_required,
            policy.provider_countries and tuple(policy.provider_countries),
            policy.max_cost_per_point,
        )
        memo = self.session.memo
        if key not in memo:
            memo[key] = self._rank_alternatives(entry, bar.profile, bar.min)
        found: Alternatives | None = memo[key]
        return found

    def _rank_alternatives(
        self, entry: OfferEntry, profile: str, bar: Decimal
    ) -> Alternatives | None:
        from costcalc.catalog import OfferEntry
        from costcalc.rank import Ceiling, rank

        everyone = self.session.candidates(self.workload, profile, self.currency)
        chosen = next((c for c in everyone if c.entry.key == entry.key), None)
        if chosen is None:  # pragma: no cover - compare prices and scores every offer here
            return None
        policy = self.policy
        pool = [
            c
            for c in everyone
            if c.entry.key != entry.key
            and isinstance(c.entry, OfferEntry)  # API offers only (no self-hosted ones)
            and allowed(c.entry, policy)
        ]
        months = self.requests_per_month
        ceiling = Ceiling(None, policy.max_cost_per_point, months)
        ranking = rank([*pool, chosen], bar=bar, ceiling=ceiling)
        row = next(r for r in ranking.rows if r.entry.key == entry.key)
        return Alternatives(ranking, row, ranking.recommended, months)

    def has(self, need: str | None) -> bool:
        """Whether the decision has what a rule needs (see costcalc.gate.registry)."""
        if need is None:
            return True
        if need == "offer":
            return self.entry is not None
        if need == "priced":
            return self.priced is not None
        if need == "quality":
            return self.priced is not None and self.covered
        raise ValueError(f"unknown need {need!r}")


def license_ok(license_id: str, policy: Policy) -> bool:
    lic = policy.licenses
    if lic is None:
        return True
    if license_id in lic.deny:
        return False
    return lic.allow is None or license_id in lic.allow


def allowed(entry: OfferEntry, policy: Policy) -> bool:
    """Whether an alternative offer meets the policy's hard constraints."""
    if not license_ok(entry.model.license, policy):
        return False
    if policy.open_weights_required and not entry.model.open_weights:
        return False
    return policy.provider_countries is None or entry.provider.country in policy.provider_countries


__all__ = [
    "DEFAULT_MAX_PRICE_AGE_DAYS",
    "DEFAULT_MAX_SCORE_AGE_DAYS",
    "Alternatives",
    "DecisionContext",
    "Session",
    "Unresolved",
    "allowed",
    "license_ok",
]
