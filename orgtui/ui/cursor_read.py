"""Reads made for the account under the cursor, never during the organization load: who
is assigned through Identity Center, who can get back in (recovery contacts).

The app owns each of them (`OrgApp.assignee_reads`, `OrgApp.recovery`), so no widget
starts AWS work: the main screen says which account the cursor is on (`want`) and asks
what to show of it (`state`). A read starts once the cursor has rested on the account
(`DEBOUNCE`), in one of the app's thread workers, exclusive within its group, so that
fast moves don't pile up reads; its result comes back as a `CursorReadDone` message and
is kept per account id for the load on screen (`found`). A new load forgets them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from orgtui.model import Snapshot

if TYPE_CHECKING:
    from orgtui.session.view import OrgView

T = TypeVar("T")


@dataclass
class CursorReadDone(Message):
    """One account's read (of `group`) landed, for the load made at `loaded_at`."""

    group: str
    loaded_at: object
    account_id: str
    result: Any


class CursorRead(Generic[T]):
    """One cache per account id, for the load on screen; one read at a time.

    Subclasses say whether an account is to be read (`wanted`), read it in the worker's
    thread (`read`, which must not raise) and may act on a result (`landed`)."""

    DEBOUNCE = 0.15  # seconds the cursor rests on an account before it is read
    group = ""

    def __init__(self, app: Any) -> None:
        self.app = app  # the OrgApp: its timers, workers and messages
        self.found: dict[str, T] = {}  # account id -> what the read gave
        self._loaded_at: object = None  # `found` is that of the load made then
        self._timer: Timer | None = None
        self._waiting: str | None = None  # the account whose read is waiting or running

    @property
    def idle(self) -> bool:
        """No read is waiting for the cursor to rest, nor on its way."""
        return self._waiting is None

    def same_load(self, view: OrgView) -> None:
        if view.snapshot.loaded_at != self._loaded_at:
            # A new load: what was read may have changed.
            self._loaded_at = view.snapshot.loaded_at
            self.found = {}
            self._waiting = None

    def wanted(self, view: OrgView, account_id: str) -> bool:
        """Is this account to be read now (it is not yet)?"""
        raise NotImplementedError

    def read(self, snap: Snapshot, account_id: str) -> T:
        """In the worker's thread: the read, its failures in words (never raises)."""
        raise NotImplementedError

    def want(self, view: OrgView | None, account_id: str | None) -> None:
        """The cursor is on this account (or on none): read it once the cursor rests."""
        if view is not None:
            self.same_load(view)
        if account_id is not None and account_id == self._waiting:
            return  # already on its way (a repaint of the same account)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._waiting = None
        self.app.workers.cancel_group(self.app, self.group)
        if (
            view is None
            or account_id is None
            or account_id not in view.snapshot.accounts
            or account_id in self.found
            or not self.wanted(view, account_id)
        ):
            return
        self._waiting = account_id
        snap, loaded_at = view.snapshot, self._loaded_at
        self._timer = self.app.set_timer(
            self.DEBOUNCE, lambda: self._start(snap, loaded_at, account_id)
        )

    def _start(self, snap: Snapshot, loaded_at: object, account_id: str) -> None:
        self._timer = None
        self.app.run_worker(
            lambda: self._run(snap, loaded_at, account_id),
            thread=True,
            exclusive=True,
            group=self.group,
            exit_on_error=False,
        )

    def _run(self, snap: Snapshot, loaded_at: object, account_id: str) -> None:
        if get_current_worker().is_cancelled:
            return
        result = self.read(snap, account_id)
        # Posted even when a move cancelled the worker meanwhile: it is kept for that
        # account, so going back to it costs no call.
        self.app.post_message(CursorReadDone(self.group, loaded_at, account_id, result))

    def done(self, message: CursorReadDone) -> bool:
        """Keep a result (UI thread); False when it is for a load no longer on screen."""
        if message.loaded_at != self._loaded_at:
            return False
        if self._waiting == message.account_id:
            self._waiting = None
        self.found[message.account_id] = message.result
        self.landed(message.account_id, message.result)
        return True

    def landed(self, account_id: str, result: T) -> None:
        """What a result changes beyond `found` (nothing by default)."""
