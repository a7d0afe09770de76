"""The removal and closing rules real AWS enforces and moto does not, installed on the
demo's backend.

moto's RemoveAccountFromOrganization removes anything (even a delegated administrator),
and it has no LeaveOrganization. The demo answers those calls as AWS does, with the same
error codes and ConstraintViolationException reasons, so that orgtui's error handling
runs exactly as it would against AWS. Accepting an invitation (`handshakes`) is a
departure too: it raises the same refusals, built here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

WAIT = timedelta(days=4)


def _refuse(code: str, message: str, reason: str | None = None) -> Exception:
    """An error moto serializes like AWS: `__type` code, Message, and Reason when given.

    The class must live outside the `moto` package: moto looks up the service model of an
    exception by its module name, and a bare `moto.core` ServiceException names no
    service (moto then fails while serializing). Defined here, moto falls back to the
    Organizations model, whose ConstraintViolationException shape has a `Reason` member,
    read from the `Reason` attribute.
    """
    from moto.core.exceptions import ServiceException

    class DemoRefusal(ServiceException):
        pass

    exc = DemoRefusal(code, message)
    if reason:
        exc.Reason = reason  # type: ignore[attr-defined]  # serialized as "Reason"
    return exc


def not_in_organization() -> Exception:
    """What AWS answers an account in no organization (LeaveOrganization, handshakes)."""
    return _refuse(
        "AWSOrganizationsNotInUseException", "Your account is not a member of an organization."
    )


def management_cannot_leave() -> Exception:
    """What AWS answers when the management account would leave its organization (a
    removal, LeaveOrganization, or accepting another organization's invitation)."""
    return _refuse(
        "MasterCannotLeaveOrganizationException",
        "You can't remove the management account from an organization.",
    )


def check_departure(
    backend: Any, account_id: str, account: Any, now: datetime, verb: str = "remove"
) -> None:
    """Raise what AWS answers by the rules every departure from `backend`'s organization
    shares (a removal, a leave, accepting an invitation): a delegated administrator, the
    four-day wait after creation, a state other than ACTIVE (`verb`: what was asked, as
    that message says it). Without the moto `account` only the first applies."""
    if any(admin.account.id == account_id and admin.services for admin in backend.admins):
        raise _refuse(
            "ConstraintViolationException",
            "The member account is a delegated administrator.",
            "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
        )
    if account is None:
        return
    created = account.create_time
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    if account.joined_method == "CREATED" and now - created < WAIT:
        raise _refuse(
            "ConstraintViolationException",
            "The account was created less than four days ago.",
            "WAIT_PERIOD_ACTIVE",
        )
    if account.state != "ACTIVE":
        # AWS documents no Reason for this case; ACCOUNT_CANNOT_LEAVE_ORGANIZATION means
        # "the management account", which would put the wrong words before the user.
        raise _refuse(
            "ConstraintViolationException",
            f"You can't {verb} an account whose state is {account.state}.",
        )


def check_scp_allows_leave(backend: Any, account_id: str) -> None:
    """Raise AWS's AccessDeniedException when an SCP denies the account
    organizations:LeaveOrganization (`scp_denying_leave`)."""
    denying = scp_denying_leave(backend, account_id)
    if denying is not None:
        raise _refuse(
            "AccessDeniedException",
            f"User: arn:aws:sts::{account_id}:assumed-role/OrganizationAccountAccessRole/demo "
            "is not authorized to perform: organizations:LeaveOrganization with an explicit "
            f"deny in a service control policy ({denying}).",
        )


def check_removal(
    backend: Any, account_id: str, refusals: Mapping[str, str], now: datetime
) -> None:
    """Raise the error AWS would for removing this account, or return if it would allow it."""
    org = backend.org
    if org is not None and account_id == org.master_account_id:
        raise management_cannot_leave()
    account = next((a for a in backend.accounts if a.id == account_id), None)
    if account is None:
        raise _refuse("AccountNotFoundException", "You specified an account that doesn't exist.")
    check_departure(backend, account_id, account, now)
    reason = refusals.get(account_id)
    if reason:
        raise _refuse(
            "ConstraintViolationException",
            "The account is missing information required to operate standalone.",
            reason,
        )


def install(backend: Any, refusals: Mapping[str, str], clock: Callable[[], datetime]) -> None:
    """Wrap the demo backend's removal with AWS's rules (this backend object only)."""
    original = backend.remove_account_from_organization

    def remove_account_from_organization(**kwargs: str) -> None:
        check_removal(backend, kwargs["AccountId"], refusals, clock())
        original(**kwargs)

    backend.remove_account_from_organization = remove_account_from_organization
    _install_close(backend)


def _install_close(backend: Any) -> None:
    """CloseAccount as AWS answers it: the management account refused, a closed account
    AccountAlreadyClosedException, a closing one ConflictException; else the account is
    PENDING_CLOSURE, and SUSPENDED from the next load on (ListRoots starts every load),
    where moto makes it SUSPENDED at once."""
    closing: set[str] = set()

    def close_account(**kwargs: str) -> None:
        account_id = kwargs["AccountId"]
        org = backend.org
        if org is not None and account_id == org.master_account_id:
            raise _refuse(
                "ConstraintViolationException",
                "You can't close the management account.",
                "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
            )
        account = next((a for a in backend.accounts if a.id == account_id), None)
        if account is None:
            raise _refuse(
                "AccountNotFoundException", "You specified an account that doesn't exist."
            )
        if account.state == "SUSPENDED":
            raise _refuse("AccountAlreadyClosedException", "The account is already closed.")
        if account.state == "PENDING_CLOSURE":
            raise _refuse("ConflictException", "The account is already being closed.")
        account.state = account.status = "PENDING_CLOSURE"
        closing.add(account_id)

    list_roots = backend.list_roots

    def list_roots_then_settle(*args: Any, **kwargs: Any) -> Any:
        for account in backend.accounts:
            if account.id in closing:
                account.state = account.status = "SUSPENDED"
        closing.clear()
        return list_roots(*args, **kwargs)

    backend.close_account = close_account
    backend.list_roots = list_roots_then_settle


def _leave_organization(self: Any) -> str:
    """LeaveOrganization for the calling account, as AWS answers it.

    Installed on moto's OrganizationsResponse (which has no such operation): finds the
    caller's organization, refuses the management account with
    MasterCannotLeaveOrganizationException, applies the same rules as a removal (the
    demo's backend carries them), then takes the account out.
    """
    from moto.organizations.models import organizations_backends

    account_id = self.current_account
    owner = organizations_backends.master_accounts.get(account_id)
    own = organizations_backends[account_id][self.partition]
    if owner is None and own.org is None:
        raise not_in_organization()
    if own.org is not None and own.org.master_account_id == account_id:
        raise management_cannot_leave()
    master_id, partition = owner  # type: ignore[misc]
    backend = organizations_backends[master_id][partition]
    check_scp_allows_leave(backend, account_id)
    # The demo's wrapped removal applies AWS's refusals before removing.
    backend.remove_account_from_organization(AccountId=account_id)
    return "{}"


def scp_denying_leave(backend: Any, account_id: str) -> str | None:
    """The name of an SCP that applies to the account (attached to it, an OU above it or
    the root) and denies organizations:LeaveOrganization outright, as AWS evaluates it.

    A deny under a Condition is let through: the demo can't evaluate conditions, and
    orgtui reports those as conditional anyway. The management account's removal is not
    affected by SCPs (AWS applies them to members' own calls only).
    """
    from orgtui.rules.impact import leave_denial

    account = next((a for a in backend.accounts if a.id == account_id), None)
    nodes: list[Any] = [account] if account is not None else []
    parent_id = getattr(account, "parent_id", None)
    by_id = {ou.id: ou for ou in backend.ou}
    while parent_id in by_id:
        nodes.append(by_id[parent_id])
        parent_id = getattr(by_id[parent_id], "parent_id", None)
    for node in nodes:
        for policy in getattr(node, "attached_policies", ()):
            if policy.type != "SERVICE_CONTROL_POLICY" or not policy.content:
                continue
            denial = leave_denial(policy.content)
            if denial is not None and not denial.conditional:
                return str(policy.name)
    return None


def install_leave() -> None:
    """Teach moto's Organizations responses LeaveOrganization (in this process only)."""
    from moto.organizations.responses import OrganizationsResponse

    if not hasattr(OrganizationsResponse, "leave_organization"):
        OrganizationsResponse.leave_organization = _leave_organization  # type: ignore[attr-defined]


# Operations only the management account (or a delegated administrator) may call. moto
# lets members call them; AWS answers AccessDeniedException.
MANAGEMENT_ONLY = (
    "list_roots",
    "list_accounts",
    "list_accounts_for_parent",
    "list_organizational_units_for_parent",
    "list_children",
    "list_parents",
    "describe_account",
    "describe_organizational_unit",
    "describe_policy",
    "list_tags_for_resource",
    "list_delegated_administrators",
    "list_delegated_services_for_account",
    "list_policies",
    "list_targets_for_policy",
    "list_policies_for_target",
    "remove_account_from_organization",
    "move_account",
    "tag_resource",
    "untag_resource",
    "create_account",
    "attach_policy",
    "detach_policy",
    "register_delegated_administrator",
    "deregister_delegated_administrator",
)


def deny_member(member_backend: Any, account_id: str) -> None:
    """Make a member account's backend answer management-only calls as AWS does."""

    def denier(name: str) -> Callable[..., Any]:
        operation = "".join(part.capitalize() for part in name.split("_"))

        def deny(*args: Any, **kwargs: Any) -> Any:
            raise _refuse(
                "AccessDeniedException",
                f"You don't have permissions to access this resource. ({operation} can be "
                f"called only from the organization's management account; caller "
                f"{account_id}.)",
            )

        return deny

    for name in MANAGEMENT_ONLY:
        setattr(member_backend, name, denier(name))
