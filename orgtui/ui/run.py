"""Running the session as a process: `run_app` builds the app from the command line's
run, runs it on a loop of its own, and ends in words (a fatal start-up error, a signal);
after a signal, the process ends within a grace period if the terminal can't be restored.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

from orgtui.backend import HandOver, Services
from orgtui.text import clean
from orgtui.ui.app import OrgApp

if TYPE_CHECKING:
    from orgtui.arguments import RunConfig

# Seconds a session ended by a signal has to restore the terminal before the process ends.
SIGNAL_GRACE = 5.0


def _end_after_grace(code: int) -> None:
    """A signal ended the session: nothing is left in flight (every write is finished and
    logged). After a hangup the terminal is gone, and restoring it can wait forever on a
    writer thread that died with it: the process ends within a grace period."""
    timer = threading.Timer(SIGNAL_GRACE, _end_process, args=(code,))
    timer.daemon = True
    timer.start()


def _end_process(code: int) -> None:
    """End the process now (the grace after a signal ran out; nothing is in flight)."""
    with contextlib.suppress(Exception):
        sys.stderr.write(f"orgtui: stopped by {signal.Signals(code - 128).name}.\n")
        sys.stderr.flush()
    os._exit(code)


def run_app(
    cfg: RunConfig, services: Services, demo: bool, demo_handover: HandOver | None = None
) -> int:
    """Run the session; 0 on quit, 1 after a fatal start-up error (two lines on stderr).
    `demo_handover`: the demo's example report as the target organization, for `i` (it
    does not open the dialog at start as `--invite-from` does)."""
    app = OrgApp(
        services,
        read_only=cfg.read_only,
        demo=demo,
        use_cache=bool(cfg.use_cache),
        theme=cfg.settings.theme,
        attest_tag=cfg.settings.standalone_tag,
        destination=cfg.settings.destination,
        handover=cfg.invite_from or demo_handover,
        offer_handover=cfg.invite_from is not None,
        keymap=cfg.settings.keymap,
    )
    app.on_signal_exit = _end_after_grace
    _run_without_waiting(app)
    if app.fatal_error is not None:
        print(f"orgtui: error: {clean(app.fatal_error.what)}", file=sys.stderr)
        print(f"orgtui: fix: {clean(app.fatal_error.fix)}", file=sys.stderr)
        return 1
    if app.signalled is not None:
        name = signal.Signals(app.signalled).name
        with contextlib.suppress(OSError):  # after a hangup there is no terminal to tell
            print(
                f"orgtui: stopped by {name}; any write in flight was finished and logged in "
                f"{services.audit_log_path()}.",
                file=sys.stderr,
                flush=True,
            )
        return 128 + app.signalled
    return app.return_code or 0


def _run_without_waiting(app: OrgApp) -> None:
    """Run the app on a loop of its own, closed without waiting for worker threads.

    `asyncio.run` ends by joining the default executor, where Textual runs thread
    workers: a read stuck on a silent endpoint would keep the process alive after q until
    its timeout. Closing the loop shuts the executor down without waiting; the console
    script (`cli.entry`) then abandons reads still in flight. No write is abandoned: the
    app exits only once a write in flight is finished and logged.
    """
    loop = asyncio.new_event_loop()
    try:
        app.run(loop=loop)
    finally:
        with contextlib.suppress(Exception):
            loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
