"""The recovery check: who can still get into accounts after they leave, read for chosen
accounts (`--recovery`, the detail pane, a write dialog), never during the load.

One ListAWSServiceAccessForOrganization (trusted access for account.amazonaws.com must be
on), then the account service's five reads per account (aws/readers/account.py). Never
raises for AWS: a member caller, trusted access off, or a refusal make the check
`skipped`, with the reason in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from orgtui.aws.impact import why
from orgtui.aws.readers.account import read_recoveries
from orgtui.aws.readers.policies import read_trusted_services
from orgtui.aws.session import AwsContext
from orgtui.errors import OrgtuiError
from orgtui.impact_model import Check, skipped
from orgtui.model import Snapshot, frozen_map
from orgtui.recovery import TRUSTED_PRINCIPAL

MEMBER = "the caller is a member account"
TRUSTED_OFF = (
    "trusted access for AWS Account Management is off: turn it on with `aws organizations "
    "enable-aws-service-access --service-principal account.amazonaws.com` (or the "
    "Organizations console, Services, AWS Account Management)"
)


def read_recovery_check(ctx: AwsContext, snap: Snapshot, account_ids: Iterable[str]) -> Snapshot:
    """The snapshot with the recovery contacts of these accounts, and the check's state."""
    if snap.member_mode or not snap.is_management_caller:
        return replace(snap, recovery_check=skipped(MEMBER))
    try:
        trusted = read_trusted_services(ctx)
    except OrgtuiError as exc:
        return replace(snap, recovery_check=skipped(exc.what))
    except Exception as exc:
        return replace(snap, recovery_check=skipped(why(ctx, exc, ("organizations",))))
    if TRUSTED_PRINCIPAL not in trusted:
        return replace(snap, recovery_check=skipped(TRUSTED_OFF))
    ids = snap.known(account_ids)
    try:
        found = read_recoveries(
            ctx,
            ids,
            caller_account=snap.caller.account,
            created=[a for a in ids if snap.accounts[a].joined_method == "CREATED"],
            emails={a: snap.accounts[a].email for a in ids},
        )
    except OrgtuiError as exc:
        return replace(snap, recovery_check=skipped(exc.what))
    except Exception as exc:
        return replace(snap, recovery_check=skipped(why(ctx, exc, ("account",))))
    return replace(snap, recovery=frozen_map(found), recovery_check=Check("checked"))
