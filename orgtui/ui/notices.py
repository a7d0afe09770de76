"""Words the session says in more than one place (the main screen, the write flow)."""

from __future__ import annotations


def read_only_notice(what: str = "removed") -> str:
    if what == "marked":  # marks only choose accounts for a write
        return (
            "This session is read-only (orgtui audit): marks choose accounts for a write "
            "(remove, attest, deregister, close, move), so nothing can be marked. Narrow the "
            "view with /, or report on chosen accounts with "
            "`orgtui audit --report FORMAT --account ID`."
        )
    return f"This session is read-only (orgtui audit): nothing can be {what}."


READ_ONLY_NOTICE = read_only_notice()
