"""A hostile organization: every name, tag and policy a person or an endpoint could use to
crash orgtui, inject markup or actions, or write to the terminal.

Built in moto like tests/support/orgs.py does (moto, like AWS for OU and tag text, stores
whatever it is given). `start_hostile()` runs it in-process with a seeded id generator,
so its ids (and a snapshot of it) are the same on every run, and installs the demo's
refusal rules: AWS refuses the removal of `REFUSED` for a standalone reason, so a refusal
notice carries a hostile name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from tests.support.orgs import AccountSpec, BuiltOrg, OuSpec, PolicySpec, build_org

SEED = 1313
OSC52 = "\x1b]52;c;aGFja2Vk\x07"  # sets the clipboard to "hacked"
OSC2 = "\x1b]2;pwned\x07"  # sets the window title
CSI_CLEAR = "\x1b[2J"  # clears the screen
CLICK = "[@click=app.screenshot()]x[/]"
RTL = "\u202e"  # right-to-left override
ZERO_WIDTH = "\u200b"
LONG = "a-fifty-character-account-name-for-narrow-screens!"  # 50 characters
REFUSED = "beta[/]"  # AWS refuses its removal (phone verification)
NEWLINE = "fake\n├─ ready   forged-row  000000000000"

NAMES: tuple[str, ...] = (
    REFUSED,
    CLICK,
    "[bold]loud",
    f"clip{OSC52}",
    f"title{OSC2}",
    f"{CSI_CLEAR}clear",
    NEWLINE,
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    f"invoice{RTL}fdp.exe",
    f"zero{ZERO_WIDTH}width",
    LONG,
    "bell\x07",
    "c1\x9b31mred",
    "[$error]dollar",
    "back\\[slash]",
)
OU_NAMES: tuple[str, ...] = (f"[red]Prod[/]{OSC2}", f"Div\nest{CSI_CLEAR}", f"ou{RTL}lrt")
TAGGED = NAMES[::3]  # the accounts that carry TAGS
TAGS = {"k[/]": f"v{CSI_CLEAR}", "=cmd": "+1\n2", CLICK: OSC52, "owner": "ops"}
POLICY = f"[@click=app.quit()]Deny{CSI_CLEAR}"

# Every control character the data holds; none may reach the terminal.
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\u200b")


def spec_org() -> tuple[tuple[OuSpec, ...], tuple[AccountSpec, ...], tuple[PolicySpec, ...]]:
    """(OUs, accounts at the root, policies): the hostile names spread over OUs."""
    accounts = [
        AccountSpec(
            name,
            tags=TAGS if name in TAGGED else {},
            joined_method="INVITED",
            joined_days_ago=400,
            delegated=("guardduty.amazonaws.com",) if name == LONG else (),
        )
        for i, name in enumerate(NAMES)
    ]
    ous = (
        OuSpec(OU_NAMES[0], tuple(accounts[0:6]), (OuSpec(OU_NAMES[2], tuple(accounts[6:10])),)),
        OuSpec(OU_NAMES[1], tuple(accounts[10:])),
    )
    policies = (PolicySpec(POLICY, (OU_NAMES[0],)),)
    return ous, (), policies


@dataclass
class HostileOrg:
    built: BuiltOrg
    mock: object

    @property
    def accounts(self) -> dict[str, str]:
        return self.built.accounts


@contextmanager
def start_hostile(now: datetime) -> Iterator[HostileOrg]:
    """The hostile organization in moto, in this process; AWS's removal rules installed."""
    import boto3
    from moto import mock_aws
    from moto.moto_api._internal import mock_random

    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION
    from orgtui.demo.rules import install
    from tests.support.orgs import organizations_backend

    os.environ.setdefault("MOTO_ACCOUNT_ID", "123456789012")
    mock = mock_aws()
    mock.start()
    try:
        mock_random.seed(SEED)
        key, secret, _ = DEMO_CREDENTIALS
        client = boto3.client(
            "organizations",
            region_name=DEMO_REGION,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )
        ous, root_accounts, policies = spec_org()
        built = build_org(client, ous, root_accounts=root_accounts, policies=policies, now=now)
        backend = organizations_backend(built.org_id)
        install(
            backend,
            {built.accounts[REFUSED]: "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"},
            clock=lambda: now,
        )
        yield HostileOrg(built, mock)
    finally:
        mock.stop()
