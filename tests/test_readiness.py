"""Readiness rules: every finding code, every verdict, and the edges of each rule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from orgtui.model import FULL_AWS_ACCESS_ID, Account, Policy
from orgtui.rules import WAIT_PERIOD, assess, assess_all, verdict_of
from tests.support.orgs import (
    MGMT_ID,
    PROD_ID,
    ROOT_ID,
    WORKLOADS_ID,
    make_account,
    make_snapshot,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
MEMBER = "222222222222"


def codes(account: Account, snap=None, now: datetime = NOW) -> list[str]:
    snap = snap or make_snapshot(account)
    return [f.code for f in assess(account, snap, now).findings]


def finding(account: Account, code: str, snap=None, now: datetime = NOW):
    snap = snap or make_snapshot(account)
    return next(f for f in assess(account, snap, now).findings if f.code == code)


def test_invited_active_untagged_account_is_ready_with_no_findings():
    acc = make_account(MEMBER)
    result = assess(acc, make_snapshot(acc), NOW)
    assert result.findings == ()
    assert result.verdict == "ready"


def test_management_account_gets_management_finding_only():
    # It is CREATED, joined "now", suspended, tagged, delegated and under a policy: none of
    # that is reported, because it can never leave anyway.
    mgmt = make_account(
        MGMT_ID,
        parent_id=ROOT_ID,
        state="SUSPENDED",
        joined_method="CREATED",
        joined=NOW - timedelta(hours=1),
    )
    scp = Policy("p-deny1234", "DenyAll", "SERVICE_CONTROL_POLICY")
    snap = make_snapshot(
        mgmt,
        tags={MGMT_ID: {"a": "b"}},
        delegated={MGMT_ID: ("guardduty.amazonaws.com",)},
        policies=[scp],
        attachments={ROOT_ID: (scp.id,)},
    )
    result = assess(snap.accounts[MGMT_ID], snap, NOW)
    assert [f.code for f in result.findings] == ["MANAGEMENT_ACCOUNT"]
    assert result.findings[0].severity == "blocker"
    assert result.verdict == "blocked"
    assert result.findings[0].fix


def test_delegated_admin_names_every_service():
    acc = make_account(MEMBER)
    services = ("guardduty.amazonaws.com", "securityhub.amazonaws.com")
    f = finding(acc, "DELEGATED_ADMIN", make_snapshot(acc, delegated={MEMBER: services}))
    assert f.severity == "blocker"
    for service in services:
        assert service in f.message
        assert service in f.fix
    assert "2 services" in f.message


def test_delegated_admin_single_service_wording():
    acc = make_account(MEMBER)
    f = finding(
        acc, "DELEGATED_ADMIN", make_snapshot(acc, delegated={MEMBER: ("macie.amazonaws.com",)})
    )
    assert "1 service:" in f.message


def test_no_delegated_finding_without_services():
    acc = make_account(MEMBER)
    assert "DELEGATED_ADMIN" not in codes(acc, make_snapshot(acc, delegated={MEMBER: ()}))


def test_wait_period_exactly_four_days_is_not_blocked():
    acc = make_account(MEMBER, joined_method="CREATED", joined=NOW - WAIT_PERIOD)
    result = assess(acc, make_snapshot(acc), NOW)
    assert "WAIT_PERIOD_ACTIVE" not in [f.code for f in result.findings]
    assert result.verdict == "review"  # STANDALONE_UNVERIFIED remains


def test_wait_period_four_days_minus_a_second_is_blocked_and_says_when_it_ends():
    joined = NOW - WAIT_PERIOD + timedelta(seconds=1)
    acc = make_account(MEMBER, joined_method="CREATED", joined=joined)
    result = assess(acc, make_snapshot(acc), NOW)
    f = next(f for f in result.findings if f.code == "WAIT_PERIOD_ACTIVE")
    assert f.severity == "blocker"
    assert result.verdict == "blocked"
    ends = (joined + WAIT_PERIOD).strftime("%Y-%m-%d %H:%M UTC")
    assert ends in f.message
    assert ends in f.fix
    assert "1 min" in f.message


def test_wait_period_two_days_in_counts_time_left():
    acc = make_account(MEMBER, joined_method="CREATED", joined=NOW - timedelta(days=2))
    f = finding(acc, "WAIT_PERIOD_ACTIVE")
    assert "2026-11-30 12:00 UTC" in f.message
    assert "2 d 0 h" in f.message


def test_wait_period_counts_naive_and_offset_timestamps_as_utc():
    # 13:00+01:00 is 12:00 UTC, two days before NOW: the wait ends on the 30th at 12:00 UTC.
    joined = datetime(2026, 11, 26, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    acc = make_account(MEMBER, joined_method="CREATED", joined=joined)
    assert "2026-11-30 12:00 UTC" in finding(acc, "WAIT_PERIOD_ACTIVE").message
    naive_now = NOW.replace(tzinfo=None)
    assert "WAIT_PERIOD_ACTIVE" in codes(acc, now=naive_now)


def test_invited_accounts_are_exempt_from_wait_and_standalone_warning():
    acc = make_account(MEMBER, joined_method="INVITED", joined=NOW - timedelta(hours=1))
    found = codes(acc)
    assert "WAIT_PERIOD_ACTIVE" not in found
    assert "STANDALONE_UNVERIFIED" not in found
    assert assess(acc, make_snapshot(acc), NOW).verdict == "ready"


def test_created_account_without_timestamp_gets_no_wait_finding():
    acc = Account(MEMBER, "x", "x@example.com", "", "ACTIVE", "CREATED", None, PROD_ID)
    assert codes(acc) == ["STANDALONE_UNVERIFIED"]


@pytest.mark.parametrize(
    "state", ["SUSPENDED", "PENDING_CLOSURE", "CLOSED", "PENDING_ACTIVATION", "UNKNOWN"]
)
def test_not_active_for_every_state_but_active(state):
    acc = make_account(MEMBER, state=state)
    f = finding(acc, "NOT_ACTIVE")
    assert f.severity == "blocker"
    assert state in f.message
    assert assess(acc, make_snapshot(acc), NOW).verdict == "blocked"


def test_status_without_state_is_read_by_the_rules():
    raw = {
        "Id": MEMBER,
        "Name": "old",
        "Email": "o@example.com",
        "Arn": "arn",
        "Status": "SUSPENDED",
        "JoinedMethod": "INVITED",
        "JoinedTimestamp": datetime(2020, 1, 1, tzinfo=timezone.utc),
    }
    acc = Account.from_api(raw, PROD_ID)
    assert acc.state == "SUSPENDED"
    assert "NOT_ACTIVE" in codes(acc)


def test_standalone_unverified_for_created_accounts_is_a_warning():
    acc = make_account(MEMBER, joined_method="CREATED", joined=NOW - timedelta(days=400))
    f = finding(acc, "STANDALONE_UNVERIFIED")
    assert f.severity == "warning"
    assert "payment method" in f.message and "phone verification" in f.message
    assert "root user" in f.fix
    assert assess(acc, make_snapshot(acc), NOW).verdict == "review"


def test_tags_notice_lists_every_key_value():
    acc = make_account(MEMBER)
    tags = {"team": "payments", "env": "prod", "cost-center": "cc-1", "empty": ""}
    f = finding(acc, "TAGS_WILL_BE_DELETED", make_snapshot(acc, tags={MEMBER: tags}))
    assert f.severity == "notice"
    for k, v in tags.items():
        assert f"{k}={v}" in f.message
    assert "4 tags" in f.message
    assert assess(acc, make_snapshot(acc, tags={MEMBER: tags}), NOW).verdict == "ready"


def test_policies_notice_names_each_policy_and_where_attached():
    acc = make_account(MEMBER)
    at_root = Policy("p-root0001", "RegionGuardrail", "SERVICE_CONTROL_POLICY")
    at_ou = Policy("p-ou000001", "DenyPublicS3", "SERVICE_CONTROL_POLICY")
    direct = Policy("p-acct0001", "BreakGlassOnly", "SERVICE_CONTROL_POLICY")
    tagp = Policy("p-tag00001", "RequireCostCenter", "TAG_POLICY")
    full = Policy(FULL_AWS_ACCESS_ID, "FullAWSAccess", "SERVICE_CONTROL_POLICY", True)
    snap = make_snapshot(
        acc,
        policies=[at_root, at_ou, direct, tagp, full],
        attachments={
            ROOT_ID: (full.id, at_root.id),
            WORKLOADS_ID: (at_ou.id, full.id),
            PROD_ID: (tagp.id,),
            MEMBER: (direct.id, full.id),
        },
    )
    f = finding(acc, "POLICIES_STOP_APPLYING", snap)
    assert f.severity == "notice"
    assert "4 policies" in f.message
    assert "RegionGuardrail (SERVICE_CONTROL_POLICY, attached to Root r-root)" in f.message
    assert (
        f"DenyPublicS3 (SERVICE_CONTROL_POLICY, attached to Workloads {WORKLOADS_ID})" in f.message
    )
    assert f"RequireCostCenter (TAG_POLICY, attached to Prod {PROD_ID})" in f.message
    assert f"BreakGlassOnly (SERVICE_CONTROL_POLICY, attached to {acc.name} {MEMBER})" in f.message
    assert "FullAWSAccess" not in f.message


def test_full_aws_access_alone_is_not_reported():
    acc = make_account(MEMBER)
    full = Policy(FULL_AWS_ACCESS_ID, "FullAWSAccess", "SERVICE_CONTROL_POLICY", True)
    snap = make_snapshot(
        acc, policies=[full], attachments={ROOT_ID: (full.id,), MEMBER: (full.id,)}
    )
    assert codes(acc, snap) == []


def test_several_blockers_at_once():
    acc = make_account(
        MEMBER, state="SUSPENDED", joined_method="CREATED", joined=NOW - timedelta(days=1)
    )
    scp = Policy("p-deny1234", "DenyAll", "SERVICE_CONTROL_POLICY")
    snap = make_snapshot(
        acc,
        tags={MEMBER: {"a": "b"}},
        delegated={MEMBER: ("guardduty.amazonaws.com",)},
        policies=[scp],
        attachments={PROD_ID: (scp.id,)},
    )
    result = assess(acc, snap, NOW)
    assert [f.code for f in result.findings] == [
        "DELEGATED_ADMIN",
        "WAIT_PERIOD_ACTIVE",
        "NOT_ACTIVE",
        "STANDALONE_UNVERIFIED",
        "TAGS_WILL_BE_DELETED",
        "POLICIES_STOP_APPLYING",
    ]
    assert len(result.blockers) == 3
    assert result.verdict == "blocked"
    for f in result.findings:
        assert f.message and f.fix


def test_verdict_of_orders_blocker_over_warning_over_notice():
    from orgtui.model import Finding

    b = Finding("X", "blocker", "m", "f")
    w = Finding("Y", "warning", "m", "f")
    n = Finding("Z", "notice", "m", "f")
    assert verdict_of([n, w, b]) == "blocked"
    assert verdict_of([n, w]) == "review"
    assert verdict_of([n]) == "ready"
    assert verdict_of([]) == "ready"


def test_assess_all_covers_every_account():
    a = make_account(MEMBER)
    b = make_account("333333333333", state="SUSPENDED")
    snap = make_snapshot(a, b)
    results = assess_all(snap, NOW)
    assert set(results) == {MGMT_ID, MEMBER, "333333333333"}
    assert results[MGMT_ID].verdict == "blocked"
    assert results[MEMBER].verdict == "ready"
    assert results["333333333333"].verdict == "blocked"


def test_member_with_unknown_join_method_is_to_review() -> None:
    """A member can't read its JoinedMethod: orgtui can't vouch for its standalone setup."""
    from dataclasses import replace

    account = Account(
        id="222233334444",
        name="This account",
        email="",
        arn="",
        state="ACTIVE",
        joined_method="UNKNOWN",
        joined_timestamp=None,
        parent_id=PROD_ID,
    )
    snap = make_snapshot(account)
    member_snap = replace(snap, member_mode=True)
    result = assess(account, member_snap, NOW)
    assert result.verdict == "review"
    assert [f.code for f in result.findings] == ["STANDALONE_UNVERIFIED"]
    assert "can't read how it joined" in result.findings[0].message
    # Outside member mode an unknown join method adds nothing (AWS always returns it).
    assert assess(account, snap, NOW).verdict == "ready"
