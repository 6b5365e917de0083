"""The catalog cache never executes what it reads, and a planted file never changes a result.

Each test plants something where a cache entry would be read, then checks that
the catalog is the one built from the sheets (the mini catalog's alpha @ cnhost
costs ¥16 per million output tokens) and that nothing planted ran.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
from decimal import Decimal
from pathlib import Path

import pytest

from costcalc import catalog_cache as cc
from costcalc.catalog import load_catalog
from helpers import MINI


def _sheets(tmp_path: Path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def _output_price(sheets: Path, cache: Path) -> Decimal:
    catalog = load_catalog([sheets], include_bundled=False, cache_dir=cache)
    (entry,) = catalog.offers_for("alpha", "cnhost")
    return entry.offer.prices[0].output


def _entry(cache: Path) -> Path:
    (path,) = cache.glob("catalog-*.json")
    return path


class _Boom:
    """A pickle payload that would create a marker file when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def _edit_sheet(sheets: Path) -> None:
    sheet = sheets / "providers" / "cnhost.yaml"
    sheet.write_text(sheet.read_text().replace("output: 16", "output: 17"))


def test_hit_is_plain_json_with_private_modes(tmp_path: Path) -> None:
    """A stored entry is JSON (no pickle), the folder is 0700 and the file 0600."""
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    assert _output_price(sheets, cache) == 16
    path = _entry(cache)
    mac, _, body = path.read_bytes().partition(b"\n")
    assert len(mac) == 64 and json.loads(body)["format"] == cc.FORMAT
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cc.key_file(cache).stat().st_mode) == 0o600
    assert _output_price(sheets, cache) == 16  # and it is read back


def test_planted_pickle_never_runs(tmp_path: Path) -> None:
    """A pickle under every name the cache has used is never unpickled."""
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    marker = tmp_path / "pwned"
    assert _output_price(sheets, cache) == 16
    payload = pickle.dumps(_Boom(marker))
    real = _entry(cache)
    real.write_bytes(payload)
    (cache / f"catalog-{cc.cache_key([(sheets, None)])}.pickle").write_bytes(payload)
    assert _output_price(sheets, cache) == 16
    assert not marker.exists()


def test_planted_json_with_a_valid_key_but_no_secret_is_a_miss(tmp_path: Path) -> None:
    """An attacker knows the content key (it is computable), not the per-user secret:
    a well-formed entry saying ¥1 is ignored."""
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    assert _output_price(sheets, cache) == 16
    key = cc.cache_key([(sheets, None)])
    assert key is not None
    forged_catalog = load_catalog([sheets], include_bundled=False)
    (entry,) = forged_catalog.offers_for("alpha", "cnhost")
    object.__setattr__(entry.offer.prices[0], "output", Decimal(1))
    forged = cc.dumps(forged_catalog, key, b"guessed secret" * 3)
    _entry(cache).write_bytes(forged)
    assert _output_price(sheets, cache) == 16


def test_wrong_types_are_a_miss_not_a_crash(tmp_path: Path) -> None:
    """Even an authenticated entry (our own, from a costcalc with another format) is
    type-checked: a price that is a string, an unknown class, a bad tag are misses."""
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    assert _output_price(sheets, cache) == 16
    path = _entry(cache)
    secret = cc.secret_for(cache)
    assert secret is not None
    body = path.read_bytes().partition(b"\n")[2]
    for old, new in (
        (b'["$","16"]', b'"16"'),  # a Decimal field holding a str
        (b'["$","16"]', b'["$","NaN"]'),
        (b'["$","16"]', b'["X","16"]'),
        (b'"costcalc.records:Offer"', b'"os:system"'),
        (b'"costcalc.records:Offer"', b'"costcalc.catalog:Path"'),
        (b'{"format"', b'[{"format"'),
    ):
        assert old in body
        tampered = body.replace(old, new, 1)
        path.write_bytes(cc._mac(secret, tampered).encode() + b"\n" + tampered)
        with pytest.raises(cc.CacheMiss):
            cc.loads(path.read_bytes(), json.loads(body)["key"], secret)
        assert _output_price(sheets, cache) == 16


def _forge(cache: Path, sheets: Path, secret: bytes, old: bytes, new: bytes) -> Path:
    """Write an authentic-looking entry for the sheets' current key, with `old` replaced."""
    key = cc.cache_key([(sheets, None)])
    assert key is not None
    catalog = load_catalog([sheets], include_bundled=False)
    body = cc.dumps(catalog, key, secret).partition(b"\n")[2]
    assert old in body
    body = body.replace(old, new, 1)
    target = cc.entry_path(cache, key, secret)
    target.write_bytes(cc._mac(secret, body).encode() + b"\n" + body)
    os.chmod(target, 0o600)
    return target


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_file_owned_by_another_user_is_ignored(tmp_path: Path) -> None:
    """An entry owned by another uid is never read, even when authentic."""
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    assert _output_price(sheets, cache) == 16
    secret = cc.secret_for(cache)
    assert secret is not None
    target = _forge(cache, sheets, secret, b'["$","16"]', b'["$","1"]')
    assert _output_price(sheets, cache) == 1  # the forgery works only with the secret...
    os.chown(target, 12345, 12345)
    assert _output_price(sheets, cache) == 16  # ...and never from another user's file
    assert target.stat().st_uid == 12345  # which is left alone


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_folder_owned_by_another_user_is_not_used(tmp_path: Path) -> None:
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    cache.mkdir(mode=0o700)
    os.chown(cache, 12345, 12345)
    assert _output_price(sheets, cache) == 16
    assert list(cache.iterdir()) == []


def test_world_writable_folder_is_not_used(tmp_path: Path) -> None:
    """A cache folder others can write to is neither read nor written."""
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    assert _output_price(sheets, cache) == 16
    _edit_sheet(sheets)
    assert _output_price(sheets, cache) == 17
    entries = sorted(cache.glob("catalog-*.json"))
    os.chmod(cache, 0o777)
    _edit_sheet(sheets)  # 17 again: nothing changes on disk
    assert _output_price(sheets, cache) == 17
    assert sorted(cache.glob("catalog-*.json")) == entries
    os.chmod(cache, 0o770)  # group-writable is refused too
    assert cc.trusted_folder(cache) is None


def test_group_readable_entry_is_ignored(tmp_path: Path) -> None:
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    assert _output_price(sheets, cache) == 16
    path = _entry(cache)
    os.chmod(path, 0o666)
    with pytest.raises(cc.CacheMiss, match="private"):
        cc._read_own_file(path, cc.MAX_CACHE_BYTES)
    assert _output_price(sheets, cache) == 16


def test_symlinked_cache_folder_is_not_followed(tmp_path: Path) -> None:
    """A cache folder that is a symbolic link (to a planted folder) is not used."""
    sheets = _sheets(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    link = tmp_path / "cache"
    link.symlink_to(elsewhere)
    assert _output_price(sheets, link) == 16
    assert list(elsewhere.iterdir()) == []
    assert cc.trusted_folder(link) is None


def test_symlinked_entry_is_not_followed(tmp_path: Path) -> None:
    """An entry name that is a symbolic link is neither read nor written through."""
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    assert _output_price(sheets, cache) == 16
    path = _entry(cache)
    real = tmp_path / "target"
    real.write_bytes(path.read_bytes())
    os.chmod(real, 0o600)
    path.unlink()
    path.symlink_to(real)
    _edit_sheet(sheets)
    assert _output_price(sheets, cache) == 17
    with pytest.raises(cc.CacheMiss):
        cc._read_own_file(path, cc.MAX_CACHE_BYTES)


def test_fifo_entry_does_not_hang(tmp_path: Path) -> None:
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    assert _output_price(sheets, cache) == 16
    path = _entry(cache)
    path.unlink()
    os.mkfifo(path, 0o600)
    assert _output_price(sheets, cache) == 16


def test_secret_lives_outside_the_cache_folder(tmp_path: Path) -> None:
    """A cache folder restored elsewhere (a CI cache from another branch), entries and
    all, is not trusted: the secret that authenticates them is not in the folder."""
    sheets, cache = _sheets(tmp_path), tmp_path / "a" / "cache"
    assert _output_price(sheets, cache) == 16
    assert cc.key_file(cache).parent == cache.parent
    secret = cc.secret_for(cache)
    assert secret is not None
    _forge(cache, sheets, secret, b'["$","16"]', b'["$","1"]')
    assert _output_price(sheets, cache) == 1  # authentic for the owner of secret a
    restored = tmp_path / "b" / "cache"
    shutil.copytree(cache, restored)
    assert _output_price(sheets, restored) == 16


def test_the_bundled_catalog_is_cached(tmp_path: Path) -> None:
    """Every class the bundled catalog holds can be stored: a class the encoder cannot
    take would silently turn the cache off (every run cold)."""
    cache = tmp_path / "cache"
    first = load_catalog([], cache_dir=cache)
    assert len(list(cache.glob("catalog-*.json"))) == 1
    second = load_catalog([], cache_dir=cache)
    assert type(second.documents[0]).__name__ == "_CachedDocument"  # read from the cache
    assert second.offers == first.offers and second.models == first.models
    assert [d.model for d in second.documents] == [d.model for d in first.documents]
    assert [d.line_of("kind") for d in second.documents] == [
        d.line_of("kind") for d in first.documents
    ]


def test_planted_latent_fit_is_ignored(tmp_path: Path) -> None:
    """The latent-fit cache beside the catalog's is trusted the same way: a well-formed fit
    planted under the right name (but without the per-user secret) changes nothing."""
    import json as _json

    from costcalc import latent
    from costcalc.quality import quality_index
    from helpers import FIXTURES

    index = quality_index(load_catalog([FIXTURES / "compare"], include_bundled=False))
    cache = tmp_path / "cache"
    latent.clear_memo()
    first = latent.latent_fit(index, cache)
    (path,) = cache.glob("latent-*.json")
    forged = dict(first.to_json(), theta=[9.0] * len(first.theta))
    path.write_text(_json.dumps(forged))
    os.chmod(path, 0o600)
    latent.clear_memo()
    assert latent.latent_fit(index, cache).theta == first.theta
    latent.clear_memo()
    assert latent.latent_fit(index, cache).theta == first.theta  # rewritten, authentic again
    assert cc.read_private(cache, path.name, 1 << 22) is not None
    latent.clear_memo()


def test_own_folder_left_readable_by_an_earlier_version_is_made_private_and_used(
    tmp_path: Path,
) -> None:
    """A cache folder an earlier costcalc made 0755 is ours and nobody else could write to it:
    it is tightened to 0700 and used (it used to be refused for ever: no cache after upgrade)."""
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    cache.mkdir(mode=0o755)
    cache.chmod(0o755)
    assert _output_price(sheets, cache) == 16
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert list(cache.glob("catalog-*.json"))  # an entry was stored


def test_an_entry_is_written_in_parts_as_dumps_gives_it(tmp_path: Path) -> None:
    """A cache miss writes its entry a line at a time, the HMAC line last (never the whole body
    joined in memory): the file holds exactly the bytes `dumps` makes, and reads back."""
    sheets, cache = _sheets(tmp_path), tmp_path / "cache"
    assert _output_price(sheets, cache) == 16
    key = cc.cache_key([(sheets, None)])
    secret = cc.secret_for(cache)
    assert key is not None and secret is not None
    (entry,) = cache.glob("catalog-*.json")
    catalog = load_catalog([sheets], include_bundled=False)
    body = cc._serialize(catalog, key, apart=True)  # the body joined, and its HMAC line
    assert entry.read_bytes() == cc._mac(secret, body).encode() + b"\n" + body
    assert cc.dumps(catalog, key, secret) == entry.read_bytes()
    assert entry.stat().st_mode & 0o777 == 0o600
    assert _output_price(sheets, cache) == 16  # a hit now
    assert cc.loads(entry.read_bytes(), key, secret).offers == catalog.offers
