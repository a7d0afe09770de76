"""A cold start (no cached picture) paints the structure first: while the details (tags,
delegation, policies, the impact checks) are being read, no account looks ready. The
verdict column says `reading` (blocked stays blocked: the structure alone decides it), the
header and the detail pane say the details are loading; `r` reads the account itself;
when the details fail, the badges say `ready?` / `review?` instead."""

from __future__ import annotations

import threading

from textual.widgets import LoadingIndicator, Static

from orgtui.aws.loader import Loader
from orgtui.errors import OrgtuiError
from orgtui.ui.screens.removal import RemovalScreen
from orgtui.ui.widgets.org_tree import OrgTree, ReadingNotice
from tests.ui.conftest import SIZE, detail_text, hold, plain, text_of, until, wait_loaded


def _badges(app) -> dict[str, str]:
    """Each account's verdict column as the tree draws it (its first 7 cells)."""
    tree: OrgTree = app.main.tree_view
    view = app.view
    tree.fill(tree.root, complete=True)
    words = {}
    for account_id in view.snapshot.accounts:
        label = tree._label(tree.nodes[account_id].data) if account_id in tree.nodes else None
        if label is None:
            tree.reveal(account_id)
            label = tree._label(tree.nodes[account_id].data)
        words[account_id] = label.plain[:7].strip()
    return words


def _screen_text(app) -> str:
    return app.export_screenshot().replace("&#160;", " ")


async def test_the_tree_says_the_structure_is_being_read(make_app, monkeypatch):
    """Until the structure is read, a still line covers the tree (no animation taking
    CPU from the walk) and the header counts the calls; then the tree shows."""
    held = hold(monkeypatch, Loader, "load_structure")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, held.entered.is_set)
        await pilot.pause()
        tree = app.main.tree_view
        assert tree.loading
        notice = tree._cover_widget  # Textual draws it in the tree's place
        assert isinstance(notice, ReadingNotice)
        assert not isinstance(notice, LoadingIndicator) and notice.auto_refresh is None
        assert "Reading the organization's OUs and accounts" in plain(notice.content)
        assert "Reading the organization" in _screen_text(app)
        assert "Reading OUs and accounts" in text_of(app, "#header-status")
        held.release.set()
        await until(pilot, lambda: app.view is not None and not tree.loading)
        assert tree._cover_widget is None
        assert "Reading the organization" not in _screen_text(app)


async def test_no_account_looks_ready_while_details_are_read(make_app, demo, monkeypatch):
    held = hold(monkeypatch, Loader, "enrich")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.view is not None and held.entered.is_set())
        assert app.view.reading and not app.load_status.loaded
        badges = _badges(app)
        assert set(badges.values()) <= {"reading", "blocked"}
        management = app.view.snapshot.organization.management_account_id
        assert badges[management] == "blocked"  # the structure alone blocks it
        assert "reading" in badges.values()
        # The filter agrees with the badges: nothing is ready or to review yet.
        assert app.view.search("ready") == [] and app.view.search("review") == []
        assert management in app.view.search("blocked")
        assert "Details loading" in text_of(app, "#header-status")
        app.main.jump_to(demo.accounts["northwind-prod"])
        await pilot.pause()
        detail = detail_text(app)
        assert "READING" in detail and "Details loading" in detail
        assert "READY" not in detail
        # The table says the same, in the same column.
        await pilot.press("t")
        await until(pilot, lambda: app.main.showing_table)
        cells = {app.main.table.model.cells(a)[0] for a in app.main.table.rows}
        assert cells <= {"reading", "blocked"} and "reading" in cells
        held.release.set()
        await wait_loaded(pilot, app)
        assert not app.view.reading
        cells = {app.main.table.model.cells(a)[0] for a in app.main.table.rows}
        assert "reading" not in cells and "ready" in cells
        assert "Details loading" not in text_of(app, "#header-status")


async def test_details_that_fail_leave_question_marks_not_reading(make_app, monkeypatch):
    def refused(self, snap, only=None):
        raise OrgtuiError("Tags could not be read.", "Grant organizations:ListTagsForResource.")

    monkeypatch.setattr(Loader, "enrich", refused)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.load_status.incomplete and not app.view.reading
        badges = set(_badges(app).values())
        assert "reading" not in badges
        assert app.view.search("ready")  # read but incomplete: `ready?` accounts match
        assert badges & {"ready?", "review?"} and badges <= {"ready?", "review?", "blocked"}
        assert "Details loading" not in text_of(app, "#header-status")


async def test_removal_before_the_details_arrive_checks_the_account_live(
    make_app, demo, monkeypatch
):
    held = hold(monkeypatch, Loader, "enrich")
    app = make_app()
    target = demo.accounts["northwind-prod"]  # tagged: the live check reads its tags
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.view is not None and held.entered.is_set())
        assert not app.view.snapshot.tags_of(target)  # not read yet by the load
        app.main.jump_to(target)
        await pilot.press("r")
        await until(
            pilot, lambda: isinstance(app.screen, RemovalScreen) and app.screen.checks is not None
        )
        dialog = app.screen
        check = dialog.checks[target]
        assert check.error is None and check.tags  # read live, by the dialog itself
        words = plain(dialog.query_one("#removal-accounts", Static).content, width=200)
        assert "checked live" in words
        assert "details are still loading" in words and "not read yet" in words
        assert "divest" in words  # the tags AWS deletes, from the live read
        summary = plain(dialog.query_one("#removal-summary").render(), width=200)
        assert "READY?" in summary or "REVIEW?" in summary
        assert "Details still loading" in summary
        await pilot.press("escape")
        held.release.set()
        await wait_loaded(pilot, app)


async def test_deregister_waits_for_the_details(make_app, demo, monkeypatch):
    held = hold(monkeypatch, Loader, "enrich")
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: app.view is not None and held.entered.is_set())
        app.main.jump_to(demo.accounts["security-tooling"])
        await pilot.press("d")
        await pilot.pause()
        assert any("still being read" in n.message for n in app._notifications)
        held.release.set()
        await wait_loaded(pilot, app)


async def test_a_refresh_keeps_the_cached_view_until_details_land_or_fail(make_app, monkeypatch):
    """On a refresh the cached picture stays while the details are read (the structure's
    own view is not built: nothing would show it); if the details then fail, the structure
    as read replaces it, with `ready?` / `review?`, not the stale verdicts."""
    from orgtui import files
    from orgtui.ui import app as app_mod
    from tests.ui.conftest import demo_context

    cached = Loader(demo_context()).load()
    monkeypatch.setattr(files, "load_snapshot", lambda key, problems=None: cached)
    monkeypatch.setattr(files, "save_snapshot", lambda key, snap: None)
    entered, release = threading.Event(), threading.Event()

    def refused(self, snap, only=None):
        entered.set()
        release.wait(10)
        raise OrgtuiError("Tags could not be read.", "Grant organizations:ListTagsForResource.")

    monkeypatch.setattr(Loader, "enrich", refused)
    structures: list[object] = []
    real = app_mod.OrgApp.on_structure_loaded

    def seen(self, message):
        structures.append(message.view)
        real(self, message)

    monkeypatch.setattr(app_mod.OrgApp, "on_structure_loaded", seen)
    app = make_app(cache_key="k1", use_cache=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: bool(structures) and entered.is_set())
        assert structures == [None]  # a view is on screen: none built for the structure
        assert app.snapshot.loaded_at == cached.loaded_at  # the cached picture, still
        assert "stale (cached " in text_of(app, "#header-status")
        release.set()
        await wait_loaded(pilot, app)
        assert app.load_status.incomplete and not app.view.reading
        assert app.snapshot.loaded_at != cached.loaded_at  # the structure as read now
        badges = set(_badges(app).values())
        assert badges & {"ready?", "review?"} and badges <= {"ready?", "review?", "blocked"}
