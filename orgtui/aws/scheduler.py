"""How a load's requests are run: on a bounded thread pool, with the limiter deciding how
many are on the wire (`aws/limiter.py`). `aws/loader.py` decides what to read; here, in
what order and on which threads.

- `run_jobs`: jobs on a pool, a job may return more jobs; the first error stops it all.
- `Pipeline`: a whole load's walk and details on one pool, the walk first and the details
  in its gaps (issue 34).
"""

from __future__ import annotations

import functools
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from orgtui.aws.limiter import AdaptiveLimiter

# Threads beyond the limiter's maximum (see Loader.workers).
SPARE_WORKERS = 4


def run_jobs(jobs: Iterable[Callable[[], Any]], *, workers: int, window: int) -> None:
    """Run jobs on a pool of `workers` threads; a job may return more jobs (run before the
    rest). The first error wins, at once: jobs not started are dropped, and jobs in flight
    are not waited for (each ends by itself within one request's timeout), so a dead
    endpoint or ctrl+c stops the load now rather than after every request in flight
    gave up.

    At most `window` jobs are in the pool at a time, the rest wait here as plain
    callables: a pool future costs seven objects the garbage collector tracks
    (future, work item, condition, lock, ...), and 10,000 tag reads queued at once
    kept 70,000 of them alive through the whole load, for every full collection to
    scan (benchmarks/RESULTS.md). Each finished job is handed over through a queue,
    once: `wait()` on the pending set would look at every pending future each time
    one finishes (quadratic: tens of CPU seconds at 10,000 accounts)."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="orgtui")
    finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
    more: deque[Callable[[], Any]] = deque()  # jobs returned by jobs
    source = iter(jobs)
    outstanding = 0
    failed = False

    def fill() -> None:
        nonlocal outstanding
        while outstanding < window:
            job = more.popleft() if more else next(source, None)
            if job is None:
                return
            pool.submit(job).add_done_callback(finished.put)
            outstanding += 1

    try:
        fill()
        while outstanding:
            fut = finished.get()
            outstanding -= 1
            more.extend(fut.result() or ())
            fill()
    except BaseException:
        failed = True
        raise
    finally:
        pool.shutdown(wait=not failed, cancel_futures=True)


class Pipeline:
    """One pool for a whole load's requests: the walk's jobs first, the details' in its
    gaps (issue 34: a walk that waits on parents not yet listed left the server's
    capacity unused, and the details all came after it).

    Walk jobs (`walk`) are handed to the pool as soon as they are known, up to `window`;
    their threads are `urgent` at the limiter, so a walk request takes the next free
    slot. Detail jobs (`gap` callables, and `tags` account ids made into jobs as they are
    taken) are kept to what the limiter allows in flight and a few more, so that a walk
    job always finds a thread free. A walk error stops everything at once and is raised
    by `walk_done`; a detail error stops the details only and is raised by `all_done`
    (after the structure, as without the pipeline). Jobs in flight are never waited for
    after an error (each ends within one request's timeout)."""

    def __init__(
        self,
        limiter: AdaptiveLimiter,
        tags_of: Callable[[str], Any],
        *,
        workers: int,
        window: int,
    ) -> None:
        self.limiter = limiter
        self.tags_of = tags_of  # the job that reads one account's tags
        self.window = window
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="orgtui")
        self._cond = threading.Condition()
        self._walk: deque[Callable[[], Any]] = deque()
        self._gaps: deque[Callable[[], Any]] = deque()
        self._tags: deque[str] = deque()  # account ids whose tags are still to read
        self._walk_running = 0
        self._gap_running = 0
        self.walk_error: BaseException | None = None
        self.gap_error: BaseException | None = None
        self._closed = False  # every detail job is known (`close`)

    # --- feeding ------------------------------------------------------------------------

    def walk(self, jobs: Iterable[Callable[[], Any]]) -> None:
        with self._cond:
            self._walk.extend(jobs)
            self._fill()

    def gap(self, jobs: Iterable[Callable[[], Any]] = (), tags: Iterable[str] = ()) -> None:
        with self._cond:
            self._gaps.extend(jobs)
            self._tags.extend(tags)
            self._fill()

    def close(self) -> None:
        """No detail job is added after this one: `all_done` may return once they ran."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # --- waiting --------------------------------------------------------------------------

    def walk_done(self) -> None:
        with self._cond:
            while self.walk_error is None and (self._walk or self._walk_running):
                self._cond.wait()
            if self.walk_error is not None:
                self.stop()
                raise self.walk_error

    def all_done(self) -> None:
        try:
            with self._cond:
                while (
                    self.gap_error is None
                    and self.walk_error is None
                    and not (
                        self._closed
                        and not (self._walk or self._walk_running)
                        and not (self._gaps or self._tags or self._gap_running)
                    )
                ):
                    self._cond.wait()
                error = self.walk_error or self.gap_error
            if error is not None:
                raise error
        finally:
            self.stop()

    def stop(self) -> None:
        """Drop what was not started; do not wait for what is in flight."""
        with self._cond:
            self._walk.clear()
            self._gaps.clear()
            self._tags.clear()
        self.pool.shutdown(wait=False, cancel_futures=True)

    # --- running ----------------------------------------------------------------------------

    def _fill(self) -> None:
        """Under the lock: hand the pool what it may take now."""
        if self.walk_error is not None:
            return
        while self._walk and self._walk_running < self.window:
            self._submit(self._walk.popleft(), urgent=True)
        room = self.limiter.current + SPARE_WORKERS
        while self.gap_error is None and self._gap_running < room and (self._gaps or self._tags):
            job = (
                self._gaps.popleft()
                if self._gaps
                else functools.partial(self.tags_of, self._tags.popleft())
            )
            self._submit(job, urgent=False)

    def _submit(self, job: Callable[[], Any], *, urgent: bool) -> None:
        if urgent:
            self._walk_running += 1
        else:
            self._gap_running += 1
        try:
            self.pool.submit(self._run_one, job, urgent)
        except RuntimeError:  # the pool was shut down (an error, meanwhile): dropped
            if urgent:
                self._walk_running -= 1
            else:
                self._gap_running -= 1

    def _run_one(self, job: Callable[[], Any], urgent: bool) -> None:
        limiter = self.limiter
        limiter.urgent(urgent)
        more: Iterable[Callable[[], Any]] = ()
        error: BaseException | None = None
        try:
            more = job() or ()
        except BaseException as exc:  # handed to the waiting thread, raised there
            error = exc
        finally:
            limiter.urgent(False)
        with self._cond:
            if urgent:
                self._walk_running -= 1
                if error is not None and self.walk_error is None:
                    self.walk_error = error
                else:
                    self._walk.extend(more)
            else:
                self._gap_running -= 1
                if error is not None and self.gap_error is None:
                    self.gap_error = error
                else:
                    self._gaps.extend(more)
            self._fill()
            self._cond.notify_all()
