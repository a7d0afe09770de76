"""The widgets that draw their own lines ask for their style once per draw, not once per
line (`LineWidget`): each ask walks every ancestor's styles. A new scroll range (rows,
tree lines, the filter's text) lays nothing out (`scroll_range_only`), and the scrolling
still follows it."""

from __future__ import annotations

from typing import Any

import pytest
from textual.dom import DOMNode
from textual.geometry import Region
from textual.screen import Screen

from tests.ui.conftest import (
    SIZE,
    count_layouts,
    rested,
    settled,
    until,
    wait_loaded,
)


def _count_style_asks(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    asked: dict[str, int] = {}
    real = DOMNode.rich_style

    def counted(self: DOMNode) -> Any:
        name = type(self).__name__
        asked[name] = asked.get(name, 0) + 1
        return real.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(DOMNode, "rich_style", property(counted))
    return asked


@pytest.mark.parametrize("selector", ["#tree", "#table", "#detail"])
async def test_a_draw_asks_for_the_style_once(make_app, monkeypatch, selector):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        if selector == "#table":
            await pilot.press("t")
            await until(pilot, lambda: app.main.showing_table)
        widget = app.main.query_one(selector)
        width, height = widget.size
        assert height > 10
        asked = _count_style_asks(monkeypatch)
        widget._styles_cache.clear()
        lines = widget.render_lines(Region(0, 0, width, height))
        assert len(lines) == height
        assert asked.get(type(widget).__name__) == 1
        # Outside a draw (a test reading one line), the style is asked afresh.
        widget.render_line(0)
        assert asked[type(widget).__name__] > 1


async def test_the_tables_rows_changing_lays_nothing_out(make_app, monkeypatch):
    """Fewer rows (a filter's result) change the table's scroll range, not its size or
    place: no layout of the screen while its scrollbars stay as they are."""
    app = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        await until(pilot, lambda: app.main.showing_table)
        # The cursor's recovery read, landing, shows the table's rows afresh: let it land.
        await rested(pilot, app)
        table = app.main.table
        rows = list(table.rows)
        assert len(rows) > 30 and table.show_vertical_scrollbar
        layouts = count_layouts(monkeypatch)
        table.show(table.model, set(rows[:30]))
        await pilot.pause()
        await pilot.pause()
        assert table.virtual_size.height == 31  # the header and 30 rows
        assert table.show_vertical_scrollbar
        assert layouts == []
        assert table.rows[0] in table.render_line(1).text  # its first row, drawn


async def test_typing_in_the_filter_lays_nothing_out(make_app, monkeypatch):
    """Each key typed in the filter changes the input's scroll width and, once the search
    lands, the tree's nodes and lines: none of that changes a widget's size or place.
    Textual laid the whole screen out twice per key for it (Input, Tree)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", "p", "r")
        await settled(pilot, app)
        tree = app.main.tree_view
        # (A scrollbar showing or hiding does lay the screen out: not here.)
        scrollbar = tree.show_vertical_scrollbar
        layouts = count_layouts(monkeypatch)
        for key in "od":
            await pilot.press(key)
            await settled(pilot, app)
        await pilot.pause()
        assert app.main.filter_query == "prod"
        assert tree.matches  # the search landed and the tree was rebuilt
        assert tree.show_vertical_scrollbar == scrollbar
        assert layouts == []


async def test_escape_lays_the_screen_out_once(make_app, monkeypatch):
    """The filter bar hiding resizes the views' switcher: one layout, not a second one
    for the switcher's new scroll size."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"prod")
        await settled(pilot, app)
        tree = app.main.tree_view
        height = tree.size.height
        layouts = count_layouts(monkeypatch)
        await pilot.press("escape")
        await until(pilot, lambda: tree.matches is None)
        await pilot.pause()
        assert len(layouts) == 1
        assert tree.size.height == height + 3  # the bar's three rows went to the tree


async def test_a_change_of_focus_repaints_what_it_changes(make_app, monkeypatch):
    """`/` and escape move the focus: the widgets it restyles repaint (the filter, the
    tree's border, the footer's keys), not the whole screen once more after them."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        painted: list[set[str]] = []
        real = Screen._compositor_refresh

        def counted(self: Screen[Any]) -> None:
            painted.append({type(w).__name__ for w in self._dirty_widgets})
            real(self)

        monkeypatch.setattr(Screen, "_compositor_refresh", counted)
        for keys, focused in ((["slash"], "FilterInput"), (["escape"], "OrgTree")):
            painted.clear()
            await pilot.press(*keys)
            await settled(pilot, app)
            await pilot.pause()
            assert type(app.focused).__name__ == focused
            everything = set().union(*painted)
            assert "MainScreen" not in everything, painted
            assert {focused, "KeyBar"} <= everything, painted  # restyled, repainted


async def test_the_trees_scroll_range_follows_its_lines(make_app):
    """Opening OUs grows the tree's scroll range without a layout: the scrollbar still
    shows when the lines outgrow the tree, and `end` reaches the last line."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        tree = app.main.tree_view
        assert not tree.show_vertical_scrollbar
        for node in list(tree.nodes.values()):
            if node.allow_expand:
                tree.fill(node)
                node.expand()
        await pilot.pause()
        await pilot.pause()
        lines = len(tree._tree_lines)
        assert lines > tree.size.height
        assert tree.virtual_size.height == lines
        assert tree.show_vertical_scrollbar
        await pilot.press("end")
        await pilot.pause()
        assert tree.scroll_y == tree.max_scroll_y > 0


async def test_a_long_query_scrolls_in_the_filter(make_app):
    """The input's scroll width follows its text without a layout: a query longer than
    the bar scrolls to keep the cursor in view."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *("x" * 100))
        await settled(pilot, app)
        box = app.main.query_one("#filter")
        assert box.virtual_size.width == 101  # the text and the cursor
        assert box.scroll_x > 0
        assert box.scroll_x == box.max_scroll_x
