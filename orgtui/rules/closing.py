"""The rules of the `close` destination (CloseAccount, DESIGN.md "Destinations"): an account
that is closed stays in the organization, SUSPENDED, so no standalone, tag or impact
finding applies; what matters is whether it can be closed, and that closing is final.
(The close quota concerns the accounts marked together: aws/close.py keeps it.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from orgtui.model import Account, Finding, Snapshot

CLOSING_STATES = frozenset({"PENDING_CLOSURE", "SUSPENDED", "CLOSED"})


def already_closing(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    if account.state in CLOSING_STATES:
        yield Finding(
            "ALREADY_CLOSING",
            "blocker",
            f"The account is already {account.state}: AWS is closing it, or has closed it.",
            "Nothing to do: AWS finishes the closure by itself; within 90 days of it, AWS "
            "Support can reopen the account.",
        )


def not_active_to_close(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    if account.state != "ACTIVE" and account.state not in CLOSING_STATES:
        yield Finding(
            "NOT_ACTIVE",
            "blocker",
            f"The account's state is {account.state}; only ACTIVE accounts can be closed.",
            "If it is still activating, wait and reload.",
        )


def close_is_final(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    if account.state == "ACTIVE":
        yield Finding(
            "CLOSE_IS_FINAL",
            "warning",
            "Closing is final: the account's resources are deleted after 90 days, only AWS "
            "Support can reopen it within those 90 days, bills for what it used may still "
            "arrive, and a linked GovCloud account closes too.",
            "Back up what must be kept, and move what others rely on, before closing it.",
        )
