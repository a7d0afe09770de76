"""Switching the destination (x) at scale: the view is assessed again in memory, no AWS
call, within one frame budget (issue 30: under 100 ms at 10,000 accounts).

Two figures per transition (standalone -> transfer -> close -> standalone), medians of
the rounds:
- `core`: `OrgView.with_destination` alone (the rules that differ re-run; counts and the
  filter's index redone for the accounts whose assessment changed);
- `key`: pressing x in a headless orgtui until the screen is drawn again (header, tree
  labels, detail), with the organization already on screen.

The organization is synthetic and in memory (no moto), the tests' `sized_snapshot`
(tests/support/orgs.py): N accounts under N/10 OUs three deep, a third CREATED, half
with tags, SCPs on OUs, 2 delegated administrators; the session's services answer the
load with it, and count AWS calls (there must be none).

    python benchmarks/destination_bench.py --sizes 1000 10000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from orgtui import loading  # noqa: E402
from orgtui.aws.session import AwsContext, SessionOptions  # noqa: E402
from orgtui.backend import Services  # noqa: E402
from orgtui.model import DESTINATIONS, Snapshot  # noqa: E402
from orgtui.session.view import OrgView  # noqa: E402
from orgtui.ui.app import OrgApp  # noqa: E402
from tests.support.orgs import SNAPSHOT_TIME, sized_snapshot  # noqa: E402

NOW = SNAPSHOT_TIME


class InMemory(Services):
    """The session's services with the synthetic organization as its load."""

    def __init__(self, snap: Snapshot) -> None:
        super().__init__(AwsContext(SessionOptions(region="us-east-1", read_only=True)))
        self.snap = snap

    def load_stages(
        self, options: loading.LoadOptions, progress: Any = None
    ) -> Iterator[loading.Stage]:
        yield loading.Stage("details", self.snap)


def core(snap: Snapshot, rounds: int) -> dict[str, float]:
    """ms per transition: the first cycle (each destination assessed for the first time,
    on a fresh view each round) and the cycles after it (kept: nothing is assessed)."""
    times: dict[str, list[float]] = {}
    for _ in range(rounds):
        view = OrgView(snap, NOW)
        for cycle in ("first", "again"):
            for destination in (*DESTINATIONS[1:], DESTINATIONS[0]):
                started = time.perf_counter()
                after = view.with_destination(destination)
                times.setdefault(f"{cycle} {view.destination}->{destination}", []).append(
                    time.perf_counter() - started
                )
                view = after
    return {k: round(statistics.median(v) * 1000, 1) for k, v in times.items()}


async def key(snap: Snapshot, rounds: int) -> dict[str, Any]:
    services = InMemory(snap)
    app = OrgApp(services, read_only=True, clock=lambda: NOW)
    times: list[float] = []
    async with app.run_test(size=(160, 50)) as pilot:
        while app.view is None or app.load_status.loading:
            await pilot.pause(0.01)
        await pilot.pause(0.2)
        for _ in range(rounds * len(DESTINATIONS)):
            before = app.destination
            started = time.perf_counter()
            await pilot.press("x")
            while app.destination == before:
                await pilot.pause(0.001)
            await pilot._wait_for_screen()
            times.append(time.perf_counter() - started)
    return {
        "key_ms_median": round(statistics.median(times) * 1000, 1),
        "key_ms_max": round(max(times) * 1000, 1),
        "aws_calls": services.stats.total_calls,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for n in args.sizes:
        snap = sized_snapshot(n)
        result = {"accounts": n, "core_ms": core(snap, args.rounds)}
        result.update(asyncio.run(key(snap, args.rounds)))
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
