"""`x`: cycle the destination the verdicts are for (standalone, transfer). The header says
it; badges, counts, the filter and the table follow at once from the snapshot already
loaded, with no AWS call; the write dialogs use the verdict for it, and `r` (always a
standalone departure) says why it does not remove while the destination is transfer."""

from __future__ import annotations

from orgtui.ui.screens.attest import AttestScreen
from orgtui.ui.screens.deregister import DeregisterScreen
from orgtui.ui.widgets.org_tree import OrgTree
from tests.ui.conftest import (
    SIZE,
    detail_text,
    notices,
    rested,
    settled,
    text_of,
    until,
    wait_loaded,
)

# The demo's counts for each destination (tests/test_destination_report.py says why).
STANDALONE = "40 accounts: 9 blocked · 13 review · 18 ready"
TRANSFER = "40 accounts: 9 blocked · 26 review · 5 ready"


def calls(app) -> int:
    return sum(app.services.stats.calls.values())


def label(app, account_id: str) -> str:
    tree = app.query_one(OrgTree)
    return tree.render_label(tree.nodes[account_id], tree.rich_style, tree.rich_style).plain


async def test_x_cycles_the_destination_and_everything_follows(make_app, demo):
    app = make_app()
    fabrikam = demo.accounts["fabrikam-dev"]  # invited, outside the leave-denying SCP
    tailspin = demo.accounts["tailspin-prod"]  # created: STANDALONE_UNVERIFIED
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert "destination standalone" in text_of(app, "#header-caller")
        assert text_of(app, "#header-status").startswith(STANDALONE)
        app.main.jump_to(tailspin)
        await pilot.pause()
        assert label(app, tailspin).startswith("review")
        assert "STANDALONE_UNVERIFIED" in detail_text(app)
        await rested(pilot, app)  # the recovery read of the account under the cursor
        before, generation = calls(app), app.load_status.generation

        await pilot.press("x")
        await pilot.pause()
        assert app.destination == app.view.destination == "transfer"
        assert "destination transfer" in text_of(app, "#header-caller")
        assert text_of(app, "#header-status").startswith(TRANSFER)
        assert "STANDALONE_UNVERIFIED" not in detail_text(app)
        assert "LEAVE_DENIED_BY_SCP" in detail_text(app)
        assert label(app, tailspin).startswith("review")  # now for the SCP, a warning
        assert app.view.assessments[tailspin].findings[-1].severity == "warning"
        assert app.view.badge(fabrikam) == "ready"
        assert "Verdicts for transfer" in notices(app)[-1]
        # In memory: no AWS call, no reload.
        assert (
            calls(app) == before
            and app.load_status.generation == generation
            and not app.load_status.loading
        )

        await pilot.press("x")
        await pilot.pause()
        assert app.destination == app.view.destination == "close"
        assert "destination close" in text_of(app, "#header-caller")
        assert [f.code for f in app.view.assessments[tailspin].findings] == ["CLOSE_IS_FINAL"]
        assert label(app, tailspin).startswith("review")
        assert calls(app) == before

        await pilot.press("x")
        await pilot.pause()
        assert app.destination == "standalone"
        assert "destination standalone" in text_of(app, "#header-caller")
        assert text_of(app, "#header-status").startswith(STANDALONE)
        assert "STANDALONE_UNVERIFIED" in detail_text(app)
        assert calls(app) == before


async def test_the_filter_and_the_table_follow_the_destination(make_app):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"standalone_unverified")
        await settled(pilot, app)
        assert len(app.main.matches) == 17
        await pilot.press("enter")  # the cursor to the first match, the focus to the tree
        await pilot.press("t")
        await pilot.pause()
        table = app.main.table
        assert len(table.rows) == 17
        await pilot.press("x")
        await until(pilot, app.main.filter.settled)
        assert app.main.matches == set()
        assert len(table.rows) == 0
        assert "0 of 40 accounts match" in text_of(app, "#status")
        await pilot.press("x", "x")  # close, then standalone again
        await until(pilot, app.main.filter.settled)
        assert len(app.main.matches) == 17 and len(table.rows) == 17


async def test_the_setting_chooses_the_first_destination(make_app):
    app = make_app(destination="transfer")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.view.destination == "transfer"
        assert text_of(app, "#header-status").startswith(TRANSFER)


async def test_removal_is_a_standalone_departure_and_says_so(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["fabrikam-dev"])
        await pilot.press("x")
        await pilot.press("r")
        await pilot.pause()
        assert app.screen is app.main  # no dialog
        said = notices(app)[-1]
        assert "The destination is transfer" in said and "standalone" in said
        assert "invites the account" in said


async def test_the_write_dialogs_use_the_verdict_for_the_destination(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("x")
        app.main.jump_to(demo.accounts["tailspin-prod"])
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, AttestScreen))
        dialog = app.screen
        await until(pilot, lambda: dialog.checks is not None)
        assert dialog.destination == "transfer"
        [check] = dialog.checks.values()
        assert check.assessment == app.view.assessments[demo.accounts["tailspin-prod"]]
        assert dialog.item(demo.accounts["tailspin-prod"]).verdict == "review"
        await pilot.press("escape")
        await pilot.pause()
        app.main.jump_to(demo.accounts["security-tooling"])
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, DeregisterScreen))
        dialog = app.screen
        await until(pilot, lambda: dialog.checks is not None)
        assert dialog.destination == "transfer"
        codes = [f.code for f in dialog.assessment().findings]
        assert "STANDALONE_UNVERIFIED" not in codes and "LEAVE_DENIED_BY_SCP" in codes
