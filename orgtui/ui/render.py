"""Text builders shared by the tree, the table, the detail pane, the header and the removal
dialog, so a finding, a policy, a tag list or a verdict badge is drawn one way everywhere.

Every string that came from AWS, a file or the user passes through `safe()` here: it is
cleaned (`orgtui.text.clean`: control, bidi and zero-width characters shown as escapes,
so nothing reaches the terminal and a newline can't draw a fake row) and wrapped in a
`rich.text.Text`, which is never parsed as markup. Colours come from the theme
(`Palette`), passed in by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.console import RenderableType
from rich.padding import Padding
from rich.style import Style, StyleType
from rich.table import Table
from rich.text import Text

from orgtui.model import DEFAULT_POLICY_IDS, Account, Finding, Snapshot, iso
from orgtui.text import clean, plural
from orgtui.ui.palette import BOLD, DIM, Palette
from orgtui.ui.view import Counts, verdict_word

HEADING = Style(bold=True, underline=True)
MARK = "✔ "  # before a marked account


def safe(value: object, style: StyleType = "") -> Text:
    """Untrusted text as one line of plain Text: cleaned, never markup."""
    return Text(clean(value), style=style, end="")


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


def verdict_badge(verdict: str, pal: Palette, *, complete: bool = True,
                  upper: bool = False) -> Text:
    word = verdict_word(verdict, complete)
    return Text(word.upper() if upper else word, style=pal.verdict(verdict), end="")


def counts_line(counts: Counts, pal: Palette) -> Text:
    """`40 accounts: 9 blocked · 14 review · 17 ready`."""
    return Text.assemble(
        f"{plural(counts.total, 'account')}: ",
        (f"{counts.blocked} blocked", pal.verdict("blocked")), " · ",
        (f"{counts.review} review", pal.verdict("review")), " · ",
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


def finding_lines(findings: Iterable[Finding], pal: Palette, *,
                  indent: int = 0) -> list[RenderableType]:
    """Each finding: `SEVERITY CODE`, then its message and its fix, with a hanging
    indent so that wrapped lines stay under their first line."""
    out: list[RenderableType] = []
    for f in findings:
        style = pal.severity(f.severity)
        out.append(indented(Text(f"{f.severity.upper()} {f.code}", style=style), indent))
        out.append(indented(safe(f.message, style if f.severity == "blocker" else ""),
                            indent + 2))
        out.append(indented(Text.assemble(("Fix: ", DIM), safe(f.fix)), indent + 2))
    return out


def policy_lines(snap: Snapshot, node_id: str, *, indent: int = 0,
                 include_default: bool = True) -> list[RenderableType]:
    """Each policy that applies to a node: name and type, then where it is attached."""
    out: list[RenderableType] = []
    for item in snap.applied_policies(node_id):
        default = item.policy.id in DEFAULT_POLICY_IDS
        if default and not include_default:
            continue
        if item.attached_to == node_id:
            where = Text("attached directly", style=DIM)
        else:
            where = Text.assemble(("inherited from ", DIM), safe(snap.node_name(item.attached_to)),
                                  (f" ({clean(item.attached_to)})", DIM))
        out.append(indented(Text.assemble(safe(item.policy.name, DIM if default else BOLD),
                                          "  ", safe(item.policy.type, DIM)), indent))
        out.append(indented(where, indent + 2))
    return out


def tags_table(tags: Mapping[str, str], *, indent: int = 0) -> RenderableType:
    """Every tag as `key  value` rows, sorted by key."""
    return indented(fields(sorted(tags.items())), indent)


def tags_inline(tags: Mapping[str, str]) -> Text:
    """`k=v, k=v` sorted by key."""
    return safe(", ".join(f"{k}={v}" for k, v in sorted(tags.items())))


def account_label(acc: Account, verdict: str, pal: Palette, *, complete: bool = True,
                  marked: bool = False, show_id: bool = True) -> Text:
    """A tree line: mark, verdict badge first (never cut at 80 columns), name, id, state."""
    text = Text(end="")
    if marked:
        text.append(MARK, style=pal.mark)
    word = verdict_word(verdict, complete)
    text.append(f"{word:<7}", style=pal.verdict(verdict))
    text.append(" ")
    text.append_text(safe(acc.name or acc.id))
    if show_id:
        text.append(f"  {clean(acc.id)}", style=DIM)
    if acc.state != "ACTIVE":
        text.append(f"  {clean(acc.state)}", style=Style(color=pal.error.color, italic=True))
    return text
