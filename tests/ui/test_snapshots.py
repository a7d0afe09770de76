"""Snapshot tests (pytest-textual-snapshot) of the main screen, a blocked account's detail,
and the filter in use, on the demo organization with its fixed clock.

Regenerate with: pytest -n0 --snapshot-update tests/ui/test_snapshots.py
"""

from __future__ import annotations

from orgtui.ui.widgets.filter_bar import FilterInput
from tests.ui.conftest import SIZE, wait_loaded


def test_main_screen(make_app, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_blocked_account_detail(make_app, demo, snap_compare):
    app = make_app()

    async def run_before(pilot):
        await wait_loaded(pilot, app)
        app.jump_to(demo.accounts["security-tooling"])
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
