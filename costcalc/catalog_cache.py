"""A cache of loaded catalogs, so a second run skips parsing and validating YAML.

Parsing and validating the bundled sheets takes about a third of a `compare`
run. The cache key is a SHA-256 over the content of every sheet of every layer,
the layer paths (they appear in messages), and the costcalc source files' sizes
and modification times, so an edit to a sheet or to costcalc itself is a miss.
Only catalogs that loaded without error are stored; a cache file that cannot be
read is ignored and rebuilt. Files are written atomically; the newest few are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from costcalc import __version__
from costcalc.files import MAX_BYTES, write_atomic
from costcalc.loader import yaml_files

T = TypeVar("T")

KEEP = 8
"""Cache files kept (one per distinct set of layers and contents)."""

_PACKAGE = Path(__file__).resolve().parent


def cache_key(folders: Sequence[tuple[Path, str | None]]) -> str | None:
    """Key of a set of layers, or None when a file is too large to be cached safely."""
    digest = hashlib.sha256()
    digest.update(f"{__version__}|{sys.version}|{pickle.HIGHEST_PROTOCOL}|".encode())
    for source in sorted(_PACKAGE.rglob("*.py")):
        st = source.stat()
        digest.update(f"S|{source.relative_to(_PACKAGE)}|{st.st_size}|{st.st_mtime_ns}|".encode())
    for folder, display in folders:
        digest.update(f"L|{folder}|{display}|".encode(errors="surrogateescape"))
        for path in yaml_files(folder):
            if path.stat().st_size > MAX_BYTES:
                return None
            name = path.relative_to(folder) if folder.is_dir() else path.name
            digest.update(f"F|{name}|".encode(errors="surrogateescape"))  # non-UTF-8 names
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def cached(
    cache_dir: Path | None,
    folders: Sequence[tuple[Path, str | None]],
    build: Callable[[], T],
) -> T:
    """The value `build()` returns for these layers, from the cache when it is there."""
    key = cache_key(folders) if cache_dir is not None else None
    if cache_dir is None or key is None:
        return build()
    path = cache_dir / f"catalog-{key}.pickle"
    try:
        value: T = pickle.loads(path.read_bytes())  # written by costcalc only
        return value
    except FileNotFoundError:
        pass
    except Exception:  # a damaged or unreadable cache is rebuilt, never trusted
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    value = build()
    try:
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        old = sorted(cache_dir.glob("catalog-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-KEEP]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full cache folder only costs speed
    return value
