"""Browsing the demo organization: header, lazy tree, navigation, detail, help, reload."""

from __future__ import annotations

from orgtui.ui.screens.help import HelpScreen
from orgtui.ui.widgets.org_tree import OrgTree
from tests.ui.conftest import SIZE, detail_text, text_of, wait_loaded


async def test_header_shows_the_organization_and_the_mode(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        snap = app.snapshot
        header = text_of(app, "#header-org")
        assert snap.organization.id in header
        assert "management 123456789012" in header
        assert snap.caller.arn in text_of(app, "#header-caller")
        assert "DEMO" in text_of(app, "#header-mode")
        status = text_of(app, "#header-status")
        assert "40 accounts" in status and "9 blocked" in status


async def test_audit_demo_shows_both_badges(make_app):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert "DEMO · AUDIT read-only" in text_of(app, "#header-mode")


async def test_first_level_open_and_children_added_on_expand(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        assert tree.root.is_expanded
        first_level = [n.data.id for n in tree.root.children]
        assert demo.ous["Security"] in first_level
        assert demo.accounts["billing-reports"] in first_level
        security = tree.nodes[demo.ous["Security"]]
        assert not security.is_expanded and not security.children
        assert demo.accounts["security-tooling"] not in tree.nodes
        await pilot.press("down", "l")
        assert tree.cursor_ref.id == demo.ous["Security"]
        assert security.is_expanded
        assert {n.data.id for n in security.children} == {
            demo.accounts[n] for n in ("log-archive", "security-tooling", "audit")
        }
        # Deeper OUs stay unbuilt until opened.
        assert demo.ous["Payments"] not in tree.nodes


async def test_navigation_keys(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        assert tree.cursor_ref.kind == "root"
        await pilot.press("j")
        assert tree.cursor_ref.id == demo.ous["Security"]
        await pilot.press("down")
        assert tree.cursor_ref.id == demo.ous["Infrastructure"]
        await pilot.press("k")
        assert tree.cursor_ref.id == demo.ous["Security"]
        await pilot.press("enter", "down")
        first = tree.nodes[demo.ous["Security"]].children[0].data.id
        assert tree.cursor_ref.id == first
        assert app.snapshot.accounts[first].name in detail_text(app)
        await pilot.press("h")  # on an account: up to its OU
        assert tree.cursor_ref.id == demo.ous["Security"]
        await pilot.press("h")  # on an open OU: collapse it
        assert not tree.nodes[demo.ous["Security"]].is_expanded
        await pilot.press("up")
        assert tree.cursor_ref.kind == "root"


async def test_detail_of_a_ready_account(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["northwind-prod"])
        await pilot.pause()
        text = detail_text(app)
        assert "northwind-prod" in text and "READY" in text
        assert demo.accounts["northwind-prod"] in text
        assert "aws+northwind-prod@example.com" in text
        assert "Invited, joined on" in text and "ACTIVE" in text
        assert "Root / Divesting" in text
        assert "divest" in text and "northwind" in text and "ops@northwind.example" in text
        assert "DenyLeaveOrganization" in text and "inherited from Root" in text
        assert "TAGS_WILL_BE_DELETED" in text and "POLICIES_STOP_APPLYING" in text
        assert "BLOCKER" not in text


async def test_detail_of_a_review_account(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["tailspin-prod"])
        await pilot.pause()
        text = detail_text(app)
        assert "REVIEW" in text and "Created in the organization on" in text
        assert "WARNING STANDALONE_UNVERIFIED" in text
        assert "Fix: Sign in to the account as its root user" in text


async def test_detail_of_a_blocked_account(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["security-tooling"])
        await pilot.pause()
        text = detail_text(app)
        assert "BLOCKED" in text
        assert "BLOCKER DELEGATED_ADMIN" in text
        assert "guardduty.amazonaws.com" in text and "access-analyzer.amazonaws.com" in text
        assert "Fix: Move the delegated administrator role" in text
        assert "ProtectSecurityBaseline" in text and "inherited from Security" in text


async def test_detail_of_an_ou_and_the_root(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        text = detail_text(app)
        assert app.snapshot.organization.id in text
        assert "ALL" in text and "SERVICE_CONTROL_POLICY" in text and "TAG_POLICY" in text
        await pilot.press("j")
        text = detail_text(app)
        assert "Security" in text and "Root / Security" in text
        assert "3 accounts: 2 blocked · 0 review · 1 ready" in text
        assert "ProtectSecurityBaseline" in text and "attached directly" in text


async def test_state_shown_when_not_active(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        app.main.jump_to(demo.accounts["contoso-legacy"])
        await pilot.pause()
        label = tree.render_label(tree.cursor_node, tree.rich_style, tree.rich_style).plain
        assert "contoso-legacy" in label and "blocked" in label and "SUSPENDED" in label
        suspended = tree.render_label(
            tree.nodes[demo.ous["Suspended"]], tree.rich_style, tree.rich_style
        ).plain
        assert "2 accounts · 2 blocked" in suspended


async def test_help_lists_every_binding(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = text_of(app, "#help-keys")
        for key in (
            "j",
            "enter, l",
            "h",
            "/",
            "escape",
            "space",
            "v",
            "d",
            "r",
            "ctrl+r",
            "?",
            "q, ctrl+c",
            "ctrl+p",
        ):
            assert key in text
        assert "attestation tag" in text and "delegated administrator" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_jumps_to_an_account(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"tailspin")
        for _ in range(40):
            await pilot.pause(0.05)
        await pilot.press("enter")
        await pilot.pause()
        tree = app.query_one(OrgTree)
        assert tree.cursor_ref.id == demo.accounts["tailspin-prod"]
        assert app.focused is tree


async def test_reload_reads_again_and_keeps_the_place(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["ledger-prod"])
        await pilot.pause()
        calls = app.services.stats.calls["DescribeOrganization"]
        generation = app.load_status.generation
        await pilot.press("ctrl+r")
        assert app.load_status.generation == generation + 1
        await wait_loaded(pilot, app)
        assert app.services.stats.calls["DescribeOrganization"] == calls + 1
        tree = app.query_one(OrgTree)
        assert tree.cursor_ref.id == demo.accounts["ledger-prod"]
        assert "40 accounts" in text_of(app, "#header-status")


async def test_q_quits_with_zero(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
