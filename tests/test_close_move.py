"""Closing and moving accounts under the write discipline (aws/close.py, aws/move.py):
the live re-check, the audit lines before and after, the close quota's estimate and its
bulk stop, every refusal in words (a stub endpoint gives the shapes moto does not), and
the read-only guard refusing both writes below the UI."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orgtui import files
from orgtui.aws.close import close_many, close_one, close_quota
from orgtui.aws.loader import Loader
from orgtui.aws.move import move_many
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.write_model import quota_limit
from tests.conftest import DEMO_NOW
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, OuSpec, build_org


def demo_ctx(read_only: bool = False) -> AwsContext:
    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION

    return AwsContext(
        SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS, read_only=read_only)
    )


def events() -> list[tuple[str, str]]:
    return [(r["event"], r.get("account_id", "")) for r in files.read_audit()]


def state_in_aws(ctx: AwsContext, account_id: str) -> str:
    return ctx.org.describe_account(AccountId=account_id)["Account"]["State"]


@pytest.fixture
def loaded(demo):
    ctx = demo_ctx()
    return ctx, Loader(ctx).load(), demo


# --- close -------------------------------------------------------------------------------


def test_closing_an_account_logs_before_and_after_and_marks_it_pending(loaded):
    ctx, snap, demo = loaded
    target = demo.accounts["northwind-dev"]
    outcome = close_one(ctx, snap, target, now=DEMO_NOW)
    assert outcome.status == "done" and outcome.sent, outcome
    assert "PENDING_CLOSURE" in outcome.what and "90 days" in outcome.what
    assert events() == [("close-started", target), ("close-ok", target)]
    assert files.read_audit()[0]["operation"] == "CloseAccount"
    assert outcome.after is not None and outcome.after.accounts[target].state == "PENDING_CLOSURE"
    assert state_in_aws(ctx, target) in ("PENDING_CLOSURE", "SUSPENDED")


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("management", "MANAGEMENT_ACCOUNT", "is the management account"),
        ("security-tooling", "DELEGATED_ADMIN", "delegated administrator for guardduty"),
        ("old-marketing", "ALREADY_CLOSING", "is already SUSPENDED"),
        ("old-events", "ALREADY_CLOSING", "is already PENDING_CLOSURE"),
    ],
)
def test_the_live_check_refuses_what_close_blocks(loaded, name, code, words):
    ctx, snap, demo = loaded
    target = demo.management_account_id if name == "management" else demo.accounts[name]
    outcome = close_one(ctx, snap, target, now=DEMO_NOW)
    assert outcome.status == "refused" and not outcome.sent
    assert outcome.code == code and words in outcome.what, outcome.what
    assert [e for e, _ in events()] == ["close-refused"]  # never close-started


def test_audit_mode_refuses_the_close_below_the_ui(loaded):
    _, snap, demo = loaded
    ctx = demo_ctx(read_only=True)
    target = demo.accounts["northwind-dev"]
    outcome = close_one(ctx, snap, target, now=DEMO_NOW)
    assert outcome.status == "refused" and not outcome.sent
    assert "read-only" in outcome.what
    assert state_in_aws(demo_ctx(), target) == "ACTIVE"


def test_the_quota_limit_follows_the_organizations_size():
    assert quota_limit(40) == 250
    assert quota_limit(2_000) == 400
    assert quota_limit(10_000) == 1_000


def test_the_quota_counts_logged_closures_and_pending_accounts_once(loaded):
    ctx, snap, demo = loaded
    pending = demo.accounts["old-events"]  # PENDING_CLOSURE in the sample
    for account_id, days in ((pending, 3), (demo.accounts["web-prod"], 10), ("999999999999", 40)):
        files.append_audit("close-ok", organization_id=snap.organization.id, account_id=account_id)
        log = files.audit_log_path()
        lines = log.read_text().splitlines()
        # date the line `days` ago (the log is written with the real clock)
        import json

        record = json.loads(lines[-1])
        record["time"] = (DEMO_NOW - timedelta(days=days)).isoformat()
        log.write_text("\n".join([*lines[:-1], json.dumps(record)]) + "\n")
    quota = close_quota(snap, DEMO_NOW)
    # old-events (logged and pending: once), web-prod (10 days); 40 days ago is outside
    assert quota.used == 2 and quota.limit == 250 and quota.left == 248
    assert quota.line == "closures left in the rolling 30 days (estimate): 248 of 250"


def test_a_bulk_close_past_the_quota_is_refused_whole_before_any_call(loaded, monkeypatch):
    ctx, snap, demo = loaded
    monkeypatch.setattr("orgtui.write_model.QUOTA_FLOOR", 2)  # 2, less the one pending: 1 left
    monkeypatch.setattr("orgtui.write_model.QUOTA_SHARE", 0.0)
    ids = [demo.accounts[n] for n in ("northwind-dev", "northwind-shared", "web-staging")]
    before = ctx.stats.calls.get("CloseAccount", 0)
    outcomes = close_many(ctx, snap, ids, now=DEMO_NOW)
    assert [o.code for o in outcomes] == ["CLOSE_QUOTA_EXCEEDED"] * 3
    assert "leaves 1" in outcomes[0].what
    assert ctx.stats.calls.get("CloseAccount", 0) == before
    assert [e for e, _ in events()] == ["close-refused"]


# --- refusals AWS gives: a stub endpoint -------------------------------------------------


@pytest.fixture
def served(aws_credentials):
    with FaultServer() as server:
        build_org(
            server.client("organizations"),
            (
                OuSpec(
                    "Workloads", accounts=(AccountSpec("a"), AccountSpec("b"), AccountSpec("c"))
                ),
                OuSpec("Suspended"),
            ),
        )
        ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=("testing", "testing", None),
            )
        )
        snap = Loader(ctx).load()
        by_name = {a.name: a.id for a in snap.accounts.values()}
        yield server, ctx, snap, by_name


def test_a_quota_refusal_stops_a_bulk_close_and_says_how_many_closed(served):
    server, ctx, snap, by_name = served
    ids = [by_name[n] for n in ("a", "b", "c")]
    server.fail(
        "CloseAccount",
        "ConstraintViolationException",
        reason="CLOSE_ACCOUNT_QUOTA_EXCEEDED",
        skip=1,
    )
    outcomes = close_many(ctx, snap, ids)
    assert [o.status for o in outcomes] == ["done", "refused"]  # c never attempted
    assert "rolling 30 days" in outcomes[1].what and "AWS Support" in outcomes[1].fix
    assert server.counts["CloseAccount"] == 2
    log = files.read_audit()
    assert [r["event"] for r in log] == [
        "close-started",
        "close-ok",
        "close-started",
        "close-error",
        "close-stopped",
    ]
    assert log[-1]["not_attempted"] == [ids[2]]


@pytest.mark.parametrize(
    ("code", "reason", "status", "words"),
    [
        (
            "ConstraintViolationException",
            "CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED",
            "refused",
            "too many accounts are being closed at once",
        ),
        (
            "ConstraintViolationException",
            "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
            "refused",
            "management account can't be closed",
        ),
        ("AccountAlreadyClosedException", None, "done", "was already closed"),
        ("ConflictException", None, "refused", "already changing the account"),
        ("AccessDeniedException", None, "refused", "may protect this account from closure"),
    ],
)
def test_each_close_refusal_is_in_words(served, code, reason, status, words):
    server, ctx, snap, by_name = served
    server.fail("CloseAccount", code, reason=reason, status=403 if "Denied" in code else 400)
    outcome = close_one(ctx, snap, by_name["a"])
    assert outcome.status == status and outcome.sent
    assert words in outcome.what, outcome.what
    assert outcome.fix or status == "done"
    assert [r["event"] for r in files.read_audit()][0] == "close-started"


# --- move --------------------------------------------------------------------------------


def test_moving_an_account_to_an_ou_logs_it_and_updates_the_picture(loaded):
    ctx, snap, demo = loaded
    target, suspended = demo.accounts["northwind-dev"], demo.ous["Suspended"]
    source = snap.accounts[target].parent_id
    (outcome,) = move_many(ctx, snap, [target], suspended)
    assert outcome.status == "done" and outcome.sent, outcome
    assert outcome.what.endswith("moved to Suspended.")
    after = outcome.after
    assert after is not None and after.accounts[target].parent_id == suspended
    assert target in after.child_accounts[suspended]
    assert target not in after.child_accounts[source]
    parents = ctx.org.list_parents(ChildId=target)["Parents"]
    assert parents[0]["Id"] == suspended
    log = files.read_audit()
    assert [r["event"] for r in log] == ["move-started", "move-ok"]
    assert log[0]["source_parent"] == source and log[0]["target"] == suspended


def test_audit_mode_refuses_the_move_below_the_ui(loaded):
    _, snap, demo = loaded
    ctx = demo_ctx(read_only=True)
    target = demo.accounts["northwind-dev"]
    (outcome,) = move_many(ctx, snap, [target], demo.ous["Suspended"])
    assert outcome.status == "refused" and not outcome.sent and "read-only" in outcome.what
    assert demo_ctx().org.list_parents(ChildId=target)["Parents"][0]["Id"] != demo.ous["Suspended"]


@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        ("SourceParentNotFoundException", "refused", "moved meanwhile"),
        ("DestinationParentNotFoundException", "refused", "no longer exists"),
        ("DuplicateAccountException", "done", "was already in"),
    ],
)
def test_each_move_refusal_is_in_words(served, code, status, words):
    server, ctx, snap, by_name = served
    suspended = next(o.id for o in snap.ous.values() if o.name == "Suspended")
    server.fail("MoveAccount", code)
    (outcome,) = move_many(ctx, snap, [by_name["a"]], suspended)
    assert outcome.status == status and words in outcome.what, outcome.what
    assert [r["event"] for r in files.read_audit()][0] == "move-started"


def test_a_concurrent_modification_is_retried_and_the_move_lands(served):
    server, ctx, snap, by_name = served
    suspended = next(o.id for o in snap.ous.values() if o.name == "Suspended")
    server.fail("MoveAccount", "ConcurrentModificationException", times=1)
    (outcome,) = move_many(ctx, snap, [by_name["a"]], suspended)
    assert outcome.status == "done", outcome.what
    assert server.counts["MoveAccount"] == 2


def test_the_demo_closes_as_aws_does_pending_then_suspended_on_reload(loaded):
    ctx, snap, demo = loaded
    target = demo.accounts["northwind-shared"]
    assert close_one(ctx, snap, target, now=DEMO_NOW).status == "done"
    assert state_in_aws(ctx, target) == "PENDING_CLOSURE"
    again = close_one(ctx, snap, target, now=DEMO_NOW)  # the live check sees it closing
    assert again.code == "ALREADY_CLOSING"
    reloaded = Loader(ctx).load()
    assert reloaded.accounts[target].state == "SUSPENDED"
