"""Errors in words: fatal at start-up (the app closes, exit 1, two lines on stderr), and
later ones as notifications with the app still usable and the data marked incomplete."""

from __future__ import annotations

from textual.app import App

from orgtui import cli
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.backend import Services
from orgtui.ui.app import OrgApp
from tests.conftest import DEMO_NOW
from tests.ui.conftest import SIZE, detail_text, text_of, wait_loaded

CREDS = ("testing", "testing", None)


def _context(url: str) -> AwsContext:
    return AwsContext(SessionOptions(region="us-east-1", endpoint_url=url, credentials=CREDS))


async def test_access_denied_at_start_closes_the_app(server):
    server.fail("DescribeOrganization", "AccessDeniedException", message="not allowed", status=400)
    app = OrgApp(Services(_context(server.url)), clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
    assert app.return_code == 1
    assert app.fatal_error is not None
    assert "Access denied to organizations:DescribeOrganization" in app.fatal_error.what
    assert "Grant organizations:DescribeOrganization" in app.fatal_error.fix


async def test_no_credentials_at_start_closes_the_app():
    app = OrgApp(Services(AwsContext(SessionOptions(region="us-east-1"))), clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
    assert app.return_code == 1
    assert app.fatal_error.what == "No AWS credentials were found."


def test_run_app_prints_the_two_lines_and_exits_1(server, monkeypatch, capsys):
    monkeypatch.setattr(OrgApp, "run", lambda self, **kw: App.run(self, headless=True))
    server.fail("DescribeOrganization", "AWSOrganizationsNotInUseException", message="not in use")
    code = cli.main(["--endpoint-url", server.url, "--no-cache"])
    err = capsys.readouterr().err
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[-2].startswith("orgtui: error: This account is not a member of an organization")
    assert lines[-1].startswith("orgtui: fix: ")
    assert "Traceback" not in err


def test_run_app_quits_with_zero(monkeypatch):
    async def press_q(pilot):  # pragma: no cover - run by textual
        pass

    def run(self, **kw):
        async def auto(pilot):
            while not self.load_status.loaded:
                await pilot.pause(0.05)
            await pilot.press("q")

        return App.run(self, headless=True, auto_pilot=auto)

    monkeypatch.setattr(OrgApp, "run", run)
    assert cli.main(["--demo"]) == 0


async def test_enrichment_failure_is_shown_and_the_app_stays_usable(server):
    org = server.client("organizations")
    org.create_organization(FeatureSet="ALL")
    created = org.create_account(AccountName="alpha", Email="alpha@example.com")
    alpha = created["CreateAccountStatus"]["AccountId"]
    server.fail("ListTagsForResource", "AccessDeniedException", message="no tags for you")
    app = OrgApp(Services(_context(server.url)), clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.return_code is None
        assert app.load_status.incomplete and "ListTagsForResource" in app.load_status.incomplete
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "Grant organizations:ListTagsForResource" in errors[-1].message
        assert "Incomplete data" in text_of(app, "#header-status")
        app.main.jump_to(alpha)
        await pilot.pause()
        text = detail_text(app)
        assert "Incomplete data" in text
        assert not app.view.complete
        # Still usable: a reload that works clears the warning.
        server.injector.faults.clear()
        await pilot.press("ctrl+r")
        await pilot.pause()
        await wait_loaded(pilot, app)
        assert app.load_status.incomplete is None
        assert "Incomplete data" not in text_of(app, "#header-status")


async def test_reload_failure_keeps_the_organization(server):
    org = server.client("organizations")
    org.create_organization(FeatureSet="ALL")
    app = OrgApp(Services(_context(server.url)), clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        shown = app.snapshot
        server.fail("DescribeOrganization", "AccessDeniedException", message="revoked")
        await pilot.press("ctrl+r")
        await pilot.pause()
        await wait_loaded(pilot, app)
        assert app.return_code is None
        assert app.snapshot is shown
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "Access denied" in errors[-1].message
        assert "Reload failed" in (errors[-1].title or "")
