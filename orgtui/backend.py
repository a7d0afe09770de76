"""What the UI may ask of the core (`Services`), built once in `cli.py` and injected.

The UI never holds the AWS context and never touches a file: it asks this object, from a
Textual thread worker, for the load's stages, the live re-checks, the writes, the
per-account reads (Identity Center assignees, one cache for the detail pane and the
removal dialog; recovery contacts), the settings and the other local files. Everything
here blocks (AWS or the disk): never call it on the UI thread.

The writes are the core's own (`orgtui.aws.removal`, `attest`, `deregister`, `close`,
`move`): each runs its live re-check, the audit line whole on disk before the call and
the outcome after (`orgtui.aws.writes.perform`), and the session's read-only guard
refuses them in audit mode below all of this. They are called through their modules so
that a test can hold one of them where it is defined.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orgtui import files, loading
from orgtui.aws import (
    accept,
    attest,
    close,
    deregister,
    impact,
    invite,
    live,
    move,
    recovery,
    removal,
)
from orgtui.aws.accept import AcceptCheck
from orgtui.aws.errors import translate
from orgtui.aws.invite_plan import InvitePlan, PlannedInvite, parse_account_ids, prepare_invites
from orgtui.aws.readers import handshakes
from orgtui.aws.session import AwsContext, CallStats
from orgtui.errors import Cancelled, OrgtuiError
from orgtui.files.handover import HandOver
from orgtui.handshakes import Handshake
from orgtui.impact_model import Assignees
from orgtui.model import DEFAULT_DESTINATION, Destination, Snapshot
from orgtui.phases import ProgressFn as LoadProgressFn
from orgtui.write_model import CloseQuota, Deregistration, LiveCheck, Outcome, ProgressFn

if TYPE_CHECKING:
    from orgtui.arguments import RunConfig

__all__ = [
    "AcceptCheck",
    "AssigneeCount",
    "HandOver",
    "InvitePlan",
    "LoadFailed",
    "LoadOptions",
    "PlannedInvite",
    "Services",
    "parse_account_ids",
    "session_services",
]

LoadFailed, LoadOptions = loading.LoadFailed, loading.LoadOptions

# What an assignee count is, once asked: the count, None (Identity Center not checked),
# or why it could not be read.
AssigneeCount = Assignees | OrgtuiError | None


class Services:
    """The core, as the interactive session uses it (one per session)."""

    def __init__(self, ctx: AwsContext, *, cache_key: str | None = None) -> None:
        self._ctx = ctx
        self.cache_key = cache_key
        # One cache of assignee counts for the session: the detail pane and the removal
        # dialog ask for the same accounts. Keyed by the load the snapshot came from.
        self._assignees: dict[tuple[object, str], AssigneeCount] = {}
        self._lock = threading.Lock()

    # --- the session ------------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """Audit mode: the session's guard refuses every write before it is sent."""
        return bool(self._ctx.options.read_only)

    @property
    def profile(self) -> str | None:
        return self._ctx.profile

    @property
    def foreground(self) -> Any:
        """The UI's turn (`aws.foreground`): while a key is handled, the load waits."""
        return self._ctx.foreground

    @property
    def stats(self) -> CallStats:
        """The calls made so far, per operation (what the session asked of AWS)."""
        return self._ctx.stats

    @property
    def ended(self) -> bool:
        """The session ended (`cancel`): no further call starts."""
        return self._ctx.cancelled.is_set()

    def cancel(self) -> None:
        """End the session: no further call starts (orgtui is quitting)."""
        self._ctx.cancel()

    @staticmethod
    def words(exc: BaseException) -> OrgtuiError:
        """Any failure in words: what happened and what to do."""
        return translate(exc)

    # --- the load ---------------------------------------------------------------------

    def load_stages(
        self, options: loading.LoadOptions, progress: LoadProgressFn | None = None
    ) -> Iterator[loading.Stage]:
        """The one load path (cached picture, structure, details), stage by stage."""
        return loading.stages(self._ctx, options, progress)

    def remember(self, snap: Snapshot) -> None:
        """Save the view's snapshot to the cache, for the next start (best effort)."""
        if self.cache_key:
            loading.remember(self.cache_key, snap)

    # --- live re-checks ---------------------------------------------------------------

    def check_accounts(
        self,
        snap: Snapshot,
        account_ids: Iterable[str],
        now: datetime | None = None,
        *,
        destination: Destination = DEFAULT_DESTINATION,
    ) -> dict[str, LiveCheck]:
        return live.check_accounts(self._ctx, snap, account_ids, now, destination=destination)

    def live_organization(self, snap: Snapshot) -> Snapshot:
        return live.live_organization(self._ctx, snap)

    def close_quota(self, snap: Snapshot, now: datetime | None = None) -> CloseQuota:
        """The close quota left (audit log and the accounts now PENDING_CLOSURE)."""
        return close.close_quota(snap, now)

    # --- writes (each re-checks live and logs before and after its call) ---------------

    def remove_many(
        self,
        snap: Snapshot,
        account_ids: Iterable[str],
        *,
        now: datetime | None = None,
        progress: ProgressFn | None = None,
        leave_own: bool = False,
        stop: threading.Event | None = None,
    ) -> list[Outcome]:
        return removal.remove_many(
            self._ctx,
            snap,
            account_ids,
            now=now,
            progress=progress,
            leave_own=leave_own,
            stop=stop,
        )

    def attest_many(
        self,
        snap: Snapshot,
        account_ids: Iterable[str],
        *,
        now: datetime | None = None,
        progress: ProgressFn | None = None,
        stop: threading.Event | None = None,
    ) -> list[Outcome]:
        return attest.attest_many(
            self._ctx, snap, account_ids, now=now, progress=progress, stop=stop
        )

    def deregister(
        self,
        snap: Snapshot,
        account_id: str,
        *,
        now: datetime | None = None,
        progress: ProgressFn | None = None,
        stop: threading.Event | None = None,
        destination: Destination = DEFAULT_DESTINATION,
    ) -> Deregistration:
        return deregister.deregister(
            self._ctx,
            snap,
            account_id,
            now=now,
            progress=progress,
            stop=stop,
            destination=destination,
        )

    def close_many(
        self,
        snap: Snapshot,
        account_ids: Iterable[str],
        *,
        now: datetime | None = None,
        progress: ProgressFn | None = None,
        stop: threading.Event | None = None,
    ) -> list[Outcome]:
        return close.close_many(self._ctx, snap, account_ids, now=now, progress=progress, stop=stop)

    def move_many(
        self,
        snap: Snapshot,
        account_ids: Iterable[str],
        destination: str,
        *,
        progress: ProgressFn | None = None,
        stop: threading.Event | None = None,
    ) -> list[Outcome]:
        return move.move_many(
            self._ctx, snap, account_ids, destination, progress=progress, stop=stop
        )

    # --- the transfer: invite (target organization), accept (the account) -----------

    @staticmethod
    def plan_invites(
        snap: Snapshot, account_ids: Iterable[str], handover: HandOver | None = None
    ) -> InvitePlan:
        """Each account's invitation and its tags (the hand-over's, else orgtui's newest
        tag backup), or why not; reads the tag backups (a worker thread)."""
        return prepare_invites(snap, account_ids, handover)

    def invite_many(
        self,
        snap: Snapshot,
        plan: InvitePlan,
        *,
        notes: str = "",
        progress: ProgressFn | None = None,
        stop: threading.Event | None = None,
    ) -> list[Outcome]:
        return invite.invite_many(self._ctx, snap, plan, notes=notes, progress=progress, stop=stop)

    def organization_handshakes(self) -> list[Handshake]:
        """The organization's invitations (ListHandshakesForOrganization)."""
        return handshakes.organization_handshakes(self._ctx)

    def open_invitations(self, account_id: str) -> list[Handshake]:
        """The caller's account's open invitations (ListHandshakesForAccount)."""
        return handshakes.open_invitations(self._ctx, account_id)

    def check_accept(
        self, snap: Snapshot, handshake_id: str, now: datetime | None = None
    ) -> AcceptCheck:
        return accept.check_accept(self._ctx, snap, handshake_id, now)

    def accept(self, snap: Snapshot, handshake_id: str, now: datetime | None = None) -> Outcome:
        return accept.accept(self._ctx, snap, handshake_id, now=now)

    # --- per-account reads, on demand -------------------------------------------------

    def assignees(self, snap: Snapshot, account_id: str) -> AssigneeCount:
        """How many users and groups reach the account through Identity Center, read
        once per load (calls for that account only). Raises only Cancelled."""
        key = (snap.loaded_at, account_id)
        with self._lock:
            if key in self._assignees:
                return self._assignees[key]
        try:
            found: AssigneeCount = impact.assignees(self._ctx, snap, account_id)
        except Cancelled:
            raise
        except OrgtuiError as exc:
            found = exc
        except Exception as exc:  # the reader words AWS's errors; a last safety net
            found = translate(exc)
        with self._lock:
            self._assignees[key] = found
        return found

    def known_assignees(self, snap: Snapshot, account_id: str) -> tuple[bool, AssigneeCount]:
        """(asked before, what it gave): no call."""
        with self._lock:
            key = (snap.loaded_at, account_id)
            return key in self._assignees, self._assignees.get(key)

    def recovery(self, snap: Snapshot, account_ids: Iterable[str]) -> Snapshot:
        """The snapshot with these accounts' recovery contacts and the check's state
        (`recovery_check`: checked, or skipped with the reason). Never raises for AWS."""
        return recovery.read_recovery_check(self._ctx, snap, account_ids)

    # --- local files --------------------------------------------------------------------

    @staticmethod
    def save_setting(key: str, value: Any) -> None:
        """One key of config.toml (raises StoreError in words)."""
        files.save_setting(key, value)

    @staticmethod
    def save_screenshot(svg: str, filename: str | None, now: datetime) -> Path:
        return files.save_screenshot(svg, filename, now)

    @staticmethod
    def config_path() -> Path:
        return files.config_path()

    @staticmethod
    def audit_log_path() -> Path:
        return files.audit_log_path()


def session_services(cfg: RunConfig, ctx: AwsContext, demo: object | None) -> Services:
    """The session's services, with the cache keyed by what the credentials come from
    (the demo keeps no cache)."""
    cache_key = (
        files.cache_key(cfg.profile, cfg.endpoint_url, cfg.region, ctx.credential_inputs())
        if demo is None
        else None
    )
    return Services(ctx, cache_key=cache_key)
