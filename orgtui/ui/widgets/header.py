"""The header: who and what this session is looking at, and how fresh the data is.

Line 1: organization id, management account, mode badge.
Line 2: the caller: account and ARN (ARNs of SSO roles are long; they get a line).
Line 3: loading progress, "stale (cached HH:MM)", incomplete data, or the verdict totals.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import ProgressBar, Static

from orgtui.model import Snapshot

BADGE_STYLE = Style(color="black", bgcolor="green", bold=True)
AUDIT_STYLE = Style(color="black", bgcolor="yellow", bold=True)
DEMO_STYLE = Style(color="black", bgcolor="cyan", bold=True)


def mode_badge(read_only: bool, demo: bool) -> Text:
    """LIVE, AUDIT read-only, DEMO, or DEMO · AUDIT read-only."""
    if demo and read_only:
        return Text.assemble((" DEMO", DEMO_STYLE), (" · ", Style(bold=True)),
                             ("AUDIT read-only ", AUDIT_STYLE))
    if demo:
        return Text(" DEMO ", style=DEMO_STYLE)
    if read_only:
        return Text(" AUDIT read-only ", style=AUDIT_STYLE)
    return Text(" LIVE ", style=BADGE_STYLE)


class OrgHeader(Vertical):
    """Two lines at the top of the main screen."""

    def __init__(self, *, read_only: bool, demo: bool, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.read_only = read_only
        self.demo = demo

    def compose(self) -> ComposeResult:
        with Horizontal(id="header-top"):
            yield Static(Text("orgtui", style=Style(bold=True)), id="header-org")
            yield Static(mode_badge(self.read_only, self.demo), id="header-mode")
        yield Static("", id="header-caller")
        with Horizontal(id="header-bottom"):
            yield Static("", id="header-status")
            yield ProgressBar(total=None, show_eta=False, id="header-progress")

    def show_org(self, snap: Snapshot) -> None:
        org = snap.organization
        dim = Style(dim=True)
        text = Text.assemble(
            ("orgtui  ", Style(bold=True)), ("organization ", dim), (org.id, Style(bold=True)),
            ("  management ", dim), org.management_account_id,
        )
        if org.management_account_email:
            text.append(f" ({org.management_account_email})", style=dim)
        caller = Text.assemble(("caller ", dim), (snap.caller.account, Style(bold=True)),
                               "  ", snap.caller.arn)
        if snap.member_mode:
            caller.append("  member account: you see the organization and this account",
                          style=Style(color="yellow"))
        for widget_id, line in (("#header-org", text), ("#header-caller", caller)):
            line.no_wrap = True
            line.overflow = "ellipsis"
            self.query_one(widget_id, Static).update(line)

    def show_status(self, text: Text | str) -> None:
        self.query_one("#header-status", Static).update(text)

    def show_progress(self, done: int | None, total: int | None) -> None:
        """A bar while enrichment runs; hidden (None) when nothing is loading."""
        bar = self.query_one("#header-progress", ProgressBar)
        if done is None:
            bar.display = False
            return
        bar.display = True
        bar.update(total=total, progress=done)
