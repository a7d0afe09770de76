"""`c` closes and `m` moves, on the demo: the close dialog says that closing is final and
what is left of the close quota, is blocked for the management account and a delegated
administrator (no prompt), confirms on the typed id, logs close-started/close-ok and shows
the account PENDING_CLOSURE without a reload; `m` picks an OU from a filterable list
(paths, the current parent left out), moves on enter, logs move-started/move-ok and puts
the account under its new parent in the tree; audit mode refuses both in words."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from orgtui import files
from orgtui.ui.app import OrgApp
from orgtui.ui.screens.close import CloseScreen
from orgtui.ui.screens.move import MoveScreen
from orgtui.ui.widgets.org_tree import OrgTree
from tests.ui.conftest import SIZE, notices, plain, until, wait_loaded


def flat(text: str) -> str:
    return " ".join(text.split())


def label(app: OrgApp, account_id: str) -> str:
    tree = app.query_one(OrgTree)
    return tree.render_label(tree.nodes[account_id], tree.rich_style, tree.rich_style).plain


def dialog_text(dialog: CloseScreen) -> str:
    top = plain(dialog.query_one("#close-summary").render(), width=110)
    body = plain(dialog.query_one("#close-accounts", Static).content, width=110)
    check = plain(dialog.query_one("#close-check", Static).content, width=110)
    return flat(f"{top} {body} {check}")


async def open_close(pilot: Pilot, app: OrgApp, account_id: str) -> CloseScreen:
    app.main.jump_to(account_id)
    await pilot.pause()
    await pilot.press("c")
    await until(pilot, lambda: isinstance(app.screen, CloseScreen))
    dialog = app.screen
    assert isinstance(dialog, CloseScreen)
    await until(pilot, lambda: dialog.checks is not None)
    return dialog


def ou_named(app: OrgApp, name: str) -> str:
    assert app.snapshot is not None
    return next(o for o, ou in app.snapshot.ous.items() if ou.name == name)


async def test_c_closes_one_account_and_the_tree_shows_it_pending(make_app, demo):
    app = make_app()
    target = demo.accounts["northwind-dev"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        loads = app.services.stats.calls["ListAccountsForParent"]
        dialog = await open_close(pilot, app, target)
        text = dialog_text(dialog)
        assert "closures left in the rolling 30 days (estimate): 249 of 250" in text
        assert "resources are deleted after 90 days" in text
        assert "only AWS Support can reopen it, and only within those 90 days" in text
        assert "Bills for what it used may still arrive" in text
        assert "A linked GovCloud account closes too" in text
        assert f"Type {target} and press enter to close" in text
        assert app.services.stats.calls["CloseAccount"] == 0
        dialog.query_one("#close-input", Input).focus()
        await pilot.press(*target, "enter")
        await until(pilot, lambda: dialog.phase == "done")
        assert "1 closed" in dialog_text(dialog)
        assert app.services.stats.calls["CloseAccount"] == 1
        # The view follows the outcome: no reload.
        assert app.snapshot.accounts[target].state == "PENDING_CLOSURE"
        assert "PENDING_CLOSURE" in label(app, target)
        assert app.services.stats.calls["ListAccountsForParent"] == loads
        await pilot.press("escape")
        await pilot.pause()
        assert "1 account closed." in notices(app)[-1]
    log = files.read_audit()
    assert [r["event"] for r in log] == ["close-started", "close-ok"]
    assert log[0]["account_id"] == target and log[0]["operation"] == "CloseAccount"


async def test_the_management_account_and_a_delegated_admin_are_blocked(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        for account_id, code in (
            (demo.management_account_id, "MANAGEMENT_ACCOUNT"),
            (demo.accounts["security-tooling"], "DELEGATED_ADMIN"),
        ):
            dialog = await open_close(pilot, app, account_id)
            text = dialog_text(dialog)
            assert code in text and "Blocked:" in text
            assert not dialog.query_one("#close-confirm").display  # no prompt at all
            assert not dialog.can_confirm
            await pilot.press(*account_id, "enter")
            await pilot.pause()
            assert dialog.phase == "confirm"
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, CloseScreen))
        assert app.services.stats.calls["CloseAccount"] == 0
    assert files.read_audit() == []


async def test_an_account_already_closing_is_blocked(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        dialog = await open_close(pilot, app, demo.accounts["old-events"])
        assert "ALREADY_CLOSING" in dialog_text(dialog)
        assert not dialog.can_confirm


async def test_a_close_past_the_quota_offers_no_prompt(make_app, demo, monkeypatch):
    from orgtui.aws import close

    monkeypatch.setattr(close, "quota_limit", lambda members: 1)  # old-events uses it
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        dialog = await open_close(pilot, app, demo.accounts["northwind-dev"])
        text = dialog_text(dialog)
        assert "closures left in the rolling 30 days (estimate): 0 of 1" in text
        assert "Blocked by the close quota" in text
        assert not dialog.query_one("#close-confirm").display


async def test_audit_mode_refuses_c_and_m_in_words(make_app, demo):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-dev"])
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert not isinstance(app.screen, CloseScreen)
        assert "read-only (orgtui audit): nothing can be closed" in notices(app)[-1]
        await pilot.press("m")
        await pilot.pause()
        assert not isinstance(app.screen, MoveScreen)
        assert "read-only (orgtui audit): nothing can be moved" in notices(app)[-1]
        assert app.services.stats.calls["CloseAccount"] == 0
        assert app.services.stats.calls["MoveAccount"] == 0
    assert files.read_audit() == []


async def test_m_moves_an_account_to_suspended_without_a_reload(make_app, demo):
    app = make_app()
    target = demo.accounts["northwind-dev"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        suspended = ou_named(app, "Suspended")
        before = app.snapshot.accounts[target].parent_id
        total = app.view.counts_of(suspended).total
        was = app.view.counts_of(before).total
        loads = app.services.stats.calls["ListAccountsForParent"]
        app.main.jump_to(target)
        await pilot.pause()
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MoveScreen))
        picker = app.screen
        options = picker.query_one(OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "Root / Workloads / Prod" in shown
        # The current parent is not offered.
        assert before not in [options.get_option_at_index(i).id for i in range(len(shown))]
        await pilot.press(*"suspend")
        await pilot.pause()
        assert options.option_count == 1
        assert str(options.get_option_at_index(0).prompt) == "Root / Suspended"
        await pilot.press("enter")
        await until(pilot, lambda: app.snapshot.accounts[target].parent_id == suspended)
        await until(pilot, lambda: "moved to Suspended" in (notices(app) or [""])[-1])
        assert "1 account moved to Suspended." in notices(app)[-1]
        assert app.services.stats.calls["MoveAccount"] == 1
        # The tree, the counts and the inherited policies follow, without a reload.
        tree = app.query_one(OrgTree)
        assert tree.nodes[target].parent is tree.nodes[suspended]
        assert app.view.counts_of(suspended).total == total + 1
        assert app.view.counts_of(before).total == was - 1
        assert app.main.cursor_account() == target  # the cursor followed it
        attached = {p.attached_to for p in app.snapshot.applied_policies(target)}
        assert suspended in attached and before not in attached
        assert app.services.stats.calls["ListAccountsForParent"] == loads
    log = files.read_audit()
    assert [r["event"] for r in log] == ["move-started", "move-ok"]
    assert log[0]["account_id"] == target and log[0]["target"] == suspended


async def test_escape_in_the_picker_moves_nothing(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-dev"])
        await pilot.pause()
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MoveScreen))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, MoveScreen))
        assert app.services.stats.calls["MoveAccount"] == 0
    assert files.read_audit() == []


async def test_a_bulk_close_stops_at_the_quota_and_says_how_many(make_app, demo, monkeypatch):
    from orgtui.aws import close
    from orgtui.write_model import Outcome

    real = close.close_one
    names = ["northwind-dev", "northwind-shared", "billing-reports"]
    ids = [demo.accounts[n] for n in names]

    def refused_second(ctx, snap, account_id, **kwargs):
        if account_id == ids[1]:  # AWS refuses for the organization's quota
            return Outcome(
                account_id,
                "northwind-shared",
                "refused",
                "not closed: the organization's close quota is used up",
                "wait",
                sent=True,
                code="ConstraintViolationException",
                reason="CLOSE_ACCOUNT_QUOTA_EXCEEDED",
            )
        return real(ctx, snap, account_id, **kwargs)

    monkeypatch.setattr(close, "close_one", refused_second)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.set_marks(ids, True)
        dialog = await open_close(pilot, app, ids[-1])
        assert "Type 3 and press enter to close" in dialog_text(dialog)
        dialog.query_one("#close-input", Input).focus()
        await pilot.press("3", "enter")
        await until(pilot, lambda: dialog.phase == "done")
        assert "1 closed; stopped at the quota: 1 not attempted" in dialog_text(dialog)
        assert app.snapshot.accounts[ids[0]].state == "PENDING_CLOSURE"
        assert app.snapshot.accounts[ids[2]].state == "ACTIVE"
