"""In a real terminal (a pty), against the demo in its own process: the detail pane's
section "Who can get back in" is read for the account under the cursor once it rests
there, and says what is missing (payments-dev: its contacts are not all set)."""

from __future__ import annotations

import sys
import time

import pytest

from tests.support.terminal import LEAVE_ALT_SCREEN, Terminal, until
from tests.test_real_terminal_writes import demo_ids

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a pty")


def test_who_can_get_back_in_shows_for_the_account_under_the_cursor(isolated_env):
    account = demo_ids()["payments-dev"]
    term = Terminal("--demo", size=(40, 140))
    try:
        until(lambda: term.shows("ready"), 60, "the demo to load")
        time.sleep(1.0)
        term.type(f"/{account}\r")  # the filter, then enter: the cursor on the account
        time.sleep(2.0)  # the cursor rests: the contacts are read
        seen = len(term.output)
        term.type("\t")  # the detail pane, then down to its last section
        time.sleep(0.3)
        for _ in range(6):
            term.type("\x1b[6~")  # page down
            time.sleep(0.2)
        until(lambda: term.shows("Who can get back in", seen), 30, "the section")
        until(lambda: term.shows("not set", seen), 30, "the contacts read")
        term.type("q")
        code = term.proc.wait(timeout=30)
    finally:
        term.stop()
    assert code == 0, bytes(term.output[-2000:])
    assert LEAVE_ALT_SCREEN in bytes(term.output)
    assert b"Traceback" not in bytes(term.output)
