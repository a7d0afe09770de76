"""Small wording helpers shared by the core and the UI."""

from __future__ import annotations


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """`1 account`, `2 accounts`, `3 policies` (with `plural_form`)."""
    return f"{n} {word if n == 1 else (plural_form or word + 's')}"
