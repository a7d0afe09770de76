"""Smaller things a newcomer met: no horizontal scrollbar with nothing to scroll, the
hanging indent of findings, the first load not called a reload, notices clear of the
dialog's Close button."""

from __future__ import annotations

from orgtui.aws.loader import Loader
from orgtui.ui.screens.removal import RemovalScreen
from orgtui.ui.widgets.detail import account_detail
from orgtui.ui.widgets.org_tree import OrgTree
from tests.ui.conftest import SIZE, hold, plain, text_of, until, wait_loaded


async def test_no_horizontal_scrollbar_in_the_tree_when_everything_fits(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        for name in ("cardvault-prod", "contoso-legacy", "sandbox-carol"):
            app.main.jump_to(demo.accounts[name])
        await pilot.pause()
        assert tree.virtual_size.width <= tree.scrollable_content_region.width
        assert not tree.show_horizontal_scrollbar


async def test_findings_keep_their_hanging_indent(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        text = plain(account_detail(app.view, demo.accounts["tailspin-prod"]), width=40)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "WARNING STANDALONE_UNVERIFIED" in line)
    body = []
    for line in lines[start + 1 :]:
        if not line.strip() or not line.startswith(" "):
            break
        body.append(line)
    assert len(body) > 4  # the message and the fix wrap over several lines...
    assert all(line.startswith("  ") for line in body)  # ...each under the first


async def test_the_first_load_is_not_called_a_reload(make_app, monkeypatch):
    held = hold(monkeypatch, Loader, "enrich")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.view is not None and held.entered.is_set())
        status = text_of(app, "#header-status")
        # The details and the impact checks are read side by side: either may be named.
        assert status.startswith("Details loading: reading")  # cold start: no cache
        assert "Reloading" not in status
        held.release.set()
        await wait_loaded(pilot, app)
        held.release.clear()
        held.entered.clear()
        await pilot.press("ctrl+r")
        await until(pilot, held.entered.is_set)
        assert "Reloading" in text_of(app, "#header-status")
        held.release.set()
        await wait_loaded(pilot, app)


async def test_a_notice_does_not_cover_the_close_button(make_app, demo):
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        target = demo.accounts["sandbox-carol"]  # AWS refuses it (phone verification)
        app.main.jump_to(target)
        await pilot.press("r")
        await until(
            pilot, lambda: isinstance(app.screen, RemovalScreen) and app.screen.checks is not None
        )
        dialog = app.screen
        await pilot.press(*target, "enter")
        await until(pilot, lambda: dialog.phase == "done")
        await until(pilot, lambda: bool(app.screen.query("Toast")))
        close = dialog.query_one("#removal-close").region
        for toast in app.screen.query("Toast"):
            assert not close.overlaps(toast.region)


async def test_an_account_whose_tags_could_not_be_read_says_so(make_app, demo):
    from dataclasses import replace

    from orgtui.session.view import OrgView

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        bob = demo.accounts["sandbox-bob"]
        note = "Its tags could not be read: AWS answered TargetNotFoundException\x1b[2J."
        snap = replace(app.snapshot, account_notes={bob: (note,)})
        view = OrgView(snap, app.clock())
        text = plain(account_detail(view, bob), width=200)
        assert "Its tags could not be read: AWS answered TargetNotFoundException" in text
        assert "\x1b" not in text
        other = plain(account_detail(view, demo.accounts["tailspin-prod"]), width=200)
        assert "could not be read" not in other


async def test_the_collector_is_given_back_as_it_was_at_exit(make_app):
    """While the session runs: `collector.THRESHOLDS`, and what a shown view holds
    frozen; at exit, Python's thresholds again and nothing frozen."""
    import gc

    from orgtui.collector import THRESHOLDS

    before = gc.get_threshold()
    assert before != THRESHOLDS
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert gc.get_freeze_count() > 0  # frozen once the view was shown
        assert gc.get_threshold() == THRESHOLDS
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


async def test_header_keeps_the_management_account_id_at_80_columns_in_audit_mode(make_app, demo):
    app = make_app(read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        line = text_of(app, "#header-org").rstrip()
        assert demo.management_account_id in line
        assert app.snapshot.organization.id in line
        # All of it shows: nothing is cut at the line's end (the ids are whole).
        assert len(line) <= app.query_one("#header-org").content_size.width
