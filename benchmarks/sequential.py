"""The careful sequential script orgtui is compared with: the same inventory, one call at a
time, as an admin would write it with boto3.

Top-down walk (ListOrganizationalUnitsForParent and ListAccountsForParent per parent, 20
a page), then tags per account, delegated administrators and their services, policies
per enabled type and the targets of each non-default policy. Standard retries (12
attempts), so a throttle slows it down instead of failing it. Prints a JSON summary.

    python benchmarks/sequential.py --endpoint-url http://127.0.0.1:PORT
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import boto3
from botocore.config import Config

DEFAULTS = {"p-FullAWSAccess", "p-RCPFullAWSAccess"}


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    items: list[Any] = []
    while True:
        page = getattr(client, operation)(**kwargs)
        items.extend(page.get(key, []))
        token = page.get("NextToken")
        if not token:
            return items
        kwargs["NextToken"] = token


def inventory(endpoint_url: str | None) -> dict[str, Any]:
    config = Config(retries={"mode": "standard", "max_attempts": 12})
    org = boto3.client(
        "organizations", region_name="us-east-1", endpoint_url=endpoint_url, config=config
    )
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint_url, config=config)
    calls = 0

    def counted(**_: Any) -> None:
        nonlocal calls
        calls += 1

    for client in (org, sts):
        client.meta.events.register("before-call", counted)

    organization = org.describe_organization()["Organization"]
    caller = sts.get_caller_identity()
    roots = pages(org, "list_roots", "Roots", MaxResults=20)
    ous: dict[str, dict[str, Any]] = {}
    accounts: dict[str, dict[str, Any]] = {}
    stack = [r["Id"] for r in roots]
    while stack:
        parent = stack.pop()
        for ou in pages(
            org,
            "list_organizational_units_for_parent",
            "OrganizationalUnits",
            ParentId=parent,
            MaxResults=20,
        ):
            ous[ou["Id"]] = {**ou, "ParentId": parent}
            stack.append(ou["Id"])
        for account in pages(
            org, "list_accounts_for_parent", "Accounts", ParentId=parent, MaxResults=20
        ):
            accounts[account["Id"]] = {**account, "ParentId": parent}
    tags = {}
    for account_id in accounts:
        found = pages(org, "list_tags_for_resource", "Tags", ResourceId=account_id)
        if found:
            tags[account_id] = {t["Key"]: t["Value"] for t in found}
    delegated = {}
    for admin in pages(
        org, "list_delegated_administrators", "DelegatedAdministrators", MaxResults=20
    ):
        delegated[admin["Id"]] = [
            s["ServicePrincipal"]
            for s in pages(
                org,
                "list_delegated_services_for_account",
                "DelegatedServices",
                AccountId=admin["Id"],
                MaxResults=20,
            )
        ]
    types = {t["Type"] for r in roots for t in r.get("PolicyTypes", []) if t["Status"] == "ENABLED"}
    if organization.get("FeatureSet") == "ALL":
        types.add("SERVICE_CONTROL_POLICY")
    attachments: dict[str, list[str]] = {}
    policies = 0
    for policy_type in sorted(types):
        for policy in pages(org, "list_policies", "Policies", Filter=policy_type, MaxResults=20):
            policies += 1
            if policy["Id"] in DEFAULTS:
                continue
            for target in pages(
                org, "list_targets_for_policy", "Targets", PolicyId=policy["Id"], MaxResults=20
            ):
                attachments.setdefault(target["TargetId"], []).append(policy["Id"])
    return {
        "organization": organization["Id"],
        "caller": caller["Account"],
        "accounts": len(accounts),
        "ous": len(ous),
        "tagged": len(tags),
        "delegated": len(delegated),
        "policies": policies,
        "attached_targets": len(attachments),
        "calls": calls,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url")
    args = parser.parse_args()
    started = time.monotonic()
    result = inventory(args.endpoint_url)
    result["seconds"] = round(time.monotonic() - started, 2)
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
