"""Which accounts a rule can find anything for, read from the snapshot's indexes.

A rule's scope is a quick "no" for the accounts outside it: `assess_all` runs the rule
only for the accounts in its scope. Most of an organization's accounts have no tags of
note, no delegation, no stack instance, no permission set and no recorded refusal, and
many organizations have no Control Tower, no resource share and no SCP denying
LeaveOrganization at all: at 50,000 accounts, asking every rule about every account was
most of the first frame from the cache (benchmarks/RESULTS.md).

A scope may hold more than the accounts the rule finds something for, never fewer; a test
holds every scope to that (tests/test_rule_scopes.py). `None` means every account. A scope
is read at the moment assessed (`now`): the four-day wait's is the accounts still in it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from orgtui.model import Snapshot, utc
from orgtui.rules.impact import leave_denial
from orgtui.rules.readiness import WAIT_PERIOD

Scope = Collection[str] | None


def created(snap: Snapshot, now: datetime) -> Scope:
    return [a.id for a in snap.accounts.values() if a.joined_method == "CREATED"]


def waiting(snap: Snapshot, now: datetime) -> Scope:
    # The four-day wait is for accounts created in the organization, and only its first
    # four days: a third of a large organization's accounts were created in it, a handful
    # of them this week. A time without a zone is left to the rule (it reads it as UTC).
    start = (utc(now) or now) - WAIT_PERIOD
    return [
        a.id
        for a in snap.accounts.values()
        if a.joined_method == "CREATED"
        and (
            a.joined_timestamp is None
            or a.joined_timestamp.tzinfo is None
            or a.joined_timestamp > start
        )
    ]


def standalone(snap: Snapshot, now: datetime) -> Scope:
    # A member can't read how any account joined: each may be unverified.
    return None if snap.member_mode else created(snap, now)


def inactive(snap: Snapshot, now: datetime) -> Scope:
    return [a.id for a in snap.accounts.values() if a.state != "ACTIVE"]


def delegated(snap: Snapshot, now: datetime) -> Scope:
    return snap.delegated.keys()


def refused(snap: Snapshot, now: datetime) -> Scope:
    return snap.refusals.keys()


def tagged(snap: Snapshot, now: datetime) -> Scope:
    return snap.tags.keys()


def stack_instances(snap: Snapshot, now: datetime) -> Scope:
    return snap.impact.stack_instances.keys()


def control_tower(snap: Snapshot, now: datetime) -> Scope:
    # Stacks, an OU's baseline or the account's own: every account may be enrolled.
    return None if snap.impact.control_tower_on else ()


def provisioned(snap: Snapshot, now: datetime) -> Scope:
    return snap.impact.provisioned.keys()


def shared(snap: Snapshot, now: datetime) -> Scope:
    # A share can reach every account (through the organization or an OU).
    return None if any(not s.retain_on_leave for s in snap.impact.shares.values()) else ()


def leave_denied(snap: Snapshot, now: datetime) -> Scope:
    # Only a policy document that denies LeaveOrganization yields the finding.
    documents = snap.impact.scp_documents.values()
    return None if any(leave_denial(doc) is not None for doc in documents) else ()


def recovery_read(snap: Snapshot, now: datetime) -> Scope:
    return snap.recovery.keys()
