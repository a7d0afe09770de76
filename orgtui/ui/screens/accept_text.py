"""What the "Accept invitation" dialog says: its title, the inviting organization above the
account's summary, the invitation itself, the notes on what changes once the account
moves, the line under the scroll area, and the summary at the end; and one line per
invitation for the picker.

The account's own lines (verdict for `transfer`, what blocks, the tags AWS deletes, what
breaks, the policies that stop applying) are the removal dialog's (`removal_text`): a
transfer loses what a leave loses, and it is said the same way. Pure builders of
`rich.text.Text`; every string from AWS goes through `render.safe`, never markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from orgtui.ui.palette import BOLD, DIM, Palette
from orgtui.ui.render import indented, inviter_text, safe, when_text
from orgtui.ui.screens.removal_text import AccountFacts, account_block, summary
from orgtui.ui.screens.write_text import checking_line, failures, one_line, type_line
from orgtui.ui.screens.write_text import title as say_title

if TYPE_CHECKING:
    from orgtui.handshakes import Handshake
    from orgtui.write_model import Outcome

OPERATION = "AcceptHandshake"

NOTES = (
    "The account leaves this organization and joins the inviting one in one step: no "
    "payment method, contact information or support plan is needed (no standalone step); "
    "its bills go to the inviting organization's management account.",
    "AWS deletes the account's tags on the way out; orgtui backs up those it can read and "
    "logs the call before making it. The invitation brings the tags the inviting "
    "organization gave it.",
    "IAM Identity Center assignments and the policies (SCPs and others) of this "
    "organization stop applying; the inviting organization's apply instead.",
    "OrganizationAccountAccessRole stays in the account and still trusts this "
    "organization's management account: change or delete it once the move is done.",
)


def title(handshake: Handshake, pal: Palette) -> Text:
    return say_title(
        "Accept the invitation from",
        handshake.organization_id or handshake.id,
        OPERATION,
        pal.warning,
    )


def inviter_line(handshake: Handshake) -> Text:
    """`Joins o-abc (management account a@b.example, name)`: who receives the account."""
    return one_line(("Joins ", BOLD), inviter_text(handshake))


def dialog_summary(
    handshake: Handshake, facts: AccountFacts, pal: Palette, width: int, checking: bool
) -> Group:
    """Who invites, then the account's lines as a leave shows them."""
    return Group(inviter_line(handshake), summary([facts], pal, width, checking))


def invitation_block(handshake: Handshake, pal: Palette) -> list[RenderableType]:
    """The invitation as AWS has it: id, state, when sent and until when, its notes."""
    out: list[RenderableType] = [
        Text("The invitation", style=BOLD),
        indented(Text.assemble(("From  ", DIM), inviter_text(handshake)), 2),
        indented(
            Text.assemble(
                ("Id  ", DIM),
                safe(handshake.id),
                "  ",
                safe(handshake.state, pal.success if handshake.state == "OPEN" else pal.error),
                ("  sent ", DIM),
                when_text(handshake.requested),
                ("  expires ", DIM),
                when_text(handshake.expires),
            ),
            2,
        ),
    ]
    if handshake.notes:
        out.append(indented(Text.assemble(("Notes  ", DIM), safe(handshake.notes)), 2))
    out.append(Text(""))
    return out


def body(handshake: Handshake, facts: AccountFacts, pal: Palette, checking: bool) -> Group:
    """The scroll area: the invitation, then the account's block (findings, what breaks,
    tags AWS deletes, policies that stop applying)."""
    return Group(*invitation_block(handshake, pal), *account_block(facts, pal, checking))


def notes_text() -> Group:
    return Group(
        Text("Once it moves:", style=BOLD), *[indented(Text("• " + note), 2) for note in NOTES]
    )


def check_line(
    pal: Palette,
    *,
    checking: bool,
    refusal: Outcome | None,
    check_error: str | None,
    expected: str,
) -> Text:
    """The line under the scroll area: checking, why it can't be accepted, or what to type."""
    if checking:
        return checking_line(1, pal)
    if check_error:
        return Text.assemble(
            safe(f"Live check failed: {check_error} ", pal.error),
            ("Nothing is sent. Escape closes.", DIM),
        )
    if refusal is not None:
        return Text.assemble(
            safe(refusal.what, pal.error),
            " ",
            safe(refusal.fix, DIM),
            ("  Nothing is sent; escape closes.", DIM),
        )
    return type_line(expected, "accept", pal)


def final_summary(groups: dict[str, list[Outcome]], pal: Palette) -> Group:
    """What happened: the account moved (its tags' backup; ctrl+r shows where it is
    now), or why not; where the audit log is."""
    parts: list[RenderableType] = []
    moved = groups["removed"]
    parts.append(Text(f"Accepted: {len(moved)}", style=pal.success if moved else DIM))
    for o in moved:
        parts.append(indented(Text.assemble(("✔ ", pal.success), safe(o.what)), 2))
        if o.backup is not None:
            parts.append(indented(Text.assemble(("Tags backed up to ", DIM), safe(o.backup)), 4))
        parts.append(
            indented(
                Text(
                    "It is no longer in this organization: ctrl+r reloads and shows the "
                    "organization it joined.",
                    style=DIM,
                ),
                4,
            )
        )
    return Group(*parts, *failures(groups, pal))


def picker_line(handshake: Handshake) -> Text:
    """One invitation in the picker: who sends it, until when, its id."""
    return Text.assemble(
        inviter_text(handshake),
        ("  expires ", DIM),
        when_text(handshake.expires),
        ("  ", DIM),
        safe(handshake.id, DIM),
    )
