"""Build organizations of a chosen shape in moto, and say what a correct loader must find.

    client = boto3.client("organizations", ...)     # in-process mock or a moto server
    built = build_org(client, uniform("ou", ous_per_level=3, depth=2, accounts_per_ou=4),
                      root_accounts=[AccountSpec("loose", tags={"a": "b"})],
                      policies=[PolicySpec("DenyAll", ("Root", "ou0"))])
    built.expected[account_id].ou_path   # ["Root", "ou0", "ou0-1"]
    built.minimum_calls()                # the fewest calls a full load can make

moto makes every account CREATED "now" and ACTIVE; join method, join date and state are
set by editing moto's backend objects, which are reachable only in this process (the
in-process mock, or a ThreadedMotoServer / FaultServer running in a thread of it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

PAGE = 20  # the page size the loader asks for (MaxResults), which moto honours


@dataclass(frozen=True)
class AccountSpec:
    name: str
    tags: Mapping[str, str] = field(default_factory=dict)
    delegated: tuple[str, ...] = ()
    joined_method: str | None = None  # None keeps moto's CREATED
    joined_days_ago: float | None = None  # None keeps moto's "now"
    state: str | None = None  # None keeps ACTIVE


@dataclass(frozen=True)
class OuSpec:
    name: str
    accounts: tuple[AccountSpec, ...] = ()
    children: tuple[OuSpec, ...] = ()


@dataclass(frozen=True)
class PolicySpec:
    name: str
    targets: tuple[str, ...]  # "Root", an OU name or an account name
    type: str = "SERVICE_CONTROL_POLICY"


@dataclass
class ExpectedAccount:
    """What a correct load reports for one account."""

    id: str
    name: str
    email: str
    parent_id: str
    ou_path: list[str]
    tags: dict[str, str]
    delegated: set[str]
    # (policy name, id of the node it is attached to), default policies excluded
    policies: set[tuple[str, str]]
    state: str
    joined_method: str
    joined: datetime | None = None


@dataclass
class BuiltOrg:
    org_id: str
    root_id: str
    management_account_id: str
    ous: dict[str, str]  # OU name -> id
    accounts: dict[str, str]  # account name -> id
    policies: dict[str, str]  # policy name -> id
    policy_types: tuple[str, ...]  # policy types with a ListPolicies call to make
    child_ous: dict[str, list[str]]  # parent id -> OU ids
    child_accounts: dict[str, list[str]]  # parent id -> account ids
    expected: dict[str, ExpectedAccount]  # account id -> expectation
    # policies per type, the AWS-managed default included (ListPolicies pages)
    policies_per_type: dict[str, int] = field(default_factory=dict)

    @property
    def parents(self) -> list[str]:
        return [self.root_id, *self.ous.values()]

    def minimum_calls(self) -> int:
        """The fewest calls a full load (structure and enrichment) can make.

        DescribeOrganization, GetCallerIdentity and ListRoots; per parent at least one page
        of OUs and one of accounts; one ListTagsForResource per account; the pages of
        ListAccounts; the pages of ListDelegatedAdministrators and one
        ListDelegatedServicesForAccount per admin; ListPolicies pages per policy type and
        ListTargetsForPolicy per non-default policy.
        """
        total = 3
        for parent in self.parents:
            total += max(1, math.ceil(len(self.child_ous.get(parent, [])) / PAGE))
            total += max(1, math.ceil(len(self.child_accounts.get(parent, [])) / PAGE))
        total += len(self.expected)
        # ListAccounts, to check the tree against (aws/loader.py check_complete)
        total += max(1, math.ceil(len(self.expected) / PAGE))
        admins = sum(1 for e in self.expected.values() if e.delegated)
        total += max(1, math.ceil(admins / PAGE)) + admins
        for policy_type in self.policy_types:
            total += max(1, math.ceil(self.policies_per_type.get(policy_type, 1) / PAGE))
        total += len(self.policies)
        return total


def uniform(
    prefix: str,
    *,
    ous_per_level: int,
    depth: int,
    accounts_per_ou: int,
    account: Callable[[str, int], AccountSpec] | None = None,
) -> tuple[OuSpec, ...]:
    """`ous_per_level` OUs under each parent, `depth` levels, `accounts_per_ou` in each OU.

    OUs are named prefix + their path ("ou0", "ou0-1"); accounts "<ou>-a<k>" unless
    `account(name, global_index)` builds them.
    """
    counter = iter(range(10**9))

    def level(path: str, d: int) -> tuple[OuSpec, ...]:
        if d > depth:
            return ()
        out = []
        for i in range(ous_per_level):
            name = f"{path}-{i}" if d > 1 else f"{prefix}{i}"
            accounts = tuple(
                account(f"{name}-a{k}", next(counter)) if account else AccountSpec(f"{name}-a{k}")
                for k in range(accounts_per_ou)
            )
            out.append(OuSpec(name, accounts, level(name, d + 1)))
        return tuple(out)

    return level(prefix, 1)


def chain(prefix: str, depth: int, accounts_per_ou: int = 1) -> tuple[OuSpec, ...]:
    """One OU under another, `depth` deep, with accounts at every level."""
    node: OuSpec | None = None
    for d in range(depth, 0, -1):
        name = f"{prefix}{d}"
        node = OuSpec(
            name,
            tuple(AccountSpec(f"{name}-a{k}") for k in range(accounts_per_ou)),
            (node,) if node else (),
        )
    return (node,) if node else ()


def build_org(
    client: Any,
    root_ous: Sequence[OuSpec] = (),
    *,
    root_accounts: Sequence[AccountSpec] = (),
    policies: Sequence[PolicySpec] = (),
    now: datetime | None = None,
) -> BuiltOrg:
    """Create the organization through `client` and return what a load must find.

    `now` is the clock join dates are counted back from (AccountSpec.joined_days_ago);
    accounts with joined_method/joined_days_ago/state set are edited on moto's backend.
    """
    now = now or datetime.now(timezone.utc)
    client.create_organization(FeatureSet="ALL")
    org = client.describe_organization()["Organization"]
    mgmt_id = org["MasterAccountId"]
    root = client.list_roots()["Roots"][0]
    root_id, root_name = root["Id"], root["Name"]

    ous: dict[str, str] = {}
    accounts: dict[str, str] = {}
    child_ous: dict[str, list[str]] = {root_id: []}
    child_accounts: dict[str, list[str]] = {root_id: [mgmt_id]}
    path_of: dict[str, list[str]] = {root_id: [root_name]}
    specs: dict[str, AccountSpec] = {}
    parent_of: dict[str, str] = {mgmt_id: root_id}

    def add_accounts(parent: str, items: Iterable[AccountSpec]) -> None:
        for spec in items:
            assert spec.name not in accounts, f"duplicate account name {spec.name}"
            status = client.create_account(AccountName=spec.name, Email=f"{spec.name}@example.com")
            acc_id = status["CreateAccountStatus"]["AccountId"]
            if parent != root_id:
                client.move_account(
                    AccountId=acc_id, SourceParentId=root_id, DestinationParentId=parent
                )
            if spec.tags:
                client.tag_resource(
                    ResourceId=acc_id, Tags=[{"Key": k, "Value": v} for k, v in spec.tags.items()]
                )
            for service in spec.delegated:
                client.register_delegated_administrator(AccountId=acc_id, ServicePrincipal=service)
            accounts[spec.name] = acc_id
            specs[acc_id] = spec
            parent_of[acc_id] = parent
            child_accounts.setdefault(parent, []).append(acc_id)

    def add_ous(parent: str, items: Iterable[OuSpec]) -> None:
        for ou in items:
            assert ou.name not in ous, f"duplicate OU name {ou.name}"
            ou_id = client.create_organizational_unit(ParentId=parent, Name=ou.name)[
                "OrganizationalUnit"
            ]["Id"]
            ous[ou.name] = ou_id
            parent_of[ou_id] = parent
            path_of[ou_id] = [*path_of[parent], ou.name]
            child_ous.setdefault(parent, []).append(ou_id)
            child_ous.setdefault(ou_id, [])
            child_accounts.setdefault(ou_id, [])
            add_accounts(ou_id, ou.accounts)
            add_ous(ou_id, ou.children)

    add_accounts(root_id, root_accounts)
    add_ous(root_id, root_ous)

    types = sorted({p.type for p in policies} | {"SERVICE_CONTROL_POLICY"})
    for policy_type in types:
        if policy_type != "SERVICE_CONTROL_POLICY":
            client.enable_policy_type(RootId=root_id, PolicyType=policy_type)
    policy_ids: dict[str, str] = {}
    attached: dict[str, list[str]] = {}  # target id -> policy names
    for p in policies:
        content = (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*",'
            '"Resource":"*"}]}'
            if p.type == "SERVICE_CONTROL_POLICY"
            else '{"tags":{"team":{"tag_key":{"@@assign":"team"}}}}'
        )
        policy_id = client.create_policy(
            Name=p.name, Description=p.name, Type=p.type, Content=content
        )["Policy"]["PolicySummary"]["Id"]
        policy_ids[p.name] = policy_id
        for target in p.targets:
            target_id = root_id if target == "Root" else ous.get(target) or accounts[target]
            client.attach_policy(PolicyId=policy_id, TargetId=target_id)
            attached.setdefault(target_id, []).append(p.name)
    per_type = {t: sum(1 for p in policies if p.type == t) for t in types}
    # the AWS-managed FullAWSAccess SCP is listed too
    per_type["SERVICE_CONTROL_POLICY"] = per_type.get("SERVICE_CONTROL_POLICY", 0) + 1

    def chain_of(node: str) -> list[str]:
        out = [node]
        while out[-1] in parent_of:
            out.append(parent_of[out[-1]])
        return list(reversed(out))

    expected: dict[str, ExpectedAccount] = {}
    backend = organizations_backend(org["Id"])
    fakes = {a.id: a for a in backend.accounts} if backend is not None else {}
    for index, acc_id in enumerate([mgmt_id, *specs]):
        spec = specs.get(acc_id)
        fake = fakes.get(acc_id)
        joined_method, state = "CREATED", "ACTIVE"
        joined = None
        if spec is not None:
            if spec.joined_method or spec.joined_days_ago is not None or spec.state:
                assert fake is not None, "editing accounts needs moto in this process"
                if spec.joined_method:
                    fake.joined_method = spec.joined_method
                if spec.joined_days_ago is not None:
                    joined = now - timedelta(days=spec.joined_days_ago)
                    # a microsecond apart: moto pages ListAccounts by this time, and
                    # equal times on a page's edge repeat its page token
                    tick = timedelta(microseconds=index)
                    fake.create_time = (joined + tick).replace(tzinfo=None)
                if spec.state:
                    fake.state = spec.state
                    fake.status = "ACTIVE" if spec.state == "ACTIVE" else "SUSPENDED"
            joined_method = spec.joined_method or "CREATED"
            state = spec.state or "ACTIVE"
        parent = parent_of[acc_id]
        expected[acc_id] = ExpectedAccount(
            id=acc_id,
            name=spec.name if spec else "master",
            email=f"{spec.name}@example.com" if spec else org["MasterAccountEmail"],
            parent_id=parent,
            ou_path=list(path_of[parent]),
            tags=dict(spec.tags) if spec else {},
            delegated=set(spec.delegated) if spec else set(),
            policies={(name, node) for node in chain_of(acc_id) for name in attached.get(node, [])},
            state=state,
            joined_method=joined_method,
            joined=joined,
        )
    return BuiltOrg(
        org_id=org["Id"],
        root_id=root_id,
        management_account_id=mgmt_id,
        ous=ous,
        accounts=accounts,
        policies=policy_ids,
        policy_types=tuple(types),
        child_ous=child_ous,
        child_accounts=child_accounts,
        expected=expected,
        policies_per_type=per_type,
    )


def organizations_backend(org_id: str) -> Any | None:
    """moto's backend object holding organization `org_id`, if it lives in this process."""
    from moto.organizations.models import organizations_backends

    for account_id in list(organizations_backends.keys()):
        for backend in organizations_backends[account_id].values():
            if backend.org is not None and backend.org.id == org_id:
                return backend
    return None


def edit_account(
    org_id: str,
    account_id: str,
    *,
    joined_method: str | None = None,
    joined: datetime | None = None,
    state: str | None = None,
    status: str | None = None,
) -> None:
    """Change what moto says about an account (join method and date, State, Status)."""
    backend = organizations_backend(org_id)
    assert backend is not None, "moto's backend is not in this process"
    fake = next(a for a in backend.accounts if a.id == account_id)
    if joined_method:
        fake.joined_method = joined_method
    if joined is not None:
        fake.create_time = joined.astimezone(timezone.utc).replace(tzinfo=None)
    if state:
        fake.state = state
    if status:
        fake.status = status


# --- snapshots built by hand, for the pure rules and the model -------------------------

MGMT_ID = "111111111111"
ROOT_ID = "r-root"
WORKLOADS_ID = "ou-root-workload"
PROD_ID = "ou-root-prod0000"
SNAPSHOT_TIME = datetime(2026, 11, 28, 12, tzinfo=timezone.utc)  # make_snapshot's loaded_at


def make_account(
    account_id: str,
    *,
    name: str = "",
    parent_id: str = PROD_ID,
    state: str = "ACTIVE",
    joined_method: str = "INVITED",
    joined: datetime | None = None,
) -> Any:
    from orgtui.model import Account

    return Account(
        id=account_id,
        name=name or f"acct-{account_id}",
        email=f"{account_id}@example.com",
        arn=f"arn:aws:organizations::{MGMT_ID}:account/o-test/{account_id}",
        state=state,
        joined_method=joined_method,
        joined_timestamp=joined or datetime(2020, 1, 1, tzinfo=timezone.utc),
        parent_id=parent_id,
    )


def make_snapshot(
    *accounts: Any,
    tags: Mapping[str, Mapping[str, str]] | None = None,
    delegated: Mapping[str, tuple[str, ...]] | None = None,
    policies: Sequence[Any] = (),
    attachments: Mapping[str, tuple[str, ...]] | None = None,
    ous: Sequence[Any] | None = None,
) -> Any:
    """A snapshot: the management account under the root, the OUs `ous` (by default
    Root > Workloads > Prod) and `accounts`, each where its parent_id says."""
    from orgtui.model import Caller, Organization, OrgUnit, Root, Snapshot, frozen_map

    if ous is None:
        ous = (
            OrgUnit(WORKLOADS_ID, "Workloads", "arn:w", ROOT_ID),
            OrgUnit(PROD_ID, "Prod", "arn:p", WORKLOADS_ID),
        )
    mgmt = make_account(MGMT_ID, name="management", parent_id=ROOT_ID, joined_method="CREATED")
    all_accounts = {a.id: a for a in (mgmt, *accounts)}
    child_ous: dict[str, list[str]] = {ROOT_ID: [], **{ou.id: [] for ou in ous}}
    for ou in ous:
        child_ous.setdefault(ou.parent_id, []).append(ou.id)
    child_accounts: dict[str, list[str]] = {node: [] for node in child_ous}
    for a in all_accounts.values():
        child_accounts.setdefault(a.parent_id, []).append(a.id)
    return Snapshot(
        organization=Organization("o-test", "arn:org", MGMT_ID, "mgmt@example.com", "ALL"),
        caller=Caller(MGMT_ID, f"arn:aws:iam::{MGMT_ID}:user/admin"),
        roots=(Root(ROOT_ID, "Root", "arn:root", (("SERVICE_CONTROL_POLICY", "ENABLED"),)),),
        ous=frozen_map({ou.id: ou for ou in ous}),
        accounts=frozen_map(all_accounts),
        child_ous=frozen_map({k: tuple(v) for k, v in child_ous.items()}),
        child_accounts=frozen_map({k: tuple(v) for k, v in child_accounts.items()}),
        loaded_at=SNAPSHOT_TIME,
        tags=frozen_map({k: frozen_map(v) for k, v in (tags or {}).items()}),
        delegated=frozen_map(delegated or {}),
        policies=frozen_map({p.id: p for p in policies}),
        attachments=frozen_map(attachments or {}),
        enriched=True,
    )


def sized_snapshot(n: int) -> Any:
    """A snapshot of `n` member accounts for scale (benchmarks/destination_bench.py),
    deterministic: max(10, n/10) OUs two levels deep (ten under the root, the others
    under those), the accounts spread over them, a third CREATED and the rest INVITED,
    joined 30 to 429 days before the snapshot, every other one tagged `team`, 20 SCPs on
    OUs and 2 delegated administrators."""
    from orgtui.model import OrgUnit, Policy

    ous = [
        OrgUnit(
            f"ou-abcd-{i:08d}",
            f"ou-{i}",
            f"arn:ou/ou-abcd-{i:08d}",
            ROOT_ID if i < 10 else f"ou-abcd-{i % 10:08d}",
        )
        for i in range(max(10, n // 10))
    ]
    accounts = [
        make_account(
            f"{200000000000 + i}",
            name=f"account-{i}",
            parent_id=ous[i % len(ous)].id,
            joined_method="CREATED" if i % 3 == 0 else "INVITED",
            joined=SNAPSHOT_TIME - timedelta(days=30 + i % 400),
        )
        for i in range(n)
    ]
    policies = [
        Policy(f"p-{i:08d}", f"scp-{i}", "SERVICE_CONTROL_POLICY", False) for i in range(20)
    ]
    return make_snapshot(
        *accounts,
        tags={a.id: {"team": f"t{i % 17}"} for i, a in enumerate(accounts) if i % 2 == 0},
        delegated={
            f"{200000000000 + 1}": ("guardduty.amazonaws.com",),
            f"{200000000000 + 2}": ("securityhub.amazonaws.com",),
        },
        policies=policies,
        attachments={ous[i * 3 % len(ous)].id: (policies[i].id,) for i in range(20)},
        ous=ous,
    )
