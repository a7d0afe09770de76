"""Destination-aware verdicts as pure rules: each row of DESIGN.md's "Destinations" table
for `standalone` and `transfer`, and `Reassess` giving exactly what `assess` gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from orgtui.impact_model import Impact
from orgtui.model import DEFAULT_ATTEST_TAG, DESTINATIONS, Refusal, Snapshot, frozen_map
from orgtui.rules import (
    RULE_CODES,
    RULES,
    RULES_BY_DESTINATION,
    Reassess,
    assess,
    assess_all,
)
from tests.support.orgs import MGMT_ID, PROD_ID, ROOT_ID, make_account, make_snapshot
from tests.test_impact_rules import BREAK_GLASS, DENY_LEAVE, DOCS, everything

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
ACC = "222222222222"
LONG_AGO = datetime(2025, 1, 1, tzinfo=timezone.utc)
PHONE = "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"
STANDALONE_CODES = {"STANDALONE_UNVERIFIED", "STANDALONE_ATTESTED", "REMOVAL_REFUSED"}


def created(**kwargs):
    return make_account(ACC, joined_method="CREATED", joined=LONG_AGO, **kwargs)


def verdicts(account, snap) -> dict[str, tuple[str, dict[str, str]]]:
    """Per destination: the verdict and each finding's severity by code."""
    found = {}
    for destination in DESTINATIONS:
        result = assess(account, snap, NOW, destination)
        found[destination] = (result.verdict, {f.code: f.severity for f in result.findings})
    return found


def with_refusal(snap: Snapshot, tag: str | None = None) -> Snapshot:
    refusal = Refusal(NOW - timedelta(days=1), PHONE)
    tags = {ACC: {DEFAULT_ATTEST_TAG: tag}} if tag else {}
    return replace(
        snap,
        refusals=frozen_map({ACC: (refusal,)}),
        tags=frozen_map({k: frozen_map(v) for k, v in tags.items()}),
    )


# --- standalone: the seed's rules, and the default ----------------------------------------


def test_standalone_is_the_default_and_runs_the_seed_rules():
    assert RULES_BY_DESTINATION["standalone"] is RULES
    acc = created()
    snap = make_snapshot(acc)
    assert assess(acc, snap, NOW) == assess(acc, snap, NOW, "standalone")
    assert assess_all(snap, NOW) == assess_all(snap, NOW, "standalone")


# --- transfer: what does not apply ---------------------------------------------------------


def test_transfer_drops_standalone_unverified():
    acc = created()
    found = verdicts(acc, make_snapshot(acc))
    assert found["standalone"] == ("review", {"STANDALONE_UNVERIFIED": "warning"})
    assert found["transfer"] == ("ready", {})


def test_transfer_drops_standalone_attested():
    acc = created()
    snap = make_snapshot(acc, tags={ACC: {DEFAULT_ATTEST_TAG: "2026-11-01 alice"}})
    found = verdicts(acc, snap)
    assert found["standalone"][1]["STANDALONE_ATTESTED"] == "notice"
    # The attestation tag is a tag like any other: AWS deletes it when the account leaves.
    assert found["transfer"] == ("ready", {"TAGS_WILL_BE_DELETED": "notice"})


def test_transfer_drops_a_standalone_refusal():
    acc = created()
    found = verdicts(acc, with_refusal(make_snapshot(acc)))
    assert found["standalone"][0] == "blocked"
    assert found["standalone"][1]["REMOVAL_REFUSED"] == "blocker"
    assert found["transfer"] == ("ready", {})


def test_transfer_drops_the_member_standalone_warning():
    # A member can't read how its account joined: standalone warns, transfer does not ask.
    acc = replace(make_account(ACC), joined_method="")
    snap = replace(make_snapshot(acc), member_mode=True)
    assert verdicts(acc, snap)["standalone"][1] == {"STANDALONE_UNVERIFIED": "warning"}
    assert verdicts(acc, snap)["transfer"] == ("ready", {})


# --- transfer: what still blocks ---------------------------------------------------------


def test_transfer_keeps_the_management_account_alone():
    snap = make_snapshot(created())
    for destination in DESTINATIONS:
        result = assess(snap.accounts[MGMT_ID], snap, NOW, destination)
        assert [f.code for f in result.findings] == ["MANAGEMENT_ACCOUNT"]
        assert result.verdict == "blocked"


def test_transfer_keeps_delegated_admin_blocking():
    acc = make_account(ACC)
    snap = make_snapshot(acc, delegated={ACC: ("guardduty.amazonaws.com",)})
    assert verdicts(acc, snap)["transfer"] == ("blocked", {"DELEGATED_ADMIN": "blocker"})


def test_transfer_keeps_not_active_blocking():
    acc = make_account(ACC, state="SUSPENDED")
    assert verdicts(acc, make_snapshot(acc))["transfer"] == ("blocked", {"NOT_ACTIVE": "blocker"})


def test_transfer_keeps_the_wait_period():
    acc = make_account(ACC, joined_method="CREATED", joined=NOW - timedelta(days=1))
    found = verdicts(acc, make_snapshot(acc))
    assert found["transfer"] == ("blocked", {"WAIT_PERIOD_ACTIVE": "blocker"})
    assert found["standalone"][1] == {
        "WAIT_PERIOD_ACTIVE": "blocker",
        "STANDALONE_UNVERIFIED": "warning",
    }


# --- transfer: what still breaks -------------------------------------------------------------


def test_transfer_keeps_tags_policies_and_every_impact_code_leave_denied_a_warning():
    acc = make_account(ACC)
    snap = replace(
        make_snapshot(
            acc,
            tags={ACC: {"team": "web"}},
            policies=[DENY_LEAVE],
            attachments={ROOT_ID: (DENY_LEAVE.id,)},
        ),
        impact=everything(ACC),
    )
    standalone = assess(acc, snap, NOW, "standalone")
    transfer = assess(acc, snap, NOW, "transfer")
    assert (
        [f.code for f in transfer.findings]
        == [f.code for f in standalone.findings]
        == [
            "TAGS_WILL_BE_DELETED",
            "POLICIES_STOP_APPLYING",
            "STACKSET_STACKS_DELETED",
            "CONTROL_TOWER_ENROLLED",
            "IDENTITY_CENTER_ACCESS_LOST",
            "RAM_SHARES_LOST",
            "LEAVE_DENIED_BY_SCP",
        ]
    )
    for before, after in zip(standalone.findings[:-1], transfer.findings[:-1], strict=True):
        assert before == after  # the same words: the account departs either way
    assert standalone.findings[-1].severity == "notice"
    assert transfer.findings[-1].severity == "warning"


def test_leave_denied_alone_makes_a_transfer_to_review():
    acc = make_account(ACC)
    snap = replace(
        make_snapshot(acc, policies=[DENY_LEAVE], attachments={PROD_ID: (DENY_LEAVE.id,)}),
        impact=Impact(scp_documents=frozen_map(DOCS)),
    )
    found = verdicts(acc, snap)
    assert found["standalone"] == (
        "ready",
        {"POLICIES_STOP_APPLYING": "notice", "LEAVE_DENIED_BY_SCP": "notice"},
    )
    assert found["transfer"] == (
        "review",
        {"POLICIES_STOP_APPLYING": "notice", "LEAVE_DENIED_BY_SCP": "warning"},
    )
    [f] = [
        f for f in assess(acc, snap, NOW, "transfer").findings if f.code == "LEAVE_DENIED_BY_SCP"
    ]
    assert f"DenyLeave (attached to Prod {PROD_ID})" in f.message
    assert "accepts the invitation itself" in f.message
    assert "removal from the management account" not in f.message
    assert "detach this SCP" in f.fix


def test_a_conditional_denial_says_so_for_a_transfer():
    acc = make_account(ACC)
    snap = replace(
        make_snapshot(acc, policies=[BREAK_GLASS], attachments={ACC: (BREAK_GLASS.id,)}),
        impact=Impact(scp_documents=frozen_map(DOCS)),
    )
    [f] = [
        f for f in assess(acc, snap, NOW, "transfer").findings if f.code == "LEAVE_DENIED_BY_SCP"
    ]
    assert "may deny" in f.message and "unless the condition is met" in f.message
    assert "conditional on aws:PrincipalArn" in f.message


# --- the registry, and Reassess --------------------------------------------------------------


def test_every_rule_of_every_destination_names_its_codes():
    for rules in RULES_BY_DESTINATION.values():
        assert all(rule in RULE_CODES for rule in rules)
        codes = [code for rule in rules for code in RULE_CODES[rule]]
        assert len(codes) == len(set(codes))  # within a destination, a code has one rule


def cases() -> list[tuple[object, Snapshot]]:
    """Accounts that meet every rule, alone and together."""
    invited, old = make_account(ACC), created()
    scps = {"policies": [DENY_LEAVE], "attachments": {ROOT_ID: (DENY_LEAVE.id,)}}
    impact = Impact(scp_documents=frozen_map(DOCS))
    young = make_account(ACC, joined_method="CREATED", joined=NOW - timedelta(hours=3))
    return [
        (invited, make_snapshot(invited)),
        (old, make_snapshot(old)),
        (old, with_refusal(make_snapshot(old))),
        (old, with_refusal(make_snapshot(old), "2026-11-28T11:00:00Z alice")),
        (old, with_refusal(make_snapshot(old), "2026-11-01 alice")),
        (young, replace(make_snapshot(young, tags={ACC: {"a": "b"}}, **scps), impact=impact)),
        (invited, replace(make_snapshot(invited, **scps), impact=everything(ACC))),
        (old, replace(make_snapshot(old, **scps), impact=everything(ACC))),
        (
            make_account(ACC, state="SUSPENDED", joined_method="CREATED", joined=LONG_AGO),
            make_snapshot(
                make_account(ACC, state="SUSPENDED", joined_method="CREATED", joined=LONG_AGO),
                delegated={ACC: ("ssm.amazonaws.com",)},
            ),
        ),
    ]


@pytest.mark.parametrize("source", DESTINATIONS)
@pytest.mark.parametrize("target", DESTINATIONS)
def test_reassess_is_assess(source, target):
    reassess = Reassess(source, target)
    for acc, snap in cases():
        for account in (acc, snap.accounts[MGMT_ID]):
            before = assess(account, snap, NOW, source)
            after = reassess(before, account, snap, NOW)
            assert after == assess(account, snap, NOW, target)
            if after.findings == before.findings:
                assert after is before  # unchanged: the same object, so the view skips it


# --- close: CloseAccount keeps the account in the organization, SUSPENDED -----------------


def test_close_warns_that_closing_is_final_and_nothing_else_applies():
    acc = created()  # recently made, tagged, with a refusal: none of it matters to a close
    snap = with_refusal(make_snapshot(acc, tags={ACC: {"team": "x"}}))
    result = assess(acc, snap, NOW, "close")
    assert [f.code for f in result.findings] == ["CLOSE_IS_FINAL"]
    assert result.verdict == "review"
    assert "90 days" in result.findings[0].message and "GovCloud" in result.findings[0].message


@pytest.mark.parametrize("state", ["PENDING_CLOSURE", "SUSPENDED", "CLOSED"])
def test_close_blocks_an_account_already_closing(state):
    acc = created(state=state)
    result = assess(acc, make_snapshot(acc), NOW, "close")
    assert [(f.code, f.severity) for f in result.findings] == [("ALREADY_CLOSING", "blocker")]


def test_close_blocks_an_account_not_yet_active_and_a_delegated_administrator():
    pending = created(state="PENDING_ACTIVATION")
    assert [f.code for f in assess(pending, make_snapshot(pending), NOW, "close").findings] == [
        "NOT_ACTIVE"
    ]
    acc = created()
    snap = make_snapshot(acc, delegated={ACC: ("guardduty.amazonaws.com",)})
    codes = [f.code for f in assess(acc, snap, NOW, "close").findings]
    assert codes == ["DELEGATED_ADMIN", "CLOSE_IS_FINAL"]
    mgmt = make_account(MGMT_ID, parent_id=ROOT_ID)
    assert assess(mgmt, make_snapshot(mgmt), NOW, "close").verdict == "blocked"
