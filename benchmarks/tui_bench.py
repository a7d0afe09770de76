"""TUI timings on a large organization painted from the snapshot cache (run by run.py).

In its own process, with the cache folder that `orgtui audit --report json` filled:
- first frame: from creating the app (after imports) until the cached organization is
  on screen (tree painted, header marked stale); the import time is reported apart;
- filter keystrokes: `/`, then a query typed one key at a time, then escape; each key is
  timed until Textual processed it and painted the screen (see `timed_key`);
- the account table: `t` (the first time: the name order and column widths are built),
  `s`, `S`, the same filter keystrokes with the table shown, and `A` (mark every account)
  twice.

The background refresh is held while measuring, so that what is timed is the cached
view; the numbers with the refresh running are reported as well, since that is what a
user sees in the first minute. Prints one JSON object.
"""

from __future__ import annotations

import time

IMPORT_START = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from typing import Any  # noqa: E402

from orgtui import files  # noqa: E402
from orgtui.aws.loader import Loader  # noqa: E402
from orgtui.aws.session import AwsContext, SessionOptions  # noqa: E402
from orgtui.ui.app import OrgApp  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - IMPORT_START
QUERIES = ("acct-0420", "team=payments", "blocked")


async def timed_key(pilot: Any, app: OrgApp, key: str, expect: str | None,
                    done: Any = None) -> float:
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


async def measure(endpoint_url: str, hold_refresh: bool) -> dict[str, Any]:
    key = files.cache_key(None, endpoint_url, None)
    ctx = AwsContext(SessionOptions(endpoint_url=endpoint_url, read_only=True,
                                    credentials=("testing", "testing", None)))
    gate = threading.Event()
    stop = threading.Event()
    real = Loader.load_structure
    real_call = ctx.call

    def held(self: Loader) -> Any:
        gate.wait(600)
        return real(self)

    def call(fn: Any, /, **kwargs: Any) -> Any:
        if stop.is_set():  # measuring is over: end the background refresh at once
            raise RuntimeError("benchmark over")
        return real_call(fn, **kwargs)

    ctx.call = call  # type: ignore[method-assign]

    if hold_refresh:
        Loader.load_structure = held  # type: ignore[method-assign]
    else:
        gate.set()
    try:
        started = time.perf_counter()
        # The session is read-only below the UI (the context's guard); the app is not,
        # so that marking (A) can be timed. Nothing here presses r.
        app = OrgApp(ctx, read_only=False, cache_key=key, use_cache=True)
        async with app.run_test(size=(160, 48)) as pilot:
            while app.view is None:
                await pilot.pause(0.002)
            await pilot.pause()
            first_frame = time.perf_counter() - started
            accounts = len(app.view.snapshot.accounts)
            stale = app.stale_at is not None
            keys: dict[str, list[float]] = {}
            matches: dict[str, int] = {}
            for query in QUERIES:
                await pilot.press("slash")
                times = []
                typed = ""
                for ch in query:
                    typed += ch
                    times.append(await timed_key(pilot, app, ch, typed))
                    await pilot.pause()  # let anything deferred settle, untimed
                matches[query] = len(app.view.search(query))
                # Clearing the filter (escape) is timed, too.
                times.append(await timed_key(pilot, app, "escape", ""))
                await pilot.pause()
                keys[query] = times
            table = await measure_table(pilot, app)
            stop.set()
            gate.set()
            app.exit(0)
    finally:
        Loader.load_structure = real  # type: ignore[method-assign]
    every = [t for times in keys.values() for t in times]
    return {
        "accounts": accounts, "stale_marked": stale,
        "first_frame_s": round(first_frame, 3),
        "key_median_ms": round(statistics.median(every) * 1000, 1),
        "key_max_ms": round(max(every) * 1000, 1),
        "key_ms_by_query": {q: [round(t * 1000, 1) for t in ts] for q, ts in keys.items()},
        "matches": matches,
        "table": table,
    }


async def measure_table(pilot: Any, app: OrgApp) -> dict[str, Any]:
    """The account table at this size: toggling, sorting, filtering, marking all."""
    main = app.main
    ms: dict[str, Any] = {}

    def rounded(t: float) -> float:
        return round(t * 1000, 1)

    ms["t_first_ms"] = rounded(await timed_key(pilot, app, "t", None,
                                               lambda: main.showing_table))
    await pilot.pause()
    column = main.table.sort_column
    ms["s_ms"] = rounded(await timed_key(pilot, app, "s", None,
                                         lambda: main.table.sort_column != column))
    await pilot.pause()
    ms["S_ms"] = rounded(await timed_key(pilot, app, "S", None,
                                         lambda: main.table.reverse))
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
    ms["A_mark_all_ms"] = rounded(await timed_key(pilot, app, "A", None,
                                                  lambda: len(main.marked) == total))
    await pilot.pause()
    ms["A_unmark_all_ms"] = rounded(await timed_key(pilot, app, "A", None,
                                                    lambda: not main.marked))
    await pilot.pause()
    ms["t_back_ms"] = rounded(await timed_key(pilot, app, "t", None,
                                              lambda: not main.showing_table))
    return ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint-url", required=True)
    args = parser.parse_args()
    result = {"import_s": round(IMPORT_SECONDS, 3)}
    result["cached"] = asyncio.run(measure(args.endpoint_url, hold_refresh=True))
    result["refreshing"] = asyncio.run(measure(args.endpoint_url, hold_refresh=False))
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
