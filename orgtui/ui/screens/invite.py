"""`i` in the target organization: invite accounts, each with its tags (DESIGN.md
"Destinations", the transfer's second step).

Two screens. `InviteIdsScreen` asks which accounts (ids typed, dashes allowed, or the
hand-over report's from `--invite-from`, filled in). The plan is made by the core in a
worker (`Services.plan_invites`: each account's tags from the report, else orgtui's
newest tag backup of it, or why orgtui refuses it before any call). `InviteScreen` shows
that plan per account (its tags and where they come from, what the source organization's
report said of it, each refusal with its fix) and asks for the typed count (or id); then
InviteAccountToOrganization per account through the write discipline
(`Services.invite_many`: the organization's open invitations read live once, an audit
line before and after each call), with progress and a summary. Nothing here calls boto3.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.widgets.button import ButtonVariant

from orgtui.backend import HandOver, InvitePlan, PlannedInvite, Services
from orgtui.model import Snapshot
from orgtui.text import plural
from orgtui.ui.palette import BOLD, DIM, Palette
from orgtui.ui.render import indented, safe
from orgtui.ui.screens.write_dialog import Clock, OutcomeFn, WriteDialog
from orgtui.ui.screens.write_text import failures, one_line, title, type_line
from orgtui.ui.widgets.safe_input import SafeInput
from orgtui.write_model import Outcome, ProgressFn, summarize

OPERATION = "InviteAccountToOrganization"


class InviteIdsScreen(ModalScreen[str | None]):
    """Which accounts to invite: ids typed (spaces, commas or lines between them)."""

    CSS_PATH = "move.tcss"
    AUTO_FOCUS = "#invite-ids"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="invite-ids-cancel"),
    ]

    def __init__(self, organization_id: str, handover: HandOver | None = None) -> None:
        super().__init__()
        self.organization_id = organization_id
        self.handover = handover

    def compose(self) -> ComposeResult:
        filled = " ".join(self.handover.account_ids) if self.handover is not None else ""
        with Vertical(id="move-box"):
            yield Static(
                one_line(("Invite accounts into ", BOLD), safe(self.organization_id, BOLD)),
                id="move-title",
            )
            yield SafeInput(
                value=filled,
                placeholder="account ids: 1111-2222-3333 444455556666 …",
                compact=True,
                id="invite-ids",
            )
            yield Static(self._help(), id="move-help")

    def _help(self) -> Text:
        count = plural(len(self.handover.account_ids), "account") if self.handover else ""
        source = (
            f"The ids of the hand-over report ({count}) are filled in: keep, cut or add. "
            if self.handover is not None
            else "Tip: start orgtui with --invite-from REPORT.json (the source organization's "
            "`orgtui audit --report json --destination transfer`) to carry every tag across. "
        )
        return Text(
            source + "enter: see each invitation and its tags before anything is sent · "
            "escape cancels",
            style=DIM,
        )

    @on(Input.Submitted, "#invite-ids")
    def _submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.app.bell()
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class InviteScreen(WriteDialog):
    """The plan, the typed count, then one invitation per account."""

    PREFIX: ClassVar[str] = "invite"
    CONFIRM_VARIANT: ClassVar[ButtonVariant] = "primary"
    RUNNING_NOTICE: ClassVar[str] = "The invitations are being sent: wait for them to finish."

    def __init__(
        self,
        services: Services,
        snapshot: Snapshot,
        plan: InvitePlan,
        *,
        clock: Clock,
        on_outcome: OutcomeFn | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        # The accounts are not in this organization (yet): the live check is the
        # invitation's own (no member now, no open invitation), made before each call.
        super().__init__(
            services,
            snapshot,
            [],
            clock=clock,
            on_outcome=on_outcome,
            live_check=False,
            stop=stop,
        )
        self.plan = plan
        self.account_ids = [p.account_id for p in plan.ready]
        self.names = {p.account_id: p.name for p in plan.invites}

    def name_of(self, account_id: str) -> str:
        return self.names.get(account_id, account_id)

    # --- layout and words -----------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(id="invite-accounts")

    def title_text(self) -> Text:
        return title(
            "Invite",
            f"{plural(len(self.account_ids), 'account')} into {self.snapshot.organization.id}",
            OPERATION,
            BOLD,
        )

    def summary_text(self, width: int) -> RenderableType:
        pal = self.pal
        lines = [
            Text.assemble(
                (f"{plural(len(self.account_ids), 'invitation')} to send", BOLD),
                (f", {len(self.plan.refused)} refused before any call", pal.error)
                if self.plan.refused
                else "",
                ". Each account accepts with its own credentials (orgtui there: i); it then "
                "moves here directly, with the tags below (AWS deletes its old ones).",
            ),
        ]
        lines += [safe(note, DIM) for note in self.plan.notes]
        return Group(*lines)

    def refresh_body(self) -> None:
        body = self.query_one("#invite-accounts", Static)
        if self.phase == "done":
            groups = summarize(self.outcomes)
            sent = groups["done"]
            parts: list[RenderableType] = [
                Text(f"Sent: {len(sent)}", style=self.pal.success if sent else DIM)
            ]
            parts += [
                indented(Text.assemble(("✔ ", self.pal.success), safe(o.what)), 2) for o in sent
            ]
            parts += failures(groups, self.pal)
            body.update(Group(*parts))
            return
        body.update(plan_text(self.plan, self.pal))

    def check_text(self) -> Text:
        if not self.account_ids:
            return Text(
                "Nothing can be sent: every account is refused (see why above).",
                style=self.pal.error,
            )
        return type_line(self.expected, "send the invitations", self.pal)

    def confirm_label(self) -> str:
        return f"Send {plural(len(self.account_ids), 'invitation')}"

    def progress_line(self, index: int, total: int, target: str) -> str:
        return f"Inviting {self.label_of(target)}, {index + 1} of {total}…"

    def run_total(self) -> int:
        return len(self.plan.invites)

    def run(self, account_ids: list[str], progress: ProgressFn) -> list[Outcome]:
        # The whole plan: the refused ones are logged as refused, without a call.
        return self.services.invite_many(
            self.snapshot, self.plan, progress=progress, stop=self.stop
        )


def plan_text(plan: InvitePlan, pal: Palette) -> RenderableType:
    """Each account of the plan: its tags and their source, or why it is refused."""
    parts: list[RenderableType] = []
    for planned in plan.invites:
        parts += planned_text(planned, pal)
    return Group(*parts) if parts else Text("No account to invite.", style=DIM)


def planned_text(planned: PlannedInvite, pal: Palette) -> list[RenderableType]:
    head = Text.assemble(
        ("✘ " if not planned.ok else "• ", pal.error if not planned.ok else BOLD),
        safe(planned.label, BOLD),
    )
    if planned.source_verdict:
        style = {"blocked": pal.error, "review": pal.warning}.get(planned.source_verdict, DIM)
        head.append_text(Text.assemble("  source: ", (planned.source_verdict, style)))
    out: list[RenderableType] = [head]
    if not planned.ok:
        out.append(indented(safe(planned.refusal, pal.error), 4))
        out.append(indented(Text.assemble(("What to do: ", DIM), safe(planned.fix)), 4))
        return out
    if planned.source_verdict == "blocked":
        out.append(
            indented(
                Text(
                    "Its own organization's report says blocked (findings: "
                    f"{', '.join(planned.source_findings) or 'see the report'}): it can be "
                    "invited, but can't accept until what blocks it is fixed there.",
                    style=pal.warning,
                ),
                4,
            )
        )
    out.append(indented(safe(planned.tag_words, DIM), 4))
    for key, value in sorted(planned.tags.items()):
        out.append(indented(Text.assemble(safe(key), " = ", safe(value)), 6))
    return out
