"""The help screen (`?`): every binding (built from the bindings, see `ui/bindings.py`),
what the badges mean, and what checked and skipped impact checks mean."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from orgtui.ui.palette import DIM, Palette, palette


def help_table(rows: Sequence[tuple[str, str]]) -> Table:
    table = Table(title="orgtui keys", expand=True, show_edge=False, header_style="bold")
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("action")
    for keys, what in rows:
        table.add_row(Text(keys), Text(what))
    return table


def legend(pal: Palette) -> Text:
    return Text.assemble(
        "\nBadges: ",
        ("blocked", pal.verdict("blocked")),
        " AWS will refuse the removal · ",
        ("review", pal.verdict("review")),
        " check by hand first · ",
        ("ready", pal.verdict("ready")),
        " nothing in the way. ",
        "A ? after a badge: details still loading or incomplete.\n",
        "What breaks (StackSets, Control Tower, Identity Center, RAM, SCPs) comes from five "
        "impact checks. Each is ",
        ("checked", pal.success),
        ", or ",
        ("skipped", pal.warning),
        " with why (access denied, not served at this endpoint, a member account): a skipped "
        "check blocks nothing, but its findings are missing. The header names them, the "
        "root's detail says why.\n",
        ("escape, ? or q closes this help.", DIM),
    )


class HelpScreen(ModalScreen[None]):
    """A modal listing the bindings."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="close-help"),
    ]

    def __init__(self, rows: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_table(self.rows), id="help-keys")
            yield Static(legend(palette(self.app)), id="help-legend")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
