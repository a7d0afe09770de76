"""The snapshot cache: painted at once marked stale, replaced when the refresh lands, saved
after a full load."""

from __future__ import annotations

import threading

from orgtui import files
from orgtui.aws.loader import Loader
from orgtui.backend import Services
from tests.ui.conftest import SIZE, demo_context, text_of, wait_loaded


async def test_cached_snapshot_is_painted_stale_until_the_refresh(make_app, demo, monkeypatch):
    cached = Loader(demo_context()).load()
    saved: list[tuple[str, object]] = []
    asked: list[str] = []

    def load_snapshot(key, problems=None):
        asked.append(key)
        return cached

    monkeypatch.setattr(files, "load_snapshot", load_snapshot)
    monkeypatch.setattr(files, "save_snapshot", lambda key, snap: saved.append((key, snap)))
    gate = threading.Event()
    real = Loader.load_structure

    def held(self):
        assert gate.wait(30)
        return real(self)

    monkeypatch.setattr(Loader, "load_structure", held)
    app = make_app(cache_key="k1", use_cache=True)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if app.view is not None:
                break
            await pilot.pause(0.05)
        assert asked == ["k1"]
        assert app.snapshot is not None and not app.load_status.loaded
        assert app.snapshot.loaded_at == cached.loaded_at  # the cached picture
        assert "stale (cached " in text_of(app, "#header-status")
        gate.set()
        await wait_loaded(pilot, app)
        assert app.snapshot.loaded_at != cached.loaded_at  # read afresh
        assert "stale" not in text_of(app, "#header-status")
        assert saved and saved[-1][0] == "k1" and saved[-1][1].enriched


async def test_no_cache_key_no_cache(make_app, monkeypatch):
    monkeypatch.setattr(
        files,
        "load_snapshot",
        lambda key, problems=None: (_ for _ in ()).throw(
            AssertionError("the cache must not be read")
        ),
    )
    saved: list[object] = []
    monkeypatch.setattr(files, "save_snapshot", lambda key, snap: saved.append(snap))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        assert app.load_status.loaded and not saved


async def test_unreachable_endpoint_keeps_the_cached_picture_marked_stale(demo):
    """With a cached snapshot and AWS out of reach, the session shows the cached picture,
    stale, with why in the header; it does not exit (the report, which must be live,
    still fails)."""
    import socket

    from orgtui.aws.session import AwsContext, SessionOptions
    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION
    from orgtui.ui.app import OrgApp
    from tests.conftest import DEMO_NOW

    files.save_snapshot("k-offline", Loader(demo_context()).load())
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ctx = AwsContext(
        SessionOptions(
            region=DEMO_REGION,
            credentials=DEMO_CREDENTIALS,
            endpoint_url=f"http://127.0.0.1:{port}",
        )
    )
    app = OrgApp(Services(ctx, cache_key="k-offline"), clock=lambda: DEMO_NOW, use_cache=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app, limit=2000)
        assert app.is_running and app.fatal_error is None
        assert app.view is not None and demo.accounts["northwind-prod"] in app.snapshot.accounts
        status = " ".join(text_of(app, "#header-status").split())
        assert "stale (cached " in status and "Not live: Could not reach" in status
        assert "ctrl+r retries" in status
    assert app.return_code in (None, 0)
