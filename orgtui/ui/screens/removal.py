"""The removal dialog: what will be lost, a live re-check, typed confirmation, progress,
and a summary.

A `ModalScreen` over the main screen. A fixed summary (verdicts, what blocks, the tags
AWS will delete) stays above a scroll area holding, per account, its name, id, OU path,
findings with their fixes, every tag and the policies that stop applying; then the notes
on billing and access. When it opens, a thread worker re-reads each account live
(`removal.check_accounts`) and the live verdict decides. A set that can't be confirmed (a
blocked account, the management account) shows why and the fixes and no prompt; with
blocked and removable accounts mixed, a button drops the blocked ones. Otherwise the user
types the account id (or, for several, their number) and enter confirms only on a match.
Cancel has the focus first; escape cancels.

After confirmation a thread worker removes the accounts one at a time
(`removal.remove_many`) with a progress bar; each outcome is handed to `on_outcome` on
the UI thread as it lands, and the dialog ends with a summary. It dismisses with the
outcomes (an empty list when cancelled). `stop` (the terminal closed) ends the run after
the account in flight, and the dialog dismisses itself. Nothing here calls boto3.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static

from orgtui.aws import removal
from orgtui.aws.removal import LiveCheck, Outcome
from orgtui.ids import normalize_account_id
from orgtui.model import Assessment, Snapshot
from orgtui.rules import assess
from orgtui.text import plural
from orgtui.ui.palette import BOLD, Palette, palette
from orgtui.ui.render import safe
from orgtui.ui.screens import removal_text as say
from orgtui.ui.widgets.fitted import Fitted, MoreBelow
from orgtui.ui.widgets.safe_input import SafeInput

Clock = Callable[[], datetime]
OutcomeFn = Callable[[Outcome], None]


class RemovalScreen(ModalScreen[list[Outcome]]):
    """Confirm, then remove (or leave), with a live re-check first."""

    CSS_PATH = "removal.tcss"
    AUTO_FOCUS = "#removal-cancel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="removal-cancel"),
    ]

    def __init__(
        self,
        ctx: Any,
        snapshot: Snapshot,
        account_ids: Sequence[str],
        *,
        clock: Clock,
        leave: bool = False,
        on_outcome: OutcomeFn | None = None,
        live_check: bool = True,
        stop: threading.Event | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.snapshot = snapshot
        self.account_ids: list[str] = [a for a in dict.fromkeys(account_ids)
                                       if a in snapshot.accounts]
        self.clock = clock
        self.leave = leave
        self.on_outcome = on_outcome
        self.live_check = live_check
        self.stop = stop or threading.Event()
        self.checks: dict[str, LiveCheck] | None = None
        self.check_error: str | None = None
        self.dropped_gone: list[str] = []
        self.phase = "confirm"  # confirm -> removing -> done
        # Enter on a matching id while the live check runs: decided when it lands.
        self.confirm_pending = False
        self.outcomes: list[Outcome] = []
        self._log: list[Text] = []
        self._view_assessments: dict[str, Assessment | None] = {}

    # --- what the dialog knows ---------------------------------------------------------

    @property
    def checking(self) -> bool:
        return self.live_check and self.checks is None

    @property
    def pal(self) -> Palette:
        return palette(self.app)

    def assessment_of(self, account_id: str) -> Assessment | None:
        """The live assessment when the re-check landed, else the one of the view."""
        if self.checks is not None and account_id in self.checks:
            return self.checks[account_id].assessment
        if account_id not in self._view_assessments:
            acc = self.snapshot.accounts.get(account_id)
            self._view_assessments[account_id] = (
                assess(acc, self.snapshot, self.clock()) if acc else None)
        return self._view_assessments[account_id]

    def is_blocked(self, account_id: str) -> bool:
        if self.checks is not None and account_id in self.checks:
            return self.checks[account_id].blocked
        found = self.assessment_of(account_id)
        return found is None or found.verdict == "blocked"

    def facts(self, account_id: str) -> say.AccountFacts:
        check = self.checks.get(account_id) if self.checks is not None else None
        live = check.account if check is not None else None
        return say.AccountFacts(
            account_id=account_id,
            account=live or self.snapshot.accounts.get(account_id),
            snapshot=check.snapshot if check is not None else self.snapshot,
            assessment=self.assessment_of(account_id),
            blocked=self.is_blocked(account_id),
            check=check,
            management=account_id == self.snapshot.organization.management_account_id,
        )

    @property
    def blocked_ids(self) -> list[str]:
        return [a for a in self.account_ids if self.is_blocked(a)]

    @property
    def expected(self) -> str:
        """What the user must type: the id of the one account, or how many there are."""
        if len(self.account_ids) == 1:
            return self.account_ids[0]
        return str(len(self.account_ids))

    @property
    def can_confirm(self) -> bool:
        return (self.phase == "confirm" and not self.checking and bool(self.account_ids)
                and not self.blocked_ids)

    @property
    def offers_prompt(self) -> bool:
        """The prompt shows while nothing known blocks the set (during the live check
        too: typing ahead is allowed, and the check decides)."""
        return self.phase == "confirm" and bool(self.account_ids) and not self.blocked_ids

    def typed_matches(self) -> bool:
        typed = self.query_one("#removal-input", Input).value
        if len(self.account_ids) == 1:  # the console's dashed form is accepted too
            return normalize_account_id(typed) == self.expected
        return typed.strip() == self.expected

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="removal-box"):
            yield Static(id="removal-title")
            yield Fitted(self._summary, id="removal-summary")
            with MoreBelow(id="removal-body"):
                yield Static(id="removal-accounts")
                yield Static(id="removal-notes")
            yield Static(id="removal-check")
            with Horizontal(id="removal-confirm"):
                yield Label(self._prompt(), id="removal-prompt")
                yield SafeInput(placeholder=f"type {self.expected}", id="removal-input",
                                compact=True,
                                # The first key typed moves the focus here; selecting the
                                # text on focus would let the second key replace the first.
                                select_on_focus=False)
            with Horizontal(id="removal-buttons"):
                yield Button("Cancel", id="removal-cancel", variant="primary", compact=True)
                yield Button("", id="removal-drop", variant="warning", compact=True)
                yield Button("", id="removal-confirm-button", variant="error",
                             disabled=True, compact=True)
            with Vertical(id="removal-progress-box"):
                yield Static("", id="removal-progress-label")
                yield ProgressBar(total=max(1, len(self.account_ids)), show_eta=False,
                                  id="removal-progress")
            with Horizontal(id="removal-done"):
                yield Button("Close", id="removal-close", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#removal-notes", Static).update(say.notes_text(self.leave))
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._refresh())
        self._refresh()
        if self.live_check and self.account_ids:
            self._run_checks(list(self.account_ids))

    # --- texts ---------------------------------------------------------------------------

    def _summary(self, width: int) -> RenderableType:
        if self.phase == "done":
            return Text("")
        return say.summary([self.facts(a) for a in self.account_ids], self.pal, width,
                           self.checking)

    def _prompt(self) -> str:
        if len(self.account_ids) == 1:
            return "Type the account id to confirm:"
        return "Type the number of accounts to confirm:"

    def _confirm_label(self) -> str:
        if self.leave:
            return "Leave the organization"
        return f"Remove {plural(len(self.account_ids), 'account')}"

    def _drop_label(self) -> str:
        return f"Drop the {plural(len(self.blocked_ids), 'blocked account')} and go on"

    def _check_text(self) -> Text:
        if self.phase != "confirm":
            return Text("")
        return say.check_line(
            self.pal, checking=self.checking, count=len(self.account_ids),
            blocked=len(self.blocked_ids), expected=self.expected, leave=self.leave,
            check_error=self.check_error, dropped=self.dropped_gone)

    def _account_name(self, account_id: str) -> str:
        acc = self.snapshot.accounts.get(account_id)
        return acc.name if acc and acc.name else account_id

    # --- state -> widgets ----------------------------------------------------------------

    def _refresh(self) -> None:
        pal = self.pal
        self.query_one("#removal-title", Static).update(
            say.title(self.snapshot.organization.id, len(self.account_ids), self.leave, pal))
        self.query_one("#removal-summary", Fitted).refresh(layout=True)
        facts = [self.facts(a) for a in self.account_ids]
        if self.phase == "done":
            self.query_one("#removal-accounts", Static).update(
                say.final_summary(removal.summarize(self.outcomes), self.leave, pal))
        else:
            self.query_one("#removal-accounts", Static).update(
                say.accounts_text(facts, pal, self.checking))
        # A set of management accounts never leaves: nothing about after it leaves.
        self.query_one("#removal-notes", Static).display = (
            self.phase != "done" and not all(f.management for f in facts))
        self.query_one("#removal-check", Static).update(self._check_text())
        self.query_one("#removal-prompt", Label).update(self._prompt())
        box = self.query_one("#removal-input", Input)
        box.placeholder = f"type {self.expected}"
        self.query_one("#removal-confirm").display = self.offers_prompt
        # Typing is allowed while the live check runs (enter then waits for it).
        box.disabled = not self.offers_prompt
        others = len(self.account_ids) - len(self.blocked_ids)
        drop = self.query_one("#removal-drop", Button)
        drop.label = self._drop_label()
        drop.display = (self.phase == "confirm" and not self.checking
                        and bool(self.blocked_ids) and others > 0)
        self._refresh_confirm()

    def _refresh_confirm(self) -> None:
        button = self.query_one("#removal-confirm-button", Button)
        button.label = self._confirm_label()
        button.display = self.offers_prompt
        button.disabled = not (self.can_confirm and self.typed_matches())

    # --- the live re-check -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="removal-check", exit_on_error=False)
    def _run_checks(self, account_ids: list[str]) -> None:
        try:
            checks = removal.check_accounts(self.ctx, self.snapshot, account_ids, self.clock())
        except Exception as exc:  # check_account never raises; a last safety net
            from orgtui.aws.errors import translate

            err = translate(exc)
            self.app.call_from_thread(self._checks_failed, f"{err.what} {err.fix}")
            return
        self.app.call_from_thread(self._checks_landed, checks)

    def _checks_failed(self, message: str) -> None:
        self.check_error = message
        self.checks = {}
        self.confirm_pending = False  # a failed check never confirms by itself
        self._refresh()

    def _checks_landed(self, checks: dict[str, LiveCheck]) -> None:
        self.checks = checks
        gone = [a for a, c in checks.items() if c.gone]
        for account_id in gone:
            name = self._account_name(account_id)
            self.dropped_gone.append(name)
            self.account_ids.remove(account_id)
            self._emit(Outcome(account_id, name, "gone",
                               f"{name} ({account_id}) is no longer in the organization.",
                               "Nothing to do; the view drops it.", check=checks[account_id]))
        if gone:  # what must be typed changed (the number of accounts)
            self.query_one("#removal-input", Input).value = ""
            self.confirm_pending = False
        self._refresh()
        if self.confirm_pending:
            # Enter was pressed on a matching id while the check ran: the live check
            # decides now, exactly as if enter were pressed again.
            self.confirm_pending = False
            self._try_confirm()

    def _emit(self, outcome: Outcome) -> None:
        if self.on_outcome is not None:
            try:
                self.on_outcome(outcome)
            except Exception as exc:  # the host's bug must not break the dialog
                self.log.error(f"on_outcome failed: {exc!r}")

    # --- events ----------------------------------------------------------------------------

    @on(Input.Changed, "#removal-input")
    def _typed(self) -> None:
        self._refresh_confirm()

    @on(Input.Submitted, "#removal-input")
    @on(Button.Pressed, "#removal-confirm-button")
    def _submitted(self) -> None:
        self._try_confirm()

    @on(Button.Pressed, "#removal-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#removal-close")
    def _close_pressed(self) -> None:
        self.dismiss(list(self.outcomes))

    def on_key(self, event: events.Key) -> None:
        """Typing goes to the confirmation input even while Cancel has the focus.

        Cancel is focused first so that a stray enter keeps everything as it is; the
        first printable key moves the focus to the input and is typed there, so "r, type
        the id, enter" works without a tab.
        """
        box = self.query_one("#removal-input", Input)
        if (event.is_printable and event.character and self.focused is not box
                and not box.disabled and self.offers_prompt):
            box.focus()
            box.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    @on(Button.Pressed, "#removal-drop")
    def drop_blocked(self) -> None:
        """Take the blocked accounts out of the set and go on with the rest."""
        if self.phase != "confirm" or self.checking:
            return
        blocked = set(self.blocked_ids)
        self.account_ids = [a for a in self.account_ids if a not in blocked]
        self.query_one("#removal-input", Input).value = ""
        self._refresh()
        if self.can_confirm:
            self.query_one("#removal-input", Input).focus()

    def _try_confirm(self) -> None:
        if self.phase == "confirm" and self.checking and self.typed_matches():
            self.confirm_pending = True
            self.query_one("#removal-check", Static).update(
                Text("Confirmed: waiting for the live check before anything is sent…"))
            return
        if not self.can_confirm:
            self.app.bell()
            return
        if not self.typed_matches():
            self.app.bell()
            self.query_one("#removal-check", Static).update(Text(
                f"That does not match: type {self.expected} exactly to confirm.",
                style=self.pal.error))
            return
        self._start_removal()

    def action_cancel(self) -> None:
        if self.phase == "removing":
            self.notify("The removal is in progress: wait for it to finish.",
                        severity="warning")
            return
        self.dismiss(list(self.outcomes))

    # --- the removal -----------------------------------------------------------------------

    def _start_removal(self) -> None:
        self.phase = "removing"
        for selector in ("#removal-confirm", "#removal-buttons", "#removal-summary"):
            self.query_one(selector).display = False
        self.query_one("#removal-check", Static).update("")
        self.query_one("#removal-progress-box").display = True
        bar = self.query_one("#removal-progress", ProgressBar)
        bar.update(total=len(self.account_ids), progress=0)
        self._progress_text(f"Starting: {plural(len(self.account_ids), 'account')}…")
        self._run_removal(list(self.account_ids))

    def _progress_text(self, line: str) -> None:
        body = Text("\n").join([*self._log, safe(line, BOLD)])
        self.query_one("#removal-progress-label", Static).update(body)

    @work(thread=True, exclusive=True, group="removal-run", exit_on_error=False)
    def _run_removal(self, account_ids: list[str]) -> None:
        def progress(i: int, total: int, account_id: str, outcome: Outcome | None) -> None:
            self.app.call_from_thread(self._progressed, i, total, account_id, outcome)

        try:
            outcomes = removal.remove_many(self.ctx, self.snapshot, account_ids,
                                           now=self.clock(), progress=progress,
                                           leave_own=self.leave, stop=self.stop)
        except Exception as exc:  # remove_many never raises; a last safety net
            from orgtui.aws.errors import translate

            err = translate(exc)
            done = {o.account_id for o in self.outcomes}
            outcomes = [*self.outcomes, *[
                Outcome(a, self._account_name(a), "refused", err.what, err.fix, error=err)
                for a in account_ids if a not in done]]
        self.app.call_from_thread(self._finished, outcomes)

    def _progressed(self, i: int, total: int, account_id: str,
                    outcome: Outcome | None) -> None:
        name = self._account_name(account_id)
        if outcome is None:
            verb = "Leaving" if self.leave else "Removing"
            self._progress_text(f"{verb} {name} ({account_id}), {i + 1} of {total}…")
            return
        self.outcomes.append(outcome)
        self._log.append(say.outcome_line(outcome, self.pal))
        self.query_one("#removal-progress", ProgressBar).update(progress=i + 1)
        self._progress_text("")
        self._emit(outcome)

    def _finished(self, outcomes: list[Outcome]) -> None:
        self.phase = "done"
        self.outcomes = list(outcomes)
        if self.stop.is_set():
            # The terminal closed during the removal: the account in flight is finished
            # and logged; the host decides what comes next (it exits).
            self.dismiss(list(self.outcomes))
            return
        self.query_one("#removal-progress-box").display = False
        self._refresh()
        self.query_one("#removal-body", VerticalScroll).scroll_home(animate=False)
        self.query_one("#removal-done").display = True
        self.query_one("#removal-close", Button).focus()
