"""costcalc.forked: a part of a text made by a forked child, the same text either way."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from costcalc.forked import Forked, can_fork

linux = pytest.mark.skipif(not can_fork(), reason="forks only on Linux with 2+ CPUs")


@linux
def test_the_child_makes_the_text_with_any_characters() -> None:
    text = "prix ¥4 → ¥16\u2028\ud800 end"  # a lone surrogate travels as it is
    parent = os.getpid()
    with Forked(lambda: text + str(os.getpid() != parent)) as child:
        assert child.forked
        assert child.text() == text + "True"  # made in another process


def test_without_fork_the_text_is_made_here() -> None:
    parent = os.getpid()
    with Forked(lambda: str(os.getpid() == parent), fork=False) as child:
        assert not child.forked
        assert child.text() == "True"


@linux
def test_a_child_that_fails_is_replaced_by_making_the_text_here() -> None:
    parent = os.getpid()

    def make() -> str:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return "made here"

    with Forked(make) as child:
        assert child.forked
        assert child.text() == "made here"


@linux
def test_leaving_without_reading_stops_the_child() -> None:
    import time

    def make() -> str:
        time.sleep(60)
        return "never"

    child = Forked(make)
    pid = child._pid
    assert pid
    with child:
        pass
    with pytest.raises(ChildProcessError):  # stopped and reaped: no zombie left
        os.waitpid(pid, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_no_fork_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        with Forked(lambda: "here") as child:
            assert not child.forked
            assert child.text() == "here"
    finally:
        stop.set()
        thread.join()
