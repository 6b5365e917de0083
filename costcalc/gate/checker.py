"""Applies the registered rules to every decision, then severities, locations and waivers.

For each decision the checker builds a `DecisionContext`, runs every rule of the
registry whose severity is not `off` and whose needs are met, locates each hit
on the YAML field it is about, and applies the decision's waivers: a waiver in
force (up to and including its expiry day) waives its rule's findings for that
decision; an expired waiver waives nothing and the finding says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from costcalc.errors import InputError
from costcalc.gate.context import DecisionContext, Session
from costcalc.gate.findings import (
    CheckResult,
    DecisionResult,
    Finding,
    Hit,
    Loc,
    Severity,
    WaiverStatus,
)
from costcalc.gate.load import ProcurementDoc
from costcalc.gate.registry import Rule, rules
from costcalc.loader import Document
from costcalc.schema.procurement import Decision, Policy, PresetWorkload
from costcalc.schema.workload import Workload


def merged_policy(base: Policy | None, override: Policy | None) -> Policy:
    """The file's policy refined by a decision's: each field the decision sets wins."""
    if base is None:
        return override or Policy()
    if override is None:
        return base
    update = {name: getattr(override, name) for name in override.model_fields_set}
    return base.model_copy(update={k: v for k, v in update.items() if v is not None})


class Checker:
    """Checks decisions against one catalog on one day, sharing caches across decisions."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def comparisons(self) -> int:
        return self.session.comparisons

    def check(self, docs: Sequence[ProcurementDoc]) -> CheckResult:
        """Apply every rule to every decision of every file."""
        decisions: list[DecisionResult] = []
        findings: list[Finding] = []
        waivers: list[WaiverStatus] = []
        active = rules()
        for doc in docs:
            severities = _severities(doc, active)
            for i, decision in enumerate(doc.model.decisions):
                result, found, statuses = self.check_decision(doc, i, decision, severities)
                decisions.append(result)
                findings.extend(found)
                waivers.extend(statuses)
        findings.sort(key=lambda f: (f.file or "", f.line or 0, f.rule))
        return CheckResult(
            self.session.when,
            [d.document.path for d in docs],
            decisions,
            findings,
            waivers,
            comparisons=self.session.comparisons,
        )

    def check_decision(
        self,
        doc: ProcurementDoc,
        i: int,
        decision: Decision,
        severities: Sequence[tuple[Rule, Severity | None]],
    ) -> tuple[DecisionResult, list[Finding], list[WaiverStatus]]:
        """Findings of one decision, with its waivers applied."""
        document = doc.document
        if decision.quality is not None:
            try:
                self.session.weighting(decision.quality.profile)
            except InputError as exc:
                line, name = _where(document, i, ("quality", "profile"))
                raise InputError(
                    exc.problems[0].message, file=document.path, line=line, field=name
                ) from None
        ctx = DecisionContext(
            self.session,
            doc,
            i,
            decision,
            merged_policy(doc.model.policy, decision.policy),
            self._workload(doc, i, decision),
        )
        raw: list[Finding] = []
        for r, severity in severities:
            if severity is None or r.check is None or not ctx.has(r.needs):
                continue
            for hit in r.check(ctx):
                raw.append(_finding(document, i, decision, r, severity, hit))
        return (
            _result(document, i, decision, ctx),
            *_waive(self.session.when, document, i, decision, raw),
        )

    def _workload(self, doc: ProcurementDoc, i: int, decision: Decision) -> Workload:
        """The decision's workload: inline, a preset of the loaded sheets, or a resolved file."""
        w = decision.workload
        if isinstance(w, PresetWorkload):
            from costcalc.workload import preset

            try:
                return preset(self.session.catalog, w.preset)
            except InputError as exc:
                raise InputError(
                    exc.problems[0].message,
                    file=doc.document.path,
                    line=doc.document.line_of("decisions", i, "workload", "preset"),
                    field=f"decisions[{i}].workload.preset",
                ) from None
        if isinstance(w, Workload):
            return w
        if i in doc.workloads:
            return doc.workloads[i]
        raise InputError(  # the loader resolves references; reaching here is a caller's bug
            "workload reference not resolved",
            file=doc.document.path,
            line=doc.document.line_of("decisions", i, "workload"),
        )


def _severities(doc: ProcurementDoc, active: list[Rule]) -> list[tuple[Rule, Severity | None]]:
    """Each rule with its severity in this file (None: off)."""
    overrides = {str(k): str(v) for k, v in doc.model.rules.items()}
    out: list[tuple[Rule, Severity | None]] = []
    for r in active:
        chosen = overrides.get(r.id, r.severity)
        out.append((r, None if chosen == "off" else ("deny" if chosen == "deny" else "warn")))
    return out


def _finding(
    document: Document, i: int, decision: Decision, r: Rule, severity: Severity, hit: Hit
) -> Finding:
    loc = hit.loc if hit.loc is not None else (r.field or ())
    line, name = _where(document, i, loc)
    return Finding(
        r.id, severity, document.path, line, name, decision.name, hit.message, hit.fix, hit.figures
    )


def _result(document: Document, i: int, decision: Decision, ctx: DecisionContext) -> DecisionResult:
    result = DecisionResult(
        file=document.path,
        line=document.line_of("decisions", i),
        name=decision.name,
        model=decision.model,
        provider=decision.provider,
        currency=ctx.currency,
        budget=decision.budget.monthly,
        bar=decision.quality.min if decision.quality else None,
    )
    entry = ctx.entry
    if entry is None:
        return result
    result.model, result.provider, result.entry = entry.model.id, entry.provider.id, entry
    ob = ctx.priced
    if ob is None:
        return result
    result.monthly_cost = ob.monthly_cost
    result.usage = ob.usage
    result.requests_per_month = ctx.requests_per_month
    if ctx.has("quality"):
        assert ctx.quality is not None
        result.quality = ctx.quality.value
        alt = ctx.alternatives
        if alt is not None and alt.recommended is not None:
            result.cheapest = alt.recommended.label
            result.cheapest_monthly = alt.recommended.cost.total * alt.months
    return result


def _where(document: Document, i: int, loc: Loc) -> tuple[int | None, str]:
    """Line and dotted name of a field of decision i (the deepest one written)."""
    full: Loc = ("decisions", i, *loc)
    if loc and loc[0] == "policy" and not _written(document.raw, full):
        # a policy field set for the whole file: point at the file's own line
        line = document.line_of(*loc)
        if line is not None and _written(document.raw, loc):
            return line, _dotted(loc)
    for n in range(len(full), 2, -1):
        line = document.line_of(*full[:n])
        if line is not None and _written(document.raw, full[:n]):
            return line, _dotted(full[:n])
    return document.line_of("decisions", i), _dotted(full[:2])


def _waive(
    when: dt.date, document: Document, i: int, decision: Decision, raw: list[Finding]
) -> tuple[list[Finding], list[WaiverStatus]]:
    statuses = [
        WaiverStatus(
            document.path,
            document.line_of("decisions", i, "waivers", j),
            decision.name,
            w,
            expired=w.expires < when,
        )
        for j, w in enumerate(decision.waivers)
    ]
    out: list[Finding] = []
    for f in raw:
        status = next((s for s in statuses if s.waiver.rule == f.rule and not s.expired), None)
        if status is not None:
            status.used += 1
            out.append(replace(f, waiver=status))
            continue
        expired = next((s for s in statuses if s.waiver.rule == f.rule), None)
        if expired is not None:
            f = replace(
                f,
                message=f"{f.message} (the waiver by {expired.waiver.owner}"
                f" expired on {expired.waiver.expires})",
            )
        out.append(f)
    return out, statuses


def _written(raw: Any, loc: Loc) -> bool:
    """Whether a path of fields is written in the located data."""
    node = raw
    for part in loc:
        if isinstance(node, dict):
            if part not in node:
                return False
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int):
            if not 0 <= part < len(node):
                return False
            node = node[part]
        else:
            return False
    return True


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


__all__ = ["Checker", "merged_policy"]
