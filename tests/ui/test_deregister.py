"""`d`: deregister the account under the cursor as delegated administrator, in place. The
dialog lists the services (read live) and what stops for each, the typed account id
confirms, DeregisterDelegatedAdministrator goes out once per service (an audit line each),
a refused service is reported with what to do while the others stay done, and the verdict
follows from the live check afterwards, without a reload. Nothing is sent on cancel,
escape, a wrong id or in audit mode; an account that is not a delegated administrator is
told so without a dialog."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from orgtui import files
from orgtui.aws import writes
from orgtui.aws.session import READ_PREFIXES, AwsContext, SessionOptions
from orgtui.backend import Services
from orgtui.ui.app import OrgApp
from orgtui.ui.screens.deregister import DeregisterScreen
from orgtui.ui.widgets.org_tree import OrgTree
from tests.conftest import DEMO_NOW
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, OuSpec, build_org
from tests.ui.conftest import (
    SIZE,
    demo_context,
    detail_text,
    notices,
    plain,
    until,
    wait_loaded,
)

OPERATION = "DeregisterDelegatedAdministrator"


def flat(text: str) -> str:
    return " ".join(text.split())


def sent(app: OrgApp) -> int:
    return app.services.stats.calls[OPERATION]


def body(dialog: DeregisterScreen) -> str:
    return flat(plain(dialog.query_one("#deregister-services", Static).content, width=110))


def summary(dialog: DeregisterScreen) -> str:
    return flat(plain(dialog.query_one("#deregister-summary").render(), width=110))


def label(app: OrgApp, account_id: str) -> str:
    tree = app.query_one(OrgTree)
    return tree.render_label(tree.nodes[account_id], tree.rich_style, tree.rich_style).plain


async def open_dialog(pilot: Pilot, app: OrgApp, account_id: str) -> DeregisterScreen:
    app.main.jump_to(account_id)
    await pilot.pause()
    await pilot.press("d")
    await until(pilot, lambda: isinstance(app.screen, DeregisterScreen))
    dialog = app.screen
    assert isinstance(dialog, DeregisterScreen)
    await until(pilot, lambda: dialog.checks is not None)
    return dialog


async def confirm(pilot: Pilot, dialog: DeregisterScreen, typed: str) -> None:
    dialog.query_one("#deregister-input", Input).focus()
    await pilot.press(*typed, "enter")
    await until(pilot, lambda: dialog.phase == "done")


async def test_d_lists_what_stops_then_deregisters_and_the_verdict_follows(make_app, demo):
    app = make_app()
    target = demo.accounts["fabrikam-data"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.view.verdict(target) == "blocked"
        loads = app.services.stats.calls["ListAccountsForParent"]
        dialog = await open_dialog(pilot, app, target)
        assert "macie.amazonaws.com" in body(dialog)
        assert (
            "Amazon Macie: member accounts' sensitive-data discovery is no longer managed "
            "from this account"
        ) in body(dialog)
        top = summary(dialog)
        assert "BLOCKED → READY" in top and "(checked live)" in top
        assert "Delegated administrator for 1 service: Amazon Macie" in top
        assert sent(app) == 0
        await confirm(pilot, dialog, target)
        text = body(dialog)
        assert "Deregistered: 1 of 1 service" in text
        assert "The account now (checked live): READY" in text
        assert sent(app) == 1
        # The views follow the live check: no reload.
        assert app.view.verdict(target) == "ready"
        assert app.snapshot.delegated_services_of(target) == ()
        assert label(app, target).startswith("ready")
        assert app.services.stats.calls["ListAccountsForParent"] == loads
        await pilot.press("escape")
        await pilot.pause()
        assert "DELEGATED_ADMIN" not in detail_text(app)
        assert "1 service deregistered." in notices(app)[-1]
    log = files.read_audit()
    assert [r["event"] for r in log] == ["deregister-started", "deregister-ok"]
    assert log[0]["target"] == "macie.amazonaws.com" and log[0]["account_id"] == target
    services = demo_context().org.list_delegated_administrators()["DelegatedAdministrators"]
    assert target not in {s["Id"] for s in services}


async def test_two_services_show_progress_per_service(make_app, demo):
    app = make_app()
    target = demo.accounts["security-tooling"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        dialog = await open_dialog(pilot, app, target)
        assert dialog.query_one("#deregister-confirm-button", Button).label.plain == (
            "Deregister for 2 services"
        )
        await confirm(pilot, dialog, target)
        assert "Deregistered: 2 of 2 services" in body(dialog)
        assert sent(app) == 2
        assert app.view.verdict(target) == "ready"


async def test_not_a_delegated_administrator_says_so_without_a_dialog(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["web-prod"])
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, DeregisterScreen)
        assert "web-prod" in notices(app)[-1]
        assert "is not a delegated administrator" in notices(app)[-1]
    assert sent(app) == 0


async def test_escape_cancel_and_a_wrong_id_send_nothing(make_app, demo):
    app = make_app()
    target = demo.accounts["fabrikam-data"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        dialog = await open_dialog(pilot, app, target)
        assert app.focused is dialog.query_one("#deregister-cancel", Button)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, DeregisterScreen))
        dialog = await open_dialog(pilot, app, target)
        await pilot.click("#deregister-cancel")
        await until(pilot, lambda: not isinstance(app.screen, DeregisterScreen))
        dialog = await open_dialog(pilot, app, target)
        await pilot.press(*demo.accounts["fabrikam-main"], "enter")
        await pilot.pause()
        assert dialog.phase == "confirm"
        assert "does not match" in plain(dialog.query_one("#deregister-check", Static).content)
        await pilot.press("escape")
        await pilot.pause()
        assert app.view.verdict(target) == "blocked"
    assert sent(app) == 0 and files.read_audit() == []


async def test_audit_mode_d_says_why_and_sends_nothing(make_app, demo):
    app = make_app(read_only=True)
    target = demo.accounts["fabrikam-data"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(target)
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, DeregisterScreen)
        assert notices(app)[-1] == (
            "This session is read-only (orgtui audit): nothing can be deregistered."
        )
        app.writes.open_deregister(target)  # even called directly
        await pilot.pause()
        assert not isinstance(app.screen, DeregisterScreen)
    assert sent(app) == 0 and files.read_audit() == []


@pytest.fixture
def two_services(aws_credentials, monkeypatch) -> Iterator[tuple[FaultServer, AwsContext, str]]:
    monkeypatch.setattr(writes, "THROTTLE_BACKOFF", (0.01,) * 7)
    with FaultServer() as server:
        built = build_org(
            server.client("organizations"),
            (
                OuSpec(
                    "Security",
                    (
                        AccountSpec(
                            "tooling",
                            delegated=("guardduty.amazonaws.com", "access-analyzer.amazonaws.com"),
                            joined_method="INVITED",
                            joined_days_ago=400,
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
            )
        )
        yield server, ctx, built.accounts["tooling"]


async def test_one_service_refused_is_reported_and_the_other_stays_done(two_services):
    server, ctx, tooling = two_services
    app = OrgApp(Services(ctx), clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        dialog = await open_dialog(pilot, app, tooling)
        server.fail(
            OPERATION, "AccessDeniedException", times=1, message="not authorized for this service"
        )
        await confirm(pilot, dialog, tooling)
        text = body(dialog)
        assert "Deregistered: 1 of 2 services" in text
        assert "Refused: 1" in text and "still delegated administrator for" in text
        assert "What to do:" in text
        assert "The account now (checked live): BLOCKED" in text
        assert "Still delegated administrator for:" in text
        refused = next(o for o in dialog.outcomes if o.status == "refused")
        done = next(o for o in dialog.outcomes if o.status == "done")
        # The view holds what AWS shows now: one service left, still blocked.
        assert app.snapshot.delegated_services_of(tooling) == (refused.target,)
        assert app.view.verdict(tooling) == "blocked"
        assert done.target not in app.snapshot.delegated_services_of(tooling)
        await pilot.press("escape")
        await pilot.pause()
        assert "1 service deregistered. 1 did not" in notices(app)[-1]
    writes_sent = {
        op: n
        for op, n in server.counts.items()
        if not op.startswith(READ_PREFIXES) and not op.startswith("/")
    }
    assert writes_sent == {OPERATION: 2}
    assert sorted(r["event"] for r in files.read_audit()) == sorted(
        ["deregister-started", "deregister-error", "deregister-started", "deregister-ok"]
    )


async def test_deregistered_elsewhere_the_live_check_offers_nothing_to_type(make_app, demo):
    app = make_app()
    target = demo.accounts["fabrikam-data"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        # Someone else deregisters it after the load: the view still says it is one.
        demo_context().org.deregister_delegated_administrator(
            AccountId=target, ServicePrincipal="macie.amazonaws.com"
        )
        dialog = await open_dialog(pilot, app, target)
        check = plain(dialog.query_one("#deregister-check", Static).content)
        assert "no longer a delegated administrator (checked live)" in flat(check)
        assert not dialog.query_one("#deregister-confirm").display
        await pilot.press(*target, "enter")
        assert dialog.phase == "confirm"
    assert sent(app) == 0 and files.read_audit() == []
