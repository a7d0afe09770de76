"""What the team recorded, and what AWS said before: the attestation tag and remembered
refusals.

No API can tell whether an account created through Organizations has its payment method,
phone verification, contact information, support plan and customer agreement. A person
who checked them (signed in as its root user) records it with a tag on the account
(setting `standalone_tag`, `YYYY-MM-DD who`), visible to every other admin. A value
that does not start with a real date, or one in the future, attests nothing: anyone who
may tag could otherwise write `checked` or `9999-12-31` and clear every refusal for good.
When AWS refuses a removal for one of those reasons, the audit log keeps it; the refusal
blocks until an attestation dated after it exists.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone

from orgtui.model import CLOCK_SKEW, Account, Caller, Finding, Refusal, Snapshot, iso, utc

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


@dataclass(frozen=True)
class Attestation:
    """The attestation tag's value on an account, and whether it attests: `when` is its
    date or time when valid, else None and `problem` says why, in words."""

    value: str
    when: datetime | date | None
    problem: str = ""


def judge(value: str, now: datetime) -> Attestation:
    """The tag's value judged at `now`: valid when it starts with a real date (or time)
    that is not in the future."""
    when = attested_at(value)
    if when is None:
        return Attestation(value, None, "it does not start with a date (YYYY-MM-DD)")
    # The date is judged, not the time: a view assessed this morning must take an
    # attestation written this afternoon. A forged time can then clear a refusal for the
    # rest of the day at most, never for good.
    today = ((utc(now) or now) + CLOCK_SKEW).date()
    day = when.astimezone(timezone.utc).date() if isinstance(when, datetime) else when
    if day > today:
        return Attestation(value, None, f"it is dated {when.isoformat()}, in the future")
    return Attestation(value, when)


def not_valid_words(key: str, judged: Attestation) -> str:
    """The sentence that says an attestation tag attests nothing, and why."""
    return (
        f"Attestation tag present but not valid: {key} = {judged.value!r}; "
        f"{judged.problem}, so it attests nothing."
    )


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
    """The attestation tag's value on the account, if it carries it (valid or not)."""
    return snap.tags_of(account.id).get(snap.attest_tag)


def judged_attestation(account: Account, snap: Snapshot, now: datetime) -> Attestation | None:
    """The account's attestation tag judged at `now`, or None when it carries none."""
    value = attestation(account, snap)
    return None if value is None else judge(value, now)


def removal_refused(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    refusals = [r for r in snap.refusals.get(account.id, ()) if r.reason in STANDALONE_REASONS]
    if not refusals:
        return
    last = refusals[-1]
    judged = judged_attestation(account, snap, now)
    if judged is not None and clears(judged.when, last):
        return
    verb = "let it leave" if last.operation == "LeaveOrganization" else "remove it"
    when = last.time.strftime("%Y-%m-%d %H:%M UTC")
    message = f"On {when} AWS refused to {verb}: {STANDALONE_REASONS[last.reason]} ({last.reason})."
    if judged is not None and judged.when is None:
        message += " " + not_valid_words(snap.attest_tag, judged)
    elif judged is not None:
        message += (
            f" The attestation tag {snap.attest_tag}={judged.value!r} is not dated after "
            "the refusal."
        )
    yield Finding(
        "REMOVAL_REFUSED",
        "blocker",
        message,
        "Sign in to the account as its root user and complete its sign-up (payment method, "
        "phone verification, contact details, support plan, customer agreement); then "
        "attest it (v in orgtui) and try again.",
    )


# A tag value's length and characters as AWS takes them (TagResource refuses any other:
# a comma in a session name, say): letters, separators, digits and `_.:/=+-@`.
TAG_VALUE_MAX = 256
_TAG_VALUE_PUNCTUATION = frozenset("_.:/=+-@")


def tag_value_text(text: str) -> str:
    """`text` with every character AWS refuses in a tag value replaced by `_`."""
    return "".join(
        ch if ch in _TAG_VALUE_PUNCTUATION or unicodedata.category(ch)[0] in "LZN" else "_"
        for ch in text
    )


def attestation_value(now: datetime, caller: Caller) -> str:
    """`<UTC ISO time> <who>`: the time first, so the rules can date the attestation; who
    is the caller's full principal (`123456789012/OrgAdmin/alice`), made a valid tag
    value and cut to fit."""
    value = f"{iso(now)} {tag_value_text(caller.principal)}"
    return value[:TAG_VALUE_MAX]
