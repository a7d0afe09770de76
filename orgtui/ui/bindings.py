"""The help screen's rows, built from the bindings themselves: each binding's keys and
description come from its `Binding`, and the longer text from `HELP`, the one table of
help texts keyed by binding id. A key is described in one place; a binding without an
entry here shows its short description.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from textual.binding import Binding, BindingType

HELP: dict[str, str] = {
    "move-down": "move the cursor down (up / k moves it up)",
    "move-up": "move the cursor up",
    "open": "open the OU under the cursor, or step into it when open",
    "collapse": "collapse the OU, or go to its parent",
    "filter": "filter by name, id, email, tag key=value, verdict (blocked, review, ready), "
    "finding code (DELEGATED_ADMIN), delegated service (guardduty), joined method "
    "(invited, created), state (suspended), OU (ou:Prod at any depth, or an OU "
    "id); terms combine (AND)",
    "filter-first-match": "in the filter: move the cursor to the first match",
    "clear-filter": "clear the filter, close a dialog",
    "mark": "mark or unmark the account for bulk removal (on an OU: every account under "
    "it), then move down",
    "mark-all": "mark every account shown (the filter's matches, or all); again to unmark them",
    "toggle-table": "switch between the tree and the account table",
    "destination": "cycle the destination the verdicts are for: standalone (removed, or "
    "leaving, as a standalone account), transfer (invited by another organization: no "
    "standalone step), close (CloseAccount); badges, counts, filters and the table follow",
    "destination-narrow": "cycle the destination the verdicts are for: standalone (removed, "
    "or leaving, as a standalone account), transfer (invited by another organization: no "
    "standalone step), close (CloseAccount); badges, counts, filters and the table follow",
    "sort-next": "in the table: sort by the next column (a click on a header sorts by it)",
    "sort-reverse": "in the table: reverse the order",
    "attest": "attest that the marked accounts (or the one under the cursor) completed "
    "their standalone sign-up: a dialog, the typed id, then the attestation tag",
    "attest-read-only": "nothing: this session is read-only (orgtui audit)",
    "attest-narrow": "attest that the marked accounts (or the one under the cursor) "
    "completed their standalone sign-up: a dialog, the typed id, then the "
    "attestation tag",
    "deregister": "deregister the account under the cursor as delegated administrator, "
    "service by service: a dialog, then the typed id",
    "deregister-read-only": "nothing: this session is read-only (orgtui audit)",
    "deregister-narrow": "deregister the account under the cursor as delegated "
    "administrator, service by service: a dialog, then the typed id",
    "close": "close the marked accounts (or the one under the cursor) with CloseAccount: "
    "a dialog with what closing ends (final after 90 days), the close quota left, then the "
    "typed id or count",
    "close-read-only": "nothing: this session is read-only (orgtui audit)",
    "close-narrow": "close the marked accounts (or the one under the cursor) with "
    "CloseAccount: a dialog with what closing ends (final after 90 days), the close quota "
    "left, then the typed id or count",
    "move": "move the marked accounts (or the one under the cursor) to an OU picked from "
    "a filterable list; enter on the OU moves them (MoveAccount)",
    "move-read-only": "nothing: this session is read-only (orgtui audit)",
    "move-narrow": "move the marked accounts (or the one under the cursor) to an OU picked "
    "from a filterable list; enter on the OU moves them (MoveAccount)",
    "remove": "remove the marked accounts, or the one under the cursor",
    "remove-read-only": "nothing: this session is read-only (orgtui audit)",
    "invite": "transfer: the management account invites accounts into this organization, "
    "each with its tags (the --invite-from report's, or orgtui's tag backups); a member "
    "accepts an open invitation",
    "invitations": "the organization's invitations (ListHandshakesForOrganization): state, "
    "account, when sent and until when, the inviting organization; a filter; ctrl+r there "
    "reads them again and reloads, so an accepted account shows in the tree",
    "invite-read-only": "nothing: this session is read-only (orgtui audit)",
    "reload": "read the organization again",
    "help": "this help",
    "quit": "quit (ctrl+c from anywhere, a dialog too); a write in flight is finished and "
    "logged first",
    "palette": "command palette: jump to an account, run an action, change the theme",
    "focus-next": "move the focus between the tree (or table) and the detail",
}

_KEY_NAMES = {"question_mark": "?", "slash": "/", "exclamation_mark": "!"}


def key_text(binding: Binding, keymap: Mapping[str, str] | None = None) -> str:
    """`up, k`, `ctrl+r`, `?`: the keys in effect (the user's keymap first) as a person
    types them."""
    mapped = (keymap or {}).get(binding.id or "")
    if mapped is None and binding.key_display:
        return binding.key_display
    keys = mapped if mapped is not None else binding.key
    return ", ".join(_KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


# Bindings kept beside the one the footer shows (the same action for a narrow footer,
# or its audit-mode refusal): a user's key for the one applies to its twins too.
TWINS = ("-narrow", "-read-only")


def binding_ids(sources: Iterable[type]) -> set[str]:
    return {b.id for b in _bindings(sources) if b.id}


def expand_keymap(
    keymap: Iterable[tuple[str, str]], sources: Iterable[type]
) -> tuple[dict[str, str], list[str]]:
    """The keymap for `App.set_keymap`: each binding id given, and its twins; and the
    ids given that no binding has (to be said)."""
    known = binding_ids(sources)
    expanded: dict[str, str] = {}
    unknown: list[str] = []
    for binding_id, keys in keymap:
        if binding_id not in known:
            unknown.append(binding_id)
            continue
        expanded[binding_id] = keys
        for twin in TWINS:
            if binding_id + twin in known:
                expanded.setdefault(binding_id + twin, keys)
    return expanded, unknown


def _bindings(sources: Iterable[type]) -> Iterable[Binding]:
    for source in sources:
        entries: list[BindingType] = list(getattr(source, "BINDINGS", []))
        for entry in entries:
            if isinstance(entry, Binding) and entry.id:
                yield entry


def help_rows(
    sources: Iterable[type],
    allowed: Callable[[str], bool],
    keymap: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding with an id in `sources`, in order, once per
    id, skipping those whose action `allowed(action)` refuses (as the footer would). Keys
    bound to the same action share the first one's row (`q, ctrl+c`)."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    row_of: dict[str, int] = {}  # action -> its row
    for binding in _bindings(sources):
        assert binding.id is not None
        if binding.id in seen or not allowed(binding.action):
            continue
        seen.add(binding.id)
        if binding.action in row_of:
            keys, what = rows[row_of[binding.action]]
            rows[row_of[binding.action]] = (f"{keys}, {key_text(binding, keymap)}", what)
            continue
        row_of[binding.action] = len(rows)
        rows.append((key_text(binding, keymap), HELP.get(binding.id, binding.description.lower())))
    return rows
