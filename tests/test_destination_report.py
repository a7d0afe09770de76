"""The report for a destination: `--destination standalone|transfer`, the `destination`
setting, the top-level `"destination"` of the JSON report, the Markdown and table saying
it, bad values as usage errors; the demo's verdicts for a transfer."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from orgtui import files
from orgtui.arguments import parse
from orgtui.cli import main
from orgtui.rules import verdict_of
from tests.test_cli import run
from tests.test_settings import write_config


def report(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["audit", "--demo", *argv]) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def docs() -> dict[str, dict]:
    """The demo's JSON report for each destination, by name then account name."""
    return {
        destination: json.loads(report("--report", "json", "--destination", destination))
        for destination in ("standalone", "transfer")
    }


def by_name(doc: dict) -> dict[str, dict]:
    return {a["name"]: a for a in doc["accounts"]}


def codes(account: dict) -> list[str]:
    return [f["code"] for f in account["findings"]]


def test_the_json_report_names_its_destination(docs):
    assert docs["standalone"]["destination"] == "standalone"
    assert docs["transfer"]["destination"] == "transfer"
    assert list(docs["transfer"]).index("destination") == list(docs["transfer"]).index("caller") + 1


def test_a_transfer_has_no_standalone_finding(docs):
    for account in docs["transfer"]["accounts"]:
        assert not {"STANDALONE_UNVERIFIED", "STANDALONE_ATTESTED", "REMOVAL_REFUSED"} & set(
            codes(account)
        ), account["name"]


def warnings(account: dict) -> list[str]:
    return [f["code"] for f in account["findings"] if f["severity"] == "warning"]


def test_the_demo_accounts_to_review_for_standalone_only_are_not_for_a_transfer(docs):
    standalone, transfer = by_name(docs["standalone"]), by_name(docs["transfer"])
    only_standalone = [
        name
        for name, a in standalone.items()
        if a["verdict"] == "review" and warnings(a) == ["STANDALONE_UNVERIFIED"]
    ]
    assert len(only_standalone) >= 10  # most of the sample's review accounts
    for name in only_standalone:
        # Under the sample's DenyLeaveOrganization SCP, a transfer is to review for that
        # (the account accepts as itself); otherwise it is ready.
        denied = "LEAVE_DENIED_BY_SCP" in codes(transfer[name])
        assert warnings(transfer[name]) == (["LEAVE_DENIED_BY_SCP"] if denied else []), name
        assert transfer[name]["verdict"] == ("review" if denied else "ready"), name
    # Invited accounts outside the SCP's reach are ready either way.
    assert transfer["fabrikam-dev"]["verdict"] == standalone["fabrikam-dev"]["verdict"] == "ready"


def test_what_blocks_a_standalone_departure_still_blocks_a_transfer(docs):
    standalone, transfer = by_name(docs["standalone"]), by_name(docs["transfer"])
    for name in ("management", "security-tooling", "sandbox-alice", "old-events"):
        assert transfer[name]["verdict"] == "blocked", name
        assert [c for c in codes(transfer[name]) if c != "STANDALONE_UNVERIFIED"] == [
            c for c in codes(standalone[name]) if c != "STANDALONE_UNVERIFIED"
        ]


def test_an_scp_denying_leave_makes_a_transfer_to_review(docs):
    # sandbox-bob sits under an SCP that denies organizations:LeaveOrganization.
    bob = by_name(docs["transfer"])["sandbox-bob"]
    [leave] = [f for f in bob["findings"] if f["code"] == "LEAVE_DENIED_BY_SCP"]
    assert leave["severity"] == "warning"
    assert bob["verdict"] == "review"
    before = by_name(docs["standalone"])["sandbox-bob"]
    assert [f["severity"] for f in before["findings"] if f["code"] == "LEAVE_DENIED_BY_SCP"] == [
        "notice"
    ]


def test_every_transfer_verdict_follows_its_findings(docs):
    for doc in docs.values():
        counts = {"blocked": 0, "review": 0, "ready": 0}
        for account in doc["accounts"]:
            findings = [type("F", (), {"severity": f["severity"]})() for f in account["findings"]]
            assert account["verdict"] == verdict_of(findings), account["name"]
            counts[account["verdict"]] += 1
        assert doc["summary"] == {"accounts": len(doc["accounts"]), **counts}


def test_markdown_and_table_say_the_destination():
    markdown = report("--report", "markdown", "--destination", "transfer")
    assert "Verdicts for the destination **transfer**: moved to another organization" in markdown
    table = report("--report", "table", "--destination", "transfer")
    assert "destination transfer:" in table.splitlines()[0] + table.splitlines()[1]
    assert "destination **standalone**" in report("--report", "markdown")


def test_the_setting_gives_the_default_and_the_option_wins():
    write_config('destination = "transfer"\n')
    assert parse(["audit", "--report", "json"]).destination == "transfer"
    assert parse(["audit", "--report", "json", "--destination", "standalone"]).destination == (
        "standalone"
    )
    assert json.loads(report("--report", "json"))["destination"] == "transfer"


def test_a_bad_setting_is_reported_with_its_key_and_the_default_used():
    path = write_config('destination = "mars"\n')
    settings, problems = files.load_settings(path)
    assert settings.destination == "standalone"
    [problem] = problems
    assert "'destination'" in problem and "'mars'" in problem and "standalone" in problem


@pytest.mark.parametrize(
    "argv, words",
    [
        (["audit", "--report", "json", "--destination", "mars"], "is not a destination"),
        (["audit", "--report", "json", "--destination", ""], "standalone or transfer or close"),
        (["audit", "--destination", "transfer"], "--destination needs --report"),
        (["--destination", "transfer"], "--destination goes with"),
    ],
)
def test_a_bad_destination_is_a_usage_error_in_words(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert words in err and "--destination" in err
    assert out == "" and "Traceback" not in err


def test_the_option_takes_any_case(capsys):
    assert parse(["audit", "--report", "json", "--destination", "Transfer"]).destination == (
        "transfer"
    )
