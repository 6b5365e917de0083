"""The `--base` diff: each decision's monthly cost before and after a change, and guardrails.

Decisions are matched by (file path relative to its checked root, decision
name). Both sides are priced by the same session (same catalog, day and
currency), so the change is due to the procurement files alone.

A decision that is present on a side but cannot be priced there (an unknown
model, no current price, no exchange rate) has an unknown change: it is shown
as `unpriced`, left out of the totals and of the guardrails (its own findings
already say why), never counted as a saving or an increase.

Guardrails on an increase — absolute (money per month) and percent — apply to
each decision; the total is checked on its own only when no decision is over
the limit (several small increases), so one decision over the limit is one
`cost-increase` denial, not two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from costcalc.gate.context import Session
from costcalc.gate.findings import DecisionResult, Finding
from costcalc.gate.registry import get

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class DiffRow:
    """One decision's monthly cost before and after (None: absent or not priced on that side)."""

    key: str
    """relative/path.yaml#decision-name"""
    before: Decimal | None
    after: Decimal | None
    file: str | None
    line: int | None
    in_base: bool = True
    """Whether the decision is in the base."""
    in_new: bool = True
    """Whether the decision is in the checked files."""

    @property
    def priced(self) -> bool:
        """Whether each side the decision is on could be priced (so the change is known)."""
        return (not self.in_base or self.before is not None) and (
            not self.in_new or self.after is not None
        )

    @property
    def change(self) -> Decimal | None:
        if not self.priced:
            return None
        return (self.after or Decimal(0)) - (self.before or Decimal(0))

    @property
    def percent(self) -> Decimal | None:
        change = self.change
        if change is None or not self.before:
            return None
        return change / self.before * HUNDRED

    @property
    def status(self) -> str:
        if not self.priced:
            return "unpriced"
        if not self.in_base:
            return "added"
        if not self.in_new:
            return "removed"
        return "changed" if self.change else "unchanged"


@dataclass
class CostDiff:
    """The cost change of every decision, and the total over those priced on both sides."""

    currency: str
    rows: list[DiffRow]
    max_increase: Decimal | None = None
    max_increase_pct: Decimal | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def priced_rows(self) -> list[DiffRow]:
        return [r for r in self.rows if r.priced]

    @property
    def unpriced(self) -> int:
        """Decisions left out of the totals (not priced on a side they are on)."""
        return len(self.rows) - len(self.priced_rows)

    @property
    def before(self) -> Decimal:
        return sum((r.before or Decimal(0) for r in self.priced_rows), Decimal(0))

    @property
    def after(self) -> Decimal:
        return sum((r.after or Decimal(0) for r in self.priced_rows), Decimal(0))

    @property
    def change(self) -> Decimal:
        return self.after - self.before

    @property
    def percent(self) -> Decimal | None:
        return self.change / self.before * HUNDRED if self.before else None


def decision_key(result: DecisionResult, root: Path) -> str:
    """relative/path#name: the identity of a decision across the two sides."""
    path = Path(result.file)
    try:
        rel = path.relative_to(root) if root.is_dir() else Path(path.name)
    except ValueError:
        rel = path
    return f"{rel.as_posix()}#{result.name}"


def monthly_in(session: Session, result: DecisionResult, currency: str) -> Decimal | None:
    """A decision's monthly cost re-priced in the diff currency (None when it cannot be priced)."""
    if result.entry is None or result.usage is None or result.requests_per_month is None:
        return None
    if result.currency == currency and result.monthly_cost is not None:
        return result.monthly_cost
    from costcalc.cost import cost_of
    from costcalc.errors import InputError

    try:
        one = cost_of(
            result.entry, result.usage, when=session.when, currency=currency, fx=session.catalog.fx
        )
    except InputError:
        return None
    return one.total * result.requests_per_month


def diff_costs(
    session: Session,
    base: Sequence[tuple[DecisionResult, Path]],
    new: Sequence[tuple[DecisionResult, Path]],
    currency: str,
    *,
    max_increase: Decimal | None = None,
    max_increase_pct: Decimal | None = None,
) -> CostDiff:
    """Compare decisions' monthly costs and apply the increase guardrails."""
    before = {decision_key(d, root): d for d, root in base}
    after = {decision_key(d, root): d for d, root in new}
    rows: list[DiffRow] = []
    for key in sorted(set(before) | set(after)):
        old, cur = before.get(key), after.get(key)
        rows.append(
            DiffRow(
                key,
                monthly_in(session, old, currency) if old else None,
                monthly_in(session, cur, currency) if cur else None,
                cur.file if cur else None,
                cur.line if cur else None,
                in_base=old is not None,
                in_new=cur is not None,
            )
        )
    diff = CostDiff(currency, rows, max_increase, max_increase_pct)
    severity = get("cost-increase").severity
    for row in rows:
        change = row.change
        if change is None:
            continue
        why = _breach(change, row.percent, max_increase, max_increase_pct, currency)
        if why:
            diff.findings.append(
                Finding(
                    "cost-increase",
                    severity,
                    row.file,
                    row.line,
                    "decisions",
                    row.key.partition("#")[2],
                    f"monthly cost rises from {_money(row.before, currency)}"
                    f" to {_money(row.after, currency)}: {why}",
                    "justify the increase and raise the guardrail, or choose a cheaper offer",
                    {
                        "before": _str(row.before),
                        "after": _str(row.after),
                        "change": _str(change),
                        "percent": _str(_round(row.percent)),
                    },
                )
            )
    why = _breach(diff.change, diff.percent, max_increase, max_increase_pct, currency)
    if why and not diff.findings:
        diff.findings.append(
            Finding(
                "cost-increase",
                severity,
                None,
                None,
                "",
                "(total)",
                f"total monthly cost rises from {_money(diff.before, currency)}"
                f" to {_money(diff.after, currency)}: {why}",
                "justify the increase and raise the guardrail, or choose cheaper offers",
                {
                    "before": _str(diff.before),
                    "after": _str(diff.after),
                    "change": _str(diff.change),
                },
            )
        )
    return diff


def _breach(
    change: Decimal,
    percent: Decimal | None,
    max_increase: Decimal | None,
    max_increase_pct: Decimal | None,
    currency: str,
) -> str:
    if change <= 0:
        return ""
    reasons = []
    if max_increase is not None and change > max_increase:
        reasons.append(
            f"+{_money(change, currency)} is over the limit of {_money(max_increase, currency)}"
        )
    if max_increase_pct is not None and (percent is None or percent > max_increase_pct):
        shown = "new cost" if percent is None else f"+{_round(percent)}%"
        reasons.append(f"{shown} is over the limit of {max_increase_pct}%")
    return "; ".join(reasons)


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.1"))


def _str(value: Decimal | None) -> str:
    from costcalc.money import decimal_str

    return "" if value is None else decimal_str(value)


def _money(value: Decimal | None, currency: str) -> str:
    from costcalc.money import fmt_money

    return "nothing" if value is None else fmt_money(value, currency)


__all__ = ["CostDiff", "DiffRow", "decision_key", "diff_costs", "monthly_in"]
