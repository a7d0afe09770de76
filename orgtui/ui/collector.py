"""Python's garbage collector while a session runs: young collections rarer, and what a
shown view holds frozen out of the full collections' reach; all given back at exit.

A full collection stops every thread, the UI's included, while it scans the heap. With
Python's thresholds, a 10,000-account refresh ran 80-110 of them, up to 350 ms each,
during the keys (benchmarks/RESULTS.md). Promotions to the old generation trigger them:
with a young collection every 10,000 allocations instead of 700, what lives briefly
(botocore's parsed answers in the load's threads, Textual's strips at every key) dies
young instead of being promoted: of eight such refreshes measured, seven ran none and one
ran one. A young collection of 10,000 objects takes a few milliseconds.
"""

from __future__ import annotations

import gc

THRESHOLDS = (10_000, 5, 1_000)


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
