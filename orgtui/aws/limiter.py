"""An AIMD concurrency limiter: fewer requests in flight when AWS throttles, more when not.

A slot is held while a request is *on the wire* (AwsContext takes it just before botocore
sends an attempt and gives it back as soon as the answer is read, before parsing), so the
count here is the count AWS sees, not that plus the client's own serializing and parsing.

Organizations throttles both request rate and concurrent requests ("another request is
already in progress"). botocore's retry mode backs off each request; this limiter also
lowers how many requests are in flight at once:

- a throttle for requests in progress (`concurrent=True`) says how many AWS allows: fewer
  than were in flight (the *cap*). The limit goes straight to just under that level,
  whenever such an answer comes (halving would leave half the allowed requests unused
  until the limit climbed back). The level is the larger of the requests in flight when
  the request was sent (`sent`) and when its answer came: a burst refused under a low cap
  is answered with fewer and fewer in flight, and the limit follows the lowest at once;
- the cap is *learned* from what such a throttle proves: AWS refused while at most the
  *peak* of requests were in flight (the most this limiter held while the refused request
  was on the wire; the count AWS saw is never higher), so it allows fewer than the peak.
  Held for the rest of the session, never probed past (AWS's cap on requests in flight is
  a property of the API, not of the moment; each probe above it would cost a throttled
  request, issue 34), and the limit climbs back to just under it. Not the level: a
  request taken as the 8th can reach AWS after one taken as the 9th (threads take turns),
  be refused as the 9th, and be answered with 8 in flight; a cap learned from that level
  (8, held at 7) would leave one allowed request unused for the whole load;
- before the cap is known, the limit climbs one step per round trip while requests wait:
  +1 once `limit` requests sent at the current limit have been answered. So it meets the
  cap one step above it (one throttled request), not several steps above with a burst of
  throttles still on the wire;
- any other throttle (a rate) halves the limit, once per window: a throttle of a request
  that was sent before the last decrease says nothing new (that burst was already
  answered), so a burst of throttled requests counts once, however fast it arrives;
- after a rate throttle the limit climbs back quickly (about +1 per `limit` successes, as
  TCP does per round trip) to just under the level throttled;
- at or above that, it only probes: +1 after `probe_interval` seconds without a throttle,
  so a rate limit that was lifted is found again; each probe that is throttled doubles the
  wait before the next one (up to `max_probe_interval`);
- it grows only while requests wait for a slot: a limit that is not used says nothing
  about AWS, and a probe while the work is thinning out (the end of a phase) would risk a
  throttle, and its backoff, on a request that everything else waits for.

`--concurrency auto` (the default) starts at AUTO_START and moves between 1 and AUTO_MAX;
`--concurrency N` fixes the ceiling at N. Measured in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

AUTO_START = 8
AUTO_MAX = 32
# Seconds at the known ceiling before trying one more request in flight; doubled after
# each probe that was throttled, up to MAX_PROBE_INTERVAL.
PROBE_INTERVAL = 2.0
MAX_PROBE_INTERVAL = 32.0


class _Held:
    """A slot held: the most requests in flight since it was taken (compared by identity)."""

    __slots__ = ("peak",)

    def __init__(self, peak: int) -> None:
        self.peak = peak


class AdaptiveLimiter:
    def __init__(
        self,
        maximum: int,
        *,
        start: int | None = None,
        probe_interval: float = PROBE_INTERVAL,
        max_probe_interval: float = MAX_PROBE_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.maximum = max(1, maximum)
        # Where the search starts (`--concurrency auto`: 8); it climbs from there while
        # AWS answers, and comes down when it throttles.
        self.limit: float = float(min(self.maximum, max(1, start or self.maximum)))
        self.in_flight = 0
        self.waiting = 0  # threads blocked in acquire: demand beyond the limit
        # Of those, threads whose request others wait for (the structure walk's, `urgent`):
        # they take the next free slot before any other.
        self.urgent_waiting = 0
        self.peak_in_flight = 0
        self.decreases = 0
        self.increases = 0  # probes above the ceiling
        # In flight when the last throttle came; None until the first one.
        self.ceiling: int | None = None
        # The cap on requests in flight, learned from a throttle for requests in progress
        # (the lowest peak such a throttle came at: AWS allows fewer); None until one
        # came. Held: no probe goes above it.
        self.cap: int | None = None
        # Every slot held, with the most requests in flight since it was taken (raised by
        # every later `acquire`); a thread's own are also in its `_local.held`, in order.
        self._holders: set[_Held] = set()
        # Before anything is known: successes of requests sent at the current limit, and
        # the limit's generation (bumped by each step of the first climb).
        self._fresh = 0
        self._generation = 0
        self.base_probe_interval = probe_interval
        self.probe_interval = probe_interval  # the wait now (doubles after failed probes)
        self.max_probe_interval = max(probe_interval, max_probe_interval)
        self._probing = False  # the limit is above the last known safe level
        self._clock = clock
        self._last_change = clock()
        self._epoch = 0  # bumped by each decrease
        self._local = threading.local()
        self._cond = threading.Condition()

    @property
    def current(self) -> int:
        """Requests allowed in flight now (what the progress line and the UI show)."""
        return max(1, int(self.limit))

    @property
    def safe(self) -> int:
        """The level the limit climbs back to quickly: just under the last ceiling (the
        learned cap's level, once known)."""
        if self.cap is not None:
            return max(1, min(self.maximum, self.cap - 1))
        if self.ceiling is None:
            return self.maximum
        return max(1, min(self.maximum, self.ceiling - 1))

    def acquire(self) -> int:
        """Take a slot (waiting for one). Returns how many requests are in flight now,
        this one included: the level it was sent at (`on_throttle`'s `sent`)."""
        urgent = getattr(self._local, "urgent", False)
        with self._cond:
            self.waiting += 1
            self.urgent_waiting += urgent
            try:
                while self.in_flight >= self.current or (not urgent and self.urgent_waiting):
                    self._cond.wait()
            finally:
                self.waiting -= 1
                self.urgent_waiting -= urgent
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            level = self.in_flight
            for held in self._holders:
                if held.peak < level:
                    held.peak = level
            mine = _Held(level)
            self._holders.add(mine)
            self._local.__dict__.setdefault("held", []).append(mine)
            self._local.epoch = self._epoch
            self._local.generation = self._generation
            return self.in_flight

    def release(self) -> int:
        """Give a slot back (from the thread that took it). Returns how many requests were
        in flight, this one included: for a throttled answer, the level at which AWS
        answered (`on_throttle`); the peak while it was held is kept for `on_throttle`."""
        with self._cond:
            level = self.in_flight
            self.in_flight -= 1
            mine = self._local.__dict__.get("held")
            if mine:
                held = mine.pop()
                self._holders.discard(held)
                self._local.peak = held.peak
            if self.urgent_waiting:  # wake them all: the one woken must be the urgent one
                self._cond.notify_all()
            else:
                self._cond.notify()
            return level

    def urgent(self, on: bool) -> None:
        """Mark this thread's requests as ones other requests wait for (the structure
        walk: each parent's children can be listed only once the parent is): they go
        before requests nothing waits for (tags read in the walk's gaps)."""
        self._local.urgent = on

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

    def on_throttle(
        self, level: int | None = None, *, concurrent: bool = False, sent: int = 0
    ) -> None:
        """A throttled answer, from the thread whose request it was.

        `level`: requests in flight when the answer came, this one included (default: in
        flight now); `sent`: when it was sent (`acquire`'s answer). `concurrent`: AWS
        refused because of the requests in progress, so the limit goes to just under the
        larger of the two, and the cap is learned from the peak while the request was on
        the wire (this thread's last `release`); else it halves, once per window (a
        request sent before the last decrease is ignored).
        """
        with self._cond:
            level = max(1, self.in_flight if level is None else level, sent)
            peak = max(level, getattr(self._local, "peak", 0))
            self._local.peak = 0  # one throttle's: never read again for another
            if concurrent:
                self._under(level)
                self.cap = peak if self.cap is None else min(self.cap, peak)
                return
            sent_in = getattr(self._local, "epoch", None)
            if sent_in is not None and sent_in != self._epoch:
                return
            self._decrease(max(1.0, self.limit / 2), level)

    def _under(self, level: int) -> None:
        """Just under `level`, whenever the answer was sent: the count is absolute, so a
        burst of such answers can't compound the way halvings do."""
        target = float(max(1, level - 1))
        if target < self.limit:
            self._decrease(target, level)
        elif self.ceiling is None or level < self.ceiling:
            self.ceiling = level
            self._last_change = self._clock()

    def _decrease(self, limit: float, ceiling: int) -> None:
        if self._probing:  # the probe found the cap where it was: wait longer next time
            self._probing = False
            self.probe_interval = min(self.max_probe_interval, self.probe_interval * 2)
        self._epoch += 1
        self.ceiling = ceiling
        self.limit = limit
        self.decreases += 1
        self._last_change = self._clock()

    def on_success(self) -> None:
        """Additive increase while requests wait for a slot: before anything is known,
        one step per round trip; after a rate throttle, quickly back up to just under it,
        then probe; under a learned cap, up to just under it, and no further."""
        with self._cond:
            if self.limit >= self.maximum or not self.waiting:
                return
            safe = self.safe
            if self.ceiling is None:  # the first climb: +1 per round trip at this limit
                if getattr(self._local, "generation", self._generation) == self._generation:
                    self._fresh += 1
                if self._fresh >= self.current:
                    self._fresh = 0
                    self._generation += 1
                    self.limit = min(float(self.maximum), float(self.current + 1))
            elif self.limit < safe:
                self.limit = min(float(safe), self.limit + 1.0 / self.limit)
            elif self.cap is not None:  # the cap on requests in flight is held
                return
            else:
                now = self._clock()
                if now - self._last_change < self.probe_interval:
                    return
                if self._probing:  # the last probe held: probe at the usual pace again
                    self.probe_interval = self.base_probe_interval
                self._last_change = now
                self.limit = min(float(self.maximum), float(int(self.limit) + 1))
                self.ceiling = int(self.limit) + 1
                self._probing = True
                self.increases += 1
            self._cond.notify_all()
