"""Endpoints that answer what AWS never would: an OU listed under itself, identifiers that
are paths, answers missing a field, a connection that never answers. Each ends in words,
never a hang, a traceback or a file outside orgtui's folders."""

from __future__ import annotations

import os
from typing import Any

import pytest

from orgtui import loading
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.cli import main
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, OuSpec, build_org


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_words(code: int, err: str, *words: str) -> None:
    assert code == 1, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("orgtui: ")]
    assert lines[-2].startswith("orgtui: error: ") and lines[-1].startswith("orgtui: fix: ")
    for word in words:
        assert word in err, err


@pytest.fixture
def server(aws_credentials):
    with FaultServer() as srv:
        build_org(
            srv.client("organizations"),
            (
                OuSpec(
                    "Workloads",
                    accounts=(AccountSpec("web"),),
                    children=(OuSpec("Prod", accounts=(AccountSpec("api"),)),),
                ),
            ),
            root_accounts=(AccountSpec("billing"),),
        )
        yield srv


def test_an_ou_listed_under_itself_ends_in_words(capsys, server):
    def add_itself(answer: dict[str, Any]) -> dict[str, Any]:
        ous = answer.get("OrganizationalUnits", [])
        if ous:  # the first OU is listed again below itself: an endless walk
            answer["OrganizationalUnits"] = [*ous, ous[0]]
        return answer

    server.fail("ListOrganizationalUnitsForParent", "", kind="rewrite", transform=add_itself)
    code, out, err = run(capsys, "audit", "--report", "json", "--endpoint-url", server.url)
    assert out == ""
    assert_words(code, err, "listed again", "cycle", "--endpoint-url")


def test_an_ou_that_lists_its_ancestor_ends_in_words(capsys, server):
    parents: dict[str, Any] = {}

    def loop_back(answer: dict[str, Any]) -> dict[str, Any]:
        ous = answer.get("OrganizationalUnits", [])
        if ous and "top" not in parents:
            parents["top"] = ous[0]
        elif not ous and "top" in parents:  # the deepest OU lists the top one as a child
            answer["OrganizationalUnits"] = [parents["top"]]
        return answer

    server.fail("ListOrganizationalUnitsForParent", "", kind="rewrite", transform=loop_back)
    code, _, err = run(capsys, "audit", "--report", "json", "--endpoint-url", server.url)
    assert_words(code, err, "cycle")


@pytest.mark.parametrize("org_id", ["../../x", "/tmp/orgtui-evil", "o-abc/../../x"])
def test_an_organization_id_that_is_a_path_ends_in_words(capsys, server, org_id, tmp_path):
    def hostile(answer: dict[str, Any]) -> dict[str, Any]:
        answer["Organization"]["Id"] = org_id
        return answer

    server.fail("DescribeOrganization", "", kind="rewrite", transform=hostile)
    code, _, err = run(capsys, "audit", "--report", "json", "--endpoint-url", server.url)
    assert_words(code, err, "DescribeOrganization", "not a valid AWS Organizations identifier")
    assert not os.path.exists("/tmp/orgtui-evil")


def test_an_account_id_that_is_a_path_ends_in_words(capsys, server):
    def hostile(answer: dict[str, Any]) -> dict[str, Any]:
        for account in answer.get("Accounts", []):
            account["Id"] = "../../../etc/x"
        return answer

    server.fail("ListAccountsForParent", "", kind="rewrite", transform=hostile)
    code, _, err = run(capsys, "audit", "--report", "json", "--endpoint-url", server.url)
    assert_words(code, err, "not a valid AWS Organizations identifier")


@pytest.mark.parametrize(
    ("operation", "field"),
    [
        ("DescribeOrganization", "MasterAccountId"),
        ("DescribeOrganization", "Id"),
        ("ListRoots", "Id"),
    ],
)
def test_an_answer_missing_a_field_names_the_field_and_operation(capsys, server, operation, field):
    def drop(answer: dict[str, Any]) -> dict[str, Any]:
        target = answer.get("Organization") or (answer.get("Roots") or [{}])[0]
        target.pop(field, None)
        return answer

    server.fail(operation, "", kind="rewrite", transform=drop)
    code, _, err = run(capsys, "audit", "--report", "json", "--endpoint-url", server.url)
    assert_words(code, err, f"The answer to {operation} has no {field} field")
    assert "KeyError" not in err


def test_a_silent_endpoint_fails_in_words_after_its_read_attempts(server):
    server.fail("DescribeOrganization", "", kind="silent", hold=10)
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url,
            region="us-east-1",
            credentials=("testing", "testing", None),
            read_timeout=0.3,
            read_attempts=2,
        )
    )
    with pytest.raises(loading.LoadFailed) as failed:
        loading.load(ctx, loading.LoadOptions())
    assert failed.value.stage == "structure"
    assert "did not answer in time" in failed.value.what
    assert server.counts["DescribeOrganization"] == 2  # tried again once, then words


def test_an_answer_dripping_in_is_cut_at_its_deadline_and_said_in_words(server):
    """A byte every 0.2 s keeps each socket read under its timeout: only the deadline on
    the whole answer ends it (the page would take a minute)."""
    server.fail("DescribeOrganization", "", kind="drip", hold=0.2)
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url,
            region="us-east-1",
            credentials=("testing", "testing", None),
            read_timeout=5,
            read_attempts=2,
            answer_deadline=0.6,
        )
    )
    with pytest.raises(loading.LoadFailed) as failed:
        loading.load(ctx, loading.LoadOptions())
    assert "did not answer in time" in failed.value.what
    assert server.counts["DescribeOrganization"] == 2  # tried again once, then words


def test_a_healthy_answer_passes_the_deadline_whole(server):
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url,
            region="us-east-1",
            credentials=("testing", "testing", None),
            answer_deadline=5,
        )
    )
    snap, _ = loading.load(ctx, loading.LoadOptions())
    assert {a.name for a in snap.accounts.values()} >= {"web", "api", "billing"}


def test_the_defaults_end_a_dead_endpoint_within_a_minute():
    """Not a timing: the budget the defaults allow a read that never gets an answer."""
    options = SessionOptions()
    connect_budget = options.connect_timeout * 2  # CONNECT_ATTEMPTS
    read_budget = options.read_timeout * options.read_attempts
    assert connect_budget < 60 and read_budget + options.read_timeout < 60
    # an answer that keeps coming, slowly, is cut per attempt
    assert options.answer_deadline * options.read_attempts < 60


def test_a_cancelled_session_makes_no_further_call(server):
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url, region="us-east-1", credentials=("testing", "testing", None)
        )
    )
    ctx.cancel()
    with pytest.raises(loading.LoadFailed) as failed:
        loading.load(ctx, loading.LoadOptions())
    assert "stopping" in failed.value.what
    assert server.injector.total == 0


def test_one_accounts_tags_not_found_gives_it_a_note_and_the_load_goes_on(server):
    server.fail(
        "ListTagsForResource",
        "TargetNotFoundException",
        times=1,
        message="You specified a target that doesn't exist.",
    )
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url, region="us-east-1", credentials=("testing", "testing", None)
        )
    )
    snap, problems = loading.load(ctx, loading.LoadOptions())
    assert snap.enriched and not snap.problems
    assert len(snap.account_notes) == 1
    account_id, (note,) = next(iter(snap.account_notes.items()))
    assert "TargetNotFoundException" in note
    # The user is told, naming the account (the report prints it on stderr).
    name = snap.accounts[account_id].name
    assert problems == (f"{name} ({account_id}): {note}",)


def test_an_endpoint_password_from_the_environment_is_never_echoed(
    capsys, aws_credentials, monkeypatch
):
    # Nothing listens on port 9 (discard): the connection fails and the URL is named.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://admin:s3cret@127.0.0.1:9")
    code, _, err = run(capsys, "audit", "--report", "json")
    assert code == 1 and "s3cret" not in err
    assert "***@127.0.0.1:9" in err
