"""AWS Account Management (the `account` service): the root email, contact information and
alternate contacts of member accounts, read from the management account with trusted
access for account.amazonaws.com on.

Five calls per account (GetPrimaryEmail, GetContactInformation, GetAlternateContact for
BILLING, OPERATIONS and SECURITY), under the session's limiter, on demand: for the
account under the cursor, a write dialog's accounts, or `--recovery`; never during the
organization's load. ResourceNotFoundException for an alternate contact means it is not
set. For the caller's own account AccountId is left out, as the API asks (and its root
email is DescribeAccount's: GetPrimaryEmail is for member accounts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from orgtui.aws.codes import error_code
from orgtui.aws.readers import IMPACT_ATTEMPTS, each
from orgtui.aws.session import AwsContext
from orgtui.recovery import ALTERNATE_TYPES, Contact, Recovery

NOT_SET = "ResourceNotFoundException"


def _account_args(ctx_account: str, account_id: str) -> dict[str, str]:
    return {} if account_id == ctx_account else {"AccountId": account_id}


def read_recovery(
    ctx: AwsContext,
    account_id: str,
    *,
    caller_account: str,
    created: bool = False,
    email: str = "",
) -> Recovery:
    """One account's recovery contacts. AWS errors other than "not set" are raised.
    GetPrimaryEmail is for member accounts only: the caller's own root email is `email`
    (DescribeAccount's)."""
    client = ctx.client("account", attempts=IMPACT_ATTEMPTS)
    args = _account_args(caller_account, account_id)

    def optional(method: Any, key: str, **more: Any) -> Any:
        try:
            return (ctx.read(method, **args, **more) or {}).get(key)
        except ClientError as exc:
            if error_code(exc) == NOT_SET:
                return None
            raise

    if args:
        email = optional(client.get_primary_email, "PrimaryEmail") or ""
    info = optional(client.get_contact_information, "ContactInformation") or {}
    alternates: dict[str, Contact | None] = {}
    for kind in ALTERNATE_TYPES:
        raw = optional(client.get_alternate_contact, "AlternateContact", AlternateContactType=kind)
        alternates[kind] = (
            Contact(
                name=str(raw.get("Name") or ""),
                email=str(raw.get("EmailAddress") or ""),
                phone=str(raw.get("PhoneNumber") or ""),
                title=str(raw.get("Title") or ""),
            )
            if isinstance(raw, dict)
            else None
        )
    return Recovery(
        account_id=account_id,
        root_email=str(email),
        phone=str(info.get("PhoneNumber") or "") if isinstance(info, dict) else "",
        contact_name=str(info.get("FullName") or "") if isinstance(info, dict) else "",
        alternates=alternates,
        created=created,
    )


def read_recoveries(
    ctx: AwsContext,
    account_ids: Iterable[str],
    *,
    caller_account: str,
    created: Iterable[str] = (),
    emails: Mapping[str, str] | None = None,
) -> dict[str, Recovery]:
    """Several accounts' recovery contacts, concurrently under the limiter."""
    made = set(created)
    known = emails or {}
    ids = list(dict.fromkeys(account_ids))
    found = each(
        ctx,
        lambda a: read_recovery(
            ctx, a, caller_account=caller_account, created=a in made, email=known.get(a, "")
        ),
        ids,
    )
    return dict(zip(ids, found, strict=True))
