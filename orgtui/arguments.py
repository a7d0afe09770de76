"""The command line's contract: its options and their checks, the help texts, the exit
codes, and `RunConfig`, the run they describe with the settings merged in."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlsplit

from orgtui import __version__
from orgtui.errors import OrgtuiError
from orgtui.files import HandOver, Settings, load_settings, read_handover
from orgtui.ids import normalize_account_id
from orgtui.model import DESTINATIONS, Destination
from orgtui.report import FORMATS
from orgtui.text import clean, redact_url

# 0 ok; 1 error (two lines on stderr: what happened, how to fix it); 2 usage error
# (argparse's); 3 the --fail-on threshold was met.
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_THRESHOLD = 0, 1, 2, 3


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
    # The options of the report itself, which only `orgtui audit --report` reads.
    report_options = (
        ("-o/--output", args.output),
        ("--account", args.account),
        ("--fail-on", args.fail_on),
        ("--destination", args.destination),
        ("--recovery", args.recovery),
    )
    if args.command != "audit":
        for flag, value in (("--report", args.report), *report_options):
            if value:
                parser.error(f"{flag} goes with `orgtui audit --report FORMAT`")
    elif not args.report:
        for flag, value in report_options:
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
