"""Snapshot tests (pytest-textual-snapshot) of the main screen, a blocked account's detail,
the filter in use, the help screen, audit mode and member mode (sandbox-bob), on the demo
organization with its fixed clock. The removal dialog's snapshots (ready, review, blocked,
bulk) are in test_removal_dialog.py.

Regenerate with: pytest -n0 --snapshot-update tests/ui/test_snapshots.py
"""

from __future__ import annotations

from orgtui.ui.widgets.filter_bar import FilterInput
from tests.ui.conftest import SIZE, until, wait_loaded


def test_main_screen(make_app, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_blocked_account_detail(make_app, demo, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["security-tooling"])
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_filter_in_use(make_app, snap_compare):
    app = make_app(read_only=True)

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.query_one(FilterInput).cursor_blink = False
        await pilot.press("slash", *"prod")
        await pilot.pause()

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
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_member_mode_main_screen(isolated_env, snap_compare):
    from orgtui import demo as demo_mod
    from orgtui.ui.app import OrgApp
    from tests.conftest import DEMO_NOW
    from tests.ui.conftest import demo_context

    running = demo_mod.start(now=DEMO_NOW, member="sandbox-bob")
    try:
        app = OrgApp(demo_context(), demo=True, clock=lambda: DEMO_NOW)

        async def run_before(pilot):
            await wait_loaded(pilot, app)
            app.main.jump_to(running.accounts["sandbox-bob"])
            await pilot.pause()

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
        await pilot.pause()

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_table_80x24(make_app, demo, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["security-tooling"])
        await pilot.press("t")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_removal_dialog_80x24(make_app, demo, snap_compare):
    from orgtui.ui.screens.removal import RemovalScreen

    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RemovalScreen)
                    and app.screen.checks is not None)
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
        await until(pilot, lambda: isinstance(app.screen, RemovalScreen)
                    and app.screen.checks is not None)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)
