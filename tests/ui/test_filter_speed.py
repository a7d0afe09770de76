"""The filter stays off the UI thread and does no more work than a keystroke needs: the
search runs once typing pauses, in a worker thread; a stale result is dropped; typing on
scans only the last matches; a refresh whose matches did not change rebuilds nothing.
Algorithmic limits and where the work runs, never wall-clock time."""

from __future__ import annotations

import threading

from orgtui.session.view import OrgView
from orgtui.ui import filter_flow
from orgtui.ui.widgets.org_tree import OrgTree
from tests.conftest import DEMO_NOW
from tests.ui.conftest import SIZE, settled, text_of, wait_loaded
from tests.ui.test_big_tree import big_snapshot


def _record_searches(monkeypatch) -> list[tuple[str, bool]]:
    """Every OrgView.search: its query, and whether it ran on the UI (main) thread."""
    calls: list[tuple[str, bool]] = []
    real = OrgView.search

    def search(self, query):
        calls.append((query, threading.current_thread() is threading.main_thread()))
        return real(self, query)

    monkeypatch.setattr(OrgView, "search", search)
    return calls


async def test_typing_searches_in_a_worker_once_typing_pauses(make_app, demo, monkeypatch):
    monkeypatch.setattr(filter_flow, "DELAY", 5.0)  # nothing runs until the keys are in
    calls = _record_searches(monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"northwind")
        assert calls == [] and app.main.filter.pending
        assert 'filter "northwind": …' in text_of(app, "#status")  # no stale count
        app.main.filter.start()  # as the timer would, once typing paused
        await settled(pilot, app)
        assert calls == [("northwind", False)]  # one search, not on the UI thread
        assert app.query_one(OrgTree).matches == {
            demo.accounts[n] for n in ("northwind-prod", "northwind-dev", "northwind-shared")
        }


async def test_every_keystroke_search_runs_off_the_ui_thread(make_app, monkeypatch):
    calls = _record_searches(monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash")
        for key in "prod":
            await pilot.press(key)
            await pilot.pause(filter_flow.DELAY * 2)  # typing pauses: a search per key
        await settled(pilot, app)
        assert calls and not any(on_ui for _, on_ui in calls)
        assert app.main.matches and all("prod" in app.view.index.text[a] for a in app.main.matches)


async def test_enter_applies_what_is_typed_at_once(make_app, demo, monkeypatch):
    monkeypatch.setattr(filter_flow, "DELAY", 5.0)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"ledger", "enter")
        assert not app.main.filter.pending
        assert app.main.tree_view.cursor_ref.id == demo.accounts["ledger-prod"]


async def test_a_stale_result_is_dropped(make_app, demo, monkeypatch):
    monkeypatch.setattr(filter_flow, "DELAY", 5.0)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        flow = app.main.filter
        await pilot.press("slash", *"sandbox", "enter")
        sandboxes = set(app.main.matches)
        old = filter_flow.search(app.view, "northwind", flow.generation - 1)
        flow.landed(old)  # an older query's result, arriving late
        assert app.main.matches == sandboxes
        other = filter_flow.search(
            OrgView(app.view.snapshot, DEMO_NOW), "northwind", flow.generation
        )
        flow.landed(other)  # a result for a view no longer on screen: searched again
        await settled(pilot, app)
        assert app.main.matches == sandboxes


async def test_a_refresh_with_the_same_matches_rebuilds_nothing(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"prod", "enter")
        tree = app.main.tree_view
        builds: list[int] = []
        real = OrgTree._build_tree
        monkeypatch.setattr(
            OrgTree, "_build_tree", lambda self, opened: (builds.append(1), real(self, opened))
        )
        before = set(app.main.matches)
        app.show(OrgView(app.view.snapshot, DEMO_NOW))  # a refresh: same organization
        await settled(pilot, app)
        assert app.main.matches == before and tree.matches == before
        assert builds == []


def test_typing_on_scans_only_the_last_matches():
    view = OrgView(big_snapshot(n_ous=40, per_ou=250, big=250), DEMO_NOW)  # 10,000
    assert len(view.snapshot.accounts) == 10_000
    view.search("acct-0007")
    assert view.scanned == 10_000  # the first term: every account
    scanned = []
    for query in ("acct-0007-", "acct-0007-001", "acct-0007-0012"):
        before = len(view._last_search[1])
        found = view.search(query)
        scanned.append(view.scanned)
        assert view.scanned == before  # only the last matches
        assert all(view.snapshot.accounts[a].name.startswith(query) for a in found)
    assert scanned == [250, 250, 100]
    # A query that does not extend the last one scans everything again.
    view.search("blocked")
    assert view.scanned == 10_000


def test_the_worker_counts_the_matches_per_ou():
    view = OrgView(big_snapshot(n_ous=4, per_ou=30, big=30), DEMO_NOW)
    result = filter_flow.search(view, "acct-0002")
    assert result.found is not None and len(result.found) == 30
    assert result.counts == {"ou-big-0002": 30, "r-big": 30}
    assert filter_flow.search(view, "  ").found is None
