"""The detail pane: everything orgtui knows about the node under the cursor.

Account: fields, OU path, tags, delegated services, policies (where each is attached) and
every finding with its fix. OU: path, policies, verdict summary. Root: the organization.
Drawn with the shared builders of `orgtui.ui.render` (the removal dialog uses the same),
so names and tags print as they are, cleaned, never as markup.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from orgtui.text import clean
from orgtui.ui.palette import BOLD, DIM, Palette, palette
from orgtui.ui.render import (
    counts_line,
    fields,
    finding_lines,
    heading,
    joined_text,
    policy_lines,
    safe,
    tags_table,
    verdict_badge,
)
from orgtui.ui.view import NodeRef, OrgView, summary

LOADING = "Loading the organization…"


def _incomplete(view: OrgView, note: str | None, pal: Palette) -> list[RenderableType]:
    if view.complete:
        return []
    snap = view.snapshot
    if note or snap.problems:
        why = note or "; ".join(snap.problems)
        msg = f"Incomplete data: {clean(why)} Tags, policies or delegation may be missing."
    else:
        msg = "Still reading tags, policies and delegated administrators: verdicts may change."
    return [Text(msg, style=pal.warning + Style(bold=False, italic=True))]


def _none(snap_enriched: bool) -> Text:
    return Text("none" if snap_enriched else "none read", style=DIM)


def _policies(view: OrgView, node_id: str) -> list[RenderableType]:
    lines = policy_lines(view.snapshot, node_id)
    return [heading("Policies"), *(lines or [_none(view.snapshot.enriched)])]


def account_detail(view: OrgView, account_id: str, note: str | None = None,
                   pal: Palette | None = None) -> Group:
    pal = pal or Palette.default()
    snap = view.snapshot
    acc = snap.accounts[account_id]
    title = Text.assemble(safe(acc.name, BOLD), "  ",
                          verdict_badge(view.verdict(account_id), pal, upper=True,
                                        complete=view.complete))
    state = safe(acc.state, "" if acc.state == "ACTIVE" else pal.error)
    parts: list[RenderableType] = [title, *_incomplete(view, note, pal), fields([
        ("Id", acc.id), ("Email", acc.email or "—"), ("State", state),
        ("Joined", joined_text(acc)), ("OU path", " / ".join(snap.ou_path(account_id))),
        ("ARN", acc.arn or "—"),
    ])]
    # Why it can or cannot leave comes first; the facts behind it follow.
    parts.append(heading("Findings"))
    findings = view.assessments[account_id].findings
    if not findings:
        parts.append(Text("No findings: nothing stands in the way of removal.",
                          style=pal.success + Style(bold=False)))
    parts += finding_lines(findings, pal)
    tags = snap.tags_of(account_id)
    parts.append(heading("Tags"))
    parts.append(tags_table(tags) if tags else _none(snap.enriched))
    parts.append(heading("Delegated administrator for"))
    services = snap.delegated_services_of(account_id)
    parts += [safe(s) for s in services] or [_none(snap.enriched)]
    parts += _policies(view, account_id)
    return Group(*parts)


def ou_detail(view: OrgView, ou_id: str, note: str | None = None,
              pal: Palette | None = None) -> Group:
    pal = pal or Palette.default()
    snap = view.snapshot
    ou = snap.ous[ou_id]
    ids = [a.id for a in snap.iter_accounts_under(ou_id)]
    direct = len([a for a in snap.child_accounts.get(ou_id, ()) if a in snap.accounts])
    parts: list[RenderableType] = [
        Text.assemble(safe(ou.name, BOLD), ("  organizational unit", DIM)),
        *_incomplete(view, note, pal),
        fields([("Id", ou.id), ("Path", " / ".join([*snap.ou_path(ou_id), ou.name])),
                ("Child OUs", str(len(snap.child_ous.get(ou_id, ())))),
                ("Accounts", f"{direct} directly, {len(ids)} at any depth")]),
        heading("Verdicts of its accounts"), counts_line(summary(view, ids), pal),
    ]
    blocked = [snap.accounts[a] for a in ids if view.verdict(a) == "blocked"]
    if blocked:
        names = ", ".join(a.name for a in blocked[:20])
        more = f" and {len(blocked) - 20} more" if len(blocked) > 20 else ""
        parts.append(safe(f"Blocked: {names}{more}", DIM))
    parts += _policies(view, ou_id)
    return Group(*parts)


def root_detail(view: OrgView, root_id: str, note: str | None = None,
                pal: Palette | None = None) -> Group:
    pal = pal or Palette.default()
    snap = view.snapshot
    org = snap.organization
    root = next((r for r in snap.roots if r.id == root_id), None)
    rows: list[tuple[str, str | Text]] = [
        ("Organization", org.id), ("ARN", org.arn or "—"), ("Feature set", org.feature_set),
        ("Management", f"{org.management_account_id} {org.management_account_email}".strip()),
        ("Caller", f"{snap.caller.account}  {snap.caller.arn}"),
    ]
    if root is not None and not snap.member_mode:
        rows.insert(0, ("Root", f"{root.name} ({root.id})"))
        rows.append(("Policy types", ", ".join(root.enabled_policy_types) or "none enabled"))
    parts: list[RenderableType] = [
        Text.assemble(safe(snap.node_name(root_id), BOLD),
                      ("  the organization's root" if not snap.member_mode else "", DIM)),
        *_incomplete(view, note, pal), fields(rows),
    ]
    if snap.member_mode:
        parts.append(Text(
            "\nYou are signed in to a member account: only the organization and this "
            "account are visible. Sign in to the management account to see the rest.",
            style=pal.warning + Style(bold=False)))
    parts += [heading("Verdicts"), counts_line(summary(view), pal)]
    if not snap.member_mode:
        parts += _policies(view, root_id)
    return Group(*parts)


class DetailPane(VerticalScroll):
    """Scrollable detail of the node under the cursor."""

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static(Text(LOADING, style=DIM), id="detail-body")

    def show(self, view: OrgView | None, ref: NodeRef | None, note: str | None = None) -> None:
        body = self.query_one("#detail-body", Static)
        if view is None:
            body.update(Text(LOADING, style=DIM))
            return
        if ref is None:
            body.update(Text("No account here: the filter shows none.", style=DIM))
            return
        snap = view.snapshot
        pal = palette(self.app)
        if ref.kind == "account" and ref.id in snap.accounts:
            body.update(account_detail(view, ref.id, note, pal))
        elif ref.kind == "ou" and ref.id in snap.ous:
            body.update(ou_detail(view, ref.id, note, pal))
        elif ref.kind == "root":
            body.update(root_detail(view, ref.id, note, pal))
        else:
            body.update(Text("Nothing here any more.", style=DIM))
