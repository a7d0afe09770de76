"""Inviting accounts with their tags (aws/invite_plan.py, aws/invite.py), as the target
organization's management account: the plan's refusals before any call, the live re-check, the audit
lines before and after, the read-only guard, and AWS's refusals in words (the demo's
handshake boundary, and botocore's Stubber for the exact shapes)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from orgtui import demo as demo_mod
from orgtui import files
from orgtui.aws.invite import invite_many, invite_one
from orgtui.aws.invite_plan import (
    InvitePlan,
    PlannedInvite,
    parse_account_ids,
    plan_invites,
    prepare_invites,
)
from orgtui.aws.loader import Loader
from orgtui.aws.readers.handshakes import organization_handshakes
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.aws.writes import write_client
from orgtui.demo import handshakes as demo_handshakes
from orgtui.demo.target import MANAGEMENT_ID
from orgtui.files.backups import TagBackup
from tests.conftest import DEMO_NOW


def demo_ctx(read_only: bool = False) -> AwsContext:
    return AwsContext(
        SessionOptions(
            region=demo_mod.DEMO_REGION, credentials=demo_mod.DEMO_CREDENTIALS, read_only=read_only
        )
    )


def events() -> list[tuple[str, str]]:
    return [(r["event"], r.get("account_id", "")) for r in files.read_audit()]


@pytest.fixture
def target(isolated_env):
    """The demo as Woodgrove's management account, the sample's hand-over beside it."""
    running = demo_mod.start(now=DEMO_NOW, target=True)
    ctx = demo_ctx()
    snap = Loader(ctx).load()
    handover = files.read_handover(running.handover_path, caller_arn=snap.caller.arn)
    yield running, ctx, snap, handover
    running.stop()


def sent_tags(handshake_id: str) -> dict[str, str]:
    return demo_handshakes.handshakes()[handshake_id].tags


def test_typed_ids_take_dashes_and_name_the_words_that_are_not_ids():
    ids, bad = parse_account_ids("1111-2222-3333, 444455556666\n1111-2222-3333 12345 abc")
    assert ids == ["111122223333", "444455556666"]
    assert bad == ["12345", "abc"]


def test_an_invitation_carries_the_tags_of_the_hand_over_report(target):
    running, ctx, snap, handover = target
    account = running.accounts["fabrikam-main"]
    plan = prepare_invites(snap, [account], handover)
    (planned,) = plan.invites
    assert planned.ok and planned.tag_source == "report"
    assert planned.source_verdict == "ready" and "TAGS_WILL_BE_DELETED" in planned.source_findings
    assert dict(planned.tags) == {"acquired": "2026-02", "team": "fabrikam"}
    assert "2 tags from the hand-over report" in planned.tag_words
    (outcome,) = invite_many(ctx, snap, plan)
    assert outcome.status == "done" and outcome.sent, outcome
    assert outcome.target.startswith("h-") and "open until 2026-12-13" in outcome.what
    assert sent_tags(outcome.target) == {"acquired": "2026-02", "team": "fabrikam"}
    assert events() == [("invite-started", account), ("invite-ok", account)]
    started = files.read_audit()[0]
    assert started["operation"] == "InviteAccountToOrganization"
    assert started["tag_source"] == "report" and started["tag_keys"] == ["acquired", "team"]
    listed = [h for h in organization_handshakes(ctx) if h.account_id == account]
    assert [h.state for h in listed] == ["OPEN"]


def test_without_report_tags_the_newest_tag_backup_is_used(target):
    running, ctx, snap, handover = target
    account = running.accounts["northwind-shared"]  # no tags in the sample (nor the report)
    source_org = handover.organization_id
    files.backup_tags(source_org, account, {"env": "old"})
    newest = files.backup_tags(source_org, account, {"env": "dev", "owner": "ops"})
    plan = prepare_invites(snap, [account], handover)
    (planned,) = plan.invites
    assert planned.tag_source == "backup" and dict(planned.tags) == {"env": "dev", "owner": "ops"}
    assert str(newest) in planned.tag_words
    (outcome,) = invite_many(ctx, snap, plan)
    assert outcome.status == "done", outcome
    assert sent_tags(outcome.target) == {"env": "dev", "owner": "ops"}


def test_no_tags_anywhere_is_said_and_the_invitation_goes_without(target):
    running, ctx, snap, _ = target
    plan = prepare_invites(snap, ["1234-5678-9012"])
    (planned,) = plan.invites
    assert planned.ok and planned.account_id == "123456789012" and planned.tag_source == "none"
    assert planned.tag_words.startswith("no tags")
    (outcome,) = invite_many(ctx, snap, plan)
    assert outcome.status == "done" and sent_tags(outcome.target) == {}


def _backup(account_id: str, tags: dict[str, str]) -> TagBackup:
    from pathlib import Path

    return TagBackup(Path("/tmp/x.json"), "o-aaaaaaaaaa", account_id, None, tags)


@pytest.mark.parametrize(
    ("raw", "tags", "code", "words"),
    [
        ("12345", {}, "INVALID_ACCOUNT_ID", "'12345' is not an account id"),
        ("own", {}, "OWN_ACCOUNT", "is your own account"),
        ("member", {}, "ALREADY_MEMBER", "woodgrove-shared"),
        ("999900001111", {"aws:cloudformation": "x"}, "TAG_LIMITS", "'aws:cloudformation'"),
        ("999900001111", {"k" * 129: "x"}, "TAG_LIMITS", "is 129 characters; AWS allows 128"),
        ("999900001111", {"env": "v" * 257}, "TAG_LIMITS", "the value of tag 'env' is 257"),
        ("999900001111", {f"k{i}": "v" for i in range(51)}, "TAG_LIMITS", "has 51 tags"),
        ("999900001111", {"bad\x1b[31m": "v"}, "TAG_LIMITS", "'bad\\x1b[31m'"),
    ],
)
def test_the_plan_refuses_before_any_call(target, raw, tags, code, words):
    running, ctx, snap, _ = target
    account = {"own": MANAGEMENT_ID, "member": running.other_accounts["woodgrove-shared"]}.get(
        raw, raw
    )
    plan = plan_invites(snap, [account], backups={account: _backup(account, tags)})
    (planned,) = plan.invites
    assert planned.code == code and words in planned.refusal, planned.refusal
    if code == "TAG_LIMITS":
        assert "account 999900001111" in planned.refusal
    before = ctx.stats.calls.get("InviteAccountToOrganization", 0)
    (outcome,) = invite_many(ctx, snap, plan)
    assert outcome.status == "refused" and not outcome.sent and outcome.code == code
    assert ctx.stats.calls.get("InviteAccountToOrganization", 0) == before
    assert [e for e, _ in events()] == ["invite-refused"]


def test_an_account_with_an_open_invitation_is_refused_by_the_live_check(target):
    running, ctx, snap, handover = target
    account = running.accounts["fabrikam-dev"]  # Woodgrove invited it two days ago
    plan = prepare_invites(snap, [account], handover)
    assert plan.invites[0].ok  # the plan does not know; the live re-check does
    (outcome,) = invite_many(ctx, snap, plan)
    assert outcome.status == "refused" and not outcome.sent
    assert outcome.code == "DUPLICATE_INVITE" and "already has an open invitation" in outcome.what
    assert outcome.target.startswith("h-")
    assert [e for e, _ in events()] == ["invite-refused"]


def test_a_member_found_live_is_refused_though_the_view_missed_it(target):
    running, ctx, snap, _ = target
    member = running.other_accounts["woodgrove-data"]
    stale = snap.without_account(member)
    (outcome,) = invite_many(ctx, stale, plan_invites(stale, [member]))
    assert outcome.code == "ALREADY_MEMBER" and "AWS shows it now" in outcome.what


def test_a_hand_over_from_another_partition_is_refused_whole(target):
    from dataclasses import replace

    running, ctx, snap, handover = target
    other = replace(handover, partition="aws-cn")
    plan = plan_invites(snap, other.account_ids, other)
    assert {p.code for p in plan.invites} == {"OTHER_PARTITION"}
    assert "aws-cn" in plan.invites[0].refusal


def test_audit_mode_refuses_the_invitation_below_the_ui(target):
    running, _, snap, handover = target
    ctx = demo_ctx(read_only=True)
    account = running.accounts["northwind-prod"]
    before = set(demo_handshakes.handshakes())
    (outcome,) = invite_many(ctx, snap, prepare_invites(snap, [account], handover))
    assert outcome.status == "refused" and "read-only" in outcome.what
    assert set(demo_handshakes.handshakes()) == before


def test_the_audit_line_is_whole_on_disk_before_the_call(target, monkeypatch):
    running, ctx, snap, handover = target
    account = running.accounts["northwind-dev"]
    seen: list[list[tuple[str, str]]] = []
    from orgtui.aws import writes

    real = writes.send_write

    def spy(*args, **kwargs):
        seen.append(events())
        return real(*args, **kwargs)

    monkeypatch.setattr(writes, "send_write", spy)
    (outcome,) = invite_many(ctx, snap, prepare_invites(snap, [account], handover))
    assert outcome.status == "done"
    assert seen == [[("invite-started", account)]]


def _stub_write(ctx: AwsContext) -> Stubber:
    stub = Stubber(write_client(ctx))
    stub.activate()
    return stub


@pytest.mark.parametrize(
    ("code", "reason", "words"),
    [
        (
            "HandshakeConstraintViolationException",
            "ALREADY_IN_AN_ORGANIZATION",
            "already a member of an organization",
        ),
        (
            "HandshakeConstraintViolationException",
            "ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD",
            "sellers of record",
        ),
        (
            "HandshakeConstraintViolationException",
            "PAYMENT_INSTRUMENT_REQUIRED",
            "no payment method",
        ),
        (
            "HandshakeConstraintViolationException",
            "SOME_NEW_REASON",
            "handshake constraint SOME_NEW_REASON",
        ),
        ("DuplicateHandshakeException", None, "already open"),
        ("ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED", "exceed what AWS allows"),
        ("ConstraintViolationException", "TAG_POLICY_VIOLATION", "tag policy"),
        ("InvalidInputException", None, "rejected the input"),
    ],
)
def test_aws_refusals_of_one_invitation_are_in_words(target, code, reason, words):
    running, ctx, snap, handover = target
    account = running.accounts["tailspin-prod"]
    stub = _stub_write(ctx)
    stub.add_client_error(
        "invite_account_to_organization",
        service_error_code=code,
        service_message="refused",
        modeled_fields={"Reason": reason} if reason else None,
    )
    (outcome,) = invite_many(ctx, snap, prepare_invites(snap, [account], handover))
    assert outcome.status == "refused" and outcome.sent
    assert outcome.code == code and words in outcome.what, outcome.what
    assert outcome.fix
    assert events() == [("invite-started", account), ("invite-error", account)]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("HandshakeConstraintViolationException", "HANDSHAKE_RATE_LIMIT_EXCEEDED"),
        ("ConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED"),
        ("HandshakeConstraintViolationException", "MANAGEMENT_ACCOUNT_EMAIL_NOT_VERIFIED"),
        ("AccountOwnerNotVerifiedException", None),
        ("FinalizingOrganizationException", None),
    ],
)
def test_a_refusal_for_the_whole_organization_stops_the_batch(target, code, reason):
    running, ctx, snap, handover = target
    ids = [running.accounts[n] for n in ("northwind-prod", "northwind-dev", "tailspin-prod")]
    stub = _stub_write(ctx)
    stub.add_client_error(
        "invite_account_to_organization",
        service_error_code=code,
        service_message="refused",
        modeled_fields={"Reason": reason} if reason else None,
    )
    outcomes = invite_many(ctx, snap, prepare_invites(snap, ids, handover))
    assert len(outcomes) == 1 and outcomes[0].status == "refused"
    stopped = [r for r in files.read_audit() if r["event"] == "invite-stopped"]
    assert stopped and stopped[0]["not_attempted"] == ids[1:]


def test_the_demo_answers_its_daily_invitation_limit_as_aws_does(target):
    running, ctx, snap, handover = target
    for n in range(20):
        demo_handshakes.add(
            demo_handshakes.DemoHandshake(
                id=demo_handshakes.handshake_id(running.other_org_id, "x", 100 + n),
                organization_id=running.other_org_id,
                management_id=MANAGEMENT_ID,
                management_email="m@example.com",
                management_name="m",
                feature_set="ALL",
                account_id=f"5555000000{n:02d}",
                requested=DEMO_NOW,
            )
        )
    account = running.accounts["northwind-prod"]
    (outcome,) = invite_many(ctx, snap, prepare_invites(snap, [account], handover))
    assert outcome.reason == "HANDSHAKE_RATE_LIMIT_EXCEEDED"
    assert "as many invitations today" in outcome.what


def test_an_internal_error_is_followed_by_a_look_not_a_second_invitation(target):
    running, ctx, snap, handover = target
    account = running.accounts["northwind-prod"]
    stub = _stub_write(ctx)
    stub.add_client_error(
        "invite_account_to_organization",
        service_error_code="ServiceException",
        http_status_code=500,
    )
    (outcome,) = invite_many(ctx, snap, prepare_invites(snap, [account], handover))
    # nothing was created (the stub answered): AWS lists no invitation, so it is unknown
    assert outcome.status == "unknown" and "may or may not" in outcome.what
    assert events() == [("invite-started", account), ("invite-unknown", account)]


def test_a_member_caller_can_not_invite(isolated_env):
    running = demo_mod.start(now=DEMO_NOW, member="fabrikam-dev")
    try:
        ctx = demo_ctx()
        snap = Loader(ctx).load()
        plan = plan_invites(snap, ["999900001111"])
        assert plan.invites[0].code == "NOT_MANAGEMENT"
    finally:
        running.stop()


def test_invite_one_checks_live_by_itself(target):
    running, ctx, snap, handover = target
    plan: InvitePlan = prepare_invites(snap, [running.accounts["northwind-prod"]], handover)
    planned: PlannedInvite = plan.invites[0]
    outcome = invite_one(ctx, snap, planned, notes="Welcome to Woodgrove")
    assert outcome.status == "done"
    assert demo_handshakes.handshakes()[outcome.target].notes == "Welcome to Woodgrove"


# --- the stub endpoint: AWS's error bodies on the wire ------------------------------------


@pytest.fixture
def served(isolated_env, aws_credentials):
    from tests.support.faults import FaultServer
    from tests.support.orgs import AccountSpec, OuSpec, build_org

    demo_handshakes.install(clock=lambda: DEMO_NOW)  # moto's server has no handshakes
    with FaultServer() as server:
        build_org(
            server.client("organizations"), (OuSpec("Landing", accounts=(AccountSpec("a"),)),)
        )
        ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=("testing", "testing", None),
            )
        )
        yield server, ctx, Loader(ctx).load()


def test_a_reason_on_the_wire_is_read_and_worded(served):
    server, ctx, snap = served
    server.fail(
        "InviteAccountToOrganization",
        "HandshakeConstraintViolationException",
        reason="ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED",
        message="Too soon",
    )
    (outcome,) = invite_many(ctx, snap, prepare_invites(snap, ["999900001111"]))
    assert outcome.status == "refused" and outcome.sent
    assert outcome.reason == "ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED"
    assert "changed organizations too recently" in outcome.what
    assert server.counts["InviteAccountToOrganization"] == 1


def test_a_lost_answer_is_followed_by_a_look_that_finds_the_invitation(served):
    server, ctx, snap = served
    server.fail("InviteAccountToOrganization", "InternalFailure", status=500, kind="after")
    (outcome,) = invite_many(ctx, snap, prepare_invites(snap, ["999900001111"]))
    assert outcome.status == "done", outcome
    assert "then listed the invitation" in outcome.what and outcome.target.startswith("h-")
    assert server.counts["InviteAccountToOrganization"] == 1  # never sent twice
