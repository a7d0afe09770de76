"""Synthetic large organizations for the scale tests and the benchmark, seeded into moto.

Creating 10,000 accounts through the API would take minutes (moto scans its lists on every
call), so `seed_org` creates moto's backend objects directly, in the process that serves
them (FaultServer runs moto in-process). The shape is deterministic for a given seed:
OUs up to five levels deep, accounts spread over the root and the OUs, tags on about half
the accounts, a few delegated administrators, SCPs and tag policies attached to OUs and
accounts, some INVITED and some SUSPENDED accounts.

`minimum_calls` computes, from what the server holds, the fewest requests a complete read
can make (see its docstring), which is what tests and the benchmark hold orgtui to.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

MANAGEMENT_ACCOUNT = "123456789012"
PAGE = 20
SERVICES = (  # services moto accepts for delegated administration
    "guardduty.amazonaws.com",
    "access-analyzer.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "macie.amazonaws.com",
    "servicecatalog.amazonaws.com",
    "ssm.amazonaws.com",
)
TEAMS = ("payments", "search", "identity", "data", "ml", "web", "mobile", "infra")


def pages(n: int) -> int:
    """Requests a list of n items takes at 20 a page (an empty list still takes one)."""
    return max(1, math.ceil(n / PAGE))


@dataclass
class SeededOrg:
    """What was seeded: ids by kind, and the counts the minimum depends on."""

    root_id: str
    ou_ids: list[str]
    account_ids: list[str]
    tagged: int
    admins: dict[str, list[str]]  # account id -> services
    policies: dict[str, list[str]] = field(default_factory=dict)  # policy id -> targets
    policy_types: tuple[str, ...] = ("SERVICE_CONTROL_POLICY", "TAG_POLICY")
    depth: int = 0


def default_ou_count(accounts: int) -> int:
    """One OU per ten accounts, at most 1,000 (the benchmark's shape)."""
    return max(1, min(1000, accounts // 10))


def seed_org(
    client: Any,
    accounts: int,
    *,
    ous: int | None = None,
    depth: int = 5,
    seed: int = 5,
    admins: int = 4,
    scps: int = 6,
    tag_policies: int = 2,
    one_tag: bool = False,
    every_parent: bool = False,
) -> SeededOrg:
    """Create an organization of `accounts` accounts (the management account included).

    `client` is an uncounted seeding client of the server (FaultServer.client); it makes
    the organization and enables the policy types; the bulk is created on moto's backend
    objects directly. `one_tag`: a tagged account has one tag (not three or four);
    `every_parent`: the root and every OU get an account before the rest are spread at
    random (issue 34's model, `issue34_org`).
    """
    from moto.core.utils import utcnow
    from moto.organizations import utils
    from moto.organizations.models import (
        FakeDelegatedAdministrator,
        FakeOrganizationalUnit,
        FakePolicy,
        organizations_backends,
    )

    rng = random.Random(seed)
    client.create_organization(FeatureSet="ALL")
    root_id = client.list_roots()["Roots"][0]["Id"]
    client.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    if tag_policies:
        client.enable_policy_type(RootId=root_id, PolicyType="TAG_POLICY")
    backend = organizations_backends[MANAGEMENT_ACCOUNT]["aws"]
    org = backend.org
    defaults = [p for p in backend.policies if p.aws_managed]

    def attach(policy: Any, target: Any) -> None:
        target.attached_policies.append(policy)
        policy.attachments.append(target)

    # OUs: a tree built level by level, at most `depth` levels below the root.
    n_ous = default_ou_count(accounts) if ous is None else ous
    levels: list[list[str]] = [[root_id]]
    ou_ids: list[str] = []
    used_ids: set[str] = {root_id}
    per_level = _spread(n_ous, depth)
    for level in range(1, depth + 1):
        current: list[str] = []
        for i in range(per_level[level - 1]):
            parent = rng.choice(levels[level - 1])
            ou = FakeOrganizationalUnit(org, Name=f"ou-l{level}-{i:04d}", ParentId=parent)
            while ou.id in used_ids:
                ou.id = utils.make_random_ou_id(root_id)
            used_ids.add(ou.id)
            ou.attached_policies = []
            backend.ou.append(ou)
            for policy in defaults:
                attach(policy, ou)
            current.append(ou.id)
            ou_ids.append(ou.id)
        if not current:
            break
        levels.append(current)
    parents = [root_id, *ou_ids]

    # Accounts: the management account exists; the rest spread over the root and OUs.
    now = utcnow()  # naive UTC, as moto keeps its times
    account_ids = [MANAGEMENT_ACCOUNT]
    seen_accounts = {a.id for a in backend.accounts}
    tagged = 0
    for i in range(accounts - 1):
        tags = {}
        if i % 2 == 0 and one_tag:
            tags = {"team": TEAMS[i % len(TEAMS)]}
            tagged += 1
        elif i % 2 == 0:
            team = TEAMS[i % len(TEAMS)]
            tags = {
                "team": team,
                "env": rng.choice(("prod", "staging", "dev")),
                "cost-center": f"cc-{rng.randrange(100, 999)}",
            }
            if i % 6 == 0:
                tags["owner"] = f"{team}-lead@example.com"
            tagged += 1
        fake = _new_account(org, f"acct-{i:05d}", f"aws+acct-{i:05d}@example.com", tags)
        while fake.id in seen_accounts:
            fake.id = utils.make_random_account_id()
        seen_accounts.add(fake.id)
        fake.parent_id = parents[i] if every_parent and i < len(parents) else rng.choice(parents)
        fake.joined_method = "INVITED" if i % 3 == 0 else "CREATED"
        fake.create_time = now - timedelta(days=5 + rng.randrange(2000), seconds=i)
        if i % 97 == 0:
            fake.state = fake.status = "SUSPENDED"
        backend.accounts.append(fake)
        organizations_backends.master_accounts[fake.id] = (MANAGEMENT_ACCOUNT, "aws")
        for policy in defaults:
            attach(policy, fake)
        account_ids.append(fake.id)

    members = account_ids[1:]
    delegated: dict[str, list[str]] = {}
    for admin_id in rng.sample(members, min(admins, len(members))):
        services = rng.sample(SERVICES, rng.randint(1, 3))
        admin = FakeDelegatedAdministrator(backend.get_account_by_id(admin_id))
        for service in services:
            admin.add_service_principal(service)
        backend.admins.append(admin)
        delegated[admin_id] = services

    policies: dict[str, list[str]] = {}
    by_id = {o.id: o for o in backend.ou}
    by_id.update({a.id: a for a in backend.accounts})
    for kind, count in (("SERVICE_CONTROL_POLICY", scps), ("TAG_POLICY", tag_policies)):
        for i in range(count):
            content = (
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Deny", "Action": f"service{i}:*", "Resource": "*"}],
                }
                if kind == "SERVICE_CONTROL_POLICY"
                else {"tags": {"team": {"tag_key": {"@@assign": "team"}}}}
            )
            policy = FakePolicy(
                org,
                Name=f"{kind.lower()}-{i}",
                Description="benchmark",
                Type=kind,
                Content=json.dumps(content),
            )
            policy.attachments = []
            backend.policies.append(policy)
            targets = rng.sample(ou_ids, min(len(ou_ids), 3)) + rng.sample(
                members, min(len(members), 2)
            )
            if i == 0:
                targets.append(root_id)
            for target in targets:
                attach(policy, by_id[target])
            policies[policy.id] = targets

    return SeededOrg(
        root_id=root_id,
        ou_ids=ou_ids,
        account_ids=account_ids,
        tagged=tagged,
        admins=delegated,
        policies=policies,
        depth=len(levels) - 1,
    )


def issue34_org(client: Any, accounts: int, *, seed: int = 34) -> SeededOrg:
    """Issue 34's server model: `accounts` accounts under one OU per ten (100 at 1,000,
    1,000 at 10,000) in a random tree at most five deep, an account over every parent,
    half the accounts with one tag, 2 delegated administrators, 20 SCPs attached to OUs
    and accounts (no other policy type)."""
    return seed_org(
        client,
        accounts,
        seed=seed,
        admins=2,
        scps=20,
        tag_policies=0,
        one_tag=True,
        every_parent=True,
    )


def _new_account(org: Any, name: str, email: str, tags: dict[str, str]) -> Any:
    """A moto FakeAccount without its constructor's side effect: FakeAccount() creates an
    IAM backend and role per account, which at 10,000 accounts costs minutes and
    gigabytes, and which nothing here reads."""
    from moto.core.utils import utcnow
    from moto.organizations import utils
    from moto.organizations.models import FakeAccount

    fake = FakeAccount.__new__(FakeAccount)
    fake.type = "ACCOUNT"
    fake.region = org.region
    fake.organization_id = org.id
    fake.master_account_id = org.master_account_id
    fake.create_account_status_id = utils.make_random_create_account_status_id()
    fake.id = utils.make_random_account_id()
    fake.name = name
    fake.email = email
    fake.create_time = utcnow()
    fake.status = "ACTIVE"
    fake.state = "ACTIVE"
    fake.joined_method = "CREATED"
    fake.parent_id = org.root_id
    fake.attached_policies = []
    fake.tags = dict(tags)
    return fake


def _spread(total: int, depth: int) -> list[int]:
    """OUs per level: a few at the top, more further down (2, 4, 8, ... weights)."""
    if total <= 0:
        return [0] * depth
    weights = [2**i for i in range(depth)]
    counts = [max(1, total * w // sum(weights)) for w in weights]
    counts[-1] += total - sum(counts)
    while counts[-1] < 0:  # tiny totals: trim from the bottom
        for i in range(depth - 1, -1, -1):
            if counts[i] > 0 and counts[-1] < 0:
                counts[i] -= 1
                counts[-1] += 1
    return [max(0, c) for c in counts]


def minimum_calls(*, paginate_targets: bool = False) -> dict[str, int]:
    """The fewest requests per operation that read the whole seeded organization.

    DescribeOrganization, GetCallerIdentity and ListRoots once; per parent (root and
    each OU) the pages of its child OUs and of its child accounts (an empty list still
    takes one request); ListTagsForResource per account; the pages of ListAccounts; the pages of
    ListDelegatedAdministrators and ListDelegatedServicesForAccount per administrator;
    the pages of ListPolicies per enabled policy type; ListTargetsForPolicy per policy
    other than the AWS-managed defaults. moto answers the tag, delegated-admin and
    targets lists in one page whatever their size, so those count one request each unless
    `paginate_targets` asks for AWS's 20 a page for targets.
    """
    from moto.organizations.models import organizations_backends

    backend = organizations_backends[MANAGEMENT_ACCOUNT]["aws"]
    child_ous: dict[str, int] = defaultdict(int)
    child_accounts: dict[str, int] = defaultdict(int)
    for ou in backend.ou:
        if ou.type != "ROOT":
            child_ous[ou.parent_id] += 1
    for acc in backend.accounts:
        child_accounts[acc.parent_id] += 1
    parent_ids = [ou.id for ou in backend.ou]
    roots = [ou for ou in backend.ou if ou.type == "ROOT"]
    enabled = {t["Type"] for r in roots for t in r.policy_types if t["Status"] == "ENABLED"}
    if backend.org.feature_set == "ALL":
        enabled.add("SERVICE_CONTROL_POLICY")
    custom = [p for p in backend.policies if not p.aws_managed and p.type in enabled]
    return {
        "DescribeOrganization": 1,
        "GetCallerIdentity": 1,
        "ListRoots": 1,
        "ListOrganizationalUnitsForParent": sum(pages(child_ous[p]) for p in parent_ids),
        "ListAccountsForParent": sum(pages(child_accounts[p]) for p in parent_ids),
        "ListTagsForResource": len(backend.accounts),
        "ListAccounts": pages(len(backend.accounts)),  # the tree checked against it
        "ListDelegatedAdministrators": 1,
        "ListDelegatedServicesForAccount": len(backend.admins),
        "ListPolicies": sum(
            pages(sum(1 for p in backend.policies if p.type == t)) for t in enabled
        ),
        "ListTargetsForPolicy": sum(
            pages(len(p.attachments)) if paginate_targets else 1 for p in custom
        ),
    }


def impact_minimum_calls(region: str = "us-east-1") -> dict[str, int]:
    """The fewest requests the impact checks make on what the server holds, in one region
    (the load makes them after or beside the details; DESIGN.md lists their cost).

    ListStackSets, then DescribeStackSet and ListStackInstances per service-managed or
    `AWSControlTowerBP-` set; ListAWSServiceAccessForOrganization, and
    ListEnabledBaselines when Control Tower's trusted access is on; ListInstances,
    ListPermissionSets per instance, DescribePermissionSet and
    ListAccountsForProvisionedPermissionSet per permission set; GetResourceShares, and
    GetResourceShareAssociations when the caller owns an active share; DescribePolicy per
    attached SCP other than FullAWSAccess. moto answers every one of these lists in one page.
    None of them is made per account.
    """
    from moto.cloudformation.models import cloudformation_backends
    from moto.organizations.models import organizations_backends
    from moto.ram.models import ram_backends
    from moto.ssoadmin.models import ssoadmin_backends

    org = organizations_backends[MANAGEMENT_ACCOUNT]["aws"]
    trusted = {s["ServicePrincipal"] for s in org.services}
    sets = [
        s
        for s in cloudformation_backends[MANAGEMENT_ACCOUNT][region].stacksets.values()
        if s.status == "ACTIVE"
        and (s.permission_model == "SERVICE_MANAGED" or s.name.startswith("AWSControlTowerBP-"))
    ]
    sso = ssoadmin_backends[MANAGEMENT_ACCOUNT][region]
    shares = [
        s for s in ram_backends[MANAGEMENT_ACCOUNT][region].resource_shares if s.status == "ACTIVE"
    ]
    scps = [
        p
        for p in org.policies
        if not p.aws_managed and p.type == "SERVICE_CONTROL_POLICY" and p.attachments
    ]
    calls = {
        "ListStackSets": 1,
        "DescribeStackSet": len(sets),
        "ListStackInstances": len(sets),
        "ListAWSServiceAccessForOrganization": 1,
        "ListEnabledBaselines": int("controltower.amazonaws.com" in trusted),
        "ListInstances": 1,
        "ListPermissionSets": len(sso.instances),
        "DescribePermissionSet": len(sso.permission_sets),
        "ListAccountsForProvisionedPermissionSet": len(sso.permission_sets),
        "GetResourceShares": 1,
        "GetResourceShareAssociations": int(bool(shares)),
        "DescribePolicy": len(scps),
    }
    return {op: n for op, n in calls.items() if n}
