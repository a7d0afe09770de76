"""What the impact checks cost on large organizations (not part of the test suite).

For each size, the benchmark organization of tests/support/bigorg.py gets, on top, what the
impact checks read, scaled with it: Control Tower's trusted access; a service-managed
StackSet with automatic deployment over every first-level OU (moto deploys to those OUs
and their children), one that retains its stacks, a Control Tower baseline StackSet in 50
accounts, a self-managed one; five Identity Center permission sets, one provisioned to
every account and the others to a tenth each; RAM shares with ten first-level OUs and one
with the organization. The organization is served by FaultServer; orgtui loads it, then reads
the impact checks, and the calls they add are counted per operation.

    python benchmarks/impact_calls.py --sizes 1000,10000

moto answers ListStackInstances and ListAccountsForProvisionedPermissionSet in one page
whatever their length; AWS returns at most 100 a page. The table gives both: the calls
measured, and the calls AWS would take with those pages.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import motoindex  # noqa: E402
from orgtui.aws.loader import Loader  # noqa: E402
from orgtui.aws.session import AwsContext, SessionOptions  # noqa: E402
from orgtui.rules import assess_all  # noqa: E402
from tests.support.bigorg import MANAGEMENT_ACCOUNT, seed_org  # noqa: E402
from tests.support.faults import FaultServer  # noqa: E402

REGION = "us-east-1"
IMPACT_OPERATIONS = (
    "ListStackSets",
    "DescribeStackSet",
    "ListStackInstances",
    "ListAWSServiceAccessForOrganization",
    "ListEnabledBaselines",
    "ListInstances",
    "ListPermissionSets",
    "DescribePermissionSet",
    "ListAccountsForProvisionedPermissionSet",
    "GetResourceShares",
    "GetResourceShareAssociations",
    "DescribePolicy",
)


def seed_impact(server: FaultServer, seeded: Any) -> dict[str, int]:
    """Seed the impact side; returns the list lengths AWS would paginate (instances per
    StackSet read, accounts per provisioned permission set)."""
    from moto.organizations.models import organizations_backends
    from moto.ssoadmin.models import AccountAssignment, ssoadmin_backends

    from orgtui.demo.impact import faithful_identity_center, share, stack_set

    org = server.client("organizations")
    org.enable_aws_service_access(ServicePrincipal="controltower.amazonaws.com")
    backend = organizations_backends[MANAGEMENT_ACCOUNT]["aws"]
    first_level = [ou.id for ou in backend.ou if ou.parent_id == seeded.root_id]
    members = seeded.account_ids[1:]
    cf = server.client("cloudformation", REGION)
    stack_set(
        cf,
        MANAGEMENT_ACCOUNT,
        "org-baseline",
        (REGION,),
        ou_ids=first_level,
        auto=True,
        retain=False,
    )
    stack_set(
        cf,
        MANAGEMENT_ACCOUNT,
        "kept-roles",
        (REGION,),
        ou_ids=first_level[:2],
        auto=True,
        retain=True,
    )
    stack_set(
        cf,
        MANAGEMENT_ACCOUNT,
        "AWSControlTowerBP-BASELINE-CONFIG",
        (REGION,),
        accounts=members[:50],
    )
    stack_set(cf, MANAGEMENT_ACCOUNT, "self-managed-roles", (REGION,), accounts=members[:20])
    from moto.cloudformation.models import cloudformation_backends

    lengths = {
        f"instances:{s.name}": len(s.stack_instances)
        for s in cloudformation_backends[MANAGEMENT_ACCOUNT][REGION].stacksets.values()
    }

    sso_backend = ssoadmin_backends[MANAGEMENT_ACCOUNT][REGION]
    faithful_identity_center(sso_backend)
    sso = server.client("sso-admin", REGION)
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    for i in range(5):
        arn = sso.create_permission_set(Name=f"ps-{i}", InstanceArn=instance)["PermissionSet"][
            "PermissionSetArn"
        ]
        targets = members if i == 0 else members[i::10]
        # Assigned directly on the backend (the API would take one request per account),
        # provisioned as AWS does on assignment (orgtui.demo.impact).
        for account in targets:
            sso_backend.account_assignments.append(
                AccountAssignment(instance, account, "AWS_ACCOUNT", arn, "GROUP", f"g-{i}")
            )
            sso_backend.orgtui_provisioned.setdefault(arn, {})[account] = None
        lengths[f"provisioned:ps-{i}"] = len(targets)

    ram = server.client("ram", REGION)
    org_arn = org.describe_organization()["Organization"]["Arn"]
    # moto checks an OU principal against the first page of the root's OUs only: share
    # with the first ten first-level OUs it accepts.
    for i, ou in enumerate(
        org.list_organizational_units_for_parent(ParentId=seeded.root_id, MaxResults=10)[
            "OrganizationalUnits"
        ]
    ):
        share(
            ram,
            MANAGEMENT_ACCOUNT,
            f"share-{i}",
            f"arn:aws:ec2:{REGION}:{MANAGEMENT_ACCOUNT}:subnet/subnet-{i:017x}",
            [ou["Arn"]],
            retain=False,
        )
    share(
        ram,
        MANAGEMENT_ACCOUNT,
        "org-wide",
        f"arn:aws:ec2:{REGION}:{MANAGEMENT_ACCOUNT}:prefix-list/pl-0123456789abcdef0",
        [org_arn],
        retain=True,
    )
    return lengths


def measure(n: int, concurrency: int) -> dict[str, Any]:
    with FaultServer() as server:
        seeded = seed_org(server.client("organizations"), n)
        lengths = seed_impact(server, seeded)
        ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region=REGION,
                concurrency=concurrency,
                credentials=("testing", "testing", None),
            )
        )
        loader = Loader(ctx)
        snap = loader.load()
        before = Counter(server.counts)
        started = time.perf_counter()
        snap = loader.read_impact(snap)
        seconds = time.perf_counter() - started
        calls = Counter(server.counts) - before
    found = Counter(f.code for a in assess_all(snap, snap.loaded_at).values() for f in a.findings)
    extra_pages = sum(
        max(0, math.ceil(length / 100) - 1)
        for key, length in lengths.items()
        if not key.startswith("instances:self-managed")
    )
    return {
        "accounts": n,
        "calls": dict(calls),
        "total": sum(calls.values()),
        "aws_total": sum(calls.values()) + extra_pages,
        "seconds": round(seconds, 2),
        "checks": {k: v.status for k, v in snap.impact.checks.items()},
        "findings": {
            k: v
            for k, v in found.items()
            if k
            in (
                "STACKSET_STACKS_DELETED",
                "CONTROL_TOWER_ENROLLED",
                "IDENTITY_CENTER_ACCESS_LOST",
                "RAM_SHARES_LOST",
                "LEAVE_DENIED_BY_SCP",
            )
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    motoindex.install()
    rows = [measure(int(n), args.concurrency) for n in args.sizes.split(",")]
    print("| accounts | impact calls (moto) | with AWS's 100-a-page lists | read s |")
    print("|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['accounts']:,} | {r['total']} | {r['aws_total']} | {r['seconds']} |")
    print()
    print("| operation | " + " | ".join(f"{r['accounts']:,}" for r in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for op in IMPACT_OPERATIONS:
        print(f"| {op} | " + " | ".join(str(r["calls"].get(op, 0)) for r in rows) + " |")
    print()
    for r in rows:
        print(
            f"{r['accounts']:,} accounts: checks {r['checks']}; findings {r['findings']}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
