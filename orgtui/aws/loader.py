"""Read an organization into a `Snapshot`: structure first, then enrichment.

Structure: DescribeOrganization, GetCallerIdentity, ListRoots, then a concurrent
top-down walk (ListOrganizationalUnitsForParent and ListAccountsForParent per parent).
Enrichment, in as few calls as the API allows: ListDelegatedAdministrators once and
ListDelegatedServicesForAccount per administrator; ListTagsForResource per account;
ListPolicies per enabled policy type and ListTargetsForPolicy per policy (never one
policy call per account). Every list call follows NextToken to the end.

In a whole load (`load()`, or `Loader(..., early=True)` as loading.stages makes it) the
details are read in the walk's gaps (`_Pipeline`): each parent's children are listed as
soon as the parent is known, and its requests take the next free slot before any other;
whatever slot the walk leaves free meanwhile (waiting on parents not yet listed) reads the
tags of accounts already found, ListAccounts, delegation and policies. The structure stage
is still the walk's result alone; `enrich` then waits for the rest.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from orgtui import ids
from orgtui.aws import details
from orgtui.aws.codes import is_denied
from orgtui.aws.details import PAGE
from orgtui.aws.session import AwsContext
from orgtui.errors import OrgtuiError
from orgtui.model import (
    Account,
    Caller,
    Organization,
    OrgUnit,
    Root,
    Snapshot,
    frozen_map,
    required,
)
from orgtui.phases import ProgressFn, Tracker

T = TypeVar("T")

# Threads beyond the limiter's maximum (see Loader.workers).
SPARE_WORKERS = 4
# AWS nests OUs at most five levels below the root; far deeper means a broken endpoint.
MAX_DEPTH = 16


def _done(value: T) -> Future[T]:
    """A future already holding `value` (what was asked in order, not in a pool)."""
    future: Future[T] = Future()
    future.set_result(value)
    return future


def _bad_tree(parent: str, again: str | None) -> OrgtuiError:
    what = (
        f"OU {again} was listed again under {parent}: the organization's OU listing has a cycle"
        if again
        else f"the OUs below {parent} nest deeper than {MAX_DEPTH} levels"
    )
    return OrgtuiError(
        f"The endpoint's answer can't be a real organization: {what}.",
        "Check --endpoint-url and any proxy between you and AWS, then try again.",
        code="MalformedAnswer",
    )


def incomplete(what: str) -> OrgtuiError:
    """The organization the endpoint answered is missing a part it must have."""
    return OrgtuiError(
        f"The endpoint answered an incomplete organization: {what}.",
        "Check --endpoint-url and any proxy between you and AWS, then try again "
        "(an account created or removed during the load also shows this: load again).",
        code="IncompleteAnswer",
    )


def check_complete(snap: Snapshot, listed: Iterable[str]) -> None:
    """Every account ListAccounts names is in the OU tree, and no other: a listing that
    lost pages (a proxy's error page read as an empty one) must not pass for a smaller
    organization."""
    listed = set(listed)
    in_tree = set(snap.accounts)
    if listed == in_tree:
        return
    missing = sorted(listed - in_tree)
    extra = sorted(in_tree - listed)
    parts = [f"ListAccounts lists {len(listed):,} accounts, the OU tree holds {len(in_tree):,}"]
    if missing:
        parts.append(
            f"not in the tree: {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}"
        )
    if extra:
        parts.append(
            f"not in ListAccounts: {', '.join(extra[:5])}{' ...' if len(extra) > 5 else ''}"
        )
    raise incomplete("; ".join(parts))


def _tree_order(
    roots: list[Root],
    ous: dict[str, OrgUnit],
    accounts: dict[str, Account],
    child_ous: dict[str, tuple[str, ...]],
    child_accounts: dict[str, tuple[str, ...]],
) -> tuple[dict[str, OrgUnit], dict[str, Account]]:
    """OUs and accounts in tree order (each parent's OUs, depth first, then its accounts,
    as AWS lists them): the walk's jobs finish in any order, and reports and the removal
    dialog must list them in the same order on every run."""
    tree_ous: dict[str, OrgUnit] = {}
    tree_accounts: dict[str, Account] = {}

    def visit(parent: str) -> None:
        for ou_id in child_ous.get(parent, ()):
            if ou_id in ous and ou_id not in tree_ous:
                tree_ous[ou_id] = ous[ou_id]
                visit(ou_id)
        for acc_id in child_accounts.get(parent, ()):
            tree_accounts.setdefault(acc_id, accounts[acc_id])

    for root in roots:
        visit(root.id)
    tree_ous.update((k, v) for k, v in ous.items() if k not in tree_ous)
    tree_accounts.update((k, v) for k, v in accounts.items() if k not in tree_accounts)
    return tree_ous, tree_accounts


def page_ceiling(accounts: int, ous: int) -> int:
    """Pages any one listing may take once the organization's size is known: ten times
    what listing every account and OU at the smallest page would take, and a margin for
    the listings of other services (assignments, stack instances)."""
    return 10 * ((accounts + ous) // PAGE + 1) + 100


def _noop(phase: str, done: int, total: int | None) -> None:
    pass


class _Pipeline:
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

    def __init__(self, loader: Loader, found: details.Details) -> None:
        self.ctx = loader.ctx
        self.found = found
        self.window = loader.window
        self.pool = ThreadPoolExecutor(max_workers=loader.workers, thread_name_prefix="orgtui")
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
        room = self.ctx.limiter.current + SPARE_WORKERS
        while self.gap_error is None and self._gap_running < room and (self._gaps or self._tags):
            job = (
                self._gaps.popleft()
                if self._gaps
                else functools.partial(self.found.tags_of, self._tags.popleft())
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
        limiter = self.ctx.limiter
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


class Loader:
    def __init__(
        self,
        ctx: AwsContext,
        progress: ProgressFn | None = None,
        *,
        early: bool = False,
        only: Iterable[str] | None = None,
    ) -> None:
        """`early`: read the details in the structure walk's gaps (`_Pipeline`), for a
        load that will `enrich` next, of every account or of `only` (a report on a few)."""
        self.ctx = ctx
        self.progress = progress or _noop
        self.early = early
        self.only = None if only is None else list(only)
        self._pipeline: _Pipeline | None = None
        self._found: details.Details | None = None
        # A thread per request the limiter may allow in flight, and a few more: a slot is
        # held only while a request is on the wire, so while one thread signs or parses,
        # another has its request ready for the next free slot. The limiter decides how
        # many are in flight.
        self.workers = ctx.limiter.maximum + SPARE_WORKERS

    @property
    def window(self) -> int:
        """Jobs in the pool at once (`_run`): enough that no thread waits for work."""
        return 2 * self.workers

    # --- public ----------------------------------------------------------------------

    def load(self) -> Snapshot:
        self.early = True
        return self.enrich(self.load_structure(), only=self.only)

    def read_impact(self, snap: Snapshot) -> Snapshot:
        """Add the impact checks (what breaks when an account leaves), after `enrich`.

        Never raises for AWS: a check that can't be made is skipped with its reason. The
        regions come from the session options (settings `impact_regions`,
        `identity_center_region`).
        """
        return self._impact(snap)

    def enrich_and_read_impact(self, snap: Snapshot, only: Iterable[str] | None = None) -> Snapshot:
        """`enrich`, then `read_impact`, in the time of one: the impact checks that need
        only the structure run while the details are read (a load's tail is then the SCP
        check alone, not the whole impact read). An error of `enrich` is raised."""
        return self._impact(snap, details=lambda: self.enrich(snap, only=only))

    def _impact(
        self,
        snap: Snapshot,
        details: Callable[[], Snapshot] | None = None,
    ) -> Snapshot:
        from orgtui.aws.impact import read_impact

        options = self.ctx.options
        return read_impact(
            self.ctx,
            snap,
            options.impact_regions,
            options.identity_center_region,
            progress=self.progress,
            details=details,
        )

    def load_structure(self) -> Snapshot:
        # ListRoots starts the walk: it goes out first, and the walk starts as soon as it
        # is answered. Who the caller is and what the organization is depend on nothing;
        # they are asked alongside and waited for after the walk (the tree never waits
        # for the slower of the three). With one request in flight at a time, nothing is
        # gained: DescribeOrganization, then ListRoots, in that order.
        together = self.ctx.limiter.maximum > 1
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="orgtui") as pool:
            f_roots = pool.submit(self._roots) if together else None
            f_org = pool.submit(self._organization) if together else _done(self._organization())
            f_caller = pool.submit(self._caller)
            try:
                roots = f_roots.result() if f_roots is not None else self._roots()
            except ClientError as exc:
                # DescribeOrganization's own failure, if any, speaks first (as in order).
                org, caller = f_org.result(), f_caller.result()
                if caller.account != org.management_account_id and is_denied(exc):
                    return self._member_snapshot(org, caller)
                raise
            for known in (f_org, f_caller):  # a failure already known: no walk for nothing
                if known.done():
                    known.result()
            pipeline = self._start_details(roots, f_org) if self.early and together else None
            try:
                ous, accounts, child_ous, child_accounts = self._walk(roots, pipeline)
                org, caller = f_org.result(), f_caller.result()
            except BaseException:
                if pipeline is not None:
                    pipeline.stop()
                raise
        if org.management_account_id and org.management_account_id not in accounts:
            if self._pipeline is not None:
                self._pipeline.stop()
            raise incomplete(
                f"the management account {org.management_account_id} (DescribeOrganization) "
                "is not under any root"
            )
        self.ctx.page_ceiling = page_ceiling(len(accounts), len(ous))
        if self._pipeline is not None and self._found is not None:
            self._pipeline.gap([self._found.every_account])
            self._pipeline.close()  # every account is known: its tags are queued
        return Snapshot(
            organization=org,
            caller=caller,
            roots=tuple(roots),
            ous=frozen_map(ous),
            accounts=frozen_map(accounts),
            child_ous=frozen_map(child_ous),
            child_accounts=frozen_map(child_accounts),
            loaded_at=datetime.now(timezone.utc),
        )

    def _start_details(self, roots: list[Root], f_org: Future[Organization]) -> _Pipeline:
        """The pipeline that reads the details in the walk's gaps: delegation and
        ListAccounts now, the policies once DescribeOrganization says the feature set (a
        gap job waits for it, holding no slot), tags as the walk finds accounts."""
        found = details.Details(self.ctx, Tracker(self.progress, "details", 0, quiet=True))
        pipeline = _Pipeline(self, found)

        def policies() -> list[details.Job]:
            types = details.policy_types(roots, f_org.result().feature_set)
            return [functools.partial(found.policies_of_type, t) for t in types]

        # ListAccounts comes after the walk (`load_structure`): its page ceiling is the
        # organization's size, which only the walk tells.
        pipeline.gap([found.delegated_admins, policies])
        self._pipeline, self._found = pipeline, found
        return pipeline

    def enrich(self, snap: Snapshot, only: Iterable[str] | None = None) -> Snapshot:
        """Add tags, delegated administrators and policies (`orgtui.aws.details`).

        `only` limits the per-account calls (tags) to those accounts, for a report on a
        few accounts of a large organization.
        """
        pipeline, found, self._pipeline, self._found = self._pipeline, self._found, None, None
        if snap.member_mode:
            return replace(snap, enriched=True)
        types = details.policy_types(snap.roots, snap.organization.feature_set)
        tag_ids = list(only) if only is not None else list(snap.accounts)
        if (
            pipeline is not None
            and found is not None
            and self.only == (None if only is None else list(only))
        ):
            # Read in the walk's gaps, and the rest now: the progress starts where they are.
            found.tracker.start(len(tag_ids) + 2 + len(types))
            pipeline.all_done()
        else:
            if pipeline is not None:
                pipeline.stop()  # it read other accounts than these: not used
            found = details.Details(
                self.ctx, Tracker(self.progress, "details", len(tag_ids) + 2 + len(types))
            )
            self._run(details.jobs(found, types, tag_ids))
        check_complete(snap, found.listed)
        return found.into(snap)

    # --- structure -------------------------------------------------------------------

    def _organization(self) -> Organization:
        return Organization.from_api(
            required(
                self.ctx.call(self.ctx.org.describe_organization),
                "Organization",
                "DescribeOrganization",
            )
        )

    def _caller(self) -> Caller:
        return Caller.from_api(self.ctx.call(self.ctx.sts.get_caller_identity))

    def _roots(self) -> list[Root]:
        return [
            Root(
                id=ids.checked("root", required(r, "Id", "ListRoots"), "ListRoots"),
                name=str(r.get("Name") or "Root"),
                arn=str(r.get("Arn") or ""),
                policy_types=tuple(
                    (str(p.get("Type")), str(p.get("Status"))) for p in r.get("PolicyTypes") or []
                ),
            )
            for r in self.ctx.pages("list_roots", "Roots", MaxResults=PAGE)
        ]

    def _walk(
        self, roots: list[Root], pipeline: _Pipeline | None = None
    ) -> tuple[
        dict[str, OrgUnit],
        dict[str, Account],
        dict[str, tuple[str, ...]],
        dict[str, tuple[str, ...]],
    ]:
        ous: dict[str, OrgUnit] = {}
        accounts: dict[str, Account] = {}
        child_ous: dict[str, tuple[str, ...]] = {}
        child_accounts: dict[str, tuple[str, ...]] = {}
        lock = threading.Lock()
        tracker = Tracker(self.progress, "structure", None)

        where = "ListOrganizationalUnitsForParent"
        seen = {root.id for root in roots}
        only = None if self.only is None else set(self.only)

        def list_ous(parent: str, depth: int) -> list[Callable[[], Any]]:
            items = self.ctx.pages(
                "list_organizational_units_for_parent",
                "OrganizationalUnits",
                ParentId=parent,
                MaxResults=PAGE,
            )
            found = [ids.checked("ou", required(o, "Id", where), where) for o in items]
            with lock:
                # Each OU has one parent: an OU met twice (under itself, an ancestor or
                # another parent) would make the walk endless.
                again = next((o for i, o in enumerate(found) if o in seen or o in found[:i]), None)
                if again is not None or depth > MAX_DEPTH:
                    raise _bad_tree(parent, again)
                seen.update(found)
                child_ous[parent] = tuple(found)
                for ou_id, o in zip(found, items, strict=True):
                    ous[ou_id] = OrgUnit(
                        ou_id, str(o.get("Name") or ou_id), str(o.get("Arn") or ""), parent
                    )
            return [job for ou_id in found for job in parent_jobs(ou_id, depth + 1)]

        def list_accounts(parent: str) -> None:
            items = self.ctx.pages(
                "list_accounts_for_parent", "Accounts", ParentId=parent, MaxResults=PAGE
            )
            with lock:
                child_accounts[parent] = tuple(a["Id"] for a in items)
                for a in items:
                    accounts[a["Id"]] = Account.from_api(a, parent)
            tracker.step(len(items))
            if pipeline is not None:  # their tags, in the walk's gaps
                wanted = child_accounts[parent]
                pipeline.gap(tags=wanted if only is None else [a for a in wanted if a in only])

        def parent_jobs(parent: str, depth: int) -> list[Callable[[], Any]]:
            return [lambda: list_ous(parent, depth), lambda: list_accounts(parent)]

        first = [job for root in roots for job in parent_jobs(root.id, 1)]
        if pipeline is None:
            self._run(first)
        else:
            pipeline.walk(first)
            pipeline.walk_done()
        tree_ous, tree_accounts = _tree_order(roots, ous, accounts, child_ous, child_accounts)
        return tree_ous, tree_accounts, child_ous, child_accounts

    def _member_snapshot(self, org: Organization, caller: Caller) -> Snapshot:
        """What a member account can see: the organization and its own account."""
        pseudo_root = Root(id=org.id, name=f"Organization {org.id}", arn=org.arn)
        try:
            raw = self.ctx.call(self.ctx.org.describe_account, AccountId=caller.account)
            account = Account.from_api(raw["Account"], pseudo_root.id)
        except ClientError:
            # Members usually may not DescribeAccount; what is known is that the caller
            # signed in, so the account is active.
            account = Account(
                id=caller.account,
                name="This account",
                email="",
                arn="",
                state="ACTIVE",
                joined_method="UNKNOWN",
                joined_timestamp=None,
                parent_id=pseudo_root.id,
            )
        return Snapshot(
            organization=org,
            caller=caller,
            roots=(pseudo_root,),
            ous=frozen_map(),
            accounts=frozen_map({account.id: account}),
            child_ous=frozen_map({pseudo_root.id: ()}),
            child_accounts=frozen_map({pseudo_root.id: (account.id,)}),
            loaded_at=datetime.now(timezone.utc),
            member_mode=True,
        )

    # --- execution -------------------------------------------------------------------

    def _run(self, jobs: Iterable[Callable[[], Any]]) -> None:
        """Run jobs on a bounded pool; a job may return more jobs (run before the rest).
        The first error wins, at once: jobs not started are dropped, and jobs in flight
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
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="orgtui")
        finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
        more: deque[Callable[[], Any]] = deque()  # jobs returned by jobs
        source = iter(jobs)
        window = self.window
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
