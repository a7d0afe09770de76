"""TUI timings on a large organization (run by run.py).

In its own process, with the cache folder that `orgtui audit --report json` filled:
- cold start (`measure_cold`, no cache read): the time until the tree is painted with the
  structure (badges `reading`) against the time until the details are painted (the full
  load);
- first frame from the cache: from creating the app (after imports) until the cached
  organization is on screen (the compositor's first render after the view was shown:
  tree painted, header marked stale); imports apart; the pilot's wait until every queue
  is idle after it is `first_idle_s`;
- key rounds on the tree and on the account table (`key_round`): `/`, a query typed one
  key at a time, escape (filter keys), then down x5, pagedown, up x3, home (navigation);
  each key is timed until Textual processed it and painted the screen (`timed_key`); the
  time from a query's last key until its result is on screen is reported apart
  ("settle": the search runs once typing pauses, in a worker);
- the account table's own keys: `t` the first time, `s`, `S`, `A` twice.

Twice: with the background refresh held (the cached view alone: one round each), and
with it running, round after round until the refresh has landed and one round after,
so that the keys meet the whole refresh, its details being painted included. Prints one
JSON object.
"""

from __future__ import annotations

import time

IMPORT_START = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from typing import Any  # noqa: E402

from orgtui import files  # noqa: E402
from orgtui.aws.loader import Loader  # noqa: E402
from orgtui.aws.session import AwsContext, SessionOptions  # noqa: E402
from orgtui.backend import Services  # noqa: E402
from orgtui.ui.app import OrgApp  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - IMPORT_START


class GcPauses:
    """The full (generation 2) garbage collections while measuring: how many, the longest
    (every thread stops meanwhile, the UI's included)."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._started)

    def summary(self) -> dict[str, Any]:
        return {
            "n": len(self.pauses),
            "max_ms": round(max(self.pauses) * 1000, 1) if self.pauses else 0,
            "total_ms": round(sum(self.pauses) * 1000, 1),
        }


QUERIES = ("acct-0420", "team=payments", "blocked")


async def timed_key(
    pilot: Any, app: OrgApp, key: str, expect: str | None, done: Any = None
) -> float:
    """Seconds from a key event reaching the app until Textual handled it (the filter
    holds `expect`, or `done()` holds; every message queue of the screen is empty) and
    painted the screen once (the compositor's update, run here at once instead of on its
    timer).

    Pilot.press is not used for the timing: it waits twice for the whole process to go
    idle, ~65 ms on this machine even in an empty app, which measures the machine.
    """
    from textual import events

    char = key if len(key) == 1 else None
    name = {" ": "space", "=": "equals_sign", "-": "minus"}.get(key, key)
    if done is None:

        def done() -> bool:
            return app.main.filter_query == expect

    event = events.Key(name, char)
    event.set_sender(app)
    t = time.perf_counter()
    app._driver.send_message(event)
    for _ in range(1000):
        await pilot._wait_for_screen()
        if done():
            break
    await pilot._wait_for_screen()
    app.screen._on_timer_update()
    return time.perf_counter() - t


def _context(endpoint_url: str, stop: threading.Event) -> AwsContext:
    """A read-only context whose calls end at once when `stop` is set (measuring over:
    the background refresh makes no further call)."""
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=endpoint_url, read_only=True, credentials=("testing", "testing", None)
        )
    )
    real_call = ctx.call

    def call(fn: Any, /, **kwargs: Any) -> Any:
        if stop.is_set():
            raise RuntimeError("benchmark over")
        return real_call(fn, **kwargs)

    ctx.call = call  # type: ignore[method-assign]
    return ctx


def _first_paint_after_show(app: OrgApp, started: float) -> tuple[list[float], asyncio.Event]:
    """The seconds from `started` until the compositor first renders the screen after the
    app has put a view on it (`OrgApp.show`): the moment a terminal would be sent the
    frame, and an event set then. The pilot's own wait for every queue to be idle comes
    later, and later still while the app's prepare worker (table model, filter index)
    holds the GIL: it is reported apart, as `first_idle_s`.

    The caller waits on the event rather than polling the app: a poll every few
    milliseconds (`pilot.pause(0.002)`: each one walks the screen's widgets for queued
    messages) takes the GIL from the load's worker, 0.1-0.3 s of a 50,000-account first
    frame, which no terminal session pays."""
    painted: list[float] = []
    shown: list[bool] = []
    drawn = asyncio.Event()
    show, display = app.show, app._display

    def timed_show(view: Any) -> None:
        show(view)
        shown.append(True)

    def timed_display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if shown and not painted and renderable is not None:
            painted.append(time.perf_counter() - started)
            drawn.set()

    app.show = timed_show  # type: ignore[method-assign]
    app._display = timed_display  # type: ignore[method-assign]
    return painted, drawn


def _stats(times: list[float]) -> dict[str, Any]:
    if not times:
        return {"n": 0}
    return {
        "n": len(times),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
    }


async def key_round(pilot: Any, app: OrgApp, surface: str, record: dict[str, list[float]]) -> None:
    """One round of keys on the tree or the table: a query typed one key at a time and
    escape (filter), then moving (down x5, pagedown, up x3, home). Each key's time goes to
    `record["<surface> filter"]` or `record["<surface> nav"]` (escape's also to
    `record["<surface> escape"]`); the time from the last key of the query until its result
    is on screen to `record["<surface> settle"]`."""
    main = app.main
    query = QUERIES[len(record.get(f"{surface} settle", [])) % len(QUERIES)]
    await pilot.press("slash")
    typed = ""
    for ch in query:
        typed += ch
        record.setdefault(f"{surface} filter", []).append(await timed_key(pilot, app, ch, typed))
    started = time.perf_counter()
    while not main.filter.settled():
        await pilot.pause(0.001)
    await pilot._wait_for_screen()
    record.setdefault(f"{surface} settle", []).append(time.perf_counter() - started)
    escape = await timed_key(pilot, app, "escape", "")
    record[f"{surface} filter"].append(escape)
    record.setdefault(f"{surface} escape", []).append(escape)  # also apart: the costliest
    await pilot.pause()
    view = main.table if surface == "table" else main.tree_view
    view.focus()
    await pilot.pause()
    for key in ("down",) * 5 + ("pagedown", "up", "up", "up", "home"):
        record.setdefault(f"{surface} nav", []).append(
            await timed_key(pilot, app, key, None, lambda: True)
        )
    await pilot.pause()


async def measure(endpoint_url: str, hold_refresh: bool) -> dict[str, Any]:
    """From the cache: the first frame, then key rounds on the tree and the table. With
    the refresh held: one round each. With it running: rounds until the refresh has
    landed (its details painted), then one more, so the keys meet the whole refresh."""
    # The key the audit's CLI saved the cache under (the credential chain's inputs too).
    inputs = AwsContext(SessionOptions(endpoint_url=endpoint_url)).credential_inputs()
    key = files.cache_key(None, endpoint_url, None, inputs)
    gate = threading.Event()
    stop = threading.Event()
    ctx = _context(endpoint_url, stop)
    real = Loader.load_structure

    def held(self: Loader) -> Any:
        gate.wait(900)
        return real(self)

    if hold_refresh:
        Loader.load_structure = held  # type: ignore[method-assign]
    else:
        gate.set()
    try:
        started = time.perf_counter()
        # The session is read-only below the UI (the context's guard); the app is not,
        # so that marking (A) can be timed. Nothing here presses r.
        app = OrgApp(Services(ctx, cache_key=key), read_only=False, use_cache=True)
        painted, drawn = _first_paint_after_show(app, started)
        async with app.run_test(size=(160, 48)) as pilot:
            await asyncio.wait_for(drawn.wait(), 300)
            await pilot.pause()
            first_idle = time.perf_counter() - started
            first_frame = painted[0] if painted else first_idle
            assert app.view is not None  # shown: the event above
            accounts = len(app.view.snapshot.accounts)
            stale = app.load_status.stale_at is not None
            record: dict[str, list[float]] = {}
            pauses = GcPauses()
            gc.callbacks.append(pauses)
            rounds = 0
            landed_during = False
            while True:
                for surface in ("tree", "table"):
                    if app.main.showing_table != (surface == "table"):
                        record.setdefault("t toggle", []).append(
                            await timed_key(
                                pilot,
                                app,
                                "t",
                                None,
                                lambda s=surface: app.main.showing_table == (s == "table"),
                            )
                        )
                        await pilot.pause()
                    await key_round(pilot, app, surface, record)
                rounds += 1
                if hold_refresh or landed_during:
                    break
                landed_during = app.load_status.loaded
            gc.callbacks.remove(pauses)
            table: dict[str, Any] = {}
            if hold_refresh:
                if app.main.showing_table:  # measure_table starts from the tree
                    await pilot.press("t")
                table = await measure_table(pilot, app)
            refresh_s = time.perf_counter() - started if app.load_status.loaded else None
            stop.set()
            gate.set()
            app.exit(0)
    finally:
        Loader.load_structure = real  # type: ignore[method-assign]
    keys = {name: _stats(times) for name, times in record.items()}
    pressed = [
        t
        for name, times in record.items()
        if "settle" not in name and "escape" not in name
        for t in times
    ]
    return {
        "accounts": accounts,
        "stale_marked": stale,
        "first_frame_s": round(first_frame, 3),
        "first_idle_s": round(first_idle, 3),
        "rounds": rounds,
        "refresh_landed_s": round(refresh_s, 1) if refresh_s else None,
        "key_median_ms": round(statistics.median(pressed) * 1000, 1),
        "key_max_ms": round(max(pressed) * 1000, 1),
        "keys": keys,
        "gc_full": pauses.summary(),
        "table": table,
    }


async def measure_cold(endpoint_url: str) -> dict[str, Any]:
    """A cold start (no cached picture): the time until the tree is painted with the
    organization's structure (every OU and account in it, badges `reading`) and the time
    until the details are read and painted (the full load)."""
    stop = threading.Event()
    started = time.perf_counter()
    ctx = _context(endpoint_url, stop)
    ctx.prepare()  # as `orgtui` does before its UI starts (cli.run_tui)
    app = OrgApp(Services(ctx), read_only=True, use_cache=False)
    tree_s: float | None = None
    accounts, reading = 0, False
    async with app.run_test(size=(160, 48)) as pilot:
        while not app.load_status.loaded:
            if tree_s is None and app.view is not None and not app.main.tree_view.loading:
                await pilot._wait_for_screen()
                app.screen._on_timer_update()
                tree_s = time.perf_counter() - started
                accounts = len(app.view.snapshot.accounts)
                reading = app.view.reading
            await pilot.pause(0.005)
        await pilot._wait_for_screen()
        app.screen._on_timer_update()
        full_s = time.perf_counter() - started
        complete = app.view is not None and app.view.complete
        stop.set()
        app.exit(0)
    return {
        "accounts": accounts,
        "tree_s": round(tree_s or 0, 2),
        "full_s": round(full_s, 2),
        "tree_over_full": round((tree_s or 0) / full_s, 3),
        "reading_badges": reading,
        "complete": complete,
    }


async def measure_table(pilot: Any, app: OrgApp) -> dict[str, Any]:
    """The account table at this size: toggling, sorting, filtering, marking all."""
    main = app.main
    ms: dict[str, Any] = {}

    def rounded(t: float) -> float:
        return round(t * 1000, 1)

    ms["t_first_ms"] = rounded(await timed_key(pilot, app, "t", None, lambda: main.showing_table))
    await pilot.pause()
    column = main.table.sort_column
    ms["s_ms"] = rounded(
        await timed_key(pilot, app, "s", None, lambda: main.table.sort_column != column)
    )
    await pilot.pause()
    ms["S_ms"] = rounded(await timed_key(pilot, app, "S", None, lambda: main.table.reverse))
    await pilot.pause()
    await pilot.press("slash")
    times, typed = [], ""
    for ch in QUERIES[0]:
        typed += ch
        times.append(await timed_key(pilot, app, ch, typed))
        await pilot.pause()
    times.append(await timed_key(pilot, app, "escape", ""))
    await pilot.pause()
    ms["filter_key_median_ms"] = rounded(statistics.median(times))
    ms["filter_key_max_ms"] = rounded(max(times))
    main.table.focus()
    await pilot.pause()
    total = len(main.view.snapshot.accounts) if main.view else 0
    ms["A_mark_all_ms"] = rounded(
        await timed_key(pilot, app, "A", None, lambda: len(main.marked) == total)
    )
    await pilot.pause()
    ms["A_unmark_all_ms"] = rounded(await timed_key(pilot, app, "A", None, lambda: not main.marked))
    await pilot.pause()
    ms["t_back_ms"] = rounded(
        await timed_key(pilot, app, "t", None, lambda: not main.showing_table)
    )
    return ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument(
        "--no-cold",
        dest="cold",
        action="store_false",
        help="skip the cold start (no cache: tree time vs full load)",
    )
    parser.add_argument(
        "--no-keys",
        dest="keys",
        action="store_false",
        help="skip the keys (cached, and with the refresh running)",
    )
    parser.add_argument(
        "--held-only",
        action="store_true",
        help="the keys with the refresh held only (a cache written without a load: the "
        "endpoint is never asked)",
    )
    args = parser.parse_args()
    result: dict[str, Any] = {"import_s": round(IMPORT_SECONDS, 3)}

    if args.cold:
        result["cold"] = asyncio.run(measure_cold(args.endpoint_url))
    if args.keys:
        result["cached"] = asyncio.run(measure(args.endpoint_url, hold_refresh=True))
        if not args.held_only:
            result["refreshing"] = asyncio.run(measure(args.endpoint_url, hold_refresh=False))
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
