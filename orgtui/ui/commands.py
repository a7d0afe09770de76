"""Command palette (ctrl+p): jump to an account by name or id, and run the session's actions.

Textual's palette parses a hit's text and its help as markup; account names and OU paths
are untrusted, so each hit is drawn here as `Content` (never markup): the matched letters
highlighted, the help on a second line, every name cleaned.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from orgtui.text import clean

MAX_ACCOUNT_HITS = 50
FUZZY_LIMIT = 3000  # accounts tried with fuzzy matching when no name or id contains the query
HELP_STYLE = "dim"


def hit_content(matcher: Matcher | None, text: str, help_text: str) -> Content:
    """`text` with the letters the query matched highlighted, and `help_text` below it:
    plain content, whatever the strings hold."""
    text, help_text = clean(text), clean(help_text)
    content = Content(text)
    if matcher is not None:
        score, offsets = matcher.fuzzy_search.match(matcher.query, text)
        if score:
            for offset in offsets:
                if not text[offset].isspace():
                    content = content.stylize(matcher.match_style, offset, offset + 1)
    if help_text:
        content = Content.assemble(content, "\n", Content(help_text).stylize(HELP_STYLE))
    return content


class OrgCommands(Provider):
    """Accounts (by name or id) and actions (reload, filter, help, remove, attest,
    deregister, close, move)."""

    @property
    def org_app(self) -> Any:
        # The OrgApp (its main screen and actions); typed loosely because the app module
        # imports this one.
        return self.app

    def _actions(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.org_app
        main = app.main
        actions: list[tuple[str, str, Callable[[], Any]]] = [
            ("Reload the organization", "read AWS again (ctrl+r)", app.action_reload),
            (
                "Filter accounts",
                "name, id, email, tag key=value, verdict, code, OU (/)",
                main.action_filter,
            ),
            (
                "Show blocked accounts",
                "filter on the verdict blocked",
                partial(main.set_filter, "blocked"),
            ),
            (
                "Show accounts to review",
                "filter on the verdict review",
                partial(main.set_filter, "review"),
            ),
            (
                "Show ready accounts",
                "filter on the verdict ready",
                partial(main.set_filter, "ready"),
            ),
            (
                "Show delegated administrators",
                "filter on the finding DELEGATED_ADMIN",
                partial(main.set_filter, "DELEGATED_ADMIN"),
            ),
            ("Clear the filter", "show every account (escape)", main.action_clear_filter),
            (
                "Switch between the tree and the table",
                "accounts in a sortable table (t)",
                main.action_toggle_table,
            ),
            (
                "Cycle the destination",
                "verdicts for standalone, transfer or close (x)",
                main.action_cycle_destination,
            ),
            ("Show the keys", "help (?)", app.action_help),
            *self._transfer_actions(),
        ]
        if not app.read_only:
            actions += [
                (
                    "Mark every account shown",
                    "the filter's matches, or all; again to unmark (A)",
                    main.action_mark_all,
                ),
                ("Remove marked accounts", "or the one under the cursor (r)", main.action_remove),
                (
                    "Attest marked accounts",
                    "their standalone sign-up is complete; or the one under the cursor (v)",
                    main.action_attest,
                ),
                (
                    "Close marked accounts",
                    "CloseAccount, final after 90 days; or the one under the cursor (c)",
                    main.action_close_accounts,
                ),
                (
                    "Move marked accounts to an OU",
                    "pick the OU from a list; or the one under the cursor (m)",
                    main.action_move,
                ),
                (
                    "Deregister the delegated administrator",
                    "the account under the cursor, for every service (d)",
                    main.action_deregister,
                ),
            ]
        return actions

    def _transfer_actions(self) -> list[tuple[str, str, Callable[[], Any]]]:
        """The direct transfer's: the organization's invitations (a read, audit mode too)
        and, for a member with writes allowed, accepting one of its own."""
        app = self.org_app
        main = app.main
        actions: list[tuple[str, str, Callable[[], Any]]] = [
            (
                "Show the organization's invitations",
                "handshakes sent, accepted, declined, expired (I)",
                main.action_invitations,
            )
        ]
        snap = app.snapshot
        if not app.read_only and snap is not None and not snap.is_management_caller:
            actions.append(
                (
                    "Accept an invitation",
                    "join the inviting organization: this account's open invitations (i)",
                    main.action_invite,
                )
            )
        return actions

    async def discover(self) -> Hits:
        for name, help_text, run in self._actions():
            yield DiscoveryHit(hit_content(None, name, help_text), run, text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, hit_content(matcher, name, help_text), run, text=name)
        view = self.org_app.view
        if view is None:
            return
        needle = query.strip().lower()
        accounts = view.snapshot.accounts
        candidates = [
            a for a in accounts.values() if needle and (needle in a.name.lower() or needle in a.id)
        ]
        fuzzy = not candidates
        if fuzzy:
            candidates = list(accounts.values())[:FUZZY_LIMIT]
        shown = 0
        for acc in candidates:
            text = f"{acc.name} {acc.id}"
            score = matcher.match(text)
            if fuzzy and score <= 0:
                continue
            where = " / ".join(view.snapshot.ou_path(acc.id))
            yield Hit(
                max(score, 0.5),
                hit_content(matcher, text, f"{view.verdict(acc.id)} · {where}"),
                partial(self.org_app.main.jump_to, acc.id),
                text=clean(text),
            )
            shown += 1
            if shown >= MAX_ACCOUNT_HITS:
                return
