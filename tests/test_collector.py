"""The collector's pause (orgtui/collector.py `paused`): no collection inside, nested and
concurrent blocks end it with the last, a collector disabled before stays disabled."""

from __future__ import annotations

import gc
import threading

from orgtui.collector import paused


def test_nested_pauses_end_with_the_outer_block():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_in_another_thread_keeps_it_until_both_end():
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with paused():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    with paused():
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread's block still runs
    leave.set()
    thread.join(10)
    assert gc.isenabled()


def test_an_error_inside_ends_the_pause():
    try:
        with paused():
            raise KeyError("x")
    except KeyError:
        pass
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
