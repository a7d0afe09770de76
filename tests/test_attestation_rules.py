"""STANDALONE_ATTESTED and REMOVAL_REFUSED as pure rules: the tag replaces the warning,
and a refusal blocks until an attestation dated after it (dates before, after, the same
day, missing, unparsable; another organization's refusal; another reason)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from orgtui import files
from orgtui.model import DEFAULT_ATTEST_TAG, Refusal, frozen_map
from orgtui.rules import assess
from orgtui.rules.attestation import attested_at
from tests.support.orgs import make_account, make_snapshot

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
REFUSED_AT = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
ACC = "222222222222"
PHONE = "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"


def created(**kwargs):
    return make_account(
        ACC, joined_method="CREATED", joined=datetime(2025, 1, 1, tzinfo=timezone.utc), **kwargs
    )


def snap_with(account, tag: str | None = None, refusals=(), key=DEFAULT_ATTEST_TAG):
    tags = {account.id: {key: tag}} if tag is not None else None
    snap = make_snapshot(account, tags=tags)
    return replace(
        snap,
        refusals=frozen_map({account.id: tuple(refusals)} if refusals else {}),
        attest_tag=DEFAULT_ATTEST_TAG if key == DEFAULT_ATTEST_TAG else key,
    )


def findings(account, snap):
    result = assess(account, snap, NOW)
    return result.verdict, {f.code: f for f in result.findings}


# --- the attestation tag ---------------------------------------------------------------


def test_an_attested_created_account_is_ready_and_the_value_is_quoted():
    acc = created()
    verdict, found = findings(acc, snap_with(acc, "2026-11-01 alice"))
    assert verdict == "ready"
    assert "STANDALONE_UNVERIFIED" not in found
    attested = found["STANDALONE_ATTESTED"]
    assert attested.severity == "notice" and "'2026-11-01 alice'" in attested.message
    assert DEFAULT_ATTEST_TAG in attested.message


def test_without_the_tag_a_created_account_stays_to_review():
    acc = created()
    verdict, found = findings(acc, snap_with(acc))
    assert verdict == "review" and "STANDALONE_UNVERIFIED" in found
    assert "attest" in found["STANDALONE_UNVERIFIED"].fix


def test_the_setting_names_another_tag_key():
    acc = created()
    verdict, found = findings(acc, snap_with(acc, "2026-11-01 bob", key="acme:root-verified"))
    assert verdict == "ready" and "acme:root-verified" in found["STANDALONE_ATTESTED"].message
    # The default key does nothing when the setting names another one.
    snap = replace(
        make_snapshot(acc, tags={ACC: {DEFAULT_ATTEST_TAG: "x"}}), attest_tag="acme:root-verified"
    )
    assert "STANDALONE_UNVERIFIED" in findings(acc, snap)[1]


def test_an_invited_account_gets_no_attestation_finding():
    acc = make_account(ACC)
    assert findings(acc, snap_with(acc, "2026-11-01 alice"))[1].keys() == {"TAGS_WILL_BE_DELETED"}


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "does not start with a date"),
        ("no - NOT verified yet", "does not start with a date"),
        ("checked", "does not start with a date"),
        ("2026-02-30 alice", "does not start with a date"),  # no such day
        ("9999-12-31 forged", "dated 9999-12-31, in the future"),
        ("2026-11-29 alice", "dated 2026-11-29, in the future"),  # tomorrow
        ("2026-11-29T08:00:00Z alice", "in the future"),
    ],
)
def test_an_attestation_without_a_real_past_date_attests_nothing(value, why):
    acc = created()
    verdict, found = findings(acc, snap_with(acc, value))
    assert verdict == "review" and "STANDALONE_ATTESTED" not in found
    message = found["STANDALONE_UNVERIFIED"].message
    assert "Attestation tag present but not valid" in message
    assert why in message and repr(value) in message


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-28 alice",  # today
        "2026-11-28T18:00:00Z alice",  # later today: the date is judged, not the time
        "2026-11-28T23:59:59+00:00 alice",
        "2000-01-01 alice",
    ],
)
def test_an_attestation_dated_today_or_before_attests(value):
    acc = created()
    verdict, found = findings(acc, snap_with(acc, value))
    assert verdict == "ready" and "STANDALONE_ATTESTED" in found


def test_a_future_attestation_does_not_clear_a_refusal():
    acc = created()
    verdict, found = findings(acc, snap_with(acc, "9999-12-31 forged", refusals=[refused()]))
    assert verdict == "blocked"
    message = found["REMOVAL_REFUSED"].message
    assert "Attestation tag present but not valid" in message and "9999-12-31" in message


# --- dating an attestation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-21 alice", date(2026, 11, 21)),
        ("2026-11-21", date(2026, 11, 21)),
        (
            "2026-11-21T10:00:00Z arn:aws:sts::1:assumed-role/x/bob",
            datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc),
        ),
        ("2026-11-21T11:00:00+01:00 bob", datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)),
        ("2026-11-21 10:00 carol", datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)),
        ("alice 2026-11-21", None),
        ("checked", None),
        ("2026-13-45 nobody", None),
        ("", None),
    ],
)
def test_attested_at_reads_the_leading_date_or_time(value, expected):
    assert attested_at(value) == expected


# --- remembered refusals ---------------------------------------------------------------


def refused(reason=PHONE, at=REFUSED_AT, operation="RemoveAccountFromOrganization"):
    return Refusal(at, reason, operation)


def test_a_refusal_blocks_with_its_date_and_reason_in_words():
    acc = created()
    verdict, found = findings(acc, snap_with(acc, refusals=[refused()]))
    assert verdict == "blocked"
    blocker = found["REMOVAL_REFUSED"]
    assert blocker.severity == "blocker"
    assert "2026-11-20" in blocker.message and "phone" in blocker.message
    assert "root user" in blocker.fix and "attest" in blocker.fix


@pytest.mark.parametrize(
    ("tag", "cleared"),
    [
        ("2026-11-21T08:00:00Z alice", True),  # after the refusal
        ("2026-11-20T09:31:00Z alice", True),  # a minute after
        ("2026-11-20T09:00:00Z alice", False),  # before it
        ("2026-11-19 alice", False),  # a day before
        ("2026-11-20 alice", False),  # the same day, no time: can't be told after
        ("2026-11-21 alice", True),  # the next day
        ("alice checked it", False),  # no date
    ],
)
def test_an_attestation_clears_a_refusal_only_when_dated_after_it(tag, cleared):
    acc = created()
    verdict, found = findings(acc, snap_with(acc, tag, refusals=[refused()]))
    assert ("REMOVAL_REFUSED" not in found) is cleared
    assert verdict == ("ready" if cleared else "blocked")
    if not cleared:
        why = "present but not valid" if tag.startswith("alice") else "not dated after"
        assert why in found["REMOVAL_REFUSED"].message


def test_the_latest_refusal_counts():
    acc = created()
    later = refused(at=REFUSED_AT + timedelta(days=5))
    found = findings(acc, snap_with(acc, "2026-11-22 alice", refusals=[refused(), later]))[1]
    assert "2026-11-25" in found["REMOVAL_REFUSED"].message


@pytest.mark.parametrize(
    "reason",
    [
        "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA",
        "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
        "INVALID_PAYMENT_INSTRUMENT",
    ],
)
def test_every_standalone_reason_is_remembered(reason):
    acc = created()
    assert "REMOVAL_REFUSED" in findings(acc, snap_with(acc, refusals=[refused(reason)]))[1]


def test_other_reasons_are_not_remembered():
    acc = created()
    found = findings(acc, snap_with(acc, refusals=[refused("WAIT_PERIOD_ACTIVE")]))[1]
    assert "REMOVAL_REFUSED" not in found


def test_a_refused_leave_is_worded_as_a_leave():
    acc = created()
    found = findings(acc, snap_with(acc, refusals=[refused(operation="LeaveOrganization")]))[1]
    assert "let it leave" in found["REMOVAL_REFUSED"].message


# --- refusals from the audit log -------------------------------------------------------


def _log(event: str, org: str, account: str, reason: str = PHONE, **extra) -> None:
    files.append_audit(
        event,
        organization_id=org,
        account_id=account,
        operation="RemoveAccountFromOrganization",
        code="ConstraintViolationException",
        reason=reason,
        **extra,
    )


def test_read_refusals_keeps_this_organization_and_aws_refusals_only():
    _log("remove-error", "o-aaaaaaaaaa", ACC)
    _log("remove-error", "o-bbbbbbbbbb", "333333333333")  # another organization
    _log("remove-refused", "o-aaaaaaaaaa", "444444444444")  # refused by orgtui, not AWS
    _log("remove-started", "o-aaaaaaaaaa", "555555555555")
    files.append_audit(
        "remove-error",
        organization_id="o-aaaaaaaaaa",
        account_id="666666666666",
        code="AccessDeniedException",
        reason="",
    )
    with files.audit_log_path().open("a") as log:  # a torn last line is skipped
        log.write(json.dumps({"event": "remove-error"})[:10])
    refusals = files.read_refusals("o-aaaaaaaaaa")
    assert set(refusals) == {ACC}
    (only,) = refusals[ACC]
    assert only.reason == PHONE and only.time.tzinfo is not None
    assert files.read_refusals("o-cccccccccc") == {}


def test_a_time_just_past_midnight_on_a_clock_a_little_ahead_attests():
    acc = created()
    snap = snap_with(acc, "2026-11-29T00:02:00Z alice")
    result = assess(acc, snap, datetime(2026, 11, 28, 23, 58, tzinfo=timezone.utc))
    assert result.verdict == "ready"


def test_a_refusal_dated_in_the_future_is_ignored_with_a_note():
    _log("remove-error", "o-aaaaaaaaaa", ACC)
    with files.audit_log_path().open("a") as log:  # a line from a clock far ahead
        record = {
            "time": "2099-01-01T00:00:00Z",
            "event": "remove-error",
            "organization_id": "o-aaaaaaaaaa",
            "account_id": "333333333333",
            "operation": "RemoveAccountFromOrganization",
            "code": "ConstraintViolationException",
            "reason": PHONE,
        }
        log.write(json.dumps(record) + "\n")
    problems: list[str] = []
    refusals = files.read_refusals("o-aaaaaaaaaa", problems=problems)
    assert set(refusals) == {ACC}
    (note,) = problems
    assert "1 refusal is dated in the future and ignored" in note
    assert "333333333333 on 2099-01-01T00:00:00Z" in note
    assert str(files.audit_log_path()) in note
