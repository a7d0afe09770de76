"""`v`: attest that accounts created through Organizations completed their standalone
sign-up. The dialog says what attesting means, lists the accounts (and those skipped, with
why), the tag and the value it writes; the live re-check, the typed confirmation, then
TagResource per account with audit lines, and the tree, the table and the detail updated
from each outcome without a reload. Nothing is sent on cancel, escape, a wrong id, or in
audit mode; a member account is told it needs the management account."""

from __future__ import annotations

import re

from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from orgtui import files
from orgtui.model import DEFAULT_ATTEST_TAG
from orgtui.ui.app import OrgApp
from orgtui.ui.screens.attest import AttestScreen
from orgtui.ui.widgets.footer import KeyBar
from orgtui.ui.widgets.org_tree import OrgTree
from tests.ui.conftest import (
    SIZE,
    demo_context,
    detail_text,
    notices,
    plain,
    until,
    wait_loaded,
)

VALUE = "2026-11-28T12:00:00Z 123456789012/moto"  # the demo's clock and caller (user/moto)


def flat(text: str) -> str:
    return " ".join(text.split())


def sent(app: OrgApp) -> int:
    return app.services.stats.calls["TagResource"]


async def open_attest(pilot: Pilot, app: OrgApp) -> AttestScreen:
    await pilot.press("v")
    await until(pilot, lambda: isinstance(app.screen, AttestScreen))
    dialog = app.screen
    assert isinstance(dialog, AttestScreen)
    await until(pilot, lambda: dialog.checks is not None)
    return dialog


def body(dialog: AttestScreen) -> str:
    return flat(plain(dialog.query_one("#attest-accounts", Static).content, width=110))


def summary(dialog: AttestScreen) -> str:
    return flat(plain(dialog.query_one("#attest-summary").render(), width=110))


async def confirm(pilot: Pilot, dialog: AttestScreen, typed: str) -> None:
    dialog.query_one("#attest-input", Input).focus()
    await pilot.press(*typed, "enter")
    await until(pilot, lambda: dialog.phase == "done")


async def test_v_says_what_attesting_means_then_tags_and_updates_the_views(make_app, demo):
    app = make_app()
    target = demo.accounts["web-dev"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(target)
        await pilot.pause()
        assert app.view.verdict(target) == "review"
        loads = app.services.stats.calls["ListAccountsForParent"]
        dialog = await open_attest(pilot, app)
        text = body(dialog)
        for words in (
            "payment method",
            "phone verification",
            "contact information",
            "support plan",
            "AWS Customer Agreement",
            "orgtui can't check any of this",
            "visible in the console and to every other admin's orgtui",
        ):
            assert words in text
        assert "web-dev" in text and "REVIEW → READY" in text
        top = summary(dialog)
        assert f"Tag written: {DEFAULT_ATTEST_TAG} = {VALUE}" in top
        assert "(checked live)" in top
        assert sent(app) == 0  # nothing before the typed confirmation
        await confirm(pilot, dialog, target)
        assert "Attested: 1" in body(dialog)
        assert sent(app) == 1
        # The views follow at once, from the outcome: no reload.
        assert app.view.verdict(target) == "ready"
        assert app.snapshot.tags_of(target)[DEFAULT_ATTEST_TAG] == VALUE
        assert app.services.stats.calls["ListAccountsForParent"] == loads
        tree = app.query_one(OrgTree)
        label = tree.render_label(tree.nodes[target], tree.rich_style, tree.rich_style).plain
        assert label.startswith("ready")
        await pilot.press("escape")
        await pilot.pause()
        assert "STANDALONE_ATTESTED" in detail_text(app)
        assert "1 account attested." in notices(app)[-1]
    log = files.read_audit()
    assert [r["event"] for r in log] == ["attest-started", "attest-ok"]
    assert log[0]["account_id"] == target and log[0]["tag_value"] == VALUE
    # AWS holds it: a fresh read sees the tag.
    tags = demo_context().org.list_tags_for_resource(ResourceId=target)["Tags"]
    assert {"Key": DEFAULT_ATTEST_TAG, "Value": VALUE} in tags


async def test_an_account_still_review_after_attesting_says_why(make_app, demo):
    app = make_app()
    target = demo.accounts["sandbox-carol"]  # Control Tower and a StackSet keep it review
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(target)
        await pilot.pause()
        dialog = await open_attest(pilot, app)
        await confirm(pilot, dialog, target)
        text = body(dialog)
        assert "Attested: 1" in text
        held = re.search(r"still review: ([A-Z_, ]+)\)", text)
        assert held, text
        assert set(held.group(1).split(", ")) == {
            "STACKSET_STACKS_DELETED",
            "CONTROL_TOWER_ENROLLED",
        }
        assert app.view.verdict(target) == "review"


async def test_marked_accounts_in_the_table_with_the_others_skipped(make_app, demo):
    app = make_app()
    created = [demo.accounts[n] for n in ("payments-dev", "ml-dev")]
    invited = demo.accounts["web-prod"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        await pilot.pause()
        app.main.set_marks([*created, invited, demo.management_account_id], True)
        dialog = await open_attest(pilot, app)
        assert dialog.account_ids == created
        assert dialog.expected == "2"
        text = body(dialog)
        assert "Skipped (2):" in text
        assert "web-prod" in text and "joined by invitation" in text
        assert "the management account never leaves" in text
        assert "2 accounts to attest" in summary(dialog)
        await confirm(pilot, dialog, "2")
        assert sent(app) == 2
        assert all(app.view.verdict(a) == "ready" for a in created)
        assert app.view.verdict(invited) == "ready"  # as it was; nothing sent for it
        # The table shows the new verdicts too.
        table = app.main.table
        assert app.main.showing_table and table.model is not None
        assert [table.model.cells(a)[0] for a in created] == ["ready", "ready"]
    assert [r["account_id"] for r in files.read_audit() if r["event"] == "attest-ok"] == created


async def test_escape_cancel_and_a_wrong_id_send_nothing(make_app, demo):
    app = make_app()
    target = demo.accounts["web-dev"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(target)
        await pilot.pause()
        dialog = await open_attest(pilot, app)
        assert app.focused is dialog.query_one("#attest-cancel", Button)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, AttestScreen))
        dialog = await open_attest(pilot, app)
        await pilot.click("#attest-cancel")
        await until(pilot, lambda: not isinstance(app.screen, AttestScreen))
        dialog = await open_attest(pilot, app)
        wrong = "111122223333"
        await pilot.press(*wrong, "enter")  # typing goes to the input
        await pilot.pause()
        assert dialog.phase == "confirm"
        assert "does not match" in plain(dialog.query_one("#attest-check", Static).content)
        assert dialog.query_one("#attest-confirm-button", Button).disabled
        await pilot.press("escape")
        await pilot.pause()
    assert sent(app) == 0
    assert files.read_audit() == []


async def test_the_consoles_dashed_id_confirms(make_app, demo):
    app = make_app()
    target = demo.accounts["web-dev"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(target)
        await pilot.pause()
        dialog = await open_attest(pilot, app)
        await confirm(pilot, dialog, f"{target[:4]}-{target[4:8]}-{target[8:]}")
        assert sent(app) == 1


async def test_invited_accounts_only_say_why_without_a_dialog(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert not isinstance(app.screen, AttestScreen)
        assert "northwind-prod" in notices(app)[-1]
        assert "joined by invitation" in notices(app)[-1]
    assert sent(app) == 0


async def test_the_live_check_skips_an_account_that_turns_out_invited(make_app, demo):
    """The live check decides: an account the view thought CREATED but AWS says was
    invited is skipped, and with nothing left there is nothing to type."""
    from dataclasses import replace

    app = make_app()
    target = demo.accounts["northwind-prod"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        snap = app.snapshot
        accounts = dict(snap.accounts)
        accounts[target] = replace(accounts[target], joined_method="CREATED")  # stale view
        stale = replace(snap, accounts=accounts)
        dialog = AttestScreen(app.services, stale, [target], clock=app.clock)
        app.push_screen(dialog)
        await until(pilot, lambda: dialog.checks is not None)
        assert dialog.account_ids == []
        assert "joined by invitation" in body(dialog)
        assert not dialog.query_one("#attest-confirm").display
        assert "Nothing to attest" in plain(dialog.query_one("#attest-check", Static).content)
        await pilot.press(*target, "enter")
        assert dialog.phase == "confirm"
    assert sent(app) == 0


async def test_audit_mode_v_says_why_and_sends_nothing(make_app, demo):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["web-dev"])
        await pilot.pause()
        footer = app.main.query_one(KeyBar).visible_keys()
        assert "v" not in footer and "d" not in footer
        await pilot.press("v")
        await pilot.pause()
        assert not isinstance(app.screen, AttestScreen)
        assert notices(app)[-1] == (
            "This session is read-only (orgtui audit): nothing can be attested."
        )
        app.writes.open_attest([demo.accounts["web-dev"]])  # even called directly
        await pilot.pause()
        assert not isinstance(app.screen, AttestScreen)
    assert sent(app) == 0 and files.read_audit() == []


async def test_the_footer_offers_v_and_d_when_wide_and_the_keys_work_when_narrow(make_app, demo):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        keys = app.main.query_one(KeyBar).visible_keys()
        assert "v" not in keys and "d" not in keys and "q" in keys
        app.main.jump_to(demo.accounts["web-dev"])
        await pilot.pause()
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, AttestScreen))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        keys = app.main.query_one(KeyBar).visible_keys()
        assert {"v", "d", "question_mark", "q"} <= set(keys)


async def test_a_refusal_dated_in_the_future_is_ignored_and_the_session_says_so(make_app, demo):
    import json

    from orgtui.aws.loader import Loader

    carol = demo.accounts["sandbox-carol"]
    org_id = Loader(demo_context()).load_structure().organization.id
    files.append_audit("note")  # make the log's folder
    with files.audit_log_path().open("a") as log:
        record = {
            "time": "2099-01-01T00:00:00Z",
            "event": "remove-error",
            "organization_id": org_id,
            "account_id": carol,
            "code": "ConstraintViolationException",
            "reason": "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
        }
        log.write(json.dumps(record) + "\n")
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot, app)
        assert "REMOVAL_REFUSED" not in [f.code for f in app.view.assessments[carol].findings]
        (note,) = [n for n in notices(app) if n.startswith("audit log:")]
        assert f"{carol} on 2099-01-01T00:00:00Z" in note
        assert [n.title for n in app._notifications if n.message == note] == ["Audit log"]
