"""What the widgets that draw their own lines (Textual's line API: the tree, the account
table, the detail pane) share, so that a key redraws them without extra work:

- their style, asked once per draw (`draw_style`). `Widget.rich_style` is not cached: each
  call walks every ancestor's styles to find the background. Asked at every line, it was a
  fifth of a tree's redraw; at 10,000 accounts during a refresh, the slowest keys (`t`,
  escape) redraw two of these widgets;
- a new scroll range without a layout (`set_scroll_size`, `scroll_range_only`): assigning
  `virtual_size` lays the whole screen out again, though the widget's size and place do
  not change. Textual's own widgets assign it too: the Tree at every node added or opened
  and every rebuild of its lines, the Input at every key (its scroll width is its text's).
  Each was a layout of the whole screen: two per key typed in the filter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip

from orgtui.ui.textual_compat import update_scroll_range

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:  # a plain mixin: a Widget base of its own would hide the widget's component classes
    _Base = object


@contextmanager
def scroll_range_only(widget: Widget) -> Iterator[None]:
    """Within: the widget's refreshes repaint it but lay nothing out, so a `virtual_size`
    assigned here (by this code or Textual's) moves only the scroll range; the scrollbars
    follow after (showing or hiding one still lays the screen out, as it must). For
    widgets whose size and place never depend on their content."""
    if not widget.is_mounted:  # the layout that mounts it measures it anyway
        yield
        return
    before = widget.virtual_size
    shadowed = widget.__dict__.get("refresh")  # this context's, when nested in another
    real = widget.refresh

    def refresh(
        *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Any:
        return real(*regions, repaint=repaint, recompose=recompose)

    widget.refresh = refresh  # type: ignore[method-assign]
    try:
        yield
    finally:
        if shadowed is None:
            del widget.refresh
        else:
            widget.refresh = shadowed  # type: ignore[method-assign]
    if widget.virtual_size != before:
        update_scroll_range(widget, widget.virtual_size)


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
        """The range the widget scrolls over, without a layout (`scroll_range_only`)."""
        with scroll_range_only(self):
            self.virtual_size = size
