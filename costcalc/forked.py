"""Text made by a forked child process while the caller makes its own part.

A large report is built after the work is done, when every other CPU is idle;
a child forked at that moment shares the finished result (copy-on-write) and
writes one part of the text while the parent writes the rest. Only on Linux,
with two or more CPUs and no other thread (forking a threaded process is not
safe); otherwise, and whenever the child fails, its part is made here instead,
so the text is the same either way. What travels back is the child's own text
as UTF-8 (surrogates passed through), never pickled objects.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from types import TracebackType


def can_fork() -> bool:
    """Whether a child process may be forked here to share the work (see the module)."""
    if not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2:
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() <= 1


class Forked:
    """`make()` running in a child (`with Forked(make) as child: ...; child.text()`).

    Leaving the block without reading the text stops the child.
    """

    def __init__(self, make: Callable[[], str], fork: bool = True) -> None:
        self._make = make
        self._pid = 0
        self._read: int | None = None
        if fork and can_fork():
            self._start()

    def _start(self) -> None:
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to be had: the part is made in text()
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # pragma: no cover (the child, which ends in os._exit)
            code = 1
            try:
                os.close(read)
                data = self._make().encode("utf-8", "surrogatepass")
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    @property
    def forked(self) -> bool:
        """Whether a child is making the text (False: `text()` makes it here)."""
        return self._pid != 0

    def text(self) -> str:
        """The child's text, or `make()`'s here if there is no child or it failed."""
        if self._read is None:
            return self._make()
        read, self._read = self._read, None
        data = b""
        with contextlib.suppress(OSError), os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        pid, self._pid = self._pid, 0
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            status = -1
        if status != 0:  # killed, out of memory, or make() raised: make it here
            return self._make()
        return data.decode("utf-8", "surrogatepass")

    def close(self) -> None:
        """Stop the child if its text was not read."""
        if self._read is not None:
            os.close(self._read)
            self._read = None
        if self._pid:
            import signal

            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = 0

    def __enter__(self) -> Forked:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


__all__ = ["Forked", "can_fork"]
