"""The status line above the footer: marked accounts and the filter's matches."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from orgtui.ui.palette import DIM, palette
from orgtui.ui.render import safe, same_text


class StatusLine(Static):
    """`3 marked (r removes them, v attests them) · filter "prod": 12 of 45 accounts
    match`."""

    def __init__(self, *, read_only: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.read_only = read_only
        self._said: Text | None = None

    def show(self, marked: int, query: str, matches: int | None, total: int) -> None:
        """`matches` None with a query: its search is under way."""
        text = Text()
        if marked:
            text.append(f"{marked} marked", style=palette(self.app).mark)
            if not self.read_only:
                text.append(" (r removes them, v attests them)")
        if query:
            if text:
                text.append("  ·  ")
            # The query is the user's text: cleaned, never markup. No count while the
            # search runs (None): the last one belongs to another query.
            said = "…" if matches is None else f"{matches} of {total} accounts match"
            text.append_text(safe(f'filter "{query}": {said}'))
        if not text:
            hint = "/ filters · t table · ? help"
            text.append(hint if self.read_only else f"space marks · {hint}", style=DIM)
        if same_text(self._said, text):
            return  # each keystroke asks; most change nothing here
        self._said = text
        # One line, always: no layout pass (that would redraw the whole screen).
        self.update(text, layout=False)
