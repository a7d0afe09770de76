"""Words the session says in more than one place (the main screen, the write flow)."""

from __future__ import annotations

from orgtui.session.gates import read_only_notice

__all__ = ["READ_ONLY_NOTICE", "read_only_notice"]

READ_ONLY_NOTICE = read_only_notice()
