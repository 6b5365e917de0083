"""The grouping, written once as SQL (DuckDB's dialect) and transpiled for Spark with sqlglot.

The engine reads every log into views `src_0`, `src_1`, … holding the normalised
columns as text (see costcalc.replay.formats). This module writes the one query
that types them, flags bad rows and groups the good ones by everything that
selects a price, summing tokens inside the engine:

- model and provider, as logged (names are resolved afterwards, once per name);
- the day (UTC) — prices and exchange rates are dated by day;
- `epoch`: how many of the catalog's intra-day price changes (a `valid_until` such
  as 2025-09-05T16:00:00Z) lie at or before the request, so a price change
  mid-log splits a group at the exact instant;
- `tod`: the slice of the day between the catalog's off-peak window edges, so a
  request is inside or outside every window as a whole group;
- `tier`: how many of the catalog's context-tier thresholds the prompt exceeds, so
  every request of a group falls in the same tier on every offer;
- `batch`, and whether the row logged a cost (for the reconciliation).

Bad rows (unparseable timestamp, empty model, a token count that is not a whole
number or is negative, cached + cache-write tokens above the prompt, an unreadable
cost) are counted per file and reason in their own groups, never priced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

MAX_TOKENS = 10**12
"""Largest token count of one row; more is a bad row (it would overflow the sums)."""

GROUP_COLUMNS = (
    "model",
    "provider",
    "day",
    "tod",
    "epoch",
    "tier",
    "batch",
    "has_cost",
    "bad",
    "src",
    "n_rows",
    "requests",
    "input_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cost",
)
"""The columns the grouping query returns, in order."""

BAD_REASONS = {
    "timestamp": "timestamp missing or unparseable",
    "model": "model missing",
    "tokens": "a token or request count is not a whole number (or over 10^12)",
    "negative": "a negative token or request count",
    "cached": "cached and cache-write tokens exceed input tokens",
    "cost": "cost is not a number",
}


@dataclass(frozen=True)
class Splits:
    """Where prices can change, from the catalog: the grouping splits there."""

    breakpoints: tuple[dt.datetime, ...] = ()
    """Intra-day instants (UTC) at which a price stops or starts holding, ascending."""
    tod_edges: tuple[int, ...] = ()
    """Minutes after midnight UTC at which an off-peak window opens or closes, ascending, > 0."""
    thresholds: tuple[int, ...] = ()
    """Context-tier thresholds (prompt tokens), ascending."""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def projection(index: int, columns: Sequence[tuple[str, str | None]]) -> str:
    """SELECT of one source as the normalised text columns; (normalised, source column|None)."""
    parts = [f"{index} AS src"]
    for norm, col in columns:
        parts.append(f"CAST({_q(col)} AS VARCHAR) AS {norm}" if col else f"NULL AS {norm}")
    return f"SELECT {', '.join(parts)} FROM src_{index}"


_WHOLE = (
    "requests",
    "input_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
)


def grouping_sql(projections: Sequence[str], splits: Splits) -> str:
    """The one grouping query, in DuckDB's dialect."""
    union = "\nUNION ALL\n".join(projections)
    typed = [
        "src",
        "TRY_CAST(TRIM(timestamp) AS TIMESTAMPTZ) AS t",
        "TRIM(model) AS model",
        "COALESCE(LOWER(TRIM(provider)), '') AS provider",
        "CASE WHEN LOWER(TRIM(batch)) IN ('true', '1', 'yes', 'y', 't') THEN 1 ELSE 0 END AS b",
        "NULLIF(TRIM(cost), '') AS cost_text",
        "TRY_CAST(NULLIF(TRIM(cost), '') AS DECIMAL(38, 18)) AS c",
    ]
    for col in _WHOLE:
        typed.append(f"NULLIF(TRIM({col}), '') AS {col}_text")
        typed.append(f"TRY_CAST(NULLIF(TRIM({col}), '') AS DECIMAL(38, 6)) AS {col}_dec")
    values = ["*"]
    not_whole = []
    negative = []
    for col in _WHOLE:
        default = 1 if col == "requests" else 0
        values.append(
            f"CASE WHEN {col}_text IS NULL THEN {default}"
            f" WHEN {col}_dec = FLOOR({col}_dec) AND ABS({col}_dec) <= {MAX_TOKENS}"
            f" THEN CAST({col}_dec AS BIGINT) END AS {col}"
        )
        not_whole.append(
            f"({col}_text IS NOT NULL AND ({col}_dec IS NULL"
            f" OR {col}_dec <> FLOOR({col}_dec) OR ABS({col}_dec) > {MAX_TOKENS}))"
        )
        negative.append(f"{col} < 0")
    bad = (
        "CASE WHEN t IS NULL THEN 'timestamp'"
        " WHEN model IS NULL OR model = '' THEN 'model'"
        f" WHEN {' OR '.join(not_whole)} THEN 'tokens'"
        f" WHEN {' OR '.join(negative)} THEN 'negative'"
        " WHEN cached_tokens + cache_write_tokens > input_tokens THEN 'cached'"
        " WHEN cost_text IS NOT NULL AND c IS NULL THEN 'cost'"
        " ELSE '' END AS bad"
    )
    minute = "(EXTRACT(HOUR FROM t) * 60 + EXTRACT(MINUTE FROM t))"
    tod = " + ".join(f"CASE WHEN {minute} >= {m} THEN 1 ELSE 0 END" for m in splits.tod_edges)
    epoch = " + ".join(
        "CASE WHEN t >= CAST("
        + _lit(b.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f+00:00"))
        + " AS TIMESTAMPTZ) THEN 1 ELSE 0 END"
        for b in splits.breakpoints
    )
    tier = " + ".join(
        f"CASE WHEN input_tokens > {t} * requests THEN 1 ELSE 0 END" for t in splits.thresholds
    )

    def good(expr: str, other: str = "NULL") -> str:
        return f"CASE WHEN bad = '' THEN {expr} ELSE {other} END"

    select = [
        good("model") + " AS model",
        good("provider") + " AS provider",
        good("CAST(t AS DATE)") + " AS day",
        good(f"({tod or '0'})", "0") + " AS tod",
        good(f"({epoch or '0'})", "0") + " AS epoch",
        good(f"({tier or '0'})", "0") + " AS tier",
        good("b", "0") + " AS batch",
        good("CASE WHEN c IS NULL THEN 0 ELSE 1 END", "0") + " AS has_cost",
        "bad",
        "src",
        "COUNT(*) AS n_rows",
    ]
    for col in _WHOLE:
        select.append(f"SUM(CASE WHEN bad = '' THEN {col} END) AS {col}")
    select.append("SUM(CASE WHEN bad = '' THEN c END) AS cost")
    keys = ", ".join(str(i) for i in range(1, 11))
    return (
        f"WITH log AS (\n{union}\n),\n"
        f"typed AS (SELECT {', '.join(typed)} FROM log),\n"
        f"checked AS (SELECT {', '.join(values)} FROM typed),\n"
        f"flagged AS (SELECT *, {bad} FROM checked)\n"
        f"SELECT {', '.join(select)}\nFROM flagged\nGROUP BY {keys}"
    )


def to_dialect(sql: str, dialect: str) -> str:
    """The query in another engine's dialect (sqlglot; imported only when needed)."""
    if dialect == "duckdb":
        return sql
    import sqlglot

    return str(sqlglot.transpile(sql, read="duckdb", write=dialect)[0])
