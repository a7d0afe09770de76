"""The recovery check end to end on the demo (moto's alternate contacts and the demo's
contact information and primary email): `--recovery` in every format, its calls (five per
member account, four for the management account, one trusted-access read), the finding
for every destination but close, each skip reason in words, and nothing changed without
it."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
from botocore.stub import Stubber

from orgtui import loading, report
from orgtui.aws.readers import IMPACT_ATTEMPTS
from orgtui.aws.recovery import MEMBER, TRUSTED_OFF, read_recovery_check
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.cli import main
from orgtui.rules import assess

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def demo_ctx() -> AwsContext:
    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION

    return AwsContext(SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["--demo", "audit", "--report", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_report_carries_recovery_per_account_and_the_check(capsys):
    code, out, err = run(capsys, "json", "--recovery")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["checks"]["recovery"] == {"status": "checked"}
    by_name = {a["name"]: a for a in doc["accounts"]}
    full = by_name["log-archive"]["recovery"]
    assert full["missing"] == [] and full["phone"] and full["root_email"].endswith("@example.com")
    assert set(full["alternate_contacts"]) == {"BILLING", "OPERATIONS", "SECURITY"}
    gaps = by_name["payments-dev"]
    assert gaps["recovery"]["missing"] == ["phone number", "operations contact"]
    assert gaps["recovery"]["created_by_organization"] is True
    finding = next(f for f in gaps["findings"] if f["code"] == "RECOVERY_CONTACTS_MISSING")
    assert finding["severity"] == "warning"
    assert "phone number, operations contact" in finding["message"]
    assert "root password was never set" in finding["message"]


def test_without_recovery_nothing_changes_and_nothing_is_read(capsys):
    code, out, err = run(capsys, "json")
    doc = json.loads(out)
    assert "recovery" not in doc["checks"]
    assert all("recovery" not in a for a in doc["accounts"])
    assert not any(
        f["code"] == "RECOVERY_CONTACTS_MISSING" for a in doc["accounts"] for f in a["findings"]
    )
    code, out, _ = run(capsys, "csv")
    assert "recovery" not in out.splitlines()[0].split(",")


def test_csv_and_markdown_say_it_short(capsys):
    _, out, _ = run(capsys, "csv", "--recovery")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["payments-dev"]["recovery"] == "missing: phone number, operations contact"
    assert rows["log-archive"]["recovery"] == "contacts set"
    _, out, _ = run(capsys, "markdown", "--recovery")
    assert "| Recovery |" in out and "missing: phone number, operations contact" in out
    _, out, _ = run(capsys, "table", "--recovery")
    assert "missing: phone number, operations contact" in out


def test_five_calls_per_member_account_and_one_trusted_access_read(demo):
    ctx = demo_ctx()
    snap, _ = loading.load(ctx, loading.LoadOptions())
    before = dict(ctx.stats.calls)
    ids = list(snap.accounts)
    snap = read_recovery_check(ctx, snap, ids)
    made = {k: v - before.get(k, 0) for k, v in ctx.stats.calls.items() if v != before.get(k, 0)}
    members = len(ids) - 1
    assert made == {
        "ListAWSServiceAccessForOrganization": 1,
        "GetPrimaryEmail": members,  # the management account's is DescribeAccount's
        "GetContactInformation": len(ids),
        "GetAlternateContact": 3 * len(ids),
    }
    assert snap.recovery_check is not None and snap.recovery_check.checked


def test_close_has_no_recovery_finding(demo):
    ctx = demo_ctx()
    snap, _ = loading.load(ctx, loading.LoadOptions())
    target = demo.accounts["payments-dev"]
    snap = read_recovery_check(ctx, snap, [target])
    codes = {
        d: [f.code for f in assess(snap.accounts[target], snap, NOW, d).findings]
        for d in ("standalone", "transfer", "close")
    }
    assert "RECOVERY_CONTACTS_MISSING" in codes["standalone"]
    assert "RECOVERY_CONTACTS_MISSING" in codes["transfer"]
    assert "RECOVERY_CONTACTS_MISSING" not in codes["close"]


def test_trusted_access_off_is_a_skip_in_words(demo, capsys):
    demo_ctx().org.disable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    ctx = demo_ctx()
    snap, _ = loading.load(ctx, loading.LoadOptions())
    snap = read_recovery_check(ctx, snap, list(snap.accounts))
    assert snap.recovery_check is not None and snap.recovery_check.reason == TRUSTED_OFF
    assert "enable-aws-service-access" in TRUSTED_OFF and not snap.recovery
    doc = report.build(snap, NOW)
    assert doc["checks"]["recovery"] == {"status": "skipped", "reason": TRUSTED_OFF}
    assert all(a["recovery"] is None for a in doc["accounts"])


def test_a_member_caller_is_a_skip_in_words(isolated_env):
    from orgtui import demo as demo_mod

    running = demo_mod.start(now=NOW, member="sandbox-bob")
    try:
        ctx = demo_ctx()
        snap, _ = loading.load(ctx, loading.LoadOptions())
        before = ctx.stats.total_calls
        snap = read_recovery_check(ctx, snap, list(snap.accounts))
    finally:
        running.stop()
    assert snap.recovery_check is not None and snap.recovery_check.reason == MEMBER
    assert ctx.stats.total_calls == before


def test_access_denied_is_a_skip_naming_the_action(demo):
    ctx = demo_ctx()
    snap, _ = loading.load(ctx, loading.LoadOptions())
    stub = Stubber(ctx.client("account", attempts=IMPACT_ATTEMPTS))
    stub.add_client_error("get_primary_email", "AccessDeniedException", http_status_code=403)
    stub.activate()
    member = next(a for a in snap.accounts if a != snap.organization.management_account_id)
    snap = read_recovery_check(ctx, snap, [member])
    assert snap.recovery_check is not None
    assert snap.recovery_check.reason.startswith("access denied: account:GetPrimaryEmail")


@pytest.mark.parametrize("argv", [["audit", "--recovery"], ["--recovery"]])
def test_recovery_needs_a_report(capsys, argv):
    code = main(argv)
    assert code == 2
    assert "--recovery" in capsys.readouterr().err
