"""The removal dialog over the demo organization: live re-check, typed confirmation,
blocked accounts, bulk progress and summary, leaving as a member, and the read-only guard.

The dialog runs in a tiny host app here, so that it is tested on its own; the app's `r`
flow is tested in tests/ui/test_removal_flow.py.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import boto3
import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from orgtui import files, loading
from orgtui.aws import live, removal
from orgtui.aws.loader import Loader
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.backend import Services
from orgtui.errors import ReadOnlyViolation
from orgtui.model import Snapshot
from orgtui.ui.screens.removal import RemovalScreen
from orgtui.write_model import Outcome
from tests.conftest import DEMO_NOW
from tests.ui.conftest import drawn_still, hold, plain, until

SIZE = (120, 40)
WRITE_OP = "RemoveAccountFromOrganization"


def demo_ctx(read_only: bool = False) -> AwsContext:
    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION

    return AwsContext(
        SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS, read_only=read_only)
    )


class Host(App[None]):
    """The smallest app that can show the dialog."""

    def __init__(
        self,
        ctx: Any,
        snap: Snapshot,
        ids: list[str],
        *,
        leave: bool = False,
        live_check: bool = True,
    ) -> None:
        super().__init__()
        self.results: list[list[Outcome]] = []
        self.emitted: list[Outcome] = []
        self.dialog = RemovalScreen(
            Services(ctx),
            snap,
            ids,
            clock=lambda: DEMO_NOW,
            leave=leave,
            on_outcome=self.emitted.append,
            live_check=live_check,
        )

    def on_mount(self) -> None:
        self.push_screen(self.dialog, callback=self.results.append)


@pytest.fixture
def org(demo) -> tuple[Any, AwsContext, Snapshot]:
    ctx = demo_ctx()
    return demo, ctx, Loader(ctx).load()


def ids_of(demo: Any, *names: str) -> list[str]:
    return [demo.accounts[n] for n in names]


@pytest.fixture
def held_check(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Hold the dialog's live check until the returned event is set."""
    return hold(monkeypatch, live, "check_accounts").release


async def checked(pilot: Pilot, dialog: RemovalScreen) -> None:
    await until(pilot, lambda: dialog.checks is not None)


async def finished(pilot: Pilot, dialog: RemovalScreen) -> None:
    await until(pilot, lambda: dialog.phase == "done")


def text(dialog: RemovalScreen, selector: str) -> str:
    return plain(dialog.query_one(selector, Static).content, width=110)


def summary_text(dialog: RemovalScreen) -> str:
    """The fixed summary above the scroll area, as drawn."""
    return plain(dialog.query_one("#removal-summary").render(), width=110)


def confirm_button(dialog: RemovalScreen) -> Button:
    return dialog.query_one("#removal-confirm-button", Button)


async def type_in(pilot: Pilot, dialog: RemovalScreen, value: str) -> None:
    box = dialog.query_one("#removal-input", Input)
    box.focus()
    await pilot.pause()
    box.value = ""
    await pilot.press(*value)
    await pilot.pause()


async def confirm_typed(pilot: Pilot, dialog: RemovalScreen, typed: str) -> None:
    """Wait for the live check, type `typed`, press enter, wait for the removal to end."""
    await checked(pilot, dialog)
    await type_in(pilot, dialog, typed)
    await pilot.press("enter")
    await finished(pilot, dialog)


def in_org(ctx: AwsContext, account_id: str) -> bool:
    return account_id in {a["Id"] for a in ctx.org.list_accounts()["Accounts"]}


# --- one ready account -----------------------------------------------------------------


async def test_ready_account_removed_after_typing_its_id(org):
    demo, ctx, snap = org
    [acc_id] = ids_of(demo, "northwind-prod")
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        assert app.focused is dialog.query_one("#removal-cancel", Button)
        await checked(pilot, dialog)
        body = text(dialog, "#removal-accounts")
        assert "northwind-prod" in body and acc_id in body and "READY" in body
        assert "Root / Divesting" in body
        # The tag-loss warning lists every tag, in the fixed summary and in the body.
        summary = summary_text(dialog)
        assert "Tags AWS deletes (3" in summary
        for key, value in (
            ("divest", "northwind"),
            ("env", "prod"),
            ("owner", "ops@northwind.example"),
        ):
            assert f"{key}={value}" in summary
            assert re.search(rf"{key} +{re.escape(value)}", body)
        assert "DenyLeaveOrganization" in body and "RegionGuardrail" in body
        notes = text(dialog, "#removal-notes")
        assert "pays its own bills" in notes and "IAM Identity Center" in notes
        assert "OrganizationAccountAccessRole" in notes and "Control Tower" in notes
        assert confirm_button(dialog).disabled
        await type_in(pilot, dialog, acc_id)
        assert not confirm_button(dialog).disabled
        await pilot.press("enter")
        await finished(pilot, dialog)
        summary = text(dialog, "#removal-accounts")
        assert "Removed: 1" in summary and "Refused: 0" in summary
        assert "Tags backed up to" in summary
        one_line = "".join(summary.split())  # the path may wrap
        assert f"intheauditlog:{files.audit_log_path()}" in one_line
        assert [o.status for o in app.emitted] == ["removed"]
        assert app.focused is dialog.query_one("#removal-close", Button)
        await pilot.press("enter")
        await pilot.pause()
    assert [[o.status for o in r] for r in app.results] == [["removed"]]
    assert not in_org(ctx, acc_id)
    assert [r["event"] for r in files.read_audit()] == ["remove-started", "remove-ok"]


async def test_page_keys_scroll_the_body_from_any_focus(org):
    demo, ctx, snap = org
    names = ["northwind-prod", "northwind-dev", "northwind-shared", "sandbox-carol", "web-dev"]
    app = Host(ctx, snap, ids_of(demo, *names))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        await pilot.pause()
        body = dialog.query_one("#removal-body")
        assert body.max_scroll_y > 0  # more below
        assert app.focused is dialog.query_one("#removal-cancel", Button)
        await pilot.press("pagedown")
        await until(pilot, lambda: body.scroll_y > 0)
        first = body.scroll_y
        dialog.query_one("#removal-input", Input).focus()
        await pilot.pause()
        await pilot.press("pagedown")
        await until(pilot, lambda: body.scroll_y > first or body.scroll_y == body.max_scroll_y)
        await pilot.press("pageup", "pageup", "pageup")
        await until(pilot, lambda: body.scroll_y == 0)
        assert dialog.query_one("#removal-input", Input).value == ""
    assert ctx.stats.calls[WRITE_OP] == 0


async def test_mistyped_id_does_nothing(org):
    demo, ctx, snap = org
    [acc_id] = ids_of(demo, "northwind-prod")
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        await type_in(pilot, dialog, acc_id[:-1] + ("0" if acc_id[-1] != "0" else "1"))
        assert confirm_button(dialog).disabled
        await pilot.press("enter")
        await pilot.pause()
        assert dialog.phase == "confirm"
        assert "does not match" in text(dialog, "#removal-check")
        # The number of accounts is not the id either.
        await type_in(pilot, dialog, "1")
        await pilot.press("enter")
        await pilot.pause()
        assert dialog.phase == "confirm"
    assert ctx.stats.calls[WRITE_OP] == 0
    assert in_org(ctx, acc_id)
    assert files.read_audit() == []


async def test_escape_cancels_and_sends_nothing(org):
    demo, ctx, snap = org
    app = Host(ctx, snap, ids_of(demo, "northwind-prod"))
    async with app.run_test(size=SIZE) as pilot:
        await checked(pilot, app.dialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [[]]
    assert ctx.stats.calls[WRITE_OP] == 0


async def test_cancel_button_cancels(org):
    demo, ctx, snap = org
    app = Host(ctx, snap, ids_of(demo, "northwind-prod"))
    async with app.run_test(size=SIZE) as pilot:
        await checked(pilot, app.dialog)
        await pilot.press("enter")  # Cancel has the focus
        await pilot.pause()
        assert app.results == [[]]
    assert ctx.stats.calls[WRITE_OP] == 0


# --- blocked accounts ------------------------------------------------------------------


async def test_blocked_account_cannot_be_confirmed(org):
    demo, ctx, snap = org
    [acc_id] = ids_of(demo, "security-tooling")
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        body = text(dialog, "#removal-accounts")
        assert "BLOCKED" in body and "DELEGATED_ADMIN" in body
        assert "guardduty.amazonaws.com" in body
        assert "This account can't be removed now" in text(dialog, "#removal-check")
        # Why and the fixes, and nothing to type: no prompt, no confirm button.
        assert "Fix: Move the delegated administrator role" in body
        assert "Blocked (fixes below): Delegated administrator" in summary_text(dialog)
        assert not dialog.query_one("#removal-confirm").display
        box = dialog.query_one("#removal-input", Input)
        assert box.disabled and not confirm_button(dialog).display
        assert not dialog.query_one("#removal-drop", Button).display  # nothing else to go on
        box.value = acc_id  # even if the text got there, enter does nothing
        await pilot.pause()
        dialog._try_confirm()
        await pilot.pause()
        assert dialog.phase == "confirm" and confirm_button(dialog).disabled
    assert ctx.stats.calls[WRITE_OP] == 0


async def test_management_account_says_one_thing(org):
    # No fix makes the management account removable: the line under the body does not
    # ask for one after the finding has said it can never be removed.
    demo, ctx, snap = org
    app = Host(ctx, snap, [demo.management_account_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        assert "can never be removed" in text(dialog, "#removal-accounts")
        line = text(dialog, "#removal-check")
        assert "The management account can never be removed" in line
        assert "fix what blocks" not in line and "try again" not in line
        assert not dialog.query_one("#removal-confirm").display
    assert ctx.stats.calls[WRITE_OP] == 0


async def test_live_check_decides_over_a_stale_view(org):
    demo, ctx, snap = org
    [acc_id] = ids_of(demo, "northwind-dev")
    boto3.client(
        "organizations", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    ).register_delegated_administrator(AccountId=acc_id, ServicePrincipal="ssm.amazonaws.com")
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        body = text(dialog, "#removal-accounts")
        assert "changed the verdict" in body and "was ready, now blocked" in body
        assert "ssm.amazonaws.com" in body
        assert dialog.query_one("#removal-input", Input).disabled
    assert ctx.stats.calls[WRITE_OP] == 0


async def test_checking_is_shown_until_the_live_check_lands(org, held_check):
    demo, ctx, snap = org
    gate = held_check
    app = Host(ctx, snap, ids_of(demo, "northwind-prod"))
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await pilot.pause()
        assert "Checking 1 account live" in text(dialog, "#removal-check")
        assert "checking…" in text(dialog, "#removal-accounts")
        assert confirm_button(dialog).disabled
        gate.set()
        await checked(pilot, dialog)
        assert "checked live" in text(dialog, "#removal-accounts")
        assert not dialog.query_one("#removal-input", Input).disabled


async def test_account_gone_before_the_dialog_is_dropped(org):
    demo, ctx, snap = org
    gone, stays = ids_of(demo, "northwind-shared", "northwind-prod")
    ctx.org.remove_account_from_organization(AccountId=gone)
    app = Host(ctx, snap, [gone, stays])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        assert dialog.account_ids == [stays]
        assert dialog.expected == stays
        assert "dropped: northwind-shared" in text(dialog, "#removal-check")
        assert [(o.account_id, o.status) for o in app.emitted] == [(gone, "gone")]


# --- several accounts ------------------------------------------------------------------


async def test_bulk_drop_the_blocked_and_go_on(org):
    demo, ctx, snap = org
    ids = ids_of(demo, "northwind-prod", "security-tooling", "sandbox-alice", "northwind-dev")
    app = Host(ctx, snap, ids)
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        assert dialog.expected == "4"
        assert "Type the number of accounts" in str(dialog.query_one("#removal-prompt").render())
        drop = dialog.query_one("#removal-drop", Button)
        assert drop.display and "2 blocked accounts" in str(drop.label)
        assert dialog.query_one("#removal-input", Input).disabled
        drop.press()
        await pilot.pause()
        assert dialog.account_ids == ids_of(demo, "northwind-prod", "northwind-dev")
        assert dialog.expected == "2"
        await type_in(pilot, dialog, "2")
        await pilot.press("enter")
        await finished(pilot, dialog)
        summary = text(dialog, "#removal-accounts")
        assert "Removed: 2" in summary
    assert ctx.stats.calls[WRITE_OP] == 2
    assert not in_org(ctx, ids[0]) and in_org(ctx, ids[1])


async def test_bulk_goes_on_past_a_refusal_and_summarizes(org):
    demo, ctx, snap = org
    ids = ids_of(demo, "northwind-prod", "sandbox-carol", "northwind-dev")
    app = Host(ctx, snap, ids)
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        body = text(dialog, "#removal-accounts")
        assert "REVIEW" in body and "STANDALONE_UNVERIFIED" in body  # sandbox-carol
        await type_in(pilot, dialog, "3")
        await pilot.press("enter")
        await finished(pilot, dialog)
        summary = text(dialog, "#removal-accounts")
        assert "Removed: 2" in summary and "Refused: 1" in summary
        assert "sandbox-carol" in summary and "phone verification" in summary
        assert "Sign in to the account as its root user" in summary
        assert [o.status for o in app.emitted] == ["removed", "refused", "removed"]
        bar = dialog.query_one("#removal-progress")
        assert bar.progress == 3 and bar.total == 3
    assert in_org(ctx, ids[1])


async def test_escape_does_not_interrupt_a_running_removal(org, monkeypatch):
    demo, ctx, snap = org
    gate = hold(monkeypatch, removal, "remove_many").release
    [acc_id] = ids_of(demo, "northwind-prod")
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        await type_in(pilot, dialog, acc_id)
        await pilot.press("enter")
        await pilot.pause()
        assert dialog.phase == "running"
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [] and app.screen is dialog
        gate.set()
        await finished(pilot, dialog)


async def test_payment_refusal_in_words(org):
    demo, ctx, snap = org
    [acc_id] = ids_of(demo, "tokenizer-prod")
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await confirm_typed(pilot, dialog, acc_id)
        summary = text(dialog, "#removal-accounts")
        assert "Refused: 1" in summary and "no payment method" in summary
        assert "add a payment method" in summary
    assert in_org(ctx, acc_id)


# --- the read-only guard under the UI --------------------------------------------------


async def test_audit_mode_guard_stops_a_forced_removal(demo):
    """Even if the UI let the dialog through in audit mode, no write call leaves."""
    ctx = demo_ctx(read_only=True)
    snap = Loader(ctx).load()
    [acc_id] = ids_of(demo, "northwind-prod")
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await confirm_typed(pilot, dialog, acc_id)
        summary = text(dialog, "#removal-accounts")
        assert "Refused: 1" in summary and "read-only" in summary
    [outcome] = app.dialog.outcomes
    assert isinstance(outcome.error, ReadOnlyViolation)
    assert not outcome.sent
    assert ctx.stats.calls[WRITE_OP] == 0
    assert all(op.startswith(("List", "Describe", "Get")) for op in ctx.stats.calls)
    assert in_org(demo_ctx(), acc_id)


# --- leaving as a member ---------------------------------------------------------------


async def test_member_leaves_through_the_same_dialog(isolated_env):
    from orgtui import demo as demo_mod

    running = demo_mod.start(now=DEMO_NOW, member="contoso-web")
    try:
        ctx = demo_ctx()
        snap = Loader(ctx).load()
        me = snap.caller.account
        app = Host(ctx, snap, [me], leave=True)
        async with app.run_test(size=SIZE) as pilot:
            dialog = app.dialog
            await checked(pilot, dialog)
            assert "Leave the organization" in text(dialog, "#removal-title")
            assert "Not read" in text(dialog, "#removal-accounts")
            await type_in(pilot, dialog, me)
            await pilot.press("enter")
            await finished(pilot, dialog)
            assert "Left: 1" in text(dialog, "#removal-accounts")
        assert ctx.stats.calls["LeaveOrganization"] == 1
        assert [r["event"] for r in files.read_audit()] == ["leave-started", "leave-ok"]
    finally:
        running.stop()


# --- snapshots -------------------------------------------------------------------------


def _snap_host(demo: Any, names: list[str]) -> Host:
    # As the app loads it (the impact checks too), so the pictures are what a session shows.
    ctx = demo_ctx()
    snap = loading.load(ctx, loading.LoadOptions())[0]
    return Host(ctx, snap, ids_of(demo, *names))


async def _wait_checked(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, Host)
    await checked(pilot, app.dialog)
    await until(pilot, lambda: app.dialog.recovery_state != "reading")
    await drawn_still(pilot, app)  # type: ignore[arg-type]


def test_snapshot_ready(demo, snap_compare):
    assert snap_compare(
        _snap_host(demo, ["northwind-prod"]), terminal_size=SIZE, run_before=_wait_checked
    )


def test_snapshot_review(demo, snap_compare):
    assert snap_compare(_snap_host(demo, ["web-dev"]), terminal_size=SIZE, run_before=_wait_checked)


def test_snapshot_blocked(demo, snap_compare):
    assert snap_compare(
        _snap_host(demo, ["security-tooling"]), terminal_size=SIZE, run_before=_wait_checked
    )


def test_snapshot_bulk(demo, snap_compare):
    assert snap_compare(
        _snap_host(demo, ["northwind-prod", "sandbox-carol", "security-tooling", "northwind-dev"]),
        terminal_size=SIZE,
        run_before=_wait_checked,
    )


# --- typing straight away ----------------------------------------------------------------


async def test_typing_goes_to_the_input_while_cancel_has_focus(org):
    """r, type the id, enter: no tab needed, though Cancel has the focus at first."""
    demo, ctx, snap = org
    [acc_id] = ids_of(demo, "northwind-prod")
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        assert app.focused is dialog.query_one("#removal-cancel", Button)
        await pilot.press(*acc_id)
        assert dialog.query_one("#removal-input", Input).value == acc_id
        await pilot.press("enter")
        await finished(pilot, dialog)
    assert not in_org(ctx, acc_id)
    assert [r["event"] for r in files.read_audit()] == ["remove-started", "remove-ok"]


async def test_enter_during_the_live_check_waits_for_it(org, held_check):
    """Typed and confirmed before the check landed: the live check decides, then it goes."""
    demo, ctx, snap = org
    gate = held_check
    [acc_id] = ids_of(demo, "northwind-dev")
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await pilot.pause()
        assert dialog.checking
        await pilot.press(*acc_id, "enter")
        await pilot.pause()
        assert dialog.phase == "confirm" and dialog.confirm_pending
        assert "waiting for the live check" in text(dialog, "#removal-check")
        assert files.read_audit() == []  # nothing written, nothing sent yet
        gate.set()
        await finished(pilot, dialog)
    assert not in_org(ctx, acc_id)


async def test_enter_during_the_check_of_a_blocked_account_sends_nothing(org, held_check):
    """Blocked in the view: no prompt even while the live check runs; the keys typed go
    nowhere, and enter presses the focused Cancel."""
    demo, ctx, snap = org
    gate = held_check
    [acc_id] = ids_of(demo, "security-tooling")
    sent: list[str] = []
    ctx.session.events.register(
        "before-call.organizations.RemoveAccountFromOrganization",
        lambda **kw: sent.append("remove"),
    )
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await pilot.pause()
        assert dialog.checking and not dialog.query_one("#removal-confirm").display
        await pilot.press(*acc_id)
        assert dialog.query_one("#removal-input", Input).value == ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [[]]  # closed by Cancel, nothing sent
        gate.set()
    assert sent == [] and in_org(ctx, acc_id)
    assert files.read_audit() == []


async def test_the_consoles_dashed_account_id_confirms(org):
    """`1111-2222-3333`, as the console shows ids, is the same account id."""
    demo, ctx, snap = org
    [acc_id] = ids_of(demo, "northwind-prod")
    app = Host(ctx, snap, [acc_id])
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        await type_in(pilot, dialog, f"{acc_id[:4]}-{acc_id[4:8]}-{acc_id[8:]}")
        assert not confirm_button(dialog).disabled
        await type_in(pilot, dialog, f"{acc_id[:4]}-{acc_id[4:]}")  # not the console's form
        assert confirm_button(dialog).disabled
        await type_in(pilot, dialog, f"{acc_id[:4]}-{acc_id[4:8]}-{acc_id[8:]}")
        await pilot.press("enter")
        await finished(pilot, dialog)
    assert not in_org(ctx, acc_id)


async def test_a_big_set_gives_ready_accounts_one_line_each(org, monkeypatch):
    """Hundreds of accounts (A, then r): blocked and review ones in full, ready ones one
    line each with their tags counted; the fixed summary counts every tag."""
    from orgtui.ui.screens import removal_text

    monkeypatch.setattr(removal_text, "DETAILED", 2)
    demo, ctx, snap = org
    ids = ids_of(demo, "northwind-prod", "northwind-dev", "sandbox-carol")
    app = Host(ctx, snap, ids)
    async with app.run_test(size=SIZE) as pilot:
        dialog = app.dialog
        await checked(pilot, dialog)
        body = text(dialog, "#removal-accounts")
        assert "STANDALONE_UNVERIFIED" in body  # sandbox-carol, to review: in full
        assert "Ready (2)" in body and "3 tags" in body and "2 tags" in body
        assert not re.search(r"divest +northwind", body)  # counted, not listed
        assert "6 tags on 3 accounts will be deleted, counted below" in summary_text(dialog)
