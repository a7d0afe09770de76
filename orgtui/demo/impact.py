"""The demo's impact: what the sample organization loses when accounts leave, seeded in moto.

Each impact finding has accounts that show it, and each kind has one that must add nothing:

- StackSets: `sandbox-guardrails`, service-managed with automatic deployment and stacks not
  retained, over the Sandbox OU in two regions (STACKSET_STACKS_DELETED);
  `divesting-readonly-role`, service-managed but retaining its stacks, over Divesting, and
  `legacy-iam-roles`, self-managed, in web-prod and billing-reports: nothing.
- Control Tower: trusted access on, and the Sandbox accounts hold stacks of Control Tower's
  `AWSControlTowerBP-BASELINE-*` StackSets (CONTROL_TOWER_ENROLLED). moto has no
  controltower service: the baseline read can't be made, and the check's note says so.
- Identity Center: permission sets assigned to users and groups in several accounts
  (IDENTITY_CENTER_ACCESS_LOST).
- RAM: subnets shared with the Workloads OU and a transit gateway with contoso-main
  (RAM_SHARES_LOST); resolver rules shared with the organization, retained on leave:
  nothing.
- SCPs: see sample.SCP_DOCUMENTS (LEAVE_DENIED_BY_SCP).

Where moto (5.2) is wrong, this module makes it answer as AWS does, at moto's boundary and
in this process only; orgtui's readers are never shaped around moto's mistakes:

- CloudFormation keeps no StackSet AutoDeployment: it is set on the backend's StackSet
  object, which ListStackSets and DescribeStackSet then return, as AWS's do.
- SSO Admin provisions nothing on CreateAccountAssignment and answers
  ListAccountsForProvisionedPermissionSet (and ListPermissionSetsProvisionedToAccount) with
  the caller's account, whatever was assigned: `faithful_identity_center` provisions a
  permission set to the account it is assigned in and answers per permission set and per
  account.
- RAM has no resourceShareConfiguration: `share` gives the share object one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

# A template with no resources: the demo shows what StackSets deploy where, not what.
TEMPLATE = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}})
OTHER_REGION = "eu-west-1"  # the demo's StackSets also deploy here


def stack_set(
    cf: Any,
    account_id: str,
    name: str,
    regions: Iterable[str],
    *,
    ou_ids: Iterable[str] = (),
    accounts: Iterable[str] = (),
    auto: bool = False,
    retain: bool = False,
) -> None:
    """A StackSet administered from `cf`'s region, with stack instances.

    Service-managed when `ou_ids` are given (deployed to the accounts of those OUs, with
    AutoDeployment `auto`/`retain`), else self-managed in `accounts`.
    """
    from moto.cloudformation.models import cloudformation_backends

    ou_ids = list(ou_ids)
    service_managed = bool(ou_ids)
    cf.create_stack_set(
        StackSetName=name,
        TemplateBody=TEMPLATE,
        PermissionModel="SERVICE_MANAGED" if service_managed else "SELF_MANAGED",
    )
    if service_managed:
        backend = cloudformation_backends[account_id][cf.meta.region_name]
        fake = next(s for s in backend.stacksets.values() if s.name == name)
        # moto drops AutoDeployment; AWS keeps it and returns it in summaries and details.
        fake.auto_deployment = {  # type: ignore[attr-defined]
            "Enabled": auto,
            "RetainStacksOnAccountRemoval": retain,
        }
        cf.create_stack_instances(
            StackSetName=name,
            Regions=list(regions),
            DeploymentTargets={"OrganizationalUnitIds": ou_ids},
        )
    else:
        cf.create_stack_instances(StackSetName=name, Regions=list(regions), Accounts=list(accounts))


def faithful_identity_center(backend: Any) -> None:
    """Make one moto SSO Admin backend provision and answer as AWS does.

    In AWS, CreateAccountAssignment provisions the permission set to the target account,
    and ListAccountsForProvisionedPermissionSet / ListPermissionSetsProvisionedToAccount
    answer per permission set and per account.
    """
    if getattr(backend, "orgtui_provisioned", None) is not None:
        return
    provisioned: dict[str, dict[str, None]] = {}  # permission set ARN -> account ids
    backend.orgtui_provisioned = provisioned
    create = backend.create_account_assignment

    def create_account_assignment(**kwargs: Any) -> Any:
        result = create(**kwargs)
        if kwargs.get("target_type") == "AWS_ACCOUNT":
            provisioned.setdefault(kwargs["permission_set_arn"], {})[kwargs["target_id"]] = None
        return result

    def list_accounts_for_provisioned_permission_set(
        instance_arn: str, permission_set_arn: str
    ) -> list[str]:
        return list(provisioned.get(permission_set_arn, {}))

    def provisioned_to(account_id: str) -> list[Any]:
        return [
            ps
            for ps in backend.permission_sets
            if account_id in provisioned.get(ps.permission_set_arn, {})
        ]

    backend.create_account_assignment = create_account_assignment
    backend.list_accounts_for_provisioned_permission_set = (
        list_accounts_for_provisioned_permission_set
    )
    backend.orgtui_provisioned_to = provisioned_to
    _answer_per_account()


def _answer_per_account() -> None:
    """ListPermissionSetsProvisionedToAccount filtered by its AccountId, on the backends
    made faithful (moto's response ignores AccountId)."""
    from moto.ssoadmin.responses import SSOAdminResponse

    original = SSOAdminResponse.list_permission_sets_provisioned_to_account
    if getattr(original, "orgtui_faithful", False):
        return

    def list_permission_sets_provisioned_to_account(self: Any) -> str:
        backend = self.ssoadmin_backend
        if getattr(backend, "orgtui_provisioned_to", None) is None:
            return original(self)
        found = backend.orgtui_provisioned_to(self._get_param("AccountId"))
        return json.dumps({"PermissionSets": [p.permission_set_arn for p in found]})

    list_permission_sets_provisioned_to_account.orgtui_faithful = True  # type: ignore[attr-defined]
    SSOAdminResponse.list_permission_sets_provisioned_to_account = (  # type: ignore[method-assign]
        list_permission_sets_provisioned_to_account
    )


def assign(
    sso: Any,
    instance_arn: str,
    permission_set: str,
    principal: tuple[str, str],
    accounts: Iterable[str],
) -> None:
    """Assign a (USER|GROUP, id) principal the permission set in each account."""
    kind, principal_id = principal
    for account in accounts:
        sso.create_account_assignment(
            InstanceArn=instance_arn,
            TargetId=account,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=permission_set,
            PrincipalType=kind,
            PrincipalId=principal_id,
        )


def share(
    ram: Any,
    account_id: str,
    name: str,
    resource_arn: str,
    principals: Iterable[str],
    *,
    retain: bool,
) -> str:
    """A resource share with its resourceShareConfiguration, as AWS describes it."""
    from moto.ram.models import ram_backends

    arn = str(
        ram.create_resource_share(
            name=name, resourceArns=[resource_arn], principals=list(principals)
        )["resourceShare"]["resourceShareArn"]
    )
    backend = ram_backends[account_id][ram.meta.region_name]
    fake = next(s for s in backend.resource_shares if s.arn == arn)
    describe = fake.describe

    def described() -> dict[str, Any]:
        # moto has no resourceShareConfiguration; AWS returns it with every share.
        return {
            **describe(),
            "resourceShareConfiguration": {"retainSharingOnAccountLeaveOrganization": retain},
        }

    fake.describe = described  # type: ignore[method-assign]
    return arn


# Identity Center: permission set -> [(principal, account names)]
USERS_AND_GROUPS: Mapping[str, list[tuple[tuple[str, str], tuple[str, ...]]]] = {
    "AdministratorAccess": [
        (
            ("GROUP", "a1b2c3d4-0001-platform-admins"),
            ("web-prod", "payments-prod", "network-hub", "shared-services", "northwind-prod"),
        ),
    ],
    "ReadOnlyAccess": [
        (
            ("GROUP", "a1b2c3d4-0002-auditors"),
            ("web-prod", "log-archive", "analytics-prod", "northwind-prod", "northwind-dev"),
        ),
        (("USER", "a1b2c3d4-1001-alice"), ("northwind-prod",)),
    ],
    "DataScientist": [
        (
            ("GROUP", "a1b2c3d4-0003-data-team"),
            ("analytics-prod", "datalake-prod", "data-dev", "ml-dev"),
        ),
        (("USER", "a1b2c3d4-1002-carol"), ("ml-dev",)),
    ],
    "BillingViewer": [(("USER", "a1b2c3d4-1003-finance"), ("billing-reports",))],
}


def seed(
    session: Any,
    mgmt_id: str,
    region: str,
    org_arn: str,
    ous: Mapping[str, str],
    accounts: Mapping[str, str],
) -> None:
    """Seed the sample organization's StackSets, Control Tower, Identity Center and RAM."""
    org = session.client("organizations", region_name=region)
    for service in (
        "controltower.amazonaws.com",
        "member.org.stacksets.cloudformation.amazonaws.com",
        "sso.amazonaws.com",
        "ram.amazonaws.com",
    ):
        org.enable_aws_service_access(ServicePrincipal=service)
    _seed_stack_sets(
        session.client("cloudformation", region_name=region), mgmt_id, region, ous, accounts
    )
    _seed_identity_center(
        session.client("sso-admin", region_name=region), mgmt_id, region, accounts
    )
    workloads = org.describe_organizational_unit(OrganizationalUnitId=ous["Workloads"])
    _seed_shares(
        session.client("ram", region_name=region),
        mgmt_id,
        region,
        org_arn,
        workloads["OrganizationalUnit"]["Arn"],
        accounts,
    )


def _seed_stack_sets(
    cf: Any, mgmt_id: str, region: str, ous: Mapping[str, str], accounts: Mapping[str, str]
) -> None:
    sandbox = [a for name, a in accounts.items() if name.startswith("sandbox-")]
    stack_set(
        cf,
        mgmt_id,
        "sandbox-guardrails",
        (region, OTHER_REGION),
        ou_ids=[ous["Sandbox"]],
        auto=True,
        retain=False,
    )
    stack_set(
        cf,
        mgmt_id,
        "divesting-readonly-role",
        (region,),
        ou_ids=[ous["Divesting"]],
        auto=True,
        retain=True,
    )
    stack_set(
        cf,
        mgmt_id,
        "legacy-iam-roles",
        (region,),
        accounts=[accounts["web-prod"], accounts["billing-reports"]],
    )
    stack_set(cf, mgmt_id, "AWSControlTowerBP-BASELINE-CLOUDWATCH", (region,), accounts=sandbox)
    stack_set(
        cf, mgmt_id, "AWSControlTowerBP-BASELINE-CONFIG", (region, OTHER_REGION), accounts=sandbox
    )


def _seed_identity_center(sso: Any, mgmt_id: str, region: str, accounts: Mapping[str, str]) -> None:
    from moto.ssoadmin.models import ssoadmin_backends

    faithful_identity_center(ssoadmin_backends[mgmt_id][region])
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    for name, grants in USERS_AND_GROUPS.items():
        arn = sso.create_permission_set(Name=name, InstanceArn=instance)["PermissionSet"][
            "PermissionSetArn"
        ]
        for principal, names in grants:
            assign(sso, instance, arn, principal, (accounts[n] for n in names))


def _seed_shares(
    ram: Any,
    mgmt_id: str,
    region: str,
    org_arn: str,
    workloads_arn: str,
    accounts: Mapping[str, str],
) -> None:
    arn = f"arn:aws:ec2:{region}:{mgmt_id}"
    share(
        ram,
        mgmt_id,
        "network-shared-subnets",
        f"{arn}:subnet/subnet-0a1b2c3d4e5f60001",
        [workloads_arn],
        retain=False,
    )
    share(
        ram,
        mgmt_id,
        "contoso-transit-gateway",
        f"{arn}:transit-gateway/tgw-0a1b2c3d4e5f60002",
        [accounts["contoso-main"]],
        retain=False,
    )
    share(
        ram,
        mgmt_id,
        "dns-resolver-rules",
        f"arn:aws:route53resolver:{region}:{mgmt_id}:resolver-rule/rslvr-rr-0a1b2c3d4e5f6",
        [org_arn],
        retain=True,
    )
