"""The catalog cache: a hit gives the same catalog, any change to a sheet is a miss,
a damaged cache file is rebuilt, and a failed load is never cached."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from costcalc.catalog import load_catalog
from costcalc.errors import InputError
from helpers import MINI


def copy_mini(tmp_path: Path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def test_hit_returns_the_same_catalog(tmp_path: Path) -> None:
    sheets, cache = copy_mini(tmp_path), tmp_path / "cache"
    first = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    assert len(list(cache.glob("catalog-*.json"))) == 1
    second = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    assert second is not first
    assert second.models == first.models
    assert second.offers == first.offers
    assert [d.line_of("offers", 0) for d in second.documents] == [
        d.line_of("offers", 0) for d in first.documents
    ]


def test_edit_is_a_miss(tmp_path: Path) -> None:
    """Changing one price (¥16 -> ¥17 output) must be seen on the next load."""
    sheets, cache = copy_mini(tmp_path), tmp_path / "cache"
    load_catalog([sheets], include_bundled=False, cache_dir=cache)
    sheet = sheets / "providers" / "cnhost.yaml"
    sheet.write_text(sheet.read_text().replace("output: 16", "output: 17"))
    catalog = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    (entry,) = catalog.offers_for("alpha", "cnhost")
    assert entry.offer.prices[0].output == 17
    assert len(list(cache.glob("catalog-*.json"))) == 2


def test_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    sheets, cache = copy_mini(tmp_path), tmp_path / "cache"
    load_catalog([sheets], include_bundled=False, cache_dir=cache)
    (path,) = cache.glob("catalog-*.json")
    path.write_bytes(b"not a pickle")
    catalog = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    assert "alpha" in catalog.models
    assert path.read_bytes() != b"not a pickle"


def test_errors_are_not_cached(tmp_path: Path) -> None:
    sheets, cache = copy_mini(tmp_path), tmp_path / "cache"
    (sheets / "bad.yaml").write_text("kind: models\nmodels: [{id: x}]\n")
    for _ in range(2):
        with pytest.raises(InputError, match=r"bad\.yaml:2"):
            load_catalog([sheets], include_bundled=False, cache_dir=cache)
    assert list(cache.glob("catalog-*.json")) == []


def test_unusable_cache_folder_only_costs_speed(tmp_path: Path) -> None:
    """A cache 'folder' that is really a file: the catalog still loads, nothing is raised."""
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    catalog = load_catalog([MINI], include_bundled=False, cache_dir=blocker)
    assert "alpha" in catalog.models


def test_equal_values_are_decoded_once_and_kept_exact(tmp_path: Path) -> None:
    """Equal strings, dates and decimals read back from the cache are one shared object
    each (a large catalog repeats them in every offer and score), and a decimal keeps the
    exponent it was written with: 0.10 and 0.1 are equal but stay two values."""
    from costcalc.catalog_cache import _Decoder

    decoder = _Decoder([])
    one, two = "".join(["s", "rc"]), "".join(["sr", "c"])  # equal, not the same object
    assert one is not two
    a = decoder.decode(["L", ["$", "0.10"], ["$", "0.10"], ["$", "0.1"], one, two])
    b = decoder.decode(["L", ["d", "2025-01-01"], ["d", "2025-01-01"]])
    assert a[0] is a[1] and str(a[0]) == "0.10"
    assert a[2] is not a[0] and str(a[2]) == "0.1"
    assert a[3] is a[4]
    assert b[0] is b[1] and b[0].isoformat() == "2025-01-01"
    # Through the whole cache: the offers' origins share their file name.
    sheets, cache = copy_mini(tmp_path), tmp_path / "cache"
    load_catalog([sheets], include_bundled=False, cache_dir=cache)
    catalog = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    by_file: dict[str, list[str]] = {}
    for entry in catalog.offers:
        by_file.setdefault(entry.origin.file, []).append(entry.origin.file)
    shared = [files for files in by_file.values() if len(files) > 1]
    assert shared, "the mini catalog has a sheet with two offers"
    for files in shared:
        assert all(f is files[0] for f in files)


def test_large_located_data_is_read_apart_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Located data written apart (every document here: the threshold set to 0) is not
    decoded when the catalog is loaded, gives the same lines as a fresh build when one is
    looked up, and a file changed since it was loaded gives unknown lines, never others."""
    import costcalc.catalog_cache as cc

    monkeypatch.setattr(cc, "LOCATED_APART", 0)
    sheets, cache = copy_mini(tmp_path), tmp_path / "cache"
    fresh = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    (path,) = cache.glob("catalog-*.json")
    head = json.loads(path.read_bytes().split(b"\n")[1])
    assert head["located"] == len(fresh.documents)  # one text apart per document
    want = [d.line_of("offers", 0, "prices", 0) for d in fresh.documents]
    assert any(line is not None for line in want)
    hit = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    assert all("_raw" not in d.__dict__ for d in hit.documents)  # nothing read yet
    assert [d.line_of("offers", 0, "prices", 0) for d in hit.documents] == want
    # Loaded, then the file's located texts change (same length): those lines are unknown.
    again = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    data = path.read_bytes()
    lines = data.split(b"\n")
    tail = lines[-head["located"] :]
    changed = [t.replace(b"1", b"2") for t in tail]
    path.write_bytes(b"\n".join(lines[: -head["located"]] + changed))
    for doc, before in zip(again.documents, want, strict=True):
        found = doc.line_of("offers", 0, "prices", 0)
        assert found is None or found == before
    assert any(
        d.line_of("offers", 0, "prices", 0) is None and w is not None
        for d, w in zip(again.documents, want, strict=True)
    )


def test_other_api_names_round_trip(tmp_path: Path) -> None:
    """An offer's `api_names` (a date bound, an instant bound, an open bound, a note) come back
    from the cache equal and of the same types, and a second layer's offer without them keeps
    the earlier layer's (as for `api_model`)."""
    import datetime as dt

    from costcalc.records import OtherApiName

    sheets, cache = copy_mini(tmp_path), tmp_path / "cache"
    sheet = sheets / "providers" / "cnhost.yaml"
    sheet.write_text(
        sheet.read_text().replace(
            "  - model: alpha\n    prices:\n",
            "  - model: alpha\n    api_names:\n"
            '      - {name: alpha-chat, from: 2025-02-01, until: "2025-09-05T16:00:00Z",'
            " source: src, note: moved}\n"
            "      - {name: alpha-latest, source: src2}\n"
            "    prices:\n",
            1,
        )
    )
    first = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    second = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    assert len(list(cache.glob("catalog-*.json"))) == 1
    (entry,) = second.offers_for("alpha", "cnhost")
    names = entry.offer.api_names
    assert names == [
        OtherApiName(
            name="alpha-chat",
            from_=dt.date(2025, 2, 1),
            until=dt.datetime(2025, 9, 5, 16, tzinfo=dt.timezone.utc),
            source="src",
            note="moved",
        ),
        OtherApiName(name="alpha-latest", source="src2"),
    ]
    assert type(names[0].from_) is dt.date and type(names[0].until) is dt.datetime
    assert second.offers == first.offers
    # A later layer's offer of the same model with no api_names keeps the earlier ones.
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "more.yaml").write_text(
        "kind: price-sheet\n"
        'provider: {id: cnhost, name: CN Host, country: CN, currency: CNY, pricing_url: "https://example.cn/pricing"}\n'
        "offers:\n  - model: alpha\n    prices:\n"
        '      - {as_of: 2026-01-01, source: "later", input: 1, output: 2}\n'
    )
    joined = load_catalog([sheets, layer], include_bundled=False, cache_dir=cache)
    (entry,) = joined.offers_for("alpha", "cnhost")
    assert entry.offer.api_names == names
