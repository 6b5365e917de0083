"""The bundled catalog precompiled into the wheel: same bytes for the same sheets, used only
when it was made from the sheets installed beside it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from costcalc import catalog as catalog_module
from costcalc.catalog import build_catalog, bundled_pricing_dir, compile_bundled, load_catalog
from costcalc.catalog_cache import COMPILED_NAME, load_compiled
from costcalc.loader import load_folder


@pytest.fixture(scope="module")
def compiled() -> bytes:
    return compile_bundled()


def summary(catalog: catalog_module.Catalog) -> object:
    return (
        list(catalog.models.items()),
        list(catalog.providers.items()),
        [(o.key, o.offer, o.origin, o.period_origins) for o in catalog.offers],
        catalog.fx,
        [(d.path, d.kind, d.model) for d in catalog.documents],
        catalog.document_layers,
    )


def test_compiling_is_reproducible_and_independent_of_where_the_sheets_are(
    tmp_path: Path, compiled: bytes
) -> None:
    """Two compilations of the same sheets, in two places, are byte-for-byte the same."""
    copy = tmp_path / "bundled"
    shutil.copytree(bundled_pricing_dir(), copy)
    assert compile_bundled(copy) == compiled
    assert str(tmp_path).encode() not in compiled


def test_the_compiled_catalog_is_the_catalog_the_sheets_build(
    tmp_path: Path, compiled: bytes
) -> None:
    """Read back, it holds every model, offer, rate and document a fresh build holds."""
    copy = tmp_path / "bundled"
    shutil.copytree(bundled_pricing_dir(), copy)
    (copy / COMPILED_NAME).write_bytes(compiled)
    loaded = load_compiled(copy, "pricing")
    fresh = build_catalog([load_folder(copy, display="pricing")])
    assert isinstance(loaded, catalog_module.Catalog)
    assert summary(loaded) == summary(fresh)
    assert loaded.offers[0].origin.file.startswith("pricing/")


def test_a_bundled_only_run_reads_no_yaml(
    tmp_path: Path, compiled: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the compiled file beside the sheets, loading the bundled catalog parses nothing."""
    copy = tmp_path / "bundled"
    shutil.copytree(bundled_pricing_dir(), copy)
    (copy / COMPILED_NAME).write_bytes(compiled)
    expected = summary(build_catalog([load_folder(copy, display="pricing")]))
    monkeypatch.setattr(catalog_module, "bundled_pricing_dir", lambda: copy)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a sheet was parsed")

    monkeypatch.setattr(catalog_module, "load_folder", refuse)
    assert summary(load_catalog([], cache_dir=None)) == expected


def test_a_cache_miss_reads_the_compiled_file_and_fills_the_cache(
    tmp_path: Path, compiled: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a cache folder, the first run reads the compiled file (no YAML) and caches it."""
    copy = tmp_path / "bundled"
    shutil.copytree(bundled_pricing_dir(), copy)
    (copy / COMPILED_NAME).write_bytes(compiled)
    expected = summary(build_catalog([load_folder(copy, display="pricing")]))
    monkeypatch.setattr(catalog_module, "bundled_pricing_dir", lambda: copy)
    monkeypatch.setattr(catalog_module, "load_folder", None)  # calling it would fail
    cache = tmp_path / "cache"
    assert summary(load_catalog([], cache_dir=cache)) == expected
    assert len(list(cache.glob("catalog-*.json"))) == 1
    assert summary(load_catalog([], cache_dir=cache)) == expected


def test_an_edited_sheet_is_never_served_stale(
    tmp_path: Path, compiled: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installation whose sheets were edited after the build ignores the compiled file."""
    copy = tmp_path / "bundled"
    shutil.copytree(bundled_pricing_dir(), copy)
    (copy / COMPILED_NAME).write_bytes(compiled)
    models = copy / "models.yaml"
    text = models.read_text()
    assert "name: DeepSeek-R1\n" in text
    models.write_text(text.replace("name: DeepSeek-R1\n", "name: DeepSeek-R1 (edited)\n", 1))
    assert load_compiled(copy, "pricing") is None
    monkeypatch.setattr(catalog_module, "bundled_pricing_dir", lambda: copy)
    catalog = load_catalog([], cache_dir=None)
    assert catalog.models["deepseek-r1"].name == "DeepSeek-R1 (edited)"


@pytest.mark.parametrize(
    "planted",
    [
        b"",
        b"not json",
        b'{"format": "costcalc-catalog-cache/2", "key": "0", "classes": [], "value": null}',
        b"[1, 2, 3]",
    ],
)
def test_a_damaged_or_planted_file_is_ignored(tmp_path: Path, planted: bytes) -> None:
    """A compiled file that does not match is not used (the sheets are parsed instead)."""
    copy = tmp_path / "bundled"
    shutil.copytree(bundled_pricing_dir(), copy)
    (copy / COMPILED_NAME).write_bytes(planted)
    assert load_compiled(copy, "pricing") is None


def test_a_class_outside_the_allow_list_is_refused(tmp_path: Path, compiled: bytes) -> None:
    """Even with the right key, a file naming another module's class is not decoded."""
    copy = tmp_path / "bundled"
    shutil.copytree(bundled_pricing_dir(), copy)
    data = compiled.replace(b'"costcalc.catalog:Catalog"', b'"subprocess:Popen"', 1)
    assert data != compiled
    (copy / COMPILED_NAME).write_bytes(data)
    assert load_compiled(copy, "pricing") is None
