"""Progress of a load on stderr (rich), shown only when stderr is a terminal.

When AWS throttles, the bar says so ("slowed by AWS throttling, retrying"), read live from
the session's call stats at every refresh, so that a slow load does not look stuck.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.text import Text

from orgtui.loading import PHASES, ProgressFn


def throttle_note(throttled: int) -> str:
    """What to say while AWS throttles the load: slowed, not stuck."""
    if not throttled:
        return ""
    return f"slowed by AWS throttling, retrying ({throttled})"


class ThrottleColumn(ProgressColumn):
    """The throttle note, read from `stats.throttled` at each refresh."""

    def __init__(self, stats: Any) -> None:
        super().__init__()
        self.stats = stats

    def render(self, task: Task) -> Text:
        return Text(throttle_note(int(getattr(self.stats, "throttled", 0))), style="yellow",
                    no_wrap=True, overflow="ellipsis")


@contextmanager
def stderr_progress(err: TextIO, stats: Any = None) -> Iterator[ProgressFn]:
    """A progress callback drawing on `err` (a no-op unless it is a terminal).

    `stats` (the session's CallStats) adds the throttle note.
    """
    if not err.isatty():
        yield lambda phase, done, total: None
        return
    console = Console(file=err)
    columns: list[ProgressColumn] = [
        SpinnerColumn(), TextColumn("{task.description}", markup=False),
        BarColumn(bar_width=40 if stats is None else 20), MofNCompleteColumn()]
    if stats is not None:
        columns.append(ThrottleColumn(stats))
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}
        shown_throttles = [0]

        def update(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)
            throttled = int(getattr(stats, "throttled", 0))
            if throttled != shown_throttles[0]:
                # Draw now rather than at the next timed refresh: a short throttled
                # load could otherwise end before the note was ever shown.
                shown_throttles[0] = throttled
                bar.refresh()

        yield update
