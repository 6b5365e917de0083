"""Regenerate every feed-derived sheet from the vendored feed snapshots plus curated overrides.

Two kinds of bundled sheet come from feeds:

- `pricing/scores-llm-stats.yaml`, from the llm-stats snapshot in `data/feeds/llm-stats/`
  (the same text `costcalc import scores llm-stats` writes);
- the third-party host price sheets (`pricing/providers/<id>.yaml` for the providers listed
  in `data/feeds/genai-prices/overrides.yaml`), from the pydantic/genai-prices snapshot in
  `data/feeds/genai-prices/providers/`.

A feed says what a price *is* at the snapshot, not since when, nor which bundled model a row
is. The overrides file holds what the feed does not: the providers and rows taken, the
bundled model each row is (checked against `costcalc.identity`), the dates of each price
period with the genai-prices commit that first recorded it, notes, the earlier periods
(entered from the commit named in their source), and prices the feed leaves out (`fill`,
with the reason in the note). The prices of each offer's current period are the feed's,
converted by `costcalc.importers.genai_prices` (never parsed again here).

Generation is deterministic: the same snapshots and overrides give the same bytes, so
`refresh(root, check=True)` tells whether the committed sheets are current. This module is
core: no typer, no rich, no printing, no exit codes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from costcalc.errors import InputError
from costcalc.schema.common import Day, Id, Price, Source, Text
from costcalc.schema.pricing import PricePeriod, Provider

OVERRIDES = "data/feeds/genai-prices/overrides.yaml"
"""The curated overrides of the genai-prices host sheets, relative to the repository root."""
GENAI_PRICES = "data/feeds/genai-prices/providers"
LLM_STATS = "data/feeds/llm-stats"
SCORES_SHEET = "pricing/scores-llm-stats.yaml"
SCORES_COMMAND = f"costcalc import scores llm-stats {LLM_STATS} --output {SCORES_SHEET}"
"""The command named in the scores sheet's header (it writes the same bytes as `refresh`)."""
COMMAND = "costcalc refresh"

_FEED_FILE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}\.yml$")
_PRICE_KEYS = ("input", "cached_input", "cache_write", "output", "reasoning", "tiers", "off_peak")


# ------------------------------------------------------------------ overrides schema
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Snapshot(_Strict):
    """Which genai-prices commit the vendored provider files were copied from."""

    repository: Annotated[str, Field(pattern=r"^https://")]
    commit: Annotated[str, Field(pattern=r"^[0-9a-f]{40}$")]
    """Full commit id of the snapshot."""
    date: Day
    """The commit's date."""


class Fill(_Strict):
    """Prices the feed row does not list, entered from another source named in the period."""

    cached_input: Price | None = None
    cache_write: Price | None = None


class CurrentPeriod(_Strict):
    """The offer's current (open-ended) period: its prices are the feed row's."""

    as_of: Day
    """First day of the price: the genai-prices check, or its first record in the history."""
    source: Source
    """Where the price and its date come from (feed file, row, commit that first recorded it)."""
    note: Text | None = None
    prices_checked: Day | None
    """The feed row's `prices_checked` these dates were reviewed against (null: undated row).
    A new snapshot that re-checked the row fails the refresh until the period is reviewed."""
    fill: Fill | None = None


class OfferOverride(_Strict):
    """One genai-prices row taken into a bundled sheet."""

    feed_id: Annotated[str, Field(min_length=1, max_length=200)]
    """The row's `id` in the genai-prices provider file."""
    model: Id | None = None
    """The bundled model id; needed only where costcalc.identity does not resolve the row
    (it is checked against the resolver when both give one)."""
    api_model: Annotated[str, Field(min_length=1, max_length=200)] | Literal[""] | None = ""
    """The provider's API name written in the sheet; default the feed id, null for none."""
    earlier: list[PricePeriod] = []
    """Periods before the current one, oldest first, each with the commit it is from."""
    current: CurrentPeriod


class SheetOverride(_Strict):
    """One generated host sheet: `pricing/providers/<provider.id>.yaml`."""

    feed_file: Annotated[str, Field(pattern=_FEED_FILE.pattern)]
    """The genai-prices provider file, in data/feeds/genai-prices/providers/."""
    comment: Annotated[str, Field(min_length=1, max_length=4000)]
    """The sheet's header comment (what the provider is, how the dates were found)."""
    provider: Provider
    offers: Annotated[list[OfferOverride], Field(min_length=1)]


class Overrides(_Strict):
    """`data/feeds/genai-prices/overrides.yaml`: what the genai-prices feed does not say."""

    kind: Literal["feed-overrides"]
    feed: Literal["genai-prices"]
    snapshot: Snapshot
    sheets: Annotated[list[SheetOverride], Field(min_length=1)]


# ------------------------------------------------------------------ results
@dataclass(frozen=True)
class FileState:
    """One generated file and how the committed copy compares."""

    path: str
    """Relative to the repository root."""
    state: str
    """'unchanged', 'written' (write mode), 'differs' or 'missing' (check mode)."""


@dataclass
class RefreshResult:
    """What a refresh generated and found."""

    files: list[FileState] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def stale(self) -> list[FileState]:
        """Files whose committed copy differs from the generated text (check mode)."""
        return [f for f in self.files if f.state in ("differs", "missing")]


# ------------------------------------------------------------------ generation
def load_overrides(root: Path) -> Overrides:
    """The overrides file, validated (errors name file, line and field)."""
    return _load_overrides(root)[0]


def _load_overrides(root: Path) -> tuple[Overrides, Any]:
    """The validated overrides and the parsed YAML (which knows each field's line)."""
    from costcalc.loader import validate_data
    from costcalc.yamlio import load_yaml

    data = load_yaml(_inside(root, OVERRIDES), name=OVERRIDES)
    overrides = validate_data(data, Overrides, OVERRIDES)
    seen: set[str] = set()
    for i, sheet in enumerate(overrides.sheets):
        if sheet.provider.id in seen:
            raise InputError(
                f"provider {sheet.provider.id!r} is listed twice",
                file=OVERRIDES,
                line=_line(data, "sheets", i, "provider", "id"),
                field=f"sheets[{i}].provider.id",
            )
        seen.add(sheet.provider.id)
    return overrides, data


def generate_host_sheets(
    root: Path, models: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, str], list[str]]:
    """The text of every genai-prices host sheet by path, and warnings for people.

    `models` is canonical model id -> aliases (the bundled models file), for the resolver.
    """
    from costcalc.identity import Identity
    from costcalc.importers import genai_prices
    from costcalc.importers.read import read_genai_prices

    overrides, raw = _load_overrides(root)
    identity = Identity.build(models)
    files: dict[str, str] = {}
    warnings: list[str] = []
    for i, sheet in enumerate(overrides.sheets):
        where = f"sheets[{i}]"
        feed_path = _inside(root, f"{GENAI_PRICES}/{sheet.feed_file}")
        if not feed_path.is_file():
            raise InputError(
                f"no such genai-prices file: {GENAI_PRICES}/{sheet.feed_file}",
                file=OVERRIDES,
                line=_line(raw, "sheets", i, "feed_file"),
                field=f"{where}.feed_file",
            )
        providers = read_genai_prices(feed_path)
        converted = genai_prices.convert(
            providers, source=f"{GENAI_PRICES}/{sheet.feed_file}", as_of=overrides.snapshot.date
        )
        rows = _rows_by_feed_id(converted)
        feed_rows = {
            m.get("id"): m
            for _, p in providers
            if isinstance(p, dict)
            for m in (p.get("models") or [])
            if isinstance(m, dict)
        }
        skipped = {s.key.split("/", 1)[-1]: s.reason for s in converted.skipped}
        if sheet.feed_file in skipped:  # the file itself is not a genai-prices provider
            raise InputError(skipped[sheet.feed_file], file=f"{GENAI_PRICES}/{sheet.feed_file}")
        offers: list[dict[str, Any]] = []
        for j, override in enumerate(sheet.offers):
            loc = ("sheets", i, "offers", j)
            offer = _offer(override, rows, feed_rows, skipped, identity, sheet, raw, loc)
            if any(o["model"] == offer["model"] for o in offers):
                raise InputError(
                    f"{sheet.provider.id} {override.feed_id}: a second offer of {offer['model']}",
                    file=OVERRIDES,
                    line=_line(raw, *loc),
                    field=f"{where}.offers[{j}]",
                )
            offers.append(offer)
            for u in converted.unrepresented:
                if u.key.split("/", 1)[-1] == override.feed_id:
                    warnings.append(
                        f"{sheet.provider.id} {override.feed_id}: {u.what} not representable"
                    )
        files[f"pricing/providers/{sheet.provider.id}.yaml"] = _sheet_text(
            overrides.snapshot, sheet, offers
        )
    return files, warnings


def _rows_by_feed_id(converted: Any) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for sheet in converted.sheets.values():
        for offer in sheet["offers"]:
            rows[offer["api_model"]] = offer
    return rows


def _offer(
    override: OfferOverride,
    rows: Mapping[str, dict[str, Any]],
    feed_rows: Mapping[Any, Any],
    skipped: Mapping[str, str],
    identity: Any,
    sheet: SheetOverride,
    raw: Any,
    loc: tuple[str, int, str, int],
) -> dict[str, Any]:
    where = f"sheets[{loc[1]}].offers[{loc[3]}]"

    def fail(message: str, field_name: str = "feed_id") -> InputError:
        path = tuple(field_name.split("."))
        line = _line(raw, *loc, *path) or _line(raw, *loc, path[0]) or _line(raw, *loc)
        return InputError(
            f"{sheet.provider.id} {override.feed_id}: {message}",
            file=OVERRIDES,
            line=line,
            field=f"{where}.{field_name}",
        )

    row = rows.get(override.feed_id)
    if row is None:
        reason = skipped.get(override.feed_id, "no such row")
        raise fail(f"not usable in {GENAI_PRICES}/{sheet.feed_file} ({reason})")
    feed_periods = row["prices"]
    if len(feed_periods) != 1:
        raise fail(
            f"the feed gives {len(feed_periods)} dated prices; enter the earlier ones under"
            " `earlier` and teach refresh to take the last (not supported yet)"
        )
    feed_period = feed_periods[0]

    api_model = override.feed_id if override.api_model == "" else override.api_model
    found = identity.model(override.feed_id)
    if found is None and api_model:
        found = identity.model(api_model)
    model = override.model or found
    if model is None:
        raise fail("no bundled model has this name or alias; give `model:`", "model")
    if override.model is not None and found is not None and found != override.model:
        raise fail(f"`model: {override.model}` but the identity resolver says {found}", "model")
    if model not in identity.names.values():
        raise fail(f"`model: {model}` is not a bundled model", "model")

    feed_checked = feed_rows.get(override.feed_id, {}).get("prices_checked")
    current = override.current
    if feed_checked != current.prices_checked:
        raise fail(
            f"the feed's prices_checked is {feed_checked or 'none'}, the overrides reviewed"
            f" {current.prices_checked or 'none'}: review the period's date (a changed price"
            " is a new period) and update `prices_checked`",
            "current.prices_checked",
        )
    if feed_period.get("currency", sheet.provider.currency) != sheet.provider.currency:
        raise fail(f"feed currency {feed_period['currency']} is not the sheet's")

    period: dict[str, Any] = {"as_of": current.as_of, "source": current.source}
    notes = [n for n in (current.note, feed_period.get("note")) if n]
    if notes:
        period["note"] = " ".join(notes)
    prices = {k: feed_period[k] for k in _PRICE_KEYS if k in feed_period}
    if current.fill is not None:
        for name, value in current.fill.model_dump(exclude_none=True).items():
            if name in prices:
                raise fail(
                    f"the feed now lists {name} ({prices[name]}); remove it from `fill`",
                    "current.fill",
                )
            prices[name] = value
    period.update({k: prices[k] for k in _PRICE_KEYS if k in prices})

    earlier = [_dump_period(p) for p in override.earlier]
    if earlier:
        last = override.earlier[-1]
        if last.valid_until is None or _day(last.valid_until) != current.as_of:
            raise fail(
                "the last earlier period must end (valid_until) on the current as_of",
                "earlier",
            )
    offer: dict[str, Any] = {"model": model}
    if api_model:
        offer["api_model"] = api_model
    offer["prices"] = [*earlier, period]
    return offer


def _day(value: dt.date | dt.datetime) -> dt.date | None:
    """The day a validity bound falls on, when it is midnight UTC (else None)."""
    from costcalc.schema.common import as_instant

    instant = as_instant(value)
    return (
        instant.date()
        if instant.time() == dt.time(0) and instant.utcoffset() == dt.timedelta(0)
        else None
    )


def _dump_period(period: PricePeriod) -> dict[str, Any]:
    data = period.model_dump(exclude_defaults=True, exclude_none=True)
    order = ("as_of", "valid_until", "currency", "source", "note", *_PRICE_KEYS)
    out = {k: data[k] for k in order if k in data}
    out.update({k: v for k, v in data.items() if k not in out})
    return out


def _sheet_text(snapshot: Snapshot, sheet: SheetOverride, offers: list[dict[str, Any]]) -> str:
    from costcalc.loader import validate_data
    from costcalc.schema.pricing import PriceSheet
    from costcalc.yamlio import dump_yaml

    data = {
        "kind": "price-sheet",
        "provider": sheet.provider.model_dump(exclude_none=True),
        "offers": offers,
    }
    # What is written must load: a bad combination of feed and overrides fails here, not later.
    validate_data(data, PriceSheet, f"pricing/providers/{sheet.provider.id}.yaml (generated)")
    body = dump_yaml(data, quote_strings=True)
    header = [
        "# yaml-language-server: $schema=../schemas/price-sheet.schema.json",
        f"# Generated by `{COMMAND}` from {GENAI_PRICES}/{sheet.feed_file}",
        f"# (pydantic/genai-prices commit {snapshot.commit[:8]}, {snapshot.date}, MIT) and",
        f"# {OVERRIDES}. Do not edit: change the overrides (or the",
        f"# snapshot), run `{COMMAND}` and review with `costcalc prices diff`.",
        *(f"# {line}".rstrip() for line in sheet.comment.rstrip("\n").split("\n")),
    ]
    return "\n".join(header) + "\n" + body


def generate_scores(root: Path, catalog: Any) -> str:
    """pricing/scores-llm-stats.yaml: the bytes `costcalc import scores llm-stats` writes."""
    from costcalc.identity import Identity
    from costcalc.importers.scores import llm_stats
    from costcalc.importers.scores.common import sheet_text
    from costcalc.quality import quality_index

    released = {m.id: m.released for m in catalog.models.values() if m.released is not None}
    result = llm_stats.convert(
        _inside(root, LLM_STATS),
        Identity.from_catalog(catalog),
        quality_index(catalog).benchmarks,
        released,
    )
    if not result.scores:
        raise InputError("no llm-stats score maps onto a known model", file=LLM_STATS)
    return sheet_text(result, llm_stats.ATTRIBUTION, SCORES_COMMAND)


def _catalog(root: Path) -> Any:
    from costcalc.catalog import load_catalog

    return load_catalog([_inside(root, "pricing")], include_bundled=False)


def refresh(root: Path, *, check: bool = False) -> RefreshResult:
    """Regenerate every feed-derived sheet under `root` (a costcalc source checkout).

    Writes each file that changed, atomically (`check=False`), or only compares
    (`check=True`: `result.stale` lists the files that are not current). Bad input
    raises InputError naming file, line and field.
    """
    from costcalc.files import write_atomic

    result = RefreshResult()
    catalog = _catalog(root)
    models = {m.id: tuple(m.aliases) for m in catalog.models.values()}
    hosts, result.warnings = generate_host_sheets(root, models)

    def settle(rel: str, text: str) -> None:
        path = _inside(root, rel)
        old = path.read_bytes() if path.is_file() else None
        if old == text.encode("utf-8"):
            result.files.append(FileState(rel, "unchanged"))
        elif check:
            result.files.append(FileState(rel, "missing" if old is None else "differs"))
        else:
            write_atomic(path, text)
            result.files.append(FileState(rel, "written"))

    for rel, text in hosts.items():
        settle(rel, text)
    if not check and any(f.state == "written" for f in result.files):
        catalog = _catalog(root)  # the scores resolve names through the sheets just written
    settle(SCORES_SHEET, generate_scores(root, catalog))
    return result


# ------------------------------------------------------------------ helpers
def _inside(root: Path, rel: str) -> Path:
    """root/rel, refusing a symbolic link anywhere below root (never followed out of it)."""
    path = root
    for part in rel.split("/"):
        path = path / part
        if path.is_symlink():
            raise InputError("is a symbolic link; refusing to follow it", file=str(path))
    return path


def _line(data: Any, *loc: int | str) -> int | None:
    from costcalc.located import locate

    try:
        return locate(data, loc)[0]
    except (KeyError, IndexError, TypeError):
        return None


__all__ = [
    "OVERRIDES",
    "FileState",
    "Overrides",
    "RefreshResult",
    "generate_host_sheets",
    "generate_scores",
    "load_overrides",
    "refresh",
]
