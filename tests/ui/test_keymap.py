"""The setting `keymap` (binding id -> keys): applied with Textual's set_keymap, twins
included; the help and the footer show the keys in effect; bad entries are said."""

from __future__ import annotations

from pathlib import Path

from orgtui.files.settings import load_settings
from orgtui.ui.screens.attest import AttestScreen
from orgtui.ui.screens.help import HelpScreen
from tests.ui.conftest import notices, until, wait_loaded

WIDE = (160, 40)


def test_the_setting_takes_ids_and_keys_and_says_what_it_ignores(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[keymap]\nattest = "ctrl+t"\nreload = "f5, ctrl+r"\n"Bad Id" = "x"\nhelp = 3\n'
    )
    settings, problems = load_settings(path)
    assert settings.keymap == (("attest", "ctrl+t"), ("reload", "f5,ctrl+r"))
    assert len(problems) == 2
    assert any("'Bad Id'" in p and "not a binding id" in p for p in problems)
    assert any("'help' = 3" in p for p in problems)


def test_a_table_that_is_not_one_is_refused(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('keymap = "ctrl+t"\n')
    settings, problems = load_settings(path)
    assert settings.keymap == () and "'keymap' must be a dict" in problems[0]


async def test_the_keys_in_effect_act_and_show_in_help_and_footer(make_app):
    app = make_app(keymap=(("attest", "ctrl+t"), ("no-such-binding", "f9")))
    async with app.run_test(size=WIDE) as pilot:
        await wait_loaded(pilot, app)
        assert any("names no binding no-such-binding" in n for n in notices(app))
        # The narrow footer's twin follows the key too.
        assert app.keys_in_effect["attest"] == app.keys_in_effect["attest-narrow"] == "ctrl+t"
        assert "ctrl+t" in app.screen.active_bindings and "v" not in app.screen.active_bindings
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = dict((what, keys) for keys, what in help_screen.rows)
        attest_row = next(keys for what, keys in rows.items() if what.startswith("attest"))
        assert attest_row == "ctrl+t"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        before = len(notices(app))
        await pilot.press("ctrl+t")  # on the root: attest asks for an account
        await until(pilot, lambda: len(notices(app)) > before)
        assert "mark accounts with space" in notices(app)[-1]
        assert not isinstance(app.screen, AttestScreen)
