"""A cache of loaded catalogs, so a second run skips parsing and validating YAML.

Parsing and validating the sheets takes most of a cold `compare` run. A loaded
catalog is stored as plain JSON data (never pickle: nothing read from disk is
executed), and read back by a decoder that builds only the classes of a fixed
allow-list, checks every value against the type its field declares, and treats
any mismatch as a miss. What it stores are the catalog's run-time records
(costcalc.records, each with only the fields that differ from their defaults), so
a warm run imports no pydantic; a long list of records of one class (offers,
scores, models by id) is stored as a column table, one type-checked column per field,
and a large catalog's long lists and dicts go in lines of about a megabyte after the
first, each parsed only when it is decoded.

Trust, the way ssh treats ~/.ssh:
- the cache folder must be a real folder (not a symbolic link) owned by the
  current user and not writable by group or others, and so must every folder
  above it (root-owned or sticky folders such as /tmp excepted); otherwise the
  cache is not used at all (the catalog is built in memory);
- a cache file must be a regular file owned by the user, readable by nobody
  else; it is opened without following links and without blocking;
- every entry is authenticated with an HMAC-SHA256 under a random per-user
  secret kept next to (not inside) the cache folder, `<cache folder>.key`. A
  file planted in the folder, or a folder restored from another machine or CI
  branch without that secret, never matches: it is a miss, never a result.

The content key is a SHA-256 over the content of every sheet of every layer,
the layer paths (they appear in messages), and the costcalc source files' sizes
and modification times, so an edit to a sheet or to costcalc itself is a miss.
Only catalogs that loaded without error are stored. Files are written
atomically with mode 0600 (folder 0700); the newest few are kept.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import errno
import hashlib
import hmac
import importlib
import io
import itertools
import json
import os
import secrets
import stat
import sys
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from costcalc import __version__
from costcalc.errors import InputError
from costcalc.files import MAX_BYTES, write_atomic
from costcalc.gcpause import paused_gc
from costcalc.loader import Document, yaml_files
from costcalc.located import LineDict, LineList
from costcalc.records import LIST, REQUIRED, Record

T = TypeVar("T")

KEEP = 8
"""Cache files kept (one per distinct set of layers and contents)."""

FORMAT = "costcalc-catalog-cache/5"
"""Version of the file format; any other version is a miss."""

CHUNK_BYTES = 1 << 20
"""Size of the JSON texts a large list or dict of the catalog is stored in (see _chunked)."""

LOCATED_APART = 64 * 1024
"""A document's located data (its lines) longer than this, as text, is written apart at the
end of a cache file and read from the file only when a line is looked up (see _Apart)."""

MAX_CACHE_BYTES = 1024 * 1024 * 1024
"""Largest cache file read (the bundled catalog's is about 0.4 MB; 100,000 synthetic offers
with three scores each, about 150 MB)."""

_PACKAGE = Path(__file__).resolve().parent

_ALLOWED_MODULES = ("costcalc.catalog", "costcalc.loader", "costcalc.records")
_ALLOWED_PACKAGE = "costcalc.schema."
"""The only modules whose classes a cache file may name: the catalog, the loader, the
run-time records and costcalc's schema package (pydantic models and dataclasses only).
Schema classes appear only in the separately decoded models of the documents that have
no records (workloads, procurement files...), so decoding a catalog imports no pydantic."""


def _allowed_module(name: str) -> bool:
    if name in _ALLOWED_MODULES:
        return True
    rest = name.removeprefix(_ALLOWED_PACKAGE)
    return rest != name and rest.isidentifier()


class CacheMiss(Exception):
    """A cache file that cannot be used; the catalog is rebuilt from the sheets."""


# ------------------------------------------------------------------ the key


def cache_key(folders: Sequence[tuple[Path, str | None]]) -> str | None:
    """Key of a set of layers, or None when a file is too large to be cached safely."""
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}|{__version__}|{sys.version}|".encode())
    for name, st in _sources():
        digest.update(f"S|{name}|{st.st_size}|{st.st_mtime_ns}|".encode())
    for folder, display in folders:
        digest.update(f"L|{os.fsencode(folder)!r}|{display}|".encode())
        for path in yaml_files(folder):
            st = path.stat()
            if st.st_size > MAX_BYTES:
                return None
            rel = path.relative_to(folder) if folder.is_dir() else Path(path.name)
            digest.update(f"F|{os.fsencode(rel)!r}|".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _sources() -> list[tuple[str, os.stat_result]]:
    """costcalc's own .py files (relative name, stat), in a stable order."""
    found: list[tuple[str, os.stat_result]] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        with os.scandir(os.path.join(_PACKAGE, rel)) as entries:
            for entry in entries:
                name = f"{rel}/{entry.name}" if rel else entry.name
                if entry.name.endswith(".py"):
                    found.append((name, entry.stat()))
                elif entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    pending.append(name)
    found.sort(key=lambda item: item[0])
    return found


# ---------------------------------------------------------- trusting a folder


def _uid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1


def _safe_folder_mode(st: os.stat_result, uid: int, *, own: bool) -> bool:
    """A folder nobody else can change: ours (or root's, above the cache), not group/other
    writable, unless sticky (like /tmp, where others cannot rename our entries)."""
    if not stat.S_ISDIR(st.st_mode):
        return False
    if own:
        return st.st_uid == uid and not st.st_mode & 0o077
    if st.st_uid not in (uid, 0):
        return False
    return not st.st_mode & 0o022 or bool(st.st_mode & stat.S_ISVTX)


def trusted_folder(cache_dir: Path, *, create: bool = True) -> Path | None:
    """The cache folder as an absolute path if it can be trusted (made 0700 if missing)."""
    if not hasattr(os, "geteuid"):
        return None  # no owner checks on this platform: no cache
    uid = _uid()
    folder = Path(os.path.abspath(cache_dir))
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        if not create:
            return None
        try:
            parent = folder.parent
            parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.mkdir(folder, 0o700)
            st = os.lstat(folder)
        except OSError:
            return None
    except OSError:
        return None
    if (
        stat.S_ISDIR(st.st_mode)
        and st.st_uid == uid
        and st.st_mode & 0o077
        and not st.st_mode & 0o022
    ):
        # Ours and only readable by others (an 0755 folder made by an earlier costcalc or
        # by mkdir): nobody else could have changed it, so make it private and use it.
        try:
            os.chmod(folder, 0o700)
            st = os.lstat(folder)
        except OSError:
            return None
    if not _safe_folder_mode(st, uid, own=True):
        return None  # a symbolic link, not a folder, someone else's, or writable by others
    for above in folder.parents:
        try:
            if not _safe_folder_mode(os.stat(above), uid, own=False):
                return None
        except OSError:
            return None
    return folder


def _read_own_file(path: Path, limit: int) -> bytearray:
    """Bytes of a regular file owned by this user and private to them, without following
    a link or blocking on a FIFO; CacheMiss otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise CacheMiss("absent") from None
    except OSError as exc:
        raise CacheMiss(f"cannot open: {exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise CacheMiss("not a regular file")
        if st.st_uid != _uid() or st.st_mode & 0o077:
            raise CacheMiss("not private to this user")
        if st.st_size > limit:
            raise CacheMiss("too large")
        # Into one buffer of the file's size (no list of pieces joined: a large cache file
        # would be held twice); a file that grew meanwhile is read on, up to the limit.
        data = bytearray(st.st_size + 1)
        size = 0
        while True:
            if size == len(data):
                if size > limit:
                    raise CacheMiss("too large")
                data.extend(bytes(min(1 << 20, limit + 1 - size + 1)))
            with memoryview(data) as view:
                got = os.readv(fd, [view[size:]])
            if not got:
                break
            size += got
        if size > limit:
            raise CacheMiss("too large")
        del data[size:]
        return data
    except OSError as exc:
        raise CacheMiss(f"cannot read: {exc}") from None
    finally:
        os.close(fd)


def key_file(folder: Path) -> Path:
    """Where the secret of a cache folder lives: beside it, not in it."""
    return folder.with_name(folder.name + ".key")


def secret_for(folder: Path) -> bytes | None:
    """The per-user secret that authenticates this folder's entries (created on first use)."""
    path = key_file(folder)
    try:
        data = _read_own_file(path, 4096)
        if len(data) == 64:
            return bytes.fromhex(data.decode("ascii"))
        return None
    except CacheMiss:
        pass
    except ValueError:
        return None
    # Create it: write a private temporary, then link it in (fails if another run won).
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
        try:
            os.write(fd, secrets.token_hex(32).encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    except OSError:
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    try:
        data = _read_own_file(path, 4096)
        return bytes.fromhex(data.decode("ascii")) if len(data) == 64 else None
    except (CacheMiss, ValueError):
        return None


def _mac(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


# ------------------------------------------------------------ plain encoding


class _Encoder:
    """Objects -> JSON-able lists. Models and dataclasses seen again become references."""

    def __init__(self) -> None:
        self.classes: list[str] = []
        self._class_ids: dict[type, int] = {}
        self._memo: dict[int, int] = {}
        self._keep: list[Any] = []  # keeps ids stable while encoding
        self._count = 0
        self._in_chunk = False
        self.chunks: list[str] = []
        self.located: list[str] | None = None
        """When a list (cache files): the large located texts, written after the chunks."""

    def _class_id(self, cls: type) -> int:
        found = self._class_ids.get(cls)
        if found is None:
            if not _allowed_module(cls.__module__):
                raise TypeError(f"{cls.__module__}.{cls.__qualname__} cannot be cached")
            found = self._class_ids[cls] = len(self.classes)
            self.classes.append(f"{cls.__module__}:{cls.__qualname__}")
        return found

    def _tabular(self, rows: list[Any]) -> bool:
        """Whether a list can be written as a column table (`_table`): distinct records (or
        plain dataclasses) of one class, none written before."""
        cls = type(rows[0])
        if not (issubclass(cls, Record) or dataclasses.is_dataclass(cls)):
            return False
        if hasattr(cls, "model_fields") or issubclass(cls, Document):
            return False  # pydantic models and documents have nodes of their own
        if not _allowed_module(cls.__module__) or _dataclass_spec(cls) is None:
            return False
        memo = self._memo
        seen: set[int] = set()
        for row in rows:
            if type(row) is not cls or id(row) in memo or id(row) in seen:
                return False
            seen.add(id(row))
        return True

    def _table(self, rows: list[Any]) -> list[Any]:
        """Records of one class as ["T", class, rows, fields, column...]: a column of each
        field that differs from its default in some row (every field of a dataclass), each
        column one value per row (`_column`). The rows are numbered for references after
        every column's contents, in order, as the decoder builds them."""
        cls = type(rows[0])
        if issubclass(cls, Record):
            defaults = _defaults(cls)
            fields = [
                i
                for i, (name, default) in enumerate(defaults)
                if any(not _is_default(getattr(row, name), default) for row in rows)
            ]
            names = [defaults[i][0] for i in fields]
        else:
            names = list(_init_fields(cls))
            fields = list(range(len(names)))
        node: list[Any] = ["T", self._class_id(cls), len(rows), fields]
        for name in names:
            node.append(self._column([getattr(row, name) for row in rows]))
        for row in rows:
            self._memo[id(row)] = self._count
            self._keep.append(row)
            self._count += 1
        return node

    def _column(self, values: list[Any]) -> list[Any]:
        """One field of a table's rows: strings ("s"), JSON scalars ("n"), decimals ("$") or
        dates ("d") as text, objects written before as references ("r"), new records as a
        nested table ("t"), lists or tuples of one new record each as a table of those records
        ("l", "u"), anything else as encoded values ("x")."""
        kinds = set(map(type, values))
        if kinds == {str}:
            return ["s", *values]
        if kinds <= _JSON_SCALARS:
            return ["n", *values]
        if kinds == {Decimal}:
            return ["$", *map(str, values)]
        if kinds == {dt.date}:
            return ["d", *(v.isoformat() for v in values)]
        memo = self._memo
        if not kinds & _NOT_REFERENCED and all(id(v) in memo for v in values):
            return ["r", *(memo[id(v)] for v in values)]
        if len(kinds) == 1 and len(values) >= TABLE_ROWS and self._tabular(values):
            return ["t", self._table(values)]
        if (kinds == {list} or kinds == {tuple}) and all(len(v) == 1 for v in values):
            items = [v[0] for v in values]
            if self._tabular(items):  # one record each (an offer's price periods, their origins)
                return ["l" if list in kinds else "u", self._table(items)]
        return ["x", *(self.encode(v) for v in values)]

    def _chunked(self, tag: str, groups: Sequence[Any], tables: bool = False) -> list[Any]:
        """A large outermost list or dict as ["Lc"/"Dc", first, count] (of tables: "Bc"/"Ec",
        `groups` of rows, or of a dict's (keys, values), each one table): its items in JSON
        texts of about CHUNK_BYTES each (lines after the document's first: `chunks`), parsed
        one at a time when read, so reading a large catalog never holds the parse tree of the
        whole file (a small list or dict stays a plain node)."""
        self._in_chunk = True
        try:
            texts: list[str] = []
            nodes: list[Any] = []
            current: list[str] = []
            size = 0
            for group in groups:
                if not tables:
                    encoded = [self.encode(v) for v in group]
                elif type(group) is tuple:  # a dict's block: ["K", keys, table of values]
                    encoded = [["K", group[0], self._table(group[1])]]
                else:
                    encoded = [self._table(group)]
                if not texts:  # kept only while the whole may still be small
                    nodes += encoded
                text = json.dumps(encoded, separators=(",", ":"), ensure_ascii=True)[1:-1]
                current.append(text)
                size += len(text)
                if size >= CHUNK_BYTES:
                    texts.append("[" + ",".join(current) + "]")
                    current, size = [], 0
                    nodes = []  # chunked: the encoded nodes are in the texts now
        finally:
            self._in_chunk = False
        if not texts:
            return [tag, *nodes]  # small: not worth a chunk
        if current:
            texts.append("[" + ",".join(current) + "]")
        first = len(self.chunks)
        self.chunks += texts
        return [tag + "c", first, len(texts)]

    def skeleton(self, x: Any) -> Any:
        """Located data as its shape only: containers with their lines, values dropped.

        Documents keep located data for line look-ups alone, and `locate` only
        follows keys and list positions, so the values (already in the model)
        are not stored twice.
        """
        if type(x) is LineDict:
            out: list[Any] = ["{", x.line]
            for k, v in x.items():
                key = k if type(k) is str else self.encode(k)
                out += [key, x.lines.get(k), self.skeleton(v)]
            return out
        if type(x) is LineList:
            return ["[", x.line, list(x.lines), *(self.skeleton(v) for v in x)]
        return None

    def encode(self, x: Any) -> Any:
        if x is None or type(x) in (str, bool, int):
            return x
        t = type(x)
        if t is Decimal:
            return ["$", str(x)]
        if t is dt.date:
            return ["d", x.isoformat()]
        if t is dt.datetime:
            return ["t", x.isoformat()]
        if t is LineDict or t is LineList:
            return self.skeleton(x)
        if t is list:
            table = len(x) >= TABLE_ROWS and self._tabular(x)
            if not self._in_chunk and len(x) > 1:
                if table:
                    blocks = [x[i : i + TABLE_BLOCK] for i in range(0, len(x), TABLE_BLOCK)]
                    return self._chunked("B", blocks, tables=True)
                return self._chunked("L", [[v] for v in x])
            if table:
                return self._table(x)
            return ["L", *(self.encode(v) for v in x)]
        if t is tuple:
            return ["U", *(self.encode(v) for v in x)]
        if t is dict:
            if not self._in_chunk and len(x) > 1:
                values = list(x.values())
                if (
                    len(x) >= TABLE_ROWS
                    and all(type(k) is str for k in x)
                    and self._tabular(values)
                ):
                    keys = list(x)
                    blocks = [
                        (keys[i : i + TABLE_BLOCK], values[i : i + TABLE_BLOCK])
                        for i in range(0, len(x), TABLE_BLOCK)
                    ]
                    return self._chunked("E", blocks, tables=True)
                return self._chunked("D", [[k, v] for k, v in x.items()])
            flat: list[Any] = ["D"]
            for k, v in x.items():
                flat += [self.encode(k), self.encode(v)]
            return flat
        ref = self._memo.get(id(x))
        if ref is not None:
            return ["R", ref]
        fields = getattr(t, "model_fields", None)
        if t is Document or t is _CachedDocument:
            # Located data goes in as text, decoded only if a line is looked up.
            lines: Any = _located_text(x)
            if lines is None:
                lines = json.dumps(self.skeleton(x.raw), separators=(",", ":"), ensure_ascii=True)
            if self.located is not None and len(lines) > LOCATED_APART:
                digest = hashlib.sha256(lines.encode("ascii")).hexdigest()
                self.located.append(lines)
                lines = ["@", len(self.located) - 1, digest]
            # The line of each item of each top-level list, apart: line_of("scores", i),
            # the look-up made for every score, then needs no located data decoded.
            items = x.__dict__.get("_items") if "_raw" not in x.__dict__ else None
            if items is None:
                items = _item_lines(x.raw)
            model: Any
            if t is _CachedDocument and "_model_text" in x.__dict__:
                model, text = None, x.__dict__["_model_text"]
            elif hasattr(type(x.model), "model_fields"):
                # A pydantic model (a kind without records): its own text and class table,
                # decoded, and its schema module imported, only when it is used.
                model, text = None, _model_text(x.model)
            else:
                model, text = self.encode(x.model), None
            node = ["Doc", x.path, x.kind, model, lines, text, items]
        elif fields is not None:
            node = [
                "M",
                self._class_id(t),
                sorted(x.model_fields_set),
                *(self.encode(getattr(x, name)) for name in fields),
            ]
        elif isinstance(x, Record):
            # Sparse: only the fields that differ from their defaults, as (index, value)
            # pairs (most of a record's optional fields are empty).
            node = ["S", self._class_id(t)]
            for i, (name, default) in enumerate(_defaults(t)):
                value = getattr(x, name)
                if not _is_default(value, default):
                    node += [i, self.encode(value)]
        elif dataclasses.is_dataclass(x):
            node = ["C", self._class_id(t), *(self.encode(getattr(x, f)) for f in _init_fields(t))]
        else:
            raise TypeError(f"{t.__qualname__} cannot be cached")
        self._memo[id(x)] = self._count
        self._keep.append(x)
        self._count += 1
        return node


def _model_text(model: Any) -> str:
    encoder = _Encoder()
    encoder._in_chunk = True  # one text: no chunks
    value = encoder.encode(model)
    return json.dumps(
        {"classes": encoder.classes, "value": value},
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=False,
    )


TABLE_ROWS = 8
"""Shortest list of records written as a column table (see _Encoder._table); shorter lists,
where a table saves little, keep a node per record."""
TABLE_BLOCK = 512
"""Rows of each table of a long top-level list (its tables go in chunks, see _chunked)."""
_JSON_SCALARS = frozenset([type(None), bool, int])
_NOT_REFERENCED = frozenset(
    [str, bool, int, type(None), Decimal, dt.date, dt.datetime, list, tuple, dict, LineDict,
     LineList]
)  # fmt: skip
"""Types the encoder never writes as a reference (`["R", n]`)."""

_NO_DEFAULT = object()
_EMPTY_LIST = object()
_DEFAULTS: dict[type, list[tuple[str, Any]]] = {}


def _defaults(cls: type[Record]) -> list[tuple[str, Any]]:
    """A record's fields with their defaults (_NO_DEFAULT, or _EMPTY_LIST for a field that
    defaults to a new empty list)."""
    found = _DEFAULTS.get(cls)
    if found is None:
        marks = {id(REQUIRED): _NO_DEFAULT, id(LIST): _EMPTY_LIST}
        found = _DEFAULTS[cls] = [
            (name, marks.get(id(default), default)) for name, default in cls._FIELDS
        ]
    return found


def _is_default(value: Any, default: Any) -> bool:
    """Whether a field may be left out: the decoder's default gives the same value, same type."""
    if default is _NO_DEFAULT:
        return False
    if default is _EMPTY_LIST:
        return type(value) is list and not value
    return type(value) is type(default) and value == default


def _init_fields(cls: Any) -> tuple[str, ...]:
    if issubclass(cls, Record):
        return tuple(name for name, _ in cls._FIELDS)
    return tuple(f.name for f in dataclasses.fields(cls) if f.init and not f.name.startswith("_"))


_Check = Callable[[Any], bool]


_CHECKERS: dict[Any, _Check] = {}


def _checker(annotation: Any) -> _Check:
    """A predicate for values of a declared type (the types the schema uses)."""
    try:
        return _CHECKERS[annotation]
    except (KeyError, TypeError):
        pass
    check = _new_checker(annotation)
    with contextlib.suppress(TypeError):
        _CHECKERS[annotation] = check
    return check


def _new_checker(annotation: Any) -> _Check:
    if annotation is Any or annotation is object:
        return lambda v: True
    if annotation is None or annotation is type(None):
        return lambda v: v is None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _checker(args[0])
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) == 1:  # X | None
            inner = _checker(others[0])
            return lambda v: v is None or inner(v)
        parts = [_checker(a) for a in args]
        return lambda v: any(p(v) for p in parts)
    if origin is typing.Literal:
        allowed = set(args)
        return lambda v: type(v) in (str, int, bool) and v in allowed
    if origin in (list, Sequence):
        item = _checker(args[0]) if args else _checker(Any)
        return lambda v: type(v) in (list, LineList) and all(item(i) for i in v)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            each = _checker(args[0])
            return lambda v: type(v) is tuple and all(each(i) for i in v)
        fixed = [_checker(a) for a in args]
        return lambda v: (
            type(v) is tuple
            and len(v) == len(fixed)
            and all(c(i) for c, i in zip(fixed, v, strict=True))
        )
    if origin is dict:
        kc, vc = (_checker(args[0]), _checker(args[1])) if args else (_checker(Any),) * 2
        return lambda v: type(v) in (dict, LineDict) and all(kc(k) and vc(i) for k, i in v.items())
    if annotation is bool:
        return lambda v: type(v) is bool
    if annotation is int:
        return lambda v: type(v) is int
    if annotation is float:
        return lambda v: type(v) in (int, float)
    if annotation is str:
        return lambda v: type(v) is str
    if annotation is Decimal:
        return lambda v: type(v) is Decimal
    if annotation is dt.date:
        return lambda v: type(v) is dt.date
    if annotation is dt.datetime:
        return lambda v: type(v) is dt.datetime
    if isinstance(annotation, type):
        return lambda v: isinstance(v, annotation)
    raise TypeError(f"no cache check for {annotation!r}")


class _Decoder:
    """JSON lists -> objects, building only allow-listed classes, every field type-checked."""

    def __init__(
        self,
        class_names: Any,
        chunk: Callable[[int], Any] | None = None,
        located: Callable[[int, str], Any] | None = None,
    ) -> None:
        if type(class_names) is not list:
            raise CacheMiss("bad class table")
        self.classes = [_allowed_class(name) for name in class_names]
        self.memo: list[Any] = []
        self.located = located or _no_located
        # Equal values decoded once and shared (all immutable): a large catalog repeats the
        # same ids, sources, metrics, paths, dates and prices in every score and offer.
        self.shared: dict[Any, Any] = {}
        self.decimals: dict[str, Decimal] = {}
        self.dates: dict[str, dt.date] = {}
        self.chunk = chunk or _no_chunks

    def decimal(self, text: Any) -> Decimal:
        found = self.decimals.get(text) if type(text) is str else None
        if found is None:
            found = self.decimals[text] = _decimal(text)
        return found

    def date(self, text: Any) -> dt.date:
        found = self.dates.get(text) if type(text) is str else None
        if found is None:
            found = self.dates[text] = dt.date.fromisoformat(text)
        return found

    def blocks(self, x: list[Any]) -> Iterator[Any]:
        """The blocks of a "B" or "E" node, or of the chunks a "Bc" or "Ec" node names
        (one chunk's parse tree at a time)."""
        if x[0][-1] != "c":
            yield from x[1:]
            return
        for chunk in self.chunks(x):
            yield from chunk
            del chunk  # before the next chunk is read

    def chunks(self, x: list[Any]) -> Iterator[list[Any]]:
        """The chunks a chunked node (`[tag, first, count]`) names, each checked to be a
        list, read one at a time (only one chunk's parse tree is held)."""
        first, count = _int(x[1]), _int(x[2])
        if len(x) != 3 or first < 0 or count < 1:
            raise CacheMiss("bad chunk reference")
        for i in range(first, first + count):
            chunk = self.chunk(i)
            if type(chunk) is not list:
                raise CacheMiss("bad chunk")
            yield chunk
            del chunk

    def table(self, x: Any) -> list[Any]:
        """The rows of a column table (`_Encoder._table`), every column type-checked against
        its field as the "S" and "C" nodes are, then built and numbered in row order."""
        if type(x) is not list or len(x) < 4 or x[0] != "T":
            raise CacheMiss("bad table")
        cls = self.classes[_int(x[1])]
        count, fields = _int(x[2]), x[3]
        dspec = _dataclass_spec(cls)
        if dspec is None or count < 0 or type(fields) is not list or len(x) != 4 + len(fields):
            raise CacheMiss("fields do not match the table")
        if not issubclass(cls, Record) and fields != list(range(len(dspec))):
            raise CacheMiss("fields do not match the table")
        last = -1
        names: list[str] = []
        columns: list[list[Any]] = []
        for i, column in zip(fields, x[4:], strict=True):
            if type(i) is not int or not last < i < len(dspec):
                raise CacheMiss("bad field index")
            last = i
            name, check, exact = dspec[i]
            values = self.column(column, count)
            if exact is not None:
                ok = set(map(type, values)) <= exact
            elif column[0] in _OBJECT_COLUMNS:
                # Objects of allow-listed classes (references, rows of a table): every checker
                # decides on an object by its type alone, so one of each type is checked.
                ok = all(map(check, dict(zip(map(type, values), values, strict=True)).values()))
            elif column[0] in _ONE_ROW_COLUMNS:
                # Lists (tuples) of one row each of one table: all alike, so the first decides.
                ok = not values or check(values[0])
            else:
                ok = all(map(check, values))
            if not ok:
                raise CacheMiss(f"{cls.__name__}.{name} has the wrong type")
            names.append(name)
            columns.append(values)
        found = _record_rows(cls, count, names, columns)
        if found is not None:
            rows = found
        elif columns:  # a missing required field: TypeError, a miss
            rows = [cls(**dict(zip(names, row, strict=True))) for row in zip(*columns, strict=True)]
        else:
            rows = [cls() for _ in range(count)]
        self.memo += rows
        return rows

    def column(self, x: Any, count: int) -> list[Any]:
        """The values of one column of a table (`_Encoder._column`), `count` of them."""
        if type(x) is not list or not x:
            raise CacheMiss("bad column")
        kind = x[0]
        if kind == "t" or kind == "l" or kind == "u":
            if len(x) != 2:
                raise CacheMiss("bad column")
            values = self.table(x[1])
            if len(values) != count:
                raise CacheMiss("bad column")
            if kind == "t":
                return values
            return [[v] for v in values] if kind == "l" else [(v,) for v in values]
        if len(x) != count + 1:
            raise CacheMiss("bad column")
        raw = x[1:]
        kinds = set(map(type, raw))
        if kind == "s":
            if not kinds <= _STR:
                raise CacheMiss("bad column")
            setdefault = self.shared.setdefault
            return [setdefault(v, v) for v in raw]
        if kind == "n":
            if not kinds <= _JSON_SCALARS:
                raise CacheMiss("bad column")
            return raw
        if kind == "$":
            if not kinds <= _STR:
                raise CacheMiss("bad column")
            found = list(map(self.decimals.get, raw))  # the texts seen before, shared
            if None in found:
                decimal = self.decimal
                found = [
                    v if v is not None else decimal(t) for v, t in zip(found, raw, strict=True)
                ]
            return found
        if kind == "d":
            if not kinds <= _STR:
                raise CacheMiss("bad column")
            days = list(map(self.dates.get, raw))
            if None in days:
                date = self.date
                days = [v if v is not None else date(t) for v, t in zip(days, raw, strict=True)]
            return days
        if kind == "r":
            if not kinds <= _INT or (raw and min(raw) < 0):
                raise CacheMiss("bad column")
            memo = self.memo
            return [memo[i] for i in raw]
        if kind == "x":
            decode = self.decode
            return [decode(v) for v in raw]
        raise CacheMiss("bad column")

    def skeleton(self, x: Any) -> Any:
        """Located data from `_Encoder.skeleton`: values are None."""
        if x is None:
            return None
        if type(x) is not list:
            raise CacheMiss("bad located data")
        skeleton = self.skeleton
        if x[0] == "{":
            d = LineDict()
            d.line = _int(x[1])
            lines = d.lines
            if (len(x) - 2) % 3:
                raise CacheMiss("bad mapping")
            for i in range(2, len(x), 3):
                key = x[i]
                if type(key) is not str:
                    key = self.decode(key)
                sub = x[i + 2]
                d[key] = None if sub is None else skeleton(sub)
                line = x[i + 1]
                if type(line) is int:
                    lines[key] = line
                elif line is not None:
                    raise CacheMiss("bad line")
            return d
        if x[0] == "[":
            items = LineList()
            items.line = _int(x[1])
            items.lines = x[2]
            if type(x[2]) is not list or any(type(n) is not int for n in x[2]):
                raise CacheMiss("bad lines")
            items.extend(None if v is None else skeleton(v) for v in x[3:])
            if len(items.lines) != len(items):
                raise CacheMiss("bad list")
            return items
        raise CacheMiss("bad located data")

    def decode(self, x: Any) -> Any:
        if type(x) is not list:
            if type(x) is str:
                return self.shared.setdefault(x, x)
            if x is None or type(x) in (bool, int):
                return x
            raise CacheMiss(f"unexpected {type(x).__name__}")
        tag = x[0]
        if tag == "$":
            return self.decimal(x[1])
        if tag == "d":
            return self.date(x[1])
        if tag == "t":
            return dt.datetime.fromisoformat(x[1])
        if tag == "{" or tag == "[":
            return self.skeleton(x)
        if tag == "L":
            return [self.decode(v) for v in x[1:]]
        if tag == "T":
            return self.table(x)
        if tag == "B" or tag == "Bc":
            rows: list[Any] = []
            for block in self.blocks(x):
                rows += self.table(block)
            return rows
        if tag == "E" or tag == "Ec":
            found: dict[Any, Any] = {}
            for block in self.blocks(x):
                if type(block) is not list or len(block) != 3 or block[0] != "K":
                    raise CacheMiss("bad dict block")
                keys = block[1]
                records = self.table(block[2])
                if type(keys) is not list or set(map(type, keys)) - _STR:
                    raise CacheMiss("bad dict keys")
                if len(keys) != len(records):
                    raise CacheMiss("bad dict block")
                setdefault = self.shared.setdefault
                found.update(zip([setdefault(k, k) for k in keys], records, strict=True))
            return found
        if tag == "Lc" or tag == "Dc":
            items: list[Any] = []
            for chunk in self.chunks(x):
                items += [self.decode(v) for v in chunk]
                del chunk  # before the next chunk is read
            if tag == "Lc":
                return items
            if len(items) % 2:
                raise CacheMiss("bad dict")
            return {items[i]: items[i + 1] for i in range(0, len(items), 2)}
        if tag == "U":
            return tuple(self.decode(v) for v in x[1:])
        if tag == "D":
            if len(x) % 2 != 1:
                raise CacheMiss("bad dict")
            return {self.decode(x[i]): self.decode(x[i + 1]) for i in range(1, len(x), 2)}
        if tag == "R":
            return self.memo[_int(x[1])]
        if tag == "M":
            cls = self.classes[_int(x[1])]
            spec = _model_spec(cls)
            if spec is None or len(x) != 3 + len(spec):
                raise CacheMiss("fields do not match the model")
            values = {}
            decode, memo, shared = self.decode, self.memo, self.shared
            decimal, date = self.decimal, self.date
            for (name, check), raw in zip(spec, x[3:], strict=True):
                value: Any
                if type(raw) is list:  # the common tags inline: this loop is the hot path
                    tag = raw[0]
                    if tag == "$":
                        value = decimal(raw[1])
                    elif tag == "R":
                        value = memo[_int(raw[1])]
                    elif tag == "d":
                        value = date(raw[1])
                    elif tag == "L" and len(raw) == 1:
                        value = []
                    else:
                        value = decode(raw)
                elif type(raw) is str:
                    value = shared.setdefault(raw, raw)
                else:
                    value = raw
                if not check(value):
                    raise CacheMiss(f"{cls.__name__}.{name} has the wrong type")
                values[name] = value
            fields_set = x[2]
            if type(fields_set) is not list or not values.keys() >= set(fields_set):
                raise CacheMiss("bad field set")
            obj = _construct(cls, values, set(fields_set))
        elif tag == "Doc":
            if len(x) != 7:
                raise CacheMiss("bad document")
            path, kind, lines, text, item_lines = x[1], x[2], x[4], x[5], x[6]
            if type(lines) is list:  # written apart: ["@", index, sha-256 of the text]
                if len(lines) != 3 or lines[0] != "@" or type(lines[2]) is not str:
                    raise CacheMiss("bad located data")
                lines = self.located(_int(lines[1]), lines[2])
            elif type(lines) is not str:
                raise CacheMiss("bad document")
            if type(path) is not str or type(kind) is not str:
                raise CacheMiss("bad document")
            if type(item_lines) is not dict or not all(
                type(v) is list and set(map(type, v)) <= _INT for v in item_lines.values()
            ):
                raise CacheMiss("bad document lines")
            if text is not None:  # a pydantic model, decoded on first use
                if x[3] is not None or type(text) is not str:
                    raise CacheMiss("bad document model")
                obj = _CachedDocument.from_cache(path, kind, None, lines, self.classes, text)
            else:
                model = self.decode(x[3])
                if not isinstance(model, Record):
                    raise CacheMiss("bad document model")
                obj = _CachedDocument.from_cache(path, kind, model, lines, self.classes)
            obj.__dict__["_items"] = item_lines
        elif tag == "S":
            cls = self.classes[_int(x[1])]
            dspec = _dataclass_spec(cls) if issubclass(cls, Record) else None
            if dspec is None or len(x) % 2:
                raise CacheMiss("fields do not match the record")
            kwargs = {}
            decode, memo, shared = self.decode, self.memo, self.shared
            decimal, date = self.decimal, self.date
            last = -1
            for j in range(2, len(x), 2):
                i = x[j]
                if type(i) is not int or not last < i < len(dspec):
                    raise CacheMiss("bad field index")
                last = i
                name, check, exact = dspec[i]
                raw = x[j + 1]
                if type(raw) is list:  # the common tags inline: this loop is the hot path
                    tag = raw[0]
                    if tag == "$":
                        value = decimal(raw[1])
                    elif tag == "R":
                        value = memo[_int(raw[1])]
                    elif tag == "d":
                        value = date(raw[1])
                    else:
                        value = decode(raw)
                elif type(raw) is str:
                    value = shared.setdefault(raw, raw)
                else:
                    value = raw
                if (type(value) not in exact) if exact is not None else not check(value):
                    raise CacheMiss(f"{cls.__name__}.{name} has the wrong type")
                kwargs[name] = value
            obj = cls(**kwargs)  # a missing required field: TypeError, a miss
        elif tag == "C":
            cls = self.classes[_int(x[1])]
            dspec = _dataclass_spec(cls)
            if dspec is None or len(x) != 2 + len(dspec):
                raise CacheMiss("fields do not match the class")
            kwargs = {}
            decode, memo, shared = self.decode, self.memo, self.shared
            decimal, date = self.decimal, self.date
            for (name, check, exact), raw in zip(dspec, x[2:], strict=True):
                if type(raw) is list:  # the common tags inline: this loop is the hot path
                    tag = raw[0]
                    if tag == "$":
                        value = decimal(raw[1])
                    elif tag == "R":
                        value = memo[_int(raw[1])]
                    elif tag == "d":
                        value = date(raw[1])
                    elif tag == "L" and len(raw) == 1:
                        value = []
                    else:
                        value = decode(raw)
                elif type(raw) is str:
                    value = shared.setdefault(raw, raw)
                else:
                    value = raw
                if (type(value) not in exact) if exact is not None else not check(value):
                    raise CacheMiss(f"{cls.__name__}.{name} has the wrong type")
                kwargs[name] = value
            obj = cls(**kwargs)
        else:
            raise CacheMiss(f"unknown tag {tag!r}")
        self.memo.append(obj)
        return obj


class _CachedDocument(Document):
    """A document read from the cache, or compacted once a catalog is built (`compact`):
    its located data is kept as text and decoded on first use.

    Most commands look up lines of a few documents only (scores, profiles); the
    price sheets' lines are needed only when the catalog is built, on a miss.
    """

    @classmethod
    def from_cache(
        cls,
        path: str,
        kind: str,
        model: Any,
        lines: str,
        classes: list[type],
        model_text: str | None = None,
    ) -> _CachedDocument:
        obj = cls.__new__(cls)
        _set = object.__setattr__
        _set(obj, "path", path)
        _set(obj, "kind", kind)
        if model_text is None:
            obj.__dict__["_model"] = model
        else:
            obj.__dict__["_model_text"] = model_text
        _set(obj, "_lines", (lines, classes))
        return obj

    def line_of(self, *loc: int | str) -> int | None:
        """As Document.line_of; the line of an item of a top-level list without decoding
        the located data (the same line: `locate` takes it from that list's lines)."""
        state = self.__dict__
        if "_raw" not in state and len(loc) == 2:
            key, i = loc
            found = state.get("_items", {}).get(key)
            if found is not None and type(i) is int and 0 <= i < len(found):
                line: int = found[i]
                return line
        return super().line_of(*loc)

    @property
    def model(self) -> Any:
        """The document's model: a record, or (for a kind without records) the pydantic
        model, decoded from its own text on first use with the same allow-listed,
        type-checked decoder."""
        state = self.__dict__
        if "_model" not in state:
            try:
                doc = json.loads(state["_model_text"], parse_constant=_no_constant)
                if type(doc) is not dict:
                    raise CacheMiss("bad document model")
                model = _Decoder(doc["classes"]).decode(doc["value"])
                if not hasattr(type(model), "model_fields"):
                    raise CacheMiss("bad document model")
            except (CacheMiss, ValueError, TypeError, KeyError, IndexError, AttributeError,
                    InvalidOperation, RecursionError) as exc:  # fmt: skip
                # Authenticated, so only a costcalc bug gets here: say how to go around it.
                raise InputError(
                    f"the catalog cache's copy of this file cannot be read ({exc});"
                    " run again with COSTCALC_NO_CACHE=1",
                    file=self.path,
                ) from None
            state["_model"] = model
        return state["_model"]

    @property
    def raw(self) -> Any:
        state = self.__dict__
        if "_raw" not in state:
            text, classes = state["_lines"]
            if type(text) is _Apart:
                text = text.read()  # None (lines unknown) if the file no longer holds it
            try:
                decoder = _Decoder.__new__(_Decoder)
                decoder.classes, decoder.memo, decoder.shared = classes, [], {}
                decoder.decimals, decoder.dates = {}, {}
                raw = decoder.skeleton(json.loads(text))
            except (CacheMiss, ValueError, TypeError, KeyError, IndexError, RecursionError):
                # Authenticated, so only a costcalc bug gets here: lines unknown, never a crash.
                raw = LineDict()
            object.__setattr__(self, "_raw", raw)
        return state["_raw"]


def _located_text(document: Document) -> str | None:
    """The located text of a compact document whose located data was never decoded
    (`compact`), or None (the encoder makes it from `raw`)."""
    state = document.__dict__
    if type(document) is not _CachedDocument or "_raw" in state:
        return None
    text = state["_lines"][0]
    return text if type(text) is str else None


def _item_lines(raw: Any) -> dict[str, list[int]]:
    """The line of each item of each top-level list of located data (`_CachedDocument._items`)."""
    if type(raw) is not LineDict:
        return {}
    return {k: list(v.lines) for k, v in raw.items() if type(k) is str and type(v) is LineList}


def compact(document: Document) -> Document:
    """The document with its located data kept as text, decoded again only if a line other
    than a top-level list item's is looked up, as a document read from the cache keeps it.

    A cold load holds a tree of located mappings per item of every sheet (at 100,000
    synthetic offers about half the catalog's memory) until it is written to the cache;
    `costcalc.catalog.load_catalog` compacts them as it loads and builds. Located data
    the cache cannot write (a key of another type) leaves the document as it is, as the
    cache then leaves the catalog unwritten."""
    if type(document) is not Document:
        return document
    raw = document.raw
    try:
        text = json.dumps(_Encoder().skeleton(raw), separators=(",", ":"), ensure_ascii=True)
    except (TypeError, ValueError, RecursionError):
        return document
    found = _CachedDocument.from_cache(document.path, document.kind, document.model, text, [])
    found.__dict__["_items"] = _item_lines(raw)
    return found


class _Apart:
    """Located text written apart in a cache file: where it is and its SHA-256, which the
    file's HMAC authenticated when it was loaded. Read on first use, from the same file, with
    the same checks (a regular file of this user, private, no link followed); a file changed
    or gone since gives None (the document's lines are then unknown), never other data."""

    __slots__ = ("digest", "length", "offset", "path")

    def __init__(self, path: Path, offset: int, length: int, digest: str) -> None:
        self.path, self.offset, self.length, self.digest = path, offset, length, digest

    def read(self) -> str | None:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self.path, flags)
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != _uid() or st.st_mode & 0o077:
                return None
            data = b""
            while len(data) < self.length:
                got = os.pread(fd, self.length - len(data), self.offset + len(data))
                if not got:
                    return None
                data += got
        except OSError:
            return None
        finally:
            os.close(fd)
        if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), self.digest):
            return None
        return data.decode("ascii")


_SLOTS: dict[type, dict[str, Callable[[Any, Any], None]] | None] = {}


def _slot_setters(cls: type) -> dict[str, Callable[[Any, Any], None]] | None:
    """A record class's slot setters by field name (None if a field is not a plain slot)."""
    if cls not in _SLOTS:
        setters: dict[str, Callable[[Any, Any], None]] | None = {}
        for name, _ in getattr(cls, "_FIELDS", ()):
            slot = getattr(cls, name, None)
            if type(slot) is not types.MemberDescriptorType or setters is None:
                setters = None
                break
            setters[name] = slot.__set__
        _SLOTS[cls] = setters if issubclass(cls, Record) else None
    return _SLOTS[cls]


def _record_rows(
    cls: type, count: int, names: list[str], columns: list[list[Any]]
) -> list[Any] | None:
    """`count` records of a class from their columns, each slot set directly: the objects
    `cls(**fields)` makes, a field left out taking its default (a new empty list for LIST),
    because a record's __init__ only assigns its arguments (tests/test_catalog_cache_tables.py
    reads every record's __init__ to hold it to that). CacheMiss when a required field is
    missing; None for a class that is not a record of plain slots (built by its __init__)."""
    setters = _slot_setters(cls)
    if setters is None:
        return _dataclass_rows(cls, count, names, columns)
    rows: list[Any] = list(map(object.__new__, itertools.repeat(cls, count)))
    given = dict(zip(names, columns, strict=True))
    for name, default in cls._FIELDS:  # type: ignore[attr-defined]
        values: Any = given.get(name)
        if values is None:
            if default is REQUIRED:
                raise CacheMiss(f"{cls.__name__}.{name} is missing")
            if default is LIST:
                values = [[] for _ in range(count)]
            else:
                values = itertools.repeat(default, count)
        collections.deque(map(setters[name], rows, values), maxlen=0)
    return rows


_DATACLASS_SLOTS: dict[type, tuple[tuple[str, Callable[[Any, Any], None]], ...] | None] = {}


def _dataclass_rows(
    cls: type, count: int, names: list[str], columns: list[list[Any]]
) -> list[Any] | None:
    """`count` objects of a slotted dataclass whose generated __init__ only assigns its fields
    (not frozen, no __post_init__, catalog.Origin and OfferEntry), every field given in
    `names`, each slot set directly as that __init__ would; None for any other class, or
    when a field is missing (then __init__ builds them, and decides)."""
    if cls not in _DATACLASS_SLOTS:
        spec: tuple[tuple[str, Callable[[Any, Any], None]], ...] | None = None
        params = getattr(cls, "__dataclass_params__", None)
        if (
            params is not None
            and not params.frozen
            and "__slots__" in cls.__dict__
            and not hasattr(cls, "__post_init__")
        ):
            fields = dataclasses.fields(cls)
            slots: list[Any] = [cls.__dict__.get(f.name) for f in fields]
            if all(type(s) is types.MemberDescriptorType for s in slots) and all(
                f.init for f in fields
            ):
                spec = tuple((f.name, s.__set__) for f, s in zip(fields, slots, strict=True))
        _DATACLASS_SLOTS[cls] = spec
    spec = _DATACLASS_SLOTS[cls]
    if spec is None or len(names) != len(spec):
        return None
    given = dict(zip(names, columns, strict=True))
    if given.keys() != {name for name, _ in spec}:
        return None
    rows: list[Any] = list(map(object.__new__, itertools.repeat(cls, count)))
    for name, setter in spec:
        collections.deque(map(setter, rows, given[name]), maxlen=0)
    return rows


_OBJECT_COLUMNS = frozenset(["r", "t"])
_ONE_ROW_COLUMNS = frozenset(["l", "u"])
_STR = frozenset([str])
_INT = frozenset([int])


def _no_located(i: int, digest: str) -> Any:
    raise CacheMiss("located data outside a cache file")


def _construct(cls: Any, values: dict[str, Any], fields_set: set[str]) -> Any:
    """A pydantic model from already-checked values, as `model_construct` builds it
    (without its per-call overhead: every field is given, none is defaulted)."""
    obj = cls.__new__(cls)
    _set = object.__setattr__
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def _decimal(text: Any) -> Decimal:
    value = Decimal(text) if type(text) is str else None
    if value is None or not value.is_finite():
        raise CacheMiss("bad decimal")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise CacheMiss("expected an integer")
    return value


def _allowed_class(name: Any) -> type:
    if type(name) is not str:
        raise CacheMiss("bad class name")
    module_name, _, qualname = name.partition(":")
    if not _allowed_module(module_name) or not qualname.isidentifier():
        raise CacheMiss(f"class {name!r} is not allowed")
    cls = getattr(importlib.import_module(module_name), qualname, None)
    if not isinstance(cls, type) or cls.__module__ != module_name:
        raise CacheMiss(f"class {name!r} is not allowed")
    if not (
        hasattr(cls, "model_construct") or dataclasses.is_dataclass(cls) or issubclass(cls, Record)
    ):
        raise CacheMiss(f"class {name!r} is not allowed")
    return cls


_SPECS: dict[type, list[tuple[str, _Check]] | None] = {}


def _model_spec(cls: type) -> list[tuple[str, _Check]] | None:
    if cls not in _SPECS:
        try:
            fields: Any = getattr(cls, "model_fields", {})
            _SPECS[cls] = [(name, _checker(f.annotation)) for name, f in fields.items()]
        except TypeError:
            _SPECS[cls] = None
    return _SPECS[cls]


_DataclassSpec = list[tuple[str, _Check, frozenset[type] | None]]
_DATACLASS_SPECS: dict[type, _DataclassSpec | None] = {}

_EXACT: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    bool: (bool,),
    float: (int, float),
    Decimal: (Decimal,),
    dt.date: (dt.date,),
    dt.datetime: (dt.datetime,),
    None: (type(None),),
    type(None): (type(None),),
}


def _exact_types(annotation: Any) -> frozenset[type] | None:
    """The exact types a value of a plain annotation (str, Decimal | None, date | datetime...)
    may have, so the decoder checks it with one set look-up; None for any other annotation
    (lists, classes, literals: checked by `_checker`). The same rule as `_checker`'s."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        parts = typing.get_args(annotation)
    else:
        parts = (annotation,)
    found: set[type] = set()
    for part in parts:
        try:
            exact = _EXACT.get(part)
        except TypeError:
            return None
        if exact is None:
            return None
        found.update(exact)
    return frozenset(found)


def _dataclass_spec(cls: type) -> _DataclassSpec | None:
    if cls not in _DATACLASS_SPECS:
        try:
            hints = typing.get_type_hints(cls)
            _DATACLASS_SPECS[cls] = [
                (name, _checker(hints[name]), _exact_types(hints[name]))
                for name in _init_fields(cls)
            ]
        except (TypeError, NameError, KeyError):
            _DATACLASS_SPECS[cls] = None
    return _DATACLASS_SPECS[cls]


def _no_chunks(i: int) -> Any:
    raise CacheMiss("a chunk outside a cache file")


def _serialize(value: Any, key: str, apart: bool = False) -> bytes:
    """A value as plain data: a JSON line (format, key, class table, value), then the JSON
    texts of its chunks, one per line (see _Encoder._chunked); with `apart`, then the large
    located texts of its documents, one per line (read only when a line is looked up)."""
    return "\n".join(_serialized_lines(value, key, apart)).encode("ascii")


def _serialized_lines(value: Any, key: str, apart: bool = False) -> list[str]:
    """The lines `_serialize` joins (ASCII texts)."""
    encoder = _Encoder()
    if apart:
        encoder.located = []
    encoded = encoder.encode(value)
    located = encoder.located or []
    head: dict[str, Any] = {
        "format": FORMAT,
        "key": key,
        "classes": encoder.classes,
        "chunks": len(encoder.chunks),
        "value": encoded,
    }
    if located:
        head["located"] = len(located)
    text = json.dumps(head, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return [text, *encoder.chunks, *located]


def _deserialize(body: bytes | bytearray, start: int, key: str, source: Path | None = None) -> Any:
    """The value `_serialize` wrote, from body[start:]: CacheMiss when anything is off.

    `source`: the file `body` was read from; located texts written apart are then read
    from it on first use (`_Apart`), else taken from `body` now."""
    ends: list[int] = []
    at = body.find(b"\n", start)
    while at != -1:
        ends.append(at)
        at = body.find(b"\n", at + 1)
    ends.append(len(body))
    doc = json.loads(body[start : ends[0]], parse_constant=_no_constant)
    if type(doc) is not dict or doc.get("format") != FORMAT or doc.get("key") != key:
        raise CacheMiss("another format or key")
    chunks, apart = doc.get("chunks"), doc.get("located", 0)
    if type(chunks) is not int or type(apart) is not int or chunks + apart != len(ends) - 1:
        raise CacheMiss("chunks do not match")

    def chunk(i: int) -> Any:
        if not 0 <= i < chunks:
            raise CacheMiss("no such chunk")
        return json.loads(body[ends[i] + 1 : ends[i + 1]], parse_constant=_no_constant)

    def located(i: int, digest: str) -> Any:
        if not 0 <= i < apart:
            raise CacheMiss("no such located text")
        first, end = ends[chunks + i] + 1, ends[chunks + i + 1]
        if source is None:
            return bytes(body[first:end]).decode("ascii")
        return _Apart(source, first, end - first, digest)

    decoder = _Decoder(doc["classes"], chunk, located)
    with paused_gc():  # every object built here lives as long as the catalog
        return decoder.decode(doc["value"])


def dumps(value: Any, key: str, secret: bytes) -> bytes:
    """A cache file: an HMAC line, then the plain data it authenticates (`_serialize`)."""
    buffer = io.BytesIO()
    _entry_writer(_serialized_lines(value, key, apart=True), secret)(buffer)
    return buffer.getvalue()


def _entry_writer(lines: list[str], secret: bytes) -> Callable[[BinaryIO], None]:
    """A function writing a cache file (`dumps`) of these `_serialized_lines` to an open
    file, a line at a time: the HMAC line is written last, over a placeholder of its length,
    so the body is never joined in memory (at 100,000 offers it is about 110 MB, and the
    join, its encoding and the HMAC line before it were three more copies)."""

    def write(handle: BinaryIO) -> None:
        mac = hmac.new(secret, digestmod=hashlib.sha256)
        start = handle.tell()
        handle.write(b"0" * (2 * mac.digest_size) + b"\n")
        for i, line in enumerate(lines):
            data = line.encode("ascii")
            if i:
                mac.update(b"\n")
                handle.write(b"\n")
            mac.update(data)
            handle.write(data)
        end = handle.tell()
        handle.seek(start)
        handle.write(mac.hexdigest().encode("ascii"))
        handle.seek(end)

    return write


def loads(data: bytes | bytearray, key: str, secret: bytes, source: Path | None = None) -> Any:
    """The value of a cache file written by `dumps` for this key and secret; CacheMiss otherwise.
    `source`: the file `data` was read from (see `_deserialize`)."""
    newline = data.find(b"\n")
    if newline == -1:
        raise CacheMiss("not authenticated by this user's secret")
    view = memoryview(data)
    try:
        expected = hmac.new(secret, view[newline + 1 :], hashlib.sha256).hexdigest()
    finally:
        view.release()
    if not hmac.compare_digest(bytes(data[:newline]), expected.encode("ascii")):
        raise CacheMiss("not authenticated by this user's secret")
    try:
        return _deserialize(data, newline + 1, key, source)
    except CacheMiss:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, InvalidOperation,
            RecursionError) as exc:  # fmt: skip
        raise CacheMiss(f"malformed: {type(exc).__name__}") from None


def _no_constant(name: str) -> Any:
    raise CacheMiss(f"{name} in a cache file")


# ------------------------------------------- other caches in the same folder


def read_private(cache_dir: Path, name: str, limit: int) -> bytes | None:
    """The body of a cache file written by `write_private` under this name, or None.

    The same trust as the catalog's entries: a trusted folder, a private regular
    file of this user, an HMAC under the per-user secret that also binds the name.
    For other caches kept beside the catalog's (e.g. the latent fit).
    """
    folder = trusted_folder(cache_dir, create=False)
    secret = secret_for(folder) if folder is not None else None
    if folder is None or secret is None:
        return None
    try:
        data = _read_own_file(folder / name, limit)
    except CacheMiss:
        return None
    mac, sep, body = data.partition(b"\n")
    expected = _mac(secret, name.encode("utf-8") + b"\0" + body).encode("ascii")
    return bytes(body) if sep and hmac.compare_digest(bytes(mac), expected) else None


def write_private(cache_dir: Path, name: str, body: bytes) -> None:
    """Store `body` for `read_private` (0600 in a 0700 folder); failures only cost time."""
    folder = trusted_folder(cache_dir)
    secret = secret_for(folder) if folder is not None else None
    if folder is None or secret is None:
        return
    mac = _mac(secret, name.encode("utf-8") + b"\0" + body).encode("ascii")
    with contextlib.suppress(OSError):
        _replace_entry(folder / name, mac + b"\n" + body)


# ------------------------------------------------------------------ the cache


def entry_path(folder: Path, key: str, secret: bytes) -> Path:
    """File of a key: named by an HMAC, so a name cannot be chosen without the secret."""
    return folder / f"catalog-{_mac(secret, key.encode('ascii'))[:40]}.json"


def cached(
    cache_dir: Path | None,
    folders: Sequence[tuple[Path, str | None]],
    build: Callable[[], T],
) -> T:
    """The value `build()` returns for these layers, from the cache when it is there.

    A cache that is missing, damaged, planted, someone else's or open to others is
    never read as a result: the value is built from the sheets instead.
    """
    if cache_dir is None:
        return build()
    folder = trusted_folder(cache_dir)
    secret = secret_for(folder) if folder is not None else None
    try:
        key = cache_key(folders) if secret is not None else None
    except InputError:
        return build()  # a folder that cannot be read: build() reports every problem
    if folder is None or secret is None or key is None:
        return build()
    path = entry_path(folder, key, secret)
    try:
        value: T = loads(_read_own_file(path, MAX_CACHE_BYTES), key, secret, path)
        return value
    except CacheMiss:
        pass
    except MemoryError:
        pass
    value = build()
    try:
        lines = _serialized_lines(value, key, apart=True)
    except (TypeError, ValueError, RecursionError):
        return value  # not representable as plain data: not cached
    try:
        _replace_entry(path, _entry_writer(lines, secret))
        _prune(folder)
    except (OSError, ValueError):
        pass  # a read-only or full cache folder only costs speed
    return value


def _replace_entry(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(st.st_mode) or st.st_uid != _uid():
            return  # something else holds the name: leave it, never write through it
    write_atomic(path, data, mode=0o600, sync=False)


def _prune(folder: Path) -> None:
    """Keep the newest KEEP entries; remove our own stale ones (and old pickles, never read)."""
    uid = _uid()
    entries: list[tuple[int, Path]] = []
    with os.scandir(folder) as it:
        for item in it:
            if not item.name.startswith("catalog-"):
                continue
            try:
                st = item.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode) or st.st_uid != uid:
                continue
            if item.name.endswith(".pickle"):
                with contextlib.suppress(OSError):
                    os.unlink(item.path)
            elif item.name.endswith(".json"):
                entries.append((st.st_mtime_ns, Path(item.path)))
    entries.sort()
    for _, stale in entries[:-KEEP]:
        try:
            os.unlink(stale)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise


# --------------------------------------------- the bundled catalog, precompiled

COMPILED_NAME = "catalog.compiled.json"
"""The bundled catalog as plain data, written into the wheel at build time (setup.py), so a
run on the bundled sheets alone never parses YAML, even the first one after installing."""


def sheets_key(folder: Path, display: str | None) -> str | None:
    """Key of one folder's sheets by content alone (no paths outside it, no clock, no stat):
    the same for every copy of the same sheets. None when a file is too large."""
    digest = hashlib.sha256()
    digest.update(f"{FORMAT}|{display}|".encode())
    for path in yaml_files(folder):
        if path.stat().st_size > MAX_BYTES:
            return None
        digest.update(f"F|{path.relative_to(folder).as_posix()}|".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def compile_catalog(folder: Path, display: str | None, value: Any) -> bytes:
    """The compiled form of a folder's catalog: JSON, the same bytes for the same sheets."""
    key = sheets_key(folder, display)
    if key is None:
        raise ValueError(f"{folder}: a sheet is too large to compile")
    return _serialize(value, key)


def load_compiled(folder: Path, display: str | None) -> Any | None:
    """The catalog compiled next to a folder's sheets, or None when there is none, or when
    it was compiled from other sheets (an edited installation) or cannot be read back.

    It is trusted as the installed code is (it ships in the same wheel) and read with the
    same allow-listed, type-checked decoder as the cache; a mismatch is None, never a crash.
    """
    path = folder / COMPILED_NAME
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CACHE_BYTES:
            return None
        data = path.read_bytes()
        key = sheets_key(folder, display)
    except (OSError, InputError):
        return None
    if key is None:
        return None
    try:
        return _deserialize(data, 0, key)
    except (CacheMiss, ValueError, TypeError, KeyError, IndexError, AttributeError,
            InvalidOperation, RecursionError):  # fmt: skip
        return None
