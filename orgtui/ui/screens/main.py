"""The main screen: header, the tree or the account table (`t`), the detail pane, the
status line and the footer; the filter, the marks and the keys that act on accounts.

The app (`OrgApp`) keeps the session (AWS context, read-only, loading, theme, the write
dialogs); this screen shows the view it is given (`show_view`) and owns what the user
does with it: the filter, the marked accounts (`is_marked`, `marked`), which of the two
views is shown and where its cursor is. Both views answer the same questions through
`cursor_account` and `selected_accounts`, so `r`, `v`, `c` and `m` ("the marked accounts,
or the one under the cursor") and `d` (the one under the cursor) behave the same in either.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Protocol, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Tree

from orgtui.session.load_status import LoadState, LoadStatus
from orgtui.session.table_model import TableModel
from orgtui.session.view import NodeRef, OrgView
from orgtui.ui.assignee_flow import AssigneeFlow
from orgtui.ui.filter_flow import FilterFlow, FilterResult, FilterSearched
from orgtui.ui.invitation_flow import InvitationFlow
from orgtui.ui.messages import DestinationAsked, MainReady, WriteAsked
from orgtui.ui.notices import read_only_notice
from orgtui.ui.recovery_flow import RecoveryFlow
from orgtui.ui.widgets.account_table import AccountTable
from orgtui.ui.widgets.detail import DetailPane
from orgtui.ui.widgets.filter_bar import FilterInput
from orgtui.ui.widgets.footer import KeyBar
from orgtui.ui.widgets.header import OrgHeader
from orgtui.ui.widgets.org_tree import OrgTree
from orgtui.ui.widgets.status import StatusLine
from orgtui.ui.widgets.switcher import ViewSwitcher


class MainHost(Protocol):
    """What the main screen reads of its app (the session); it asks for everything else
    with a message (`WriteAsked`, `DestinationAsked`, `MainReady`)."""

    load_status: LoadStatus
    recovery: RecoveryFlow
    assignee_reads: AssigneeFlow
    invitations: InvitationFlow

    def load_state(self) -> LoadState: ...


# From this width the footer shows v and d too (at 80: ? and q; the help lists all).
WIDE_FOOTER = 108
# From this width it shows x too (in audit mode, always: it has no write keys).
WIDER_FOOTER = 124
# From this width it shows c and m too.
WIDEST_FOOTER = 140


class MainScreen(Screen[None]):
    """Browse, filter, sort and mark; `r` hands the selection to the app's dialog."""

    AUTO_FOCUS = "#tree"
    # Screen's `focused` repaints the whole screen at each focus change (escape, `t`, `/`);
    # here only the widgets the focus restyles (borders, footer keys) repaint themselves.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    # The footer lists the focused view's keys, then these, then the app's (? and q).
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority (run as read): keys typed with it (`/guard`, fast) go to the filter.
        Binding("slash", "filter", "Filter", id="filter", priority=True),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear-filter"),
        Binding("t", "toggle_table", "Table", id="toggle-table"),
        Binding("A", "mark_all", "Mark all", id="mark-all"),
        # x in the footer when there is room (the twin keeps the key working when not).
        Binding("x", "cycle_destination", "Destination", id="destination"),
        Binding(
            "x", "cycle_destination('narrow')", "Destination", show=False, id="destination-narrow"
        ),
        # v and d are in the footer when it has room for them beside ? and q (the
        # *-narrow twins, never shown, keep the keys working in a narrow terminal).
        Binding("v", "attest", "Attest", id="attest"),
        Binding("v", "attest('narrow')", "Attest", show=False, id="attest-narrow"),
        Binding("d", "deregister", "Deregister", id="deregister"),
        Binding("d", "deregister('narrow')", "Deregister", show=False, id="deregister-narrow"),
        # c and m when the footer has room for them too (their twins keep the keys).
        Binding("c", "close_accounts", "Close", id="close"),
        Binding("c", "close_accounts('narrow')", "Close", show=False, id="close-narrow"),
        Binding("m", "move", "Move", id="move"),
        Binding("m", "move('narrow')", "Move", show=False, id="move-narrow"),
        # The transfer (DESIGN.md "Destinations"): invite (the target organization's
        # management account) or accept (a member); the organization's invitations.
        Binding("i", "invite", "Invite", show=False, id="invite"),
        Binding("I", "invitations", "Invitations", show=False, id="invitations"),
        Binding("r", "remove", "Remove", id="remove"),
        # A member's r leaves (LeaveOrganization): the footer says so.
        Binding("r", "remove('leave')", "Leave", id="leave"),
        # Audit mode: the keys say why nothing happens, and the footer does not offer them.
        Binding("r", "read_only_notice('removed')", "Remove", show=False, id="remove-read-only"),
        Binding("v", "read_only_notice('attested')", "Attest", show=False, id="attest-read-only"),
        Binding(
            "d",
            "read_only_notice('deregistered')",
            "Deregister",
            show=False,
            id="deregister-read-only",
        ),
        Binding("c", "read_only_notice('closed')", "Close", show=False, id="close-read-only"),
        Binding("m", "read_only_notice('moved')", "Move", show=False, id="move-read-only"),
        Binding("i", "read_only_notice('invited')", "Invite", show=False, id="invite-read-only"),
        Binding("space", "read_only_notice('marked')", "Mark", show=False, id="mark-read-only"),
        Binding("A", "read_only_notice('marked')", "Mark all", show=False, id="mark-all-read-only"),
    ]

    def __init__(self, *, read_only: bool, demo: bool) -> None:
        super().__init__(id="main-screen")
        self.read_only = read_only
        self.demo = demo
        self.view: OrgView | None = None
        self.filter_query = ""
        self.matches: set[str] | None = None  # the filter's result (None: no filter)
        # When and where the filter's search runs; its result is applied here.
        self.filter = FilterFlow(
            self, lambda: self.view, lambda: self.filter_query, self.apply_filter
        )
        self.match_counts: dict[str, int] = {}  # the matches under each container
        self._marked: set[str] = set()
        self._table_model: TableModel | None = None
        self.table_stale = True  # the table's rows predate the view or the filter
        self.tree_stale = False  # the tree's matches predate the filter

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield OrgHeader(read_only=self.read_only, demo=self.demo, id="header")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield FilterInput(id="filter")
                with ViewSwitcher(initial="tree", id="views"):
                    yield OrgTree(is_marked=self.is_marked, id="tree")
                    yield AccountTable(is_marked=self.is_marked, id="table")
            yield DetailPane(read_only=self.read_only, id="detail")
        yield StatusLine(read_only=self.read_only, id="status")
        yield KeyBar(id="keys")

    @property
    def host(self) -> MainHost:
        return cast("MainHost", self.app)

    def on_mount(self) -> None:
        self.tree_view.loading = True
        self.refresh_status()
        self.post_message(MainReady())

    @property
    def drawn(self) -> bool:
        """The widgets are there to draw on. A worker's result (a search, a recovery read,
        a load) can land while the app shuts down, after its close removed the widgets but
        before this screen unmounts; each such path asks first."""
        return self.is_mounted and self.app.is_running

    @property
    def tree_view(self) -> OrgTree:
        return self.query_one("#tree", OrgTree)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    @property
    def table(self) -> AccountTable:
        return self.query_one("#table", AccountTable)

    @property
    def showing_table(self) -> bool:
        return self.query_one("#views", ViewSwitcher).current == "table"

    # --- marks --------------------------------------------------------------------------

    def is_marked(self, account_id: str) -> bool:
        return account_id in self._marked

    @property
    def marked(self) -> frozenset[str]:
        return frozenset(self._marked)

    def set_marks(self, account_ids: Iterable[str], on: bool) -> None:
        """Mark (or unmark) these accounts; repaint the views and the status line."""
        if on:
            self._marked.update(account_ids)
        else:
            self._marked.difference_update(account_ids)
        self.tree_view.refresh_labels()
        self.table.refresh_rows()
        self.refresh_status()

    def _toggle(self, account_ids: list[str]) -> None:
        """Unmark them when every one is marked, else mark them all."""
        self.set_marks(account_ids, not all(a in self._marked for a in account_ids))

    # --- the selection: the same questions, whichever view is shown ---------------------

    def cursor_ref(self) -> NodeRef | None:
        if self.showing_table:
            account = self.table.cursor_account
            return NodeRef("account", account) if account else None
        return self.tree_view.cursor_ref

    def cursor_account(self) -> str | None:
        ref = self.cursor_ref()
        return ref.id if ref is not None and ref.kind == "account" else None

    def shown_accounts(self) -> list[str]:
        """The filter's matches, or every account, in the snapshot's order."""
        accounts = self.view.snapshot.accounts if self.view is not None else {}
        return [a for a in accounts if self.matches is None or a in self.matches]

    def selected_accounts(self) -> list[str]:
        """The marked accounts, or else the one under the cursor."""
        if self.view is None:
            return []
        if self._marked:
            return [a for a in self.view.snapshot.accounts if a in self._marked]
        account = self.cursor_account()
        return [account] if account else []

    # --- showing a view -----------------------------------------------------------------

    def show_view(self, view: OrgView, old: OrgView | None) -> None:
        """Put a view on screen: rebuild the tree if the structure changed, else repaint."""
        self.view = view
        self._marked &= set(view.snapshot.accounts)
        self._table_model = None
        self.table_stale = True
        if not self.drawn:
            return
        tree = self.tree_view
        if tree.loading:
            tree.loading = False
            if self.focused is None:
                self.set_focus(tree)
            self.refresh_bindings()
        same = (
            old is not None
            and old.snapshot.child_ous == view.snapshot.child_ous
            and old.snapshot.child_accounts == view.snapshot.child_accounts
        )
        filtered = bool(self.filter_query.strip())
        if same:
            # A refresh: the labels repaint; the filter runs again in the worker, and
            # the tree is rebuilt only if its matches changed.
            tree.refresh_labels(view)
            if filtered:
                self.filter.start()
        else:
            tree.view = view
            if filtered:
                self.tree_stale = True  # new structure: the tree is rebuilt
                self.filter.now()
            else:
                tree.show(view, keep_state=old is not None)
        if self.showing_table and not (filtered and same):
            self.fill_table()
        self.query_one("#header", OrgHeader).show_org(view.snapshot)
        self.refresh_panels()

    def drop_account(self, view: OrgView, account_id: str) -> None:
        """An account left the organization (`view` no longer has it)."""
        self.view = view
        self._marked.discard(account_id)
        if self.matches is not None:
            self.matches.discard(account_id)
            self.match_counts = {}  # counted again when the tree needs them
        self._table_model = None
        self.table_stale = True
        tree = self.tree_view
        tree.view = view
        tree.drop(account_id)
        tree.refresh_labels(view)
        if self.showing_table:
            self.fill_table()
        self.refresh_panels()
        self.query_one("#header", OrgHeader).show_org(view.snapshot)  # a member that left

    def fill_table(self) -> None:
        if self.view is None:
            return
        if self._table_model is None or self._table_model.view is not self.view:
            self._table_model = TableModel.of(self.view)
        self.table.show(self._table_model, self.matches)
        self.table_stale = False

    # --- painting -----------------------------------------------------------------------

    def refresh_panels(self) -> None:
        self.refresh_header()
        self.refresh_status()
        self.refresh_detail()

    def refresh_header(self) -> None:
        if self.drawn:
            self.query_one("#header", OrgHeader).show_load(self.host.load_state())

    def refresh_status(self) -> None:
        if not self.drawn:
            return
        total = len(self.view.snapshot.accounts) if self.view else 0
        matches = len(self.matches) if self.matches is not None else None
        if self.filter.pending:
            matches = None  # the search is under way: no count yet
        self.query_one("#status", StatusLine).show(
            len(self._marked), self.filter_query.strip(), matches, total
        )

    def refresh_detail(self) -> None:
        if not self.drawn:
            return
        ref = self.cursor_ref()
        account = ref.id if ref is not None and ref.kind == "account" else None
        # The app reads who is assigned, who can get back in and a member's invitations
        # (workers of its own), not the pane.
        app = self.host
        app.assignee_reads.want(self.view, account)
        app.recovery.want(self.view, account)
        app.invitations.want(self.view, account)
        self.detail.show(
            self.view,
            ref,
            app.load_status.incomplete,
            app.recovery.state(self.view, account),
            app.assignee_reads.state(self.view, account),
            app.invitations.state(self.view, account),
        )

    def repaint(self) -> None:
        """The theme changed: everything that takes its colours from it."""
        self.tree_view.refresh_labels()
        self.table.refresh_rows()
        self.refresh_panels()

    @on(Tree.NodeHighlighted, "#tree")
    @on(AccountTable.CursorMoved, "#table")
    def _cursor_moved(self) -> None:
        self.refresh_detail()

    # --- moving and filtering -----------------------------------------------------------

    def jump_to(self, account_id: str) -> None:
        """Put the cursor on an account (opening its OUs in the tree) and focus the view."""
        if self.view is None or account_id not in self.view.snapshot.accounts:
            self.notify(f"Account {account_id} is not in the organization.", severity="warning")
            return
        if self.matches is not None and account_id not in self.matches:
            self._clear_filter_input()
            self.set_filter("")
        if self.showing_table:
            self.table.move_to(account_id)
            self.set_focus(self.table)
        else:
            self.tree_view.reveal(account_id)
            self.set_focus(self.tree_view)
        self.refresh_detail()

    def set_filter(self, query: str) -> None:
        """Show only the accounts matching `query` (empty: everything)."""
        self.filter_query = query
        box = self.query_one("#filter", FilterInput)
        if query and not box.display:
            box.display = True
        if box.value != query:
            with box.prevent(Input.Changed):
                box.value = query
        self.filter.now()
        self.refresh_status()

    def apply_filter(self, result: FilterResult) -> None:
        """Show a filter's result (`FilterFlow` decides which). Only the view on screen
        follows; the other catches up when it is shown. Matches unchanged (a refresh, a
        space typed): nothing is rebuilt."""
        screen = self
        if screen.view is None or not self.drawn:
            return
        matches = result.matches
        stale = screen.table_stale if screen.showing_table else screen.tree_stale
        unchanged = matches == screen.matches and not stale
        screen.matches, screen.match_counts = matches, result.counts
        if screen.showing_table:
            if not unchanged:
                screen.fill_table()
            screen.tree_stale = True
        else:
            tree = screen.tree_view
            if unchanged and tree.matches == matches:
                tree.refresh_labels(screen.view, counts=result.counts)
            else:
                tree.set_matches(result.found, counts=result.counts)
            screen.tree_stale = False
            screen.table_stale = True
        screen.refresh_status()
        screen.refresh_detail()

    def on_filter_searched(self, message: FilterSearched) -> None:
        self.filter.landed(message.result)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """A key in the filter: the search runs once typing pauses (`FilterFlow`)."""
        self.filter_query = event.value
        if self.view is not None:
            self.filter.typed()
        self.refresh_status()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if self.view is None:
            return
        if self.filter.pending:  # enter applies what is typed at once
            self.filter.now()
        if not self.filter_query.strip():
            self.action_clear_filter()
            return
        if not self.matches:
            self.notify(f'No account matches "{self.filter_query.strip()}".', severity="warning")
            return
        if self.showing_table:
            self.table.action_first()
            self.set_focus(self.table)
            return
        first = self.tree_view.first_match()
        if first is not None:
            self.tree_view.reveal(first)
        self.set_focus(self.tree_view)

    def _clear_filter_input(self) -> None:
        box = self.query_one("#filter", FilterInput)
        with box.prevent(Input.Changed):
            box.value = ""
        box.display = False

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("attest", "deregister"):  # audit mode: not shown, not run
            narrow = parameters == ("narrow",)  # the twin kept for a narrow footer
            return not self.read_only and self.footer_shows_writes != narrow
        if action in ("close_accounts", "move"):  # audit mode: not shown, not run
            narrow = parameters == ("narrow",)
            return not self.read_only and self.footer_shows_more != narrow
        if action == "remove":  # the management account's Remove, or a member's Leave
            member = self.view is not None and not self.view.snapshot.is_management_caller
            return not self.read_only and (parameters == ("leave",)) == member
        if action in ("invite", "invitations"):  # writes, or what the writes made
            return not self.read_only or action == "invitations"
        if action in ("mark", "mark_all"):
            return not self.read_only  # audit mode: not shown, not run
        if action == "read_only_notice":
            return self.read_only
        if action == "cycle_destination":  # audit mode's footer, with no writes, has room
            room = self.read_only or self.size.width >= WIDER_FOOTER
            return room != (parameters == ("narrow",))
        return True

    def action_filter(self) -> None:
        box = self.query_one("#filter", FilterInput)
        if box.has_focus:  # `/` typed in the filter (a tag's value, an OU's path)
            box.insert_text_at_cursor("/")
            return
        box.display = True
        # At once (Widget.focus waits for the keys already read; so here everywhere).
        self.set_focus(box)

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", FilterInput)
        if not self.filter_query and not box.display:
            return
        self._clear_filter_input()
        # The view shown keeps its cursor where it was (OrgTree.set_matches reveals its
        # account, AccountTable keeps its row): nothing to jump to.
        self.set_filter("")
        self.set_focus(self._active_view())

    def _active_view(self) -> OrgTree | AccountTable:
        return self.table if self.showing_table else self.tree_view

    def action_toggle_table(self) -> None:
        """Tree <-> table, the cursor staying on the same account."""
        account = self.cursor_account()
        switcher = self.query_one("#views", ViewSwitcher)
        if self.showing_table:
            switcher.current = "tree"
            if self.tree_stale and self.view is not None:
                self.tree_view.set_matches(self.matches, counts=self.match_counts or None)
                self.tree_stale = False
            if account is not None and self.view is not None:
                self.tree_view.reveal(account)
        else:
            switcher.current = "table"
            if self.table_stale:
                self.fill_table()
            if account is not None:
                self.table.move_to(account)
        self.set_focus(self._active_view())
        self.refresh_bindings()
        self.refresh_detail()

    def action_mark(self) -> None:
        """Space: mark or unmark the account (on an OU or the root: every account under
        it that is shown), then move the cursor down."""
        ref = self.cursor_ref()
        if ref is None or self.view is None:
            return
        if ref.kind == "account":
            self._toggle([ref.id])
        else:
            under = [a.id for a in self.view.snapshot.iter_accounts_under(ref.id)]
            if self.matches is not None:
                under = [a for a in under if a in self.matches]
            if not under:
                self.notify("No account under it to mark.", timeout=3)
                return
            self._toggle(under)
        self._active_view().action_cursor_down()

    def action_mark_all(self) -> None:
        """A: mark every account shown (the filter's matches, or all); again to unmark."""
        if shown := self.shown_accounts():
            self._toggle(shown)

    def action_remove(self, _how: str = "") -> None:
        """r: remove the marked accounts (or the one under the cursor), or say why not;
        a member leaves (`_how` is the footer's word for it)."""
        ids = self.selected_accounts()
        if not ids and self.view is not None and not self.read_only:
            self.notify(
                "Put the cursor on an account, or mark accounts with space, then press r.",
                severity="warning",
            )
            return
        self.post_message(WriteAsked("remove", ids))

    @property
    def footer_shows_writes(self) -> bool:
        """v and d in the footer: room for them, and the management account's session
        (a member may not call them; the keys say so)."""
        member = self.view is not None and not self.view.snapshot.is_management_caller
        return self.size.width >= WIDE_FOOTER and not member

    @property
    def footer_shows_more(self) -> bool:
        """c and m in the footer too: room for them beside v, d, r, ? and q."""
        return self.footer_shows_writes and self.size.width >= WIDEST_FOOTER

    def on_resize(self) -> None:
        self.refresh_bindings()  # v and d in the footer, or not

    def action_attest(self, _where: str = "") -> None:
        """v: attest the marked accounts (or the one under the cursor)."""
        self.post_message(WriteAsked("attest", self.selected_accounts()))

    def action_deregister(self, _where: str = "") -> None:
        """d: deregister the account under the cursor as delegated administrator."""
        account = self.cursor_account()
        self.post_message(WriteAsked("deregister", [account] if account else []))

    def action_close_accounts(self, _where: str = "") -> None:
        """c: close the marked accounts (or the one under the cursor)."""
        self.post_message(WriteAsked("close", self.selected_accounts()))

    def action_move(self, _where: str = "") -> None:
        """m: move the marked accounts (or the one under the cursor) to an OU."""
        self.post_message(WriteAsked("move", self.selected_accounts()))

    def action_invite(self) -> None:
        """i: invite accounts (management account; the marked ones are not members, so
        the dialog asks for ids), or accept an open invitation (a member)."""
        self.post_message(WriteAsked("invite", []))

    def action_invitations(self) -> None:
        """I: the organization's invitations (handshakes)."""
        self.post_message(WriteAsked("invitations", []))

    def action_cycle_destination(self, _where: str = "") -> None:
        """x: the next destination; the app re-assesses the view for it."""
        self.post_message(DestinationAsked())

    def action_read_only_notice(self, what: str = "removed") -> None:
        if what == "invited" and self.view is not None and self.view.snapshot.member_mode:
            what = "accepted"  # a member's i accepts an invitation
        self.notify(read_only_notice(what), severity="warning")
