"""Who signs in to the account under the cursor through IAM Identity Center: counted on
demand for the detail pane (`Services.assignees`: calls for that account only, one cache
the removal dialog shares), never during the organization load. A `CursorRead`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgtui.backend import AssigneeCount
from orgtui.errors import Cancelled
from orgtui.model import Snapshot
from orgtui.ui.cursor_read import CursorRead
from orgtui.ui.render import READING, wants_assignees

if TYPE_CHECKING:
    from orgtui.session.view import OrgView


class AssigneeFlow(CursorRead[AssigneeCount]):
    """The assignee count of the account under the cursor, when it loses Identity Center
    access by leaving (IDENTITY_CENTER_ACCESS_LOST)."""

    group = "assignees"

    def state(self, view: OrgView | None, account_id: str | None) -> object:
        """The count as known (READING until the worker answers), or None: not shown."""
        if view is None or account_id is None:
            return None
        if not wants_assignees(view.assessments.get(account_id)):
            return None
        self.same_load(view)
        return self.found.get(account_id, READING)

    def wanted(self, view: OrgView, account_id: str) -> bool:
        return wants_assignees(view.assessments.get(account_id))

    def read(self, snap: Snapshot, account_id: str) -> AssigneeCount:
        try:
            return self.app.services.assignees(snap, account_id)
        except Cancelled as exc:  # orgtui is quitting
            return exc

    def landed(self, account_id: str, result: AssigneeCount) -> None:
        self.app.main.refresh_detail()
