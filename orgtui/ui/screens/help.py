"""The help screen (`?`): every binding, and what the badges mean."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from orgtui.ui.keys import KEYS


def help_table(read_only: bool) -> Table:
    table = Table(title="orgtui keys", expand=True, show_edge=False, header_style="bold")
    table.add_column("key", style="bold cyan", no_wrap=True)
    table.add_column("action")
    for keys, what, _ in KEYS:
        if keys == "r" and read_only:
            what = "nothing: this session is read-only (orgtui audit)"
        table.add_row(keys, what)
    return table


LEGEND = Text.assemble(
    "\nBadges: ", ("blocked", Style(color="red", bold=True)), " AWS will refuse the removal · ",
    ("review", Style(color="yellow", bold=True)), " check by hand first · ",
    ("ready", Style(color="green", bold=True)), " nothing in the way. ",
    "A ? after a badge: details still loading or incomplete.\n",
    ("escape, ? or q closes this help.", Style(dim=True)),
)


class HelpScreen(ModalScreen[None]):
    """A modal listing the bindings."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="close-help"),
    ]

    def __init__(self, read_only: bool = False) -> None:
        super().__init__()
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_table(self.read_only), id="help-keys")
            yield Static(LEGEND, id="help-legend")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
