"""The invitations screen (`I`): the organization's handshakes as AWS lists them now
(ListHandshakesForOrganization, INVITE: OPEN, ACCEPTED, DECLINED, CANCELED, EXPIRED...),
the target organization's view of a direct transfer (DESIGN.md "Destinations").

A `ModalScreen`: a filter, a table (state, the invited account, when it was sent, when it
expires, the inviting organization), the highlighted invitation's details under it, and a
hint line. The list is read in a thread worker (`Services.organization_handshakes`) when
the screen opens and again on ctrl+r, which reloads the organization too: an accepted
invitation's account shows in the tree once the organization is read again. Whatever AWS
refuses (a member account: AccessDeniedException; no organization:
AWSOrganizationsNotInUseException) is said in words in the screen. Every string from AWS
is shown as text, cleaned, never markup. escape closes. Nothing here calls boto3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from orgtui.backend import Services
from orgtui.errors import OrgtuiError
from orgtui.handshakes import STATES, Handshake
from orgtui.ids import normalize_account_id
from orgtui.model import Snapshot
from orgtui.text import plural
from orgtui.ui.palette import BOLD, DIM, palette
from orgtui.ui.render import inviter_text, safe, when_text
from orgtui.ui.screens.write_text import one_line
from orgtui.ui.widgets.safe_input import SafeInput

Clock = Callable[[], datetime]
SnapshotFn = Callable[[], "Snapshot | None"]

COLUMNS = ("State", "Account", "Sent", "Expires", "From")
READING = "Reading the organization's invitations (ListHandshakesForOrganization)…"
HINT = (
    "ctrl+r reads them again and reloads the organization: an ACCEPTED account shows in "
    "the tree then · / filter · escape closes"
)
# A member's session: ListHandshakesForOrganization is the management account's.
MEMBER = (
    "Signed in to a member account: the organization's invitations are its management "
    "account's to list. This account's own open invitations are in its detail pane; i "
    "accepts one."
)


def matches(handshake: Handshake, query: str) -> bool:
    """Does the invitation match every word of `query`? A word is a state (`open`,
    `ACCEPTED`), an account id with or without the console's dashes (or a part of one),
    or a part of an email, the organization id, the handshake id or its notes."""
    for word in query.split():
        if word.upper() in STATES:
            if handshake.state != word.upper():
                return False
            continue
        account = normalize_account_id(word)
        if account is not None:
            if handshake.account_id != account:
                return False
            continue
        digits = word.replace("-", "")
        if digits.isdigit():
            if digits not in handshake.account_id:
                return False
            continue
        needle = word.lower()
        haystack = " ".join(
            (
                handshake.email,
                handshake.management_email,
                handshake.management_name,
                handshake.organization_id,
                handshake.id,
                handshake.notes,
            )
        ).lower()
        if needle not in haystack:
            return False
    return True


def _date(ts: datetime | None) -> str:
    return f"{ts:%Y-%m-%d}" if ts is not None else "—"


class InvitationsScreen(ModalScreen[None]):
    """The organization's invitations, filterable; read live when opened."""

    CSS_PATH = "invitations.tcss"
    AUTO_FOCUS = "#invitations-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="invitations-close"),
        Binding("slash", "filter", "Filter", id="invitations-filter"),
        Binding("ctrl+r", "reload", "Read again", id="invitations-reload"),
    ]

    def __init__(self, services: Services, snapshot: SnapshotFn, *, clock: Clock) -> None:
        super().__init__()
        self.services = services
        # The organization on the main screen now (its accounts' names; whether an
        # accepted invitation's account is in the tree yet).
        self.snapshot = snapshot
        self.clock = clock
        self.handshakes: list[Handshake] | None = None  # None: not read yet
        self.error: OrgtuiError | None = None
        self.shown: list[Handshake] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="invitations-box"):
            yield Static(id="invitations-title")
            yield SafeInput(
                placeholder="filter: OPEN, ACCEPTED, an account id, an email…",
                compact=True,
                id="invitations-query",
            )
            yield Static(Text(READING, style=DIM), id="invitations-status")
            table: DataTable[Text] = DataTable(
                cursor_type="row", zebra_stripes=True, id="invitations-table"
            )
            yield table
            yield Static(id="invitations-detail")
            yield Static(Text(HINT, style=DIM), id="invitations-hint")

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#invitations-table", DataTable)

    @property
    def query_box(self) -> Input:
        return self.query_one("#invitations-query", Input)

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.refresh_all()
        self._read()

    # --- the read ---------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="invitations-list", exit_on_error=False)
    def _read(self) -> None:
        try:
            found = self.services.organization_handshakes()
        except Exception as exc:  # AWS's refusals and failures, in words
            self.app.call_from_thread(self._failed, self.services.words(exc))
            return
        self.app.call_from_thread(self._landed, found)

    def _landed(self, found: list[Handshake]) -> None:
        epoch = datetime.min.replace(tzinfo=timezone.utc)
        self.handshakes = sorted(found, key=lambda h: h.requested or epoch, reverse=True)
        self.error = None
        self.refresh_all()

    def _failed(self, error: OrgtuiError) -> None:
        self.error = error
        self.handshakes = None
        self.refresh_all()

    # --- state -> widgets ---------------------------------------------------------------

    def refresh_all(self) -> None:
        self._refresh_title()
        self._refresh_status()
        self._fill()
        self._refresh_detail()

    def _refresh_title(self) -> None:
        snap = self.snapshot()
        org = f" of {snap.organization.id}" if snap is not None else ""
        self.query_one("#invitations-title", Static).update(
            one_line(
                ("Invitations", BOLD),
                safe(org, BOLD),
                ("  ListHandshakesForOrganization", DIM),
            )
        )

    def _refresh_status(self) -> None:
        pal = palette(self.app)
        status = self.query_one("#invitations-status", Static)
        if self.error is not None:
            said = Text.assemble(
                ("The invitations could not be read: ", pal.error),
                safe(self.error.what),
                "\n",
                ("Fix: ", DIM),
                safe(self.error.fix),
            )
            snap = self.snapshot()
            if snap is not None and not snap.is_management_caller:
                said.append("\n\n" + MEMBER, style=pal.notice)
            status.update(said)
        elif self.handshakes is None:
            status.update(Text(READING, style=DIM))
        else:
            total = len(self.handshakes)
            query = self.query_box.value.strip()
            if not total:
                words = "No invitations: AWS lists those of the last 30 days."
            elif query:
                words = f"{len(self.shown)} of {plural(total, 'invitation')} match."
            else:
                words = f"{plural(total, 'invitation')}, newest first."
            status.update(Text(words, style=DIM))
        self.table.display = self.error is None and bool(self.handshakes)

    def _fill(self) -> None:
        table = self.table
        query = self.query_box.value
        self.shown = [h for h in self.handshakes or () if matches(h, query)]
        table.clear()
        for h in self.shown:
            table.add_row(*self._cells(h), key=h.id)

    def _cells(self, h: Handshake) -> tuple[Text, ...]:
        pal = palette(self.app)
        now = self.clock()
        state_style = {
            "OPEN": pal.warning,
            "REQUESTED": pal.warning,
            "ACCEPTED": pal.success,
            "DECLINED": pal.error,
            "CANCELED": pal.error,
        }.get(h.state, DIM)
        expired = h.expired_at(now)
        return (
            safe(h.state, state_style),
            safe(h.account_id or h.email or "—"),
            safe(_date(h.requested)),
            safe(_date(h.expires), pal.error if expired else ""),
            safe(h.organization_id or "—"),
        )

    def _highlighted(self) -> Handshake | None:
        table = self.table
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def _refresh_detail(self) -> None:
        detail = self.query_one("#invitations-detail", Static)
        h = self._highlighted()
        if h is None:
            detail.update("")
            return
        pal = palette(self.app)
        snap = self.snapshot()
        account = snap.accounts.get(h.account_id) if snap is not None and h.account_id else None
        who = safe(h.account_id or h.email or "—", BOLD)
        if account is not None and account.name:
            who.append_text(safe(f" {account.name}"))
        if h.email and h.account_id:
            who.append_text(safe(f" <{h.email}>", DIM))
        lines = [
            one_line(safe(h.id), "  ", safe(h.state, BOLD), ("  to ", DIM), who),
            one_line(
                ("sent ", DIM), when_text(h.requested), ("  expires ", DIM), when_text(h.expires)
            ),
            one_line(("from ", DIM), inviter_text(h)),
        ]
        if h.notes:
            lines.append(one_line(("Notes: ", DIM), safe(h.notes)))
        if h.state == "ACCEPTED" and snap is not None:
            if account is not None:
                lines.append(one_line(("Accepted: the account is in the tree.", pal.success)))
            else:
                lines.append(
                    one_line(
                        (
                            "Accepted: the account is in the organization now; ctrl+r "
                            "reloads, then it shows in the tree.",
                            pal.notice,
                        )
                    )
                )
        elif h.pending and h.expired_at(self.clock()):
            lines.append(one_line(("Past its expiry: AWS will show it EXPIRED.", pal.error)))
        detail.update(Group(*lines))

    # --- events -------------------------------------------------------------------------

    @on(Input.Changed, "#invitations-query")
    def _filtered(self) -> None:
        self._fill()
        self._refresh_status()
        self._refresh_detail()

    @on(Input.Submitted, "#invitations-query")
    def _submitted(self) -> None:
        self.table.focus()

    @on(DataTable.RowHighlighted, "#invitations-table")
    def _highlight(self) -> None:
        self._refresh_detail()

    def action_filter(self) -> None:
        self.query_box.focus()

    async def action_reload(self) -> None:
        """ctrl+r: the invitations and the organization, read again."""
        self.handshakes, self.error = None, None
        self.refresh_all()
        self._read()
        await self.app.run_action("reload")

    def action_close(self) -> None:
        self.dismiss(None)

    def visible_ids(self) -> Sequence[str]:
        """The invitations the table shows, in its order (tests, the palette)."""
        return [h.id for h in self.shown]
