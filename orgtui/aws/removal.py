"""Removing accounts from the organization (and leaving it, for a member): the one
destructive part of orgtui, built so that it cannot surprise anyone.

Order of events for every account, each step finished before the next starts:

1. a **live re-check** (DescribeAccount, ListDelegatedServicesForAccount,
   ListTagsForResource) re-assessed with the readiness rules, so that a stale view never
   decides a removal; a blocked account is refused here and no write call is sent;
2. ``files.check_writable()``, then the **tag backup** written and fsynced, then the
   **audit line** ``remove-started`` appended and fsynced; if either fails, no call;
3. the call: RemoveAccountFromOrganization (or LeaveOrganization for a member caller)
   through ``ctx.call`` (ConcurrentModificationException retried there, throttling by
   botocore);
4. an audit line with the outcome (ok, gone, or the error code, Reason and request id).

A ServiceException (HTTP 500) or a lost answer is not retried blindly: DescribeAccount
tells whether the account actually left. Nothing here imports textual; the UI runs these
functions in a thread worker. Credentials never reach the audit log or the backups: only
the caller's ARN and account id.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from orgtui import files
from orgtui.aws.codes import DENIED, UNCERTAIN, error_code, is_throttle
from orgtui.aws.errors import translate
from orgtui.aws.session import AwsContext
from orgtui.errors import OrgtuiError
from orgtui.model import Account, Assessment, Snapshot, Verdict, frozen_map
from orgtui.rules import assess

Status = Literal["removed", "gone", "refused", "unknown"]
# (index of the account being worked on, how many in all, its id, its outcome or None
# while it is still in progress). Called from the worker thread.
ProgressFn = Callable[[int, int, str, "Outcome | None"], None]



# Backoff between throttled attempts of a write call (seconds; tests shorten it).
THROTTLE_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0)

_write_clients: weakref.WeakKeyDictionary[AwsContext, Any] = weakref.WeakKeyDictionary()
_write_lock = threading.Lock()


def write_client(ctx: AwsContext) -> Any:
    """An Organizations client for the write calls, with botocore's retries off.

    botocore retries HTTP 500 answers and lost connections, which for a removal could
    repeat a call that AWS already carried out. Writes go through this client once;
    throttling (the request was not carried out) is retried by `send_write`, and an
    internal error is followed by a DescribeAccount instead. The client comes from the
    context's session, so the read-only guard and the call counting apply to it.
    """
    with _write_lock:
        client = _write_clients.get(ctx)
        if client is None:
            ctx.org  # noqa: B018 - raises NoCredentialsError the same way the reads do
            client = ctx.session.client(
                "organizations", region_name=ctx.region,
                endpoint_url=ctx.options.endpoint_url,
                config=ctx.config.merge(Config(retries={"mode": "standard",
                                                        "total_max_attempts": 1})),
            )
            _write_clients[ctx] = client
        return client


def send_write(ctx: AwsContext, operation: str, **kwargs: Any) -> Any:
    """One write call: ConcurrentModificationException retried by ctx.call, throttling
    (TooManyRequestsException: nothing was done) retried here with backoff, nothing else."""
    method = getattr(write_client(ctx), operation)
    for delay in (*THROTTLE_BACKOFF, None):
        try:
            return ctx.call(method, **kwargs)
        except ClientError as exc:
            if not is_throttle(exc) or delay is None:
                raise
        time.sleep(delay)
    raise AssertionError("unreachable")


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


# --- the live re-check -----------------------------------------------------------------


@dataclass(frozen=True)
class LiveCheck:
    """What AWS says about an account right now, assessed by the readiness rules.

    `snapshot` is the view updated with the live account, tags and delegated services;
    `assessment` is computed on it and decides the removal. `gone` means AWS no longer
    knows the account in this organization. `error` means the check could not be
    completed: the removal is then refused, since a stale view must not decide it.
    `problems` lists parts a member caller could not read (tags, delegation).
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


def check_account(ctx: AwsContext, snap: Snapshot, account_id: str,
                  now: datetime | None = None) -> LiveCheck:
    """Re-read one account live and assess it again.

    Never raises for AWS errors: a failure to read ends in `LiveCheck.error` (the
    removal is then refused). A member caller may not read its own details, tags or
    delegation (AccessDeniedException): what the snapshot knows is used, and the gap
    is recorded in `problems`.
    """
    now = _now(now)
    known = snap.accounts.get(account_id)
    stale_verdict = assess(known, snap, now).verdict if known else None
    tolerate_denied = not snap.is_management_caller
    problems: list[str] = []
    profile = ctx.options.profile

    def fail(exc: BaseException) -> LiveCheck:
        return LiveCheck(account_id, known, snap, None, error=translate(exc, profile=profile),
                         stale_verdict=stale_verdict)

    # The account itself.
    parent_id = known.parent_id if known else (snap.roots[0].id if snap.roots else "")
    try:
        raw = ctx.call(ctx.org.describe_account, AccountId=account_id)["Account"]
        account: Account = Account.from_api(raw, parent_id)
    except ClientError as exc:
        code = error_code(exc)
        if code == "AccountNotFoundException":
            return LiveCheck(account_id, known, snap, None, gone=True,
                             stale_verdict=stale_verdict)
        if code in DENIED and tolerate_denied and known is not None:
            account = known
            problems.append("account details could not be read live (a member account "
                            "may not call DescribeAccount); the last known details are used")
        else:
            return fail(exc)
    except Exception as exc:  # network, read-only guard, credentials
        return fail(exc)

    # Its delegated-administrator roles.
    try:
        items = ctx.pages("list_delegated_services_for_account", "DelegatedServices",
                          AccountId=account_id)
        delegated = tuple(s["ServicePrincipal"] for s in items)
    except ClientError as exc:
        code = error_code(exc)
        if code == "AccountNotRegisteredException":
            delegated = ()
        elif code == "AccountNotFoundException":
            return LiveCheck(account_id, known, snap, None, gone=True,
                             stale_verdict=stale_verdict)
        elif code in DENIED and tolerate_denied:
            delegated = snap.delegated_services_of(account_id)
            problems.append("delegated-administrator roles could not be read (management "
                            "account only); AWS refuses the call if there are any")
        else:
            return fail(exc)
    except Exception as exc:
        return fail(exc)

    # Its tags (what the backup will hold).
    try:
        items = ctx.pages("list_tags_for_resource", "Tags", ResourceId=account_id)
        tags = {t["Key"]: t["Value"] for t in items}
    except ClientError as exc:
        code = error_code(exc)
        if code in DENIED and tolerate_denied:
            tags = dict(snap.tags_of(account_id))
            problems.append("tags could not be read (management account only); the backup "
                            "holds the tags last known")
        elif code in ("AccountNotFoundException", "TargetNotFoundException"):
            return LiveCheck(account_id, known, snap, None, gone=True,
                             stale_verdict=stale_verdict)
        else:
            return fail(exc)
    except Exception as exc:
        return fail(exc)

    live = updated_snapshot(snap, account, tags, delegated)
    return LiveCheck(account_id, account, live, assess(account, live, now), tags=tags,
                     delegated=delegated, problems=tuple(problems),
                     stale_verdict=stale_verdict)


def updated_snapshot(snap: Snapshot, account: Account, tags: Mapping[str, str],
                     delegated: tuple[str, ...]) -> Snapshot:
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
    return replace(snap, accounts=frozen_map(accounts), tags=frozen_map(all_tags),
                   delegated=frozen_map(all_delegated))


def check_accounts(ctx: AwsContext, snap: Snapshot, account_ids: Iterable[str],
                   now: datetime | None = None) -> dict[str, LiveCheck]:
    """Live checks for several accounts, one after the other."""
    return {a: check_account(ctx, snap, a, now) for a in account_ids}


# --- outcomes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What happened to one account.

    status: `removed` (it left), `gone` (it was no longer in the organization; drop it
    from the view), `refused` (by orgtui before any call, or by AWS; `what`/`fix` say
    why), `unknown` (AWS failed in a way that leaves it unclear; reload to see).
    `sent` says whether the write call was sent to AWS.
    """

    account_id: str
    name: str
    status: Status
    what: str
    fix: str = ""
    sent: bool = False
    code: str = ""
    reason: str = ""
    request_id: str = ""
    backup: Path | None = None
    check: LiveCheck | None = None
    notes: tuple[str, ...] = ()
    error: OrgtuiError | None = None

    @property
    def ok(self) -> bool:
        """The account is out of the organization (removed now, or already gone)."""
        return self.status in ("removed", "gone")

    @property
    def left_view(self) -> bool:
        """The UI should drop the account from the tree."""
        return self.ok


def _label(account_id: str, snap: Snapshot, check: LiveCheck | None = None) -> str:
    if check is not None and check.account is not None and check.account.name:
        return check.account.name
    acc = snap.accounts.get(account_id)
    return acc.name if acc and acc.name else account_id


def _refused_by_check(account_id: str, name: str, check: LiveCheck) -> Outcome:
    if check.error is not None:
        err = check.error
        return Outcome(account_id, name, "refused",
                       f"Not removed: the live re-check failed. {err.what}",
                       err.fix, code=err.code, reason=err.reason,
                       request_id=err.request_id, check=check, error=err)
    assert check.assessment is not None
    blockers = check.assessment.blockers
    what = "Not removed: " + " ".join(f.message for f in blockers)
    fix = " ".join(f.fix for f in blockers)
    codes = ",".join(f.code for f in blockers)
    return Outcome(account_id, name, "refused", what, fix, code=codes, check=check)


# --- removal ---------------------------------------------------------------------------


def remove(ctx: AwsContext, snap: Snapshot, account_id: str, *,
           now: datetime | None = None) -> Outcome:
    """Remove one account from the organization, safely. Never raises."""
    return _act(ctx, snap, account_id, now=now, leave=False)


def leave(ctx: AwsContext, snap: Snapshot, *, now: datetime | None = None) -> Outcome:
    """LeaveOrganization for the caller's own (member) account, with the same re-check,
    backup and audit log as a removal. Never raises."""
    return _act(ctx, snap, snap.caller.account, now=now, leave=True)


def remove_many(ctx: AwsContext, snap: Snapshot, account_ids: Iterable[str], *,
                now: datetime | None = None,
                progress: ProgressFn | None = None,
                leave_own: bool = False,
                stop: threading.Event | None = None) -> list[Outcome]:
    """Remove several accounts, one at a time, going on past failures.

    `progress(i, total, account_id, None)` is called before each account and
    `progress(i, total, account_id, outcome)` after it. With `leave_own`, the caller's own
    account (member mode) goes through LeaveOrganization instead. When `stop` is set (the
    terminal closed), the account in flight is finished and logged, and no other starts.
    """
    ids = list(dict.fromkeys(account_ids))
    outcomes: list[Outcome] = []
    for i, account_id in enumerate(ids):
        if stop is not None and stop.is_set():
            files.append_audit("remove-stopped", not_attempted=ids[i:],
                               organization_id=snap.organization.id,
                               caller_arn=snap.caller.arn,
                               reason="orgtui was stopped (the terminal closed)")
            break
        if progress:
            progress(i, len(ids), account_id, None)
        is_own = leave_own and account_id == snap.caller.account
        try:
            outcome = _act(ctx, snap, account_id, now=now, leave=is_own)
        except Exception as exc:  # _act does not raise; this is the last safety net
            err = translate(exc)
            outcome = Outcome(account_id, _label(account_id, snap), "refused", err.what,
                              err.fix, error=err)
        outcomes.append(outcome)
        if outcome.ok:
            snap = snap.without_account(account_id)
        if progress:
            progress(i, len(ids), account_id, outcome)
    return outcomes


def summarize(outcomes: Iterable[Outcome]) -> dict[str, list[Outcome]]:
    """Outcomes grouped by status, for the summary the UI shows."""
    groups: dict[str, list[Outcome]] = {"removed": [], "gone": [], "refused": [],
                                        "unknown": []}
    for outcome in outcomes:
        groups[outcome.status].append(outcome)
    return groups


def _audit_base(snap: Snapshot, account_id: str, name: str, operation: str) -> dict[str, Any]:
    # Only the caller's ARN and account: never keys, tokens or session names beyond the ARN.
    return {
        "operation": operation,
        "caller_arn": snap.caller.arn,
        "caller_account": snap.caller.account,
        "organization_id": snap.organization.id,
        "account_id": account_id,
        "account_name": name,
    }


def _act(ctx: AwsContext, snap: Snapshot, account_id: str, *, now: datetime | None,
         leave: bool) -> Outcome:
    now = _now(now)
    operation = "LeaveOrganization" if leave else "RemoveAccountFromOrganization"
    verb = "leave" if leave else "remove"
    profile = ctx.options.profile

    # 1. The live re-check decides, not the view.
    check = check_account(ctx, snap, account_id, now)
    name = _label(account_id, snap, check)
    if check.gone:
        return Outcome(account_id, name, "gone",
                       f"{name} ({account_id}) is no longer in the organization; nothing "
                       "was sent.", "It was probably removed elsewhere; the view drops it.",
                       code="AccountNotFoundException", check=check)
    if check.blocked:
        outcome = _refused_by_check(account_id, name, check)
        _try_audit(f"{verb}-refused", outcome="refused", sent=False,
                   findings=outcome.code, what=outcome.what,
                   **_audit_base(snap, account_id, name, operation))
        return outcome

    # 2. Backup and audit line first; no call without both on disk.
    try:
        files.check_writable()
        backup = files.backup_tags(
            snap.organization.id, account_id, check.tags,
            extra={
                "account_name": name,
                "caller_arn": snap.caller.arn,
                "before": operation,
                "tags_complete": check.tags_complete,
                "problems": list(check.problems),
            },
        )
        files.append_audit(
            f"{verb}-started", **_audit_base(snap, account_id, name, operation),
            verdict=check.verdict, backup=str(backup),
        )
    except files.StoreError as exc:
        return Outcome(account_id, name, "refused", f"Not removed: {exc.what}", exc.fix,
                       code="LocalWriteFailed", check=check)

    # 3. The call.
    try:
        if leave:
            response = send_write(ctx, "leave_organization")
        else:
            response = send_write(ctx, "remove_account_from_organization",
                                  AccountId=account_id)
    except Exception as exc:
        outcome = _after_failure(ctx, snap, account_id, name, exc, check, backup, operation,
                                 profile)
    except BaseException:
        # ctrl+c (or the terminal closing) while the call was in flight: whether AWS carried
        # it out is unknown; say so in the log before going down.
        _try_audit(f"{verb}-interrupted", **_audit_base(snap, account_id, name, operation),
                   outcome="unknown", message="Interrupted while the call was in flight; "
                   "reload to see whether the account left.")
        raise
    else:
        request_id = str(response.get("ResponseMetadata", {}).get("RequestId", ""))
        done = "left the organization" if leave else "was removed from the organization"
        outcome = Outcome(
            account_id, name, "removed", f"{name} ({account_id}) {done}.",
            f"Its tags were backed up to {backup}. It now pays its own bills.",
            sent=True, request_id=request_id, backup=backup, check=check,
        )

    # 4. The outcome, on disk.
    result = {"removed": "ok", "gone": "gone", "refused": "error", "unknown": "unknown"}[
        outcome.status]
    try:
        files.append_audit(
            f"{verb}-{result}", **_audit_base(snap, account_id, name, operation),
            outcome=result, code=outcome.code, reason=outcome.reason,
            request_id=outcome.request_id, message=outcome.what,
        )
    except files.StoreError as exc:
        outcome = replace(outcome, notes=(*outcome.notes,
                                          f"The outcome could not be logged: {exc.what}"))
    return outcome


def _try_audit(event: str, **fields: Any) -> None:
    """A best-effort audit line for a refusal made before any call."""
    with contextlib.suppress(files.StoreError):
        files.append_audit(event, **fields)


def _after_failure(ctx: AwsContext, snap: Snapshot, account_id: str, name: str,
                   exc: BaseException, check: LiveCheck, backup: Path, operation: str,
                   profile: str | None) -> Outcome:
    err = translate(exc, profile=profile)
    code = err.code
    base: dict[str, Any] = dict(sent=True, code=code, reason=err.reason,
                                request_id=err.request_id, backup=backup, check=check,
                                error=err)
    if code == "AccountNotFoundException" or (
            operation == "LeaveOrganization" and code == "AWSOrganizationsNotInUseException"):
        return Outcome(account_id, name, "gone",
                       f"{name} ({account_id}) was already gone from the organization.",
                       "Nothing else to do; the view drops it.", **base)
    lost_answer = isinstance(exc, (ReadTimeoutError, ConnectionClosedError))
    # A bare 5xx (no AWS error in the body) came from a gateway that may have passed the
    # call on: as uncertain as an internal error.
    bare_5xx = code.isdigit() and int(code) >= 500
    if code in UNCERTAIN or lost_answer or bare_5xx:
        return _find_truth(ctx, snap, account_id, name, err, base, operation)
    what, fix = err.what, err.fix
    if code == "ConstraintViolationException" and (
            err.reason == "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG") and check.delegated:
        services = ", ".join(check.delegated)
        what = f"AWS refused: the account is a delegated administrator for {services}."
        fix = (f"Deregister it as delegated administrator for {services} (organizations "
               "deregister-delegated-administrator, or each service's console), then try "
               "again.")
    # The read-only guard, missing credentials or an unreachable endpoint stop the call
    # before it is sent.
    base["sent"] = isinstance(exc, ClientError)
    return Outcome(account_id, name, "refused", f"{name} ({account_id}) stays: {what}", fix,
                   **base)


def _find_truth(ctx: AwsContext, snap: Snapshot, account_id: str, name: str,
                err: OrgtuiError, base: dict[str, Any], operation: str) -> Outcome:
    """After an internal error, ask DescribeAccount whether the account actually left."""
    try:
        if operation == "LeaveOrganization":
            ctx.call(ctx.org.describe_organization)
        else:
            ctx.call(ctx.org.describe_account, AccountId=account_id)
    except ClientError as exc:
        code = error_code(exc)
        if code in ("AccountNotFoundException", "AWSOrganizationsNotInUseException"):
            return Outcome(
                account_id, name, "removed",
                f"{name} ({account_id}) left the organization (AWS answered with an internal "
                "error, but the account is no longer in the organization).",
                f"Its tags were backed up to {base['backup']}.",
                notes=(f"AWS answered {err.code}; DescribeAccount then found the account "
                       "gone.",), **base)
    except Exception:  # the truth stays unknown, said below
        pass
    else:
        return Outcome(
            account_id, name, "refused",
            f"{name} ({account_id}) stays in the organization: {err.what}",
            f"{err.fix} orgtui checked afterwards: the account is still a member.",
            notes=(f"AWS answered {err.code}; DescribeAccount then found the account still "
                   "in the organization.",), **base)
    return Outcome(
        account_id, name, "unknown",
        f"AWS had an internal error during {operation} for {name} ({account_id}), and orgtui "
        "could not tell whether the account left.",
        "Reload (ctrl+r) to see whether it is still in the organization, then try again if "
        "it is.", **base)
