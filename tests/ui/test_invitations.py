"""The invitations screen (`I`): the organization's handshakes listed live, filtered, an
accepted account arriving after ctrl+r, and AWS's refusal of a member in words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orgtui import demo as demo_mod
from orgtui.backend import Services
from orgtui.demo import handshakes as demo_handshakes
from orgtui.demo.target import MANAGEMENT_EMAIL
from orgtui.handshakes import Handshake
from orgtui.ui.app import OrgApp
from orgtui.ui.screens.invitations import InvitationsScreen, matches
from orgtui.ui.screens.main import MainScreen
from tests.conftest import DEMO_NOW
from tests.ui.conftest import SIZE, demo_context, plain, until, wait_loaded

LIST = "ListHandshakesForOrganization"


def app_on_demo() -> OrgApp:
    return OrgApp(Services(demo_context()), demo=True, clock=lambda: DEMO_NOW)


@pytest.fixture
def target(isolated_env):
    """The demo as Woodgrove's management account (the inviting organization)."""
    running = demo_mod.start(now=DEMO_NOW, target=True)
    yield running
    running.stop()


@pytest.fixture
def member(isolated_env):
    running = demo_mod.start(now=DEMO_NOW, member="fabrikam-dev")
    yield running
    running.stop()


def read(screen: InvitationsScreen) -> bool:
    return screen.handshakes is not None or screen.error is not None


async def open_screen(pilot, app: OrgApp) -> InvitationsScreen:
    await wait_loaded(pilot, app)
    await pilot.press("I")
    await until(pilot, lambda: isinstance(app.screen, InvitationsScreen) and read(app.screen))
    screen = app.screen
    assert isinstance(screen, InvitationsScreen)
    return screen


def said(screen: InvitationsScreen, part: str) -> str:
    return plain(screen.query_one(f"#invitations-{part}").content, width=110)


async def filter_for(pilot, screen: InvitationsScreen, query: str) -> list[str]:
    box = screen.query_box
    box.value = ""
    box.focus()
    await pilot.press(*query)
    await pilot.pause()
    return [h.state for h in screen.shown]


async def test_the_screen_lists_every_state_and_filters(target):
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, app)
        states = sorted(h.state for h in screen.shown)
        assert states == ["ACCEPTED", "DECLINED", "EXPIRED", "OPEN"]
        assert screen.table.row_count == 4
        assert "4 invitations" in said(screen, "status")
        # The highlighted one, in words: who is invited, from whom, until when, its notes.
        detail = said(screen, "detail")
        assert "OPEN" in detail and MANAGEMENT_EMAIL in detail and "Notes:" in detail
        assert "ctrl+r" in said(screen, "hint") and "ACCEPTED" in said(screen, "hint")

        assert await filter_for(pilot, screen, "declined") == ["DECLINED"]
        assert await filter_for(pilot, screen, "4444-5555-6666") == ["DECLINED"]
        assert await filter_for(pilot, screen, "777788889999") == ["EXPIRED"]
        assert len(await filter_for(pilot, screen, "cloud-admin@wood")) == 4
        assert await filter_for(pilot, screen, "open 4444") == []
        assert "0 of 4 invitations match" in said(screen, "status")
        assert screen.table.row_count == 0

        # The accepted invitation's account (woodgrove-data) is in the tree already.
        assert await filter_for(pilot, screen, "accepted") == ["ACCEPTED"]
        assert "Accepted: the account is in the tree" in said(screen, "detail")

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert app.services.stats.calls[LIST] == 1


async def test_an_accepted_account_arrives_after_ctrl_r(target):
    """The invited account accepts meanwhile (the demo moves it): the screen says ctrl+r
    shows it; ctrl+r reads the invitations and the organization again."""
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        invited = next(h for h in demo_handshakes.handshakes().values() if h.state == "OPEN")
        assert invited.account_id not in app.snapshot.accounts
        demo_handshakes._move(invited.account_id, invited, "aws")
        invited.state = "ACCEPTED"
        screen = await open_screen(pilot, app)
        assert await filter_for(pilot, screen, invited.account_id) == ["ACCEPTED"]
        assert "ctrl+r reloads, then it shows in the tree" in said(screen, "detail")

        generation = app.load_status.generation
        screen.table.focus()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: app.load_status.generation > generation)
        await wait_loaded(pilot, app)
        await until(pilot, lambda: read(screen) and screen.handshakes is not None)
        assert invited.account_id in app.snapshot.accounts
        screen._refresh_detail()
        assert "Accepted: the account is in the tree" in said(screen, "detail")
    assert app.services.stats.calls[LIST] == 2


async def test_a_member_is_told_in_words_what_aws_answers(member):
    app = app_on_demo()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, app)
        status = said(screen, "status")
        assert screen.error is not None and screen.handshakes is None
        assert "could not be read" in status and "Access denied" in status
        assert "Fix:" in status and "Traceback" not in status
        assert "its detail pane" in status  # where a member's own invitations are
        assert not screen.table.display
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


def test_the_filter_words():
    h = Handshake(
        id="h-abcdefgh12",
        arn="",
        state="OPEN",
        action="INVITE",
        parties=(),
        requested=DEMO_NOW,
        expires=DEMO_NOW + timedelta(days=15),
        organization_id="o-abcdefghij",
        management_email="Admin@Example.com",
        account_id="111122223333",
        notes="Moves to Example",
    )
    assert matches(h, "")
    assert matches(h, "open") and not matches(h, "accepted")
    assert matches(h, "1111-2222-3333") and matches(h, "111122223333")
    assert matches(h, "2222") and not matches(h, "9999")
    assert matches(h, "admin@example") and matches(h, "o-abcdef") and matches(h, "moves")
    assert matches(h, "OPEN 1111") and not matches(h, "OPEN nobody")
    by_email = Handshake(
        id="h-abcdefgh13",
        arn="",
        state="DECLINED",
        action="INVITE",
        parties=(),
        requested=None,
        expires=None,
        email="someone@fabrikam.example",
    )
    assert matches(by_email, "fabrikam") and matches(by_email, "declined")
    assert not matches(by_email, "111122223333")


def test_invitations_screen_snapshot_80x24(target, snap_compare):
    app = app_on_demo()

    async def run_before(pilot):
        await open_screen(pilot, app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_hostile_text_in_a_handshake_is_shown_as_text(target):
    hostile = "[b]boss[/b]\x1b]52;c;ZXZpbA==\x07\nFAKE ROW"
    for h in demo_handshakes.handshakes().values():
        h.management_name = hostile
        h.notes = hostile
    app = app_on_demo()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot, app)
        detail = said(screen, "detail")
        assert "[b]boss[/b]" in detail
        assert "\x1b" not in detail and "\x07" not in detail and "\nFAKE ROW" not in detail
        # The filter matches the words, not what they would do.
        assert len(await filter_for(pilot, screen, "boss")) == 4
