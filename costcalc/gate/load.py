"""Load procurement files for the gate: untrusted input, read safely.

Procurement files come from pull requests, so:
- YAML is read by `costcalc.yamlio` (safe loader, bounded size, depth and alias
  expansion) with a smaller size limit than price sheets;
- a checked path that is itself a symbolic link is refused (for a relative path,
  so is any symbolic link on the way to it), so a pull request cannot point the
  gate at files outside the repository; inside a folder, links are not followed,
  and a link whose target leaves the checked folder is an error;
- a workload reference `{file, name}` must resolve, symlinks followed, to a file
  inside the checked root (a pull request cannot make CI read other files);
- a file name that is not valid UTF-8 is refused (exit 2 in every format: it
  could not be shown faithfully in any report);
- a checked path under which no procurement file is found is an error, so a
  mistyped path cannot turn the gate off.

Files in a checked folder must be `kind: procurement` or `kind: workloads`
(workload files referenced by decisions); any other kind, no kind, or a
`kind: workloads` file holding `decisions:` is an error, so editing `kind:`
cannot make a decision skip the gate.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError, Problem
from costcalc.loader import YAML_SUFFIXES, Document, validate_data
from costcalc.located import Lines, line_in, lines_along, relocate
from costcalc.yamlio import load_plain, load_yaml

if TYPE_CHECKING:
    from costcalc.schema.procurement import ProcurementFile
    from costcalc.schema.workload import Workload

# pydantic and the schema classes are imported when files are validated, not when this
# module is: the parse workers start (fork) before them, so importing them in the parent
# (~0.2-0.4 s) overlaps the parsing instead of delaying it.

MAX_PROCUREMENT_BYTES = 1024 * 1024
"""Largest procurement or workload file read: real ones are a few KB."""

WORKLOAD_KINDS = ("workloads",)


@dataclass(frozen=True)
class ProcurementDoc:
    """A loaded procurement file with its workload references already resolved."""

    document: Document
    workloads: Mapping[int, Workload] = field(default_factory=dict)
    """Decision index -> the workload its `{file, name}` reference resolved to."""

    @property
    def model(self) -> ProcurementFile:
        model: ProcurementFile = self.document.model
        return model

    @property
    def path(self) -> str:
        return self.document.path


@dataclass(frozen=True)
class Root:
    """A checked path: the folder (or file) given and its real path."""

    given: Path
    real: Path

    def inside(self, path: Path) -> bool:
        real = path.resolve()
        base = self.real if self.real.is_dir() else self.real.parent
        return real == self.real or real.is_relative_to(base)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shown(path: Path | str) -> str:
    """A path as findings and messages show it: undecodable bytes and control characters as
    escapes (\\xNN, \\n), so a file name can never start a line of a CI log."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    named = {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}
    return named.get(code) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _utf8(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _symlink_on_the_way(root: Path) -> Path | None:
    """The first symbolic link among the path's own components (None: none).

    A relative path is checked component by component from the current folder;
    an absolute path only in its last component (the folders above the checkout
    are the machine's, not the pull request's).
    """
    if root.is_absolute():
        return root if root.is_symlink() else None
    here = Path()
    for part in root.parts:
        here = here / part
        if part not in (".", "..") and here.is_symlink():
            return here
    return None


def procurement_files(root: Path) -> list[Path]:
    """YAML files to check under a folder (sorted), or the file itself; refuses escaping links."""
    if not _utf8(root):
        raise InputError("the path is not valid UTF-8; refused", file=shown(root))
    link = _symlink_on_the_way(root)
    if link is not None:
        raise InputError(
            f"{shown(link)} is a symbolic link; the gate does not follow it"
            " (check the real folder instead)",
            file=shown(root),
        )
    r = Root(root, root.resolve())
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError("no such file or folder", file=shown(root))
    found: list[tuple[tuple[str, ...], Path]] = []
    problems: list[Problem] = []
    _scan(root, (), r, found, problems)
    if problems:
        raise InputError(problems=problems)
    found.sort(key=lambda item: item[0])  # by path components, as Path.parts
    return [p for _, p in found]


def _scan(
    base: Path,
    rel: tuple[str, ...],
    r: Root,
    found: list[tuple[tuple[str, ...], Path]],
    problems: list[Problem],
) -> None:
    """One folder and, depth first, its subfolders (the order of `os.walk`, top down).

    Entries are classified as `os.walk` does (a link to a folder counts as a
    folder), and their kind and link-ness come from the folder listing, so a
    file costs no system call of its own. Unreadable folders are skipped, as
    `os.walk` skips them.
    """
    try:
        with os.scandir(base) as listing:
            entries = list(listing)
    except OSError:
        return
    dirs: list[os.DirEntry[str]] = []
    files: list[os.DirEntry[str]] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        (dirs if is_dir else files).append(entry)
    into: list[str] = []
    for entry in dirs:
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_symlink():
            p = base / name
            if not r.inside(p):
                problems.append(
                    Problem("symbolic link leads outside the checked folder; refused", shown(p))
                )
        elif not _utf8_name(name):
            problems.append(Problem("folder name is not valid UTF-8; refused", shown(base / name)))
        else:
            into.append(name)
    # a listed name is one path component: pathlib's own child constructor (used by its
    # glob) skips re-parsing it, 4x faster than `base / name` (10,000 files: ~0.1 s)
    child = getattr(base, "_make_child_relpath", base.joinpath)
    for entry in files:
        name = entry.name
        if name.startswith(".") or not name.endswith(YAML_SUFFIXES):
            continue
        p = child(name)
        if not _utf8_name(name):
            problems.append(Problem("file name is not valid UTF-8; refused", shown(p)))
            continue
        if entry.is_symlink() and not r.inside(p):
            problems.append(
                Problem("symbolic link leads outside the checked folder; refused", shown(p))
            )
            continue
        found.append(((*rel, name), p))
    for name in into:
        _scan(base / name, (*rel, name), r, found, problems)


def _utf8_name(name: str) -> bool:
    return name.isascii() or _utf8(Path(name))


PARALLEL_FROM = 512
"""From this many files, they are parsed in worker processes (see `Loading`)."""

WORKERS = min(os.cpu_count() or 1, 4)
"""Worker processes for parsing: one per CPU, at most 4."""

BATCH = 128
"""Files a worker parses and sends back at a time (~90 KB pickled): the first arrive soon."""


class _Workers:
    """Forked processes parsing batches of files: batch j by worker j % n, read back in order.

    Plain `os.fork` and one pipe per worker, no `multiprocessing`: no pool thread and
    no task queue, and the `costcalc` program can end at once when the check is done
    (`costcalc.cli.finish`: a loaded `multiprocessing` makes it take the slow exit,
    which frees every object of the 10,000-file result one by one). A worker pickles
    each parsed batch into its pipe (plain data and lines: see `Loading`) and leaves
    with `os._exit`; what travels is never read from disk. A worker that dies makes
    `results` raise OSError, and the caller parses the rest itself.
    """

    def __init__(self, batches: list[list[tuple[Path, bool]]], n: int) -> None:
        self.count = len(batches)
        self.pids: list[int] = []
        self.pipes: list[Any] = []
        self.done = False
        try:
            for w in range(n):
                read, write = os.pipe()
                try:  # room for ~10 batches, so a worker seldom waits for the parent
                    import fcntl

                    fcntl.fcntl(write, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
                except (ImportError, OSError):
                    pass
                pid = os.fork()
                if pid == 0:  # pragma: no cover (the child, which ends in os._exit)
                    os.close(read)
                    _work(batches, w, n, write)
                os.close(write)
                self.pids.append(pid)
                self.pipes.append(os.fdopen(read, "rb"))
        except BaseException:
            self.close()
            raise

    def results(self) -> Iterator[list[Parsed]]:
        import pickle

        n = len(self.pipes)
        for j in range(self.count):
            try:
                batch: list[Parsed] = pickle.load(self.pipes[j % n])  # our own child's
            except Exception as exc:  # it ended early (killed, out of memory, crashed)
                raise OSError(f"a parse worker stopped: {type(exc).__name__}") from None
            yield batch
        self.done = True

    def close(self) -> None:
        """Wait for every worker (stopped first unless all its batches were read)."""
        import signal

        for pipe in self.pipes:
            pipe.close()
        for pid in self.pids:
            if not self.done:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)  # one of the workers started above
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.pids, self.pipes = [], []


def _work(batches: list[list[tuple[Path, bool]]], w: int, n: int, write: int) -> None:
    """A worker's life: parse batches w, w + n, ... into the pipe, then end the process."""
    code = 1
    try:
        import pickle

        with os.fdopen(write, "wb", buffering=1 << 16) as out:
            for j in range(w, len(batches), n):
                pickle.dump(_parse_batch(batches[j]), out, protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()
        code = 0
    finally:
        os._exit(code)


def load_procurement(paths: Sequence[Path], *, allow_empty: bool = False) -> list[ProcurementDoc]:
    """Load every procurement file under the given paths, gathering all errors before raising.

    Each path must hold at least one procurement file, unless `allow_empty`
    (the `--base` side of a diff may be empty: every decision is then new).
    """
    return Loading(paths, allow_empty=allow_empty).result()


class Loading:
    """Procurement files being loaded: started on creation, collected by `result()`.

    Files are listed at once. From `PARALLEL_FROM` files (Linux, two or more
    CPUs), worker processes parse them while the caller does other work (the
    gate loads the catalog meanwhile); `result()` then validates them in file
    order and raises every problem found. Workers only parse: they send back
    plain data and its lines (tuples, dicts and lists of ints), which cost little
    to pass through a pipe, where validated pydantic models cost more to unpickle
    than to validate again, and pydantic validates plain dicts ~2.5x faster than
    `LineDict`s.
    """

    def __init__(self, paths: Sequence[Path], *, allow_empty: bool = False) -> None:
        self.allow_empty = allow_empty
        self.problems: list[Problem] = []
        self.listed: list[tuple[Path, list[Path]]] = []
        for root in paths:
            try:
                self.listed.append((root, procurement_files(root)))
            except InputError as exc:
                self.problems.extend(exc.problems)
        self._files = [(path, path == root) for root, found in self.listed for path in found]
        self._done = 0
        self._memos: dict[int, tuple[Lines, dict[Any, Any]]] = {}
        self._pool: Any = None
        self._parsed: Iterator[Parsed] = self._start(self._files)

    @property
    def parallel(self) -> bool:
        """Whether worker processes are parsing (so the caller's own work overlaps theirs)."""
        return self._pool is not None

    def _start(self, files: list[tuple[Path, bool]]) -> Iterator[Parsed]:
        from costcalc.forked import can_fork  # Linux, 2+ CPUs, no other thread

        workers = WORKERS
        if len(files) < PARALLEL_FROM or workers < 2 or not can_fork():
            return iter(_parse_batch(files))
        batches = [files[i : i + BATCH] for i in range(0, len(files), BATCH)]
        try:
            pool = _Workers(batches, workers)
        except OSError:  # no processes to be had (limits, a sandbox): do it here
            return iter(_parse_batch(files))
        self._pool = pool
        return (parsed for batch in pool.results() for parsed in batch)

    def result(self) -> list[ProcurementDoc]:
        """The loaded files in order, or InputError with every problem of every file."""
        return list(self.stream())

    def stream(self) -> Iterator[ProcurementDoc]:
        """The loaded files in order, each as soon as it is ready; at the end, InputError
        with every problem of every file if there was any (`problems` grows meanwhile)."""
        try:
            yield from self._collect()
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker processes (unfinished work is dropped)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _next(self) -> Parsed:
        try:
            parsed = next(self._parsed)
        except OSError:  # a worker could not run or ended early: parse the rest here
            self.close()
            self._parsed = iter(_parse_batch(self._files[self._done :]))
            parsed = next(self._parsed)
        self._done += 1
        return parsed

    def _memo(self, lines: Lines) -> dict[Any, Any] | None:
        """The memo of the files sharing this line map object (None: no lines)."""
        if lines is None:
            return None
        pinned = self._memos.get(id(lines))
        if pinned is None or pinned[0] is not lines:  # pinned: an id is never reused meanwhile
            pinned = self._memos[id(lines)] = (lines, {})
        return pinned[1]

    def _collect(self) -> Iterator[ProcurementDoc]:
        problems = self.problems
        for root, files in self.listed:
            r = Root(root, root.resolve())
            workload_cache: dict[Path, Any] = {}
            count = 0
            for path in files:
                item, found = self._next()
                if found:
                    problems.extend(found)
                    count += 1  # a broken file is reported as such, not as "none found"
                elif item is not None:
                    count += 1
                    try:
                        document = _validated(item, self._memo(item[2]))
                        doc = _resolve(document, path, r, workload_cache)
                    except InputError as exc:
                        problems.extend(exc.problems)
                    else:
                        yield doc
            if count == 0 and not self.allow_empty:
                problems.append(
                    Problem(
                        "no procurement files found under this path (`kind: procurement` YAML);"
                        " check the path: a gate with nothing to check does not pass",
                        shown(root),
                    )
                )
        if problems:
            raise InputError(problems=problems)


Item = tuple[str, Any, Lines, tuple[str | None, tuple[str | None, ...]]]
"""One file parsed: shown name, plain data, its lines, its written content as text."""

Parsed = tuple[Item | None, list[Problem]]
"""One file parsed, or None (a workload file
seen in a folder: read only when a decision refers to it), and its problems."""


def _parse(path: Path, explicit: bool) -> Parsed:
    """One file read and parsed, or its problems (never raises InputError)."""
    try:
        return _load_one(path, explicit), []
    except InputError as exc:
        return None, list(exc.problems)


def _parse_batch(batch: list[tuple[Path, bool]]) -> list[Parsed]:
    """Files parsed; files laid out alike share one line map, so the batch pickles and
    unpickles it once (line maps are only read: `located.line_in`, `relocate` copies)."""
    out = [_parse(path, explicit) for path, explicit in batch]
    shared: dict[str, Lines] = {}
    for k, (item, _) in enumerate(out):
        if item is not None and item[2] is not None:
            name, data, lines, written = item
            same = shared.setdefault(repr(lines), lines)
            if same is not lines:
                out[k] = (name, data, same, written), []
    return out


def _load_one(path: Path, explicit: bool) -> Item | None:
    name = shown(path)
    data, located = load_plain(path, MAX_PROCUREMENT_BYTES, name)
    if not isinstance(data, dict):
        raise InputError(
            "expected a mapping with `kind: procurement` at the top", file=name, line=1
        )
    kind = data.get("kind")
    lines: dict[Any, int] = located[1] if located is not None else {}
    line = lines.get("kind", located[0] if located is not None else None)
    if "decisions" in data and kind != "procurement":
        said = "no `kind:`" if "kind" not in data else f"kind is {kind!r}"
        raise InputError(
            f"{said} but the file holds `decisions:`; a file of decisions must say"
            " `kind: procurement` (the gate does not skip it)",
            file=name,
            line=line if "kind" in data else lines.get("decisions", 1),
            field="kind",
        )
    if kind in WORKLOAD_KINDS and not explicit:
        return None
    if kind != "procurement":
        raise InputError(
            f"kind is {kind!r}; `costcalc check` reads `kind: procurement` files"
            " (and the `kind: workloads` files they refer to)",
            file=name,
            line=line,
            field="kind",
        )
    return name, data, located, written_keys(data)


def written_keys(raw: Any) -> tuple[str | None, tuple[str | None, ...]]:
    """A file's written content as text: what it writes besides its decisions, and each
    decision's fields but its name (None where the data is not a mapping)."""
    if not isinstance(raw, dict):
        return None, ()
    written = repr([(k, v) for k, v in raw.items() if k != "decisions"])
    decisions = raw.get("decisions")
    if not isinstance(decisions, list):
        return written, ()
    return written, tuple(
        repr([(k, v) for k, v in d.items() if k != "name"]) if isinstance(d, dict) else None
        for d in decisions
    )


@dataclass(frozen=True)
class PlainDocument(Document):
    """A validated file whose raw data is plain, with its lines kept apart (`lines`)."""

    lines: Lines = None
    written: tuple[str | None, tuple[str | None, ...]] | None = None
    """Its written content as text (`checker.written_keys`), worked out by the worker."""
    memo: dict[Any, Any] | None = field(default=None, compare=False, repr=False)
    """Answers about places in the file, shared by every file with the same line map object
    (the parse workers give files laid out alike one): a line, or where a finding points.
    Where a field is written and on which line depend on the line map alone (it holds a line
    for every key and item, and a map for every mapping and list), not on the values."""

    def line_of(self, *loc: int | str) -> int | None:
        memo = self.memo
        if memo is None:
            return line_in(self.raw, self.lines, loc)
        key = ("line", loc)
        found = memo.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = memo[key] = line_in(self.raw, self.lines, loc)
        return found  # type: ignore[no-any-return]

    def lines_along(self, *loc: int | str) -> list[int | None]:
        """`line_of` of every prefix of `loc` (item n: the first n parts), in one walk."""
        return lines_along(self.raw, self.lines, loc)


_UNKNOWN = object()

_FAST: list[Any] = []


def _fast_validator() -> Any:
    if not _FAST:
        from costcalc.schema.common import validator_for_read_data
        from costcalc.schema.procurement import ProcurementFile

        _FAST.append(validator_for_read_data(ProcurementFile))
    return _FAST[0]


def _validated(item: Item, memo: dict[Any, Any] | None = None) -> Document:
    """A parsed file validated; errors are found on the located data, as for any file
    (`memo`: shared by the files with this line map object, see `PlainDocument.memo`)."""
    from pydantic import ValidationError

    from costcalc.schema.procurement import ProcurementFile

    name, plain, lines, written = item
    try:
        # Numbers read by costcalc.yamlio are already bounded ints and Decimals: checked
        # in pydantic-core alone; anything it refuses is validated by the model itself.
        model = _fast_validator().validate_python(plain)
    except ValidationError:
        try:
            model = ProcurementFile.model_validate(plain)
        except ValidationError:
            model = validate_data(relocate(plain, lines), ProcurementFile, name)  # raises
    return PlainDocument(name, "procurement", model, plain, lines, written, memo)


def _resolve(document: Document, path: Path, root: Root, cache: dict[Path, Any]) -> ProcurementDoc:
    """Resolve every `{file, name}` workload reference inside the checked root."""
    from costcalc.schema.procurement import WorkloadRef

    model: ProcurementFile = document.model
    resolved: dict[int, Workload] = {}
    problems: list[Problem] = []
    for i, decision in enumerate(model.decisions):
        ref = decision.workload
        if not isinstance(ref, WorkloadRef):
            continue
        line = document.line_of("decisions", i, "workload", "file")
        where = f"decisions[{i}].workload.file"
        target = path.parent / ref.file
        if Path(ref.file).is_absolute() or not root.inside(target):
            problems.append(
                Problem(
                    f"{ref.file!r} is outside the checked folder;"
                    " a workload file must be inside it",
                    document.path,
                    line,
                    where,
                )
            )
            continue
        try:
            resolved[i] = _named_workload(target, ref.name, cache)
        except InputError as exc:
            first = exc.problems[0]
            at = f"{first.file}:{first.line}: " if first.file and first.line else ""
            problems.append(
                Problem(f"workload {ref.name!r}: {at}{first.message}", document.path, line, where)
            )
    if problems:
        raise InputError(problems=problems)
    return ProcurementDoc(document, resolved)


def _named_workload(path: Path, name: str, cache: dict[Path, Any]) -> Workload:
    from costcalc.schema.workload import WorkloadFile

    real = path.resolve()
    if real not in cache:
        try:
            data = load_yaml(path, MAX_PROCUREMENT_BYTES, shown(path))
            kind = data.get("kind") if isinstance(data, dict) else None
            if kind not in WORKLOAD_KINDS:
                raise InputError(
                    f"kind is {kind!r}; expected a `kind: workloads` file", file=shown(path)
                )
            cache[real] = validate_data(data, WorkloadFile, shown(path))
        except InputError as exc:
            cache[real] = exc
    found = cache[real]
    if isinstance(found, InputError):
        raise found
    assert isinstance(found, WorkloadFile)
    for workload in found.workloads:
        if workload.name == name:
            return workload
    names = ", ".join(w.name for w in found.workloads)
    raise InputError(f"no workload named {name!r} (names: {names})", file=shown(path))


__all__ = [
    "MAX_PROCUREMENT_BYTES",
    "Loading",
    "ProcurementDoc",
    "load_procurement",
    "procurement_files",
]
