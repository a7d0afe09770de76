"""Command palette (ctrl+p): jump to an account by name or id, and run the session's actions.

Textual's palette parses a hit's text and its help as markup; account names and OU paths
are untrusted, so each hit is drawn here as `Content` (never markup): the matched letters
highlighted, the help on a second line, every name cleaned.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from orgtui.text import clean

if TYPE_CHECKING:
    from orgtui.ui.app import OrgApp

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
    """Accounts (by name or id) and actions (reload, filter, help, remove)."""

    @property
    def org_app(self) -> OrgApp:
        return self.app  # type: ignore[return-value]

    def _actions(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.org_app
        actions: list[tuple[str, str, Callable[[], Any]]] = [
            ("Reload the organization", "read AWS again (ctrl+r)", app.action_reload),
            ("Filter accounts", "name, id, email, tag key=value, verdict, code, OU (/)",
             app.action_filter),
            ("Show blocked accounts", "filter on the verdict blocked",
             partial(app.set_filter, "blocked")),
            ("Show accounts to review", "filter on the verdict review",
             partial(app.set_filter, "review")),
            ("Show ready accounts", "filter on the verdict ready",
             partial(app.set_filter, "ready")),
            ("Clear the filter", "show every account (escape)", app.action_clear_filter),
            ("Show the keys", "help (?)", app.action_help),
        ]
        if not app.read_only:
            actions.append(("Remove marked accounts", "or the one under the cursor (r)",
                            app.action_remove))
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
        candidates = [a for a in accounts.values()
                      if needle and (needle in a.name.lower() or needle in a.id)]
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
            yield Hit(max(score, 0.5),
                      hit_content(matcher, text, f"{view.verdict(acc.id)} · {where}"),
                      partial(self.org_app.jump_to, acc.id), text=clean(text))
            shown += 1
            if shown >= MAX_ACCOUNT_HITS:
                return
