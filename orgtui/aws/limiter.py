"""An AIMD concurrency limiter: fewer requests in flight when AWS throttles, more when not.

Organizations throttles both request rate and concurrent requests. botocore's retry mode
backs off each request; this limiter also lowers how many run at once (halving on a
throttle, at most once per cool-down) and raises it again by one per window of successes.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType


class AdaptiveLimiter:
    def __init__(self, maximum: int, *, cooldown: float = 1.0) -> None:
        self.maximum = max(1, maximum)
        self.limit: float = float(self.maximum)
        self.in_flight = 0
        self.peak_in_flight = 0
        self.decreases = 0
        self._cooldown = cooldown
        self._last_decrease = 0.0
        self._cond = threading.Condition()

    @property
    def current(self) -> int:
        return max(1, int(self.limit))

    def acquire(self) -> None:
        with self._cond:
            while self.in_flight >= self.current:
                self._cond.wait()
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

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
        """Multiplicative decrease, once per cool-down so one burst counts once."""
        with self._cond:
            now = time.monotonic()
            if now - self._last_decrease < self._cooldown:
                return
            self._last_decrease = now
            self.limit = max(1.0, self.limit / 2)
            self.decreases += 1

    def on_success(self) -> None:
        """Additive increase: about +1 after `limit` successes in a row."""
        with self._cond:
            if self.limit < self.maximum:
                self.limit = min(float(self.maximum), self.limit + 1.0 / self.limit)
                self._cond.notify_all()
