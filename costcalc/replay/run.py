"""`replay(paths, ...)`: read logs, group them in an engine, price the groups exactly."""

from __future__ import annotations

import bisect
import datetime as dt
import operator
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

from costcalc.catalog import Catalog, OfferEntry
from costcalc.errors import InputError, NoPriceError
from costcalc.fx import PRECISION
from costcalc.gcpause import paused_gc
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
from costcalc.replay.identity import Resolution, offer_at, resolve, switches, window_hint
from costcalc.replay.pricing import (
    LANE_BITS,
    Narrowed,
    Pricer,
    Slot,
    Traffic,
    instant_at,
    requests_of,
    splits_of,
    unpack,
)
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
    with paused_gc(), tempfile.TemporaryDirectory(prefix="costcalc-replay-") as tmp_name:
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
    rows_per_file = [0] * len(logs)
    bad_by_reason: dict[str, int] = {}
    bad_files: dict[int, int] = {}
    total_rows = 0
    slot_of = _Slots(splits)
    slots = slot_of.found
    good: list[_Good] = []
    lane = LANE_BITS
    for raw in rows:
        (model, provider, src, k, n, requests, inp, cached, written, out, reasoning, cost) = raw
        n = int(n)
        total_rows += n
        src = int(src)
        rows_per_file[src] += n
        k = int(k)
        slot = slots.get(k) or slot_of(k)
        if slot.bad:
            reason = BAD_CODES[slot.bad]
            bad_files[src] = bad_files.get(src, 0) + n
            bad_by_reason[reason] = bad_by_reason.get(reason, 0) + n
            continue
        # A good group's counts are >= 0 (a negative one makes its row bad): packed, as
        # `pricing.pack` does. The sums arrive as text (integers where a count is a
        # default), the cost as the engine's decimal text (`grouping_sql`).
        packed = (
            int(requests or 0)
            | int(inp or 0) << lane
            | int(cached or 0) << 2 * lane
            | int(written or 0) << 3 * lane
            | int(out or 0) << 4 * lane
            | int(reasoning or 0) << 5 * lane
        )
        good.append(
            (
                slot.order,
                str(model),
                str(provider or ""),
                src,
                k,
                slot,
                packed,
                None if cost is None else Decimal(cost),
            )
        )
    # The engine returns groups in no fixed order: sort them by instant first (day,
    # time-of-day and epoch slices, tier, batch, logged cost, then the names and file),
    # so that every merge below keeps the earliest group as its representative (notes
    # name the earliest instant an offer has no price) and the output never depends on
    # the engine's order. Those four fields are unique per group.
    good.sort(key=_ORDER)
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
            good,
            splits,
            total_rows,
            bad_by_reason,
            examples,
            rows_per_file,
            alternatives or CounterfactualOptions(),
            row_differences,
            row_query,
        )


_Good = tuple[int, str, str, int, int, Slot, int, Decimal | None]
"""A good group: (sort order, logged model, logged provider, file index, packed key, its
slot, its sums packed (`pricing.pack`), its logged cost)."""
_ORDER = operator.itemgetter(0, 1, 2, 3)


class _Slots:
    """Packed grouping keys -> their `Slot`, decoded once per key."""

    def __init__(self, splits: Splits) -> None:
        self.splits = splits
        self.key = key_of(splits)
        self.found: dict[int, Slot] = {}
        self.instants: dict[tuple[dt.date, int, int], tuple[int, dt.datetime]] = {}

    def __call__(self, k: int) -> Slot:
        slot = self.found.get(k)
        if slot is not None:
            return slot
        key = self.key
        day, tod, epoch, tier, batch, has_cost, bad = key.unpack(k)
        where = (day, tod, epoch)
        instant = self.instants.get(where)
        if instant is None:
            at = instant_at(day, tod, epoch, self.splits)
            instant = self.instants[where] = (len(self.instants), at)
        order = day.toordinal()
        for digit, radix in ((tod, key.tods), (epoch, key.epochs), (tier, key.tiers)):
            order = order * radix + digit
        order = (order * 2 + batch) * 2 + has_cost
        slot = self.found[k] = Slot(
            day, tod, epoch, tier, bool(batch), bool(has_cost), bad, instant[1], instant[0], order
        )
        return slot


_Cell = list[Any]
"""Groups priced alike, summed: [Narrowed (of the earliest), day, sums (packed),
logged cost or None, catalog model id, provider id, batch, has logged cost, logged model,
logged provider]."""


def _price_exact(
    catalog: Catalog,
    currency: str,
    logs: Sequence[LogFile],
    groups: Sequence[_Good],
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
    chosen: dict[tuple[str, str, int], tuple[OfferEntry, int] | None] = {}
    bounds: dict[tuple[str, str], list[dt.datetime]] = {}
    intervals: dict[tuple[str, str, int], tuple[OfferEntry, int] | None] = {}
    regimes: dict[tuple[int, int], tuple[int, int]] = {}
    narrowings: dict[tuple[int, tuple[int, int], int], tuple[OfferEntry, bool, int]] = {}
    entry_ids: dict[tuple[str, str], int] = {}
    merged: dict[tuple[object, ...], _Cell] = {}
    unpriced: dict[tuple[str, str, str], list[Any]] = {}
    # Names with traffic where none of their offers has a price: [earliest instant, the
    # days, requests, logged cost]; one line each, not one per slice of the day.
    gaps: dict[tuple[str, str], list[Any]] = {}
    priced: list[tuple[str, str, Traffic]] = []
    cost_groups: list[tuple[int, str, str, int, _Cell]] = []
    logged_total: Decimal | None = None

    def no_price(
        model: str,
        provider: str,
        at: dt.datetime,
        day: dt.date,
        requests: int,
        cost: Decimal | None,
    ) -> None:
        """Traffic at an instant no offer of the name has a price for (`gaps`)."""
        gap = gaps.get((model, provider))
        if gap is None:
            gap = gaps[(model, provider)] = [at, set(), 0, None]
        gap[0] = min(gap[0], at)
        gap[1].add(day)
        gap[2] += requests
        if cost is not None:
            gap[3] = (gap[3] or Decimal(0)) + cost

    def not_priced(
        model: str, provider: str, requests: int, cost: Decimal | None, why: str
    ) -> None:
        slot = unpriced.setdefault((model, provider, why), [0, None])
        slot[0] += requests
        if cost is not None:
            slot[1] = (slot[1] or Decimal(0)) + cost

    for _order, model, provider, src, k, slot, tokens, cost in groups:
        if cost is not None:
            logged_total = (logged_total or Decimal(0)) + cost
        pick = (model, provider, slot.instant)
        if pick in chosen:
            found = chosen[pick]
        else:
            res = resolved.get((model, provider))
            if res is None:
                res = resolved[(model, provider)] = resolve(
                    catalog, model, provider or None, identity
                )
                bounds[(model, provider)] = switches(res.entries, res.windows)
            # offer_at gives the same offer between two of its switches: once per interval.
            where = (model, provider, bisect.bisect_right(bounds[(model, provider)], slot.at))
            if where in intervals:
                found = intervals[where]
            else:
                entry = offer_at(res.entries, slot.at, res.windows) if res.entries else None
                if entry is None:
                    found = None
                else:
                    found = (entry, entry_ids.setdefault(entry.key, len(entry_ids)))
                intervals[where] = found
            chosen[pick] = found
        if found is None:
            res = resolved[(model, provider)]
            if res.reason:
                not_priced(model, provider, requests_of(tokens), cost, res.reason)
                continue
            no_price(model, provider, slot.at, slot.day, requests_of(tokens), cost)
            continue
        entry, entry_id = found
        rkey = (entry_id, slot.instant)
        regime = regimes.get(rkey)
        if regime is None:
            regime = regimes[rkey] = pricer.regime(entry, slot.at)
        nkey = (entry_id, regime, slot.tier)
        narrowing = narrowings.get(nkey)
        if narrowing is None:
            narrowing = narrowings[nkey] = pricer.narrow_at(entry, slot.at, slot.tier)
        off_peak = narrowing[1] and not slot.batch
        # Groups with the same narrowed price, day, batch and off-peak terms are priced alike
        # (cost is linear in tokens): summed first, priced once. Names are kept apart for
        # the unpriced list.
        mkey = (narrowing[2], slot.day, slot.has_cost, slot.batch, off_peak, model, provider)
        cell = merged.get(mkey)
        if cell is None:
            cell = merged[mkey] = [
                Narrowed(narrowing[0], off_peak, narrowing[2], slot.at),
                slot.day,
                tokens,
                cost,
                entry.model.id,
                entry.provider.id,
                slot.batch,
                slot.has_cost,
                model,
                provider,
            ]
        else:
            cell[2] += tokens
            if cost is not None:
                cell[3] = (cell[3] or Decimal(0)) + cost
        priced.append((model, provider, Traffic(slot, entry.model.id, tokens)))
        if slot.has_cost:
            cost_groups.append((src, model, provider, k, cell))

    by_model: dict[tuple[str, str], Totals] = {}
    by_provider: dict[str, Totals] = {}
    by_day: dict[dt.date, Totals] = {}
    by_month: dict[str, Totals] = {}
    recon: dict[tuple[str, str, dt.date], list[Any]] = {}
    total = Decimal(0)
    failed: set[tuple[str, str, dt.date]] = set()
    for cell in merged.values():
        narrowed, day, sums, logged, model_id, provider_id, batch, has_cost, model, provider = cell
        summed = unpack(sums)
        if not narrowed.entry.offer.prices:  # none of the offer's periods holds then
            no_price(model, provider, narrowed.at, day, summed[0], logged)
            failed.add((model, provider, day))
            continue
        try:
            cost = pricer.total(narrowed, day, summed, batch)
        except NoPriceError as exc:
            reason = exc.problems[0].message.removeprefix(f"{model_id} @ {provider_id}: ")
            not_priced(model, provider, summed[0], logged, reason)
            failed.add((model, provider, day))
            continue
        cell.append(cost)
        total += cost
        for bucket in (
            by_model.setdefault((model_id, provider_id), Totals()),
            by_provider.setdefault(provider_id, Totals()),
            by_day.setdefault(day, Totals()),
            by_month.setdefault(_month(day), Totals()),
        ):
            bucket.add_tokens(summed)
            bucket.cost += cost
            bucket.add_logged(logged)
        if has_cost:
            line = recon.setdefault((model_id, provider_id, day), [0, Decimal(0), Decimal(0)])
            line[0] += summed[0]
            line[1] = line[1] + (logged or Decimal(0))
            line[2] = line[2] + cost
    for (model, provider), (first, days, requests, cost) in gaps.items():
        why = f"none of its offers has a price in force at {first:%Y-%m-%d %H:%M} UTC"
        if len(days) > 1:
            more = len(days) - 1
            why += f", nor on {more} more day{'s' if more > 1 else ''} of traffic up to {max(days)}"
        why += window_hint(model, resolved[(model, provider)], first)
        not_priced(model, provider, requests, cost, why)
    traffic = [t for m, p, t in priced if not failed or (m, p, t.slot.day) not in failed]
    unpriced_list = [
        Unpriced(m, p, int(v[0]), reason, v[1]) for (m, p, reason), v in sorted(unpriced.items())
    ]
    reconciliation = None
    if logged_total is not None:
        diffs = [Difference(m, p, d, int(v[0]), v[1], v[2]) for (m, p, d), v in recon.items()]
        diffs.sort(key=lambda x: (-abs(x.difference), x.day, x.model, x.provider))
        row_diffs = None
        if row_differences and row_query is not None:
            row_diffs = _row_differences(
                pricer,
                logs,
                [g for g in cost_groups if (g[1], g[2], g[4][1]) not in failed],
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
    cf = counterfactual(catalog, pricer, traffic, total, options, last_day)
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


def _row_differences(
    pricer: Pricer,
    logs: Sequence[LogFile],
    cost_groups: Sequence[tuple[int, str, str, int, _Cell]],
    limit: int,
    row_query: RowQuery,
) -> list[RowDifference]:
    """The `limit` rows whose logged cost differs most from their list price, exactly.

    Each priced group's per-token prices come from the cost engine's lines for it
    (`Pricer.units`: the price of one uncached input token, one cache read, one cache
    write, one output and one reasoning token in the group's own context tier, on its
    day, batch and off-peak terms); the engine ranks every row with
    a logged cost by them in floating point and returns a margin of candidates, which are
    priced again here in Decimal and ranked exactly.
    """
    units_of: dict[int, tuple[Decimal, ...]] = {}
    prices: list[PriceRow] = []
    by_key: dict[tuple[int, str, str, int], tuple[Decimal, ...]] = {}
    for src, model, provider, k, cell in cost_groups:
        units = units_of.get(id(cell))
        if units is None:
            narrowed, day, sums, batch = cell[0], cell[1], unpack(cell[2]), cell[6]
            units = pricer.units(narrowed, day, sums, batch)
            units_of[id(cell)] = units
        prices.append((src, model, provider, k, units))
        by_key[(src, model, provider, k)] = units
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
