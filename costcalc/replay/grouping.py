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
    "tokens": "a token or request count is not plain digits (or is over 10^12)",
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


def _flag(condition: str) -> str:
    return f"CAST(({condition}) AS INTEGER)"


def grouping_sql(projections: Sequence[str], splits: Splits) -> str:
    """The one grouping query, in DuckDB's dialect.

    Written without CASE around shared expressions (booleans are summed as integers),
    so that the engine's common-subexpression elimination parses each timestamp and
    count once per row.
    """
    union = "\nUNION ALL\n".join(projections)
    typed = [
        "src",
        "TRY_CAST(TRIM(timestamp) AS TIMESTAMPTZ) AS t",
        "TRIM(model) AS model",
        "COALESCE(LOWER(TRIM(provider)), '') AS provider",
        _flag("LOWER(TRIM(batch)) IN ('true', '1', 'yes', 'y', 't')") + " AS batch",
        "NULLIF(TRIM(cost), '') AS cost_text",
    ]
    for col in _WHOLE:
        typed.append(f"NULLIF(TRIM({col}), '') AS {col}_text")
    values = [
        "src",
        "t",
        "model",
        "provider",
        "batch",
        "cost_text",
        "TRY_CAST(cost_text AS DECIMAL(38, 18)) AS c",
    ]
    for col in _WHOLE:
        default = 1 if col == "requests" else 0
        values.append(f"COALESCE(TRY_CAST({col}_text AS BIGINT), {default}) AS {col}")
        # Canonical digits only: each engine's cast accepts different oddities
        # ('12.0', '1e3', '0x1F', '1_000', '+5'); read back, they differ from the text.
        values.append(
            f"({col}_text IS NOT NULL AND"
            f" (COALESCE(CAST(TRY_CAST({col}_text AS BIGINT) AS VARCHAR), '') <> {col}_text"
            f" OR ABS(TRY_CAST({col}_text AS BIGINT)) > {MAX_TOKENS})) AS {col}_odd"
        )
    bad = (
        "CASE WHEN t IS NULL THEN 'timestamp'"
        " WHEN model IS NULL OR model = '' THEN 'model'"
        f" WHEN {' OR '.join(f'{c}_odd' for c in _WHOLE)} THEN 'tokens'"
        f" WHEN {' OR '.join(f'{c} < 0' for c in _WHOLE)} THEN 'negative'"
        " WHEN cached_tokens + cache_write_tokens > input_tokens THEN 'cached'"
        " WHEN cost_text IS NOT NULL AND c IS NULL THEN 'cost'"
        " ELSE '' END AS bad"
    )
    minute = "(FLOOR(EPOCH(t) / 60) % 1440)"
    tod = " + ".join(_flag(f"{minute} >= {m}") for m in splits.tod_edges) or "0"
    epoch = (
        " + ".join(
            _flag(
                "t >= CAST("
                + _lit(b.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f+00:00"))
                + " AS TIMESTAMPTZ)"
            )
            for b in splits.breakpoints
        )
        or "0"
    )
    tier = " + ".join(_flag(f"input_tokens > {t} * requests") for t in splits.thresholds) or "0"
    select = [
        "model",
        "provider",
        "CAST(t AS DATE) AS day",
        f"{tod} AS tod",
        f"{epoch} AS epoch",
        f"{tier} AS tier",
        "batch",
        _flag("c IS NOT NULL") + " AS has_cost",
        "bad",
        "src",
        "COUNT(*) AS n_rows",
    ]
    for col in _WHOLE:
        select.append(f"SUM({col}) AS {col}")
    select.append("SUM(c) AS cost")
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
