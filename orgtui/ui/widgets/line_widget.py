"""What the widgets that draw their own lines (Textual's line API: the tree, the account
table, the detail pane) share, so that a key redraws them without extra work:

- their style, asked once per draw (`draw_style`). `Widget.rich_style` is not cached: each
  call walks every ancestor's styles to find the background. Asked at every line, it was a
  fifth of a tree's redraw; at 10,000 accounts during a refresh, the slowest keys (`t`,
  escape) redraw two of these widgets;
- a new scroll range without a layout (`set_scroll_size`): assigning `virtual_size` lays
  the whole screen out again, though the widget's size and place do not change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:  # a plain mixin: a Widget base of its own would hide the widget's component classes
    _Base = object


class LineWidget(_Base):
    """Put first among a line-drawing widget's bases; its `render_line` reads
    `draw_style` instead of `rich_style`."""

    _draw_style: Style | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._draw_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._draw_style = None

    @property
    def draw_style(self) -> Style:
        """The style during a draw; outside one (a test drawing a line), asked afresh."""
        return self._draw_style or self.rich_style

    def set_scroll_size(self, size: Size) -> None:
        """The range the widget scrolls over. Once mounted, only the scrollbars follow
        (showing or hiding one still lays the screen out, as it must)."""
        if self.is_mounted:
            self.set_reactive(type(self).virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size
