"""The account table's rows: cell texts, sort orders and column widths, per view.

Plain Python (no textual import). Cells are cleaned strings, built when a row is first
drawn. Each column's order is sorted once per view, when first asked for (ties broken by
name, then id), and kept as a rank; a filter result is then put in order either by
walking the column's order (many matches) or by sorting the matches by rank (few), so a
keystroke never sorts the whole organization again.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timezone

from rich.cells import cell_len

from orgtui.model import Account, iso, utc
from orgtui.session.view import OrgView
from orgtui.text import clean


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    max_width: int  # cells wider than this are cut with an ellipsis


# The verdict comes first so that it is never cut at 80 columns (as in the tree);
# `s` moves the sort to the next column in this order, starting from the name.
COLUMNS: tuple[Column, ...] = (
    Column("verdict", "Verdict", 8),
    Column("name", "Name", 32),
    Column("id", "Id", 12),
    Column("ou", "OU path", 36),
    Column("state", "State", 18),
    Column("joined", "Joined", 18),
    Column("email", "Email", 40),
)
NAME_COLUMN = 1
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
VERDICT_RANK = {"blocked": 0, "review": 1, "ready": 2}


def _joined(acc: Account) -> str:
    when = (iso(acc.joined_timestamp) or "")[:10]
    return f"{acc.joined_method.lower()} {when}".strip()


class TableModel:
    """What the table shows of one view (one per view: `TableModel.of`)."""

    @classmethod
    def of(cls, view: OrgView) -> TableModel:
        """The view's model, made once and kept on the view, so that it lives as long as
        the view does (the load worker prepares it, see `prepare`)."""
        model = view.table_model
        if not isinstance(model, cls):
            model = view.table_model = cls(view)
        return model

    def prepare(self, column: int = NAME_COLUMN) -> TableModel:
        """Sort by a column and measure the widths now: the load worker calls it, so that
        `t` and a refresh with the table shown do not sort 10,000 accounts on the UI
        thread. Any thread."""
        self.order(column)
        self.widths()
        return self

    def __init__(self, view: OrgView) -> None:
        # Weak: the view holds its model (`of`); a cycle would outlive a frozen GC.
        self._view = weakref.ref(view)
        self._cells: dict[str, tuple[str, ...]] = {}
        self._orders: dict[int, list[str]] = {}
        self._ranks: dict[int, dict[str, int]] = {}
        self._widths: tuple[int, ...] | None = None
        self._paths: dict[str, str] = {}

    @property
    def view(self) -> OrgView:
        view = self._view()
        assert view is not None, "a table model outlived its view"
        return view

    def _path(self, account_id: str) -> str:
        """The account's OU path, worked out once per parent."""
        parent = self.view.snapshot.accounts[account_id].parent_id
        found = self._paths.get(parent)
        if found is None:
            found = self._paths[parent] = " / ".join(self.view.snapshot.ou_path(account_id))
        return found

    def cells(self, account_id: str) -> tuple[str, ...]:
        found = self._cells.get(account_id)
        if found is None:
            snap = self.view.snapshot
            acc = snap.accounts[account_id]
            found = tuple(
                clean(v)
                for v in (
                    self.view.badge(account_id),
                    acc.name,
                    acc.id,
                    self._path(account_id),
                    acc.state,
                    _joined(acc),
                    acc.email,
                )
            )
            self._cells[account_id] = found
        return found

    def _sort_key(self, column: int) -> Callable[[str], tuple[object, ...]]:
        snap = self.view.snapshot
        accounts = snap.accounts
        key = COLUMNS[column].key

        def name(a: str) -> tuple[str, str]:
            return (accounts[a].name.casefold(), a)

        if key == "verdict":
            return lambda a: (VERDICT_RANK.get(self.view.verdict(a), 3), *name(a))
        if key == "ou":
            return lambda a: (self._path(a).casefold(), *name(a))
        if key == "joined":
            return lambda a: (
                accounts[a].joined_method,
                accounts[a].joined_timestamp is None,
                utc(accounts[a].joined_timestamp) or EPOCH,
                *name(a),
            )
        if key in ("state", "email"):
            return lambda a: (str(getattr(accounts[a], key)).casefold(), *name(a))
        if key == "id":
            return lambda a: (a,)
        return name

    def order(self, column: int) -> list[str]:
        """Every account in the column's order (ascending), sorted once per view."""
        found = self._orders.get(column)
        if found is None:
            found = sorted(self.view.snapshot.accounts, key=self._sort_key(column))
            self._orders[column] = found
            self._ranks[column] = {a: i for i, a in enumerate(found)}
        return found

    def rows(self, column: int, reverse: bool, matches: Collection[str] | None) -> list[str]:
        """The accounts to show (all, or the matches), in the column's order."""
        order = self.order(column)
        if matches is None:
            rows = list(order)
        elif len(matches) * 8 < len(order):  # few: sort them by rank
            rank = self._ranks[column]
            rows = sorted((a for a in matches if a in rank), key=rank.__getitem__)
        else:
            rows = [a for a in order if a in matches]
        if reverse:
            rows.reverse()
        return rows

    def widths(self) -> tuple[int, ...]:
        """Each column as wide as its widest cell or title, up to its maximum."""
        if self._widths is None:
            snap = self.view.snapshot
            widest = [len(c.title) for c in COLUMNS]
            widest[0] = max(widest[0], len("review?"))
            widest[2] = 12
            for acc in snap.accounts.values():
                widest[1] = max(widest[1], cell_len(clean(acc.name)))
                widest[6] = max(widest[6], cell_len(clean(acc.email)))
                widest[4] = max(widest[4], len(acc.state))
            for ou_id in [*snap.ous, *(r.id for r in snap.roots)]:
                path = cell_len(clean(" / ".join([*snap.ou_path(ou_id), snap.node_name(ou_id)])))
                widest[3] = max(widest[3], path)
            widest[5] = max(widest[5], len("invited 2024-01-01"))
            self._widths = tuple(min(w, c.max_width) for w, c in zip(widest, COLUMNS, strict=True))
        return self._widths
