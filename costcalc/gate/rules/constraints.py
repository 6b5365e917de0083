"""Rules about facts of the chosen model and provider: licence, open weights, country.

Each is a deny rule on the chosen offer alone: a pure function of the offer and
the policy, declared with `_offer_fact`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from costcalc.gate.context import DecisionContext, license_ok
from costcalc.gate.findings import Hit, Loc
from costcalc.gate.registry import CheckFn, rule

if TYPE_CHECKING:
    from costcalc.catalog import OfferEntry
    from costcalc.schema.procurement import Policy

FactCheck = Callable[["OfferEntry", "Policy"], Iterator[Hit]]


def _offer_fact(
    rule_id: str, *, title: str, field: Loc, fails_when: str
) -> Callable[[FactCheck], CheckFn]:
    """Declare a deny rule that runs when the chosen offer is known, on that offer and the
    decision's policy."""

    def decorate(check: FactCheck) -> CheckFn:
        @functools.wraps(check)
        def run(ctx: DecisionContext) -> Iterator[Hit]:
            assert ctx.entry is not None  # needs="offer"
            return check(ctx.entry, ctx.policy)

        declare = rule(
            rule_id, title=title, severity="deny", field=field, needs="offer", fails_when=fails_when
        )
        return declare(run)

    return decorate


@_offer_fact(
    "license-denied",
    title="The model's licence is not allowed by the policy",
    field=("model",),
    fails_when="the licence is denied, or not in `allow`",
)
def license_denied(entry: OfferEntry, policy: Policy) -> Iterator[Hit]:
    model = entry.model
    if license_ok(model.license, policy):
        return
    allowed = policy.licenses.allow if policy.licenses else None
    denied = policy.licenses is not None and model.license in policy.licenses.deny
    yield Hit(
        f"{model.id} is under licence {model.license!r}, which the policy "
        + ("denies" if denied else "does not allow"),
        "choose a model under an allowed licence"
        + (f" ({', '.join(allowed)})" if allowed else "")
        + ", or waive license-denied with a reason",
        {"license": model.license, "note": model.license_note or ""},
    )


@_offer_fact(
    "open-weights-required",
    title="The policy requires open weights",
    field=("model",),
    fails_when="the policy requires open weights and the model has none (or the sheets do not say)",
)
def open_weights_required(entry: OfferEntry, policy: Policy) -> Iterator[Hit]:
    model = entry.model
    if policy.open_weights_required and not model.open_weights:
        yield Hit(
            f"{model.id} has no published weights"
            + (" (not known: the sheets say neither)" if model.open_weights is None else "")
            + "; the policy requires open weights",
            "choose an open-weight model (`costcalc models --open-weights`)",
        )


@_offer_fact(
    "provider-country",
    title="The provider's country is not allowed by the policy",
    field=("provider",),
    fails_when="the provider's country is not allowed",
)
def provider_country(entry: OfferEntry, policy: Policy) -> Iterator[Hit]:
    provider, countries = entry.provider, policy.provider_countries
    if countries is not None and provider.country not in countries:
        yield Hit(
            f"{provider.id} is based in {provider.country}; allowed: {', '.join(countries)}",
            "buy the model from a provider in an allowed country",
            {"country": provider.country},
        )
