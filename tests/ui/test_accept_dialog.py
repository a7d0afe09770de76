"""Member mode, the account's role in a direct transfer: its open invitations in its detail
pane, and `i` → "Accept invitation" → the typed id → AcceptHandshake once, logged before
and after; refusals (the live check's, AWS's) in words; cancel sends nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orgtui import demo as demo_mod
from orgtui import files
from orgtui.backend import Services
from orgtui.demo import handshakes as demo_handshakes
from orgtui.demo.rules import _refuse
from orgtui.demo.target import MANAGEMENT_EMAIL, MANAGEMENT_ID
from orgtui.ui.app import OrgApp
from orgtui.ui.screens.accept import AcceptScreen, InvitationPicker
from orgtui.ui.screens.main import MainScreen
from tests.conftest import DEMO_NOW
from tests.ui.conftest import (
    SIZE,
    demo_context,
    detail_text,
    notices,
    plain,
    rested,
    until,
    wait_loaded,
)

ACCEPT = "AcceptHandshake"


def app_on_demo() -> OrgApp:
    return OrgApp(Services(demo_context()), demo=True, clock=lambda: DEMO_NOW)


@pytest.fixture
def member(isolated_env):
    running = demo_mod.start(now=DEMO_NOW, member="fabrikam-dev")
    yield running
    running.stop()


def events() -> list[str]:
    return [r["event"] for r in files.read_audit()]


def open_invitation(running) -> demo_handshakes.DemoHandshake:
    return next(
        h
        for h in demo_handshakes.handshakes().values()
        if h.account_id == running.caller_account_id and h.state == "OPEN"
    )


def said(dialog: AcceptScreen, part: str) -> str:
    widget = dialog.query_one(f"#accept-{part}")
    content = widget.render() if part == "summary" else widget.content
    return plain(content, width=120)


async def open_dialog(pilot, app: OrgApp, running) -> AcceptScreen:
    await wait_loaded(pilot, app)
    app.main.jump_to(running.caller_account_id)
    await rested(pilot, app)
    await pilot.press("i")
    await until(
        pilot, lambda: isinstance(app.screen, AcceptScreen) and app.screen.checks is not None
    )
    dialog = app.screen
    assert isinstance(dialog, AcceptScreen)
    return dialog


async def test_the_members_detail_pane_shows_its_open_invitation(member):
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(member.caller_account_id)
        await rested(pilot, app)
        text = detail_text(app)
        assert "Invitations" in text and member.other_org_id in text
        assert MANAGEMENT_EMAIL in text and "woodgrove-management" in text
        assert "Fabrikam moves to Woodgrove" in text and "Press i to accept" in text
        # Read once for the account (kept for the load), never during the load.
        app.main.refresh_detail()
        await rested(pilot, app)
    assert app.services.stats.calls["ListHandshakesForAccount"] == 1


async def test_in_audit_mode_the_pane_says_the_invitation_cant_be_accepted_here(member):
    app = OrgApp(Services(demo_context()), demo=True, clock=lambda: DEMO_NOW, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(member.caller_account_id)
        await rested(pilot, app)
        text = detail_text(app)
        assert "Fabrikam moves to Woodgrove" in text  # the invitation is shown
        assert "Press i to accept" not in text
        assert "read-only (orgtui audit): an invitation can't be accepted here" in text
        await pilot.press("i")
        await until(pilot, lambda: bool(notices(app)))
        assert "nothing can be accepted" in notices(app)[-1]
        assert not isinstance(app.screen, AcceptScreen)
    assert ACCEPT not in app.services.stats.calls


async def test_the_management_account_reads_no_invitations(demo):
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["fabrikam-dev"])
        await rested(pilot, app)
        assert "Invitations" not in detail_text(app)
    assert app.services.stats.calls["ListHandshakesForAccount"] == 0


async def test_typing_the_id_accepts_once_with_audit_lines(member):
    app = app_on_demo()
    me = member.caller_account_id
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, app, member)
        summary = said(dialog, "summary")
        assert member.other_org_id in summary and MANAGEMENT_EMAIL in summary
        assert "READY" in summary  # the verdict for a transfer (no standalone step)
        body = said(dialog, "account")
        # A member can't read its tags nor the impact checks: the dialog says so.
        assert "Tags not read" in summary and "tags could not be read" in body
        assert "Not checked" in summary
        assert "Once it moves" in said(dialog, "notes")
        assert dialog.focused is dialog.query_one("#accept-cancel")
        await pilot.press(*me, "enter")
        await until(pilot, lambda: dialog.phase == "done")
        done = said(dialog, "account")
        assert "Accepted: 1" in done and member.other_org_id in done
        assert str(Services.audit_log_path()) in done.replace("\n", "")
        await pilot.press("enter")  # Close
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert me not in app.snapshot.accounts  # it left: dropped from the view
        assert "joined the inviting organization" in notices(app)[-1]
    assert app.services.stats.calls[ACCEPT] == 1
    assert events() == ["accept-started", "accept-ok"]
    assert files.read_audit()[0]["target"] == open_invitation_id(member)


def open_invitation_id(running) -> str:
    return next(
        h.id
        for h in demo_handshakes.handshakes().values()
        if h.account_id == running.caller_account_id
    )


async def test_aws_refusing_the_acceptance_is_said_in_words(member, monkeypatch):
    def refuse(*_args):
        raise _refuse(
            "HandshakeConstraintViolationException",
            "The account changed organizations too recently.",
            "ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED",
        )

    monkeypatch.setattr(demo_handshakes, "_move", refuse)
    app = app_on_demo()
    me = member.caller_account_id
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, app, member)
        await pilot.press(*me, "enter")
        await until(pilot, lambda: dialog.phase == "done")
        done = said(dialog, "account")
        assert "Refused: 1" in done and "changed organizations too recently" in done
        assert "Traceback" not in done
        assert me in app.snapshot.accounts  # it stays
    assert app.services.stats.calls[ACCEPT] == 1
    assert events()[0] == "accept-started" and len(events()) == 2
    assert events()[1] != "accept-ok"


async def test_the_live_check_refuses_in_words_and_nothing_is_sent(member):
    # The invitation as AWS now describes it comes from the account's own organization.
    invitation = open_invitation(member)
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        invitation.organization_id = app.snapshot.organization.id
        dialog = await open_dialog(pilot, app, member)
        line = said(dialog, "check")
        assert "Not accepted" in line and "own organization" in line
        assert "Blocked" not in said(dialog, "summary")  # the account itself is not
        assert not dialog.query_one("#accept-confirm").display  # no prompt
        await pilot.press(*member.caller_account_id, "enter")
        await pilot.pause()
        assert dialog.phase == "confirm"
    assert app.services.stats.calls[ACCEPT] == 0
    assert events() == []


async def test_cancel_sends_nothing(member):
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, app, member)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
    assert app.services.stats.calls[ACCEPT] == 0
    assert events() == []


async def test_several_invitations_are_picked_from_first(member):
    second = demo_handshakes.add(
        demo_handshakes.DemoHandshake(
            id=demo_handshakes.handshake_id(member.other_org_id, member.caller_account_id, 901),
            organization_id=member.other_org_id,
            management_id=MANAGEMENT_ID,
            management_email="second@woodgrove.example",
            management_name="woodgrove-management",
            feature_set="ALL",
            account_id=member.caller_account_id,
            requested=DEMO_NOW - timedelta(hours=1),
        )
    )
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, InvitationPicker))
        picker = app.screen
        assert len(picker.handshakes) == 2
        ids = [h.id for h in picker.handshakes]
        await pilot.press(*(["down"] if ids.index(second.id) == 1 else []), "enter")
        await until(
            pilot, lambda: isinstance(app.screen, AcceptScreen) and app.screen.checks is not None
        )
        assert app.screen.handshake.id == second.id
        assert "second@woodgrove.example" in said(app.screen, "summary")
        await pilot.press("escape")
    assert app.services.stats.calls[ACCEPT] == 0


async def test_no_open_invitation_is_said_without_a_dialog(member):
    open_invitation(member).state = "DECLINED"
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("i")
        await until(pilot, lambda: any("No open invitation" in n for n in notices(app)))
        assert isinstance(app.screen, MainScreen)
    assert app.services.stats.calls[ACCEPT] == 0


def test_the_dialog_lists_the_losses_as_a_leave_does(demo):
    """What the account loses, drawn by the removal dialog's builders: every tag AWS
    deletes, what breaks (impact findings), the policies that stop applying."""
    from orgtui.backend import LoadOptions
    from orgtui.handshakes import Handshake
    from orgtui.rules import assess
    from orgtui.ui.palette import Palette
    from orgtui.ui.screens import accept_text
    from orgtui.ui.screens.removal_text import AccountFacts

    services = Services(demo_context())
    try:
        *_, last = services.load_stages(LoadOptions())  # with the impact checks
    finally:
        services.cancel()
    snap = last.snapshot
    found = None
    for account_id, account in snap.accounts.items():
        assessment = assess(account, snap, DEMO_NOW, "transfer")
        codes = {f.code for f in assessment.findings}
        if {"TAGS_WILL_BE_DELETED", "POLICIES_STOP_APPLYING"} <= codes and codes & {
            "STACKSET_STACKS_DELETED",
            "IDENTITY_CENTER_ACCESS_LOST",
            "RAM_SHARES_LOST",
        }:
            found = (account_id, account, assessment)
            break
    assert found is not None
    account_id, account, assessment = found
    facts = AccountFacts(account_id, account, snap, assessment, False, None, False, leave=True)
    handshake = Handshake(
        "h-abcdefgh12",
        "",
        "OPEN",
        "INVITE",
        (),
        DEMO_NOW,
        DEMO_NOW,
        "o-abcdefghij",
        management_email="admin@example.com",
    )
    text = plain(accept_text.body(handshake, facts, Palette.default(), False), width=140)
    assert "What breaks when it leaves" in text
    assert "Tags AWS deletes" in text and "Policies that stop applying" in text
    for key in snap.tags_of(account_id):
        assert key in text
    assert "admin@example.com" in text and "h-abcdefgh12" in text


def test_accept_dialog_snapshot_80x24(member, snap_compare):
    """At 80x24: who invites, the verdict for the transfer, the prompt and the buttons."""
    app = app_on_demo()

    async def run_before(pilot):
        await open_dialog(pilot, app, member)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


HOSTILE = "[b]boss[/b]\x1b]52;c;ZXZpbA==\x07\nFAKE ROW"


async def test_hostile_names_in_an_invitation_are_shown_as_text(member):
    invitation = open_invitation(member)
    invitation.management_name = HOSTILE
    invitation.notes = HOSTILE
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, app, member)
        texts = [detail_text(app), said(dialog, "summary"), said(dialog, "account")]
        for text in texts:
            assert "[b]boss[/b]" in text  # never parsed as markup
            assert "\x1b" not in text and "\x07" not in text
            assert "\nFAKE ROW" not in text  # a newline can't draw a row of its own
        await pilot.press("escape")
    assert app.services.stats.calls[ACCEPT] == 0


async def test_a_delegated_administrator_is_refused_by_aws_in_words(isolated_env):
    """A member can't read its own delegation: AWS refuses the acceptance (the demo's
    rule, CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG), and the dialog says what to do."""
    running = demo_mod.start(now=DEMO_NOW, member="fabrikam-data")  # Macie's administrator
    try:
        demo_handshakes.add(
            demo_handshakes.DemoHandshake(
                id=demo_handshakes.handshake_id(running.other_org_id, running.caller_account_id, 7),
                organization_id=running.other_org_id,
                management_id=MANAGEMENT_ID,
                management_email=MANAGEMENT_EMAIL,
                management_name="woodgrove-management",
                feature_set="ALL",
                account_id=running.caller_account_id,
                requested=DEMO_NOW - timedelta(days=1),
            )
        )
        app = app_on_demo()
        async with app.run_test(size=SIZE) as pilot:
            dialog = await open_dialog(pilot, app, running)
            await pilot.press(*running.caller_account_id, "enter")
            await until(pilot, lambda: dialog.phase == "done")
            done = said(dialog, "account")
            assert "Refused: 1" in done and "delegated administrator" in done
            assert "What to do:" in done
        assert app.services.stats.calls[ACCEPT] == 1
        assert events() == ["accept-started", "accept-error"]
    finally:
        running.stop()


async def test_the_palette_offers_accepting_to_a_member(member):
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"accept an invitation")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(
            pilot, lambda: isinstance(app.screen, AcceptScreen) and app.screen.checks is not None
        )
        await pilot.press("escape")
    assert app.services.stats.calls[ACCEPT] == 0
