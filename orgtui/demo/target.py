"""The demo's second organization: "Woodgrove", the organization the sample's accounts move
to in a direct transfer (DESIGN.md "Destinations").

moto keeps one organization per management account, so Woodgrove is a second, small moto
organization (its management account and three members) beside the sample. Its
invitations live at the demo's handshake boundary (demo/handshakes.py): one OPEN to the
sample's `fabrikam-dev` (so `ORGTUI_DEMO_MEMBER=fabrikam-dev` has an invitation to
accept), one ACCEPTED (how `woodgrove-data` joined), one DECLINED and one EXPIRED, so the
invitations screen shows every state.

`ORGTUI_DEMO_TARGET=1` (start(target=True)) runs the demo as Woodgrove's management
account, with an example hand-over report: the sample's JSON report for the destination
`transfer` of its Fabrikam and Divesting accounts, made by orgtui's own loader and report
from the sample before the demo switches to Woodgrove, and written to the demo's own
folder (`files.demo_handover_path()`).
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from orgtui.demo.handshakes import DemoHandshake, add, handshake_id, handshakes

if TYPE_CHECKING:
    from orgtui.demo.running import DemoOrg

NAME = "Woodgrove"
MANAGEMENT_ID = "210987654321"
MANAGEMENT_NAME = "woodgrove-management"
MANAGEMENT_EMAIL = "cloud-admin@woodgrove.example"
# name -> (joined method, days ago)
ACCOUNTS: dict[str, tuple[str, int]] = {
    "woodgrove-shared": ("CREATED", 600),
    "woodgrove-security": ("CREATED", 590),
    "woodgrove-data": ("INVITED", 20),
}
# The sample's accounts the example hand-over lists: the acquired Fabrikam and the
# divested ones.
HANDOVER_ACCOUNTS = (
    "fabrikam-main",
    "fabrikam-data",
    "fabrikam-dev",
    "northwind-prod",
    "northwind-dev",
    "northwind-shared",
    "tailspin-prod",
)
OPEN_INVITE_TAGS = {"team": "fabrikam", "cost-center": "cc-4100"}


def seed(running: DemoOrg, session: Any) -> None:
    """Create Woodgrove in moto and its invitations; record its ids on `running`."""
    from moto.organizations.models import organizations_backends

    from orgtui.demo.running import DEMO_REGION

    backend = organizations_backends[MANAGEMENT_ID]["aws"]
    backend.create_organization(region=DEMO_REGION, FeatureSet="ALL")
    org: Any = backend.org
    org.master_account_email = MANAGEMENT_EMAIL
    backend.accounts[0].name = MANAGEMENT_NAME
    backend.accounts[0].create_time = (running.now - timedelta(days=1200)).replace(tzinfo=None)
    ids: dict[str, str] = {}
    for index, (name, (joined, days)) in enumerate(ACCOUNTS.items()):
        status = backend.create_account(AccountName=name, Email=f"aws+{name}@woodgrove.example")
        account_id = status["CreateAccountStatus"]["AccountId"]
        account = next(a for a in backend.accounts if a.id == account_id)
        account.joined_method = joined
        # distinct times (moto pages ListAccounts by them; see runtime._set_joined)
        tick = timedelta(microseconds=index)
        account.create_time = (running.now - timedelta(days=days) + tick).replace(tzinfo=None)
        ids[name] = account_id
    running.other_org_id = org.id
    running.other_management_id = MANAGEMENT_ID
    running.other_accounts = ids

    def invite(account_id: str, days_ago: float, state: str, **more: Any) -> None:
        add(
            DemoHandshake(
                id=handshake_id(org.id, account_id, len(handshakes())),
                organization_id=org.id,
                management_id=MANAGEMENT_ID,
                management_email=MANAGEMENT_EMAIL,
                management_name=MANAGEMENT_NAME,
                feature_set="ALL",
                account_id=account_id,
                requested=running.now - timedelta(days=days_ago),
                state=state,
                **more,
            )
        )

    invite(
        running.accounts["fabrikam-dev"],
        2,
        "OPEN",
        notes="Fabrikam moves to Woodgrove (change CHG-4821).",
        tags=dict(OPEN_INVITE_TAGS),
    )
    invite(ids["woodgrove-data"], 21, "ACCEPTED")
    invite("444455556666", 9, "DECLINED")
    invite("777788889999", 20, "OPEN")  # past its 15 days: EXPIRED


def handover_document(running: DemoOrg) -> dict[str, Any]:
    """The sample's JSON report for `transfer` of HANDOVER_ACCOUNTS, made by orgtui's own
    loader and report as the sample's management account (call it before switching)."""
    from orgtui import report
    from orgtui.aws.loader import Loader
    from orgtui.aws.session import AwsContext, SessionOptions
    from orgtui.demo.running import DEMO_CREDENTIALS, DEMO_REGION

    ctx = AwsContext(SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS))
    try:
        snap = Loader(ctx).load()
    finally:
        ctx.cancel()
    wanted = [running.accounts[name] for name in HANDOVER_ACCOUNTS]
    return report.build(snap, running.now, wanted, destination="transfer")


def act_as_target(running: DemoOrg) -> None:
    """Write the example hand-over report, then act as Woodgrove's management account."""
    from orgtui import files
    from orgtui.text import escape_for_json

    doc = handover_document(running)
    path = files.demo_handover_path()
    files.write_private(path, escape_for_json(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n")
    running.handover_path = path
    running._saved_account_env = os.environ.get("MOTO_ACCOUNT_ID")
    running._switched = True
    running.target_mode = True
    running.caller_account_id = MANAGEMENT_ID
    os.environ["MOTO_ACCOUNT_ID"] = MANAGEMENT_ID
