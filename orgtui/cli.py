"""Command line: parse the contract's options, then run the TUI or the headless report.

Exit codes: 0 ok; 1 error (two lines on stderr: what happened, how to fix it); 2 usage
error; 3 the --fail-on threshold was met. Never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO
from urllib.parse import urlsplit

from orgtui import __version__, files
from orgtui.aws.errors import translate
from orgtui.errors import OrgtuiError
from orgtui.files import HandOver, Settings, load_settings, read_handover
from orgtui.ids import normalize_account_id
from orgtui.model import DESTINATIONS, Destination
from orgtui.report import FORMATS, by_verdict
from orgtui.text import account_label, clean, plural, redact_url

if TYPE_CHECKING:
    from orgtui.aws.session import AwsContext
    from orgtui.demo import DemoOrg

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_THRESHOLD = 0, 1, 2, 3
FAIL_ON_SHOWN = 3  # accounts named in the --fail-on line; the rest are counted


def _account_id(value: str) -> str:
    account_id = normalize_account_id(value)
    if account_id is None:
        raise argparse.ArgumentTypeError(
            f"'{clean(value)}' is not an account id: exactly 12 digits, as 111122223333 or "
            "the console's 1111-2222-3333"
        )
    return account_id


def _endpoint_url(value: str) -> str:
    """An http(s) URL with a host, as the AWS CLI takes it; the error never shows a
    password the URL holds."""
    try:
        parts = urlsplit(value)
        valid = (
            parts.scheme.lower() in ("http", "https")
            and bool(parts.hostname)
            and clean(value) == value
            and " " not in value
        )
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:  # an unclosed [ipv6] bracket, a port out of range
        valid = False
    if not valid:
        raise argparse.ArgumentTypeError(
            f"'{clean(redact_url(value))}' is not an endpoint URL: it needs http:// or "
            "https:// and a host, as http://127.0.0.1:5000"
        )
    return value


def _concurrency(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not `auto` or a whole number") from None
    if not 1 <= n <= 64:
        raise argparse.ArgumentTypeError("must be `auto` or from 1 to 64")
    return n


def _destination(value: str) -> str:
    if value.lower() in DESTINATIONS:
        return value.lower()
    raise argparse.ArgumentTypeError(
        f"'{clean(value)}' is not a destination: {' or '.join(DESTINATIONS)} (where the "
        "accounts go when they leave)"
    )


_DESCRIPTIONS = {
    None: "orgtui: the interactive session over an AWS Organizations organization: the "
    "OU/account tree, whether each account can leave and why not, and removal (and the "
    "other writes) only after a typed confirmation.",
    "audit": "orgtui audit: the same session, read-only (enforced below the UI: only List, "
    "Describe and Get calls are ever sent), or with --report FORMAT the headless audit for "
    "tickets and CI: every account's verdict, findings and fixes.",
}
_EPILOGS = {
    None: "Commands: `orgtui` opens the interactive session (writes enabled); "
    "`orgtui audit` opens it read-only; `orgtui audit --report FORMAT` prints the audit "
    "without a UI (see `orgtui audit --help`). Exit codes: 0 ok, 1 error, 2 usage error, "
    "3 --fail-on threshold met.",
    "audit": "Examples: `orgtui audit` (read-only session); `orgtui audit --report markdown "
    "-o audit.md --fail-on blocked` (for CI). Exit codes: 0 ok, 1 error, 2 usage error, "
    "3 --fail-on threshold met.",
}


class _ProbeError(Exception):
    """The probe parser met something it can't read: the real parser will say what."""


class _Probe(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _ProbeError(message)


def command_of(argv: Sequence[str]) -> str | None:
    """The command the arguments name (`audit` or None), read without acting on --help
    or --version, so that `orgtui audit --help` can describe the audit."""
    probe = build_parser(None, _Probe, add_help=False)
    args = [a for a in argv if a not in ("-h", "--help", "--version")]
    try:
        known, _ = probe.parse_known_args(args)
    except _ProbeError:
        return None
    return known.command  # type: ignore[no-any-return]


def build_parser(
    command: str | None = None,
    cls: type[argparse.ArgumentParser] = argparse.ArgumentParser,
    add_help: bool = True,
) -> argparse.ArgumentParser:
    """The command line's parser; its help describes `command` (`audit` or None)."""
    parser = cls(
        prog="orgtui",
        description=_DESCRIPTIONS[command],
        epilog=_EPILOGS[command],
        add_help=add_help,
    )
    parser.add_argument(
        "command",
        nargs="?",
        choices=["audit"],
        help="audit: read-only session, or the headless report with --report",
    )
    aws = parser.add_argument_group("AWS")
    aws.add_argument("--profile", metavar="NAME", help="AWS profile (default: the boto3 chain)")
    aws.add_argument(
        "--region", metavar="NAME", help="AWS region (Organizations is global; default us-east-1)"
    )
    aws.add_argument(
        "--endpoint-url",
        type=_endpoint_url,
        metavar="URL",
        help="send requests to this endpoint (moto server, LocalStack, VPC endpoint)",
    )
    aws.add_argument(
        "--demo",
        action="store_true",
        help="use the embedded sample organization (moto), no AWS needed",
    )
    aws.add_argument(
        "--concurrency",
        type=_concurrency,
        metavar="N|auto",
        default=None,
        help="requests in flight at most: a number from 1 to 64, or auto (the default), "
        "which finds the level AWS allows",
    )
    aws.add_argument(
        "--no-cache",
        action="store_true",
        help="do not paint the last snapshot at start, read AWS afresh",
    )
    parser.add_argument(
        "--invite-from",
        metavar="FILE",
        help="target organization's management account: open the invite dialog at start "
        "with the accounts and tags of FILE, an orgtui JSON report of the source organization "
        "(orgtui audit --report json --destination transfer, run there)",
    )
    _report_options(parser.add_argument_group("report (with `audit`)"))
    parser.add_argument("--version", action="version", version=f"orgtui {__version__}")
    return parser


def _report_options(rep: Any) -> None:
    """The options of `orgtui audit --report`."""
    rep.add_argument(
        "--report",
        choices=FORMATS,
        metavar="FORMAT",
        help=f"print the audit without a UI: {', '.join(FORMATS)}",
    )
    rep.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    rep.add_argument(
        "--account",
        type=_account_id,
        action="append",
        metavar="ID",
        help="only this account (12 digits, dashes allowed; repeatable)",
    )
    rep.add_argument(
        "--destination",
        type=_destination,
        metavar="standalone|transfer|close",
        help="what the verdicts are for: standalone (removed or left; the default, or the "
        "`destination` setting), transfer (invited by another organization) or close",
    )
    rep.add_argument(
        "--recovery",
        action="store_true",
        help="also read who can get back into each reported account once it leaves (root "
        "email, phone, alternate contacts; 5 calls per account; needs trusted access for "
        "AWS Account Management)",
    )
    rep.add_argument(
        "--fail-on",
        choices=["blocked", "review"],
        help="exit 3 when any account is blocked (or blocked or review); the management "
        "account, always blocked, does not count",
    )


@dataclass(frozen=True)
class RunConfig:
    """What to run, with command-line options merged over settings."""

    command: str | None
    profile: str | None
    region: str | None
    endpoint_url: str | None
    demo: bool
    concurrency: int | None  # None: auto
    use_cache: bool
    report: str | None
    output: str | None
    accounts: tuple[str, ...]
    fail_on: str | None
    settings: Settings
    # Where the impact checks look (settings only): StackSets and RAM beside the session's
    # region; Identity Center's region when it is not the session's.
    impact_regions: tuple[str, ...] = ()
    identity_center_region: str | None = None
    # What the verdicts are for: --destination, else the setting.
    destination: Destination = "standalone"
    recovery: bool = False  # --recovery: read the recovery contacts of the reported accounts
    # --invite-from FILE, read and checked at start (files/handover.py): the accounts and
    # tags the invite dialog opens with; None without the option.
    invite_from: HandOver | None = None

    @property
    def read_only(self) -> bool:
        return self.command == "audit"


def parse(argv: Sequence[str] | None) -> RunConfig:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(command_of(argv))
    args = parser.parse_args(argv)
    if args.demo and args.endpoint_url:
        parser.error(
            "--demo serves its own sample organization: leave out --endpoint-url "
            "(or --demo, to use that endpoint)"
        )
    if args.command != "audit":
        for flag, value in (
            ("--report", args.report),
            ("-o/--output", args.output),
            ("--account", args.account),
            ("--fail-on", args.fail_on),
            ("--destination", args.destination),
            ("--recovery", args.recovery),
        ):
            if value:
                parser.error(f"{flag} goes with `orgtui audit --report FORMAT`")
    elif not args.report:
        for flag, value in (
            ("-o/--output", args.output),
            ("--account", args.account),
            ("--fail-on", args.fail_on),
            ("--destination", args.destination),
            ("--recovery", args.recovery),
        ):
            if value:
                parser.error(f"{flag} needs --report FORMAT")
    invite_from = None
    if args.invite_from is not None:
        if args.report:
            parser.error("--invite-from goes with the interactive session, not --report")
        try:
            invite_from = read_handover(args.invite_from)
        except OrgtuiError as exc:
            parser.error(f"--invite-from: {clean(exc.what)} {clean(exc.fix)}")
    settings, problems = load_settings()
    for problem in problems:
        print(f"orgtui: settings: {clean(problem)}", file=sys.stderr)
    return RunConfig(
        command=args.command,
        profile=args.profile or (None if args.demo else settings.profile),
        region=args.region or settings.region,
        endpoint_url=args.endpoint_url,
        demo=args.demo,
        concurrency=(
            settings.concurrency
            if args.concurrency is None
            else None
            if args.concurrency == "auto"
            else args.concurrency
        ),
        use_cache=settings.cache and not args.no_cache and not args.demo,
        report=args.report,
        output=args.output,
        accounts=tuple(dict.fromkeys(args.account or ())),
        fail_on=args.fail_on,
        settings=settings,
        impact_regions=settings.impact_regions,
        identity_center_region=settings.identity_center_region,
        destination=args.destination or settings.destination,
        recovery=bool(getattr(args, "recovery", False)),
        invite_from=invite_from,
    )


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


def run_report(cfg: RunConfig, ctx: AwsContext, err: TextIO) -> int:
    from orgtui import loading, report
    from orgtui.progress import stderr_progress

    options = loading.LoadOptions(
        cache_key=files.cache_key(
            cfg.profile, cfg.endpoint_url, cfg.region, ctx.credential_inputs()
        ),
        write_cache=cfg.use_cache,
        only=cfg.accounts or None,
        attest_tag=cfg.settings.standalone_tag,
    )
    with stderr_progress(err, ctx) as progress:
        snap, problems = loading.load(ctx, options, progress)
    for problem in problems:  # may quote names or paths: one clean line each
        print(f"orgtui: {clean(problem)}", file=err)
    if snap.member_mode:
        print(
            f"orgtui: note: these are the credentials of member account "
            f"{clean(snap.caller.account)}, "
            "which can see only itself (no OUs, tags, policies or delegation); use the "
            "management account's credentials to audit the whole organization.",
            file=err,
        )
    if cfg.recovery:  # after the load, never during it: 5 calls per reported account
        from orgtui.aws.recovery import read_recovery_check

        snap = read_recovery_check(ctx, snap, cfg.accounts or list(snap.accounts))
        if snap.recovery_check is not None and not snap.recovery_check.checked:
            print(f"orgtui: recovery not checked: {clean(snap.recovery_check.reason)}", file=err)
    now = datetime.now(timezone.utc)
    doc = report.build(snap, now, cfg.accounts or None, destination=cfg.destination)
    if cfg.report == "table" and not cfg.output and sys.stdout.isatty():
        from rich.console import Console

        report.to_table(doc, Console())
    else:
        text = report.render(doc, cfg.report or "json")
        if cfg.output:
            try:
                Path(cfg.output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise OrgtuiError(
                    f"Could not write the report to {cfg.output}: {exc.strerror or exc}.",
                    "Choose a writable path with -o, or leave -o out to print to stdout.",
                ) from None
            print(f"orgtui: report written to {cfg.output}", file=err)
        else:
            write_stdout(text, sys.stdout)
    note = management_note(doc, cfg.fail_on)
    if note:
        print(note, file=err)
    why = threshold_met(doc, cfg.fail_on)
    if why:
        print(why, file=err)
        return EXIT_THRESHOLD
    return EXIT_OK


_STDOUT_FIX = (
    "Let the program reading the report read all of it (`head` stops early), or write the "
    "report to a file with -o FILE."
)


def write_stdout(text: str, stream: TextIO | None) -> None:
    """Write the report to stdout whole, or raise OrgtuiError saying how much got through.

    Through the file descriptor, byte by byte count: with PYTHONUNBUFFERED set, Python's
    text layer takes a partial write to a pipe (its reader gone after 64 KB) for a whole
    one and drops the rest without an error, so a cut report would end in exit 0.
    """
    if stream is None:  # started with stdout closed (`>&-`)
        raise OrgtuiError(
            "The report could not be written: stdout is closed.",
            "Run orgtui with stdout open, or write the report to a file with -o FILE.",
        )
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's capture)
        fd = None
    data = text.encode(
        getattr(stream, "encoding", None) or "utf-8", getattr(stream, "errors", None) or "strict"
    )
    written = 0
    try:
        stream.flush()  # what was written before goes first
        if fd is None:
            stream.write(text)
            stream.flush()
            return
        view = memoryview(data)
        while written < len(data):
            try:
                written += os.write(fd, view[written:])
            except BlockingIOError:  # a stdout left non-blocking by the parent: wait
                select.select([], [fd], [])
    except BrokenPipeError:
        raise OrgtuiError(
            "The report was not written: the program meant to read it had already closed the pipe."
            if written == 0
            else f"The report was cut short: the program reading it closed the pipe after "
            f"{written:,} of {len(data):,} bytes.",
            _STDOUT_FIX,
        ) from None
    except OSError as exc:
        raise OrgtuiError(
            f"The report could not be written to stdout after {written:,} of {len(data):,} "
            f"bytes: {exc.strerror or exc}.",
            "Write the report to a file with -o FILE, or check where stdout goes.",
        ) from None


def threshold_met(doc: dict[str, Any], fail_on: str | None) -> str | None:
    """The line saying why --fail-on fails the run, or None when its threshold is not met:
    how many accounts met it, and the first few by name and id (blocked first).

    The management account never counts: it is always blocked (it can't leave), so with it
    every real organization would meet the threshold (`management_note` says so instead).
    """
    if fail_on is None:
        return None
    management = doc.get("organization", {}).get("management_account_id")
    met = [a for a in _meeting(doc, fail_on) if a["id"] != management]
    if not met:
        return None
    what = "blocked" if fail_on == "blocked" else "blocked or to review"
    named = ", ".join(account_label(clean(a["name"]), clean(a["id"])) for a in met[:FAIL_ON_SHOWN])
    more = f" and {len(met) - FAIL_ON_SHOWN} more" if len(met) > FAIL_ON_SHOWN else ""
    verb = "is" if len(met) == 1 else "are"
    return (
        f"orgtui: --fail-on {fail_on}: {plural(len(met), 'account')} {verb} {what}: {named}{more}"
    )


def management_note(doc: dict[str, Any], fail_on: str | None) -> str | None:
    """The one stderr line saying the management account, reported with its verdict, was
    left out of --fail-on; None when it is not reported or meets nothing."""
    if fail_on is None:
        return None
    management = doc.get("organization", {}).get("management_account_id")
    for acc in _meeting(doc, fail_on):
        if acc["id"] == management:
            who = account_label(clean(acc["name"]), clean(acc["id"]))
            return (
                f"orgtui: note: the management account {who} is {acc['verdict']} (it can never "
                "leave the organization); it is reported but does not count toward --fail-on."
            )
    return None


def _meeting(doc: dict[str, Any], fail_on: str) -> list[Mapping[str, Any]]:
    verdicts = ("blocked",) if fail_on == "blocked" else ("blocked", "review")
    return by_verdict(a for a in doc["accounts"] if a["verdict"] in verdicts)


def run_tui(cfg: RunConfig, ctx: AwsContext, demo: DemoOrg | None) -> int:
    from orgtui.backend import session_services
    from orgtui.ui.app import run_app

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
