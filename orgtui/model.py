"""Immutable model of an organization as orgtui read it: accounts, OUs, policies, findings.

Everything here is plain data. The loader builds a `Snapshot`; readiness, the report, the
cache and the UI only read it. Changes (an account removed) produce a new snapshot.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from orgtui import ids
from orgtui.impact_model import Check, Impact
from orgtui.recovery import Recovery

Severity = Literal["blocker", "warning", "notice"]
Verdict = Literal["blocked", "review", "ready"]
# Where an account goes when it leaves (DESIGN.md "Destinations"): standalone (removed or
# left: it pays its own bills) or transfer (invited by another organization and accepted
# there, with no standalone step) or close (CloseAccount: it stays, SUSPENDED). Verdicts
# depend on it.
Destination = Literal["standalone", "transfer", "close"]
DESTINATIONS: tuple[Destination, ...] = ("standalone", "transfer", "close")
DEFAULT_DESTINATION: Destination = "standalone"
# What each destination means, in words (the Markdown report, the TUI's notice).
DESTINATION_WORDS: Mapping[str, str] = {
    "standalone": "removed from the organization, or leaving it, as standalone accounts",
    "transfer": "moved to another organization that invites them",
    "close": "closed (CloseAccount: they stay in the organization, SUSPENDED)",
}

FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
# AWS-managed allow-everything defaults, attached to every node while their policy type is
# enabled; they never stop anything, so they are not reported as "policies stop applying".
DEFAULT_POLICY_IDS = frozenset({FULL_AWS_ACCESS_ID, "p-RCPFullAWSAccess"})
# The tag that records "standalone sign-up checked" (setting `standalone_tag`).
DEFAULT_ATTEST_TAG = "orgtui:standalone-verified"
# How far ahead of this machine's clock a recorded time (an attestation, a refusal in the
# audit log) may be and still count: another admin's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)
ACCOUNT_STATES = ("PENDING_ACTIVATION", "ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED")

_EMPTY: Mapping[str, Any] = MappingProxyType({})
T = TypeVar("T")

# Results kept per snapshot, per container (`Snapshot._chain`, `Snapshot._inherited`): the
# ancestors and inherited policies of a root or OU, shared by every account under it
# (report.build and the TUI's OrgView assess every account; walking each account's
# ancestors again was half their time). Kept beside the snapshot, keyed by its id and
# dropped with it: a snapshot is immutable, so what was computed stays true; a changed
# organization is a new snapshot, with nothing kept.
_KEPT: dict[int, dict[tuple[str, str], Any]] = {}


def _kept(snap: Snapshot) -> dict[tuple[str, str], Any]:
    kept = _KEPT.get(id(snap))
    if kept is None:
        kept = _KEPT[id(snap)] = {}
        weakref.finalize(snap, _KEPT.pop, id(snap), None)
    return kept


def frozen_map(data: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """A read-only view of a copy of `data`, so that snapshots stay immutable."""
    return MappingProxyType(dict(data or {}))


def utc(ts: datetime | None) -> datetime | None:
    """The same instant in UTC (naive values are taken as UTC)."""
    if ts is None:
        return None
    if ts.tzinfo is None:
        return ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(timezone.utc)


def iso(ts: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, to the second, as the JSON report wants it."""
    ts = utc(ts)
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ") if ts else None


def required(raw: Mapping[str, Any], name: str, operation: str) -> Any:
    """A field an answer must have: its absence is the endpoint's fault, said in words."""
    if not isinstance(raw, Mapping) or raw.get(name) is None:
        from orgtui.errors import OrgtuiError

        raise OrgtuiError(
            f"The answer to {operation} has no {name} field: the endpoint does not answer "
            "as AWS does.",
            "Check --endpoint-url and any proxy between you and AWS, then try again.",
            code="MalformedAnswer",
        )
    return raw[name]


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


@dataclass(frozen=True)
class Organization:
    id: str
    arn: str
    management_account_id: str
    management_account_email: str
    feature_set: str

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Organization:
        """From DescribeOrganization's `Organization`; ids checked against their patterns."""
        where = "DescribeOrganization"
        return cls(
            id=ids.checked("organization", required(raw, "Id", where), where),
            arn=str(raw.get("Arn") or ""),
            management_account_id=ids.checked(
                "account", required(raw, "MasterAccountId", where), where
            ),
            management_account_email=str(raw.get("MasterAccountEmail") or ""),
            feature_set=str(raw.get("FeatureSet") or ""),
        )


@dataclass(frozen=True)
class Caller:
    account: str
    arn: str
    user_id: str = ""

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Caller:
        """From GetCallerIdentity."""
        where = "GetCallerIdentity"
        return cls(
            account=ids.checked("account", required(raw, "Account", where), where),
            arn=str(required(raw, "Arn", where)),
            user_id=str(raw.get("UserId") or ""),
        )

    @property
    def name(self) -> str:
        """Who the caller is, from its ARN: the user, the role session, or `root`."""
        resource = self.arn.split(":", 5)[-1] if self.arn.count(":") >= 5 else self.arn
        if resource == "root":
            return "root"
        return resource.rsplit("/", 1)[-1] or self.account

    @property
    def principal(self) -> str:
        """Who the caller is in full, from its ARN: `<account>/<role>/<session>` for an
        assumed role (`123456789012/OrgAdmin/alice`), `<account>/<name>` for a user or a
        federated user (an IAM path names no one), `<account>/root`. Another ARN is kept
        whole after the account."""
        parts = self.arn.split(":", 5)
        resource = parts[5] if len(parts) == 6 else self.arn
        kind, _, rest = resource.partition("/")
        if resource == "root":
            who = "root"
        elif kind == "assumed-role" and rest:
            who = rest
        elif kind in ("user", "federated-user") and rest:
            who = rest.rsplit("/", 1)[-1]
        else:
            who = resource
        return f"{self.account}/{who}" if who else self.account


@dataclass(frozen=True)
class Root:
    id: str
    name: str
    arn: str
    # Policy types enabled on the root: (type, status) pairs as ListRoots returns them.
    policy_types: tuple[tuple[str, str], ...] = ()

    @property
    def enabled_policy_types(self) -> tuple[str, ...]:
        return tuple(t for t, status in self.policy_types if status == "ENABLED")


@dataclass(frozen=True)
class OrgUnit:
    id: str
    name: str
    arn: str
    parent_id: str


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    email: str
    arn: str
    state: str
    joined_method: str
    joined_timestamp: datetime | None
    parent_id: str

    @classmethod
    def made(
        cls,
        id: str,
        name: str,
        email: str,
        arn: str,
        state: str,
        joined_method: str,
        joined_timestamp: datetime | None,
        parent_id: str,
    ) -> Account:
        """The same Account as `Account(...)` (equal, hashed alike, as frozen), made
        without the frozen dataclass's eight `object.__setattr__` calls: a third of the
        cost of reading 50,000 accounts from the cache."""
        made = object.__new__(cls)
        made.__dict__.update(
            id=id,
            name=name,
            email=email,
            arn=arn,
            state=state,
            joined_method=joined_method,
            joined_timestamp=joined_timestamp,
            parent_id=parent_id,
        )
        return made

    @classmethod
    def from_api(cls, raw: Mapping[str, Any], parent_id: str) -> Account:
        """Build from an Organizations `Account` structure.

        `Status` was retired in favour of `State`: read `State`, and `Status` only when
        `State` is absent.
        """
        state = raw.get("State") or raw.get("Status") or "UNKNOWN"
        return cls.made(
            id=ids.checked("account", required(raw, "Id", "an account listing"), "Account"),
            name=str(raw.get("Name") or ""),
            email=str(raw.get("Email") or ""),
            arn=str(raw.get("Arn") or ""),
            state=str(state),
            joined_method=str(raw.get("JoinedMethod") or "UNKNOWN"),
            joined_timestamp=utc(raw.get("JoinedTimestamp")),
            parent_id=parent_id,
        )


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    type: str
    aws_managed: bool = False


@dataclass(frozen=True)
class AppliedPolicy:
    """A policy that applies to a target, and the node (root, OU, account) it is attached to."""

    policy: Policy
    attached_to: str


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    fix: str


@dataclass(frozen=True)
class Refusal:
    """AWS refused to let an account leave (from the audit log): when, and its Reason."""

    time: datetime
    reason: str
    operation: str = "RemoveAccountFromOrganization"


@dataclass(frozen=True)
class Assessment:
    findings: tuple[Finding, ...]
    verdict: Verdict

    @property
    def blockers(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "blocker")


@dataclass(frozen=True)
class Snapshot:
    """What orgtui knows about an organization at one moment.

    `children` maps a parent id (root or OU) to its child OU ids and account ids, in the
    order AWS listed them. Enrichment maps (`tags`, `delegated`, `attachments`) are empty
    until enrichment ran; `enriched` says whether it did, and `problems` records parts
    that could not be read, so that partial data is never shown as complete. `impact`
    holds what the impact checks read (StackSets, Identity Center, RAM, SCP texts) and
    which of them were made.
    """

    organization: Organization
    caller: Caller
    roots: tuple[Root, ...]
    ous: Mapping[str, OrgUnit]
    accounts: Mapping[str, Account]
    child_ous: Mapping[str, tuple[str, ...]]
    child_accounts: Mapping[str, tuple[str, ...]]
    loaded_at: datetime
    tags: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: _EMPTY)
    delegated: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    policies: Mapping[str, Policy] = field(default_factory=lambda: _EMPTY)
    # target id (root, OU or account) -> ids of policies attached directly to it
    attachments: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    enriched: bool = False
    problems: tuple[str, ...] = ()
    member_mode: bool = False
    # Not from AWS, and not cached: set at each load. AWS's refusals of an account's
    # removal in this organization (the audit log), and the attestation tag's key.
    refusals: Mapping[str, tuple[Refusal, ...]] = field(default_factory=lambda: _EMPTY)
    attest_tag: str = DEFAULT_ATTEST_TAG
    # What could not be read about one account (its tags), in words, per account id.
    account_notes: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    impact: Impact = field(default_factory=Impact)
    # Who can still get in (orgtui/recovery.py), read on demand (--recovery, the detail
    # pane), never during the load: per account id; `recovery_check` is None when it was
    # not asked for, else whether it was made.
    recovery: Mapping[str, Recovery] = field(default_factory=lambda: _EMPTY)
    recovery_check: Check | None = None

    # --- structure -------------------------------------------------------------------

    def known(self, account_ids: Iterable[str]) -> list[str]:
        """These account ids, each once and in their order, that are in the organization."""
        return [a for a in dict.fromkeys(account_ids) if a in self.accounts]

    @property
    def is_management_caller(self) -> bool:
        return self.caller.account == self.organization.management_account_id

    def node_name(self, node_id: str) -> str:
        for root in self.roots:
            if root.id == node_id:
                return root.name
        if node_id in self.ous:
            return self.ous[node_id].name
        if node_id in self.accounts:
            return self.accounts[node_id].name
        return node_id

    def parent_of(self, node_id: str) -> str | None:
        if node_id in self.accounts:
            return self.accounts[node_id].parent_id
        if node_id in self.ous:
            return self.ous[node_id].parent_id
        return None

    def ancestors(self, node_id: str) -> list[str]:
        """Ids from the root down to the node's parent."""
        parent = self.parent_of(node_id)
        return [] if parent is None else list(self._chain(parent))

    def _chain(self, container_id: str) -> tuple[str, ...]:
        """The root down to this container, itself included: one result per container
        (kept, `_kept`), so that the accounts under it share it."""
        kept = _kept(self)
        key = ("chain", container_id)
        found = kept.get(key)
        if found is None:
            chain: list[str] = []
            node: str | None = container_id
            seen: set[str] = set()
            while node is not None and node not in seen:
                seen.add(node)
                chain.append(node)
                node = self.parent_of(node)
            chain.reverse()
            found = kept[key] = tuple(chain)
        return found

    def ou_path(self, node_id: str) -> list[str]:
        """Names from the root down to the node's parent."""
        return [self.node_name(i) for i in self.ancestors(node_id)]

    def iter_accounts_under(self, parent_id: str) -> Iterator[Account]:
        """Every account below a root or OU, at any depth."""
        stack = [parent_id]
        while stack:
            current = stack.pop()
            for acc_id in self.child_accounts.get(current, ()):
                if acc_id in self.accounts:
                    yield self.accounts[acc_id]
            stack.extend(reversed(self.child_ous.get(current, ())))

    # --- enrichment ------------------------------------------------------------------

    def tags_of(self, account_id: str) -> Mapping[str, str]:
        return self.tags.get(account_id, _EMPTY)

    def delegated_services_of(self, account_id: str) -> tuple[str, ...]:
        return self.delegated.get(account_id, ())

    def applied_policies(self, node_id: str) -> list[AppliedPolicy]:
        """Policies that apply to a node: attached to it, or inherited from its OUs and root
        (root first). What a container passes down is computed once per container
        (`_inherited`), not once per account under it."""
        parent = self.parent_of(node_id)
        inherited = () if parent is None else self._inherited(parent)
        own = self._attached(node_id)
        return [*inherited, *own] if own else list(inherited)

    def per_container(self, kind: str, container_id: str, compute: Callable[[], T]) -> T:
        """`compute()` once per container for this snapshot, for what an account gets
        from the containers above it alone (a rule's findings from the policies it
        inherits): the accounts under one OU share the answer."""
        kept = _kept(self)
        key = (kind, container_id)
        if key not in kept:
            kept[key] = compute()
        return kept[key]  # type: ignore[no-any-return]

    def inherits_only(self, account_id: str) -> bool:
        """No policy is attached to the account itself: what applies to it is its parent's."""
        return not self.attachments.get(account_id)

    def _attached(self, target: str) -> tuple[AppliedPolicy, ...]:
        attached = self.attachments.get(target)
        if not attached:  # most accounts: nothing attached directly
            return ()
        policies = self.policies
        return tuple(AppliedPolicy(policies[p], target) for p in attached if p in policies)

    def _inherited(self, container_id: str) -> tuple[AppliedPolicy, ...]:
        """The policies attached to this container and every container above it, root
        first: each container's from the one above it, so each is computed once."""
        kept = _kept(self)
        found = kept.get(("policies", container_id))
        if found is not None:
            return found  # type: ignore[no-any-return]
        above: tuple[AppliedPolicy, ...] = ()
        for target in self._chain(container_id):
            here = kept.get(("policies", target))
            if here is None:
                here = kept[("policies", target)] = above + self._attached(target)
            above = here
        return above

    # --- changes ---------------------------------------------------------------------

    def with_account_state(self, account_id: str, state: str) -> Snapshot:
        """The snapshot with one account in a new state (PENDING_CLOSURE after a close)."""
        account = self.accounts.get(account_id)
        if account is None:
            return self
        accounts = dict(self.accounts)
        accounts[account_id] = replace(account, state=state)
        return replace(self, accounts=frozen_map(accounts))

    def with_account_moved(self, account_id: str, parent_id: str) -> Snapshot:
        """The snapshot after an account moved to another parent (its policies follow)."""
        account = self.accounts.get(account_id)
        if account is None or account.parent_id == parent_id:
            return self
        accounts = dict(self.accounts)
        accounts[account_id] = replace(account, parent_id=parent_id)
        child_accounts = dict(self.child_accounts)
        child_accounts[account.parent_id] = tuple(
            a for a in child_accounts.get(account.parent_id, ()) if a != account_id
        )
        child_accounts[parent_id] = (*child_accounts.get(parent_id, ()), account_id)
        return replace(
            self, accounts=frozen_map(accounts), child_accounts=frozen_map(child_accounts)
        )

    def without_account(self, account_id: str) -> Snapshot:
        """The snapshot after an account left the organization."""
        account = self.accounts.get(account_id)
        if account is None:
            return self
        accounts = {k: v for k, v in self.accounts.items() if k != account_id}
        child_accounts = dict(self.child_accounts)
        child_accounts[account.parent_id] = tuple(
            a for a in child_accounts.get(account.parent_id, ()) if a != account_id
        )
        return replace(
            self,
            accounts=frozen_map(accounts),
            child_accounts=frozen_map(child_accounts),
            tags=frozen_map({k: v for k, v in self.tags.items() if k != account_id}),
            delegated=frozen_map({k: v for k, v in self.delegated.items() if k != account_id}),
            attachments=frozen_map({k: v for k, v in self.attachments.items() if k != account_id}),
            impact=self.impact.without_account(account_id),
        )
