"""The plan of an invitation into this organization (DESIGN.md "Destinations"): decided
before any call, what each invitation carries and what orgtui refuses.

`plan_invites` (pure) refuses an id that is not 12 digits, the caller's own account, an
account already in this organization (the snapshot), tags beyond AWS's limits (named by
account and key), a hand-over file from another partition, a caller that is not the
management account. Each invitation's tags come from the hand-over report's `tags` for the
account when it lists any, else from orgtui's newest tag backup of it
(`files.newest_tag_backup`), else none; the plan says which (`tag_source`, `tag_words`).
`prepare_invites` reads the backups, then plans. `aws/invite.py` sends the plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from orgtui import files
from orgtui.files.backups import TagBackup
from orgtui.files.handover import HandOver, partition_of
from orgtui.handshakes import tag_problems
from orgtui.ids import normalize_account_id
from orgtui.model import Snapshot, frozen_map, iso
from orgtui.text import account_label, clean, plural

TagSource = Literal["report", "backup", "none"]
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
