"""The detail pane: everything orgtui knows about the node under the cursor.

Account: fields, OU path, tags, delegated services, policies (where each is attached) and
every finding with its fix. OU: path, policies, verdict summary. Root: the organization.
Text is assembled from data (never parsed as markup), so names and tags print as they are.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from orgtui.model import DEFAULT_POLICY_IDS, iso
from orgtui.text import plural
from orgtui.ui.view import OrgView, summary
from orgtui.ui.widgets.org_tree import BADGE_STYLES, NodeRef, badge_text

SEVERITY_STYLES = {
    "blocker": Style(color="red", bold=True),
    "warning": Style(color="yellow", bold=True),
    "notice": Style(color="cyan"),
}
HEADING = Style(bold=True, underline=True)
LABEL = Style(dim=True)


def _fields(rows: list[tuple[str, str | Text]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style=LABEL, no_wrap=True)
    table.add_column()
    for name, value in rows:
        table.add_row(name, value)
    return table


def _heading(text: str) -> Text:
    return Text("\n" + text, style=HEADING)


def _incomplete(view: OrgView, note: str | None) -> list[RenderableType]:
    if view.complete:
        return []
    snap = view.snapshot
    if note or snap.problems:
        why = note or "; ".join(snap.problems)
        msg = f"Incomplete data: {why} Tags, policies or delegation may be missing."
    else:
        msg = "Still reading tags, policies and delegated administrators: verdicts may change."
    return [Text(msg, style=Style(color="yellow", italic=True))]


def _policies(view: OrgView, node_id: str) -> list[RenderableType]:
    snap = view.snapshot
    applied = snap.applied_policies(node_id)
    out: list[RenderableType] = [_heading("Policies")]
    if not applied:
        out.append(Text("none read" if not snap.enriched else "none", style=LABEL))
        return out
    for item in applied:
        where = "attached directly" if item.attached_to == node_id else (
            f"inherited from {snap.node_name(item.attached_to)} ({item.attached_to})")
        name_style = LABEL if item.policy.id in DEFAULT_POLICY_IDS else Style(bold=True)
        out.append(Text.assemble((item.policy.name, name_style), "  ",
                                 (item.policy.type, LABEL), "\n  ", where))
    return out


def account_detail(view: OrgView, account_id: str, note: str | None = None) -> Group:
    snap = view.snapshot
    acc = snap.accounts[account_id]
    verdict = view.verdict(account_id)
    title = Text.assemble((acc.name, Style(bold=True)), "  ",
                          (badge_text(view, account_id).upper(), BADGE_STYLES[verdict]))
    joined = acc.joined_method
    if acc.joined_timestamp is not None:
        joined += f" on {iso(acc.joined_timestamp)}"
    state = Text(acc.state, style=Style() if acc.state == "ACTIVE" else Style(color="red"))
    path = " / ".join(snap.ou_path(account_id))
    parts: list[RenderableType] = [title, *_incomplete(view, note), _fields([
        ("Id", acc.id), ("Email", acc.email or "—"), ("State", state), ("Joined", joined),
        ("OU path", path), ("ARN", acc.arn or "—"),
    ])]
    # Why it can or cannot leave comes first; the facts behind it follow.
    parts.append(_heading("Findings"))
    findings = view.assessments[account_id].findings
    if not findings:
        parts.append(Text("No findings: nothing stands in the way of removal.",
                          style=Style(color="green")))
    for f in findings:
        style = SEVERITY_STYLES.get(f.severity, Style())
        parts.append(Text.assemble((f"{f.severity.upper()} {f.code}", style)))
        parts.append(Text.assemble("  ", (f.message, style if f.severity == "blocker" else "")))
        parts.append(Text.assemble("  ", ("Fix: ", LABEL), f.fix))
    tags = snap.tags_of(account_id)
    parts.append(_heading("Tags"))
    if tags:
        parts.append(_fields([(k, v) for k, v in sorted(tags.items())]))
    else:
        parts.append(Text("none" if snap.enriched else "none read", style=LABEL))
    parts.append(_heading("Delegated administrator for"))
    services = snap.delegated_services_of(account_id)
    parts.append(Text("\n".join(services)) if services
                 else Text("none" if snap.enriched else "none read", style=LABEL))
    parts += _policies(view, account_id)
    return Group(*parts)


def _verdict_line(view: OrgView, ids: list[str]) -> Text:
    counts = summary(view, ids)
    return Text.assemble(
        f"{plural(counts.total, 'account')}: ",
        (f"{counts.blocked} blocked", BADGE_STYLES["blocked"]), " · ",
        (f"{counts.review} review", BADGE_STYLES["review"]), " · ",
        (f"{counts.ready} ready", BADGE_STYLES["ready"]),
    )


def ou_detail(view: OrgView, ou_id: str, note: str | None = None) -> Group:
    snap = view.snapshot
    ou = snap.ous[ou_id]
    ids = [a.id for a in snap.iter_accounts_under(ou_id)]
    direct = len([a for a in snap.child_accounts.get(ou_id, ()) if a in snap.accounts])
    parts: list[RenderableType] = [
        Text.assemble((ou.name, Style(bold=True)), ("  organizational unit", LABEL)),
        *_incomplete(view, note),
        _fields([("Id", ou.id), ("Path", " / ".join([*snap.ou_path(ou_id), ou.name])),
                 ("Child OUs", str(len(snap.child_ous.get(ou_id, ())))),
                 ("Accounts", f"{direct} directly, {len(ids)} at any depth")]),
        _heading("Verdicts of its accounts"), _verdict_line(view, ids),
    ]
    blocked = [snap.accounts[a] for a in ids if view.verdict(a) == "blocked"]
    if blocked:
        parts.append(Text("Blocked: " + ", ".join(a.name for a in blocked[:20])
                          + (f" and {len(blocked) - 20} more" if len(blocked) > 20 else ""),
                          style=LABEL))
    parts += _policies(view, ou_id)
    return Group(*parts)


def root_detail(view: OrgView, root_id: str, note: str | None = None) -> Group:
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
        Text.assemble((snap.node_name(root_id), Style(bold=True)),
                      ("  the organization's root" if not snap.member_mode else "", LABEL)),
        *_incomplete(view, note), _fields(rows),
    ]
    if snap.member_mode:
        parts.append(Text(
            "\nYou are signed in to a member account: only the organization and this "
            "account are visible. Sign in to the management account to see the rest.",
            style=Style(color="yellow")))
    parts += [_heading("Verdicts"), _verdict_line(view, list(snap.accounts))]
    if not snap.member_mode:
        parts += _policies(view, root_id)
    return Group(*parts)


class DetailPane(VerticalScroll):
    """Scrollable detail of the node under the cursor."""

    can_focus = True

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("Loading the organization…", style=LABEL), id="detail-body")

    def show(self, view: OrgView | None, ref: NodeRef | None, note: str | None = None) -> None:
        body = self.query_one("#detail-body", Static)
        if view is None or ref is None:
            body.update(Text("Loading the organization…", style=LABEL))
            return
        snap = view.snapshot
        if ref.kind == "account" and ref.id in snap.accounts:
            body.update(account_detail(view, ref.id, note))
        elif ref.kind == "ou" and ref.id in snap.ous:
            body.update(ou_detail(view, ref.id, note))
        elif ref.kind == "root":
            body.update(root_detail(view, ref.id, note))
        else:
            body.update(Text("Nothing here any more.", style=LABEL))
