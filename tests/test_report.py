"""The report document and its four renderings, on snapshots built by hand."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from orgtui.model import FULL_AWS_ACCESS_ID, Account, Policy
from orgtui.report import CSV_COLUMNS, FORMATS, build, render
from tests.support.orgs import MGMT_ID, PROD_ID, ROOT_ID, make_account, make_snapshot

NOW = datetime(2026, 11, 28, 18, 0, tzinfo=timezone(timedelta(hours=1)))
WEB = "222222222222"
ODD = "333333333333"


@pytest.fixture
def snap():
    web = make_account(WEB, name="web-prod", joined_method="CREATED",
                       joined=datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc))
    odd = Account(ODD, 'Ödd | "name", with, commas', "odd@example.com", "arn", "SUSPENDED",
                  "INVITED", None, ROOT_ID)
    scp = Policy("p-deny0001", "DenyS3", "SERVICE_CONTROL_POLICY")
    full = Policy(FULL_AWS_ACCESS_ID, "FullAWSAccess", "SERVICE_CONTROL_POLICY", True)
    return make_snapshot(
        web, odd,
        tags={WEB: {"team": "web", "env": "prod"}, ODD: {"a,b": 'x;"y"'}},
        delegated={WEB: ("guardduty.amazonaws.com",)},
        policies=[scp, full],
        attachments={ROOT_ID: (full.id,), PROD_ID: (scp.id,)},
    )


def test_build_one_account_exactly(snap):
    doc = build(snap, NOW)
    assert doc["generated_at"] == "2026-11-28T17:00:00Z"
    assert doc["organization"] == {"id": "o-test", "management_account_id": MGMT_ID,
                                   "feature_set": "ALL"}
    assert doc["caller"] == {"account": MGMT_ID, "arn": f"arn:aws:iam::{MGMT_ID}:user/admin"}
    assert doc["summary"] == {"accounts": 3, "blocked": 3, "review": 0, "ready": 0}
    web = next(a for a in doc["accounts"] if a["id"] == WEB)
    findings = web.pop("findings")
    assert web == {
        "id": WEB, "name": "web-prod", "email": f"{WEB}@example.com", "state": "ACTIVE",
        "joined_method": "CREATED", "joined_timestamp": "2026-11-27T12:00:00Z",
        "parent_id": PROD_ID, "ou_path": ["Root", "Workloads", "Prod"],
        "tags": {"team": "web", "env": "prod"},
        "delegated_services": ["guardduty.amazonaws.com"],
        "policies": [
            {"id": FULL_AWS_ACCESS_ID, "name": "FullAWSAccess",
             "type": "SERVICE_CONTROL_POLICY", "attached_to": ROOT_ID},
            {"id": "p-deny0001", "name": "DenyS3", "type": "SERVICE_CONTROL_POLICY",
             "attached_to": PROD_ID},
        ],
        "verdict": "blocked",
    }
    assert [f["code"] for f in findings] == [
        "DELEGATED_ADMIN", "WAIT_PERIOD_ACTIVE", "STANDALONE_UNVERIFIED",
        "TAGS_WILL_BE_DELETED", "POLICIES_STOP_APPLYING"]
    assert {f["severity"] for f in findings} == {"blocker", "warning", "notice"}


def test_build_only_the_accounts_asked_for_in_that_order(snap):
    doc = build(snap, NOW, [ODD, WEB])
    assert [a["id"] for a in doc["accounts"]] == [ODD, WEB]
    assert doc["summary"]["accounts"] == 2
    odd = doc["accounts"][0]
    assert odd["joined_timestamp"] is None
    assert odd["ou_path"] == ["Root"]


def test_json_round_trips_and_keeps_unicode(snap):
    text = render(build(snap, NOW), "json")
    assert "Ödd" in text
    assert json.loads(text) == json.loads(json.dumps(build(snap, NOW)))


def test_csv_quotes_awkward_values_and_stays_parseable(snap):
    rows = list(csv.reader(io.StringIO(render(build(snap, NOW), "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 4
    by_id = {r[0]: dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_id[ODD]["name"] == 'Ödd | "name", with, commas'
    assert by_id[ODD]["tags"] == 'a,b=x;"y"'
    assert by_id[ODD]["joined_timestamp"] == ""
    assert by_id[WEB]["tags"] == "team=web;env=prod"
    assert by_id[WEB]["ou_path"] == "Root/Workloads/Prod"
    assert by_id[WEB]["findings"].split(";")[0] == "DELEGATED_ADMIN"
    assert by_id[WEB]["policies"] == "FullAWSAccess;DenyS3"


def test_markdown_escapes_pipes_and_lists_blockers(snap):
    text = render(build(snap, NOW), "markdown")
    assert "**3 accounts: 3 blocked, 0 to review, 0 ready.**" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 4
    odd = next(r for r in rows if ODD in r)
    assert "Ödd \\| " in odd
    assert odd.replace("\\|", "").count("|") == 7
    assert "### Blockers" in text
    assert f"({WEB}) WAIT_PERIOD_ACTIVE" in text


def test_table_render_without_a_terminal(snap):
    text = render(build(snap, NOW), "table", width=200)
    assert "3 accounts, 3 blocked, 0 review, 0 ready" in text
    assert "web-prod" in text and "Root / Workloads / Prod" in text
    assert "\x1b[" not in text  # no colour codes in a file or a pipe


def test_every_format_renders_and_unknown_is_refused(snap):
    doc = build(snap, NOW)
    assert FORMATS == ("table", "json", "csv", "markdown")
    for fmt in FORMATS:
        assert render(doc, fmt).endswith("\n")
    with pytest.raises(ValueError):
        render(doc, "yaml")
