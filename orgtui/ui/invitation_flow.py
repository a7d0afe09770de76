"""A member account's open invitations (DESIGN.md "Destinations", the account's role): read
for the detail pane of the caller's own account, never during the organization load, and
read again when `i` opens "Accept invitation".

The app owns this read (`OrgApp.invitations`, a `CursorRead`: debounced, in a thread
worker, kept per account for the load on screen), so no widget starts AWS work. What it
keeps is a tuple of `Handshake` (hashable: the detail pane keys what it drew by it) or
the failure in words (`OrgtuiError`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from orgtui.errors import Cancelled, OrgtuiError
from orgtui.handshakes import Handshake
from orgtui.model import Snapshot
from orgtui.ui.cursor_read import CursorRead
from orgtui.ui.render import READING

if TYPE_CHECKING:
    from orgtui.ui.view import OrgView

GROUP = "invitations"
# What the read gives: the open invitations, or why they could not be read.
Invitations = tuple[Handshake, ...] | OrgtuiError


class InvitationFlow(CursorRead[Invitations]):
    """The open INVITE handshakes of the caller's own account, when it is a member."""

    group = GROUP

    def state(self, view: OrgView | None, account_id: str | None) -> object:
        """What the detail pane's section "Invitations" shows: READING until the worker
        answers, then what it gave; None (no section) on any account but the caller's own,
        or when the caller is the management account (it can never accept)."""
        if view is None or account_id is None:
            return None
        snap = view.snapshot
        if account_id != snap.caller.account or snap.is_management_caller:
            return None
        self.same_load(view)
        return self.found.get(account_id, READING)

    def wanted(self, view: OrgView, account_id: str) -> bool:
        return self.state(view, account_id) == READING

    def read(self, snap: Snapshot, account_id: str) -> Invitations:
        """ListHandshakesForAccount (one call a page); failures in words, never raised."""
        try:
            return tuple(self.app.services.open_invitations(account_id))
        except OrgtuiError as exc:  # Cancelled too (orgtui is quitting)
            return exc
        except Exception as exc:  # AWS's errors, in words: never a traceback
            return self.app.services.words(exc)

    def landed(self, account_id: str, result: Invitations) -> None:
        self.app.main.refresh_detail()

    # --- `i`: read again now, then act -------------------------------------------------

    def read_now(self, snap: Snapshot, then: Callable[[Invitations], None]) -> None:
        """Read the caller's open invitations now (a thread worker), keep them for the
        detail pane, then call `then` with them on the UI thread. `i` reads afresh: an
        invitation sent since the pane read them must be offered."""
        account_id = snap.caller.account
        loaded_at = snap.loaded_at

        def run() -> None:
            result = self.read(snap, account_id)
            if get_current_worker().is_cancelled:
                return  # `i` pressed again: the newer read answers
            self.app.call_from_thread(self._read_now_done, loaded_at, account_id, result, then)

        self.app.run_worker(
            run, thread=True, exclusive=True, group=f"{GROUP}-now", exit_on_error=False
        )

    def _read_now_done(
        self,
        loaded_at: object,
        account_id: str,
        result: Invitations,
        then: Callable[[Invitations], None],
    ) -> None:
        if loaded_at == self._loaded_at and not isinstance(result, Cancelled):
            self.found[account_id] = result
            self.app.main.refresh_detail()
        then(result)
