"""The detail pane draws its own lines: what it shows, at the width it has, without laying
the whole screen out again when only its text changes."""

from __future__ import annotations

from rich.text import Text

from tests.ui.conftest import (
    SIZE,
    count_layouts,
    detail_text,
    plain,
    rested,
    until,
    wait_loaded,
)


def _plain_lines(renderable, width: int) -> list[str]:
    return [line.rstrip() for line in plain(renderable, width=width).rstrip("\n").split("\n")]


async def _bob(pilot, app, demo):
    """sandbox-bob's detail at 80x24, with who is assigned (taller than the pane)."""
    await wait_loaded(pilot, app)
    app.main.jump_to(demo.accounts["sandbox-bob"])
    await until(pilot, lambda: "Assigned through" in detail_text(app))
    return app.main.detail


def _shown(pane) -> list[str]:
    """The pane's lines as the terminal gets them (scrolled to the top)."""
    return [strip.text.rstrip() for strip in pane._lines]


async def test_lines_fit_the_width_shown_and_follow_a_resize(make_app, demo):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _bob(pilot, app, demo)
        # The scrollbar takes its column and the text wraps before it.
        assert pane.show_vertical_scrollbar
        width = pane.scrollable_content_region.width
        assert _shown(pane) == _plain_lines(pane.content, width)
        assert pane.virtual_size.height == len(pane._lines)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        wider = pane.scrollable_content_region.width
        assert wider > width
        assert _shown(pane) == _plain_lines(pane.content, wider)


async def test_new_text_lays_nothing_out_whatever_its_height(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        pane = app.main.detail

        async def show(text: str) -> None:
            pane._set_content(Text(text))
            await pilot.pause()
            await pilot.pause()

        layouts = count_layouts(monkeypatch)
        height = pane.scrollable_content_region.height
        width = pane.scrollable_content_region.width
        await show("one\ntwo\nthree")
        assert _shown(pane) == ["one", "two", "three"]
        # Taller than the pane, then taller still, then short again: the scrollbar is
        # always there, so only the scroll range changes.
        await show("\n".join(f"line {i}" for i in range(height + 5)))
        await show("\n".join(f"row {i}" for i in range(height + 35)))
        assert pane.virtual_size.height == height + 35
        pane.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert pane.scroll_y == height + 35 - height
        assert pane.render_line(height - 1).text.startswith(f"row {height + 34}")
        await show("short")
        assert pane.scroll_y == 0
        assert pane.show_vertical_scrollbar
        assert pane.scrollable_content_region.width == width
        assert layouts == []


async def test_another_node_is_shown_from_its_top(make_app, demo):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _bob(pilot, app, demo)
        pane.scroll_to(y=6, animate=False, immediate=True)
        await pilot.pause()
        assert pane.scroll_y == 6
        app.main.jump_to(demo.accounts["sandbox-carol"])
        await until(pilot, lambda: "sandbox-carol" in detail_text(app))
        assert pane.scroll_y == 0
        assert _shown(pane)[0].startswith("sandbox-carol")


async def test_a_node_shown_again_is_drawn_from_what_was_kept(make_app, demo, monkeypatch):
    """Up and down over the same accounts: each thing the pane shows is rendered once per
    view and theme, then drawn again from the lines kept, the same as a fresh render."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        pane = app.main.detail
        rendered: list[object] = []
        real = pane._lines_at

        def lines_at(width: int):
            rendered.append(pane._seen)
            return real(width)

        monkeypatch.setattr(pane, "_lines_at", lines_at)

        async def visit(name: str) -> list[str]:
            app.main.jump_to(demo.accounts[name])
            await until(pilot, lambda: name in detail_text(app))
            # The reads for the account under the cursor land (and draw it again) once
            # it rests there: let them, so that each draw below is the visit's own.
            await rested(pilot, app)
            width = pane.scrollable_content_region.width
            assert _shown(pane) == _plain_lines(pane.content, width)
            return _shown(pane)

        for name in ("web-prod", "ledger-prod"):
            await visit(name)  # its reads land: the view is final (no new view after)
        first = {name: await visit(name) for name in ("web-prod", "ledger-prod")}
        renders = len(rendered)
        for name in ("web-prod", "ledger-prod", "web-prod"):
            assert await visit(name) == first[name]
        assert len(rendered) == renders  # all three drawn from what was kept
        assert len(set(rendered)) == len(rendered)  # and nothing rendered twice

        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await visit("ledger-prod")
        # Another theme: the node on screen, then ledger-prod, rendered again in it.
        assert [seen[1].id for seen in rendered[renders:]] == [
            demo.accounts["web-prod"],
            demo.accounts["ledger-prod"],
        ]
        assert all(seen[3] == app.theme for seen in rendered[renders:])
