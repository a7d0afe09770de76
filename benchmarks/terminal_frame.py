"""The first frame as a user meets it: `orgtui audit` started in a real terminal (a pty),
timed from the process's start until the cached organization is on the screen (the
header's "stale (cached HH:MM)" written to the terminal), imports and Python's own start
included. run.py runs it beside tui_bench.py's in-process figure, which leaves the
imports out and times the compositor's first render."""

from __future__ import annotations

import os
import select
import signal
import time

from tests.support.terminal import spawn

# What the header says once a cached picture is shown (orgtui/ui/widgets/header.py).
MARKER = b"stale (cached"


def time_to_marker(
    argv: list[str],
    env: dict[str, str],
    cwd: str,
    marker: bytes = MARKER,
    timeout: float = 120,
    size: tuple[int, int] = (48, 160),
) -> float | None:
    """Seconds from starting `python argv...` in a pty of `size` (rows, columns) until
    `marker` is among what it wrote; None when it is not within `timeout`. The process
    is stopped with SIGTERM (orgtui's quit path) and then killed if it lingers."""
    started = time.perf_counter()
    proc, master = spawn(argv, size=size, env=env, cwd=cwd)
    seen = b""
    found: float | None = None
    try:
        deadline = started + timeout
        while (left := deadline - time.perf_counter()) > 0:
            if not select.select([master], [], [], left)[0]:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            # Keep what a marker split across two reads needs, not the whole screen.
            seen = seen[-len(marker) :] + chunk
            if marker in seen:
                found = time.perf_counter() - started
                break
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            # Drain so the child's last writes never block its exit.
            end = time.monotonic() + 15
            while proc.poll() is None and time.monotonic() < end:
                if not select.select([master], [], [], 0.1)[0]:
                    continue
                try:
                    if not os.read(master, 65536):
                        break
                except OSError:
                    break
            if proc.poll() is None:
                proc.kill()
        proc.wait(15)
        os.close(master)
    return found
