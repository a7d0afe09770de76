"""Removing accounts from the organization (and leaving it, for a member): the one
destructive part of orgtui, built so that it cannot surprise anyone.

For every account, each step finished before the next starts:

1. the live re-check (`orgtui.aws.live`): the organization, the caller, the account,
   its delegated services and tags read again and assessed; a blocked account is refused
   here and no write call is sent;
2. the tag backup written and fsynced, then the write discipline of `orgtui.aws.writes`
   (audit line first, the call, the outcome after);
3. a success answer is believed only once AWS shows it: DescribeAccount (or, for a
   leave, DescribeOrganization) must no longer find the account in the organization; an
   internal error or a lost answer is followed by the same question, never by a blind
   retry.

Nothing here imports textual; the UI runs these functions in a thread worker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from orgtui.aws.codes import UNCERTAIN, error_code
from orgtui.aws.errors import translate
from orgtui.aws.live import check_account, check_accounts
from orgtui.aws.session import AwsContext
from orgtui.aws.writes import Gate, Write, for_each, log_stopped, perform, request_id
from orgtui.errors import OrgtuiError
from orgtui.model import Snapshot
from orgtui.text import account_label
from orgtui.write_model import LiveCheck, Outcome, ProgressFn, refused_by_check

__all__ = ["check_account", "check_accounts", "leave", "remove", "remove_many"]

# Waits before asking again whether an account that AWS says was removed is gone (AWS's
# reads may lag its writes by a moment); after them, the outcome is "unknown".
CONFIRM_BACKOFF = (1.0, 2.0)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _label(account_id: str, snap: Snapshot, check: LiveCheck | None = None) -> str:
    if check is not None and check.account is not None and check.account.name:
        return check.account.name
    acc = snap.accounts.get(account_id)
    return acc.name if acc and acc.name else account_id


def remove(
    ctx: AwsContext, snap: Snapshot, account_id: str, *, now: datetime | None = None
) -> Outcome:
    """Remove one account from the organization, safely. Never raises."""
    return _act(ctx, snap, account_id, now=now, leave=False)


def leave(ctx: AwsContext, snap: Snapshot, *, now: datetime | None = None) -> Outcome:
    """LeaveOrganization for the caller's own (member) account, with the same re-check,
    backup and audit log as a removal. Never raises."""
    return _act(ctx, snap, snap.caller.account, now=now, leave=True)


def remove_many(
    ctx: AwsContext,
    snap: Snapshot,
    account_ids: Iterable[str],
    *,
    now: datetime | None = None,
    progress: ProgressFn | None = None,
    leave_own: bool = False,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """Remove several accounts, one at a time, going on past failures.

    `progress(i, total, account_id, None)` is called before each account and
    `progress(i, total, account_id, outcome)` after it. With `leave_own`, the caller's own
    account (member mode) goes through LeaveOrganization instead. When `stop` is set (the
    terminal closed), the account in flight is finished and logged, and no other starts.
    """
    state = {"snap": snap}

    def act(account_id: str) -> Outcome:
        current = state["snap"]
        is_own = leave_own and account_id == current.caller.account
        try:
            outcome = _act(ctx, current, account_id, now=now, leave=is_own)
        except Exception as exc:  # _act does not raise; this is the last safety net
            err = translate(exc)
            outcome = Outcome(
                account_id, _label(account_id, current), "refused", err.what, err.fix, error=err
            )
        if outcome.ok:
            state["snap"] = current.without_account(account_id)
        return outcome

    stopped = log_stopped("remove", snap, "orgtui was stopped (the terminal closed)")

    return for_each(account_ids, act, progress=progress, stop=stop, on_stop=stopped)


def _act(
    ctx: AwsContext, snap: Snapshot, account_id: str, *, now: datetime | None, leave: bool
) -> Outcome:
    operation = "LeaveOrganization" if leave else "RemoveAccountFromOrganization"

    def gate() -> Gate:
        # The live re-check decides, not the view (nor a cache).
        check = check_account(ctx, snap, account_id, _now(now))
        name = _label(account_id, snap, check)
        live = check.snapshot
        write = Write(
            "leave" if leave else "remove",
            operation,
            "leave_organization" if leave else "remove_account_from_organization",
            {} if leave else {"AccountId": account_id},
            account_id,
            name,
            started={"verdict": check.verdict},
        )
        if check.gone:
            refusal: Outcome | None = Outcome(
                account_id,
                name,
                "gone",
                f"{account_label(name, account_id)} is no longer in the organization; nothing "
                "was sent.",
                "It was probably removed elsewhere; the view drops it.",
                code="AccountNotFoundException",
                check=check,
            )
        elif check.blocked:
            refusal = refused_by_check(account_id, name, check, "removed")
        else:
            refusal = None
        # AWS deletes the tags: they go to disk before anything is sent.
        backup = {
            "org_id": live.organization.id,
            "account_id": account_id,
            "tags": check.tags,
            "extra": {
                "account_name": name,
                "caller_arn": live.caller.arn,
                "before": operation,
                "tags_complete": check.tags_complete,
                "problems": list(check.problems),
            },
        }
        return Gate(live, write, refusal, check, backup)

    # The call, its outcome believed once AWS shows it.
    return perform(
        ctx,
        gate,
        confirm=lambda passed, response: _confirm(ctx, passed, leave, response),
        on_failure=lambda passed, exc: _after_failure(ctx, passed, exc, operation),
    )


def _left(ctx: AwsContext, account_id: str, leave: bool) -> bool | None:
    """Is the account out of the organization? None when AWS can't tell us now."""
    try:
        if leave:
            ctx.call(ctx.org.describe_organization)
        else:
            ctx.call(ctx.org.describe_account, AccountId=account_id)
    except ClientError as exc:
        if error_code(exc) in ("AccountNotFoundException", "AWSOrganizationsNotInUseException"):
            return True
        return None
    except Exception:  # the truth stays unknown
        return None
    return False


def _confirm(ctx: AwsContext, passed: Gate, leave: bool, response: Any) -> Outcome:
    """AWS answered success: believe it once the account is out of the organization."""
    account_id, name = passed.write.account_id, passed.write.name
    who = account_label(name, account_id)
    backup, check = passed.backup_path, passed.check
    base: dict[str, Any] = dict(
        sent=True, request_id=request_id(response), backup=backup, check=check
    )
    done = "left the organization" if leave else "was removed from the organization"
    for delay in (*CONFIRM_BACKOFF, None):
        if _left(ctx, account_id, leave):
            return Outcome(
                account_id,
                name,
                "removed",
                f"{who} {done}.",
                f"Its tags were backed up to {backup}. It now pays its own bills.",
                **base,
            )
        if delay is not None:
            time.sleep(delay)
    return Outcome(
        account_id,
        name,
        "unknown",
        f"AWS answered that {who} {done}, but AWS still shows it in the organization.",
        "Reload (ctrl+r) in a minute to see whether it left; if it is still there, the "
        "endpoint did not carry out the call (check --endpoint-url and any proxy).",
        code="UnconfirmedSuccess",
        **base,
    )


def _after_failure(ctx: AwsContext, passed: Gate, exc: BaseException, operation: str) -> Outcome:
    account_id, name = passed.write.account_id, passed.write.name
    who = account_label(name, account_id)
    backup, check = passed.backup_path, passed.check
    assert check is not None  # the removal's gate always carries its live check
    err = translate(exc, profile=ctx.profile)
    code = err.code
    leave = operation == "LeaveOrganization"
    base: dict[str, Any] = dict(
        sent=True,
        code=code,
        reason=err.reason,
        request_id=err.request_id,
        backup=backup,
        check=check,
        error=err,
    )
    if code == "AccountNotFoundException" or (
        leave and code == "AWSOrganizationsNotInUseException"
    ):
        return Outcome(
            account_id,
            name,
            "gone",
            f"{who} was already gone from the organization.",
            "Nothing else to do; the view drops it.",
            **base,
        )
    lost_answer = isinstance(exc, (ReadTimeoutError, ConnectionClosedError))
    # A bare 5xx (no AWS error in the body) came from a gateway that may have passed the
    # call on: as uncertain as an internal error.
    bare_5xx = code.isdigit() and int(code) >= 500
    if code in UNCERTAIN or lost_answer or bare_5xx:
        return _find_truth(ctx, account_id, name, err, base, operation)
    what, fix = refusal_words(err, check)
    # The read-only guard, missing credentials or an unreachable endpoint stop the call
    # before it is sent.
    base["sent"] = isinstance(exc, ClientError)
    return Outcome(account_id, name, "refused", f"{who} stays: {what}", fix, **base)


def refusal_words(err: OrgtuiError, check: LiveCheck) -> tuple[str, str]:
    """AWS's refusal of a departure in words, naming the services of a delegated
    administrator from the live check (removal, leave, accepting an invitation)."""
    if (
        err.code == "ConstraintViolationException"
        and (err.reason == "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
        and check.delegated
    ):
        services = ", ".join(check.delegated)
        return (
            f"AWS refused: the account is a delegated administrator for {services}.",
            f"Deregister it as delegated administrator for {services} (d in orgtui, "
            "organizations deregister-delegated-administrator, or each service's "
            "console), then try again.",
        )
    return err.what, err.fix


def _find_truth(
    ctx: AwsContext,
    account_id: str,
    name: str,
    err: OrgtuiError,
    base: dict[str, Any],
    operation: str,
) -> Outcome:
    """After an internal error or a lost answer, ask AWS whether the account left."""
    left = _left(ctx, account_id, operation == "LeaveOrganization")
    who = account_label(name, account_id)
    if left:
        return Outcome(
            account_id,
            name,
            "removed",
            f"{who} left the organization (AWS answered with an internal "
            "error, but the account is no longer in the organization).",
            f"Its tags were backed up to {base['backup']}.",
            notes=(f"AWS answered {err.code}; DescribeAccount then found the account gone.",),
            **base,
        )
    if left is False:
        return Outcome(
            account_id,
            name,
            "refused",
            f"{who} stays in the organization: {err.what}",
            f"{err.fix} orgtui checked afterwards: the account is still a member.",
            notes=(
                f"AWS answered {err.code}; DescribeAccount then found the account still "
                "in the organization.",
            ),
            **base,
        )
    return Outcome(
        account_id,
        name,
        "unknown",
        f"AWS had an internal error during {operation} for {who}, and orgtui "
        "could not tell whether the account left.",
        "Reload (ctrl+r) to see whether it is still in the organization, then try again if it is.",
        **base,
    )
