"""The benchmark scores in force: one merge rule for the score sheets of every loaded layer.

Every command that reads scores (compare, check, budget, `validate` and its
`--max-age`) takes them from here, so they all see the same score for a model
and benchmark. The rule:

- a later layer's score for a model and benchmark replaces an earlier layer's
  (layers: the bundled catalog, then each `--pricing` folder, in order);
- inside one layer, a curated sheet's score (`role: curated`, the default) beats
  a feed sheet's (`role: feed`), and a feed score whose pair a curated sheet of
  the same layer lists under `rejected` is dropped;
- two curated scores, or two feed scores, for the same pair in one layer are a
  problem naming both places (the first one is kept).

Whether a score names a known model and benchmark is not checked here: callers
that need it (the quality index) screen the scores; the age of a score can be
judged without its benchmark's definition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from costcalc.catalog import Catalog, Origin
from costcalc.errors import Problem
from costcalc.records import Score, ScoreSheet

if TYPE_CHECKING:
    from costcalc.loader import Document


@dataclass(frozen=True, slots=True, init=False)
class ScoreEntry:
    """A score with where it is written (`ScoreEntry(score, origin)`).

    The file and line are kept, not the Origin: a large catalog has one entry per score
    (300,000 at 100,000 offers), and `origin` makes the Origin when it is asked for."""

    score: Score
    file: str
    line: int | None

    def __init__(self, score: Score, origin: Origin) -> None:
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "file", origin.file)
        object.__setattr__(self, "line", origin.line)

    @property
    def origin(self) -> Origin:
        return Origin(self.file, self.line)

    @classmethod
    def at(cls, score: Score, file: str, line: int | None) -> ScoreEntry:
        """`ScoreEntry(score, Origin(file, line))` without the Origin."""
        entry = cls.__new__(cls)
        _set = object.__setattr__
        _set(entry, "score", score)
        _set(entry, "file", file)
        _set(entry, "line", line)
        return entry


@dataclass(frozen=True)
class ScoresInForce:
    """The merged scores of a catalog, with the problems found merging them."""

    scores: dict[str, dict[str, ScoreEntry]] = field(default_factory=dict)
    """model id -> benchmark id -> the score in force."""
    problems: tuple[Problem, ...] = ()
    """In document order: the screen's problems and the duplicate scores in a layer."""

    def entries(self) -> Iterator[ScoreEntry]:
        """Every score in force, by model then benchmark."""
        for model in sorted(self.scores):
            by_benchmark = self.scores[model]
            for bid in sorted(by_benchmark):
                yield by_benchmark[bid]


def scores_in_force(
    catalog: Catalog,
    screen: Callable[[Document, int, Score], Problem | None] | None = None,
) -> ScoresInForce:
    """The score in force for each model and benchmark of `catalog` (see the module docstring).

    `screen(document, i, score)`, when given, is asked about each score in document
    order; a score it returns a problem for takes no part in the merge, and the
    problem is reported in its place among the duplicate-score problems.
    """
    layers = catalog.document_layers or [0] * len(catalog.documents)
    problems: list[Problem] = []
    # Per layer, per role: (model, benchmark) -> the first score given for it.
    per_layer: dict[int, dict[str, dict[tuple[str, str], ScoreEntry]]] = {}
    # Per layer: the (model, benchmark) pairs whose feed score a curated sheet rejects.
    rejected: dict[int, set[tuple[str, str]]] = {}
    for doc, layer in zip(catalog.documents, layers, strict=True):
        if doc.kind != "scores":
            continue  # other documents' models are not needed (nor decoded from the cache)
        sheet = doc.model
        if not isinstance(sheet, ScoreSheet):
            continue
        same_role = per_layer.setdefault(layer, {}).setdefault(sheet.role, {})
        rejected.setdefault(layer, set()).update((r.model, r.benchmark) for r in sheet.rejected)
        for i, score in enumerate(sheet.scores):
            if screen is not None and (problem := screen(doc, i, score)) is not None:
                problems.append(problem)
                continue
            line = doc.line_of("scores", i)
            pair = (score.model, score.benchmark)
            if pair in same_role:
                problems.append(
                    Problem(
                        f"a second {sheet.role} score for {score.model} on {score.benchmark} in"
                        f" this layer (the other is at {same_role[pair].origin}); keep one, move"
                        " the other to `alternatives`",
                        doc.path,
                        line,
                        f"scores[{i}]",
                    )
                )
                continue
            same_role[pair] = ScoreEntry.at(score, doc.path, line)
    scores: dict[str, dict[str, ScoreEntry]] = {}
    # Layers in order, a later one replacing an earlier one; inside a layer curated beats feed.
    for layer in sorted(per_layer):
        roles = per_layer[layer]
        dropped = rejected.get(layer, set())
        feed = {k: v for k, v in roles.get("feed", {}).items() if k not in dropped}
        merged = {**feed, **roles.get("curated", {})}
        for (model, bid), entry in sorted(merged.items()):
            scores.setdefault(model, {})[bid] = entry
    return ScoresInForce(scores, tuple(problems))
