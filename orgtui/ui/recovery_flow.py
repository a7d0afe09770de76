"""Who can get back in (DESIGN.md "Recovery"): the recovery contacts of the account under
the cursor, read lazily for the detail pane, never during the organization load.

The app owns this flow (`OrgApp.recovery`), so no widget starts AWS work: the main screen
asks for the account under the cursor (`want`) and what to show of it (`state`). The read
runs in one of the app's thread workers once the cursor has rested on the account
(`DEBOUNCE`), exclusive, so that fast moves don't pile up reads; its result comes back as
a `RecoveryRead` message, is kept per account id for the load on screen, merged into the
app's snapshot and the account is assessed again (RECOVERY_CONTACTS_MISSING shows in its
findings and badge), without a reload.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from orgtui.aws.errors import translate
from orgtui.aws.recovery import read_recovery_check
from orgtui.errors import OrgtuiError
from orgtui.impact_model import Check, skipped
from orgtui.model import Snapshot, frozen_map
from orgtui.recovery import Recovery

if TYPE_CHECKING:
    from orgtui.ui.app import OrgApp
    from orgtui.ui.view import OrgView

GROUP = "recovery"
# What the detail pane shows of an account's recovery, besides a Check (read: checked or
# skipped with its reason). None: the section is not shown (the management account).
READING = "reading"  # the read is on its way
AFTER_LOAD = "after-load"  # the organization is loading: read once it is loaded
MEMBER = "member"  # a member account's session can't read them
RecoveryState = str | Check | None


@dataclass
class RecoveryRead(Message):
    """One account's recovery contacts were read (or the check was skipped), for the
    load made at `loaded_at`."""

    loaded_at: object
    account_id: str
    recovery: Recovery | None
    check: Check


class RecoveryFlow:
    """One cache per account id, for the load on screen; one read at a time."""

    DEBOUNCE = 0.15  # seconds the cursor rests on an account before it is read

    def __init__(self, app: OrgApp) -> None:
        self.app = app
        self.checks: dict[str, Check] = {}  # account id -> checked, or skipped and why
        self._loaded_at: object = None  # the checks are those of the load made then
        self._timer: Timer | None = None
        self._waiting: str | None = None  # the account whose read is waiting or running

    @property
    def idle(self) -> bool:
        """No read is waiting for the cursor to rest, nor on its way."""
        return self._waiting is None

    def _same_load(self, view: OrgView) -> None:
        if view.snapshot.loaded_at != self._loaded_at:
            # A new load: its snapshot has no contacts, and they may have changed.
            self._loaded_at = view.snapshot.loaded_at
            self.checks = {}
            self._waiting = None

    def state(self, view: OrgView | None, account_id: str | None) -> RecoveryState:
        """What the detail pane shows for this account's section."""
        if view is None or account_id is None or account_id not in view.snapshot.accounts:
            return None
        snap = view.snapshot
        if account_id == snap.organization.management_account_id:
            return None  # it never leaves
        if snap.member_mode or not snap.is_management_caller:
            return MEMBER
        self._same_load(view)
        found = self.checks.get(account_id)
        if found is not None:
            return found
        return AFTER_LOAD if self.app.loading or not snap.enriched else READING

    def want(self, view: OrgView | None, account_id: str | None) -> None:
        """The cursor is on this account (or on none): read it once the cursor rests."""
        if view is not None:
            self._same_load(view)
        if account_id is not None and account_id == self._waiting:
            return  # already on its way (a repaint of the same account)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._waiting = None
        self.app.workers.cancel_group(self.app, GROUP)
        if self.state(view, account_id) != READING or view is None or account_id is None:
            return  # nothing to read: known, not wanted, or the load is on
        self._waiting = account_id
        snap, loaded_at = view.snapshot, self._loaded_at
        self._timer = self.app.set_timer(
            self.DEBOUNCE, lambda: self._start(snap, loaded_at, account_id)
        )

    def _start(self, snap: Snapshot, loaded_at: object, account_id: str) -> None:
        self._timer = None
        self.app.run_worker(
            lambda: self._read(snap, loaded_at, account_id),
            thread=True,
            exclusive=True,
            group=GROUP,
            exit_on_error=False,
        )

    def _read(self, snap: Snapshot, loaded_at: object, account_id: str) -> None:
        """In the worker's thread: five calls for this account (one trusted-access read
        first); `read_recovery_check` never raises for AWS."""
        if get_current_worker().is_cancelled:
            return
        try:
            after = read_recovery_check(self.app.ctx, snap, [account_id])
            check = after.recovery_check or skipped("not read")
        except OrgtuiError as exc:  # orgtui is quitting, or the session ended
            check = skipped(exc.what)
            after = snap
        except Exception as exc:  # a last safety net: words, never a traceback
            check = skipped(translate(exc).what)
            after = snap
        # Posted even when a move cancelled the worker meanwhile: it is kept for that
        # account, so going back to it costs no call.
        self.app.post_message(
            RecoveryRead(loaded_at, account_id, after.recovery.get(account_id), check)
        )

    def landed(self, message: RecoveryRead) -> None:
        """Keep the result, merge it into the app's snapshot and assess the account again."""
        app = self.app
        view = app.view
        if view is None or message.loaded_at != self._loaded_at:
            return  # read for a load no longer on screen
        if self._waiting == message.account_id:
            self._waiting = None
        self.checks[message.account_id] = message.check
        snap = view.snapshot
        if message.account_id not in snap.accounts:
            return  # it left meanwhile
        recovery = dict(snap.recovery)
        if message.recovery is not None:
            recovery[message.account_id] = message.recovery
        snap = replace(snap, recovery=frozen_map(recovery), recovery_check=message.check)
        # One account's assessment redone (its findings, badge and the counts above it),
        # as after a write; no reload.
        app.show(view.with_changes(snap, [message.account_id], now=app.clock()))
