"""A replay as tables (table, Markdown, CSV) and as a spend-per-day chart."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from costcalc.money import decimal_str, fmt_money, fmt_tokens
from costcalc.render.tables import Column, Table
from costcalc.replay.result import ReplayResult

NOTES_SHOWN = 5
"""Notes about offers left out of the alternatives shown under the table (JSON has them all)."""


def tables(result: ReplayResult) -> list[Table]:
    """By model, the alternatives, and notes (bad rows, unpriced, reconciliation)."""
    cur = result.currency
    span = f"{result.first_day} .. {result.last_day}" if result.first_day else "no priced traffic"
    models = Table(
        [
            Column("model", no_wrap=True, essential=True),
            Column("provider", no_wrap=True, priority=8, stack_under="model"),
            Column("requests", "right", priority=6),
            Column("input", "right", priority=5),
            Column("cached", "right", priority=3),
            Column("output", "right", priority=4),
            Column("cost", "right", essential=True),
            Column("logged", "right", priority=7),
        ],
        title=f"replay · {result.rows:,} rows · {span} · list price {fmt_money(result.total, cur)}",
    )
    for (model, provider), t in sorted(result.by_model.items(), key=lambda kv: -kv[1].cost):
        models.rows.append(
            [
                model,
                provider,
                f"{t.requests:,}",
                fmt_tokens(Decimal(t.input_tokens)),
                fmt_tokens(Decimal(t.cached_tokens)),
                fmt_tokens(Decimal(t.output_tokens)),
                fmt_money(t.cost, cur),
                fmt_money(t.logged_cost, cur) if t.logged_cost is not None else "-",
            ]
        )
    notes = models.notes
    for u in result.unpriced:
        notes.append(
            f"not priced: {u.model}{' @ ' + u.provider if u.provider else ''}:"
            f" {u.requests:,} requests ({u.reason})"
        )
    if result.bad_rows:
        notes.append(
            f"bad rows: {result.bad_rows:,} ("
            + "; ".join(f"{k}: {v:,}" for k, v in sorted(result.bad_by_reason.items()))
            + ")"
        )
        notes += [f"  {b.file}:{b.line}: {b.reason}" for b in result.bad_examples]
    rec = result.reconciliation
    if rec is not None:
        notes.append(
            f"logged {fmt_money(rec.logged_total, cur)}; on the {rec.requests:,} priced requests"
            f" that logged a cost: logged {fmt_money(rec.logged_total - rec.logged_unpriced, cur)}"
            f" vs list {fmt_money(rec.list_total, cur)}, difference"
            f" {fmt_money(rec.difference, cur)}"
        )
        for d in rec.top[:5]:
            if d.difference:
                notes.append(
                    f"  {d.day} {d.model} @ {d.provider}: logged {fmt_money(d.logged, cur)}"
                    f" vs list {fmt_money(d.list_price, cur)} ({fmt_money(d.difference, cur)})"
                )
    out = [models]
    if rec is not None and rec.rows:
        rows = Table(
            [
                Column("file", no_wrap=True),
                Column("line", "right"),
                Column("timestamp (UTC)", no_wrap=True),
                Column("model", no_wrap=True),
                Column("input", "right"),
                Column("output", "right"),
                Column("logged", "right"),
                Column("list", "right"),
                Column("difference", "right"),
            ],
            title=f"the {len(rec.rows)} rows whose logged cost differs most from list price",
        )
        for r in rec.rows:
            rows.rows.append(
                [
                    r.file,
                    "-" if r.line is None else str(r.line),
                    r.timestamp,
                    f"{r.model} @ {r.provider}" if r.provider else r.model,
                    fmt_tokens(Decimal(r.input_tokens)),
                    fmt_tokens(Decimal(r.output_tokens + r.reasoning_tokens)),
                    fmt_money(r.logged, cur),
                    fmt_money(r.list_price, cur),
                    fmt_money(r.difference, cur),
                ]
            )
        out.append(rows)
    alts = Table(
        [
            Column("alternative", no_wrap=True, essential=True),
            Column("good enough", priority=9),
            Column("quality", "right", priority=6),
            Column("cost", "right", essential=True),
            Column("band", "right", priority=2),
            Column("saving", "right", priority=8),
        ],
        title=(
            f"the same traffic on other offers · prices as logged, good enough as of"
            f" {result.alternatives_as_of} · band ±{decimal_str(result.spread * 100)}%"
            " on traffic moved to another model"
        ),
    )
    for a in result.alternatives:
        alts.rows.append(
            [
                a.label,
                "yes" if a.good_enough else "no",
                f"{a.quality:.1f}",
                fmt_money(a.cost, cur),
                f"{fmt_money(a.cost_low, cur)} – {fmt_money(a.cost_high, cur)}",
                fmt_money(a.saving, cur),
            ]
        )
    best = result.best_alternative
    if best is not None:
        alts.notes.append(
            f"Cheapest good-enough alternative: {best.label} at {fmt_money(best.cost, cur)}"
            f" ({fmt_money(best.cost_low, cur)} – {fmt_money(best.cost_high, cur)}) against"
            f" {fmt_money(result.total, cur)} at list price: saving {fmt_money(best.saving, cur)}."
        )
    shown = result.notes[:NOTES_SHOWN]
    alts.notes += shown
    if len(result.notes) > len(shown):
        alts.notes.append(
            f"… and {len(result.notes) - len(shown)} more offers left out (see --format json)"
        )
    return [*out, alts]


def csv_table(result: ReplayResult) -> Table:
    """One flat row per model with exact values (CSV)."""
    table = Table(
        [
            Column(c)
            for c in (
                "model",
                "provider",
                "requests",
                "input_tokens",
                "cached_tokens",
                "cache_write_tokens",
                "output_tokens",
                "reasoning_tokens",
                "cost",
                "logged_cost",
                "currency",
            )
        ]
    )
    for (model, provider), t in sorted(result.by_model.items()):
        table.rows.append(
            [
                model,
                provider,
                str(t.requests),
                str(t.input_tokens),
                str(t.cached_tokens),
                str(t.cache_write_tokens),
                str(t.output_tokens),
                str(t.reasoning_tokens),
                decimal_str(t.cost),
                decimal_str(t.logged_cost) if t.logged_cost is not None else "",
                result.currency,
            ]
        )
    return table


def plot(result: ReplayResult, fmt: str) -> bytes:
    """Spend per day: the actual list price against the best good-enough alternative."""
    from costcalc.errors import InputError

    try:
        import matplotlib

        matplotlib.use("Agg")
        matplotlib.rcParams["svg.hashsalt"] = "costcalc"
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("--plot needs matplotlib: pip install 'costcalc[plot]'") from None
    import io

    if fmt not in ("png", "svg"):
        raise InputError(f"--plot: expected a .png or .svg file name, got .{fmt}")
    days: Any = sorted(result.by_day)  # matplotlib plots dates; its stubs say floats
    fig, ax = plt.subplots(figsize=(9, 4.5))
    actual = [float(result.by_day[d].cost) for d in days]
    ax.plot(days, actual, marker="o", label=f"actual at list price ({result.currency})")
    best = result.best_alternative
    if best is not None and result.best_alternative_by_day:
        alt = [float(result.best_alternative_by_day.get(d, Decimal(0))) for d in days]
        ax.plot(days, alt, marker="s", label=f"{best.label} (good enough)")
        spread = float(result.spread) if best.same_model_share < 1 else 0.0
        ax.fill_between(
            days, [v * (1 - spread) for v in alt], [v * (1 + spread) for v in alt], alpha=0.2
        )
    ax.set_ylabel(f"spend per day ({result.currency})")
    ax.set_title("costcalc replay: spend per day")
    ax.legend()
    fig.autofmt_xdate()
    out = io.BytesIO()
    metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {}
    fig.savefig(out, format=fmt, metadata=metadata, bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()
