"""Where the session's load stands: which load is current, how far it has read, and why
the picture on screen may be old or incomplete; and `LoadState`, what the header's third
line is told. Textual-free: the app drives it from its load worker's messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orgtui.model import Destination
from orgtui.session.view import Counts, OrgView, summary


@dataclass(frozen=True)
class LoadState:
    """What the third line reports."""

    loading: bool = True
    reloading: bool = False  # a load after the first one (ctrl+r)
    phase: str = "structure"
    done: int = 0
    total: int | None = None
    stale_at: datetime | None = None  # painted from the cache loaded at this time
    unreachable: str | None = None  # why the cached picture could not be read afresh
    incomplete: str | None = None  # why verdicts may be wrong
    counts: Counts | None = None  # verdict totals, once known
    # The impact checks not made: their names, and the same with why, in words.
    unchecked: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    reading: bool = False  # the structure is on screen, its details still being read
    destination: str = ""  # what the verdicts are for ("" before the session says)


@dataclass
class LoadStatus:
    """The session's loads, one after another (start-up, ctrl+r): a stage that arrives for
    a load no longer current (`generation`) is ignored."""

    generation: int = 0
    loading: bool = False
    loaded: bool = False  # the last load finished (details read, or failed)
    first_load_done: bool = False  # a later load is a reload
    unreachable: str | None = None  # why the cached picture could not be renewed
    stale_at: datetime | None = None  # painted from the cache, loaded at
    incomplete: str | None = None  # why the details are missing, if they are
    had_structure: bool = False  # some load read the structure
    progress: tuple[str, int, int | None] | None = None  # phase, done, total

    def start(self) -> int:
        """A new load: its generation."""
        self.generation += 1
        self.loading = True
        self.loaded = False
        self.progress = None
        return self.generation

    def is_current(self, generation: int) -> bool:
        return generation == self.generation

    def structure_read(self) -> None:
        self.had_structure = True
        if self.progress is None or self.progress[0] == "structure":
            self.progress = ("details", 0, None)  # what is being read now

    def details_read(self) -> None:
        """The whole organization is read: nothing on screen is stale or missing."""
        self.stale_at = None
        self.unreachable = None
        self.incomplete = None
        self.finish()

    def finish(self) -> None:
        self.loading = False
        self.loaded = True
        self.first_load_done = True
        self.progress = None

    def state(self, view: OrgView | None, destination: Destination) -> LoadState:
        """What the header says about the data: loading, stale, incomplete, or totals."""
        phase, done, total = self.progress or ("structure", 0, None)
        incomplete = None
        if view is not None and (self.incomplete or view.snapshot.problems):
            incomplete = self.incomplete or "; ".join(view.snapshot.problems)
        impact = view.snapshot.impact if view is not None and view.snapshot.enriched else None
        return LoadState(
            loading=self.loading,
            reloading=self.loading and self.first_load_done,
            phase=phase,
            done=done,
            total=total,
            stale_at=self.stale_at,
            unreachable=self.unreachable if self.stale_at is not None else None,
            incomplete=incomplete,
            # Once loaded (while loading, the progress shows: no count at every step).
            counts=summary(view) if view is not None and not self.loading else None,
            unchecked=impact.unchecked if impact else (),
            skipped=tuple(impact.skipped_words()) if impact else (),
            reading=view is not None and view.reading,
            destination=destination,
        )
