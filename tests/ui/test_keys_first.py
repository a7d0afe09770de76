"""Keys before the load (ui/keys_first.py): each key claims the foreground, and the claim
is released once the key is handled and the screen painted after it, whether its binding
ran at the app or a widget took it on the way."""

from __future__ import annotations

from tests.ui.conftest import SIZE, settled, wait_loaded


async def test_a_key_claims_the_foreground_until_it_is_painted(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await settled(pilot, app)
        tree = app.main.tree_view
        foreground = app.services.foreground
        seen: list[tuple[str, int]] = []
        claim, release = foreground.claim, foreground.release
        monkeypatch.setattr(
            foreground, "claim", lambda: (seen.append(("claim", tree.cursor_line)), claim())
        )
        monkeypatch.setattr(
            foreground, "release", lambda: (seen.append(("release", tree.cursor_line)), release())
        )
        before = tree.cursor_line
        await pilot.press("down")
        await settled(pilot, app)
        # Claimed before the cursor moved, released after.
        assert seen == [("claim", before), ("release", before + 1)]
        assert foreground._claims == 0
        await pilot.press("down", "down", "up")
        await settled(pilot, app)
        assert [what for what, _ in seen].count("claim") == 4
        assert [what for what, _ in seen].count("release") == 4
        assert foreground._claims == 0
        # Keys a widget takes on the way (the filter's characters) are released too.
        seen.clear()
        await pilot.press("slash", *"prod")
        await settled(pilot, app)
        assert app.main.filter_query == "prod"
        assert [what for what, _ in seen].count("claim") == 5
        assert [what for what, _ in seen].count("release") == 5
        assert foreground._claims == 0
