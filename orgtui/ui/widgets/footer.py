"""The key bar: the bindings in force, on one line, drawn by one widget.

Textual's Footer mounts a widget per key and rebuilds them all whenever the bindings
change: at every focus change, and in the tree at every move between an OU and an account
(enter opens only OUs). Each rebuild mounts a dozen widgets, styles them and lays the whole
screen out again: 30-60 ms a time at 10,000 accounts, most of the cost of escape and `t`,
and a part of the arrows' (benchmarks/RESULTS.md). Here a change of bindings repaints one
line. It looks like the compact Footer: each key, its description, the command palette's
key on the right; a click on a key presses it.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

SEPARATOR = "▏"  # before the command palette's key, as the Footer draws it


class Entry(NamedTuple):
    key: str  # what a click presses (the binding's key)
    display: str  # the key as shown (⏎, ^p)
    description: str
    enabled: bool

    @classmethod
    def of(cls, app: App[object], binding: Binding, enabled: bool) -> Entry:
        return cls(binding.key, app.get_key_display(binding), binding.description, enabled)


class KeyBar(Widget):
    """The bindings of the focused widget, its ancestors and the app (`Screen.
    active_bindings`, one entry per action, as the Footer shows them), then the command
    palette's key at the right edge. What does not fit is cut on the left of it."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--separator"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.entries: tuple[Entry, ...] = ()
        self.palette: Entry | None = None
        self._spans: list[tuple[int, int, Entry]] = []  # where each entry is drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        entries: list[Entry] = []
        actions: set[str] = set()
        active = screen.active_bindings
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            entries.append(Entry.of(self.app, binding, enabled))
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            palette = Entry.of(self.app, binding, enabled)
        if (tuple(entries), palette) != (self.entries, self.palette):
            self.entries, self.palette = tuple(entries), palette
            self.refresh()  # one line, always one line: no layout

    def visible_keys(self) -> list[str]:
        """The keys of the entries drawn whole, left to right (the palette's last)."""
        return [entry.key for _start, _end, entry in self._spans]

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        width = self.size.width
        tail = Text()
        if self.palette is not None:
            tail = Text.assemble(
                (SEPARATOR, self.get_component_rich_style("key-bar--separator")),
                *self._entry(self.palette, key_style, description_style),
                " ",
            )
        room = max(0, width - tail.cell_len)
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, Entry]] = []
        for entry in self.entries:
            start = line.cell_len
            line.append_text(Text.assemble(*self._entry(entry, key_style, description_style)))
            if line.cell_len <= room:
                spans.append((start, line.cell_len, entry))
            line.append(" ")
        line.truncate(room, pad=True)
        if self.palette is not None:
            spans.append((room + 1, width - 1, self.palette))
        self._spans = spans
        return line + tail

    @staticmethod
    def _entry(
        entry: Entry, key_style: Style, description_style: Style
    ) -> tuple[tuple[str, Style], ...]:
        dim = Style() if entry.enabled else Style(dim=True)
        parts = [(entry.display, key_style + dim)]
        if entry.description:
            parts.append((f" {entry.description}", description_style + dim))
        return tuple(parts)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for start, end, entry in self._spans:
            if start <= event.x < end:
                if entry.enabled:
                    self.app.simulate_key(entry.key)
                else:
                    self.app.bell()
                return
