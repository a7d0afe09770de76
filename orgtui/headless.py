"""The headless audit (`orgtui audit --report FORMAT`): load, build the report, write it
whole to stdout or a file, and judge --fail-on."""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from orgtui import files
from orgtui.arguments import EXIT_OK, EXIT_THRESHOLD, RunConfig
from orgtui.errors import OrgtuiError
from orgtui.report import by_verdict
from orgtui.text import account_label, clean, plural

if TYPE_CHECKING:
    from orgtui.aws.session import AwsContext

FAIL_ON_SHOWN = 3  # accounts named in the --fail-on line; the rest are counted


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
