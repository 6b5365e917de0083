"""The catalog cache writes long lists of records as column tables (`_Encoder._table`):
read back, they are the same records, sharing the same objects, and a table whose columns
do not match their fields is a miss, never a crash or a wrong value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from costcalc import catalog_cache as cc
from costcalc.catalog import Catalog, build_catalog, load_catalog
from costcalc.loader import load_folder
from costcalc.records import PriceSheet, ScoreSheet


def _sheets(folder: Path, n: int) -> Path:
    """n models, each with one USD offer (one price period; every fourth also a cached-input
    price and a note) and two scores, in two sheets of each kind."""
    folder.mkdir()
    for half in (0, 1):
        ids = range(half * n // 2, (half + 1) * n // 2)
        lines = [
            "kind: price-sheet",
            f"provider: {{id: tab-p{half}, name: Tab {half}, country: US, currency: USD,"
            " pricing_url: 'https://example.com/pricing'}",
            "models:",
        ]
        lines += [
            f"  - {{id: tab-{i:03d}, name: Tab {i}, vendor: Tab, open_weights: false,"
            " license: proprietary}"
            for i in ids
        ]
        lines.append("offers:")
        for i in ids:
            extra = ", cached_input: 0.10, note: four" if i % 4 == 0 else ""
            lines.append(
                f"  - {{model: tab-{i:03d}, prices: [{{as_of: 2025-01-0{1 + i % 3},"
                f" source: tab, input: {i + 1}.50, output: {2 * i + 1}{extra}}}]}}"
            )
        (folder / f"tab-{half}.yaml").write_text("\n".join(lines) + "\n")
        scores = ["kind: scores", "scores:"]
        for i in ids:
            for bench in ("gpqa-diamond", "aime-2025"):
                scores.append(
                    f"  - {{model: tab-{i:03d}, benchmark: {bench}, score: {20 + i % 70}.5,"
                    " metric: pass@1, source: tab, as_of: 2025-01-01}"
                )
        (folder / f"tab-scores-{half}.yaml").write_text("\n".join(scores) + "\n")
    return folder


def _built(sheets: Path) -> Catalog:
    return build_catalog([load_folder(sheets)])


def _same_catalog(read: Catalog, built: Catalog) -> None:
    assert read.models == built.models
    assert read.providers == built.providers
    assert read.offers == built.offers
    assert read.fx == built.fx
    assert [d.model for d in read.documents] == [d.model for d in built.documents]
    # The same sharing: an offer entry holds its sheet's own model and offer records.
    for catalog in (read, built):
        sheets = {d.model.provider.id: d.model for d in catalog.documents
                  if isinstance(d.model, PriceSheet)}  # fmt: skip
        for entry in catalog.offers:
            assert entry.offer in sheets[entry.provider.id].offers
            assert any(entry.offer is o for o in sheets[entry.provider.id].offers)
            assert entry.model is catalog.models[entry.model.id]


@pytest.mark.parametrize(("chunk_bytes", "block"), [(cc.CHUNK_BYTES, cc.TABLE_BLOCK), (2000, 8)])
def test_tables_read_back_as_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_bytes: int, block: int
) -> None:
    """A catalog of 40 offers and 80 scores (tables of offers, price periods, origins,
    scores), also cut in chunks of 2,000 bytes and blocks of 8 rows: read back from the
    cache, it equals the catalog built from the sheets, with the same objects shared."""
    monkeypatch.setattr(cc, "CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(cc, "TABLE_BLOCK", block)
    sheets, cache = _sheets(tmp_path / "tab", 40), tmp_path / "cache"
    load_catalog([sheets], include_bundled=False, cache_dir=cache)
    (path,) = cache.glob("catalog-*.json")
    body = path.read_bytes()
    assert b'["T",' in body  # tables were written
    assert b'["l",["T",' in body  # the offers' price periods, one each
    assert b'["E",["K",' in body or b'["Ec",' in body  # the models by id
    if chunk_bytes == 2000:
        assert b'["Bc",' in body  # the offers' blocks went in chunks
    read = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    _same_catalog(read, _built(sheets))
    scores = [s for d in read.documents if isinstance(d.model, ScoreSheet) for s in d.model.scores]
    assert len(scores) == 80
    # Exact decimals keep their exponent: 0.10, 1.50 as written.
    cached = [e.offer.prices[0].cached_input for e in read.offers]
    assert [str(c) for c in cached if c is not None] == ["0.10"] * 10
    assert str(read.offers[0].offer.prices[0].input) == "1.50"


def _tampered(tmp_path: Path, old: bytes, new: bytes) -> None:
    """The cache entry of the 40-offer catalog with `old` replaced by `new`, authenticated
    with the right secret: reading it is a CacheMiss, and a load rebuilds the catalog."""
    sheets, cache = _sheets(tmp_path / "tab", 40), tmp_path / "cache"
    load_catalog([sheets], include_bundled=False, cache_dir=cache)
    (path,) = cache.glob("catalog-*.json")
    secret = cc.secret_for(cache)
    assert secret is not None
    body = path.read_bytes().partition(b"\n")[2]
    assert old in body, old
    body = body.replace(old, new, 1)
    path.write_bytes(cc._mac(secret, body).encode() + b"\n" + body)
    with pytest.raises(cc.CacheMiss):
        cc.loads(path.read_bytes(), json.loads(body.split(b"\n")[0])["key"], secret)
    _same_catalog(load_catalog([sheets], include_bundled=False, cache_dir=cache), _built(sheets))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b'["$","1.50",', b'["s","1.50",'),  # decimals given as strings
        (b'["$","1.50",', b'["$","NaN",'),  # not a finite decimal
        (b'["$","1.50",', b'["n",null,'),  # a required price missing
        (b'["$","1.50",', b'["$","1.50","2",'),  # a value too many
        (b'["$","1.50",', b'["q","1.50",'),  # an unknown kind of column
        (b'["s","tab-000",', b'["s",7,'),  # an id that is a number
        (b'["d","2025-01-01",', b'["d","2025-13-01",'),  # not a date
        (b'["r",', b'["r",-1,'),  # a reference before the first object (and one too many)
        (b'["T",', b'["T",0,'),  # another class, other counts
        (b'["K",["tab-000",', b'["K",[7,'),  # a model id key that is a number
        (b'["K",["tab-000",', b'["K",["tab-000","x",'),  # a key without a model
    ],
)
def test_tampered_tables_are_a_miss(tmp_path: Path, old: bytes, new: bytes) -> None:
    """A column whose values are not of its kind or its field's type, a wrong count, an
    unknown kind, a bad reference or a bad class: a miss, and the catalog is rebuilt."""
    _tampered(tmp_path, old, new)


def test_a_reference_column_of_the_wrong_class_is_a_miss() -> None:
    """Columns of objects are checked one object per class: a column of exchange-rate
    entries whose `rate` refers to an Origin, even after a good first row, is a miss."""
    decoder = cc._Decoder(
        ["costcalc.catalog:Origin", "costcalc.catalog:FxEntry", "costcalc.records:FxRate"]
    )
    origins = decoder.decode(["T", 0, 2, [0, 1], ["s", "a.yaml", "b.yaml"], ["n", 1, 2]])
    assert [str(o) for o in origins] == ["a.yaml:1", "b.yaml:2"]
    rate = decoder.decode(
        ["S", 2, 0, "USD", 1, "EUR", 2, ["$", "0.9"], 3, ["d", "2025-01-01"], 4, "x"]
    )
    assert decoder.memo.index(rate) == 2
    good = decoder.decode(["T", 1, 2, [0, 1], ["r", 2, 2], ["r", 0, 1]])
    assert [e.rate for e in good] == [rate, rate]
    with pytest.raises(cc.CacheMiss):
        decoder.decode(["T", 1, 2, [0, 1], ["r", 2, 0], ["r", 0, 1]])


def _records() -> list[type]:
    from costcalc import records

    return [
        c for c in vars(records).values()
        if isinstance(c, type) and issubclass(c, records.Record) and c is not records.Record
    ]  # fmt: skip


@pytest.mark.parametrize("cls", _records(), ids=lambda c: c.__name__)
def test_record_init_only_assigns_its_arguments(cls: type) -> None:
    """The cache builds a table's records by setting their slots (`_record_rows`), which is
    what `cls(**fields)` does only while every record's __init__ assigns each field its
    argument (or a new list for an omitted list): read the source and hold it to that; and
    both ways give equal records."""
    import ast
    import inspect
    import textwrap

    from costcalc.records import LIST, REQUIRED

    tree = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__)))  # type: ignore[misc]
    (function,) = tree.body
    assert isinstance(function, ast.FunctionDef)
    assigned = []
    for statement in function.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring
        assert isinstance(statement, ast.Assign), ast.unparse(statement)
        (target,) = statement.targets
        assert isinstance(target, ast.Attribute) and ast.unparse(target.value) == "self"
        name = target.attr
        text = ast.unparse(statement.value)
        assert text in (name, f"[] if {name} is None else {name}"), ast.unparse(statement)
        assigned.append(name)
    fields = [name for name, _ in cls._FIELDS]  # type: ignore[attr-defined]
    assert sorted(assigned) == sorted(fields)
    # Both ways, with every field left at its default (required ones given a marker).
    given = {name: object() for name, default in cls._FIELDS if default is REQUIRED}  # type: ignore[attr-defined]
    built = cls(**given)
    names = list(given)
    (row,) = cc._record_rows(cls, 1, names, [[given[n]] for n in names]) or [None]
    assert row is not None and type(row) is cls
    for name, default in cls._FIELDS:
        assert getattr(row, name) == getattr(built, name)
        if default is LIST:
            assert getattr(row, name) == [] and getattr(row, name) is not getattr(built, name)


def test_slotted_dataclass_rows_are_what_init_builds() -> None:
    """`_dataclass_rows` sets the slots of the catalog's plain dataclasses (Origin, OfferEntry,
    FxEntry) as their generated __init__ does; any other dataclass (frozen, with a
    __post_init__, without slots) or a missing field is left to __init__ (None)."""
    import dataclasses

    from costcalc.catalog import FxEntry, OfferEntry, Origin

    for cls in (Origin, OfferEntry, FxEntry):
        names = [f.name for f in dataclasses.fields(cls)]
        values = [[object(), object()] for _ in names]
        rows = cc._dataclass_rows(cls, 2, names, values)
        assert rows is not None
        for i, row in enumerate(rows):
            assert type(row) is cls
            assert row == cls(**{n: v[i] for n, v in zip(names, values, strict=True)})
        assert cc._dataclass_rows(cls, 2, names[:-1], values[:-1]) is None

    @dataclasses.dataclass(slots=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            raise AssertionError("never skipped")

    @dataclasses.dataclass(slots=True, frozen=True)
    class Frozen:
        x: int

    @dataclasses.dataclass
    class Plain:
        x: int

    for other in (Checked, Frozen, Plain):
        assert cc._dataclass_rows(other, 1, ["x"], [[1]]) is None


def test_a_built_catalog_keeps_its_located_data_as_text(tmp_path: Path) -> None:
    """load_catalog compacts each document once the catalog is built (`compact`): its located
    data is kept as the text the cache stores, decoded only for a line below a top-level list
    item. Every line looked up is the line the loaded document gives, deep ones included, and
    the cache written from the compacted catalog is the one the uncompacted catalog makes."""
    sheets = _sheets(tmp_path / "sheets", 40)
    loaded = load_folder(sheets)
    built = load_catalog([sheets], include_bundled=False)
    by_path = {d.path: d for d in loaded}
    assert built.documents and all(type(d) is cc._CachedDocument for d in built.documents)
    looked_up = 0
    for document in built.documents:
        original = by_path[document.path]
        for key in ("offers", "scores", "models"):
            for i in range(len(original.raw.get(key) or [])):
                assert document.line_of(key, i) == original.line_of(key, i)
                looked_up += 1
        assert "_raw" not in document.__dict__  # item lines come from the list kept apart
        for i, offer in enumerate(original.raw.get("offers") or []):
            for j, _ in enumerate(offer["prices"]):
                for field in ("as_of", "input", "output"):
                    loc = ("offers", i, "prices", j, field)
                    assert document.line_of(*loc) == original.line_of(*loc) is not None
                    looked_up += 1
    assert looked_up > 200
    uncompacted = _built(sheets)
    key = "k"
    assert cc._serialize(built, key) == cc._serialize(uncompacted, key)


def test_located_data_the_cache_cannot_write_is_left_as_it_is() -> None:
    """`compact` of a document whose located data has a key the cache cannot write (here an
    arbitrary object; YAML keys are scalars, so only a costcalc bug could make one) keeps the
    document, its lines intact, rather than failing the load."""
    from costcalc.loader import Document
    from costcalc.located import LineDict

    raw = LineDict()
    raw.line = 1
    raw[object()] = "x"
    raw["kind"] = "scores"
    raw.lines.update({"kind": 2})
    document = Document("odd.yaml", "scores", None, raw)
    assert cc.compact(document) is document
    assert document.line_of("kind") == 2
