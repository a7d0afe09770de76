"""The removal dialog: what will be lost, a live re-check, typed confirmation, progress,
and a summary (the shared path of every write dialog: `write_dialog.WriteDialog`).

A fixed summary (verdicts, what blocks, the tags AWS will delete, what breaks, the impact
checks not made) stays above a scroll area holding, per account, its name, id, OU path,
findings with their fixes, what breaks when it leaves (the impact findings, warnings
first, with the users and groups assigned through Identity Center), every tag and the
policies that stop applying; then the notes on billing and access. When it opens, a
thread worker re-reads each account live (`removal.check_accounts`) and the live verdict
decides; another counts who is assigned through Identity Center. A set that can't be
confirmed (a blocked account, the management account) shows why and the fixes and no
prompt; with blocked and removable accounts mixed, a button drops the blocked ones.

After confirmation a thread worker removes the accounts one at a time
(`removal.remove_many`). A member caller leaves (LeaveOrganization) through the same
dialog. Nothing here calls boto3.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Button, Static

from orgtui.backend import Services
from orgtui.errors import Cancelled
from orgtui.impact_model import Check, skipped
from orgtui.model import Assessment, Snapshot
from orgtui.recovery import Recovery
from orgtui.rules import assess
from orgtui.text import plural
from orgtui.ui.render import READING, wants_assignees
from orgtui.ui.screens import removal_text as say
from orgtui.ui.screens.write_dialog import Clock, OutcomeFn, WriteDialog
from orgtui.write_model import LiveCheck, Outcome, ProgressFn, summarize

__all__ = ["LiveCheck", "Outcome", "RemovalScreen"]


class RemovalScreen(WriteDialog):
    """Confirm, then remove (or leave), with a live re-check first."""

    PREFIX: ClassVar[str] = "removal"
    RUNNING_NOTICE: ClassVar[str] = "The removal is in progress: wait for it to finish."

    def __init__(
        self,
        services: Services,
        snapshot: Snapshot,
        account_ids: Sequence[str],
        *,
        clock: Clock,
        leave: bool = False,
        on_outcome: OutcomeFn | None = None,
        live_check: bool = True,
        stop: threading.Event | None = None,
        counts: dict[str, object] | None = None,
    ) -> None:
        super().__init__(
            services,
            snapshot,
            account_ids,
            clock=clock,
            on_outcome=on_outcome,
            live_check=live_check,
            stop=stop,
        )
        self.leave = leave
        self.dropped_gone: list[str] = []
        self._view_assessments: dict[str, Assessment | None] = {}
        # Who is assigned through Identity Center, per account (shared with the detail
        # pane, which may have counted some already).
        self.counts: dict[str, object] = counts if counts is not None else {}
        # Who can get back in (read once the dialog is open; not for a member's leave).
        self.recovery: dict[str, Recovery] = {}
        self.recovery_state: object = None

    # --- what the dialog knows ------------------------------------------------------------

    def assessment_of(self, account_id: str) -> Assessment | None:
        """The live assessment when the re-check landed, else the one of the view."""
        if self.checks is not None and account_id in self.checks:
            return self.checks[account_id].assessment
        if account_id not in self._view_assessments:
            acc = self.snapshot.accounts.get(account_id)
            self._view_assessments[account_id] = (
                assess(acc, self.snapshot, self.clock()) if acc else None
            )
        return self._view_assessments[account_id]

    def is_blocked(self, account_id: str) -> bool:
        if self.checks is not None and account_id in self.checks:
            return self.checks[account_id].blocked
        found = self.assessment_of(account_id)
        return found is None or found.verdict == "blocked"

    def facts(self, account_id: str) -> say.AccountFacts:
        check = self.checks.get(account_id) if self.checks is not None else None
        live = check.account if check is not None else None
        assessment = self.assessment_of(account_id)
        return say.AccountFacts(
            account_id=account_id,
            account=live or self.snapshot.accounts.get(account_id),
            snapshot=check.snapshot if check is not None else self.snapshot,
            assessment=assessment,
            blocked=self.is_blocked(account_id),
            check=check,
            management=account_id == self.snapshot.organization.management_account_id,
            assignees=(
                self.counts.get(account_id, READING) if wants_assignees(assessment) else None
            ),
            leave=self.leave,
            recovery=self.recovery.get(account_id),
            recovery_state=self.recovery_state if not self.leave else None,
        )

    @property
    def blocked_ids(self) -> list[str]:
        return [a for a in self.account_ids if self.is_blocked(a)]

    # --- layout and words -----------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(id="removal-accounts")
        yield Static(say.notes_text(self.leave), id="removal-notes")

    def compose_extra_buttons(self) -> ComposeResult:
        yield Button("", id="removal-drop", variant="warning", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        wanted = [
            a
            for a in self.account_ids[: say.DETAILED]
            if a not in self.counts and wants_assignees(self.assessment_of(a))
        ]
        if wanted:
            self._count_assignees(wanted)
        if not self.leave and self.account_ids:
            self.recovery_state = READING
            self._read_recovery(list(self.account_ids[: say.DETAILED]))

    # --- who can get back in once it has left ------------------------------------------

    @work(thread=True, exclusive=True, group="removal-recovery", exit_on_error=False)
    def _read_recovery(self, account_ids: list[str]) -> None:
        """Five calls per account (AWS Account Management), after one trusted-access read;
        the services' `recovery` never raises for AWS (a skip says why)."""
        try:
            after = self.services.recovery(self.snapshot, account_ids)
        except Cancelled:
            return  # orgtui is quitting
        except Exception as exc:  # a last safety net: words, never a traceback
            self.app.call_from_thread(self._recovered, {}, skipped(self.services.words(exc).what))
            return
        found = {a: after.recovery[a] for a in account_ids if a in after.recovery}
        self.app.call_from_thread(self._recovered, found, after.recovery_check)

    def _recovered(self, found: dict[str, Recovery], check: Check | None) -> None:
        self.recovery = found
        self.recovery_state = check or skipped("not read")
        if self.phase == "confirm":
            self.refresh_all()

    def title_text(self) -> Text:
        return say.title(self.snapshot.organization.id, len(self.account_ids), self.leave, self.pal)

    def summary_text(self, width: int) -> RenderableType:
        return say.summary(
            [self.facts(a) for a in self.account_ids], self.pal, width, self.checking
        )

    def refresh_body(self) -> None:
        accounts = self.query_one("#removal-accounts", Static)
        facts = [self.facts(a) for a in self.account_ids]
        if self.phase == "done":
            accounts.update(say.final_summary(summarize(self.outcomes), self.leave, self.pal))
        else:
            accounts.update(say.accounts_text(facts, self.pal, self.checking))
        # A set of management accounts never leaves: nothing about after it leaves.
        self.query_one("#removal-notes", Static).display = self.phase != "done" and not all(
            f.management for f in facts
        )

    def refresh_extra(self) -> None:
        others = len(self.account_ids) - len(self.blocked_ids)
        drop = self.query_one("#removal-drop", Button)
        drop.label = f"Drop the {plural(len(self.blocked_ids), 'blocked account')} and go on"
        drop.display = (
            self.phase == "confirm" and not self.checking and bool(self.blocked_ids) and others > 0
        )

    def check_text(self) -> Text:
        return say.check_line(
            self.pal,
            checking=self.checking,
            count=len(self.account_ids),
            blocked=len(self.blocked_ids),
            expected=self.expected,
            leave=self.leave,
            check_error=self.check_error,
            dropped=self.dropped_gone,
            only_management=self.account_ids == [self.snapshot.organization.management_account_id],
        )

    def confirm_label(self) -> str:
        if self.leave:
            return "Leave the organization"
        return f"Remove {plural(len(self.account_ids), 'account')}"

    def progress_line(self, index: int, total: int, target: str) -> str:
        verb = "Leaving" if self.leave else "Removing"
        return f"{verb} {self.label_of(target)}, {index + 1} of {total}…"

    # --- the live re-check ----------------------------------------------------------------

    def live_checks(self, account_ids: list[str]) -> dict[str, LiveCheck]:
        return self.services.check_accounts(self.snapshot, account_ids, self.clock())

    def landed(self, checks: dict[str, LiveCheck]) -> None:
        gone = [a for a, c in checks.items() if c.gone]
        for account_id in gone:
            name = self.name_of(account_id)
            self.dropped_gone.append(name)
            self.account_ids.remove(account_id)
            self.emit(
                Outcome(
                    account_id,
                    name,
                    "gone",
                    f"{self.label_of(account_id)} is no longer in the organization.",
                    "Nothing to do; the view drops it.",
                    check=checks[account_id],
                )
            )
        if gone:  # what must be typed changed (the number of accounts)
            self.clear_typed()

    @on(Button.Pressed, "#removal-drop")
    def drop_blocked(self) -> None:
        """Take the blocked accounts out of the set and go on with the rest."""
        if self.phase != "confirm" or self.checking:
            return
        blocked = set(self.blocked_ids)
        self.account_ids = [a for a in self.account_ids if a not in blocked]
        self.clear_typed()
        self.refresh_all()
        if self.can_confirm:
            self.input_box.focus()

    # --- who is assigned through Identity Center ------------------------------------------

    @work(thread=True, exclusive=True, group="removal-assignees", exit_on_error=False)
    def _count_assignees(self, account_ids: list[str]) -> None:
        for account_id in account_ids:
            try:
                found: object = self.services.assignees(self.snapshot, account_id)
            except Cancelled:
                return  # orgtui is quitting
            self.app.call_from_thread(self._counted, account_id, found)

    def _counted(self, account_id: str, found: object) -> None:
        self.counts[account_id] = found
        if self.phase == "confirm":
            self.refresh_all()

    # --- the removal ----------------------------------------------------------------------

    def run(self, account_ids: list[str], progress: ProgressFn) -> list[Outcome]:
        return self.services.remove_many(
            self.snapshot,
            account_ids,
            now=self.clock(),
            progress=progress,
            leave_own=self.leave,
            stop=self.stop,
        )
