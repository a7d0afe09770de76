"""What stops when an account is no longer a service's delegated administrator, in words.

The deregistration dialog lists each service with what it loses; a service orgtui has no
specific words for is said generally (`what_stops`).
"""

from __future__ import annotations

# service principal -> (the service's name, what stops until another administrator is
# registered)
SERVICES: dict[str, tuple[str, str]] = {
    "guardduty.amazonaws.com": (
        "Amazon GuardDuty",
        "findings of the member accounts stop being gathered here, and "
        "GuardDuty for new accounts is no longer enabled from this account",
    ),
    "securityhub.amazonaws.com": (
        "AWS Security Hub",
        "the organization's findings and security standards are no "
        "longer managed from this account",
    ),
    "access-analyzer.amazonaws.com": (
        "IAM Access Analyzer",
        "analyzers with the organization as zone of trust can no "
        "longer be managed from this account",
    ),
    "config-multiaccountsetup.amazonaws.com": (
        "AWS Config (multi-account setup)",
        "organization Config rules and conformance "
        "packs can no longer be deployed or changed from this account",
    ),
    "config.amazonaws.com": (
        "AWS Config",
        "the organization's aggregators in this account stop gathering",
    ),
    "macie.amazonaws.com": (
        "Amazon Macie",
        "member accounts' sensitive-data discovery is no longer managed from this account",
    ),
    "inspector2.amazonaws.com": (
        "Amazon Inspector",
        "vulnerability scanning of member accounts is no longer managed from this account",
    ),
    "detective.amazonaws.com": (
        "Amazon Detective",
        "the organization behavior graph is no longer managed here",
    ),
    "fms.amazonaws.com": (
        "AWS Firewall Manager",
        "security policies across the organization can no longer be managed from this account",
    ),
    "sso.amazonaws.com": (
        "IAM Identity Center",
        "Identity Center administration delegated to this account "
        "stops; only the management account can manage it",
    ),
    "ipam.amazonaws.com": (
        "Amazon VPC IPAM",
        "IP address management across the organization stops being run from this account",
    ),
    "backup.amazonaws.com": (
        "AWS Backup",
        "organization backup policies and cross-account monitoring are no "
        "longer managed from this account",
    ),
    "cloudtrail.amazonaws.com": (
        "AWS CloudTrail",
        "organization trails and event data stores can no longer be managed from this account",
    ),
    "member.org.stacksets.cloudformation.amazonaws.com": (
        "CloudFormation StackSets",
        "service-managed StackSets can no longer be created or changed from this account",
    ),
    "securitylake.amazonaws.com": (
        "Amazon Security Lake",
        "the organization's security data lake is no longer managed from this account",
    ),
    "auditmanager.amazonaws.com": (
        "AWS Audit Manager",
        "assessments across the organization are no longer run from this account",
    ),
    "ssm.amazonaws.com": (
        "AWS Systems Manager",
        "organization-wide Systems Manager features are no longer managed from this account",
    ),
    "health.amazonaws.com": (
        "AWS Health",
        "the organizational view of AWS Health is no longer available here",
    ),
}


def service_name(principal: str) -> str:
    return SERVICES.get(principal, (principal, ""))[0]


def what_stops(principal: str) -> str:
    """One sentence: what the organization loses until another administrator is named."""
    name, stops = SERVICES.get(principal, (principal, ""))
    if not stops:
        stops = "whatever this account administers for the organization in this service stops"
    return f"{name}: {stops}, until another account is registered as its delegated administrator."
