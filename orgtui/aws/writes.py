"""The write discipline: the one way orgtui changes anything in AWS.

Removal, leave, attestation (TagResource), deregistration, close and move all go through
`perform`, which takes the live re-check as its first argument, so no write can skip it:

1. `gate()`: the write's own live re-check (`orgtui.aws.live`, or ListParents for a move)
   decides, on what AWS says now, either the call to make or why not; a refusal is logged
   (`<verb>-refused`) and nothing is sent. The person has typed the confirmation before;
2. `files.check_writable()`, the tag backup when the gate asks for one (removal, leave:
   AWS deletes the tags), then the audit line `<verb>-started`, whole and fsynced: when
   any of it can't be written, no call is made;
3. the call, through a client with botocore's retries off (`send_write`): a
   ConcurrentModificationException is retried by `ctx.call`, throttling here (nothing
   was done), nothing else is repeated blindly; the caller's `confirm` checks what a
   success answer claims, its `on_failure` words a failure (and asks AWS what happened
   when the answer was lost or an internal error);
4. the audit line with the outcome (`<verb>-ok`, `-error`, `-gone`, `-unknown`); ctrl+c
   during the call logs `<verb>-interrupted`.

The read-only guard of the session refuses every write below all of this. Credentials
never reach the audit log: only the caller's ARN and account.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.config import Config

from orgtui import files
from orgtui.aws.codes import is_throttle
from orgtui.aws.deadline import bound_answers
from orgtui.aws.session import AwsContext
from orgtui.errors import StoreError
from orgtui.model import Snapshot
from orgtui.write_model import Outcome, ProgressFn

if TYPE_CHECKING:
    from orgtui.write_model import LiveCheck

RESULT = {"removed": "ok", "done": "ok", "gone": "gone", "refused": "error", "unknown": "unknown"}
# Backoff between throttled attempts of a write call (seconds; tests shorten it).
THROTTLE_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0)

_write_lock = threading.Lock()


@dataclass(frozen=True)
class Write:
    """One write call, and what its audit lines say."""

    verb: str  # the audit events: <verb>-started, <verb>-ok, ...
    operation: str  # the AWS operation, for the log and the words
    method: str  # the client method
    params: Mapping[str, Any]
    account_id: str
    name: str
    started: Mapping[str, Any] = field(default_factory=dict)  # more fields for -started
    service: str = "organizations"


def write_client(ctx: AwsContext, service: str = "organizations") -> Any:
    """A client for the write calls, with botocore's retries off.

    botocore retries HTTP 500 answers and lost connections, which for a removal could
    repeat a call that AWS already carried out. Writes go through this client once;
    throttling (the request was not carried out) is retried by `send_write`, and an
    internal error is followed by a read that tells what happened. The client comes from
    the context's session, so the read-only guard and the call counting apply to it.
    """
    with _write_lock:
        clients = ctx.write_clients
        if service not in clients:
            ctx.client(service)  # raises NoCredentialsError the same way the reads do
            clients[service] = ctx.session.client(
                service,
                region_name=ctx.region,
                endpoint_url=ctx.options.endpoint_url,
                config=ctx.config.merge(
                    Config(
                        retries={"mode": "standard", "total_max_attempts": 1},
                        # A write may take AWS longer than a read; its answer is worth waiting
                        # for, since a lost one costs a check afterwards.
                        read_timeout=max(30.0, ctx.options.read_timeout),
                    )
                ),
            )
            # a dripping answer is cut as a lost one: the check afterwards tells what AWS did
            bound_answers(clients[service], max(60.0, ctx.options.answer_deadline))
        return clients[service]


def send_write(ctx: AwsContext, method: str, service: str = "organizations", **kwargs: Any) -> Any:
    """One write call: ConcurrentModificationException retried by ctx.call, throttling
    (nothing was done) retried here with backoff, nothing else."""
    call = getattr(write_client(ctx, service), method)
    for delay in (*THROTTLE_BACKOFF, None):
        try:
            return ctx.call(call, **kwargs)
        except Exception as exc:
            if not is_throttle(exc) or delay is None:
                raise
        time.sleep(delay)
    raise AssertionError("unreachable")


def audit_base(snap: Snapshot, account_id: str, name: str, operation: str) -> dict[str, Any]:
    # Only the caller's ARN and account: never keys, tokens or session names beyond the ARN.
    return {
        "operation": operation,
        "caller_arn": snap.caller.arn,
        "caller_account": snap.caller.account,
        "organization_id": snap.organization.id,
        "account_id": account_id,
        "account_name": name,
    }


def try_audit(event: str, **fields: Any) -> None:
    """A best-effort audit line for a refusal made before any call."""
    with contextlib.suppress(StoreError):
        files.append_audit(event, **fields)


def log_stopped(verb: str, snap: Snapshot, reason: str) -> Callable[[list[str]], None]:
    """The `on_stop` of `for_each`: one `<verb>-stopped` line naming the accounts not
    attempted (the terminal closed, or a refusal that stops the batch)."""

    def stopped(not_attempted: list[str]) -> None:
        try_audit(
            f"{verb}-stopped",
            not_attempted=not_attempted,
            organization_id=snap.organization.id,
            caller_arn=snap.caller.arn,
            reason=reason,
        )

    return stopped


def record_refusal(snap: Snapshot, write: Write, outcome: Outcome) -> Outcome:
    """Log a write that orgtui refused before any call (blocked by the live check)."""
    try_audit(
        f"{write.verb}-refused",
        outcome="refused",
        sent=False,
        findings=outcome.code,
        what=outcome.what,
        target=write.started.get("target", ""),
        **audit_base(snap, write.account_id, write.name, write.operation),
    )
    return outcome


@dataclass(frozen=True)
class Gate:
    """What a write's live re-check decided, on what AWS says now.

    `write` is the call to make, built from the live picture `snapshot` (whose
    organization and caller the audit lines name). `refusal` set: nothing is sent, and
    that is the outcome (a refusal is logged; an account already gone, or a move to where
    it already is, is not). `backup` set: the keyword
    arguments of `files.backup_tags` (the tags AWS deletes when the account leaves),
    written before the audit line; `perform` fills `backup_path` and adds it to the
    `-started` line.
    """

    snapshot: Snapshot
    write: Write
    refusal: Outcome | None = None
    check: LiveCheck | None = None
    backup: Mapping[str, Any] | None = None
    backup_path: Path | None = None


def perform(
    ctx: AwsContext,
    gate: Callable[[], Gate],
    *,
    confirm: Callable[[Gate, Any], Outcome],
    on_failure: Callable[[Gate, BaseException], Outcome],
) -> Outcome:
    """Make one write call under the discipline above: `gate()` first, then the local
    records, the call, the outcome. Never raises but for ctrl+c."""
    passed = gate()
    write = passed.write
    if passed.refusal is not None:
        if passed.refusal.status == "refused":
            record_refusal(passed.snapshot, write, passed.refusal)
        return passed.refusal
    base = audit_base(passed.snapshot, write.account_id, write.name, write.operation)
    try:
        files.check_writable()
        if passed.backup is not None:
            path = files.backup_tags(**passed.backup)
            write = replace(write, started={**write.started, "backup": str(path)})
            passed = replace(passed, write=write, backup_path=path)
        files.append_audit(f"{write.verb}-started", **base, **write.started)
    except StoreError as exc:
        return Outcome(
            write.account_id,
            write.name,
            "refused",
            f"Nothing was sent: {exc.what}",
            exc.fix,
            code="LocalWriteFailed",
            target=str(write.started.get("target", "")),
            check=passed.check,
        )
    try:
        response = send_write(ctx, write.method, write.service, **write.params)
    except Exception as exc:
        outcome = on_failure(passed, exc)
    except BaseException:
        # ctrl+c (or the terminal closing) while the call was in flight: whether AWS carried
        # it out is unknown; say so in the log before going down.
        try_audit(
            f"{write.verb}-interrupted",
            **base,
            outcome="unknown",
            message="Interrupted while the call was in flight; reload to see what AWS did.",
        )
        raise
    else:
        outcome = confirm(passed, response)
    result = RESULT[outcome.status]
    try:
        files.append_audit(
            f"{write.verb}-{result}",
            **base,
            outcome=result,
            code=outcome.code,
            reason=outcome.reason,
            request_id=outcome.request_id,
            message=outcome.what,
            target=outcome.target,
        )
    except StoreError as exc:
        outcome = replace(
            outcome, notes=(*outcome.notes, f"The outcome could not be logged: {exc.what}")
        )
    return outcome


def request_id(response: Any) -> str:
    return str((response or {}).get("ResponseMetadata", {}).get("RequestId", ""))


def for_each(
    ids: Iterable[str],
    act: Callable[[str], Outcome],
    *,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
    on_stop: Callable[[list[str]], None] | None = None,
    halt: Callable[[Outcome], bool] | None = None,
) -> list[Outcome]:
    """Act on several accounts one at a time, going on past failures. When `stop` is set
    (the terminal closed), the account in flight is finished and no other starts; when
    `halt(outcome)` says so (a quota refused), no other starts either. `on_stop` gets
    the accounts not attempted in both cases."""
    todo = list(dict.fromkeys(ids))
    outcomes: list[Outcome] = []
    for i, account_id in enumerate(todo):
        if stop is not None and stop.is_set():
            if on_stop is not None:
                on_stop(todo[i:])
            break
        if progress:
            progress(i, len(todo), account_id, None)
        outcome = act(account_id)
        outcomes.append(outcome)
        if progress:
            progress(i, len(todo), account_id, outcome)
        if halt is not None and halt(outcome) and i + 1 < len(todo):
            if on_stop is not None:
                on_stop(todo[i + 1 :])
            break
    return outcomes
