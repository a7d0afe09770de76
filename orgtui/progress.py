"""Progress of a load on stderr (rich), shown only when stderr is a terminal.

Under the bars, a status line read live at every refresh: how many requests the limiter
lets AWS have in flight (`concurrency 8`: the level `--concurrency auto` found), and when
AWS throttles, that it does ("slowed by AWS throttling, retrying"), so that a slow load
does not look stuck. It has a line of its own so that an 80-column terminal shows it
whole beside the phases' names.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
)
from rich.table import Column
from rich.text import Text

from orgtui.phases import PHASES, ProgressFn


def throttle_note(throttled: int) -> str:
    """What to say while AWS throttles the load: slowed, not stuck."""
    if not throttled:
        return ""
    return f"slowed by AWS throttling, retrying ({throttled})"


def status_note(concurrency: int | None, throttled: int) -> str:
    """The end of a bar's line: the level in flight, and the throttle note."""
    parts = [f"concurrency {concurrency}" if concurrency else "", throttle_note(throttled)]
    return " · ".join(p for p in parts if p)


class _WithStatus(Progress):
    """The bars, and under them the status line."""

    def __init__(self, *columns: ProgressColumn, ctx: Any, **kwargs: Any) -> None:
        self.ctx = ctx  # before Progress draws a first time
        super().__init__(*columns, **kwargs)

    def get_renderables(self) -> Iterator[RenderableType]:
        yield self.make_tasks_table(self.tasks)
        if self.ctx is not None:
            throttled = _throttled(self.ctx)
            yield Text(
                "  " + status_note(getattr(self.ctx, "concurrency", None), throttled),
                style="yellow" if throttled else "dim",
                no_wrap=True,
                overflow="ellipsis",
            )


def _throttled(ctx: Any) -> int:
    return int(getattr(getattr(ctx, "stats", None), "throttled", 0))


@contextmanager
def stderr_progress(err: TextIO, ctx: Any = None) -> Iterator[ProgressFn]:
    """A progress callback drawing on `err` (a no-op unless it is a terminal).

    `ctx` (the session's AwsContext) adds the status: concurrency and throttling.
    """
    if not err.isatty():
        yield lambda phase, done, total: None
        return
    console = Console(file=err)
    columns: list[ProgressColumn] = [
        SpinnerColumn(),
        TextColumn(
            "{task.description}",
            markup=False,
            table_column=Column(no_wrap=True, overflow="ellipsis"),
        ),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
    ]
    with _WithStatus(*columns, ctx=ctx, console=console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}
        shown = [(0, 0)]

        def update(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)
            now = (_throttled(ctx), getattr(ctx, "concurrency", 0))
            if now != shown[0]:
                # Draw now rather than at the next timed refresh: a short throttled
                # load could otherwise end before the note was ever shown.
                shown[0] = now
                bar.refresh()

        yield update
