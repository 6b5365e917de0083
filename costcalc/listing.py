"""The models of a catalog, filtered: the core of `costcalc models` (no typer, rich or printing).

`list_models(catalog, provider=..., vendor=..., open_weights=..., license_id=...)`
returns a `ModelList`: one `ModelRow` per model, in the catalog's order, with the
providers that offer it. Tables and JSON are made from it in costcalc.render.catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from costcalc.catalog import Catalog, did_you_mean
from costcalc.errors import InputError
from costcalc.records import ModelInfo


@dataclass(frozen=True)
class ModelRow:
    """One model of the catalog and the providers that offer it (sorted ids)."""

    model: ModelInfo
    providers: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def parameters_total_b(self) -> Decimal | None:
        return self.model.parameters.total_b if self.model.parameters else None

    @property
    def parameters_active_b(self) -> Decimal | None:
        p = self.model.parameters
        return p.active_b if p and p.active_b else None


@dataclass(frozen=True)
class ModelList:
    """The models that pass every filter given, in the catalog's order."""

    rows: tuple[ModelRow, ...]

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.rows]


def list_models(
    catalog: Catalog,
    *,
    provider: str | None = None,
    vendor: str | None = None,
    open_weights: bool | None = None,
    license_id: str | None = None,
) -> ModelList:
    """Models offered by `provider`, by a vendor whose name contains `vendor`, open-weight
    (True) or closed (False), under the licence `license_id` (case-insensitive).

    An unknown provider or licence is an InputError with a did-you-mean (a mistyped
    name would otherwise list nothing and read as an answer).
    """
    if provider:
        catalog.provider(provider)
    if license_id:
        license_id = _known_license(catalog, license_id)
    offered: dict[str, list[str]] = {}
    for o in catalog.offers:
        offered.setdefault(o.model.id, []).append(o.provider.id)
    rows: list[ModelRow] = []
    for model in catalog.models.values():
        providers = sorted(offered.get(model.id, []))
        if provider and provider.lower() not in providers:
            continue
        if vendor and vendor.lower() not in model.vendor.lower():
            continue
        if open_weights is not None and model.open_weights != open_weights:
            continue
        if license_id and model.license != license_id.lower():
            continue
        rows.append(ModelRow(model, tuple(providers)))
    return ModelList(tuple(rows))


def _known_license(catalog: Catalog, value: str) -> str:
    """The licence id as the sheets spell it, or InputError naming the known ones."""
    known = {m.license.lower(): m.license for m in catalog.models.values()}
    found = known.get(value.strip().lower())
    if found is None:
        listed = ", ".join(sorted(known.values())) or "none in the loaded sheets"
        raise InputError(
            f"unknown license {value!r}{did_you_mean(value.strip().lower(), known)}; {listed}",
            field="--license",
        )
    return found
