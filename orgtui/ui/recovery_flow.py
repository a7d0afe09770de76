"""Who can get back in (DESIGN.md "Recovery"): the recovery contacts of the account under
the cursor, read lazily for the detail pane, never during the organization load.

The app owns this read (`OrgApp.recovery`, a `CursorRead`: debounced, in a thread worker,
kept per account for the load on screen). Its result is merged into the app's snapshot
and the account is assessed again (RECOVERY_CONTACTS_MISSING shows in its findings and
badge), without a reload.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from orgtui.errors import OrgtuiError
from orgtui.impact_model import Check, skipped
from orgtui.model import Snapshot, frozen_map
from orgtui.recovery import Recovery
from orgtui.ui.cursor_read import CursorRead

if TYPE_CHECKING:
    from orgtui.session.view import OrgView

GROUP = "recovery"
# What the detail pane shows of an account's recovery, besides a Check (read: checked or
# skipped with its reason). None: the section is not shown (the management account).
READING = "reading"  # the read is on its way
AFTER_LOAD = "after-load"  # the organization is loading: read once it is loaded
MEMBER = "member"  # a member account's session can't read them
RecoveryState = str | Check | None


class RecoveryFlow(CursorRead[tuple["Recovery | None", Check]]):
    """The recovery contacts of the account under the cursor (and the check's state)."""

    group = GROUP

    def state(self, view: OrgView | None, account_id: str | None) -> RecoveryState:
        """What the detail pane shows for this account's section."""
        if view is None or account_id is None or account_id not in view.snapshot.accounts:
            return None
        snap = view.snapshot
        if account_id == snap.organization.management_account_id:
            return None  # it never leaves
        if snap.member_mode or not snap.is_management_caller:
            return MEMBER
        self.same_load(view)
        found = self.found.get(account_id)
        if found is not None:
            return found[1]
        return AFTER_LOAD if self.app.load_status.loading or not snap.enriched else READING

    def wanted(self, view: OrgView, account_id: str) -> bool:
        return self.state(view, account_id) == READING

    def read(self, snap: Snapshot, account_id: str) -> tuple[Recovery | None, Check]:
        """Five calls for this account (one trusted-access read first); the services'
        `recovery` never raises for AWS."""
        try:
            after = self.app.services.recovery(snap, [account_id])
            check = after.recovery_check or skipped("not read")
        except OrgtuiError as exc:  # orgtui is quitting, or the session ended
            return None, skipped(exc.what)
        except Exception as exc:  # a last safety net: words, never a traceback
            return None, skipped(self.app.services.words(exc).what)
        return after.recovery.get(account_id), check

    def landed(self, account_id: str, result: tuple[Recovery | None, Check]) -> None:
        """Merge the contacts into the app's snapshot and assess the account again."""
        app = self.app
        view = app.view
        if view is None or account_id not in view.snapshot.accounts:
            return  # it left meanwhile
        found, check = result
        snap = view.snapshot
        recovery = dict(snap.recovery)
        if found is not None:
            recovery[account_id] = found
        snap = replace(snap, recovery=frozen_map(recovery), recovery_check=check)
        # One account's assessment redone (its findings, badge and the counts above it),
        # as after a write; no reload.
        app.show(view.with_changes(snap, [account_id], now=app.clock()))
