"""Rules about the chosen offer itself: it must exist and have a price in force."""

from __future__ import annotations

from collections.abc import Iterator

from costcalc.errors import InputError
from costcalc.gate.context import DecisionContext
from costcalc.gate.findings import Hit
from costcalc.gate.registry import rule


@rule(
    "unknown-model",
    title="The chosen model or provider is not in the catalog, or cannot be priced in the"
    " budget's currency",
    severity="deny",
    field=("model",),
    other_fields=(("provider",), ("budget", "currency")),
    fails_when='the model or provider is unknown (with "did you mean"), the provider does not'
    " offer it, or its price cannot be converted to the budget's currency",
)
def unknown_model(ctx: DecisionContext) -> Iterator[Hit]:
    yield from _unresolved(ctx, "unknown-model")
    pricing = ctx.pricing
    if ctx.entry is not None and isinstance(pricing, InputError):
        yield Hit(
            f"{ctx.entry.label} cannot be priced in {ctx.currency}: {pricing.problems[0].message}",
            "add an exchange rate to the FX table, or budget in the provider's currency",
            loc=("budget", "currency"),
        )


@rule(
    "no-current-price",
    title="The chosen offer has no price in force on the check day (expired or not yet valid)",
    severity="deny",
    field=("provider",),
    fails_when="the offer exists but none of its price periods is in force on the check day",
)
def no_current_price(ctx: DecisionContext) -> Iterator[Hit]:
    yield from _unresolved(ctx, "no-current-price")


def _unresolved(ctx: DecisionContext, rule_id: str) -> Iterator[Hit]:
    """The finding of resolving the chosen offer, when it failed under this rule."""
    found = ctx.unresolved
    if found is not None and found.rule == rule_id:
        yield found.hit
