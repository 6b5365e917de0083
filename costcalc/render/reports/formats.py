"""The formatters of `costcalc check` reports (see costcalc.render.reports).

- text: for people (rich tables, no colour codes in the string);
- json: the one JSON contract (`schema_version`, exact decimal strings for money, numbers
  for quality);
- markdown: a pull-request comment or $GITHUB_STEP_SUMMARY, capped in size,
  with a summary-only mode;
- github: workflow commands (`::error file=…,line=…::`) on the YAML line;
- sarif: SARIF 2.1.0 with stable rule ids, for code scanning;
- junit: JUnit XML, one test case per decision;
- gitlab: GitLab code-quality JSON.

The `ReportFormat` enum maps every choice to a formatter (`formatter_for`).
"""

from __future__ import annotations

import hashlib
import io
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from costcalc import __version__
from costcalc.gate.findings import CheckResult, DecisionResult, Finding
from costcalc.gate.registry import Rule
from costcalc.money import decimal_str, fmt_money
from costcalc.render.contract import SCHEMA_VERSION, number
from costcalc.render.fastjson import dumps_indented, write_indented
from costcalc.render.reports import MARKDOWN_LIMIT
from costcalc.render.reports import escape as esc

RICH_ROWS = 200
"""Up to this many decisions the text report draws a rich table; beyond, plain columns."""


HELP_TEXT = (
    "Rules, fields and fixes: README section 'CI gate on procurement files: costcalc check'"
    " (costcalc {version}); waive a finding with a reason, owner and expiry in the file."
)
"""costcalc has no public home page to link to, so SARIF carries the help as text
(`help.text`) instead of a made-up `helpUri` / `informationUri`."""
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value)


def _where(f: Finding) -> str:
    if f.file is None:
        return "(total)"
    return f"{f.file}:{f.line}" if f.line else f.file


def _label(f: Finding, result: CheckResult) -> str:
    if f.waived:
        return "waived"
    return "deny" if result.blocks(f) and f.severity == "deny" else f.severity


def _counts(result: CheckResult) -> dict[str, int]:
    return {
        "files": len(result.files),
        "decisions": len(result.decisions),
        "deny": len(result.denied),
        "warn": len(result.warnings),
        "waived": len(result.waived),
        "waivers_active": sum(1 for w in result.waivers if not w.expired),
        "waivers_expired": sum(1 for w in result.waivers if w.expired),
    }


def summary_line(result: CheckResult) -> str:
    c = _counts(result)
    return (
        f"costcalc check {result.status}: {_n(c['decisions'], 'decision')}"
        f" in {_n(c['files'], 'file')};"
        f" {c['deny']} denied, {c['warn']} warnings, {c['waived']} waived"
        f" ({c['waivers_active']} waivers in force, {c['waivers_expired']} expired)"
        + (" [--fail-on-warn]" if result.fail_on_warn else "")
    )


def _n(count: int, noun: str) -> str:
    """'1 file', '2 files'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _sentence(text: str) -> str:
    """Text ending with a full stop (unless it already ends a sentence)."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _cost(d: DecisionResult) -> str:
    return fmt_money(d.monthly_cost, d.currency) if d.monthly_cost is not None else "-"


def _by_decision(result: CheckResult) -> dict[tuple[str | None, str], list[Finding]]:
    """Findings grouped by (file, decision name), in one pass."""
    groups: dict[tuple[str | None, str], list[Finding]] = {}
    for f in result.findings:
        groups.setdefault((f.file, f.decision), []).append(f)
    return groups


def _statuses(result: CheckResult) -> dict[tuple[str, str], str]:
    """ok, warn or fail for each decision."""
    groups = _by_decision(result)
    out = {}
    for d in result.decisions:
        mine = groups.get((d.file, d.name), [])
        if any(result.blocks(f) for f in mine):
            out[(d.file, d.name)] = "fail"
        elif any(not f.waived for f in mine):
            out[(d.file, d.name)] = "warn"
        else:
            out[(d.file, d.name)] = "ok"
    return out


def _diff_rows(result: CheckResult) -> list[tuple[str, str, str, str, str]]:
    diff = result.diff
    if diff is None:
        return []
    rows = []
    for r in diff.rows:
        pct = "" if r.percent is None else f"{r.percent:+.1f}%"
        before = "-" if r.before is None else fmt_money(r.before, diff.currency)
        after = "-" if r.after is None else fmt_money(r.after, diff.currency)
        change = "?" if r.change is None else _signed(r.change, diff.currency)
        rows.append((r.key, before, after, change, pct or r.status))
    pct = "" if diff.percent is None else f"{diff.percent:+.1f}%"
    rows.append(
        (
            "total" if not diff.unpriced else f"total (without {diff.unpriced} unpriced)",
            fmt_money(diff.before, diff.currency),
            fmt_money(diff.after, diff.currency),
            _signed(diff.change, diff.currency),
            pct,
        )
    )
    return rows


def _signed(value: Decimal, currency: str) -> str:
    return ("+" if value > 0 else "") + fmt_money(value, currency)


# --------------------------------------------------------------------- text


@dataclass(frozen=True)
class TextFormat:
    """Rich tables for people, rendered to a string without colour codes."""

    width: int = 100

    def format(self, result: CheckResult) -> str:
        from rich import box
        from rich.console import Console
        from rich.table import Table

        out = io.StringIO()
        console = Console(
            file=out,
            width=self.width,
            color_system=None,
            force_terminal=False,
            legacy_windows=False,
            highlight=False,
            markup=False,
            emoji=False,
        )
        headers = ["decision", "where", "model @ provider", "monthly", "budget", "quality / bar"]
        headers.append("status")
        right = [False, False, False, True, True, True, False]
        status = _statuses(result)
        rows = []
        for d in result.decisions:
            q = "-" if d.quality is None else f"{d.quality:.1f}"
            bar = "" if d.bar is None else f" / {decimal_str(d.bar)}"
            rows.append(
                [
                    esc.one_line(d.name),
                    esc.one_line(f"{d.file}:{d.line}"),
                    esc.one_line(f"{d.model} @ {d.provider}"),
                    _cost(d),
                    fmt_money(d.budget, d.currency),
                    q + bar,
                    status[(d.file, d.name)],
                ]
            )
        if len(rows) <= RICH_ROWS:
            # One table per file, titled with its path; the line is a column of its own. The
            # shared layout fits any width (narrow terminals drop the least useful columns,
            # never the decision or its cost).
            from costcalc.render.tables import Column as Col
            from costcalc.render.tables import Table as Tab
            from costcalc.render.tables import to_rich

            columns = [
                Col("decision", no_wrap=True, essential=True),
                Col("line", "right", priority=3),
                Col("model @ provider", priority=7),
                Col("monthly", "right", essential=True),
                Col("budget", "right", priority=5),
                Col("quality / bar", "right", priority=4),
                Col("status", no_wrap=True, priority=9),
            ]
            files = list(dict.fromkeys(d.file for d in result.decisions))
            tables = [
                Tab(
                    columns,
                    [
                        [row[0], str(d.line or ""), *row[2:]]
                        for d, row in zip(result.decisions, rows, strict=True)
                        if d.file == file
                    ],
                    title=esc.one_line(file),
                )
                for file in files
            ]
            out.write(to_rich(tables, self.width) + "\n")
        else:  # rich lays out ~2 ms a row: thousands of rows get plain aligned columns
            out.write(_plain_table("Procurement decisions", headers, right, rows) + "\n")
        # Findings: one per paragraph, its first line starting with where, verdict and rule id
        # (easy to grep), wrapped to the width with the rest indented.
        lines = ["Findings:"] if result.findings else []
        one = esc.one_line

        def wrapped(text: str, indent: str = "") -> list[str]:
            return textwrap.wrap(
                one(text),
                self.width,
                initial_indent=indent,
                subsequent_indent=indent + "    ",
                break_long_words=True,
                break_on_hyphens=False,
            )

        for f in result.findings:
            verdict = _label(f, result).upper()
            lines += wrapped(f"{_where(f)}: {verdict} [{f.rule}] {f.decision}: {f.message}")
            lines += wrapped(f"field: {f.field}" if f.field else "(whole check)", "    ")
            lines += wrapped(f"fix: {f.fix}", "    ")
            if f.waiver is not None:
                w = f.waiver.waiver
                lines += wrapped(f"waived by {w.owner} until {w.expires}: {w.reason}", "    ")
        if lines:
            out.write("\n".join(lines) + "\n")
        changes = _diff_rows(result)
        if changes and result.diff is not None:
            diff = Table(title=f"Monthly cost change ({result.diff.currency})", box=box.SIMPLE_HEAD)
            for name in ("decision", "before", "after", "change", ""):
                diff.add_column(name, justify="left" if name == "decision" else "right")
            for change in changes:
                diff.add_row(*(esc.one_line(cell) for cell in change))
            console.print(diff)
        console.print(summary_line(result))
        text = "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
        return esc.no_commands(text)


def _plain_table(title: str, headers: list[str], right: list[bool], rows: list[list[str]]) -> str:
    """A table as plain aligned text (for very long tables)."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        ]
        return "  " + "  ".join(parts).rstrip()

    out = [title, "", line(headers), "  " + "-" * (sum(widths) + 2 * len(widths) - 2)]
    out += [line(r) for r in rows]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------- json


def _finding_json(f: Finding, result: CheckResult) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "blocking": result.blocks(f),
        "file": f.file,
        "line": f.line,
        "field": f.field,
        "decision": f.decision,
        "message": f.message,
        "fix": f.fix,
        "figures": dict(f.figures),
        "waived_by": None
        if f.waiver is None
        else {
            "owner": f.waiver.waiver.owner,
            "reason": f.waiver.waiver.reason,
            "expires": str(f.waiver.waiver.expires),
        },
    }


def to_payload(result: CheckResult) -> dict[str, Any]:
    """The JSON report as plain data (exact amounts as decimal strings)."""
    out = _head(result)
    out["decisions"] = _decisions_json(result)
    out["findings"] = [_finding_json(f, result) for f in result.findings]
    out["waivers"] = _waivers_json(result)
    out["diff"] = _diff_json(result)
    return out


def _head(result: CheckResult) -> dict[str, Any]:
    """The report's members before its lists, in order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "costcalc", "version": __version__},
        "as_of": str(result.when),
        "status": result.status,
        "fail_on_warn": result.fail_on_warn,
        "summary": _counts(result),
    }


def _decisions_json(result: CheckResult) -> list[dict[str, Any]]:
    status = _statuses(result)
    return [
        {
            "file": d.file,
            "line": d.line,
            "name": d.name,
            "model": d.model,
            "provider": d.provider,
            "currency": d.currency,
            "monthly_cost": _dec(d.monthly_cost),
            "budget": _dec(d.budget),
            "quality": number(d.quality),
            "bar": number(d.bar),
            "cheapest_good_enough": d.cheapest,
            "cheapest_monthly_cost": _dec(d.cheapest_monthly),
            "status": status[(d.file, d.name)],
        }
        for d in result.decisions
    ]


def _waivers_json(result: CheckResult) -> list[dict[str, Any]]:
    return [
        {
            "file": w.file,
            "line": w.line,
            "decision": w.decision,
            "rule": w.waiver.rule,
            "owner": w.waiver.owner,
            "reason": w.waiver.reason,
            "expires": str(w.waiver.expires),
            "expired": w.expired,
            "waived_findings": w.used,
        }
        for w in result.waivers
    ]


def _diff_json(result: CheckResult) -> dict[str, Any] | None:
    diff = result.diff
    if diff is None:
        return None
    return {
        "currency": diff.currency,
        "before": _dec(diff.before),
        "after": _dec(diff.after),
        "change": _dec(diff.change),
        "max_increase": _dec(diff.max_increase),
        "max_increase_pct": _dec(diff.max_increase_pct),
        "unpriced": diff.unpriced,
        "decisions": [
            {
                "key": r.key,
                "status": r.status,
                "before": _dec(r.before),
                "after": _dec(r.after),
                "change": _dec(r.change),
            }
            for r in diff.rows
        ],
    }


SHARED_FROM = 4000
"""From this many findings, a forked child writes them (`payload_text`)."""


def payload_text(result: CheckResult, *, fork: bool = True, cut: int | None = None) -> str:
    """The text of `dumps_indented(to_payload(result))`, made in two parts for a large report.

    The report is written after the check, when the other CPUs are idle: from
    `SHARED_FROM` findings (where `costcalc.forked` may fork), a child writes the
    findings from `cut` on (by default all of them) while this process writes
    everything else, about the same work (10,000 decisions with 14,480 findings:
    0.24 s for the decisions, 0.22 s for the findings, measured in one process).
    The parts are joined exactly as one `dumps_indented` call writes them.
    """
    from costcalc.forked import Forked

    findings = result.findings
    if cut is None:
        if len(findings) < SHARED_FROM:
            return dumps_indented(to_payload(result))
        cut = 0
    start = cut

    def tail() -> str:
        return _items([_finding_json(f, result) for f in findings[start:]])

    with Forked(tail, fork=fork) as child:
        members = [_member(k, v) for k, v in _head(result).items()]
        members.append(_member("decisions", _decisions_json(result)))
        head = _items([_finding_json(f, result) for f in findings[:start]])
        waivers = _member("waivers", _waivers_json(result))
        diff = _member("diff", _diff_json(result))
        rest = child.text()
    joined = ",\n    ".join(part for part in (head, rest) if part)
    members.append('"findings": ' + ("[\n    " + joined + "\n  ]" if joined else "[]"))
    members += [waivers, diff]
    return "{\n  " + ",\n  ".join(members) + "\n}"


def _member(key: str, value: Any) -> str:
    """`"key": value` as a member of the top-level object (written one level deep)."""
    parts = [dumps_indented(key), ": "]
    write_indented(value, parts.append, "\n  ")
    return "".join(parts)


def _items(values: list[Any]) -> str:
    """The items of a list that is a top-level member, without its brackets ("" if none)."""
    if not values:
        return ""
    parts: list[str] = []
    write_indented(values, parts.append, "\n  ")  # "[\n    ", items and commas, "\n  ]"
    return "".join(parts[1:-1])


@dataclass(frozen=True)
class JsonFormat:
    """Versioned JSON."""

    def format(self, result: CheckResult) -> str:
        return esc.json_no_commands(payload_text(result)) + "\n"


# ------------------------------------------------------------------ markdown


_md = esc.md


@dataclass(frozen=True)
class MarkdownFormat:
    """A pull-request comment or step summary, at most `max_bytes` bytes of UTF-8."""

    max_bytes: int = MARKDOWN_LIMIT
    summary_only: bool = False

    def format(self, result: CheckResult) -> str:
        icon = "❌" if result.failed else "✅"
        c = _counts(result)
        head = [
            f"## {icon} costcalc check {result.status}",
            "",
            f"{_n(c['decisions'], 'decision')} in {_n(c['files'], 'file')}, as of {result.when}:"
            f" **{c['deny']} denied**, {c['warn']} warnings, {c['waived']} waived"
            f" ({c['waivers_active']} waivers in force, {c['waivers_expired']} expired).",
            "",
        ]
        diff = result.diff
        if diff is not None:
            pct = "" if diff.percent is None else f", {diff.percent:+.1f}%"
            head += [
                f"Monthly cost: {fmt_money(diff.before, diff.currency)}"
                f" → {fmt_money(diff.after, diff.currency)}"
                f" ({_signed(diff.change, diff.currency)}{pct}).",
                "",
            ]
        if self.summary_only:
            return self._cap(head, [])
        body: list[str] = []
        if result.findings:
            body += ["| | where | rule | decision | finding | fix |", "|---|---|---|---|---|---|"]
            for f in result.findings:
                mark = {"deny": "❌", "warn": "⚠️", "waived": "💤"}[_label(f, result)]
                body.append(
                    f"| {mark} | `{esc.md_code(_where(f))}` | `{f.rule}` | {_md(f.decision)}"
                    f" | {_md(f.message)} | {_md(f.fix)} |"
                )
            body.append("")
        body += [
            "| decision | model @ provider | monthly | budget | quality / bar | status |",
            "|---|---|--:|--:|--:|---|",
        ]
        status = _statuses(result)
        for d in result.decisions:
            q = "-" if d.quality is None else f"{d.quality:.1f}"
            bar = "" if d.bar is None else f" / {decimal_str(d.bar)}"
            body.append(
                f"| {_md(d.name)} | {_md(d.model)} @ {_md(d.provider)} | {_cost(d)} |"
                f" {fmt_money(d.budget, d.currency)} | {q}{bar} | {status[(d.file, d.name)]} |"
            )
        body.append("")
        rows = _diff_rows(result)
        if rows:
            body += ["| decision | before | after | change | % |", "|---|--:|--:|--:|--:|"]
            body += [f"| {_md(r[0])} | {r[1]} | {r[2]} | {r[3]} | {r[4]} |" for r in rows]
            body.append("")
        return self._cap(head, body)

    def _cap(self, head: list[str], body: list[str]) -> str:
        text = esc.no_commands("\n".join(head + body) + "\n")
        if len(text.encode()) <= self.max_bytes:
            return text
        kept = list(head)
        note = (
            "_… {n} more lines not shown (report capped at {cap:,} bytes; see the full report)._\n"
        )
        size = len(("\n".join(kept) + "\n").encode()) + len(note.encode()) + 20
        shown = 0
        for line in body:
            add = len(line.encode()) + 1
            if size + add > self.max_bytes:
                break
            kept.append(line)
            size += add
            shown += 1
        missing = len(body) - shown
        out = esc.no_commands("\n".join(kept) + "\n\n" + note.format(n=missing, cap=self.max_bytes))
        return (
            out
            if len(out.encode()) <= self.max_bytes
            else out.encode()[: self.max_bytes].decode(errors="ignore")
        )


# -------------------------------------------------------------------- github


_gh_data = esc.gh_data
_gh_prop = esc.gh_prop


@dataclass(frozen=True)
class GithubFormat:
    """GitHub Actions workflow commands: an annotation per finding on its YAML line."""

    def format(self, result: CheckResult) -> str:
        lines = []
        for f in result.findings:
            level = "notice" if f.waived else ("error" if result.blocks(f) else "warning")
            props = []
            if f.file:
                props.append(f"file={_gh_prop(esc.one_line(f.file))}")
                if f.line:
                    props.append(f"line={f.line}")
            props.append(f"title={_gh_prop(esc.one_line(f'costcalc {f.rule} ({f.decision})'))}")
            text = f"{_sentence(f.message)} Fix: {f.fix}"
            if f.waiver is not None:
                text += f". Waived by {f.waiver.waiver.owner} until {f.waiver.waiver.expires}"
            lines.append(f"::{level} {','.join(props)}::{esc.github(text)}")
        # The summary line goes to stderr (once), as with every format but text.
        return "\n".join(lines) + "\n" if lines else ""


# --------------------------------------------------------------------- sarif


def _rules_used(result: CheckResult) -> list[Rule]:
    """Every registered rule (the registry is the one list of rules)."""
    from costcalc.gate.registry import rules

    return rules()


@dataclass(frozen=True)
class SarifFormat:
    """SARIF 2.1.0: every rule described once, a result per finding; waivers are suppressions."""

    def format(self, result: CheckResult) -> str:
        registered = _rules_used(result)
        rule_ids = [r.id for r in registered]
        rules = [
            {
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": f"Fails when {r.fails_when}."},
                "help": {
                    "text": f"Fails when {r.fails_when}. " + HELP_TEXT.format(version=__version__)
                },
                "defaultConfiguration": {"level": "error" if r.severity == "deny" else "warning"},
                "properties": {"fields": r.fields or ["(the decision)"]},
            }
            for r in registered
        ]
        results = []
        for f in result.findings:
            entry: dict[str, Any] = {
                "ruleId": f.rule,
                "ruleIndex": rule_ids.index(f.rule),
                "level": "error"
                if result.blocks(f) or (f.waived and f.severity == "deny")
                else "warning",
                "message": {
                    "text": esc.sarif(f"{f.decision}: {_sentence(f.message)} Fix: {f.fix}")
                },
                "partialFingerprints": {"costcalcFinding/v1": _fingerprint(f)},
                "properties": {
                    "decision": f.decision,
                    "field": f.field,
                    "figures": dict(f.figures),
                },
            }
            if f.file:
                region = {"startLine": f.line} if f.line else None
                location: dict[str, Any] = {"artifactLocation": {"uri": f.file}}
                if region:
                    location["region"] = region
                entry["locations"] = [{"physicalLocation": location}]
            if f.waiver is not None:
                w = f.waiver.waiver
                entry["suppressions"] = [
                    {
                        "kind": "inSource",
                        "status": "accepted",
                        "justification": esc.sarif(
                            f"{w.reason} (owner {w.owner}, until {w.expires})"
                        ),
                    }
                ]
            results.append(entry)
        log = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "costcalc",
                            "version": __version__,
                            "rules": rules,
                        }
                    },
                    "results": results,
                    "properties": {
                        "status": result.status,
                        "as_of": str(result.when),
                        **_counts(result),
                    },
                }
            ],
        }
        return esc.json_no_commands(dumps_indented(log)) + "\n"


def _fingerprint(f: Finding) -> str:
    """Stable across runs and line moves: rule, file, decision and field."""
    key = "\x1f".join((f.rule, f.file or "", f.decision, f.field))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


# --------------------------------------------------------------------- junit


@dataclass(frozen=True)
class JunitFormat:
    """JUnit: a test case per decision, a failure per blocking finding, the rest in system-out."""

    def format(self, result: CheckResult) -> str:
        suites = ET.Element("testsuites", name="costcalc check")
        suite = ET.SubElement(
            suites, "testsuite", name="costcalc check", timestamp=f"{result.when}T00:00:00"
        )
        cases = 0
        failures = 0
        by_decision = _by_decision(result)
        keys = {(d.file, d.name) for d in result.decisions}
        extra = [f for f in result.findings if (f.file, f.decision) not in keys]
        groups = [(d.file, d.name, by_decision.get((d.file, d.name), [])) for d in result.decisions]
        if extra:
            groups.append(("(total)", "cost guardrails", extra))
        for file, name, found in groups:
            cases += 1
            case = ET.SubElement(suite, "testcase", classname=_x(file), name=_x(name))
            blocking = [f for f in found if result.blocks(f)]
            if blocking:
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=_x("; ".join(f"{f.rule}: {f.message}" for f in blocking)),
                    type=",".join(sorted({f.rule for f in blocking})),
                )
                failure.text = "\n".join(
                    f"{_x(_where(f))}: [{f.rule}] {_x(f.message)}\nfix: {_x(f.fix)}"
                    for f in blocking
                )
            others = [f for f in found if not result.blocks(f)]
            if others:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(
                    f"{_x(_where(f))}: {_label(f, result)} [{f.rule}] {_x(f.message)}"
                    for f in others
                )
        for element in (suites, suite):
            element.set("tests", str(cases))
            element.set("failures", str(failures))
            element.set("errors", "0")
        ET.indent(suites)
        return esc.no_commands(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(suites, encoding="unicode")
            + "\n"
        )


def _x(text: str) -> str:
    """Untrusted text in the JUnit XML: one line, only characters XML 1.0 allows."""
    return esc.xml(esc.one_line(text))


# -------------------------------------------------------------------- gitlab


@dataclass(frozen=True)
class GitlabFormat:
    """GitLab code-quality report (a JSON list of issues); waived findings are left out."""

    def format(self, result: CheckResult) -> str:
        issues = []
        for f in result.findings:
            if f.waived:
                continue
            issues.append(
                {
                    "description": f"{f.decision}: {_sentence(f.message)} Fix: {f.fix}",
                    "check_name": f.rule,
                    "fingerprint": _fingerprint(f),
                    "severity": "critical" if result.blocks(f) else "minor",
                    "location": {"path": f.file or ".", "lines": {"begin": f.line or 1}},
                }
            )
        return esc.json_no_commands(dumps_indented(issues)) + "\n"


Formatter = (
    TextFormat
    | JsonFormat
    | MarkdownFormat
    | GithubFormat
    | SarifFormat
    | JunitFormat
    | GitlabFormat
)
