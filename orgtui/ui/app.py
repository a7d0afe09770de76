"""The interactive session: the AWS context, read-only or not, loading, theme, quitting.
What is on screen, and what the user does with it, is the main screen's
(`orgtui.ui.screens.main.MainScreen`); the write dialogs (remove, attest, deregister,
close, move) and what their outcomes do to the views are `writes`
(`orgtui.ui.write_flow.WriteFlow`).

`orgtui.ui.run.run_app` is what the CLI calls; `OrgApp` can be built directly in tests
with an injected clock. Every AWS call runs in a thread worker that posts back.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.actions import parse as parse_action
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.system_commands import SystemCommandsProvider

from orgtui.backend import HandOver, LoadOptions, Services
from orgtui.backend import LoadFailed as StageFailed
from orgtui.collector import Collector
from orgtui.errors import OrgtuiError, StoreError
from orgtui.model import (
    DEFAULT_ATTEST_TAG,
    DEFAULT_DESTINATION,
    DESTINATION_WORDS,
    DESTINATIONS,
    Assessment,
    Destination,
    Snapshot,
)
from orgtui.session.load_status import LoadState, LoadStatus
from orgtui.session.table_model import TableModel
from orgtui.session.view import OrgView
from orgtui.text import clean
from orgtui.ui.assignee_flow import AssigneeFlow
from orgtui.ui.bindings import expand_keymap, help_rows
from orgtui.ui.commands import OrgCommands
from orgtui.ui.cursor_read import CursorReadDone
from orgtui.ui.invitation_flow import InvitationFlow
from orgtui.ui.keys_first import KeysFirst
from orgtui.ui.messages import (
    DestinationAsked,
    DetailsLoaded,
    LoadFailed,
    LoadProgress,
    MainReady,
    StructureLoaded,
    WriteAsked,
)
from orgtui.ui.notices import READ_ONLY_NOTICE
from orgtui.ui.recovery_flow import RecoveryFlow
from orgtui.ui.screens.help import HelpScreen
from orgtui.ui.screens.main import MainScreen
from orgtui.ui.screens.write_dialog import RUN_GROUP
from orgtui.ui.widgets.account_table import AccountTable
from orgtui.ui.widgets.filter_bar import FilterInput
from orgtui.ui.widgets.org_tree import OrgTree
from orgtui.ui.write_flow import WriteFlow

__all__ = ["READ_ONLY_NOTICE", "OrgApp"]

Clock = Callable[[], datetime]
# The notice's title for a problem a load stage tells: the cached stage's are about the
# cache, the structure's about the audit log's records, the details' about saving.
STAGE_PROBLEM_TITLES: dict[str, str] = {
    "cached": "Cache set aside",
    "structure": "Audit log",
    "details": "Could not save the cache",
}


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class OrgApp(KeysFirst, App[int]):
    """Browse an organization, see why accounts can't leave, remove accounts."""

    CSS_PATH = "app.tcss"
    TITLE = "orgtui"
    COMMANDS: ClassVar[set[Any]] = {SystemCommandsProvider, OrgCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reload", "Reload", show=False, id="reload"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit_app", "Quit", id="quit"),
        # One press, everywhere (a dialog's input included): the same path as q.
        Binding("ctrl+c", "quit_app", "Quit", show=False, priority=True, id="quit-ctrl-c"),
        Binding("tab", "focus_next", "Next pane", show=False, id="focus-next"),
        Binding(
            "ctrl+p", "command_palette", "Palette", show=False, id="palette", priority=True
        ),  # the footer shows the palette key on its own
    ]

    def __init__(
        self,
        services: Services,
        *,
        read_only: bool | None = None,
        demo: bool = False,
        clock: Clock | None = None,
        use_cache: bool = False,
        theme: str | None = None,
        attest_tag: str = DEFAULT_ATTEST_TAG,
        destination: Destination = DEFAULT_DESTINATION,
        handover: HandOver | None = None,
        offer_handover: bool = True,
        keymap: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__()
        # The user's keys (setting `keymap`: binding id -> keys), applied at mount.
        self.user_keymap = keymap
        self.keys_in_effect: dict[str, str] = {}
        # --invite-from: the source organization's report; the invite dialog opens with
        # its accounts once the organization is loaded, and takes their tags from it.
        self.handover = handover
        self._handover_offered = handover is None or not offer_handover
        # The core, as the session may use it: the UI never holds the AWS context.
        self.services = services
        self.read_only = services.read_only if read_only is None else read_only
        self.demo = demo
        self.clock: Clock = clock or _utc_now
        self.use_cache = use_cache and services.cache_key is not None
        self.attest_tag = attest_tag
        # What the verdicts are for (the setting; x cycles it). Not saved: a report run
        # later must not change its verdicts because of a key pressed here.
        self.destination: Destination = destination
        self.main = MainScreen(read_only=self.read_only, demo=demo)
        self.writes = WriteFlow(self)
        # Who can get back in, read for the account under the cursor (never in the load).
        self.recovery = RecoveryFlow(self)
        # Who is assigned through Identity Center, counted for the account under the cursor.
        self.assignee_reads = AssigneeFlow(self)
        # A member's open invitations, read for its own account (never in the load).
        self.invitations = InvitationFlow(self)
        self.view: OrgView | None = None  # the organization as last read
        # Set when the terminal closes (SIGHUP): a removal in flight finishes its account
        # and logs it, no other account starts, then the app exits.
        self.hangup = threading.Event()
        self.signalled: int | None = None  # the signal that ended the session, if one did
        # Set by `run_app` (a real process): called with the exit code when a signal ends
        # the session, to end the process if the terminal can't be restored in time.
        self.on_signal_exit: Callable[[int], None] | None = None
        self.load_status = LoadStatus()
        self.fatal_error: OrgtuiError | None = None
        # The theme from the settings; a change made in the app is saved (`watch_theme`).
        self._saved_theme = theme
        self._remember_theme = False
        self.collector = Collector()  # its settings while the session runs
        self._theme_problem: str | None = None
        if theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self._theme_problem = (
                    f"{services.config_path()}: 'theme' = {theme!r} is not a Textual theme; "
                    f"the default ({self.theme}) is used. Pick one with ctrl+p, theme."
                )

    def get_default_screen(self) -> Screen[Any]:
        return self.main

    # --- what the session knows -------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        return self.view.snapshot if self.view else None

    def assessment(self, account_id: str) -> Assessment | None:
        return self.view.assessments.get(account_id) if self.view else None

    def load_state(self) -> LoadState:
        """What the header says about the data: loading, stale, incomplete, or totals."""
        return self.load_status.state(self.view, self.destination)

    # --- notices ------------------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notice of the session: never markup (names, errors and queries are
        untrusted), each line cleaned so no control character reaches the terminal."""
        lines = "\n".join(clean(line) for line in message.split("\n"))
        super().notify(lines, title=clean(title), severity=severity, timeout=timeout, markup=False)

    def notify_error(
        self,
        error: OrgtuiError,
        *,
        title: str = "",
        severity: SeverityLevel = "error",
        timeout: float | None = 12,
    ) -> None:
        """What went wrong and what to do, on two lines."""
        self.notify(
            f"{clean(error.what)}\n{clean(error.fix)}",
            title=title,
            severity=severity,
            timeout=timeout,
        )

    # --- writes (removal, attest, deregister, close, move: see write_flow.WriteFlow) -----

    def open_removal(self, account_ids: list[str]) -> None:
        """The removal dialog for these accounts (a member: LeaveOrganization for its own);
        nothing in audit mode."""
        self.writes.open_removal(account_ids)

    def _removal_outcome(self, outcome: Any) -> None:
        self.writes.outcome(outcome)

    def run_move(self, snap: Snapshot, account_ids: list[str], destination: str) -> None:
        """Move the accounts (chosen in the OU picker) in a thread worker; each outcome
        updates the views as it lands, a notice sums up (`WriteFlow.moved`)."""
        self._move(snap, account_ids, destination)

    @work(thread=True, group=RUN_GROUP, exit_on_error=False)
    def _move(self, snap: Snapshot, account_ids: list[str], destination: str) -> None:
        def progress(i: int, total: int, target: str, outcome: Any) -> None:
            if outcome is not None:
                self.call_from_thread(self.writes.moved, outcome)

        # move_many never raises; it re-checks live and logs before and after each call.
        outcomes = self.services.move_many(
            snap, account_ids, destination, progress=progress, stop=self.hangup
        )
        self.call_from_thread(self.writes.moves_done, outcomes, destination)

    @property
    def writing(self) -> bool:  # a write dialog's run is in flight
        return any(w.group == RUN_GROUP and w.is_running for w in self.workers)

    def remember(self) -> None:
        """Save the view as it is now to the cache, for the next start."""
        if self.services.cache_key and self.view is not None:
            self._save_cache(self.view.snapshot)

    def apply_removal(self, account_id: str) -> None:
        """An account left: drop it from the snapshot, views, counts and marks (UI thread)."""
        if self.view is None or account_id not in self.view.snapshot.accounts:
            return
        self.view = self.view.without_account(account_id)
        self.main.drop_account(self.view, account_id)
        self.remember()

    # --- start, signals, theme ----------------------------------------------------------

    def on_mount(self) -> None:
        self.collector.start()
        # SIGHUP (the terminal closed), SIGTERM (kill, a shutdown) and a SIGINT from
        # outside (ctrl+c in the terminal is a key): the quit path, so a write in flight
        # is finished and its outcome logged, and the terminal is restored.
        loop = asyncio.get_running_loop()
        for name in ("SIGHUP", "SIGTERM", "SIGINT"):
            number = getattr(signal, name, None)
            if number is None:
                continue
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(number, self.on_signal, number)
        self.keys_in_effect, unknown = expand_keymap(self.user_keymap, BINDING_SOURCES)
        if self.keys_in_effect:
            self.set_keymap(self.keys_in_effect)
        if unknown:
            self.notify(
                f"{self.services.config_path()}: 'keymap' names no binding "
                f"{', '.join(clean(u) for u in unknown)}; ignored. The ids are in ? (help).",
                title="Settings",
                severity="warning",
                timeout=10,
            )
        if self._theme_problem:
            self.notify(self._theme_problem, title="Settings", severity="warning", timeout=10)
        self._remember_theme = True

    def on_main_ready(self, _message: MainReady) -> None:  # the main screen is on
        self._start_load(first=True)

    def on_write_asked(self, message: WriteAsked) -> None:
        """r, v, d, c, m on the main screen: the dialog, or why not (`WriteFlow`)."""
        ids = message.account_ids
        if message.kind == "remove":
            self.open_removal(ids)
        elif message.kind == "attest":
            self.writes.open_attest(ids)
        elif message.kind == "deregister":
            self.writes.open_deregister(ids[0] if ids else None)
        elif message.kind == "close":
            self.writes.open_close(ids)
        elif message.kind == "move":
            self.writes.open_move(ids)
        elif message.kind == "invitations":
            self.writes.open_invitations()
        elif self.snapshot is not None and not self.snapshot.is_management_caller:
            self.writes.open_accept()  # a member accepts an invitation
        else:
            self.writes.open_invite(ids)

    def on_destination_asked(self, _message: DestinationAsked) -> None:
        destination = self.cycle_destination()
        self.notify(
            f"Verdicts for {destination}: {DESTINATION_WORDS[destination]}. x cycles.",
            timeout=4,
        )

    def on_signal(self, number: int) -> None:
        """A signal ends the session as q does; the exit code says which (128 + number)."""
        if self.signalled is None:
            self.signalled = number
        self.action_quit_app()

    def watch_theme(self, name: str) -> None:
        """Repaint what takes its colours from the theme; remember a theme chosen in the
        app (ctrl+p, theme) for the next start."""
        if self.main.drawn:
            self.main.repaint()
        if not self._remember_theme or name == self._saved_theme:
            return
        try:
            self.services.save_setting("theme", name)
        except StoreError as exc:
            self.notify_error(exc, title="Theme not remembered", severity="warning")
            return
        self._saved_theme = name

    # --- loading ----------------------------------------------------------------------

    def _start_load(self, first: bool = False) -> None:
        generation = self.load_status.start()
        self.main.refresh_header()
        self._load(generation, first and self.use_cache)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self, generation: int, use_cache: bool) -> None:
        """Read the organization through the core's one load path (cached picture, then
        structure, then details), posting each stage as it is known."""
        lock = threading.Lock()
        last = [0.0]

        def progress(phase: str, done: int, total: int | None) -> None:
            now = time.monotonic()
            with lock:
                if done not in (0, total) and now - last[0] < 0.1:
                    return
                last[0] = now
            self.post_message(LoadProgress(generation, phase, done, total))

        options = LoadOptions(
            cache_key=self.services.cache_key, read_cache=use_cache, attest_tag=self.attest_tag
        )
        structure: Snapshot | None = None
        try:
            for stage in self.services.load_stages(options, progress):
                for problem in stage.problems:
                    title = (
                        "Audit log"
                        if "audit log" in problem.lower()
                        else STAGE_PROBLEM_TITLES[stage.name]
                    )
                    self.call_from_thread(self.notify, problem, title=title, severity="warning")
                if stage.snapshot is None:
                    continue
                if stage.name == "structure":
                    # Details on the way (badges `reading`). A view only for the first
                    # paint: on a refresh the view on screen stays until they land.
                    structure = stage.snapshot
                    view = (
                        OrgView(structure, self.clock(), reading=True, destination=self.destination)
                        if (self.view is None)
                        else None
                    )
                    self.post_message(StructureLoaded(generation, view))
                else:
                    view = OrgView(stage.snapshot, self.clock(), destination=self.destination)
                    if stage.name == "cached":
                        self.call_from_thread(self._paint_cached, generation, view)
                    else:
                        self.post_message(DetailsLoaded(generation, view))
        except StageFailed as exc:
            # No details will come: the structure, `ready?` / `review?`, is shown.
            fallback = (
                OrgView(structure, self.clock(), destination=self.destination)
                if exc.stage == "details" and structure is not None
                else None
            )
            self.post_message(LoadFailed(generation, exc.stage, exc, fallback))

    @work(thread=True, group="cache", exit_on_error=False)
    def _save_cache(self, snap: Snapshot) -> None:
        # The cache is a convenience; the next full load writes it again.
        self.services.remember(snap)

    def _paint_cached(self, generation: int, view: OrgView) -> None:
        if not self.load_status.is_current(generation) or self.view is not None:
            return
        self.load_status.stale_at = view.snapshot.loaded_at
        self.show(view)
        self.prepare_soon(view)

    def on_load_progress(self, message: LoadProgress) -> None:
        if not self.load_status.is_current(message.generation):
            return
        self.load_status.progress = (message.phase, message.done, message.total)
        self.main.refresh_header()

    def on_structure_loaded(self, message: StructureLoaded) -> None:
        if not self.load_status.is_current(message.generation):
            return
        self.load_status.structure_read()
        self.main.refresh_header()
        if self.view is None and message.view is not None:
            # First paint. A cached or complete view stays until the details land, so
            # that verdicts never step back to "still reading".
            self.show(message.view)
            self.prepare_soon(message.view)

    def on_details_loaded(self, message: DetailsLoaded) -> None:
        if not self.load_status.is_current(message.generation):
            return
        self.load_status.details_read()
        self.show(message.view)
        self.prepare_soon(message.view, destinations=True)
        if not self._handover_offered:
            self._handover_offered = True
            self.writes.open_invite([])

    def on_load_failed(self, message: LoadFailed) -> None:
        status = self.load_status
        if not status.is_current(message.generation):
            return
        error = message.error
        if message.stage == "structure" and not status.had_structure and self.view is None:
            # Start-up: nothing true can be shown. Close; run_app prints the words.
            self.fatal_error = error
            self.exit(1, return_code=1)
            return
        status.finish()
        if message.stage == "structure" and status.stale_at is not None:
            # Start-up with the cached picture on screen: keep it, marked stale, with why
            # AWS could not be read (every write re-checks live, and says so if it can't).
            status.unreachable = error.what
            self.notify_error(error, title="Could not read AWS: showing the cached organization")
            self.main.refresh_panels()
            return
        if message.stage == "details":
            status.incomplete = error.what
            if message.structure is not None:
                # The details will not come: `ready?` / `review?`, no longer `reading`.
                status.stale_at = None
                self.show(message.structure)
            title = "Tags, policies or delegation could not be read: data is incomplete"
        else:
            title = "Reload failed: showing the organization as read before"
        self.notify_error(error, title=title)
        self.main.refresh_panels()

    def prepare_soon(self, view: OrgView, destinations: bool = False) -> None:
        """Once the view is drawn: in a worker, what the first `t`, `/` and `x` need (the
        table's widths and name order, the filter's index and, with `destinations`, the
        view for every destination, so a switch re-assesses nothing on the UI thread: 50-150
        ms at 10,000 accounts). After the draw, so as not to slow the first frame."""
        self.call_after_refresh(self._prepare, view, destinations)

    @work(thread=True, group="prepare", exit_on_error=False)
    def _prepare(self, view: OrgView, destinations: bool) -> None:
        TableModel.of(view).prepare()
        view.index  # noqa: B018 (built when first asked)
        if destinations:
            for destination in DESTINATIONS:
                view.with_destination(destination)

    def show(self, view: OrgView) -> None:
        """Put a view on screen (a load, a write, another destination)."""
        if view.destination != self.destination:  # built before x was pressed
            view = view.with_destination(self.destination)
        old, self.view = self.view, view
        self.main.show_view(view, old)
        # After the frame: the young collection before a freeze scans all that the load
        # made (70 ms at 50,000 accounts), not worth delaying the first paint for.
        self.call_after_refresh(self.collector.freeze)

    def on_cursor_read_done(self, message: CursorReadDone) -> None:
        for reads in (self.recovery, self.assignee_reads, self.invitations):
            if reads.group == message.group:
                reads.done(message)

    def on_unmount(self) -> None:
        self.collector.end()

    # --- destination ------------------------------------------------------------------

    def cycle_destination(self) -> Destination:
        """x: the next destination; the view on screen is assessed again for it, in
        memory (no AWS call, no reload): badges, counts, filter and table follow."""
        at = DESTINATIONS.index(self.destination)
        self.destination = DESTINATIONS[(at + 1) % len(DESTINATIONS)]
        if self.view is not None:
            self.show(self.view)
        else:
            self.main.refresh_header()
        return self.destination

    # --- actions ----------------------------------------------------------------------

    def action_reload(self) -> None:
        if self.load_status.loading and self.view is None:
            return
        self._start_load()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        main = self.main

        def allowed(action: str) -> bool:
            _, name, parameters = parse_action(action)
            return main.check_action(name, parameters) is not False

        self.push_screen(HelpScreen(help_rows(BINDING_SOURCES, allowed, self.keys_in_effect)))

    def action_quit_app(self) -> None:
        """q, ctrl+c, ctrl+q, the terminal closing: end the session promptly.

        A write in flight is never left half-recorded: no further account starts, the
        one in flight is finished and logged, and its dialog closes, which ends the app
        (`WriteFlow.closed`). Reads in flight (a load stuck on a silent endpoint) are
        abandoned: the context is cancelled, so they make no further call, and nothing
        waits for them (`run_app`).
        """
        self.hangup.set()
        if self.writing:
            self.notify(
                "Quitting once the write in flight is finished and logged…",
                severity="warning",
                timeout=30,
            )
            return
        self.quit_now()

    async def action_quit(self) -> None:
        """Textual's own quit (ctrl+q) takes the same path."""
        self.action_quit_app()

    def quit_now(self) -> None:
        self.services.cancel()
        if self.signalled is not None:
            # Nothing is left in flight: every write is finished and logged.
            code = 128 + self.signalled
            if self.on_signal_exit is not None:
                self.on_signal_exit(code)
            self.exit(code, return_code=code)
            return
        self.exit(0, return_code=0)

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's Screenshot: saved under orgtui's data folder (by the core)."""
        self._save_screenshot(self.export_screenshot(), filename)
        return None

    @work(thread=True, group="screenshot", exit_on_error=False)
    def _save_screenshot(self, svg: str, filename: str | None) -> None:
        try:
            saved: Path = self.services.save_screenshot(svg, filename, self.clock())
        except OrgtuiError as exc:
            self.call_from_thread(self.notify_error, exc, title="Screenshot not saved")
            return
        self.call_from_thread(self.notify, f"Saved to {saved}", title="Screenshot")


# Every class whose bindings the help lists and a keymap may name.
BINDING_SOURCES = (OrgTree, AccountTable, FilterInput, MainScreen, OrgApp)
