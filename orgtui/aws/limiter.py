"""An AIMD concurrency limiter: fewer requests in flight when AWS throttles, more when not.

Organizations throttles both request rate and concurrent requests ("another request is
already in progress"). botocore's retry mode backs off each request; this limiter also
lowers how many requests are in flight at once:

- on a throttle it halves the limit, once per window: a throttle of a request that was
  sent before the last decrease says nothing new (that burst was already answered), so a
  burst of throttled requests counts once, however fast it arrives;
- it remembers how many requests were in flight when the throttle came (the *ceiling*) and,
  after success, climbs back quickly (about +1 per `limit` successes, as TCP does per
  round trip) to just under that ceiling;
- above it, it only probes: +1 per `probe_interval` seconds without a throttle, so a cap
  that was lifted is found again, without hitting a known cap over and over.

`--concurrency auto` (the default) starts at AUTO_START and moves between 1 and AUTO_MAX;
`--concurrency N` fixes the ceiling at N. Measured against botocore's adaptive mode and no
limiter in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

AUTO_START = 8
AUTO_MAX = 32


class AdaptiveLimiter:
    def __init__(self, maximum: int, *, start: int | None = None,
                 probe_interval: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.maximum = max(1, maximum)
        # Where the search starts (`--concurrency auto`: 8); it climbs from there while
        # AWS answers, and halves when it throttles.
        self.limit: float = float(min(self.maximum, max(1, start or self.maximum)))
        self.in_flight = 0
        self.peak_in_flight = 0
        self.decreases = 0
        self.increases = 0  # probes above the ceiling
        # In flight when the last throttle came; None until the first one.
        self.ceiling: int | None = None
        self.probe_interval = probe_interval
        self._clock = clock
        self._last_change = clock()
        self._epoch = 0  # bumped by each decrease
        self._local = threading.local()
        self._cond = threading.Condition()

    @property
    def current(self) -> int:
        """Requests allowed in flight now."""
        return max(1, int(self.limit))

    @property
    def safe(self) -> int:
        """The level the limit climbs back to quickly: just under the last ceiling."""
        if self.ceiling is None:
            return self.maximum
        return max(1, min(self.maximum, self.ceiling - 1))

    def acquire(self) -> None:
        with self._cond:
            while self.in_flight >= self.current:
                self._cond.wait()
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self._local.epoch = self._epoch

    def release(self) -> None:
        with self._cond:
            self.in_flight -= 1
            self._cond.notify()

    def __enter__(self) -> AdaptiveLimiter:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def on_throttle(self) -> None:
        """Multiplicative decrease, once per window.

        Called from the thread whose request was throttled (botocore's needs-retry hook);
        a request sent before the last decrease is ignored.
        """
        with self._cond:
            sent_in = getattr(self._local, "epoch", None)
            if sent_in is not None and sent_in != self._epoch:
                return
            self._epoch += 1
            self.ceiling = max(1, self.in_flight)
            self.limit = max(1.0, self.limit / 2)
            self.decreases += 1
            self._last_change = self._clock()

    def on_success(self) -> None:
        """Additive increase: quickly back up to just under the ceiling, then probe."""
        with self._cond:
            if self.limit >= self.maximum:
                return
            safe = self.safe
            if self.limit < safe:
                self.limit = min(float(safe), self.limit + 1.0 / self.limit)
            else:
                now = self._clock()
                if now - self._last_change < self.probe_interval:
                    return
                self._last_change = now
                self.limit = min(float(self.maximum), float(int(self.limit) + 1))
                self.ceiling = int(self.limit) + 1
                self.increases += 1
            self._cond.notify_all()
