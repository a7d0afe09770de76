"""What the team recorded, and what AWS said before: the attestation tag and remembered
refusals.

No API can tell whether an account created through Organizations has its payment method,
phone verification, contact information, support plan and customer agreement. A person
who checked them (signed in as its root user) records it with a tag on the account
(setting `standalone_tag`, by convention `YYYY-MM-DD who`), visible to every other admin.
When AWS refuses a removal for one of those reasons, the audit log keeps it; the refusal
blocks until an attestation dated after it exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timezone

from orgtui.model import Account, Finding, Refusal, Snapshot

# The Reasons that mean the standalone sign-up was never completed, in words.
STANDALONE_REASONS = {
    "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION": "it has not completed phone verification",
    "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA": "it has not accepted the AWS Customer Agreement",
    "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED": "it has no payment method",
    "INVALID_PAYMENT_INSTRUMENT": "its payment method is not valid",
}
_LEADING_TIME = re.compile(
    r"\s*(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?)?"
    r"(?=\s|$)"
)


def attested_at(value: str) -> datetime | date | None:
    """The attestation's leading date (a `date`) or time (an aware `datetime`), or None
    when the value starts with neither."""
    found = _LEADING_TIME.match(value)
    if found is None:
        return None
    day, clock, zone = found.groups()
    try:
        if clock is None:
            return date.fromisoformat(day)
        zone = "+00:00" if zone in (None, "Z") else zone
        if len(zone) == 5:  # +0100
            zone = zone[:3] + ":" + zone[3:]
        return datetime.fromisoformat(f"{day}T{clock}{zone}").astimezone(timezone.utc)
    except ValueError:
        return None


def clears(attested: datetime | date | None, refusal: Refusal) -> bool:
    """An attestation clears a refusal when it is dated after it. A date alone counts
    only from the next day: on the refusal's own day it can't be told whether it came
    after."""
    if attested is None:
        return False
    if isinstance(attested, datetime):
        return attested > refusal.time
    return attested > refusal.time.date()


def attestation(account: Account, snap: Snapshot) -> str | None:
    """The attestation tag's value on the account, if it carries it."""
    return snap.tags_of(account.id).get(snap.attest_tag)


def removal_refused(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    refusals = [r for r in snap.refusals.get(account.id, ()) if r.reason in STANDALONE_REASONS]
    if not refusals:
        return
    last = refusals[-1]
    value = attestation(account, snap)
    if clears(attested_at(value) if value is not None else None, last):
        return
    verb = "let it leave" if last.operation == "LeaveOrganization" else "remove it"
    when = last.time.strftime("%Y-%m-%d %H:%M UTC")
    message = f"On {when} AWS refused to {verb}: {STANDALONE_REASONS[last.reason]} ({last.reason})."
    if value is not None:
        message += (
            f" The attestation tag {snap.attest_tag}={value!r} is not dated after the refusal."
        )
    yield Finding(
        "REMOVAL_REFUSED",
        "blocker",
        message,
        "Sign in to the account as its root user and complete its sign-up (payment method, "
        "phone verification, contact details, support plan, customer agreement); then "
        "attest it (v in orgtui) and try again.",
    )
