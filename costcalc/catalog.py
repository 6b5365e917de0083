"""The catalog: every model, offer and exchange rate, merged from layers of sheets.

Layers are folders: the bundled `pricing/` first, then each `--pricing DIR` in
order. Inside one layer an id may be defined once; a later layer overrides an
earlier one. A later layer's offer for the same provider and model joins the
earlier offer: its dated price periods are added to the earlier ones, and a
period starting on the same day in the same currency replaces the earlier one
(so an import refreshes a bundled offer without erasing its history). An
exchange rate is identified by its currency pair and day, either way round: a
later layer's rate replaces an earlier layer's for the same pair and day. Which
dated record is in force on a day is `costcalc.dated`'s rule. The result is
immutable and knows where each item came from.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costcalc.errors import InputError, Problem
from costcalc.loader import Document, load_folder
from costcalc.records import (
    FxRate,
    FxTable,
    ModelInfo,
    ModelRegistry,
    Offer,
    PricePeriod,
    PriceSheet,
    Provider,
)


@dataclass(slots=True, unsafe_hash=True)
class Origin:
    """Where an item is written: file and line.

    Read-only by convention (as OfferEntry and FxEntry): not frozen, because a large
    catalog decodes one per offer and price period, and a frozen __init__ is 5x slower."""

    file: str
    line: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(slots=True, unsafe_hash=True)
class OfferEntry:
    """One model at one provider, with where its prices are written."""

    provider: Provider
    model: ModelInfo
    offer: Offer
    origin: Origin
    period_origins: tuple[Origin, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.model.id, self.provider.id)

    @property
    def label(self) -> str:
        return f"{self.model.id} @ {self.provider.id}"


@dataclass(slots=True, unsafe_hash=True)
class FxEntry:
    rate: FxRate
    origin: Origin


@dataclass
class Catalog:
    """Immutable-by-convention index of everything the sheets define."""

    models: dict[str, ModelInfo]
    providers: dict[str, Provider]
    offers: list[OfferEntry]
    fx: list[FxEntry]
    documents: list[Document] = field(default_factory=list)
    """All loaded documents, for modules that index other kinds (benchmarks, profiles...)."""
    document_layers: list[int] = field(default_factory=list)
    """The layer (0 = first) each document of `documents` comes from."""

    _names: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for model in self.models.values():
            self._names[model.id.lower()] = model.id
            for alias in model.aliases:
                self._names.setdefault(alias.lower(), model.id)

    # --------------------------------------------------------------- lookups
    def model(self, name: str) -> ModelInfo:
        """A model by id or alias (case-insensitive), also behind a vendor or provider namespace
        (`openai/gpt-4o`, `gemini/gemini-2.5-pro`: see costcalc.identity), or an error that
        suggests the nearest ids."""
        from costcalc.identity import unprefixed

        found = None
        for candidate in unprefixed(name, frozenset(self.providers)):
            found = self._names.get(candidate.lower())
            if found is not None:
                break
        if found is None:
            raise InputError(f"unknown model {name!r}{did_you_mean(name, self._names)}")
        return self.models[found]

    def provider(self, name: str) -> Provider:
        found = self.providers.get(name.strip().lower())
        if found is None:
            raise InputError(f"unknown provider {name!r}{did_you_mean(name, self.providers)}")
        return found

    def offers_for(self, model_id: str, provider: str | None = None) -> list[OfferEntry]:
        """Offers of a model, optionally at one provider, sorted by provider id."""
        if provider is not None:
            self.provider(provider)
        found = [
            o
            for o in self.offers
            if o.model.id == model_id and (provider is None or o.provider.id == provider.lower())
        ]
        if provider is not None and not found:
            others = sorted(o.provider.id for o in self.offers if o.model.id == model_id)
            hint = f"; it is offered by: {', '.join(others)}" if others else "; it has no offers"
            raise InputError(f"provider {provider!r} does not offer {model_id!r}{hint}")
        return found

    def documents_of(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """ ", did you mean 'x'?" for the closest known names, or "" when none is close."""
    close = difflib.get_close_matches(name.lower(), list(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def bundled_pricing_dir() -> Path:
    """The price sheets shipped with costcalc (installed package, or the source checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "bundled", here.parent / "pricing"):
        if (candidate / "models.yaml").is_file():
            return candidate
    raise InputError("the bundled price sheets are missing from this installation")


# ------------------------------------------------------------------- building


def load_catalog(
    layers: Sequence[Path], *, include_bundled: bool = True, cache_dir: Path | None = None
) -> Catalog:
    """Load and merge layers of sheets: bundled first, later layers override earlier ones.

    With `cache_dir`, a catalog loaded before from the same contents is reused
    (see costcalc.catalog_cache). When a catalog of the bundled sheets alone has to be
    built, it is read from their compiled form if the installation has one made from
    the same sheets (`compile_bundled`), instead of parsing them.
    """
    folders: list[tuple[Path, str | None]] = [(Path(p), None) for p in layers]
    if include_bundled:
        folders.insert(0, (bundled_pricing_dir(), "pricing"))

    def build() -> Catalog:
        from costcalc.catalog_cache import compact

        def settled(document: Document) -> Document:
            """A loaded document as the catalog keeps it: its model as run-time records, and
            its located data as text (`compact`), except a price sheet's until the catalog is
            built (the origin of every price period is a line below an offer)."""
            document = as_records(document)
            return document if document.kind == "price-sheet" else compact(document)

        if include_bundled and not layers:
            from costcalc.catalog_cache import load_compiled

            compiled = load_compiled(folders[0][0], "pricing")
            if isinstance(compiled, Catalog):
                return compiled
        loaded: list[list[Document]] = []
        problems: list[Problem] = []
        for folder, display in folders:
            try:
                loaded.append(load_folder(folder, display=display, each=settled))
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise InputError(problems=problems)
        catalog = build_catalog(loaded)
        del loaded  # each price sheet's located tree is freed as it is compacted
        documents = catalog.documents
        for i, document in enumerate(documents):
            documents[i] = compact(document)
        return catalog

    if cache_dir is None:
        return build()
    from costcalc.catalog_cache import cached

    return cached(cache_dir, folders, build)


def compile_bundled(folder: Path | None = None) -> bytes:
    """The bundled catalog compiled to plain data (see costcalc.catalog_cache.COMPILED_NAME):
    built from the sheets alone, never from a cache or an earlier compiled file."""
    folder = folder or bundled_pricing_dir()
    from costcalc.catalog_cache import compile_catalog

    catalog = build_catalog([load_folder(folder, display="pricing")])
    return compile_catalog(folder, "pricing", catalog)


def _join(
    earlier: Offer,
    earlier_origins: tuple[Origin, ...],
    later: Offer,
    later_origins: tuple[Origin, ...],
) -> tuple[Offer, tuple[Origin, ...]]:
    """A later layer's offer for the same model and provider, joined with the earlier one.

    Its price periods join the earlier ones; a period starting on the same day
    in the same currency replaces the earlier one. Its rate limits join the
    earlier ones too: the limit in force for a tier is the latest dated, and on
    the same day the later one (`costcalc.dated`), so a later layer's limit
    replaces only the earlier limit of its own tier and day. Its other fields
    replace the earlier offer's where given (`api_names` where not empty: a layer
    that names other API names gives the whole list, as it gives `api_model`).
    """
    by_start: dict[tuple[object, object], tuple[PricePeriod, Origin]] = {}
    for period, origin in zip(earlier.prices, earlier_origins, strict=True):
        by_start[(period.as_of, period.currency)] = (period, origin)
    for period, origin in zip(later.prices, later_origins, strict=True):
        by_start[(period.as_of, period.currency)] = (period, origin)
    joined = sorted(by_start.values(), key=lambda po: (po[0].as_of, po[0].currency or ""))
    update: dict[str, Any] = {"prices": [p for p, _ in joined]}
    for name in ("api_model", "context_window", "max_output", "note"):
        if getattr(later, name) is None:
            update[name] = getattr(earlier, name)
    if not later.api_names:
        update["api_names"] = earlier.api_names
    if earlier.rate_limits:
        update["rate_limits"] = [*earlier.rate_limits, *later.rate_limits]
    return later.model_copy(update=update), tuple(o for _, o in joined)


def as_records(document: Document) -> Document:
    """A loaded document whose validated model is copied into run-time records
    (costcalc.records), for the kinds that have them; other documents as they are."""
    from costcalc.records import RECORD_KINDS, from_model

    if document.kind not in RECORD_KINDS or not hasattr(type(document.model), "model_fields"):
        return document
    return Document(document.path, document.kind, from_model(document.model), document.raw)


def build_catalog(layers: Sequence[Sequence[Document]]) -> Catalog:
    """Merge already-loaded layers; see the module docstring for the rules.

    The validated models of the kinds the engine reads become plain records
    (costcalc.records): the catalog holds no pydantic model of them, whether it was
    built here or read back from the cache."""
    layers = [[as_records(doc) for doc in layer] for layer in layers]
    models: dict[str, tuple[ModelInfo, Origin]] = {}
    providers: dict[str, Provider] = {}
    offers: dict[tuple[str, str], tuple[Offer, Provider, Origin, tuple[Origin, ...]]] = {}
    # A later layer's rate for a currency pair on a day replaces the earlier layer's.
    fx_by_day: dict[tuple[str, str, dt.date], FxEntry] = {}
    problems: list[Problem] = []
    documents: list[Document] = []

    document_layers: list[int] = []
    for number, layer in enumerate(layers):
        documents.extend(layer)
        document_layers.extend([number] * len(layer))
        layer_models: dict[str, Origin] = {}
        layer_providers: dict[str, Origin] = {}
        layer_offers: dict[tuple[str, str], Origin] = {}
        layer_rates: dict[tuple[str, str, dt.date], Origin] = {}
        for doc in layer:
            sheet: Any = doc.model
            if isinstance(sheet, (ModelRegistry, PriceSheet)):
                for i, info in enumerate(sheet.models):
                    origin = Origin(doc.path, doc.line_of("models", i))
                    if info.id in layer_models:
                        problems.append(
                            Problem(
                                f"duplicate model id {info.id!r}"
                                f" (also defined at {layer_models[info.id]})",
                                doc.path,
                                origin.line,
                                f"models[{i}].id",
                            )
                        )
                        continue
                    layer_models[info.id] = origin
                    models[info.id] = (info, origin)
            if isinstance(sheet, PriceSheet):
                pid = sheet.provider.id
                if pid in layer_providers:
                    problems.append(
                        Problem(
                            f"duplicate provider id {pid!r}"
                            f" (also a sheet at {layer_providers[pid]})",
                            doc.path,
                            doc.line_of("provider", "id"),
                            "provider.id",
                        )
                    )
                    continue
                layer_providers[pid] = Origin(doc.path, doc.line_of("provider"))
                providers[pid] = sheet.provider
                for i, offer in enumerate(sheet.offers):
                    key = (offer.model, pid)
                    origin = Origin(doc.path, doc.line_of("offers", i))
                    if key in layer_offers:
                        problems.append(
                            Problem(
                                f"duplicate offer of {offer.model!r} (also at {layer_offers[key]})",
                                doc.path,
                                origin.line,
                                f"offers[{i}].model",
                            )
                        )
                        continue
                    layer_offers[key] = origin
                    periods = tuple(
                        Origin(doc.path, doc.line_of("offers", i, "prices", j))
                        for j in range(len(offer.prices))
                    )
                    if key in offers:
                        offer, periods = _join(offers[key][0], offers[key][3], offer, periods)
                    offers[key] = (offer, sheet.provider, origin, periods)
            elif isinstance(sheet, FxTable):
                for i, rate in enumerate(sheet.rates):
                    origin = Origin(doc.path, doc.line_of("rates", i))
                    low, high = sorted((rate.base, rate.quote))
                    day = (low, high, rate.as_of)
                    if day in layer_rates:
                        problems.append(
                            Problem(
                                f"a second {rate.base}/{rate.quote} rate dated {rate.as_of}"
                                f" in this layer (the other is at {layer_rates[day]})",
                                doc.path,
                                origin.line,
                                f"rates[{i}]",
                            )
                        )
                        continue
                    layer_rates[day] = origin
                    fx_by_day[day] = FxEntry(rate, origin)

    # Offers refer to models; report every dangling reference at the offer's line.
    entries: list[OfferEntry] = []
    for (model_id, _pid), (offer, provider, origin, periods) in sorted(offers.items()):
        if model_id not in models:
            problems.append(
                Problem(
                    f"unknown model {model_id!r}{did_you_mean(model_id, models)};"
                    " define it in a models file or in this sheet's `models:`",
                    origin.file,
                    origin.line,
                    "model",
                )
            )
            continue
        # A provider sheet overridden by a later layer keeps its own offers' provider facts.
        entries.append(
            OfferEntry(providers[provider.id], models[model_id][0], offer, origin, periods)
        )

    names: dict[str, str] = {}
    for model_id, (info, origin) in sorted(models.items()):
        for alias in info.aliases:
            other = names.get(alias)
            if alias in models and alias != model_id:
                problems.append(
                    Problem(
                        f"alias {alias!r} is already a model id",
                        origin.file,
                        origin.line,
                        "aliases",
                    )
                )
            elif other is not None and other != model_id:
                problems.append(
                    Problem(
                        f"alias {alias!r} is also an alias of {other!r}",
                        origin.file,
                        origin.line,
                        "aliases",
                    )
                )
            names[alias] = model_id
    if problems:
        raise InputError(problems=problems)
    fx = sorted(fx_by_day.values(), key=lambda e: (e.rate.base, e.rate.quote, e.rate.as_of))
    return Catalog(
        models={k: v[0] for k, v in sorted(models.items())},
        providers=dict(sorted(providers.items())),
        offers=entries,
        fx=fx,
        documents=documents,
        document_layers=document_layers,
    )
