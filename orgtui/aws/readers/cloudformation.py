"""CloudFormation StackSets: the sets whose stacks leave with an account, and where they are.

ListStackSets per region; then, for each SERVICE_MANAGED set and each Control Tower set
(`AWSControlTowerBP-*`, self-managed), DescribeStackSet (AutoDeployment, its OUs) and
ListStackInstances (which accounts, which regions). Other self-managed sets add nothing
and cost no further call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from orgtui.aws.codes import error_code
from orgtui.aws.readers import IMPACT_ATTEMPTS, each
from orgtui.aws.session import AwsContext
from orgtui.impact_model import CONTROL_TOWER_STACKSET_PREFIX, StackSetInfo
from orgtui.model import required

PAGE = 100  # the most ListStackSets and ListStackInstances return per page


@dataclass
class StackSetsRead:
    """One region's StackSets worth reading, and their stack instances by account."""

    sets: dict[str, StackSetInfo] = field(default_factory=dict)
    # account id -> (StackSetId, region of the stack instance)
    instances: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def _worth_reading(summary: Mapping[str, Any]) -> bool:
    return summary.get("Status", "ACTIVE") == "ACTIVE" and (
        summary.get("PermissionModel") == "SERVICE_MANAGED"
        or str(summary.get("StackSetName", "")).startswith(CONTROL_TOWER_STACKSET_PREFIX)
    )


def read_stack_sets(ctx: AwsContext, region: str) -> StackSetsRead:
    """The service-managed and Control Tower StackSets administered from `region`."""
    cf = ctx.client("cloudformation", region, attempts=IMPACT_ATTEMPTS)
    summaries = ctx.pages(
        "list_stack_sets", "Summaries", client=cf, Status="ACTIVE", MaxResults=PAGE
    )

    def read_one(summary: Mapping[str, Any]) -> tuple[StackSetInfo, list[Any]] | None:
        ref = summary.get("StackSetId") or required(summary, "StackSetName", "ListStackSets")
        try:
            described = required(
                ctx.read(cf.describe_stack_set, StackSetName=ref), "StackSet", "DescribeStackSet"
            )
            instances = ctx.pages(
                "list_stack_instances", "Summaries", client=cf, StackSetName=ref, MaxResults=PAGE
            )
        except ClientError as exc:
            if error_code(exc) == "StackSetNotFoundException":
                return None  # deleted since it was listed: nothing of it can be lost
            raise
        auto = described.get("AutoDeployment") or summary.get("AutoDeployment") or {}
        info = StackSetInfo(
            id=str(described.get("StackSetId") or ref),
            name=str(described.get("StackSetName") or summary.get("StackSetName") or ref),
            region=region,
            permission_model=str(
                described.get("PermissionModel") or summary.get("PermissionModel") or "SELF_MANAGED"
            ),
            auto_deployment=bool(auto.get("Enabled", False)),
            retain_stacks=bool(auto.get("RetainStacksOnAccountRemoval", False)),
            ou_ids=tuple(described.get("OrganizationalUnitIds") or ()),
        )
        return info, instances

    result = StackSetsRead()
    for found in each(ctx, read_one, [s for s in summaries if _worth_reading(s)]):
        if found is None:
            continue
        info, instances = found
        result.sets[info.id] = info
        for instance in instances:
            account, where = instance.get("Account"), instance.get("Region")
            if account and where:
                pairs = result.instances.setdefault(str(account), [])
                if (info.id, where) not in pairs:  # AWS may list an instance twice
                    pairs.append((info.id, str(where)))
    return result
