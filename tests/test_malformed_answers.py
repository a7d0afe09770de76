"""Answers of the wrong shape with a 200: a body that is not JSON, a page without its list,
a page token given twice, pages without end, an organization missing accounts. Each ends
in words and exit 1 for the organization's own listings (never a smaller organization
read as whole), and in a note or a skip for a best-effort impact read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orgtui.aws.loader import page_ceiling
from orgtui.cli import main
from tests.support.faults import FaultServer
from tests.support.impact import impact_org
from tests.support.orgs import AccountSpec, OuSpec, build_org


def audit(capsys, url: str) -> tuple[int, str, str]:
    code = main(["audit", "--report", "json", "--endpoint-url", url, "--no-cache"])
    out, err = capsys.readouterr()
    return code, out, err


def assert_words(code: int, out: str, err: str, *words: str) -> None:
    assert code == 1, err
    assert out == "", "no report from a broken answer"
    assert "Traceback" not in err and "Unexpected error" not in err, err
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
                    accounts=(AccountSpec("web"), AccountSpec("db")),
                    children=(OuSpec("Prod", accounts=(AccountSpec("api"),)),),
                ),
                OuSpec("Sandbox", accounts=(AccountSpec("play"),)),
            ),
            root_accounts=(AccountSpec("billing"),),
        )
        yield srv


@pytest.mark.parametrize(
    ("operation", "body", "words"),
    [
        ("ListRoots", b"{not json", ("ListRoots", "without its Roots list")),
        ("ListAccountsForParent", b"<html>oops</html>", ("ListAccountsForParent", "Accounts")),
        ("ListAccountsForParent", b"{}", ("ListAccountsForParent", "Accounts")),
        (
            "ListOrganizationalUnitsForParent",
            b'{"OrganizationalUnits": {"Id": "ou-ab12-cd34ef56"}}',
            ("ListOrganizationalUnitsForParent", "an answer of another shape"),
        ),
        ("ListTagsForResource", b"{}", ("ListTagsForResource", "Tags")),
        ("ListAccounts", b"[]", ("ListAccounts", "an answer of another shape")),
    ],
)
def test_a_page_of_the_wrong_shape_is_an_error_not_an_empty_page(
    capsys, server, operation, body, words
):
    # The first answer of the call is right, a later one is not (35 of 40 accounts read).
    skip = 1 if operation in ("ListAccountsForParent", "ListTagsForResource") else 0
    server.fail(operation, "", kind="lie", body=body, skip=skip)
    code, out, err = audit(capsys, server.url)
    assert_words(code, out, err, "can't trust the rest of the listing", *words)


def _paged(key: str, token: Any) -> Any:
    """moto's page with a NextToken of `token()` (moto refuses the tokens it did not give:
    its refusal becomes an empty page, so the listing goes on as far as orgtui follows)."""

    def add(answer: dict[str, Any]) -> dict[str, Any]:
        return {key: answer.get(key, []), "NextToken": token()}

    return add


def test_a_page_token_given_twice_ends_the_listing_in_words(capsys, server):
    server.fail(
        "ListOrganizationalUnitsForParent",
        "",
        kind="rewrite",
        transform=_paged("OrganizationalUnits", lambda: "same"),
    )
    code, out, err = audit(capsys, server.url)
    assert_words(code, out, err, "ListOrganizationalUnitsForParent", "already given (a loop)")
    # It stopped on the second page of each listing it started, not after thousands.
    assert server.counts["ListOrganizationalUnitsForParent"] <= 2 * 6


def test_pages_without_end_stop_at_a_ceiling_from_the_organizations_size(capsys, server):
    fresh = iter(range(10**6))
    new_token = _paged("Accounts", lambda: f"t{next(fresh)}")
    server.fail("ListAccounts", "", kind="rewrite", transform=new_token)
    code, out, err = audit(capsys, server.url)
    ceiling = page_ceiling(accounts=6, ous=3)
    assert_words(code, out, err, "ListAccounts", f"more than {ceiling:,} pages")
    assert server.counts["ListAccounts"] == ceiling


def test_the_ceiling_grows_with_the_organization():
    assert page_ceiling(6, 3) < page_ceiling(10_000, 1_000)
    # a real listing of the largest part never reaches it: every account at 20 a page
    assert page_ceiling(50_000, 5_000) > 50_000 // 20


def _without(account_of: Any) -> Any:
    def drop(answer: dict[str, Any]) -> dict[str, Any]:
        answer["Accounts"] = [a for a in answer["Accounts"] if not account_of(a)]
        return answer

    return drop


def test_a_tree_without_the_management_account_is_incomplete(capsys, server):
    mgmt = server.client("organizations").describe_organization()["Organization"]
    mgmt_id = mgmt["MasterAccountId"]
    server.fail(
        "ListAccountsForParent",
        "",
        kind="rewrite",
        transform=_without(lambda a: a["Id"] == mgmt_id),
    )
    code, out, err = audit(capsys, server.url)
    assert_words(code, out, err, "incomplete organization", mgmt_id, "not under any root")


def test_a_tree_with_fewer_accounts_than_list_accounts_is_incomplete(capsys, server):
    org = server.client("organizations")
    play = next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] == "play")
    server.fail(
        "ListAccountsForParent", "", kind="rewrite", transform=_without(lambda a: a["Id"] == play)
    )
    code, out, err = audit(capsys, server.url)
    assert_words(
        code, out, err, "incomplete organization", "ListAccounts lists 6 accounts", "holds 5", play
    )


def test_a_healthy_organization_reads_whole(capsys, server):
    code, out, err = audit(capsys, server.url)
    assert code == 0, err
    assert len(json.loads(out)["accounts"]) == 6
    assert server.counts["ListAccounts"] == 1


def test_a_control_tower_token_loop_is_a_note_and_the_load_goes_on(aws_credentials, capsys):
    with FaultServer() as srv:
        impact_org(srv.client, per_ou=2)

        # moto's server has no Control Tower: the endpoint answers the same page each time
        loop = b'{"enabledBaselines": [], "nextToken": "again"}'
        srv.fail("ListEnabledBaselines", "", kind="lie", body=loop)
        code, out, err = audit(capsys, srv.url)
        assert code == 0, err
        entry = json.loads(out)["checks"]["control_tower"]
        assert "ListEnabledBaselines" in entry["note"] and "(a loop)" in entry["note"], entry
        assert srv.counts["ListEnabledBaselines"] == 2
