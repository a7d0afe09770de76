"""What the close dialog says: that closing is final (CLOSE_IS_FINAL, in words), the close
quota's estimate, each account with its verdict for closing and what blocks it, the line
under the scroll area, and the summary at the end (how many closed, and how many were not
attempted when AWS refused for the organization's quota).

Pure builders of `rich.text.Text`; every name is cleaned (`render.safe`), never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.text import Text

from orgtui.model import Account, Assessment
from orgtui.text import plural
from orgtui.ui.palette import BOLD, DIM, Palette
from orgtui.ui.render import finding_lines, indented, safe, verdict_badge
from orgtui.ui.screens.write_text import checking_line, failures, one_line, title, type_line
from orgtui.write_model import CloseQuota, Outcome

FINAL = (
    "Closing is final. The account's resources are deleted after 90 days; only AWS "
    "Support can reopen it, and only within those 90 days. Bills for what it used may "
    "still arrive. A linked GovCloud account closes too."
)
NOTES = (
    "The account stays in the organization: PENDING_CLOSURE now, SUSPENDED after (a reload "
    "shows it). Its policies still apply until AWS closes it.",
    "orgtui sends CloseAccount once per account, logging each call and its outcome in the "
    "audit log; a bulk close stops at AWS's first refusal for the organization's quota.",
)
# Above this many accounts the list says one line each (findings only for the blocked).
DETAILED = 6


@dataclass(frozen=True)
class ToClose:
    """One account of the dialog: as the live check read it (or the view, meanwhile)."""

    account_id: str
    account: Account | None
    assessment: Assessment | None
    path: str
    problem: str | None = None  # the live check could not read it, or it is gone

    @property
    def name(self) -> str:
        return self.account.name if self.account and self.account.name else self.account_id

    @property
    def blockers(self) -> list[str]:
        return [f.code for f in self.assessment.blockers] if self.assessment else []

    @property
    def blocked(self) -> bool:
        return self.problem is not None or bool(self.blockers)


def close_title(count: int, org_id: str, pal: Palette) -> Text:
    return title("Close", f"{plural(count, 'account')} of {org_id}", "CloseAccount", pal.error)


def quota_text(quota: CloseQuota | None, count: int, pal: Palette) -> Text:
    """`closures left in the rolling 30 days (estimate): 249 of 250`, red when the
    accounts to close are more than that."""
    if quota is None:
        return Text("closures left in the rolling 30 days (estimate): reading…", style=DIM)
    style = pal.error if count > quota.left else ""
    return Text(quota.line, style=style)


def summary(
    items: Sequence[ToClose], quota: CloseQuota | None, pal: Palette, checking: bool
) -> Group:
    """Above the scroll: the quota, and that closing is final (always in view)."""
    state = "  checking…" if checking else "  (checked live)"
    lines: list[RenderableType] = [
        one_line(quota_text(quota, len(items), pal), (state, DIM)),
        Text(FINAL, style=pal.warning),
    ]
    return Group(*lines)


def _badge(item: ToClose, pal: Palette) -> Text:
    verdict = "blocked" if item.blocked else (item.assessment.verdict if item.assessment else "")
    return verdict_badge(verdict or "review", pal, upper=True)


def body(items: Sequence[ToClose], quota: CloseQuota | None, pal: Palette) -> Group:
    """Every account to close, with what blocks it; then what happens after."""
    parts: list[RenderableType] = []
    if quota is not None and len(items) > quota.left:
        parts.append(
            Text(
                f"{plural(len(items), 'account')} to close, and the close quota leaves "
                f"{quota.left}: nothing can be closed. Close fewer now, or wait until older "
                "closures leave the 30-day window.",
                style=pal.error,
            )
        )
    parts.append(Text(f"To close ({len(items)}):", style=BOLD))
    brief = len(items) > DETAILED
    for item in items:
        parts.append(
            indented(
                one_line(
                    _badge(item, pal),
                    "  ",
                    safe(item.name, BOLD),
                    "  ",
                    safe(item.account_id),
                    "  ",
                    safe(item.path, DIM),
                ),
                2,
            )
        )
        if item.problem is not None:
            parts.append(indented(safe(item.problem, pal.error), 4))
            continue
        if item.assessment is None or (brief and not item.blocked):
            continue
        # CLOSE_IS_FINAL is said once, above; here what stands in the way.
        shown = [f for f in item.assessment.findings if f.code != "CLOSE_IS_FINAL"]
        parts += finding_lines(shown, pal, indent=4)
    parts.append(Text(""))
    parts += [indented(Text("• " + line, style=DIM), 2) for line in NOTES]
    return Group(*parts)


def check_line(
    pal: Palette,
    *,
    checking: bool,
    items: Sequence[ToClose],
    quota: CloseQuota | None,
    expected: str,
    check_error: str | None,
) -> Text:
    if checking:
        return checking_line(len(items), pal)
    if check_error:
        return safe(f"Live check failed: {check_error} Nothing can be closed now.", pal.error)
    if quota is not None and len(items) > quota.left:
        return Text(
            f"Blocked by the close quota: {quota.left} left, {len(items)} to close. Escape closes.",
            style=pal.error,
        )
    blocked = [i for i in items if i.blocked]
    if blocked:
        names = ", ".join(i.name for i in blocked[:3]) + ("…" if len(blocked) > 3 else "")
        return Text.assemble(
            ("Blocked: ", pal.error),
            safe(names, BOLD),
            (" can't be closed (see why above). Unmark it, or fix it; escape closes.", pal.error),
        )
    return type_line(expected, "close", pal)


def stopped_at_quota(outcomes: Sequence[Outcome], asked: int, quota_reasons: frozenset[str]) -> int:
    """How many accounts were not attempted because AWS refused for the quota (0 if not)."""
    if outcomes and outcomes[-1].reason in quota_reasons:
        return max(0, asked - len(outcomes))
    return 0


def result_line(closed: int, not_attempted: int, pal: Palette) -> Text:
    """`2 closed; stopped at the quota: 3 not attempted`."""
    text = Text(f"{closed} closed", style=pal.success if closed else DIM)
    if not_attempted:
        text.append(f"; stopped at the quota: {not_attempted} not attempted", style=pal.error)
    return text


def final_summary(groups: dict[str, list[Outcome]], not_attempted: int, pal: Palette) -> Group:
    """The result: what is closing now, what was gone, what failed or was not attempted."""
    done = groups["done"]
    parts: list[RenderableType] = [result_line(len(done), not_attempted, pal)]
    parts += [indented(Text.assemble(("✔ ", pal.success), safe(o.what)), 2) for o in done]
    if groups["gone"]:
        parts.append(Text(f"\nNo longer in the organization: {len(groups['gone'])}", style=DIM))
        parts += [indented(Text.assemble("✔ ", safe(o.what)), 2) for o in groups["gone"]]
    return Group(*parts, *failures(groups, pal))
