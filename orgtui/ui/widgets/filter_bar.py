"""The filter input opened with `/`: live as you type, enter jumps, escape clears."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from orgtui.ui.widgets.line_widget import scroll_range_only
from orgtui.ui.widgets.safe_input import SafeInput

# Fits the input at 80 columns; the help screen (?) lists every kind of term.
PLACEHOLDER = "name, id, k=v, verdict, CODE, ou:Name"


class FilterInput(SafeInput):
    """An Input whose escape clears the filter and gives the tree back the focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, as `/` is: the keys typed right after escape go to the view.
        Binding("escape", "screen.clear_filter", "Clear filter", id="clear-filter", priority=True),
        Binding("enter", "submit", "First match", show=False, id="filter-first-match"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(placeholder=PLACEHOLDER, **kwargs)  # type: ignore[arg-type]

    def _watch_value(self, value: str) -> None:
        # Input sets its scroll width to its text's at every key, through a layout of the
        # whole screen; the bar's size never depends on its text.
        with scroll_range_only(self):
            super()._watch_value(value)
