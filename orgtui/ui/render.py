"""Text builders shared by the tree, the table, the detail pane, the header and the write
dialogs, so a finding, a policy, a tag list, a verdict badge or what breaks when an
account leaves is drawn one way everywhere.

Every string that came from AWS, a file or the user passes through `safe()` here: it is
cleaned (`orgtui.text.clean`: control, bidi and zero-width characters shown as escapes,
so nothing reaches the terminal and a newline can't draw a fake row) and wrapped in a
`rich.text.Text`, which is never parsed as markup. Colours come from the theme
(`Palette`), passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from rich.console import RenderableType
from rich.padding import Padding
from rich.style import Style, StyleType
from rich.table import Table
from rich.text import Text

from orgtui.errors import OrgtuiError
from orgtui.handshakes import Handshake
from orgtui.model import DEFAULT_POLICY_IDS, Account, Assessment, Finding, Snapshot, iso
from orgtui.recovery import ALTERNATE_TYPES, Contact
from orgtui.rules.impact import IMPACT_CODES
from orgtui.session.view import Counts, verdict_word
from orgtui.text import clean, plural
from orgtui.ui.palette import BOLD, DIM, Palette
from orgtui.ui.recovery_flow import AFTER_LOAD, MEMBER
from orgtui.ui.recovery_flow import READING as RECOVERY_READING

HEADING = Style(bold=True, underline=True)
MARK = "✔ "  # before a marked account
MIN_NAME_CELLS = 1  # deep in a narrow tree the id wins: the detail pane has the name


def safe(value: object, style: StyleType = "") -> Text:
    """Untrusted text as one line of plain Text: cleaned, never markup."""
    return Text(clean(value), style=style, end="")


def same_text(a: Text | None, b: Text) -> bool:
    """The same words in the same styles (rich's == ignores the base style, which a theme
    change alters)."""
    return a is not None and a.plain == b.plain and a.spans == b.spans and a.style == b.style


def indented(renderable: RenderableType, left: int) -> Padding:
    """A block whose wrapped continuation lines keep its indentation (hanging indent)."""
    return Padding(renderable, (0, 0, 0, left))


def heading(title: str) -> Text:
    return Text("\n" + title, style=HEADING)


def fields(rows: Iterable[tuple[str, str | Text]]) -> Table:
    """Label / value rows (a tag's key is a label too): strings are cleaned Text, never
    markup, on either side."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style=DIM, no_wrap=True)
    table.add_column()
    for name, value in rows:
        table.add_row(safe(name), value if isinstance(value, Text) else safe(value))
    return table


# --- verdicts and counts ------------------------------------------------------------------


def verdict_style(verdict: str, pal: Palette, reading: bool = False) -> Style:
    """The verdict's colour; dimmed while the details are being read (`reading`)."""
    return DIM if reading and verdict != "blocked" else pal.verdict(verdict)


def verdict_badge(
    verdict: str, pal: Palette, *, complete: bool = True, upper: bool = False, reading: bool = False
) -> Text:
    word = verdict_word(verdict, complete, reading)
    return Text(word.upper() if upper else word, style=verdict_style(verdict, pal, reading), end="")


def counts_line(counts: Counts, pal: Palette) -> Text:
    """`40 accounts: 9 blocked · 14 review · 17 ready`."""
    return Text.assemble(
        f"{plural(counts.total, 'account')}: ",
        (f"{counts.blocked} blocked", pal.verdict("blocked")),
        " · ",
        (f"{counts.review} review", pal.verdict("review")),
        " · ",
        (f"{counts.ready} ready", pal.verdict("ready")),
    )


def joined_text(acc: Account) -> str:
    """How and when the account joined, in words."""
    when = (iso(acc.joined_timestamp) or "")[:10]
    if acc.joined_method == "CREATED":
        return f"Created in the organization on {when}" if when else "Created in the organization"
    if acc.joined_method == "INVITED":
        return f"Invited, joined on {when}" if when else "Invited"
    method = clean(acc.joined_method) or "unknown"
    return f"{method}, joined on {when}" if when else method


# --- findings, policies, tags -----------------------------------------------------------


def finding_lines(
    findings: Iterable[Finding], pal: Palette, *, indent: int = 0
) -> list[RenderableType]:
    """Each finding: `SEVERITY CODE`, then its message and its fix, with a hanging
    indent so that wrapped lines stay under their first line."""
    out: list[RenderableType] = []
    for f in findings:
        style = pal.severity(f.severity)
        out.append(indented(Text(f"{f.severity.upper()} {f.code}", style=style), indent))
        out.append(indented(safe(f.message, style if f.severity == "blocker" else ""), indent + 2))
        out.append(indented(Text.assemble(("Fix: ", DIM), safe(f.fix)), indent + 2))
    return out


def policy_lines(
    snap: Snapshot, node_id: str, *, indent: int = 0, include_default: bool = True
) -> list[RenderableType]:
    """Each policy that applies to a node: name and type, then where it is attached."""
    out: list[RenderableType] = []
    for item in snap.applied_policies(node_id):
        default = item.policy.id in DEFAULT_POLICY_IDS
        if default and not include_default:
            continue
        if item.attached_to == node_id:
            where = Text("attached directly", style=DIM)
        else:
            where = Text.assemble(
                ("inherited from ", DIM),
                safe(snap.node_name(item.attached_to)),
                (f" ({clean(item.attached_to)})", DIM),
            )
        out.append(
            indented(
                Text.assemble(
                    safe(item.policy.name, DIM if default else BOLD),
                    "  ",
                    safe(item.policy.type, DIM),
                ),
                indent,
            )
        )
        out.append(indented(where, indent + 2))
    return out


def tags_table(tags: Mapping[str, str], *, indent: int = 0) -> RenderableType:
    """Every tag as `key  value` rows, sorted by key."""
    return indented(fields(sorted(tags.items())), indent)


def tags_inline(tags: Mapping[str, str]) -> Text:
    """`k=v, k=v` sorted by key."""
    return safe(", ".join(f"{k}={v}" for k, v in sorted(tags.items())))


def account_label(
    acc: Account,
    verdict: str,
    pal: Palette,
    *,
    complete: bool = True,
    marked: bool = False,
    show_id: bool = True,
    reading: bool = False,
    room: int | None = None,
) -> Text:
    """A tree line: mark, verdict badge first (never cut at 80 columns), name, id, state.
    `reading`: the details are on the way, the badge says so (dimmed). `room`: the cells
    the line has; when it is short, the name's tail gives way so the id shows whole."""
    text = Text(end="")
    if marked:
        text.append(MARK, style=pal.mark)
    word = verdict_word(verdict, complete, reading)
    text.append(f"{word:<7}", style=verdict_style(verdict, pal, reading))
    text.append(" ")
    name = safe(acc.name or acc.id)
    if show_id and room is not None:
        after = 2 + len(clean(acc.id)) + (2 + len(clean(acc.state)) if acc.state != "ACTIVE" else 0)
        fits = room - text.cell_len - after
        if name.cell_len > fits:
            name.truncate(max(MIN_NAME_CELLS, fits), overflow="ellipsis")
    text.append_text(name)
    if show_id:
        text.append(f"  {clean(acc.id)}", style=DIM)
    if acc.state != "ACTIVE":
        text.append(f"  {clean(acc.state)}", style=Style(color=pal.error.color, italic=True))
    return text


# --- what breaks when the account leaves (impact) -----------------------------------------

SEVERITY_RANK = {"blocker": 0, "warning": 1, "notice": 2}
# Who is assigned through Identity Center, while it is being read.
READING = "reading"


def split_findings(findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(what stands in the way, what breaks): the impact findings apart, warnings first."""
    found = list(findings)
    impact = sorted(
        (f for f in found if f.code in IMPACT_CODES),
        key=lambda f: (SEVERITY_RANK.get(f.severity, 9), IMPACT_CODES.index(f.code)),
    )
    return [f for f in found if f.code not in IMPACT_CODES], impact


def wants_assignees(found: Assessment | None) -> bool:
    """Is who signs in through Identity Center worth counting for this account?"""
    return found is not None and any(
        f.code == "IDENTITY_CENTER_ACCESS_LOST" for f in found.findings
    )


def assignees_text(state: object, pal: Palette) -> Text | None:
    """How many users and groups sign in through Identity Center: counted (an object with
    `users` and `groups`), READING, an OrgtuiError, or None (not to be shown)."""
    if state is None:
        return None
    if state == READING:
        return Text("Counting who is assigned through Identity Center…", style=DIM)
    if isinstance(state, OrgtuiError):
        return Text.assemble(("Who is assigned could not be read: ", pal.warning), safe(state.what))
    users, groups = getattr(state, "users", 0), getattr(state, "groups", 0)
    return Text.assemble(
        "Assigned through Identity Center: ",
        (f"{plural(users, 'user')} and {plural(groups, 'group')}", BOLD),
        " lose their way in.",
    )


def what_breaks_lines(
    findings: Iterable[Finding],
    pal: Palette,
    *,
    indent: int = 0,
    assignees: object = None,
    removal: bool = False,
) -> list[RenderableType]:
    """Each impact finding (warnings first) with what is lost and the fix; the count of
    users and groups under IDENTITY_CENTER_ACCESS_LOST. In a removal (`removal`), an SCP
    that denies leaving changes nothing: one line says so."""
    out: list[RenderableType] = []
    for f in split_findings(findings)[1]:
        if removal and f.code == "LEAVE_DENIED_BY_SCP":
            out.append(
                indented(
                    Text.assemble(
                        (f"{f.severity.upper()} {f.code}", pal.severity(f.severity)),
                        (": an SCP denies it leaving on its own; this removal is unaffected.", DIM),
                    ),
                    indent,
                )
            )
            continue
        lines = finding_lines([f], pal, indent=indent)
        counted = assignees_text(assignees, pal)
        if f.code == "IDENTITY_CENTER_ACCESS_LOST" and counted is not None:
            lines.insert(2, indented(counted, indent + 2))
        out += lines
    return out


def checks_note(snap: Snapshot, pal: Palette) -> Text | None:
    """`Not checked: identity_center (access denied: sso:ListInstances)`, or None when
    every impact check was made (or the details are not read yet)."""
    if not snap.enriched:
        return None
    skipped = snap.impact.skipped_words()
    if not skipped:
        return None
    return Text.assemble(
        ("Not checked: ", pal.warning),
        safe("; ".join(skipped)),
        (". What breaks may be incomplete.", DIM),
    )


def _stacksets_phrase(n: int) -> str:
    return f"{n} StackSet's stacks deleted" if n == 1 else f"{n} StackSets' stacks deleted"


def what_breaks_phrases(
    findings: Iterable[Finding], counts: Mapping[str, int], assignees: object = None
) -> list[str]:
    """What one account's removal destroys or cuts off, in short phrases for a summary
    line: `1 StackSet's stacks deleted`, `2 permission sets lose access (3 users, 1 group)`.
    Leaving being denied by an SCP changes nothing for a removal: not said here."""
    codes = {f.code for f in findings}
    phrases: list[str] = []
    if "STACKSET_STACKS_DELETED" in codes:
        phrases.append(_stacksets_phrase(counts.get("STACKSET_STACKS_DELETED", 0)))
    if "CONTROL_TOWER_ENROLLED" in codes:
        phrases.append("Control Tower drifts")
    if "IDENTITY_CENTER_ACCESS_LOST" in codes:
        n = counts.get("IDENTITY_CENTER_ACCESS_LOST", 0)
        phrase = f"{plural(n, 'permission set')} {'loses' if n == 1 else 'lose'} access"
        if hasattr(assignees, "users"):
            who = [
                plural(k, word)
                for k, word in (
                    (getattr(assignees, "users", 0), "user"),
                    (getattr(assignees, "groups", 0), "group"),
                )
                if k
            ]
            phrase += f" ({', '.join(who) or 'nobody assigned'})"
        phrases.append(phrase)
    if "RAM_SHARES_LOST" in codes:
        n = counts.get("RAM_SHARES_LOST", 0)
        phrases.append(f"{plural(n, 'resource share')} {'stops' if n == 1 else 'stop'}")
    return phrases


# --- who can get back in (recovery contacts) ----------------------------------------------


def _contact(found: Contact | None, pal: Palette) -> Text:
    if found is None:
        return Text("not set", style=pal.warning)
    parts = [p for p in (found.name, f"<{found.email}>" if found.email else "", found.phone) if p]
    return safe(" ".join(parts))


def _identity_center_line(snap: Snapshot, account_id: str, assignees: object, pal: Palette) -> Text:
    """The Identity Center access that ends (what the load read, and who is assigned)."""
    check = snap.impact.check("identity_center")
    if not check.checked:
        return Text.assemble(("not checked: ", pal.warning), safe(check.reason))
    names = snap.impact.permission_set_names(account_id)
    if not names:
        return Text("none: no permission set is provisioned to it", style=DIM)
    n = len(names)
    text = safe(
        f"{plural(n, 'permission set')} ({', '.join(names)}) {'stops' if n == 1 else 'stop'} "
        "giving access"
    )
    if hasattr(assignees, "users"):  # counted (the same count as under What breaks)
        users, groups = getattr(assignees, "users", 0), getattr(assignees, "groups", 0)
        text.append(f": {plural(users, 'user')} and {plural(groups, 'group')} assigned")
    elif (counted := assignees_text(assignees, pal)) is not None:  # reading, or unread
        text.append("; ")
        text.append_text(counted)
    return text


def recovery_lines(
    snap: Snapshot, account_id: str, state: object, pal: Palette, assignees: object = None
) -> list[RenderableType]:
    """The section "Who can get back in": the root email, phone, contact name, the three
    alternate contacts ("not set"), whether the root password was ever set, and the
    Identity Center access that ends. `state` is `RecoveryFlow.state`'s answer: the read
    on its way, waiting for the load, a member session, or a Check (read, or skipped and
    why); None shows nothing."""
    if state is None:
        return []
    out: list[RenderableType] = [heading("Who can get back in")]
    if state == MEMBER:
        out.append(
            Text(
                "Needs the management account: the root email and contacts are read through "
                "AWS Account Management, which answers only the management account.",
                style=pal.warning + Style(bold=False),
            )
        )
        return out
    if state == AFTER_LOAD:
        out.append(Text("Read once the organization is loaded.", style=DIM))
    elif state == RECOVERY_READING:
        out.append(Text("Reading the root email and contacts…", style=DIM))
    elif getattr(state, "status", "") == "skipped":
        out.append(
            Text.assemble(("Not checked: ", pal.warning), safe(getattr(state, "reason", "")))
        )
    acc = snap.accounts[account_id]
    found = snap.recovery.get(account_id)
    rows: list[tuple[str, str | Text]] = []
    if found is not None:
        rows += [
            ("Root email", found.root_email or acc.email or "—"),
            ("Phone", safe(found.phone) if found.phone else Text("not set", style=pal.warning)),
            ("Contact name", found.contact_name or Text("not set", style=DIM)),
            *(
                (f"{kind.capitalize()} contact", _contact(found.alternates.get(kind), pal))
                for kind in ALTERNATE_TYPES
            ),
        ]
    if acc.joined_method == "CREATED":
        root = Text(
            "never set: created by the organization, so a reset sent to the root email is "
            "the only way in as root",
            style=pal.warning + Style(bold=False),
        )
    elif acc.joined_method == "INVITED":
        root = Text("its own: it joined by invitation", style=DIM)
    else:
        root = safe(f"unknown (joined: {acc.joined_method})", DIM)
    rows.append(("Root password", root))
    if snap.enriched:
        rows.append(("Identity Center", _identity_center_line(snap, account_id, assignees, pal)))
    out.append(fields(rows))
    return out


# --- invitations (handshakes) ---------------------------------------------------------------


def when_text(ts: datetime | None) -> str:
    """A handshake's time, to the minute, in UTC ("—" when AWS gave none)."""
    return f"{ts:%Y-%m-%d %H:%M} UTC" if ts is not None else "—"


def inviter_text(handshake: Handshake) -> Text:
    """The inviting organization and its management account, as the handshake's resources
    name them: `o-abc (management cloud-admin@example.com, name)`; cleaned, never markup."""
    text = safe(handshake.organization_id or "an organization", BOLD)
    who = [p for p in (clean(handshake.management_email), clean(handshake.management_name)) if p]
    if who:
        text.append(f" (management account {', '.join(who)})")
    return text


def invitation_lines(state: object, pal: Palette, read_only: bool = False) -> list[RenderableType]:
    """The section "Invitations" of the caller's own account (a member): each open
    invitation with who sends it, when it expires and its notes, and how to accept it
    (in a read-only session: that it can't be accepted here). `state` is
    `InvitationFlow.state`'s answer: READING, a tuple of `Handshake`, an OrgtuiError (why
    they could not be read), or None (no section)."""
    if state is None:
        return []
    out: list[RenderableType] = [heading("Invitations")]
    if state == READING:
        out.append(Text("Reading this account's open invitations…", style=DIM))
        return out
    if isinstance(state, OrgtuiError):
        out.append(Text.assemble(("Not read: ", pal.warning), safe(state.what)))
        out.append(indented(Text.assemble(("Fix: ", DIM), safe(state.fix)), 2))
        return out
    found = [h for h in state if isinstance(h, Handshake)] if isinstance(state, tuple) else []
    if not found:
        # Short: most members have none, and the findings follow.
        out.append(Text("None open.", style=DIM))
        return out
    for h in found:
        out.append(Text.assemble(("From ", DIM), inviter_text(h)))
        out.append(
            indented(
                Text.assemble(
                    safe(h.id),
                    "  ",
                    safe(h.state, pal.success),
                    ("  sent ", DIM),
                    when_text(h.requested),
                    ("  expires ", DIM),
                    when_text(h.expires),
                ),
                2,
            )
        )
        if h.notes:
            out.append(indented(Text.assemble(("Notes: ", DIM), safe(h.notes)), 2))
    if read_only:
        out.append(
            Text(
                "This session is read-only (orgtui audit): an invitation can't be accepted "
                "here. Accept it in `orgtui` (i), or with aws organizations accept-handshake.",
                style=DIM,
            )
        )
        return out
    out.append(
        Text(
            f"Press i to accept {'it' if len(found) == 1 else 'one'} (AcceptHandshake): the "
            "account leaves this organization for the inviting one; the dialog lists what is "
            "lost first.",
            style=pal.notice,
        )
    )
    return out
