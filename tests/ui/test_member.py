"""Member mode: a member account sees the organization and its own account only."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from orgtui.backend import Services
from orgtui.model import Account, Caller, Organization, Root, Snapshot, frozen_map
from orgtui.session.view import OrgView
from orgtui.ui.app import OrgApp
from orgtui.ui.screens.attest import AttestScreen
from orgtui.ui.screens.deregister import DeregisterScreen
from orgtui.ui.widgets.detail import account_detail, root_detail
from orgtui.ui.widgets.org_tree import OrgTree
from tests.conftest import DEMO_NOW
from tests.ui.conftest import SIZE, demo_context, notices, plain, text_of, until, wait_loaded


def member_snapshot() -> Snapshot:
    org = Organization("o-member", "arn:org", "111111111111", "mgmt@example.com", "ALL")
    root = Root(org.id, f"Organization {org.id}", org.arn)
    me = Account("222222222222", "This account", "", "", "ACTIVE", "UNKNOWN", None, root.id)
    return Snapshot(
        organization=org,
        caller=Caller(me.id, f"arn:aws:sts::{me.id}:assumed-role/x/y"),
        roots=(root,),
        ous=frozen_map(),
        accounts=frozen_map({me.id: me}),
        child_ous=frozen_map({root.id: ()}),
        child_accounts=frozen_map({root.id: (me.id,)}),
        loaded_at=DEMO_NOW,
        member_mode=True,
        enriched=True,
    )


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OrgTree(id="tree")


async def test_member_sees_the_organization_and_its_account():
    view = OrgView(member_snapshot(), DEMO_NOW)
    app = TreeApp()
    async with app.run_test(size=(100, 20)) as pilot:
        tree = app.query_one(OrgTree)
        tree.show(view, keep_state=False)
        await pilot.pause()
        assert [n.data.id for n in tree.root.children] == ["222222222222"]
        # The root is named after the organization already: its id is not repeated.
        root_label = tree.render_label(tree.root, tree.rich_style, tree.rich_style).plain
        assert root_label.count("o-member") == 1
    root_text = plain(root_detail(view, "o-member"))
    assert "member account" in root_text and "o-member" in root_text
    assert "111111111111" in root_text
    assert "This account" in plain(account_detail(view, "222222222222"))


@pytest.mark.parametrize(
    ("key", "screen", "operation"),
    [
        ("v", AttestScreen, "TagResource"),
        ("d", DeregisterScreen, "DeregisterDelegatedAdministrator"),
    ],
)
async def test_member_is_told_a_write_needs_the_management_account(
    isolated_env, key, screen, operation
):
    from orgtui import demo as demo_mod

    running = demo_mod.start(now=DEMO_NOW, member="contoso-web")
    try:
        app = OrgApp(Services(demo_context()), demo=True, clock=lambda: DEMO_NOW)
        async with app.run_test(size=SIZE) as pilot:
            await wait_loaded(pilot, app)
            app.main.jump_to(running.caller_account_id)
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, screen)
            assert "needs the management account" in notices(app)[-1]
            assert operation in notices(app)[-1]
        assert app.services.stats.calls[operation] == 0
    finally:
        running.stop()


async def test_member_r_is_leave_and_the_header_follows_the_leave(isolated_env):
    from orgtui import demo as demo_mod
    from orgtui.ui.screens.removal import RemovalScreen

    running = demo_mod.start(now=DEMO_NOW, member="fabrikam-dev")
    try:
        app = OrgApp(Services(demo_context()), demo=True, clock=lambda: DEMO_NOW)
        async with app.run_test(size=SIZE) as pilot:
            await wait_loaded(pilot, app)
            me = running.caller_account_id
            org_id = app.view.snapshot.organization.id
            footer = {
                k: b.binding.description
                for k, b in app.screen.active_bindings.items()
                if b.binding.show and b.enabled
            }
            assert footer.get("r") == "Leave"
            app.main.jump_to(me)
            await pilot.press("r")
            await until(
                pilot,
                lambda: isinstance(app.screen, RemovalScreen) and app.screen.checks is not None,
            )
            dialog = app.screen
            assert isinstance(dialog, RemovalScreen)
            said = plain(dialog.query_one("#removal-accounts").content, width=110)
            said += plain(dialog.query_one("#removal-summary").render(), width=110)
            assert "Not read" in said and "management account only" in said
            assert "No tags to lose" not in said  # they may exist: never both
            box = dialog.query_one("#removal-input")
            box.focus()
            await pilot.press(*me, "enter")
            await until(pilot, lambda: dialog.phase == "done")
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, RemovalScreen))
            header = text_of(app, "#header-org") + text_of(app, "#header-caller")
            assert f"left organization {org_id}" in header
            assert "standalone now" in header and "management " not in header
        assert app.services.stats.calls["LeaveOrganization"] == 1
    finally:
        running.stop()


def test_header_lines_fit_80_columns_without_cutting_an_id_or_a_sentence():
    from orgtui.ui.palette import Palette
    from orgtui.ui.widgets.header import caller_line, org_line

    pal = Palette.default()
    snap = member_snapshot()
    long_arn = (
        "arn:aws:sts::222222222222:assumed-role/"
        "AWSReservedSSO_AdministratorAccess_0123456789abcdef/someone@example.com"
    )
    snap = Snapshot(**{**snap.__dict__, "caller": Caller(snap.caller.account, long_arn)})
    room = 80 - 2
    line = caller_line(snap, pal, room).plain
    assert "member account" in line and line.index("member account") < line.index("arn:")
    # The note is whole (long or short form); only the ARN's tail may be cut.
    assert "member account: you see the organization and this account" in line or (
        "member account  arn:" in line
    )
    wide = caller_line(snap, pal, 300).plain
    assert "member account: you see the organization and this account" in wide
    assert wide.endswith(long_arn)
    # Line 1 at 80 columns beside the widest badge (DEMO · AUDIT read-only): ids whole.
    badge_room = 80 - len(" DEMO · AUDIT read-only ") - 2 - 2
    first = org_line(snap, badge_room).plain
    assert "o-member" in first and "111111111111" in first
    assert len(first) <= badge_room
    assert "mgmt@example.com" in org_line(snap, 200).plain
