"""The layers' merge rule for the sheets' id-keyed sections, written once.

Benchmarks, profiles, self-host options and GPU prices are merged the way the
catalog merges models and providers: a later layer's item with the same key
replaces the earlier layer's; inside one layer a key may be given once, and a
second one is a problem naming both places (the first is kept). Scores
(`costcalc.scores_in_force`) add roles to this rule, and offers join their
price periods (`costcalc.catalog`); what is in force on a day is
`costcalc.dated`'s rule.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from costcalc.catalog import Origin
from costcalc.errors import Problem

if TYPE_CHECKING:
    from costcalc.catalog import Catalog

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Placed(Generic[T]):
    """An item of a sheet with where it is written."""

    item: T
    origin: Origin
    field: str
    """Its place in the document, e.g. `options[2]`."""
    lines: Callable[[str], int | None]
    """The line of one of its fields (for problems pointing inside the item)."""


@dataclass(frozen=True, slots=True)
class Merged(Generic[K, T]):
    items: dict[K, Placed[T]]
    """key -> the item in force after the merge, in the order keys were first given."""
    problems: tuple[Problem, ...]


def merge_section(
    catalog: Catalog,
    kind: str,
    section: str,
    key: Callable[[T], K],
    describe: Callable[[K], str],
) -> Merged[K, T]:
    """Merge `section` of every `kind` document of the catalog's layers (see the module doc).

    `describe(key)` names a duplicate in a problem, e.g. "benchmark 'aime-2024'".
    """
    layers = catalog.document_layers or [0] * len(catalog.documents)
    items: dict[K, Placed[T]] = {}
    problems: list[Problem] = []
    seen: dict[K, tuple[int, Origin]] = {}
    for doc, layer in zip(catalog.documents, layers, strict=True):
        if doc.kind != kind:
            continue
        values: Any = getattr(doc.model, section, ())
        for i, value in enumerate(values):
            origin = Origin(doc.path, doc.line_of(section, i))
            k = key(value)
            before = seen.get(k)
            if before is not None and before[0] == layer:
                problems.append(
                    Problem(
                        f"a second {describe(k)} in this layer (the other is at {before[1]})",
                        doc.path,
                        origin.line,
                        f"{section}[{i}]",
                    )
                )
                continue
            seen[k] = (layer, origin)
            items[k] = Placed(value, origin, f"{section}[{i}]", _lines(doc, section, i))
    return Merged(items, tuple(problems))


def _lines(doc: Any, section: str, i: int) -> Callable[[str], int | None]:
    return lambda name: doc.line_of(section, i, name)
