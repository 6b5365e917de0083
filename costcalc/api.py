"""costcalc as a library: one call per use case, without the command line.

    from costcalc import api

    catalog = api.load_catalog()                       # the bundled sheets
    report = api.cost("deepseek-r1", input_tokens=1_000_000, output_tokens=1_000_000,
                      catalog=catalog, currency="CNY", when=datetime.date(2025, 4, 13))
    report.total                                       # ¥4 + ¥16 = ¥20 (a Decimal)
    report.to_json()                                   # the `costcalc cost --format json` text

Every call takes a loaded `catalog`, or loads one from `pricing` folders layered
over the bundled sheets (`bundled=False` leaves those out). Every call returns a
typed result; `.payload()` is the JSON document of the same command's
`--format json` as Python data, `.to_json()` its text. Invalid input raises
`costcalc.errors.InputError` (the CLI's exit 2), whose `.problems` name file, line
and field; a failed check is a result (`CheckReport.exit_code == 1`), not an error.

Money is `decimal.Decimal` throughout; `when` defaults to today (UTC), as on the
command line. The module imports nothing heavy until a call needs it, and
`import costcalc` stays import-free: use `from costcalc import api`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from costcalc.budget import BudgetPlan
    from costcalc.catalog import Catalog
    from costcalc.compare import CompareOptions, CompareResult
    from costcalc.cost import CostResult, OfferCosts
    from costcalc.gate.findings import CheckResult
    from costcalc.importers.common import ImportResult
    from costcalc.importers.output import WritePlan
    from costcalc.listing import ModelList, ModelRow
    from costcalc.pricediff import PriceDiff
    from costcalc.rank import Ranking
    from costcalc.replay.result import ReplayResult
    from costcalc.schema.workload import Workload

__all__ = [
    "BudgetReport",
    "CheckReport",
    "Comparison",
    "CostReport",
    "ImportReport",
    "ModelsReport",
    "PriceDiffReport",
    "ReplayReport",
    "budget",
    "check",
    "compare",
    "cost",
    "import_prices",
    "load_catalog",
    "models",
    "prices_diff",
    "replay",
]

Paths = Sequence[Path | str] | Path | str


def _paths(value: Paths | None) -> list[Path]:
    if value is None:
        return []
    if isinstance(value, (str, Path)):
        return [Path(value)]
    return [Path(p) for p in value]


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def load_catalog(
    pricing: Paths | None = None, *, bundled: bool = True, cache_dir: Path | str | None = None
) -> Catalog:
    """The bundled sheets (unless `bundled=False`) with `pricing` folders or files layered
    over them, later ones winning. `cache_dir` keeps the loaded catalog between runs
    (as the CLI does in ~/.cache/costcalc); None loads afresh."""
    from costcalc.catalog import load_catalog as load
    from costcalc.errors import InputError

    layers = _paths(pricing)
    if not bundled and not layers:
        raise InputError("bundled=False needs at least one pricing folder")
    return load(
        layers,
        include_bundled=bundled,
        cache_dir=Path(cache_dir) if cache_dir is not None else None,
    )


def _catalog(catalog: Catalog | None, pricing: Paths | None, bundled: bool) -> Catalog:
    if catalog is not None:
        if pricing is not None or not bundled:
            from costcalc.errors import InputError

            raise InputError("give either catalog= or pricing=/bundled=, not both")
        return catalog
    return load_catalog(pricing, bundled=bundled)


class _Report:
    """A result with the JSON document of its command."""

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_json(self) -> str:
        """The text `--format json` prints: `schema_version` first, money as decimal strings."""
        from costcalc.render.tables import to_json

        return to_json(self.payload())


# ------------------------------------------------------------------ cost


@dataclass(frozen=True)
class CostReport(_Report):
    """A usage priced on a model's offers: `best` (cheapest, with its breakdown) and the rest."""

    offers: OfferCosts

    @property
    def best(self) -> CostResult:
        return self.offers.best

    @property
    def total(self) -> Decimal:
        """The cheapest offer's cost, exact."""
        return self.offers.best.total

    @property
    def currency(self) -> str:
        return self.offers.currency

    def payload(self) -> dict[str, Any]:
        from costcalc.render.catalog import cost_payload

        return cost_payload(self.offers)


def cost(
    model: str,
    *,
    input_tokens: int | Decimal,
    output_tokens: int | Decimal,
    cached_tokens: int | Decimal = 0,
    cache_write_tokens: int | Decimal = 0,
    reasoning_tokens: int | Decimal = 0,
    requests: int | Decimal = 1,
    batch_share: Decimal | str | int = 0,
    off_peak_share: Decimal | str | int = 0,
    provider: str | None = None,
    currency: str | None = None,
    when: dt.date | None = None,
    catalog: Catalog | None = None,
    pricing: Paths | None = None,
    bundled: bool = True,
) -> CostReport:
    """`costcalc cost`: the cost of a usage on a model's offers (or one provider's).

    `input_tokens` counts every prompt token, cached ones included. Without
    `currency`, one offer is priced in its provider's currency, several in USD.
    """
    from costcalc.cost import Usage, cost_offers

    usage = Usage(
        input_tokens=Decimal(input_tokens),
        output_tokens=Decimal(output_tokens),
        cached_tokens=Decimal(cached_tokens),
        cache_write_tokens=Decimal(cache_write_tokens),
        reasoning_tokens=Decimal(reasoning_tokens),
        requests=Decimal(requests),
        batch_share=Decimal(str(batch_share)),
        off_peak_share=Decimal(str(off_peak_share)),
    )
    result = cost_offers(
        _catalog(catalog, pricing, bundled),
        model,
        usage,
        when=when or _today(),
        provider=provider,
        currency=currency,
    )
    return CostReport(result)


# ------------------------------------------------------------------ models


@dataclass(frozen=True)
class ModelsReport(_Report):
    """The models that pass the filters, in the catalog's order."""

    listing: ModelList

    @property
    def rows(self) -> tuple[ModelRow, ...]:
        return self.listing.rows

    @property
    def ids(self) -> list[str]:
        return self.listing.ids

    def payload(self) -> dict[str, Any]:
        from costcalc.render.catalog import models_payload

        return models_payload(self.listing)


def models(
    *,
    provider: str | None = None,
    vendor: str | None = None,
    open_weights: bool | None = None,
    license_id: str | None = None,
    catalog: Catalog | None = None,
    pricing: Paths | None = None,
    bundled: bool = True,
) -> ModelsReport:
    """`costcalc models`: the catalog's models, filtered by provider, vendor (substring),
    open or closed weights, licence id."""
    from costcalc.listing import list_models

    listing = list_models(
        _catalog(catalog, pricing, bundled),
        provider=provider,
        vendor=vendor,
        open_weights=open_weights,
        license_id=license_id,
    )
    return ModelsReport(listing)


# ------------------------------------------------------------------ prices diff


@dataclass(frozen=True)
class PriceDiffReport(_Report):
    """Offers added and removed, prices changed, between two sets of price sheets."""

    diff: PriceDiff
    old: str
    new: str

    def payload(self) -> dict[str, Any]:
        from costcalc.render.catalog import diff_payload

        return diff_payload(self.diff, self.old, self.new)


def prices_diff(old: Path | str, new: Path | str) -> PriceDiffReport:
    """`costcalc prices diff OLD NEW`: folders (or single files) of price sheets compared
    through each offer's latest price period per currency."""
    from costcalc.pricediff import diff, load_sheets

    result = diff(load_sheets(Path(old)), load_sheets(Path(new)))
    return PriceDiffReport(result, str(old), str(new))


# ------------------------------------------------------------------ compare


@dataclass(frozen=True)
class Comparison(_Report):
    """Every offer ranked by cost among the good-enough ones, with the bar and the weights."""

    ranking: Ranking
    details: CompareResult
    options: CompareOptions

    def payload(self) -> dict[str, Any]:
        from costcalc.render.compare import payload

        return payload(self.ranking, self.options, self.details)


def compare(
    *,
    input_tokens: int | Decimal = 2000,
    output_tokens: int | Decimal = 500,
    cached_share: Decimal | str | int = 0,
    currency: str = "USD",
    when: dt.date | None = None,
    profile: str = "balanced",
    volume: Decimal | int | None = 5000,
    catalog: Catalog | None = None,
    pricing: Paths | None = None,
    bundled: bool = True,
    cache_dir: Path | str | None = None,
    **options: Any,
) -> Comparison:
    """`costcalc compare`: rank every offer for one request against a quality bar.

    The defaults are the command's (2,000 prompt tokens, 500 answer tokens, the
    balanced profile, self-hosted offers priced at 5,000 requests a day; `volume=None`
    ranks API offers only). Further keywords are fields of costcalc.compare.CompareOptions
    (weights, min_quality, good_enough, min_coverage, providers, open_weights, licenses,
    models, reasoning_tokens, reasoning_models, max_multiple_per_point, max_cost_per_point,
    requests_per_month, z, quality_method, peak_factor), with the command's meaning.
    """
    from costcalc.compare import CompareOptions, compare_full
    from costcalc.cost import Usage, currency_code
    from costcalc.errors import InputError

    share = Decimal(str(cached_share))
    if not Decimal(0) <= share <= 1:
        raise InputError(f"cached_share must be between 0 and 1, got {cached_share}")
    tokens_in = Decimal(input_tokens)
    try:
        chosen = CompareOptions(
            usage=Usage(
                input_tokens=tokens_in,
                output_tokens=Decimal(output_tokens),
                cached_tokens=tokens_in * share,
            ),
            when=when or _today(),
            currency=currency_code(currency, "USD", field="currency"),
            profile=profile,
            volume=Decimal(volume) if volume is not None else None,
            **options,
        )
    except TypeError as exc:  # an unknown keyword: a usage error, as on the command line
        raise InputError(f"compare: {exc}") from None
    ranking, details = compare_full(
        _catalog(catalog, pricing, bundled),
        chosen,
        cache_dir=Path(cache_dir) if cache_dir is not None else None,
    )
    return Comparison(ranking, details, chosen)


# ------------------------------------------------------------------ check (the CI gate)


@dataclass(frozen=True)
class CheckReport(_Report):
    """The gate's verdict on procurement files: findings per decision, and the exit code."""

    result: CheckResult

    @property
    def failed(self) -> bool:
        return self.result.failed

    @property
    def exit_code(self) -> int:
        """0 passed (warnings allowed), 1 a rule denied (or a warning with fail_on_warn)."""
        return 1 if self.result.failed else 0

    def payload(self) -> dict[str, Any]:
        from costcalc.render.reports.formats import to_payload

        return to_payload(self.result)

    def to_json(self) -> str:
        """The text of `costcalc check --format json`."""
        from costcalc.render.reports import ReportFormat, formatter_for

        return formatter_for(ReportFormat.json).format(self.result)

    def report(self, fmt: str = "text") -> str:
        """The report in any of the command's formats: text, json, markdown, github, sarif,
        junit, gitlab."""
        from costcalc.errors import InputError
        from costcalc.render.reports import ReportFormat, formatter_for

        try:
            chosen = ReportFormat(fmt.strip().lower())
        except ValueError:
            choices = ", ".join(f.value for f in ReportFormat)
            raise InputError(f"unknown report format {fmt!r}; formats: {choices}") from None
        return formatter_for(chosen).format(self.result)


def check(
    paths: Paths,
    *,
    when: dt.date | None = None,
    base: Path | str | None = None,
    currency: str | None = None,
    max_increase: Decimal | None = None,
    max_increase_pct: Decimal | None = None,
    fail_on_warn: bool = False,
    catalog: Catalog | None = None,
    pricing: Paths | None = None,
    bundled: bool = True,
) -> CheckReport:
    """`costcalc check`: gate procurement files (and, with `base`, their cost change).

    Invalid files raise InputError; a denied rule is `report.failed` / `exit_code == 1`.
    """
    from costcalc.cost import currency_code
    from costcalc.errors import InputError
    from costcalc.gate import check as gate_check

    if base is None and (max_increase is not None or max_increase_pct is not None):
        raise InputError("max_increase and max_increase_pct need base")
    if catalog is not None and (pricing is not None or not bundled):
        raise InputError("give either catalog= or pricing=/bundled=, not both")
    layers = _paths(pricing)
    if not bundled and not layers and catalog is None:
        raise InputError("bundled=False needs at least one pricing folder")
    result = gate_check(
        _paths(paths),
        when=when or _today(),
        catalog=catalog,
        pricing=layers,
        include_bundled=bundled,
        base=base,
        currency=currency_code(currency, "USD", field="currency") if currency else None,
        max_increase=max_increase,
        max_increase_pct=max_increase_pct,
        fail_on_warn=fail_on_warn,
    )
    return CheckReport(result)


# ------------------------------------------------------------------ replay


@dataclass(frozen=True)
class ReplayReport(_Report):
    """Usage logs repriced exactly, and the same traffic on the good-enough alternatives."""

    result: ReplayResult

    def payload(self) -> dict[str, Any]:
        from costcalc.replay.result import payload

        return payload(self.result)


def replay(
    paths: Paths,
    *,
    currency: str = "USD",
    log_format: str = "auto",
    engine: str = "duckdb",
    master: str | None = None,
    row_differences: int = 0,
    catalog: Catalog | None = None,
    pricing: Paths | None = None,
    bundled: bool = True,
    **alternatives: Any,
) -> ReplayReport:
    """`costcalc replay`: reprice usage logs (CSV, JSONL, Parquet, OpenAI/Anthropic
    exports) on the catalog's dated prices. Further keywords are fields of
    costcalc.replay.CounterfactualOptions (profile, weights, min_quality, good_enough,
    min_coverage, providers, open_weights, licenses, models, spread, as_of, limit);
    `row_differences=N` also lists the N rows whose logged cost differs most from list price."""
    from costcalc.cost import currency_code
    from costcalc.errors import InputError
    from costcalc.replay.counterfactual import CounterfactualOptions
    from costcalc.replay.engines import EngineName
    from costcalc.replay.formats import LogFormat
    from costcalc.replay.run import replay as run

    chosen_format = LogFormat.named(log_format, "log_format")
    chosen_engine = EngineName.named(engine, "engine")
    try:
        options = CounterfactualOptions(**alternatives)
    except TypeError as exc:
        raise InputError(f"replay: {exc}") from None
    result = run(
        _paths(paths),
        catalog=_catalog(catalog, pricing, bundled),
        currency=currency_code(currency, "USD", field="currency"),
        log_format=chosen_format,
        engine=chosen_engine,
        master=master,
        alternatives=options,
        row_differences=row_differences,
    )
    return ReplayReport(result)


# ------------------------------------------------------------------ import a price feed


@dataclass(frozen=True)
class ImportReport:
    """What an import converted (`result`: rows read, skipped, unrepresented, matched) and
    what it did to the output folder (`written`: files written, removed, overwritten).

    The command prints this as messages, not as a JSON document, so there is no to_json."""

    result: ImportResult
    written: WritePlan

    @property
    def offers(self) -> int:
        return self.result.offers

    @property
    def providers(self) -> list[str]:
        return sorted(self.result.sheets)


def import_prices(
    feed: str,
    path: Path | str,
    output: Path | str,
    *,
    as_of: dt.date | None = None,
    force: bool = False,
    bundled: bool = True,
) -> ImportReport:
    """`costcalc import litellm|genai-prices|openrouter PATH --output OUTPUT`: convert a
    community price feed (a file you fetched) into price sheets in `output`, which is
    replaced as a whole. `as_of` is recorded for undated figures (default today, UTC);
    `bundled=False` keeps the feed's own ids instead of matching the bundled models;
    `force` overwrites sheets edited by hand."""
    from costcalc.importers.feeds import convert_feed, output_folder, write_import

    folder = output_folder(output)
    result = convert_feed(
        feed,
        Path(path),
        as_of=as_of or _today(),
        bundled=load_catalog() if bundled else None,
    )
    return ImportReport(result, write_import(result, folder, force=force))


# ------------------------------------------------------------------ budget


@dataclass(frozen=True)
class BudgetReport(_Report):
    """A month of each workload on every offer: fit to budget, growth, rate limits, self-host."""

    plan: BudgetPlan
    show_all: bool = False
    limit: int = 15

    def payload(self) -> dict[str, Any]:
        from costcalc.render.budget import budget_payload

        return budget_payload(self.plan, self.show_all, self.limit)


def budget(
    workloads: Sequence[str | Workload] | str | Workload | None = None,
    *,
    workload_file: Path | str | None = None,
    when: dt.date | None = None,
    currency: str = "USD",
    show_all: bool = False,
    limit: int = 15,
    catalog: Catalog | None = None,
    pricing: Paths | None = None,
    bundled: bool = True,
    cache_dir: Path | str | None = None,
    **options: Any,
) -> BudgetReport:
    """`costcalc budget --monthly`: price each workload for a month on every offer.

    `workloads` are preset names of the loaded sheets (`"medium"`) or
    costcalc.schema.workload.Workload objects; with `workload_file` they name workloads
    of that file (all of them when None). With neither, every preset is projected, as
    the command does without a ./workloads.yaml. Further keywords are fields of
    costcalc.budget.BudgetOptions (budget, tier, models, providers, open_weights,
    selfhost, utilisation, profile, weights, min_quality, good_enough, min_coverage).
    `show_all`/`limit` choose the rows of the JSON document, as `--all`/`--limit` do.
    """
    from costcalc.budget import BudgetOptions, plan
    from costcalc.cost import currency_code
    from costcalc.errors import InputError
    from costcalc.schema.workload import Workload as WorkloadModel
    from costcalc.workload import load_workloads, preset, presets

    chosen_catalog = _catalog(catalog, pricing, bundled)
    named = [workloads] if isinstance(workloads, (str, WorkloadModel)) else list(workloads or ())
    loads: list[Workload]
    if workload_file is not None:
        if any(not isinstance(w, str) for w in named):
            raise InputError("with workload_file=, workloads are names in that file")
        loads = load_workloads(Path(workload_file), [str(w) for w in named] or None)
    elif named:
        loads = [preset(chosen_catalog, w) if isinstance(w, str) else w for w in named]
    else:
        loads = list(presets(chosen_catalog).values())
        if not loads:
            raise InputError("give workloads: the loaded sheets hold no presets")
    for key in ("models", "providers"):
        if key in options and options[key] is not None:
            options[key] = tuple(options[key])
    try:
        chosen = BudgetOptions(
            when=when or _today(),
            currency=currency_code(currency, "USD", field="currency"),
            **options,
        )
    except TypeError as exc:  # an unknown keyword: a usage error, as on the command line
        raise InputError(f"budget: {exc}") from None
    result = plan(
        chosen_catalog,
        loads,
        chosen,
        cache_dir=Path(cache_dir) if cache_dir is not None else None,
    )
    return BudgetReport(result, show_all, limit)
