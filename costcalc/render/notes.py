"""Notes for people that several renderers share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from costcalc.workload import HiddenTokens

PRICE_AGE_DAYS = 180
"""A price whose period began longer ago than this is called old on screen."""


def price_age_note(
    priced: Iterable[tuple[str, dt.date]], when: dt.date, limit: int = PRICE_AGE_DAYS
) -> str | None:
    """How old the shown prices are: '3 of 15 prices took effect over 180 days before
    2026-11-30 (oldest: o1 @ openai, 2024-12-17)'. `priced` is (label, price as_of) per row.
    None when no price is that old (the table's dates are then all recent)."""
    rows = list(priced)
    old = sorted((as_of, label) for label, as_of in rows if (when - as_of).days > limit)
    if not old:
        return None
    as_of, label = old[0]
    return (
        f"{len(old)} of {len(rows)} prices took effect over {limit} days before {when}"
        f" (oldest: {label}, {as_of}); check them with `costcalc validate --max-age {limit}d`"
    )


HIDDEN_LINES = 2
"""More models billed from the sheets than this: their figures share one line (the JSON
has every row's figure and source)."""


def hidden_tokens_notes(hidden: Iterable[HiddenTokens]) -> list[str]:
    """Say which hidden reasoning tokens a table's costs include: one line per model billed
    (its figure and where the figure comes from), and one naming the thinking models whose
    hidden tokens are unknown and billed as 0. Nothing for models with no hidden tokens."""
    from costcalc.money import decimal_str, fmt_tokens

    by_model = {h.model: h for h in hidden}
    lines = []
    for model, h in sorted(by_model.items()):
        if h.basis == "override":
            why = "your figure, --reasoning-tokens"
        elif h.basis == "sheet":
            parts = []
            if h.output_multiple is not None:
                parts.append(f"{decimal_str(h.output_multiple)} × the visible output")
            parts.append(f"source: {h.source}" + (f", {h.as_of}" if h.as_of else ""))
            why = "; ".join(parts)
        else:
            continue
        lines.append(
            f"hidden reasoning tokens billed: {model} {fmt_tokens(h.tokens)} per request ({why})"
        )
    sheet = sorted((m, h) for m, h in by_model.items() if h.basis == "sheet")
    if len(sheet) > HIDDEN_LINES:
        # Many sourced figures: one line of figures; the sources are in --format json.
        figures = ", ".join(
            f"{m} {fmt_tokens(h.tokens)}"
            + (f" ({decimal_str(h.output_multiple)} × output)" if h.output_multiple else "")
            for m, h in sheet
        )
        lines = [line for line in lines if "--reasoning-tokens)" in line]
        lines.append(
            f"hidden reasoning tokens billed per request: {figures} (sourced figures;"
            " --format json gives each row's hidden_tokens_source and date)"
        )
    unknown = sorted(m for m, h in by_model.items() if h.basis == "unknown")
    if unknown:
        lines.append(
            "hidden reasoning tokens unknown, billed as 0: "
            + ", ".join(unknown)
            + " (thinking models with no sourced figure; --reasoning-tokens N"
            " --reasoning-model MODEL bills your own)"
        )
    return lines
