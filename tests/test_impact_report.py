"""The impact preview end to end on the demo, the `checks` block in every report format, and
the two settings that say where the checks look."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from dataclasses import replace

import pytest

from orgtui import files, report
from orgtui.arguments import parse
from orgtui.cli import main, make_context
from orgtui.demo.impact import USERS_AND_GROUPS
from orgtui.demo.sample import ORGANIZATION, ROOT_ACCOUNTS, DemoOU
from orgtui.impact_model import Check, Impact
from orgtui.model import frozen_map
from tests.conftest import DEMO_NOW
from tests.support.orgs import make_account, make_snapshot

IMPACT_CODES = (
    "STACKSET_STACKS_DELETED",
    "CONTROL_TOWER_ENROLLED",
    "IDENTITY_CENTER_ACCESS_LOST",
    "RAM_SHARES_LOST",
    "LEAVE_DENIED_BY_SCP",
)


def names_under(
    ous: tuple[DemoOU, ...], wanted: str | None = None, inside: bool = False
) -> set[str]:
    """Names of the sample's accounts in OU `wanted` (at any depth), or all of them."""
    found: set[str] = set()
    for ou in ous:
        here = inside or wanted is None or ou.name == wanted
        if here:
            found |= {a.name for a in ou.accounts}
        found |= names_under(ou.children, wanted, here)
    return found


@pytest.fixture(scope="module")
def demo_doc() -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["audit", "--demo", "--report", "json"]) == 0
    return json.loads(out.getvalue())


def with_code(doc: dict, code: str) -> set[str]:
    return {a["name"] for a in doc["accounts"] if code in [f["code"] for f in a["findings"]]}


def test_demo_puts_each_impact_code_on_the_accounts_the_rules_select(demo_doc):
    members = names_under(ORGANIZATION) | {a.name for a in ROOT_ACCOUNTS}
    sandbox = names_under(ORGANIZATION, "Sandbox")
    assert with_code(demo_doc, "STACKSET_STACKS_DELETED") == sandbox
    assert with_code(demo_doc, "CONTROL_TOWER_ENROLLED") == sandbox
    assert with_code(demo_doc, "IDENTITY_CENTER_ACCESS_LOST") == {
        name for grants in USERS_AND_GROUPS.values() for _, names in grants for name in names
    }
    assert with_code(demo_doc, "RAM_SHARES_LOST") == names_under(ORGANIZATION, "Workloads") | {
        "contoso-main",
        "sandbox-bob",
    }
    # DenyLeaveOrganization is attached to every top OU but Acquisitions; BreakGlassOnly
    # (conditional) to legacy-monolith: the acquired companies and billing-reports may leave.
    free = names_under(ORGANIZATION, "Acquisitions") | {"billing-reports"}
    assert with_code(demo_doc, "LEAVE_DENIED_BY_SCP") == members - free
    by_name = {a["name"]: a for a in demo_doc["accounts"]}
    assert [f["code"] for f in by_name["management"]["findings"]] == ["MANAGEMENT_ACCOUNT"]


def test_demo_impact_findings_name_what_is_lost(demo_doc):
    by_name = {a["name"]: {f["code"]: f for f in a["findings"]} for a in demo_doc["accounts"]}
    stacks = by_name["sandbox-bob"]["STACKSET_STACKS_DELETED"]
    assert stacks["severity"] == "warning"
    assert "sandbox-guardrails (eu-west-1, us-east-1)" in stacks["message"]
    # retained and self-managed sets add nothing
    assert "divesting-readonly-role" not in json.dumps(demo_doc)
    assert "legacy-iam-roles" not in json.dumps(demo_doc)
    tower = by_name["sandbox-bob"]["CONTROL_TOWER_ENROLLED"]
    assert "AWSControlTowerBP-BASELINE-CONFIG" in tower["message"]
    sso = by_name["web-prod"]["IDENTITY_CENTER_ACCESS_LOST"]
    assert "AdministratorAccess, ReadOnlyAccess" in sso["message"]
    ram = by_name["web-prod"]["RAM_SHARES_LOST"]["message"]
    assert "network-shared-subnets (us-east-1, through OU Workloads)" in ram
    assert "dns-resolver-rules" not in json.dumps(demo_doc)  # retained on leave
    scp = by_name["sandbox-bob"]["LEAVE_DENIED_BY_SCP"]["message"]
    assert "DenyLeaveOrganization (attached to Sandbox" in scp and "conditional" not in scp
    scp = by_name["legacy-monolith"]["LEAVE_DENIED_BY_SCP"]["message"]
    assert "DenyLeaveOrganization" not in scp
    assert (
        "BreakGlassOnly (attached to legacy-monolith" in scp
        and "conditional on aws:PrincipalArn" in scp
    )
    # RegionGuardrail's NotAction spares organizations:*; the others don't touch leaving
    assert all(name not in scp for name in ("RegionGuardrail", "DenyPublicS3"))


def test_demo_verdicts_are_those_of_the_readiness_rules(demo_doc):
    # The impact warnings land on Sandbox accounts, all already to review or blocked.
    # backup-vault (CREATED) carries the attestation tag: ready, not review.
    assert demo_doc["summary"] == {"accounts": 40, "blocked": 9, "review": 13, "ready": 18}
    by_name = {a["name"]: a for a in demo_doc["accounts"]}
    vault = by_name["backup-vault"]
    assert vault["verdict"] == "ready" and vault["joined_method"] == "CREATED"
    attested = [f for f in vault["findings"] if f["code"] == "STANDALONE_ATTESTED"]
    assert attested and "2026-10-01 alice" in attested[0]["message"]


def test_one_demo_account_shows_every_impact_finding(demo_doc):
    by_name = {a["name"]: a for a in demo_doc["accounts"]}
    codes = [f["code"] for f in by_name["sandbox-bob"]["findings"]]
    assert [c for c in codes if c in IMPACT_CODES] == list(IMPACT_CODES)


def test_demo_checks_block(demo_doc):
    checks = demo_doc["checks"]
    assert checks["stacksets"] == {"status": "checked", "regions": ["us-east-1"]}
    assert checks["ram"] == {"status": "checked", "regions": ["us-east-1"]}
    assert checks["identity_center"] == checks["scp_leave"] == {"status": "checked"}
    # moto has no controltower: checked from trusted access and the StackSets, with a note
    assert checks["control_tower"]["status"] == "checked"
    assert "controltower:ListEnabledBaselines" in checks["control_tower"]["note"]


# --- the report formats, on a snapshot with a skipped check ------------------------------


def skipped_doc() -> dict:
    acc = make_account("222222222222", name="app")
    impact = Impact(
        checks=frozen_map(
            {
                "stacksets": Check("checked", regions=("us-east-1", "eu-west-1")),
                "control_tower": Check("checked"),
                "identity_center": Check("skipped", reason="access denied: sso:ListInstances"),
                "ram": Check("checked", regions=("us-east-1",), note="not read in eu-west-1: x"),
                "scp_leave": Check("checked"),
            }
        )
    )
    return report.build(replace(make_snapshot(acc), impact=impact), DEMO_NOW)


def test_json_checks_block_sits_between_summary_and_accounts():
    doc = skipped_doc()
    assert list(doc)[4:] == ["summary", "checks", "accounts"]
    assert doc["checks"] == {
        "stacksets": {"status": "checked", "regions": ["us-east-1", "eu-west-1"]},
        "control_tower": {"status": "checked"},
        "identity_center": {"status": "skipped", "reason": "access denied: sso:ListInstances"},
        "ram": {"status": "checked", "regions": ["us-east-1"], "note": "not read in eu-west-1: x"},
        "scp_leave": {"status": "checked"},
    }


def test_markdown_says_what_was_not_checked_under_the_summary():
    lines = report.render(skipped_doc(), "markdown").splitlines()
    summary = next(i for i, line in enumerate(lines) if line.startswith("**2 accounts"))
    assert lines[summary + 2] == (
        "**Not checked:** identity_center (access denied: "
        "sso:ListInstances). Findings of these kinds may be missing."
    )


def test_csv_keeps_one_row_per_account_and_names_unchecked_checks():
    rows = list(csv.DictReader(io.StringIO(report.render(skipped_doc(), "csv"))))
    assert len(rows) == 2
    assert {r["unchecked"] for r in rows} == {"identity_center"}
    assert list(rows[0])[-2:] == ["unchecked", "checks"]
    assert {r["checks"] for r in rows} == {
        "Not checked: identity_center (access denied: sso:ListInstances). "
        "Checked in part: ram (not read in eu-west-1: x)."
    }


def test_table_says_what_was_not_checked():
    text = report.render(skipped_doc(), "table")
    assert "Not checked: identity_center (access denied: sso:ListInstances)." in text
    assert "Checked in part: ram (not read in eu-west-1: x)." in text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_every_format_says_what_json_says_about_the_checks_notes_included(demo_doc):
    """The demo's Control Tower check is made without the baselines (moto has no
    controltower): JSON says so in `control_tower.note`, and Markdown said "Impact checks:
    all made". Every format now carries each note and each reason JSON holds."""
    for doc in (demo_doc, skipped_doc()):
        words = [
            f"{name} ({check.get('note') or check.get('reason')})"
            for name, check in doc["checks"].items()
            if check.get("note") or check.get("reason")
        ]
        assert words
        table = _one_line(report.render(doc, "table", width=400))
        markdown = report.render(doc, "markdown")
        (checks,) = {r["checks"] for r in csv.DictReader(io.StringIO(report.render(doc, "csv")))}
        for said in words:
            assert said in table and said in markdown and said in checks, said
        for text in (table, markdown, checks):
            assert "all made" not in text
    note = demo_doc["checks"]["control_tower"]["note"]
    assert "**Checked in part:** control_tower (" in report.render(demo_doc, "markdown")
    assert f"Checked in part: control_tower ({note})." in report.render(
        demo_doc, "table", width=400
    )


def test_all_checked_reports_say_so():
    impact = Impact(
        checks=frozen_map(
            {
                name: Check("checked", regions=("us-east-1",))
                for name in ("stacksets", "control_tower", "identity_center", "ram", "scp_leave")
            }
        )
    )
    doc = report.build(
        replace(make_snapshot(make_account("222222222222")), impact=impact), DEMO_NOW
    )
    all_made = "Impact checks: all made (StackSets, Control Tower, Identity Center, RAM, SCPs)."
    md = report.render(doc, "markdown")
    assert all_made in md and "Not checked" not in md and "in part" not in md
    assert all_made in report.render(doc, "table")
    rows = list(csv.DictReader(io.StringIO(report.render(doc, "csv"))))
    assert {(r["unchecked"], r["checks"]) for r in rows} == {("", all_made)}


def test_a_snapshot_never_read_for_impact_reports_every_check_as_not_read():
    doc = report.build(make_snapshot(make_account("222222222222")), DEMO_NOW)
    assert {c["status"] for c in doc["checks"].values()} == {"skipped"}
    assert {c["reason"] for c in doc["checks"].values()} == {"not read in this load"}
    # checks skipped for one reason are named together
    assert (
        "**Not checked:** stacksets, control_tower, identity_center, ram, scp_leave (not "
        "read in this load)."
    ) in report.render(doc, "markdown")


# --- settings: where the checks look ---------------------------------------------------------


def write(text: str) -> None:
    files.write_private(files.config_path(), text)


def test_region_settings_reach_the_session():
    write(
        'impact_regions = ["eu-west-1", "ap-southeast-2", "eu-west-1"]\n'
        'identity_center_region = "eu-central-1"\n'
    )
    cfg = parse(["audit"])
    assert cfg.impact_regions == ("eu-west-1", "ap-southeast-2")  # duplicates dropped
    assert cfg.identity_center_region == "eu-central-1"
    ctx, _ = make_context(cfg)
    assert ctx.options.impact_regions == ("eu-west-1", "ap-southeast-2")
    assert ctx.options.identity_center_region == "eu-central-1"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('impact_regions = "eu-west-1"\n', "'impact_regions' must be a list"),
        ('impact_regions = ["eu-west-1", "Europe"]\n', "not regions: 'Europe'"),
        ("impact_regions = [1]\n", "not regions: 1"),
        ('identity_center_region = "moon-1"\n', "'identity_center_region' = 'moon-1' is not"),
        ("identity_center_region = 3\n", "'identity_center_region' must be a str"),
    ],
)
def test_bad_region_settings_are_reported_and_the_default_used(text, words):
    write(text)
    settings, problems = files.load_settings()
    assert len(problems) == 1 and words in problems[0], problems
    assert "the default is used" in problems[0]
    assert settings.impact_regions == () and settings.identity_center_region is None


def test_save_setting_writes_a_region_list():
    files.save_setting("impact_regions", ["eu-west-1", "us-west-2"])
    settings, problems = files.load_settings()
    assert problems == [] and settings.impact_regions == ("eu-west-1", "us-west-2")
