"""The typed results of the gate: findings, waivers, decisions and the whole check.

Plain dataclasses (no pydantic, no I/O): every report format consumes a
`CheckResult`, and a rule returns `Hit`s that the checker turns into located
`Finding`s.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from costcalc.catalog import OfferEntry
    from costcalc.cost import Usage
    from costcalc.gate.diff import CostDiff
    from costcalc.schema.procurement import Waiver

Severity = Literal["deny", "warn"]
"""deny fails the gate; warn is reported only (and fails it with --fail-on-warn)."""

Loc = tuple[str | int, ...]
"""A path of fields inside a decision, e.g. ("budget", "monthly")."""


@dataclass(frozen=True)
class Hit:
    """What a rule found about one decision, before it is located, graded and waived."""

    message: str
    fix: str
    """What to change."""
    figures: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """The figures behind the finding, as display strings (exact decimals)."""
    loc: Loc | None = None
    """The field it is about, inside the decision; None: the rule's own field."""


@dataclass(frozen=True)
class Finding:
    """One rule broken by one decision, located on the YAML field it is about."""

    rule: str
    severity: Severity
    file: str | None
    line: int | None
    field: str
    """Dotted path of the field in the file, e.g. decisions[0].budget.monthly."""
    decision: str
    message: str
    fix: str
    """What to change."""
    figures: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """The figures behind the finding, as display strings (exact decimals)."""
    waiver: WaiverStatus | None = None
    """The waiver in force that waives this finding, if any."""

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def blocking(self) -> bool:
        return self.severity == "deny" and not self.waived


@dataclass
class WaiverStatus:
    """A waiver as found on the check day: in force or expired, used or not."""

    file: str
    line: int | None
    decision: str
    waiver: Waiver
    expired: bool
    used: int = 0
    """Findings it waived."""


@dataclass
class DecisionResult:
    """A decision with its figures (None where they could not be worked out)."""

    file: str
    line: int | None
    name: str
    model: str
    provider: str
    currency: str
    budget: Decimal
    monthly_cost: Decimal | None = None
    quality: Decimal | None = None
    bar: Decimal | None = None
    cheapest: str | None = None
    """The cheapest good-enough allowed offer ("model @ provider")."""
    cheapest_monthly: Decimal | None = None
    usage: Usage | None = None
    """One request (reasoning included), for re-pricing in --base diffs."""
    requests_per_month: Decimal | None = None
    entry: OfferEntry | None = None


@dataclass
class CheckResult:
    """Everything `costcalc check` found, for every report format."""

    when: dt.date
    files: list[str]
    decisions: list[DecisionResult]
    findings: list[Finding]
    waivers: list[WaiverStatus]
    diff: CostDiff | None = None
    """The cost change when a base was given (`check --base`)."""
    fail_on_warn: bool = False
    """Whether a warning fails the gate (--fail-on-warn)."""
    comparisons: int = 0
    """Comparisons actually computed (the cache's misses), for the benchmark."""

    @property
    def denied(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warn" and not f.waived]

    @property
    def waived(self) -> list[Finding]:
        return [f for f in self.findings if f.waived]

    @property
    def failed(self) -> bool:
        """Whether the gate fails: a deny not waived, or (with fail_on_warn) a warning."""
        return bool(self.denied) or (self.fail_on_warn and bool(self.warnings))

    @property
    def status(self) -> str:
        return "failed" if self.failed else "passed"

    @property
    def exit_code(self) -> int:
        """0 passed, 1 failed (2, invalid input, is an InputError raised before any result)."""
        return 1 if self.failed else 0

    def blocks(self, finding: Finding) -> bool:
        """Whether this finding fails the gate."""
        return finding.blocking or (
            self.fail_on_warn and finding.severity == "warn" and not finding.waived
        )


__all__ = [
    "CheckResult",
    "DecisionResult",
    "Finding",
    "Hit",
    "Loc",
    "Severity",
    "WaiverStatus",
]
