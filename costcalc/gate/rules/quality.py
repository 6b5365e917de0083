"""Rules about the chosen model's quality: the bar, and the freshness of the scores behind it."""

from __future__ import annotations

from collections.abc import Iterator

from costcalc.gate.context import DEFAULT_MAX_SCORE_AGE_DAYS, DecisionContext
from costcalc.gate.findings import Hit
from costcalc.gate.registry import rule
from costcalc.gate.rules._fmt import q, s


@rule(
    "below-quality-bar",
    title="The chosen model's quality does not reach the bar",
    severity="deny",
    field=("quality", "min"),
    needs="priced",
    fails_when="the top of the quality band is below the bar, or too few scores to tell",
)
def below_quality_bar(ctx: DecisionContext) -> Iterator[Hit]:
    bar = ctx.decision.quality
    if bar is None:
        return
    assert ctx.entry is not None
    model_id, profile = ctx.entry.model.id, bar.profile
    quality = ctx.quality
    if not ctx.covered:
        needed = ctx.session.weighting(profile).min_coverage
        cover = f"{quality.coverage:.0%}" if quality else "0%"
        yield Hit(
            f"{model_id} cannot be shown to reach the bar {q(bar.min)}: its scores cover {cover}"
            f" of profile {profile!r} (at least {needed:.0%} needed)",
            "add published scores for the model, choose a scored model, or waive below-quality-bar",
            {"coverage": cover, "bar": s(bar.min)},
        )
        return
    assert quality is not None
    if quality.high < bar.min:
        yield Hit(
            f"{model_id} scores {q(quality.value)} on {profile!r}"
            f" (95% band {q(quality.low)}-{q(quality.high)}), below the bar {q(bar.min)}",
            "choose a model whose quality reaches the bar (`costcalc compare`),"
            " or lower quality.min",
            {"quality": q(quality.value), "band_high": q(quality.high), "bar": s(bar.min)},
        )


@rule(
    "stale-score",
    title="A benchmark score used is older than the policy allows, or undated",
    severity="warn",
    field=("quality", "profile"),
    needs="quality",
    fails_when="a score used is undated or older than `max_score_age_days` (default"
    f" {DEFAULT_MAX_SCORE_AGE_DAYS})",
)
def stale_score(ctx: DecisionContext) -> Iterator[Hit]:
    quality, bar = ctx.quality, ctx.decision.quality
    assert quality is not None and bar is not None and ctx.entry is not None
    limit = ctx.policy.max_score_age_days
    if limit is None:
        limit = DEFAULT_MAX_SCORE_AGE_DAYS
    stale = []
    for part in quality.parts:
        if part.entry is None:  # a predicted score (no published one) has no date
            continue
        as_of = part.entry.score.as_of
        if as_of is None or (ctx.when - as_of).days > limit:
            stale.append((part.benchmark, as_of, part.entry.origin))
    if stale:
        shown = "; ".join(f"{b} ({d or 'undated'}, {o})" for b, d, o in stale[:5])
        more = f" and {len(stale) - 5} more" if len(stale) > 5 else ""
        yield Hit(
            f"{len(stale)} score(s) of {ctx.entry.model.id} used on {bar.profile!r}"
            f" are undated or older than {limit} days: {shown}{more}",
            "add dated, recent scores to the scores sheet, or raise policy.max_score_age_days",
            {"stale": str(len(stale)), "max_days": str(limit)},
        )
