"""The live re-check: what AWS says right now decides every write, never the view or a cache.

Before a removal, a leave, an attestation or a deregistration, orgtui re-reads what it
decides on: the organization (DescribeOrganization: which account is the management
account), the caller (GetCallerIdentity), and for each account DescribeAccount, its
delegated services and its tags; the refusals AWS gave before come from the audit log.
The readiness rules then run on that live picture. A cache that was tampered with, or a
view that is hours old, can change what is shown but never what is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timezone

from botocore.exceptions import ClientError

from orgtui import files
from orgtui.aws.codes import DENIED, error_code
from orgtui.aws.errors import translate
from orgtui.aws.session import AwsContext
from orgtui.errors import OrgtuiError
from orgtui.model import (
    DEFAULT_DESTINATION,
    Account,
    Caller,
    Destination,
    Organization,
    Snapshot,
    frozen_map,
    required,
)
from orgtui.rules import assess
from orgtui.write_model import LiveCheck, updated_snapshot


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
    # The view's verdict for the same destination: "the live check changed it" must compare
    # like with like (a transfer has no STANDALONE_UNVERIFIED).
    stale_verdict = assess(known, snap, now, destination).verdict if known else None

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
