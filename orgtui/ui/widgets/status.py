"""The status line above the footer: marked accounts and the filter's matches."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from orgtui.ui.palette import DIM, palette
from orgtui.ui.render import safe


class StatusLine(Static):
    """`3 marked (r removes them) · filter "prod": 12 of 45 accounts match`."""

    def __init__(self, *, read_only: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.read_only = read_only

    def show(self, marked: int, query: str, matches: int | None, total: int) -> None:
        text = Text()
        if marked:
            text.append(f"{marked} marked", style=palette(self.app).mark)
            if not self.read_only:
                text.append(" (r removes them)")
        if query:
            if text:
                text.append("  ·  ")
            shown = 0 if matches is None else matches
            # The query is the user's text: cleaned, never markup.
            text.append_text(safe(f'filter "{query}": {shown} of {total} accounts match'))
        if not text:
            hint = "/ filters · t table · ? help"
            text.append(hint if self.read_only else f"space marks · {hint}", style=DIM)
        self.update(text)
