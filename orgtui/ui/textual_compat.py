"""Every private name of Textual that orgtui uses, in one place, for the one Textual
version the suite runs (`PINNED`, pinned exactly in pyproject.toml).

Textual's Tree, Input and layout redraw and re-lay-out more than orgtui's screens need
(the measurements are in benchmarks/RESULTS.md); the widgets override a few private
methods (`OVERRIDDEN`) and read a few private attributes through the functions here.
`tests/ui/test_textual_compat.py` fails when the installed Textual is another version or
any of these names is gone: upgrading Textual starts there.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from textual.events import Event
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Tree

PINNED = "8.2.8"

# Private methods of Textual that orgtui's widgets override, by the class defining them.
OVERRIDDEN: tuple[tuple[type[Any], str], ...] = (
    (Tree, "_invalidate"),  # widgets/org_tree.py: a repaint, not a layout
    (Tree, "_build"),  # widgets/org_tree.py: the same, and the width measured
    (Tree, "_on_resize"),  # widgets/org_tree.py: keep the lines drawn
    (Widget, "_size_updated"),  # widgets/switcher.py: one layout pass, not two
    (Input, "_watch_value"),  # widgets/filter_bar.py: no layout per key
)
# Private attributes read through the functions below.
READ: tuple[tuple[type[Any], str], ...] = (
    (Tree, "_line_cache"),
    (Tree, "_render_line"),
    (Widget, "_scroll_update"),
    (Event, "_stop_propagation"),
)


def grow_line_cache(tree: Tree[Any], lines: int) -> None:
    """Keep at least `lines` drawn lines of the tree (its cache is keyed by the width)."""
    tree._line_cache.grow(lines)


def render_tree_line(tree: Tree[Any], y: int, x1: int, x2: int, style: Style) -> Strip:
    """Tree.render_line's body, for a line of the tree's whole height."""
    return tree._render_line(y, x1, x2, style)


def update_scroll_range(widget: Widget, virtual_size: Size) -> None:
    """Set the scrollbars for a new virtual size without a layout of the screen."""
    widget._scroll_update(virtual_size)


def propagation_stopped(event: Event) -> bool:
    """Will this event still bubble up (to the app)?"""
    return bool(event._stop_propagation)
