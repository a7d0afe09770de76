"""What breaks when an account leaves, in the TUI: the detail pane's own group (warnings
first, each with what is lost and the fix), the users and groups assigned through
Identity Center counted by a worker (never on the UI thread, one read for the account the
cursor rests on), the removal dialog's summary line, and checks that were skipped said in
the header, the root's detail and the help."""

from __future__ import annotations

import threading

import pytest

from orgtui.aws import impact
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.backend import Services
from orgtui.rules.impact import IMPACT_CODES
from orgtui.ui.app import OrgApp
from orgtui.ui.screens.removal import RemovalScreen
from tests.conftest import DEMO_NOW
from tests.support.faults import FaultServer
from tests.support.impact import impact_org
from tests.ui.conftest import SIZE, detail_text, hold, plain, text_of, until, wait_loaded


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def flat(text: str) -> str:
    """The text with its wrapping undone."""
    return " ".join(text.split())


async def test_the_detail_pane_groups_what_breaks_warnings_first(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["sandbox-bob"])
        await until(pilot, lambda: "Assigned through Identity Center" in detail_text(app))
        lines = lines_of(detail_text(app))
        text = flat(detail_text(app))
        group = lines.index("What breaks when it leaves")
        assert lines.index("Findings") < group < lines.index("Tags")
        # Every impact finding is in the group, none under Findings; warnings first.
        codes = [
            line.split()[1]
            for line in lines[group : lines.index("Tags")]
            if line.split()[:1] in (["WARNING"], ["NOTICE"])
        ]
        assert codes == list(IMPACT_CODES)
        findings = lines[lines.index("Findings") : group]
        assert not any(code in line for code in IMPACT_CODES for line in findings)
        assert "STANDALONE_UNVERIFIED" in " ".join(findings)
        # What is lost, and the fix, for each
        assert "sandbox-guardrails (eu-west-1, us-east-1)" in text
        assert "Set RetainStacksOnAccountRemoval" in text
        assert "AdministratorAccess" in text and "sandbox-bob-build-subnet" in text
        # The count sits under IDENTITY_CENTER_ACCESS_LOST, before its fix.
        at = lines.index(next(x for x in lines if x.startswith("NOTICE IDENTITY_CENTER")))
        assert any(
            "Assigned through Identity Center: 1 user and 0 groups" in x for x in lines[at : at + 6]
        )


async def test_an_account_with_nothing_to_lose_says_so(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["fabrikam-dev"])
        await pilot.pause()
        text = detail_text(app)
        assert "What breaks when it leaves" in text
        assert "Nothing found: no StackSet stacks deleted" in text
        app.main.jump_to(demo.management_account_id)  # it never leaves: no such group
        await pilot.pause()
        assert "What breaks" not in detail_text(app)


async def test_the_count_comes_from_a_worker_thread(make_app, demo, monkeypatch):
    held = hold(monkeypatch, impact, "assignees")
    threads: list[str] = []
    real = impact.assignees

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(impact, "assignees", recorded)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        await until(pilot, held.entered.is_set)
        # The UI thread goes on while AWS is asked: the pane says it is counting.
        await pilot.press("t")
        await pilot.pause()
        assert "Counting who is assigned through Identity Center" in detail_text(app)
        held.release.set()
        await until(pilot, lambda: "1 user and 2 groups" in detail_text(app))
    assert threads and threading.main_thread().name not in threads


async def test_moving_on_reads_only_where_the_cursor_rests(make_app, demo, monkeypatch):
    asked: list[str] = []
    real = impact.assignees

    def counted(ctx, snap, account_id):
        asked.append(account_id)
        return real(ctx, snap, account_id)

    monkeypatch.setattr(impact, "assignees", counted)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        names = ["web-prod", "payments-prod", "analytics-prod", "data-dev", "ml-dev"]
        for name in names:  # faster than the pane waits before reading
            app.main.jump_to(demo.accounts[name])
        await until(pilot, lambda: "Assigned through Identity Center" in detail_text(app))
        assert asked == [demo.accounts["ml-dev"]]
        # Counted once: back on it, no second read.
        app.main.jump_to(demo.accounts["web-prod"])
        await until(pilot, lambda: len(asked) == 2)
        app.main.jump_to(demo.accounts["ml-dev"])
        await pilot.pause(0.3)
        assert asked == [demo.accounts["ml-dev"], demo.accounts["web-prod"]]
        assert "1 user and 1 group" in detail_text(app)


async def test_the_removal_dialog_sums_up_what_breaks_above_the_tags(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["sandbox-bob"])
        await pilot.press("r")
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, RemovalScreen)
                and app.screen.checks is not None
                and demo.accounts["sandbox-bob"] in app.screen.counts
            ),
        )
        dialog = app.screen
        summary = flat(plain(dialog.query_one("#removal-summary").render(), width=110))
        assert (
            "What breaks: 1 StackSet's stacks deleted, Control Tower drifts, 1 permission "
            "set loses access (1 user), 1 resource share stops"
        ) in summary
        body = plain(dialog.query_one("#removal-accounts").content, width=110)
        assert body.index("What breaks when it leaves") < body.index("Tags AWS deletes")
        assert body.index("STACKSET_STACKS_DELETED") < body.index("IDENTITY_CENTER_ACCESS")
        assert "Assigned through Identity Center: 1 user and 0 groups" in body


@pytest.fixture
def denied(aws_credentials):
    """An organization whose Identity Center can't be read (access denied)."""
    with FaultServer() as server:
        org = impact_org(server.client, per_ou=1)
        server.fail("ListInstances", "AccessDeniedException", status=403, message="not authorized")
        ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=("testing", "testing", None),
            )
        )
        yield org, ctx


async def test_a_skipped_check_is_said_in_the_header_the_root_and_the_detail(denied):
    org, ctx = denied
    app = OrgApp(Services(ctx), clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        header = flat(text_of(app, "#header-status"))
        assert "not checked: identity_center (access denied: sso:ListInstances)" in header
        root = detail_text(app)  # the cursor starts on the root
        assert "Impact checks" in root
        assert "identity_center  skipped: access denied: sso:ListInstances" in root
        assert "stacksets        checked in us-east-1" in root
        app.main.jump_to(org.sandbox[0])
        await pilot.pause()
        text = flat(detail_text(app))
        assert "Not checked: identity_center (access denied: sso:ListInstances)" in text
        assert "STACKSET_STACKS_DELETED" in text  # the other checks stand
        await pilot.press("question_mark")
        await pilot.pause()
        legend = flat(text_of(app, "#help-legend"))
        assert "Each is checked, or skipped with why" in legend


async def test_at_80_columns_the_header_names_what_was_not_checked(denied):
    _, ctx = denied
    app = OrgApp(Services(ctx), clock=lambda: DEMO_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        header = text_of(app, "#header-status")
        assert "not checked: identity_center" in header
        assert app.screen.query_one("#header-status").content_region.width >= len(header.strip())
