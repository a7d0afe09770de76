"""The OU picker of `m`: where the marked accounts (or the one under the cursor) go.

A `ModalScreen` with an input that filters a list of the organization's roots and OUs,
each shown by its path ("Root / Workloads / Prod"); the current parent of a single account
(or the one every account shares) is left out. Up and down move in the list while typing;
enter on an OU confirms and dismisses with its id, escape cancels (None). The move itself
runs in the app's thread worker (`OrgApp.run_move`). Nothing here calls boto3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from orgtui.model import Snapshot
from orgtui.text import account_label, clean, plural
from orgtui.ui.palette import BOLD, DIM
from orgtui.ui.render import safe
from orgtui.ui.screens.write_text import one_line
from orgtui.ui.widgets.safe_input import SafeInput


def destinations(snap: Snapshot, account_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(id, path) of every root and OU the accounts can go to, roots first then OUs in
    path order; the parent they all share now is not offered (nothing would move)."""
    parents = {snap.accounts[a].parent_id for a in account_ids if a in snap.accounts}
    here = next(iter(parents)) if len(parents) == 1 else None
    found: list[tuple[str, str]] = []
    for root in snap.roots:
        found.append((root.id, clean(root.name) or root.id))
    for ou_id in snap.ous:
        names = [*snap.ou_path(ou_id), snap.node_name(ou_id)]
        found.append((ou_id, " / ".join(clean(n) for n in names)))
    roots = {r.id for r in snap.roots}
    found.sort(key=lambda item: (item[0] not in roots, item[1].lower()))
    return [(node, path) for node, path in found if node != here]


class MoveScreen(ModalScreen[str | None]):
    """Pick the OU to move the accounts to; enter confirms."""

    CSS_PATH = "move.tcss"
    AUTO_FOCUS = "#move-filter"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="move-cancel"),
        # From the filter: up and down move in the list, enter takes the highlighted OU.
        Binding("down", "cursor(1)", "Next", show=False, priority=True, id="move-next"),
        Binding("up", "cursor(-1)", "Previous", show=False, priority=True, id="move-previous"),
    ]

    def __init__(
        self, snapshot: Snapshot, account_ids: Sequence[str], choices: Sequence[tuple[str, str]]
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.account_ids = list(account_ids)
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="move-box"):
            yield Static(self._title(), id="move-title")
            yield SafeInput(
                placeholder="filter OUs by name or path", compact=True, id="move-filter"
            )
            yield OptionList(*self._options(""), id="move-list")
            yield Static(
                Text(
                    "↑/↓ choose · enter moves (MoveAccount, logged before and after) · "
                    "escape cancels",
                    style=DIM,
                ),
                id="move-help",
            )

    def _title(self) -> Text:
        ids = self.account_ids
        if len(ids) == 1:
            account = self.snapshot.accounts.get(ids[0])
            who = account_label(account.name if account else "", ids[0])
            where = " / ".join(self.snapshot.ou_path(ids[0]))
            return one_line(("Move ", BOLD), safe(who, BOLD), "  from ", safe(where, DIM))
        return one_line(("Move ", BOLD), (plural(len(ids), "account"), BOLD), " to an OU")

    def _options(self, query: str) -> list[Option]:
        needle = query.strip().lower()
        return [
            Option(Text(path), id=node)
            for node, path in self.choices
            if not needle or needle in path.lower() or needle == node.lower()
        ]

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#move-list", OptionList)

    def on_mount(self) -> None:
        if self.choices:
            self.option_list.highlighted = 0

    @on(Input.Changed, "#move-filter")
    def _filtered(self, event: Input.Changed) -> None:
        options = self.option_list
        options.clear_options()
        options.add_options(self._options(event.value))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Submitted, "#move-filter")
    def _submitted(self) -> None:
        options = self.option_list
        if options.highlighted is None:
            self.app.bell()
            return
        self._pick(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#move-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def _pick(self, node: str | None) -> None:
        if node is not None:
            self.dismiss(node)

    def action_cursor(self, step: int) -> None:
        options = self.option_list
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
