"""Two small widgets for screens that must work at 80x24: a scroll area that says when
more follows below the fold, and a block drawn for the width it is given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import RenderableType
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.widget import Widget

MORE_BELOW = "↓ more below: scroll or pgdn"


class MoreBelow(VerticalScroll):
    """A scroll area whose bottom border says when more follows below the fold."""

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._hint()

    def watch_virtual_size(self, size: Size) -> None:
        self._hint()

    def on_resize(self) -> None:
        self._hint()

    def _hint(self) -> None:
        self.border_subtitle = MORE_BELOW if self.scroll_y < self.max_scroll_y else ""


class Fitted(Widget):
    """A block drawn by `build(width)` at every render, so that it can decide what fits
    (a list of tags inline, or a count and "listed below")."""

    def __init__(self, build: Callable[[int], RenderableType], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.build = build

    def render(self) -> RenderableType:
        return self.build(self.content_size.width or 72)
