"""The sample's recovery contacts (DESIGN.md "Recovery"), at the demo's boundary.

moto's `account` service keeps alternate contacts only: the demo adds GetContactInformation
and GetPrimaryEmail to it, answered as AWS answers them (ResourceNotFoundException when
no contact information is set), and seeds every account with everything set but one,
`payments-dev` (no phone, no operations contact), so that a newcomer sees the finding on
one account instead of on all. Trusted access for account.amazonaws.com is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TRUSTED = "account.amazonaws.com"
# name -> (full name, phone) of the contact information; an account absent has none.
CONTACT_INFO: dict[str, tuple[str, str]] = {
    "log-archive": ("Security Operations", "+1 206 555 0142"),
}
# name -> the alternate contacts set (type -> name)
ALTERNATES: dict[str, dict[str, str]] = {
    "log-archive": {"BILLING": "Finance Desk", "OPERATIONS": "Platform On-call", "SECURITY": "SOC"},
    "payments-dev": {"BILLING": "Payments Finance", "SECURITY": "SOC"},
}

# The one sample account with recovery contacts missing (no contact information at all).
MISSING = ("payments-dev",)

_contact_info: dict[str, dict[str, str]] = {}  # account id -> ContactInformation
_emails: dict[str, str] = {}  # account id -> root email


def install_account_service() -> None:
    """Before the mock starts (it registers the routes then): the two reads moto lacks."""
    from moto.account import responses, urls
    from moto.core.responses import ActionResult

    from orgtui.demo.rules import _refuse

    def get_contact_information(self: Any) -> ActionResult:
        account_id = self._get_param("AccountId") or self.current_account
        info = _contact_info.get(account_id)
        if info is None:
            raise _refuse("ResourceNotFoundException", "No contact information is set.")
        return ActionResult(result={"ContactInformation": info})

    def get_primary_email(self: Any) -> ActionResult:
        account_id = self._get_param("AccountId")
        email = _emails.get(account_id or "")
        if email is None:
            raise _refuse("ResourceNotFoundException", "The account was not found.")
        return ActionResult(result={"PrimaryEmail": email})

    responses.AccountResponse.get_contact_information = get_contact_information  # type: ignore[attr-defined]
    responses.AccountResponse.get_primary_email = get_primary_email  # type: ignore[attr-defined]
    urls.url_paths.setdefault("{0}/getContactInformation$", responses.AccountResponse.dispatch)
    urls.url_paths.setdefault("{0}/getPrimaryEmail$", responses.AccountResponse.dispatch)


def seed(session: Any, region: str, accounts: Mapping[str, str], emails: Mapping[str, str]) -> None:
    """Trusted access on, the sample's contacts set (moto's alternate contacts through its
    own API, the rest in this module's tables)."""
    session.client("organizations", region_name=region).enable_aws_service_access(
        ServicePrincipal=TRUSTED
    )
    _emails.clear()
    _emails.update(emails)
    _contact_info.clear()
    complete = {n: CONTACT_INFO.get(n, (f"{n} owners", "+1 206 555 0100")) for n in accounts}
    for name in MISSING:
        complete.pop(name, None)
    for name, (full_name, phone) in complete.items():
        _contact_info[accounts[name]] = {
            "FullName": full_name,
            "AddressLine1": "410 Terry Ave N",
            "City": "Seattle",
            "PostalCode": "98109",
            "CountryCode": "US",
            "PhoneNumber": phone,
        }
    client = session.client("account", region_name=region)
    everyone = {
        n: ALTERNATES.get(n, dict.fromkeys(("BILLING", "OPERATIONS", "SECURITY"), f"{n} owners"))
        for n in accounts
    }
    for name, kinds in everyone.items():
        for kind, who in kinds.items():
            client.put_alternate_contact(
                AccountId=accounts[name],
                AlternateContactType=kind,
                Name=who,
                EmailAddress=f"{kind.lower()}@example.com",
                PhoneNumber="+1 206 555 0100",
                Title="Contact",
            )
