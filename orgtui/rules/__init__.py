"""The rules: pure functions of (account, snapshot, now) -> findings, and the verdict.

`readiness` holds what AWS checks before an account may leave; `attestation` what the
team recorded (the attestation tag) and what AWS refused before; `impact` what the
removal destroys or cuts off (StackSets, Control Tower, Identity Center, RAM, SCPs). To
add a rule, write a function with the `Rule` signature in the module it belongs to, append
it to `RULES` (the order of `RULES` is the order of the findings), and test it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from orgtui.model import Account, Assessment, Finding, Snapshot, Verdict
from orgtui.rules.attestation import removal_refused
from orgtui.rules.impact import (
    control_tower_enrolled,
    identity_center_lost,
    leave_denied,
    ram_shares_lost,
    stacksets_deleted,
)
from orgtui.rules.readiness import (
    WAIT_PERIOD,
    delegated_admin,
    management_account,
    not_active,
    policies_stop,
    standalone_unverified,
    tags_deleted,
    wait_period,
)

Rule = Callable[[Account, Snapshot, datetime], Iterable[Finding]]

RULES: tuple[Rule, ...] = (
    delegated_admin,
    wait_period,
    not_active,
    removal_refused,
    standalone_unverified,
    tags_deleted,
    policies_stop,
    # impact: what breaks when the account leaves
    stacksets_deleted,
    control_tower_enrolled,
    identity_center_lost,
    ram_shares_lost,
    leave_denied,
)


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    severities = {f.severity for f in findings}
    if "blocker" in severities:
        return "blocked"
    if "warning" in severities:
        return "review"
    return "ready"


def assess(account: Account, snap: Snapshot, now: datetime) -> Assessment:
    """Findings and verdict for one account.

    The management account gets MANAGEMENT_ACCOUNT alone: it can never leave, so the
    other findings would be noise.
    """
    mgmt = tuple(management_account(account, snap, now))
    if mgmt:
        return Assessment(mgmt, "blocked")
    findings = tuple(f for rule in RULES for f in rule(account, snap, now))
    return Assessment(findings, verdict_of(findings))


def assess_all(snap: Snapshot, now: datetime) -> Mapping[str, Assessment]:
    return {acc_id: assess(acc, snap, now) for acc_id, acc in snap.accounts.items()}


__all__ = ["RULES", "WAIT_PERIOD", "Rule", "assess", "assess_all", "verdict_of"]
