"""Handshakes at the demo's boundary: moto (5.2) has none, so the demo answers
InviteAccountToOrganization, ListHandshakesForOrganization, ListHandshakesForAccount,
DescribeHandshake, AcceptHandshake, DeclineHandshake and CancelHandshake itself, on
moto's Organizations responses (in this process only), as AWS answers them: the
Handshake structure of the API model (Id `h-` + lowercase letters and digits, Arn,
Parties, State, RequestedTimestamp, ExpirationTimestamp 15 days after, Action INVITE,
Resources with ORGANIZATION > MASTER_EMAIL / MASTER_NAME / ORGANIZATION_FEATURE_SET,
ACCOUNT and NOTES), AWS's error codes and reasons, pages of at most 20.

What the demo models of the two organizations: moto keeps one backend per management
account, so the inviting organization is a second, small moto organization (the
"Woodgrove" organization, `runtime.start` seeds it). Accepting an invitation moves the
account's moto object from its organization's backend into the inviting one's, under its
root, INVITED, joined now, with the invitation's tags (AWS deletes the old ones on the way
out). Before that the departure rules apply as for a leave, without the standalone ones
(a transfer needs no payment method): the management account
(MasterCannotLeaveOrganizationException), a delegated administrator, the four-day wait
after creation, a state other than ACTIVE (ConstraintViolationException), an SCP denying
organizations:LeaveOrganization (AccessDeniedException). An organization may send 20
invitations a day (HANDSHAKE_RATE_LIMIT_EXCEEDED past them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from orgtui.demo.rules import (
    _refuse,
    check_departure,
    check_scp_allows_leave,
    management_cannot_leave,
    not_in_organization,
)
from orgtui.handshakes import INVITE_LIFETIME, MAX_TAGS

PAGE = 20
DAILY_INVITES = 20


@dataclass
class DemoHandshake:
    """One invitation as the demo keeps it."""

    id: str
    organization_id: str
    management_id: str
    management_email: str
    management_name: str
    feature_set: str
    account_id: str
    requested: datetime
    state: str = "OPEN"
    notes: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    partition: str = "aws"

    def state_at(self, now: datetime) -> str:
        if self.state == "OPEN" and now >= self.requested + INVITE_LIFETIME:
            return "EXPIRED"
        return self.state

    def describe(self, now: datetime) -> dict[str, Any]:
        resources: list[dict[str, Any]] = [
            {
                "Type": "ORGANIZATION",
                "Value": self.organization_id,
                "Resources": [
                    {"Type": "MASTER_EMAIL", "Value": self.management_email},
                    {"Type": "MASTER_NAME", "Value": self.management_name},
                    {"Type": "ORGANIZATION_FEATURE_SET", "Value": self.feature_set},
                ],
            },
            {"Type": "ACCOUNT", "Value": self.account_id},
        ]
        if self.notes:
            resources.append({"Type": "NOTES", "Value": self.notes})
        return {
            "Id": self.id,
            "Arn": f"arn:{self.partition}:organizations::{self.management_id}:handshake/"
            f"{self.organization_id}/invite/{self.id}",
            "Parties": [
                {"Id": self.organization_id, "Type": "ORGANIZATION"},
                {"Id": self.account_id, "Type": "ACCOUNT"},
            ],
            "State": self.state_at(now),
            "RequestedTimestamp": self.requested.timestamp(),
            "ExpirationTimestamp": (self.requested + INVITE_LIFETIME).timestamp(),
            "Action": "INVITE",
            "Resources": resources,
        }


_store: dict[str, DemoHandshake] = {}
_clock: list[Callable[[], datetime]] = [lambda: datetime.now(timezone.utc)]


def handshake_id(organization_id: str, account_id: str, n: int) -> str:
    """A stable id for the demo (snapshot tests): `h-` + 16 lowercase hex digits."""
    digest = hashlib.sha256(f"{organization_id}:{account_id}:{n}".encode()).hexdigest()
    return f"h-{digest[:16]}"


def reset(clock: Callable[[], datetime]) -> None:
    _store.clear()
    _clock[0] = clock


def add(handshake: DemoHandshake) -> DemoHandshake:
    _store[handshake.id] = handshake
    return handshake


def handshakes() -> Mapping[str, DemoHandshake]:
    return _store


def _now() -> datetime:
    return _clock[0]()


def _backends() -> Any:
    from moto.organizations.models import organizations_backends

    return organizations_backends


def _own_management(self: Any) -> Any:
    """The caller's backend when it is an organization's management account, else the
    error AWS answers (a member: AccessDeniedException; no organization: not in use)."""
    backends = _backends()
    caller = self.current_account
    backend = backends[caller][self.partition]
    if backend.org is not None and backend.org.master_account_id == caller:
        return backend
    if caller in backends.master_accounts:
        raise _refuse(
            "AccessDeniedException",
            "You don't have permissions to access this resource. (Only the organization's "
            f"management account can make this call; caller {caller}.)",
        )
    raise not_in_organization()


def _page(self: Any, items: list[dict[str, Any]]) -> str:
    start = int(self._get_param("NextToken") or 0)
    size = min(int(self._get_param("MaxResults") or PAGE), PAGE)
    page = items[start : start + size]
    answer: dict[str, Any] = {"Handshakes": page}
    if start + size < len(items):
        answer["NextToken"] = str(start + size)
    return json.dumps(answer)


def _filtered(self: Any, found: list[DemoHandshake]) -> list[dict[str, Any]]:
    action = (self._get_param("Filter") or {}).get("ActionType")
    now = _now()
    found = [h for h in found if action in (None, "INVITE")]
    return [h.describe(now) for h in sorted(found, key=lambda h: h.requested, reverse=True)]


def invite_account_to_organization(self: Any) -> str:
    backend = _own_management(self)
    org = backend.org
    target = self._get_param("Target") or {}
    account_id = str(target.get("Id") or "")
    if target.get("Type") != "ACCOUNT" or not (len(account_id) == 12 and account_id.isdigit()):
        raise _refuse(
            "InvalidInputException",
            "You provided a value that does not match the required pattern (the demo invites "
            "accounts by their 12-digit id).",
            "INVALID_PARTY_TYPE_TARGET",
        )
    backends = _backends()
    if account_id == org.master_account_id or (
        backends.master_accounts.get(account_id, ("",))[0] == org.master_account_id
    ):
        raise _refuse(
            "HandshakeConstraintViolationException",
            "The account is already a member of this organization.",
            "ALREADY_IN_AN_ORGANIZATION",
        )
    tags = {str(t.get("Key")): str(t.get("Value") or "") for t in self._get_param("Tags") or []}
    if len(tags) > MAX_TAGS:
        raise _refuse(
            "ConstraintViolationException",
            "You have exceeded the allowed number of tags for a resource.",
            "MAX_TAG_LIMIT_EXCEEDED",
        )
    if any(len(k) > 128 or len(v) > 256 for k, v in tags.items()):
        raise _refuse("InvalidInputException", "A tag key or value is too long.", "INVALID_INPUT")
    now = _now()
    mine = [h for h in _store.values() if h.organization_id == org.id]
    if any(h.account_id == account_id and h.state_at(now) == "OPEN" for h in mine):
        raise _refuse(
            "DuplicateHandshakeException",
            "A handshake with the same action and target already exists.",
        )
    if sum(1 for h in mine if now - h.requested < timedelta(days=1)) >= DAILY_INVITES:
        raise _refuse(
            "HandshakeConstraintViolationException",
            "You have sent the number of invitations allowed in one day.",
            "HANDSHAKE_RATE_LIMIT_EXCEEDED",
        )
    management = next((a for a in backend.accounts if a.id == org.master_account_id), None)
    handshake = add(
        DemoHandshake(
            id=handshake_id(org.id, account_id, len(_store)),
            organization_id=org.id,
            management_id=org.master_account_id,
            management_email=org.master_account_email,
            management_name=getattr(management, "name", "") or "",
            feature_set=org.feature_set,
            account_id=account_id,
            requested=now,
            notes=str(self._get_param("Notes") or ""),
            tags=tags,
            partition=self.partition,
        )
    )
    return json.dumps({"Handshake": handshake.describe(now)})


def list_handshakes_for_organization(self: Any) -> str:
    org = _own_management(self).org
    return _page(self, _filtered(self, [h for h in _store.values() if h.organization_id == org.id]))


def list_handshakes_for_account(self: Any) -> str:
    caller = self.current_account
    return _page(self, _filtered(self, [h for h in _store.values() if h.account_id == caller]))


def _visible(self: Any) -> DemoHandshake:
    """The handshake asked for, when the caller is a party to it (the invited account or
    the inviting organization's management account); else HandshakeNotFoundException."""
    hid = str(self._get_param("HandshakeId") or "")
    found = _store.get(hid)
    caller = self.current_account
    if found is None or caller not in (found.account_id, found.management_id):
        raise _refuse(
            "HandshakeNotFoundException", "We can't find a handshake with the HandshakeId."
        )
    return found


def describe_handshake(self: Any) -> str:
    return json.dumps({"Handshake": _visible(self).describe(_now())})


def _answerable(handshake: DemoHandshake, wanted: str) -> None:
    state = handshake.state_at(_now())
    if state == wanted:
        raise _refuse("HandshakeAlreadyInStateException", f"The handshake is already {state}.")
    if state != "OPEN":
        raise _refuse(
            "InvalidHandshakeTransitionException",
            f"You can't change a handshake that is {state}.",
        )


def accept_handshake(self: Any) -> str:
    handshake = _visible(self)
    caller = self.current_account
    if caller != handshake.account_id:
        raise _refuse("AccessDeniedException", "Only the invited account can accept.")
    _answerable(handshake, "ACCEPTED")
    _move(caller, handshake, self.partition)
    handshake.state = "ACCEPTED"
    return json.dumps({"Handshake": handshake.describe(_now())})


def decline_handshake(self: Any) -> str:
    handshake = _visible(self)
    if self.current_account != handshake.account_id:
        raise _refuse("AccessDeniedException", "Only the invited account can decline.")
    _answerable(handshake, "DECLINED")
    handshake.state = "DECLINED"
    return json.dumps({"Handshake": handshake.describe(_now())})


def cancel_handshake(self: Any) -> str:
    handshake = _visible(self)
    if self.current_account != handshake.management_id:
        raise _refuse("AccessDeniedException", "Only the inviting organization can cancel.")
    _answerable(handshake, "CANCELED")
    handshake.state = "CANCELED"
    return json.dumps({"Handshake": handshake.describe(_now())})


def _move(account_id: str, handshake: DemoHandshake, partition: str) -> None:
    """The account leaves its organization (the departure rules first) and joins the
    inviting one, with the invitation's tags."""
    from moto.organizations import utils

    backends = _backends()
    own = backends[account_id][partition]
    if own.org is not None and own.org.master_account_id == account_id:
        raise management_cannot_leave()
    target = backends[handshake.management_id][partition]
    owner = backends.master_accounts.get(account_id)
    account: Any = None
    if owner is not None:
        source = backends[owner[0]][owner[1]]
        account = next((a for a in source.accounts if a.id == account_id), None)
        # AWS's rules for an account leaving its organization, but the standalone ones.
        check_departure(source, account_id, account, _now(), verb="move")
        check_scp_allows_leave(source, account_id)
        backends.master_accounts.pop(account_id, None)
        if account is not None:
            for policy in list(account.attached_policies):
                if account in policy.attachments:
                    policy.attachments.remove(account)
            source.accounts.remove(account)
    if account is None:  # a standalone account: the demo makes one to join
        from moto.organizations.models import FakeAccount

        account = FakeAccount(
            target.org, AccountName=f"account-{account_id}", Email=f"{account_id}@example.com"
        )
        account.id = account_id
    org = target.org
    account.organization_id = org.id
    account.master_account_id = org.master_account_id
    account.parent_id = org.root_id
    account.joined_method = "INVITED"
    account.create_time = _now().astimezone(timezone.utc).replace(tzinfo=None)
    account.attached_policies = []
    account.tags = dict(handshake.tags)
    target.accounts.append(account)
    backends.master_accounts[account_id] = (org.master_account_id, partition)
    for policy_id in (utils.DEFAULT_SCP_POLICY_ID, utils.DEFAULT_RCP_POLICY_ID):
        target.attach_policy(PolicyId=policy_id, TargetId=account_id)


OPERATIONS = {
    "invite_account_to_organization": invite_account_to_organization,
    "list_handshakes_for_organization": list_handshakes_for_organization,
    "list_handshakes_for_account": list_handshakes_for_account,
    "describe_handshake": describe_handshake,
    "accept_handshake": accept_handshake,
    "decline_handshake": decline_handshake,
    "cancel_handshake": cancel_handshake,
}


def install(clock: Callable[[], datetime]) -> None:
    """Teach moto's Organizations responses the handshake operations (this process only),
    with an empty store and the demo's clock."""
    from moto.organizations.responses import OrganizationsResponse

    reset(clock)
    for name, fn in OPERATIONS.items():
        setattr(OrganizationsResponse, name, fn)
