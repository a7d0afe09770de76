"""The new writes, through the same discipline as a removal: attesting a CREATED account
(TagResource), deregistering a delegated administrator service by service, and a refusal
by AWS remembered until an attestation dated after it. Against the demo (moto with AWS's
refusal rules) and a FaultServer for partial failures."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from orgtui import files, loading, report
from orgtui.aws import removal, writes
from orgtui.aws.attest import attest, attest_many
from orgtui.aws.deregister import deregister
from orgtui.aws.session import READ_PREFIXES, AwsContext, SessionOptions
from orgtui.model import DEFAULT_ATTEST_TAG, Caller
from orgtui.rules import assess
from orgtui.rules.attestation import attestation_value
from tests.conftest import DEMO_NOW
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, OuSpec, build_org


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setattr(writes, "THROTTLE_BACKOFF", (0.01,) * 7)
    monkeypatch.setattr(removal, "CONFIRM_BACKOFF", (0.01,))


def demo_ctx(read_only: bool = False) -> AwsContext:
    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION

    return AwsContext(
        SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS, read_only=read_only)
    )


def load(ctx: AwsContext, **options):
    return loading.load(ctx, loading.LoadOptions(**options))[0]


def events() -> list[str]:
    return [r["event"] for r in files.read_audit()]


def codes(snap, account_id: str, now=DEMO_NOW) -> list[str]:
    return [f.code for f in assess(snap.accounts[account_id], snap, now).findings]


# --- attest ----------------------------------------------------------------------------


def test_attest_tags_the_account_and_clears_the_warning(demo):
    ctx = demo_ctx()
    snap = load(ctx)
    carol_free = demo.accounts["web-dev"]  # CREATED, no refusal
    assert "STANDALONE_UNVERIFIED" in codes(snap, carol_free)
    outcome = attest(ctx, snap, carol_free, now=DEMO_NOW)
    assert outcome.status == "done" and outcome.sent
    value = outcome.after.tags_of(carol_free)[DEFAULT_ATTEST_TAG]
    assert value.startswith("2026-11-28T12:00:00Z ")
    assert "STANDALONE_ATTESTED" in codes(outcome.after, carol_free)
    assert events() == ["attest-started", "attest-ok"]
    started = files.read_audit()[0]
    assert started["target"] == DEFAULT_ATTEST_TAG and started["tag_value"] == value
    # AWS holds the tag: the next load sees it.
    assert "STANDALONE_ATTESTED" in codes(load(ctx), carol_free)


def test_attest_writes_the_callers_full_principal(demo):
    ctx = demo_ctx()
    snap = load(ctx)
    outcome = attest(ctx, snap, demo.accounts["web-dev"], now=DEMO_NOW)
    value = outcome.after.tags_of(demo.accounts["web-dev"])[DEFAULT_ATTEST_TAG]
    # moto's caller is arn:aws:iam::123456789012:user/moto: the account, then the user.
    assert value == f"2026-11-28T12:00:00Z {snap.caller.account}/moto"


# The characters AWS takes in a tag value: [\p{L}\p{Z}\p{N}_.:/=+\-@]
def _tag_value_ok(value: str) -> bool:
    return len(value) <= 256 and all(
        ch in "_.:/=+-@" or unicodedata.category(ch)[0] in "LZN" for ch in value
    )


@pytest.mark.parametrize(
    ("arn", "who"),
    [
        ("arn:aws:sts::123456789012:assumed-role/OrgAdmin/alice", "123456789012/OrgAdmin/alice"),
        (
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com",
            "123456789012/AWSReservedSSO_Admin_0123/alice@example.com",
        ),
        ("arn:aws:iam::123456789012:user/ops/bob", "123456789012/bob"),
        ("arn:aws:iam::123456789012:root", "123456789012/root"),
        # A comma (legal in a session name) would make AWS refuse TagResource.
        (
            "arn:aws:sts::123456789012:assumed-role/OrgAdmin/smith,jane",
            "123456789012/OrgAdmin/smith_jane",
        ),
        ("arn:aws:sts::123456789012:assumed-role/Ops/a\u202eb\x1bc", "123456789012/Ops/a_b_c"),
    ],
)
def test_the_attestation_value_names_the_full_principal_as_a_valid_tag_value(arn, who):
    value = attestation_value(DEMO_NOW, Caller("123456789012", arn))
    assert value == f"2026-11-28T12:00:00Z {who}"
    assert _tag_value_ok(value)


def test_the_attestation_value_fits_in_256_characters():
    arn = "arn:aws:sts::123456789012:assumed-role/" + "R" * 64 + "/" + "s" * 300
    value = attestation_value(DEMO_NOW, Caller("123456789012", arn))
    assert len(value) == 256 and _tag_value_ok(value)
    assert value.startswith("2026-11-28T12:00:00Z 123456789012/RRR")


def test_a_refusal_line_dated_in_the_future_is_ignored_and_told(demo):
    ctx = demo_ctx()
    snap = load(ctx)
    carol = demo.accounts["sandbox-carol"]
    record = {
        "time": "2099-01-01T00:00:00Z",
        "event": "remove-error",
        "organization_id": snap.organization.id,
        "account_id": carol,
        "operation": "RemoveAccountFromOrganization",
        "code": "ConstraintViolationException",
        "reason": "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
    }
    files.append_audit("note")  # make the log's folder
    with files.audit_log_path().open("a") as log:
        log.write(json.dumps(record) + "\n")
    snap, problems = loading.load(ctx, loading.LoadOptions())
    assert "REMOVAL_REFUSED" not in codes(snap, carol)
    (note,) = [p for p in problems if p.startswith("audit log:")]
    assert f"{carol} on 2099-01-01T00:00:00Z" in note and "ignored" in note


def test_attest_refuses_an_invited_account_without_a_call(demo):
    ctx = demo_ctx()
    snap = load(ctx)
    before = ctx.stats.calls["TagResource"]
    outcome = attest(ctx, snap, demo.accounts["web-prod"], now=DEMO_NOW)
    assert outcome.status == "refused" and "invitation" in outcome.what
    assert ctx.stats.calls["TagResource"] == before
    assert events() == ["attest-refused"]


def test_attest_in_audit_mode_sends_nothing(demo):
    ctx = demo_ctx(read_only=True)
    snap = load(ctx)
    outcome = attest(ctx, snap, demo.accounts["web-dev"], now=DEMO_NOW)
    assert outcome.status == "refused" and not outcome.sent
    assert "read-only" in outcome.what
    assert "web-dev" not in json.dumps(dict(load(demo_ctx()).tags_of(demo.accounts["web-dev"])))
    assert DEFAULT_ATTEST_TAG not in load(demo_ctx()).tags_of(demo.accounts["web-dev"])


def test_attest_many_reads_the_organization_once(demo):
    ctx = demo_ctx()
    snap = load(ctx)
    ids = [demo.accounts[n] for n in ("web-dev", "payments-dev", "ml-dev")]
    before = ctx.stats.calls["DescribeOrganization"]
    outcomes = attest_many(ctx, snap, ids, now=DEMO_NOW)
    assert [o.status for o in outcomes] == ["done"] * 3
    assert ctx.stats.calls["DescribeOrganization"] == before + 1


# --- a refusal remembered, then cleared by an attestation ------------------------------


def test_a_phone_refusal_is_remembered_until_attested(demo):
    ctx = demo_ctx()
    carol = demo.accounts["sandbox-carol"]  # the demo's AWS refuses: phone verification
    outcome = removal.remove(ctx, load(ctx), carol, now=DEMO_NOW)
    assert outcome.status == "refused" and outcome.reason.endswith("PHONE_VERIFICATION")

    # The next report has it.
    snap = load(ctx)
    doc = report.build(snap, DEMO_NOW)
    (entry,) = [a for a in doc["accounts"] if a["id"] == carol]
    found = {f["code"]: f for f in entry["findings"]}
    assert entry["verdict"] == "blocked"
    assert found["REMOVAL_REFUSED"]["severity"] == "blocker"
    assert "phone" in found["REMOVAL_REFUSED"]["message"]

    # Attested after the refusal (the log dates the refusal by the real clock): cleared,
    # and STANDALONE_ATTESTED instead.
    later = datetime.now(timezone.utc) + timedelta(minutes=1)
    assert attest(ctx, snap, carol, now=later).status == "done"
    snap = load(ctx)
    assert "REMOVAL_REFUSED" not in codes(snap, carol, later)
    assert "STANDALONE_ATTESTED" in codes(snap, carol, later)


def test_the_dialogs_live_check_sees_a_refusal_made_in_this_session(demo):
    ctx = demo_ctx()
    snap = load(ctx)
    carol = demo.accounts["sandbox-carol"]
    removal.remove(ctx, snap, carol, now=DEMO_NOW)
    check = removal.check_account(ctx, snap, carol, DEMO_NOW)  # the same old snapshot
    assert check.blocked
    assert "REMOVAL_REFUSED" in [f.code for f in check.assessment.findings]


# --- deregister ------------------------------------------------------------------------


def test_deregister_clears_every_service_and_the_blocker(demo):
    ctx = demo_ctx()
    snap = load(ctx)
    tooling = demo.accounts["security-tooling"]
    assert "DELEGATED_ADMIN" in codes(snap, tooling)
    result = deregister(ctx, snap, tooling, now=DEMO_NOW)
    assert sorted(result.done) == ["access-analyzer.amazonaws.com", "guardduty.amazonaws.com"]
    assert result.failed == []
    assert result.after is not None and result.after.delegated == ()
    assert "DELEGATED_ADMIN" not in [f.code for f in result.after.assessment.findings]
    log = files.read_audit()
    assert [r["event"] for r in log] == ["deregister-started", "deregister-ok"] * 2
    assert {r["target"] for r in log} == {
        "access-analyzer.amazonaws.com",
        "guardduty.amazonaws.com",
    }
    assert "DELEGATED_ADMIN" not in codes(load(ctx), tooling)


def test_deregister_in_audit_mode_sends_nothing(demo):
    ctx = demo_ctx(read_only=True)
    snap = load(ctx)
    result = deregister(ctx, snap, demo.accounts["fabrikam-data"], now=DEMO_NOW)
    assert [o.status for o in result.outcomes] == ["refused"]
    assert not result.outcomes[0].sent and "read-only" in result.outcomes[0].what
    assert "macie.amazonaws.com" in load(demo_ctx()).delegated_services_of(
        demo.accounts["fabrikam-data"]
    )


@pytest.fixture
def two_services(aws_credentials) -> Iterator[tuple[FaultServer, AwsContext, str]]:
    with FaultServer() as server:
        built = build_org(
            server.client("organizations"),
            (
                OuSpec(
                    "Security",
                    (
                        AccountSpec(
                            "tooling",
                            delegated=("guardduty.amazonaws.com", "access-analyzer.amazonaws.com"),
                            joined_method="INVITED",
                            joined_days_ago=400,
                        ),
                    ),
                ),
            ),
        )
        ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=("testing", "testing", None),
            )
        )
        yield server, ctx, built.accounts["tooling"]


def test_one_service_refused_leaves_the_other_done(two_services):
    server, ctx, tooling = two_services
    snap = load(ctx)
    server.fail(
        "DeregisterDelegatedAdministrator",
        "AccessDeniedException",
        times=1,
        message="not authorized for guardduty",
    )
    result = deregister(ctx, snap, tooling)
    statuses = {o.target: o.status for o in result.outcomes}
    assert sorted(statuses.values()) == ["done", "refused"]
    refused = result.failed[0]
    assert "still delegated administrator" in refused.what and "Grant" in refused.fix
    assert result.after is not None and result.after.delegated == (refused.target,)
    log = files.read_audit()
    assert sorted(r["event"] for r in log) == sorted(
        ["deregister-started", "deregister-error", "deregister-started", "deregister-ok"]
    )
    writes_sent = {
        op: n
        for op, n in server.counts.items()
        if not op.startswith(READ_PREFIXES) and not op.startswith("/")
    }
    assert writes_sent == {"DeregisterDelegatedAdministrator": 2}


def test_an_internal_error_is_checked_not_repeated(two_services):
    server, ctx, tooling = two_services
    snap = load(ctx)
    # The change happens, then the answer is an internal error.
    server.fail(
        "DeregisterDelegatedAdministrator", "ServiceException", status=500, kind="after", times=1
    )
    result = deregister(ctx, snap, tooling)
    assert [o.status for o in result.outcomes] == ["done", "done"]
    assert server.counts["DeregisterDelegatedAdministrator"] == 2
