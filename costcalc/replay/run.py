"""`replay(paths, ...)`: read logs, group them in an engine, price the groups exactly."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

from costcalc.catalog import Catalog, OfferEntry
from costcalc.errors import InputError, NoPriceError
from costcalc.fx import PRECISION
from costcalc.identity import Identity
from costcalc.replay.counterfactual import CounterfactualOptions, counterfactual
from costcalc.replay.engines import EngineName, open_engine
from costcalc.replay.formats import (
    COLUMNS,
    LINE,
    Container,
    LogFile,
    LogFormat,
    detect,
    flatten,
    locate_bad_rows,
    write_jsonl,
)
from costcalc.replay.grouping import (
    BAD_CODES,
    BAD_REASONS,
    Splits,
    grouping_sql,
    key_of,
    kind_of,
    projection,
    rows_sql,
    to_dialect,
)
from costcalc.replay.identity import Resolution, offer_at, resolve
from costcalc.replay.pricing import Group, Narrowed, Pricer, add, splits_of
from costcalc.replay.result import (
    BadRow,
    Difference,
    FileRead,
    Reconciliation,
    ReplayResult,
    RowDifference,
    Totals,
    Unpriced,
)

BAD_ROW_EXAMPLES = 20
TOP_DIFFERENCES = 10


@dataclass(frozen=True)
class _Source:
    path: Path
    name: str
    container: Container


def _sources(logs: Sequence[LogFile], tmp: Path) -> tuple[list[_Source], list[str]]:
    """What each engine reads, and the projection of each onto the normalised columns."""
    sources: list[_Source] = []
    projections: list[str] = []
    for index, log in enumerate(logs):
        if log.format in (LogFormat.csv, LogFormat.parquet):
            sources.append(_Source(log.path, log.name, log.container))
            mapping = dict(zip(log.present, log.columns, strict=True))
            kinds = {c: kind_of(c, t) for c, t in zip(log.present, log.types, strict=False)}
            projections.append(projection(index, [(c, mapping.get(c)) for c in COLUMNS], kinds))
            continue
        if log.format is LogFormat.jsonl:
            sources.append(_Source(log.path, log.name, Container.jsonl))
        else:
            out = tmp / f"normalised-{index}.jsonl"
            with out.open("w", encoding="utf-8") as fh:
                write_jsonl(flatten(log), fh)
            sources.append(_Source(out, log.name, Container.jsonl))
        projections.append(projection(index, [(c, c) for c in COLUMNS], line=LINE))
    return sources, projections


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def replay(
    paths: Sequence[Path | str],
    *,
    catalog: Catalog,
    currency: str = "USD",
    log_format: LogFormat = LogFormat.auto,
    engine: EngineName = EngineName.duckdb,
    master: str | None = None,
    alternatives: CounterfactualOptions | None = None,
    row_differences: int = 0,
) -> ReplayResult:
    """Reprice usage logs exactly on the catalog's dated prices, with the counterfactual.

    `alternatives=None` uses compare's defaults (balanced profile, 90% of the best).
    `row_differences=N` also finds the N rows whose logged cost differs most from their
    list price (one more pass over the logs; only when they carry costs).
    Raises InputError (exit 2) for a missing or malformed file, naming it.
    """
    if row_differences < 0:
        raise InputError(f"row differences must be >= 0, got {row_differences}")
    if not paths:
        raise InputError("give at least one log file")
    logs = [detect(Path(p), str(p), log_format) for p in paths]
    splits = splits_of(catalog)
    with tempfile.TemporaryDirectory(prefix="costcalc-replay-") as tmp_name:
        tmp = Path(tmp_name)
        sources, projections = _sources(logs, tmp)
        eng = open_engine(engine, master=master, temp_dir=tmp)
        try:
            for index, source in enumerate(sources):
                eng.register(index, source)
            summed = {c for log in logs for c in (log.present or COLUMNS)}
            sql = to_dialect(grouping_sql(projections, splits, summed), eng.dialect)
            rows = eng.query(sql)

            def row_query(prices: Sequence[PriceRow], limit: int) -> list[Any]:
                return eng.query(
                    to_dialect(rows_sql(projections, splits, prices, limit), eng.dialect)
                )

            return _priced(
                catalog, currency, logs, splits, rows, alternatives, row_differences, row_query
            )
        finally:
            eng.close()


PriceRow = tuple[int, str, str, int, Sequence[Decimal]]
"""(src, model, provider, k, per-token prices) of a priced group with logged costs."""
RowQuery = Callable[[Sequence[PriceRow], int], list[Any]]


def _priced(
    catalog: Catalog,
    currency: str,
    logs: Sequence[LogFile],
    splits: Splits,
    rows: Sequence[tuple[Any, ...]],
    alternatives: CounterfactualOptions | None,
    row_differences: int,
    row_query: RowQuery,
) -> ReplayResult:
    """The grouping's rows -> groups (bad ones counted), priced exactly."""
    groups: list[Group] = []
    rows_per_file = [0] * len(logs)
    bad_by_reason: dict[str, int] = {}
    bad_files: dict[int, int] = {}
    total_rows = 0
    key = key_of(splits)
    unpacked: dict[int, tuple[dt.date, int, int, int, int, int, int]] = {}
    for raw in rows:
        (model, provider, src, k, n, requests, inp, cached, written, out, reasoning, cost) = raw
        n = int(n)
        total_rows += n
        src = int(src)
        rows_per_file[src] += n
        k = int(k)
        keys = unpacked.get(k)
        if keys is None:
            keys = unpacked[k] = key.unpack(k)
        day, tod, epoch, tier, batch, has_cost, bad = keys
        if bad:
            reason = BAD_CODES[bad]
            bad_files[src] = bad_files.get(src, 0) + n
            bad_by_reason[reason] = bad_by_reason.get(reason, 0) + n
            continue
        groups.append(
            Group(
                str(model),
                str(provider or ""),
                day,
                tod,
                epoch,
                tier,
                bool(batch),
                bool(has_cost),
                int(requests or 0),
                int(inp or 0),
                int(cached or 0),
                int(written or 0),
                int(out or 0),
                int(reasoning or 0),
                None if cost is None else Decimal(cost),
                n,
                src,
                k,
            )
        )
    # The engine returns groups in no fixed order: sort them by instant first, so that every
    # merge below keeps the earliest group as its representative (notes name the earliest
    # instant an offer has no price) and the output never depends on the engine's order.
    groups.sort(
        key=lambda g: (
            g.day,
            g.tod,
            g.epoch,
            g.tier,
            g.batch,
            g.has_cost,
            g.model,
            g.provider,
            g.src,
        )
    )
    examples: list[BadRow] = []
    for src in sorted(bad_files):
        for line, why in locate_bad_rows(logs[src], BAD_ROW_EXAMPLES - len(examples)):
            examples.append(BadRow(logs[src].name, line, why))
        if len(examples) >= BAD_ROW_EXAMPLES:
            break
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return _price_exact(
            catalog,
            currency,
            logs,
            groups,
            splits,
            total_rows,
            bad_by_reason,
            examples,
            rows_per_file,
            alternatives or CounterfactualOptions(),
            row_differences,
            row_query,
        )


def _price_exact(
    catalog: Catalog,
    currency: str,
    logs: Sequence[LogFile],
    groups: Sequence[Group],
    splits: Splits,
    total_rows: int,
    bad_by_reason: dict[str, int],
    examples: list[BadRow],
    rows_per_file: list[int],
    options: CounterfactualOptions,
    row_differences: int = 0,
    row_query: RowQuery | None = None,
) -> ReplayResult:
    pricer = Pricer(catalog, splits, currency)
    identity = Identity.from_catalog(catalog)
    resolved: dict[tuple[str, str], Resolution] = {}
    merged: dict[tuple[object, ...], tuple[Narrowed, dt.date, tuple[int, ...], Decimal | None]] = {}
    meta: dict[tuple[object, ...], tuple[str, str, bool, bool]] = {}
    unpriced: dict[tuple[str, str, str], list[object]] = {}
    priced_groups: list[tuple[Group, str]] = []
    cost_groups: list[tuple[Group, tuple[object, ...]]] = []
    logged_total: Decimal | None = None

    def not_priced(group: Group, reason: str) -> None:
        slot = unpriced.setdefault((group.model, group.provider, reason), [0, None])
        slot[0] = int(slot[0]) + group.requests  # type: ignore[call-overload]
        if group.cost is not None:
            slot[1] = (slot[1] or Decimal(0)) + group.cost  # type: ignore[operator]

    chosen: dict[tuple[object, ...], OfferEntry | None] = {}
    for group in groups:
        if group.cost is not None:
            logged_total = (logged_total or Decimal(0)) + group.cost
        key = (group.model, group.provider)
        res = resolved.get(key)
        if res is None:
            res = resolved[key] = resolve(catalog, group.model, group.provider or None, identity)
        entry = None
        if res.entries:
            pick = (key, group.day, group.tod, group.epoch)
            if pick not in chosen:
                chosen[pick] = offer_at(res.entries, pricer.instant(group))
            entry = chosen[pick]
        if entry is None:
            at = pricer.instant(group)
            not_priced(
                group,
                res.reason or f"none of its offers has a price in force at {at:%Y-%m-%d %H:%M} UTC",
            )
            continue
        narrowed = pricer.narrow(entry, group)
        mkey = (
            entry.key,
            narrowed.signature,
            group.day,
            group.has_cost,
            group.batch,
            narrowed.off_peak,
            group.model,
            group.provider,
        )
        found = merged.get(mkey)
        if found is None:
            merged[mkey] = (narrowed, group.day, group.tokens(), group.cost)
            meta[mkey] = (entry.model.id, entry.provider.id, group.batch, group.has_cost)
        else:
            cost = found[3] if group.cost is None else (found[3] or Decimal(0)) + group.cost
            merged[mkey] = (found[0], found[1], add(found[2], group.tokens()), cost)
        priced_groups.append((group, entry.model.id))
        if group.has_cost:
            cost_groups.append((group, mkey))

    by_model: dict[tuple[str, str], Totals] = {}
    by_provider: dict[str, Totals] = {}
    by_day: dict[dt.date, Totals] = {}
    by_month: dict[str, Totals] = {}
    recon: dict[tuple[str, str, dt.date], list[object]] = {}
    total = Decimal(0)
    failed: set[tuple[str, str, dt.date]] = set()
    for k, (narrowed, day, sums, logged) in merged.items():
        model_id, provider_id, batch, has_cost = meta[k]
        try:
            cost = pricer.price(narrowed, day, sums, batch).total
        except NoPriceError as exc:
            reason = exc.problems[0].message.removeprefix(f"{model_id} @ {provider_id}: ")
            slot = unpriced.setdefault((str(k[6]), str(k[7]), reason), [0, None])
            slot[0] = int(slot[0]) + sums[0]  # type: ignore[call-overload]
            if logged is not None:
                slot[1] = (slot[1] or Decimal(0)) + logged  # type: ignore[operator]
            failed.add((str(k[6]), str(k[7]), day))
            continue
        total += cost
        for bucket in (
            by_model.setdefault((model_id, provider_id), Totals()),
            by_provider.setdefault(provider_id, Totals()),
            by_day.setdefault(day, Totals()),
            by_month.setdefault(_month(day), Totals()),
        ):
            bucket.add_tokens(sums)
            bucket.cost += cost
            bucket.add_logged(logged)
        if has_cost:
            slot = recon.setdefault((model_id, provider_id, day), [0, Decimal(0), Decimal(0)])
            slot[0] = int(slot[0]) + sums[0]  # type: ignore[call-overload]
            slot[1] = slot[1] + (logged or Decimal(0))  # type: ignore[operator]
            slot[2] = slot[2] + cost  # type: ignore[operator]
    priced_groups = [(g, m) for g, m in priced_groups if (g.model, g.provider, g.day) not in failed]
    unpriced_list = [
        Unpriced(m, p, int(v[0]), reason, v[1])  # type: ignore[call-overload, arg-type]
        for (m, p, reason), v in sorted(unpriced.items())
    ]
    reconciliation = None
    if logged_total is not None:
        diffs = [
            Difference(m, p, d, int(v[0]), v[1], v[2])  # type: ignore[call-overload, arg-type]
            for (m, p, d), v in recon.items()
        ]
        diffs.sort(key=lambda x: (-abs(x.difference), x.day, x.model, x.provider))
        row_diffs = None
        if row_differences and row_query is not None:
            row_diffs = _row_differences(
                pricer,
                logs,
                [(g, m) for g, m in cost_groups if (g.model, g.provider, g.day) not in failed],
                merged,
                meta,
                row_differences,
                row_query,
            )
        reconciliation = Reconciliation(
            logged_total=logged_total,
            list_total=sum((d.list_price for d in diffs), Decimal(0)),
            requests=sum(d.requests for d in diffs),
            logged_unpriced=sum(
                (u.logged_cost for u in unpriced_list if u.logged_cost is not None), Decimal(0)
            ),
            top=diffs[:TOP_DIFFERENCES],
            rows=row_diffs,
        )
    days = sorted(by_day)
    first_day = days[0] if days else None
    last_day = days[-1] if days else None
    cf = counterfactual(catalog, pricer, priced_groups, total, options, last_day)
    files = [FileRead(log.name, log.format.value, rows_per_file[i]) for i, log in enumerate(logs)]
    notes = list(cf.notes)
    return ReplayResult(
        currency=currency,
        files=files,
        rows=total_rows,
        bad_rows=sum(bad_by_reason.values()),
        bad_by_reason={BAD_REASONS.get(k, k): v for k, v in bad_by_reason.items()},
        bad_examples=examples,
        total=total,
        priced_requests=sum(t.requests for t in by_model.values()),
        first_day=first_day,
        last_day=last_day,
        by_model=by_model,
        by_provider=by_provider,
        by_day=by_day,
        by_month=by_month,
        unpriced=unpriced_list,
        logged_total=logged_total,
        reconciliation=reconciliation,
        alternatives=cf.alternatives,
        alternatives_as_of=cf.as_of,
        spread=options.spread,
        bar=cf.bar,
        profile=options.profile,
        best_alternative_by_day=cf.by_day_best,
        notes=notes,
    )


UNIT_USAGES = (
    (1, 1, 0, 0, 0, 0),  # an uncached input token
    (1, 1, 1, 0, 0, 0),  # a cache read (part of the input)
    (1, 1, 0, 1, 0, 0),  # a cache write (part of the input)
    (1, 0, 0, 0, 1, 0),  # an output token
    (1, 0, 0, 0, 0, 1),  # a reasoning token
)
"""Usages whose cost gives a price group's per-token prices (cost is linear in tokens)."""


def _row_differences(
    pricer: Pricer,
    logs: Sequence[LogFile],
    cost_groups: Sequence[tuple[Group, tuple[object, ...]]],
    merged: Mapping[tuple[object, ...], tuple[Narrowed, dt.date, tuple[int, ...], Decimal | None]],
    meta: Mapping[tuple[object, ...], tuple[str, str, bool, bool]],
    limit: int,
    row_query: RowQuery,
) -> list[RowDifference]:
    """The `limit` rows whose logged cost differs most from their list price, exactly.

    Each priced group's per-token prices come from the cost engine (the price of one
    uncached input token, one cache read, one cache write, one output and one reasoning
    token, on the group's day, batch and off-peak terms); the engine ranks every row with
    a logged cost by them in floating point and returns a margin of candidates, which are
    priced again here in Decimal and ranked exactly.
    """
    units_of: dict[tuple[object, ...], tuple[Decimal, ...]] = {}
    prices: list[PriceRow] = []
    by_key: dict[tuple[int, str, str, int], tuple[Decimal, ...]] = {}
    for group, mkey in cost_groups:
        units = units_of.get(mkey)
        if units is None:
            narrowed, day, _sums, _logged = merged[mkey]
            batch = meta[mkey][2]
            units = tuple(pricer.price(narrowed, day, u, batch).total for u in UNIT_USAGES)
            units_of[mkey] = units
        prices.append((group.src, group.model, group.provider, group.k, units))
        by_key[(group.src, group.model, group.provider, group.k)] = units
    if not prices:
        return []
    margin = limit * 4 + 50
    found: list[RowDifference] = []
    for raw in row_query(prices, margin):
        src, line, stamp, model, provider, k = raw[:6]
        req, inp, cached, written, out, reasoning = (int(x or 0) for x in raw[6:12])
        logged = Decimal(str(raw[12]))
        units = by_key[(int(src), str(model), str(provider), int(k))]
        listed = (
            (inp - cached - written) * units[0]
            + cached * units[1]
            + written * units[2]
            + out * units[3]
            + reasoning * units[4]
        )
        found.append(
            RowDifference(
                file=logs[int(src)].name,
                line=None if line is None else int(line),
                timestamp=_instant_text(stamp),
                model=str(model),
                provider=str(provider),
                requests=req,
                input_tokens=inp,
                cached_tokens=cached,
                cache_write_tokens=written,
                output_tokens=out,
                reasoning_tokens=reasoning,
                logged=logged,
                list_price=listed,
            )
        )
    found.sort(key=lambda r: (-abs(r.difference), r.timestamp, r.file, r.line or 0, r.model))
    return found[:limit]


def _instant_text(value: object) -> str:
    """An engine's text of a UTC instant ('2025-06-10 11:59:59+00', Spark without the
    offset) as ISO 8601 with a Z."""
    text = str(value).strip().replace(" ", "T", 1)
    if text.endswith("+00"):
        text += ":00"
    at = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    at = at.astimezone(dt.timezone.utc)
    spec = "%Y-%m-%dT%H:%M:%S.%fZ" if at.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return at.strftime(spec)
