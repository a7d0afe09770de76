"""The switcher between the tree and the account table (`t`), without the second layout
Textual gives every container whose size changes."""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import ContentSwitcher


class ViewSwitcher(ContentSwitcher):
    """A ContentSwitcher that takes a new size in one layout pass.

    After each layout the screen hands every widget its new size; a container whose
    scroll size changed (here: the filter bar showing or hiding, at `/` and escape) then
    asks for a second layout of the whole screen. Its views were placed by the pass that
    resized it, and nothing here scrolls, so the second pass would change nothing.
    """

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)
