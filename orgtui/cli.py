"""Command line: parse the contract's options, then run the TUI or the headless report.

Exit codes: 0 ok; 1 error (two lines on stderr: what happened, how to fix it); 2 usage
error; 3 the --fail-on threshold was met. Never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from orgtui import __version__
from orgtui.aws.errors import translate
from orgtui.errors import OrgtuiError
from orgtui.files import Settings, StoreError, load_settings
from orgtui.report import FORMATS

ACCOUNT_ID = re.compile(r"^\d{12}$")
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_THRESHOLD = 0, 1, 2, 3


def _account_id(value: str) -> str:
    if not ACCOUNT_ID.match(value):
        raise argparse.ArgumentTypeError(f"'{value}' is not an account id (exactly 12 digits)")
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
    aws.add_argument("--endpoint-url", metavar="URL",
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
                     help="only this account (repeatable)")
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
    # Where the impact checks look (settings only): StackSets and RAM beside the session's
    # region; Identity Center's region when it is not the session's.
    impact_regions: tuple[str, ...] = ()
    identity_center_region: str | None = None

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
        impact_regions=settings.impact_regions,
        identity_center_region=settings.identity_center_region,
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
            impact_regions=cfg.impact_regions,
            identity_center_region=cfg.identity_center_region,
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
        snap = loader.read_impact(snap)  # never fails: a check it can't make is skipped
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
    summary = doc["summary"]
    if cfg.fail_on == "blocked" and summary["blocked"]:
        return EXIT_THRESHOLD
    if cfg.fail_on == "review" and (summary["blocked"] or summary["review"]):
        return EXIT_THRESHOLD
    return EXIT_OK


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


def fail(exc: BaseException, profile: str | None, err: TextIO) -> int:
    problem = translate(exc, profile=profile)
    print(f"orgtui: error: {problem.what}", file=err)
    print(f"orgtui: fix: {problem.fix}", file=err)
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
        return fail(exc, profile, err)
    finally:
        if demo is not None:
            demo.stop()
