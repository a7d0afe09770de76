"""The filter input opened with `/`: live as you type, enter jumps, escape clears."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Input

PLACEHOLDER = "filter: name, id, email, tag key=value, blocked / review / ready"


class FilterInput(Input):
    """An Input whose escape clears the filter and gives the tree back the focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.clear_filter", "Clear filter", id="clear-filter"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(placeholder=PLACEHOLDER, **kwargs)  # type: ignore[arg-type]
