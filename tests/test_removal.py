"""The destructive path: live re-check, tag backup and audit log before the call, the call,
its outcome in words, bulk removal, leaving as a member, and the read-only promise.

Against the demo (moto in-process with AWS's refusal rules) and a FaultServer (moto behind
a counting, fault-injecting endpoint) for the exact error shapes AWS answers with.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orgtui import files
from orgtui.aws import removal, writes
from orgtui.aws.loader import Loader
from orgtui.aws.session import READ_PREFIXES, AwsContext, SessionOptions
from orgtui.errors import ReadOnlyViolation
from orgtui.write_model import Outcome, summarize
from tests.conftest import DEMO_NOW
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, BuiltOrg, OuSpec, build_org

WRITE_OP = "RemoveAccountFromOrganization"


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    monkeypatch.setattr(writes, "THROTTLE_BACKOFF", (0.01,) * 7)
    monkeypatch.setattr(removal, "CONFIRM_BACKOFF", (0.01,))


# --- helpers ---------------------------------------------------------------------------


def demo_context(read_only: bool = False) -> AwsContext:
    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION

    return AwsContext(
        SessionOptions(
            region=DEMO_REGION, credentials=DEMO_CREDENTIALS, read_only=read_only, concurrency=4
        )
    )


@pytest.fixture
def demo_org(demo):
    ctx = demo_context()
    snap = Loader(ctx).load()
    return demo, ctx, snap


def backups(org_id: str) -> list[Path]:
    folder = files.tag_backup_dir(org_id)
    return sorted(folder.glob("*.json")) if folder.exists() else []


def events() -> list[str]:
    return [r["event"] for r in files.read_audit()]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class Org:
    """A FaultServer with a small organization and a loaded snapshot."""

    def __init__(self, server: FaultServer, built: BuiltOrg, read_only: bool = False) -> None:
        self.server = server
        self.built = built
        self.ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=("testing", "testing", None),
                read_only=read_only,
            )
        )
        self.snap = Loader(self.ctx).load()
        self.seed = server.client("organizations")
        server.counts.clear()

    def id(self, name: str) -> str:
        return self.built.accounts[name]

    def in_org(self, name: str) -> bool:
        ids = {
            a["Id"]
            for p in self.seed.get_paginator("list_accounts").paginate()
            for a in p["Accounts"]
        }
        return self.id(name) in ids

    @property
    def writes(self) -> dict[str, int]:
        return {
            op: n
            for op, n in self.server.counts.items()
            if not op.startswith(READ_PREFIXES) and not op.startswith("/")
        }


def _build(server: FaultServer) -> BuiltOrg:
    invited = {"joined_method": "INVITED", "joined_days_ago": 400}
    return build_org(
        server.client("organizations"),
        (
            OuSpec(
                "Divesting",
                (
                    AccountSpec("ready-1", tags={"team": "web", "env": "prod"}, **invited),
                    AccountSpec("ready-2", tags={"team": "data"}, **invited),
                    AccountSpec("ready-3", **invited),
                    AccountSpec("admin", delegated=("guardduty.amazonaws.com",), **invited),
                ),
            ),
        ),
    )


@pytest.fixture
def fault_org(aws_credentials) -> Iterator[Org]:
    with FaultServer() as server:
        yield Org(server, _build(server))


@pytest.fixture
def audit_org(aws_credentials) -> Iterator[Org]:
    with FaultServer() as server:
        yield Org(server, _build(server), read_only=True)


# --- a ready account, removed ----------------------------------------------------------


def test_ready_account_is_removed_with_backup_and_two_audit_lines(demo_org):
    demo, ctx, snap = demo_org
    acc_id = demo.accounts["northwind-prod"]
    outcome = removal.remove(ctx, snap, acc_id, now=DEMO_NOW)

    assert outcome.status == "removed", outcome
    assert outcome.ok and outcome.sent
    assert "northwind-prod" in outcome.what and acc_id in outcome.what
    ids = {a["Id"] for a in ctx.org.list_accounts()["Accounts"]}
    assert acc_id not in ids

    # The tags are backed up, 0600 in a 0700 folder.
    [backup] = backups(snap.organization.id)
    assert backup == outcome.backup
    assert backup.name.startswith(f"{acc_id}-")
    assert mode(backup) == 0o600
    assert mode(backup.parent) == 0o700
    assert mode(backup.parent.parent) == 0o700
    data = json.loads(backup.read_text())
    assert data["tags"] == {"divest": "northwind", "env": "prod", "owner": "ops@northwind.example"}
    assert data["account_id"] == acc_id and data["organization_id"] == snap.organization.id

    # Two audit lines, started then ok, 0600.
    log = files.read_audit()
    assert [r["event"] for r in log] == ["remove-started", "remove-ok"]
    started, done = log
    assert started["caller_arn"] == snap.caller.arn
    assert started["organization_id"] == snap.organization.id
    assert started["account_id"] == acc_id and started["account_name"] == "northwind-prod"
    assert started["backup"] == str(backup)
    assert done["outcome"] == "ok" and done["request_id"]
    assert mode(files.audit_log_path()) == 0o600
    assert mode(files.audit_log_path().parent) == 0o700


def test_no_credentials_in_the_log_or_the_backup(demo_org):
    from orgtui.demo import DEMO_CREDENTIALS

    demo, ctx, snap = demo_org
    removal.remove(ctx, snap, demo.accounts["northwind-prod"], now=DEMO_NOW)
    text = files.audit_log_path().read_text() + "".join(
        p.read_text() for p in backups(snap.organization.id)
    )
    for secret in DEMO_CREDENTIALS[:2]:
        assert secret not in text


def test_audit_line_and_backup_are_on_disk_before_the_call(fault_org):
    seen: list[tuple[list[str], int]] = []

    def before_send(**_: Any) -> None:
        seen.append((events(), len(backups(fault_org.snap.organization.id))))

    client = writes.write_client(fault_org.ctx)
    client.meta.events.register(f"before-send.organizations.{WRITE_OP}", before_send)
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "removed"
    assert seen == [(["remove-started"], 1)]
    assert events() == ["remove-started", "remove-ok"]


# --- refused before any call -----------------------------------------------------------


def test_blocked_account_sends_no_call(demo_org):
    demo, ctx, snap = demo_org
    outcome = removal.remove(ctx, snap, demo.accounts["security-tooling"], now=DEMO_NOW)
    assert outcome.status == "refused" and not outcome.sent
    assert "Delegated administrator" in outcome.what
    assert "guardduty.amazonaws.com" in outcome.what
    assert ctx.stats.calls[WRITE_OP] == 0
    assert backups(snap.organization.id) == []
    assert events() == ["remove-refused"]


def test_blocked_account_counted_at_the_endpoint(fault_org):
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("admin"))
    assert outcome.status == "refused" and not outcome.sent
    assert fault_org.writes == {}
    assert fault_org.server.counts["ListDelegatedServicesForAccount"] == 1
    assert fault_org.in_org("admin")


@pytest.mark.parametrize(
    "name, words",
    [
        ("management", "management account"),
        ("sandbox-alice", "four days"),
        ("contoso-legacy", "SUSPENDED"),
    ],
)
def test_other_blockers_send_no_call(demo_org, name, words):
    demo, ctx, snap = demo_org
    acc_id = demo.management_account_id if name == "management" else demo.accounts[name]
    outcome = removal.remove(ctx, snap, acc_id, now=DEMO_NOW)
    assert outcome.status == "refused" and not outcome.sent
    assert words in outcome.what
    assert outcome.fix
    assert ctx.stats.calls[WRITE_OP] == 0


def test_stale_view_does_not_decide(fault_org):
    """Ready in the snapshot, a delegated administrator by now: the live check refuses."""
    acc_id = fault_org.id("ready-2")
    fault_org.seed.register_delegated_administrator(
        AccountId=acc_id, ServicePrincipal="macie.amazonaws.com"
    )
    check = removal.check_account(fault_org.ctx, fault_org.snap, acc_id)
    assert check.stale_verdict == "ready" and check.verdict == "blocked" and check.changed
    assert check.delegated == ("macie.amazonaws.com",)
    outcome = removal.remove(fault_org.ctx, fault_org.snap, acc_id)
    assert outcome.status == "refused" and "macie.amazonaws.com" in outcome.what
    assert fault_org.writes == {}


def test_live_check_reads_fresh_tags(fault_org):
    acc_id = fault_org.id("ready-3")
    fault_org.seed.tag_resource(ResourceId=acc_id, Tags=[{"Key": "late", "Value": "tag"}])
    check = removal.check_account(fault_org.ctx, fault_org.snap, acc_id)
    assert check.tags == {"late": "tag"}
    assert any(f.code == "TAGS_WILL_BE_DELETED" for f in check.assessment.findings)
    removal.remove(fault_org.ctx, fault_org.snap, acc_id)
    [backup] = backups(fault_org.snap.organization.id)
    assert json.loads(backup.read_text())["tags"] == {"late": "tag"}


def test_account_gone_before_the_call(fault_org):
    acc_id = fault_org.id("ready-3")
    fault_org.seed.remove_account_from_organization(AccountId=acc_id)
    outcome = removal.remove(fault_org.ctx, fault_org.snap, acc_id)
    assert outcome.status == "gone" and outcome.ok and not outcome.sent
    assert "no longer in the organization" in outcome.what
    assert fault_org.writes == {}


def test_failed_recheck_refuses(fault_org):
    fault_org.server.fail("ListTagsForResource", "AccessDeniedException", message="not allowed")
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "refused" and not outcome.sent
    assert "re-check failed" in outcome.what
    assert "organizations:ListTagsForResource" in outcome.what + outcome.fix
    assert fault_org.writes == {}


# --- the local files must be written first ---------------------------------------------


def test_unwritable_backup_folder_means_no_call(fault_org, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> Path:
        raise files.StoreError(
            "Could not write /x/tag-backups/o-1/1.json: Permission denied.",
            "Make /x/tag-backups/o-1 writable by you; no account is removed until it is.",
        )

    monkeypatch.setattr(files, "backup_tags", broken)
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "refused" and not outcome.sent
    assert "Permission denied" in outcome.what and "writable" in outcome.fix
    assert fault_org.writes == {}
    assert "remove-started" not in events()
    assert fault_org.in_org("ready-1")


def test_unwritable_data_dir_means_no_call(fault_org, monkeypatch, tmp_path):
    # A file where the data folder should be: even root cannot create folders under it.
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "refused" and not outcome.sent
    assert "Could not write" in outcome.what
    assert fault_org.writes == {}


def test_unwritable_audit_log_means_no_call(fault_org, monkeypatch):
    def broken(event: str, **fields: Any) -> dict[str, Any]:
        raise files.StoreError(
            "Could not write audit.jsonl: No space left on device.", "Free some disk space."
        )

    monkeypatch.setattr(files, "append_audit", broken)
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "refused" and not outcome.sent
    assert "No space left" in outcome.what
    assert fault_org.writes == {}


# --- AWS's refusals, in words ----------------------------------------------------------


@pytest.mark.parametrize(
    "name, reason, words, fix",
    [
        (
            "sandbox-carol",
            "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
            "phone verification",
            "root user",
        ),
        (
            "tokenizer-prod",
            "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
            "no payment method",
            "payment method",
        ),
    ],
)
def test_demo_refusals_in_words(demo_org, name, reason, words, fix):
    demo, ctx, snap = demo_org
    acc_id = demo.accounts[name]
    outcome = removal.remove(ctx, snap, acc_id, now=DEMO_NOW)
    assert outcome.status == "refused" and outcome.sent
    assert outcome.reason == reason
    assert words in outcome.what and fix in outcome.fix
    assert acc_id in {a["Id"] for a in ctx.org.list_accounts()["Accounts"]}
    assert events() == ["remove-started", "remove-error"]
    done = files.read_audit()[-1]
    assert done["code"] == "ConstraintViolationException" and done["reason"] == reason
    assert done["request_id"]


@pytest.mark.parametrize(
    "code, reason, words, fix",
    [
        (
            "ConstraintViolationException",
            "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
            "phone verification",
            "Sign in to the account as its root user",
        ),
        (
            "ConstraintViolationException",
            "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA",
            "Customer Agreement",
            "accept the customer agreement",
        ),
        (
            "ConstraintViolationException",
            "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
            "no payment method",
            "add a payment method",
        ),
        (
            "ConstraintViolationException",
            "INVALID_PAYMENT_INSTRUMENT",
            "payment method is not valid",
            "valid payment method",
        ),
        (
            "ConstraintViolationException",
            "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
            "delegated administrator",
            "Deregister",
        ),
        ("ConstraintViolationException", "WAIT_PERIOD_ACTIVE", "less than four days", "Wait"),
        (
            "ConstraintViolationException",
            "ACCOUNT_CANNOT_LEAVE_ORGANIZATION",
            "management account",
            "member accounts",
        ),
        ("MasterCannotLeaveOrganizationException", None, "management account", "member accounts"),
        ("InvalidInputException", None, "rejected the input", "12 digits"),
        (
            "AWSOrganizationsNotInUseException",
            None,
            "not a member of an organization",
            "organization",
        ),
    ],
)
def test_endpoint_refusals_in_words(fault_org, code, reason, words, fix):
    fault_org.server.fail(WRITE_OP, code, message="refused", reason=reason)
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "refused" and outcome.sent
    assert outcome.code == code and outcome.reason == (reason or "")
    assert words in outcome.what, outcome.what
    assert fix in outcome.fix, outcome.fix
    assert outcome.request_id.startswith("fault-")
    assert fault_org.writes == {WRITE_OP: 1}
    assert fault_org.in_org("ready-1")
    done = files.read_audit()[-1]
    assert (done["event"], done["code"], done["reason"]) == ("remove-error", code, reason or "")
    assert done["request_id"] == outcome.request_id


def test_delegated_refusal_names_the_services(fault_org):
    """The live check saw no delegation (it appeared in between); AWS's refusal is
    explained with the services when known."""
    acc_id = fault_org.id("ready-1")
    fault_org.server.fail(
        WRITE_OP,
        "ConstraintViolationException",
        reason="CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
    )
    check = removal.check_account(fault_org.ctx, fault_org.snap, acc_id)
    assert check.delegated == ()
    outcome = removal.remove(fault_org.ctx, fault_org.snap, acc_id)
    assert "Deregister it as delegated administrator" in outcome.fix


def test_access_denied_names_the_permission(fault_org):
    fault_org.server.fail(
        WRITE_OP,
        "AccessDeniedException",
        message="You don't have permissions to access this resource.",
    )
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "refused"
    assert "organizations:RemoveAccountFromOrganization" in outcome.what
    assert "Grant organizations:RemoveAccountFromOrganization" in outcome.fix


# --- retries and uncertain answers -----------------------------------------------------


def test_concurrent_modification_is_retried_to_success(fault_org):
    fault_org.server.fail(
        WRITE_OP,
        "ConcurrentModificationException",
        times=2,
        message="another change is in progress",
    )
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "removed"
    assert fault_org.writes == {WRITE_OP: 3}
    assert not fault_org.in_org("ready-1")
    assert events() == ["remove-started", "remove-ok"]


def test_too_many_requests_is_retried_to_success(fault_org):
    fault_org.server.fail(WRITE_OP, "TooManyRequestsException", times=2)
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "removed"
    assert fault_org.writes == {WRITE_OP: 3}
    assert fault_org.ctx.stats.throttled >= 2


def test_throttled_for_good_ends_in_words(fault_org):
    fault_org.server.fail(WRITE_OP, "TooManyRequestsException")
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "refused"
    assert "throttling" in outcome.what and "try again" in outcome.fix
    assert fault_org.writes[WRITE_OP] == len(writes.THROTTLE_BACKOFF) + 1


def test_service_exception_after_the_change_reports_removed(fault_org):
    fault_org.server.fail(WRITE_OP, "ServiceException", status=500, kind="after", times=1)
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert fault_org.writes == {WRITE_OP: 1}  # not retried blindly
    assert outcome.status == "removed" and outcome.code == "ServiceException"
    assert "left the organization" in outcome.what
    assert not fault_org.in_org("ready-1")
    assert fault_org.server.counts["DescribeAccount"] == 2  # re-check, then the truth
    assert events() == ["remove-started", "remove-ok"]


def test_service_exception_without_the_change_reports_it_stayed(fault_org):
    fault_org.server.fail(WRITE_OP, "ServiceException", status=500, times=1)
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert fault_org.writes == {WRITE_OP: 1}
    assert outcome.status == "refused" and outcome.sent
    assert "stays in the organization" in outcome.what
    assert "internal error" in outcome.what
    assert fault_org.in_org("ready-1")
    assert events() == ["remove-started", "remove-error"]


def test_service_exception_and_no_answer_is_unknown(fault_org):
    fault_org.server.fail(WRITE_OP, "ServiceException", status=500, times=1)
    # The re-check's DescribeAccount passes; the one after the failure can't get through.
    calls = {"n": 0}

    original = fault_org.ctx.org.describe_account

    def describe(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 1:
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url=fault_org.server.url)
        return original(**kwargs)

    fault_org.ctx.org.describe_account = describe
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "unknown"
    assert "could not tell" in outcome.what and "Reload" in outcome.fix
    assert events() == ["remove-started", "remove-unknown"]


def test_account_not_found_at_removal_is_gone(fault_org):
    fault_org.server.fail(
        WRITE_OP, "AccountNotFoundException", message="You specified an account that doesn't exist."
    )
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    assert outcome.status == "gone" and outcome.ok and outcome.left_view
    assert "already gone" in outcome.what
    assert events() == ["remove-started", "remove-gone"]


def test_dropped_connection_after_change_checks_the_truth(fault_org):
    fault_org.server.fail(WRITE_OP, "x", kind="drop", times=1)
    outcome = removal.remove(fault_org.ctx, fault_org.snap, fault_org.id("ready-1"))
    # A bare 502 is not retried blindly either; the account is still there.
    assert fault_org.writes == {WRITE_OP: 1}
    assert outcome.status == "refused"
    assert fault_org.in_org("ready-1")


# --- bulk ------------------------------------------------------------------------------


def test_bulk_goes_on_past_a_refusal_and_summarizes(demo_org):
    demo, ctx, snap = demo_org
    names = ["northwind-prod", "sandbox-carol", "northwind-dev"]
    ids = [demo.accounts[n] for n in names]
    seen: list[tuple[int, int, str, str | None]] = []

    def progress(i: int, total: int, acc_id: str, outcome: Outcome | None) -> None:
        seen.append((i, total, acc_id, outcome.status if outcome else None))

    outcomes = removal.remove_many(ctx, snap, ids, now=DEMO_NOW, progress=progress)
    assert [o.status for o in outcomes] == ["removed", "refused", "removed"]
    assert outcomes[1].reason == "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"
    assert seen == [
        (0, 3, ids[0], None),
        (0, 3, ids[0], "removed"),
        (1, 3, ids[1], None),
        (1, 3, ids[1], "refused"),
        (2, 3, ids[2], None),
        (2, 3, ids[2], "removed"),
    ]
    groups = summarize(outcomes)
    assert [o.name for o in groups["removed"]] == ["northwind-prod", "northwind-dev"]
    assert [o.name for o in groups["refused"]] == ["sandbox-carol"]
    assert events() == [
        "remove-started",
        "remove-ok",
        "remove-started",
        "remove-error",
        "remove-started",
        "remove-ok",
    ]
    assert len(backups(snap.organization.id)) == 3
    assert ctx.stats.calls[WRITE_OP] == 3


def test_bulk_with_blocked_and_gone(fault_org):
    gone = fault_org.id("ready-3")
    fault_org.seed.remove_account_from_organization(AccountId=gone)
    outcomes = removal.remove_many(
        fault_org.ctx,
        fault_org.snap,
        [fault_org.id("ready-1"), fault_org.id("admin"), gone, fault_org.id("ready-2")],
    )
    assert [o.status for o in outcomes] == ["removed", "refused", "gone", "removed"]
    assert [o.sent for o in outcomes] == [True, False, False, True]
    assert fault_org.writes == {WRITE_OP: 2}


def test_bulk_goes_on_past_an_unexpected_exception(fault_org, monkeypatch):
    real = removal._act
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Outcome:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr(removal, "_act", flaky)
    outcomes = removal.remove_many(
        fault_org.ctx, fault_org.snap, [fault_org.id("ready-1"), fault_org.id("ready-2")]
    )
    assert [o.status for o in outcomes] == ["refused", "removed"]
    assert "Unexpected error" in outcomes[0].what


# --- the read-only promise -------------------------------------------------------------


def test_audit_mode_sends_no_write_call(audit_org):
    """Even if the UI let a removal through, the session's guard stops it before sending."""
    outcome = removal.remove(audit_org.ctx, audit_org.snap, audit_org.id("ready-1"))
    assert isinstance(outcome.error, ReadOnlyViolation)
    assert outcome.status == "refused" and not outcome.sent
    assert "read-only" in outcome.what
    assert audit_org.writes == {}
    assert audit_org.server.injector.total > 0  # the reads did go out
    assert audit_org.in_org("ready-1")


def test_audit_mode_guard_on_the_write_client_directly(audit_org):
    with pytest.raises(ReadOnlyViolation):
        writes.send_write(
            audit_org.ctx, "remove_account_from_organization", AccountId=audit_org.id("ready-1")
        )
    with pytest.raises(ReadOnlyViolation):
        writes.send_write(audit_org.ctx, "leave_organization")
    assert audit_org.writes == {}


# --- leaving as a member ---------------------------------------------------------------


@pytest.fixture
def member_demo(isolated_env):
    from orgtui import demo as demo_mod

    running = demo_mod.start(now=DEMO_NOW, member="contoso-web")  # no SCP denies it
    yield running
    running.stop()


def test_member_leaves_with_backup_and_log(member_demo):
    ctx = demo_context()
    snap = Loader(ctx).load()
    assert snap.member_mode and not snap.is_management_caller
    me = member_demo.accounts["contoso-web"]
    assert snap.caller.account == me
    outcome = removal.leave(ctx, snap, now=DEMO_NOW)
    assert outcome.status == "removed", outcome
    assert "left the organization" in outcome.what
    check = outcome.check
    assert check is not None and check.problems  # a member can't read its tags
    [backup] = backups(snap.organization.id)
    data = json.loads(backup.read_text())
    assert data["tags_complete"] is False and data["problems"]
    log = files.read_audit()
    assert [r["event"] for r in log] == ["leave-started", "leave-ok"]
    assert log[0]["operation"] == "LeaveOrganization"
    assert log[0]["caller_arn"] == snap.caller.arn and me in snap.caller.arn
    assert ctx.stats.calls["LeaveOrganization"] == 1
    assert ctx.stats.calls[WRITE_OP] == 0


def test_member_leave_refused_in_words(isolated_env):
    from orgtui import demo as demo_mod

    running = demo_mod.start(now=DEMO_NOW, member="sandbox-carol")
    try:
        ctx = demo_context()
        snap = Loader(ctx).load()
        outcome = removal.leave(ctx, snap, now=DEMO_NOW)
        # DenyLeaveOrganization on the Sandbox OU: AWS answers AccessDeniedException with
        # "an explicit deny in a service control policy", said in words.
        assert outcome.status == "refused" and outcome.sent
        assert "service control policy" in outcome.what
        assert "management account" in outcome.fix and "LEAVE_DENIED_BY_SCP" in outcome.fix
        assert events() == ["leave-started", "leave-error"]
    finally:
        running.stop()
    assert os.environ["MOTO_ACCOUNT_ID"] == "123456789012"


def test_management_caller_cannot_leave(demo_org):
    demo, ctx, snap = demo_org
    outcome = removal.leave(ctx, snap, now=DEMO_NOW)
    assert outcome.status == "refused" and not outcome.sent
    assert "management account" in outcome.what
    assert ctx.stats.calls["LeaveOrganization"] == 0


def test_demo_leave_answers_like_aws(demo):
    """The demo's LeaveOrganization refuses the management account as AWS does."""
    from botocore.exceptions import ClientError

    ctx = demo_context()
    with pytest.raises(ClientError) as info:
        ctx.org.leave_organization()
    assert info.value.response["Error"]["Code"] == "MasterCannotLeaveOrganizationException"


def test_demo_refusal_reason_reaches_botocore(demo):
    from botocore.exceptions import ClientError

    ctx = demo_context()
    with pytest.raises(ClientError) as info:
        ctx.org.remove_account_from_organization(AccountId=demo.accounts["security-tooling"])
    assert info.value.response["Reason"] == "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"


def test_demo_member_by_environment(isolated_env, monkeypatch):
    from orgtui import demo as demo_mod

    monkeypatch.setenv("ORGTUI_DEMO_MEMBER", "fabrikam-dev")
    running = demo_mod.start(now=DEMO_NOW)
    try:
        assert running.member_mode
        snap = Loader(demo_context()).load()
        assert snap.member_mode
        assert snap.caller.account == running.accounts["fabrikam-dev"]
    finally:
        running.stop()


def test_demo_member_unknown_name(isolated_env):
    from orgtui import demo as demo_mod
    from orgtui.errors import OrgtuiError

    with pytest.raises(OrgtuiError) as info:
        demo_mod.start(now=DEMO_NOW, member="nobody")
    assert "nobody" in info.value.what and "northwind-dev" in info.value.fix


def test_a_context_that_wrote_is_freed_with_its_session(demo):
    """The write clients die with their context: a context kept alive by its own write
    client held every session and service model of a long run (or a test suite) in
    memory until exit."""
    import gc
    import weakref

    ctx = demo_context()
    writes.write_client(ctx)
    session = weakref.ref(ctx.session)
    gone = weakref.ref(ctx)
    del ctx
    gc.collect()
    assert gone() is None and session() is None
