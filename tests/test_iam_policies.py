"""The IAM policies in README.md are exactly what orgtui calls.

Every operation orgtui sends is counted by AwsContext.stats, by IAM action. A full load of
the demo (with the impact checks and the Identity Center assignees of an account), the
removal dialog's live re-checks, a removal AWS carries out, one it refuses, one orgtui
refuses itself (blocked), an attestation, a deregistration, a close, a move, the recovery
check, a member account leaving, and a direct transfer (an invitation sent from the target
organization, accepted by the account) run here; the operations they send
must be the README's policies: the audit policy the reads (List*, Describe*, Get*), the
removal policy the writes. When they differ, fix the README.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from orgtui import demo as demo_mod
from orgtui import files
from orgtui.aws import removal
from orgtui.aws.accept import accept
from orgtui.aws.attest import attest
from orgtui.aws.close import close_one
from orgtui.aws.deregister import deregister
from orgtui.aws.impact import assignees
from orgtui.aws.invite import invite_many
from orgtui.aws.invite_plan import prepare_invites
from orgtui.aws.loader import Loader
from orgtui.aws.move import move_many
from orgtui.aws.readers.handshakes import open_invitations
from orgtui.aws.recovery import read_recovery_check
from orgtui.aws.session import READ_PREFIXES, AwsContext, SessionOptions
from tests.conftest import DEMO_NOW

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_policies() -> dict[str, set[str]]:
    """The Action lists of the README's JSON policy blocks, by statement Sid."""
    section = README.read_text(encoding="utf-8").split("## IAM policies", 1)[1]
    section = section.split("\n## ", 1)[0]
    policies: dict[str, set[str]] = {}
    for block in re.findall(r"```json\n(.*?)```", section, flags=re.S):
        for statement in json.loads(block)["Statement"]:
            assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
            policies[statement["Sid"]] = set(statement["Action"])
    return policies


def context() -> AwsContext:
    return AwsContext(
        SessionOptions(region=demo_mod.DEMO_REGION, credentials=demo_mod.DEMO_CREDENTIALS)
    )


def operations_called(isolated_env) -> Counter[str]:
    calls: Counter[str] = Counter()
    running = demo_mod.start(now=DEMO_NOW)
    try:
        ctx = context()
        loader = Loader(ctx)
        snap = loader.read_impact(loader.load())
        ids = running.accounts
        assert all(check.checked for check in snap.impact.checks.values())
        found = assignees(ctx, snap, ids["northwind-prod"])
        assert found is not None and (found.users, found.groups) == (1, 2)
        removal.check_accounts(
            ctx, snap, [ids["northwind-prod"], ids["security-tooling"]], DEMO_NOW
        )
        outcomes = {
            name: removal.remove(ctx, snap, ids[name], now=DEMO_NOW)
            for name in ("northwind-prod", "sandbox-carol", "security-tooling")
        }
        assert outcomes["northwind-prod"].status == "removed"
        assert outcomes["sandbox-carol"].status == "refused"  # by AWS (the demo's rules)
        assert outcomes["security-tooling"].status == "refused"  # by the live check
        assert attest(ctx, snap, ids["web-dev"], now=DEMO_NOW).status == "done"
        assert deregister(ctx, snap, ids["fabrikam-data"], now=DEMO_NOW).done == [
            "macie.amazonaws.com"
        ]
        assert close_one(ctx, snap, ids["web-staging"], now=DEMO_NOW).status == "done"
        (moved,) = move_many(ctx, snap, [ids["northwind-dev"]], running.ous["Suspended"])
        assert moved.status == "done"
        recovered = read_recovery_check(ctx, snap, [ids["log-archive"]])
        assert recovered.recovery_check is not None and recovered.recovery_check.checked
        calls += ctx.stats.actions
    finally:
        running.stop()
    running = demo_mod.start(now=DEMO_NOW, member="fabrikam-dev")  # no SCP stops it
    try:
        ctx = context()
        loader = Loader(ctx)
        snap = loader.read_impact(loader.load())
        assert snap.member_mode
        outcome = removal.leave(ctx, snap, now=DEMO_NOW)
        assert outcome.status == "removed", outcome
        calls += ctx.stats.actions
    finally:
        running.stop()
    # a direct transfer: the target organization invites, the account accepts
    running = demo_mod.start(now=DEMO_NOW, target=True)
    try:
        ctx = context()
        snap = Loader(ctx).load()
        handover = files.read_handover(running.handover_path)
        plan = prepare_invites(snap, [running.accounts["northwind-prod"]], handover)
        (invited,) = invite_many(ctx, snap, plan)
        assert invited.status == "done", invited
        calls += ctx.stats.actions
    finally:
        running.stop()
    running = demo_mod.start(now=DEMO_NOW, member="fabrikam-dev")
    try:
        ctx = context()
        snap = Loader(ctx).load()
        (invitation,) = open_invitations(ctx, snap.caller.account)
        assert accept(ctx, snap, invitation.id, now=DEMO_NOW).status == "removed"
        calls += ctx.stats.actions
    finally:
        running.stop()
    return calls


def test_readme_policies_are_exactly_the_operations_orgtui_calls(isolated_env):
    policies = readme_policies()
    assert set(policies) == {"OrgtuiAudit", "OrgtuiRemove"}
    calls = operations_called(isolated_env)
    reads = {a for a in calls if a.split(":", 1)[1].startswith(READ_PREFIXES)}
    writes = {a for a in calls if not a.split(":", 1)[1].startswith(READ_PREFIXES)}
    assert policies["OrgtuiAudit"] == reads
    assert policies["OrgtuiRemove"] == writes
    assert writes == {
        "organizations:RemoveAccountFromOrganization",
        "organizations:LeaveOrganization",
        "organizations:TagResource",
        "organizations:DeregisterDelegatedAdministrator",
        "organizations:CloseAccount",
        "organizations:MoveAccount",
        "organizations:InviteAccountToOrganization",
        "organizations:AcceptHandshake",
    }
