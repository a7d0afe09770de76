"""What the attest dialog says: what attesting means, the tag and the value it writes, the
accounts to attest (each with its verdict now and after), the accounts skipped and why,
the line under the scroll area, and the summary at the end.

Pure builders of `rich.text.Text`, drawn with the shared pieces of `orgtui.ui.render`;
every name and tag is cleaned there, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.text import Text

from orgtui.model import Account, Assessment
from orgtui.rules import verdict_of
from orgtui.session.view import Counts
from orgtui.text import plural
from orgtui.ui.palette import BOLD, DIM, Palette
from orgtui.ui.render import counts_line, indented, safe, verdict_badge
from orgtui.ui.screens.write_text import (
    checking_line,
    failures,
    one_line,
    title,
    type_line,
)
from orgtui.write_model import Outcome

DETAILED = 40  # up to this many accounts, each gets its lines; beyond, one line each

MEANING = (
    "Attesting records that someone signed in to each account as its root user and "
    "completed its standalone sign-up: a payment method, phone verification, contact "
    "information, a support plan and the AWS Customer Agreement. Accounts created through "
    "Organizations lack them until then, and AWS refuses their removal. orgtui can't check "
    "any of this (no API can): attest only what you checked.",
    "The tag is the team's shared record: it is visible in the console and to every other "
    "admin's orgtui. It turns STANDALONE_UNVERIFIED into STANDALONE_ATTESTED, and clears a "
    "REMOVAL_REFUSED that AWS gave before it.",
)
# The findings an attestation made now clears.
CLEARED = ("STANDALONE_UNVERIFIED", "REMOVAL_REFUSED")


@dataclass(frozen=True)
class ToAttest:
    """One account of the set, as the view (or the live check) shows it."""

    account_id: str
    account: Account | None
    assessment: Assessment | None
    current: str | None  # the attestation tag's value it carries now, if any
    checked_live: bool = False

    @property
    def name(self) -> str:
        return self.account.name if self.account and self.account.name else self.account_id

    @property
    def verdict(self) -> str:
        return self.assessment.verdict if self.assessment else "blocked"

    @property
    def verdict_after(self) -> str:
        """The verdict once attested: the attestation clears what CLEARED names."""
        findings = self.assessment.findings if self.assessment else ()
        return verdict_of(f for f in findings if f.code not in CLEARED)


def attest_title(count: int, org_id: str, tag: str, pal: Palette) -> Text:
    return title(f"Attest {plural(count, 'account')} in", org_id, f"TagResource {tag}", pal.notice)


def _change(item: ToAttest, pal: Palette) -> Text:
    """`REVIEW → READY`, or the verdict alone when the attestation does not change it."""
    now, after = item.verdict, item.verdict_after
    text = verdict_badge(now, pal, upper=True)
    if after != now:
        text = Text.assemble(text, " → ", verdict_badge(after, pal, upper=True))
    return text


def summary(
    items: Sequence[ToAttest],
    skipped: Sequence[str],
    tag: str,
    value: str,
    pal: Palette,
    checking: bool,
) -> Group:
    """Above the scroll area: the set (or the one account and its verdict change), the
    names of the accounts skipped, the tag and the value written, and a reminder of what is
    being vouched for."""
    lines: list[Text] = []
    state = "  checking…" if checking else "  (checked live)"
    if len(items) == 1:
        item = items[0]
        lines.append(
            one_line(
                _change(item, pal),
                "  ",
                safe(item.name, BOLD),
                "  ",
                safe(item.account_id),
                (state, DIM),
            )
        )
    elif items:
        after = Counts()
        for item in items:
            after.add(item.verdict_after)
        lines.append(
            one_line(
                (f"{plural(len(items), 'account')} to attest", BOLD),
                (" · afterwards ", DIM),
                counts_line(after, pal),
                (state, DIM),
            )
        )
    else:
        lines.append(one_line(("No account to attest.", pal.warning)))
    if skipped:
        lines.append(
            one_line(
                (f"{plural(len(skipped), 'account')} skipped ", pal.warning),
                ("(why below): ", DIM),
                safe(", ".join(skipped)),
            )
        )
    lines.append(one_line(("Tag written: ", DIM), safe(tag, BOLD), " = ", safe(value, BOLD)))
    lines.append(
        one_line(
            ("orgtui can't check the sign-up: ", pal.warning),
            "attest only what you checked as root.",
        )
    )
    return Group(*lines)


def body(
    items: Sequence[ToAttest],
    skipped: Mapping[str, str],
    names: Mapping[str, str],
    tag: str,
    pal: Palette,
) -> Group:
    """The meaning of attesting, every account to attest, every account skipped."""
    parts: list[RenderableType] = [Text("What attesting means", style=BOLD)]
    parts += [indented(Text(line), 2) for line in MEANING]
    if items:
        parts.append(Text(f"\nTo attest ({len(items)}):", style=BOLD))
    brief = len(items) > DETAILED
    for item in items:
        parts.append(
            indented(
                Text.assemble(
                    "□ ",
                    safe(item.name, BOLD),
                    "  ",
                    safe(item.account_id),
                    "  ",
                    _change(item, pal),
                ),
                2,
            )
        )
        if brief:
            continue
        if item.current is not None:
            parts.append(
                indented(
                    Text.assemble(
                        ("Already attested: ", DIM),
                        safe(f"{tag} = {item.current}"),
                        (" (the new value replaces it)", DIM),
                    ),
                    4,
                )
            )
        if item.assessment and any(f.code == "REMOVAL_REFUSED" for f in item.assessment.findings):
            parts.append(
                indented(
                    Text(
                        "AWS refused its removal before: an attestation "
                        "dated now clears the refusal.",
                        style=pal.warning,
                    ),
                    4,
                )
            )
    if skipped:
        parts.append(Text(f"\nSkipped ({len(skipped)}):", style=pal.warning))
        for account_id, why in skipped.items():
            parts.append(
                indented(
                    Text.assemble(
                        "– ",
                        safe(names.get(account_id, account_id), BOLD),
                        "  ",
                        safe(account_id),
                        ": ",
                        safe(why, DIM),
                    ),
                    2,
                )
            )
    return Group(*parts)


def check_line(
    pal: Palette, *, checking: bool, count: int, expected: str, check_error: str | None
) -> Text:
    if checking:
        return checking_line(count, pal)
    text = Text()
    if check_error:
        text.append_text(safe(f"Live check failed: {check_error} ", pal.error))
    if not count:
        text.append("Nothing to attest: escape closes.", style=DIM)
    else:
        text.append_text(type_line(expected, "attest", pal))
    return text


def still_held(found: Assessment) -> str | None:
    """Why an attested account is still not `ready`: `still review: CODE, CODE` (the
    findings that set its verdict), or None when it is ready now."""
    if found.verdict == "ready":
        return None
    severity = "blocker" if found.verdict == "blocked" else "warning"
    codes = dict.fromkeys(f.code for f in found.findings if f.severity == severity)
    return f"still {found.verdict}: {', '.join(codes)}"


def final_summary(
    groups: dict[str, list[Outcome]], pal: Palette, after: Mapping[str, Assessment] | None = None
) -> Group:
    """The result: what was attested (with why an account is still not ready, from
    `after`, its assessment once attested), what was gone, what failed."""
    done = groups["done"]
    after = after or {}
    parts: list[RenderableType] = [
        Text(f"Attested: {len(done)}", style=pal.success if done else DIM)
    ]
    for o in done:
        line = Text.assemble(("✔ ", pal.success), safe(o.what))
        held = still_held(after[o.account_id]) if o.account_id in after else None
        if held:
            line.append_text(Text.assemble(" (", safe(held, pal.warning), ")"))
        parts.append(indented(line, 2))
    if groups["gone"]:
        parts.append(Text(f"\nNo longer in the organization: {len(groups['gone'])}", style=DIM))
        parts += [indented(Text.assemble("✔ ", safe(o.what)), 2) for o in groups["gone"]]
    return Group(*parts, *failures(groups, pal))
