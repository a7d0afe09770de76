"""Themes: the palette's theme switcher works, the choice is remembered in config.toml,
applied at the next start, and an unknown theme name in the settings is reported and
ignored."""

from __future__ import annotations

from typing import Any

from textual.command import CommandList, CommandPalette

from orgtui import files
from orgtui.arguments import parse
from orgtui.ui import app as app_mod
from orgtui.ui import run as run_mod
from tests.ui.conftest import SIZE, until, wait_loaded


def _highlighted(app: Any, text: str) -> bool:
    """The palette's search has landed: its highlighted option names `text`. (The search
    runs in the palette's own worker; enter before it lands picks nothing.)"""
    found = app.screen.query(CommandList)
    if not found or found.first().highlighted_option is None:
        return False
    return text.lower() in str(found.first().highlighted_option.prompt).lower()


async def _pick_theme_in_palette(pilot: Any, app: Any, name: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*"theme")
    await until(pilot, lambda: _highlighted(app, "theme"))
    await pilot.press("enter")  # "Theme: change the current theme"
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)  # now the list of themes
    await pilot.press(*name)
    await until(pilot, lambda: _highlighted(app, name))
    await pilot.press("enter")
    await pilot.pause()


async def test_theme_chosen_in_the_palette_is_remembered(make_app):
    app = make_app()
    assert files.load_settings()[0].theme is None
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await _pick_theme_in_palette(pilot, app, "nord")
        assert app.theme == "nord"
    settings, problems = files.load_settings()
    assert settings.theme == "nord" and problems == []


async def test_remembering_keeps_the_other_settings(make_app):
    files.save_setting("concurrency", 7)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.theme = "gruvbox"
        await pilot.pause()
    settings, _ = files.load_settings()
    assert (settings.theme, settings.concurrency) == ("gruvbox", 7)


async def test_theme_from_settings_is_applied_at_start(make_app):
    app = make_app(theme="dracula")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.theme == "dracula"
        assert app.current_theme.name == "dracula"
    # Applying the saved theme is not a change: nothing is written.
    assert not files.config_path().exists()


async def test_unknown_theme_in_settings_is_reported_and_ignored(make_app):
    app = make_app(theme="no-such-theme")
    default = app.theme
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.theme == default
        messages = [n.message for n in app._notifications]
        assert any("'theme'" in m and "no-such-theme" in m for m in messages), messages
    assert not files.config_path().exists()


def test_run_app_passes_the_theme_from_config_toml(monkeypatch):
    files.save_setting("theme", "monokai")
    cfg = parse(["--demo"])
    assert cfg.settings.theme == "monokai"
    seen: dict[str, str] = {}

    def fake_run(self: Any, *args: Any, **kwargs: Any) -> None:
        seen["theme"] = self.theme

    monkeypatch.setattr(app_mod.OrgApp, "run", fake_run)
    ctx = type("Ctx", (), {"options": type("Opts", (), {"read_only": False})()})()
    assert run_mod.run_app(cfg, ctx, demo=object()) == 0
    assert seen["theme"] == "monokai"


async def test_verdict_colours_follow_the_theme(make_app, demo):
    """Badges take the theme's error / warning / success text colours, whatever the theme."""
    from orgtui.ui.palette import Palette
    from orgtui.ui.widgets.org_tree import OrgTree

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        app.main.jump_to(demo.accounts["security-tooling"])
        await pilot.pause()
        for theme in ("textual-light", "nord", "ansi-dark"):
            app.theme = theme
            await pilot.pause()
            label = tree._label(tree.cursor_ref)
            [span] = [s for s in label.spans if label.plain[s.start : s.end].strip() == "blocked"]
            expected = Palette.of_theme(app.current_theme).error.color
            assert span.style.color == expected, theme
            header = app.query_one("#header-status").content
            assert any(
                s.style.color == Palette.of_theme(app.current_theme).success.color
                for s in header.spans
                if "ready" in header.plain[s.start : s.end]
            )


def _cursor_row_contrasts(strip) -> list[tuple[str, float, bool]]:
    from textual.color import Color

    from orgtui.ui.contrast import GUIDES, contrast

    found = []
    for segment in strip:
        style = segment.style
        if GUIDES.issuperset(segment.text) or style is None or style.bgcolor is None:
            continue
        if style.color is None or style.color.triplet is None:
            continue
        fg, bg = Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
        found.append((segment.text.strip(), contrast(fg, bg), bool(style.dim)))
    return found


async def test_every_text_on_the_cursor_row_reads_at_4_5_to_1_in_every_theme(make_app, demo):
    from textual.theme import BUILTIN_THEMES

    from orgtui.ui.widgets.account_table import AccountTable
    from orgtui.ui.widgets.org_tree import OrgTree

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        for theme in BUILTIN_THEMES:
            if theme.startswith("ansi"):  # the terminal's own colours
                continue
            app.theme = theme
            for name in ("security-tooling", "web-dev", "northwind-prod"):  # each verdict
                app.main.jump_to(demo.accounts[name])
                await pilot.pause()
                for focused in (True, False):  # the tree's cursor, focused and blurred
                    (tree.focus() if focused else app.main.query_one("#detail").focus())
                    await pilot.pause()
                    row = tree.render_line(tree.cursor_line - tree.scroll_offset.y)
                    texts = _cursor_row_contrasts(row)
                    assert any(t[0].startswith(("blocked", "review", "ready")) for t in texts)
                    for text, ratio, dim in texts:
                        assert ratio >= 4.5 and not dim, (theme, name, focused, text, ratio)
            await pilot.press("t")
            await pilot.pause()
            table = app.query_one(AccountTable)
            row = table._row_strip(table.cursor_account, True)
            for text, ratio, dim in _cursor_row_contrasts(row):
                assert ratio >= 4.5 and not dim, (theme, "table", text, ratio)
            await pilot.press("t")
            await pilot.pause()


def test_readable_keeps_a_colour_that_reads_and_shades_one_that_does_not():
    from textual.color import Color

    from orgtui.ui.contrast import contrast, readable

    white, blue = Color(255, 255, 255), Color(1, 120, 212)
    assert readable(white, Color(0, 0, 0)) == white
    shaded = readable(Color(209, 126, 146), blue)  # a verdict's red on the cursor's blue
    assert contrast(shaded, blue) >= 4.5 and shaded != Color(209, 126, 146)
