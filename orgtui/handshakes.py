"""Handshakes (invitations between an organization and an account) as orgtui reads them,
and AWS's limits on the tags an invitation carries. Pure data, no AWS, no files.

A direct transfer (DESIGN.md "Destinations") is one handshake: the target organization's
management account sends InviteAccountToOrganization (a Handshake with Action INVITE),
the account accepts it (AcceptHandshake). The Handshake structure of the API model:
Id (`h-` + 8..32 lowercase letters or digits), Arn, Parties ([{Id, Type}], Type
ACCOUNT, ORGANIZATION or EMAIL), State (REQUESTED, OPEN, CANCELED, ACCEPTED, DECLINED,
EXPIRED), RequestedTimestamp, ExpirationTimestamp, Action, and Resources: a tree whose
ORGANIZATION entry holds the inviting organization's id and, nested, its management
account's email, name and feature set (MASTER_EMAIL / MASTER_NAME, or the newer
MANAGEMENT_EMAIL / MANAGEMENT_NAME, and ORGANIZATION_FEATURE_SET).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from orgtui import ids
from orgtui.errors import OrgtuiError
from orgtui.model import required, utc
from orgtui.text import clean

# AWS's limits on an account's tags (Organizations TagResource / InviteAccountToOrganization
# `Tags`): at most 50 per resource, a key of 1..128 characters, a value of 0..256, of
# letters, spaces, digits and `_ . : / = + - @`; keys starting `aws:` are AWS's own.
MAX_TAGS = 50
MAX_KEY = 128
MAX_VALUE = 256
RESERVED_PREFIX = "aws:"
_TAG_PUNCTUATION = frozenset("_.:/=+-@")

# An invitation is open this long (AWS: 15 days), then EXPIRED.
INVITE_LIFETIME = timedelta(days=15)
# States in which a handshake still waits for an answer: another invitation for the same
# account would be refused as a duplicate.
PENDING_STATES = frozenset({"REQUESTED", "OPEN"})
STATES = ("REQUESTED", "OPEN", "CANCELED", "ACCEPTED", "DECLINED", "EXPIRED")


def _tag_char_ok(ch: str) -> bool:
    # The API model's pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$
    return ch in _TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LZN"


def tag_problems(account_id: str, tags: Mapping[Any, Any]) -> list[str]:
    """What in `tags` AWS would refuse for an invitation, one sentence per problem naming
    the account and the key (cleaned: the key may come from a hostile file); [] when
    the tags are fine."""
    who = f"account {clean(account_id)}"
    problems: list[str] = []
    if len(tags) > MAX_TAGS:
        problems.append(f"{who} has {len(tags)} tags; AWS allows at most {MAX_TAGS} per account.")
    for key, value in tags.items():
        if not isinstance(key, str) or not isinstance(value, str):
            problems.append(f"{who}: tag {clean(repr(key))} is not a text key with a text value.")
            continue
        shown = clean(key) if len(key) <= 60 else clean(key[:57]) + "..."
        if not key:
            problems.append(f"{who}: a tag has an empty key.")
        elif len(key) > MAX_KEY:
            problems.append(
                f"{who}: tag key '{shown}' is {len(key)} characters; AWS allows {MAX_KEY}."
            )
        elif key.lower().startswith(RESERVED_PREFIX):
            problems.append(
                f"{who}: tag key '{shown}' starts with '{RESERVED_PREFIX}', which AWS reserves."
            )
        elif not all(_tag_char_ok(ch) for ch in key):
            problems.append(
                f"{who}: tag key '{shown}' has characters AWS does not allow in a tag "
                "(letters, digits, spaces and _ . : / = + - @ only)."
            )
        if len(value) > MAX_VALUE:
            problems.append(
                f"{who}: the value of tag '{shown}' is {len(value)} characters; AWS allows "
                f"{MAX_VALUE}."
            )
        elif not all(_tag_char_ok(ch) for ch in value):
            problems.append(
                f"{who}: the value of tag '{shown}' has characters AWS does not allow in a "
                "tag (letters, digits, spaces and _ . : / = + - @ only)."
            )
    return problems


@dataclass(frozen=True)
class Party:
    """One party of a handshake: an ACCOUNT (12 digits), ORGANIZATION or EMAIL."""

    id: str
    type: str


@dataclass(frozen=True)
class Handshake:
    """One handshake as AWS described it; timestamps in UTC.

    `organization_id` is the inviting organization (the ORGANIZATION resource, else the
    ORGANIZATION party); `management_email` / `management_name` its management account's
    (from the resources: untrusted text, clean() it before showing); `account_id` the
    invited account (the ACCOUNT party or resource), "" for an invitation by email.
    """

    id: str
    arn: str
    state: str
    action: str
    parties: tuple[Party, ...]
    requested: datetime | None
    expires: datetime | None
    organization_id: str = ""
    management_email: str = ""
    management_name: str = ""
    feature_set: str = ""
    account_id: str = ""
    email: str = ""
    notes: str = ""

    @property
    def pending(self) -> bool:
        """Still waiting for an answer (REQUESTED or OPEN)."""
        return self.state in PENDING_STATES

    def expired_at(self, now: datetime) -> bool:
        """Open, but past its expiration time (AWS will show it EXPIRED)."""
        return self.pending and self.expires is not None and self.expires <= now

    @classmethod
    def from_api(cls, raw: Mapping[str, Any], where: str = "a handshake listing") -> Handshake:
        """From the API's Handshake structure. The id, the organization and account ids are
        checked against their patterns; a field of the wrong type is the endpoint's fault
        (OrgtuiError, code MalformedAnswer)."""
        hid = ids.checked("handshake", required(raw, "Id", where), where)
        state = _text(required(raw, "State", where), "State", where)
        action = _text(raw.get("Action") or "", "Action", where)
        parties = tuple(_party(p, where) for p in _list(raw.get("Parties"), "Parties", where))
        found = _resources(_list(raw.get("Resources"), "Resources", where), where)
        org_id = found.get("ORGANIZATION", "")
        account_id = found.get("ACCOUNT", "")
        email = found.get("EMAIL", "")
        for party in parties:
            if party.type == "ORGANIZATION" and not org_id:
                org_id = party.id
            elif party.type == "ACCOUNT" and not account_id:
                account_id = party.id
            elif party.type == "EMAIL" and not email:
                email = party.id
        if org_id and not org_id.startswith("o-") and ids.is_valid("organization", f"o-{org_id}"):
            org_id = f"o-{org_id}"  # a party's organization id may come without its prefix
        return cls(
            id=hid,
            arn=_text(raw.get("Arn") or "", "Arn", where),
            state=state,
            action=action,
            parties=parties,
            requested=_time(raw.get("RequestedTimestamp"), where),
            expires=_time(raw.get("ExpirationTimestamp"), where),
            organization_id=ids.checked("organization", org_id, where) if org_id else "",
            management_email=found.get("MANAGEMENT_EMAIL") or found.get("MASTER_EMAIL", ""),
            management_name=found.get("MANAGEMENT_NAME") or found.get("MASTER_NAME", ""),
            feature_set=found.get("ORGANIZATION_FEATURE_SET", ""),
            account_id=ids.checked("account", account_id, where) if account_id else "",
            email=email,
            notes=found.get("NOTES", ""),
        )


def _malformed(where: str, what: str) -> OrgtuiError:
    return OrgtuiError(
        f"The answer to {where} has {what}: the endpoint does not answer as AWS does.",
        "Check --endpoint-url and any proxy between you and AWS, then try again.",
        code="MalformedAnswer",
    )


def _text(value: Any, name: str, where: str) -> str:
    if not isinstance(value, str):
        raise _malformed(where, f"a {name} that is not text")
    return value


def _list(value: Any, name: str, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _malformed(where, f"a {name} that is not a list")
    return value


def _time(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise _malformed(where, "a timestamp that is not a time")
    return utc(value)


def _party(raw: Any, where: str) -> Party:
    if not isinstance(raw, Mapping):
        raise _malformed(where, "a party that is not an object")
    return Party(
        _text(required(raw, "Id", where), "party Id", where),
        _text(required(raw, "Type", where), "party Type", where),
    )


def _resources(items: Iterable[Any], where: str, depth: int = 0) -> dict[str, str]:
    """Type -> Value of the resource tree, the first of each type, nested ones included
    (the API nests MASTER_EMAIL and friends under ORGANIZATION)."""
    found: dict[str, str] = {}
    if depth > 4:  # the API nests one level; a deeper tree is not AWS's
        raise _malformed(where, "resources nested deeper than AWS nests them")
    for item in items:
        if not isinstance(item, Mapping):
            raise _malformed(where, "a resource that is not an object")
        kind = _text(item.get("Type") or "", "resource Type", where)
        value = _text(item.get("Value") or "", "resource Value", where)
        if kind and kind not in found:
            found[kind] = value
        nested = _resources(_list(item.get("Resources"), "Resources", where), where, depth + 1)
        for k, v in nested.items():
            found.setdefault(k, v)
    return found
