"""Scores cross-checked against llm-stats: every disagreement is explained, none is stale."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from costcalc.loader import load_document
from costcalc.schema.crosscheck import KnownDifferences
from helpers import REPO

PRICING = REPO / "pricing"
# Every curated scores sheet: a score added to any of them is checked against llm-stats.
CURATED = ("scores.yaml", "scores-cn.yaml", "scores-west.yaml")


def _sheet(name: str) -> list[Any]:
    doc = load_document(PRICING / name, ("scores",))
    return list(doc.model.scores)


def _known() -> KnownDifferences:
    doc = load_document(PRICING / "known-differences.yaml", ("known-differences",))
    assert isinstance(doc.model, KnownDifferences)
    return doc.model


def compare(
    curated: list[Any] | None = None,
) -> tuple[int, int, list[tuple[str, str, Decimal, Decimal]]]:
    """(checked, agreeing, disagreements) of the curated scores (all CURATED sheets unless given)
    against llm-stats.

    A curated score agrees when llm-stats' figure for the same model and benchmark, or one of
    its alternatives, is the same number (exactly: 79.8 == 79.80).
    """
    feed = {(s.model, s.benchmark): s for s in _sheet("scores-llm-stats.yaml")}
    checked = agreeing = 0
    differ: list[tuple[str, str, Decimal, Decimal]] = []
    mine = [s for name in CURATED for s in _sheet(name)] if curated is None else curated
    for score in mine:
        theirs = feed.get((score.model, score.benchmark))
        if theirs is None:
            continue
        checked += 1
        figures = [theirs.score, *(a.score for a in theirs.alternatives)]
        if score.score in figures:
            agreeing += 1
        else:
            differ.append((score.model, score.benchmark, score.score, theirs.score))
    return checked, agreeing, differ


def test_every_disagreement_with_llm_stats_is_explained() -> None:
    """No curated score differs from llm-stats unless known-differences.yaml explains it
    (same model, benchmark, both figures); no listed difference is stale."""
    checked, agreeing, differ = compare()
    listed = {(d.model, d.benchmark): (d.ours, d.theirs) for d in _known().scores}
    unexplained = [
        f"{m} {b}: ours {o}, llm-stats {t}" for m, b, o, t in differ if listed.get((m, b)) != (o, t)
    ]
    assert not unexplained, (
        "add to pricing/known-differences.yaml (scores) with reason and source:\n"
        + "\n".join(unexplained)
    )
    found = {(m, b) for m, b, _, _ in differ}
    stale = sorted(set(listed) - found)
    assert not stale, f"listed but no longer different: {stale}"
    # The 2026-11 review: 100 curated scores have an llm-stats figure, 84 agree, 16 differ and
    # are explained. Curated scores added later raise the count; it must not collapse.
    assert checked >= 100 and agreeing >= 84
    print(
        f"scores cross-checked with llm-stats: {checked}, agreeing {agreeing},"
        f" explained {len(differ)}"
    )


def test_rejected_feed_figures_are_in_the_feed() -> None:
    """Every feed figure the curated sheet rejects is in the feed sheet with that score, so a
    refresh that changes it is noticed."""
    doc = load_document(PRICING / "scores.yaml", ("scores",))
    feed = {(s.model, s.benchmark): s.score for s in _sheet("scores-llm-stats.yaml")}
    for rej in doc.model.rejected:
        assert (rej.model, rej.benchmark) in feed, rej
        assert rej.score is None or rej.score == feed[(rej.model, rej.benchmark)], rej


def test_known_differences_file_is_valid_and_explains_each_entry() -> None:
    """Every entry has a reason and a source, and the file names its schema."""
    text = (PRICING / "known-differences.yaml").read_text(encoding="utf-8")
    assert text.startswith(
        "# yaml-language-server: $schema=schemas/known-differences.schema.json\n"
    )
    known = _known()
    assert known.scores
    for d in known.scores:
        assert d.ours != d.theirs and len(d.reason) > 20 and d.source


def test_an_unexplained_disagreement_fails() -> None:
    """A curated score one point off llm-stats (gpt-4.1 SWE-bench Verified 54.6 -> 55.6) shows
    up as a new disagreement, so the check can fail."""
    curated = _sheet("scores.yaml")
    target = next(
        i
        for i, s in enumerate(curated)
        if (s.model, s.benchmark) == ("gpt-4.1", "swe-bench-verified")
    )
    assert curated[target].score == Decimal("54.6")
    curated[target] = curated[target].model_copy(update={"score": Decimal("55.6")})
    _, _, differ = compare(curated)
    assert ("gpt-4.1", "swe-bench-verified", Decimal("55.6"), Decimal("54.6")) in differ
