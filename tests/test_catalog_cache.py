"""The catalog cache: a hit gives the same catalog, any change to a sheet is a miss,
a damaged cache file is rebuilt, and a failed load is never cached."""

from __future__ import annotations

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
