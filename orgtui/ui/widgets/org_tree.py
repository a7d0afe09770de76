"""The OU/account tree: lazy (children added when an OU opens, big OUs in chunks), labels
drawn from the current `OrgView` at render time, so a verdict update is a repaint, not a
rebuild. Labels are built by `orgtui.ui.render` (verdict first, names cleaned, never
markup); whether an account is marked is asked of the screen (`is_marked`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from orgtui.session.view import NodeRef, OrgView
from orgtui.text import clean, plural
from orgtui.ui.contrast import readable_strip
from orgtui.ui.palette import BOLD, DIM, palette
from orgtui.ui.render import MARK, MIN_NAME_CELLS, account_label, safe, same_text
from orgtui.ui.textual_compat import grow_line_cache, render_tree_line
from orgtui.ui.widgets.line_widget import LineWidget, scroll_range_only

CHUNK = 400  # accounts added per step when an OU opens; the rest follow after a repaint
AUTO_EXPAND_MATCHES = 200  # a filter with at most this many matches opens their OUs
VERDICT_WIDTH = 8  # "blocked " / "review? ": the verdict column of an account line


def counts_text(view: OrgView, container_id: str, matches: int | None = None) -> str:
    counts = view.counts_of(container_id)
    text = plural(counts.total, "account")
    if counts.blocked:
        text += f" · {counts.blocked} blocked"
    if matches is not None:
        text += f" · {matches} match{'es' if matches != 1 else ''}"
    return text


def _never_marked(account_id: str) -> bool:
    return False


class ReadingNotice(Static):
    """What covers the tree while the structure is read (`OrgTree.loading`): a still line.
    Textual's LoadingIndicator redraws 16 times a second; the header counts the calls
    already, and on a small machine those redraws took CPU from the structure walk (on
    2 CPUs at 1,000 accounts the tree appeared 4% later with it)."""

    DEFAULT_CSS = """
    ReadingNotice {
        width: 100%;
        height: 100%;
        content-align: center middle;
        color: $text-muted;
    }
    ReadingNotice.-textual-loading-indicator {
        layer: _loading;
        background: $boost;
        dock: top;
    }
    """

    def __init__(self) -> None:
        super().__init__("Reading the organization's OUs and accounts…")


class OrgTree(LineWidget, Tree[NodeRef], inherit_bindings=False):
    """Root, OUs and accounts of one organization."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="move-down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="move-up"),
        Binding("enter,l", "open", "Open", id="open"),
        Binding("h", "close", "Collapse", show=False, id="collapse"),
        Binding("space", "screen.mark", "Mark", id="mark"),
        Binding("pagedown", "page_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("home", "scroll_home", show=False),
        Binding("end", "scroll_end", show=False),
    ]

    def _on_resize(self, event: events.Resize) -> None:
        # Textual's Tree forgets every line it drew at each resize (here: the filter bar
        # showing or hiding, or `t` showing the tree again), so all of them were drawn
        # again. Its lines do not depend on the height, its line cache is keyed by the
        # width, and the layout that resized it has drawn it already.
        event.prevent_default()
        grow_line_cache(self, event.size.height)
        if event.size.width != self._built_width:  # labels fit the width: measure again
            self._build()

    def get_loading_widget(self) -> Widget:
        return ReadingNotice()

    def _invalidate(self) -> None:
        # Textual's Tree lays the whole screen out at every node added, opened or closed,
        # and again when it rebuilds its lines (their count is its scroll range). The
        # tree's size and place never depend on its lines: a repaint and the scroll range.
        with scroll_range_only(self):
            super()._invalidate()

    def _build(self) -> None:
        self._built_width = self.size.width
        with scroll_range_only(self):
            super()._build()

    def __init__(
        self, *, is_marked: Callable[[str], bool] = _never_marked, **kwargs: object
    ) -> None:
        super().__init__(Text("organization"), data=None, **kwargs)  # type: ignore[arg-type]
        self.auto_expand = False
        self.guide_depth = 3
        self.view: OrgView | None = None
        self.is_marked = is_marked
        # Filter: the matching account ids, and the containers on their paths.
        self.matches: set[str] | None = None
        self._visible: set[str] | None = None
        self._match_counts: dict[str, int] = {}
        self.nodes: dict[str, TreeNode[NodeRef]] = {}
        self._filled: set[str] = set()
        self._pending: dict[str, list[str]] = {}
        self._could_open = True
        self._built_width = 0  # the width the lines were measured for

    # --- building ---------------------------------------------------------------------

    def show(self, view: OrgView, *, keep_state: bool = True) -> None:
        """Paint a new view: rebuild (first level open), keeping open OUs and the cursor."""
        opened = self.opened_ids() if keep_state else set()
        cursor = self.cursor_ref
        self.view = view
        self._build_tree(opened)
        if keep_state and cursor is not None and cursor.id in self.nodes:
            self.move_cursor(self.nodes[cursor.id])
        else:
            self.move_cursor(self.root)

    def refresh_labels(
        self, view: OrgView | None = None, counts: dict[str, int] | None = None
    ) -> None:
        """Same structure, new facts (verdicts, marks, the matches per OU): repaint the
        loaded nodes."""
        if view is not None:
            self.view = view
        if counts is not None and self.matches is not None:
            self._match_counts = counts
        self._invalidate()

    def set_matches(
        self, matches: Iterable[str] | None, counts: dict[str, int] | None = None
    ) -> None:
        """Show only the matching accounts and the OUs above them (None: show everything).
        `counts`, the matches under each container, comes with a search made in the
        filter's worker (`filter_flow.search`); without it, it is counted here."""
        assert self.view is not None
        self._match_counts = {}
        if matches is None:
            self.matches = self._visible = None
        else:
            self.matches = set(matches)
            if counts is None:
                counts = self.view.match_counts(self.matches)
            self._match_counts = counts
            self._visible = set(counts)
        opened: set[str] = set()
        if self.matches is not None and len(self.matches) <= AUTO_EXPAND_MATCHES:
            opened = set(self._visible or ())
        cursor = self.cursor_ref
        self._build_tree(opened)
        # Typing in the filter never throws the cursor back to the root: it stays on its
        # account (or OU) while that is shown, else it goes to the first match.
        shown = self.matches is None or (cursor is not None and cursor.id in self.matches)
        if cursor is not None and cursor.kind == "account" and shown:
            self.reveal(cursor.id)
        elif (
            cursor is not None
            and cursor.id in self.nodes
            and (cursor.kind == "ou" or self.matches is None)
        ):
            self._build()
            self.move_cursor(self.nodes[cursor.id])
        elif (first := self.first_match()) is not None:
            self.reveal(first)
        else:
            self.move_cursor(self.root)

    def _build_tree(self, opened: set[str]) -> None:
        assert self.view is not None
        snap = self.view.snapshot
        self.clear()
        self.nodes.clear()
        self._filled.clear()
        self._pending.clear()
        root = snap.roots[0] if snap.roots else None
        if root is None:
            return
        self.root.data = NodeRef("root", root.id)
        label, shown = safe(root.name), self.root.label
        if not (isinstance(shown, Text) and same_text(shown, label)):
            # Tree.clear keeps the root's label; setting it again (TreeNode.set_label)
            # schedules a refresh of every line on screen, for the same words.
            self.root.set_label(label)
        self.nodes[root.id] = self.root
        self.fill(self.root)
        self.root.expand()
        self._reopen(self.root, opened)

    def _reopen(self, node: TreeNode[NodeRef], opened: set[str]) -> None:
        for child in node.children:
            ref = child.data
            if ref is not None and ref.kind == "ou" and ref.id in opened:
                self.fill(child)
                child.expand()
                self._reopen(child, opened)

    def _children(self, container_id: str) -> tuple[list[str], list[str]]:
        assert self.view is not None
        snap = self.view.snapshot
        ous = list(snap.child_ous.get(container_id, ()))
        accounts = [a for a in snap.child_accounts.get(container_id, ()) if a in snap.accounts]
        if self.matches is not None:
            visible = self._visible or set()
            ous = [o for o in ous if o in visible]
            accounts = [a for a in accounts if a in self.matches]
        return ous, accounts

    def fill(self, node: TreeNode[NodeRef], *, complete: bool = False) -> None:
        """Add a container's children once: its OUs, then its accounts in chunks."""
        ref = node.data
        if ref is None or ref.kind == "account":
            return
        if ref.id not in self._filled:
            self._filled.add(ref.id)
            ous, accounts = self._children(ref.id)
            snap = self.view.snapshot  # type: ignore[union-attr]
            for ou_id in ous:
                has_children = bool(snap.child_ous.get(ou_id) or snap.child_accounts.get(ou_id))
                child = node.add(
                    safe(snap.ous[ou_id].name), data=NodeRef("ou", ou_id), allow_expand=has_children
                )
                self.nodes[ou_id] = child
            self._pending[ref.id] = accounts
            self._add_chunk(node, everything=complete)
        elif complete:
            self._add_chunk(node, everything=True)

    def _add_chunk(self, node: TreeNode[NodeRef], everything: bool = False) -> None:
        ref = node.data
        if ref is None or node.tree is not self or ref.id not in self._pending:
            return
        pending = self._pending[ref.id]
        take = pending if everything else pending[:CHUNK]
        for acc_id in take:
            acc = self.view.snapshot.accounts[acc_id]  # type: ignore[union-attr]
            self.nodes[acc_id] = node.add_leaf(safe(acc.name), data=NodeRef("account", acc_id))
        rest = pending[len(take) :]
        if rest:
            self._pending[ref.id] = rest
            self.call_after_refresh(self._add_chunk, node)
        else:
            del self._pending[ref.id]

    def reveal(self, account_id: str) -> bool:
        """Open every OU above an account and put the cursor on it."""
        assert self.view is not None
        if account_id not in self.view.snapshot.accounts:
            return False
        for container in reversed(self.view.containers_of(account_id)):
            node = self.nodes.get(container)
            if node is None:
                return False
            self.fill(node)  # its OUs, and its first accounts
            node.expand()
        if account_id not in self.nodes:  # further down a big OU: the rest of it now
            self.fill(self.nodes[self.view.snapshot.accounts[account_id].parent_id], complete=True)
        target = self.nodes.get(account_id)
        if target is None:
            return False
        self._build()  # lines are needed now to place the cursor
        self.move_cursor(target)
        return True

    def refresh_account(self, account_id: str) -> None:
        """Repaint one account's line (marked or unmarked)."""
        node = self.nodes.get(account_id)
        if node is not None:
            node.refresh()

    def first_match(self) -> str | None:
        """The first matching account in the order the tree shows them."""
        if self.view is None or self.matches is None:
            return None
        return self._first_in([r.id for r in self.view.snapshot.roots])

    def _first_in(self, containers: list[str]) -> str | None:
        """Depth first, OUs before accounts, as the tree lists them."""
        assert self.view is not None and self.matches is not None
        snap = self.view.snapshot
        visible = self._visible or set()
        for container in containers:
            if container not in visible:
                continue
            deeper = self._first_in(list(snap.child_ous.get(container, ())))
            if deeper:
                return deeper
            found = next(
                (a for a in snap.child_accounts.get(container, ()) if a in self.matches), None
            )
            if found:
                return found
        return None

    def drop(self, account_id: str) -> None:
        """Remove an account's node (it left the organization)."""
        node = self.nodes.pop(account_id, None)
        if node is not None and self.cursor_node is node:
            after = node.next_sibling or node.previous_sibling or node.parent
            if after is not None:
                self.move_cursor(after)
        for pending in self._pending.values():
            if account_id in pending:
                pending.remove(account_id)
        if self.matches is not None and account_id in self.matches:
            self.matches.discard(account_id)
            if self.view is not None:
                for container in self.view.containers_of(account_id):
                    self._match_counts[container] = self._match_counts.get(container, 1) - 1
        if node is not None:
            node.remove()

    # --- reading ----------------------------------------------------------------------

    @property
    def cursor_ref(self) -> NodeRef | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def opened_ids(self) -> set[str]:
        return {
            ref.id
            for ref, node in ((n.data, n) for n in self.nodes.values())
            if ref is not None and ref.kind == "ou" and node.is_expanded
        }

    # --- drawing ----------------------------------------------------------------------

    def _label(self, ref: NodeRef, room: int | None = None) -> Text:
        view = self.view
        if view is None:
            return Text("…")
        snap = view.snapshot
        if ref.kind == "account":
            acc = snap.accounts.get(ref.id)
            if acc is None:
                return Text(clean(ref.id), style=DIM)
            return account_label(
                acc,
                view.verdict(ref.id),
                palette(self.app),
                complete=view.complete,
                marked=self.is_marked(ref.id),
                reading=view.reading,
                room=room,
            )
        matches = self._match_counts.get(ref.id, 0) if self.matches is not None else None
        text = Text.assemble(safe(snap.node_name(ref.id), BOLD))
        if ref.kind == "root" and not snap.member_mode:
            # A member's root is already named after the organization.
            text.append(f"  {clean(snap.organization.id)}", style=DIM)
        text.append(f"  {counts_text(view, ref.id, matches)}", style=DIM)
        return text

    def render_line(self, y: int) -> Strip:
        # Tree.render_line, with the style asked once per draw (`LineWidget`).
        style = self.draw_style
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        strip = render_tree_line(self, y + scroll_y, scroll_x, scroll_x + width, style)
        if y + scroll_y == self.cursor_line:
            return readable_strip(strip)
        return strip

    def render_label(self, node: TreeNode[NodeRef], base_style: Style, style: Style) -> Text:
        ref = node.data
        if ref is None:
            return super().render_label(node, base_style, style)
        room = self._room(node)
        text = self._label(ref, room if ref.kind == "account" else None)
        text.stylize(style)
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            # An OU's counts are cut at the edge rather than scrolled to.
            text.truncate(max(1, room - cell_len(icon)), overflow="ellipsis")
            return Text.assemble((icon, base_style + Style(bold=True)), text)
        return text

    def _room(self, node: TreeNode[NodeRef]) -> int:
        """The cells left for a node's label after the guides (`guide_depth` a level).

        The vertical scrollbar's column is always left out, shown or not: the labels
        measured before it appears must still fit after (no sideways scroll by one)."""
        depth, up = 0, node.parent
        while up is not None:
            depth, up = depth + 1, up.parent
        width = self.content_region.width - self.styles.scrollbar_size_vertical
        return width - depth * self.guide_depth

    def get_label_width(self, node: TreeNode[NodeRef]) -> int:
        """The width of the label as drawn (an overestimate would show a horizontal
        scrollbar with nothing to scroll)."""
        ref = node.data
        view = self.view
        if ref is None or view is None:
            return super().get_label_width(node)
        icon = cell_len(self.ICON_NODE) if node.allow_expand else 0
        if ref.kind == "account":
            acc = view.snapshot.accounts.get(ref.id)
            if acc is None:
                return len(ref.id)
            after = 2 + len(acc.id)
            if acc.state != "ACTIVE":
                after += 2 + cell_len(clean(acc.state))
            head = VERDICT_WIDTH + (len(MARK) if self.is_marked(ref.id) else 0)
            name = cell_len(clean(acc.name or acc.id))
            # As account_label draws it: the name cut to the room, never below its minimum.
            room = self._room(node) - head - after
            return head + (name if name <= room else max(MIN_NAME_CELLS, room)) + after
        return min(icon + self._label(ref).cell_len, max(icon + 1, self._room(node)))

    # --- actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`enter` is offered only where it opens something (not on an account)."""
        if action == "open":
            node = self.cursor_node
            return node is not None and node.allow_expand
        return True

    def watch_cursor_line(self, previous_line: int, line: int) -> None:
        super().watch_cursor_line(previous_line, line)
        node = self.cursor_node
        can_open = node is not None and node.allow_expand
        if can_open != self._could_open:  # the footer's "⏎ Open" comes and goes
            self._could_open = can_open
            self.refresh_bindings()

    def action_open(self) -> None:
        """Open an OU (or step into it when open); on an account, nothing to open."""
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if node.is_expanded:
            if node.children:
                self.move_cursor(node.children[0])
            return
        self.fill(node)
        node.expand()

    def action_close(self) -> None:
        """Collapse an open OU, else move to the parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded and node is not self.root:
            node.collapse()
        elif node.parent is not None:
            self.move_cursor(node.parent)

    # Tree posts NodeExpanded / NodeCollapsed / NodeSelected for every node opened, by a
    # key or by the code (a reveal opens each OU above the account); nothing above the
    # tree reads them, so they stop here instead of climbing five containers each.

    def _on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeRef]) -> None:
        # Mouse clicks expand through Tree itself: fill the node then.
        event.stop()
        self.fill(event.node)

    def _on_tree_node_collapsed(self, event: Tree.NodeCollapsed[NodeRef]) -> None:
        event.stop()

    def _on_tree_node_selected(self, event: Tree.NodeSelected[NodeRef]) -> None:
        # A click on an OU's label opens or closes it.
        event.stop()
        node = event.node
        if node.allow_expand and node is not self.root:
            self.fill(node)
            node.toggle()
