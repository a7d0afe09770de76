"""Inviting accounts into this organization (InviteAccountToOrganization), with their tags:
the target organization's side of a direct transfer (DESIGN.md "Destinations").

Two steps, as for every write:

1. `plan_invites` (pure) decides, before any call, what each invitation carries and what
   orgtui refuses: an id that is not 12 digits, the caller's own account, an account
   already in this organization (the snapshot), tags beyond AWS's limits (named by
   account and key), a hand-over file from another partition, a caller that is not the
   management account. Each invitation's tags come from the hand-over report's `tags`
   for the account when it lists any, else from orgtui's newest tag backup of it
   (`files.newest_tag_backup`), else none; the plan says which (`tag_source`,
   `tag_words`). `prepare_invites` reads the backups, then plans.
2. `invite_many` / `invite_one` re-check live (the organization and caller are the
   view's; DescribeAccount must answer AccountNotFoundException: the account is not a
   member; ListHandshakesForOrganization, read once per batch and kept up to date with
   the invitations sent, must hold no open invitation for it), then send the invitation
   through `writes.perform` (audit line `invite-started` whole on disk first, the
   outcome after, refused in audit mode by the read-only guard). A batch stops at the
   first refusal that concerns the whole organization (a daily invitation limit, the
   account quota, an unverified management email), like a bulk close at its quota.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from orgtui import files
from orgtui.aws.codes import UNCERTAIN, error_code
from orgtui.aws.errors import translate
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
from orgtui.files.backups import TagBackup
from orgtui.files.handover import HandOver, partition_of
from orgtui.handshakes import Handshake, tag_problems
from orgtui.ids import normalize_account_id
from orgtui.model import Snapshot, frozen_map, iso
from orgtui.text import account_label, clean, plural
from orgtui.write_model import Outcome, ProgressFn

OPERATION = "InviteAccountToOrganization"
VERB = "invite"
TagSource = Literal["report", "backup", "none"]

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
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class PlannedInvite:
    """One account to invite: the tags its invitation carries and where they came from,
    or why orgtui refuses to invite it (`refusal`, `fix`, `code`) before any call.
    `name` is for display (cleaned): the hand-over's, else the id."""

    account_id: str
    name: str
    tags: Mapping[str, str] = field(default_factory=dict)
    tag_source: TagSource = "none"
    tag_words: str = ""
    refusal: str = ""
    fix: str = ""
    code: str = ""
    # What the source organization's report said of the account (for the dialog: a
    # blocked account can be invited, but it can't accept until the source fixes it).
    source_verdict: str = ""
    source_findings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.refusal

    @property
    def label(self) -> str:
        return account_label(self.name, self.account_id)


@dataclass(frozen=True)
class InvitePlan:
    """What the invite dialog shows and `invite_many` sends: one entry per account asked
    for, in order, each once; `notes` are about the whole plan (the hand-over's)."""

    invites: tuple[PlannedInvite, ...]
    notes: tuple[str, ...] = ()

    @property
    def ready(self) -> tuple[PlannedInvite, ...]:
        return tuple(p for p in self.invites if p.ok)

    @property
    def refused(self) -> tuple[PlannedInvite, ...]:
        return tuple(p for p in self.invites if not p.ok)


def parse_account_ids(text: str) -> tuple[list[str], list[str]]:
    """Account ids typed by a person (separated by spaces, commas or new lines; dashes
    allowed): (the 12-digit ids, each once, in order; the words that are not ids)."""
    good: list[str] = []
    bad: list[str] = []
    for word in _SEPARATORS.split(text.strip()):
        if not word:
            continue
        account_id = normalize_account_id(word)
        if account_id is None:
            bad.append(word)
        elif account_id not in good:
            good.append(account_id)
    return good, bad


def _tag_words(source: TagSource, tags: Mapping[str, str], detail: str) -> str:
    if source == "none":
        return "no tags: none in the hand-over report, and no tag backup of this account"
    return f"{plural(len(tags), 'tag')} {detail}"


def plan_invites(
    snap: Snapshot,
    account_ids: Iterable[str],
    handover: HandOver | None = None,
    backups: Mapping[str, TagBackup | None] | None = None,
) -> InvitePlan:
    """Decide each invitation before any call (pure: the backups are read by the caller,
    `prepare_invites`). `account_ids` may be typed (dashes allowed) or the hand-over's."""
    backups = backups or {}
    notes: list[str] = list(handover.notes) if handover is not None else []
    everyone: str = ""  # a refusal that applies to every account
    fix_all = ""
    code_all = ""
    if not snap.is_management_caller:
        everyone = "only the organization's management account can invite accounts."
        fix_all = "Run orgtui with the credentials of the target organization's management account."
        code_all = "NOT_MANAGEMENT"
    elif handover is not None:
        mine = partition_of(snap.caller.arn)
        if handover.partition and mine and handover.partition != mine:
            everyone = (
                f"the hand-over report comes from the AWS partition {clean(handover.partition)}, "
                f"and this organization is in {clean(mine)}: an account can join only an "
                "organization of its own partition."
            )
            fix_all = "Invite these accounts from an organization in their own partition."
            code_all = "OTHER_PARTITION"
        if handover.organization_id == snap.organization.id:
            notes.append(
                "The hand-over report is this organization's own: its accounts are members already."
            )
    invites: list[PlannedInvite] = []
    seen: set[str] = set()
    for raw in account_ids:
        account_id = normalize_account_id(str(raw))
        if account_id is None:
            invites.append(
                PlannedInvite(
                    clean(str(raw)),
                    clean(str(raw)),
                    refusal=f"'{clean(str(raw))}' is not an account id: exactly 12 digits, as "
                    "111122223333 or the console's 1111-2222-3333.",
                    fix="Correct the id and try again.",
                    code="INVALID_ACCOUNT_ID",
                )
            )
            continue
        if account_id in seen:
            continue
        seen.add(account_id)
        invites.append(
            _plan_one(
                snap, account_id, handover, backups.get(account_id), everyone, fix_all, code_all
            )
        )
    return InvitePlan(tuple(invites), tuple(notes))


def _plan_one(
    snap: Snapshot,
    account_id: str,
    handover: HandOver | None,
    backup: TagBackup | None,
    everyone: str,
    fix_all: str,
    code_all: str,
) -> PlannedInvite:
    entry = handover.account(account_id) if handover is not None else None
    name = entry.name if entry is not None and entry.name else account_id
    source: TagSource = "none"
    tags: Mapping[str, str] = {}
    detail = ""
    if entry is not None and entry.tags:
        source, tags = "report", entry.tags
        detail = f"from the hand-over report {clean(str(handover.path))}"  # type: ignore[union-attr]
    elif backup is not None and backup.tags:
        source, tags = "backup", backup.tags
        when = iso(backup.backed_up_at) or "an unknown time"
        detail = f"from orgtui's tag backup of {when} ({clean(str(backup.path))})"
        if not backup.complete:
            detail += "; that backup says the tags could not all be read then"
    planned = PlannedInvite(
        account_id,
        name,
        frozen_map(tags),
        source,
        _tag_words(source, tags, detail),
        source_verdict=entry.verdict if entry is not None else "",
        source_findings=entry.finding_codes if entry is not None else (),
    )

    def refuse(what: str, fix: str, code: str) -> PlannedInvite:
        return replace(planned, refusal=f"Not invited: {what}", fix=fix, code=code)

    if everyone:
        return refuse(everyone, fix_all, code_all)
    if account_id == snap.caller.account:
        return refuse(
            f"{account_id} is your own account (the caller's).",
            "Invite the accounts of the other organization, not this one.",
            "OWN_ACCOUNT",
        )
    if account_id in snap.accounts:
        member = snap.accounts[account_id]
        return refuse(
            f"{account_label(clean(member.name), account_id)} is already a member of this "
            "organization.",
            "Nothing to do; to place it elsewhere, move it (m).",
            "ALREADY_MEMBER",
        )
    problems = tag_problems(account_id, tags)
    if problems:
        return refuse(
            " ".join(problems),
            "Fix the tags in the source organization (or in the file), or drop them; AWS "
            "would refuse the invitation as it is.",
            "TAG_LIMITS",
        )
    return planned


def prepare_invites(
    snap: Snapshot, account_ids: Iterable[str], handover: HandOver | None = None
) -> InvitePlan:
    """`plan_invites` with the newest tag backup of each account the hand-over gives no
    tags for (files read here: call it from a worker thread)."""
    ids = list(account_ids)
    backups: dict[str, TagBackup | None] = {}
    for raw in ids:
        account_id = normalize_account_id(str(raw))
        if account_id is None or account_id in backups:
            continue
        entry = handover.account(account_id) if handover is not None else None
        if entry is None or not entry.tags:
            backups[account_id] = files.newest_tag_backup(account_id)
    return plan_invites(snap, ids, handover, backups)


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
