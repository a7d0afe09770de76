"""Handshakes as orgtui reads them (orgtui/handshakes.py, aws/readers/handshakes.py): the
API model's structure (botocore's own examples), ids checked, the paginated readers' shape
checks and page-token loop guard (Stubber), and the demo's handshake boundary."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import boto3
import pytest
from botocore.stub import Stubber

from orgtui import demo as demo_mod
from orgtui import files
from orgtui.aws.readers.handshakes import (
    account_handshakes,
    describe_handshake,
    open_invitations,
    organization_handshakes,
)
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.errors import OrgtuiError
from orgtui.handshakes import Handshake, tag_problems
from tests.conftest import DEMO_NOW

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc)


def aws_handshake(**over) -> dict:
    """DescribeHandshake's example answer in botocore's model (examples-1.json)."""
    raw = {
        "Action": "INVITE",
        "Arn": "arn:aws:organizations::111111111111:handshake/o-exampleorgid/invite/"
        "h-examplehandshakeid111",
        "ExpirationTimestamp": T0,
        "Id": "h-examplehandshakeid111",
        "Parties": [
            {"Id": "o-exampleorgid", "Type": "ORGANIZATION"},
            {"Id": "333333333333", "Type": "ACCOUNT"},
        ],
        "RequestedTimestamp": T0,
        "Resources": [
            {
                "Resources": [
                    {"Type": "MASTER_EMAIL", "Value": "bill@example.com"},
                    {"Type": "MASTER_NAME", "Value": "Master Account"},
                ],
                "Type": "ORGANIZATION",
                "Value": "o-exampleorgid",
            },
            {"Type": "ACCOUNT", "Value": "333333333333"},
        ],
        "State": "OPEN",
    }
    raw.update(over)
    return raw


def make_ctx() -> AwsContext:
    return AwsContext(
        SessionOptions(region="us-east-1", credentials=("k", "s", None), concurrency=1)
    )


def test_the_api_models_example_is_read_whole():
    h = Handshake.from_api(aws_handshake())
    assert h.id == "h-examplehandshakeid111" and h.state == "OPEN" and h.pending
    assert h.organization_id == "o-exampleorgid" and h.account_id == "333333333333"
    assert (h.management_email, h.management_name) == ("bill@example.com", "Master Account")
    assert h.requested == T0 and h.expires is not None and h.expires.tzinfo == timezone.utc


def test_the_newer_management_resources_and_a_prefixless_party_are_read():
    raw = aws_handshake(
        Parties=[{"Id": "exampleorgid", "Type": "ORGANIZATION"}],
        Resources=[
            {
                "Type": "MANAGEMENT_ACCOUNT",
                "Value": "111111111111",
                "Resources": [{"Type": "MANAGEMENT_EMAIL", "Value": "ops@example.com"}],
            },
            {"Type": "NOTES", "Value": "welcome"},
        ],
    )
    h = Handshake.from_api(raw)
    assert h.organization_id == "o-exampleorgid" and h.management_email == "ops@example.com"
    assert h.notes == "welcome" and h.account_id == ""


@pytest.mark.parametrize(
    "over",
    [
        {"Id": "h-UPPER"},
        {"Id": "h-short"},
        {"Id": "../../etc"},
        {"State": None},
        {"Parties": "not a list"},
        {"Parties": [{"Id": "222222222222", "Type": "ACCOUNT"}, "x"]},
        {"Resources": [{"Type": "ACCOUNT", "Value": "12"}]},
        {"RequestedTimestamp": "yesterday"},
    ],
)
def test_a_handshake_that_is_not_awss_shape_is_refused_in_words(over):
    with pytest.raises(OrgtuiError) as info:
        Handshake.from_api(aws_handshake(**over), "ListHandshakesForOrganization")
    assert "ListHandshakesForOrganization" in info.value.what


def test_tag_limits_in_words():
    assert tag_problems("111122223333", {"team": "a b_c.d:e/f=g+h-i@j", "Ünïcode": "ç"}) == []
    (problem,) = tag_problems("111122223333", {"AWS:x": "1"})
    assert "account 111122223333" in problem and "'AWS:x'" in problem


def test_the_organizations_handshakes_follow_every_page():
    ctx = make_ctx()
    stub = Stubber(ctx.org)
    first = aws_handshake()
    second = aws_handshake(Id="h-0123456789abcdef", State="ACCEPTED")
    args = {"Filter": {"ActionType": "INVITE"}}
    stub.add_response(
        "list_handshakes_for_organization", {"Handshakes": [first], "NextToken": "t1"}, args
    )
    stub.add_response(
        "list_handshakes_for_organization",
        {"Handshakes": [], "NextToken": "t2"},
        {**args, "NextToken": "t1"},
    )
    stub.add_response(
        "list_handshakes_for_organization", {"Handshakes": [second]}, {**args, "NextToken": "t2"}
    )
    with stub:
        found = organization_handshakes(ctx)
    assert [(h.id, h.state) for h in found] == [
        ("h-examplehandshakeid111", "OPEN"),
        ("h-0123456789abcdef", "ACCEPTED"),
    ]


def test_a_page_token_given_twice_is_refused_not_followed():
    ctx = make_ctx()
    stub = Stubber(ctx.org)
    stub.add_response("list_handshakes_for_account", {"Handshakes": [], "NextToken": "t1"})
    stub.add_response("list_handshakes_for_account", {"Handshakes": [], "NextToken": "t1"})
    with stub, pytest.raises(OrgtuiError) as info:
        account_handshakes(ctx)
    assert info.value.code == "MalformedAnswer" and "loop" in info.value.what


def test_a_page_without_its_list_is_refused():
    ctx = make_ctx()
    stub = Stubber(ctx.org)
    stub.add_response("list_handshakes_for_account", {})
    with stub, pytest.raises(OrgtuiError) as info:
        open_invitations(ctx, "333333333333")
    assert "without its Handshakes list" in info.value.what


def test_describe_checks_the_id_before_the_call_and_the_answer_after():
    ctx = make_ctx()
    with pytest.raises(OrgtuiError) as info:
        describe_handshake(ctx, "h-\x1b[31m")
    assert "\\x1b" in info.value.what and ctx.stats.calls.get("DescribeHandshake", 0) == 0
    stub = Stubber(ctx.org)
    stub.add_response("describe_handshake", {"Handshake": aws_handshake()})
    with stub, pytest.raises(OrgtuiError) as info:
        describe_handshake(ctx, "h-0123456789abcdef")
    assert info.value.code == "MalformedAnswer"


# --- the demo's boundary ------------------------------------------------------------------


def client():
    return boto3.Session(
        aws_access_key_id="demo-access-key",
        aws_secret_access_key="demo-secret-key",
        region_name="us-east-1",
    ).client("organizations")


def demo_ctx() -> AwsContext:
    return AwsContext(
        SessionOptions(region=demo_mod.DEMO_REGION, credentials=demo_mod.DEMO_CREDENTIALS)
    )


def test_the_target_demo_lists_every_state_and_writes_its_hand_over(isolated_env):
    running = demo_mod.start(now=DEMO_NOW, target=True)
    try:
        found = organization_handshakes(demo_ctx())
        assert sorted(h.state for h in found) == ["ACCEPTED", "DECLINED", "EXPIRED", "OPEN"]
        assert all(h.organization_id == running.other_org_id for h in found)
        assert running.handover_path == files.demo_handover_path()
        ho = files.read_handover(running.handover_path)
        assert ho.destination == "transfer" and len(ho.accounts) == 7
        assert ho.organization_id != running.other_org_id
        doc = json.loads(running.handover_path.read_text())
        assert doc["summary"]["accounts"] == 7
    finally:
        running.stop()


def test_the_demo_pages_its_handshakes_by_twenty(isolated_env, monkeypatch):
    from orgtui.demo import handshakes as demo_handshakes

    running = demo_mod.start(now=DEMO_NOW, target=True)
    try:
        org = client()
        monkeypatch.setattr(demo_handshakes, "DAILY_INVITES", 100)
        for i in range(25):
            org.invite_account_to_organization(
                Target={"Type": "ACCOUNT", "Id": f"{600000000000 + i}"}
            )
        page = org.list_handshakes_for_organization()
        assert len(page["Handshakes"]) == 20 and page["NextToken"]
        assert len(organization_handshakes(demo_ctx())) == 29
    finally:
        running.stop()


def test_the_demo_declines_and_cancels_as_aws_does(isolated_env):
    running = demo_mod.start(now=DEMO_NOW, target=True)
    try:
        org = client()
        h = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": "600000000001"})
        hid = h["Handshake"]["Id"]
        assert org.cancel_handshake(HandshakeId=hid)["Handshake"]["State"] == "CANCELED"
        with pytest.raises(org.exceptions.HandshakeAlreadyInStateException):
            org.cancel_handshake(HandshakeId=hid)
        with pytest.raises(org.exceptions.DuplicateHandshakeException):
            fab = running.accounts["fabrikam-dev"]
            org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": fab})
        with pytest.raises(org.exceptions.HandshakeConstraintViolationException) as info:
            member = running.other_accounts["woodgrove-shared"]
            org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": member})
        assert info.value.response["Reason"] == "ALREADY_IN_AN_ORGANIZATION"
    finally:
        running.stop()


def test_the_member_demo_declines_its_invitation(isolated_env):
    running = demo_mod.start(now=DEMO_NOW, member="fabrikam-dev")
    try:
        ctx = demo_ctx()
        (h,) = open_invitations(ctx, running.caller_account_id)
        org = client()
        org.decline_handshake(HandshakeId=h.id)
        assert open_invitations(ctx, running.caller_account_id) == []
        with pytest.raises(org.exceptions.InvalidHandshakeTransitionException):
            org.accept_handshake(HandshakeId=h.id)
    finally:
        running.stop()


# --- every refusal of the two writes in words -----------------------------------------------


def _model():
    import botocore.session

    return botocore.session.get_session().get_service_model("organizations")


@pytest.mark.parametrize("operation", ["InviteAccountToOrganization", "AcceptHandshake"])
def test_every_error_of_the_two_writes_has_its_own_words(operation):
    from botocore.exceptions import ClientError

    from orgtui.aws.errors import translate

    for shape in _model().operation_model(operation).error_shapes:
        exc = ClientError({"Error": {"Code": shape.name, "Message": "m"}}, operation)
        err = translate(exc)
        assert not err.what.startswith("AWS returned"), shape.name
        assert err.fix, shape.name


def test_every_handshake_constraint_reason_of_the_model_is_worded():
    from botocore.exceptions import ClientError

    from orgtui.aws.error_words import HANDSHAKE_REASONS
    from orgtui.aws.errors import translate

    reasons = _model().shape_for("HandshakeConstraintViolationException").members["Reason"].enum
    assert set(reasons) <= set(HANDSHAKE_REASONS)
    for reason in reasons:
        exc = ClientError(
            {"Error": {"Code": "HandshakeConstraintViolationException"}, "Reason": reason},
            "AcceptHandshake",
        )
        assert translate(exc).what == HANDSHAKE_REASONS[reason][0]
