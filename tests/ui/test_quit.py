"""Quitting promptly: q, ctrl+c (one press, from anywhere) and ctrl+q end the session even
with a load worker held in a blocking call: the context is cancelled (the stuck read makes
no further call) and nothing waits for the thread. A removal in flight is finished and
logged first, then the app exits."""

from __future__ import annotations

import threading

from textual.app import App
from textual.widgets import Input

from orgtui import cli, files
from orgtui.aws import removal
from orgtui.aws.loader import Loader
from orgtui.ui.app import OrgApp
from orgtui.ui.cursor_read import CursorReadDone
from orgtui.ui.filter_flow import search
from orgtui.ui.screens.removal import RemovalScreen
from tests.ui.conftest import SIZE, hold, until, wait_loaded


async def _quit_with_held_load(make_app, monkeypatch, *keys: str) -> OrgApp:
    held = hold(monkeypatch, Loader, "enrich")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, held.entered.is_set)  # the load is stuck in a blocking call
        await pilot.press(*keys)
        await until(pilot, lambda: not app.is_running, limit=50)
        assert not held.release.is_set()  # it did not wait for the worker
    held.release.set()
    return app


async def test_q_quits_at_once_with_a_load_worker_stuck(make_app, monkeypatch):
    app = await _quit_with_held_load(make_app, monkeypatch, "q")
    assert app.return_code == 0
    assert app.services.ended  # the stuck read makes no further call


async def test_ctrl_c_quits_with_one_press(make_app, monkeypatch):
    app = await _quit_with_held_load(make_app, monkeypatch, "ctrl+c")
    assert app.return_code == 0 and app.services.ended


async def test_ctrl_q_takes_the_same_path(make_app, monkeypatch):
    app = await _quit_with_held_load(make_app, monkeypatch, "ctrl+q")
    assert app.return_code == 0 and app.services.ended


async def test_ctrl_c_quits_from_a_dialogs_input(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RemovalScreen))
        app.screen.query_one("#removal-input", Input).focus()
        await pilot.press("1", "ctrl+c")
        await until(pilot, lambda: not app.is_running)
    assert app.return_code == 0
    assert files.read_audit() == []


async def test_q_during_a_removal_finishes_and_logs_it_then_quits(make_app, demo, monkeypatch):
    held = hold(monkeypatch, removal, "_act")
    app = make_app()
    target = demo.accounts["northwind-prod"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(target)
        await pilot.press("r")
        await until(
            pilot, lambda: isinstance(app.screen, RemovalScreen) and app.screen.checks is not None
        )
        app.screen.query_one("#removal-input", Input).focus()
        await pilot.press(*target, "enter")
        await until(pilot, held.entered.is_set)
        await pilot.press("ctrl+c")  # q would be typed into the dialog: ctrl+c is not
        await pilot.pause(0.2)
        assert app.is_running  # not while the removal is in flight
        assert not app.services.ended  # its confirming reads still go out
        held.release.set()
        await until(pilot, lambda: not app.is_running)
    assert [r["event"] for r in files.read_audit()] == ["remove-started", "remove-ok"]
    assert app.services.ended


def test_run_app_returns_without_waiting_for_a_stuck_worker(monkeypatch):
    """The console script's path: `run_app` does not join the worker threads (asyncio.run
    would, until the stuck read ends)."""
    held = hold(monkeypatch, Loader, "enrich")
    seen: list[threading.Thread] = []
    real_enrich = Loader.enrich

    def enrich(self, *args, **kwargs):
        seen.append(threading.current_thread())
        return real_enrich(self, *args, **kwargs)

    monkeypatch.setattr(Loader, "enrich", enrich)

    def run(self, **kw):
        async def auto(pilot):
            while not held.entered.is_set():
                await pilot.pause(0.05)
            await pilot.press("q")

        return App.run(self, headless=True, auto_pilot=auto, **kw)

    monkeypatch.setattr(OrgApp, "run", run)
    try:
        assert cli.main(["--demo", "--no-cache"]) == 0
        assert seen and seen[0].is_alive()  # still held: nothing waited for it
    finally:
        held.release.set()


async def test_worker_results_landing_during_shutdown_are_dropped(make_app, demo):
    """A recovery read or a search can finish while the app shuts down: its close removes
    the widgets before the main screen unmounts, and the result still reaches the app
    (CI met it: NoMatches on '#tree', a traceback on quitting). Replayed here after the
    close, each is dropped without touching a widget; the state stays whole."""
    app = make_app()
    dev = demo.accounts["payments-dev"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(dev)
        await until(pilot, lambda: dev in app.recovery.found)
        loaded_at = app.view.snapshot.loaded_at
        result = app.recovery.found[dev]
    assert not app.is_running
    with app._context():  # as the app's loop has it while it shuts down
        app.on_cursor_read_done(CursorReadDone(app.recovery.group, loaded_at, dev, result))
        app.main.apply_filter(search(app.view, "payments"))
        app.show(app.view)
    assert dev in app.view.snapshot.recovery  # merged into the state, not drawn
