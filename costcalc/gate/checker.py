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
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from costcalc.errors import InputError
from costcalc.gate.context import DecisionContext, Session, workload_key
from costcalc.gate.findings import (
    CheckResult,
    DecisionResult,
    Finding,
    Hit,
    Loc,
    Severity,
    WaiverStatus,
)
from costcalc.gate.load import ProcurementDoc, written_keys
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
    """Checks decisions against one catalog on one day, sharing caches across decisions.

    Decisions written alike share their rules' work: the hits of the built-in
    rules and the facts of the result depend only on what is written (the
    file's policy and severities, the decision's fields other than its name, the
    workload a reference resolved to), the catalog and the day, so they are
    computed once per distinct content (`memo`, keyed by the written text's
    repr). Locations, names and waivers are still worked out per decision. With a
    rule registered from outside `costcalc.gate.rules` active, nothing is shared.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.memo: dict[tuple[Any, ...], tuple[list[tuple[Rule, Severity, Hit]], _Facts]] = {}

    @property
    def comparisons(self) -> int:
        return self.session.comparisons

    def check(self, docs: Sequence[ProcurementDoc]) -> CheckResult:
        """Apply every rule to every decision of every file."""
        run = self.begin()
        for doc in docs:
            run.add(doc)
        return run.result()

    def begin(self) -> CheckRun:
        """A check fed one file at a time (`add`), e.g. while other files are still read."""
        return CheckRun(self)

    def check_decision(
        self,
        doc: ProcurementDoc,
        i: int,
        decision: Decision,
        severities: Sequence[tuple[Rule, Severity | None]],
        key: tuple[Any, ...] | None = None,
    ) -> tuple[DecisionResult, list[Finding], list[WaiverStatus]]:
        """Findings of one decision, with its waivers applied (`key`: its content, to share)."""
        document = doc.document
        found = None if key is None else self.memo.get(key)
        if found is None:
            found = self._hits(doc, i, decision, severities)
            if key is not None:
                self.memo[key] = found
        hits, facts = found
        raw = [_finding(document, i, decision, r, severity, hit) for r, severity, hit in hits]
        return (
            _result(document, i, decision, facts),
            *_waive(self.session.when, document, i, decision, raw),
        )

    def _hits(
        self,
        doc: ProcurementDoc,
        i: int,
        decision: Decision,
        severities: Sequence[tuple[Rule, Severity | None]],
    ) -> tuple[list[tuple[Rule, Severity, Hit]], _Facts]:
        """Every active rule's hits on one decision, and the facts its result reports."""
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
        hits: list[tuple[Rule, Severity, Hit]] = []
        for r, severity in severities:
            if severity is None or r.check is None or not ctx.has(r.needs):
                continue
            for hit in r.check(ctx):
                hits.append((r, severity, hit))
        return hits, _facts(ctx)

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


class CheckRun:
    """One check in progress: files added in order, then `result()`."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.paths: list[str] = []
        self.decisions: list[DecisionResult] = []
        self.findings: list[Finding] = []
        self.waivers: list[WaiverStatus] = []
        self.active = rules()
        self.shared = all(r.check is None or _built_in(r) for r in self.active)
        self._severities: dict[tuple[tuple[str, str], ...], list[tuple[Rule, Severity | None]]]
        self._severities = {}

    def add(self, doc: ProcurementDoc) -> None:
        """Check every decision of one file (InputError: a decision the catalog cannot read)."""
        self.paths.append(doc.document.path)
        overrides = tuple((str(k), str(v)) for k, v in doc.model.rules.items())
        severities = self._severities.get(overrides)
        if severities is None:
            severities = self._severities[overrides] = _severities(doc, self.active)
        written = _file_key(doc) if self.shared else None
        for i, decision in enumerate(doc.model.decisions):
            key = None if written is None else _decision_key(doc, i, written)
            result, found, statuses = self.checker.check_decision(doc, i, decision, severities, key)
            self.decisions.append(result)
            self.findings.extend(found)
            self.waivers.extend(statuses)

    def result(self) -> CheckResult:
        findings = self.findings
        findings.sort(key=lambda f: (f.file or "", f.line or 0, f.rule))
        session = self.checker.session
        return CheckResult(
            session.when,
            self.paths,
            self.decisions,
            findings,
            self.waivers,
            comparisons=session.comparisons,
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


@dataclass(frozen=True)
class _Facts:
    """What a decision's result reports beyond what is written (shared by decisions alike)."""

    currency: str
    entry: Any = None
    priced: Any = None
    requests_per_month: Decimal | None = None
    quality: Decimal | None = None
    cheapest: str | None = None
    cheapest_monthly: Decimal | None = None


def _facts(ctx: DecisionContext) -> _Facts:
    entry = ctx.entry
    if entry is None:
        return _Facts(ctx.currency)
    ob = ctx.priced
    if ob is None:
        return _Facts(ctx.currency, entry)
    quality = cheapest = cheapest_monthly = None
    if ctx.has("quality"):
        assert ctx.quality is not None
        quality = ctx.quality.value
        alt = ctx.alternatives
        if alt is not None and alt.recommended is not None:
            cheapest = alt.recommended.label
            cheapest_monthly = alt.recommended.cost.total * alt.months
    return _Facts(
        ctx.currency, entry, ob, ctx.requests_per_month, quality, cheapest, cheapest_monthly
    )


def _result(document: Document, i: int, decision: Decision, facts: _Facts) -> DecisionResult:
    result = DecisionResult(
        file=document.path,
        line=document.line_of("decisions", i),
        name=decision.name,
        model=decision.model,
        provider=decision.provider,
        currency=facts.currency,
        budget=decision.budget.monthly,
        bar=decision.quality.min if decision.quality else None,
    )
    entry = facts.entry
    if entry is None:
        return result
    result.model, result.provider, result.entry = entry.model.id, entry.provider.id, entry
    ob = facts.priced
    if ob is None:
        return result
    result.monthly_cost = ob.monthly_cost
    result.usage = ob.usage
    result.requests_per_month = facts.requests_per_month
    if facts.quality is not None:
        result.quality = facts.quality
        if facts.cheapest is not None:
            result.cheapest = facts.cheapest
            result.cheapest_monthly = facts.cheapest_monthly
    return result


def _built_in(r: Rule) -> bool:
    """Whether a rule is one of costcalc's own (its hits depend only on what is written)."""
    module = getattr(r.check, "__module__", "") or ""
    return module.startswith("costcalc.gate.")


def _file_key(doc: ProcurementDoc) -> str | None:
    """What a file writes besides its decisions, as text (None: not located data)."""
    keys = getattr(doc.document, "written", None)  # worked out by the parse workers
    return (keys or written_keys(doc.document.raw))[0]


def _decision_key(doc: ProcurementDoc, i: int, written: str | None) -> tuple[Any, ...] | None:
    """A decision's content: the file's, its own fields but the name, its resolved workload."""
    if written is None:
        return None
    keys = getattr(doc.document, "written", None) or written_keys(doc.document.raw)
    own = keys[1][i] if i < len(keys[1]) else None
    if own is None:
        return None
    resolved = doc.workloads.get(i)
    return (written, own, None if resolved is None else workload_key(resolved))


def _where(document: Document, i: int, loc: Loc) -> tuple[int | None, str]:
    """Line and dotted name of a field of decision i (the deepest one written)."""
    memo = getattr(document, "memo", None)  # shared by files laid out alike (PlainDocument)
    if memo is None:
        return _where_of(document, i, loc)
    key = ("where", i, loc)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _where_of(document, i, loc)
    return found  # type: ignore[no-any-return]


def _where_of(document: Document, i: int, loc: Loc) -> tuple[int | None, str]:
    full: Loc = ("decisions", i, *loc)
    if loc and loc[0] == "policy" and not _written(document.raw, full):
        # a policy field set for the whole file: point at the file's own line
        line = document.line_of(*loc)
        if line is not None and _written(document.raw, loc):
            return line, _dotted(loc)
    along = getattr(document, "lines_along", None)
    if along is None:
        for n in range(len(full), 2, -1):
            line = document.line_of(*full[:n])
            if line is not None and _written(document.raw, full[:n]):
                return line, _dotted(full[:n])
        return document.line_of("decisions", i), _dotted(full[:2])
    # the same answer from one walk: the deepest written prefix (of 3 parts or more) with
    # a line; a prefix is written when every step of it is (`_written` of each prefix)
    lines = along(*full)
    n = _written_depth(document.raw, full)
    while n > 2:
        if lines[n] is not None:
            return lines[n], _dotted(full[:n])
        n -= 1
    return lines[2], _dotted(full[:2])


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


def _written_depth(raw: Any, loc: Loc) -> int:
    """How many leading parts of `loc` are written: `_written(raw, loc[:n])` for every n up
    to it, and for none beyond."""
    node = raw
    for n, part in enumerate(loc):
        if isinstance(node, dict):
            if part not in node:
                return n
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int):
            if not 0 <= part < len(node):
                return n
            node = node[part]
        else:
            return n
    return len(loc)


_DOTTED: dict[Loc, str] = {}


def _dotted(loc: Loc) -> str:
    found = _DOTTED.get(loc)
    if found is not None:
        return found
    if len(_DOTTED) > 10000:
        _DOTTED.clear()
    _DOTTED[loc] = out = _dotted_of(loc)
    return out


def _dotted_of(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


__all__ = ["CheckRun", "Checker", "merged_policy"]
