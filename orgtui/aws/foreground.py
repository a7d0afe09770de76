"""The terminal UI's turn: while it handles a key, the load's threads hold their next
request and the parsing of their next answer.

Python runs one thread at a time. A load's threads sign requests and parse answers, a few
milliseconds of the interpreter each, and a key waits for them: during a refresh at
10,000 accounts, the slowest one percent of keys took 84-96 ms with them free and 63-86
ms with them held back (four runs each, benchmarks/RESULTS.md). The refresh took no
longer: a key is over in tens of milliseconds, and the requests on the wire go on.

A claim ends when the UI releases it (after the key's repaint), or HOLD_MAX seconds after
it began, whichever comes first: a thread waits no longer than that, so a load keeps
going under a key held down, and a claim never released (the UI gone) holds nothing.
The UI's own thread must not wait here: it never calls AWS (blocking work runs in
workers), and if it did, it would wait HOLD_MAX, not forever.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

HOLD_MAX = 0.25


class Foreground:
    def __init__(
        self, hold_max: float = HOLD_MAX, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.hold_max = hold_max
        self._clock = clock
        self._cond = threading.Condition()
        self._claims = 0
        self._since = 0.0  # when the claims now open began

    def claim(self) -> None:
        """The UI starts something the user waits for."""
        with self._cond:
            now = self._clock()
            if self._claims and now - self._since > self.hold_max:
                self._claims = 0  # claims never released (or a key held down): start over
            if not self._claims:
                self._since = now
            self._claims += 1

    def release(self) -> None:
        """It is on screen."""
        with self._cond:
            self._claims = max(0, self._claims - 1)
            if not self._claims:
                self._cond.notify_all()

    def wait(self) -> None:
        """From a load's thread: return once no claim is open, or HOLD_MAX after the
        open claims began."""
        if not self._claims:  # the usual case, without the lock
            return
        with self._cond:
            while self._claims:
                left = self._since + self.hold_max - self._clock()
                if left <= 0:
                    return
                self._cond.wait(left)
