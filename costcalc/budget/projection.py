"""A workload priced on every candidate offer: API and self-host rows, ranked, with the verdict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from costcalc.budget.rows import OfferBudget, offer_budget
from costcalc.budget.selfhost import SelfHostBudget, selfhost_budget
from costcalc.catalog import Catalog, OfferEntry
from costcalc.errors import InputError, NoPriceError
from costcalc.schema.workload import Workload
from costcalc.selfhost import selfhost_entries

if TYPE_CHECKING:
    from costcalc.rank import Ranking, RankRow

ZERO = Decimal(0)
ONE = Decimal(1)

Row = OfferBudget | SelfHostBudget


@dataclass(frozen=True)
class BudgetResult:
    """A workload priced on every candidate offer, with the verdict."""

    workload: Workload
    when: dt.date
    currency: str
    budget: Decimal | None
    tier: str | None
    offers: tuple[OfferBudget, ...]
    """API offers, cheapest month 1 first."""
    selfhost: tuple[SelfHostBudget, ...]
    notes: tuple[str, ...] = ()
    """Offers left out, and why."""
    ranked: bool = False
    """Whether good_enough comes from a ranking (`ranked`)."""
    bar: Decimal | None = None

    @cached_property
    def verdict(self) -> str:
        """The answer in plain words (costcalc.budget.verdict)."""
        from costcalc.budget.verdict import verdict

        return verdict(self)

    @cached_property
    def rows(self) -> tuple[Row, ...]:
        """API and self-host rows together, cheapest month 1 first."""
        rows: list[Row] = [*self.offers, *self.selfhost]
        return tuple(sorted(rows, key=lambda r: (r.monthly_cost, r.kind, r.label)))

    def _eligible(self) -> list[Row]:
        """Rows good enough (or unranked), within the budget and not rate-limited, cheapest
        first; self-host rows only where they beat the API."""
        out = []
        for row in self.rows:
            if self.ranked and row.good_enough is not True:
                continue
            if row.fits_budget is False or row.rate_limited:
                continue
            if isinstance(row, SelfHostBudget) and row.cheaper_than_api is False:
                continue
            out.append(row)
        return out

    @cached_property
    def choice(self) -> Row | None:
        """The cheapest eligible row that is known to carry the load (published rate limits
        that fit, or a self-host plan sized for it); an offer whose limits are unverified
        never beats one whose limits are known. With no such row, the cheapest eligible
        row (its limits unverified: `choice_verified` is False)."""
        eligible = self._eligible()
        from costcalc.budget.verdict import carries_load

        verified = [r for r in eligible if carries_load(r)]
        pool = verified or eligible
        return pool[0] if pool else None

    @property
    def choice_verified(self) -> bool:
        choice = self.choice
        from costcalc.budget.verdict import carries_load

        return choice is not None and carries_load(choice)


def monthly_costs(
    catalog: Catalog,
    workload: Workload,
    *,
    when: dt.date,
    currency: str,
    budget: Decimal | None = None,
    tier: str | None = None,
    offers: Sequence[OfferEntry] | None = None,
    models: Collection[str] | None = None,
    selfhost: bool = True,
    utilisation: Decimal | None = None,
) -> BudgetResult:
    """Price the workload on every offer (or `offers`) and the self-host options of their models.

    `models` limits the self-host rows (default: the models of the offers, plus
    every self-hostable model when `offers` is None). Offers with no price in
    force on the day are left out with a note.
    """
    if budget is not None and (not budget.is_finite() or budget < 0):
        raise InputError(f"budget must be a number >= 0, got {budget}")
    if utilisation is not None and not (utilisation.is_finite() and ZERO < utilisation <= ONE):
        raise InputError(f"utilisation must be in (0, 1], got {utilisation}")
    candidates = list(catalog.offers if offers is None else offers)
    rows: list[OfferBudget] = []
    notes: list[str] = []
    for entry in candidates:
        try:
            rows.append(
                offer_budget(
                    entry,
                    workload,
                    when=when,
                    currency=currency,
                    fx=catalog.fx,
                    budget=budget,
                    tier=tier,
                )
            )
        except NoPriceError as exc:
            notes.append(f"not priced: {exc.problems[0].message}")
    rows.sort(key=lambda r: (r.monthly_cost, r.label))
    hosted: list[SelfHostBudget] = []
    if selfhost:
        wanted = set(models) if models is not None else {e.model.id for e in candidates}
        for sh in selfhost_entries(catalog):
            model_id = sh.option.model
            if models is None and offers is not None and model_id not in wanted:
                continue
            if models is not None and model_id not in wanted:
                continue
            api = next((r for r in rows if r.model == model_id), None)
            try:
                row = selfhost_budget(
                    sh,
                    workload,
                    catalog.models[model_id],
                    when=when,
                    currency=currency,
                    fx=catalog.fx,
                    budget=budget,
                    api=api,
                    utilisation=utilisation,
                )
            except NoPriceError as exc:
                notes.append(f"not priced: {sh.label}: {exc.problems[0].message}")
                continue
            if row is None:
                dates = ", ".join(str(p.as_of) for p, _ in sh.prices)
                notes.append(
                    f"not priced: {sh.label}: no GPU price {sh.option.gpu_price!r} in force on"
                    f" {when} (dated {dates}); try --as-of"
                )
                continue
            hosted.append(row)
        hosted.sort(key=lambda r: (r.monthly_cost, r.label))
    return BudgetResult(
        workload, when, currency, budget, tier, tuple(rows), tuple(hosted), tuple(notes)
    )


def ranked(result: BudgetResult, ranking: Ranking) -> BudgetResult:
    """The result with each row marked good enough / recommended from a compare ranking.

    Quality belongs to the model, so a self-host row takes the model's: it is good
    enough when an offer of the same model is. Rows of unscored models stay None.
    When nothing could be ranked (no model scored), the result is left unranked.
    """
    notes = list(result.notes)
    unscored = sorted(ranking.unscored)
    if unscored:
        notes.append("not scored on the profile (no quality): " + ", ".join(unscored))
    if not ranking.rows:
        notes.append("no offer could be ranked: every priced offer is shown")
        return replace(result, notes=tuple(notes))
    by_key = {(r.model, r.provider): r for r in ranking.rows}
    by_model: dict[str, RankRow] = {}
    for r in ranking.rows:
        by_model.setdefault(r.model, r)
    offers = []
    for row in result.offers:
        found = by_key.get((row.model, row.provider))
        if found is not None:
            row = replace(
                row,
                good_enough=found.good_enough,
                recommended=found.recommended,
                quality=found.quality.value,
            )
        offers.append(row)
    hosted = []
    for sh in result.selfhost:
        found = by_model.get(sh.model)
        if found is not None:
            sh = replace(sh, good_enough=found.good_enough, quality=found.quality.value)
        hosted.append(sh)
    return replace(
        result,
        offers=tuple(offers),
        selfhost=tuple(hosted),
        notes=tuple(notes),
        ranked=True,
        bar=ranking.bar,
    )
