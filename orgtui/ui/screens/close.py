"""The close dialog (`c`): close the marked accounts (or the one under the cursor) with
CloseAccount, keeping the organization's close quota.

The shared path of every write dialog (`write_dialog.WriteDialog`): it says that closing
is final (CLOSE_IS_FINAL in words), shows the close quota's estimate ("closures left in
the rolling 30 days (estimate): N of M", `close.close_quota`, read in the live check's
worker since it reads the audit log), lists each account with its verdict for the `close`
destination (the management account, a delegated administrator, an account already
closing are blocked), and offers the typed confirmation only while nothing blocks and the
accounts fit in the quota. Then `close.close_many` in a thread worker: an audit line
before and after each account, and a stop at AWS's first quota refusal. Each success
carries the organization with the account PENDING_CLOSURE (`Outcome.after`), which the
host applies at once. Nothing here calls boto3.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static
from textual.widgets.button import ButtonVariant

from orgtui.backend import Services
from orgtui.model import Assessment, Snapshot
from orgtui.rules import assess
from orgtui.text import plural
from orgtui.ui.screens import close_text as say
from orgtui.ui.screens.write_dialog import Clock, OutcomeFn, WriteDialog
from orgtui.write_model import QUOTA_REASONS, CloseQuota, LiveCheck, Outcome, ProgressFn, summarize


class CloseScreen(WriteDialog):
    """Confirm, then close the accounts, with a live re-check and the quota first."""

    PREFIX: ClassVar[str] = "close"
    CONFIRM_VARIANT: ClassVar[ButtonVariant] = "error"
    RUNNING_NOTICE: ClassVar[str] = "The closing is in progress: wait for it to finish."

    def __init__(
        self,
        services: Services,
        snapshot: Snapshot,
        account_ids: Sequence[str],
        *,
        clock: Clock,
        on_outcome: OutcomeFn | None = None,
        live_check: bool = True,
        stop: threading.Event | None = None,
    ) -> None:
        # The verdicts shown are for closing, whatever the session's destination.
        super().__init__(
            services,
            snapshot,
            account_ids,
            clock=clock,
            on_outcome=on_outcome,
            live_check=live_check,
            stop=stop,
            destination="close",
        )
        self.quota: CloseQuota | None = None

    # --- what the dialog knows ------------------------------------------------------------

    def item(self, account_id: str) -> say.ToClose:
        check = (self.checks or {}).get(account_id)
        path = " / ".join(self.snapshot.ou_path(account_id))
        account = self.snapshot.accounts.get(account_id)
        if check is not None and check.gone:
            return say.ToClose(account_id, account, None, path, "no longer in the organization")
        if check is not None and check.error is not None:
            problem = f"the live check failed: {check.error.what} {check.error.fix}"
            return say.ToClose(account_id, account, None, path, problem)
        found: Assessment | None = None
        if check is not None and check.assessment is not None:
            found, account = check.assessment, check.account or account
        elif account is not None:
            found = assess(account, self.snapshot, self.clock(), "close")
        return say.ToClose(account_id, account, found, path)

    def items(self) -> list[say.ToClose]:
        return [self.item(a) for a in self.account_ids]

    @property
    def over_quota(self) -> bool:
        return self.quota is not None and len(self.account_ids) > self.quota.left

    @property
    def blocked_ids(self) -> list[str]:
        """Nothing is confirmed past the quota, after a failed check, or while any account
        is blocked for closing (as the view shows it, then as read live)."""
        if self.check_error or self.over_quota:
            return list(self.account_ids)
        return [i.account_id for i in self.items() if i.blocked]

    # --- layout and words -----------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(id="close-accounts")

    def title_text(self) -> Text:
        return say.close_title(len(self.account_ids), self.snapshot.organization.id, self.pal)

    def summary_text(self, width: int) -> RenderableType:
        return say.summary(self.items(), self.quota, self.pal, self.checking)

    def not_attempted(self) -> int:
        return say.stopped_at_quota(self.outcomes, len(self.account_ids), QUOTA_REASONS)

    def refresh_body(self) -> None:
        accounts = self.query_one("#close-accounts", Static)
        if self.phase == "done":
            accounts.update(
                say.final_summary(summarize(self.outcomes), self.not_attempted(), self.pal)
            )
            return
        accounts.update(say.body(self.items(), self.quota, self.pal))

    def check_text(self) -> Text:
        return say.check_line(
            self.pal,
            checking=self.checking,
            items=self.items(),
            quota=self.quota,
            expected=self.expected,
            check_error=self.check_error,
        )

    def confirm_label(self) -> str:
        return f"Close {plural(len(self.account_ids), 'account')}"

    def progress_line(self, index: int, total: int, target: str) -> str:
        return f"Closing {self.label_of(target)}, {index + 1} of {total}…"

    # --- the live re-check and the calls --------------------------------------------------

    def live_checks(self, account_ids: list[str]) -> dict[str, LiveCheck]:
        # In the worker: the quota's estimate reads the audit log.
        self.quota = self.services.close_quota(self.snapshot, self.clock())
        return super().live_checks(account_ids)

    def run(self, account_ids: list[str], progress: ProgressFn) -> list[Outcome]:
        return self.services.close_many(
            self.snapshot,
            account_ids,
            now=self.clock(),
            progress=progress,
            stop=self.stop,
        )
