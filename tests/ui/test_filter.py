"""The filter (`/`): live matching by name, id, email, tag and verdict; enter jumps; escape."""

from __future__ import annotations

from orgtui.ui.widgets.filter_bar import FilterInput
from orgtui.ui.widgets.org_tree import OrgTree
from tests.ui.conftest import SIZE, detail_text, settled, text_of, wait_loaded


async def _filter(pilot, text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await settled(pilot, pilot.app)


def _shown_accounts(tree: OrgTree) -> set[str]:
    return {ref.id for ref in (n.data for n in tree.nodes.values()) if ref.kind == "account"}


async def test_filter_by_name_is_live(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        await _filter(pilot, "north")
        assert isinstance(app.focused, FilterInput)
        northwind = {
            demo.accounts[n] for n in ("northwind-prod", "northwind-dev", "northwind-shared")
        }
        assert tree.matches == northwind
        # Only the matches and the OUs above them are in the tree, opened.
        assert _shown_accounts(tree) == northwind
        assert tree.nodes[demo.ous["Divesting"]].is_expanded
        assert demo.ous["Security"] not in tree.nodes
        assert 'filter "north": 3 of 40 accounts match' in text_of(app, "#status")
        await pilot.press(*"wind-d")
        await settled(pilot, app)
        assert tree.matches == {demo.accounts["northwind-dev"]}


async def test_filter_by_id_email_tag_and_verdict(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        box = app.query_one(FilterInput)
        cases = {
            demo.accounts["tailspin-prod"]: {demo.accounts["tailspin-prod"]},
            "aws+ml-dev@example.com": {demo.accounts["ml-dev"]},
            "pci=in-scope": {demo.accounts["cardvault-prod"], demo.accounts["tokenizer-prod"]},
            "env=staging": {
                demo.accounts[n] for n in ("web-staging", "payments-staging", "data-staging")
            },
        }
        await pilot.press("slash")
        for query, expected in cases.items():
            box.value = ""
            await pilot.press(*query)
            await settled(pilot, app)
            assert tree.matches == expected, query
        box.value = ""
        await pilot.press(*"blocked")
        await settled(pilot, app)
        blocked = {a for a, v in app.view.verdicts.items() if v == "blocked"}
        assert tree.matches == blocked and len(blocked) == 9
        assert demo.accounts["security-tooling"] in blocked
        box.value = "ready"
        await settled(pilot, app)
        assert tree.matches == {a for a, v in app.view.verdicts.items() if v == "ready"}
        assert demo.accounts["northwind-prod"] in tree.matches


async def test_enter_jumps_to_the_first_match_and_escape_clears(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        await _filter(pilot, "ledger")
        await pilot.press("enter")
        assert app.focused is tree
        assert tree.cursor_ref.id == demo.accounts["ledger-prod"]
        for ou in ("Workloads", "Prod", "Payments"):
            assert tree.nodes[demo.ous[ou]].is_expanded
        assert "ledger-prod" in detail_text(app)
        await pilot.press("escape")
        assert tree.matches is None
        assert not app.query_one(FilterInput).display
        assert app.main.filter_query == ""
        # Everything is back, and the cursor stayed on the account.
        assert demo.accounts["billing-reports"] in tree.nodes
        assert tree.cursor_ref.id == demo.accounts["ledger-prod"]


async def test_escape_in_the_input_clears_the_filter(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        await _filter(pilot, "sandbox")
        assert len(tree.matches) == 5
        await pilot.press("escape")
        assert tree.matches is None and app.focused is tree


async def test_no_match_says_so(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await _filter(pilot, "zzz-nothing")
        assert app.query_one(OrgTree).matches == set()
        await pilot.press("enter")
        await pilot.pause()
        assert any("No account matches" in n.message for n in app._notifications)


async def test_the_filter_bar_coming_and_going_keeps_the_trees_lines(make_app):
    """The bar takes lines from the tree: the tree is repainted, not redrawn from
    scratch (Textual's Tree forgets every line at a resize and lays the screen out
    again). Only the focus leaving it restyles it."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        height = tree.size.height
        updates = tree._updates
        await pilot.press("slash")
        await pilot.pause()
        assert tree.size.height < height
        assert tree._updates == updates + 1  # the focus went to the bar: restyled once
        assert tree.render_line(0).text.startswith("▼ Root")


def _typed_at_once(app, keys: str) -> None:
    """Keys as a fast typist or a paste sends them: all queued before the first is
    handled (Pilot.press waits for each key to be handled before the next)."""
    from textual import events

    for ch in keys:
        name = {"/": "slash", "\x1b": "escape"}.get(ch, ch)
        app.post_message(events.Key(name, ch if name == ch or ch == "/" else None))


async def test_keys_typed_at_once_after_slash_go_to_the_filter(make_app, demo):
    """`/guard` typed fast: the filter gets `guard`; no `r` reaches the tree (it would
    open the removal dialog on the account under the cursor), no `d` either."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])  # r and d would act on it
        await pilot.pause()
        screens = len(app.screen_stack)
        _typed_at_once(app, "/guard")
        await settled(pilot, app)
        assert app.query_one(FilterInput).value == "guard"
        assert len(app.screen_stack) == screens and app.screen is app.main
        assert 'filter "guard": 1 of 40 accounts match' in text_of(app, "#status")
        await pilot.press("slash")  # in the filter, `/` is typed (a tag value, a path)
        assert app.query_one(FilterInput).value == "guard/"
        assert isinstance(app.focused, FilterInput)
        # And escape then a key: the key goes to the tree again, not to the hidden bar.
        _typed_at_once(app, "\x1bj")
        await settled(pilot, app)
        assert app.focused is app.main.tree_view
        assert app.query_one(FilterInput).value == "" and app.main.filter_query == ""
