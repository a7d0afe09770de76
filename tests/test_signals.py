"""Real signals to a real orgtui process in a real terminal (a pty), during a removal: the
write in flight is finished and its outcome logged, the terminal is restored, the process
exits with 128 + the signal's number, in bounded time. And a headless report stopped by a
signal says so in words."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from orgtui import files
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, OuSpec, build_org
from tests.support.terminal import LEAVE_ALT_SCREEN, Terminal, until

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and ptys")

WRITE_HOLD = 3.0  # the removal call is in flight this long


def events() -> list[str]:
    return [r["event"] for r in files.read_audit()]


@pytest.fixture
def org(aws_credentials):
    with FaultServer() as server:
        build_org(
            server.client("organizations"),
            (
                OuSpec(
                    "Workloads",
                    accounts=(
                        # invited a year ago: nothing blocks its removal
                        AccountSpec("web", joined_method="INVITED", joined_days_ago=365),
                        AccountSpec("api"),
                    ),
                ),
            ),
        )
        web = next(
            a["Id"]
            for a in server.client("organizations").list_accounts()["Accounts"]
            if a["Name"] == "web"
        )
        yield server, web


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_during_a_removal_logs_its_outcome_and_restores_the_terminal(org, name):
    server, web = org
    server.fail("RemoveAccountFromOrganization", "", kind="slow", hold=WRITE_HOLD)
    term = Terminal("--endpoint-url", server.url, "--no-cache")
    try:
        # loaded: the tags of all three accounts read, and ListAccounts for the check
        until(lambda: server.counts["ListTagsForResource"] >= 3, 60, "the load")
        time.sleep(0.5)
        term.type(f"/{web}\r")
        time.sleep(0.5)
        seen = len(term.output)
        term.type("r")
        until(lambda: term.shows(f"type {web}", seen), 30, "the removal dialog")
        # The old margin after the dialog is up, for its live checks (typing right after
        # the first frame once lost a close in CI: test_real_terminal_writes).
        time.sleep(2.0)
        term.type(f"{web}\r")
        until(lambda: "remove-started" in events(), 20, "the removal to start")
        number = getattr(signal, name)
        if name == "SIGHUP":
            term.hang_up()
        os.kill(term.proc.pid, number)
        started = time.monotonic()
        code = term.proc.wait(timeout=WRITE_HOLD + 20)
        took = time.monotonic() - started
    finally:
        term.stop()
    assert code == 128 + number, bytes(term.output[-2000:])
    assert took < WRITE_HOLD + 15  # bounded: the write's own time and a grace
    assert events() == ["remove-started", "remove-ok"]
    assert files.read_audit()[1]["account_id"] == web
    if name != "SIGHUP":  # a closed terminal has nothing to restore or show
        tail = bytes(term.output)
        assert LEAVE_ALT_SCREEN in tail, "the terminal was not restored"
        assert f"stopped by {name}".encode() in tail
        assert b"Traceback" not in tail


def test_a_report_stopped_by_sigterm_says_so(org):
    server, _ = org
    server.fail("ListTagsForResource", "", kind="slow", hold=20)
    proc = subprocess.Popen(
        [sys.executable, "-m", "orgtui", "audit", "--report", "json"]
        + ["--endpoint-url", server.url, "--no-cache"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        until(lambda: server.counts["ListTagsForResource"] >= 1, 60, "the tags")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM
    assert out == b""
    assert err.decode().strip() == "orgtui: stopped by SIGTERM: no report was written."
