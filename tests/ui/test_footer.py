"""The key bar rebuilds its keys at every change of the bindings; the keys it replaced
must be freed, not kept for every garbage collection to scan (a Textual Footer leak)."""

from __future__ import annotations

import gc
import weakref

from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tests.ui.conftest import SIZE, wait_loaded


async def test_the_footer_lets_go_of_the_keys_it_replaced(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        footer = app.main.query_one(Footer)
        seen: list[weakref.ref[FooterKey]] = []
        for _ in range(6):  # each focus change changes the bindings: the keys are rebuilt
            await pilot.press("tab")
            await pilot.pause(0.05)
            seen += [weakref.ref(key) for key in footer.query(FooterKey)]
        assert len({id(r) for r in seen}) > len(footer.query(FooterKey))  # rebuilt
        gc.collect()
        alive = [key for key in (r() for r in seen) if key is not None]
        assert alive and all(key.is_attached for key in alive), (
            f"{sum(not k.is_attached for k in alive)} removed keys still alive"
        )
