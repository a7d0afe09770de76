"""Real signals to a real orgtui process in a real terminal (a pty), during a removal: the
write in flight is finished and its outcome logged, the terminal is restored, the process
exits with 128 + the signal's number, in bounded time. And a headless report stopped by a
signal says so in words."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable

import pytest

from orgtui import files
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, OuSpec, build_org

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and ptys")

LEAVE_ALT_SCREEN = b"\x1b[?1049l"
WRITE_HOLD = 3.0  # the removal call is in flight this long


class Terminal:
    """orgtui in a pty (100x30 unless `size` says rows, columns); everything it prints is
    kept in `output`."""

    def __init__(self, *args: str, size: tuple[int, int] = (30, 100)) -> None:
        rows, cols = size
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "orgtui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,  # its own terminal, as a login shell's child has
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # Reads only while `_closing` is clear, and the master is closed only after this
        # thread ended: a read on a closed descriptor's number would take whatever the
        # process opened next under it (the fault server's next connection, whose request
        # it would swallow, leaving the server and orgtui waiting on each other).
        while not self._closing.is_set():
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if not ready:
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def _close_master(self) -> None:
        if self._closing.is_set():
            return  # closed once: its number may name another descriptor by now
        self._closing.set()
        self._reader.join(5)
        with contextlib.suppress(OSError):
            os.close(self.master)

    def type(self, keys: str) -> None:
        for key in keys:
            os.write(self.master, key.encode())
            time.sleep(0.03)

    def hang_up(self) -> None:
        """The terminal closes (its window shut, the ssh connection lost)."""
        self._close_master()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._reader.join(5)  # the process is gone: the reader drains to the end
        self._close_master()


def until(condition: Callable[[], bool], limit: float, what: str) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


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
        term.type("r")
        time.sleep(2.0)  # the dialog opens and makes its live checks
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
