"""The session's writes: who may open which dialog (removal `r`, attest `v`, deregister
`d`, close `c`, move `m`), and what the views do with the outcomes as they land, without a reload.

`WriteFlow` belongs to the app (`OrgApp.writes`). It refuses in words before any dialog
opens: in audit mode (the session's read-only guard would stop the call anyway), while
the organization is loading, for a removal while the destination is not standalone (a
removal makes the account standalone), for a member account (attest and deregister need the
management account; a member may only leave), for an account that is not a delegated
administrator. Outcomes update the app's view: an account that left is dropped, an
attested or deregistered account gets its live details (`Outcome.after`,
`Deregistration.after`) and its verdict, counts and badges are redone. When the session
is ending (the terminal closed, or q) during a write, the dialog finishes the account in
flight, logs it and closes; the app exits then (`closed`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from orgtui.backend import HandOver, InvitePlan, parse_account_ids
from orgtui.errors import OrgtuiError
from orgtui.handshakes import Handshake
from orgtui.model import Snapshot
from orgtui.session.gates import Kind, Opens, Refused, gate
from orgtui.text import clean, plural
from orgtui.write_model import LiveCheck, Outcome, updated_snapshot


class WriteFlow:
    """Open the write dialogs, and apply what they did to the views."""

    def __init__(self, app: Any) -> None:
        # The OrgApp (its session, screen stack and notices); typed loosely because the
        # app module imports this one.
        self.app = app

    def _gate(self, kind: Kind, account_ids: Sequence[str]) -> Opens | None:
        """What the dialog opens on (`session.gates`), or None after saying why not."""
        app = self.app
        decided = gate(
            kind,
            app.snapshot,
            account_ids,
            read_only=app.read_only,
            destination=app.destination,
            writing=app.writing,
        )
        if isinstance(decided, Refused):
            app.notify(decided.words, severity=decided.severity, timeout=decided.timeout)
            return None
        return decided

    # --- removal (and leave) ----------------------------------------------------------

    def open_removal(self, account_ids: list[str]) -> None:
        from orgtui.ui.screens.removal import RemovalScreen

        opens = self._gate("remove", account_ids)
        if opens is None:
            return
        app = self.app
        app.push_screen(
            RemovalScreen(
                app.services,
                opens.snapshot,
                list(opens.account_ids),
                clock=app.clock,
                leave=opens.leave,
                on_outcome=self.outcome,
                stop=app.hangup,
                counts=dict(app.assignee_reads.found),
            ),
            callback=self.closed("left the organization"),
        )

    # --- attest ---------------------------------------------------------------------

    def open_attest(self, account_ids: list[str]) -> None:
        from orgtui.ui.screens.attest import AttestScreen

        opens = self._gate("attest", account_ids)
        if opens is None:
            return
        app = self.app
        app.push_screen(
            AttestScreen(
                app.services,
                opens.snapshot,
                list(opens.account_ids),
                clock=app.clock,
                on_outcome=self.outcome,
                stop=app.hangup,
                destination=app.destination,
            ),
            callback=self.closed("attested"),
        )

    # --- deregister -----------------------------------------------------------------

    def open_deregister(self, account_id: str | None) -> None:
        from orgtui.ui.screens.deregister import DeregisterScreen

        opens = self._gate("deregister", [account_id] if account_id else [])
        if opens is None:
            return
        app = self.app
        app.push_screen(
            DeregisterScreen(
                app.services,
                opens.snapshot,
                opens.account_ids[0],
                clock=app.clock,
                on_after=self.after_deregister,
                stop=app.hangup,
                destination=app.destination,
            ),
            callback=self.closed("deregistered"),
        )

    # --- close ----------------------------------------------------------------------

    def open_close(self, account_ids: list[str]) -> None:
        from orgtui.ui.screens.close import CloseScreen

        opens = self._gate("close", account_ids)
        if opens is None:
            return
        app = self.app
        app.push_screen(
            CloseScreen(
                app.services,
                opens.snapshot,
                list(opens.account_ids),
                clock=app.clock,
                on_outcome=self.outcome,
                stop=app.hangup,
            ),
            callback=self.closed("closed"),
        )

    # --- move -----------------------------------------------------------------------

    def open_move(self, account_ids: list[str]) -> None:
        from orgtui.ui.screens.move import MoveScreen, destinations

        opens = self._gate("move", account_ids)
        if opens is None:
            return
        snap, ids = opens.snapshot, list(opens.account_ids)
        choices = destinations(snap, ids)
        if not choices:
            self.app.notify("There is no other OU to move to.", severity="warning")
            return

        def picked(destination: str | None) -> None:
            if destination is None:
                return
            if self.app.hangup.is_set():
                return
            self.app.notify(
                f"Moving {plural(len(ids), 'account')} to {clean(snap.node_name(destination))}…",
                timeout=4,
            )
            self.app.run_move(snap, ids, destination)

        self.app.push_screen(MoveScreen(snap, ids, choices), callback=picked)

    def moved(self, outcome: Outcome) -> None:
        """One account's move, on the UI thread: put it under its new parent (the tree,
        the counts above both places, and its inherited policies follow), or say why not."""
        app = self.app
        view = app.view
        account = outcome.after.accounts.get(outcome.account_id) if outcome.after else None
        if outcome.left_view:
            app.apply_removal(outcome.account_id)
        elif outcome.status == "done" and account is not None and view is not None:
            if account.parent_id not in view.snapshot.ous and not any(
                r.id == account.parent_id for r in view.snapshot.roots
            ):
                return  # an OU the view does not know: the next load shows it
            main = app.main
            # The cursor follows the account it was on to its new place.
            follow = main.cursor_account() == outcome.account_id
            snap = view.snapshot.with_account_moved(outcome.account_id, account.parent_id)
            app.show(view.with_moves(snap, [outcome.account_id], now=app.clock()))
            if follow and not main.showing_table and main.tree_view.reveal(outcome.account_id):
                main.refresh_detail()
            app.remember()
        elif outcome.status in ("refused", "unknown"):
            app.notify(
                f"{clean(outcome.what)}\n{clean(outcome.fix)}",
                title=outcome.name,
                severity="error" if outcome.status == "refused" else "warning",
                timeout=12,
            )

    def moves_done(self, outcomes: list[Outcome], destination: str) -> None:
        """The move run ended: quit if the session is ending, else one notice that sums up."""
        app = self.app
        if app.hangup.is_set():
            app.quit_now()
            return
        snap = app.snapshot
        where = clean(snap.node_name(destination)) if snap is not None else destination
        ok = sum(1 for o in outcomes if o.status == "done")
        others = sum(1 for o in outcomes if not o.ok)
        message = f"{plural(ok, 'account')} moved to {where}."
        if others:
            message += f" {others} did not (see the notices and the audit log)."
        app.notify(message, severity="information" if not others else "warning")

    # --- outcomes -------------------------------------------------------------------

    def outcome(self, outcome: Outcome) -> None:
        """One account's outcome, on the UI thread: drop it if it left, apply what AWS
        now shows of it, say why if it was refused."""
        app = self.app
        if outcome.left_view:
            app.apply_removal(outcome.account_id)
        elif outcome.status == "done" and outcome.after is not None:
            self.apply(outcome.after, outcome.account_id)
        elif outcome.status in ("refused", "unknown"):
            app.notify(
                f"{clean(outcome.what)}\n{clean(outcome.fix)}",
                title=outcome.name,
                severity="error" if outcome.status == "refused" else "warning",
                timeout=12,
            )

    def after_deregister(self, check: LiveCheck) -> None:
        if check.gone:
            self.app.apply_removal(check.account_id)
        elif check.error is None and check.account is not None:
            self.apply(check.snapshot, check.account_id)

    def apply(self, after: Snapshot, account_id: str) -> None:
        """An account's details as AWS shows them after a write (its tags, its delegated
        services): its verdict, the counts and the badges redone, without a reload."""
        app = self.app
        view = app.view
        account = after.accounts.get(account_id)
        if view is None or account is None or account_id not in view.snapshot.accounts:
            return
        snap = updated_snapshot(
            view.snapshot,
            account,
            after.tags_of(account_id),
            after.delegated_services_of(account_id),
        )
        if after.organization.id == snap.organization.id:
            # The refusals the audit log holds, as the write read them (newer).
            snap = replace(snap, refusals=after.refusals)
        app.show(view.with_changes(snap, [account_id], now=app.clock()))
        app.remember()

    def closed(self, did: str) -> Callable[[list[Outcome] | None], None]:
        """What to do when a dialog closes: quit if the session is ending, else sum up."""

        def closed(outcomes: list[Outcome] | None) -> None:
            app = self.app
            if app.hangup.is_set():
                # The session is ending (terminal closed, or q): the write in flight was
                # finished and logged; now the app can go.
                app.quit_now()
                return
            if not outcomes:
                return
            ok = sum(1 for o in outcomes if o.status in ("removed", "done"))
            others = sum(1 for o in outcomes if not o.ok)
            what = "service" if did == "deregistered" else "account"
            message = f"{plural(ok, what)} {did}."
            if others:
                message += f" {others} did not (see the notices and the audit log)."
            app.notify(message, severity="information" if not others else "warning")

        return closed

    # --- the transfer: invite (target organization), accept (the account) ------------

    def open_invite(self, account_ids: list[str]) -> None:
        """i (management account): which accounts (typed, or the hand-over report's),
        their plan made in a worker (tag backups are read), then the invite dialog."""
        from orgtui.ui.screens.invite import InviteIdsScreen

        opens = self._gate("invite", account_ids)
        if opens is None:
            return
        snap = opens.snapshot
        handover = self.app.handover

        def typed(text: str | None) -> None:
            if text is None or self.app.hangup.is_set():
                return
            ids, bad = parse_account_ids(text)
            if bad:
                self.app.notify(
                    "Not account ids (12 digits, dashes allowed), left out: "
                    + ", ".join(clean(b) for b in bad[:5])
                    + ("…" if len(bad) > 5 else ""),
                    severity="warning",
                )
            if not ids:
                return
            self.app.run_worker(
                lambda: self._plan_invites(snap, ids, handover),
                thread=True,
                exclusive=True,
                group="invite-plan",
                exit_on_error=False,
            )

        self.app.push_screen(InviteIdsScreen(snap.organization.id, handover), callback=typed)

    def _plan_invites(self, snap: Snapshot, ids: list[str], handover: HandOver | None) -> None:
        """In a worker: each invitation's tags (the report's, else the newest backup)."""
        try:
            plan = self.app.services.plan_invites(snap, ids, handover)
        except Exception as exc:  # the plan never raises for a bad file; a safety net
            err = self.app.services.words(exc)
            self.app.call_from_thread(self.app.notify_error, err, title="Not invited")
            return
        self.app.call_from_thread(self._show_invites, snap, plan)

    def _show_invites(self, snap: Snapshot, plan: InvitePlan) -> None:
        from orgtui.ui.screens.invite import InviteScreen

        app = self.app
        app.push_screen(
            InviteScreen(
                app.services, snap, plan, clock=app.clock, on_outcome=self.outcome, stop=app.hangup
            ),
            callback=self.closed("invited"),
        )

    def open_accept(self) -> None:
        """i (a member): read the account's open invitations again (a worker), then pick
        one if there are several, then the "Accept invitation" dialog; or say why not."""
        opens = self._gate("accept", [])
        if opens is None:
            return
        snap = opens.snapshot
        # One call: no notice (it would cover the dialog's buttons at 80x24).
        self.app.invitations.read_now(snap, lambda found: self._accept_from(snap, found))

    def _accept_from(self, snap: Snapshot, found: object) -> None:
        """The open invitations landed (UI thread): none, one, or a pick first."""
        from orgtui.ui.screens.accept import InvitationPicker

        app = self.app
        now = app.snapshot
        if app.hangup.is_set() or now is None or now.loaded_at != snap.loaded_at:
            return  # quitting, or a reload meanwhile: `i` again decides on the new one
        snap = now  # the view as it is now (the same load)
        if isinstance(found, OrgtuiError):
            app.notify_error(found, title="Open invitations not read")
            return
        invitations = list(found) if isinstance(found, tuple) else []
        if not invitations:
            app.notify(
                f"No open invitation for this account ({snap.caller.account}): the "
                "inviting organization's management account sends one "
                "(InviteAccountToOrganization); then press i again.",
                severity="warning",
                timeout=10,
            )
            return
        if len(invitations) == 1:
            self._open_accept_dialog(snap, invitations[0])
            return

        def picked(handshake: Handshake | None) -> None:
            if handshake is not None and not app.hangup.is_set():
                self._open_accept_dialog(snap, handshake)

        app.push_screen(InvitationPicker(invitations), callback=picked)

    def _open_accept_dialog(self, snap: Snapshot, handshake: Handshake) -> None:
        from orgtui.ui.screens.accept import AcceptScreen

        app = self.app
        app.push_screen(
            AcceptScreen(
                app.services,
                snap,
                handshake,
                clock=app.clock,
                on_outcome=self.outcome,
                stop=app.hangup,
            ),
            callback=self.closed("joined the inviting organization"),
        )

    def open_invitations(self) -> None:
        """I: the organization's invitations (handshakes), as AWS lists them now. A read
        (audit mode too); a member is told in the screen what AWS answers it."""
        from orgtui.ui.screens.invitations import InvitationsScreen

        app = self.app
        if isinstance(app.screen, InvitationsScreen):
            return
        app.push_screen(InvitationsScreen(app.services, lambda: app.snapshot, clock=app.clock))
