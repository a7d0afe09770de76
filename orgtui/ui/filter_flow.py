"""The filter's search, kept off the UI thread so keys stay quick at 10,000 accounts.

Typing in the filter only restarts a short timer (`DELAY`): the search runs once typing
pauses, in a thread worker (group "filter", exclusive), and its result comes back as a
`FilterSearched` message. Every search carries a generation number: a result for an older
query, or for a view that is no longer on screen, is dropped. The worker also counts the
matches under each root and OU (`FilterResult.counts`), so the UI thread never walks
10,000 matches to label the tree. Enter, escape and `set_filter` apply at once.

`FilterFlow` belongs to the main screen; tests wait for it with `settled()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from orgtui.session.view import OrgView

DELAY = 0.06  # seconds of no typing before the search runs


@dataclass(frozen=True)
class FilterResult:
    """The matches of one query on one view."""

    generation: int
    view: OrgView
    query: str  # stripped; empty: no filter
    found: list[str] | None  # matching ids in the snapshot's order; None: no filter
    counts: dict[str, int] = field(default_factory=dict)  # matches under each container

    @property
    def matches(self) -> set[str] | None:
        return None if self.found is None else set(self.found)


def search(view: OrgView, query: str, generation: int = 0) -> FilterResult:
    """Run a query on a view and count its matches per container (any thread)."""
    query = query.strip()
    if not query:
        return FilterResult(generation, view, "", None)
    found = view.search(query)
    return FilterResult(generation, view, query, found, view.match_counts(found))


@dataclass
class FilterSearched(Message):
    """A search finished in the worker (posted to the main screen)."""

    result: FilterResult


class FilterFlow:
    """When the filter's search runs, where, and which result is applied."""

    def __init__(
        self,
        screen: Screen[Any],
        view: Callable[[], OrgView | None],
        query: Callable[[], str],
        apply: Callable[[FilterResult], None],
    ) -> None:
        # The screen's timers, workers and messages; what it shows and its filter's text
        # are asked, and a result is handed back to it (`apply`): nothing here writes the
        # screen's state.
        self.screen = screen
        self.view, self.query, self.apply = view, query, apply
        self.generation = 0  # of the latest search asked for
        self.applied = 0  # the generation on screen
        self._timer: Timer | None = None

    @property
    def pending(self) -> bool:
        """A search is waiting for typing to pause, or running."""
        return self._timer is not None or self.applied != self.generation

    def typed(self) -> None:
        """A key changed the query: search once typing pauses."""
        self._stop_timer()
        self._timer = self.screen.set_timer(DELAY, self.start)

    def start(self) -> None:
        """Search now, in the worker (the result is applied when it lands)."""
        self._timer = None
        view = self.view()
        if view is None:
            return
        self.generation += 1
        generation, query = self.generation, self.query()
        if not query.strip():  # no search to run: apply at once
            self._apply(search(view, "", generation))
            return
        self.screen.run_worker(
            lambda: self._run(view, query, generation),
            thread=True,
            exclusive=True,
            group="filter",
            exit_on_error=False,
        )

    def now(self) -> None:
        """Search and apply on the UI thread, at once (enter, escape, a jump, a new view
        whose structure changed)."""
        self._stop_timer()
        view = self.view()
        if view is None:
            return
        self.generation += 1
        self._apply(search(view, self.query(), self.generation))

    def landed(self, result: FilterResult) -> None:
        """A worker's result, on the UI thread: applied unless something newer was asked."""
        if result.generation != self.generation:
            return
        if result.view is not self.view():  # the view changed meanwhile: search it
            self.start()
            return
        self._apply(result)

    def settled(self) -> bool:
        """Nothing is waiting: what the filter shows is the query's result (for tests
        and the benchmark)."""
        return not self.pending

    # --- inside ---------------------------------------------------------------------

    def _run(self, view: OrgView, query: str, generation: int) -> None:
        result = search(view, query, generation)
        self.screen.post_message(FilterSearched(result))

    def _apply(self, result: FilterResult) -> None:
        self.applied = result.generation
        self.apply(result)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
