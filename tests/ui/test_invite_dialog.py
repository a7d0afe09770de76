"""`i` in the target organization (the demo as Woodgrove's management account): which
accounts, the plan with each account's tags and their source, the typed count, the
invitations sent under the write discipline, refusals before any call."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Static

from orgtui import demo as demo_mod
from orgtui import files
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.backend import Services
from orgtui.demo import handshakes as demo_handshakes
from orgtui.demo.target import MANAGEMENT_ID
from orgtui.ui.app import OrgApp
from orgtui.ui.screens.invite import InviteIdsScreen, InviteScreen
from tests.conftest import DEMO_NOW
from tests.ui.conftest import SIZE, notices, plain, until, wait_loaded


def demo_ctx(read_only: bool = False) -> AwsContext:
    return AwsContext(
        SessionOptions(
            region=demo_mod.DEMO_REGION, credentials=demo_mod.DEMO_CREDENTIALS, read_only=read_only
        )
    )


@pytest.fixture
def target(isolated_env) -> Any:
    """The demo as the inviting (target) organization's management account."""
    running = demo_mod.start(now=DEMO_NOW, target=True)
    yield running
    running.stop()


def handover_of(running: Any) -> files.HandOver:
    return files.read_handover(running.handover_path)


def body(dialog: InviteScreen) -> str:
    return plain(dialog.query_one("#invite-accounts", Static).content, width=110)


async def open_plan(pilot: Any, app: OrgApp, typed: str) -> InviteScreen:
    await until(pilot, lambda: isinstance(app.screen, InviteIdsScreen))
    box = app.screen.query_one("#invite-ids", Input)
    box.value = typed
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, InviteScreen))
    dialog = app.screen
    assert isinstance(dialog, InviteScreen)
    return dialog


async def test_the_hand_over_opens_the_dialog_and_each_invitation_carries_its_tags(target):
    account = target.accounts["fabrikam-main"]
    app = OrgApp(
        Services(demo_ctx()), demo=True, clock=lambda: DEMO_NOW, handover=handover_of(target)
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        # --invite-from: the ids dialog opens by itself, the report's ids filled in.
        await until(pilot, lambda: isinstance(app.screen, InviteIdsScreen))
        filled = app.screen.query_one("#invite-ids", Input).value
        assert account in filled.split()
        dialog = await open_plan(pilot, app, account)
        shown = body(dialog)
        assert "2 tags from the hand-over report" in shown
        assert "acquired = 2026-02" in shown and "team = fabrikam" in shown
        assert app.services.stats.calls["InviteAccountToOrganization"] == 0
        await pilot.press(*account, "enter")
        await until(pilot, lambda: dialog.phase == "done")
        [outcome] = dialog.outcomes
        assert outcome.status == "done" and outcome.sent, outcome
        assert demo_handshakes.handshakes()[outcome.target].tags == {
            "acquired": "2026-02",
            "team": "fabrikam",
        }
        assert "Sent: 1" in body(dialog)
        events = [r["event"] for r in files.read_audit()]
        assert events == ["invite-started", "invite-ok"]
        await pilot.press("enter")  # Close
        await until(pilot, lambda: not isinstance(app.screen, InviteScreen))
        assert any("1 account invited" in n for n in notices(app))


async def test_an_account_of_this_organization_is_refused_before_any_call(target):
    app = OrgApp(Services(demo_ctx()), demo=True, clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("i")
        dialog = await open_plan(pilot, app, f"{MANAGEMENT_ID} not-an-id")
        assert any("left out: not-an-id" in n for n in notices(app))
        assert "✘" in body(dialog) and dialog.account_ids == []
        check = plain(dialog.query_one("#invite-check", Static).content, width=110)
        assert "Nothing can be sent" in check
        assert not dialog.query_one("#invite-confirm").display  # no prompt to confirm
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, InviteScreen))
        assert app.services.stats.calls["InviteAccountToOrganization"] == 0


async def test_escape_in_the_ids_dialog_sends_nothing(target):
    app = OrgApp(Services(demo_ctx()), demo=True, clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InviteIdsScreen))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, InviteIdsScreen))
        assert app.services.stats.calls["InviteAccountToOrganization"] == 0
        assert files.read_audit() == []


async def test_audit_mode_says_nothing_can_be_invited(target):
    app = OrgApp(Services(demo_ctx(read_only=True)), read_only=True, clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("i")
        await pilot.pause()
        assert not isinstance(app.screen, InviteIdsScreen)
        assert any("nothing can be invited" in n for n in notices(app))
