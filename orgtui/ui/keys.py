"""Every key binding of the session, for the help screen (ids match the Binding ids)."""

from __future__ import annotations

KEYS: tuple[tuple[str, str, str], ...] = (
    # (keys, what they do, binding id)
    ("up / down, k / j", "move the cursor", "move-up / move-down"),
    ("enter, l", "open the OU under the cursor (or step into it)", "open"),
    ("h", "collapse the OU, or go to its parent", "collapse"),
    ("/", "filter by name, id, email, tag key=value, blocked / review / ready", "filter"),
    ("enter (in the filter)", "move the cursor to the first match", "filter"),
    ("escape", "clear the filter, close a dialog", "clear-filter"),
    ("space", "mark or unmark the account for bulk removal", "mark"),
    ("r", "remove the marked accounts, or the one under the cursor", "remove"),
    ("ctrl+r", "reload the organization", "reload"),
    ("?", "this help", "help"),
    ("q", "quit", "quit"),
    ("ctrl+p", "command palette: jump to an account, run an action", "palette"),
    ("tab", "move the focus between the tree and the detail", ""),
)
