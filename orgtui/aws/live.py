"""The live re-check: what AWS says right now decides every write, never the view or a cache.

Before a removal, a leave, an attestation or a deregistration, orgtui re-reads what it
decides on: the organization (DescribeOrganization: which account is the management
account), the caller (GetCallerIdentity), and for each account DescribeAccount, its
delegated services and its tags; the refusals AWS gave before come from the audit log.
The readiness rules then run on that live picture. A cache that was tampered with, or a
view that is hours old, can change what is shown but never what is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from botocore.exceptions import ClientError

from orgtui import files
from orgtui.aws.codes import DENIED, error_code
from orgtui.aws.errors import translate
from orgtui.aws.session import AwsContext
from orgtui.aws.writes import Outcome
from orgtui.errors import OrgtuiError
from orgtui.model import (
    DEFAULT_DESTINATION,
    Account,
    Assessment,
    Caller,
    Destination,
    Organization,
    Snapshot,
    Verdict,
    frozen_map,
    required,
)
from orgtui.rules import assess


@dataclass(frozen=True)
class LiveCheck:
    """What AWS says about an account right now, assessed by the readiness rules.

    `snapshot` is the view updated with the live organization, caller, account, tags and
    delegated services; `assessment` is computed on it and decides the write. `gone`
    means AWS no longer knows the account in this organization. `error` means the check
    could not be completed: the write is then refused, since a stale view must not decide
    it. `problems` lists parts a member caller could not read (tags, delegation).
    """

    account_id: str
    account: Account | None
    snapshot: Snapshot
    assessment: Assessment | None
    tags: Mapping[str, str] = field(default_factory=dict)
    delegated: tuple[str, ...] = ()
    gone: bool = False
    error: OrgtuiError | None = None
    problems: tuple[str, ...] = ()
    stale_verdict: Verdict | None = None

    @property
    def verdict(self) -> Verdict | None:
        return self.assessment.verdict if self.assessment else None

    @property
    def blocked(self) -> bool:
        """True when the removal must not be attempted."""
        return self.gone or self.error is not None or self.verdict in (None, "blocked")

    @property
    def changed(self) -> bool:
        """The live verdict differs from the one the (stale) view showed."""
        return self.stale_verdict is not None and self.verdict != self.stale_verdict

    @property
    def tags_complete(self) -> bool:
        return not any("tags" in p for p in self.problems)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def live_organization(ctx: AwsContext, snap: Snapshot) -> Snapshot:
    """The snapshot with the organization and the caller as AWS gives them now, and the
    refusals the audit log holds for this organization. Raises OrgtuiError when the
    credentials now reach another organization or another caller than the view shows."""
    org = Organization.from_api(
        required(ctx.call(ctx.org.describe_organization), "Organization", "DescribeOrganization")
    )
    caller = Caller.from_api(ctx.call(ctx.sts.get_caller_identity))
    if org.id != snap.organization.id:
        raise OrgtuiError(
            f"The credentials now reach organization {org.id}, not {snap.organization.id} "
            "as the view shows.",
            "Reload (ctrl+r) to see the organization these credentials reach.",
            code="OrganizationChanged",
        )
    if caller.account != snap.caller.account:
        raise OrgtuiError(
            f"The credentials are now those of account {caller.account}, not "
            f"{snap.caller.account} as the view was read with.",
            "Reload (ctrl+r) to see what these credentials may do.",
            code="CallerChanged",
        )
    return replace(
        snap, organization=org, caller=caller, refusals=frozen_map(files.read_refusals(org.id))
    )


def check_account(
    ctx: AwsContext,
    snap: Snapshot,
    account_id: str,
    now: datetime | None = None,
    *,
    fresh: bool = False,
    destination: Destination = DEFAULT_DESTINATION,
) -> LiveCheck:
    """Re-read one account live and assess it again. Never raises for AWS errors: a
    failure to read ends in `LiveCheck.error` (the write is then refused).

    `fresh` says `snap` already holds the live organization and caller
    (`live_organization`), as `check_accounts` does once for many accounts. A member
    caller may not read its own details, tags or delegation (AccessDeniedException): what
    the snapshot knows is used, and the gap is recorded in `problems`.
    """
    now = _now(now)
    known = snap.accounts.get(account_id)
    stale_verdict = assess(known, snap, now).verdict if known else None

    def fail(exc: BaseException) -> LiveCheck:
        return LiveCheck(
            account_id,
            known,
            snap,
            None,
            error=translate(exc, profile=ctx.profile),
            stale_verdict=stale_verdict,
        )

    def gone() -> LiveCheck:
        return LiveCheck(account_id, known, snap, None, gone=True, stale_verdict=stale_verdict)

    try:
        if not fresh:
            snap = live_organization(ctx, snap)
        reader = _Reader(ctx, snap, account_id, known)
        account = reader.account()
        delegated = reader.delegated()
        tags = reader.tags()
    except _Gone:
        return gone()
    except Exception as exc:  # network, read-only guard, credentials, a changed org
        return fail(exc)
    live = updated_snapshot(snap, account, tags, delegated)
    return LiveCheck(
        account_id,
        account,
        live,
        assess(account, live, now, destination),
        tags=tags,
        delegated=delegated,
        problems=tuple(reader.problems),
        stale_verdict=stale_verdict,
    )


class _Gone(Exception):
    """AWS no longer knows the account in this organization."""


class _Reader:
    """The three reads of one account, each tolerating what a member may not read."""

    def __init__(
        self, ctx: AwsContext, snap: Snapshot, account_id: str, known: Account | None
    ) -> None:
        self.ctx, self.snap, self.account_id, self.known = ctx, snap, account_id, known
        self.tolerate_denied = not snap.is_management_caller
        self.problems: list[str] = []

    def account(self) -> Account:
        parent_id = (
            self.known.parent_id
            if self.known
            else (self.snap.roots[0].id if self.snap.roots else "")
        )
        try:
            raw = self.ctx.call(self.ctx.org.describe_account, AccountId=self.account_id)
            return Account.from_api(required(raw, "Account", "DescribeAccount"), parent_id)
        except ClientError as exc:
            code = error_code(exc)
            if code == "AccountNotFoundException":
                raise _Gone() from None
            if code in DENIED and self.tolerate_denied and self.known is not None:
                self.problems.append(
                    "account details could not be read live (a member account may not call "
                    "DescribeAccount); the last known details are used"
                )
                return self.known
            raise

    def delegated(self) -> tuple[str, ...]:
        try:
            items = self.ctx.pages(
                "list_delegated_services_for_account",
                "DelegatedServices",
                AccountId=self.account_id,
            )
            return tuple(
                str(required(s, "ServicePrincipal", "ListDelegatedServicesForAccount"))
                for s in items
            )
        except ClientError as exc:
            code = error_code(exc)
            if code == "AccountNotRegisteredException":
                return ()
            if code == "AccountNotFoundException":
                raise _Gone() from None
            if code in DENIED and self.tolerate_denied:
                self.problems.append(
                    "delegated-administrator roles could not be read (management account "
                    "only); AWS refuses the call if there are any"
                )
                return self.snap.delegated_services_of(self.account_id)
            raise

    def tags(self) -> dict[str, str]:
        try:
            items = self.ctx.pages("list_tags_for_resource", "Tags", ResourceId=self.account_id)
            return {
                str(required(t, "Key", "ListTagsForResource")): str(t.get("Value") or "")
                for t in items
            }
        except ClientError as exc:
            code = error_code(exc)
            if code in DENIED and self.tolerate_denied:
                self.problems.append(
                    "tags could not be read (management account only); the "
                    "backup holds the tags last known"
                )
                return dict(self.snap.tags_of(self.account_id))
            if code in ("AccountNotFoundException", "TargetNotFoundException"):
                raise _Gone() from None
            raise


def refused_by_check(account_id: str, name: str, check: LiveCheck, verb: str) -> Outcome:
    """The outcome of a write the live check did not allow."""
    if check.error is not None:
        err = check.error
        return Outcome(
            account_id,
            name,
            "refused",
            f"Not {verb}: the live re-check failed. {err.what}",
            err.fix,
            code=err.code,
            reason=err.reason,
            request_id=err.request_id,
            check=check,
            error=err,
        )
    assert check.assessment is not None
    blockers = check.assessment.blockers
    what = f"Not {verb}: " + " ".join(f.message for f in blockers)
    fix = " ".join(f.fix for f in blockers)
    codes = ",".join(f.code for f in blockers)
    return Outcome(account_id, name, "refused", what, fix, code=codes, check=check)


def updated_snapshot(
    snap: Snapshot, account: Account, tags: Mapping[str, str], delegated: tuple[str, ...]
) -> Snapshot:
    """The snapshot with one account's live details, tags and delegated services."""
    accounts = dict(snap.accounts)
    accounts[account.id] = account
    all_tags = dict(snap.tags)
    if tags:
        all_tags[account.id] = frozen_map(tags)
    else:
        all_tags.pop(account.id, None)
    all_delegated = dict(snap.delegated)
    if delegated:
        all_delegated[account.id] = delegated
    else:
        all_delegated.pop(account.id, None)
    return replace(
        snap,
        accounts=frozen_map(accounts),
        tags=frozen_map(all_tags),
        delegated=frozen_map(all_delegated),
    )


def check_accounts(
    ctx: AwsContext,
    snap: Snapshot,
    account_ids: Iterable[str],
    now: datetime | None = None,
    *,
    destination: Destination = DEFAULT_DESTINATION,
) -> dict[str, LiveCheck]:
    """Live checks for several accounts, one after the other; the organization and the
    caller are read once for all of them."""
    ids = list(account_ids)
    try:
        snap = live_organization(ctx, snap)
    except Exception as exc:
        error = translate(exc, profile=ctx.profile)
        return {a: LiveCheck(a, snap.accounts.get(a), snap, None, error=error) for a in ids}
    return {a: check_account(ctx, snap, a, now, fresh=True, destination=destination) for a in ids}
