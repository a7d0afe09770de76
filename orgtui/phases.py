"""The load's phases and how their progress is told: the words per phase, the callback's
type, and a thread-safe counter that reports through it. Shared by the loaders in `aws/`,
the one load path (`loading`), the report's progress bar and the UI's header."""

from __future__ import annotations

import threading
from collections.abc import Callable

# (phase, done, total or None), called from worker threads while a phase runs.
ProgressFn = Callable[[str, int, "int | None"], None]
PHASES = {
    "structure": "Reading OUs and accounts",
    "details": "Reading tags, policies, delegation",
    "impact": "Reading what breaks (StackSets, Identity Center, RAM, SCPs)",
}


class Tracker:
    """A thread-safe counter of one phase's steps, told through the progress callback."""

    def __init__(self, fn: ProgressFn, phase: str, total: int | None) -> None:
        self.fn, self.phase, self.total, self.done = fn, phase, total, 0
        self._lock = threading.Lock()
        fn(phase, 0, total)

    def step(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            done = self.done
        self.fn(self.phase, done, self.total)
