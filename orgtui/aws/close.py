"""Closing accounts (CloseAccount) under the write discipline, with the close quota kept.

Within a rolling 30 days an organization may close the higher of 250 or 20% of its member
accounts, at most 1,000. AWS gives no call that says how many are left: orgtui estimates
it from its audit log (the closures it made in the last 30 days) and the accounts now
PENDING_CLOSURE, refuses a bulk close past it before any call, and stops a bulk close at
AWS's first quota refusal. Each account is re-checked live first: the management account
and delegated administrators are never closed, nor an account already closing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from orgtui import files
from orgtui.aws.codes import UNCERTAIN
from orgtui.aws.errors import translate
from orgtui.aws.live import check_account
from orgtui.aws.session import AwsContext
from orgtui.aws.writes import Gate, Write, for_each, log_stopped, perform, request_id, try_audit
from orgtui.model import Snapshot
from orgtui.text import account_label
from orgtui.write_model import (
    QUOTA_REASONS,
    CloseQuota,
    LiveCheck,
    Outcome,
    ProgressFn,
    quota_limit,
)

OPERATION = "CloseAccount"
WINDOW = timedelta(days=30)
CLOSING_STATES = frozenset({"PENDING_CLOSURE", "SUSPENDED", "CLOSED"})


def close_quota(snap: Snapshot, now: datetime | None = None) -> CloseQuota:
    """The limit for this organization's size, and what is used of it: the accounts orgtui
    closed in the last 30 days (audit log) and those now PENDING_CLOSURE, each once."""
    now = now or datetime.now(timezone.utc)
    management = snap.organization.management_account_id
    members = sum(1 for a in snap.accounts.values() if a.id != management)
    closed = files.read_closures(snap.organization.id, since=now - WINDOW)
    pending = {a.id for a in snap.accounts.values() if a.state == "PENDING_CLOSURE"}
    return CloseQuota(limit=quota_limit(members), used=len(closed | pending))


def _write(account_id: str, name: str) -> Write:
    return Write("close", OPERATION, "close_account", {"AccountId": account_id}, account_id, name)


def _name(snap: Snapshot, account_id: str, check: LiveCheck | None = None) -> str:
    account = (check.account if check is not None else None) or snap.accounts.get(account_id)
    return account.name if account is not None and account.name else account_id


def _refused(
    account_id: str, name: str, what: str, fix: str, code: str, check: LiveCheck
) -> Outcome:
    return Outcome(account_id, name, "refused", what, fix, code=code, check=check)


def _live_refusal(snap: Snapshot, account_id: str, check: LiveCheck) -> Outcome | None:
    """Why the live picture forbids closing this account, or None: what the `close`
    destination blocks (management account, delegated administrator, already closing)."""
    name = _name(snap, account_id, check)
    who = account_label(name, account_id)
    if check.gone:
        return Outcome(
            account_id, name, "gone", f"{who} is no longer in the organization; nothing was sent."
        )
    if check.error is not None:
        err = check.error
        return _refused(
            account_id,
            name,
            f"Not closed: the live re-check failed. {err.what}",
            err.fix,
            err.code,
            check,
        )
    live = check.snapshot
    if account_id == live.organization.management_account_id:
        return _refused(
            account_id,
            name,
            f"Not closed: {who} is the management account; it can't be closed through "
            "Organizations.",
            "Close the member accounts instead.",
            "MANAGEMENT_ACCOUNT",
            check,
        )
    if check.delegated:
        services = ", ".join(check.delegated)
        return _refused(
            account_id,
            name,
            f"Not closed: {who} is delegated administrator for {services}; those services "
            "would lose their administrator.",
            "Deregister it first (d), then close it.",
            "DELEGATED_ADMIN",
            check,
        )
    state = check.account.state if check.account is not None else ""
    if state in CLOSING_STATES:
        return _refused(
            account_id,
            name,
            f"Not closed: {who} is already {state}; nothing was sent.",
            "Nothing to do: AWS finishes the closure by itself.",
            "ALREADY_CLOSING",
            check,
        )
    if state != "ACTIVE":
        return _refused(
            account_id,
            name,
            f"Not closed: {who} is {state or 'in an unknown state'}, not ACTIVE.",
            "Wait until it is ACTIVE (reload to see), then try again.",
            "NOT_ACTIVE",
            check,
        )
    return None


def close_one(
    ctx: AwsContext, snap: Snapshot, account_id: str, *, now: datetime | None = None
) -> Outcome:
    """Close one account: live re-check, audit line, CloseAccount, outcome. Never raises.
    A success carries `after`: the snapshot with the account PENDING_CLOSURE."""

    def gate() -> Gate:
        check = check_account(ctx, snap, account_id, now)
        write = _write(account_id, _name(snap, account_id, check))
        return Gate(check.snapshot, write, _live_refusal(snap, account_id, check), check)

    def confirmed(passed: Gate, response: object) -> Outcome:
        name = passed.write.name
        return Outcome(
            account_id,
            name,
            "done",
            f"{account_label(name, account_id)} is closing: AWS shows it PENDING_CLOSURE, then "
            "SUSPENDED. Its resources are deleted after 90 days; until then AWS Support can "
            "reopen it.",
            sent=True,
            request_id=request_id(response),
            check=passed.check,
            after=snap.with_account_state(account_id, "PENDING_CLOSURE"),
        )

    return perform(
        ctx,
        gate,
        confirm=confirmed,
        on_failure=lambda passed, exc: _failed(ctx, snap, passed, exc),
    )


def _failed(ctx: AwsContext, snap: Snapshot, passed: Gate, exc: BaseException) -> Outcome:
    account_id, name, check = passed.write.account_id, passed.write.name, passed.check
    err = translate(exc, profile=ctx.profile)
    sent = isinstance(exc, (ClientError, ReadTimeoutError, ConnectionClosedError))
    who = account_label(name, account_id)
    extra: dict[str, Any] = dict(
        sent=sent,
        code=err.code,
        reason=err.reason,
        request_id=err.request_id,
        error=err,
        check=check,
    )
    if err.code == "AccountAlreadyClosedException":
        return Outcome(
            account_id,
            name,
            "done",
            f"{who} was already closed; nothing more to do.",
            after=snap.with_account_state(account_id, "SUSPENDED"),
            **extra,
        )
    if err.code in UNCERTAIN or isinstance(exc, (ReadTimeoutError, ConnectionClosedError)):
        state = _state_now(ctx, account_id)
        if state in CLOSING_STATES:
            return Outcome(
                account_id,
                name,
                "done",
                f"{who} is {state} (AWS answered {err.code or 'nothing'}, then showed it closing).",
                after=snap.with_account_state(account_id, state),
                **extra,
            )
        return Outcome(
            account_id,
            name,
            "unknown",
            f"AWS failed while closing {who}; it may or may not be closing.",
            "Reload (ctrl+r) to see its state, then try again if needed.",
            **extra,
        )
    if err.code in ("AccessDeniedException", "AccessDenied"):
        return Outcome(
            account_id,
            name,
            "refused",
            f"{who} was not closed: access denied to CloseAccount. An SCP or IAM policy may "
            "protect this account from closure.",
            "Ask who manages the organization's policies whether the account is protected; "
            "otherwise grant organizations:CloseAccount to your role.",
            **extra,
        )
    return Outcome(
        account_id, name, "refused", f"{who} was not closed: {err.what}", err.fix, **extra
    )


def _state_now(ctx: AwsContext, account_id: str) -> str:
    try:
        answer = ctx.read(ctx.org.describe_account, AccountId=account_id)
    except Exception:
        return ""
    account = answer.get("Account") or {}
    return str(account.get("State") or account.get("Status") or "")


def close_many(
    ctx: AwsContext,
    snap: Snapshot,
    account_ids: Iterable[str],
    *,
    now: datetime | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """Close several accounts, one at a time. Refused whole, before any call, when they
    are more than the quota's estimate leaves; stopped at AWS's first quota refusal (the
    rest would be refused the same). Never raises."""
    todo = list(dict.fromkeys(account_ids))
    now = now or datetime.now(timezone.utc)
    quota = close_quota(snap, now)
    if len(todo) > quota.left:
        outcomes = []
        for account_id in todo:
            name = _name(snap, account_id)
            outcome = Outcome(
                account_id,
                name,
                "refused",
                f"Not closed: {len(todo)} accounts marked, and the close quota leaves "
                f"{quota.left} ({quota.line}); nothing was sent.",
                "Close fewer accounts now, or wait until older closures leave the 30-day window.",
                code="CLOSE_QUOTA_EXCEEDED",
            )
            outcomes.append(outcome)
        try_audit(
            "close-refused",
            outcome="refused",
            sent=False,
            findings="CLOSE_QUOTA_EXCEEDED",
            what=outcomes[0].what if outcomes else "",
            organization_id=snap.organization.id,
            caller_arn=snap.caller.arn,
            account_ids=todo,
        )
        return outcomes
    state = {"snap": snap}

    def act(account_id: str) -> Outcome:
        outcome = close_one(ctx, state["snap"], account_id, now=now)
        if outcome.after is not None:
            state["snap"] = outcome.after
        return outcome

    stopped = log_stopped(
        "close", snap, "orgtui was stopped, or AWS refused for the organization's close quota"
    )

    return for_each(
        todo,
        act,
        progress=progress,
        stop=stop,
        on_stop=stopped,
        halt=lambda outcome: outcome.reason in QUOTA_REASONS,
    )
