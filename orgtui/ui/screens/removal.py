"""The removal dialog: what will be lost, a live re-check, typed confirmation, progress,
and a summary.

A `ModalScreen` over the main screen. For each account: name, id, OU path, verdict and
findings (blockers in red), every tag AWS will delete, the policies that stop applying;
then the billing and access notes. When it opens, a thread worker re-reads each account
live (`removal.check_accounts`) and the live verdict decides. Confirmation is impossible
while any account is blocked (a button drops the blocked ones); the user types the
account id (or, for several, their number) and enter confirms only on a match. Cancel
has the focus first; escape cancels.

After confirmation a thread worker removes the accounts one at a time
(`removal.remove_many`) with a progress bar; each outcome is handed to `on_outcome` on
the UI thread as it lands (the app drops removed accounts from the tree), and the dialog
ends with a summary: removed; refused, and why. It dismisses with the outcomes (an empty
list when cancelled). Nothing here calls boto3: the core does, in workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static

from orgtui.aws import removal
from orgtui.aws.removal import LiveCheck, Outcome
from orgtui.model import DEFAULT_POLICY_IDS, Assessment, Snapshot
from orgtui.rules import assess
from orgtui.text import plural

Clock = Callable[[], datetime]
OutcomeFn = Callable[[Outcome], None]

RED = Style(color="red", bold=True)
YELLOW = Style(color="yellow", bold=True)
GREEN = Style(color="green", bold=True)
CYAN = Style(color="cyan")
DIM = Style(dim=True)
BOLD = Style(bold=True)
VERDICT_STYLES = {"blocked": RED, "review": YELLOW, "ready": GREEN}
SEVERITY_STYLES = {"blocker": RED, "warning": YELLOW, "notice": CYAN}
# Shown in their own sections (every tag, every policy) rather than as findings.
OWN_SECTIONS = ("TAGS_WILL_BE_DELETED", "POLICIES_STOP_APPLYING")

NOTES_REMOVE = (
    "Billing moves to the account: it pays its own bills from the moment it leaves, and "
    "needs its own payment method and support plan.",
    "IAM Identity Center assignments from this organization stop working; plan another "
    "way in (the root user, or IAM users or roles in the account).",
    "OrganizationAccountAccessRole is not deleted: it stays in the account (delete it if "
    "this organization's administrators should lose access).",
    "Control Tower-enrolled accounts should be unmanaged in Control Tower first.",
    "AWS deletes the account's tags; orgtui writes them to a backup file and appends the "
    "removal to the audit log before the call.",
)
NOTES_LEAVE = (
    "Billing moves to this account: it pays its own bills from the moment it leaves, and "
    "needs its own payment method and support plan.",
    "IAM Identity Center assignments from the organization stop working.",
    "OrganizationAccountAccessRole is not deleted: it stays in this account.",
    "The organization's policies (SCPs and others) stop applying to this account.",
    "AWS deletes the account's tags; orgtui backs up what it can read and logs the call "
    "before making it.",
)


def _indented(text: Text, left: int) -> Padding:
    """A line whose wrapped continuation lines keep its indentation."""
    return Padding(text, (0, 0, 0, left))


class RemovalScreen(ModalScreen[list[Outcome]]):
    """Confirm, then remove (or leave), with a live re-check first."""

    AUTO_FOCUS = "#removal-cancel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="removal-cancel"),
    ]
    DEFAULT_CSS = """
    RemovalScreen {
        align: center middle;
    }
    #removal-box {
        width: 104;
        max-width: 96%;
        height: 94%;
        border: thick $error;
        background: $surface;
        padding: 0 1;
    }
    #removal-title {
        height: auto;
        text-style: bold;
        padding: 0 0 1 0;
    }
    #removal-body {
        height: 1fr;
        border: round $error 40%;
        padding: 0 1;
    }
    #removal-check {
        height: auto;
        padding: 0 1;
    }
    #removal-confirm {
        height: 3;
    }
    #removal-prompt {
        width: auto;
        padding: 1 1 0 0;
    }
    #removal-input {
        width: 1fr;
    }
    #removal-buttons, #removal-done {
        height: 3;
        align: right middle;
    }
    #removal-buttons Button, #removal-done Button {
        margin-left: 1;
    }
    #removal-progress-box {
        height: auto;
        display: none;
    }
    #removal-progress-label {
        height: auto;
    }
    #removal-done {
        display: none;
    }
    """

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
        self.checks: dict[str, LiveCheck] | None = None
        self.check_error: str | None = None
        self.dropped_gone: list[str] = []
        self.phase = "confirm"  # confirm -> removing -> done
        # Enter on a matching id while the live check runs: decided when it lands.
        self.confirm_pending = False
        self.outcomes: list[Outcome] = []
        self._log: list[Text] = []

    # --- what the dialog knows ---------------------------------------------------------

    @property
    def checking(self) -> bool:
        return self.live_check and self.checks is None

    def assessment_of(self, account_id: str) -> Assessment | None:
        """The live assessment when the re-check landed, else the one of the view."""
        if self.checks is not None and account_id in self.checks:
            return self.checks[account_id].assessment
        acc = self.snapshot.accounts.get(account_id)
        return assess(acc, self.snapshot, self.clock()) if acc else None

    def is_blocked(self, account_id: str) -> bool:
        if self.checks is not None and account_id in self.checks:
            return self.checks[account_id].blocked
        found = self.assessment_of(account_id)
        return found is None or found.verdict == "blocked"

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

    def typed_matches(self) -> bool:
        return self.query_one("#removal-input", Input).value.strip() == self.expected

    # --- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="removal-box"):
            yield Static(self._title(), id="removal-title")
            with VerticalScroll(id="removal-body"):
                yield Static(self._accounts_text(), id="removal-accounts")
                yield Static(self._notes_text(), id="removal-notes")
            yield Static(self._check_text(), id="removal-check")
            with Horizontal(id="removal-confirm"):
                yield Label(self._prompt(), id="removal-prompt")
                yield Input(placeholder=f"type {self.expected}", id="removal-input",
                            disabled=not self.can_confirm,
                            # The first key typed moves the focus here; selecting the text
                            # on focus would let the second key replace the first.
                            select_on_focus=False)
            with Horizontal(id="removal-buttons"):
                yield Button("Cancel", id="removal-cancel", variant="primary")
                yield Button(self._drop_label(), id="removal-drop", variant="warning")
                yield Button(self._confirm_label(), id="removal-confirm-button",
                             variant="error", disabled=True)
            with Vertical(id="removal-progress-box"):
                yield Static("", id="removal-progress-label")
                yield ProgressBar(total=max(1, len(self.account_ids)), show_eta=False,
                                  id="removal-progress")
            with Horizontal(id="removal-done"):
                yield Button("Close", id="removal-close", variant="primary")

    def on_mount(self) -> None:
        self._refresh()
        if self.live_check and self.account_ids:
            self._run_checks(list(self.account_ids))

    # --- texts ---------------------------------------------------------------------------

    def _title(self) -> Text:
        org = self.snapshot.organization.id
        n = len(self.account_ids)
        if self.leave:
            return Text.assemble(("Leave the organization ", RED), (org, BOLD),
                                 (" (LeaveOrganization for this account)", DIM))
        return Text.assemble((f"Remove {plural(n, 'account')} from the organization ", RED),
                             (org, BOLD), (" (RemoveAccountFromOrganization)", DIM))

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

    def _account_block(self, account_id: str) -> list[RenderableType]:
        check = self.checks.get(account_id) if self.checks is not None else None
        snap = check.snapshot if check is not None else self.snapshot
        acc = (check.account if check is not None and check.account is not None
               else self.snapshot.accounts.get(account_id))
        if acc is None:
            return [Text(f"{account_id}: not in the organization any more.", style=DIM)]
        found = self.assessment_of(account_id)
        blocked = self.is_blocked(account_id)
        verdict = found.verdict if found is not None else "blocked"
        if check is not None and check.error is not None:
            verdict = "blocked"
        head = Text.assemble(
            ("■ " if blocked else "□ ", RED if blocked else DIM), (acc.name or acc.id, BOLD),
            "  ", acc.id, "  ", (verdict.upper(), VERDICT_STYLES[verdict]),
        )
        if acc.state != "ACTIVE":
            head.append(f"  {acc.state}", style=RED)
        if self.checking:
            head.append("  checking…", style=DIM)
        elif check is not None and check.error is None and not check.gone:
            head.append("  (checked live)", style=DIM)
        out: list[RenderableType] = [head]
        path = " / ".join(self.snapshot.ou_path(account_id)) or "—"
        out.append(_indented(Text.assemble(("OU path  ", DIM), path), 2))
        if check is not None and check.changed and check.verdict is not None:
            out.append(_indented(Text.assemble(
                ("The live check changed the verdict: ", YELLOW),
                f"was {check.stale_verdict}, now {check.verdict}; the live one decides."), 2))
        if check is not None and check.error is not None:
            out.append(_indented(Text.assemble(("Live check failed: ", RED),
                                               check.error.what), 2))
            out.append(_indented(Text.assemble(("Fix: ", DIM), check.error.fix), 4))
        if check is not None:
            for problem in check.problems:
                out.append(_indented(Text.assemble(("Not read: ", YELLOW), problem), 2))
        findings = [f for f in (found.findings if found else ()) if f.code not in OWN_SECTIONS]
        for f in findings:
            style = SEVERITY_STYLES.get(f.severity, Style())
            out.append(_indented(Text.assemble(
                (f"{f.severity.upper()} {f.code}", style), "  ",
                (f.message, style if f.severity == "blocker" else "")), 2))
            out.append(_indented(Text.assemble(("Fix: ", DIM), f.fix), 4))
        tags = snap.tags_of(account_id)
        if tags:
            out.append(_indented(Text.assemble(
                ("Tags AWS deletes ", YELLOW),
                (f"({len(tags)}, backed up first): ", DIM),
                ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))), 2))
        else:
            out.append(_indented(Text("No tags to lose." if snap.enriched or check is not None
                                      else "Tags not read yet.", style=DIM), 2))
        applied = [a for a in snap.applied_policies(account_id)
                   if a.policy.id not in DEFAULT_POLICY_IDS]
        if applied:
            out.append(_indented(Text("Policies that stop applying:", style=CYAN), 2))
            for item in applied:
                where = ("attached directly" if item.attached_to == account_id
                         else f"from {snap.node_name(item.attached_to)} ({item.attached_to})")
                out.append(_indented(Text.assemble((item.policy.name, BOLD), "  ",
                                                   (item.policy.type, DIM), "  ", where), 4))
        out.append(Text(""))
        return out

    def _accounts_text(self) -> Group:
        parts: list[RenderableType] = []
        for account_id in self.account_ids:
            parts += self._account_block(account_id)
        if not self.account_ids:
            parts.append(Text("No account left to remove.", style=DIM))
        return Group(*parts)

    def _notes_text(self) -> Group:
        notes = NOTES_LEAVE if self.leave else NOTES_REMOVE
        text = Text("After it leaves:", style=BOLD)
        return Group(text, *[_indented(Text("• " + note), 2) for note in notes])

    def _check_text(self) -> Text:
        if self.phase != "confirm":
            return Text("")
        if self.checking:
            return Text(f"Checking {plural(len(self.account_ids), 'account')} live with "
                        "AWS… (the live check decides)", style=YELLOW)
        parts: list[str | tuple[str, Style]] = []
        if self.check_error:
            parts.append((f"Live check failed: {self.check_error} ", RED))
        if self.dropped_gone:
            parts.append((f"No longer in the organization, dropped: "
                          f"{', '.join(self.dropped_gone)}. ", DIM))
        blocked = self.blocked_ids
        if not self.account_ids:
            parts.append(("Nothing left to remove: cancel to close.", DIM))
        elif blocked:
            names = ", ".join(self._account_name(a) for a in blocked)
            parts.append((f"Blocked: {names}. Confirmation is impossible while a blocked "
                          "account is in the set", RED))
            others = len(self.account_ids) - len(blocked)
            parts.append((f"; drop the blocked and go on with the other "
                          f"{plural(others, 'account')}." if others else ".", RED))
        else:
            parts.append((f"Type {self.expected} and press enter to "
                          f"{'leave' if self.leave else 'remove'}; "
                          "escape or Cancel to keep everything as it is.", GREEN))
        return Text.assemble(*parts)

    def _account_name(self, account_id: str) -> str:
        acc = self.snapshot.accounts.get(account_id)
        return acc.name if acc and acc.name else account_id

    # --- state -> widgets ----------------------------------------------------------------

    def _refresh(self) -> None:
        self.query_one("#removal-title", Static).update(self._title())
        self.query_one("#removal-accounts", Static).update(self._accounts_text())
        self.query_one("#removal-check", Static).update(self._check_text())
        self.query_one("#removal-prompt", Label).update(self._prompt())
        box = self.query_one("#removal-input", Input)
        box.placeholder = f"type {self.expected}"
        # Typing is allowed while the live check runs (enter then waits for it); only a
        # set the check found blocked can't be confirmed at all.
        box.disabled = not (self.can_confirm or (self.phase == "confirm" and self.checking))
        others = len(self.account_ids) - len(self.blocked_ids)
        drop = self.query_one("#removal-drop", Button)
        drop.label = self._drop_label()
        drop.display = (self.phase == "confirm" and not self.checking
                        and bool(self.blocked_ids) and others > 0)
        self._refresh_confirm()

    def _refresh_confirm(self) -> None:
        button = self.query_one("#removal-confirm-button", Button)
        button.label = self._confirm_label()
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
    def _submitted(self) -> None:
        self._try_confirm()

    @on(Button.Pressed, "#removal-confirm-button")
    def _confirm_pressed(self) -> None:
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
        if (
            event.is_printable
            and event.character
            and self.focused is not box
            and not box.disabled
            and box.display
        ):
            box.focus()
            box.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    @on(Button.Pressed, "#removal-drop")
    def _drop_pressed(self) -> None:
        self.drop_blocked()

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
                f"That does not match: type {self.expected} exactly to confirm.", style=RED))
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
        for selector in ("#removal-confirm", "#removal-buttons"):
            self.query_one(selector).display = False
        self.query_one("#removal-check", Static).update("")
        self.query_one("#removal-progress-box").display = True
        bar = self.query_one("#removal-progress", ProgressBar)
        bar.update(total=len(self.account_ids), progress=0)
        self._progress_text(f"Starting: {plural(len(self.account_ids), 'account')}…")
        self._run_removal(list(self.account_ids))

    def _progress_text(self, line: str) -> None:
        body = Text.assemble(*[Text.assemble(t, "\n") for t in self._log], (line, BOLD))
        self.query_one("#removal-progress-label", Static).update(body)

    @work(thread=True, exclusive=True, group="removal-run", exit_on_error=False)
    def _run_removal(self, account_ids: list[str]) -> None:
        def progress(i: int, total: int, account_id: str, outcome: Outcome | None) -> None:
            self.app.call_from_thread(self._progressed, i, total, account_id, outcome)

        try:
            outcomes = removal.remove_many(self.ctx, self.snapshot, account_ids,
                                           now=self.clock(), progress=progress,
                                           leave_own=self.leave,
                                           stop=getattr(self.app, "hangup", None))
        except Exception as exc:  # remove_many never raises; a last safety net
            from orgtui.aws.errors import translate

            err = translate(exc)
            outcomes = [Outcome(a, self._account_name(a), "refused", err.what, err.fix, error=err)
                        for a in account_ids if a not in {o.account_id for o in self.outcomes}]
            self.app.call_from_thread(self._finished, [*self.outcomes, *outcomes])
            return
        self.app.call_from_thread(self._finished, outcomes)

    def _progressed(self, i: int, total: int, account_id: str,
                    outcome: Outcome | None) -> None:
        name = self._account_name(account_id)
        if outcome is None:
            verb = "Leaving" if self.leave else "Removing"
            self._progress_text(f"{verb} {name} ({account_id}), {i + 1} of {total}…")
            return
        self.outcomes.append(outcome)
        self._log.append(self._outcome_line(outcome))
        self.query_one("#removal-progress", ProgressBar).update(progress=i + 1)
        self._progress_text("")
        self._emit(outcome)

    def _outcome_line(self, outcome: Outcome) -> Text:
        if outcome.status == "removed":
            return Text.assemble(("✔ ", GREEN), outcome.what)
        if outcome.status == "gone":
            return Text.assemble(("✔ ", DIM), outcome.what)
        if outcome.status == "unknown":
            return Text.assemble(("? ", YELLOW), outcome.what, (" " + outcome.fix, DIM))
        return Text.assemble(("✘ ", RED), outcome.what, (" " + outcome.fix, DIM))

    def _finished(self, outcomes: list[Outcome]) -> None:
        self.phase = "done"
        self.outcomes = list(outcomes)
        hangup = getattr(self.app, "hangup", None)
        if hangup is not None and hangup.is_set():
            # The terminal closed during the removal: the account in flight is finished
            # and logged; now the app can go.
            self.app.exit()
            return
        self.query_one("#removal-progress-box").display = False
        self.query_one("#removal-accounts", Static).update(self._summary())
        self.query_one("#removal-notes", Static).display = False
        self.query_one("#removal-check", Static).update("")
        self.query_one("#removal-done").display = True
        self.query_one("#removal-close", Button).focus()

    def _summary(self) -> Group:
        groups = removal.summarize(self.outcomes)
        parts: list[RenderableType] = []
        done = "Left" if self.leave else "Removed"
        removed = groups["removed"]
        parts.append(Text(f"{done}: {len(removed)}", style=GREEN if removed else DIM))
        for o in removed:
            parts.append(_indented(Text.assemble(("✔ ", GREEN), o.what), 2))
            if o.backup is not None:
                parts.append(_indented(Text.assemble(("Tags backed up to ", DIM),
                                                     str(o.backup)), 4))
            for note in o.notes:
                parts.append(_indented(Text(note, style=DIM), 4))
        if groups["gone"]:
            parts.append(Text(f"\nAlready gone: {len(groups['gone'])}", style=DIM))
            for o in groups["gone"]:
                parts.append(_indented(Text.assemble("✔ ", o.what), 2))
        refused = groups["refused"]
        parts.append(Text(f"\nRefused: {len(refused)}", style=RED if refused else DIM))
        for o in refused:
            parts.append(_indented(Text.assemble(("✘ ", RED), o.what), 2))
            parts.append(_indented(Text.assemble(("What to do: ", DIM), o.fix), 4))
        if groups["unknown"]:
            parts.append(Text(f"\nUnclear: {len(groups['unknown'])}", style=YELLOW))
            for o in groups["unknown"]:
                parts.append(_indented(Text.assemble(("? ", YELLOW), o.what), 2))
                parts.append(_indented(Text.assemble(("What to do: ", DIM), o.fix), 4))
        parts.append(Text("\nEvery call and its outcome are in the audit log.", style=DIM))
        return Group(*parts)
