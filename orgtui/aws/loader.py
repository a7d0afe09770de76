"""Read an organization into a `Snapshot`: structure first, then enrichment.

Structure: DescribeOrganization, GetCallerIdentity, ListRoots, then a concurrent
top-down walk (ListOrganizationalUnitsForParent and ListAccountsForParent per parent).
Enrichment, in as few calls as the API allows: ListDelegatedAdministrators once and
ListDelegatedServicesForAccount per administrator; ListTagsForResource per account;
ListPolicies per enabled policy type and ListTargetsForPolicy per policy (never one
policy call per account). Every list call follows NextToken to the end.

In a whole load (`load()`, or `Loader(..., early=True)` as loading.stages makes it) the
details are read in the walk's gaps (`scheduler.Pipeline`): each parent's children are listed as
soon as the parent is known, and its requests take the next free slot before any other;
whatever slot the walk leaves free meanwhile (waiting on parents not yet listed) reads the
tags of accounts already found, ListAccounts, delegation and policies. The structure stage
is still the walk's result alone; `enrich` then waits for the rest.
"""

from __future__ import annotations

import functools
import threading
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
from orgtui.aws.scheduler import SPARE_WORKERS, Pipeline, run_jobs
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


class Loader:
    def __init__(
        self,
        ctx: AwsContext,
        progress: ProgressFn | None = None,
        *,
        early: bool = False,
        only: Iterable[str] | None = None,
    ) -> None:
        """`early`: read the details in the structure walk's gaps (`scheduler.Pipeline`), for a
        load that will `enrich` next, of every account or of `only` (a report on a few)."""
        self.ctx = ctx
        self.progress = progress or _noop
        self.early = early
        self.only = None if only is None else list(only)
        self._pipeline: Pipeline | None = None
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

    def _start_details(self, roots: list[Root], f_org: Future[Organization]) -> Pipeline:
        """The pipeline that reads the details in the walk's gaps: delegation and
        ListAccounts now, the policies once DescribeOrganization says the feature set (a
        gap job waits for it, holding no slot), tags as the walk finds accounts."""
        found = details.Details(self.ctx, Tracker(self.progress, "details", 0, quiet=True))
        pipeline = Pipeline(
            self.ctx.limiter, found.tags_of, workers=self.workers, window=self.window
        )

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
        self, roots: list[Root], pipeline: Pipeline | None = None
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
        run_jobs(jobs, workers=self.workers, window=self.window)
