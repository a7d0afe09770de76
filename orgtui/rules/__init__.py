"""The rules: pure functions of (account, snapshot, now) -> findings, and the verdict.

`readiness` holds what AWS checks before an account may leave; `attestation` what the
team recorded (the attestation tag) and what AWS refused before; `impact` what the
removal destroys or cuts off (StackSets, Control Tower, Identity Center, RAM, SCPs). To
add a rule, write a function with the `Rule` signature in the module it belongs to, append
it to `RULES` (the order of `RULES` is the order of the findings), name its codes in
`RULE_CODES`, and test it.

Which rules apply depends on the destination (DESIGN.md "Destinations"): `assess(account,
snapshot, now, destination)` runs the destination's rules (`rules_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from orgtui.collector import paused
from orgtui.model import (
    DEFAULT_DESTINATION,
    Account,
    Assessment,
    Destination,
    Finding,
    Snapshot,
    Verdict,
)
from orgtui.rules import scopes
from orgtui.rules.attestation import removal_refused
from orgtui.rules.closing import already_closing, close_is_final, not_active_to_close
from orgtui.rules.impact import (
    control_tower_enrolled,
    identity_center_lost,
    leave_denied,
    leave_denied_transfer,
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
from orgtui.rules.recovery import recovery_contacts_missing

Rule = Callable[[Account, Snapshot, datetime], Iterable[Finding]]

# The standalone departure's rules (RemoveAccountFromOrganization, LeaveOrganization).
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
    # who can get back in once it is out (only when the contacts were read)
    recovery_contacts_missing,
)

# A transfer (InviteAccountToOrganization from the target organization, AcceptHandshake by
# the account) has no standalone step: no payment method, contact information or support
# plan is asked for, so the standalone rules drop out (REMOVAL_REFUSED only ever holds
# standalone reasons). The four-day wait stays: AWS documents it for every departure. The
# account still departs (departureMethod LEFT), so tags, policies and impact all apply;
# the account accepts as itself, so an SCP denying LeaveOrganization is a warning.
_STANDALONE_ONLY = (removal_refused, standalone_unverified)
TRANSFER_RULES: tuple[Rule, ...] = tuple(
    leave_denied_transfer if rule is leave_denied else rule
    for rule in RULES
    if rule not in _STANDALONE_ONLY
)
# Closing (CloseAccount) keeps the account in the organization, SUSPENDED: no standalone,
# tag or impact finding; a delegated administrator's services would lose it.
CLOSE_RULES: tuple[Rule, ...] = (
    delegated_admin,
    already_closing,
    not_active_to_close,
    close_is_final,
)
RULES_BY_DESTINATION: Mapping[Destination, tuple[Rule, ...]] = {
    "standalone": RULES,
    "transfer": TRANSFER_RULES,
    "close": CLOSE_RULES,
}

# The codes each rule yields (a test checks that no rule yields another): `reassess`
# tells by its code which rule a finding came from.
RULE_CODES: Mapping[Rule, tuple[str, ...]] = {
    delegated_admin: ("DELEGATED_ADMIN",),
    wait_period: ("WAIT_PERIOD_ACTIVE",),
    not_active: ("NOT_ACTIVE",),
    removal_refused: ("REMOVAL_REFUSED",),
    standalone_unverified: ("STANDALONE_UNVERIFIED", "STANDALONE_ATTESTED"),
    tags_deleted: ("TAGS_WILL_BE_DELETED",),
    policies_stop: ("POLICIES_STOP_APPLYING",),
    stacksets_deleted: ("STACKSET_STACKS_DELETED",),
    control_tower_enrolled: ("CONTROL_TOWER_ENROLLED",),
    identity_center_lost: ("IDENTITY_CENTER_ACCESS_LOST",),
    ram_shares_lost: ("RAM_SHARES_LOST",),
    leave_denied: ("LEAVE_DENIED_BY_SCP",),
    leave_denied_transfer: ("LEAVE_DENIED_BY_SCP",),
    already_closing: ("ALREADY_CLOSING",),
    not_active_to_close: ("NOT_ACTIVE",),
    close_is_final: ("CLOSE_IS_FINAL",),
    recovery_contacts_missing: ("RECOVERY_CONTACTS_MISSING",),
}


# The accounts each rule can find anything for (orgtui/rules/scopes.py); a rule not
# named here is asked about every account.
RULE_SCOPES: Mapping[Rule, Callable[[Snapshot, datetime], scopes.Scope]] = {
    delegated_admin: scopes.delegated,
    wait_period: scopes.waiting,
    not_active: scopes.inactive,
    standalone_unverified: scopes.standalone,
    removal_refused: scopes.refused,
    tags_deleted: scopes.tagged,
    stacksets_deleted: scopes.stack_instances,
    control_tower_enrolled: scopes.control_tower,
    identity_center_lost: scopes.provisioned,
    ram_shares_lost: scopes.shared,
    leave_denied: scopes.leave_denied,
    leave_denied_transfer: scopes.leave_denied,
    recovery_contacts_missing: scopes.recovery_read,
}

# Rules whose findings for an account with no policy attached to itself depend on its
# parent alone (the policies it inherits, named where they are attached), so they are the
# same for all such siblings: `assess_all` asks them once per parent. Every account of a
# large organization meets POLICIES_STOP_APPLYING, most through its OU.
PER_PARENT: frozenset[Rule] = frozenset({policies_stop, leave_denied, leave_denied_transfer})
# An assessment with nothing found: one object shared by every such account.
_NOTHING_FOUND = Assessment((), "ready")


# Rules that yield a finding exactly when another does, worded for their destination:
# `Reassess` runs one only for the accounts where its twin found something.
TWINS: Mapping[Rule, Rule] = {
    leave_denied_transfer: leave_denied,
    leave_denied: leave_denied_transfer,
}


def rules_for(destination: Destination) -> tuple[Rule, ...]:
    return RULES_BY_DESTINATION[destination]


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    verdict: Verdict = "ready"
    for finding in findings:
        if finding.severity == "blocker":
            return "blocked"
        if finding.severity == "warning":
            verdict = "review"
    return verdict


def assess(
    account: Account,
    snap: Snapshot,
    now: datetime,
    destination: Destination = DEFAULT_DESTINATION,
) -> Assessment:
    """Findings and verdict for one account, were it to leave for `destination`.

    The management account gets MANAGEMENT_ACCOUNT alone, whatever the destination: it
    can never leave, so the other findings would be noise.
    """
    mgmt = tuple(management_account(account, snap, now))
    if mgmt:
        return Assessment(mgmt, "blocked")
    findings = tuple(f for rule in rules_for(destination) for f in rule(account, snap, now))
    return Assessment(findings, verdict_of(findings))


def assess_all(
    snap: Snapshot,
    now: datetime,
    destination: Destination = DEFAULT_DESTINATION,
    account_ids: Iterable[str] | None = None,
) -> dict[str, Assessment]:
    """Every account's assessment (or these accounts'), in the order given: the one way
    the report and the TUI's view assess many accounts, the same answer as `assess` for
    each (a test holds it to that).

    Rule by rule rather than account by account: each rule is asked only about the
    accounts in its scope (`RULE_SCOPES`), its findings appended in the rules' order. What
    a root or OU passes down (its ancestors, the policies inherited) is computed once per
    container and shared by the accounts under it (`Snapshot.per_container`)."""
    with paused():  # all it makes lives on: a collection would scan it for nothing
        return _assess_all(snap, now, destination, account_ids)


def _assess_all(
    snap: Snapshot,
    now: datetime,
    destination: Destination,
    account_ids: Iterable[str] | None,
) -> dict[str, Assessment]:
    ids = list(snap.accounts if account_ids is None else account_ids)
    management = snap.organization.management_account_id
    wanted = {acc_id: snap.accounts[acc_id] for acc_id in ids if acc_id != management}
    found: dict[str, list[Finding]] = {}
    for rule in rules_for(destination):
        scope_of = RULE_SCOPES.get(rule)
        scope = None if scope_of is None else scope_of(snap, now)
        if scope is None:
            targets: Iterable[Account] = wanted.values()
        else:
            targets = [wanted[acc_id] for acc_id in scope if acc_id in wanted]
        if rule in PER_PARENT:
            _found_per_parent(rule, targets, snap, now, found)
            continue
        for account in targets:
            for finding in rule(account, snap, now):
                _add(found, account.id, finding)
    assessed: dict[str, Assessment] = {}
    # Accounts given the same finding objects (those an OU passes down, the ones worded
    # alike for every such account) share one Assessment: most accounts of a large
    # organization, whose findings are their parent's. Keyed by the findings' identities,
    # alive for the whole loop (the lists hold them).
    alike: dict[tuple[int, ...], Assessment] = {}
    found_of, alike_get = found.get, alike.get  # 50,000 times each: bound once
    for acc_id in ids:
        listed = found_of(acc_id)
        if listed is not None:
            key = tuple(map(id, listed))
            shared = alike_get(key)
            if shared is None:
                findings = tuple(listed)
                shared = alike[key] = Assessment(findings, verdict_of(findings))
            assessed[acc_id] = shared
        elif acc_id == management:  # MANAGEMENT_ACCOUNT alone
            assessed[acc_id] = assess(snap.accounts[acc_id], snap, now, destination)
        else:
            assessed[acc_id] = _NOTHING_FOUND
    return assessed


def _found_per_parent(
    rule: Rule,
    targets: Iterable[Account],
    snap: Snapshot,
    now: datetime,
    found: dict[str, list[Finding]],
) -> None:
    """`rule`'s findings for `targets`, into `found`: an account with no policy attached
    to itself gets its parent's findings, asked of the rule once per parent (the rule
    gives its siblings the same ones)."""
    of_parent: dict[str, tuple[Finding, ...]] = {}
    inherits_only = snap.inherits_only
    for account in targets:
        if inherits_only(account.id):
            findings = of_parent.get(account.parent_id)
            if findings is None:
                findings = of_parent[account.parent_id] = tuple(rule(account, snap, now))
        else:
            findings = tuple(rule(account, snap, now))
        for finding in findings:
            _add(found, account.id, finding)


def _add(found: dict[str, list[Finding]], account_id: str, finding: Finding) -> None:
    listed = found.get(account_id)
    if listed is None:  # no empty list made for nothing, as setdefault would
        found[account_id] = [finding]
    else:
        listed.append(finding)


class Reassess:
    """`assess(account, snap, now, to)` from the account's assessment for `from_`,
    running only the rules `to` has and `from_` has not; the findings of the rules both
    have are kept. The same answer as `assess` (a test holds it to that), in a fraction
    of the time: switching destination at 10,000 accounts stays within a frame.

    Returns the assessment it was given when nothing changes, so that callers can tell
    the accounts whose assessment changed by identity.
    """

    def __init__(self, from_: Destination, to: Destination) -> None:
        source, target = rules_for(from_), rules_for(to)
        self._from_rule = {code: rule for rule in source for code in RULE_CODES[rule]}
        self._kept = frozenset(source) & frozenset(target)
        new = [rule for rule in target if rule not in self._kept]
        # A new rule whose twin was run: it needs running only where the twin found.
        self._new = tuple(
            (rule, RULE_CODES[TWINS[rule]] if TWINS.get(rule) in source else None) for rule in new
        )
        # Where each code of the target's rules stands in the findings' order.
        self._rank = {code: i for i, rule in enumerate(target) for code in RULE_CODES[rule]}

    def __call__(
        self, found: Assessment, account: Account, snap: Snapshot, now: datetime
    ) -> Assessment:
        if account.id == snap.organization.management_account_id:
            return found  # MANAGEMENT_ACCOUNT alone, for every destination
        kept = [f for f in found.findings if self._from_rule[f.code] in self._kept]
        codes = {f.code for f in found.findings}
        fresh = [
            f
            for rule, twin in self._new
            if twin is None or not codes.isdisjoint(twin)
            for f in rule(account, snap, now)
        ]
        if not fresh and len(kept) == len(found.findings):
            return found
        # A stable sort: findings of one rule keep their order.
        findings = tuple(sorted(kept + fresh, key=lambda f: self._rank[f.code]))
        return Assessment(findings, verdict_of(findings))


__all__ = [
    "CLOSE_RULES",
    "RULES",
    "RULES_BY_DESTINATION",
    "RULE_CODES",
    "RULE_SCOPES",
    "TRANSFER_RULES",
    "WAIT_PERIOD",
    "Reassess",
    "Rule",
    "assess",
    "assess_all",
    "rules_for",
    "verdict_of",
]
