"""What the removal dialog says: its title, the fixed summary above the scroll area, one
block per account, the notes on what changes after it leaves, the line under the scroll
area, and the summary at the end.

Pure builders over the dialog's facts (`DialogFacts`), drawn with the shared pieces of
`orgtui.ui.render` (findings, policies, tags, verdicts), so the dialog and the detail pane
say the same things the same way. Every name is cleaned there, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.text import Text

from orgtui.text import clean, plural
from orgtui.ui.palette import BOLD, DIM, Palette
from orgtui.ui.render import (
    counts_line,
    finding_lines,
    indented,
    policy_lines,
    safe,
    tags_inline,
    tags_table,
    verdict_badge,
)
from orgtui.ui.view import Counts

if TYPE_CHECKING:
    from orgtui.aws.removal import LiveCheck, Outcome
    from orgtui.model import Account, Assessment, Snapshot

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

    @property
    def verdict(self) -> str:
        if self.check is not None and self.check.error is not None:
            return "blocked"
        return self.assessment.verdict if self.assessment is not None else "blocked"

    @property
    def name(self) -> str:
        return self.account.name if self.account and self.account.name else self.account_id

    @property
    def tags(self) -> dict[str, str]:
        return dict(self.snapshot.tags_of(self.account_id))


def title(org_id: str, count: int, leave: bool, pal: Palette) -> Text:
    if leave:
        text = Text.assemble(("Leave the organization ", pal.error), safe(org_id, BOLD),
                             ("  LeaveOrganization for this account", DIM))
    else:
        text = Text.assemble((f"Remove {plural(count, 'account')} from ", pal.error),
                             safe(org_id, BOLD), ("  RemoveAccountFromOrganization", DIM))
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


# --- the fixed summary -------------------------------------------------------------------


def _line(*parts: str | Text | tuple[str, object]) -> Text:
    text = Text.assemble(*parts)  # type: ignore[arg-type]
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def _blocker_words(facts: AccountFacts) -> str:
    if facts.check is not None and facts.check.error is not None:
        return f"the live check failed: {facts.check.error.what}"
    found = facts.assessment.blockers if facts.assessment is not None else ()
    return " ".join(f.message for f in found) or "not in the organization any more"


def summary(accounts: Sequence[AccountFacts], pal: Palette, width: int,
            checking: bool) -> Group:
    """The lines that stay above the scroll area: verdicts, what blocks, and the tags
    AWS will delete (listed when they fit, else counted with "listed below")."""
    lines: list[Text] = []
    if len(accounts) == 1:
        facts = accounts[0]
        state = "  checking…" if checking else (
            "  (checked live)" if facts.check is not None and facts.check.error is None
            else "")
        lines.append(_line(verdict_badge(facts.verdict, pal, upper=True), "  ",
                           safe(facts.name, BOLD), "  ", safe(facts.account_id),
                           "  ", safe(" / ".join(facts.snapshot.ou_path(facts.account_id)),
                                      DIM), (state, DIM)))
        if facts.blocked:
            lines.append(_line(("Blocked ", pal.error), ("(fixes below): ", DIM),
                               safe(_blocker_words(facts))))
    else:
        counts = Counts()
        for facts in accounts:
            counts.add(facts.verdict)
        lines.append(_line(counts_line(counts, pal),
                           (" · checking live…" if checking else "", DIM)))
        blocked = [f for f in accounts if f.blocked]
        if blocked:
            lines.append(_line((f"Blocked ({len(blocked)}, why and fixes below): ", pal.error),
                               safe(", ".join(f.name for f in blocked))))
    lines += _tags_summary(accounts, pal, width)
    return Group(*lines)


def _tags_summary(accounts: Sequence[AccountFacts], pal: Palette, width: int) -> list[Text]:
    removable = [f for f in accounts if not f.management]
    with_tags = [f for f in removable if f.tags]
    total = sum(len(f.tags) for f in with_tags)
    if not removable:
        return []
    if not total:
        read = all(f.snapshot.enriched or f.check is not None for f in removable)
        return [_line(("No tags to lose." if read else "Tags not read yet.", DIM))]
    head = Text(f"Tags AWS deletes ({total}, backed up first): ", style=pal.warning)
    if len(with_tags) == 1:
        listed = tags_inline(with_tags[0].tags)
        if cell_len(head.plain) + listed.cell_len <= width:
            return [_line(head, listed)]
    where = "" if len(accounts) == 1 else f" on {plural(len(with_tags), 'account')}"
    # A big set lists the tags of its ready accounts as counts only.
    below = ", counted below; all backed up first." if len(accounts) > DETAILED else (
        ", listed below.")
    return [_line((f"{plural(total, 'tag')}{where} will be deleted", pal.warning),
                  (below, DIM))]


# --- one account, in the scroll area ------------------------------------------------------


def account_block(facts: AccountFacts, pal: Palette, checking: bool) -> list[RenderableType]:
    if facts.account is None:
        return [Text(f"{clean(facts.account_id)}: not in the organization any more.",
                     style=DIM)]
    check = facts.check
    head = Text.assemble(("■ " if facts.blocked else "□ ", pal.error if facts.blocked else DIM),
                         safe(facts.name, BOLD), "  ", safe(facts.account_id), "  ",
                         verdict_badge(facts.verdict, pal, upper=True))
    if facts.account.state != "ACTIVE":
        head.append_text(safe(f"  {facts.account.state}", pal.error))
    if checking:
        head.append("  checking…", style=DIM)
    elif check is not None and check.error is None and not check.gone:
        head.append("  (checked live)", style=DIM)
    out: list[RenderableType] = [head]
    path = " / ".join(facts.snapshot.ou_path(facts.account_id)) or "—"
    out.append(indented(Text.assemble(("OU path  ", DIM), safe(path)), 2))
    if check is not None and check.changed and check.verdict is not None:
        out.append(indented(Text.assemble(
            ("The live check changed the verdict: ", pal.warning),
            f"was {check.stale_verdict}, now {check.verdict}; the live one decides."), 2))
    if check is not None and check.error is not None:
        out.append(indented(Text.assemble(("Live check failed: ", pal.error),
                                          safe(check.error.what)), 2))
        out.append(indented(Text.assemble(("Fix: ", DIM), safe(check.error.fix)), 4))
    for problem in check.problems if check is not None else ():
        out.append(indented(Text.assemble(("Not read: ", pal.warning), safe(problem)), 2))
    findings = [f for f in (facts.assessment.findings if facts.assessment else ())
                if f.code not in OWN_SECTIONS]
    out += finding_lines(findings, pal, indent=2)
    if not facts.management:  # it never leaves: nothing is deleted, nothing stops
        out += _losses(facts, pal)
    out.append(Text(""))
    return out


def _losses(facts: AccountFacts, pal: Palette) -> list[RenderableType]:
    out: list[RenderableType] = []
    tags = facts.tags
    if tags:
        out.append(indented(Text.assemble(("Tags AWS deletes ", pal.warning),
                                          (f"({len(tags)}, backed up first):", DIM)), 2))
        out.append(tags_table(tags, indent=4))
    else:
        read = facts.snapshot.enriched or facts.check is not None
        out.append(indented(Text("No tags to lose." if read else "Tags not read yet.",
                                 style=DIM), 2))
    policies = policy_lines(facts.snapshot, facts.account_id, indent=4,
                            include_default=False)
    if policies:
        out.append(indented(Text("Policies that stop applying:", style=pal.notice), 2))
        out += policies
    return out


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
            parts.append(Text(f"Ready ({len(ready)}): no finding stands in the way; the "
                              "tags AWS deletes are counted here and backed up first.",
                              style=pal.success))
        for facts in ready:
            parts.append(indented(Text.assemble(
                "□ ", safe(facts.name, BOLD), "  ", safe(facts.account_id), "  ",
                safe(" / ".join(facts.snapshot.ou_path(facts.account_id)), DIM),
                (f"  {plural(len(facts.tags), 'tag')}" if facts.tags else "", pal.warning)),
                2))
    if not accounts:
        parts.append(Text("No account left to remove.", style=DIM))
    return Group(*parts)


def notes_text(leave: bool) -> Group:
    notes = NOTES_LEAVE if leave else NOTES_REMOVE
    return Group(Text("After it leaves:", style=BOLD),
                 *[indented(Text("• " + note), 2) for note in notes])


def check_line(pal: Palette, *, checking: bool, count: int, blocked: int, expected: str,
               leave: bool, check_error: str | None, dropped: Sequence[str]) -> Text:
    """The line under the scroll area: checking, what to type, or why nothing can go."""
    if checking:
        return Text(f"Checking {plural(count, 'account')} live with AWS… (the live check "
                    "decides)", style=pal.warning)
    text = Text()
    if check_error:
        text.append_text(safe(f"Live check failed: {check_error} ", pal.error))
    if dropped:
        text.append_text(safe(f"No longer in the organization, dropped: "
                              f"{', '.join(dropped)}. ", DIM))
    others = count - blocked
    verb = "leave" if leave else "be removed"
    if not count:
        text.append("Nothing left to remove: escape closes.", style=DIM)
    elif blocked and others:
        text.append(f"{plural(blocked, 'account')} can't {verb} (why and fixes above); "
                    f"drop {'it' if blocked == 1 else 'them'} to go on with the other "
                    f"{plural(others, 'account')}, or escape.", style=pal.error)
    elif blocked == 1:
        text.append(f"This account can't {verb} now: fix what blocks it (above), then try "
                    "again. Escape closes.", style=pal.error)
    elif blocked:
        text.append(f"None of these accounts can {verb} now: fix what blocks them "
                    "(above), then try again. Escape closes.", style=pal.error)
    else:
        text.append(f"Type {expected} and press enter to {'leave' if leave else 'remove'}; "
                    "escape or Cancel keeps everything as it is.", style=pal.success)
    return text


# --- after the removal -------------------------------------------------------------------


def outcome_line(outcome: Outcome, pal: Palette) -> Text:
    what = safe(outcome.what)
    if outcome.status == "removed":
        return Text.assemble(("✔ ", pal.success), what)
    if outcome.status == "gone":
        return Text.assemble(("✔ ", DIM), what)
    mark = ("? ", pal.warning) if outcome.status == "unknown" else ("✘ ", pal.error)
    return Text.assemble(mark, what, " ", safe(outcome.fix, DIM))


def final_summary(groups: dict[str, list[Outcome]], leave: bool, pal: Palette) -> Group:
    parts: list[RenderableType] = []
    removed = groups["removed"]
    parts.append(Text(f"{'Left' if leave else 'Removed'}: {len(removed)}",
                      style=pal.success if removed else DIM))
    for o in removed:
        parts.append(indented(Text.assemble(("✔ ", pal.success), safe(o.what)), 2))
        if o.backup is not None:
            parts.append(indented(Text.assemble(("Tags backed up to ", DIM),
                                                safe(o.backup)), 4))
        parts += [indented(safe(note, DIM), 4) for note in o.notes]
    if groups["gone"]:
        parts.append(Text(f"\nAlready gone: {len(groups['gone'])}", style=DIM))
        parts += [indented(Text.assemble("✔ ", safe(o.what)), 2) for o in groups["gone"]]
    refused = groups["refused"]
    parts.append(Text(f"\nRefused: {len(refused)}", style=pal.error if refused else DIM))
    parts += _with_fixes(refused, ("✘ ", pal.error))
    if groups["unknown"]:
        parts.append(Text(f"\nUnclear: {len(groups['unknown'])}", style=pal.warning))
        parts += _with_fixes(groups["unknown"], ("? ", pal.warning))
    parts.append(Text("\nEvery call and its outcome are in the audit log.", style=DIM))
    return Group(*parts)


def _with_fixes(outcomes: Iterable[Outcome], mark: tuple[str, object]) -> list[RenderableType]:
    out: list[RenderableType] = []
    for o in outcomes:
        out.append(indented(Text.assemble(mark, safe(o.what)), 2))  # type: ignore[arg-type]
        out.append(indented(Text.assemble(("What to do: ", DIM), safe(o.fix)), 4))
    return out
