"""Organizations, for the impact checks: SCP documents and the services with trusted access.

DescribePolicy once per attached SCP (never the AWS-managed FullAWSAccess: it allows
everything); ListAWSServiceAccessForOrganization once.
"""

from __future__ import annotations

from collections.abc import Iterable

from botocore.exceptions import ClientError

from orgtui.aws.codes import error_code
from orgtui.aws.readers import IMPACT_ATTEMPTS, each
from orgtui.aws.session import AwsContext
from orgtui.model import required

PAGE = 20


def read_trusted_services(ctx: AwsContext) -> tuple[str, ...]:
    """Service principals with trusted access to the organization."""
    items = ctx.pages(
        "list_aws_service_access_for_organization",
        "EnabledServicePrincipals",
        client=ctx.client("organizations", attempts=IMPACT_ATTEMPTS),
        MaxResults=PAGE,
    )
    return tuple(
        dict.fromkeys(str(i["ServicePrincipal"]) for i in items if i.get("ServicePrincipal"))
    )


def read_policy_documents(ctx: AwsContext, policy_ids: Iterable[str]) -> dict[str, str]:
    """Policy id -> its document (JSON text); a policy deleted since it was listed is left
    out (it applies to no one)."""

    def read_one(policy_id: str) -> tuple[str, str | None]:
        try:
            org = ctx.client("organizations", attempts=IMPACT_ATTEMPTS)
            policy = required(
                ctx.read(org.describe_policy, PolicyId=policy_id), "Policy", "DescribePolicy"
            )
        except ClientError as exc:
            if error_code(exc) == "PolicyNotFoundException":
                return policy_id, None
            raise
        return policy_id, str(policy.get("Content") or "")

    return {
        pid: doc for pid, doc in each(ctx, read_one, dict.fromkeys(policy_ids)) if doc is not None
    }
