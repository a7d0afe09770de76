"""The interactive session: the main screen, its bindings, and the loading workers.

`run_app(cfg, ctx, demo)` is what the CLI calls; `OrgApp` can be built directly in tests
with an injected clock. Every AWS call runs in a thread worker (`_load`) that posts
messages back; the UI thread only paints. Removal plugs in through `open_removal` (the
dialog) and `apply_removal` (the tree after an account left).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.system_commands import SystemCommandsProvider
from textual.widgets import Footer, Input, Tree

from orgtui import files, loading
from orgtui.errors import OrgtuiError
from orgtui.model import DEFAULT_ATTEST_TAG, Assessment, Snapshot
from orgtui.text import plural
from orgtui.ui.commands import OrgCommands
from orgtui.ui.messages import DetailsLoaded, LoadFailed, LoadProgress, StructureLoaded
from orgtui.ui.screens.help import HelpScreen
from orgtui.ui.view import OrgView, summary
from orgtui.ui.widgets.detail import DetailPane
from orgtui.ui.widgets.filter_bar import FilterInput
from orgtui.ui.widgets.header import OrgHeader
from orgtui.ui.widgets.org_tree import NodeRef, OrgTree
from orgtui.ui.widgets.status import StatusLine

Clock = Callable[[], datetime]
READ_ONLY_NOTICE = "This session is read-only (orgtui audit): nothing can be removed."


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class OrgApp(App[int]):
    """Browse an organization, see why accounts can't leave, mark accounts for removal."""

    CSS_PATH = "app.tcss"
    AUTO_FOCUS = "#tree"
    TITLE = "orgtui"
    COMMANDS: ClassVar[set[Any]] = {SystemCommandsProvider, OrgCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear-filter"),
        Binding("r", "remove", "Remove", id="remove"),
        Binding("r", "read_only_notice", "Remove", show=False, id="remove-read-only"),
        Binding("ctrl+r", "reload", "Reload", id="reload"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit_app", "Quit", id="quit"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="palette",
                priority=True),  # the footer shows the palette key on its own
    ]

    def __init__(
        self,
        ctx: Any,
        *,
        read_only: bool | None = None,
        demo: bool = False,
        clock: Clock | None = None,
        cache_key: str | None = None,
        use_cache: bool = False,
        profile: str | None = None,
        theme: str | None = None,
        attest_tag: str = DEFAULT_ATTEST_TAG,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.read_only = bool(ctx.options.read_only) if read_only is None else read_only
        self.demo = demo
        self.clock: Clock = clock or _utc_now
        self.cache_key = cache_key
        self.use_cache = use_cache and cache_key is not None
        self.profile = profile
        self.attest_tag = attest_tag
        # What is on screen, and the state of the session.
        self.view: OrgView | None = None
        self.marked: set[str] = set()
        # Set when the terminal closes (SIGHUP): a removal in flight finishes its account
        # and logs it, no other account starts, then the app exits.
        self.hangup = threading.Event()
        self.filter_query = ""
        self.generation = 0
        self.loading = False
        self.loaded = False  # the last load finished (details read, or failed)
        self.stale_at: datetime | None = None  # painted from the cache, loaded at
        self.incomplete: str | None = None  # why the details are missing, if they are
        self.fatal_error: OrgtuiError | None = None
        self._fresh_structure: OrgView | None = None
        self._had_structure = False
        self._progress: tuple[str, int, int | None] | None = None
        # The theme from the settings; a change made in the app is saved (`watch_theme`).
        self._saved_theme = theme
        self._remember_theme = False
        self._theme_problem: str | None = None
        if theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self._theme_problem = (
                    f"{files.config_path()}: 'theme' = {theme!r} is not a Textual theme; "
                    f"the default ({self.theme}) is used. Pick one with ctrl+p, theme.")

    # --- public API (tests, the removal dialog) ---------------------------------------

    @property
    def snapshot(self) -> Snapshot | None:
        return self.view.snapshot if self.view else None

    def assessment(self, account_id: str) -> Assessment | None:
        return self.view.assessments.get(account_id) if self.view else None

    @property
    def tree(self) -> OrgTree:  # type: ignore[override]  # DOMNode.tree: a debug rendering
        return self.query_one("#tree", OrgTree)

    def open_removal(self, account_ids: list[str]) -> None:
        """Open the removal dialog for these accounts.

        The dialog re-checks each account live, removes them one at a time in its own
        thread worker, and hands every outcome back (`_removal_outcome`) as it lands. A
        member caller gets LeaveOrganization for its own account through the same dialog.
        In audit mode nothing opens; the session's read-only guard would stop the call
        anyway.
        """
        from orgtui.ui.screens.removal import RemovalScreen

        if self.read_only:
            self.action_read_only_notice()
            return
        snap = self.snapshot
        if snap is None:
            self.notify("The organization is still loading.", severity="warning")
            return
        ids = [a for a in dict.fromkeys(account_ids) if a in snap.accounts]
        if not ids:
            self.notify("None of these accounts is in the organization any more.",
                        severity="warning")
            return
        leave = not snap.is_management_caller
        if leave:
            own = snap.caller.account
            if own not in ids:
                self.notify("Signed in to a member account, orgtui can only make this "
                            "account leave the organization: put the cursor on it and press r.",
                            severity="warning")
                return
            ids = [own]
        self.push_screen(
            RemovalScreen(self.ctx, snap, ids, clock=self.clock, leave=leave,
                          on_outcome=self._removal_outcome),
            callback=self._removal_closed,
        )

    def _removal_outcome(self, outcome: Any) -> None:
        """One account's outcome, on the UI thread: drop it if it left, say why if not."""
        if outcome.left_view:
            self.apply_removal(outcome.account_id)
        elif outcome.status in ("refused", "unknown"):
            self.notify(f"{outcome.what}\n{outcome.fix}", title=outcome.name,
                        severity="error" if outcome.status == "refused" else "warning",
                        timeout=12)

    def _removal_closed(self, outcomes: list[Any] | None) -> None:
        if not outcomes:
            return
        removed = sum(1 for o in outcomes if o.status == "removed")
        others = len(outcomes) - removed
        message = f"{plural(removed, 'account')} left the organization."
        if others:
            message += f" {others} did not (see the notices and the audit log)."
        self.notify(message, severity="information" if not others else "warning")

    def apply_removal(self, account_id: str) -> None:
        """An account left the organization: drop it from the snapshot, the tree, the
        counts and the marks, without a reload. Call on the UI thread."""
        if self.view is None or account_id not in self.view.snapshot.accounts:
            return
        self.view = self.view.without_account(account_id)
        self.marked.discard(account_id)
        tree = self.tree
        tree.view = self.view
        tree.drop(account_id)
        tree.refresh_labels(self.view)
        self._refresh_panels()
        if self.cache_key:
            self._save_cache(self.view.snapshot)

    def jump_to(self, account_id: str) -> None:
        """Put the cursor on an account (opening its OUs) and focus the tree."""
        if self.view is None or account_id not in self.view.snapshot.accounts:
            self.notify(f"Account {account_id} is not in the organization.", severity="warning")
            return
        tree = self.tree
        if tree.matches is not None and account_id not in tree.matches:
            self._clear_filter_input()
            self.set_filter("")
        tree.reveal(account_id)
        tree.focus()

    def set_filter(self, query: str) -> None:
        """Show only the accounts matching `query` (empty: everything)."""
        self.filter_query = query
        box = self.query_one("#filter", FilterInput)
        if query and not box.display:
            box.display = True
        if box.value != query:
            with box.prevent(Input.Changed):
                box.value = query
        if self.view is not None:
            self._apply_filter()
        self._refresh_status()

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield OrgHeader(read_only=self.read_only, demo=self.demo, id="header")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield FilterInput(id="filter")
                yield OrgTree(id="tree")
            yield DetailPane(id="detail")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.on_hangup)
        if self._theme_problem:
            self.notify(self._theme_problem, title="Settings", severity="warning", timeout=10)
        self._remember_theme = True
        self.tree.focus()
        self.tree.loading = True
        self._refresh_status()
        self._start_load(first=True)

    def on_hangup(self) -> None:
        """The terminal closed. Never leave a removal half-recorded: let the account in
        flight finish and be logged (the removal dialog exits when it is done)."""
        self.hangup.set()
        removing = any(w.group == "removal-run" and w.is_running for w in self.workers)
        if not removing:
            self.exit()

    def watch_theme(self, name: str) -> None:
        """Remember a theme chosen in the app (ctrl+p, theme) for the next start."""
        if not self._remember_theme or name == self._saved_theme:
            return
        try:
            files.save_setting("theme", name)
        except files.StoreError as exc:
            self.notify(f"{exc.what}\n{exc.fix}", title="Theme not remembered",
                        severity="warning")
            return
        self._saved_theme = name

    # --- loading ----------------------------------------------------------------------

    def _start_load(self, first: bool = False) -> None:
        self.generation += 1
        self.loading = True
        self.loaded = False
        self._progress = None
        self._refresh_header()
        self._load(self.generation, first and self.use_cache)

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

        options = loading.LoadOptions(cache_key=self.cache_key, read_cache=use_cache,
                                      attest_tag=self.attest_tag)
        try:
            for stage in loading.stages(self.ctx, options, progress):
                for problem in stage.problems:
                    title = ("Cache set aside" if stage.name == "cached"
                             else "Could not save the cache")
                    self.call_from_thread(self.notify, problem, title=title,
                                          severity="warning")
                if stage.snapshot is None:
                    continue
                view = OrgView(stage.snapshot, self.clock())
                if stage.name == "cached":
                    self.call_from_thread(self._paint_cached, generation, view)
                elif stage.name == "structure":
                    self.post_message(StructureLoaded(generation, view))
                else:
                    self.post_message(DetailsLoaded(generation, view))
        except loading.LoadFailed as exc:
            self.post_message(LoadFailed(generation, exc.stage, exc))

    @work(thread=True, group="cache", exit_on_error=False)
    def _save_cache(self, snap: Snapshot) -> None:
        # The cache is a convenience; the next full load writes it again.
        loading.remember(self.cache_key, snap)

    def _paint_cached(self, generation: int, view: OrgView) -> None:
        if generation != self.generation or self.view is not None:
            return
        self.stale_at = view.snapshot.loaded_at
        self._show_view(view)

    def on_load_progress(self, message: LoadProgress) -> None:
        if message.generation != self.generation:
            return
        self._progress = (message.phase, message.done, message.total)
        self._refresh_header()

    def on_structure_loaded(self, message: StructureLoaded) -> None:
        if message.generation != self.generation:
            return
        self._had_structure = True
        self._fresh_structure = message.view
        if self.view is None:
            # First paint. A cached or complete view stays until the details land, so
            # that verdicts never step back to "still reading".
            self._show_view(message.view)

    def on_details_loaded(self, message: DetailsLoaded) -> None:
        if message.generation != self.generation:
            return
        self.stale_at = None
        self.incomplete = None
        self._fresh_structure = None
        self._finish_load()
        self._show_view(message.view)

    def on_load_failed(self, message: LoadFailed) -> None:
        if message.generation != self.generation:
            return
        error = message.error
        if message.stage == "structure" and not self._had_structure:
            # Start-up: nothing true can be shown. Close; run_app prints the words.
            self.fatal_error = error
            self.exit(1, return_code=1)
            return
        self._finish_load()
        if message.stage == "details":
            self.incomplete = error.what
            if self._fresh_structure is not None:
                self.stale_at = None
                self._show_view(self._fresh_structure)
            title = "Tags, policies or delegation could not be read: data is incomplete"
        else:
            title = "Reload failed: showing the organization as read before"
        self.notify(f"{error.what}\n{error.fix}", title=title, severity="error", timeout=12)
        self._refresh_panels()

    def _finish_load(self) -> None:
        self.loading = False
        self.loaded = True
        self._progress = None

    def _show_view(self, view: OrgView) -> None:
        """Put a view on screen: rebuild the tree if the structure changed, else repaint."""
        old = self.view
        self.view = view
        self.marked &= set(view.snapshot.accounts)
        tree = self.tree
        if tree.loading:
            tree.loading = False
            if self.focused is None:
                tree.focus()
            self.refresh_bindings()
        tree.marked = self.marked
        same = (old is not None
                and old.snapshot.child_ous == view.snapshot.child_ous
                and old.snapshot.child_accounts == view.snapshot.child_accounts)
        if same:
            tree.refresh_labels(view)
            if tree.matches is not None:
                self._apply_filter()
        else:
            tree.view = view
            if self.filter_query.strip():
                self._apply_filter()
            else:
                tree.show(view, keep_state=old is not None)
        self.query_one("#header", OrgHeader).show_org(view.snapshot)
        self._refresh_panels()

    # --- painting ---------------------------------------------------------------------

    def _refresh_panels(self) -> None:
        self._refresh_header()
        self._refresh_status()
        self._refresh_detail()

    def _refresh_header(self) -> None:
        try:
            header = self.query_one("#header", OrgHeader)
        except Exception:
            return
        parts: list[tuple[str, Style] | str] = []
        if self.stale_at is not None:
            cached = self.stale_at.astimezone().strftime("%H:%M")
            parts.append((f"stale (cached {cached})", Style(color="yellow", bold=True)))
            parts.append(" · ")
        if self.loading:
            phase, done, total = self._progress or ("structure", 0, None)
            count = f" {done}/{total}" if total else (f" {done}" if done else "")
            verb = "Reloading: " if self.view is not None and not self.stale_at else ""
            parts.append((f"{verb}{loading.PHASES.get(phase, phase)}…{count}", Style(italic=True)))
            header.show_progress(done if phase == "details" else None, total)
        else:
            header.show_progress(None, None)
        if self.view is not None and not self.loading:
            if self.incomplete or self.view.snapshot.problems:
                why = self.incomplete or "; ".join(self.view.snapshot.problems)
                if parts:
                    parts.append(" · ")
                parts.append((f"Incomplete data: {why} (ctrl+r retries)",
                              Style(color="yellow", bold=True)))
            else:
                counts = summary(self.view)
                parts += [
                    f"{plural(counts.total, 'account')} · ",
                    (f"{counts.blocked} blocked", Style(color="red", bold=True)), " · ",
                    (f"{counts.review} review", Style(color="yellow", bold=True)), " · ",
                    (f"{counts.ready} ready", Style(color="green", bold=True)),
                ]
        header.show_status(Text.assemble(*parts))

    def _refresh_status(self) -> None:
        try:
            status = self.query_one("#status", StatusLine)
        except Exception:
            return
        total = len(self.view.snapshot.accounts) if self.view else 0
        matches = None
        if self.view is not None and self.filter_query.strip():
            matches = len(self.tree.matches or ())
        status.show(len(self.marked), self.filter_query.strip(), matches, total)

    def _refresh_detail(self) -> None:
        try:
            detail = self.query_one("#detail", DetailPane)
        except Exception:
            return
        detail.show(self.view, self.tree.cursor_ref, self.incomplete)

    @on(Tree.NodeHighlighted, "#tree")
    def _cursor_moved(self, event: Tree.NodeHighlighted[NodeRef]) -> None:
        self.query_one("#detail", DetailPane).show(self.view, event.node.data, self.incomplete)

    # --- filter -----------------------------------------------------------------------

    def _apply_filter(self) -> None:
        assert self.view is not None
        query = self.filter_query.strip()
        self.tree.set_matches(self.view.search(query) if query else None)
        self._refresh_detail()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_query = event.value
        if self.view is not None:
            self._apply_filter()
        self._refresh_status()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        tree = self.tree
        if self.view is None:
            return
        if not self.filter_query.strip():
            self.action_clear_filter()
            return
        first = tree.first_match()
        if first is None:
            self.notify(f'No account matches "{self.filter_query.strip()}".',
                        severity="warning")
            return
        tree.reveal(first)
        tree.focus()

    def _clear_filter_input(self) -> None:
        box = self.query_one("#filter", FilterInput)
        with box.prevent(Input.Changed):
            box.value = ""
        box.display = False

    # --- actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remove":
            return not self.read_only
        if action == "read_only_notice":
            return self.read_only
        return True

    def action_filter(self) -> None:
        box = self.query_one("#filter", FilterInput)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", FilterInput)
        if not self.filter_query and not box.display:
            return
        ref = self.tree.cursor_ref
        self._clear_filter_input()
        self.set_filter("")
        if ref is not None and ref.kind == "account":
            self.tree.reveal(ref.id)
        self.tree.focus()

    def action_mark(self) -> None:
        ref = self.tree.cursor_ref
        if ref is None or ref.kind != "account":
            self.notify("Only accounts can be marked: move the cursor to an account.",
                        severity="information", timeout=3)
            return
        if ref.id in self.marked:
            self.marked.discard(ref.id)
        else:
            self.marked.add(ref.id)
        self.tree.refresh_account(ref.id)
        self._refresh_status()

    def action_remove(self) -> None:
        if self.read_only:
            self.action_read_only_notice()
            return
        if self.view is None:
            self.notify("The organization is still loading.", severity="warning")
            return
        if self.marked:
            ids = [a for a in self.view.snapshot.accounts if a in self.marked]
        else:
            ref = self.tree.cursor_ref
            if ref is None or ref.kind != "account":
                self.notify("Put the cursor on an account, or mark accounts with space, "
                            "then press r.", severity="warning")
                return
            ids = [ref.id]
        self.open_removal(ids)

    def action_read_only_notice(self) -> None:
        self.notify(READ_ONLY_NOTICE, severity="warning")

    def action_reload(self) -> None:
        if self.loading and self.view is None:
            return
        self._start_load()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.read_only))

    def action_quit_app(self) -> None:
        self.exit(0, return_code=0)


def run_app(cfg: Any, ctx: Any, demo: Any) -> int:
    """Run the session; 0 on quit, 1 after a fatal start-up error (two lines on stderr)."""
    cache_key = None
    if demo is None:
        cache_key = files.cache_key(cfg.profile, cfg.endpoint_url, cfg.region)
    app = OrgApp(ctx, read_only=cfg.read_only, demo=demo is not None, cache_key=cache_key,
                 use_cache=bool(cfg.use_cache), profile=cfg.profile,
                 theme=cfg.settings.theme, attest_tag=cfg.settings.standalone_tag)
    app.run()
    if app.fatal_error is not None:
        print(f"orgtui: error: {app.fatal_error.what}", file=sys.stderr)
        print(f"orgtui: fix: {app.fatal_error.fix}", file=sys.stderr)
        return 1
    return app.return_code or 0
