"""The removal rules real AWS enforces and moto does not, installed on the demo's backend.

moto's RemoveAccountFromOrganization removes anything (even a delegated administrator),
and it has no LeaveOrganization. The demo answers those calls as AWS does, with the same
error codes and ConstraintViolationException reasons, so that orgtui's error handling
runs exactly as it would against AWS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

WAIT = timedelta(days=4)


def _refuse(code: str, message: str, reason: str | None = None) -> Exception:
    from moto.core.exceptions import ServiceException

    exc = ServiceException(code, message)
    if reason:
        exc.reason = reason  # type: ignore[attr-defined]  # serialized as Reason
    return exc


def check_removal(backend: Any, account_id: str, refusals: Mapping[str, str],
                  now: datetime) -> None:
    """Raise the error AWS would for removing this account, or return if it would allow it."""
    org = backend.org
    if org is not None and account_id == org.master_account_id:
        raise _refuse("MasterCannotLeaveOrganizationException",
                      "You can't remove the management account from an organization.")
    account = next((a for a in backend.accounts if a.id == account_id), None)
    if account is None:
        raise _refuse("AccountNotFoundException", "You specified an account that doesn't exist.")
    if any(admin.account.id == account_id and admin.services for admin in backend.admins):
        raise _refuse("ConstraintViolationException",
                      "The member account is a delegated administrator.",
                      "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
    created = account.create_time
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    if account.joined_method == "CREATED" and now - created < WAIT:
        raise _refuse("ConstraintViolationException",
                      "The account was created less than four days ago.",
                      "WAIT_PERIOD_ACTIVE")
    if account.state != "ACTIVE":
        raise _refuse("ConstraintViolationException",
                      f"The account is {account.state}.", "ACCOUNT_CANNOT_LEAVE_ORGANIZATION")
    reason = refusals.get(account_id)
    if reason:
        raise _refuse("ConstraintViolationException",
                      "The account is missing information required to operate standalone.",
                      reason)


def install(backend: Any, refusals: Mapping[str, str],
            clock: Callable[[], datetime]) -> None:
    """Wrap the demo backend's removal with AWS's rules (this backend object only)."""
    original = backend.remove_account_from_organization

    def remove_account_from_organization(**kwargs: str) -> None:
        check_removal(backend, kwargs["AccountId"], refusals, clock())
        original(**kwargs)

    backend.remove_account_from_organization = remove_account_from_organization
