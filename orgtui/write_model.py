"""The data of a write, shared by the writes (`orgtui.aws`), the session and the UI:
the live re-check's result (`LiveCheck`), what happened to each account (`Outcome`,
`Deregistration`), the close quota the dialog shows, and the pure steps between them
(a refusal in words from a check, a snapshot with one account's live details).

Nothing here calls AWS or touches a file: the UI may import it without reaching `aws/`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from orgtui.errors import OrgtuiError
from orgtui.model import Account, Assessment, Snapshot, Verdict, frozen_map

Status = Literal["removed", "done", "gone", "refused", "unknown"]
# The audit line's word for each status.
# (index of the account being worked on, how many in all, its id, its outcome or None
# while it is still in progress). Called from the worker thread.
ProgressFn = Callable[[int, int, str, "Outcome | None"], None]

QUOTA_FLOOR, QUOTA_SHARE, QUOTA_CAP = 250, 0.20, 1000
# AWS's refusals that concern the whole organization: a bulk close stops at the first.
QUOTA_REASONS = frozenset({"CLOSE_ACCOUNT_QUOTA_EXCEEDED", "CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED"})


@dataclass(frozen=True)
class LiveCheck:
    """What AWS says about an account right now, assessed by the readiness rules.

    `snapshot` is the view updated with the live organization, caller, account, tags and
    delegated services; `assessment` is computed on it and decides the write. `gone`
    means AWS no longer knows the account in this organization. `error` means the check
    could not be completed: the write is then refused, since a stale view must not decide
    it. `problems` lists parts a member caller could not read (tags, delegation).
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


@dataclass(frozen=True)
class Outcome:
    """What happened to one account (or one of its services, `target`).

    status: `removed` (it left), `done` (attested, deregistered), `gone` (it was no longer
    in the organization), `refused` (by orgtui before any call, or by AWS; `what`/`fix`
    say why), `unknown` (AWS failed, or claimed a success that can't be seen; reload).
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
    target: str = ""
    # The organization as known after the write (attest, deregister): for the view to
    # update without a reload.
    after: Snapshot | None = None

    @property
    def ok(self) -> bool:
        """The write did what was asked (or there was nothing left to do)."""
        return self.status in ("removed", "done", "gone")

    @property
    def left_view(self) -> bool:
        """The account is out of the organization: the UI drops it from the tree."""
        return self.status in ("removed", "gone")


@dataclass(frozen=True)
class Deregistration:
    """What happened to each service (`outcomes`, `target` is the service principal),
    and the account as AWS shows it afterwards (`after`, None when nothing was tried)."""

    outcomes: tuple[Outcome, ...]
    after: LiveCheck | None

    @property
    def done(self) -> list[str]:
        return [o.target for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


@dataclass(frozen=True)
class CloseQuota:
    """The organization's close quota, as orgtui estimates it."""

    limit: int
    used: int

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def line(self) -> str:
        return f"closures left in the rolling 30 days (estimate): {self.left} of {self.limit}"


def quota_limit(member_accounts: int) -> int:
    """The higher of 250 or 20% of the member accounts, at most 1,000."""
    return min(QUOTA_CAP, max(QUOTA_FLOOR, math.floor(member_accounts * QUOTA_SHARE)))


def refused_by_check(account_id: str, name: str, check: LiveCheck, verb: str) -> Outcome:
    """The outcome of a write the live check did not allow."""
    if check.error is not None:
        err = check.error
        return Outcome(
            account_id,
            name,
            "refused",
            f"Not {verb}: the live re-check failed. {err.what}",
            err.fix,
            code=err.code,
            reason=err.reason,
            request_id=err.request_id,
            check=check,
            error=err,
        )
    assert check.assessment is not None
    blockers = check.assessment.blockers
    what = f"Not {verb}: " + " ".join(f.message for f in blockers)
    fix = " ".join(f.fix for f in blockers)
    codes = ",".join(f.code for f in blockers)
    return Outcome(account_id, name, "refused", what, fix, code=codes, check=check)


def updated_snapshot(
    snap: Snapshot, account: Account, tags: Mapping[str, str], delegated: tuple[str, ...]
) -> Snapshot:
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
    return replace(
        snap,
        accounts=frozen_map(accounts),
        tags=frozen_map(all_tags),
        delegated=frozen_map(all_delegated),
    )


def summarize(outcomes: Iterable[Outcome]) -> dict[str, list[Outcome]]:
    """Outcomes grouped by status, for the summary the UI shows."""
    groups: dict[str, list[Outcome]] = {
        "removed": [],
        "done": [],
        "gone": [],
        "refused": [],
        "unknown": [],
    }
    for outcome in outcomes:
        groups[outcome.status].append(outcome)
    return groups
