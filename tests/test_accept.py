"""Accepting an invitation from the invited account (aws/accept.py): its open invitations,
the live re-check (the invitation now, the account's readiness for `transfer`), the tag
backup and the audit lines, the move the demo's boundary models, and every refusal in
words (the demo, and botocore's Stubber for the shapes it does not produce)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.stub import Stubber

from orgtui import demo as demo_mod
from orgtui import files
from orgtui.aws.accept import accept, check_accept
from orgtui.aws.loader import Loader
from orgtui.aws.readers.handshakes import open_invitations
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.aws.writes import write_client
from orgtui.demo import handshakes as demo_handshakes
from orgtui.demo.target import MANAGEMENT_EMAIL, MANAGEMENT_ID, OPEN_INVITE_TAGS
from tests.conftest import DEMO_NOW


def demo_ctx(read_only: bool = False) -> AwsContext:
    return AwsContext(
        SessionOptions(
            region=demo_mod.DEMO_REGION, credentials=demo_mod.DEMO_CREDENTIALS, read_only=read_only
        )
    )


def events() -> list[str]:
    return [r["event"] for r in files.read_audit()]


def start_member(name: str):
    running = demo_mod.start(now=DEMO_NOW, member=name)
    ctx = demo_ctx()
    return running, ctx, Loader(ctx).load()


@pytest.fixture
def member(isolated_env):
    running, ctx, snap = start_member("fabrikam-dev")
    yield running, ctx, snap
    running.stop()


def invitation(running, account_id: str, days_ago: float = 1, state: str = "OPEN") -> str:
    handshake = demo_handshakes.add(
        demo_handshakes.DemoHandshake(
            id=demo_handshakes.handshake_id(running.other_org_id, account_id, 900 + int(days_ago)),
            organization_id=running.other_org_id,
            management_id=MANAGEMENT_ID,
            management_email=MANAGEMENT_EMAIL,
            management_name="woodgrove-management",
            feature_set="ALL",
            account_id=account_id,
            requested=DEMO_NOW - timedelta(days=days_ago),
            state=state,
        )
    )
    return handshake.id


def test_the_member_sees_its_open_invitation_with_the_inviting_organization(member):
    running, ctx, snap = member
    (h,) = open_invitations(ctx, snap.caller.account)
    assert h.organization_id == running.other_org_id and h.state == "OPEN"
    assert h.management_email == MANAGEMENT_EMAIL and h.management_name == "woodgrove-management"
    assert h.account_id == running.caller_account_id and h.action == "INVITE"
    assert h.expires == DEMO_NOW + timedelta(days=13)
    assert h.notes.startswith("Fabrikam moves to Woodgrove")


def test_accepting_moves_the_account_with_backup_and_audit_lines(member):
    running, ctx, snap = member
    (h,) = open_invitations(ctx, snap.caller.account)
    live = check_accept(ctx, snap, h.id, DEMO_NOW)
    assert not live.blocked, live.refusal
    assert live.inviting_organization == running.other_org_id
    assert live.management_email == MANAGEMENT_EMAIL
    codes = {f.code for f in live.check.assessment.findings}
    assert "STANDALONE_UNVERIFIED" not in codes  # a transfer has no standalone step
    outcome = accept(ctx, snap, h.id, now=DEMO_NOW)
    assert outcome.status == "removed" and outcome.sent, outcome
    assert running.other_org_id in outcome.what and MANAGEMENT_EMAIL in outcome.what
    assert events() == ["accept-started", "accept-ok"]
    started = files.read_audit()[0]
    assert started["operation"] == "AcceptHandshake" and started["target"] == h.id
    assert started["to_organization"] == running.other_org_id
    assert outcome.backup is not None and outcome.backup.exists()
    org = ctx.org.describe_organization()["Organization"]
    assert org["Id"] == running.other_org_id
    # the target organization's side: the account is there, invited, with the tags
    from moto.organizations.models import organizations_backends

    target = organizations_backends[MANAGEMENT_ID]["aws"]
    moved = next(a for a in target.accounts if a.id == running.caller_account_id)
    assert moved.joined_method == "INVITED" and moved.tags == OPEN_INVITE_TAGS
    assert demo_handshakes.handshakes()[h.id].state == "ACCEPTED"


def test_a_second_acceptance_is_refused_in_words(member):
    running, ctx, snap = member
    (h,) = open_invitations(ctx, snap.caller.account)
    assert accept(ctx, snap, h.id, now=DEMO_NOW).status == "removed"
    again = check_accept(ctx, snap, h.id, DEMO_NOW)
    assert again.blocked and not again.refusal.sent


@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("bad-id", "InvalidHandshakeId", "is not a handshake id"),
        ("unknown", "HandshakeNotFoundException", "was not found"),
        ("expired", "HANDSHAKE_EXPIRED", "is EXPIRED, not OPEN"),
        ("declined", "HANDSHAKE_DECLINED", "is DECLINED, not OPEN"),
    ],
)
def test_the_live_check_refuses_an_invitation_that_can_not_be_accepted(member, kind, code, words):
    running, ctx, snap = member
    me = snap.caller.account
    handshake_id = {
        "bad-id": "h-NOT-AN-ID",
        "unknown": "h-0000000000000000",
        "expired": invitation(running, me, days_ago=16),
        "declined": invitation(running, me, days_ago=3, state="DECLINED"),
    }[kind]
    outcome = accept(ctx, snap, handshake_id, now=DEMO_NOW)
    assert outcome.status == "refused" and not outcome.sent
    assert outcome.code.startswith(code) and words in outcome.what, outcome.what
    assert events() == ["accept-refused"]


def test_an_invitation_for_another_account_is_refused(member):
    running, ctx, snap = member
    other = invitation(running, "444455556666")
    # the demo shows a handshake to its parties: make the caller the sender's side
    demo_handshakes.handshakes()[other].management_id = snap.caller.account
    outcome = accept(ctx, snap, other, now=DEMO_NOW)
    assert outcome.code == "NOT_FOR_THIS_ACCOUNT" and "is for 444455556666" in outcome.what
    assert not outcome.sent


def test_a_blocked_account_is_refused_by_its_transfer_verdict(isolated_env):
    running, ctx, snap = start_member("fabrikam-dev")
    try:
        h = open_invitations(ctx, snap.caller.account)[0]
        management = snap.organization.management_account_id
        # the view says the caller is the management account: the live check reads the truth
        assert management != snap.caller.account
        from dataclasses import replace

        from orgtui.model import Caller

        blocked = check_accept(ctx, replace(snap, caller=Caller(management, "arn:x")), h.id)
        assert blocked.blocked and "Not accepted" in blocked.refusal.what
    finally:
        running.stop()


def test_the_demo_refuses_a_delegated_administrator_as_aws_does(isolated_env):
    running, ctx, snap = start_member("fabrikam-data")  # delegated admin for Macie
    try:
        h = invitation(running, snap.caller.account)
        outcome = accept(ctx, snap, h, now=DEMO_NOW)
        assert outcome.status == "refused", outcome
        assert outcome.reason == "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"
        assert "delegated administrator" in outcome.what
        assert events() == ["accept-started", "accept-error"]
    finally:
        running.stop()


def test_the_demo_refuses_an_account_under_an_scp_denying_leave(isolated_env):
    running, ctx, snap = start_member("sandbox-bob")
    try:
        h = invitation(running, snap.caller.account)
        live = check_accept(ctx, snap, h, DEMO_NOW)
        codes = {f.code: f.severity for f in live.check.assessment.findings}
        assert codes.get("LEAVE_DENIED_BY_SCP", "warning") == "warning"
        outcome = accept(ctx, snap, h, now=DEMO_NOW)
        assert outcome.status == "refused" and "service control policy" in outcome.what
    finally:
        running.stop()


def test_audit_mode_refuses_the_acceptance_below_the_ui(member):
    running, _, snap = member
    ctx = demo_ctx(read_only=True)
    (h,) = open_invitations(ctx, snap.caller.account)
    outcome = accept(ctx, snap, h.id, now=DEMO_NOW)
    assert outcome.status == "refused" and "read-only" in outcome.what
    assert demo_handshakes.handshakes()[h.id].state == "OPEN"


@pytest.mark.parametrize(
    ("code", "reason", "words"),
    [
        (
            "HandshakeConstraintViolationException",
            "ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED",
            "changed organizations too recently",
        ),
        (
            "HandshakeConstraintViolationException",
            "PAYMENT_INSTRUMENT_REQUIRED",
            "no payment method",
        ),
        ("HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION", "already a member"),
        ("ConstraintViolationException", "WAIT_PERIOD_ACTIVE", "less than four days ago"),
        ("ConstraintViolationException", "ACCOUNT_CANNOT_LEAVE_ORGANIZATION", "management account"),
        ("MasterCannotLeaveOrganizationException", None, "management account can't leave"),
        (
            "AccessDeniedForDependencyException",
            "ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE",
            "iam:CreateServiceLinkedRole",
        ),
        ("InvalidHandshakeTransitionException", None, "can no longer be answered"),
        ("HandshakeNotFoundException", None, "was not found"),
        ("HandshakeAlreadyInStateException", None, "already in the state"),
    ],
)
def test_aws_refusals_of_the_acceptance_are_in_words(member, code, reason, words):
    running, ctx, snap = member
    (h,) = open_invitations(ctx, snap.caller.account)
    stub = Stubber(write_client(ctx))
    stub.activate()
    stub.add_client_error(
        "accept_handshake",
        service_error_code=code,
        service_message="refused",
        modeled_fields={"Reason": reason} if reason else None,
    )
    outcome = accept(ctx, snap, h.id, now=DEMO_NOW)
    assert outcome.status == "refused" and outcome.sent, outcome
    assert outcome.code == code and words in outcome.what, outcome.what
    assert outcome.fix and "stays where it is" in outcome.what
    assert events() == ["accept-started", "accept-error"]


def test_an_invitation_by_email_is_the_callers_when_the_address_is_its_own():
    from dataclasses import replace
    from datetime import datetime, timezone

    from orgtui.aws.accept import _handshake_refusal
    from orgtui.handshakes import Handshake
    from orgtui.model import Caller
    from tests.support.orgs import make_snapshot

    later = datetime(2030, 1, 1, tzinfo=timezone.utc)
    h = Handshake.from_api(
        {
            "Id": "h-examplehandshakeid111",
            "State": "OPEN",
            "Action": "INVITE",
            "ExpirationTimestamp": later,
            "Parties": [
                {"Id": "o-exampleorgid", "Type": "ORGANIZATION"},
                {"Id": "juan@example.com", "Type": "EMAIL"},
            ],
        }
    )
    assert h.account_id == "" and h.email == "juan@example.com"
    snap = replace(make_snapshot(), caller=Caller("222233334444", "arn:aws:iam::222233334444:root"))

    def refuse(what, fix, code, **_):
        return code

    assert _handshake_refusal(h, snap, DEMO_NOW, "me", refuse, "Juan@Example.com") is None
    assert _handshake_refusal(h, snap, DEMO_NOW, "me", refuse, "x@example.com") == (
        "NOT_FOR_THIS_ACCOUNT"
    )
    assert _handshake_refusal(h, snap, later, "me", refuse, "juan@example.com") == (
        "HANDSHAKE_EXPIRED"
    )
