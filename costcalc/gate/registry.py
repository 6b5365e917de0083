"""The one registry of the gate's rules: each rule is declared once, here or in a rule module.

A rule is an id, a title, a default severity, the field of the decision it
points at, what makes it fail (for the docs) and a check function that returns
`Hit`s. Everything else comes from this registry: the checker runs the rules in
registration order, the SARIF rule list and the README's rule table are built
from it, and the procurement schema accepts exactly its ids in `rules:`
(severity overrides) and in waivers.

Adding a rule is one decorated function in one module:

    @rule("my-rule", title="...", severity="warn", field=("model",), fails_when="...")
    def my_rule(ctx: DecisionContext) -> Iterator[Hit]:
        if ...:
            yield Hit("what is wrong", "what to change", {"figure": "1"})

`needs` skips the rule when the decision lacks a fact: "offer" (the chosen offer
is in the catalog with a current price), "priced" (a month of the workload was
priced in the budget's currency), "quality" (the decision has a quality bar and
the chosen model's scores cover its profile).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from costcalc.gate.findings import Hit, Loc, Severity

if TYPE_CHECKING:
    from costcalc.gate.context import DecisionContext

Need = Literal["offer", "priced", "quality"]
CheckFn = Callable[["DecisionContext"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A rule of the gate, declared once."""

    id: str
    """Stable id (kebab-case): SARIF rule id, `rules:` key, waiver `rule`."""
    title: str
    """One line: SARIF shortDescription."""
    severity: Severity
    """Default severity; a file's `rules:` may override it (deny, warn, off)."""
    field: Loc | None
    """The decision's field its findings point at (None: the decision itself)."""
    fails_when: str
    """When it fails, for the README's table."""
    check: CheckFn | None = None
    """Findings of one decision (None: applied outside the per-decision pass, e.g. the diff)."""
    needs: Need | None = None
    other_fields: tuple[Loc, ...] = ()
    """Other fields some of its findings point at (docs only)."""
    configurable: bool = True
    """Whether a file's `rules:` and waivers may name it."""

    @property
    def name(self) -> str:
        """PascalCase name (SARIF `name`)."""
        return "".join(part.capitalize() for part in self.id.split("-"))

    @property
    def fields(self) -> list[str]:
        """The dotted fields it points at (empty: the decision itself)."""
        if self.field is None:
            return []
        return [_dotted(loc) for loc in (self.field, *self.other_fields)]

    @property
    def points_at(self) -> str:
        """The field(s) it points at, as the docs show them."""
        if self.field is None:
            return "the decision"
        return " / ".join(f"`{_dotted(loc)}`" for loc in (self.field, *self.other_fields))


_RULES: dict[str, Rule] = {}
_BUILTINS_LOADED = False


def _load_builtins() -> None:
    global _BUILTINS_LOADED
    if not _BUILTINS_LOADED:
        _BUILTINS_LOADED = True
        import costcalc.gate.rules  # noqa: F401  (registers the built-in rules)


def register(new: Rule) -> Rule:
    """Add a rule; its id must be new. Built-in rules come first whoever registers first."""
    if not getattr(new.check, "__module__", "").startswith("costcalc.gate.rules"):
        _load_builtins()
    if new.id in _RULES:
        raise ValueError(f"rule {new.id!r} is already registered")
    _RULES[new.id] = new
    _IDS.clear()
    return new


def unregister(rule_id: str) -> None:
    """Remove a rule (tests register throw-away rules)."""
    _RULES.pop(rule_id, None)
    _IDS.clear()


def rule(
    rule_id: str,
    *,
    title: str,
    severity: Severity,
    field: Loc | None,
    fails_when: str,
    needs: Need | None = None,
    other_fields: tuple[Loc, ...] = (),
) -> Callable[[CheckFn], CheckFn]:
    """Declare a rule by decorating its check function."""

    def decorate(check: CheckFn) -> CheckFn:
        register(Rule(rule_id, title, severity, field, fails_when, check, needs, other_fields))
        return check

    return decorate


def rules() -> list[Rule]:
    """Every rule, in registration order (the built-in ones first)."""
    _load_builtins()
    return list(_RULES.values())


def get(rule_id: str) -> Rule:
    _load_builtins()
    return _RULES[rule_id]


_IDS: dict[bool, tuple[str, ...]] = {}
"""rule_ids() by `configurable_only`, until a rule is registered or removed (validating
a procurement file asks for them once per waiver and override)."""


def rule_ids(configurable_only: bool = False) -> tuple[str, ...]:
    """Every rule id (or those a file may override or waive)."""
    found = _IDS.get(configurable_only)
    if found is None:
        every = rules()
        found = tuple(r.id for r in every if r.configurable or not configurable_only)
        _IDS[configurable_only] = found
    return found


def default_severities() -> dict[str, Severity]:
    return {r.id: r.severity for r in rules()}


def docs_table() -> str:
    """The README's rule table (Markdown), generated from the registry."""
    lines = [
        "| rule | default | line it points at | fails when |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| `{r.id}` | {r.severity} | {r.points_at} | {r.fails_when} |" for r in rules()]
    return "\n".join(lines) + "\n"


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


__all__ = [
    "Rule",
    "default_severities",
    "docs_table",
    "get",
    "register",
    "rule",
    "rule_ids",
    "rules",
    "unregister",
]
