"""The typed result of a replay, and its JSON document (schema_version 1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from costcalc.money import decimal_str

SCHEMA_VERSION = 1


@dataclass
class Totals:
    """Requests, tokens and cost of some traffic (a model, a provider, a day, a month)."""

    requests: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cost: Decimal = Decimal(0)
    logged_cost: Decimal | None = None

    def add_tokens(self, sums: tuple[int, ...]) -> None:
        self.requests += sums[0]
        self.input_tokens += sums[1]
        self.cached_tokens += sums[2]
        self.cache_write_tokens += sums[3]
        self.output_tokens += sums[4]
        self.reasoning_tokens += sums[5]

    def add_logged(self, amount: Decimal | None) -> None:
        if amount is not None:
            self.logged_cost = (self.logged_cost or Decimal(0)) + amount

    def tokens_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "input_tokens": self.input_tokens,
            "cached_tokens": self.cached_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "output_tokens": self.output_tokens,
            "reasoning_tokens": self.reasoning_tokens,
        }


@dataclass(frozen=True)
class FileRead:
    file: str
    format: str
    rows: int


@dataclass(frozen=True)
class BadRow:
    file: str
    line: int
    reason: str


@dataclass(frozen=True)
class Unpriced:
    model: str
    provider: str
    requests: int
    reason: str
    logged_cost: Decimal | None


@dataclass(frozen=True)
class Difference:
    """Logged cost against list price for one model, provider and day."""

    model: str
    provider: str
    day: dt.date
    requests: int
    logged: Decimal
    list_price: Decimal

    @property
    def difference(self) -> Decimal:
        return self.logged - self.list_price


@dataclass(frozen=True)
class RowDifference:
    """One logged row whose logged cost differs from its list price."""

    file: str
    line: int | None
    """The record's line in a vendor export (None for the generic format)."""
    timestamp: str
    """The request's instant, UTC, as the engine read it."""
    model: str
    provider: str
    """As logged (normalised: trimmed, provider lower-case)."""
    requests: int
    input_tokens: int
    cached_tokens: int
    cache_write_tokens: int
    output_tokens: int
    reasoning_tokens: int
    logged: Decimal
    list_price: Decimal

    @property
    def difference(self) -> Decimal:
        return self.logged - self.list_price


@dataclass(frozen=True)
class Reconciliation:
    """The billed (logged) cost against costcalc's list price, on the rows that carry both."""

    logged_total: Decimal
    list_total: Decimal
    """List price of the priced rows that logged a cost."""
    requests: int
    logged_unpriced: Decimal
    """Logged cost of rows costcalc could not price (unknown model, no price that day)."""
    top: list[Difference]
    rows: list[RowDifference] | None = None
    """The rows that differ most (None: not asked for, `row_differences=0`)."""

    @property
    def difference(self) -> Decimal:
        return self.logged_total - self.logged_unpriced - self.list_total


@dataclass(frozen=True)
class Alternative:
    """The priced traffic repriced on another offer, as a band, against the actual cost."""

    model: str
    provider: str
    cost_low: Decimal
    cost: Decimal
    cost_high: Decimal
    saving: Decimal
    """Actual cost of the same traffic minus `cost` (positive: the alternative is cheaper)."""
    good_enough: bool
    quality: Decimal
    same_model_share: Decimal
    """Share of the repriced tokens already on this model (no band on that part)."""

    @property
    def label(self) -> str:
        return f"{self.model} @ {self.provider}"


@dataclass
class ReplayResult:
    """Everything `costcalc replay` reports."""

    currency: str
    files: list[FileRead]
    rows: int
    bad_rows: int
    bad_by_reason: dict[str, int]
    bad_examples: list[BadRow]
    total: Decimal
    priced_requests: int
    first_day: dt.date | None
    last_day: dt.date | None
    by_model: dict[tuple[str, str], Totals]
    by_provider: dict[str, Totals]
    by_day: dict[dt.date, Totals]
    by_month: dict[str, Totals]
    unpriced: list[Unpriced]
    logged_total: Decimal | None
    reconciliation: Reconciliation | None
    alternatives: list[Alternative]
    alternatives_as_of: dt.date | None
    spread: Decimal
    bar: Decimal | None
    profile: str
    best_alternative_by_day: dict[dt.date, Decimal] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def best_alternative(self) -> Alternative | None:
        good = [a for a in self.alternatives if a.good_enough]
        return good[0] if good else None


def _money(value: Decimal | None) -> str | None:
    return None if value is None else decimal_str(value)


def _quality(value: Decimal) -> float:
    return float(round(value, 2))


def payload(result: ReplayResult) -> dict[str, Any]:
    """The JSON document: stable keys, decimal strings for money, integers for counts."""
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "currency": result.currency,
        "rows": result.rows,
        "files": [{"file": f.file, "format": f.format, "rows": f.rows} for f in result.files],
        "bad_rows": {
            "count": result.bad_rows,
            "by_reason": dict(sorted(result.bad_by_reason.items())),
            "examples": [
                {"file": b.file, "line": b.line, "reason": b.reason} for b in result.bad_examples
            ],
        },
        "first_day": result.first_day.isoformat() if result.first_day else None,
        "last_day": result.last_day.isoformat() if result.last_day else None,
        "requests": result.priced_requests,
        "total": decimal_str(result.total),
        "by_model": [
            {
                "model": m,
                "provider": p,
                **t.tokens_json(),
                "cost": decimal_str(t.cost),
                "logged_cost": _money(t.logged_cost),
            }
            for (m, p), t in sorted(result.by_model.items())
        ],
        "by_provider": [
            {
                "provider": p,
                "requests": t.requests,
                "cost": decimal_str(t.cost),
                "logged_cost": _money(t.logged_cost),
            }
            for p, t in sorted(result.by_provider.items())
        ],
        "by_day": [
            {
                "day": d.isoformat(),
                "requests": t.requests,
                "cost": decimal_str(t.cost),
                "logged_cost": _money(t.logged_cost),
            }
            for d, t in sorted(result.by_day.items())
        ],
        "by_month": [
            {
                "month": m,
                "requests": t.requests,
                "cost": decimal_str(t.cost),
                "logged_cost": _money(t.logged_cost),
            }
            for m, t in sorted(result.by_month.items())
        ],
        "unpriced": [
            {
                "model": u.model,
                "provider": u.provider,
                "requests": u.requests,
                "reason": u.reason,
                "logged_cost": _money(u.logged_cost),
            }
            for u in result.unpriced
        ],
        "logged_total": _money(result.logged_total),
    }
    rec = result.reconciliation
    doc["reconciliation"] = (
        None
        if rec is None
        else {
            "logged_total": decimal_str(rec.logged_total),
            "logged_unpriced": decimal_str(rec.logged_unpriced),
            "list_total": decimal_str(rec.list_total),
            "difference": decimal_str(rec.difference),
            "requests": rec.requests,
            "top": [
                {
                    "model": d.model,
                    "provider": d.provider,
                    "day": d.day.isoformat(),
                    "requests": d.requests,
                    "logged": decimal_str(d.logged),
                    "list": decimal_str(d.list_price),
                    "difference": decimal_str(d.difference),
                }
                for d in rec.top
            ],
            "rows": None
            if rec.rows is None
            else [
                {
                    "file": r.file,
                    "line": r.line,
                    "timestamp": r.timestamp,
                    "model": r.model,
                    "provider": r.provider,
                    "requests": r.requests,
                    "input_tokens": r.input_tokens,
                    "cached_tokens": r.cached_tokens,
                    "cache_write_tokens": r.cache_write_tokens,
                    "output_tokens": r.output_tokens,
                    "reasoning_tokens": r.reasoning_tokens,
                    "logged": decimal_str(r.logged),
                    "list": decimal_str(r.list_price),
                    "difference": decimal_str(r.difference),
                }
                for r in rec.rows
            ],
        }
    )
    doc["counterfactual"] = {
        "as_of": result.alternatives_as_of.isoformat() if result.alternatives_as_of else None,
        "profile": result.profile,
        "bar": None if result.bar is None else _quality(result.bar),
        "spread": decimal_str(result.spread),
        "best": result.best_alternative.label if result.best_alternative else None,
    }
    doc["alternatives"] = [
        {
            "model": a.model,
            "provider": a.provider,
            "cost_low": decimal_str(a.cost_low),
            "cost": decimal_str(a.cost),
            "cost_high": decimal_str(a.cost_high),
            "saving": decimal_str(a.saving),
            "good_enough": a.good_enough,
            "quality": _quality(a.quality),
            "same_model_share": float(round(a.same_model_share, 4)),
        }
        for a in result.alternatives
    ]
    doc["notes"] = list(result.notes)
    return doc
