"""The one path every write dialog takes (removal, attest, deregister), as a base screen.

A `ModalScreen`: a title, a fixed summary, a scroll area that says when more follows, the
line under it, the typed confirmation and the buttons, then the run's progress and summary.

1. The live re-check runs in a thread worker as the dialog opens (`live_checks`) and
   decides, never the view; typing ahead is allowed, and an enter pressed on a matching
   id meanwhile is decided when it lands.
2. Typed confirmation: the account id (dashed too) or, for several, their number; Cancel
   has the focus first, escape cancels, typing moves the focus to the input.
3. The write runs in a thread worker (`run`: the core's write functions, which keep the
   audit log) with a progress bar; each outcome goes to `on_outcome` on the UI thread as
   it lands (the views update without a reload). Then the summary, and Close.

`stop` (terminal closed, or q) ends the run after the account in flight, finished and
logged; the dialog then dismisses itself. Ids are `<PREFIX>-<part>`, styles go by class
(write_dialog.tcss). No boto3 here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar, TypedDict

from rich.console import RenderableType
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static
from textual.widgets.button import ButtonVariant

from orgtui.backend import Services
from orgtui.ids import normalize_account_id
from orgtui.model import DEFAULT_DESTINATION, Destination, Snapshot
from orgtui.text import account_label, plural
from orgtui.ui.palette import BOLD, Palette, palette
from orgtui.ui.render import safe
from orgtui.ui.screens.write_text import WAITING, mismatch_line, outcome_line, prompt
from orgtui.ui.widgets.fitted import Fitted, MoreBelow
from orgtui.ui.widgets.safe_input import SafeInput
from orgtui.write_model import LiveCheck, Outcome, ProgressFn

Clock = Callable[[], datetime]
OutcomeFn = Callable[[Outcome], None]


class Part(TypedDict):
    id: str
    classes: str


# The group of every write dialog's run: the app waits for it before quitting.
RUN_GROUP = "write-run"


class WriteDialog(ModalScreen[list[Outcome]]):
    """Live re-check, typed confirmation, the write with progress, and a summary."""

    CSS_PATH = "write_dialog.tcss"
    AUTO_FOCUS = ".dialog-cancel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog-cancel"),
        # From any focus (Cancel and the input have it by default): the body scrolls.
        Binding(
            "pageup", "scroll_body(-1)", "Scroll up", show=False, priority=True, id="dialog-page-up"
        ),
        Binding(
            "pagedown",
            "scroll_body(1)",
            "Scroll down",
            show=False,
            priority=True,
            id="dialog-page-down",
        ),
    ]
    PREFIX: ClassVar[str] = "write"
    CONFIRM_VARIANT: ClassVar[ButtonVariant] = "error"
    RUNNING_NOTICE: ClassVar[str] = "The write is in progress: wait for it to finish."

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
        super().__init__()
        self.services = services
        self.snapshot = snapshot
        # What the verdicts shown are for: the session's destination (a removal is always
        # a standalone departure, so its dialog keeps the default).
        self.destination: Destination = destination
        self.account_ids: list[str] = snapshot.known(account_ids)
        self.clock = clock
        self.on_outcome = on_outcome
        self.live_check = live_check
        self.stop = stop or threading.Event()
        self.checks: dict[str, LiveCheck] | None = None
        self.check_error: str | None = None
        self.phase = "confirm"  # confirm -> running -> done
        # Enter on a matching id while the live check runs: decided when it lands.
        self.confirm_pending = False
        self.outcomes: list[Outcome] = []
        self._log: list[Text] = []

    # --- what each dialog says and does (the subclasses) --------------------------------

    def live_checks(self, account_ids: list[str]) -> dict[str, LiveCheck]:
        """The live re-check (worker thread). Never raises for AWS errors."""
        return self.services.check_accounts(
            self.snapshot, account_ids, self.clock(), destination=self.destination
        )

    def run(self, account_ids: list[str], progress: ProgressFn) -> list[Outcome]:
        """The write (worker thread), through the core's write discipline."""
        raise NotImplementedError

    def title_text(self) -> Text:
        raise NotImplementedError

    def summary_text(self, width: int) -> RenderableType:
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        """The widgets inside the scroll area."""
        raise NotImplementedError

    def refresh_body(self) -> None:
        """Fill the scroll area (with the summary of the run once `phase` is done)."""
        raise NotImplementedError

    def check_text(self) -> Text:
        """The line under the scroll area while confirming."""
        raise NotImplementedError

    def confirm_label(self) -> str:
        raise NotImplementedError

    def progress_line(self, index: int, total: int, target: str) -> str:
        """`Attesting web-dev (1234...), 1 of 3…`: the step about to start."""
        raise NotImplementedError

    def compose_extra_buttons(self) -> ComposeResult:
        """Buttons between Cancel and the confirmation (none by default)."""
        yield from ()

    def refresh_extra(self) -> None:
        """Show or hide the extra buttons."""

    def landed(self, checks: dict[str, LiveCheck]) -> None:
        """The live check landed (before the dialog repaints): adjust the set."""

    def run_total(self) -> int:
        """The steps the progress bar counts (the accounts, by default)."""
        return len(self.account_ids)

    @property
    def blocked_ids(self) -> list[str]:
        """Accounts the confirmation must wait for (fixed, or dropped) before it is offered."""
        return []

    # --- what the dialog knows ------------------------------------------------------------

    @property
    def pal(self) -> Palette:
        return palette(self.app)

    @property
    def checking(self) -> bool:
        return self.live_check and self.checks is None

    @property
    def expected(self) -> str:
        """What the user must type: the id of the one account, or how many there are."""
        if len(self.account_ids) == 1:
            return self.account_ids[0]
        return str(len(self.account_ids))

    @property
    def can_confirm(self) -> bool:
        return (
            self.phase == "confirm"
            and not self.checking
            and bool(self.account_ids)
            and not self.blocked_ids
        )

    @property
    def offers_prompt(self) -> bool:
        """The prompt shows while nothing known stands in the way (during the live check
        too: typing ahead is allowed, and the check decides)."""
        return self.phase == "confirm" and bool(self.account_ids) and not self.blocked_ids

    def wid(self, part: str) -> str:
        return f"#{self.PREFIX}-{part}"

    @property
    def input_box(self) -> Input:
        return self.query_one(self.wid("input"), Input)

    def typed_matches(self) -> bool:
        typed = self.input_box.value
        if len(self.account_ids) == 1:  # the console's dashed form is accepted too
            return normalize_account_id(typed) == self.expected
        return typed.strip() == self.expected

    def action_scroll_body(self, direction: int) -> None:
        body = self.query_one(self.wid("body"), VerticalScroll)
        if direction > 0:
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)

    def name_of(self, account_id: str) -> str:
        acc = self.snapshot.accounts.get(account_id)
        return acc.name if acc and acc.name else account_id

    def label_of(self, account_id: str) -> str:
        """`name (id)` for the progress line and the outcomes the dialog writes itself."""
        return account_label(self.name_of(account_id), account_id)

    # --- layout ---------------------------------------------------------------------------

    def _part(self, part: str) -> Part:
        """The id and class of one of the dialog's parts."""
        return {"id": f"{self.PREFIX}-{part}", "classes": f"dialog-{part}"}

    def compose(self) -> ComposeResult:
        part = self._part
        with Vertical(**part("box")):
            yield Static(**part("title"))
            yield Fitted(self._summary, **part("summary"))
            with MoreBelow(**part("body")):
                yield from self.compose_body()
            yield Static(**part("check"))
            with Horizontal(**part("confirm")):
                yield Label(prompt(len(self.account_ids)), **part("prompt"))
                # The first key typed moves the focus here; selecting the text on focus
                # would let the second key replace the first.
                yield SafeInput(
                    placeholder=f"type {self.expected}",
                    compact=True,
                    select_on_focus=False,
                    **part("input"),
                )
            with Horizontal(**part("buttons")):
                yield Button("Cancel", variant="primary", compact=True, **part("cancel"))
                yield from self.compose_extra_buttons()
                yield Button(
                    "",
                    variant=self.CONFIRM_VARIANT,
                    disabled=True,
                    compact=True,
                    **part("confirm-button"),
                )
            with Vertical(**part("progress-box")):
                yield Static("", id=f"{self.PREFIX}-progress-label")
                yield ProgressBar(
                    total=max(1, len(self.account_ids)),
                    show_eta=False,
                    id=f"{self.PREFIX}-progress",
                )
            with Horizontal(**part("done")):
                yield Button("Close", variant="primary", compact=True, **part("close"))

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.refresh_all())
        if not self.account_ids:
            self.checks = {}  # nothing to check
        self.refresh_all()
        if self.live_check and self.account_ids:
            self._run_checks(list(self.account_ids))

    def _summary(self, width: int) -> RenderableType:
        if self.phase == "done":
            return Text("")
        return self.summary_text(width)

    # --- state -> widgets -----------------------------------------------------------------

    def refresh_all(self) -> None:
        self.query_one(self.wid("title"), Static).update(self.title_text())
        self.query_one(self.wid("summary"), Fitted).refresh(layout=True)
        self.refresh_body()
        self.query_one(self.wid("check"), Static).update(
            self.check_text() if self.phase == "confirm" else Text("")
        )
        self.query_one(self.wid("prompt"), Label).update(prompt(len(self.account_ids)))
        box = self.input_box
        box.placeholder = f"type {self.expected}"
        self.query_one(self.wid("confirm")).display = self.offers_prompt
        # Typing is allowed while the live check runs (enter then waits for it).
        box.disabled = not self.offers_prompt
        self.refresh_extra()
        self._refresh_confirm()

    def _refresh_confirm(self) -> None:
        button = self.query_one(self.wid("confirm-button"), Button)
        button.label = self.confirm_label()
        button.display = self.offers_prompt
        button.disabled = not (self.can_confirm and self.typed_matches())

    def clear_typed(self) -> None:
        """What must be typed changed (the set did): start again."""
        self.input_box.value = ""
        self.confirm_pending = False

    # --- the live re-check ----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="dialog-check", exit_on_error=False)
    def _run_checks(self, account_ids: list[str]) -> None:
        try:
            checks = self.live_checks(account_ids)
        except Exception as exc:  # the checks never raise; a last safety net
            err = self.services.words(exc)
            self.app.call_from_thread(self._checks_failed, f"{err.what} {err.fix}")
            return
        self.app.call_from_thread(self._checks_landed, checks)

    def _checks_failed(self, message: str) -> None:
        self.check_error = message
        self.checks = {}
        self.confirm_pending = False  # a failed check never confirms by itself
        self.refresh_all()

    def _checks_landed(self, checks: dict[str, LiveCheck]) -> None:
        self.checks = checks
        self.landed(checks)
        self.refresh_all()
        if self.confirm_pending:
            # Enter was pressed on a matching id while the check ran: the live check
            # decides now, exactly as if enter were pressed again.
            self.confirm_pending = False
            self._try_confirm()

    def emit(self, outcome: Outcome) -> None:
        if self.on_outcome is not None:
            try:
                self.on_outcome(outcome)
            except Exception as exc:  # the host's bug must not break the dialog
                self.log.error(f"on_outcome failed: {exc!r}")

    # --- events ---------------------------------------------------------------------------

    @on(Input.Changed, ".dialog-input")
    def _typed(self) -> None:
        self._refresh_confirm()

    @on(Input.Submitted, ".dialog-input")
    @on(Button.Pressed, ".dialog-confirm-button")
    def _submitted(self) -> None:
        self._try_confirm()

    @on(Button.Pressed, ".dialog-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, ".dialog-close")
    def _close_pressed(self) -> None:
        self.dismiss(list(self.outcomes))

    def on_key(self, event: events.Key) -> None:
        """Typing goes to the confirmation input even while Cancel has the focus.

        Cancel is focused first so that a stray enter keeps everything as it is; the
        first printable key moves the focus to the input and is typed there, so "key,
        type the id, enter" works without a tab.
        """
        box = self.input_box
        if (
            event.is_printable
            and event.character
            and self.focused is not box
            and not box.disabled
            and self.offers_prompt
        ):
            box.focus()
            box.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def _try_confirm(self) -> None:
        check_line = self.query_one(self.wid("check"), Static)
        if self.phase == "confirm" and self.checking and self.typed_matches():
            self.confirm_pending = True
            check_line.update(Text(WAITING))
            return
        if not self.can_confirm:
            self.app.bell()
            return
        if not self.typed_matches():
            self.app.bell()
            check_line.update(mismatch_line(self.expected, self.pal))
            return
        self._start_run()

    def action_cancel(self) -> None:
        if self.phase == "running":
            self.notify(self.RUNNING_NOTICE, severity="warning")
            return
        self.dismiss(list(self.outcomes))

    # --- the write ------------------------------------------------------------------------

    def _start_run(self) -> None:
        self.phase = "running"
        for part in ("confirm", "buttons", "summary"):
            self.query_one(self.wid(part)).display = False
        self.query_one(self.wid("check"), Static).update("")
        self.query_one(self.wid("progress-box")).display = True
        self.query_one(self.wid("progress"), ProgressBar).update(
            total=max(1, self.run_total()), progress=0
        )
        self._progress_text(self.starting_line())
        self._run_worker(list(self.account_ids))

    def starting_line(self) -> str:
        return f"Starting: {plural(len(self.account_ids), 'account')}…"

    def _progress_text(self, line: str) -> None:
        body = Text("\n").join([*self._log, safe(line, BOLD)])
        self.query_one(self.wid("progress-label"), Static).update(body)

    @work(thread=True, exclusive=True, group=RUN_GROUP, exit_on_error=False)
    def _run_worker(self, account_ids: list[str]) -> None:
        def progress(i: int, total: int, target: str, outcome: Outcome | None) -> None:
            self.app.call_from_thread(self._progressed, i, total, target, outcome)

        try:
            outcomes = self.run(account_ids, progress)
        except Exception as exc:  # the core's writes never raise; a last safety net
            err = self.services.words(exc)
            done = {o.account_id for o in self.outcomes}
            left = [a for a in account_ids if a not in done]
            refused = [
                Outcome(a, self.name_of(a), "refused", err.what, err.fix, error=err) for a in left
            ]
            outcomes = [*self.outcomes, *refused]
        self.app.call_from_thread(self.finished, outcomes)

    def _progressed(self, i: int, total: int, target: str, outcome: Outcome | None) -> None:
        if outcome is None:
            self._progress_text(self.progress_line(i, total, target))
            return
        self.outcomes.append(outcome)
        self._log.append(outcome_line(outcome, self.pal))
        self.query_one(self.wid("progress"), ProgressBar).update(progress=i + 1)
        self._progress_text("")
        self.emit(outcome)

    def finished(self, outcomes: list[Outcome]) -> None:
        """The run ended (on the UI thread): the summary, or away when stopped."""
        self.phase = "done"
        self.outcomes = list(outcomes)
        if self.stop.is_set():
            # The terminal closed (or q) during the run: what was in flight is finished
            # and logged; the host decides what comes next (it exits).
            self.dismiss(list(self.outcomes))
            return
        self.query_one(self.wid("progress-box")).display = False
        self.refresh_all()
        self.query_one(self.wid("body"), VerticalScroll).scroll_home(animate=False)
        self.query_one(self.wid("done")).display = True
        self.query_one(self.wid("close"), Button).focus()
