"""The header: who and what this session is looking at, and how fresh the data is.

Line 1: organization id, management account, mode badge.
Line 2: the caller: account, the destination the verdicts are for (x cycles it), and ARN
(ARNs of SSO roles are long; they get a line, and only their tail is ever cut).
Line 3: loading progress, "stale (cached HH:MM)", incomplete data, or the verdict totals
and the impact checks that were not made (with why, as far as the width allows).

The header is given facts (`show_org`, `show_load`) and words them itself; colours come
from the theme, every name is cleaned.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import ProgressBar, Static

from orgtui.model import Snapshot
from orgtui.phases import PHASES
from orgtui.session.load_status import LoadState
from orgtui.text import clean
from orgtui.ui.palette import BOLD, DIM, Palette, palette
from orgtui.ui.render import counts_line, safe, same_text

PROGRESS_WIDTH = 40  # #header-progress in app.tcss
STATUS_PADDING = 2  # #header-status: padding 0 1


def mode_badge(read_only: bool, demo: bool, pal: Palette) -> Text:
    """LIVE, AUDIT read-only, DEMO, or DEMO · AUDIT read-only."""
    if demo and read_only:
        return Text.assemble(
            (" DEMO", pal.demo_badge), (" · ", BOLD), ("AUDIT read-only ", pal.audit_badge)
        )
    if demo:
        return Text(" DEMO ", style=pal.demo_badge)
    if read_only:
        return Text(" AUDIT read-only ", style=pal.audit_badge)
    return Text(" LIVE ", style=pal.live_badge)


def _not_checked(state: LoadState, room: int) -> str:
    """What was not checked, as much as fits in `room` cells: the checks with why, or
    their names, or how many (the root's detail always says it whole)."""
    if not state.unchecked:
        return ""
    for words in (
        f" · not checked: {'; '.join(state.skipped)}",
        f" · not checked: {', '.join(state.unchecked)} (the root's detail says why)",
        f" · not checked: {', '.join(state.unchecked)}",
    ):
        if cell_len(words) <= room:
            return words
    return f" · {len(state.unchecked)} impact checks not made (see the root)"


def status_text(state: LoadState, pal: Palette, width: int = 0) -> Text:
    text = Text()
    warn = pal.warning
    if state.stale_at is not None:
        text.append(f"stale (cached {state.stale_at.astimezone().strftime('%H:%M')})", warn)
        text.append(" · ")
    if state.loading:
        count = (
            f" {state.done}/{state.total}"
            if state.total
            else (f" {state.done}" if state.done else "")
        )
        verb = "Reloading: " if state.reloading else ""
        phase = PHASES.get(state.phase, state.phase)
        if state.reading and not state.reloading:  # accounts show `reading` until then
            verb, phase = "Details loading: ", phase[:1].lower() + phase[1:]
        text.append(f"{verb}{phase}…{count}", Style(italic=True))
    elif state.unreachable:
        text.append_text(safe(f"Not live: {state.unreachable} (ctrl+r retries)", pal.error))
    elif state.incomplete:
        text.append_text(safe(f"Incomplete data: {state.incomplete} (ctrl+r retries)", warn))
    elif state.counts is not None:
        text.append_text(counts_line(state.counts, pal))
        room = (width if width > 0 else 200) - text.cell_len  # 0: not laid out yet
        text.append_text(safe(_not_checked(state, room), pal.warning))
    return text


def first_fitting(room: int, *candidates: Text) -> Text:
    """The first candidate that fits in `room` cells (the last one, cut, if none does)."""
    for text in candidates:
        if text.cell_len <= room:
            return text
    return candidates[-1]


def org_line(snap: Snapshot, room: int) -> Text:
    """Line 1: the organization and its management account, shortened to fit `room`:
    the email goes first, then the labels shrink; the ids are always whole."""
    org = snap.organization
    # A member that left: its own account is gone from the view, and so is the
    # organization (it is standalone now); say so rather than show the old one.
    if snap.member_mode and snap.caller.account not in snap.accounts:
        return Text.assemble(("orgtui  ", BOLD), ("left organization ", DIM), safe(org.id, BOLD))
    email = (
        Text(f" ({clean(org.management_account_email)})", style=DIM)
        if org.management_account_email
        else Text()
    )

    def line(org_label: str, mgmt_label: str, with_email: bool) -> Text:
        return Text.assemble(
            ("orgtui  ", BOLD),
            (org_label, DIM),
            safe(org.id, BOLD),
            (mgmt_label, DIM),
            safe(org.management_account_id),
            email if with_email else "",
        )

    return first_fitting(
        room,
        line("organization ", "  management ", True),
        line("organization ", "  management ", False),
        line("org ", "  mgmt ", False),
    )


def caller_line(snap: Snapshot, pal: Palette, room: int, destination: str = "") -> Text:
    """Line 2: the caller's account, what a member sees, the destination, and the ARN
    last (the ARN is what gets cut, never the sentence)."""
    notes: tuple[str, ...]
    if snap.member_mode and snap.caller.account not in snap.accounts:
        notes = ("standalone now: in no organization", "standalone now")
    elif snap.member_mode:
        notes = ("member account: you see the organization and this account", "member account")
    else:
        notes = ("",)

    def line(note: str) -> Text:
        text = Text.assemble(("caller ", DIM), safe(snap.caller.account, BOLD))
        if note:
            text.append_text(Text.assemble("  ", (note, pal.warning)))
        if destination:  # the line 3 counts and every badge are for it
            text.append_text(Text.assemble("  ", ("destination ", DIM), (destination, BOLD)))
        return text.append_text(Text.assemble("  ", safe(snap.caller.arn)))

    # When even the short note leaves no room for the whole ARN, the ARN's tail is cut.
    return first_fitting(room, *(line(note) for note in notes))


class OrgHeader(Vertical):
    """Three lines at the top of the main screen."""

    def __init__(self, *, read_only: bool, demo: bool, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.read_only = read_only
        self.demo = demo
        self._snapshot: Snapshot | None = None
        self._state = LoadState()
        self._lines: dict[str, Text] = {}  # what each line shows now

    def compose(self) -> ComposeResult:
        with Horizontal(id="header-top"):
            yield Static(Text("orgtui", style=BOLD), id="header-org")
            yield Static(id="header-mode")
        yield Static("", id="header-caller")
        with Horizontal(id="header-bottom"):
            yield Static("", id="header-status")
            yield ProgressBar(total=None, show_eta=False, id="header-progress")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._paint())
        self._paint()

    def on_resize(self) -> None:
        self._paint()  # what was not checked is said as fits the width

    def show_org(self, snap: Snapshot) -> None:
        self._snapshot = snap
        self._paint()

    def show_load(self, state: LoadState) -> None:
        self._state = state
        self._paint()

    def _paint(self) -> None:
        pal = palette(self.app)
        self._set("#header-mode", mode_badge(self.read_only, self.demo, pal), layout=True)
        state = self._state
        bar = self.query_one("#header-progress", ProgressBar)
        bar.display = state.loading and state.phase == "details"
        if bar.display:
            bar.update(total=state.total, progress=state.done)
        # The status line's width, from the header's own (its padding, the bar beside it):
        # known now, whether or not the layout has caught up with the bar.
        room = self.size.width - STATUS_PADDING - (PROGRESS_WIDTH if bar.display else 0)
        self._set("#header-status", status_text(state, pal, room))
        snap = self._snapshot
        if snap is None:
            return
        badge = mode_badge(self.read_only, self.demo, pal).cell_len + 2  # its padding
        width = self.size.width or 200  # 0: not laid out yet
        text = org_line(snap, width - badge - 2)
        caller = caller_line(snap, pal, width - 2, state.destination)
        for widget_id, line in (("#header-org", text), ("#header-caller", caller)):
            line.no_wrap = True
            line.overflow = "ellipsis"
            self._set(widget_id, line)

    def _set(self, widget_id: str, text: Text, layout: bool = False) -> None:
        """Update one line if it changed. Its size is fixed (one line, the width given by
        the layout), so no layout pass, which would redraw the whole screen: the header
        is repainted at every progress step of a load. The mode badge sizes itself."""
        if same_text(self._lines.get(widget_id), text):
            return
        self._lines[widget_id] = text
        self.query_one(widget_id, Static).update(text, layout=layout)
