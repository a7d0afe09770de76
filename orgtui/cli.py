"""Command line: parse the contract's options, then run the TUI or the headless report,
and end every failure in words (two lines on stderr), never a traceback. The options and
exit codes are in `orgtui.arguments`; the headless report in `orgtui.headless`.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from orgtui import files
from orgtui.arguments import EXIT_ERROR, RunConfig, parse
from orgtui.aws.errors import translate
from orgtui.errors import OrgtuiError
from orgtui.files import HandOver, read_handover
from orgtui.headless import run_report
from orgtui.text import clean, redact_url

if TYPE_CHECKING:
    from orgtui.aws.session import AwsContext
    from orgtui.demo import DemoOrg


def make_context(cfg: RunConfig) -> tuple[AwsContext, DemoOrg | None]:
    """The AWS context for this run, and the demo (or None) that serves it."""
    from orgtui.aws.session import AwsContext, SessionOptions

    demo: DemoOrg | None = None
    credentials = None
    region = cfg.region
    if cfg.demo:
        try:
            from orgtui import demo as demo_mod

            demo = demo_mod.start()
        except ImportError as exc:
            missing = exc.name or "moto"
            what = (
                "The demo needs moto, which is not installed."
                if missing.split(".")[0] == "moto"
                else f"The demo needs moto with its CloudFormation extra; {missing} is missing."
            )
            raise OrgtuiError(what, "Install it with: pip install 'orgtui[demo]'") from None
        credentials = demo_mod.DEMO_CREDENTIALS
        region = demo_mod.DEMO_REGION
    ctx = AwsContext(
        SessionOptions(
            profile=cfg.profile,
            region=region,
            endpoint_url=None if cfg.demo else cfg.endpoint_url,
            concurrency=cfg.concurrency,
            read_only=cfg.read_only,
            credentials=credentials,
            impact_regions=cfg.impact_regions,
            identity_center_region=cfg.identity_center_region,
        )
    )
    return ctx, demo


def run_tui(cfg: RunConfig, ctx: AwsContext, demo: DemoOrg | None) -> int:
    from orgtui.backend import session_services
    from orgtui.ui.run import run_app

    ctx.prepare()
    return run_app(cfg, session_services(cfg, ctx, demo), demo is not None, _demo_handover(demo))


def _demo_handover(demo: DemoOrg | None) -> HandOver | None:
    """The demo's example hand-over report, when it runs as the target organization."""
    if demo is None or not demo.target_mode or demo.handover_path is None:
        return None
    try:
        return read_handover(demo.handover_path)
    except OrgtuiError:  # the example could not be written: `i` then asks for ids only
        return None


_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")


def fail(exc: BaseException, profile: str | None, err: TextIO) -> int:
    """Two lines on stderr: what happened, how to fix it. The words may quote an answer
    from the endpoint (cleaned: one line each, no escape sequence) or a URL (a password
    in it masked)."""
    problem = translate(exc, profile=profile)
    for label, text in (("error", problem.what), ("fix", problem.fix)):
        text = _URL.sub(lambda m: redact_url(m.group()), clean(text))
        print(f"orgtui: {label}: {text}", file=err)
    return EXIT_ERROR


class Stopped(BaseException):
    """A signal ended a headless run (SIGTERM, SIGHUP): it writes nothing to AWS, so it
    stops where it is, in words, with 128 + the signal's number."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number
        self.name = signal.Signals(number).name


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Stopped while the block runs; the handlers before are
    put back after it (main() may run inside another program, a test)."""

    def stop(number: int, _frame: Any) -> None:
        raise Stopped(number)

    before = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None:
                before[number] = signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def main(argv: Sequence[str] | None = None) -> int:
    err = sys.stderr
    try:
        cfg = parse(argv)
    except SystemExit as exc:  # argparse: --help, --version (0) or a usage error (2)
        return int(exc.code or 0)
    files.use_demo_folders(cfg.demo)
    demo = None
    ctx: AwsContext | None = None
    try:
        ctx, demo = make_context(cfg)
        if cfg.report:
            with _stop_on_signals():
                return run_report(cfg, ctx, err)
        return run_tui(cfg, ctx, demo)
    except KeyboardInterrupt:
        print("orgtui: interrupted.", file=err)
        return 130
    except Stopped as stop:
        print(f"orgtui: stopped by {stop.name}: no report was written.", file=err)
        return 128 + stop.number
    except Exception as exc:  # every failure ends in words, never a traceback
        # The profile may come from AWS_PROFILE: name it in the fix (`aws sso login`).
        profile = (
            cfg.profile or os.environ.get("AWS_PROFILE") or os.environ.get("AWS_DEFAULT_PROFILE")
        )
        return fail(exc, profile, err)
    finally:
        if ctx is not None:
            ctx.cancel()  # a read still in flight makes no further call
        if demo is not None:
            demo.stop()


def entry() -> None:
    """The console script: `main()`, then end the process at once.

    Everything orgtui writes is whole on disk or flushed by then (reports, cache, audit
    log). The interpreter's own teardown would then free the load's objects one by one
    (57-129 ms after a report on 1,000 accounts, benchmarks/RESULTS.md) and wait for any
    read still in flight in a worker thread (up to a request's timeout; a second ctrl+c
    would print a traceback from that wait). Reads can be abandoned, and no write is ever
    left in flight (the app waits for a removal to finish and be logged), so after a short
    grace for threads still ending, the process ends without teardown. (A profiler that
    reports at exit needs `main()` called, not this.)
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    deadline = time.monotonic() + 0.5
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    os._exit(code)
