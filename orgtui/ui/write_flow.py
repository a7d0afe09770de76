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

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from orgtui.errors import OrgtuiError
from orgtui.handshakes import Handshake
from orgtui.model import Snapshot
from orgtui.text import clean, plural
from orgtui.ui.notices import read_only_notice
from orgtui.write_model import LiveCheck, Outcome, updated_snapshot

MANAGEMENT_ONLY = (
    "Signed in to a member account: {what} needs the management account "
    "(organizations:{call} is refused to members). Sign in to the management "
    "account to do it."
)
LOADING = "The organization is still loading."
# r removes (or leaves): always a standalone departure, which a transfer never makes.
NOT_STANDALONE = (
    "The destination is {destination}: the verdicts shown are for it, and removing makes "
    "the account standalone instead. {how} Press x until the header says standalone to see "
    "what a removal needs, then press r."
)
HOW = {
    "transfer": "A transfer is made from the other organization: its management account "
    "invites the account, and the account accepts; nothing is removed here.",
    "close": "To close the accounts, press c.",
}


class WriteFlow:
    """Open the write dialogs, and apply what they did to the views."""

    def __init__(self, app: Any) -> None:
        # The OrgApp (its session, screen stack and notices); typed loosely because the
        # app module imports this one.
        self.app = app

    def _ready(self, what: str) -> Snapshot | None:
        """The snapshot to write from, or None after saying why not."""
        app = self.app
        if app.read_only:
            app.notify(read_only_notice(what), severity="warning")
            return None
        if app.snapshot is None:
            app.notify(LOADING, severity="warning")
            return None
        return app.snapshot

    # --- removal (and leave) ----------------------------------------------------------

    def open_removal(self, account_ids: list[str]) -> None:
        from orgtui.ui.screens.removal import RemovalScreen

        snap = self._ready("removed")
        if snap is None:
            return
        destination = self.app.destination
        if destination != "standalone":
            self.app.notify(
                NOT_STANDALONE.format(destination=destination, how=HOW.get(destination, "")),
                severity="warning",
                timeout=10,
            )
            return
        ids = snap.known(account_ids)
        if not ids:
            self.app.notify(
                "None of these accounts is in the organization any more.", severity="warning"
            )
            return
        leave = not snap.is_management_caller
        if leave:
            own = snap.caller.account
            if own not in ids:
                self.app.notify(
                    "Signed in to a member account, orgtui can only make this "
                    "account leave the organization: put the cursor on it and "
                    "press r.",
                    severity="warning",
                )
                return
            ids = [own]
        app = self.app
        app.push_screen(
            RemovalScreen(
                app.services,
                snap,
                ids,
                clock=app.clock,
                leave=leave,
                on_outcome=self.outcome,
                stop=app.hangup,
                counts=dict(app.assignee_reads.found),
            ),
            callback=self.closed("left the organization"),
        )

    # --- attest ---------------------------------------------------------------------

    def open_attest(self, account_ids: list[str]) -> None:
        from orgtui.ui.screens.attest import AttestScreen, skip_reason

        snap = self._ready("attested")
        if snap is None:
            return
        if not snap.is_management_caller:
            self.app.notify(
                MANAGEMENT_ONLY.format(what="attesting", call="TagResource"), severity="warning"
            )
            return
        ids = snap.known(account_ids)
        if not ids:
            self.app.notify(
                "Put the cursor on an account, or mark accounts with space, then press v.",
                severity="warning",
            )
            return
        why = [skip_reason(snap.accounts[a], snap) for a in ids]
        if all(why):  # nothing to attest: say why, without a dialog
            if len(ids) == 1:
                name = snap.accounts[ids[0]].name or ids[0]
                self.app.notify(f"{clean(name)} ({ids[0]}): {why[0]}.", severity="warning")
            else:
                self.app.notify(
                    f"None of the {len(ids)} accounts was created through "
                    "Organizations (or they are the management account): "
                    "nothing to attest.",
                    severity="warning",
                )
            return
        app = self.app
        app.push_screen(
            AttestScreen(
                app.services,
                snap,
                ids,
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

        snap = self._ready("deregistered")
        if snap is None:
            return
        if not snap.is_management_caller:
            self.app.notify(
                MANAGEMENT_ONLY.format(
                    what="deregistering a delegated administrator",
                    call="DeregisterDelegatedAdministrator",
                ),
                severity="warning",
            )
            return
        if account_id is None or account_id not in snap.accounts:
            self.app.notify("Put the cursor on an account, then press d.", severity="warning")
            return
        name = snap.accounts[account_id].name or account_id
        if not snap.enriched:
            self.app.notify("Delegated administrators are still being read.", severity="warning")
            return
        if not snap.delegated_services_of(account_id):
            self.app.notify(
                f"{clean(name)} ({account_id}) is not a delegated administrator: "
                "nothing to deregister (as of the last load; ctrl+r reloads)."
            )
            return
        app = self.app
        app.push_screen(
            DeregisterScreen(
                app.services,
                snap,
                account_id,
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

        snap = self._ready("closed")
        if snap is None:
            return
        if not snap.is_management_caller:
            self.app.notify(
                MANAGEMENT_ONLY.format(what="closing accounts", call="CloseAccount"),
                severity="warning",
            )
            return
        ids = snap.known(account_ids)
        if not ids:
            self.app.notify(
                "Put the cursor on an account, or mark accounts with space, then press c.",
                severity="warning",
            )
            return
        app = self.app
        app.push_screen(
            CloseScreen(
                app.services,
                snap,
                ids,
                clock=app.clock,
                on_outcome=self.outcome,
                stop=app.hangup,
            ),
            callback=self.closed("closed"),
        )

    # --- move -----------------------------------------------------------------------

    def open_move(self, account_ids: list[str]) -> None:
        from orgtui.ui.screens.move import MoveScreen, destinations

        snap = self._ready("moved")
        if snap is None:
            return
        if self.app.writing:  # one move at a time: the next starts from what it did
            self.app.notify("A move is in progress: wait for it to finish.", severity="warning")
            return
        if not snap.is_management_caller:
            self.app.notify(
                MANAGEMENT_ONLY.format(what="moving accounts", call="MoveAccount"),
                severity="warning",
            )
            return
        ids = snap.known(account_ids)
        if not ids:
            self.app.notify(
                "Put the cursor on an account, or mark accounts with space, then press m.",
                severity="warning",
            )
            return
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
        """i (management account): the invite dialog (ids typed, or the hand-over's)."""
        self.app.notify("Inviting accounts is not built yet.", severity="warning")

    def open_accept(self) -> None:
        """i (a member): read the account's open invitations again (a worker), then pick
        one if there are several, then the "Accept invitation" dialog; or say why not."""
        snap = self._ready("accepted")
        if snap is None:
            return
        if snap.is_management_caller:  # the app sends the management account to invite
            self.app.notify(
                "The management account can't accept an invitation: it can never leave "
                "its organization.",
                severity="warning",
            )
            return
        if self.app.writing:
            self.app.notify("A write is in progress: wait for it to finish.", severity="warning")
            return
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
