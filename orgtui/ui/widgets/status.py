"""The status line above the footer: marked accounts and the filter's matches."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    """`3 marked · filter "prod": 12 of 45 accounts`."""

    def show(self, marked: int, query: str, matches: int | None, total: int) -> None:
        parts: list[tuple[str, Style] | str] = []
        if marked:
            parts.append((f"{marked} marked", Style(color="magenta", bold=True)))
            parts.append(" (r removes them)" if not getattr(self.app, "read_only", False)
                         else "")
        if query:
            if parts:
                parts.append("  ·  ")
            shown = 0 if matches is None else matches
            parts.append((f'filter "{query}": {shown} of {total} accounts match', Style()))
        if not parts:
            parts.append(("space marks · / filters · ? help", Style(dim=True)))
        self.update(Text.assemble(*parts))
