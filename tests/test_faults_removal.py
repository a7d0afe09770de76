"""Faults around removal that tests/test_removal.py does not cover: an answer lost after the
change (connection cut mid-response, a gateway's bare 502), an interrupted bulk removal,
and secrets (session credentials never reach the audit log, backups or cache).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orgtui import files
from orgtui.aws import removal, writes
from orgtui.aws.loader import Loader
from orgtui.aws.session import READ_PREFIXES, AwsContext, SessionOptions
from orgtui.cli import main
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, BuiltOrg, OuSpec, build_org

WRITE_OP = "RemoveAccountFromOrganization"
INVITED = {"joined_method": "INVITED", "joined_days_ago": 400}
KEY_ID = "ASIAORGTUISECRETKEY1"
SECRET = "orgtui/secret/access/key/DoNotLeak+0123456789"
TOKEN = "IQoJb3JpZ2luX2VjEOrgtuiSessionTokenDoNotLeak//////////wEaCXVzLWVhc3QtMSJHMEUCIQ"


@pytest.fixture(autouse=True)
def _fast(fast_backoff):
    """Every test here waits as little as it can between attempts."""


class Org:
    def __init__(
        self,
        server: FaultServer,
        built: BuiltOrg,
        credentials: tuple[str, str, str | None] | None = ("testing", "testing", None),
    ) -> None:
        self.server = server
        self.built = built
        self.ctx = AwsContext(
            SessionOptions(endpoint_url=server.url, region="us-east-1", credentials=credentials)
        )
        self.snap = Loader(self.ctx).load()
        self.seed = server.client("organizations")
        server.counts.clear()

    def id(self, name: str) -> str:
        return self.built.accounts[name]

    def members(self) -> set[str]:
        return {
            a["Id"]
            for p in self.seed.get_paginator("list_accounts").paginate()
            for a in p["Accounts"]
        }

    @property
    def writes(self) -> dict[str, int]:
        return {
            op: n
            for op, n in self.server.counts.items()
            if not op.startswith(READ_PREFIXES) and not op.startswith("/")
        }


def _build(server: FaultServer) -> BuiltOrg:
    return build_org(
        server.client("organizations"),
        (
            OuSpec(
                "Leaving",
                tuple(
                    AccountSpec(f"acc{i}", tags={"team": f"t{i}", "cost": "42"}, **INVITED)
                    for i in range(4)
                ),
            ),
        ),
    )


@pytest.fixture
def org(aws_credentials) -> Iterator[Org]:
    with FaultServer() as server:
        yield Org(server, _build(server))


def audit_lines() -> list[dict[str, Any]]:
    """Every line of the audit log, each of which must be whole JSON."""
    raw = files.audit_log_path().read_bytes()
    assert raw.endswith(b"\n"), "the last line is half-written"
    return [json.loads(line) for line in raw.decode("utf-8").split("\n")[:-1]]


# --- the answer is lost after AWS made the change ---------------------------------------------


def test_connection_cut_after_the_change_finds_the_account_gone(org):
    org.server.fail(WRITE_OP, "x", kind="reset", times=1)
    outcome = removal.remove(org.ctx, org.snap, org.id("acc0"))
    assert org.writes == {WRITE_OP: 1}, "a write with a lost answer was sent again"
    assert outcome.status == "removed", outcome.what
    assert "no longer in the organization" in outcome.what
    assert org.id("acc0") not in org.members()
    assert [r["event"] for r in audit_lines()] == ["remove-started", "remove-ok"]


def test_bare_502_after_the_change_finds_the_account_gone(org):
    org.server.fail(WRITE_OP, "x", kind="drop_after", times=1)
    outcome = removal.remove(org.ctx, org.snap, org.id("acc1"))
    assert org.writes == {WRITE_OP: 1}
    assert outcome.status == "removed", outcome.what
    assert org.id("acc1") not in org.members()


def test_bare_502_without_the_change_says_it_stayed(org):
    org.server.fail(WRITE_OP, "x", kind="drop", times=1)
    outcome = removal.remove(org.ctx, org.snap, org.id("acc1"))
    assert org.writes == {WRITE_OP: 1}
    assert outcome.status == "refused"
    assert "still a member" in outcome.fix
    assert org.id("acc1") in org.members()


# --- interrupted bulk removal ---------------------------------------------------------------


def test_interrupt_between_accounts_leaves_an_exact_log(org):
    """ctrl+c after the first account's outcome: the log says exactly that one left."""
    ids = [org.id(f"acc{i}") for i in range(4)]

    def progress(i: int, total: int, account_id: str, outcome: Any) -> None:
        if outcome is not None and i == 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        removal.remove_many(org.ctx, org.snap, ids, progress=progress)

    lines = audit_lines()
    assert [(r["event"], r["account_id"]) for r in lines] == [
        ("remove-started", ids[0]),
        ("remove-ok", ids[0]),
    ]
    # The next start shows the truth: one gone, three still there.
    fresh = Loader(org.ctx).load()
    assert ids[0] not in fresh.accounts
    assert all(a in fresh.accounts for a in ids[1:])


def test_interrupt_during_a_call_is_logged_as_unknown(org):
    """ctrl+c while the second removal is in flight (before it is sent): the log has the
    first account removed and the second started then interrupted, outcome unknown;
    the next start shows the second account still in the organization."""
    ids = [org.id(f"acc{i}") for i in range(3)]
    sent: list[str] = []

    def before_send(**_: Any) -> None:
        sent.append("x")
        if len(sent) == 2:
            raise KeyboardInterrupt

    client = writes.write_client(org.ctx)
    client.meta.events.register(f"before-send.organizations.{WRITE_OP}", before_send)
    with pytest.raises(KeyboardInterrupt):
        removal.remove_many(org.ctx, org.snap, ids)

    lines = audit_lines()
    assert [(r["event"], r["account_id"]) for r in lines] == [
        ("remove-started", ids[0]),
        ("remove-ok", ids[0]),
        ("remove-started", ids[1]),
        ("remove-interrupted", ids[1]),
    ]
    assert lines[-1]["outcome"] == "unknown" and "reload" in lines[-1]["message"]
    fresh = Loader(org.ctx).load()
    assert ids[0] not in fresh.accounts
    assert ids[1] in fresh.accounts and ids[2] in fresh.accounts
    backups = sorted(files.tag_backup_dir(org.snap.organization.id).glob("*.json"))
    assert {json.loads(p.read_text())["account_id"] for p in backups} == {ids[0], ids[1]}


# --- secrets -----------------------------------------------------------------------------------


def _all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_session_credentials_never_reach_log_backups_or_cache(monkeypatch, isolated_env, capsys):
    """A load (headless report, which saves the cache) and a removal with session
    credentials: no file orgtui wrote holds the key id, the secret or the token."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    with FaultServer() as server:
        built = _build(server)
        code = main(["audit", "--report", "json", "--endpoint-url", server.url])
        out, err = capsys.readouterr()
        assert code == 0, err
        org = Org(server, built, credentials=None)  # the standard chain: the env above
        assert org.ctx.session.get_credentials().token == TOKEN
        outcomes = removal.remove_many(
            org.ctx, org.snap, [built.accounts["acc0"], built.accounts["acc1"]]
        )
        assert [o.status for o in outcomes] == ["removed", "removed"]
    written = _all_files(isolated_env / "xdg")
    names = {p.name for p in written}
    assert "audit.jsonl" in names
    assert any(p.suffix == ".json" and "tag-backups" in str(p) for p in written)
    assert any("snapshots" in str(p) for p in written)
    for path in written:
        data = path.read_bytes()
        for secret in (KEY_ID, SECRET, TOKEN):
            assert secret.encode() not in data, f"{secret[:8]}... found in {path}"
    for text in (out, err):
        for secret in (KEY_ID, SECRET, TOKEN):
            assert secret not in text
