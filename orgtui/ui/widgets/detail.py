"""The detail pane: everything orgtui knows about the node under the cursor.

Account: fields, OU path, every finding with its fix, what breaks when it leaves (the
impact findings, warnings first, and who is assigned through Identity Center), tags,
delegated services, policies (where each is attached). OU: path, policies, verdict
summary. Root: the organization and which impact checks were made or skipped.
Drawn with the shared builders of `orgtui.ui.render` (the removal dialog uses the same),
so names and tags print as they are, cleaned, never as markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from orgtui.impact_model import CHECK_NAMES
from orgtui.model import Finding, Snapshot
from orgtui.session.view import NodeRef, OrgView, summary
from orgtui.text import clean
from orgtui.ui.palette import BOLD, DIM, Palette, palette
from orgtui.ui.render import (
    checks_note,
    counts_line,
    fields,
    finding_lines,
    heading,
    invitation_lines,
    joined_text,
    policy_lines,
    recovery_lines,
    safe,
    split_findings,
    tags_table,
    verdict_badge,
    what_breaks_lines,
)
from orgtui.ui.widgets.line_widget import LineWidget

LOADING = "Loading the organization…"


def _incomplete(view: OrgView, note: str | None, pal: Palette) -> list[RenderableType]:
    if view.complete:
        return []
    snap = view.snapshot
    if note or snap.problems:
        why = note or "; ".join(snap.problems)
        msg = f"Incomplete data: {clean(why)} Tags, policies or delegation may be missing."
    else:
        msg = (
            "Details loading: tags, policies, delegated administrators and what breaks "
            "are still being read; the verdict shows once they are."
        )
    return [Text(msg, style=pal.warning + Style(bold=False, italic=True))]


def _none(snap_enriched: bool) -> Text:
    return Text("none" if snap_enriched else "none read", style=DIM)


def _policies(view: OrgView, node_id: str) -> list[RenderableType]:
    lines = policy_lines(view.snapshot, node_id)
    return [heading("Policies"), *(lines or [_none(view.snapshot.enriched)])]


def _what_breaks(
    snap: Snapshot, breaks: list[Finding], pal: Palette, assignees: object
) -> list[RenderableType]:
    parts: list[RenderableType] = [heading("What breaks when it leaves")]
    if not snap.enriched:
        return [*parts, Text("Not read yet.", style=DIM)]
    parts += what_breaks_lines(breaks, pal, assignees=assignees)
    skipped = checks_note(snap, pal)
    if not breaks and skipped is None:
        parts.append(
            Text(
                "Nothing found: no StackSet stacks deleted, no Control Tower "
                "enrolment, no Identity Center access or resource share lost, no "
                "SCP denying it to leave.",
                style=DIM,
            )
        )
    elif not breaks:
        parts.append(Text("Nothing found in the checks that were made.", style=DIM))
    if skipped is not None:
        parts.append(skipped)
    return parts


def account_detail(
    view: OrgView,
    account_id: str,
    note: str | None = None,
    pal: Palette | None = None,
    assignees: object = None,
    recovery: object = None,
    invitations: object = None,
    read_only: bool = False,
) -> Group:
    """An account's detail; `assignees` is who signs in through Identity Center (see
    `render.assignees_text`), shown under IDENTITY_CENTER_ACCESS_LOST; `recovery` is what
    the section "Who can get back in" shows (`RecoveryFlow.state`; None: no section);
    `invitations` the caller's own open invitations (`InvitationFlow.state`; None: no
    section); `read_only`: the session can't accept them."""
    pal = pal or Palette.default()
    snap = view.snapshot
    acc = snap.accounts[account_id]
    title = Text.assemble(
        safe(acc.name, BOLD),
        "  ",
        verdict_badge(
            view.verdict(account_id), pal, upper=True, complete=view.complete, reading=view.reading
        ),
    )
    state = safe(acc.state, "" if acc.state == "ACTIVE" else pal.error)
    # What could not be read about this account alone (its tags), as a warning.
    unread = [
        Text(clean(n), style=pal.warning + Style(bold=False, italic=True))
        for n in snap.account_notes.get(account_id, ())
    ]
    parts: list[RenderableType] = [
        title,
        *_incomplete(view, note, pal),
        *unread,
        fields(
            [
                ("Id", acc.id),
                ("Email", acc.email or "—"),
                ("State", state),
                ("Joined", joined_text(acc)),
                ("OU path", " / ".join(snap.ou_path(account_id))),
                ("ARN", acc.arn or "—"),
            ]
        ),
    ]
    # A member's open invitations first: accepting one is what it can do from here.
    parts += invitation_lines(invitations, pal, read_only)
    # Why it can or cannot leave comes first, then what breaks when it does; the facts
    # behind them follow.
    parts.append(heading("Findings"))
    findings, breaks = split_findings(view.assessments[account_id].findings)
    if not findings:
        parts.append(
            Text(
                "No findings: nothing stands in the way of removal.",
                style=pal.success + Style(bold=False),
            )
        )
    parts += finding_lines(findings, pal)
    if account_id != snap.organization.management_account_id:  # it never leaves
        parts += _what_breaks(snap, breaks, pal, assignees)
        parts += recovery_lines(snap, account_id, recovery, pal, assignees)
    tags = snap.tags_of(account_id)
    parts.append(heading("Tags"))
    parts.append(tags_table(tags) if tags else _none(snap.enriched))
    parts.append(heading("Delegated administrator for"))
    services = snap.delegated_services_of(account_id)
    parts += [safe(s) for s in services] or [_none(snap.enriched)]
    parts += _policies(view, account_id)
    return Group(*parts)


def ou_detail(
    view: OrgView, ou_id: str, note: str | None = None, pal: Palette | None = None
) -> Group:
    pal = pal or Palette.default()
    snap = view.snapshot
    ou = snap.ous[ou_id]
    ids = [a.id for a in snap.iter_accounts_under(ou_id)]
    direct = len([a for a in snap.child_accounts.get(ou_id, ()) if a in snap.accounts])
    parts: list[RenderableType] = [
        Text.assemble(safe(ou.name, BOLD), ("  organizational unit", DIM)),
        *_incomplete(view, note, pal),
        fields(
            [
                ("Id", ou.id),
                ("Path", " / ".join([*snap.ou_path(ou_id), ou.name])),
                ("Child OUs", str(len(snap.child_ous.get(ou_id, ())))),
                ("Accounts", f"{direct} directly, {len(ids)} at any depth"),
            ]
        ),
        heading("Verdicts of its accounts"),
        counts_line(summary(view, ids), pal),
    ]
    blocked = [snap.accounts[a] for a in ids if view.verdict(a) == "blocked"]
    if blocked:
        names = ", ".join(a.name for a in blocked[:20])
        more = f" and {len(blocked) - 20} more" if len(blocked) > 20 else ""
        parts.append(safe(f"Blocked: {names}{more}", DIM))
    parts += _policies(view, ou_id)
    return Group(*parts)


def root_detail(
    view: OrgView, root_id: str, note: str | None = None, pal: Palette | None = None
) -> Group:
    pal = pal or Palette.default()
    snap = view.snapshot
    org = snap.organization
    root = next((r for r in snap.roots if r.id == root_id), None)
    rows: list[tuple[str, str | Text]] = [
        ("Organization", org.id),
        ("ARN", org.arn or "—"),
        ("Feature set", org.feature_set),
        ("Management", f"{org.management_account_id} {org.management_account_email}".strip()),
        ("Caller", f"{snap.caller.account}  {snap.caller.arn}"),
    ]
    if root is not None and not snap.member_mode:
        rows.insert(0, ("Root", f"{root.name} ({root.id})"))
        rows.append(("Policy types", ", ".join(root.enabled_policy_types) or "none enabled"))
    parts: list[RenderableType] = [
        Text.assemble(
            safe(snap.node_name(root_id), BOLD),
            ("  the organization's root" if not snap.member_mode else "", DIM),
        ),
        *_incomplete(view, note, pal),
        fields(rows),
    ]
    if snap.member_mode:
        parts.append(
            Text(
                "\nYou are signed in to a member account: only the organization and this "
                "account are visible. Sign in to the management account to see the rest.",
                style=pal.warning + Style(bold=False),
            )
        )
    parts += [heading("Verdicts"), counts_line(summary(view), pal)]
    if snap.enriched:
        parts += _checks(snap, pal)
    if not snap.member_mode:
        parts += _policies(view, root_id)
    return Group(*parts)


def _checks(snap: Snapshot, pal: Palette) -> list[RenderableType]:
    """Which impact checks were made (and where), which were skipped and why."""
    rows: list[tuple[str, str | Text]] = []
    for name in CHECK_NAMES:
        check = snap.impact.check(name)
        if check.checked:
            where = f" in {', '.join(check.regions)}" if check.regions else ""
            value = Text.assemble(("checked", pal.success), safe(where))
        else:
            value = Text.assemble(("skipped: ", pal.warning), safe(check.reason))
        if check.note:
            value.append_text(safe(f" ({check.note})", DIM))
        rows.append((name, value))
    return [heading("Impact checks (what breaks when an account leaves)"), fields(rows)]


class DetailPane(LineWidget, ScrollView, can_focus=True):
    """Scrollable detail of the node under the cursor.

    The pane draws its content into lines itself (Textual's line API), at the width it
    has, so a new content repaints the pane alone: a `Static` of automatic height would
    lay the whole screen out again at every cursor move (about 25 ms at 10,000 accounts),
    and so would a scrollbar that comes and goes with the content's height, which is why
    it always shows. `content` is the renderable shown.

    The pane starts no work: what the app reads for the account under the cursor (who
    is assigned through Identity Center, who can get back in) is given to `show`.
    """

    DEFAULT_CSS = """
    DetailPane {
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
    }
    """
    KEPT = 64  # nodes whose drawn lines are kept for the view on screen

    def __init__(self, *, read_only: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.read_only = read_only  # an audit session: nothing can be accepted from here
        self.content: RenderableType = Text(LOADING, style=DIM)
        self._lines: list[Strip] = []
        # What the pane shows now: view, node, note, theme, Identity Center count, the
        # recovery section's state (hashable: the contacts are in the view's snapshot) and
        # the invitations' (a tuple of frozen handshakes, or the error).
        self._seen: (
            tuple[OrgView | None, NodeRef | None, str | None, str, object, object, object] | None
        ) = None
        # What was drawn for each node shown in this view and theme (content, width,
        # lines): moving back over nodes (up and down a list) skips rich's render.
        self._drawn: dict[object, tuple[RenderableType, int, list[Strip]]] = {}

    def show(
        self,
        view: OrgView | None,
        ref: NodeRef | None,
        note: str | None = None,
        recovery: object = None,
        assignees: object = None,
        invitations: object = None,
    ) -> None:
        """Show this node; `recovery` is the state of its section "Who can get back in",
        `assignees` that of the Identity Center count, `invitations` that of a member's
        open invitations, all read by the app (`orgtui.ui.recovery_flow`,
        `orgtui.ui.assignee_flow`, `orgtui.ui.invitation_flow`)."""
        # Asked at every keystroke and every cursor move: drawn only when what it shows
        # changed; back to the top when it shows another node.
        seen = (
            view,
            ref,
            note,
            self.app.theme,
            assignees,
            recovery,
            invitations,
        )
        if seen == self._seen:
            return
        moved = self._seen is None or self._seen[1] != ref
        if self._seen is None or self._seen[0] is not view or self._seen[3] != seen[3]:
            self._drawn.clear()  # another view or theme: nothing drawn before is right
        self._seen = seen
        known = self._drawn.get(seen)
        content = (
            known[0]
            if known is not None
            else self._content_of(view, ref, note, recovery, assignees, invitations)
        )
        self._set_content(content, top=moved)

    def _content_of(
        self,
        view: OrgView | None,
        ref: NodeRef | None,
        note: str | None,
        recovery: object,
        assignees: object,
        invitations: object = None,
    ) -> RenderableType:
        if view is None:
            return Text(LOADING, style=DIM)
        if ref is None:
            return Text("No account here: the filter shows none.", style=DIM)
        snap = view.snapshot
        pal = palette(self.app)
        if ref.kind == "account" and ref.id in snap.accounts:
            return account_detail(
                view, ref.id, note, pal, assignees, recovery, invitations, self.read_only
            )
        if ref.kind == "ou" and ref.id in snap.ous:
            return ou_detail(view, ref.id, note, pal)
        if ref.kind == "root":
            return root_detail(view, ref.id, note, pal)
        return Text("Nothing here any more.", style=DIM)

    # --- drawing -------------------------------------------------------------------------

    def _set_content(self, content: RenderableType, top: bool = False) -> None:
        self.content = content
        self._draw()
        if top:
            self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def _draw(self) -> None:
        """Cut the content into lines at the width shown (the scrollbar is always there,
        so the width does not depend on the content)."""
        width = self.scrollable_content_region.width
        known = self._drawn.get(self._seen)
        if known is not None and known[0] is self.content and known[1] == width:
            self._lines = known[2]
        else:
            self._lines = self._lines_at(width) if width > 0 else []
            if len(self._drawn) >= self.KEPT:
                del self._drawn[next(iter(self._drawn))]  # the oldest
            self._drawn[self._seen] = (self.content, width, self._lines)
        self.set_scroll_size(Size(width, len(self._lines)))

    def _lines_at(self, width: int) -> list[Strip]:
        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False)
        return [
            Strip(line, width) for line in console.render_lines(self.content, options, pad=True)
        ]

    def on_resize(self) -> None:
        # The lines were cut for the virtual size's width (`_draw`).
        if self.scrollable_content_region.width != self.virtual_size.width:
            self._draw()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        base = self.draw_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        return self._lines[index].crop_extend(0, width, base).apply_style(base)
