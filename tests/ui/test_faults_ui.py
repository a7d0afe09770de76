"""UI-side faults not covered by tests/ui/test_errors.py: a corrupt snapshot cache is
reported in a notification and set aside, and the organization loads as usual."""

from __future__ import annotations

from orgtui import files
from tests.ui.conftest import SIZE, wait_loaded


async def test_corrupt_cache_is_reported_and_the_app_loads(make_app):
    path = files.snapshot_path("k-corrupt")
    path.parent.mkdir(parents=True)
    path.write_text('{"format": "orgtui-snapshot", "version": 1, "accounts": [')
    app = make_app(cache_key="k-corrupt", use_cache=True)
    # Recorded as they are made: a slow machine could let a shown notice expire first.
    notices: list[tuple[str, str]] = []
    shown = app.notify

    def recording(message: str, **kwargs: object) -> None:
        notices.append((str(kwargs.get("title", "")), message))
        shown(message, **kwargs)  # type: ignore[arg-type]

    app.notify = recording  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.load_status.loaded and app.return_code is None
        assert app.snapshot is not None and len(app.snapshot.accounts) > 1
        warnings = [message for title, message in notices if title == "Cache set aside"]
        assert len(warnings) == 1
        assert "could not be read" in warnings[0]
        assert "read afresh" in warnings[0]
    # The bad file was set aside, and the full load saved a good one in its place.
    assert path.with_name(path.name + ".bad").read_text().endswith('"accounts": [')
    assert files.load_snapshot("k-corrupt") is not None
