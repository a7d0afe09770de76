"""Python's garbage collector while a session runs: young collections rarer, middle ones
small, full ones almost never, and what a shown view holds frozen out of their reach; all
given back at exit.

A collection stops every thread, the UI's included, while it scans its generations. With
Python's thresholds, a 10,000-account refresh ran 80-110 full collections, up to 350 ms
each, during the keys (benchmarks/RESULTS.md). Now:
- a young collection every 10,000 allocations instead of 700: what lives briefly
  (botocore's parsed answers in the load's threads, Textual's strips at every key) dies
  young instead of being promoted; one takes a few milliseconds;
- a middle collection every 5 young ones: it scans what survived them, which during a
  refresh is mostly the new organization being built. Every 50 (as before), that was up
  to 500,000 objects and 220-300 ms; every 5, 10-50 ms. The work is the same, in smaller
  pieces;
- a full collection only every 1,000 middle ones, so not during a refresh: it would scan
  all that survived since the last freeze.

While a big organization is read from the cache or assessed (`paused`), no collection
runs at all: every object made then lives on (no cycle among them), so each collection
would scan a growing heap for nothing: a third of the assessment's time at 50,000
accounts. The headless report shares it; refcounting frees what dies meanwhile.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

THRESHOLDS = (10_000, 5, 1_000)


class _Pauses:
    """The `paused` blocks running now, in any thread, and whether the collector was
    enabled when the first began."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.was_enabled = True


_PAUSES = _Pauses()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No collection while the block runs (in any thread; nested or concurrent blocks
    end the pause when the last one ends). An already disabled collector stays so."""
    with _PAUSES.lock:
        _PAUSES.running += 1
        if _PAUSES.running == 1:
            _PAUSES.was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _PAUSES.lock:
            _PAUSES.running -= 1
            if _PAUSES.running == 0 and _PAUSES.was_enabled:
                gc.enable()


class Collector:
    def __init__(self) -> None:
        self._saved: tuple[int, int, int] = gc.get_threshold()

    def start(self) -> None:
        self._saved = gc.get_threshold()
        gc.set_threshold(*THRESHOLDS)

    def freeze(self) -> None:
        """After a view is shown: what is alive now (modules, botocore's models, Textual,
        the view) is left out of every later collection. Views hold no cycles, so
        refcounting still frees the old ones. The young generations are collected first
        (a few milliseconds), or the cyclic garbage still in them would be frozen, never
        to be freed."""
        gc.collect(1)
        gc.freeze()

    def end(self) -> None:
        """The session is over: all back to the collector as it was (tests run many)."""
        gc.unfreeze()
        gc.set_threshold(*self._saved)
