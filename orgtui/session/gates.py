"""Which write dialog may open, on which accounts, or why not: pure decisions the UI's
write flow asks before it opens anything (`gate`), tested without a terminal.

A refusal is words a person can act on (what and how, one notice); an opening is the
snapshot to write from and the accounts the dialog is for (a member's removal is its own
LeaveOrganization). The dialog's live re-check decides afterwards, never these: they
only spare a dialog that could not do anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from orgtui.model import Account, Destination, Snapshot
from orgtui.text import account_label, clean

Kind = Literal["remove", "attest", "deregister", "close", "move", "invite", "accept"]
# The word each write's refusal in audit mode uses ("nothing can be removed").
DONE_WORD: dict[str, str] = {
    "remove": "removed",
    "attest": "attested",
    "deregister": "deregistered",
    "close": "closed",
    "move": "moved",
    "invite": "invited",
    "accept": "accepted",
}
MANAGEMENT_ONLY = (
    "Signed in to a member account: {what} needs the management account "
    "(organizations:{call} is refused to members). Sign in to the management "
    "account to do it."
)
# What each write needs of the management account (the member's words).
MANAGEMENT_CALLS: dict[str, tuple[str, str]] = {
    "attest": ("attesting", "TagResource"),
    "deregister": ("deregistering a delegated administrator", "DeregisterDelegatedAdministrator"),
    "close": ("closing accounts", "CloseAccount"),
    "move": ("moving accounts", "MoveAccount"),
    "invite": ("inviting accounts", "InviteAccountToOrganization"),
}
KEYS: dict[str, str] = {"remove": "r", "attest": "v", "close": "c", "move": "m"}
LOADING = "The organization is still loading."
# r removes (or leaves): always a standalone departure, which a transfer never makes.
NOT_STANDALONE = (
    "The destination is {destination}: the verdicts shown are for it, and removing makes "
    "the account standalone instead. {how} Press x until the header says standalone to see "
    "what a removal needs, then press r."
)
HOW = {
    "transfer": "A transfer is made from the other organization: its management account "
    "invites the account, and the account accepts; nothing is removed here.",
    "close": "To close the accounts, press c.",
}
MANAGEMENT = "the management account never leaves the organization: nothing to attest"


def read_only_notice(what: str = "removed") -> str:
    if what == "marked":  # marks only choose accounts for a write
        return (
            "This session is read-only (orgtui audit): marks choose accounts for a write "
            "(remove, attest, deregister, close, move), so nothing can be marked. Narrow the "
            "view with /, or report on chosen accounts with "
            "`orgtui audit --report FORMAT --account ID`."
        )
    return f"This session is read-only (orgtui audit): nothing can be {what}."


@dataclass(frozen=True)
class Refused:
    """Why the dialog does not open, in words (one notice)."""

    words: str
    severity: Literal["warning", "information"] = "warning"
    timeout: float | None = None


@dataclass(frozen=True)
class Opens:
    """The dialog opens on `account_ids`, written from `snapshot`."""

    snapshot: Snapshot
    account_ids: tuple[str, ...]
    leave: bool = False  # a member's r: LeaveOrganization for its own account


def skip_reason(account: Account | None, snap: Snapshot) -> str | None:
    """Why an account is not attested, or None when it can be."""
    if account is None:
        return "no longer in the organization"
    if account.id == snap.organization.management_account_id:
        return MANAGEMENT
    if account.joined_method != "CREATED":
        return (
            f"joined by invitation ({account.joined_method or 'unknown'}): it signed up "
            "on its own, so there is nothing to attest"
        )
    return None


def gate(
    kind: Kind,
    snapshot: Snapshot | None,
    account_ids: Sequence[str],
    *,
    read_only: bool,
    destination: Destination,
    writing: bool = False,
) -> Refused | Opens:
    """May the dialog of `kind` open on these accounts (the marked ones, or the one
    under the cursor)? `writing`: a write dialog's run is in flight."""
    if read_only:
        return Refused(read_only_notice(DONE_WORD[kind]))
    if snapshot is None:
        return Refused(LOADING)
    snap = snapshot
    if kind == "remove":
        return _removal(snap, account_ids, destination)
    if kind == "move" and writing:  # one move at a time: the next starts from what it did
        return Refused("A move is in progress: wait for it to finish.")
    if kind == "accept":  # the account's own write, as a member
        return _accept(snap, writing)
    if not snap.is_management_caller:
        what, call = MANAGEMENT_CALLS[kind]
        return Refused(MANAGEMENT_ONLY.format(what=what, call=call))
    if kind == "invite":  # the accounts are not members: the dialog asks for their ids
        return Opens(snap, ())
    if kind == "deregister":
        return _deregister(snap, account_ids[0] if account_ids else None)
    ids = snap.known(account_ids)
    if not ids:
        return Refused(
            f"Put the cursor on an account, or mark accounts with space, then press {KEYS[kind]}."
        )
    if kind == "attest":
        return _attest(snap, ids)
    return Opens(snap, tuple(ids))


def _removal(
    snap: Snapshot, account_ids: Sequence[str], destination: Destination
) -> Refused | Opens:
    if destination != "standalone":
        return Refused(
            NOT_STANDALONE.format(destination=destination, how=HOW.get(destination, "")),
            timeout=10,
        )
    ids = snap.known(account_ids)
    if not ids:
        return Refused("None of these accounts is in the organization any more.")
    if snap.is_management_caller:
        return Opens(snap, tuple(ids))
    own = snap.caller.account
    if own not in ids:
        return Refused(
            "Signed in to a member account, orgtui can only make this account leave the "
            "organization: put the cursor on it and press r."
        )
    return Opens(snap, (own,), leave=True)


def _attest(snap: Snapshot, ids: list[str]) -> Refused | Opens:
    why = [skip_reason(snap.accounts[a], snap) for a in ids]
    if not all(why):
        return Opens(snap, tuple(ids))
    # Nothing to attest: say why, without a dialog.
    if len(ids) == 1:
        who = account_label(clean(snap.accounts[ids[0]].name), ids[0])
        return Refused(f"{who}: {why[0]}.")
    return Refused(
        f"None of the {len(ids)} accounts was created through Organizations (or they are "
        "the management account): nothing to attest."
    )


def _deregister(snap: Snapshot, account_id: str | None) -> Refused | Opens:
    if account_id is None or account_id not in snap.accounts:
        return Refused("Put the cursor on an account, then press d.")
    if not snap.enriched:
        return Refused("Delegated administrators are still being read.")
    if not snap.delegated_services_of(account_id):
        who = account_label(clean(snap.accounts[account_id].name), account_id)
        return Refused(
            f"{who} is not a delegated administrator: nothing to "
            "deregister (as of the last load; ctrl+r reloads).",
            severity="information",
        )
    return Opens(snap, (account_id,))


def _accept(snap: Snapshot, writing: bool) -> Refused | Opens:
    if snap.is_management_caller:
        return Refused(
            "The management account can't accept an invitation: it can never leave its "
            "organization."
        )
    if writing:
        return Refused("A write is in progress: wait for it to finish.")
    return Opens(snap, (snap.caller.account,))
