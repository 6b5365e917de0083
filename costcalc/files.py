"""Reading and writing files safely: bounded, strictly decoded, atomically replaced."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from costcalc.errors import InputError

MAX_BYTES = 5 * 1024 * 1024
"""Largest file read by default: the bundled catalog is ~100 KB; 5 MiB is ample."""


def read_bytes(path: Path, max_bytes: int = MAX_BYTES, name: str | None = None) -> bytes:
    """The bytes of a regular file, at most `max_bytes`; anything else is a located error.

    The file is opened without blocking and checked on the open descriptor, so a
    FIFO, a device (`/dev/zero`) or a file swapped for one after a check can
    neither hang the read nor feed it without end.
    """
    name = name or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot read: {_reason(exc)}", file=name) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError("not a regular file", file=name)
        if st.st_size > max_bytes:
            raise InputError(
                f"file is {st.st_size:,} bytes; the limit is {max_bytes:,} bytes", file=name
            )
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:  # it grew while being read
            raise InputError(f"file is over the limit of {max_bytes:,} bytes", file=name)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read: {_reason(exc)}", file=name) from None
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return exc.strerror or str(exc)


def read_text(path: Path, max_bytes: int = MAX_BYTES, name: str | None = None) -> str:
    """Read a UTF-8 text file, refusing huge, binary or mis-encoded files with a located error."""
    name = name or str(path)
    return decode_text(read_bytes(path, max_bytes, name), name)


def decode_text(raw: bytes, name: str) -> str:
    """Decode UTF-8 strictly; a NUL byte or a bad sequence is an error naming its line."""
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise InputError("binary data (a NUL byte); expected UTF-8 YAML text", file=name, line=line)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            file=name,
            line=line,
        ) from None
    return text.removeprefix("\ufeff")


def write_atomic(
    path: Path,
    text: str | bytes | Callable[[BinaryIO], None],
    *,
    mode: int | None = None,
    sync: bool = True,
) -> None:
    """Write a file so readers see the old or the new content, never half of it.

    `text` is the content, or a function that writes it to the open file (a large
    content in parts, never joined in memory). The file gets `mode` (default: 0666
    less the umask). `sync=False` skips the fsync, for files whose loss in a crash
    only costs time (caches).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            if callable(text):
                text(handle)
            else:
                handle.write(text.encode("utf-8") if isinstance(text, str) else text)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(targets: list[tuple[Path, str | bytes, str]]) -> None:
    """Write files a user asked for, all or nothing: (path, content, what it is) each.

    A regular file (or a new one) is replaced atomically: every such file is first
    written to a temporary beside it, and only when all are written are they
    renamed into place, so a failure leaves none of them changed. A special file
    (`/dev/stdout`, a terminal, `/dev/null`, a FIFO, a socket) is written directly
    and never replaced, nor is a link to one (`/dev/stdout` -> `/proc/self/fd/1`).
    A folder or a block device is refused. Failures are InputErrors naming the path.
    """
    staged: list[tuple[str, Path, Path, str]] = []
    direct: list[tuple[Path, bytes, str]] = []
    try:
        for path, text, what in targets:
            data = text.encode("utf-8") if isinstance(text, str) else text
            how = _output_kind(path, what)
            if how == "direct":
                direct.append((path, data, what))
                continue
            try:
                tmp = _stage(path, data)
            except OSError as exc:
                raise InputError(f"cannot write {what}: {_reason(exc)}", file=str(path)) from None
            staged.append((tmp, path, path, what))
        for path, data, what in direct:
            _write_direct(path, data, what)
        for tmp, target, shown, what in staged:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise InputError(f"cannot write {what}: {_reason(exc)}", file=str(shown)) from None
    finally:
        for tmp, _target, _shown, _what in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _output_kind(path: Path, what: str) -> str:
    """'replace' (a regular file, or none yet) or 'direct' (a special file, or a link to one)."""
    try:
        own = os.lstat(path)
    except FileNotFoundError:
        return "replace"
    except OSError as exc:
        raise InputError(f"cannot write {what}: {_reason(exc)}", file=str(path)) from None
    mode = own.st_mode
    if stat.S_ISLNK(mode):
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return "replace"  # a dangling link is replaced by the file, never followed
        if stat.S_ISREG(mode) and not _is_fd_link(path):
            return "replace"  # the link itself is replaced: never written through
    if stat.S_ISDIR(mode):
        raise InputError(f"cannot write {what}: it is a folder", file=str(path))
    if stat.S_ISBLK(mode):
        raise InputError(f"cannot write {what}: it is a block device; refused", file=str(path))
    return "replace" if stat.S_ISREG(mode) and stat.S_ISREG(own.st_mode) else "direct"


def _is_fd_link(path: Path) -> bool:
    """`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`: links to the process's own open files
    (written into as they are; replacing them would replace /dev/stdout itself)."""
    if os.path.abspath(path).startswith(("/dev/fd/", "/proc/")):
        return True
    try:
        target = os.readlink(path)
    except OSError:
        return False
    return target.startswith(("/proc/", "/dev/fd/"))


def _stage(path: Path, data: bytes) -> str:
    """A synced temporary beside `path` holding `data` (mode as a new file would get)."""
    parent = path.parent
    parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


def _write_direct(path: Path, data: bytes, what: str) -> None:
    """Write into a special file as it is (a FIFO waits for its reader, as a shell would)."""
    try:
        flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
        if stat.S_ISREG(os.stat(path).st_mode):
            flags |= os.O_APPEND  # stdout redirected to a file: after what is there
        fd = os.open(path, flags)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as exc:
        raise InputError(f"cannot write {what}: {_reason(exc)}", file=str(path)) from None
