"""The key bar: the bindings in force on one line, following the focus and the node under
the cursor, repainted without mounting a widget per key or laying the screen out; a click
on a key presses it."""

from __future__ import annotations

from orgtui.ui.screens.help import HelpScreen
from orgtui.ui.widgets.footer import KeyBar
from tests.ui.conftest import SIZE, count_layouts, wait_loaded


def _line(bar: KeyBar) -> str:
    return bar.render().plain


async def test_the_keys_follow_the_focus_and_the_node(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        bar = app.main.query_one(KeyBar)
        await pilot.press("down")  # an OU: enter opens it
        await pilot.pause()
        line = _line(bar)
        assert line.startswith("⏎ Open space Mark / Filter t Table")
        assert "? Help q Quit" in line and line.endswith("▏^p Palette ")
        assert len(line) == SIZE[0]
        app.main.jump_to(demo.accounts["ledger-prod"])  # an account: enter does nothing
        await pilot.pause()
        assert "⏎ Open" not in _line(bar) and "v Attest" in _line(bar)
        await pilot.press("t")
        await pilot.pause()
        assert "s Sort" in _line(bar)
        await pilot.press("slash")
        await pilot.pause()
        assert "esc Clear filter" in _line(bar)
        assert not bar.children  # one widget, whatever it shows


async def test_audit_mode_shows_no_write_key(make_app):
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        keys = app.main.query_one(KeyBar).visible_keys()
        assert {"question_mark", "q", "ctrl+p"} <= set(keys)
        assert not {"r", "v", "d", "space", "A"} & set(keys)


async def test_new_keys_repaint_the_bar_without_a_layout(make_app, demo, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("down")  # an OU
        await pilot.pause()
        bar = app.main.query_one(KeyBar)
        layouts = count_layouts(monkeypatch)
        before = bar.entries
        await pilot.press("end")  # billing-reports, at the root: an account, no ⏎ Open
        await pilot.pause()
        await pilot.pause()
        assert app.main.cursor_ref().id == demo.accounts["billing-reports"]
        assert bar.entries != before
        assert layouts == []


async def test_a_click_on_a_key_presses_it(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        bar = app.main.query_one(KeyBar)
        line = _line(bar)
        x = line.index("? Help")
        await pilot.click(KeyBar, offset=(x + 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
