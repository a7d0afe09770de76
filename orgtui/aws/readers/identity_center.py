"""IAM Identity Center (SSO Admin): which permission sets are provisioned to which accounts.

ListInstances; ListPermissionSets per instance; DescribePermissionSet (the name) and
ListAccountsForProvisionedPermissionSet per permission set. Who is assigned is read for
one account at a time, on demand (ListAccountAssignments per permission set provisioned
to it), for the detail pane and the removal dialog.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from orgtui.aws.readers import IMPACT_ATTEMPTS, each
from orgtui.aws.session import AwsContext
from orgtui.impact_model import Assignees, PermissionSetInfo
from orgtui.model import required

PAGE = 100


@dataclass
class IdentityCenterRead:
    instances: tuple[str, ...] = ()
    permission_sets: dict[str, PermissionSetInfo] = field(default_factory=dict)
    provisioned: dict[str, list[str]] = field(default_factory=dict)  # account -> PS ARNs


def read_identity_center(ctx: AwsContext, region: str) -> IdentityCenterRead:
    """Permission sets and where they are provisioned; no instances when there is none."""
    sso = ctx.client("sso-admin", region, attempts=IMPACT_ATTEMPTS)
    instances = [
        i["InstanceArn"]
        for i in ctx.pages("list_instances", "Instances", client=sso, MaxResults=PAGE)
        if i.get("Status", "ACTIVE") == "ACTIVE" and i.get("InstanceArn")
    ]
    result = IdentityCenterRead(instances=tuple(instances))
    pairs = [
        (instance, arn)
        for instance in instances
        for arn in dict.fromkeys(
            ctx.pages(
                "list_permission_sets",
                "PermissionSets",
                client=sso,
                InstanceArn=instance,
                MaxResults=PAGE,
            )
        )
    ]

    def read_one(pair: tuple[str, str]) -> tuple[PermissionSetInfo, list[str]]:
        instance, arn = pair
        described = required(
            ctx.read(sso.describe_permission_set, InstanceArn=instance, PermissionSetArn=arn),
            "PermissionSet",
            "DescribePermissionSet",
        )
        accounts = ctx.pages(
            "list_accounts_for_provisioned_permission_set",
            "AccountIds",
            client=sso,
            InstanceArn=instance,
            PermissionSetArn=arn,
            MaxResults=PAGE,
        )
        return PermissionSetInfo(arn, str(described.get("Name") or arn), instance), accounts

    for info, accounts in each(ctx, read_one, pairs):
        result.permission_sets[info.arn] = info
        for account in dict.fromkeys(str(a) for a in accounts):
            result.provisioned.setdefault(account, []).append(info.arn)
    return result


def read_assignees(
    ctx: AwsContext, region: str, account_id: str, permission_sets: Iterable[PermissionSetInfo]
) -> Assignees:
    """Distinct users and groups assigned to one account: ListAccountAssignments per
    permission set provisioned to it."""
    sso = ctx.client("sso-admin", region, attempts=IMPACT_ATTEMPTS)

    def read_one(ps: PermissionSetInfo) -> list[dict[str, str]]:
        return ctx.pages(
            "list_account_assignments",
            "AccountAssignments",
            client=sso,
            InstanceArn=ps.instance_arn,
            AccountId=account_id,
            PermissionSetArn=ps.arn,
            MaxResults=PAGE,
        )

    users: set[str] = set()
    groups: set[str] = set()
    for assignments in each(ctx, read_one, permission_sets):
        for a in assignments:
            kind = a.get("PrincipalType")
            (users if kind == "USER" else groups if kind == "GROUP" else set()).add(
                str(a.get("PrincipalId"))
            )
    return Assignees(users=len(users), groups=len(groups))
