"""Progress of a load on stderr (rich), shown only when stderr is a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

PHASES = {"structure": "Reading OUs and accounts", "details": "Reading tags, policies, delegation"}

ProgressFn = Callable[[str, int, "int | None"], None]


@contextmanager
def stderr_progress(err: TextIO) -> Iterator[ProgressFn]:
    if not err.isatty():
        yield lambda phase, done, total: None
        return
    console = Console(file=err)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  MofNCompleteColumn(), console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield update
