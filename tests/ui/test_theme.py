"""Themes: the palette's theme switcher works, the choice is remembered in config.toml,
applied at the next start, and an unknown theme name in the settings is reported and
ignored."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette

from orgtui import files
from orgtui.cli import parse
from orgtui.ui import app as app_mod
from tests.ui.conftest import SIZE, wait_loaded


async def _pick_theme_in_palette(pilot: Any, app: Any, name: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*"theme")
    await pilot.pause(0.3)
    await pilot.press("enter")  # "Theme: change the current theme"
    await pilot.pause(0.3)
    assert isinstance(app.screen, CommandPalette)  # now the list of themes
    await pilot.press(*name)
    await pilot.pause(0.3)
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
    assert app_mod.run_app(cfg, ctx, demo=object()) == 0
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
