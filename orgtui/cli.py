"""Command line: parse the contract's options, then run the TUI or the headless report.

Exit codes: 0 ok; 1 error (two lines on stderr: what happened, how to fix it); 2 usage
error; 3 the --fail-on threshold was met. Never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from orgtui import __version__
from orgtui.aws.errors import translate
from orgtui.errors import OrgtuiError
from orgtui.files import Settings, StoreError, load_settings
from orgtui.ids import normalize_account_id
from orgtui.report import FORMATS, by_verdict
from orgtui.text import clean, plural, redact_url

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_THRESHOLD = 0, 1, 2, 3
FAIL_ON_SHOWN = 3  # accounts named in the --fail-on line; the rest are counted


def _account_id(value: str) -> str:
    account_id = normalize_account_id(value)
    if account_id is None:
        raise argparse.ArgumentTypeError(
            f"'{clean(value)}' is not an account id: exactly 12 digits, as 111122223333 or "
            "the console's 1111-2222-3333")
    return account_id


def _endpoint_url(value: str) -> str:
    """An http(s) URL with a host, as the AWS CLI takes it; the error never shows a
    password the URL holds."""
    try:
        parts = urlsplit(value)
        valid = (parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
                 and clean(value) == value and " " not in value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:  # an unclosed [ipv6] bracket, a port out of range
        valid = False
    if not valid:
        raise argparse.ArgumentTypeError(
            f"'{clean(redact_url(value))}' is not an endpoint URL: it needs http:// or "
            "https:// and a host, as http://127.0.0.1:5000")
    return value


def _concurrency(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if not 1 <= n <= 64:
        raise argparse.ArgumentTypeError("must be from 1 to 64")
    return n


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orgtui",
        description="A terminal UI for AWS Organizations: see which accounts can leave the "
        "organization and why not, and remove them safely.",
        epilog="Commands: `orgtui` opens the interactive session (removal enabled); "
        "`orgtui audit` opens it read-only; `orgtui audit --report FORMAT` prints the audit "
        "without a UI. Exit codes: 0 ok, 1 error, 2 usage error, 3 --fail-on threshold met.",
    )
    parser.add_argument("command", nargs="?", choices=["audit"],
                        help="audit: read-only session, or the headless report with --report")
    aws = parser.add_argument_group("AWS")
    aws.add_argument("--profile", metavar="NAME", help="AWS profile (default: the boto3 chain)")
    aws.add_argument("--region", metavar="NAME",
                     help="AWS region (Organizations is global; default us-east-1)")
    aws.add_argument("--endpoint-url", type=_endpoint_url, metavar="URL",
                     help="send requests to this endpoint (moto server, LocalStack, VPC endpoint)")
    aws.add_argument("--demo", action="store_true",
                     help="use the embedded sample organization (moto), no AWS needed")
    aws.add_argument("--concurrency", type=_concurrency, metavar="N", default=None,
                     help="requests in flight at most (default 4)")
    aws.add_argument("--no-cache", action="store_true",
                     help="do not paint the last snapshot at start, read AWS afresh")
    rep = parser.add_argument_group("report (with `audit`)")
    rep.add_argument("--report", choices=FORMATS, metavar="FORMAT",
                     help=f"print the audit without a UI: {', '.join(FORMATS)}")
    rep.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    rep.add_argument("--account", type=_account_id, action="append", metavar="ID",
                     help="only this account (12 digits, dashes allowed; repeatable)")
    rep.add_argument("--fail-on", choices=["blocked", "review"],
                     help="exit 3 when any account is blocked (or blocked or review)")
    parser.add_argument("--version", action="version", version=f"orgtui {__version__}")
    return parser


@dataclass(frozen=True)
class RunConfig:
    """What to run, with command-line options merged over settings."""

    command: str | None
    profile: str | None
    region: str | None
    endpoint_url: str | None
    demo: bool
    concurrency: int
    use_cache: bool
    report: str | None
    output: str | None
    accounts: tuple[str, ...]
    fail_on: str | None
    settings: Settings

    @property
    def read_only(self) -> bool:
        return self.command == "audit"


def parse(argv: Sequence[str] | None) -> RunConfig:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "audit":
        for flag, value in (("--report", args.report), ("-o/--output", args.output),
                            ("--account", args.account), ("--fail-on", args.fail_on)):
            if value:
                parser.error(f"{flag} goes with `orgtui audit --report FORMAT`")
    elif not args.report:
        for flag, value in (("-o/--output", args.output), ("--account", args.account),
                            ("--fail-on", args.fail_on)):
            if value:
                parser.error(f"{flag} needs --report FORMAT")
    settings, problems = load_settings()
    for problem in problems:
        print(f"orgtui: settings: {problem}", file=sys.stderr)
    return RunConfig(
        command=args.command,
        profile=args.profile or (None if args.demo else settings.profile),
        region=args.region or settings.region,
        endpoint_url=args.endpoint_url,
        demo=args.demo,
        concurrency=args.concurrency or settings.concurrency,
        use_cache=settings.cache and not args.no_cache and not args.demo,
        report=args.report,
        output=args.output,
        accounts=tuple(dict.fromkeys(args.account or ())),
        fail_on=args.fail_on,
        settings=settings,
    )


def make_context(cfg: RunConfig) -> tuple[Any, Any]:
    """The AWS context for this run, and the demo (or None) that serves it."""
    from orgtui.aws.session import AwsContext, SessionOptions

    demo = None
    credentials = None
    region = cfg.region
    if cfg.demo:
        try:
            from orgtui import demo as demo_mod

            demo = demo_mod.start()
        except ImportError as exc:
            raise OrgtuiError(
                f"The demo needs moto, which is not installed ({exc.name}).",
                "Install it with: pip install 'orgtui[demo]'",
            ) from None
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
        )
    )
    return ctx, demo


def run_report(cfg: RunConfig, ctx: Any, err: TextIO) -> int:
    from orgtui import report
    from orgtui.aws.loader import Loader
    from orgtui.progress import stderr_progress

    with stderr_progress(err, ctx.stats) as progress:
        loader = Loader(ctx, progress=progress)
        snap = loader.load_structure()
        missing = [a for a in cfg.accounts if a not in snap.accounts]
        if missing:
            raise OrgtuiError(
                f"Not in organization {snap.organization.id}: {', '.join(missing)}.",
                "Check the account ids (run without --account to list every account).",
            )
        snap = loader.enrich(snap, only=cfg.accounts or None)
    if snap.member_mode:
        print(
            f"orgtui: note: these are the credentials of member account {snap.caller.account}, "
            "which can see only itself (no OUs, tags, policies or delegation); use the "
            "management account's credentials to audit the whole organization.",
            file=err,
        )
    if cfg.use_cache and not cfg.accounts:
        save_cache(cfg, snap, err)
    now = datetime.now(timezone.utc)
    doc = report.build(snap, now, cfg.accounts or None)
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
            sys.stdout.write(text)
            sys.stdout.flush()
    why = threshold_met(doc, cfg.fail_on)
    if why:
        print(why, file=err)
        return EXIT_THRESHOLD
    return EXIT_OK


def threshold_met(doc: dict[str, Any], fail_on: str | None) -> str | None:
    """The line saying why --fail-on fails the run, or None when its threshold is not met:
    how many accounts met it, and the first few by name and id (blocked first)."""
    if fail_on is None:
        return None
    verdicts = ("blocked",) if fail_on == "blocked" else ("blocked", "review")
    met = by_verdict(a for a in doc["accounts"] if a["verdict"] in verdicts)
    if not met:
        return None
    what = "blocked" if fail_on == "blocked" else "blocked or to review"
    named = ", ".join(f"{clean(a['name'])} ({clean(a['id'])})" for a in met[:FAIL_ON_SHOWN])
    more = f" and {len(met) - FAIL_ON_SHOWN} more" if len(met) > FAIL_ON_SHOWN else ""
    verb = "is" if len(met) == 1 else "are"
    return (f"orgtui: --fail-on {fail_on}: {plural(len(met), 'account')} {verb} {what}: "
            f"{named}{more}")


def save_cache(cfg: RunConfig, snap: Any, err: TextIO) -> None:
    """Save the organization just read, for the next start to paint at once.

    A cache that can't be written costs only that speed: say so, and go on.
    """
    from orgtui.files import cache_key, save_snapshot

    try:
        save_snapshot(cache_key(cfg.profile, cfg.endpoint_url, cfg.region), snap)
    except StoreError as exc:
        print(f"orgtui: snapshot cache not saved: {exc.what}", file=err)


def run_tui(cfg: RunConfig, ctx: Any, demo: Any) -> int:
    from orgtui.ui.app import run_app

    return run_app(cfg, ctx, demo)


def fail(exc: BaseException, profile: str | None, err: TextIO,
         endpoint_url: str | None = None) -> int:
    """Two lines on stderr: what happened, how to fix it. A password in --endpoint-url is
    masked wherever the message quotes the URL."""
    problem = translate(exc, profile=profile)
    for label, text in (("error", problem.what), ("fix", problem.fix)):
        if endpoint_url:
            text = text.replace(endpoint_url, redact_url(endpoint_url))
        print(f"orgtui: {label}: {text}", file=err)
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    err = sys.stderr
    try:
        cfg = parse(argv)
    except SystemExit as exc:  # argparse: --help, --version (0) or a usage error (2)
        return int(exc.code or 0)
    demo = None
    try:
        ctx, demo = make_context(cfg)
        if cfg.report:
            return run_report(cfg, ctx, err)
        return run_tui(cfg, ctx, demo)
    except KeyboardInterrupt:
        print("orgtui: interrupted.", file=err)
        return 130
    except Exception as exc:  # every failure ends in words, never a traceback
        # The profile may come from AWS_PROFILE: name it in the fix (`aws sso login`).
        profile = cfg.profile or os.environ.get("AWS_PROFILE") or os.environ.get(
            "AWS_DEFAULT_PROFILE")
        return fail(exc, profile, err, cfg.endpoint_url)
    finally:
        if demo is not None:
            demo.stop()
