"""Handshakes (invitations), read from Organizations: the organization's (the `I` screen,
the invite's live re-check: ListHandshakesForOrganization, management account only) and
the caller's own (ListHandshakesForAccount: the invitations a member may accept), and one
by id (DescribeHandshake, the accept's live re-check).

Lists go through `ctx.pages` (its shape checks and page-token loop guard); each
handshake is checked by `Handshake.from_api` (ids against their patterns). On demand
only, never during the organization's load. AWS errors are raised.
"""

from __future__ import annotations

from orgtui import ids
from orgtui.aws.session import AwsContext
from orgtui.errors import OrgtuiError
from orgtui.handshakes import Handshake
from orgtui.model import required
from orgtui.text import clean

INVITE = "INVITE"


def organization_handshakes(ctx: AwsContext, action: str | None = INVITE) -> list[Handshake]:
    """The organization's handshakes of `action` (None: every action), in every state AWS
    still lists (OPEN, ACCEPTED, DECLINED, CANCELED, EXPIRED: kept 30 days after)."""
    where = "ListHandshakesForOrganization"
    kwargs = {"Filter": {"ActionType": action}} if action else {}
    items = ctx.pages("list_handshakes_for_organization", "Handshakes", **kwargs)
    return [Handshake.from_api(item, where) for item in items]


def account_handshakes(ctx: AwsContext, action: str | None = INVITE) -> list[Handshake]:
    """The caller's own account's handshakes of `action` (None: all), any state."""
    where = "ListHandshakesForAccount"
    kwargs = {"Filter": {"ActionType": action}} if action else {}
    items = ctx.pages("list_handshakes_for_account", "Handshakes", **kwargs)
    return [Handshake.from_api(item, where) for item in items]


def open_invitations(ctx: AwsContext, account_id: str) -> list[Handshake]:
    """The invitations the caller's account (`account_id`) may accept now: INVITE,
    OPEN (or REQUESTED), naming this account. ListHandshakesForAccount answers only for
    the caller; one for another account would be the endpoint's mistake and is left out."""
    return [
        h
        for h in account_handshakes(ctx, INVITE)
        if h.pending and (not h.account_id or h.account_id == account_id)
    ]


def pending_invitations_for(handshakes: list[Handshake], account_id: str) -> list[Handshake]:
    """Of an organization's handshakes, the invitations still waiting for `account_id`."""
    return [
        h for h in handshakes if h.action == INVITE and h.pending and h.account_id == account_id
    ]


def describe_handshake(ctx: AwsContext, handshake_id: str) -> Handshake:
    """One handshake by id (checked before the call: `h-` + 8..32 lowercase letters or
    digits). HandshakeNotFoundException is raised as AWS gives it."""
    if not ids.is_valid("handshake", handshake_id):
        raise OrgtuiError(
            f"'{clean(str(handshake_id)[:40])}' is not a handshake id (h- and 8 to 32 "
            "lowercase letters or digits).",
            "Pick the invitation from the list of open invitations.",
            code="InvalidHandshakeId",
        )
    where = "DescribeHandshake"
    answer = ctx.read(ctx.org.describe_handshake, HandshakeId=handshake_id)
    handshake = Handshake.from_api(required(answer, "Handshake", where), where)
    if handshake.id != handshake_id:
        raise OrgtuiError(
            f"DescribeHandshake answered for {handshake.id}, not {handshake_id}: the endpoint "
            "does not answer as AWS does.",
            "Check --endpoint-url and any proxy between you and AWS, then try again.",
            code="MalformedAnswer",
        )
    return handshake
