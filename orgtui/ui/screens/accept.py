"""The "Accept invitation" dialog (`i` in member mode): the last step of a direct transfer
(DESIGN.md "Destinations"), made by the invited account itself with AcceptHandshake.

The shared path of every write dialog (`write_dialog.WriteDialog`): as it opens, a thread
worker runs the core's live re-check (`Services.check_accept`: the invitation as AWS has
it now, and the caller's own account assessed for `transfer`, as a leave is); the dialog
names the inviting organization and its management account (from the handshake's
resources), then lists what the account loses, in the removal dialog's words
(`removal_text`: findings, what breaks, the tags AWS deletes, the policies that stop
applying). Whatever the re-check refuses is said in words and no prompt is offered;
else the typed account id, then `Services.accept` in the run worker (tag backup, audit
lines before and after), and the outcome with the audit log's path.

`InvitationPicker` comes first when the account has more than one open invitation.
Nothing here calls boto3.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.button import ButtonVariant
from textual.widgets.option_list import Option

from orgtui.backend import AcceptCheck, Services
from orgtui.handshakes import Handshake
from orgtui.model import Assessment, Snapshot
from orgtui.rules import assess
from orgtui.text import plural
from orgtui.ui.palette import BOLD, DIM
from orgtui.ui.screens import accept_text as say
from orgtui.ui.screens.removal_text import AccountFacts
from orgtui.ui.screens.write_dialog import Clock, OutcomeFn, WriteDialog
from orgtui.write_model import LiveCheck, Outcome, ProgressFn, summarize


class AcceptScreen(WriteDialog):
    """Confirm, then accept one invitation for the caller's own account."""

    PREFIX: ClassVar[str] = "accept"
    CONFIRM_VARIANT: ClassVar[ButtonVariant] = "warning"
    RUNNING_NOTICE: ClassVar[str] = "The acceptance is in progress: wait for it to finish."

    def __init__(
        self,
        services: Services,
        snapshot: Snapshot,
        handshake: Handshake,
        *,
        clock: Clock,
        on_outcome: OutcomeFn | None = None,
        live_check: bool = True,
        stop: threading.Event | None = None,
    ) -> None:
        # The verdicts shown are for a transfer, whatever the session's destination.
        super().__init__(
            services,
            snapshot,
            [snapshot.caller.account],
            clock=clock,
            on_outcome=on_outcome,
            live_check=live_check,
            stop=stop,
            destination="transfer",
        )
        self.account_id = snapshot.caller.account
        self.handshake = handshake
        self.accept_check: AcceptCheck | None = None
        self._view_assessment: Assessment | None = None

    # --- what the dialog knows ------------------------------------------------------------

    @property
    def check(self) -> LiveCheck | None:
        return (self.checks or {}).get(self.account_id)

    @property
    def shown(self) -> Handshake:
        """The invitation as the live check read it, else as it was listed."""
        live = self.accept_check.handshake if self.accept_check is not None else None
        return live or self.handshake

    @property
    def refusal(self) -> Outcome | None:
        return self.accept_check.refusal if self.accept_check is not None else None

    def assessment(self) -> Assessment | None:
        check = self.check
        if check is not None and check.assessment is not None:
            return check.assessment
        if self._view_assessment is None:
            account = self.snapshot.accounts.get(self.account_id)
            if account is not None:
                self._view_assessment = assess(account, self.snapshot, self.clock(), "transfer")
        return self._view_assessment

    def facts(self) -> AccountFacts:
        check = self.check
        assessment = self.assessment()
        # The account's own blockers (what the removal dialog's words show); a refusal of
        # the invitation itself (expired, from this organization...) is the check line's.
        blocked = (
            check.blocked
            if check is not None
            else assessment is None or assessment.verdict == "blocked"
        )
        return AccountFacts(
            account_id=self.account_id,
            account=(check.account if check is not None else None)
            or self.snapshot.accounts.get(self.account_id),
            snapshot=check.snapshot if check is not None else self.snapshot,
            assessment=assessment,
            blocked=blocked,
            check=check,
            management=self.snapshot.is_management_caller,
            leave=True,  # the account's own departure: a leave's words
        )

    @property
    def blocked_ids(self) -> list[str]:
        """Nothing to confirm once the live check refuses (or could not be made)."""
        if self.check_error or self.refusal is not None:
            return [self.account_id]
        return []

    # --- layout and words -----------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(id="accept-account")
        yield Static(say.notes_text(), id="accept-notes")

    def title_text(self) -> Text:
        return say.title(self.shown, self.pal)

    def summary_text(self, width: int) -> RenderableType:
        return say.dialog_summary(self.shown, self.facts(), self.pal, width, self.checking)

    def refresh_body(self) -> None:
        account = self.query_one("#accept-account", Static)
        if self.phase == "done":
            account.update(say.final_summary(summarize(self.outcomes), self.pal))
        else:
            account.update(say.body(self.shown, self.facts(), self.pal, self.checking))
        self.query_one("#accept-notes", Static).display = self.phase != "done"

    def check_text(self) -> Text:
        return say.check_line(
            self.pal,
            checking=self.checking,
            refusal=self.refusal,
            check_error=self.check_error,
            expected=self.expected,
        )

    def confirm_label(self) -> str:
        return f"Accept and join {self.shown.organization_id or 'the organization'}"

    def starting_line(self) -> str:
        return f"Accepting {self.shown.id}…"

    def progress_line(self, index: int, total: int, target: str) -> str:
        return f"Accepting {self.shown.id} for {self.label_of(target)}…"

    # --- the live re-check and the call ---------------------------------------------------

    def live_checks(self, account_ids: list[str]) -> dict[str, LiveCheck]:
        """The invitation and the account, read again (worker thread; never raises)."""
        found = self.services.check_accept(self.snapshot, self.handshake.id, self.clock())
        self.accept_check = found
        return {self.account_id: found.check} if found.check is not None else {}

    def run(self, account_ids: list[str], progress: ProgressFn) -> list[Outcome]:
        progress(0, 1, self.account_id, None)
        # The core re-checks live again, backs the tags up and logs before and after.
        outcome = self.services.accept(self.snapshot, self.handshake.id, self.clock())
        progress(0, 1, self.account_id, outcome)
        return [outcome]


class InvitationPicker(ModalScreen[Handshake | None]):
    """Pick one of the account's open invitations; enter opens its dialog, escape cancels."""

    AUTO_FOCUS = "#accept-pick-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="accept-pick-cancel"),
    ]
    DEFAULT_CSS = """
    InvitationPicker {
        align: center middle;
    }
    #accept-pick-box {
        width: 100;
        max-width: 96%;
        height: auto;
        max-height: 80%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    #accept-pick-title, #accept-pick-help {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #accept-pick-list {
        height: auto;
        max-height: 16;
        margin: 1 0;
    }
    """

    def __init__(self, handshakes: Sequence[Handshake]) -> None:
        super().__init__()
        self.handshakes = list(handshakes)

    def compose(self) -> ComposeResult:
        with Vertical(id="accept-pick-box"):
            yield Static(
                Text.assemble(
                    ("Accept which invitation? ", BOLD),
                    (f"{plural(len(self.handshakes), 'open invitation')} for this account", DIM),
                ),
                id="accept-pick-title",
            )
            yield OptionList(
                *(Option(say.picker_line(h), id=h.id) for h in self.handshakes),
                id="accept-pick-list",
            )
            yield Static(
                Text("↑/↓ choose · enter: what accepting it means · escape cancels", style=DIM),
                id="accept-pick-help",
            )

    def on_mount(self) -> None:
        self.query_one("#accept-pick-list", OptionList).highlighted = 0

    @on(OptionList.OptionSelected, "#accept-pick-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        picked = next((h for h in self.handshakes if h.id == event.option.id), None)
        if picked is not None:
            self.dismiss(picked)

    def action_cancel(self) -> None:
        self.dismiss(None)
