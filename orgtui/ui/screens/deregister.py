"""The deregister dialog (`d`): stop an account being a delegated administrator, service
by service, in place; the most common blocker fixed without leaving orgtui.

The shared path of every write dialog (`write_dialog.WriteDialog`): the live re-check
reads the account's delegated services now; the dialog lists each with what stops until
another administrator is registered (`services.what_stops`), then the typed account id,
then `deregister.deregister` in a thread worker with a step per service (an audit line
per service, kept by the core). A service AWS refuses is reported with what to do and the
others stay done. The account as AWS shows it afterwards (`Deregistration.after`) is
handed to `on_after`, so the verdict updates without a reload (DELEGATED_ADMIN goes when
every service is done). Nothing here calls boto3.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static
from textual.widgets.button import ButtonVariant

from orgtui.backend import Services
from orgtui.model import DEFAULT_DESTINATION, Assessment, Destination, Snapshot
from orgtui.rules import assess
from orgtui.services import service_name
from orgtui.text import plural
from orgtui.ui.screens import deregister_text as say
from orgtui.ui.screens.write_dialog import Clock, WriteDialog
from orgtui.write_model import Deregistration, LiveCheck, Outcome, ProgressFn

AfterFn = Callable[[LiveCheck], None]


class DeregisterScreen(WriteDialog):
    """Confirm, then deregister the account for each of its services."""

    PREFIX: ClassVar[str] = "deregister"
    CONFIRM_VARIANT: ClassVar[ButtonVariant] = "warning"
    RUNNING_NOTICE: ClassVar[str] = "The deregistration is in progress: wait for it to finish."

    def __init__(
        self,
        services: Services,
        snapshot: Snapshot,
        account_id: str,
        *,
        clock: Clock,
        on_after: AfterFn | None = None,
        live_check: bool = True,
        stop: threading.Event | None = None,
        destination: Destination = DEFAULT_DESTINATION,
    ) -> None:
        super().__init__(
            services,
            snapshot,
            [account_id],
            clock=clock,
            live_check=live_check,
            stop=stop,
            destination=destination,
        )
        self.account_id = account_id
        self.on_after = on_after
        self.result: Deregistration | None = None

    # --- what the dialog knows ------------------------------------------------------------

    @property
    def check(self) -> LiveCheck | None:
        return (self.checks or {}).get(self.account_id)

    @property
    def delegated(self) -> tuple[str, ...]:
        """The services it administers: as read live, else as the view shows them."""
        check = self.check
        if check is not None and check.error is None and not check.gone:
            return check.delegated
        return self.snapshot.delegated_services_of(self.account_id)

    def assessment(self) -> Assessment | None:
        check = self.check
        if check is not None and check.assessment is not None:
            return check.assessment
        account = self.snapshot.accounts.get(self.account_id)
        return assess(account, self.snapshot, self.clock(), self.destination) if account else None

    @property
    def blocked_ids(self) -> list[str]:
        """Nothing to confirm once the live check says there is nothing to deregister (or
        it could not read the account)."""
        check = self.check
        if self.check_error or (
            check is not None and (check.gone or check.error is not None or not check.delegated)
        ):
            return [self.account_id]
        return []

    # --- layout and words -----------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Static(id="deregister-services")

    def title_text(self) -> Text:
        return say.deregister_title(self.name_of(self.account_id), self.account_id, self.pal)

    def summary_text(self, width: int) -> RenderableType:
        check = self.check
        account = (
            check.account
            if check is not None and check.account
            else self.snapshot.accounts.get(self.account_id)
        )
        path = " / ".join(self.snapshot.ou_path(self.account_id))
        return say.summary(
            account,
            self.account_id,
            path,
            self.assessment(),
            self.delegated,
            self.pal,
            self.checking,
        )

    def refresh_body(self) -> None:
        services = self.query_one("#deregister-services", Static)
        if self.phase == "done":
            services.update(
                say.final_summary(
                    self.outcomes, self.result.after if self.result else None, self.pal
                )
            )
        else:
            services.update(say.body(self.delegated, self.pal))

    def check_text(self) -> Text:
        return say.check_line(
            self.pal,
            checking=self.checking,
            check=self.check,
            expected=self.expected,
            check_error=self.check_error,
        )

    def confirm_label(self) -> str:
        return f"Deregister for {plural(len(self.delegated), 'service')}"

    def run_total(self) -> int:
        return len(self.delegated)

    def starting_line(self) -> str:
        return f"Starting: {plural(len(self.delegated), 'service')}…"

    def progress_line(self, index: int, total: int, target: str) -> str:
        return f"Deregistering for {service_name(target)} ({target}), {index + 1} of {total}…"

    # --- the live re-check and the calls --------------------------------------------------

    def run(self, account_ids: list[str], progress: ProgressFn) -> list[Outcome]:
        self.result = self.services.deregister(
            self.snapshot,
            self.account_id,
            now=self.clock(),
            progress=progress,
            stop=self.stop,
            destination=self.destination,
        )
        return list(self.result.outcomes)

    def finished(self, outcomes: list[Outcome]) -> None:
        after = self.result.after if self.result is not None else None
        if after is not None and self.on_after is not None:
            try:
                self.on_after(after)
            except Exception as exc:  # the host's bug must not break the dialog
                self.log.error(f"on_after failed: {exc!r}")
        super().finished(outcomes)
