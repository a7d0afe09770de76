"""The account table (`t`): every account, or the filter's matches, one row each, sorted.

Drawn with Textual's line API: only the rows on screen are rendered, so 10,000 accounts
cost no more per frame than 20. (Textual's DataTable measures every cell of every row it
is given: about 1.9 s for 10,000 rows, on every filter change.) Rows are account ids in
the order `TableModel.rows` gives; cells come from `TableModel.cells` (cleaned strings,
drawn as text). `s` sorts by the next column, `S` reverses, a click on a title sorts by
its column. The header stays on the first line while the rows scroll under it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from orgtui.session.table_model import COLUMNS, NAME_COLUMN, TableModel
from orgtui.ui.contrast import readable_strip
from orgtui.ui.palette import DIM, palette
from orgtui.ui.render import MARK, verdict_style
from orgtui.ui.widgets.line_widget import LineWidget

GAP = 2  # cells between columns
MARK_WIDTH = 2
MIN_NAME_WIDTH = 10  # a name cut shorter than this says too little
OU_COLUMN = 3
MIN_OU_WIDTH = 12  # the OU path's tail is the part cut


def _fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: padded, or cut with an ellipsis."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


class AccountTable(LineWidget, ScrollView, can_focus=True):
    """A sortable, scrollable table of accounts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="move-down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="move-up"),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("space", "screen.mark", "Mark", id="mark"),
        Binding("s", "sort_next", "Sort", id="sort-next"),
        Binding("S", "sort_reverse", "Reverse", show=False, id="sort-reverse"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"account-table--header", "account-table--cursor"}
    DEFAULT_CSS = """
    AccountTable {
        background: $surface;
        & > .account-table--header { text-style: bold; background: $boost; }
        & > .account-table--cursor {
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .account-table--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """

    @dataclass
    class CursorMoved(Message):
        """The account under the cursor changed (None: no row)."""

        table: AccountTable
        account_id: str | None

        @property
        def control(self) -> AccountTable:
            return self.table

    # Not repainted as a whole: the watcher repaints the rows the cursor left and reached.
    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(self, *, is_marked: Callable[[str], bool], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.is_marked = is_marked
        self.model: TableModel | None = None
        self.rows: list[str] = []
        self.sort_column = NAME_COLUMN
        self.reverse = False
        self.matches: Collection[str] | None = None
        self._last_reported: str | None = None
        self._cursor_drawn = 0  # the row drawn with the cursor (a move repaints it)

    # --- what is shown -------------------------------------------------------------------

    @property
    def cursor_account(self) -> str | None:
        if 0 <= self.cursor_row < len(self.rows):
            return self.rows[self.cursor_row]
        return None

    def show(self, model: TableModel, matches: Collection[str] | None) -> None:
        """A new view, or a new filter result: rebuild the rows, the cursor staying on its
        account when it is still shown (else on the first row)."""
        self.model = model
        self.matches = matches
        self._rebuild()

    def sort_by(self, column: int, reverse: bool = False) -> None:
        self.sort_column = column % len(COLUMNS)
        self.reverse = reverse
        self._title()
        self._rebuild()

    def on_mount(self) -> None:
        self._title()

    def _title(self) -> None:
        """The border says the order, for when the sorted column is scrolled out of view."""
        arrow = "▼" if self.reverse else "▲"
        self.border_title = f"sorted by {COLUMNS[self.sort_column].title} {arrow}"

    def move_to(self, account_id: str) -> bool:
        """Put the cursor on an account's row, if it is shown."""
        try:
            self.cursor_row = self.rows.index(account_id)
        except ValueError:
            return False
        return True

    def refresh_rows(self) -> None:
        """Same rows, new facts (marks, theme): repaint."""
        self.refresh()

    def _rebuild(self) -> None:
        keep = self.cursor_account
        if self.model is None:
            self.rows = []
        else:
            self.rows = self.model.rows(self.sort_column, self.reverse, self.matches)
        self._size_to_rows()
        if keep is None or not self.move_to(keep):
            self.cursor_row = 0
        self.refresh()

    def _widths(self) -> tuple[int, ...]:
        if self.model is None:
            return tuple(len(c.title) for c in COLUMNS)
        # Room for the sort arrow after a title.
        widths = [
            max(w, len(c.title) + 2) for w, c in zip(self.model.widths(), COLUMNS, strict=True)
        ]
        # On a narrow screen (80x24 with the detail pane) the name gives way, so that the
        # verdict, the name and the whole 12-digit id show without scrolling sideways.
        shown = self.scrollable_content_region.width
        room = shown - MARK_WIDTH - widths[0] - widths[2] - 2 * GAP
        if 0 < room < widths[1]:
            widths[1] = max(MIN_NAME_WIDTH, room)
        # A column cut at the right edge (`Sta` of State) reads as another word: the OU
        # path gives way so that the column it cuts shows whole, when it can.
        left = MARK_WIDTH
        for i, width in enumerate(widths):
            if left < shown < left + width and i > OU_COLUMN:
                over = left + width - shown
                if widths[OU_COLUMN] - over >= MIN_OU_WIDTH:
                    widths[OU_COLUMN] -= over
                break
            left += width + GAP
        return tuple(widths)

    # --- cursor --------------------------------------------------------------------------

    def watch_cursor_row(self, row: int) -> None:
        if self.rows:
            clamped = max(0, min(row, len(self.rows) - 1))
            if clamped != row:
                self.cursor_row = clamped
                return
            self._keep_visible(row)
        # A move redraws the row the cursor left and the one it reached, not every row
        # shown (a scroll redraws them all anyway).
        self.refresh_line(self._cursor_drawn + 1)  # +1: the titles' line
        self.refresh_line(row + 1)
        self._cursor_drawn = row
        account = self.cursor_account
        if account != self._last_reported:
            self._last_reported = account
            self.post_message(self.CursorMoved(self, account))

    def _size_to_rows(self) -> None:
        widths = self._widths()
        self.set_scroll_size(
            Size(MARK_WIDTH + sum(widths) + GAP * (len(widths) - 1), len(self.rows) + 1)
        )

    def on_resize(self) -> None:
        # The name column's width follows the width shown.
        self._size_to_rows()
        # Shown (or resized) after the cursor was placed: bring its row into view.
        self.call_after_refresh(self._keep_visible, self.cursor_row)

    def _keep_visible(self, row: int) -> None:
        # The header takes a line; a horizontal scrollbar may take another.
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + visible:
            self.scroll_to(y=row - visible + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_cursor_up(self) -> None:
        self.cursor_row = max(0, self.cursor_row - 1)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def action_page_down(self) -> None:
        self.cursor_row += self._page()

    def action_page_up(self) -> None:
        self.cursor_row = max(0, self.cursor_row - self._page())

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = max(0, len(self.rows) - 1)

    def action_sort_next(self) -> None:
        self.sort_by(self.sort_column + 1)

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort_column, not self.reverse)

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:  # a title: sort by its column (again: reverse it)
            column = self._column_at(offset.x + int(self.scroll_x))
            if column is not None:
                reverse = column == self.sort_column and not self.reverse
                self.sort_by(column, reverse)
            return
        self.cursor_row = int(self.scroll_y) + offset.y - 1

    def _column_at(self, x: int) -> int | None:
        left = MARK_WIDTH
        for i, width in enumerate(self._widths()):
            if left <= x < left + width + GAP:
                return i
            left += width + GAP
        return None

    # --- drawing -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = int(self.scroll_x), int(self.scroll_y)
        base = self.draw_style
        if y == 0:
            strip = self._header_strip()
        else:
            row = scroll_y + y - 1
            if row >= len(self.rows):
                return Strip.blank(width, base)
            strip = self._row_strip(self.rows[row], row == self.cursor_row)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header_strip(self) -> Strip:
        style = self.draw_style + self.get_component_rich_style("account-table--header")
        segments = [Segment(" " * MARK_WIDTH, style)]
        for i, (column, width) in enumerate(zip(COLUMNS, self._widths(), strict=True)):
            title = column.title
            if i == self.sort_column:
                title += " ▼" if self.reverse else " ▲"
            segments.append(Segment(_fit(title, width) + " " * GAP, style))
        return Strip(segments)

    def _row_strip(self, account_id: str, cursor: bool) -> Strip:
        assert self.model is not None
        pal = palette(self.app)
        cells = self.model.cells(account_id)
        base = self.draw_style
        if cursor:
            base = base + self.get_component_rich_style("account-table--cursor")
        view = self.model.view
        styles: list[Style] = [
            verdict_style(view.verdict(account_id), pal, view.reading),
            Style(),
            DIM,
            DIM,
            Style(),
            DIM,
            DIM,
        ]
        if cells[4] != "ACTIVE":
            styles[4] = Style(color=pal.error.color)
        mark = MARK if self.is_marked(account_id) else " " * MARK_WIDTH
        segments = [Segment(mark, base + pal.mark)]
        for i, (text, width) in enumerate(zip(cells, self._widths(), strict=True)):
            segments.append(Segment(_fit(text, width) + " " * GAP, base + styles[i]))
        return readable_strip(Strip(segments)) if cursor else Strip(segments)
