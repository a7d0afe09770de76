"""An organization with one of each impact kind, of any size, and where each finding lands.

    clients = lambda service, region: server.client(service, region)   # or boto3 in-process
    org = impact_org(clients, per_ou=5)
    org.expected["STACKSET_STACKS_DELETED"]   # the account ids it must land on

Layout, whatever `per_ou`:

    Root ── loose (a self-managed StackSet; ReadOnly permission set; a conditional SCP)
      ├── Sandbox: per_ou accounts ── `guardrails` (service-managed, automatic deployment,
      │     stacks not retained, two regions), Control Tower's `AWSControlTowerBP-BASELINE-
      │     CONFIG`, the Admin permission set, `DenyLeave` SCP
      └── Shared: per_ou accounts ── `kept` (service-managed, retains its stacks), the
            `subnets` RAM share (not retained)
            └── Team: per_ou accounts (reached by `subnets` through Shared)

plus `resolver`, shared with the organization and retained on leave, and `DenyS3`, an SCP
at the root that does not touch LeaveOrganization. Everything is seeded through moto's
API (and the demo's faithful fixes where moto is wrong: orgtui.demo.impact).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orgtui.demo.impact import assign, faithful_identity_center, share, stack_set
from tests.support.orgs import AccountSpec, BuiltOrg, OuSpec, build_org

REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
Clients = Callable[[str, str], Any]


@dataclass
class ImpactOrg:
    built: BuiltOrg
    expected: dict[str, set[str]]  # finding code -> account ids
    sandbox: list[str]
    shared: list[str]  # Shared and Team accounts
    loose: str


def _statement(action: str, **extra: Any) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*", **extra}],
        }
    )


def impact_org(clients: Clients, per_ou: int) -> ImpactOrg:
    from moto.ssoadmin.models import ssoadmin_backends

    org = clients("organizations", REGION)

    def accounts(prefix: str) -> tuple[AccountSpec, ...]:
        return tuple(
            AccountSpec(f"{prefix}-{k}", joined_method="INVITED", joined_days_ago=400)
            for k in range(per_ou)
        )

    built = build_org(
        org,
        (
            OuSpec("Sandbox", accounts("sandbox")),
            OuSpec("Shared", accounts("shared"), (OuSpec("Team", accounts("team")),)),
        ),
        root_accounts=(AccountSpec("loose", joined_method="INVITED", joined_days_ago=400),),
    )
    mgmt = built.management_account_id
    ids = built.accounts
    sandbox = [ids[f"sandbox-{k}"] for k in range(per_ou)]
    shared = [ids[f"{p}-{k}"] for p in ("shared", "team") for k in range(per_ou)]
    loose = ids["loose"]

    for service in ("controltower.amazonaws.com", "sso.amazonaws.com"):
        org.enable_aws_service_access(ServicePrincipal=service)
    cf = clients("cloudformation", REGION)
    stack_set(
        cf,
        mgmt,
        "guardrails",
        (REGION, OTHER_REGION),
        ou_ids=[built.ous["Sandbox"]],
        auto=True,
        retain=False,
    )
    stack_set(cf, mgmt, "kept", (REGION,), ou_ids=[built.ous["Shared"]], auto=True, retain=True)
    stack_set(cf, mgmt, "roles", (REGION,), accounts=[loose])
    stack_set(cf, mgmt, "AWSControlTowerBP-BASELINE-CONFIG", (REGION,), accounts=sandbox)

    faithful_identity_center(ssoadmin_backends[mgmt][REGION])
    sso = clients("sso-admin", REGION)
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    admin = sso.create_permission_set(Name="Admin", InstanceArn=instance)["PermissionSet"][
        "PermissionSetArn"
    ]
    read = sso.create_permission_set(Name="ReadOnly", InstanceArn=instance)["PermissionSet"][
        "PermissionSetArn"
    ]
    sso.create_permission_set(Name="Unused", InstanceArn=instance)
    assign(sso, instance, admin, ("GROUP", "g-admins"), sandbox)
    assign(sso, instance, admin, ("USER", "u-alice"), sandbox[:1])
    assign(sso, instance, read, ("USER", "u-bob"), [loose])

    ram = clients("ram", REGION)
    shared_arn = org.describe_organizational_unit(OrganizationalUnitId=built.ous["Shared"])[
        "OrganizationalUnit"
    ]["Arn"]
    org_arn = org.describe_organization()["Organization"]["Arn"]
    share(
        ram,
        mgmt,
        "subnets",
        f"arn:aws:ec2:{REGION}:{mgmt}:subnet/subnet-0123456789abcdef0",
        [shared_arn],
        retain=False,
    )
    share(
        ram,
        mgmt,
        "resolver",
        f"arn:aws:route53resolver:{REGION}:{mgmt}:resolver-rule/rslvr-rr-0123456789abc",
        [org_arn],
        retain=True,
    )

    for name, content, target in (
        ("DenyLeave", _statement("organizations:Leave*"), built.ous["Sandbox"]),
        (
            "OnlyBreakGlass",
            _statement(
                "*",
                Condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}},
            ),
            loose,
        ),
        ("DenyS3", _statement("s3:*"), built.root_id),
    ):
        policy_id = org.create_policy(
            Name=name, Description=name, Content=content, Type="SERVICE_CONTROL_POLICY"
        )["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=policy_id, TargetId=target)

    expected = {
        "STACKSET_STACKS_DELETED": set(sandbox),
        "CONTROL_TOWER_ENROLLED": set(sandbox),
        "IDENTITY_CENTER_ACCESS_LOST": {*sandbox, loose},
        "RAM_SHARES_LOST": set(shared),
        "LEAVE_DENIED_BY_SCP": {*sandbox, loose},
    }
    return ImpactOrg(built, expected, sandbox, shared, loose)
