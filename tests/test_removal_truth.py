"""A removal believes AWS, not the view: the live re-check re-reads the organization and the
caller (a tampered cache never decides), and a success answer is believed only when AWS
then shows the account gone (an endpoint that lies is caught)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

import pytest

from orgtui import files, loading
from orgtui.aws import removal, writes
from orgtui.aws.session import READ_PREFIXES, AwsContext, SessionOptions
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, OuSpec, build_org

INVITED = {"joined_method": "INVITED", "joined_days_ago": 400}


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setattr(writes, "THROTTLE_BACKOFF", (0.01,) * 7)
    monkeypatch.setattr(removal, "CONFIRM_BACKOFF", (0.01, 0.01))


@pytest.fixture
def org(aws_credentials) -> Iterator[tuple[FaultServer, AwsContext, dict[str, str]]]:
    with FaultServer() as server:
        built = build_org(
            server.client("organizations"),
            (
                OuSpec(
                    "Divesting",
                    (AccountSpec("ready-1", **INVITED), AccountSpec("ready-2", **INVITED)),
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
        yield server, ctx, {**built.accounts, "management": built.management_account_id}


def sent_writes(server: FaultServer) -> dict[str, int]:
    return {
        op: n
        for op, n in server.counts.items()
        if not op.startswith(READ_PREFIXES) and not op.startswith("/")
    }


def still_member(server: FaultServer, account_id: str) -> bool:
    seed = server.client("organizations")
    return any(
        a["Id"] == account_id
        for page in seed.get_paginator("list_accounts").paginate()
        for a in page["Accounts"]
    )


def test_a_success_answer_for_a_removal_that_did_not_happen_is_not_believed(org):
    server, ctx, ids = org
    snap, _ = loading.load(ctx, loading.LoadOptions())
    server.fail("RemoveAccountFromOrganization", "", kind="lie")
    outcome = removal.remove(ctx, snap, ids["ready-1"])
    assert outcome.status == "unknown" and not outcome.left_view
    assert "still shows it in the organization" in outcome.what
    assert still_member(server, ids["ready-1"])
    log = files.read_audit()
    assert [r["event"] for r in log] == ["remove-started", "remove-unknown"]
    assert log[-1]["code"] == "UnconfirmedSuccess"
    # Asked DescribeAccount once per attempt of the confirmation, then gave its words.
    assert server.counts["DescribeAccount"] == 1 + 3  # the live check, then three asks


def test_a_real_removal_is_confirmed_by_aws(org):
    server, ctx, ids = org
    snap, _ = loading.load(ctx, loading.LoadOptions())
    outcome = removal.remove(ctx, snap, ids["ready-2"])
    assert outcome.status == "removed" and outcome.left_view
    assert not still_member(server, ids["ready-2"])
    assert [r["event"] for r in files.read_audit()] == ["remove-started", "remove-ok"]


def test_a_tampered_view_of_the_management_account_never_removes_it(org):
    """A cache edited to name another account as management: the live check re-reads
    DescribeOrganization, and the real management account is refused before any call."""
    server, ctx, ids = org
    snap, _ = loading.load(ctx, loading.LoadOptions())
    tampered = replace(
        snap, organization=replace(snap.organization, management_account_id=ids["ready-1"])
    )
    check = removal.check_account(ctx, tampered, ids["management"])
    assert check.blocked and check.verdict == "blocked"
    assert [f.code for f in check.assessment.findings] == ["MANAGEMENT_ACCOUNT"]
    server.counts.clear()
    outcome = removal.remove(ctx, tampered, ids["management"])
    assert outcome.status == "refused" and "MANAGEMENT_ACCOUNT" in outcome.code
    assert sent_writes(server) == {}
    assert server.counts["DescribeOrganization"] == 1


def test_credentials_that_now_reach_another_organization_refuse_the_write(org):
    server, ctx, ids = org
    snap, _ = loading.load(ctx, loading.LoadOptions())
    other = replace(snap, organization=replace(snap.organization, id="o-zzzzzzzzzz"))
    outcome = removal.remove(ctx, other, ids["ready-1"])
    assert outcome.status == "refused" and "now reach organization" in outcome.what
    assert sent_writes(server) == {}
    assert still_member(server, ids["ready-1"])


def test_a_demo_removal_writes_only_under_the_demo_folder(demo, isolated_env):
    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION

    files.use_demo_folders(True)
    ctx = AwsContext(SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS))
    snap, _ = loading.load(ctx, loading.LoadOptions())
    outcome = removal.remove(ctx, snap, demo.accounts["fabrikam-dev"])
    assert outcome.status == "removed"
    written = [os.path.join(d, f) for d, _, names in os.walk(isolated_env / "xdg") for f in names]
    assert written, "the removal wrote its records"
    demo_root = str(files.cache_dir().parent)
    assert demo_root.endswith(os.path.join("orgtui", "demo"))
    assert all(path.startswith(demo_root) for path in written), written
