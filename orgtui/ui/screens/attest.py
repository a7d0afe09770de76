"""The attest dialog (`v`): record that accounts created through Organizations have their
standalone sign-up completed, with the attestation tag (setting `standalone_tag`).

The shared path of every write dialog (`write_dialog.WriteDialog`): it says what
attesting means and that orgtui can't check it, lists the accounts to attest (each with
its verdict now and after) and those skipped with why (invited accounts, the management
account; after the live re-check, accounts it could not read or no longer finds), shows
the tag key and the value written (`<UTC ISO time> <caller>`), then the typed
confirmation, and `attest.attest_many` in a thread worker (TagResource per account, each
logged before and after by the core). Each outcome carries the organization as known
after it (`Outcome.after`), which the host applies to the view at once. Nothing here calls
boto3.
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
from orgtui.model import DEFAULT_DESTINATION, Assessment, Destination, Snapshot
from orgtui.rules import assess
from orgtui.rules.attestation import attestation_value
from orgtui.session.gates import skip_reason
from orgtui.text import plural
from orgtui.ui.screens import attest_text as say
from orgtui.ui.screens.write_dialog import Clock, OutcomeFn, WriteDialog
from orgtui.write_model import LiveCheck, Outcome, ProgressFn, summarize


class AttestScreen(WriteDialog):
    """Confirm, then tag the accounts as attested, with a live re-check first."""

    PREFIX: ClassVar[str] = "attest"
    CONFIRM_VARIANT: ClassVar[ButtonVariant] = "primary"
    RUNNING_NOTICE: ClassVar[str] = "The attestation is in progress: wait for it to finish."

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
        destination: Destination = DEFAULT_DESTINATION,
    ) -> None:
        ids = snapshot.known(account_ids)
        # Accounts left out, and why (shown below the accounts to attest).
        self.skipped: dict[str, str] = {}
        for account_id in ids:
            why = skip_reason(snapshot.accounts.get(account_id), snapshot)
            if why is not None:
                self.skipped[account_id] = why
        super().__init__(
            services,
            snapshot,
            [a for a in ids if a not in self.skipped],
            clock=clock,
            on_outcome=on_outcome,
            live_check=live_check,
            stop=stop,
            destination=destination,
        )
        self.names = {a: snapshot.accounts[a].name or a for a in ids}

    # --- what the dialog knows ------------------------------------------------------------

    @property
    def tag(self) -> str:
        return self.snapshot.attest_tag

    @property
    def value(self) -> str:
        """The value written: now, and who the caller is (as the live check read it)."""
        check = next(iter((self.checks or {}).values()), None)
        caller = check.snapshot.caller if check is not None else self.snapshot.caller
        return attestation_value(self.clock(), caller)

    def item(self, account_id: str) -> say.ToAttest:
        check = (self.checks or {}).get(account_id)
        snap = check.snapshot if check is not None and check.assessment else self.snapshot
        account = (
            check.account
            if check is not None and check.account
            else self.snapshot.accounts.get(account_id)
        )
        found: Assessment | None = None
        if check is not None and check.assessment is not None:
            found = check.assessment
        elif account is not None:
            found = assess(account, snap, self.clock(), self.destination)
        return say.ToAttest(
            account_id,
            account,
            found,
            snap.tags_of(account_id).get(self.tag),
            checked_live=check is not None,
        )

    def assessed_after(self) -> dict[str, Assessment]:
        """Each attested account's assessment in the organization as known after the
        write, so the result can say why one is still not ready."""
        found: dict[str, Assessment] = {}
        for o in self.outcomes:
            account = o.after.accounts.get(o.account_id) if o.after is not None else None
            if o.status == "done" and account is not None and o.after is not None:
                found[o.account_id] = assess(account, o.after, self.clock(), self.destination)
        return found

    # --- layout and words -----------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(id="attest-accounts")

    def title_text(self) -> Text:
        return say.attest_title(
            len(self.account_ids), self.snapshot.organization.id, self.tag, self.pal
        )

    def summary_text(self, width: int) -> RenderableType:
        return say.summary(
            [self.item(a) for a in self.account_ids],
            [self.names.get(a, a) for a in self.skipped],
            self.tag,
            self.value,
            self.pal,
            self.checking,
        )

    def refresh_body(self) -> None:
        accounts = self.query_one("#attest-accounts", Static)
        if self.phase == "done":
            accounts.update(
                say.final_summary(summarize(self.outcomes), self.pal, self.assessed_after())
            )
            return
        accounts.update(
            say.body(
                [self.item(a) for a in self.account_ids],
                self.skipped,
                self.names,
                self.tag,
                self.pal,
            )
        )

    def check_text(self) -> Text:
        return say.check_line(
            self.pal,
            checking=self.checking,
            count=len(self.account_ids),
            expected=self.expected,
            check_error=self.check_error,
        )

    def confirm_label(self) -> str:
        return f"Attest {plural(len(self.account_ids), 'account')}"

    def progress_line(self, index: int, total: int, target: str) -> str:
        return f"Attesting {self.label_of(target)}, {index + 1} of {total}…"

    # --- the live re-check ----------------------------------------------------------------

    def landed(self, checks: dict[str, LiveCheck]) -> None:
        """The live check decides who is attested: accounts it could not read, no longer
        finds, or finds invited are skipped, with why."""
        before = len(self.account_ids)
        for account_id, check in checks.items():
            why = None
            if check.gone:
                why = "no longer in the organization (checked live)"
                self.emit(
                    Outcome(
                        account_id,
                        self.name_of(account_id),
                        "gone",
                        f"{self.label_of(account_id)} is no longer in the organization.",
                        "Nothing to do; the view drops it.",
                        check=check,
                    )
                )
            elif check.error is not None:
                why = f"the live check failed: {check.error.what} {check.error.fix}"
            elif check.account is not None:
                why = skip_reason(check.account, check.snapshot)
            if why is not None:
                self.skipped[account_id] = why
        self.account_ids = [a for a in self.account_ids if a not in self.skipped]
        if len(self.account_ids) != before:  # what must be typed changed
            self.clear_typed()

    # --- the attestation ------------------------------------------------------------------

    def run(self, account_ids: list[str], progress: ProgressFn) -> list[Outcome]:
        return self.services.attest_many(
            self.snapshot,
            account_ids,
            now=self.clock(),
            progress=progress,
            stop=self.stop,
        )
