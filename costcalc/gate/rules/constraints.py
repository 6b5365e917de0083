"""Rules about facts of the chosen model and provider: licence, open weights, country."""

from __future__ import annotations

from collections.abc import Iterator

from costcalc.gate.context import DecisionContext, license_ok
from costcalc.gate.findings import Hit
from costcalc.gate.registry import rule


@rule(
    "license-denied",
    title="The model's licence is not allowed by the policy",
    severity="deny",
    field=("model",),
    needs="offer",
    fails_when="the licence is denied, or not in `allow`",
)
def license_denied(ctx: DecisionContext) -> Iterator[Hit]:
    assert ctx.entry is not None
    model, policy = ctx.entry.model, ctx.policy
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


@rule(
    "open-weights-required",
    title="The policy requires open weights",
    severity="deny",
    field=("model",),
    needs="offer",
    fails_when="the policy requires open weights and the model has none (or the sheets do not say)",
)
def open_weights_required(ctx: DecisionContext) -> Iterator[Hit]:
    assert ctx.entry is not None
    model = ctx.entry.model
    if ctx.policy.open_weights_required and not model.open_weights:
        yield Hit(
            f"{model.id} has no published weights"
            + (" (not known: the sheets say neither)" if model.open_weights is None else "")
            + "; the policy requires open weights",
            "choose an open-weight model (`costcalc models --open-weights`)",
        )


@rule(
    "provider-country",
    title="The provider's country is not allowed by the policy",
    severity="deny",
    field=("provider",),
    needs="offer",
    fails_when="the provider's country is not allowed",
)
def provider_country(ctx: DecisionContext) -> Iterator[Hit]:
    assert ctx.entry is not None
    provider, countries = ctx.entry.provider, ctx.policy.provider_countries
    if countries is not None and provider.country not in countries:
        yield Hit(
            f"{provider.id} is based in {provider.country}; allowed: {', '.join(countries)}",
            "buy the model from a provider in an allowed country",
            {"country": provider.country},
        )
