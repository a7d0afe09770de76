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
    """A thread-safe counter of one phase's steps, told through the progress callback. A
    `quiet` one (the details read in the walk's gaps) counts without telling until
    `start`: the structure phase is the one shown meanwhile."""

    def __init__(
        self, fn: ProgressFn, phase: str, total: int | None, *, quiet: bool = False
    ) -> None:
        self.fn, self.phase, self.total, self.done = fn, phase, total, 0
        self.quiet = quiet
        self._lock = threading.Lock()
        if not quiet:
            fn(phase, 0, total)

    def start(self, total: int) -> None:
        """Tell from now on: the phase from 0, then what was done while quiet."""
        with self._lock:
            self.total = total + (self.total or 0)  # steps may have been added meanwhile
            self.quiet = False
            done = self.done
        self.fn(self.phase, 0, self.total)
        if done:
            self.fn(self.phase, done, self.total)

    def step(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            done = self.done
            if self.quiet:
                return
        self.fn(self.phase, done, self.total)
