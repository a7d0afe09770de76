"""The sample organization: names, OUs, join dates, states, tags, delegation, policies.

About 40 accounts in OUs nested four deep, chosen so that every finding and verdict
appears. Names are fixed and ids come from a seeded generator, so the demo can serve
snapshot tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DemoAccount:
    name: str
    joined: str = "INVITED"  # INVITED or CREATED
    age_days: float = 400.0  # how long ago it joined
    state: str = "ACTIVE"
    tags: dict[str, str] = field(default_factory=dict)
    delegated: tuple[str, ...] = ()
    # A refusal only AWS knows about (phone verification, payment method): a
    # ConstraintViolationException Reason the demo's rules answer with.
    refusal: str | None = None


@dataclass(frozen=True)
class DemoOU:
    name: str
    accounts: tuple[DemoAccount, ...] = ()
    children: tuple[DemoOU, ...] = ()


# The attestation tag (setting `standalone_tag`, this is its default key).
ATTESTED_TAG = "orgtui:standalone-verified"


def _team(team: str, env: str, cost: str) -> dict[str, str]:
    return {"team": team, "env": env, "cost-center": cost}


ORGANIZATION: tuple[DemoOU, ...] = (
    DemoOU(
        "Security",
        accounts=(
            DemoAccount("log-archive", tags={"team": "security", "data": "audit-logs"}),
            DemoAccount(
                "security-tooling",
                tags={"team": "security"},
                delegated=("guardduty.amazonaws.com", "access-analyzer.amazonaws.com"),
            ),
            DemoAccount(
                "audit",
                joined="CREATED",
                age_days=900,
                delegated=("config-multiaccountsetup.amazonaws.com",),
                tags={"team": "security", "compliance": "sox"},
            ),
        ),
    ),
    DemoOU(
        "Infrastructure",
        accounts=(
            DemoAccount(
                "network-hub",
                joined="CREATED",
                age_days=720,
                tags={"team": "network", "env": "shared"},
            ),
            DemoAccount("shared-services", tags={"team": "platform", "env": "shared"}),
            # Attested (issue 11): someone signed in as its root user and completed the
            # sign-up, and recorded it with the attestation tag; it is ready.
            DemoAccount(
                "backup-vault",
                joined="CREATED",
                age_days=365,
                tags={"team": "platform", "data": "backups", ATTESTED_TAG: "2026-10-01 alice"},
            ),
        ),
    ),
    DemoOU(
        "Workloads",
        children=(
            DemoOU(
                "Prod",
                accounts=(DemoAccount("web-prod", tags=_team("web", "prod", "cc-1001")),),
                children=(
                    DemoOU(
                        "Payments",
                        accounts=(
                            DemoAccount("payments-prod", tags=_team("payments", "prod", "cc-2001")),
                            DemoAccount(
                                "ledger-prod",
                                joined="CREATED",
                                age_days=500,
                                tags=_team("payments", "prod", "cc-2001"),
                            ),
                        ),
                        children=(
                            DemoOU(
                                "PCI",
                                accounts=(
                                    DemoAccount(
                                        "cardvault-prod",
                                        tags={
                                            **_team("payments", "prod", "cc-2002"),
                                            "pci": "in-scope",
                                        },
                                    ),
                                    DemoAccount(
                                        "tokenizer-prod",
                                        joined="CREATED",
                                        age_days=210,
                                        refusal="MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
                                        tags={
                                            **_team("payments", "prod", "cc-2002"),
                                            "pci": "in-scope",
                                        },
                                    ),
                                ),
                            ),
                        ),
                    ),
                    DemoOU(
                        "Data",
                        accounts=(
                            DemoAccount("analytics-prod", tags=_team("data", "prod", "cc-3001")),
                            DemoAccount(
                                "datalake-prod",
                                joined="CREATED",
                                age_days=330,
                                tags=_team("data", "prod", "cc-3001"),
                            ),
                        ),
                    ),
                ),
            ),
            DemoOU(
                "Staging",
                accounts=(
                    DemoAccount("web-staging", tags=_team("web", "staging", "cc-1001")),
                    DemoAccount(
                        "payments-staging",
                        joined="CREATED",
                        age_days=120,
                        tags=_team("payments", "staging", "cc-2001"),
                    ),
                    DemoAccount("data-staging", tags=_team("data", "staging", "cc-3001")),
                ),
            ),
            DemoOU(
                "Dev",
                accounts=(
                    DemoAccount(
                        "web-dev",
                        joined="CREATED",
                        age_days=60,
                        tags=_team("web", "dev", "cc-1001"),
                    ),
                    DemoAccount("payments-dev", joined="CREATED", age_days=45),
                    DemoAccount("data-dev", tags=_team("data", "dev", "cc-3001")),
                    DemoAccount(
                        "ml-dev",
                        joined="CREATED",
                        age_days=30,
                        tags=_team("data", "dev", "cc-3002"),
                    ),
                ),
            ),
        ),
    ),
    DemoOU(
        "Sandbox",
        accounts=(
            DemoAccount(
                "sandbox-alice",
                joined="CREATED",
                age_days=2,
                tags={"owner": "alice@example.com", "expires": "2027-01-31"},
            ),
            DemoAccount(
                "sandbox-bob", joined="CREATED", age_days=15, tags={"owner": "bob@example.com"}
            ),
            DemoAccount(
                "sandbox-carol",
                joined="CREATED",
                age_days=90,
                refusal="ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
                tags={"owner": "carol@example.com"},
            ),
            DemoAccount("sandbox-dave", joined="CREATED", age_days=3.5),
            DemoAccount("sandbox-erin", joined="CREATED", age_days=4.5),
        ),
    ),
    DemoOU(
        "Acquisitions",
        children=(
            DemoOU(
                "Contoso",
                accounts=(
                    DemoAccount("contoso-main", tags={"acquired": "2025-06", "team": "contoso"}),
                    DemoAccount("contoso-web", tags={"acquired": "2025-06", "team": "contoso"}),
                    DemoAccount("contoso-legacy", state="SUSPENDED", tags={"acquired": "2025-06"}),
                ),
            ),
            DemoOU(
                "Fabrikam",
                accounts=(
                    DemoAccount("fabrikam-main", tags={"acquired": "2026-02", "team": "fabrikam"}),
                    DemoAccount(
                        "fabrikam-data",
                        tags={"acquired": "2026-02", "team": "fabrikam"},
                        delegated=("macie.amazonaws.com",),
                    ),
                    DemoAccount("fabrikam-dev"),
                ),
            ),
        ),
    ),
    DemoOU(
        "Divesting",
        accounts=(
            DemoAccount(
                "northwind-prod",
                tags={"divest": "northwind", "env": "prod", "owner": "ops@northwind.example"},
            ),
            DemoAccount("northwind-dev", tags={"divest": "northwind", "env": "dev"}),
            DemoAccount("northwind-shared"),
            DemoAccount(
                "tailspin-prod",
                joined="CREATED",
                age_days=800,
                tags={"divest": "tailspin", "env": "prod"},
            ),
        ),
    ),
    DemoOU(
        "Suspended",
        accounts=(
            DemoAccount("old-marketing", state="SUSPENDED", tags={"closed-by": "finance"}),
            DemoAccount("old-events", state="PENDING_CLOSURE", joined="CREATED", age_days=1000),
        ),
    ),
)

# Accounts directly under the root, beside the management account.
ROOT_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("billing-reports", tags={"team": "finance"}),
    DemoAccount(
        "legacy-monolith",
        joined="CREATED",
        age_days=1500,
        tags={"team": "core", "env": "prod", "cost-center": "cc-0001"},
    ),
)

# Service control policies: (name, description, where they are attached by OU or account
# name, "Root" for the root).
SCPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # On the OUs, not the root: the acquired companies (Acquisitions) and the accounts
    # under the root may leave on their own (sign in as fabrikam-dev to try it).
    (
        "DenyLeaveOrganization",
        "Members may not leave on their own",
        ("Security", "Infrastructure", "Workloads", "Sandbox", "Divesting", "Suspended"),
    ),
    ("RegionGuardrail", "Only approved regions", ("Root",)),
    ("ProtectSecurityBaseline", "No changes to GuardDuty, Config, CloudTrail", ("Security",)),
    ("DenyPublicS3", "Block public buckets", ("Workloads",)),
    ("PCIBoundary", "Extra controls in PCI scope", ("PCI",)),
    ("SandboxBudget", "Limit instance types in sandboxes", ("Sandbox",)),
    ("BreakGlassOnly", "Only the break-glass role may act", ("legacy-monolith",)),
)


def _deny(
    sid: str, action: Any, condition: dict[str, Any] | None = None, key: str = "Action"
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Deny", key: action, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return statement


# What each SCP says. Two deny organizations:LeaveOrganization (LEAVE_DENIED_BY_SCP): the
# first outright, on most OUs (the demo refuses those members' LeaveOrganization as AWS
# does); BreakGlassOnly with a condition. The others deny things
# that don't touch it; RegionGuardrail's NotAction spares organizations:*.
SCP_DOCUMENTS: dict[str, list[dict[str, Any]]] = {
    "DenyLeaveOrganization": [_deny("DenyLeave", "organizations:LeaveOrganization")],
    "RegionGuardrail": [
        _deny(
            "DenyOutsideApprovedRegions",
            [
                "iam:*",
                "organizations:*",
                "sts:*",
                "support:*",
                "budgets:*",
                "cloudfront:*",
                "route53:*",
                "sso:*",
                "ce:*",
            ],
            {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
            key="NotAction",
        )
    ],
    "ProtectSecurityBaseline": [
        _deny(
            "ProtectBaseline",
            [
                "guardduty:Delete*",
                "guardduty:Disassociate*",
                "config:Delete*",
                "config:Stop*",
                "cloudtrail:DeleteTrail",
                "cloudtrail:StopLogging",
            ],
            {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/AWSControlTowerExecution"}},
        )
    ],
    "DenyPublicS3": [
        _deny(
            "NoPublicBuckets",
            [
                "s3:PutBucketPublicAccessBlock",
                "s3:PutAccountPublicAccessBlock",
                "s3:DeletePublicAccessBlock",
            ],
        )
    ],
    "PCIBoundary": [
        _deny(
            "NoPeeringOutOfScope",
            [
                "ec2:CreateVpcPeeringConnection",
                "ec2:AcceptVpcPeeringConnection",
                "ram:AcceptResourceShareInvitation",
            ],
        )
    ],
    "SandboxBudget": [
        _deny(
            "SmallInstancesOnly",
            "ec2:RunInstances",
            {"ForAnyValue:StringNotLike": {"ec2:InstanceType": ["t3.*", "t4g.*"]}},
        )
    ],
    "BreakGlassOnly": [
        _deny(
            "OnlyBreakGlass",
            "*",
            {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}},
        )
    ],
}

TAG_POLICIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("RequireCostCenter", "cost-center tag on every resource", ("Workloads",)),
)
