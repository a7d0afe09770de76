"""The main screen: header, the tree or the account table (`t`), the detail pane, the
status line and the footer; the filter, the marks and the keys that act on accounts.

The app (`OrgApp`) keeps the session (AWS context, read-only, loading, theme, the removal
dialog); this screen shows the view it is given (`show_view`) and owns what the user
does with it: the filter, the marked accounts (`is_marked`, `marked`), which of the two
views is shown and where its cursor is. Both views answer the same questions through
`cursor_account` and `selected_accounts`, so `r` (and any key acting on "the marked
accounts, or the one under the cursor") behaves the same in either.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Input, Tree

from orgtui.ui.table_model import TableModel
from orgtui.ui.view import NodeRef, OrgView
from orgtui.ui.widgets.account_table import AccountTable
from orgtui.ui.widgets.detail import DetailPane
from orgtui.ui.widgets.filter_bar import FilterInput
from orgtui.ui.widgets.header import OrgHeader
from orgtui.ui.widgets.org_tree import OrgTree
from orgtui.ui.widgets.status import StatusLine

if TYPE_CHECKING:
    from orgtui.ui.app import OrgApp

READ_ONLY_NOTICE = "This session is read-only (orgtui audit): nothing can be removed."


class MainScreen(Screen[None]):
    """Browse, filter, sort and mark; `r` hands the selection to the app's dialog."""

    AUTO_FOCUS = "#tree"
    # The footer lists the focused view's keys, then these, then the app's (? and q).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear-filter"),
        Binding("t", "toggle_table", "Table", id="toggle-table"),
        Binding("A", "mark_all", "Mark all", id="mark-all"),
        Binding("r", "remove", "Remove", id="remove"),
        Binding("r", "read_only_notice", "Remove", show=False, id="remove-read-only"),
    ]

    def __init__(self, *, read_only: bool, demo: bool) -> None:
        super().__init__(id="main-screen")
        self.read_only = read_only
        self.demo = demo
        self.view: OrgView | None = None
        self.filter_query = ""
        self.matches: set[str] | None = None  # the filter's result (None: no filter)
        self._marked: set[str] = set()
        self._table_model: TableModel | None = None
        self._table_stale = True  # the table's rows predate the view or the filter
        self._tree_stale = False  # the tree's matches predate the filter

    @property
    def org_app(self) -> OrgApp:
        return self.app  # type: ignore[return-value]

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield OrgHeader(read_only=self.read_only, demo=self.demo, id="header")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield FilterInput(id="filter")
                with ContentSwitcher(initial="tree", id="views"):
                    yield OrgTree(is_marked=self.is_marked, id="tree")
                    yield AccountTable(is_marked=self.is_marked, id="table")
            yield DetailPane(id="detail")
        yield StatusLine(read_only=self.read_only, id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.tree_view.loading = True
        self.refresh_status()
        self.org_app.main_screen_ready()

    @property
    def tree_view(self) -> OrgTree:
        return self.query_one("#tree", OrgTree)

    @property
    def table(self) -> AccountTable:
        return self.query_one("#table", AccountTable)

    @property
    def showing_table(self) -> bool:
        return self.query_one("#views", ContentSwitcher).current == "table"

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
        if self.view is None:
            return []
        accounts = self.view.snapshot.accounts
        if self.matches is None:
            return list(accounts)
        return [a for a in accounts if a in self.matches]

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
        self._table_stale = True
        tree = self.tree_view
        if tree.loading:
            tree.loading = False
            if self.focused is None:
                tree.focus()
            self.refresh_bindings()
        same = (old is not None
                and old.snapshot.child_ous == view.snapshot.child_ous
                and old.snapshot.child_accounts == view.snapshot.child_accounts)
        if same:
            tree.refresh_labels(view)
            if self.filter_query.strip():
                self._apply_filter()
        else:
            tree.view = view
            if self.filter_query.strip():
                self._apply_filter()
            else:
                tree.show(view, keep_state=old is not None)
        if self.showing_table:
            self._fill_table()
        self.query_one("#header", OrgHeader).show_org(view.snapshot)
        self.refresh_panels()

    def drop_account(self, view: OrgView, account_id: str) -> None:
        """An account left the organization (`view` no longer has it)."""
        self.view = view
        self._marked.discard(account_id)
        if self.matches is not None:
            self.matches.discard(account_id)
        self._table_model = None
        self._table_stale = True
        tree = self.tree_view
        tree.view = view
        tree.drop(account_id)
        tree.refresh_labels(view)
        if self.showing_table:
            self._fill_table()
        self.refresh_panels()

    def _fill_table(self) -> None:
        if self.view is None:
            return
        if self._table_model is None or self._table_model.view is not self.view:
            self._table_model = TableModel(self.view)
        self.table.show(self._table_model, self.matches)
        self._table_stale = False

    # --- painting -----------------------------------------------------------------------

    def refresh_panels(self) -> None:
        self.refresh_header()
        self.refresh_status()
        self.refresh_detail()

    def refresh_header(self) -> None:
        if self.is_mounted:
            self.query_one("#header", OrgHeader).show_load(self.org_app.load_state())

    def refresh_status(self) -> None:
        if not self.is_mounted:
            return
        total = len(self.view.snapshot.accounts) if self.view else 0
        matches = len(self.matches) if self.matches is not None else None
        self.query_one("#status", StatusLine).show(len(self._marked),
                                                   self.filter_query.strip(), matches, total)

    def refresh_detail(self) -> None:
        if self.is_mounted:
            self.query_one("#detail", DetailPane).show(self.view, self.cursor_ref(),
                                                       self.org_app.incomplete)

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
            self.table.focus()
        else:
            self.tree_view.reveal(account_id)
            self.tree_view.focus()
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
        if self.view is not None:
            self._apply_filter()
        self.refresh_status()

    def _apply_filter(self) -> None:
        assert self.view is not None
        query = self.filter_query.strip()
        found = self.view.search(query) if query else None
        self.matches = set(found) if found is not None else None
        # Only the view on screen follows each keystroke; the other catches up when shown.
        if self.showing_table:
            self._fill_table()
            self._tree_stale = True
        else:
            self.tree_view.set_matches(found)
            self._table_stale = True
        self.refresh_detail()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_query = event.value
        if self.view is not None:
            self._apply_filter()
        self.refresh_status()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if self.view is None:
            return
        if not self.filter_query.strip():
            self.action_clear_filter()
            return
        if not self.matches:
            self.notify(f'No account matches "{self.filter_query.strip()}".',
                        severity="warning")
            return
        if self.showing_table:
            self.table.action_first()
            self.table.focus()
            return
        first = self.tree_view.first_match()
        if first is not None:
            self.tree_view.reveal(first)
        self.tree_view.focus()

    def _clear_filter_input(self) -> None:
        box = self.query_one("#filter", FilterInput)
        with box.prevent(Input.Changed):
            box.value = ""
        box.display = False

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("remove", "mark", "mark_all"):
            return not self.read_only  # audit mode: not shown, not run
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
        account = self.cursor_account()
        self._clear_filter_input()
        self.set_filter("")
        if account is not None:
            self.jump_to(account)
        else:
            self._active_view().focus()

    def _active_view(self) -> OrgTree | AccountTable:
        return self.table if self.showing_table else self.tree_view

    def action_toggle_table(self) -> None:
        """Tree <-> table, the cursor staying on the same account."""
        account = self.cursor_account()
        switcher = self.query_one("#views", ContentSwitcher)
        if self.showing_table:
            switcher.current = "tree"
            if self._tree_stale and self.view is not None:
                self.tree_view.set_matches(self.matches)
                self._tree_stale = False
            if account is not None and self.view is not None:
                self.tree_view.reveal(account)
        else:
            switcher.current = "table"
            if self._table_stale:
                self._fill_table()
            if account is not None:
                self.table.move_to(account)
        self._active_view().focus()
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
        view = self._active_view()
        view.action_cursor_down()

    def action_mark_all(self) -> None:
        """A: mark every account shown (the filter's matches, or all); again to unmark."""
        shown = self.shown_accounts()
        if shown:
            self._toggle(shown)

    def action_remove(self) -> None:
        if self.read_only:
            self.action_read_only_notice()
            return
        if self.view is None:
            self.notify("The organization is still loading.", severity="warning")
            return
        ids = self.selected_accounts()
        if not ids:
            self.notify("Put the cursor on an account, or mark accounts with space, "
                        "then press r.", severity="warning")
            return
        self.org_app.open_removal(ids)

    def action_read_only_notice(self) -> None:
        self.notify(READ_ONLY_NOTICE, severity="warning")
