"""The TUI against a hostile organization (tests/support/hostile.py): names with markup,
click actions, OSC and CSI sequences, newlines, formula prefixes, right-to-left and
zero-width characters, 50 characters. The app must stay up, show every name literally
(cleaned: control characters as visible escapes), and never let a control character
from the data reach the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot

from orgtui import files
from orgtui.aws.loader import Loader
from orgtui.backend import Services
from orgtui.text import clean
from orgtui.ui.app import OrgApp
from orgtui.ui.screens.removal import RemovalScreen
from orgtui.ui.widgets.org_tree import OrgTree
from tests.conftest import DEMO_NOW
from tests.support import hostile as h
from tests.ui.conftest import (
    demo_context,
    detail_text,
    plain,
    rested,
    settled,
    text_of,
    until,
    wait_loaded,
)

SIZE = (100, 30)


@pytest.fixture
def org(isolated_env: Any) -> Iterator[h.HostileOrg]:
    with h.start_hostile(DEMO_NOW) as running:
        yield running


def assert_clean_screen(app: OrgApp) -> str:
    """The screen as SVG holds no control character from the data; returns its text."""
    svg = app.export_screenshot()
    for char in h.RAW_CONTROLS:
        assert char not in svg, f"{char!r} reached the screen"
    return svg


def shown(name: str) -> str:
    """How a hostile name reads on screen."""
    return clean(name)


def in_svg(svg: str, text: str) -> bool:
    """Whether `text` appears on one row of an exported screen (SVG escapes & < > and
    draws spaces as non-breaking ones)."""
    import html

    rows = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    plain_svg = "".join(html.unescape(r).replace("\xa0", " ") for r in rows)
    return text in plain_svg


async def test_starts_browses_every_node_and_shows_names_literally(org):
    app = OrgApp(Services(demo_context()), clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.return_code is None and app.view is not None
        tree = app.query_one(OrgTree)
        for name, acc_id in org.accounts.items():
            app.main.jump_to(acc_id)
            await pilot.pause()
            assert tree.cursor_ref.id == acc_id
            label = tree.render_label(tree.cursor_node, tree.rich_style, tree.rich_style).plain
            # Literal, or cut literally where the line is short (the id is kept whole).
            literal = shown(name) in label or any(
                label.count(shown(name)[:n] + "…") for n in range(1, len(shown(name)))
            )
            assert literal and acc_id in label and "\n" not in label, label
            assert shown(name) in detail_text(app)
            assert_clean_screen(app)
        # Every OU's label and detail too, and a walk over every line with the keys.
        for ou_name, ou_id in org.built.ous.items():
            label = tree.render_label(tree.nodes[ou_id], tree.rich_style, tree.rich_style)
            assert shown(ou_name) in label.plain or any(
                label.plain.count(shown(ou_name)[:n] + "…") for n in range(1, len(shown(ou_name)))
            )
        tree.move_cursor(tree.root)
        for _ in range(len(tree.nodes) + 2):
            await pilot.press("down")
        detail = detail_text(app)
        assert all(c not in detail for c in h.RAW_CONTROLS)
        # The forged row of the newline name is not a row: one line holds it, escaped.
        svg = assert_clean_screen(app)
        assert not in_svg(svg, "forged-row  000000000000") or in_svg(svg, "fake\\n├─")
        # The table: every name cleaned in its cells, nothing raw on screen.
        await pilot.press("t")
        table = app.main.table
        for account_id in table.rows:
            line = "".join(seg.text for seg in table._row_strip(account_id, False))
            assert all(c not in line for c in h.RAW_CONTROLS) and "\n" not in line
        for _ in range(len(table.rows)):
            await pilot.press("down")
        assert_clean_screen(app)
        await pilot.press("t")
        # Tags and the policy name, with their markup and escapes, read literally.
        app.main.jump_to(org.accounts[h.REFUSED])
        await pilot.pause()
        detail = detail_text(app)
        assert shown(h.POLICY) in detail and "k[/]" in detail and shown(h.OSC52) in detail
        assert app.return_code is None


async def test_filter_with_markup_and_the_status_line(org):
    app = OrgApp(Services(demo_context()), clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"x[/]")
        await settled(pilot, app)
        tree = app.query_one(OrgTree)
        # The name, and the tag key holding it.
        expected = {org.accounts[n] for n in {h.CLICK, *h.TAGGED}}
        assert tree.matches == expected
        assert f'filter "x[/]": {len(expected)} of' in text_of(app, "#status")
        await pilot.press("enter")
        await pilot.pause()
        assert tree.cursor_ref.id in expected
        svg = assert_clean_screen(app)
        assert in_svg(svg, h.CLICK)
        # A pasted escape sequence is kept out of the input, and so off the screen.
        await pilot.press("slash")
        box = app.query_one("#filter")
        box.value = ""
        box.insert_text_at_cursor(f"{h.OSC2}ti")
        await pilot.pause()
        assert "\x1b" not in box.value and "\x07" not in box.value
        assert_clean_screen(app)
        assert app.return_code is None


async def test_dialog_and_refusal_notice_hold_no_action(org, monkeypatch):
    app = OrgApp(Services(demo_context()), clock=lambda: DEMO_NOW)
    actions: list[str] = []
    monkeypatch.setattr(OrgApp, "action_screenshot", lambda self, *a: actions.append("shot"))
    monkeypatch.setattr(OrgApp, "action_quit", lambda self: actions.append("quit"))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot, app)
        # Every hostile account in one dialog: it opens, draws, and says nothing raw.
        app.main.set_marks(org.accounts.values(), True)
        app.open_removal(list(org.accounts.values()))
        await until(pilot, lambda: isinstance(app.screen, RemovalScreen))
        dialog = app.screen
        await until(pilot, lambda: dialog.checks is not None)
        body = plain(dialog.query_one("#removal-accounts").content, width=120)
        for name in h.NAMES:
            assert shown(name) in body
        assert_clean_screen(app)
        await pilot.press("escape")
        await pilot.pause()
        app.main.set_marks(org.accounts.values(), False)
        # The refused one: AWS says no, and the notice names it literally.
        target = org.accounts[h.REFUSED]
        app.main.jump_to(target)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RemovalScreen))
        dialog = app.screen
        await until(pilot, lambda: dialog.checks is not None)
        await pilot.press(*target, "enter")
        await until(pilot, lambda: dialog.phase == "done")
        notices = [(n.title, n.message) for n in app._notifications]
        assert any(
            title == h.REFUSED and "phone verification" in message for title, message in notices
        ), notices
        await pilot.press("enter")  # Close
        await pilot.pause()
        svg = assert_clean_screen(app)
        assert in_svg(svg, h.REFUSED)
        # A click on every toast does nothing but dismiss it (no action in a name).
        for toast in list(app.screen.query("Toast")):
            await pilot.click(toast)
        await pilot.pause()
        assert actions == [] and app.return_code is None


async def test_palette_finds_a_hostile_name_as_text(org, monkeypatch):
    app = OrgApp(Services(demo_context()), clock=lambda: DEMO_NOW)
    actions: list[str] = []
    monkeypatch.setattr(OrgApp, "action_screenshot", lambda self, *a: actions.append("shot"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"click")
        # The palette searches in a worker of its own: wait for the hostile name's line.
        await until(pilot, lambda: in_svg(app.export_screenshot(), h.CLICK))
        assert_clean_screen(app)
        await pilot.press("enter")
        await pilot.pause()
        tree = app.query_one(OrgTree)
        assert tree.cursor_ref.id == org.accounts[h.CLICK]
        assert actions == [] and app.return_code is None


async def test_starts_from_a_hostile_cache(org):
    ctx = demo_context()
    snap = Loader(ctx).load()
    key = files.cache_key(None, "hostile", None)
    files.save_snapshot(key, snap)
    app = OrgApp(Services(demo_context(), cache_key=key), clock=lambda: DEMO_NOW, use_cache=True)
    painted: list[bool] = []
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.view is not None)
        painted.append(app.load_status.stale_at is not None or app.load_status.loaded)
        await wait_loaded(pilot, app)
        assert_clean_screen(app)
        assert app.return_code is None
    assert painted == [True]


def test_snapshot_hostile_main_screen(org, snap_compare):
    app = OrgApp(Services(demo_context()), clock=lambda: DEMO_NOW)

    async def run_before(pilot: Pilot) -> None:
        await wait_loaded(pilot, app)
        app.main.jump_to(org.accounts[h.REFUSED])
        await rested(pilot, app)  # the recovery read under the cursor, landed (no race)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_palette_hits_are_plain_content():
    from textual.fuzzy import Matcher

    from orgtui.ui.commands import hit_content

    help_text = f"ready · {h.OU_NAMES[0]}"
    content = hit_content(Matcher("click"), h.CLICK, help_text)
    assert content.plain == f"{h.CLICK}\nready · {clean(h.OU_NAMES[0])}"
    assert not any("click=" in repr(span.style) for span in content.spans)


async def test_every_notice_is_plain_text(org):
    app = OrgApp(Services(demo_context()), clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot, app)
        app.notify(f"{h.CLICK} and {h.OSC2}\nsecond line", title=h.NEWLINE, markup=True)
        await pilot.pause()
        [notice] = [n for n in app._notifications if n.title == clean(h.NEWLINE)]
        assert not notice.markup
        assert notice.message == f"{h.CLICK} and {clean(h.OSC2)}\nsecond line"
        assert_clean_screen(app)
