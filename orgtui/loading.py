"""The one load both the report and the TUI use: cached snapshot first, then the
organization's structure, then its details and the impact checks, then the cache saved.

`stages()` yields what is known as soon as it is known, so the TUI can paint the cached
picture at once and the fresh tree before its details, and the report simply takes the
last stage. The caching rules live here and nowhere else:

- the cache is read only when asked (`read_cache`), and never decides anything: it is a
  picture shown, marked stale, until AWS answers;
- a bad cache file is set aside and reported (a `Stage` problem), never fatal;
- only a whole organization, fully read, is saved (never a report on `--account`s, never
  a load whose details failed); a cache that can't be written is reported and the load
  goes on.

A failure ends the generator with `LoadFailed`, an `OrgtuiError` that says which stage
failed: before the structure nothing true can be shown; after it, the structure stands.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from orgtui import files
from orgtui.aws.errors import translate
from orgtui.errors import OrgtuiError
from orgtui.model import DEFAULT_ATTEST_TAG, Snapshot, frozen_map
from orgtui.phases import ProgressFn
from orgtui.text import account_label

if TYPE_CHECKING:
    from orgtui.aws.session import AwsContext

StageName = Literal["cached", "structure", "details"]


@dataclass(frozen=True)
class LoadOptions:
    """What a load may use and keep."""

    cache_key: str | None = None  # where the cache lives for this way of reaching AWS
    read_cache: bool = False  # paint the cached snapshot first
    write_cache: bool = True  # save a whole organization once fully read
    only: Sequence[str] | None = None  # read per-account details of these accounts only
    attest_tag: str = DEFAULT_ATTEST_TAG  # the setting `standalone_tag`


@dataclass(frozen=True)
class Stage:
    """One step of a load: `cached` (may hold no snapshot, only problems), `structure`
    (OUs and accounts, details not read yet) or `details` (everything; the last stage).
    `problems` are what the user should be told, in words."""

    name: StageName
    snapshot: Snapshot | None
    problems: tuple[str, ...] = ()


class LoadFailed(OrgtuiError):
    """The load stopped at `stage` ("structure" or "details")."""

    def __init__(self, stage: str, error: OrgtuiError) -> None:
        super().__init__(
            error.what, error.fix, code=error.code, reason=error.reason, request_id=error.request_id
        )
        self.stage = stage


def with_records(
    snap: Snapshot, options: LoadOptions, problems: list[str] | None = None
) -> Snapshot:
    """The snapshot with what is not AWS's and never cached: the attestation tag's key
    (a setting) and AWS's earlier refusals in this organization (the audit log). What
    could not be read of the log, or was ignored, goes to `problems`: it never stops the
    load."""
    return replace(
        snap,
        attest_tag=options.attest_tag,
        refusals=frozen_map(files.read_refusals(snap.organization.id, problems=problems)),
    )


def cached(options: LoadOptions) -> Stage | None:
    """The cached picture, when asked for and there is one (or a problem to tell)."""
    if not (options.read_cache and options.cache_key):
        return None
    problems: list[str] = []
    snap = files.load_snapshot(options.cache_key, problems=problems)
    if snap is None and not problems:
        return None
    return Stage("cached", with_records(snap, options, problems) if snap else None, tuple(problems))


def stages(
    ctx: AwsContext, options: LoadOptions, progress: ProgressFn | None = None
) -> Iterator[Stage]:
    """Load the organization, yielding each stage as it is known."""
    from orgtui.aws.loader import Loader

    profile = ctx.profile
    try:
        first = cached(options)
    except Exception as exc:  # a local file must never stop the load (nor hang the UI's)
        first = Stage("cached", None, (f"The cached picture was not read: {translate(exc).what}",))
    if first is not None:
        yield first
    # The details are read in the structure walk's gaps (aws/loader.py): of every account,
    # or of the accounts asked for.
    loader = Loader(ctx, progress=progress, early=True, only=options.only or None)
    # What the audit log's reading met: told with the structure, unless the cached
    # stage, read from the same log a moment before, told it already.
    records: list[str] = []
    try:
        snap = with_records(loader.load_structure(), options, records)
        missing = [a for a in options.only or () if a not in snap.accounts]
    except Exception as exc:
        raise LoadFailed("structure", translate(exc, profile=profile)) from None
    if missing:
        raise LoadFailed(
            "structure",
            OrgtuiError(
                f"Not in organization {snap.organization.id}: {', '.join(missing)}.",
                "Check the account ids (run without --account to list every account).",
            ),
        )
    told = first is not None and first.snapshot is not None
    yield Stage("structure", snap, () if told else tuple(records))
    try:
        # The details, and the impact checks alongside (they never fail for AWS: a check
        # that can't be made is skipped, with its reason).
        snap = loader.enrich_and_read_impact(snap, only=options.only or None)
    except Exception as exc:
        raise LoadFailed("details", translate(exc, profile=profile)) from None
    problems: tuple[str, ...] = ()
    if options.write_cache and not options.only:
        problems = tuple(p for p in [remember(options.cache_key, snap)] if p)
    yield Stage("details", snap, problems)


def load(
    ctx: AwsContext, options: LoadOptions, progress: ProgressFn | None = None
) -> tuple[Snapshot, tuple[str, ...]]:
    """The whole organization (the last stage) and what the user should be told."""
    problems: list[str] = []
    snap: Snapshot | None = None
    for stage in stages(ctx, options, progress):
        problems += stage.problems
        snap = stage.snapshot or snap
    assert snap is not None  # stages() ends with `details` or raises
    return snap, (*problems, *account_problems(snap))


def account_problems(snap: Snapshot) -> list[str]:
    """What could not be read about single accounts (the load went on), one line each."""
    lines = []
    for account_id, notes in snap.account_notes.items():
        acc = snap.accounts.get(account_id)
        who = account_label(acc.name if acc is not None else "", account_id)
        lines += [f"{who}: {note}" for note in notes]
    return lines


def remember(cache_key: str | None, snap: Snapshot) -> str | None:
    """Save the organization as now known (after a load, or a removal changed it), for
    the next start to paint at once. Returns the problem in words when it can't be saved:
    that costs only that speed."""
    if not cache_key:
        return None
    try:
        files.save_snapshot(cache_key, snap)
    except OrgtuiError as exc:
        return f"The snapshot cache was not saved: {exc.what} {exc.fix}"
    except Exception as exc:  # the cache is a convenience: never fatal
        err = translate(exc)
        return f"The snapshot cache was not saved: {err.what}"
    return None
