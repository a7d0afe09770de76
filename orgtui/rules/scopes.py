"""Which accounts a rule can find anything for, read from the snapshot's indexes.

A rule's scope is a quick "no" for the accounts outside it: `assess_all` runs the rule
only for the accounts in its scope. Most of an organization's accounts have no tags of
note, no delegation, no stack instance, no permission set and no recorded refusal, and
many organizations have no Control Tower, no resource share and no SCP denying
LeaveOrganization at all: at 50,000 accounts, asking every rule about every account was
most of the first frame from the cache (benchmarks/RESULTS.md).

A scope may hold more than the accounts the rule finds something for, never fewer; a test
holds every scope to that (tests/rules/test_scopes.py). `None` means every account.
"""

from __future__ import annotations

from collections.abc import Collection

from orgtui.model import Snapshot
from orgtui.rules.impact import leave_denial

Scope = Collection[str] | None


def created(snap: Snapshot) -> Scope:
    # The four-day wait is for accounts created in the organization.
    return [a.id for a in snap.accounts.values() if a.joined_method == "CREATED"]


def standalone(snap: Snapshot) -> Scope:
    # A member can't read how any account joined: each may be unverified.
    return None if snap.member_mode else created(snap)


def inactive(snap: Snapshot) -> Scope:
    return [a.id for a in snap.accounts.values() if a.state != "ACTIVE"]


def delegated(snap: Snapshot) -> Scope:
    return snap.delegated.keys()


def refused(snap: Snapshot) -> Scope:
    return snap.refusals.keys()


def tagged(snap: Snapshot) -> Scope:
    return snap.tags.keys()


def stack_instances(snap: Snapshot) -> Scope:
    return snap.impact.stack_instances.keys()


def control_tower(snap: Snapshot) -> Scope:
    # Stacks, an OU's baseline or the account's own: every account may be enrolled.
    return None if snap.impact.control_tower_on else ()


def provisioned(snap: Snapshot) -> Scope:
    return snap.impact.provisioned.keys()


def shared(snap: Snapshot) -> Scope:
    # A share can reach every account (through the organization or an OU).
    return None if any(not s.retain_on_leave for s in snap.impact.shares.values()) else ()


def leave_denied(snap: Snapshot) -> Scope:
    # Only a policy document that denies LeaveOrganization yields the finding.
    documents = snap.impact.scp_documents.values()
    return None if any(leave_denial(doc) is not None for doc in documents) else ()


def recovery_read(snap: Snapshot) -> Scope:
    return snap.recovery.keys()
