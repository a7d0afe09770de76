"""A running demo (`DemoOrg`: the moto mock and the ids of what was seeded) and the
demo's fixed credentials, region and seed; shared by the runtime and the second,
inviting organization (`demo/target.py`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

DEMO_CREDENTIALS = ("demo-access-key", "demo-secret-key", None)
DEMO_REGION = "us-east-1"
DEMO_SEED = 20261128


@dataclass
class DemoOrg:
    """A running demo: the moto mock, and the ids of what was seeded, by name."""

    mock: Any
    now: datetime
    accounts: dict[str, str]  # name -> account id
    ous: dict[str, str]  # name -> OU id
    root_id: str
    management_account_id: str
    # The account the demo's credentials act as: the management account, or the member
    # chosen with start(member=...) / ORGTUI_DEMO_MEMBER.
    caller_account_id: str = ""
    # The inviting organization (demo/target.py): its id, its management account, its
    # accounts by name; `target_mode` when the demo acts as its management account
    # (start(target=True) / ORGTUI_DEMO_TARGET=1), with the example hand-over report
    # written to `handover_path` (generated from the sample, in the demo's own folder).
    other_org_id: str = ""
    other_management_id: str = ""
    other_accounts: dict[str, str] = field(default_factory=dict)
    target_mode: bool = False
    handover_path: Path | None = None
    _saved_account_env: str | None = None
    _switched: bool = False

    @property
    def member_mode(self) -> bool:
        return (
            bool(self.caller_account_id)
            and not self.target_mode
            and self.caller_account_id != self.management_account_id
        )

    def stop(self) -> None:
        if self._switched:
            if self._saved_account_env is None:
                os.environ.pop("MOTO_ACCOUNT_ID", None)
            else:
                os.environ["MOTO_ACCOUNT_ID"] = self._saved_account_env
        self.mock.stop()
