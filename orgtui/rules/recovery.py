"""RECOVERY_CONTACTS_MISSING: after an account leaves, its contacts are how its owners get
back in (a root password reset goes to the root email; AWS Support calls the phone).
Judged from what orgtui/aws/recovery.py read, only when it was read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from orgtui.model import Account, Finding, Snapshot


def recovery_contacts_missing(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    found = snap.recovery.get(account.id)
    if found is None or not found.missing:
        return
    missing = ", ".join(found.missing)
    root = (
        " It was created through Organizations: its root password was never set, so a reset "
        "sent to the root email is the only way in as root."
        if found.created
        else ""
    )
    yield Finding(
        "RECOVERY_CONTACTS_MISSING",
        "warning",
        f"Missing recovery contacts: {missing}.{root}",
        "Before it leaves, set them (Account Management: aws account put-contact-information "
        "and put-alternate-contact --account-id ID), so that its owners and AWS can reach "
        "each other once Identity Center access ends.",
    )
