"""An Input that keeps control characters out of what is typed or pasted.

A paste can carry escape sequences, a BEL or a carriage return; the Input would store
them and draw them back to the terminal. Every insertion goes through `replace`, where
the text is cleaned (`orgtui.text.clean`: such characters become visible escapes).
"""

from __future__ import annotations

from textual.widgets import Input

from orgtui.text import clean


class SafeInput(Input):
    """An Input whose inserted text (typed or pasted) is cleaned."""

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(clean(text), start, end)
