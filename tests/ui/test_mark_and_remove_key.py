"""Marking with space, the `r` key in live and audit sessions, and apply_removal."""

from __future__ import annotations

from orgtui.ui.app import READ_ONLY_NOTICE
from orgtui.ui.screens.removal import RemovalScreen
from orgtui.ui.widgets.org_tree import OrgTree
from tests.ui.conftest import SIZE, text_of, until, wait_loaded


async def test_space_marks_moves_down_and_unmarks(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        target = demo.accounts["northwind-dev"]
        app.main.jump_to(target)
        await pilot.press("space")
        assert app.main.marked == {target}
        assert "1 marked" in text_of(app, "#status")
        label = tree.render_label(tree.nodes[target], tree.rich_style, tree.rich_style).plain
        assert label.startswith("✔ ready   northwind-dev")
        # The cursor moved down, as in file managers: space again marks the next one.
        assert tree.cursor_ref.id != target
        await pilot.press("k", "space")
        assert app.main.marked == set()
        assert "marked" not in text_of(app, "#status")


async def test_r_opens_removal_for_the_marked_or_the_cursor(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)

        async def removal_of() -> list[str]:
            await until(pilot, lambda: isinstance(app.screen, RemovalScreen))
            dialog = app.screen
            assert isinstance(dialog, RemovalScreen)
            ids = list(dialog.account_ids)
            await pilot.press("escape")  # Cancel: nothing is sent
            await until(pilot, lambda: not isinstance(app.screen, RemovalScreen))
            return ids

        app.main.jump_to(demo.accounts["northwind-shared"])
        await pilot.press("r")
        assert await removal_of() == [demo.accounts["northwind-shared"]]
        await pilot.press("space")
        app.main.jump_to(demo.accounts["northwind-dev"])
        await pilot.press("space", "r")
        assert sorted(await removal_of()) == sorted(
            [demo.accounts["northwind-shared"], demo.accounts["northwind-dev"]]
        )
        assert app.services.stats.calls["RemoveAccountFromOrganization"] == 0
        footer_keys = {
            k: b.binding.id
            for k, b in app.screen.active_bindings.items()
            if b.binding.show and b.enabled
        }
        assert footer_keys.get("r") == "remove"


async def test_audit_r_says_read_only_and_is_not_in_the_footer(make_app, demo):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, RemovalScreen)
        assert [n.message for n in app._notifications][-1] == READ_ONLY_NOTICE
        shown = [
            b.binding.id
            for b in app.screen.active_bindings.values()
            if b.binding.show and b.enabled
        ]
        assert "remove" not in shown


async def test_audit_space_and_a_say_marks_are_for_writes(make_app, demo):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        for key in ("space", "A"):
            before = len(app._notifications)
            await pilot.press(key)
            await pilot.pause()
            assert len(app._notifications) == before + 1, key
            message = [n.message for n in app._notifications][-1]
            assert "read-only" in message and "marks choose accounts for a write" in message
            assert app.main.marked == set()
        await pilot.press("t")  # the table too
        await pilot.pause()
        before = len(app._notifications)
        await pilot.press("space")
        await pilot.pause()
        assert len(app._notifications) == before + 1
        shown = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.show}
        assert not shown & {"mark", "mark-all", "mark-read-only", "mark-all-read-only"}


async def test_apply_removal_updates_tree_counts_and_marks(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        gone = demo.accounts["northwind-dev"]
        app.main.jump_to(gone)
        await pilot.press("space")
        # a reload starts with ListRoots (the cursor's recovery reads are not one)
        roots = app.services.stats.calls["ListRoots"]
        app.apply_removal(gone)
        await pilot.pause()
        assert gone not in app.snapshot.accounts and gone not in tree.nodes
        assert app.main.marked == set()
        assert app.view.counts_of(demo.ous["Divesting"]).total == 3
        divesting = tree.render_label(
            tree.nodes[demo.ous["Divesting"]], tree.rich_style, tree.rich_style
        ).plain
        assert "3 accounts" in divesting
        assert "39 accounts" in text_of(app, "#header-status")
        assert tree.cursor_ref is not None and tree.cursor_ref.id != gone
        assert app.services.stats.calls["ListRoots"] == roots  # no reload
