"""Snapshot tests (pytest-textual-snapshot) of the main screen, a blocked account's detail,
the filter in use, the help screen, audit mode and member mode (sandbox-bob), what breaks
(sandbox-bob: all five impact findings), the attest, deregister and close dialogs and the
OU picker, on the demo organization with its fixed clock. The removal dialog's snapshots
(ready, review, blocked, bulk) are in test_removal_dialog.py.

Regenerate with: pytest -n0 --snapshot-update tests/ui/test_snapshots.py
"""

from __future__ import annotations

import pytest

from orgtui.backend import Services
from orgtui.ui.widgets.filter_bar import FilterInput
from tests.ui.conftest import (
    SIZE,
    detail_text,
    drawn_still,
    plain,
    rested,
    settled,
    until,
    wait_loaded,
)


def test_main_screen(make_app, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def counted(pilot, app) -> None:
    """The detail shown with who is assigned through Identity Center, once counted (a
    worker reads it after the cursor rests)."""
    await until(pilot, lambda: "Counting who is assigned" not in detail_text(app))
    await rested(pilot, app)  # and who can get back in, once read
    await pilot.pause()


def test_blocked_account_detail(make_app, demo, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["security-tooling"])
        await counted(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_filter_in_use(make_app, snap_compare):
    app = make_app(read_only=True)

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.query_one(FilterInput).cursor_blink = False
        await pilot.press("slash", *"prod")
        await settled(pilot, app)
        await rested(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(make_app, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_audit_mode_main_screen(make_app, demo, snap_compare):
    app = make_app(read_only=True)

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        await counted(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_member_mode_main_screen(isolated_env, snap_compare):
    from orgtui import demo as demo_mod
    from orgtui.ui.app import OrgApp
    from tests.conftest import DEMO_NOW
    from tests.ui.conftest import demo_context

    running = demo_mod.start(now=DEMO_NOW, member="sandbox-bob")
    try:
        app = OrgApp(Services(demo_context()), demo=True, clock=lambda: DEMO_NOW)

        async def run_before(pilot):
            await wait_loaded(pilot, app)
            app.main.jump_to(running.accounts["sandbox-bob"])
            await rested(pilot, app)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        running.stop()


# --- 80x24, a supported size: verdicts on every line, ? and q in the footer ----------

SMALL = (80, 24)


def test_main_screen_80x24(make_app, demo, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["cardvault-prod"])  # three OUs deep
        await counted(pilot, app)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_table_80x24(make_app, demo, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["security-tooling"])
        await pilot.press("t")
        await rested(pilot, app)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_removal_dialog_80x24(make_app, demo, snap_compare):
    from orgtui.ui.screens.removal import RemovalScreen

    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        await pilot.press("r")
        await until(
            pilot, lambda: isinstance(app.screen, RemovalScreen) and app.screen.checks is not None
        )
        app.screen.query_one("#removal-input").cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_blocked_dialog_80x24(make_app, demo, snap_compare):
    from orgtui.ui.screens.removal import RemovalScreen

    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.management_account_id)
        await pilot.press("r")
        await until(
            pilot, lambda: isinstance(app.screen, RemovalScreen) and app.screen.checks is not None
        )

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


# --- what breaks, attest (v), deregister (d): at 120x40 and at 80x24 ---------------------


def _dialog_scene(
    app, demo, key: str, names: list[str], screen_type: type, ready=lambda dialog: True
):
    """Mark `names` (or put the cursor on the one), press `key`, wait for the live check
    (and `ready`), stop the cursor blinking."""

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        if len(names) > 1:
            app.main.set_marks([demo.accounts[n] for n in names], True)
        app.main.jump_to(demo.accounts[names[-1]])
        await rested(pilot, app)  # the read of who can get back in lands behind no dialog
        await pilot.press(key)
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, screen_type)
                and app.screen.checks is not None
                and ready(app.screen)
                # a removal dialog's read of who can get back in has landed
                and getattr(app.screen, "recovery_state", None) != "reading"
            ),
        )
        app.screen.query_one(".dialog-input").cursor_blink = False
        await drawn_still(pilot, app)

    return run_before


def _counted(demo):
    return lambda dialog: demo.accounts["sandbox-bob"] in dialog.counts


# Each dialog at the size it was designed for and at 80x24, the smallest supported.
SIZES = pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])


@SIZES
def test_what_breaks_dialog(make_app, demo, snap_compare, size):
    """sandbox-bob carries all five impact findings."""
    from orgtui.ui.screens.removal import RemovalScreen

    app = make_app()
    run_before = _dialog_scene(app, demo, "r", ["sandbox-bob"], RemovalScreen, _counted(demo))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_attest_dialog(make_app, demo, snap_compare):
    """Two accounts to attest, one skipped (invited)."""
    from orgtui.ui.screens.attest import AttestScreen

    app = make_app()
    run_before = _dialog_scene(
        app, demo, "v", ["web-prod", "payments-dev", "web-dev"], AttestScreen
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_attest_dialog_80x24(make_app, demo, snap_compare):
    from orgtui.ui.screens.attest import AttestScreen

    app = make_app()
    run_before = _dialog_scene(app, demo, "v", ["web-dev"], AttestScreen)
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


@SIZES
def test_deregister_dialog(make_app, demo, snap_compare, size):
    from orgtui.ui.screens.deregister import DeregisterScreen

    app = make_app()
    run_before = _dialog_scene(app, demo, "d", ["security-tooling"], DeregisterScreen)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_what_breaks_in_the_detail_pane(make_app, demo, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["sandbox-bob"])
        await until(pilot, lambda: "Assigned through" in detail_text(app))
        await rested(pilot, app)
        pane = app.main.detail
        lines = plain(pane.content, width=pane.scrollable_content_region.width).splitlines()
        top = next(i for i, line in enumerate(lines) if line.startswith("What breaks"))
        pane.scroll_to(y=top, animate=False)  # the group, under the findings
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_close_dialog_80x24(make_app, demo, snap_compare):
    """One account to close: the quota's estimate and CLOSE_IS_FINAL above the fold."""
    from orgtui.ui.screens.close import CloseScreen

    app = make_app()
    run_before = _dialog_scene(app, demo, "c", ["northwind-dev"], CloseScreen)
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_move_picker_80x24(make_app, demo, snap_compare):
    """The OU picker for one account: every OU by its path, its own parent left out."""
    from textual.widgets import Input

    from orgtui.ui.screens.move import MoveScreen

    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-dev"])
        await pilot.pause()
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MoveScreen))
        app.screen.query_one(Input).cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)
