"""Bulk work: `A` marks every account shown (and again unmarks them), space on an OU marks
every account under it, the filter's terms (finding code, delegated service, joined
method, state, OU by name or id) combine with AND, typing keeps the cursor, and audit
mode offers no marking."""

from __future__ import annotations

from orgtui.session.view import OrgView
from orgtui.ui.screens.removal import RemovalScreen
from orgtui.ui.widgets.filter_bar import PLACEHOLDER, FilterInput
from orgtui.ui.widgets.footer import KeyBar
from orgtui.ui.widgets.org_tree import OrgTree
from tests.ui.conftest import SIZE, settled, text_of, until, wait_loaded


def shown_bindings(app) -> dict[str, str]:
    return {
        b.binding.key: b.binding.id
        for b in app.screen.active_bindings.values()
        if b.binding.show and b.enabled
    }


async def test_A_marks_every_match_and_r_opens_one_dialog_with_exactly_them(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"divest=northwind", "enter")
        expected = {demo.accounts[n] for n in ("northwind-prod", "northwind-dev")}
        await pilot.press("A")
        assert app.main.marked == expected
        assert "2 marked" in text_of(app, "#status")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RemovalScreen))
        assert set(app.screen.account_ids) == expected
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("A")  # every shown account marked: A unmarks them
        assert app.main.marked == set()


async def test_A_without_a_filter_marks_every_account(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("A")
        assert app.main.marked == set(app.snapshot.accounts)
        assert "40 marked" in text_of(app, "#status")


async def test_space_on_an_ou_marks_every_account_under_it(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        workloads = demo.ous["Workloads"]
        tree.move_cursor(tree.nodes[workloads])
        await pilot.press("space")
        under = {a.id for a in app.snapshot.iter_accounts_under(workloads)}
        assert len(under) == 14 and app.main.marked == under
        assert tree.cursor_ref.id != workloads  # moved down
        tree.move_cursor(tree.nodes[workloads])
        await pilot.press("space")  # all marked: unmarks them
        assert app.main.marked == set()
        # With a filter, only the accounts shown under it.
        await pilot.press("slash", *"staging", "enter")
        tree.move_cursor(tree.nodes[workloads])
        await pilot.press("space")
        assert app.main.marked == {
            demo.accounts[n] for n in ("web-staging", "payments-staging", "data-staging")
        }


async def test_audit_mode_offers_no_marking(make_app, demo):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        await pilot.pause()
        shown = shown_bindings(app)
        assert "space" not in shown and "A" not in shown
        await pilot.press("space", "A")
        assert app.main.marked == set()
        assert "space marks" not in text_of(app, "#status")
        await pilot.press("t")
        assert "space" not in shown_bindings(app)


def test_filter_terms(demo):
    from orgtui.aws.loader import Loader
    from tests.conftest import DEMO_NOW
    from tests.ui.conftest import demo_context

    view = OrgView(Loader(demo_context()).load(), DEMO_NOW)
    snap = view.snapshot
    ids = demo.accounts

    def found(query: str) -> set[str]:
        return set(view.search(query))

    admins = {a for a in snap.accounts if snap.delegated_services_of(a)}
    assert admins and found("DELEGATED_ADMIN") == admins == found("delegated_admin")
    guardduty = {a for a in admins if "guardduty.amazonaws.com" in snap.delegated_services_of(a)}
    assert found("guardduty") == guardduty == found("guardduty.amazonaws.com")
    assert ids["security-tooling"] in guardduty
    assert found("invited") == {
        a for a, acc in snap.accounts.items() if acc.joined_method == "INVITED"
    }
    assert found("created") == {
        a for a, acc in snap.accounts.items() if acc.joined_method == "CREATED"
    }
    assert (
        found("suspended")
        == {a for a, acc in snap.accounts.items() if acc.state == "SUSPENDED"}
        != set()
    )
    # ou:NAME at any depth (Prod holds Payments, which holds PCI); an OU id too.
    prod = demo.ous["Prod"]
    under_prod = {a.id for a in snap.iter_accounts_under(prod)}
    assert found("ou:Prod") == under_prod == found("ou:prod") == found(prod)
    assert ids["cardvault-prod"] in under_prod  # in PCI, two levels down
    assert found(prod[:-3]) >= under_prod  # a prefix while the id is typed
    assert found("ou:NoSuchOU") == set()
    # Terms combine (AND).
    assert found("ou:Workloads review") == {
        a
        for a in snap.iter_accounts_under(demo.ous["Workloads"])
        for a in [a.id]
        if view.verdict(a) == "review"
    }
    assert found("created suspended") == found("created") & found("suspended")
    assert found("DELEGATED_ADMIN ou:Security") == {ids["security-tooling"]} | (
        admins & {a.id for a in snap.iter_accounts_under(demo.ous["Security"])}
    )


async def test_typing_keeps_the_cursor_and_never_goes_back_to_the_root(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        app.main.jump_to(demo.accounts["ledger-prod"])
        await pilot.press("slash", *"prod")
        await settled(pilot, app)
        assert tree.cursor_ref.id == demo.accounts["ledger-prod"]  # still shown: stays
        await pilot.press(*" ready")  # ledger-prod is to review
        await settled(pilot, app)
        # No longer shown: the first match, not the root.
        assert tree.cursor_ref.kind == "account"
        assert tree.cursor_ref.id in app.main.matches
        assert tree.cursor_ref.id == tree.first_match()


async def test_the_filter_hint_fits_the_input_at_80_columns(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash")
        box = app.query_one(FilterInput)
        assert len(PLACEHOLDER) < box.content_region.width


async def test_footer_at_80x24_keeps_help_and_quit_and_offers_open_only_on_ous(make_app, demo):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)

        def footer_keys() -> list[str]:
            """The keys of the footer entries that are fully on screen."""
            return app.main.query_one(KeyBar).visible_keys()

        await pilot.press("down")  # an OU: enter opens it
        await pilot.pause()
        assert {"question_mark", "q", "enter"} <= set(footer_keys())
        app.main.jump_to(demo.accounts["ledger-prod"])  # an account: enter does nothing
        await pilot.pause()
        keys = footer_keys()
        assert {"question_mark", "q"} <= set(keys) and "enter" not in keys
        await pilot.press("t")
        await pilot.pause()
        assert {"question_mark", "q", "s"} <= set(footer_keys())


async def test_palette_screenshot_saves_under_the_data_folder_and_says_where(make_app):
    from orgtui import files

    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"screenshot")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: any("Saved to" in n.message for n in app._notifications))
    [saved] = list(files.screenshot_dir().glob("*.svg"))
    assert saved.read_text(encoding="utf-8").startswith("<svg")
    assert oct(saved.stat().st_mode & 0o777) == "0o600"
    assert any(str(saved) in n.message for n in app._notifications)
