"""Reading and writing files safely: bounded, strictly decoded, atomically replaced."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

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
    path: Path, text: str | bytes, *, mode: int | None = None, sync: bool = True
) -> None:
    """Write a file so readers see the old or the new content, never half of it.

    The file gets `mode` (default: 0666 less the umask). `sync=False` skips the
    fsync, for files whose loss in a crash only costs time (caches).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
