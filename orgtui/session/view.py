"""What the screen shows of one snapshot, computed once: verdicts, OU counts, search index.

Plain Python (no textual import), built in the loading worker so the UI thread never runs
the readiness rules. Everything the tree labels, the filter and the detail pane read comes
from here; a new snapshot means a new `OrgView`, an account removed means
`view.without_account(id)` (incremental, no recomputation of the other accounts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from orgtui.model import DEFAULT_DESTINATION, Assessment, Destination, Snapshot, Verdict
from orgtui.rules import Reassess, assess, assess_all
from orgtui.session.search import SearchIndex

VERDICTS: tuple[Verdict, ...] = ("blocked", "review", "ready")


READING_BADGE = "reading"  # the verdict column while an account's details are being read


def verdict_word(verdict: str, complete: bool = True, reading: bool = False) -> str:
    """The verdict word; `reading` while the details are still being read (a cold start:
    no account may look ready before its tags, delegation and policies are known), a `?`
    when they were read but incomplete and the verdict may change. Blocked stays blocked
    either way: what the structure alone blocks never goes back."""
    if verdict == "blocked":
        return verdict
    if reading:
        return READING_BADGE
    return verdict if complete else f"{verdict}?"


@dataclass(frozen=True)
class NodeRef:
    """What a line of the tree (or a row of the table) stands for."""

    kind: Literal["root", "ou", "account"]
    id: str


@dataclass
class Counts:
    """How many accounts sit below a root or OU (at any depth), per verdict."""

    total: int = 0
    blocked: int = 0
    review: int = 0
    ready: int = 0

    def add(self, verdict: str, n: int = 1) -> None:
        self.total += n
        setattr(self, verdict, getattr(self, verdict) + n)


@dataclass(frozen=True)
class _Assessed:
    """A snapshot's assessments for one destination, with what follows from them."""

    assessments: dict[str, Assessment]
    verdicts: dict[str, str]
    counts: dict[str, Counts]
    index: SearchIndex | None


class OrgView:
    """A snapshot with its assessments, per-container counts and search index."""

    def __init__(
        self,
        snapshot: Snapshot,
        now: datetime,
        assessments: dict[str, Assessment] | None = None,
        *,
        reading: bool = False,
        destination: Destination = DEFAULT_DESTINATION,
    ) -> None:
        self.snapshot = snapshot
        self.now = now
        self.destination: Destination = destination  # what the verdicts are for
        # The structure alone, its details on the way (not failed): badges say `reading`.
        self.reading = reading and not snapshot.enriched
        self.assessments: dict[str, Assessment] = (
            assessments if assessments is not None else assess_all(snapshot, now, destination)
        )
        self.verdicts: dict[str, str] = {a: s.verdict for a, s in self.assessments.items()}
        self._chains: dict[str, tuple[str, ...]] = {}
        # Counted per parent, then passed up each parent's chain: one step per account
        # and one per container above a parent, not one per account and container.
        per_parent: dict[str, dict[str, int]] = {}
        verdicts = self.verdicts
        for acc in snapshot.accounts.values():
            tally = per_parent.setdefault(acc.parent_id, {})
            verdict = verdicts[acc.id]
            tally[verdict] = tally.get(verdict, 0) + 1
        self.counts: dict[str, Counts] = {}
        for parent, tally in per_parent.items():
            for container in self.chain_of(parent):
                counts = self.counts.setdefault(container, Counts())
                for verdict, n in tally.items():
                    counts.add(verdict, n)
        # The filter's index, built when first asked (`index`): not before the first
        # frame (0.3 s of the first paint from the cache at 50,000 accounts).
        self._index: SearchIndex | None = None
        self._last_search: tuple[str, list[str]] = ("", [])
        self.scanned = 0
        self.table_model: object = None  # the account table's (`TableModel.of`)
        # What this snapshot was assessed to for each destination so far (`x` cycles
        # through them), shared by those views: going back to one costs nothing. It holds
        # no view, so a view holds no reference cycle.
        self._per_destination: dict[str, _Assessed] = {}

    # --- facts ------------------------------------------------------------------------

    @property
    def index(self) -> SearchIndex:
        """The filter's index of this view (built at the first ask; the app's load
        worker asks for it once the view is on screen)."""
        if self._index is None:
            self._index = SearchIndex.build(self.snapshot, self.assessments, self.containers_of)
        return self._index

    @property
    def complete(self) -> bool:
        """True when enrichment ran and nothing failed: verdicts are final."""
        return self.snapshot.enriched and not self.snapshot.problems

    def verdict(self, account_id: str) -> str:
        return self.verdicts.get(account_id, "ready")

    def badge(self, account_id: str) -> str:
        """The verdict word as badges show it (`reading` while the details are on the way,
        `ready?` when they are missing)."""
        return verdict_word(self.verdict(account_id), self.complete, self.reading)

    def counts_of(self, container_id: str) -> Counts:
        return self.counts.get(container_id, Counts())

    def chain_of(self, container_id: str) -> tuple[str, ...]:
        """A root or OU and every container above it (memoised)."""
        chain = self._chains.get(container_id)
        if chain is None:
            parent = self.snapshot.parent_of(container_id)
            above = self.chain_of(parent) if parent and parent != container_id else ()
            chain = (container_id, *above)
            self._chains[container_id] = chain
        return chain

    def containers_of(self, account_id: str) -> tuple[str, ...]:
        """The account's parent and every container above it, nearest first."""
        acc = self.snapshot.accounts.get(account_id)
        return self.chain_of(acc.parent_id) if acc else ()

    def match_counts(self, account_ids: Iterable[str]) -> dict[str, int]:
        """How many of these accounts are under each root and OU (a filter's labels)."""
        counts: dict[str, int] = {}
        for account_id in account_ids:
            for container in self.containers_of(account_id):
                counts[container] = counts.get(container, 0) + 1
        return counts

    def search(self, query: str) -> list[str]:
        """Matching account ids. Typing on narrows: when the query only extends the last
        one (see `SearchIndex.narrows`), every match is among the last matches, so only
        those are scanned."""
        query = query.lower().strip()
        last_query, last = self._last_search
        narrowing = self.index.narrows(last_query, query)
        found = self.index.match(query, within=last if narrowing else None, reading=self.reading)
        self._last_search = (query, found)
        # How many accounts this search looked at (tests guard the narrowing with it).
        self.scanned = len(last) if narrowing else len(self.index.text)
        return found

    # --- changes ----------------------------------------------------------------------

    def _changed(self, snapshot: Snapshot, reading: bool, copy: bool = True) -> OrgView:
        """A copy for `snapshot` that the caller adjusts: assessments, verdicts and
        counts copied (so they can change), no search or table state carried over. With
        `copy` false, they are shared: for a caller that replaces them all."""
        new = OrgView.__new__(OrgView)
        new.snapshot = snapshot
        new.now = self.now
        new.destination = self.destination
        new.reading = reading
        new._index = None  # the caller's to set (or built when first asked)
        new.assessments = dict(self.assessments) if copy else self.assessments
        new.verdicts = dict(self.verdicts) if copy else self.verdicts
        new._chains = dict(self._chains)
        new._last_search = ("", [])
        new.scanned = 0
        new.table_model = None
        new._per_destination = {}
        new.counts = (
            {k: Counts(c.total, c.blocked, c.review, c.ready) for k, c in self.counts.items()}
            if copy
            else self.counts
        )
        return new

    def without_account(self, account_id: str) -> OrgView:
        """The view after an account left: counts and index adjusted, nothing recomputed."""
        if account_id not in self.snapshot.accounts:
            return self
        containers = self.containers_of(account_id)
        verdict = self.verdicts[account_id]
        new = self._changed(self.snapshot.without_account(account_id), self.reading)
        del new.assessments[account_id], new.verdicts[account_id]
        for container in containers:
            new.counts[container].add(verdict, -1)
        new._index = self._index.without(account_id) if self._index is not None else None
        return new

    def with_changes(
        self, snapshot: Snapshot, account_ids: Iterable[str], now: datetime | None = None
    ) -> OrgView:
        """The view of `snapshot`, which differs from this view's only in the details of
        these accounts (an attestation's tag, a deregistration): their assessments, the
        counts above them and their search entries are redone, nothing else. `now`, the
        time of the change, judges them (an attestation written after midnight is not in
        the future)."""
        ids = [a for a in snapshot.known(account_ids) if a in self.snapshot.accounts]
        new = self._changed(snapshot, self.reading and not snapshot.enriched)
        new.now = max(now, self.now) if now is not None else self.now
        for account_id in ids:
            new._assessed(
                account_id,
                assess(snapshot.accounts[account_id], snapshot, new.now, self.destination),
            )
        new._index = (
            self._index.updated(snapshot, new.assessments, new.containers_of, ids)
            if self._index is not None
            else None
        )
        return new

    def with_moves(
        self, snapshot: Snapshot, account_ids: Iterable[str], now: datetime | None = None
    ) -> OrgView:
        """The view of `snapshot`, where these accounts moved to another parent (and
        nothing else changed): the counts leave their old OUs and reach the new ones, and
        their assessments are redone (the policies they inherit follow the OU)."""
        ids = [a for a in snapshot.known(account_ids) if a in self.snapshot.accounts]
        new = self._changed(snapshot, self.reading and not snapshot.enriched)
        new.now = max(now, self.now) if now is not None else self.now
        for account_id in ids:  # out of the old containers, with the old verdict
            for container in self.containers_of(account_id):
                new.counts[container].add(self.verdicts[account_id], -1)
        for account_id in ids:  # into the new ones, with the verdict as it is there
            found = assess(snapshot.accounts[account_id], snapshot, new.now, self.destination)
            new.assessments[account_id] = found
            new.verdicts[account_id] = found.verdict
            for container in new.containers_of(account_id):
                new.counts.setdefault(container, Counts()).add(found.verdict)
        new._index = (
            self._index.updated(snapshot, new.assessments, new.containers_of, ids)
            if self._index is not None
            else None
        )
        return new

    def with_destination(self, destination: Destination) -> OrgView:
        """The same snapshot assessed for another destination. Only the rules that differ
        between the two run (`Reassess`); counts and search entries are redone for the
        accounts whose assessment changed, nothing else. A destination assessed before
        for this snapshot is not assessed again (its view is kept)."""
        shared = self._per_destination
        shared.setdefault(
            self.destination, _Assessed(self.assessments, self.verdicts, self.counts, self._index)
        )
        known = shared.get(destination)
        new = self._changed(self.snapshot, self.reading, copy=known is None)
        new.destination = destination
        new._per_destination = shared
        if known is not None:  # no copy: a view's own dicts are never changed in place
            new.assessments, new.verdicts = known.assessments, known.verdicts
            new.counts, new._index = known.counts, known.index
            return new
        reassess = Reassess(self.destination, destination)
        snapshot, now = self.snapshot, self.now
        changed = []
        for account_id, found in self.assessments.items():
            after = reassess(found, snapshot.accounts[account_id], snapshot, now)
            if after is not found:
                new._assessed(account_id, after)
                changed.append(account_id)
        new._index = (
            self._index.reassessed(new.assessments, changed) if self._index is not None else None
        )
        shared[destination] = _Assessed(new.assessments, new.verdicts, new.counts, new._index)
        return new

    def _assessed(self, account_id: str, found: Assessment) -> None:
        """Put an account's new assessment in (a copy being made): its verdict, and the
        counts above it when the verdict changed."""
        before, after = self.verdicts[account_id], found.verdict
        self.assessments[account_id] = found
        self.verdicts[account_id] = after
        if before != after:
            for container in self.containers_of(account_id):
                self.counts[container].add(before, -1)
                self.counts[container].add(after)


def summary(view: OrgView, ids: Iterable[str] | None = None) -> Counts:
    """Verdict counts over some accounts (all of them by default)."""
    total = Counts()
    for acc_id in view.snapshot.accounts if ids is None else ids:
        total.add(view.verdict(acc_id))
    return total
