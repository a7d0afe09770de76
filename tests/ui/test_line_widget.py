"""The widgets that draw their own lines ask for their style once per draw, not once per
line (`LineWidget`): each ask walks every ancestor's styles."""

from __future__ import annotations

from typing import Any

import pytest
from textual.dom import DOMNode
from textual.geometry import Region

from tests.ui.conftest import SIZE, count_layouts, until, wait_loaded


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
        await pilot.pause()
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
