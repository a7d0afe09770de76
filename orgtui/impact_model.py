"""What the impact readers found: StackSets, Control Tower, Identity Center, RAM, SCP texts.

Plain frozen data held by `Snapshot.impact`. The impact rules (orgtui.rules.impact) read
it; the report shows `checks`; the cache stores it. Everything here is organization-wide
and keyed by account only where AWS answers per account (stack instances, provisioned
permission sets), so `without_account` stays cheap.

A check that was never made is absent from `checks`: a snapshot loaded without the
impact read says so (`Impact.check`) rather than pretending nothing breaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

CheckStatus = Literal["checked", "skipped"]
# The five impact checks, in the order the report lists them.
CHECK_NAMES = ("stacksets", "control_tower", "identity_center", "ram", "scp_leave")
# Checks read region by region: their report entry names the regions read.
REGIONAL_CHECKS = frozenset({"stacksets", "ram"})
CONTROL_TOWER_PRINCIPAL = "controltower.amazonaws.com"
CONTROL_TOWER_STACKSET_PREFIX = "AWSControlTowerBP-"
NOT_READ = "not read in this load"

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _frozen(data: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True)
class Check:
    """Whether one impact check was made; if not, why (words a person can act on)."""

    status: CheckStatus
    reason: str = ""  # why it was skipped
    regions: tuple[str, ...] = ()  # the regions read (StackSets, RAM)
    note: str = ""  # what a checked check could not see (a region, a best-effort read)

    @property
    def checked(self) -> bool:
        return self.status == "checked"

    def to_report(self, name: str) -> dict[str, Any]:
        """The entry of the JSON report's `checks` block (DESIGN.md)."""
        out: dict[str, Any] = {"status": self.status}
        if self.status == "skipped":
            out["reason"] = self.reason
        elif name in REGIONAL_CHECKS:
            out["regions"] = list(self.regions)
        if self.note:
            out["note"] = self.note
        return out


def skipped(reason: str) -> Check:
    return Check("skipped", reason=reason)


@dataclass(frozen=True)
class StackSetInfo:
    """A StackSet worth reading instances of: service-managed, or Control Tower's."""

    id: str  # StackSetId (name:uuid), unique across regions
    name: str
    region: str  # the region it is administered from
    permission_model: str  # SERVICE_MANAGED or SELF_MANAGED
    auto_deployment: bool = False
    retain_stacks: bool = False  # AutoDeployment.RetainStacksOnAccountRemoval
    ou_ids: tuple[str, ...] = ()  # the OUs it deploys to (DescribeStackSet)

    @property
    def deletes_stacks_on_leave(self) -> bool:
        """CloudFormation deletes this set's stacks in an account that leaves."""
        return (
            self.permission_model == "SERVICE_MANAGED"
            and self.auto_deployment
            and not self.retain_stacks
        )

    @property
    def control_tower(self) -> bool:
        return self.name.startswith(CONTROL_TOWER_STACKSET_PREFIX)


@dataclass(frozen=True)
class PermissionSetInfo:
    arn: str
    name: str
    instance_arn: str


@dataclass(frozen=True)
class ResourceShareInfo:
    arn: str
    name: str
    region: str
    # Principals as RAM lists them: the organization's ARN, OU ARNs, account ids, or IAM
    # role and user ARNs.
    principals: tuple[str, ...] = ()
    # resourceShareConfiguration.retainSharingOnAccountLeaveOrganization
    retain_on_leave: bool = False


@dataclass(frozen=True)
class Assignees:
    """Who signs in to one account through Identity Center."""

    users: int
    groups: int


@dataclass(frozen=True)
class Impact:
    """What the impact readers found, and which checks were made."""

    checks: Mapping[str, Check] = field(default_factory=lambda: _EMPTY)
    stack_sets: Mapping[str, StackSetInfo] = field(default_factory=lambda: _EMPTY)
    # account id -> (StackSetId, region of the stack instance) pairs
    stack_instances: Mapping[str, tuple[tuple[str, str], ...]] = field(
        default_factory=lambda: _EMPTY
    )
    trusted_services: tuple[str, ...] = ()  # ListAWSServiceAccessForOrganization
    # OU and account ids with an enabled Control Tower baseline (ListEnabledBaselines)
    baseline_targets: frozenset[str] = frozenset()
    identity_center_region: str = ""
    permission_sets: Mapping[str, PermissionSetInfo] = field(default_factory=lambda: _EMPTY)
    # account id -> ARNs of the permission sets provisioned to it
    provisioned: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    shares: Mapping[str, ResourceShareInfo] = field(default_factory=lambda: _EMPTY)
    # SCP id -> its policy document (JSON text, as DescribePolicy returns it)
    scp_documents: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    def check(self, name: str) -> Check:
        """The check's state; a check never made reads as skipped, "not read"."""
        return self.checks.get(name) or skipped(NOT_READ)

    def checked(self, name: str) -> bool:
        return self.check(name).checked

    @property
    def unchecked(self) -> tuple[str, ...]:
        """Names of the checks that were not made, in report order."""
        return tuple(n for n in CHECK_NAMES if not self.checked(n))

    def skipped_words(self) -> list[str]:
        """The checks not made, with why: `identity_center (access denied: ...)`."""
        return group_skipped((n, self.check(n).reason) for n in self.unchecked)

    @property
    def control_tower_on(self) -> bool:
        return CONTROL_TOWER_PRINCIPAL in self.trusted_services

    def stacks_of(self, account_id: str) -> list[tuple[StackSetInfo, tuple[str, ...]]]:
        """The account's stack instances: each StackSet once, with its regions sorted."""
        regions: dict[str, set[str]] = {}
        for set_id, region in self.stack_instances.get(account_id, ()):
            if set_id in self.stack_sets:
                regions.setdefault(set_id, set()).add(region)
        return [(self.stack_sets[s], tuple(sorted(r))) for s, r in regions.items()]

    def permission_set_names(self, account_id: str) -> list[str]:
        """Names of the permission sets provisioned to the account, each once, sorted."""
        names = {
            self.permission_sets[arn].name if arn in self.permission_sets else arn
            for arn in self.provisioned.get(account_id, ())
        }
        return sorted(names, key=str.lower)

    def without_account(self, account_id: str) -> Impact:
        """The impact data after an account left: its own entries dropped."""
        return replace(
            self,
            stack_instances=_without(self.stack_instances, account_id),
            provisioned=_without(self.provisioned, account_id),
            baseline_targets=self.baseline_targets - {account_id},
        )


def _without(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    if key not in data:
        return data
    return _frozen({k: v for k, v in data.items() if k != key})


def group_skipped(skipped_checks: Iterable[tuple[str, str]]) -> list[str]:
    """(check name, reason) pairs in words, checks skipped for the same reason named
    together: `identity_center, ram (access denied: ...)`."""
    by_reason: dict[str, list[str]] = {}
    for name, reason in skipped_checks:
        by_reason.setdefault(reason or NOT_READ, []).append(name)
    return [f"{', '.join(names)} ({reason})" for reason, names in by_reason.items()]


def skipped_all(reason: str, names: Iterable[str] = CHECK_NAMES) -> Impact:
    """An Impact where every check (of `names`) was skipped for the same reason."""
    return Impact(checks=_frozen({n: skipped(reason) for n in names}))
