"""Impact rules: what the removal destroys or cuts off. They never change what AWS allows.

Pure functions of (account, snapshot, now) over `snap.impact`, which the impact readers
filled (orgtui/aws/impact.py). A check that was skipped left its part of `snap.impact`
empty, so its rule finds nothing; the report and the TUI say which checks were skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from orgtui.model import Account, Finding, Snapshot
from orgtui.text import plural

# The codes of these rules, in the order they are listed: what breaks when the account
# leaves (the TUI groups them as "What breaks").
IMPACT_CODES = (
    "STACKSET_STACKS_DELETED",
    "CONTROL_TOWER_ENROLLED",
    "IDENTITY_CENTER_ACCESS_LOST",
    "RAM_SHARES_LOST",
    "LEAVE_DENIED_BY_SCP",
)
LEAVE_ACTION = "organizations:LeaveOrganization"
_ACCOUNT_ID = re.compile(r"\d{12}")
_OU_PRINCIPAL = re.compile(r":ou/o-[^/]+/(ou-[0-9a-z]+-[0-9a-z]+)$")
_IAM_PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):")


def _deleting(account: Account, snap: Snapshot) -> list[tuple[Any, tuple[str, ...]]]:
    """The StackSets whose stacks CloudFormation deletes in the account, with regions."""
    return sorted(
        (
            (s, regions)
            for s, regions in snap.impact.stacks_of(account.id)
            if s.deletes_stacks_on_leave
        ),
        key=lambda item: (item[0].name.lower(), item[0].region),
    )


def stacksets_deleted(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    deleting = _deleting(account, snap)
    if deleting:
        listed = "; ".join(f"{s.name} ({', '.join(regions)})" for s, regions in deleting)
        yield Finding(
            "STACKSET_STACKS_DELETED",
            "warning",
            f"CloudFormation deletes the stacks of {plural(len(deleting), 'StackSet')}, and "
            f"the resources in them, when the account leaves (service-managed, automatic "
            f"deployment, stacks not retained): {listed}.",
            "Set RetainStacksOnAccountRemoval on these StackSets first (aws cloudformation "
            "update-stack-set --stack-set-name NAME --auto-deployment "
            "Enabled=true,RetainStacksOnAccountRemoval=true), or accept the deletion "
            "knowingly after copying what must survive.",
        )


def control_tower_enrolled(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    impact = snap.impact
    if not impact.control_tower_on:
        return
    stacks = sorted(
        ((s, regions) for s, regions in impact.stacks_of(account.id) if s.control_tower),
        key=lambda item: item[0].name.lower(),
    )
    evidence = []
    if stacks:
        listed = "; ".join(f"{s.name} ({', '.join(regions)})" for s, regions in stacks)
        evidence.append(
            f"it holds stacks of Control Tower's {plural(len(stacks), 'StackSet')} {listed}"
        )
    if account.parent_id in impact.baseline_targets:
        evidence.append(
            f"its OU {snap.node_name(account.parent_id)} ({account.parent_id}) "
            "has an enabled Control Tower baseline"
        )
    if account.id in impact.baseline_targets:
        evidence.append("it has an enabled Control Tower baseline of its own")
    if evidence:
        yield Finding(
            "CONTROL_TOWER_ENROLLED",
            "warning",
            f"Enrolled in AWS Control Tower: {'; '.join(evidence)}. Removed while enrolled, "
            "it leaves Control Tower drifted until the landing zone is repaired.",
            "Unmanage it in Control Tower first: terminate its Account Factory provisioned "
            "product (Service Catalog), wait until Control Tower has finished, then remove "
            "it.",
        )


def identity_center_lost(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    names = snap.impact.permission_set_names(account.id)
    if names:
        yield Finding(
            "IDENTITY_CENTER_ACCESS_LOST",
            "notice",
            f"IAM Identity Center provisions {plural(len(names), 'permission set')} to the "
            f"account: {', '.join(names)}. Everyone who signs in through "
            f"{'it' if len(names) == 1 else 'them'} loses access when the account leaves.",
            "Plan another way in before removing it (IAM roles or users in the account, or "
            "the new organization's Identity Center), and tell the people assigned; delete "
            "the assignments afterwards.",
        )


def _reach(principal: str, account: Account, snap: Snapshot) -> str | None:
    """How a RAM principal reaches the account, in words; None if it doesn't."""
    principal = principal.strip()
    if _ACCOUNT_ID.fullmatch(principal):
        return "shared with the account" if principal == account.id else None
    if ":organization/" in principal:
        org_id = principal.rsplit("/", 1)[-1]
        return "through the organization" if org_id == snap.organization.id else None
    ou = _OU_PRINCIPAL.search(principal)
    if ou:
        ou_id = ou.group(1)
        if ou_id in snap.ancestors(account.id):
            return f"through OU {snap.node_name(ou_id)}"
        return None
    iam = _IAM_PRINCIPAL.match(principal)
    if iam and iam.group(1) == account.id:
        return "shared with a role or user in the account"
    return None


def _lost_shares(account: Account, snap: Snapshot) -> list[str]:
    """The shares that stop reaching the account, each as `name (region, how)`."""
    lost: list[str] = []
    for share in sorted(snap.impact.shares.values(), key=lambda s: (s.name.lower(), s.arn)):
        if share.retain_on_leave:
            continue
        ways = list(
            dict.fromkeys(w for w in (_reach(p, account, snap) for p in share.principals) if w)
        )
        if ways:
            lost.append(f"{share.name} ({share.region}, {', '.join(ways)})")
    return lost


def lost_counts(account: Account, snap: Snapshot) -> dict[str, int]:
    """How many things each impact finding names (StackSets deleting their stacks,
    permission sets, resource shares): for a one-line summary of what breaks."""
    return {
        "STACKSET_STACKS_DELETED": len(_deleting(account, snap)),
        "IDENTITY_CENTER_ACCESS_LOST": len(snap.impact.permission_set_names(account.id)),
        "RAM_SHARES_LOST": len(_lost_shares(account, snap)),
    }


def ram_shares_lost(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    lost = _lost_shares(account, snap)
    if lost:
        yield Finding(
            "RAM_SHARES_LOST",
            "notice",
            f"{plural(len(lost), 'resource share')} of account {snap.caller.account} "
            f"{'stops' if len(lost) == 1 else 'stop'} reaching the account when it leaves: "
            f"{'; '.join(lost)}.",
            "Make sure the account no longer needs the shared resources (subnets, transit "
            "gateways, resolver rules, ...), or turn on retainSharingOnAccountLeaveOrganization "
            "in the share's configuration where it must keep them.",
        )


@dataclass(frozen=True)
class LeaveDenial:
    """How a policy denies LeaveOrganization: outright, or only under conditions."""

    conditional: bool
    condition_keys: tuple[str, ...] = ()


def action_matches(pattern: str, action: str = LEAVE_ACTION) -> bool:
    """IAM action matching: case-insensitive, `*` any run of characters, `?` one."""
    regex = "".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.lower()
    )
    return re.fullmatch(regex, action.lower(), flags=re.DOTALL) is not None


def _patterns(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _denies_leave(statement: Any) -> bool:
    if not isinstance(statement, dict) or str(statement.get("Effect", "")).lower() != "deny":
        return False
    if "Action" in statement:
        return any(action_matches(p) for p in _patterns(statement["Action"]))
    if "NotAction" in statement:
        return not any(action_matches(p) for p in _patterns(statement["NotAction"]))
    return False


@lru_cache(maxsize=4096)
def leave_denial(document: str) -> LeaveDenial | None:
    """Whether a policy document denies organizations:LeaveOrganization, and how.

    A Deny whose Action matches it (exact, `organizations:*`, `*`, a wildcard), or whose
    NotAction does not. Unconditional when any such statement has no Condition; else
    conditional, with the condition keys of those statements. Cached: the same documents
    are asked about for every account they apply to.
    """
    try:
        doc = json.loads(document)
    except (ValueError, TypeError):
        return None
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return None
    denying = [s for s in statements if _denies_leave(s)]
    if not denying:
        return None
    if any(not s.get("Condition") for s in denying):
        return LeaveDenial(conditional=False)
    keys: dict[str, None] = {}
    for s in denying:
        condition = s.get("Condition")
        for operator in condition.values() if isinstance(condition, dict) else ():
            if isinstance(operator, dict):
                keys.update(dict.fromkeys(str(k) for k in operator))
    return LeaveDenial(conditional=True, condition_keys=tuple(keys))


def _leave_denials(account: Account, snap: Snapshot) -> tuple[list[str], bool, bool]:
    """The SCPs that deny LeaveOrganization to the account, each as `name (attached to
    ...; conditional on ...)`; whether every one of them is conditional; whether there is
    only one."""
    documents = snap.impact.scp_documents
    where: dict[str, list[str]] = {}  # policy id -> nodes it is attached to
    names: dict[str, str] = {}
    for applied in snap.applied_policies(account.id):
        policy = applied.policy
        if policy.type == "SERVICE_CONTROL_POLICY" and policy.id in documents:
            where.setdefault(policy.id, []).append(applied.attached_to)
            names[policy.id] = policy.name
    listed = []
    conditional_only = True
    for policy_id, nodes in where.items():
        denial = leave_denial(documents[policy_id])
        if denial is None:
            continue
        attached = " and ".join(f"{snap.node_name(n)} {n}" for n in dict.fromkeys(nodes))
        text = f"{names[policy_id]} (attached to {attached}"
        if denial.conditional:
            keys = ", ".join(denial.condition_keys) or "a condition"
            text += f"; conditional on {keys}"
        else:
            conditional_only = False
        listed.append(text + ")")
    return listed, conditional_only, len(listed) == 1


def _denies(listed: list[str], conditional_only: bool, one: bool) -> str:
    how = "may deny" if conditional_only else "denies" if one else "deny"
    return (
        f"{'An SCP' if one else 'SCPs'} {how} {LEAVE_ACTION} to the account: {'; '.join(listed)}."
    )


def leave_denied(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    if snap.inherits_only(account.id):  # its parent's SCPs: the same finding as its siblings'
        return snap.per_container(
            "leave_denied", account.parent_id, lambda: tuple(_leave_denied(account, snap))
        )
    return _leave_denied(account, snap)


def _leave_denied(account: Account, snap: Snapshot) -> Iterator[Finding]:
    listed, conditional_only, one = _leave_denials(account, snap)
    if listed:
        consequence = (
            "Unless the condition is met, it can't leave the organization on its own"
            if conditional_only
            else "It can't leave the organization on its own"
        )
        yield Finding(
            "LEAVE_DENIED_BY_SCP",
            "notice",
            f"{_denies(listed, conditional_only, one)} {consequence}; removal from the "
            "management account is unaffected.",
            "Remove it from the management account (as orgtui does). For the account to leave "
            f"on its own, detach {'this SCP' if one else 'these SCPs'} or move the account out "
            f"of {'its' if one else 'their'} reach first.",
        )


def leave_denied_transfer(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    """The transfer's LEAVE_DENIED_BY_SCP, a warning: in a transfer the account itself
    accepts the other organization's invitation, and leaves this one as it does, so no
    call from the management account can step around the SCP."""
    listed, conditional_only, one = _leave_denials(account, snap)
    if listed:
        may = "unless the condition is met, " if conditional_only else ""
        yield Finding(
            "LEAVE_DENIED_BY_SCP",
            "warning",
            f"{_denies(listed, conditional_only, one)} In a transfer the account accepts the "
            f"invitation itself, leaving this organization as it does: {may}the SCP can make "
            "AWS refuse the acceptance.",
            f"Before the account accepts, detach {'this SCP' if one else 'these SCPs'} or move "
            f"the account out of {'its' if one else 'their'} reach.",
        )
