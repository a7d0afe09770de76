"""Deregistering an account as delegated administrator, service by service, in place: the
most common blocker fixed without leaving orgtui.

A live re-check reads the account's delegated services now; each service gets its own
DeregisterDelegatedAdministrator through the write discipline of `orgtui.aws.writes`
(an audit line per service, before and after), one failing service leaving the others
done; a second live re-check then gives the account's new verdict.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from orgtui.aws.codes import UNCERTAIN, error_code
from orgtui.aws.errors import translate
from orgtui.aws.live import check_account
from orgtui.aws.session import AwsContext
from orgtui.aws.writes import Gate, Write, for_each, perform, record_refusal, request_id
from orgtui.model import DEFAULT_DESTINATION, Destination, Snapshot
from orgtui.text import account_label
from orgtui.write_model import Deregistration, Outcome, ProgressFn, refused_by_check

OPERATION = "DeregisterDelegatedAdministrator"


def deregister(
    ctx: AwsContext,
    snap: Snapshot,
    account_id: str,
    *,
    now: datetime | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
    destination: Destination = DEFAULT_DESTINATION,
) -> Deregistration:
    """Deregister the account for every service it administers now. Never raises. The
    live checks before and after assess it for `destination` (the verdict it will have)."""
    now = now or datetime.now(timezone.utc)
    check = check_account(ctx, snap, account_id, now, destination=destination)
    account = check.account or snap.accounts.get(account_id)
    name = account.name if account and account.name else account_id
    who = account_label(name, account_id)
    if check.gone or check.error is not None:
        write = Write(
            "deregister", OPERATION, "deregister_delegated_administrator", {}, account_id, name
        )
        outcome = (
            Outcome(
                account_id,
                name,
                "gone",
                f"{who} is no longer in the organization; nothing was sent.",
                check=check,
            )
            if check.gone
            else refused_by_check(account_id, name, check, "deregistered")
        )
        if not check.gone:
            record_refusal(check.snapshot, write, outcome)
        return Deregistration((outcome,), None)
    live = check.snapshot

    def one(service: str) -> Outcome:
        # One live check decides every service of the account (it lists them); each
        # service's write passes that gate.
        write = Write(
            "deregister",
            OPERATION,
            "deregister_delegated_administrator",
            {"AccountId": account_id, "ServicePrincipal": service},
            account_id,
            name,
            started={"target": service},
        )
        return perform(
            ctx,
            lambda: Gate(live, write, None, check),
            confirm=lambda passed, response: Outcome(
                account_id,
                name,
                "done",
                f"{who} is no longer delegated administrator for {service}.",
                sent=True,
                request_id=request_id(response),
                target=service,
            ),
            on_failure=lambda passed, exc: _failed(ctx, account_id, name, service, exc),
        )

    outcomes = for_each(check.delegated, one, progress=progress, stop=stop)
    after = check_account(ctx, snap, account_id, now, destination=destination)
    return Deregistration(tuple(outcomes), after)


def _failed(
    ctx: AwsContext, account_id: str, name: str, service: str, exc: BaseException
) -> Outcome:
    err = translate(exc, profile=ctx.profile)
    who = account_label(name, account_id)
    # The read-only guard, missing credentials or an unreachable endpoint stop the call
    # before it is sent; an answer (or a lost one) means it was.
    sent = isinstance(exc, (ClientError, ReadTimeoutError, ConnectionClosedError))
    base: dict[str, Any] = dict(
        sent=sent,
        code=err.code,
        reason=err.reason,
        request_id=err.request_id,
        error=err,
        target=service,
    )
    if err.code == "AccountNotRegisteredException":
        return Outcome(
            account_id,
            name,
            "done",
            f"{who} was no longer delegated administrator for {service}.",
            **base,
        )
    if err.code in UNCERTAIN or isinstance(exc, (ReadTimeoutError, ConnectionClosedError)):
        registered = _still_registered(ctx, account_id, service)
        if registered is False:
            return Outcome(
                account_id,
                name,
                "done",
                f"{who} is no longer delegated administrator for {service} (AWS answered "
                f"{err.code or 'nothing'}, then showed it deregistered).",
                **base,
            )
        if registered is None:
            return Outcome(
                account_id,
                name,
                "unknown",
                f"AWS failed while deregistering {who} for {service}; it may or may not be done.",
                "Reload (ctrl+r) to see, then try again if needed.",
                **base,
            )
    return Outcome(
        account_id,
        name,
        "refused",
        f"{who} is still delegated administrator for {service}: {err.what}",
        err.fix,
        **base,
    )


def _still_registered(ctx: AwsContext, account_id: str, service: str) -> bool | None:
    try:
        items = ctx.pages(
            "list_delegated_services_for_account", "DelegatedServices", AccountId=account_id
        )
    except Exception as exc:
        return False if error_code(exc) == "AccountNotRegisteredException" else None
    return any(s.get("ServicePrincipal") == service for s in items)
