"""The whole removal flow in the app: filter, `r`, the dialog, the call, the tree after it;
bulk with a refusal; audit mode's guard below the UI; leaving as a member account."""

from __future__ import annotations

import signal

from textual.pilot import Pilot
from textual.widgets import Input, Static

from orgtui import files
from orgtui.aws.session import READ_PREFIXES, AwsContext, SessionOptions
from orgtui.backend import Services
from orgtui.errors import ReadOnlyViolation
from orgtui.ui.app import READ_ONLY_NOTICE, OrgApp
from orgtui.ui.screens.removal import RemovalScreen
from orgtui.ui.widgets.org_tree import OrgTree
from tests.conftest import DEMO_NOW
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, OuSpec, build_org
from tests.ui.conftest import (
    SIZE,
    demo_context,
    detail_text,
    hold,
    notices,
    plain,
    text_of,
    until,
    wait_loaded,
)

WRITE_OP = "RemoveAccountFromOrganization"


async def open_dialog(pilot: Pilot, app: OrgApp) -> RemovalScreen:
    await pilot.press("r")
    await until(pilot, lambda: isinstance(app.screen, RemovalScreen))
    dialog = app.screen
    assert isinstance(dialog, RemovalScreen)
    await until(pilot, lambda: dialog.checks is not None)
    return dialog


async def confirm(pilot: Pilot, dialog: RemovalScreen, typed: str) -> None:
    dialog.query_one("#removal-input", Input).focus()
    await pilot.press(*typed, "enter")
    await until(pilot, lambda: dialog.phase == "done")


def dialog_text(dialog: RemovalScreen, selector: str) -> str:
    return plain(dialog.query_one(selector, Static).content, width=110)


async def test_filter_r_type_the_id_and_it_is_gone(make_app, demo):
    app = make_app()
    target = demo.accounts["northwind-prod"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"northwind-prod", "enter")
        await pilot.pause()
        tree = app.query_one(OrgTree)
        assert tree.cursor_ref.id == target
        dialog = await open_dialog(pilot, app)
        summary = plain(dialog.query_one("#removal-summary").render(), width=110)
        assert "divest=northwind" in summary and "owner=ops@northwind.example" in summary
        await confirm(pilot, dialog, target)
        # The tree and the counts updated as soon as the outcome landed, without a reload.
        assert target not in app.snapshot.accounts and target not in tree.nodes
        main = app.screen_stack[0]
        assert "39 accounts" in plain(main.query_one("#header-status", Static).content)
        await pilot.press("enter")  # Close
        await pilot.pause()
        assert not isinstance(app.screen, RemovalScreen)
        assert "39 accounts" in text_of(app, "#header-status")
        assert any("1 account left the organization" in n for n in notices(app))
    ids = {a["Id"] for a in demo_context().org.list_accounts()["Accounts"]}
    assert target not in ids
    assert [r["event"] for r in files.read_audit()] == ["remove-started", "remove-ok"]
    [backup] = list(files.tag_backup_dir(app.snapshot.organization.id).glob("*.json"))
    assert backup.name.startswith(target)


async def test_bulk_with_a_refusal_in_the_middle_keeps_the_app_usable(make_app, demo):
    app = make_app()
    names = ["northwind-prod", "sandbox-carol", "northwind-dev"]
    ids = [demo.accounts[n] for n in names]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        for acc_id in ids:
            app.main.jump_to(acc_id)
            await pilot.press("space")
        assert app.main.marked == set(ids)
        dialog = await open_dialog(pilot, app)
        assert dialog.expected == "3"
        await confirm(pilot, dialog, "3")
        summary = dialog_text(dialog, "#removal-accounts")
        assert "Removed: 2" in summary and "Refused: 1" in summary
        assert "phone verification" in summary
        assert any("phone verification" in n for n in notices(app))
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RemovalScreen)
        assert ids[1] in app.snapshot.accounts
        assert ids[0] not in app.snapshot.accounts and ids[2] not in app.snapshot.accounts
        assert app.main.marked == {ids[1]}
        # Still usable: move and open the refused account's detail.
        app.main.jump_to(ids[1])
        await pilot.pause()
        assert "sandbox-carol" in detail_text(app)
    assert app.services.stats.calls[WRITE_OP] == 3


async def test_blocked_account_no_call(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["security-tooling"])
        dialog = await open_dialog(pilot, app)
        assert dialog.query_one("#removal-input", Input).disabled
        await pilot.press("escape")
        await pilot.pause()
    assert app.services.stats.calls[WRITE_OP] == 0


async def test_audit_mode_r_opens_nothing(make_app, demo):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, RemovalScreen)
        app.open_removal([demo.accounts["northwind-prod"]])  # even called directly
        await pilot.pause()
        assert not isinstance(app.screen, RemovalScreen)
        assert notices(app)[-1] == READ_ONLY_NOTICE


async def test_audit_mode_guard_below_the_ui_sends_no_write(aws_credentials):
    """A UI bug that pushed the dialog in audit mode still sends nothing but reads."""
    with FaultServer() as server:
        built = build_org(
            server.client("organizations"),
            (
                OuSpec(
                    "Out",
                    (
                        AccountSpec(
                            "leaving", tags={"k": "v"}, joined_method="INVITED", joined_days_ago=400
                        ),
                    ),
                ),
            ),
        )
        ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=("testing", "testing", None),
                read_only=True,
            )
        )
        app = OrgApp(Services(ctx), read_only=True, clock=lambda: DEMO_NOW)
        target = built.accounts["leaving"]
        async with app.run_test(size=SIZE) as pilot:
            await wait_loaded(pilot, app)
            dialog = RemovalScreen(
                Services(ctx),
                app.snapshot,
                [target],
                clock=app.clock,
                on_outcome=app._removal_outcome,
            )
            app.push_screen(dialog)
            await until(pilot, lambda: dialog.checks is not None)
            await confirm(pilot, dialog, target)
            [outcome] = dialog.outcomes
            assert isinstance(outcome.error, ReadOnlyViolation) and not outcome.sent
            assert "read-only" in dialog_text(dialog, "#removal-accounts")
            assert target in app.snapshot.accounts
        writes = {
            op: n
            for op, n in server.counts.items()
            if not op.startswith(READ_PREFIXES) and not op.startswith("/")
        }
        assert writes == {}
        assert server.counts["DescribeAccount"] >= 1


async def test_member_leaves_with_r_on_its_own_account(isolated_env):
    from orgtui import demo as demo_mod
    from tests.ui.conftest import demo_context

    running = demo_mod.start(now=DEMO_NOW, member="contoso-web")
    try:
        app = OrgApp(Services(demo_context()), demo=True, clock=lambda: DEMO_NOW)
        me = running.accounts["contoso-web"]
        async with app.run_test(size=SIZE) as pilot:
            await wait_loaded(pilot, app)
            assert app.snapshot.member_mode
            app.main.jump_to(me)
            dialog = await open_dialog(pilot, app)
            assert dialog.leave
            assert "Leave the organization" in dialog_text(dialog, "#removal-title")
            await confirm(pilot, dialog, me)
            assert "Left: 1" in dialog_text(dialog, "#removal-accounts")
            assert me not in app.snapshot.accounts
        assert app.services.stats.calls["LeaveOrganization"] == 1
        assert [r["event"] for r in files.read_audit()] == ["leave-started", "leave-ok"]
    finally:
        running.stop()


async def test_member_cannot_remove_other_accounts(isolated_env):
    from orgtui import demo as demo_mod
    from tests.ui.conftest import demo_context

    running = demo_mod.start(now=DEMO_NOW, member="northwind-dev")
    try:
        app = OrgApp(Services(demo_context()), demo=True, clock=lambda: DEMO_NOW)
        async with app.run_test(size=SIZE) as pilot:
            await wait_loaded(pilot, app)
            app.open_removal([running.accounts["northwind-prod"]])
            await pilot.pause()
            assert not isinstance(app.screen, RemovalScreen)
    finally:
        running.stop()


async def test_terminal_closing_mid_bulk_finishes_the_account_in_flight_and_stops(
    make_app, demo, monkeypatch
):
    """SIGHUP during a bulk removal: the account in flight is finished and logged, the
    rest are not started (and the log says so), then the app exits."""
    from orgtui.aws import removal

    names = ["northwind-prod", "northwind-dev", "contoso-web"]
    ids = [demo.accounts[n] for n in names]
    held = hold(monkeypatch, removal, "_act")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        for acc_id in ids:
            app.main.jump_to(acc_id)
            await pilot.pause()
            await pilot.press("space")
        dialog = await open_dialog(pilot, app)
        ids = list(dialog.account_ids)  # in tree order, as they will be removed
        assert sorted(ids) == sorted(demo.accounts[n] for n in names)
        dialog.query_one("#removal-input", Input).focus()
        await pilot.press(*str(len(ids)), "enter")
        await until(pilot, held.entered.is_set)
        app.on_signal(signal.SIGHUP)  # what the SIGHUP handler calls
        assert app.is_running  # not while an account is in flight
        held.release.set()
        await until(pilot, lambda: not app.is_running)
    events = [(r["event"], r.get("account_id")) for r in files.read_audit()]
    assert events[:2] == [("remove-started", ids[0]), ("remove-ok", ids[0])]
    assert events[2][0] == "remove-stopped"
    assert files.read_audit()[2]["not_attempted"] == ids[1:]
    assert len(events) == 3
    assert app.services.ended  # the session ended: its context makes no call
    remaining = {a["Id"] for a in demo_context().org.list_accounts()["Accounts"]}
    assert ids[0] not in remaining and set(ids[1:]) <= remaining


async def test_terminal_closing_when_idle_exits_at_once(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.on_signal(signal.SIGHUP)
        await until(pilot, lambda: not app.is_running)
    assert files.read_audit() == []
