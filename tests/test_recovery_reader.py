"""The recovery reader (aws/readers/account.py) against AWS's own answer shapes (Stubber):
five calls per account, an alternate contact AWS says is not set counted as missing, the
caller's own account asked without AccountId, other errors raised."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from orgtui.aws.readers import IMPACT_ATTEMPTS
from orgtui.aws.readers.account import read_recovery
from orgtui.aws.session import AwsContext, SessionOptions

MEMBER, MANAGEMENT = "222222222222", "111111111111"


def ctx_and_stub() -> tuple[AwsContext, Stubber]:
    ctx = AwsContext(SessionOptions(region="us-east-1", credentials=("k", "s", None)))
    stub = Stubber(ctx.client("account", attempts=IMPACT_ATTEMPTS))
    stub.activate()
    return ctx, stub


def answer(stub: Stubber, account: dict, *, phone: str | None, unset: str) -> None:
    if account:  # member accounts only
        stub.add_response("get_primary_email", {"PrimaryEmail": "root@example.com"}, account)
    if phone is None:  # no contact information at all (AWS requires a phone in it)
        stub.add_client_error(
            "get_contact_information",
            "ResourceNotFoundException",
            http_status_code=404,
            expected_params=account,
        )
    else:
        stub.add_response(
            "get_contact_information",
            {
                "ContactInformation": {
                    "FullName": "Ops Team",
                    "AddressLine1": "1 Main St",
                    "City": "Seattle",
                    "PostalCode": "98101",
                    "CountryCode": "US",
                    "PhoneNumber": phone,
                }
            },
            account,
        )
    for kind in ("BILLING", "OPERATIONS", "SECURITY"):
        params = {**account, "AlternateContactType": kind}
        if kind == unset:
            stub.add_client_error(
                "get_alternate_contact",
                "ResourceNotFoundException",
                http_status_code=404,
                expected_params=params,
            )
        else:
            stub.add_response(
                "get_alternate_contact",
                {
                    "AlternateContact": {
                        "Name": f"{kind.title()} Lead",
                        "EmailAddress": f"{kind.lower()}@example.com",
                        "PhoneNumber": "+1 206 555 0100",
                        "Title": "Lead",
                        "AlternateContactType": kind,
                    }
                },
                params,
            )


def test_a_member_accounts_contacts_in_five_calls():
    ctx, stub = ctx_and_stub()
    answer(stub, {"AccountId": MEMBER}, phone="+1 206 555 0199", unset="OPERATIONS")
    found = read_recovery(ctx, MEMBER, caller_account=MANAGEMENT, created=True)
    stub.assert_no_pending_responses()
    assert found.root_email == "root@example.com" and found.phone == "+1 206 555 0199"
    assert found.alternates["OPERATIONS"] is None
    assert found.alternates["SECURITY"].email == "security@example.com"
    assert found.missing == ["operations contact"] and found.created


def test_the_callers_own_account_is_asked_without_account_id_nor_primary_email():
    ctx, stub = ctx_and_stub()
    answer(stub, {}, phone=None, unset="BILLING")
    found = read_recovery(ctx, MANAGEMENT, caller_account=MANAGEMENT, email="m@example.com")
    stub.assert_no_pending_responses()
    assert found.root_email == "m@example.com"
    assert found.missing == ["phone number", "billing contact"]


def test_access_denied_is_raised_for_the_check_to_skip():
    ctx, stub = ctx_and_stub()
    stub.add_client_error("get_primary_email", "AccessDeniedException", http_status_code=403)
    with pytest.raises(ClientError):
        read_recovery(ctx, MEMBER, caller_account=MANAGEMENT)
