"""What every score feed shares: rows in, one `kind: scores` sheet out, and a short summary.

`build_sheet` turns a feed's `FeedScore` rows into score-sheet data:

- the model goes through `Identity.model` (canonical id or alias, vendor prefix
  removed); a model costcalc does not know is counted, not written;
- the benchmark goes through the feed's `BenchmarkRule` table. A windowed rule
  (LiveCodeBench) reads the problem window from the row's text and files the
  score under the costcalc benchmark with that window (its own `window` or
  one of its `same_windows`); no window, or a window no benchmark has, leaves
  the score unmapped with the reason, never filed under a guess;
- one score per model and benchmark: the first row (feed order) is kept, later
  ones become `alternatives` with the reason;
- a score dated before its model's release (models file `released`) is dated
  at the release;
- every score keeps its metric, source link, date and the basis of that date,
  `self_reported`, and `via: <feed>`; the sheet carries the feed's attribution.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from costcalc.identity import Identity
from costcalc.schema.quality import Benchmark, benchmark_windows, parse_window, window_text

SHOWN = 5
"""Examples shown per line of the summary."""


@dataclass(frozen=True)
class FeedScore:
    """One score as a feed gives it, already on the benchmark's scale (percent: 0-100)."""

    key: str
    """Where the row is in the feed (file#index), for messages."""
    model: str
    benchmark: str
    score: Decimal
    metric: str
    source: str
    as_of: dt.date | None
    as_of_basis: str | None
    self_reported: bool | None
    text: str = ""
    """Free text of the row (method, notes) in which a problem window may be written."""
    note: str | None = None


@dataclass(frozen=True)
class BenchmarkRule:
    """How one of a feed's benchmark ids maps onto costcalc's."""

    target: str | None = None
    """The costcalc benchmark id; None for a windowed family (see `family`)."""
    family: str | None = None
    """For windowed benchmarks: the costcalc id prefix whose windows are searched."""
    note: str | None = None
    """Why the mapping holds (written into each score's note)."""


@dataclass(frozen=True)
class Unmapped:
    key: str
    what: str
    reason: str


@dataclass
class ScoreImport:
    """A feed's scores as score-sheet data, with everything left out and why."""

    feed: str
    rows: int
    scores: list[dict[str, Any]]
    unmapped: list[Unmapped] = field(default_factory=list)
    alternatives: int = 0

    def summary(self, shown: int = SHOWN) -> list[str]:
        """Counts and the first few examples per reason: a short summary, not a line per row."""
        lines = [
            f"imported {len(self.scores):,} scores of"
            f" {len({s['model'] for s in self.scores}):,} models on"
            f" {len({s['benchmark'] for s in self.scores}):,} benchmarks from {self.rows:,}"
            f" {self.feed} rows ({self.alternatives:,} kept as alternatives)"
        ]
        groups: dict[str, list[str]] = {}
        for u in self.unmapped:
            groups.setdefault(u.reason, []).append(u.what)
        for reason, whats in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            distinct = list(dict.fromkeys(whats))
            examples = ", ".join(distinct[:shown])
            more = f", ... (+{len(distinct) - shown:,})" if len(distinct) > shown else ""
            lines.append(
                f"  {len(whats):>6,} rows left out, {reason}"
                f" ({len(distinct):,} distinct): {examples}{more}"
            )
        return lines


def resolve_benchmark(
    row: FeedScore, rule: BenchmarkRule, benchmarks: Mapping[str, Benchmark]
) -> tuple[str | None, str | None, str]:
    """(costcalc id, window text, reason when None) for one row."""
    if rule.target is not None:
        if rule.target not in benchmarks:
            return None, None, f"no costcalc benchmark {rule.target}"
        return rule.target, None, ""
    family = rule.family or ""
    window = parse_window(row.text)
    if window is None:
        return None, None, f"{row.benchmark}: no problem window in the source text"
    hits = sorted(
        bid
        for bid, bench in benchmarks.items()
        if bid.startswith(family) and window in benchmark_windows(bench)
    )
    if len(hits) != 1:
        state = "no" if not hits else "more than one"
        return (
            None,
            window_text(window),
            f"{row.benchmark}: {state} costcalc benchmark for its window",
        )
    return hits[0], window_text(window), ""


def build_sheet(
    rows: Iterable[FeedScore | Unmapped],
    *,
    feed: str,
    rules: Mapping[str, BenchmarkRule],
    identity: Identity,
    benchmarks: Mapping[str, Benchmark],
    released: Mapping[str, dt.date] | None = None,
) -> ScoreImport:
    """Map a feed's rows onto costcalc's models and benchmarks (see the module docstring).

    `released` (canonical id -> release day, from the models file): a score the feed dates
    before the model's release is dated at the release instead (a figure cannot be published
    before its model), and `as_of_basis` says so.
    """
    result = ScoreImport(feed=feed, rows=0, scores=[])
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        result.rows += 1
        if isinstance(row, Unmapped):
            result.unmapped.append(row)
            continue
        rule = rules.get(row.benchmark)
        if rule is None:
            result.unmapped.append(Unmapped(row.key, row.benchmark, "benchmark not mapped"))
            continue
        model = identity.model(row.model)
        if model is None:
            result.unmapped.append(Unmapped(row.key, row.model, "model not in the catalog"))
            continue
        bid, window, reason = resolve_benchmark(row, rule, benchmarks)
        if bid is None:
            what = f"{row.model} {window}" if window else row.model
            result.unmapped.append(Unmapped(row.key, what, reason))
            continue
        launch = (released or {}).get(model)
        if launch is not None and row.as_of is not None and row.as_of < launch:
            row = replace(
                row,
                as_of=launch,
                as_of_basis=f"the model's release day (models file `released`); {feed} dates it"
                f" {row.as_of}, before the release",
            )
        score = _score(row, model, bid, window, feed, rule)
        pair = (model, bid)
        if pair in chosen:
            kept = chosen[pair]
            alternative = {k: score[k] for k in ("score", "metric", "source") if k in score} | {
                "via": feed,
                "version": row.model,
            }
            alternative["why_not_used"] = (
                f"another {feed} row for the same model and benchmark came first"
                f" ({kept.get('version', kept['model'])})"
            )
            kept.setdefault("alternatives", []).append(alternative)
            result.alternatives += 1
            continue
        chosen[pair] = score
    result.scores = [chosen[pair] for pair in sorted(chosen)]
    return result


def _score(
    row: FeedScore, model: str, bid: str, window: str | None, feed: str, rule: BenchmarkRule
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "model": model,
        "benchmark": bid,
        "score": row.score,
        "metric": row.metric,
        "source": row.source,
    }
    if row.as_of is not None:
        out["as_of"] = row.as_of
    if row.as_of_basis:
        out["as_of_basis"] = row.as_of_basis
    if row.self_reported is not None:
        out["self_reported"] = row.self_reported
    out["via"] = feed
    if row.model != model:
        out["version"] = row.model
    if window is not None:
        out["window"] = window
    notes = [n for n in (row.note, rule.note) if n]
    if notes:
        out["note"] = " ".join(notes)[:4000]
    return out


def sheet_text(result: ScoreImport, attribution: Mapping[str, str], command: str) -> str:
    """The YAML text of a feed's scores sheet: a header with the command and the attribution,
    the import mark (a SHA-256 of the body, so a hand edit is never overwritten), then the data.

    Deterministic: the same feed data and catalog give the same bytes.
    """
    import hashlib

    from costcalc.importers.output import MARK
    from costcalc.yamlio import dump_yaml

    body = dump_yaml(
        {
            "kind": "scores",
            "role": "feed",
            "generated_by": command,
            "attribution": dict(attribution),
            "scores": result.scores,
        },
        quote_strings=True,
    )
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    header = [
        "# yaml-language-server: $schema=schemas/scores.schema.json",
        f"# Generated by `{command}`; refresh it with the same command.",
        "# Do not edit by hand: correct a score in a curated scores file (role: curated, the",
        "# default), which wins over this feed sheet in the same layer.",
        f"# Data: {attribution['name']}, {attribution['url']}, licensed {attribution['license']}.",
        f"# Changes: {attribution['changes']}",
        f"{MARK} {result.feed} sha256={digest}",
    ]
    return "\n".join(header) + "\n" + body
