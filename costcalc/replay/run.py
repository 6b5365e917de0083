"""`replay(paths, ...)`: read logs, group them in an engine, price the groups exactly."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path

from costcalc.catalog import Catalog, OfferEntry
from costcalc.errors import InputError, NoPriceError
from costcalc.fx import PRECISION
from costcalc.replay.counterfactual import CounterfactualOptions, counterfactual
from costcalc.replay.engines import EngineName, open_engine
from costcalc.replay.formats import (
    COLUMNS,
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
    GROUP_COLUMNS,
    Splits,
    grouping_sql,
    key_of,
    kind_of,
    projection,
    to_dialect,
)
from costcalc.identity import Identity
from costcalc.replay.identity import Resolution, offer_at, resolve
from costcalc.replay.pricing import Group, Narrowed, Pricer, add, splits_of
from costcalc.replay.result import (
    BadRow,
    Difference,
    FileRead,
    Reconciliation,
    ReplayResult,
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
            kinds = {
                c: kind_of(c, t) for c, t in zip(log.present, log.types, strict=False)
            }
            projections.append(projection(index, [(c, mapping.get(c)) for c in COLUMNS], kinds))
            continue
        if log.format is LogFormat.jsonl:
            sources.append(_Source(log.path, log.name, Container.jsonl))
        else:
            out = tmp / f"normalised-{index}.jsonl"
            with out.open("w", encoding="utf-8") as fh:
                write_jsonl(flatten(log), fh)
            sources.append(_Source(out, log.name, Container.jsonl))
        projections.append(projection(index, [(c, c) for c in COLUMNS]))
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
) -> ReplayResult:
    """Reprice usage logs exactly on the catalog's dated prices, with the counterfactual.

    `alternatives=None` uses compare's defaults (balanced profile, 90% of the best).
    Raises InputError (exit 2) for a missing or malformed file, naming it.
    """
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
        finally:
            eng.close()
        groups: list[Group] = []
        rows_per_file = [0] * len(logs)
        bad_by_reason: dict[str, int] = {}
        bad_files: dict[int, int] = {}
        total_rows = 0
        key = key_of(splits)
        unpacked: dict[int, tuple[dt.date, int, int, int, int, int, int]] = {}
        for raw in rows:
            rec = dict(zip(GROUP_COLUMNS, raw, strict=True))
            n = int(rec["n_rows"])
            total_rows += n
            src = int(rec["src"])
            rows_per_file[src] += n
            k = int(rec["k"])
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
                    model=str(rec["model"]),
                    provider=str(rec["provider"] or ""),
                    day=day,
                    tod=tod,
                    epoch=epoch,
                    tier=tier,
                    batch=bool(batch),
                    has_cost=bool(has_cost),
                    requests=int(rec["requests"] or 0),
                    input_tokens=int(rec["input_tokens"] or 0),
                    cached_tokens=int(rec["cached_tokens"] or 0),
                    cache_write_tokens=int(rec["cache_write_tokens"] or 0),
                    output_tokens=int(rec["output_tokens"] or 0),
                    reasoning_tokens=int(rec["reasoning_tokens"] or 0),
                    cost=None if rec["cost"] is None else Decimal(rec["cost"]),
                    rows=n,
                    src=src,
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
) -> ReplayResult:
    pricer = Pricer(catalog, splits, currency)
    identity = Identity.from_catalog(catalog)
    resolved: dict[tuple[str, str], Resolution] = {}
    merged: dict[tuple[object, ...], tuple[Narrowed, dt.date, tuple[int, ...], Decimal | None]] = {}
    meta: dict[tuple[object, ...], tuple[str, str, bool, bool]] = {}
    unpriced: dict[tuple[str, str, str], list[object]] = {}
    priced_groups: list[tuple[Group, str]] = []
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
        reconciliation = Reconciliation(
            logged_total=logged_total,
            list_total=sum((d.list_price for d in diffs), Decimal(0)),
            requests=sum(d.requests for d in diffs),
            logged_unpriced=sum(
                (u.logged_cost for u in unpriced_list if u.logged_cost is not None), Decimal(0)
            ),
            top=diffs[:TOP_DIFFERENCES],
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
