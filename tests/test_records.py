"""The run-time records (costcalc.records) mirror the validated schema classes field by field,
and a warm catalog load builds them without importing pydantic."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic_core import PydanticUndefined

from costcalc import records
from costcalc.catalog import build_catalog, bundled_pricing_dir
from costcalc.loader import load_folder
from costcalc.schema import pricing, quality, selfhost

SCHEMA_CLASSES = [
    cls
    for module in (pricing, quality, selfhost)
    for cls in vars(module).values()
    if isinstance(cls, type) and hasattr(cls, "model_fields") and cls.__module__ == module.__name__
]


@pytest.mark.parametrize("schema_class", SCHEMA_CLASSES, ids=lambda c: c.__name__)
def test_every_schema_class_has_a_record_with_the_same_fields(schema_class: type) -> None:
    """Same name, same fields in the same order, same defaults, same base class, and an
    __init__ that takes them all by keyword with those defaults."""
    record = getattr(records, schema_class.__name__)
    assert issubclass(record, records.Record)
    fields = dict(record._FIELDS)
    model_fields = schema_class.model_fields  # type: ignore[attr-defined]
    assert list(fields) == list(model_fields)
    required = {}
    for name, info in model_fields.items():
        got = fields[name]
        if info.default_factory is not None:
            assert info.default_factory is list and got is records.LIST, name
        elif info.default is PydanticUndefined:
            assert got is records.REQUIRED, name
            required[name] = object()
        else:
            assert got == info.default and type(got) is type(info.default), name
    built = record(**required)
    for name, default in fields.items():
        value = getattr(built, name)
        if default is records.LIST:
            assert value == [] and value is not getattr(record(**required), name)
        elif default is not records.REQUIRED:
            assert value == default
    assert not hasattr(built, "__dict__")
    base = schema_class.__bases__[0].__name__
    assert record.__bases__[0].__name__ == ("Record" if base == "Strict" else base)


def test_records_are_slotted_and_compare_by_value() -> None:
    """No __dict__ per record (memory); equal and hashed by their fields, as the frozen
    pydantic models were; model_copy replaces fields in a copy."""
    rates = records.Rates(input=Decimal("0.5"), output=Decimal(2))
    assert not hasattr(rates, "__dict__")
    same = records.Rates(input=Decimal("0.5"), output=Decimal(2))
    assert rates == same and hash(rates) == hash(same)
    copy = rates.model_copy(update={"output": Decimal(3)})
    assert copy == records.Rates(input=Decimal("0.5"), output=Decimal(3))
    assert rates.output == 2


def test_a_built_catalog_holds_records_equal_to_the_validated_models() -> None:
    """Every model of the bundled sheets, converted, keeps every validated value."""
    documents = load_folder(bundled_pricing_dir(), display="pricing")
    catalog = build_catalog([documents])
    by_id = {m.id: m for d in documents if d.kind == "models" for m in d.model.models}
    for model_id, info in catalog.models.items():
        assert type(info) is records.ModelInfo
        if model_id in by_id:
            assert info.model_dump() == by_id[model_id].model_dump()
            # exclude_none as pydantic's (the importers keep bundled provider facts so)
            assert info.model_dump(exclude_none=True) == by_id[model_id].model_dump(
                exclude_none=True
            )
    sheets = {d.model.provider.id: d.model.provider for d in documents if d.kind == "prices"}
    for provider_id, provider in catalog.providers.items():
        if provider_id in sheets:
            expected = sheets[provider_id].model_dump(exclude_none=True)
            assert provider.model_dump(exclude_none=True) == expected
    entry = catalog.offers[0]
    assert type(entry.offer) is records.Offer and type(entry.provider) is records.Provider
    kinds = {d.kind: type(d.model) for d in catalog.documents}
    assert kinds["scores"] is records.ScoreSheet
    assert kinds["workloads"].__module__ == "costcalc.schema.workload"  # no record: pydantic


def test_a_warm_compare_imports_no_pydantic(tmp_path: Path) -> None:
    """With the catalog cache warm, loading the catalog and ranking imports neither pydantic
    nor a schema module (nor on the bundled catalog's compiled form)."""
    script = f"""
import sys, datetime as dt
from decimal import Decimal
from pathlib import Path
from costcalc.catalog import load_catalog
from costcalc.compare import CompareOptions, compare_full
from costcalc.render.compare import payload
from costcalc.workload import request
cache = Path({str(tmp_path / "cache")!r})
catalog = load_catalog([], cache_dir=cache)
options = CompareOptions(usage=request(Decimal(2000), Decimal(500), Decimal(0)), when=dt.date(2025, 6, 1), currency="USD")
ranking, result = compare_full(catalog, options)
payload(ranking, options, result)
print(sorted(m for m in sys.modules if m.startswith(("pydantic", "costcalc.schema"))))
"""
    run = [sys.executable, "-c", script]
    subprocess.run(run, check=True, capture_output=True)  # warms the cache
    out = subprocess.run(run, check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_records_are_cached_sparsely_and_checked() -> None:
    """A record is stored with only its non-default fields, read back equal; an entry whose
    field indexes are out of order, or that lacks a required field, is a miss."""
    from costcalc import catalog_cache as cc

    secret = b"k" * 32
    rates = records.Rates(input=Decimal("0.5"), output=Decimal(2))
    data = cc.dumps([rates], "key", secret)
    body = data.partition(b"\n")[2]
    # Rates fields: input(0) cached_input(1) cache_write(2) output(3) reasoning(4):
    # the three empty ones are left out.
    assert b'["S",0,0,["$","0.5"],3,["$","2"]]' in body
    assert cc.loads(data, "key", secret) == [rates]
    for tampered in (
        body.replace(b'0,["$","0.5"],3,["$","2"]', b'3,["$","2"],0,["$","0.5"]'),  # order
        body.replace(b',3,["$","2"]', b""),  # `output` is required
        body.replace(b'0,["$","0.5"]', b'9,["$","0.5"]'),  # no field 9
    ):
        forged = cc._mac(secret, tampered).encode() + b"\n" + tampered
        with pytest.raises(cc.CacheMiss):
            cc.loads(forged, "key", secret)


def test_a_large_catalog_is_cached_in_chunks_read_back_equal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A catalog whose lists and dicts exceed CHUNK_BYTES is stored as chunk lines, parsed one
    at a time, and reads back the same; a chunk reference out of range is a miss."""
    from costcalc import catalog_cache as cc

    catalog = build_catalog([load_folder(bundled_pricing_dir(), display="pricing")])
    monkeypatch.setattr(cc, "CHUNK_BYTES", 4096)
    secret = b"k" * 32
    data = cc.dumps(catalog, "key", secret)
    lines = data.split(b"\n")
    assert len(lines) > 20  # the MAC, the head, then the chunks
    back = cc.loads(data, "key", secret)
    assert back.models == catalog.models and back.offers == catalog.offers
    assert back.fx == catalog.fx and back.providers == catalog.providers
    assert [d.model for d in back.documents if d.kind == "scores"] == [
        d.model for d in catalog.documents if d.kind == "scores"
    ]
    body = data.partition(b"\n")[2]
    head, _, rest = body.partition(b"\n")
    for tampered in (
        head.replace(b'["Lc",', b'["Lc",9999', 1) + b"\n" + rest,  # no such chunk
        body.rpartition(b"\n")[0],  # a chunk line missing
    ):
        forged = cc._mac(secret, tampered).encode() + b"\n" + tampered
        with pytest.raises(cc.CacheMiss):
            cc.loads(forged, "key", secret)
