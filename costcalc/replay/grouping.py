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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

MAX_TOKENS = 10**12
"""Largest token count of one row; more is a bad row (it would overflow the sums)."""

GROUP_COLUMNS = (
    "model",
    "provider",
    "src",
    "k",
    "n_rows",
    "requests",
    "input_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cost",
)
"""The columns the grouping query returns, in order; `k` packs the other keys (see `Key`);
the sums of a column some source has, and the cost, are text (see `grouping_sql`)."""

BAD_CODES = ("", "cost", "cached", "negative", "tokens", "model", "timestamp")
"""A bad row's reason by its code (0: good); of several, the highest code is reported."""

BAD_REASONS = {
    "timestamp": "timestamp missing or unparseable",
    "model": "model missing",
    "tokens": "a token or request count is not plain digits (or is over 10^12)",
    "negative": "a negative token or request count",
    "cached": "cached and cache-write tokens exceed input tokens",
    "cost": "cost is not a number (or has more than 20 whole digits)",
}

KINDS = ("text", "int", "timestamptz", "timestamp", "decimal", "bool")
"""How a source column is typed: text (CSV, JSON lines, anything else cast to text) or, in
Parquet, a whole number, an instant, a naive UTC timestamp, a decimal or a boolean."""


def kind_of(column: str, engine_type: str) -> str:
    """The kind of a Parquet column (DuckDB's type name) for the normalised column it fills.

    Only types whose meaning is the text path's own are taken as typed: whole numbers
    for counts, timestamps for the timestamp, a DECIMAL for the cost, a BOOLEAN for
    batch. Anything else is read as text, as CSV is.
    """
    t = engine_type.strip().upper()
    if column in _WHOLE and t in (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
    ):
        return "int"
    if column == "timestamp" and t == "TIMESTAMP WITH TIME ZONE":
        return "timestamptz"
    if column == "timestamp" and t in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"):
        return "timestamp"
    if column == "cost" and t.startswith("DECIMAL"):
        return "decimal"
    if column == "batch" and t == "BOOLEAN":
        return "bool"
    return "text"


Era = tuple[dt.datetime | None, tuple[int, ...]]
"""(until, live): up to the instant `until` (None: from then on), only the edges or
thresholds at these indices can change a price; see `Splits`."""


@dataclass(frozen=True)
class Splits:
    """Where prices can change, from the catalog: the grouping splits there.

    An off-peak edge or a tier threshold splits only while some offer's price period
    that has it can hold (`tod_eras`, `tier_eras`; empty: all of them always). Elsewhere
    the slices it divides are one slice, numbered as the lower one: a slice's number
    is still the index of the edge or threshold it starts at, so an instant at that
    start (`pricing.instant_at`) or a prompt above that threshold prices the whole
    slice, since no price holding there tells its parts apart. The bundled catalog's
    2026 tiers and windows then do not split a log of 2025: a third of the groups.
    """

    breakpoints: tuple[dt.datetime, ...] = ()
    """Intra-day instants (UTC) at which a price stops or starts holding, ascending."""
    tod_edges: tuple[int, ...] = ()
    """Minutes after midnight UTC at which an off-peak window opens or closes, ascending, > 0."""
    thresholds: tuple[int, ...] = ()
    """Context-tier thresholds (prompt tokens), ascending."""
    tod_eras: tuple[Era, ...] = ()
    """Which `tod_edges` are live when, in eras ascending (each until an instant at midnight
    or in `breakpoints`, so a day's slice between breakpoints is in one era)."""
    tier_eras: tuple[Era, ...] = ()
    """Which `thresholds` are live when, likewise."""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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


_TRUE = ("true", "1", "yes", "y", "t")


def projection(
    index: int,
    columns: Sequence[tuple[str, str | None]],
    kinds: Mapping[str, str] | None = None,
    line: str | None = None,
) -> str:
    """One source typed and checked: `src, t, model, provider, batch, cost_given, c`, and
    each count with its `_odd` flag (not canonical digits, or over 10^12).

    `columns` maps each normalised column to the source's column (None: absent); `kinds`
    gives a Parquet column's kind (see `kind_of`; default text). Typed columns are used as
    they are, with no round trip through text. `line`: the source's column holding each
    record's line (flattened vendor exports), passed on as `line`.
    """
    kinds = kinds or {}
    inner = [f"{index} AS src"]
    outer = ["src", "line"]
    # The record's line, where the source has one (flattened vendor exports).
    inner.append(
        f"TRY_CAST({_q(line)} AS BIGINT) AS line" if line else "CAST(NULL AS BIGINT) AS line"
    )
    for norm, col in columns:
        kind = kinds.get(norm, "text") if col else "text"
        if col is None:
            inner.append(f"NULL AS {norm}")
        elif kind == "text" and norm == "timestamp":
            # The engines' timestamp casts skip surrounding blanks themselves.
            inner.append(f"NULLIF(CAST({_q(col)} AS VARCHAR), '') AS {norm}")
        elif kind == "text" and norm in _WHOLE:
            # Untrimmed: the engines' integer casts skip surrounding blanks themselves, and
            # the canonical-digits check below trims only the rare text that differs.
            inner.append(f"CAST({_q(col)} AS VARCHAR) AS {norm}")
        elif kind == "text":
            inner.append(f"NULLIF(TRIM(CAST({_q(col)} AS VARCHAR)), '') AS {norm}")
        else:
            inner.append(f"{_q(col)} AS {norm}")
        if norm == "timestamp":
            outer.append(
                {
                    "timestamptz": "timestamp AS t",
                    "timestamp": "CAST(timestamp AS TIMESTAMPTZ) AS t",
                }.get(kind, "TRY_CAST(timestamp AS TIMESTAMPTZ) AS t")
            )
        elif norm == "model":
            outer.append("model")
        elif norm == "provider":
            outer.append("COALESCE(LOWER(provider), '') AS provider")
        elif norm == "batch":
            if kind == "bool":
                outer.append(_flag("COALESCE(batch, FALSE)") + " AS batch")
            else:
                # Comparisons, not IN (...): DuckDB plans a list as a join.
                anyof = " OR ".join(f"LOWER(batch) = {_lit(v)}" for v in _TRUE)
                outer.append(_flag(f"COALESCE({anyof}, FALSE)") + " AS batch")
        elif norm == "cost":
            outer.append("cost IS NOT NULL AS cost_given")
            outer.append("TRY_CAST(cost AS DECIMAL(38, 18)) AS c")
        elif norm in _WHOLE:
            default = 1 if norm == "requests" else 0
            if col is None:  # absent: its default in every row (constants, nothing to check)
                outer.append(f"CAST({default} AS BIGINT) AS {norm}")
                outer.append(f"FALSE AS {norm}_odd")
                continue
            if kind == "int":
                outer.append(f"COALESCE(CAST({norm} AS BIGINT), {default}) AS {norm}")
                outer.append(f"COALESCE(ABS({norm}) > {MAX_TOKENS}, FALSE) AS {norm}_odd")
                continue
            value = f"TRY_CAST({norm} AS BIGINT)"
            outer.append(f"COALESCE({value}, {default}) AS {norm}")
            # Canonical digits only: each engine's cast accepts different oddities
            # ('12.0', '1e3', '0x1F', '1_000', '+5'); read back, they differ from the text
            # with its surrounding blanks trimmed (blank text counts as absent: it reads
            # back as ''). A text that reads back as itself (almost every row) needs only
            # the range check; the others are compared again, trimmed only where they
            # differ untrimmed: the engines evaluate a CASE branch, and the right side of
            # AND, only for the rows left.
            back = f"COALESCE(CAST({value} AS VARCHAR), '')"
            outer.append(
                f"CASE WHEN CAST({value} AS VARCHAR) = {norm} THEN ABS({value}) > {MAX_TOKENS}"
                f" ELSE (COALESCE({back} <> {norm} AND {back} <> TRIM({norm}), FALSE)"
                f" OR COALESCE(ABS({value}) > {MAX_TOKENS}, FALSE)) END AS {norm}_odd"
            )
    source = f"(SELECT {', '.join(inner)} FROM src_{index}) AS s{index}"
    return f"SELECT {', '.join(outer)} FROM {source}"


@dataclass(frozen=True)
class Key:
    """How the grouping packs day, slices, batch, logged cost and bad-row code in one integer.

    `k = ((((((day * 7 + bad) * 2 + has_cost) * 2 + batch) * tiers + tier) * epochs + epoch)
    * tods + tod)` with `day` the days since 1970-01-01 (UTC; 0 for a row with no
    timestamp); one integer key groups faster than eight.
    """

    tods: int
    epochs: int
    tiers: int

    def unpack(self, k: int) -> tuple[dt.date, int, int, int, int, int, int]:
        """(day, tod, epoch, tier, batch, has_cost, bad code)."""
        k, tod = divmod(k, self.tods)
        k, epoch = divmod(k, self.epochs)
        k, tier = divmod(k, self.tiers)
        k, batch = divmod(k, 2)
        k, has_cost = divmod(k, 2)
        day, bad = divmod(k, len(BAD_CODES))
        return EPOCH_DAY + dt.timedelta(days=day), tod, epoch, tier, batch, has_cost, bad


EPOCH_DAY = dt.date(1970, 1, 1)


def key_of(splits: Splits) -> Key:
    return Key(len(splits.tod_edges) + 1, len(splits.breakpoints) + 1, len(splits.thresholds) + 1)


def _flagged(projections: Sequence[str]) -> str:
    """`WITH log AS (…), flagged AS (…)`: every source's rows, with their bad-row code.

    A row is good when every check passes; only the rows that fail one are told apart by
    a CASE in the order of `BAD_CODES`, highest code first (each condition is a plain
    comparison of the typed columns, never NULL but for `model = ''`, which a WHEN takes
    as false). Most rows are good: the engines evaluate one conjunction for them instead
    of six flags, each cast to an integer and weighed.
    """
    union = "\nUNION ALL\n".join(projections)
    odd = " OR ".join(f"{c}_odd" for c in _WHOLE)
    negative = " OR ".join(f"{c} < 0" for c in _WHOLE)
    codes = {name: n for n, name in enumerate(BAD_CODES)}
    checks = (
        ("timestamp", "t IS NULL", "t IS NOT NULL"),
        ("model", "model IS NULL OR model = ''", "model <> ''"),
        ("tokens", odd, f"NOT ({odd})"),
        ("negative", negative, f"NOT ({negative})"),
        (
            "cached",
            "cached_tokens + cache_write_tokens > input_tokens",
            "cached_tokens + cache_write_tokens <= input_tokens",
        ),
        ("cost", "cost_given AND c IS NULL", "(c IS NOT NULL OR NOT cost_given)"),
    )
    good = " AND ".join(passes for _name, _fails, passes in checks)
    which = " ".join(f"WHEN {fails} THEN {codes[name]}" for name, fails, _passes in checks)
    bad = f"CASE WHEN {good} THEN 0 ELSE CASE {which} ELSE 0 END END"
    return f"WITH log AS (\n{union}\n),\nflagged AS (SELECT *, {bad} AS bad FROM log)"


def _slice(
    values: Sequence[str],
    below: Callable[[str], str],
    first: str = "",
    live: Sequence[int] | None = None,
) -> str:
    """How many of the ascending `values` a row is at or past: a CASE that stops at the first
    value the row is `below` (most rows stop early; no flag per value to add up). `first`:
    a leading `WHEN … THEN …` for the rows to leave out. `live`: the indices of the values
    that split (None: all); a row past a live value and below the next live one is
    numbered as past that value (see `Splits`)."""
    if live is None:
        live = range(len(values))
    if not live:
        return "0"
    lower = [0, *(n + 1 for n in live)]
    whens = " ".join(f"WHEN {below(values[n])} THEN {lower[i]}" for i, n in enumerate(live))
    return f"CASE {first}{whens} ELSE {lower[-1]} END"


def _by_era(eras: Sequence[Era], case: Callable[[Sequence[int] | None], str]) -> str:
    """`case(live)` for the era a row's instant `t` is in: a CASE over the eras' ends (a
    row with no instant takes the last era; its key is NULL anyway, see `_packed`)."""
    if not eras:
        return case(None)
    parts: list[tuple[dt.datetime | None, str]] = []
    for until, live in eras:
        text = case(live)
        if parts and parts[-1][1] == text:
            parts[-1] = (until, text)
        else:
            parts.append((until, text))
    if len(parts) == 1:
        return parts[0][1]
    whens = " ".join(f"WHEN t < {_instant(until)} THEN {text}" for until, text in parts[:-1])
    return f"CASE {whens} ELSE {parts[-1][1]} END"


def _instant(at: dt.datetime | None) -> str:
    assert at is not None, "only the last era is open-ended"
    return (
        "CAST("
        + _lit(at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f+00:00"))
        + " AS TIMESTAMPTZ)"
    )


def _requests_upto(threshold: int) -> str:
    """A good row's request count, capped where `threshold` times it could overflow a BIGINT.

    A good row has at most 10^12 input tokens, so from c = ceil(10^12 / threshold) requests
    on, `input_tokens <= threshold * requests` holds for c as for any larger count: the cap
    keeps the answer and the product stays under 10^12 + threshold. (A threshold above
    about 9.2 million tokens times 10^12 requests overflowed.)
    """
    if threshold <= 0 or threshold * MAX_TOKENS < 2**63:
        return "requests"
    return f"LEAST(requests, {-(-MAX_TOKENS // threshold)})"


def _packed(splits: Splits) -> str:
    """The packed key `k` of a row (see `Key`), over the columns of `flagged`.

    Only a row with no timestamp has a NULL part (day, epoch, time of day): the whole key
    is NULL then, and the row, bad for that, is keyed by its bad-row code alone (day 0,
    every other part 0). Good rows never have a NULL part.
    """
    key = key_of(splits)
    seconds = "EPOCH(t)"
    # Whole minutes since midnight UTC; `%` keeps the sign of a time before 1970 as the
    # engines' modulo does (such a minute is below every edge).
    minute = f"(CAST(FLOOR({seconds} / 60) AS BIGINT) % 1440)"
    edges = [str(m) for m in splits.tod_edges]
    tod = _by_era(
        splits.tod_eras, lambda live: _slice(edges, lambda m: f"{minute} < {m}", "", live)
    )
    epoch = _slice([_instant(b) for b in splits.breakpoints], lambda b: f"t < {b}")
    # A bad row's tier is 0: its counts may be anything up to 2^63 - 1, and the product
    # would overflow (an engine error naming no file); a good row's are at most 10^12.
    thresholds = [str(t) for t in splits.thresholds]
    tier = _by_era(
        splits.tier_eras,
        lambda live: _slice(
            thresholds,
            lambda t: f"input_tokens <= {t} * {_requests_upto(int(t))}",
            "WHEN bad > 0 THEN 0 ",
            live,
        ),
    )
    day = f"CAST(FLOOR({seconds} / 86400) AS BIGINT)"
    has_cost = "CAST((c IS NOT NULL) AS BIGINT)"
    packed = (
        f"(((((({day} * {len(BAD_CODES)} + bad) * 2 + {has_cost}) * 2 + batch)"
        f" * {key.tiers} + {tier}) * {key.epochs} + {epoch}) * {key.tods} + {tod})"
    )
    return f"COALESCE({packed}, bad * {2 * 2 * key.tiers * key.epochs * key.tods})"


def grouping_sql(
    projections: Sequence[str], splits: Splits, summed: Collection[str] | None = None
) -> str:
    """The one grouping query, in DuckDB's dialect.

    Each timestamp and count is parsed once per row, in the sources' projection (`log`);
    the CASEs above it (bad-row code, slices of the key) compare its columns only.
    `summed`: the counts some source has (None: all); the others are their default in
    every row and are not summed. The sums come back as text (digits; the cost as the
    engine writes a decimal): DuckDB hands a 128-bit integer or a DECIMAL to Python
    through a generic value conversion about ten times slower than a string, which at
    30,000 groups cost a fixed 0.2-0.4 s.
    """
    packed = _packed(splits)
    select = ["model", "provider", "src", f"{packed} AS k", "COUNT(*) AS n_rows"]
    for col in _WHOLE:
        if summed is None or col in summed:
            select.append(f"CAST(SUM({col}) AS VARCHAR) AS {col}")
        else:  # no source has the column: its default in every row
            select.append("COUNT(*) AS requests" if col == "requests" else f"0 AS {col}")
    select.append("CAST(SUM(c) AS VARCHAR) AS cost")
    return f"{_flagged(projections)}\nSELECT {', '.join(select)}\nFROM flagged\nGROUP BY 1, 2, 3, 4"


UNIT_COLUMNS = ("u_input", "u_cached", "u_write", "u_output", "u_reasoning")
"""Per-token list prices of a price group, in the order `rows_sql` takes them."""


def rows_sql(
    projections: Sequence[str],
    splits: Splits,
    prices: Sequence[tuple[int, str, str, int, Sequence[Decimal]]],
    limit: int,
) -> str:
    """The `limit` rows with a logged cost that differ most from list price (approximately).

    `prices`: (src, model, provider, k, per-token prices in `UNIT_COLUMNS` order) of every
    priced group with logged costs. Each good row with a cost is joined to its group's
    prices; a row's list price is its tokens times them (uncached input, cache reads,
    cache writes, output, reasoning). The ranking here is in floating point; the caller
    recomputes the candidates exactly and ranks them again, so ask for a margin.
    Returns `src, line, t (text), model, provider, k`, the counts, and the cost as text.
    """
    values = ", ".join(
        f"({src}, {_lit(model)}, {_lit(provider)}, {k}, "
        + ", ".join(f"CAST({_lit(format(u, 'f'))} AS DOUBLE)" for u in units)
        + ")"
        for src, model, provider, k, units in prices
    )
    names = "src, model, provider, k, " + ", ".join(UNIT_COLUMNS)
    listed = (
        "(CAST(input_tokens - cached_tokens - cache_write_tokens AS DOUBLE) * p.u_input"
        " + CAST(cached_tokens AS DOUBLE) * p.u_cached"
        " + CAST(cache_write_tokens AS DOUBLE) * p.u_write"
        " + CAST(output_tokens AS DOUBLE) * p.u_output"
        " + CAST(reasoning_tokens AS DOUBLE) * p.u_reasoning)"
    )
    return (
        f"{_flagged(projections)},\n"
        f"keyed AS (SELECT *, {_packed(splits)} AS k FROM flagged"
        " WHERE bad = 0 AND c IS NOT NULL),\n"
        f"p AS (SELECT * FROM (VALUES {values}) AS v({names}))\n"
        "SELECT keyed.src, keyed.line, CAST(keyed.t AS VARCHAR), keyed.model, keyed.provider,"
        " keyed.k,"
        " requests, input_tokens, cached_tokens, cache_write_tokens, output_tokens,"
        " reasoning_tokens, CAST(c AS VARCHAR)\n"
        "FROM keyed JOIN p ON keyed.src = p.src AND keyed.model = p.model"
        " AND keyed.provider = p.provider AND keyed.k = p.k\n"
        f"ORDER BY ABS(CAST(c AS DOUBLE) - {listed}) DESC, keyed.src, keyed.line\n"
        f"LIMIT {int(limit)}"
    )


def to_dialect(sql: str, dialect: str) -> str:
    """The query in another engine's dialect (sqlglot; imported only when needed)."""
    if dialect == "duckdb":
        return sql
    import sqlglot

    return str(sqlglot.transpile(sql, read="duckdb", write=dialect)[0])
