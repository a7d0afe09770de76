"""The impact readers against moto (in-process and through --endpoint-url), their call
counts on two organization sizes, and every way a check is skipped instead of failing."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from orgtui.aws.impact import assignees, read_impact
from orgtui.aws.loader import Loader
from orgtui.aws.readers import IMPACT_ATTEMPTS
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.cli import main
from orgtui.files import config_path, write_private
from orgtui.model import Caller
from orgtui.rules import assess_all
from tests.conftest import DEMO_NOW
from tests.support.impact import OTHER_REGION, REGION, impact_org

CREDS = ("testing", "testing", None)
IMPACT_CODES = (
    "STACKSET_STACKS_DELETED",
    "CONTROL_TOWER_ENROLLED",
    "IDENTITY_CENTER_ACCESS_LOST",
    "RAM_SHARES_LOST",
    "LEAVE_DENIED_BY_SCP",
)
# What the checks cost on impact_org, whatever its size, with impact_regions = [eu-west-1]:
# StackSets: ListStackSets per region; DescribeStackSet and ListStackInstances for the two
# service-managed sets and Control Tower's (not for the self-managed `roles`). Control
# Tower: trusted access once, baselines once. Identity Center: instances, permission sets,
# then two calls per permission set (3). RAM: shares per region, associations where there
# are shares. SCPs: DescribePolicy per attached SCP (3), never FullAWSAccess.
IMPACT_CALLS = {
    "ListStackSets": 2,
    "DescribeStackSet": 3,
    "ListStackInstances": 3,
    "ListAWSServiceAccessForOrganization": 1,
    "ListEnabledBaselines": 1,
    "ListInstances": 1,
    "ListPermissionSets": 1,
    "DescribePermissionSet": 3,
    "ListAccountsForProvisionedPermissionSet": 3,
    "GetResourceShares": 2,
    "GetResourceShareAssociations": 1,
    "DescribePolicy": 3,
}


def make_ctx(endpoint: str | None = None, **options) -> AwsContext:
    options.setdefault("impact_regions", (OTHER_REGION,))
    return AwsContext(
        SessionOptions(endpoint_url=endpoint, credentials=CREDS, region=REGION, **options)
    )


def in_process_clients(service: str, region: str):
    return boto3.client(
        service, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def load(ctx: AwsContext):
    loader = Loader(ctx)
    snap = loader.load()
    before = Counter(ctx.stats.calls)
    snap = loader.read_impact(snap)
    return snap, Counter(ctx.stats.calls) - before


def codes_by_account(snap) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {code: set() for code in IMPACT_CODES}
    for acc_id, result in assess_all(snap, DEMO_NOW).items():
        for f in result.findings:
            if f.code in found:
                found[f.code].add(acc_id)
    return found


@pytest.fixture
def moto_in_process(aws_credentials):
    with mock_aws():
        yield


# --- in-process ----------------------------------------------------------------------------


def test_each_finding_lands_on_the_accounts_the_rules_select(moto_in_process):
    org = impact_org(in_process_clients, per_ou=3)
    snap, calls = load(make_ctx(read_only=True))
    checks = snap.impact.checks
    assert {n: c.status for n, c in checks.items()} == dict.fromkeys(
        ("stacksets", "control_tower", "identity_center", "ram", "scp_leave"), "checked"
    )
    assert checks["stacksets"].regions == checks["ram"].regions == (REGION, OTHER_REGION)
    # moto has no controltower: the baseline read is best effort, and the note says so
    note = checks["control_tower"].note
    assert (
        "not reachable at this endpoint" in note
        and "controltower:ListEnabledBaselines" in note
        and "baselines were not read" in note
    )
    assert codes_by_account(snap) == org.expected
    assert calls == IMPACT_CALLS
    findings = assess_all(snap, DEMO_NOW)
    messages = {f.code: f.message for f in findings[org.sandbox[0]].findings}
    assert "guardrails (eu-west-1, us-east-1)" in messages["STACKSET_STACKS_DELETED"]
    assert "kept" not in messages["STACKSET_STACKS_DELETED"]
    assert "AWSControlTowerBP-BASELINE-CONFIG (us-east-1)" in messages["CONTROL_TOWER_ENROLLED"]
    assert "permission set to the account: Admin." in messages["IDENTITY_CENTER_ACCESS_LOST"]
    assert "DenyLeave (attached to Sandbox" in messages["LEAVE_DENIED_BY_SCP"]
    assert findings[org.sandbox[0]].verdict == "review"
    loose = {f.code: f.message for f in findings[org.loose].findings}
    assert "conditional on aws:PrincipalArn" in loose["LEAVE_DENIED_BY_SCP"]
    assert "ReadOnly" in loose["IDENTITY_CENTER_ACCESS_LOST"]
    team = {f.code: f.message for f in findings[org.shared[-1]].findings}
    assert "subnets (us-east-1, through OU Shared)" in team["RAM_SHARES_LOST"]
    assert "resolver" not in team["RAM_SHARES_LOST"]  # retained on leave


def test_calls_do_not_grow_with_the_organization_in_process(aws_credentials):
    counted = []
    for per_ou in (2, 9):
        with mock_aws():  # a fresh moto each time
            impact_org(in_process_clients, per_ou=per_ou)
            snap, calls = load(make_ctx())
        assert len(snap.accounts) == 3 * per_ou + 2
        assert codes_by_account(snap)["RAM_SHARES_LOST"] and calls
        counted.append(calls)
    assert counted[0] == counted[1] == IMPACT_CALLS


def test_assignees_are_read_for_one_account_on_demand(moto_in_process):
    org = impact_org(in_process_clients, per_ou=3)
    ctx = make_ctx()
    snap, _ = load(ctx)
    before = Counter(ctx.stats.calls)
    found = assignees(ctx, snap, org.sandbox[0])
    assert (found.users, found.groups) == (1, 1)  # u-alice and g-admins
    assert Counter(ctx.stats.calls) - before == {"ListAccountAssignments": 1}
    assert (assignees(ctx, snap, org.loose).users, assignees(ctx, snap, org.loose).groups) == (1, 0)
    before = Counter(ctx.stats.calls)
    assert assignees(ctx, snap, org.shared[0]) == type(found)(users=0, groups=0)
    assert Counter(ctx.stats.calls) == before  # nothing provisioned there: no call
    skipped = replace(snap, impact=replace(snap.impact, checks={}))
    assert assignees(ctx, skipped, org.sandbox[0]) is None  # not checked: not known


def test_a_caller_that_is_not_the_management_account(moto_in_process):
    impact_org(in_process_clients, per_ou=2)
    ctx = make_ctx()
    snap = Loader(ctx).load()
    snap = read_impact(ctx, replace(snap, caller=Caller("999999999999", "arn:x")))
    checks = snap.impact.checks
    assert checks["stacksets"].status == checks["control_tower"].status == "skipped"
    assert "not the management account" in checks["stacksets"].reason
    assert all(checks[n].checked for n in ("identity_center", "ram", "scp_leave"))
    assert "StackSet" not in str(ctx.stats.calls)


def test_member_mode_skips_every_check_without_a_call(isolated_env):
    from orgtui import demo as demo_mod

    running = demo_mod.start(now=DEMO_NOW, member="sandbox-bob")
    try:
        ctx = AwsContext(
            SessionOptions(region=demo_mod.DEMO_REGION, credentials=demo_mod.DEMO_CREDENTIALS)
        )
        snap, calls = load(ctx)
    finally:
        running.stop()
    assert snap.member_mode and not calls
    assert {c.status for c in snap.impact.checks.values()} == {"skipped"}
    assert {c.reason for c in snap.impact.checks.values()} == {"the caller is a member account"}


# --- Stubber: shapes moto does not produce ---------------------------------------------------


def stubbed(ctx: AwsContext, service: str, region: str = REGION) -> Stubber:
    stubber = Stubber(ctx.client(service, region, attempts=IMPACT_ATTEMPTS))
    stubber.activate()
    return stubber


def test_a_region_that_fails_is_a_note_the_others_are_checked(moto_in_process):
    org = impact_org(in_process_clients, per_ou=2)
    ctx = make_ctx()
    stub = stubbed(ctx, "cloudformation", OTHER_REGION)
    stub.add_client_error("list_stack_sets", "AccessDenied", http_status_code=403)
    snap, _ = load(ctx)
    check = snap.impact.checks["stacksets"]
    assert check.status == "checked" and check.regions == (REGION,)
    assert check.note == "not read in eu-west-1: access denied: cloudformation:ListStackSets"
    assert codes_by_account(snap)["STACKSET_STACKS_DELETED"] == set(org.sandbox)


def test_no_identity_center_instance_is_a_skip_in_words(moto_in_process):
    impact_org(in_process_clients, per_ou=2)
    ctx = make_ctx(identity_center_region="eu-central-1")
    stub = stubbed(ctx, "sso-admin", "eu-central-1")
    stub.add_response("list_instances", {"Instances": []})
    snap, calls = load(ctx)
    check = snap.impact.checks["identity_center"]
    assert check.status == "skipped"
    assert check.reason.startswith("no IAM Identity Center instance in eu-central-1")
    assert "identity_center_region" in check.reason
    assert calls["ListPermissionSets"] == 0


def test_readers_follow_both_token_spellings_and_drop_duplicates(aws_credentials):
    ctx = make_ctx(impact_regions=(), concurrency=1)  # stubbed answers come in order
    ram = stubbed(ctx, "ram")
    share_arn = "arn:aws:ram:us-east-1:123456789012:resource-share/abc"
    ram.add_response("get_resource_shares", {"resourceShares": [], "nextToken": "t1"})
    ram.add_response(
        "get_resource_shares",
        {
            "resourceShares": [
                {
                    "resourceShareArn": share_arn,
                    "name": "s",
                    "status": "ACTIVE",
                    "resourceShareConfiguration": {"retainSharingOnAccountLeaveOrganization": True},
                },
                {"resourceShareArn": share_arn + "-gone", "name": "gone", "status": "DELETED"},
            ]
        },
        {
            "resourceOwner": "SELF",
            "resourceShareStatus": "ACTIVE",
            "maxResults": 500,
            "nextToken": "t1",
        },
    )
    ram.add_response(
        "get_resource_share_associations",
        {
            "resourceShareAssociations": [
                {
                    "resourceShareArn": share_arn,
                    "associatedEntity": "111122223333",
                    "status": "ASSOCIATED",
                },
                {
                    "resourceShareArn": share_arn,
                    "associatedEntity": "111122223333",
                    "status": "ASSOCIATED",
                },
            ]
        },
    )
    from orgtui.aws.readers.ram import read_shares

    [found] = read_shares(ctx, REGION)
    ram.assert_no_pending_responses()
    assert (found.name, found.principals, found.retain_on_leave) == ("s", ("111122223333",), True)

    cf = stubbed(ctx, "cloudformation")
    summary = {
        "StackSetName": "sm",
        "StackSetId": "sm:1",
        "Status": "ACTIVE",
        "PermissionModel": "SERVICE_MANAGED",
    }
    cf.add_response(
        "list_stack_sets",
        {
            "Summaries": [
                summary,
                {
                    **summary,
                    "StackSetName": "self",
                    "StackSetId": "self:1",
                    "PermissionModel": "SELF_MANAGED",
                },
                {**summary, "StackSetName": "old", "StackSetId": "old:1", "Status": "DELETED"},
                {**summary, "StackSetName": "vanished", "StackSetId": "vanished:1"},
            ]
        },
    )
    cf.add_response(
        "describe_stack_set",
        {
            "StackSet": {
                "StackSetName": "sm",
                "StackSetId": "sm:1",
                "PermissionModel": "SERVICE_MANAGED",
                "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
                "OrganizationalUnitIds": ["ou-ab12-cdef3456"],
            }
        },
    )
    instance = {"StackSetId": "sm:1", "Account": "111122223333", "Region": "us-east-1"}
    cf.add_response("list_stack_instances", {"Summaries": [instance], "NextToken": "n1"})
    cf.add_response(
        "list_stack_instances",
        {"Summaries": [instance]},
        {"StackSetName": "sm:1", "MaxResults": 100, "NextToken": "n1"},
    )
    cf.add_client_error("describe_stack_set", "StackSetNotFoundException")
    from orgtui.aws.readers.cloudformation import read_stack_sets

    result = read_stack_sets(ctx, REGION)
    cf.assert_no_pending_responses()
    assert list(result.sets) == ["sm:1"]
    assert result.sets["sm:1"].deletes_stacks_on_leave
    assert result.sets["sm:1"].ou_ids == ("ou-ab12-cdef3456",)
    assert result.instances == {"111122223333": [("sm:1", "us-east-1")]}


# --- through --endpoint-url: the CLI against a moto server -------------------------------------


def run(capsys, url: str, *extra: str) -> tuple[int, dict, str]:
    code = main(["audit", "--report", "json", "--endpoint-url", url, "--no-cache", *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else {}), err


@pytest.fixture
def two_regions():
    write_private(config_path(), 'impact_regions = ["eu-west-1"]\n')


def impact_calls(counts: Counter) -> dict[str, int]:
    return {op: n for op, n in counts.items() if op in IMPACT_CALLS}


def test_calls_do_not_grow_with_the_organization_through_the_endpoint(server, capsys, two_regions):
    measured = []
    for per_ou in (2, 12):
        server.reset()
        org = impact_org(server.client, per_ou=per_ou)
        code, doc, err = run(capsys, server.url)
        assert code == 0, err
        assert doc["summary"]["accounts"] == 3 * per_ou + 2
        assert doc["checks"]["stacksets"] == {
            "status": "checked",
            "regions": ["us-east-1", "eu-west-1"],
        }
        got = {
            code: {
                a["id"] for a in doc["accounts"] if any(f["code"] == code for f in a["findings"])
            }
            for code in IMPACT_CODES
        }
        assert got == org.expected
        measured.append(impact_calls(server.counts))
    assert measured[0] == measured[1] == IMPACT_CALLS


DENIALS = [
    # (operation, error code, the check it skips, the reason)
    ("ListStackSets", "AccessDenied", "stacksets", "access denied: cloudformation:ListStackSets"),
    (
        "ListInstances",
        "AccessDeniedException",
        "identity_center",
        "access denied: sso:ListInstances",
    ),
    ("GetResourceShares", "AccessDeniedException", "ram", "access denied: ram:GetResourceShares"),
    (
        "DescribePolicy",
        "AccessDeniedException",
        "scp_leave",
        "access denied: organizations:DescribePolicy",
    ),
    (
        "ListAWSServiceAccessForOrganization",
        "AccessDeniedException",
        "control_tower",
        "access denied: organizations:ListAWSServiceAccessForOrganization",
    ),
]


@pytest.mark.parametrize(("operation", "code", "check", "reason"), DENIALS)
def test_access_denied_skips_that_check_only(server, capsys, operation, code, check, reason):
    org = impact_org(server.client, per_ou=2)
    server.fail(operation, code, status=403, message="not authorized")
    exit_code, doc, err = run(capsys, server.url)
    assert exit_code == 0, err
    assert "Traceback" not in err
    assert doc["checks"][check] == {"status": "skipped", "reason": reason}
    # Control Tower's evidence is the StackSets: with them unreadable it is skipped too.
    also = {"control_tower"} if check == "stacksets" else set()
    for name, entry in doc["checks"].items():
        if name in also:
            assert entry == {"status": "skipped", "reason": reason}
        elif name != check:
            assert entry["status"] == "checked", (name, entry)
    got = {
        c: {a["id"] for a in doc["accounts"] if any(f["code"] == c for f in a["findings"])}
        for c in IMPACT_CODES
    }
    lost = {
        "stacksets": ["STACKSET_STACKS_DELETED", "CONTROL_TOWER_ENROLLED"],
        "identity_center": ["IDENTITY_CENTER_ACCESS_LOST"],
        "ram": ["RAM_SHARES_LOST"],
        "scp_leave": ["LEAVE_DENIED_BY_SCP"],
        "control_tower": ["CONTROL_TOWER_ENROLLED"],
    }[check]
    assert got == {c: set() if c in lost else ids for c, ids in org.expected.items()}


def test_baselines_denied_is_a_note_and_control_tower_stays_checked(server, capsys):
    org = impact_org(server.client, per_ou=2)
    server.fail("ListEnabledBaselines", "AccessDeniedException", status=403)
    code, doc, err = run(capsys, server.url)
    assert code == 0, err
    entry = doc["checks"]["control_tower"]
    assert entry["status"] == "checked"
    assert "access denied: controltower:ListEnabledBaselines" in entry["note"]
    sandbox = [a for a in doc["accounts"] if a["id"] in org.sandbox]
    assert all("CONTROL_TOWER_ENROLLED" in [f["code"] for f in a["findings"]] for a in sandbox)


def test_skipped_checks_never_fail_the_report_or_fail_on(server, capsys):
    org = impact_org(server.client, per_ou=2)
    for operation in (
        "ListStackSets",
        "ListInstances",
        "GetResourceShares",
        "DescribePolicy",
        "ListAWSServiceAccessForOrganization",
    ):
        server.fail(operation, "AccessDeniedException", status=403)
    code, doc, err = run(capsys, server.url, "--account", org.loose, "--fail-on", "review")
    assert code == 0, err
    assert {c["status"] for c in doc["checks"].values()} == {"skipped"}
    assert doc["accounts"][0]["verdict"] == "ready"
    # markdown and csv say what was not checked
    assert (
        main(
            ["audit", "--report", "markdown", "--endpoint-url", server.url, "--account", org.loose]
        )
        == 0
    )
    md = capsys.readouterr().out
    assert "**Not checked:** stacksets (access denied: cloudformation:ListStackSets);" in md


def test_throttled_after_every_retry_skips_the_check(server, capsys, monkeypatch):
    from orgtui.aws import session

    monkeypatch.setattr(session, "READ_THROTTLE_BACKOFF", (0.01,))
    monkeypatch.setattr(
        session, "SessionOptions", lambda **kw: SessionOptions(**{**kw, "max_attempts": 2})
    )
    impact_org(server.client, per_ou=2)
    server.fail("ListPermissionSets", "ThrottlingException")
    code, doc, err = run(capsys, server.url)
    assert code == 0, err
    entry = doc["checks"]["identity_center"]
    assert entry["status"] == "skipped"
    assert entry["reason"] == "AWS kept throttling ListPermissionSets after every retry."
    assert doc["checks"]["ram"]["status"] == "checked"


def test_a_session_ended_during_the_read_stops_it_instead_of_skipping(moto_in_process):
    from orgtui.errors import Cancelled

    impact_org(in_process_clients, per_ou=2)
    ctx = make_ctx()
    snap = Loader(ctx).load()
    ctx.cancel()
    with pytest.raises(Cancelled):
        read_impact(ctx, snap)


def test_a_failing_impact_service_gives_up_after_a_few_attempts(server, capsys):
    """Each StackSets call answers 500: the check is skipped after botocore's standard
    attempts (not the session's dozen, sized for the organization's throttling), and the
    load goes on."""
    impact_org(server.client, per_ou=2)
    server.fail("ListStackSets", "InternalFailure", status=500)
    code, doc, err = run(capsys, server.url)
    assert code == 0, err
    assert doc["checks"]["stacksets"]["status"] == "skipped"
    assert server.counts["ListStackSets"] == 3  # one region, three attempts
    assert doc["checks"]["identity_center"]["status"] == "checked"


def test_an_answer_without_its_field_skips_the_check_in_words(server, capsys):
    impact_org(server.client, per_ou=2)
    server.fail("DescribePermissionSet", "", kind="lie", body=b"{}")
    code, doc, err = run(capsys, server.url)
    assert code == 0, err
    entry = doc["checks"]["identity_center"]
    assert entry["status"] == "skipped"
    assert "DescribePermissionSet has no PermissionSet field" in entry["reason"], entry
    assert "KeyError" not in json.dumps(doc)
