"""What the removal dialog says: its title, the fixed summary above the scroll area (with
a line on what breaks), one block per account (what breaks before the tags), the notes on
what changes after it leaves, the line under the scroll area, and the summary at the end.

Pure builders over the dialog's facts (`DialogFacts`), drawn with the shared pieces of
`orgtui.ui.render` (findings, policies, tags, verdicts), so the dialog and the detail pane
say the same things the same way. Every name is cleaned there, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.text import Text

from orgtui.recovery import Recovery
from orgtui.rules.impact import lost_counts
from orgtui.session.view import Counts
from orgtui.text import clean, plural
from orgtui.ui.palette import BOLD, DIM, Palette
from orgtui.ui.render import (
    READING,
    checks_note,
    counts_line,
    finding_lines,
    indented,
    policy_lines,
    safe,
    split_findings,
    tags_inline,
    tags_table,
    verdict_badge,
    what_breaks_lines,
    what_breaks_phrases,
)
from orgtui.ui.screens.write_text import (
    checking_line,
    failures,
    one_line,
    type_line,
)
from orgtui.ui.screens.write_text import title as say_title

if TYPE_CHECKING:
    from orgtui.model import Account, Assessment, Finding, Snapshot
    from orgtui.write_model import LiveCheck, Outcome

# A removal opened while the organization's details are still loading (a cold start).
NOT_READ_YET = (
    "Details still loading: policies and what breaks are not read yet; "
    "the live check reads the account itself."
)
DETAILS_LOADING = (
    "The organization's details are still loading: the live check reads this "
    "account's state, tags and delegated roles; the policies that stop "
    "applying and what breaks when it leaves are not read yet, so READY? may "
    "still become REVIEW. Wait for the load (the header) to see them."
)
DETAILED = 40  # up to this many accounts, every one gets its whole block
# Shown in their own sections (every tag, every policy) rather than as findings.
OWN_SECTIONS = ("TAGS_WILL_BE_DELETED", "POLICIES_STOP_APPLYING")

NOTES_REMOVE = (
    "Billing moves to the account: it pays its own bills from the moment it leaves, and "
    "needs its own payment method and support plan.",
    "IAM Identity Center assignments from this organization stop working; plan another "
    "way in (the root user, or IAM users or roles in the account).",
    "OrganizationAccountAccessRole is not deleted: it stays in the account (delete it if "
    "this organization's administrators should lose access).",
    "Control Tower-enrolled accounts should be unmanaged in Control Tower first.",
    "AWS deletes the account's tags; orgtui writes them to a backup file and appends the "
    "removal to the audit log before the call.",
)
NOTES_LEAVE = (
    "Billing moves to this account: it pays its own bills from the moment it leaves, and "
    "needs its own payment method and support plan.",
    "IAM Identity Center assignments from the organization stop working.",
    "OrganizationAccountAccessRole is not deleted: it stays in this account.",
    "The organization's policies (SCPs and others) stop applying to this account.",
    "AWS deletes the account's tags; orgtui backs up what it can read and logs the call "
    "before making it.",
)


@dataclass(frozen=True)
class AccountFacts:
    """One account of the dialog as it stands: the view's facts, or the live ones."""

    account_id: str
    account: Account | None
    snapshot: Snapshot  # the live one once the re-check landed
    assessment: Assessment | None
    blocked: bool
    check: LiveCheck | None
    management: bool
    # Who is assigned through Identity Center (render.assignees_text), when counted.
    assignees: object = None
    leave: bool = False  # the caller's own account leaving (LeaveOrganization)
    # Who can get back in once it has left (the dialog reads it): the contacts, or the
    # check's state (`recovery_state`: "reading", or a Check skipped and why); None: not
    # shown (a member's leave, the management account).
    recovery: Recovery | None = None
    recovery_state: object = None

    @property
    def verdict(self) -> str:
        if self.check is not None and self.check.error is not None:
            return "blocked"
        return self.assessment.verdict if self.assessment is not None else "blocked"

    @property
    def details_read(self) -> bool:
        """The organization's details (policies, what breaks) were read: a cold start
        still loading them has only what the live check reads of the account itself."""
        return self.snapshot.enriched

    @property
    def name(self) -> str:
        return self.account.name if self.account and self.account.name else self.account_id

    @property
    def tags(self) -> dict[str, str]:
        return dict(self.snapshot.tags_of(self.account_id))

    @property
    def breaks(self) -> list[Finding]:
        """Its impact findings, warnings first."""
        return split_findings(self.assessment.findings if self.assessment else ())[1]

    def breaks_phrases(self) -> list[str]:
        if self.account is None or self.management:
            return []
        return what_breaks_phrases(
            self.breaks, lost_counts(self.account, self.snapshot), self.assignees
        )


def title(org_id: str, count: int, leave: bool, pal: Palette) -> Text:
    if leave:
        return say_title(
            "Leave the organization", org_id, "LeaveOrganization for this account", pal.error
        )
    return say_title(
        f"Remove {plural(count, 'account')} from",
        org_id,
        "RemoveAccountFromOrganization",
        pal.error,
    )


# --- the fixed summary -------------------------------------------------------------------


def _blocker_words(facts: AccountFacts) -> str:
    if facts.check is not None and facts.check.error is not None:
        return f"the live check failed: {facts.check.error.what}"
    found = facts.assessment.blockers if facts.assessment is not None else ()
    return " ".join(f.message for f in found) or "not in the organization any more"


def summary(accounts: Sequence[AccountFacts], pal: Palette, width: int, checking: bool) -> Group:
    """The lines that stay above the scroll area: verdicts, what blocks, and the tags
    AWS will delete (listed when they fit, else counted with "listed below")."""
    lines: list[Text] = []
    if len(accounts) == 1:
        facts = accounts[0]
        state = (
            "  checking…"
            if checking
            else (
                "  (checked live)" if facts.check is not None and facts.check.error is None else ""
            )
        )
        lines.append(
            one_line(
                verdict_badge(facts.verdict, pal, upper=True, complete=facts.details_read),
                "  ",
                safe(facts.name, BOLD),
                "  ",
                safe(facts.account_id),
                "  ",
                safe(" / ".join(facts.snapshot.ou_path(facts.account_id)), DIM),
                (state, DIM),
            )
        )
        if facts.blocked:
            lines.append(
                one_line(
                    ("Blocked ", pal.error), ("(fixes below): ", DIM), safe(_blocker_words(facts))
                )
            )
    else:
        counts = Counts()
        for facts in accounts:
            counts.add(facts.verdict)
        lines.append(
            one_line(counts_line(counts, pal), (" · checking live…" if checking else "", DIM))
        )
        blocked = [f for f in accounts if f.blocked]
        if blocked:
            lines.append(
                one_line(
                    (f"Blocked ({len(blocked)}, why and fixes below): ", pal.error),
                    safe(", ".join(f.name for f in blocked)),
                )
            )
    lines += _tags_summary(accounts, pal, width)
    lines += _breaks_summary(accounts, pal, width)
    return Group(*lines)


def _breaks_summary(accounts: Sequence[AccountFacts], pal: Palette, width: int) -> list[Text]:
    """What the removal destroys or cuts off, on one line (two when narrow; details
    below, per account); and the impact checks that were not made."""
    lines: list[Text] = []
    if len(accounts) == 1:
        phrases = accounts[0].breaks_phrases()
        if phrases:
            text = Text.assemble(
                ("What breaks: ", pal.warning), safe(", ".join(phrases)), (" (below)", DIM)
            )
            if text.cell_len > 2 * width:
                text.truncate(2 * width - 1)
                text.append("…")
            lines.append(text)
    else:
        hit = [f for f in accounts if f.breaks_phrases()]
        if hit:
            lines.append(
                one_line(
                    (f"What breaks on {plural(len(hit), 'account')} ", pal.warning),
                    ("(below): ", DIM),
                    safe(", ".join(f.name for f in hit)),
                )
            )
    removable = [f for f in accounts if not f.management]
    if removable and not removable[0].details_read:
        lines.append(one_line((NOT_READ_YET, pal.warning)))
    if removable:
        skipped = checks_note(removable[0].snapshot, pal)
        if skipped is not None:
            skipped.no_wrap, skipped.overflow = True, "ellipsis"
            lines.append(skipped)
    return lines


# A member can't read its own tags (ListTagsForResource is the management account's).
MEMBER_TAGS = "Tags not read (management account only): any the account has, AWS deletes."


def _tags_summary(accounts: Sequence[AccountFacts], pal: Palette, width: int) -> list[Text]:
    removable = [f for f in accounts if not f.management]
    with_tags = [f for f in removable if f.tags]
    total = sum(len(f.tags) for f in with_tags)
    if not removable:
        return []
    if not total:
        if any(f.snapshot.member_mode for f in removable):
            return [one_line((MEMBER_TAGS, pal.warning))]
        read = all(f.snapshot.enriched or f.check is not None for f in removable)
        return [one_line(("No tags to lose." if read else "Tags not read yet.", DIM))]
    head = Text(f"Tags AWS deletes ({total}, backed up first): ", style=pal.warning)
    if len(with_tags) == 1:
        listed = tags_inline(with_tags[0].tags)
        if cell_len(head.plain) + listed.cell_len <= width:
            return [one_line(head, listed)]
    where = "" if len(accounts) == 1 else f" on {plural(len(with_tags), 'account')}"
    # A big set lists the tags of its ready accounts as counts only.
    below = (
        ", counted below; all backed up first." if len(accounts) > DETAILED else (", listed below.")
    )
    return [one_line((f"{plural(total, 'tag')}{where} will be deleted", pal.warning), (below, DIM))]


# --- one account, in the scroll area ------------------------------------------------------


def account_block(facts: AccountFacts, pal: Palette, checking: bool) -> list[RenderableType]:
    if facts.account is None:
        return [Text(f"{clean(facts.account_id)}: not in the organization any more.", style=DIM)]
    check = facts.check
    head = Text.assemble(
        ("■ " if facts.blocked else "□ ", pal.error if facts.blocked else DIM),
        safe(facts.name, BOLD),
        "  ",
        safe(facts.account_id),
        "  ",
        verdict_badge(facts.verdict, pal, upper=True, complete=facts.details_read),
    )
    if facts.account.state != "ACTIVE":
        head.append_text(safe(f"  {facts.account.state}", pal.error))
    if checking:
        head.append("  checking…", style=DIM)
    elif check is not None and check.error is None and not check.gone:
        head.append("  (checked live)", style=DIM)
    out: list[RenderableType] = [head]
    path = " / ".join(facts.snapshot.ou_path(facts.account_id)) or "—"
    out.append(indented(Text.assemble(("OU path  ", DIM), safe(path)), 2))
    if not facts.details_read and not facts.management:
        out.append(indented(Text(DETAILS_LOADING, style=DIM), 2))
    if check is not None and check.changed and check.verdict is not None:
        out.append(
            indented(
                Text.assemble(
                    ("The live check changed the verdict: ", pal.warning),
                    f"was {check.stale_verdict}, now {check.verdict}; the live one decides.",
                ),
                2,
            )
        )
    if check is not None and check.error is not None:
        out.append(
            indented(Text.assemble(("Live check failed: ", pal.error), safe(check.error.what)), 2)
        )
        out.append(indented(Text.assemble(("Fix: ", DIM), safe(check.error.fix)), 4))
    for problem in check.problems if check is not None else ():
        out.append(indented(Text.assemble(("Not read: ", pal.warning), safe(problem)), 2))
    findings, breaks = split_findings(facts.assessment.findings if facts.assessment else ())
    out += finding_lines([f for f in findings if f.code not in OWN_SECTIONS], pal, indent=2)
    if not facts.management:  # it never leaves: nothing is deleted, nothing stops
        if breaks:  # before the tags: what breaks must not hide below a long tag list
            out.append(indented(Text("What breaks when it leaves:", style=pal.warning), 2))
            out += what_breaks_lines(
                breaks, pal, indent=4, assignees=facts.assignees, removal=not facts.leave
            )
        out += _losses(facts, pal)
    out.append(Text(""))
    return out


def _losses(facts: AccountFacts, pal: Palette) -> list[RenderableType]:
    out: list[RenderableType] = []
    tags = facts.tags
    if tags:
        out.append(
            indented(
                Text.assemble(
                    ("Tags AWS deletes ", pal.warning), (f"({len(tags)}, backed up first):", DIM)
                ),
                2,
            )
        )
        out.append(tags_table(tags, indent=4))
    elif not facts.snapshot.member_mode:  # a member can't read them: "Not read" says so
        read = facts.snapshot.enriched or facts.check is not None
        out.append(
            indented(Text("No tags to lose." if read else "Tags not read yet.", style=DIM), 2)
        )
    policies = policy_lines(facts.snapshot, facts.account_id, indent=4, include_default=False)
    if policies:
        out.append(indented(Text("Policies that stop applying:", style=pal.notice), 2))
        out += policies
    out += _recovery(facts, pal)
    return out


def _recovery(facts: AccountFacts, pal: Palette) -> list[RenderableType]:
    """One line: who can get back in once it has left (root email, what is missing)."""
    state = facts.recovery_state
    if state is None:
        return []
    label = ("Who can get back in: ", pal.notice)
    if state == READING:
        return [indented(Text.assemble(label, ("reading the root email and contacts…", DIM)), 2)]
    if getattr(state, "status", "") == "skipped":
        reason = safe(getattr(state, "reason", ""), DIM)
        return [indented(Text.assemble(label, ("not checked: ", pal.warning), reason), 2)]
    found = facts.recovery
    if found is None:
        return []
    line = Text.assemble(label, "root email ", safe(found.root_email or "—"))
    if found.created:
        line.append("; root password never set (a reset by email is the only way in)", pal.warning)
    if found.missing:
        line.append(f"; not set: {', '.join(found.missing)}", pal.warning)
    return [indented(line, 2)]


def accounts_text(accounts: Sequence[AccountFacts], pal: Palette, checking: bool) -> Group:
    """One block per account; in a big set, ready accounts get one line each (their
    tags counted), so that what needs reading (blocked, review) is not buried."""
    parts: list[RenderableType] = []
    brief = len(accounts) > DETAILED
    for facts in accounts:
        if brief and not facts.blocked and facts.verdict == "ready":
            continue
        parts += account_block(facts, pal, checking)
    if brief:
        ready = [f for f in accounts if not f.blocked and f.verdict == "ready"]
        if ready:
            parts.append(
                Text(
                    f"Ready ({len(ready)}): no finding stands in the way; the "
                    "tags AWS deletes are counted here and backed up first.",
                    style=pal.success,
                )
            )
        for facts in ready:
            parts.append(
                indented(
                    Text.assemble(
                        "□ ",
                        safe(facts.name, BOLD),
                        "  ",
                        safe(facts.account_id),
                        "  ",
                        safe(" / ".join(facts.snapshot.ou_path(facts.account_id)), DIM),
                        (f"  {plural(len(facts.tags), 'tag')}" if facts.tags else "", pal.warning),
                    ),
                    2,
                )
            )
    if not accounts:
        parts.append(Text("No account left to remove.", style=DIM))
    return Group(*parts)


def notes_text(leave: bool) -> Group:
    notes = NOTES_LEAVE if leave else NOTES_REMOVE
    return Group(
        Text("After it leaves:", style=BOLD), *[indented(Text("• " + note), 2) for note in notes]
    )


def check_line(
    pal: Palette,
    *,
    checking: bool,
    count: int,
    blocked: int,
    expected: str,
    leave: bool,
    check_error: str | None,
    dropped: Sequence[str],
    only_management: bool = False,
) -> Text:
    """The line under the scroll area: checking, what to type, or why nothing can go.

    `only_management`: the one account is the management account, which no fix makes
    removable, so the line does not ask for one (the finding above says what to do)."""
    if checking:
        return checking_line(count, pal)
    text = Text()
    if check_error:
        text.append_text(safe(f"Live check failed: {check_error} ", pal.error))
    if dropped:
        text.append_text(
            safe(f"No longer in the organization, dropped: {', '.join(dropped)}. ", DIM)
        )
    others = count - blocked
    verb = "leave" if leave else "be removed"
    if not count:
        text.append("Nothing left to remove: escape closes.", style=DIM)
    elif blocked and others:
        text.append(
            f"{plural(blocked, 'account')} can't {verb} (why and fixes above); "
            f"drop {'it' if blocked == 1 else 'them'} to go on with the other "
            f"{plural(others, 'account')}, or escape.",
            style=pal.error,
        )
    elif blocked == 1 and only_management:
        text.append(
            f"The management account can never {verb}: nothing to confirm. Escape closes.",
            style=pal.error,
        )
    elif blocked == 1:
        text.append(
            f"This account can't {verb} now: fix what blocks it (above), then try "
            "again. Escape closes.",
            style=pal.error,
        )
    elif blocked:
        text.append(
            f"None of these accounts can {verb} now: fix what blocks them "
            "(above), then try again. Escape closes.",
            style=pal.error,
        )
    else:
        text.append_text(type_line(expected, "leave" if leave else "remove", pal))
    return text


# --- after the removal -------------------------------------------------------------------


def final_summary(groups: dict[str, list[Outcome]], leave: bool, pal: Palette) -> Group:
    parts: list[RenderableType] = []
    removed = groups["removed"]
    parts.append(
        Text(
            f"{'Left' if leave else 'Removed'}: {len(removed)}",
            style=pal.success if removed else DIM,
        )
    )
    for o in removed:
        parts.append(indented(Text.assemble(("✔ ", pal.success), safe(o.what)), 2))
        if o.backup is not None:
            parts.append(indented(Text.assemble(("Tags backed up to ", DIM), safe(o.backup)), 4))
        parts += [indented(safe(note, DIM), 4) for note in o.notes]
    if groups["gone"]:
        parts.append(Text(f"\nAlready gone: {len(groups['gone'])}", style=DIM))
        parts += [indented(Text.assemble("✔ ", safe(o.what)), 2) for o in groups["gone"]]
    return Group(*parts, *failures(groups, pal))
