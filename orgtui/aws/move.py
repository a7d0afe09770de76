"""Moving accounts to another OU (MoveAccount) under the write discipline: the usual step
before closing (a "Suspended" OU) or after a transfer lands.

The live re-check reads the organization and the caller (they must be the view's) and
each account's parent now (ListParents): MoveAccount names the parent it moves from, and
the view's may be stale. A success carries `after`, the snapshot with the account under
its new parent, so the tree, the counts and the inherited policies follow at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from orgtui.aws.codes import UNCERTAIN
from orgtui.aws.errors import translate
from orgtui.aws.live import live_organization
from orgtui.aws.session import AwsContext
from orgtui.aws.writes import Gate, Write, for_each, log_stopped, perform, request_id
from orgtui.model import Snapshot, required
from orgtui.text import account_label
from orgtui.write_model import Outcome, ProgressFn

OPERATION = "MoveAccount"


def _name(snap: Snapshot, account_id: str) -> str:
    account = snap.accounts.get(account_id)
    return account.name if account is not None and account.name else account_id


def parent_now(ctx: AwsContext, account_id: str) -> str:
    """The account's parent as AWS has it now (ListParents)."""
    parents = ctx.pages("list_parents", "Parents", ChildId=account_id)
    if not parents:
        raise ValueError("ListParents answered no parent")
    return str(required(parents[0], "Id", "ListParents"))


def move_one(ctx: AwsContext, snap: Snapshot, account_id: str, destination: str) -> Outcome:
    """Move one account to `destination` (an OU or root id). `snap` is the live picture
    (`live_organization`). Never raises."""
    name = _name(snap, account_id)
    who = account_label(name, account_id)
    where = snap.node_name(destination)
    after = snap.with_account_moved(account_id, destination)

    def gate() -> Gate:
        # The live re-check of a move: where the account is now (its source parent).
        write = Write(
            "move",
            OPERATION,
            "move_account",
            {"AccountId": account_id, "SourceParentId": "", "DestinationParentId": destination},
            account_id,
            name,
            started={"target": destination},
        )
        try:
            source = parent_now(ctx, account_id)
        except Exception as exc:
            err = translate(exc, profile=ctx.profile)
            if err.code in ("AccountNotFoundException", "ChildNotFoundException"):
                gone = Outcome(account_id, name, "gone", f"{who} is no longer in the organization.")
                return Gate(snap, write, gone)
            refusal = Outcome(
                account_id,
                name,
                "refused",
                f"Not moved: the live re-check failed. {err.what}",
                err.fix,
                code=err.code,
                error=err,
                target=destination,
            )
            return Gate(snap, write, refusal)
        if source == destination:
            # Nothing to do is not a refusal: the view learns where the account is.
            already = Outcome(
                account_id,
                name,
                "done",
                f"{who} is already in {where}; nothing was sent.",
                target=destination,
                after=after,
            )
            return Gate(snap, write, already)
        params = {**write.params, "SourceParentId": source}
        started = {**write.started, "source_parent": source}
        return Gate(snap, replace(write, params=params, started=started))

    return perform(
        ctx,
        gate,
        confirm=lambda passed, response: Outcome(
            account_id,
            name,
            "done",
            f"{who} moved to {where}.",
            sent=True,
            request_id=request_id(response),
            target=destination,
            after=after,
        ),
        on_failure=lambda passed, exc: _failed(
            ctx, snap, account_id, name, destination, where, exc
        ),
    )


def _failed(
    ctx: AwsContext,
    snap: Snapshot,
    account_id: str,
    name: str,
    destination: str,
    where: str,
    exc: BaseException,
) -> Outcome:
    err = translate(exc, profile=ctx.profile)
    who = account_label(name, account_id)
    sent = isinstance(exc, (ClientError, ReadTimeoutError, ConnectionClosedError))
    extra: dict[str, Any] = dict(
        sent=sent,
        code=err.code,
        reason=err.reason,
        request_id=err.request_id,
        error=err,
        target=destination,
    )
    after = snap.with_account_moved(account_id, destination)
    if err.code == "DuplicateAccountException":
        return Outcome(
            account_id, name, "done", f"{who} was already in {where}.", after=after, **extra
        )
    if err.code in UNCERTAIN or isinstance(exc, (ReadTimeoutError, ConnectionClosedError)):
        try:
            now_in = parent_now(ctx, account_id)
        except Exception:
            now_in = ""
        if now_in == destination:
            return Outcome(
                account_id,
                name,
                "done",
                f"{who} moved to {where} (AWS answered {err.code or 'nothing'}, then showed it "
                "there).",
                after=after,
                **extra,
            )
        return Outcome(
            account_id,
            name,
            "unknown",
            f"AWS failed while moving {who}; it may or may not have moved.",
            "Reload (ctrl+r) to see where it is, then try again if needed.",
            **extra,
        )
    if err.code == "SourceParentNotFoundException":
        try:
            now_in = parent_now(ctx, account_id)
            place = f": it is now in {snap.node_name(now_in)}" if now_in in snap.ous else ""
        except Exception:
            place = ""
        return Outcome(
            account_id,
            name,
            "refused",
            f"{who} was not moved: it was moved meanwhile{place}.",
            "Reload (ctrl+r) to see where it is now, then move it again if needed.",
            **extra,
        )
    return Outcome(
        account_id, name, "refused", f"{who} was not moved: {err.what}", err.fix, **extra
    )


def move_many(
    ctx: AwsContext,
    snap: Snapshot,
    account_ids: Iterable[str],
    destination: str,
    *,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """Move several accounts to one OU, one at a time, going on past failures. The
    organization and the caller are re-checked live once first. Never raises."""
    todo = list(dict.fromkeys(account_ids))
    try:
        live = live_organization(ctx, snap)
    except Exception as exc:
        err = translate(exc, profile=ctx.profile)
        return [
            Outcome(
                a,
                _name(snap, a),
                "refused",
                f"Not moved: the live re-check failed. {err.what}",
                err.fix,
                code=err.code,
                error=err,
                target=destination,
            )
            for a in todo
        ]
    state = {"snap": live}

    def act(account_id: str) -> Outcome:
        outcome = move_one(ctx, state["snap"], account_id, destination)
        if outcome.after is not None:
            state["snap"] = outcome.after
        return outcome

    stopped = log_stopped("move", snap, "orgtui was stopped (the terminal closed)")

    return for_each(todo, act, progress=progress, stop=stop, on_stop=stopped)
