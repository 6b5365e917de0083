"""Pure procurement rules: decisions x catalog x day -> findings (no exit codes, no I/O here).

Each rule has a stable id and a default severity (`deny` fails the check,
`warn` is only reported); a procurement file's `rules:` overrides severities,
`off` skips a rule. A waiver (rule, reason, owner, expiry) waives its rule's
findings for one decision up to and including its expiry day; an expired waiver
waives nothing and is counted as expired.

Every figure is exact (Decimal) and every price comes from `costcalc.cost`
through `costcalc.compare`: the alternatives are the offers `compare` ranks for
the same per-request workload, quality profile, day and currency; the policy's
licence, open-weights and country constraints then filter them, and
`costcalc.rank` is run again with the decision's bar. Comparisons are cached per
(workload, profile, day, currency), so a thousand decisions cost a few rankings.

Monthly cost = cost of one request x requests per month.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal
from typing import Any

from costcalc.catalog import Catalog, OfferEntry, did_you_mean
from costcalc.cost import Usage, cost_of
from costcalc.errors import InputError, NoPriceError
from costcalc.loader import Document
from costcalc.quality import (
    Quality,
    QualityIndex,
    Weighting,
    model_quality,
    quality_index,
    weighting,
)
from costcalc.rank import Candidate, Ceiling, Ranking, RankRow, rank
from costcalc.schema.procurement import (
    RULE_IDS,
    Decision,
    Policy,
    PresetWorkload,
    ProcurementFile,
    Waiver,
)
from costcalc.schema.workload import Workload

DEFAULT_SEVERITY: dict[str, str] = {
    "unknown-model": "deny",
    "over-budget": "deny",
    "below-quality-bar": "deny",
    "dominated": "warn",
    "not-worth-it": "warn",
    "license-denied": "deny",
    "open-weights-required": "deny",
    "provider-country": "deny",
    "stale-price": "warn",
    "stale-score": "warn",
    "rate-limit": "deny",
    "cost-increase": "deny",
}
"""Default severity of every rule (cost-increase is the --base guardrail)."""

RULE_TITLES: dict[str, str] = {
    "unknown-model": "The chosen model or provider is not in the catalog, or has no price in force",
    "over-budget": "The monthly cost exceeds the budget",
    "below-quality-bar": "The chosen model's quality does not reach the bar",
    "dominated": "A cheaper good-enough offer is not significantly worse",
    "not-worth-it": "Extra quality over the cheapest good-enough offer costs too much per point",
    "license-denied": "The model's licence is not allowed by the policy",
    "open-weights-required": "The policy requires open weights",
    "provider-country": "The provider's country is not allowed by the policy",
    "stale-price": "The price used is older than the policy allows",
    "stale-score": "A benchmark score used is older than the policy allows, or undated",
    "rate-limit": "Published rate limits do not cover the workload's peak with the headroom",
    "cost-increase": "The monthly cost rose more than the --base guardrail allows",
}

DEFAULT_MAX_PRICE_AGE_DAYS = 180
DEFAULT_MAX_SCORE_AGE_DAYS = 365


@dataclass(frozen=True)
class Finding:
    """One rule broken by one decision, located on the YAML field it is about."""

    rule: str
    severity: str
    """deny or warn."""
    file: str | None
    line: int | None
    field: str
    """Dotted path of the field in the file, e.g. decisions[0].budget.monthly."""
    decision: str
    message: str
    fix: str
    """What to change."""
    figures: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """The figures behind the finding, as display strings (exact decimals)."""
    waiver: WaiverStatus | None = None
    """The waiver in force that waives this finding, if any."""

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def blocking(self) -> bool:
        return self.severity == "deny" and not self.waived


@dataclass
class WaiverStatus:
    """A waiver as found on the check day: in force or expired, used or not."""

    file: str
    line: int | None
    decision: str
    waiver: Waiver
    expired: bool
    used: int = 0
    """Findings it waived."""


@dataclass
class DecisionResult:
    """A decision with its figures (None where they could not be worked out)."""

    file: str
    line: int | None
    name: str
    model: str
    provider: str
    currency: str
    budget: Decimal
    monthly_cost: Decimal | None = None
    quality: Decimal | None = None
    bar: Decimal | None = None
    cheapest: str | None = None
    """The cheapest good-enough allowed offer ("model @ provider")."""
    cheapest_monthly: Decimal | None = None
    usage: Usage | None = None
    """One request (reasoning included), for re-pricing in --base diffs."""
    requests_per_month: Decimal | None = None
    entry: OfferEntry | None = None


@dataclass
class CheckResult:
    """Everything `costcalc check` found, for every report format."""

    when: dt.date
    files: list[str]
    decisions: list[DecisionResult]
    findings: list[Finding]
    waivers: list[WaiverStatus]
    diff: Any = None
    """A costcalc.checkdiff.CostDiff when --base was given."""
    fail_on_warn: bool = False
    """Whether a warning fails the gate (--fail-on-warn)."""

    @property
    def denied(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warn" and not f.waived]

    @property
    def waived(self) -> list[Finding]:
        return [f for f in self.findings if f.waived]

    @property
    def failed(self) -> bool:
        """Whether the gate fails: a deny not waived, or (with fail_on_warn) a warning."""
        return bool(self.denied) or (self.fail_on_warn and bool(self.warnings))

    @property
    def status(self) -> str:
        return "failed" if self.failed else "passed"

    def blocks(self, finding: Finding) -> bool:
        """Whether this finding fails the gate."""
        return finding.blocking or (
            self.fail_on_warn and finding.severity == "warn" and not finding.waived
        )


@dataclass(frozen=True)
class ProcurementDoc:
    """A loaded procurement file with its workload references already resolved."""

    document: Document
    workloads: Mapping[int, Workload] = field(default_factory=dict)
    """Decision index -> the workload its `{file, name}` reference resolved to."""

    @property
    def model(self) -> ProcurementFile:
        model: ProcurementFile = self.document.model
        return model


def merged_policy(base: Policy | None, override: Policy | None) -> Policy:
    """The file's policy refined by a decision's: each field the decision sets wins."""
    if base is None:
        return override or Policy()
    if override is None:
        return base
    update = {name: getattr(override, name) for name in override.model_fields_set}
    return base.model_copy(update={k: v for k, v in update.items() if v is not None})


def request_of(workload: Workload) -> Usage:
    """One request of a workload before any model's reasoning (compare adds each model's)."""
    from costcalc.budget import workload_request

    return workload_request(workload)


def _s(value: Decimal | int | None) -> str:
    """An exact figure as text (no exponent, no trailing zeros)."""
    from costcalc.money import decimal_str

    return "" if value is None else decimal_str(Decimal(value))


def _money(value: Decimal, currency: str) -> str:
    from costcalc.money import fmt_money

    return fmt_money(value, currency)


def _q(value: Decimal) -> str:
    return f"{value:.1f}"


class Checker:
    """Applies the rules to decisions against one catalog on one day, caching comparisons."""

    def __init__(self, catalog: Catalog, when: dt.date) -> None:
        self.catalog = catalog
        self.when = when
        self._index: QualityIndex | None = None
        self._weightings: dict[str, Weighting] = {}
        self._candidates: dict[tuple[Any, ...], list[Candidate]] = {}
        self._qualities: dict[tuple[str, str], Quality | None] = {}
        self.comparisons = 0
        """Comparisons actually computed (the cache's misses), for the benchmark."""

    # ------------------------------------------------------------- caches
    @property
    def index(self) -> QualityIndex:
        if self._index is None:
            self._index = quality_index(self.catalog)
        return self._index

    def weighting(self, profile: str) -> Weighting:
        if profile not in self._weightings:
            self._weightings[profile] = weighting(self.index, profile)
        return self._weightings[profile]

    def quality(self, model_id: str, profile: str) -> Quality | None:
        key = (model_id, profile)
        if key not in self._qualities:
            self._qualities[key] = model_quality(self.index, model_id, self.weighting(profile))
        return self._qualities[key]

    def candidates(self, workload: Workload, profile: str, currency: str) -> list[Candidate]:
        """Every priced, scored offer for a workload's request, from `compare` (cached)."""
        usage = request_of(workload)
        reasoning = (workload.reasoning_tokens, tuple(workload.reasoning_models))
        key = (usage, reasoning, profile, currency)
        if key not in self._candidates:
            from costcalc.compare import CompareOptions, compare_full

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

    # --------------------------------------------------------------- check
    def check(self, docs: Sequence[ProcurementDoc]) -> CheckResult:
        """Apply every rule to every decision of every file."""
        decisions: list[DecisionResult] = []
        findings: list[Finding] = []
        waivers: list[WaiverStatus] = []
        for doc in docs:
            for i, decision in enumerate(doc.model.decisions):
                result, found, statuses = self.check_decision(doc, i, decision)
                decisions.append(result)
                findings.extend(found)
                waivers.extend(statuses)
        findings.sort(key=lambda f: (f.file or "", f.line or 0, f.rule))
        return CheckResult(self.when, [d.document.path for d in docs], decisions, findings, waivers)

    def check_decision(
        self, doc: ProcurementDoc, i: int, decision: Decision
    ) -> tuple[DecisionResult, list[Finding], list[WaiverStatus]]:
        """Findings of one decision, with its waivers applied."""
        document = doc.document
        path = document.path
        pfile = doc.model
        severities: dict[str, str] = dict(DEFAULT_SEVERITY)
        severities.update((str(k), str(v)) for k, v in pfile.rules.items())
        policy = merged_policy(pfile.policy, decision.policy)
        currency = decision.budget.currency
        raw: list[Finding] = []

        def where(*loc: str | int) -> tuple[int | None, str]:
            """Line and dotted name of a field of this decision (the deepest one written)."""
            full: tuple[str | int, ...] = ("decisions", i, *loc)
            if loc and loc[0] == "policy" and not _written(document.raw, full):
                # a policy field set for the whole file: point at the file's own line
                line = document.line_of(*loc)
                if line is not None and _written(document.raw, loc):
                    return line, _dotted(loc)
            for n in range(len(full), 2, -1):
                line = document.line_of(*full[:n])
                if line is not None and _written(document.raw, full[:n]):
                    return line, _dotted(full[:n])
            return document.line_of("decisions", i), _dotted(full[:2])

        def add(
            rule: str, loc: tuple[str | int, ...], message: str, fix: str, **figures: str
        ) -> None:
            severity = severities.get(rule, "deny")
            if severity == "off":
                return
            line, name = where(*loc)
            raw.append(
                Finding(rule, severity, path, line, name, decision.name, message, fix, figures)
            )

        result = DecisionResult(
            file=path,
            line=document.line_of("decisions", i),
            name=decision.name,
            model=decision.model,
            provider=decision.provider,
            currency=currency,
            budget=decision.budget.monthly,
            bar=decision.quality.min if decision.quality else None,
        )
        workload = self._workload(doc, i, decision)
        if decision.quality is not None:
            try:
                self.weighting(decision.quality.profile)
            except InputError as exc:
                line, name = where("quality", "profile")
                raise InputError(
                    exc.problems[0].message, file=path, line=line, field=name
                ) from None
        entry = self._entry(decision, add)
        if entry is not None:
            result.model, result.provider, result.entry = entry.model.id, entry.provider.id, entry
            self._apply_rules(decision, entry, workload, policy, currency, result, add)
        return (result, *self._waive(document, i, decision, raw))

    # ------------------------------------------------------------ helpers
    def _workload(self, doc: ProcurementDoc, i: int, decision: Decision) -> Workload:
        """The decision's workload: inline, a preset of the loaded sheets, or a resolved file."""
        w = decision.workload
        if isinstance(w, PresetWorkload):
            from costcalc.budget import preset

            try:
                return preset(self.catalog, w.preset)
            except InputError as exc:
                raise InputError(
                    exc.problems[0].message,
                    file=doc.document.path,
                    line=doc.document.line_of("decisions", i, "workload", "preset"),
                    field=f"decisions[{i}].workload.preset",
                ) from None
        if isinstance(w, Workload):
            return w
        if i in doc.workloads:
            return doc.workloads[i]
        raise InputError(  # the loader resolves references; reaching here is a caller's bug
            "workload reference not resolved",
            file=doc.document.path,
            line=doc.document.line_of("decisions", i, "workload"),
        )

    def _entry(self, decision: Decision, add: Any) -> OfferEntry | None:
        """The chosen offer, or an unknown-model finding."""
        catalog = self.catalog
        try:
            model_id = catalog.model(decision.model).id
        except InputError as exc:
            add(
                "unknown-model",
                ("model",),
                exc.problems[0].message,
                "use a model id from `costcalc models`, or add the model to a --pricing sheet",
                model=decision.model,
            )
            return None
        pid = decision.provider.strip().lower()
        if pid not in catalog.providers:
            add(
                "unknown-model",
                ("provider",),
                f"unknown provider {decision.provider!r}{did_you_mean(pid, catalog.providers)}",
                "use a provider id from `costcalc models`",
                provider=decision.provider,
            )
            return None
        found = [o for o in catalog.offers if o.model.id == model_id and o.provider.id == pid]
        if not found:
            others = sorted(o.provider.id for o in catalog.offers if o.model.id == model_id)
            add(
                "unknown-model",
                ("provider",),
                f"provider {pid!r} does not offer {model_id!r}",
                ("choose one of its providers: " + ", ".join(others))
                if others
                else "it has no offer",
                model=model_id,
                provider=pid,
            )
            return None
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
            add(
                "unknown-model",
                ("provider",),
                f"{entry.label} has no price in force on {self.when} (price periods from: {dates})",
                "update the price sheet, or choose an offer with a current price",
                model=model_id,
                provider=pid,
            )
            return None
        return entry

    def _apply_rules(
        self,
        decision: Decision,
        entry: OfferEntry,
        workload: Workload,
        policy: Policy,
        currency: str,
        result: DecisionResult,
        add: Any,
    ) -> None:
        model, provider = entry.model, entry.provider
        # -- licence, open weights, country: facts of the chosen model and provider.
        if not _license_ok(model.license, policy):
            allowed = policy.licenses.allow if policy.licenses else None
            add(
                "license-denied",
                ("model",),
                f"{model.id} is under licence {model.license!r}, which the policy "
                + (
                    "denies"
                    if policy.licenses and model.license in policy.licenses.deny
                    else "does not allow"
                ),
                "choose a model under an allowed licence"
                + (f" ({', '.join(allowed)})" if allowed else "")
                + ", or waive license-denied with a reason",
                license=model.license,
                note=model.license_note or "",
            )
        if policy.open_weights_required and not model.open_weights:
            add(
                "open-weights-required",
                ("model",),
                f"{model.id} has no published weights"
                + (" (not known: the sheets say neither)" if model.open_weights is None else "")
                + "; the policy requires open weights",
                "choose an open-weight model (`costcalc models --open-weights`)",
            )
        if (
            policy.provider_countries is not None
            and provider.country not in policy.provider_countries
        ):
            add(
                "provider-country",
                ("provider",),
                f"{provider.id} is based in {provider.country};"
                f" allowed: {', '.join(policy.provider_countries)}",
                "buy the model from a provider in an allowed country",
                country=provider.country,
            )
        # -- money: costcalc.budget prices a month of the workload on the offer.
        from costcalc.budget import check_rate_limits, monthly_requests, offer_budget

        try:
            ob = offer_budget(
                entry,
                workload,
                when=self.when,
                currency=currency,
                fx=self.catalog.fx,
                budget=decision.budget.monthly,
                tier=policy.rate_limit_tier,
            )
        except InputError as exc:  # no exchange rate on that day
            add(
                "unknown-model",
                ("budget", "currency"),
                f"{entry.label} cannot be priced in {currency}: {exc.problems[0].message}",
                "add an exchange rate to the FX table, or budget in the provider's currency",
            )
            return
        monthly = ob.monthly_cost
        requests = monthly_requests(workload, 1)
        result.monthly_cost = monthly
        result.usage = ob.usage
        result.requests_per_month = requests
        if ob.over_budget_from is not None:
            month = ob.months[ob.over_budget_from - 1]
            when = (
                "a month"
                if month.month == 1
                else f"in month {month.month} of the projection (growth)"
            )
            add(
                "over-budget",
                ("budget", "monthly"),
                f"{entry.label} costs {_money(month.cost, currency)} {when},"
                f" over the budget of {_money(decision.budget.monthly, currency)}"
                f" by {_money(month.cost - decision.budget.monthly, currency)}",
                "raise budget.monthly to at least"
                f" {_s(month.cost.to_integral_value(ROUND_CEILING))},"
                " reduce the workload, or choose a cheaper offer",
                monthly_cost=_s(month.cost),
                month=str(month.month),
                budget=_s(decision.budget.monthly),
                currency=currency,
            )
        # -- freshness of the price.
        choice = ob.cost.choice
        max_price_age = policy.max_price_age_days
        if max_price_age is None:
            max_price_age = DEFAULT_MAX_PRICE_AGE_DAYS
        age = (self.when - choice.period.as_of).days
        if age > max_price_age:
            add(
                "stale-price",
                ("provider",),
                f"the price of {entry.label} used is {age} days old (as of {choice.period.as_of},"
                f" {choice.origin}); the policy allows {max_price_age}",
                f"check the provider's current price and update {choice.origin.file}",
                price_as_of=str(choice.period.as_of),
                age_days=str(age),
                max_days=str(max_price_age),
                origin=str(choice.origin),
            )
        # -- rate limits, with the policy's headroom applied to the load.
        headroom = policy.rate_limit_headroom or Decimal(1)
        check = ob.rate_limit
        if headroom != 1:
            scaled = workload.model_copy(
                update={
                    "requests_per_day": None
                    if workload.requests_per_day is None
                    else workload.requests_per_day * headroom,
                    "requests_per_month": None
                    if workload.requests_per_month is None
                    else workload.requests_per_month * headroom,
                }
            )
            check = check_rate_limits(
                entry, scaled, ob.usage, when=self.when, tier=policy.rate_limit_tier
            )
        tier = policy.rate_limit_tier
        if tier is not None and check.shown is None and check.tiers:
            add(
                "rate-limit",
                ("policy", "rate_limit_tier"),
                f"{entry.label} publishes no rate limits for tier {tier!r}"
                f" (tiers: {', '.join(t.tier for t in check.tiers)})",
                "set policy.rate_limit_tier to a published tier",
                tier=tier,
            )
        elif check.rate_limited and check.shown is not None:
            binding = max(check.shown.uses, key=lambda u: u.ratio)
            scope = "" if check.shown.month == 1 else f" from month {check.shown.month}"
            add(
                "rate-limit",
                ("workload",),
                f"{entry.label} tier {check.shown.tier!r} cannot carry the load{scope}"
                + (f" x headroom {_s(headroom)}" if headroom != 1 else "")
                + f": {check.describe()}",
                "ask the provider for a higher tier (and set policy.rate_limit_tier),"
                " spread the load, or choose another provider",
                tier=check.shown.tier,
                limit=f"{binding.limit} {binding.name}",
                demand=_s(binding.demand.quantize(Decimal("0.01"))),
                headroom=_s(headroom),
                source=check.shown.limit.source,
            )
        # -- quality rules.
        if decision.quality is not None:
            self._quality_rules(decision, entry, workload, requests, policy, currency, result, add)

    def _quality_rules(
        self,
        decision: Decision,
        entry: OfferEntry,
        workload: Workload,
        months: Decimal,
        policy: Policy,
        currency: str,
        result: DecisionResult,
        add: Any,
    ) -> None:
        assert decision.quality is not None
        profile, bar = decision.quality.profile, decision.quality.min
        weights = self.weighting(profile)
        quality = self.quality(entry.model.id, profile)
        if quality is None or quality.coverage < weights.min_coverage:
            cover = f"{quality.coverage:.0%}" if quality else "0%"
            add(
                "below-quality-bar",
                ("quality", "min"),
                f"{entry.model.id} cannot be shown to reach the bar {_q(bar)}:"
                f" its scores cover {cover}"
                f" of profile {profile!r} (at least {weights.min_coverage:.0%} needed)",
                "add published scores for the model, choose a scored model,"
                " or waive below-quality-bar",
                coverage=cover,
                bar=_s(bar),
            )
            return
        result.quality = quality.value
        if quality.high < bar:
            add(
                "below-quality-bar",
                ("quality", "min"),
                f"{entry.model.id} scores {_q(quality.value)} on {profile!r}"
                f" (95% band {_q(quality.low)}-{_q(quality.high)}), below the bar {_q(bar)}",
                "choose a model whose quality reaches the bar (`costcalc compare`),"
                " or lower quality.min",
                quality=_q(quality.value),
                band_high=_q(quality.high),
                bar=_s(bar),
            )
        # -- freshness of the scores.
        max_score_age = policy.max_score_age_days
        if max_score_age is None:
            max_score_age = DEFAULT_MAX_SCORE_AGE_DAYS
        stale = []
        for part in quality.parts:
            if part.entry is None:  # a predicted score (latent quality) has no date
                continue
            as_of = part.entry.score.as_of
            if as_of is None or (self.when - as_of).days > max_score_age:
                stale.append((part.benchmark, as_of, part.entry.origin))
        if stale:
            shown = "; ".join(f"{b} ({d or 'undated'}, {o})" for b, d, o in stale[:5])
            more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
            add(
                "stale-score",
                ("quality", "profile"),
                f"{len(stale)} score(s) of {entry.model.id} used on {profile!r}"
                " are undated or older than"
                f" {max_score_age} days: {shown}{more}",
                "add dated, recent scores to the scores sheet, or raise policy.max_score_age_days",
                stale=str(len(stale)),
                max_days=str(max_score_age),
            )
        # -- alternatives: compare's candidates, filtered by this policy, ranked at this bar.
        everyone = self.candidates(workload, profile, currency)
        chosen = next((c for c in everyone if c.entry.key == entry.key), None)
        if (
            chosen is None
        ):  # pragma: no cover - compare prices and scores every offer we got here with
            return
        pool = [
            c
            for c in everyone
            if c.entry.key != entry.key
            and isinstance(c.entry, OfferEntry)  # API offers only (no self-hosted ones)
            and _allowed(c.entry, policy)
        ]
        one = chosen.cost
        ceiling = Ceiling(None, policy.max_cost_per_point, months)
        ranking: Ranking = rank([*pool, chosen], bar=bar, ceiling=ceiling)
        row = next(r for r in ranking.rows if r.entry.key == entry.key)
        rec = ranking.recommended
        if rec is not None:
            result.cheapest = rec.label
            result.cheapest_monthly = rec.cost.total * months
        if rec is None or rec is row:
            return
        saving = (one.total - rec.cost.total) * months
        dominated_by = _row(ranking, row.dominated_by)
        multiple = one.total / rec.cost.total if rec.cost.total > 0 else None
        too_many = (
            policy.max_cost_multiple is not None
            and saving > 0
            and (multiple is None or multiple > policy.max_cost_multiple)
        )
        if dominated_by is not None or too_many:
            other = dominated_by or rec
            other_saving = (one.total - other.cost.total) * months
            why = (
                f"costs {_money(other.cost.total * months, currency)} a month at quality"
                f" {_q(other.quality.value)}, not significantly worse than {_q(quality.value)}"
                if dominated_by is not None
                else f"is good enough at {_money(other.cost.total * months, currency)} a month;"
                f" the choice costs {_s(_round(multiple))}x that, over the policy's"
                f" {_s(policy.max_cost_multiple)}x"
            )
            add(
                "dominated",
                ("model",),
                f"{other.label} {why}: switching saves {_money(other_saving, currency)} a month",
                f"choose {other.entry.model.id} at {other.entry.provider.id},"
                " or waive dominated with a reason",
                alternative=other.label,
                alternative_monthly=_s(other.cost.total * months),
                alternative_quality=_q(other.quality.value),
                monthly_cost=_s(one.total * months),
                monthly_saving=_s(other_saving),
                cost_multiple=_s(_round(multiple)) if multiple is not None else "",
            )
            return
        if (
            row.not_worth_it
            and row.marginal_cost_per_point is not None
            and row.quality_gain is not None
        ):
            per_point = row.marginal_cost_per_point * months
            add(
                "not-worth-it",
                ("model",),
                f"{entry.label} scores {_q(row.quality_gain)} points above {rec.label} for"
                f" {_money(saving, currency)} more a month:"
                f" {_money(per_point, currency)} per point per month,"
                f" over the policy's {_money(policy.max_cost_per_point or Decimal(0), currency)}",
                f"choose {rec.entry.model.id} at {rec.entry.provider.id}"
                f" (saves {_money(saving, currency)} a month),"
                " or raise policy.max_cost_per_point",
                alternative=rec.label,
                monthly_saving=_s(saving),
                quality_gain=_q(row.quality_gain),
                cost_per_point=_s(per_point),
                max_cost_per_point=_s(policy.max_cost_per_point),
            )

    def _waive(
        self, document: Document, i: int, decision: Decision, raw: list[Finding]
    ) -> tuple[list[Finding], list[WaiverStatus]]:
        statuses = [
            WaiverStatus(
                document.path,
                document.line_of("decisions", i, "waivers", j),
                decision.name,
                w,
                expired=w.expires < self.when,
            )
            for j, w in enumerate(decision.waivers)
        ]
        out: list[Finding] = []
        for f in raw:
            status = next((s for s in statuses if s.waiver.rule == f.rule and not s.expired), None)
            if status is not None:
                status.used += 1
                out.append(replace(f, waiver=status))
                continue
            expired = next((s for s in statuses if s.waiver.rule == f.rule), None)
            if expired is not None:
                f = replace(
                    f,
                    message=f"{f.message} (the waiver by {expired.waiver.owner}"
                    f" expired on {expired.waiver.expires})",
                )
            out.append(f)
        return out, statuses


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def _row(ranking: Ranking, label: str | None) -> RankRow | None:
    if label is None:
        return None
    return next((r for r in ranking.rows if r.label == label), None)


def _license_ok(license_id: str, policy: Policy) -> bool:
    lic = policy.licenses
    if lic is None:
        return True
    if license_id in lic.deny:
        return False
    return lic.allow is None or license_id in lic.allow


def _allowed(entry: OfferEntry, policy: Policy) -> bool:
    """Whether an alternative offer meets the policy's hard constraints."""
    if not _license_ok(entry.model.license, policy):
        return False
    if policy.open_weights_required and not entry.model.open_weights:
        return False
    return policy.provider_countries is None or entry.provider.country in policy.provider_countries


def _written(raw: Any, loc: tuple[str | int, ...]) -> bool:
    """Whether a path of fields is written in the located data."""
    node = raw
    for part in loc:
        if isinstance(node, dict):
            if part not in node:
                return False
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int):
            if not 0 <= part < len(node):
                return False
            node = node[part]
        else:
            return False
    return True


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def check(catalog: Catalog, docs: Sequence[ProcurementDoc], when: dt.date) -> CheckResult:
    """Check procurement files against a catalog on a day (see the module docstring)."""
    return Checker(catalog, when).check(docs)


__all__ = [
    "DEFAULT_SEVERITY",
    "RULE_IDS",
    "RULE_TITLES",
    "CheckResult",
    "Checker",
    "DecisionResult",
    "Finding",
    "ProcurementDoc",
    "WaiverStatus",
    "check",
]
