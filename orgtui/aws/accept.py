"""Accepting an invitation (AcceptHandshake) from the invited account itself: the last step
of a direct transfer (DESIGN.md "Destinations"). The account leaves its organization and
joins the inviting one; AWS deletes its tags on the way out, as for a leave.

The same discipline as a leave (`orgtui.aws.removal`):

1. the live re-check, `check_accept`: the invitation now (DescribeHandshake: still
   OPEN, an INVITE, for the caller's own account, not expired, from another organization)
   and the caller's own account's readiness for the destination `transfer`
   (`live.check_account`, as a leave builds it: the same losses, the same blockers);
2. the tag backup written and fsynced, then `writes.perform` (audit line
   `accept-started` whole on disk first; refused in audit mode by the read-only guard);
3. a success is believed once AWS shows it: DescribeOrganization answers the inviting
   organization. An internal error or a lost answer is followed by the same question.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from orgtui.aws.codes import UNCERTAIN, error_code
from orgtui.aws.errors import translate
from orgtui.aws.live import check_account
from orgtui.aws.readers.handshakes import INVITE, describe_handshake
from orgtui.aws.removal import CONFIRM_BACKOFF, refusal_words
from orgtui.aws.session import AwsContext
from orgtui.aws.writes import Gate, Write, perform, request_id
from orgtui.handshakes import Handshake
from orgtui.model import Snapshot, iso
from orgtui.text import account_label, clean
from orgtui.write_model import LiveCheck, Outcome, refused_by_check

OPERATION = "AcceptHandshake"
VERB = "accept"


@dataclass(frozen=True)
class AcceptCheck:
    """The live re-check of an acceptance: the invitation as AWS has it now and the
    caller's own account assessed for `transfer` (`check`: its findings are the losses
    the dialog lists). `refusal` is set when orgtui will not send AcceptHandshake."""

    handshake_id: str
    handshake: Handshake | None
    check: LiveCheck | None
    refusal: Outcome | None = None

    @property
    def blocked(self) -> bool:
        return self.refusal is not None

    @property
    def inviting_organization(self) -> str:
        return self.handshake.organization_id if self.handshake is not None else ""

    @property
    def management_email(self) -> str:
        """The inviting organization's management email, cleaned for display."""
        return clean(self.handshake.management_email) if self.handshake is not None else ""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _name(snap: Snapshot, check: LiveCheck | None) -> str:
    account_id = snap.caller.account
    account = (check.account if check is not None else None) or snap.accounts.get(account_id)
    return account.name if account is not None and account.name else account_id


def _write(snap: Snapshot, handshake_id: str, name: str, **started: Any) -> Write:
    return Write(
        VERB,
        OPERATION,
        "accept_handshake",
        {"HandshakeId": handshake_id},
        snap.caller.account,
        name,
        started={"target": handshake_id, **started},
    )


def check_accept(
    ctx: AwsContext, snap: Snapshot, handshake_id: str, now: datetime | None = None
) -> AcceptCheck:
    """Re-read the invitation and the caller's account live. Never raises for AWS errors:
    a failure ends in `refusal` (a stale view must not decide an acceptance)."""
    now = _now(now)
    account_id = snap.caller.account
    check = check_account(ctx, snap, account_id, now, destination="transfer")
    name = _name(snap, check)
    who = account_label(name, account_id)

    def refuse(what: str, fix: str, code: str, **extra: Any) -> Outcome:
        return Outcome(
            account_id,
            name,
            "refused",
            f"Not accepted: {what}",
            fix,
            code=code,
            check=check,
            target=handshake_id,
            **extra,
        )

    try:
        handshake = describe_handshake(ctx, handshake_id)
    except Exception as exc:
        err = translate(exc, profile=ctx.profile)
        return AcceptCheck(
            handshake_id,
            None,
            check,
            refuse(f"the invitation could not be read. {err.what}", err.fix, err.code, error=err),
        )
    known = check.account or snap.accounts.get(account_id)
    email = known.email if known is not None else ""
    refusal = _handshake_refusal(handshake, snap, now, who, refuse, email)
    if refusal is not None:
        return AcceptCheck(handshake_id, handshake, check, refusal)
    if check.gone:
        refusal = refuse(
            f"AWS no longer finds {who} in its organization.",
            "Reload (ctrl+r) to see where the account is now.",
            "AccountNotFoundException",
        )
    elif check.blocked:
        refusal = replace(
            refused_by_check(account_id, name, check, "accepted"), target=handshake_id
        )
    return AcceptCheck(handshake_id, handshake, check, refusal)


def _handshake_refusal(
    handshake: Handshake,
    snap: Snapshot,
    now: datetime,
    who: str,
    refuse: Callable[..., Outcome],
    email: str = "",
) -> Outcome | None:
    """Why this invitation, as AWS has it now, can't be accepted by the caller, or None.
    An invitation sent to an email address (no ACCOUNT party) is the caller's when the
    address is its account's (`email`, as known)."""
    account_id = snap.caller.account
    if handshake.action != INVITE:
        return refuse(
            f"{handshake.id} is a {clean(handshake.action) or 'handshake'} request, not an "
            "invitation to join an organization.",
            "Pick an invitation (INVITE) from the open invitations.",
            "NOT_AN_INVITATION",
        )
    if handshake.state != "OPEN":
        return refuse(
            f"the invitation {handshake.id} is {clean(handshake.state)}, not OPEN.",
            "Ask the inviting organization's management account for a new invitation."
            if handshake.state in ("EXPIRED", "CANCELED", "DECLINED")
            else "Reload (ctrl+r) to see the organization as it is now.",
            f"HANDSHAKE_{clean(handshake.state)}",
        )
    if handshake.expired_at(now):
        return refuse(
            f"the invitation {handshake.id} expired at {iso(handshake.expires)}.",
            "Ask the inviting organization's management account for a new invitation.",
            "HANDSHAKE_EXPIRED",
        )
    by_email = (
        not handshake.account_id
        and bool(handshake.email)
        and handshake.email.lower() == email.lower()
    )
    if handshake.account_id != account_id and not by_email:
        target = handshake.account_id or clean(handshake.email) or "another party"
        return refuse(
            f"the invitation {handshake.id} is for {target}, not for this account {who}.",
            "Accept it with the credentials of the invited account.",
            "NOT_FOR_THIS_ACCOUNT",
        )
    if handshake.organization_id and handshake.organization_id == snap.organization.id:
        return refuse(
            f"the invitation comes from this account's own organization {snap.organization.id}.",
            "Nothing to do: the account is a member already.",
            "SAME_ORGANIZATION",
        )
    return None


def accept(
    ctx: AwsContext, snap: Snapshot, handshake_id: str, *, now: datetime | None = None
) -> Outcome:
    """Accept the invitation `handshake_id` for the caller's own account: live re-check,
    tag backup, audit line, AcceptHandshake, the outcome once AWS shows the account in
    the inviting organization (`removed`: it left this one). Never raises but for ctrl+c."""
    now = _now(now)

    def gate() -> Gate:
        live = check_accept(ctx, snap, handshake_id, now)
        check = live.check
        name = _name(snap, check)
        current = check.snapshot if check is not None and check.error is None else snap
        if live.refusal is not None:
            return Gate(current, _write(current, handshake_id, name), live.refusal, check)
        assert check is not None and live.handshake is not None
        handshake = live.handshake
        write = _write(
            current,
            handshake.id,
            name,
            verdict=check.verdict,
            to_organization=handshake.organization_id,
        )
        # Tags are deleted when the account leaves: on disk before anything is sent.
        backup = {
            "org_id": current.organization.id,
            "account_id": snap.caller.account,
            "tags": check.tags,
            "extra": {
                "account_name": name,
                "caller_arn": current.caller.arn,
                "before": OPERATION,
                "handshake_id": handshake.id,
                "to_organization": handshake.organization_id,
                "tags_complete": check.tags_complete,
                "problems": list(check.problems),
            },
        }
        state["handshake"] = handshake
        return Gate(current, write, None, check, backup)

    state: dict[str, Handshake] = {}

    def confirmed(passed: Gate, response: Any) -> Outcome:
        assert passed.check is not None and passed.backup_path is not None
        handshake = state["handshake"]
        return _confirm(
            ctx, passed.write.name, handshake, response, passed.backup_path, passed.check
        )

    def failed(passed: Gate, exc: BaseException) -> Outcome:
        assert passed.check is not None and passed.backup_path is not None
        handshake = state["handshake"]
        return _failed(ctx, passed.write.name, handshake, exc, passed.backup_path, passed.check)

    return perform(ctx, gate, confirm=confirmed, on_failure=failed)


def _organization_now(ctx: AwsContext) -> str | None:
    """The id of the organization the caller's account is in now; "" for none; None when
    AWS can't tell us now."""
    try:
        answer = ctx.call(ctx.org.describe_organization)
    except ClientError as exc:
        if error_code(exc) == "AWSOrganizationsNotInUseException":
            return ""
        return None
    except Exception:
        return None
    org = (answer or {}).get("Organization") or {}
    return str(org.get("Id") or "") or None


def _joined(name: str, account_id: str, handshake: Handshake) -> str:
    email = clean(handshake.management_email)
    by = f" (management account {email})" if email else ""
    return (
        f"{account_label(name, account_id)} joined the organization "
        f"{handshake.organization_id}{by} and left its previous one."
    )


def _confirm(
    ctx: AwsContext,
    name: str,
    handshake: Handshake,
    response: Any,
    backup: Path,
    check: LiveCheck,
) -> Outcome:
    account_id = check.account_id
    base: dict[str, Any] = dict(
        sent=True, request_id=request_id(response), backup=backup, check=check, target=handshake.id
    )
    for delay in (*CONFIRM_BACKOFF, None):
        if _organization_now(ctx) == handshake.organization_id:
            return Outcome(
                account_id,
                name,
                "removed",
                _joined(name, account_id, handshake),
                f"Its tags were backed up to {backup}; the invitation carried the tags the "
                "inviting organization gave it.",
                **base,
            )
        if delay is not None:
            time.sleep(delay)
    return Outcome(
        account_id,
        name,
        "unknown",
        f"AWS answered that {account_label(name, account_id)} accepted the invitation "
        f"{handshake.id}, but AWS does not show it in the inviting organization yet.",
        "Reload (ctrl+r) in a minute to see which organization it is in.",
        code="UnconfirmedSuccess",
        **base,
    )


def _failed(
    ctx: AwsContext,
    name: str,
    handshake: Handshake,
    exc: BaseException,
    backup: Path,
    check: LiveCheck,
) -> Outcome:
    err = translate(exc, profile=ctx.profile)
    account_id = check.account_id
    who = account_label(name, account_id)
    base: dict[str, Any] = dict(
        sent=isinstance(exc, (ClientError, ReadTimeoutError, ConnectionClosedError)),
        code=err.code,
        reason=err.reason,
        request_id=err.request_id,
        backup=backup,
        check=check,
        error=err,
        target=handshake.id,
    )
    lost = isinstance(exc, (ReadTimeoutError, ConnectionClosedError))
    bare_5xx = err.code.isdigit() and int(err.code) >= 500
    if err.code in UNCERTAIN or lost or bare_5xx or err.code == "HandshakeAlreadyInStateException":
        where = _organization_now(ctx)
        if where == handshake.organization_id:
            return Outcome(
                account_id,
                name,
                "removed",
                _joined(name, account_id, handshake)
                + f" (AWS answered {err.code or 'nothing'}, then showed it there)",
                f"Its tags were backed up to {backup}.",
                **base,
            )
        if err.code != "HandshakeAlreadyInStateException":
            if where is None:
                return Outcome(
                    account_id,
                    name,
                    "unknown",
                    f"AWS failed while accepting {handshake.id} for {who}, "
                    "and orgtui could not tell whether the account moved.",
                    "Reload (ctrl+r) to see which organization it is in, then try again if needed.",
                    **base,
                )
            return Outcome(
                account_id,
                name,
                "refused",
                f"{who} stays where it is: {err.what}",
                f"{err.fix} orgtui checked afterwards: it is not in the inviting organization.",
                **base,
            )
    what, fix = refusal_words(err, check)
    return Outcome(account_id, name, "refused", f"{who} stays where it is: {what}", fix, **base)
