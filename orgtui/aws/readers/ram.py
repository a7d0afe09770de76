"""AWS RAM: the resource shares the caller's account owns, and who they reach.

GetResourceShares (resourceOwner SELF) and GetResourceShareAssociations (PRINCIPAL) per
region: two calls (and their pages), whatever the number of accounts.
"""

from __future__ import annotations

from orgtui.aws.readers import IMPACT_ATTEMPTS
from orgtui.aws.session import AwsContext
from orgtui.impact_model import ResourceShareInfo

PAGE = 500  # the most RAM returns per page


def read_shares(ctx: AwsContext, region: str) -> list[ResourceShareInfo]:
    ram = ctx.client("ram", region, attempts=IMPACT_ATTEMPTS)
    shares = [
        s
        for s in ctx.pages(
            "get_resource_shares",
            "resourceShares",
            client=ram,
            resourceOwner="SELF",
            resourceShareStatus="ACTIVE",
            maxResults=PAGE,
        )
        if s.get("status", "ACTIVE") == "ACTIVE" and s.get("resourceShareArn")
    ]
    if not shares:
        return []  # nothing shared: no associations to read
    principals: dict[str, list[str]] = {}
    for assoc in ctx.pages(
        "get_resource_share_associations",
        "resourceShareAssociations",
        client=ram,
        associationType="PRINCIPAL",
        associationStatus="ASSOCIATED",
        maxResults=PAGE,
    ):
        if assoc.get("status", "ASSOCIATED") != "ASSOCIATED":
            continue
        entity = str(assoc.get("associatedEntity") or "")
        found = principals.setdefault(str(assoc.get("resourceShareArn")), [])
        if entity and entity not in found:
            found.append(entity)
    return [
        ResourceShareInfo(
            arn=str(s["resourceShareArn"]),
            name=str(s.get("name") or s["resourceShareArn"]),
            region=region,
            principals=tuple(principals.get(str(s["resourceShareArn"]), ())),
            retain_on_leave=bool(
                (s.get("resourceShareConfiguration") or {}).get(
                    "retainSharingOnAccountLeaveOrganization", False
                )
            ),
        )
        for s in shares
    ]
