"""Inviting accounts into this organization (InviteAccountToOrganization), with their tags:
the target organization's side of a direct transfer (DESIGN.md "Destinations").

The plan (`aws/invite_plan.py`, pure) decides before any call what each invitation carries
and what orgtui refuses. Here `invite_many` / `invite_one` send it: they re-check live (the
organization and caller are the view's; DescribeAccount must answer
AccountNotFoundException: the account is not a member; ListHandshakesForOrganization, read
once per batch and kept up to date with the invitations sent, must hold no open
invitation for it), then send the invitation through `writes.perform` (audit line
`invite-started` whole on disk first, the outcome after, refused in audit mode by the
read-only guard). A batch stops at the first refusal that concerns the whole organization
(a daily invitation limit, the account quota, an unverified management email), like a
bulk close at its quota.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from orgtui.aws.codes import UNCERTAIN, error_code
from orgtui.aws.errors import translate
from orgtui.aws.invite_plan import InvitePlan, PlannedInvite
from orgtui.aws.live import live_organization
from orgtui.aws.readers.handshakes import organization_handshakes, pending_invitations_for
from orgtui.aws.session import AwsContext
from orgtui.aws.writes import (
    Gate,
    Write,
    for_each,
    log_stopped,
    perform,
    record_refusal,
    request_id,
)
from orgtui.errors import OrgtuiError
from orgtui.handshakes import Handshake
from orgtui.model import Snapshot, iso
from orgtui.write_model import Outcome, ProgressFn

OPERATION = "InviteAccountToOrganization"
VERB = "invite"

# AWS's refusals that concern the organization, not the account: a batch stops at the
# first (every other invitation would be refused the same way).
HALT_REASONS = frozenset(
    {
        "HANDSHAKE_RATE_LIMIT_EXCEEDED",
        "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
        "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES",
        "MANAGEMENT_ACCOUNT_EMAIL_NOT_VERIFIED",
        "MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
        "UNUSED_PREPAYMENT_BALANCE",
        "LEGACY_PERMISSIONS_STILL_IN_USE",
        "PAST_DUE_INVOICE",
    }
)
HALT_CODES = frozenset(
    {
        "AccountOwnerNotVerifiedException",
        "FinalizingOrganizationException",
        "AWSOrganizationsNotInUseException",
        "AccessDeniedException",
    }
)


def invitation_tags(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """The `Tags` parameter of InviteAccountToOrganization."""
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _write(planned: PlannedInvite, notes: str = "") -> Write:
    params: dict[str, Any] = {"Target": {"Type": "ACCOUNT", "Id": planned.account_id}}
    if planned.tags:
        params["Tags"] = invitation_tags(planned.tags)
    if notes:
        params["Notes"] = notes
    return Write(
        VERB,
        OPERATION,
        "invite_account_to_organization",
        params,
        planned.account_id,
        planned.name,
        # The keys only: the values stay in the hand-over file or the tag backup.
        started={
            "tag_source": planned.tag_source,
            "tag_keys": sorted(planned.tags),
        },
    )


def _refused(planned: PlannedInvite, what: str, fix: str, code: str, **extra: Any) -> Outcome:
    return Outcome(planned.account_id, planned.name, "refused", what, fix, code=code, **extra)


@dataclass
class _Batch:
    """What a batch knows of the organization's invitations: read once, then kept up to
    date with the invitations it sent."""

    handshakes: list[Handshake]


def _is_member(ctx: AwsContext, account_id: str) -> bool:
    """DescribeAccount: a member answers; AccountNotFoundException means it is not one."""
    try:
        ctx.call(ctx.org.describe_account, AccountId=account_id)
    except ClientError as exc:
        if error_code(exc) == "AccountNotFoundException":
            return False
        raise
    return True


def _live_refusal(
    ctx: AwsContext, snap: Snapshot, planned: PlannedInvite, batch: _Batch
) -> Outcome | None:
    """Why the live picture forbids this invitation, or None."""
    who = planned.label
    try:
        member = _is_member(ctx, planned.account_id)
    except Exception as exc:
        err = translate(exc, profile=ctx.profile)
        return _refused(
            planned,
            f"Not invited: the live re-check failed. {err.what}",
            err.fix,
            err.code,
            error=err,
        )
    if member:
        return _refused(
            planned,
            f"Not invited: {who} is already a member of this organization (AWS shows it now).",
            "Nothing to do; reload (ctrl+r) to see it in the tree.",
            "ALREADY_MEMBER",
        )
    pending = pending_invitations_for(batch.handshakes, planned.account_id)
    if pending:
        h = pending[0]
        until = f", open until {iso(h.expires)}" if h.expires else ""
        return _refused(
            planned,
            f"Not invited: {who} already has an open invitation from this organization "
            f"({h.id}{until}).",
            "Wait for the account to accept or decline it (I lists it), or cancel it first.",
            "DUPLICATE_INVITE",
            target=h.id,
        )
    return None


def invite_one(
    ctx: AwsContext,
    snap: Snapshot,
    planned: PlannedInvite,
    *,
    notes: str = "",
    _batch: _Batch | None = None,
) -> Outcome:
    """Send one planned invitation: refused if the plan refused it, live re-check, audit
    line, InviteAccountToOrganization, outcome (`target`: the handshake id). `snap` is
    re-checked live unless a batch did it. Never raises but for ctrl+c."""
    write = _write(planned, notes)
    state: dict[str, Any] = {"batch": _batch}

    def gate() -> Gate:
        if not planned.ok:
            refused = _refused(planned, planned.refusal, planned.fix, planned.code)
            return Gate(snap, write, refused)
        live, batch = snap, state["batch"]
        if batch is None:
            try:
                live = live_organization(ctx, snap)
                batch = state["batch"] = _Batch(organization_handshakes(ctx))
            except Exception as exc:
                err = translate(exc, profile=ctx.profile)
                refused = _refused(
                    planned,
                    f"Not invited: the live re-check failed. {err.what}",
                    err.fix,
                    err.code,
                    error=err,
                )
                return Gate(snap, write, refused)
        return Gate(live, write, _live_refusal(ctx, live, planned, batch))

    def confirmed(_: Gate, response: Any) -> Outcome:
        batch = state["batch"]
        notes_: tuple[str, ...] = ()
        handshake: Handshake | None = None
        try:
            handshake = Handshake.from_api((response or {}).get("Handshake") or {}, OPERATION)
        except OrgtuiError as exc:
            notes_ = (f"AWS answered success, but its handshake could not be read: {exc.what}",)
        if handshake is not None:
            batch.handshakes.append(handshake)
        until = (
            f" It is open until {iso(handshake.expires)}."
            if handshake is not None and handshake.expires
            else ""
        )
        return Outcome(
            planned.account_id,
            planned.name,
            "done",
            f"Invitation{f' {handshake.id}' if handshake else ''} sent to {planned.label} "
            f"with {planned.tag_words}.{until}",
            "The account accepts it with its own credentials (orgtui there: i); I lists "
            "the organization's invitations.",
            sent=True,
            request_id=request_id(response),
            target=handshake.id if handshake is not None else "",
            notes=notes_,
        )

    return perform(
        ctx,
        gate,
        confirm=confirmed,
        on_failure=lambda _, exc: _failed(ctx, planned, exc, state["batch"]),
    )


def _failed(ctx: AwsContext, planned: PlannedInvite, exc: BaseException, batch: _Batch) -> Outcome:
    err = translate(exc, profile=ctx.profile)
    who = planned.label
    sent = isinstance(exc, (ClientError, ReadTimeoutError, ConnectionClosedError))
    extra: dict[str, Any] = dict(
        sent=sent, code=err.code, reason=err.reason, request_id=err.request_id, error=err
    )
    lost = isinstance(exc, (ReadTimeoutError, ConnectionClosedError))
    bare_5xx = err.code.isdigit() and int(err.code) >= 500
    if err.code in UNCERTAIN or lost or bare_5xx:
        # The invitation may have been created: ask AWS, never send it blindly again.
        try:
            now_pending = pending_invitations_for(organization_handshakes(ctx), planned.account_id)
        except Exception:
            now_pending = None
        if now_pending:
            batch.handshakes.append(now_pending[0])
            return Outcome(
                planned.account_id,
                planned.name,
                "done",
                f"Invitation {now_pending[0].id} sent to {who} (AWS answered "
                f"{err.code or 'nothing'}, then listed the invitation).",
                target=now_pending[0].id,
                **extra,
            )
        return Outcome(
            planned.account_id,
            planned.name,
            "unknown",
            f"AWS failed while inviting {who}; the invitation may or may not have been sent.",
            "Open the invitations (I) to see whether it is listed, then invite again if not.",
            **extra,
        )
    return Outcome(
        planned.account_id,
        planned.name,
        "refused",
        f"{who} was not invited: {err.what}",
        err.fix,
        **extra,
    )


def halts(outcome: Outcome) -> bool:
    """A refusal for the whole organization: the rest of a batch would meet it too."""
    return (
        outcome.status == "refused"
        and outcome.sent
        and (outcome.reason in HALT_REASONS or outcome.code in HALT_CODES)
    )


def invite_many(
    ctx: AwsContext,
    snap: Snapshot,
    plan: InvitePlan,
    *,
    notes: str = "",
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """Send the plan's invitations one at a time (the refused ones are refused again, in
    the log, without a call). The organization, the caller and the organization's
    invitations are read live once first. Stops at the first refusal for the whole
    organization (`halts`). Never raises but for ctrl+c."""
    todo = {p.account_id: p for p in plan.invites}
    try:
        live = live_organization(ctx, snap)
        batch = _Batch(organization_handshakes(ctx))
    except Exception as exc:
        err = translate(exc, profile=ctx.profile)
        return [
            record_refusal(
                snap,
                _write(p, notes),
                _refused(
                    p,
                    f"Not invited: the live re-check failed. {err.what}",
                    err.fix,
                    err.code,
                    error=err,
                ),
            )
            for p in todo.values()
        ]
    stopped = log_stopped(
        VERB, live, "orgtui was stopped, or AWS refused for the whole organization"
    )
    return for_each(
        list(todo),
        lambda account_id: invite_one(ctx, live, todo[account_id], notes=notes, _batch=batch),
        progress=progress,
        stop=stop,
        on_stop=stopped,
        halt=halts,
    )
