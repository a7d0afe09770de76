"""The detail pane's section "Who can get back in" (DESIGN.md "Recovery"): read by the app
for the account under the cursor once the load is done, never during it; the result
merged into the snapshot, so RECOVERY_CONTACTS_MISSING shows in the account's findings
and badge; a skipped check says why."""

from __future__ import annotations

from orgtui.aws.recovery import TRUSTED_OFF
from orgtui.backend import Services
from tests.ui.conftest import SIZE, demo_context, detail_text, until, wait_loaded

READING = "Reading the root email and contacts"


def _section(app) -> str:
    text = detail_text(app)
    assert "Who can get back in" in text
    return text.split("Who can get back in", 1)[1].split("\nTags", 1)[0]


async def _read(pilot, app, account_id: str) -> str:
    app.main.jump_to(account_id)
    await until(pilot, lambda: "Who can get back in" in detail_text(app))
    await until(pilot, lambda: READING not in detail_text(app))
    return _section(app)


def _account_calls(app) -> int:
    calls = app.services.stats.calls
    return sum(
        calls[name] for name in ("GetAlternateContact", "GetContactInformation", "GetPrimaryEmail")
    )


async def test_missing_contacts_show_and_become_a_finding(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.pause(0.3)  # longer than the debounce: still nothing read
        assert _account_calls(app) == 0  # never during the load, nor before a cursor move
        dev = demo.accounts["payments-dev"]
        assert "RECOVERY_CONTACTS_MISSING" not in detail_text(app)
        section = await _read(pilot, app, dev)
        assert "Phone" in section
        phone = next(line for line in section.splitlines() if "Phone" in line)
        assert "not set" in phone
        operations = next(line for line in section.splitlines() if "Operations contact" in line)
        assert "not set" in operations
        billing = next(line for line in section.splitlines() if "Billing contact" in line)
        assert "Payments Finance" in billing
        assert "Root email" in section
        assert "Identity Center" in section
        # Merged into the app's snapshot, and the account assessed again.
        assert dev in app.view.snapshot.recovery
        codes = [f.code for f in app.view.assessments[dev].findings]
        assert "RECOVERY_CONTACTS_MISSING" in codes
        assert "RECOVERY_CONTACTS_MISSING" in detail_text(app)
        assert "phone number, operations contact" in detail_text(app)
        # Kept per account: back to it later costs no call.
        calls = _account_calls(app)
        app.main.jump_to(demo.accounts["log-archive"])
        await until(pilot, lambda: READING not in detail_text(app))
        app.main.jump_to(dev)
        await pilot.pause(0.3)
        assert _account_calls(app) == calls + 5  # log-archive's five reads, none again
        assert READING not in detail_text(app)


async def test_an_account_with_every_contact_set(make_app, demo):
    app = make_app(read_only=True)  # audit mode reads them too: these are reads
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        account = demo.accounts["log-archive"]
        section = await _read(pilot, app, account)
        assert "not set" not in section
        assert "+1 206 555 0142" in section
        assert "Security Operations" in section
        for name in ("Finance Desk", "Platform On-call", "SOC"):
            assert name in section
        codes = [f.code for f in app.view.assessments[account].findings]
        assert "RECOVERY_CONTACTS_MISSING" not in codes


async def test_fast_moves_read_only_where_the_cursor_rests(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        for name in ("sandbox-bob", "tailspin-prod", "northwind-prod"):
            app.main.jump_to(demo.accounts[name])
            await pilot.pause()
        app.main.jump_to(demo.accounts["payments-dev"])
        await until(pilot, lambda: READING not in detail_text(app))
        assert set(app.recovery.found) == {demo.accounts["payments-dev"]}


async def test_trusted_access_off_says_why(make_app, demo):
    demo_context().org.disable_aws_service_access(ServicePrincipal="account.amazonaws.com")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        section = await _read(pilot, app, demo.accounts["payments-dev"])
        assert "Not checked" in section
        assert "trusted access for AWS Account Management is off" in " ".join(section.split())
        assert _account_calls(app) == 0
        assert "RECOVERY_CONTACTS_MISSING" not in detail_text(app)
        assert app.view.snapshot.recovery_check.reason == TRUSTED_OFF


async def test_member_session_needs_the_management_account(isolated_env):
    from orgtui import demo as demo_mod
    from orgtui.ui.app import OrgApp
    from tests.conftest import DEMO_NOW

    running = demo_mod.start(now=DEMO_NOW, member="payments-dev")
    try:
        app = OrgApp(Services(demo_context()), demo=True, clock=lambda: DEMO_NOW)
        async with app.run_test(size=SIZE) as pilot:
            await wait_loaded(pilot, app)
            app.main.jump_to(running.accounts["payments-dev"])
            await until(pilot, lambda: "Who can get back in" in detail_text(app))
            await pilot.pause(0.3)
            assert "Needs the management account" in " ".join(_section(app).split())
            assert _account_calls(app) == 0
    finally:
        running.stop()
