"""Turn AWS and botocore failures into words a person can act on.

Every failure a user can meet ends as an `OrgtuiError` (orgtui.errors): `what` happened
and the `fix`. The CLI prints the two lines; the UI shows them in a notification or the
dialog.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)
from botocore.parsers import ResponseParserError

from orgtui.aws.codes import CONCURRENT, DENIED, THROTTLE, UNCERTAIN
from orgtui.errors import OrgtuiError, ReadOnlyViolation
from orgtui.text import redact_url

__all__ = ["OrgtuiError", "ReadOnlyViolation", "translate"]


# ConstraintViolationException reasons, as (what happened, what to do).
REASONS: dict[str, tuple[str, str]] = {
    "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION": (
        "AWS refused: the account has not completed phone verification.",
        "Sign in to the account as its root user, complete phone verification, then try again.",
    ),
    "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA": (
        "AWS refused: the account has not accepted the AWS Customer Agreement.",
        "Sign in to the account as its root user and accept the customer agreement, then "
        "try again.",
    ),
    "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED": (
        "AWS refused: the account has no payment method.",
        "Sign in to the account as its root user and add a payment method (Billing > "
        "Payment methods), then try again.",
    ),
    "INVALID_PAYMENT_INSTRUMENT": (
        "AWS refused: the account's payment method is not valid.",
        "Sign in to the account as its root user and add a valid payment method, then try again.",
    ),
    "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG": (
        "AWS refused: the account is a delegated administrator.",
        "Deregister it as delegated administrator for each of its services (organizations "
        "deregister-delegated-administrator), then try again.",
    ),
    "ACCOUNT_CANNOT_LEAVE_ORGANIZATION": (
        "AWS refused: the management account can't leave the organization.",
        "Remove the member accounts instead; the management account stays.",
    ),
    "WAIT_PERIOD_ACTIVE": (
        "AWS refused: the account was created less than four days ago.",
        "Wait until four days after its creation, then try again.",
    ),
    "CREATED_ACCOUNT_WAIT_PERIOD_ACTIVE": (
        "AWS refused: the account was created less than four days ago.",
        "Wait until four days after its creation, then try again.",
    ),
    "ACCOUNT_CREATION_NOT_COMPLETE": (
        "AWS refused: the account is still being created.",
        "Wait until its creation completes, then reload and try again.",
    ),
    "CLOSE_ACCOUNT_QUOTA_EXCEEDED": (
        "AWS refused: the organization has closed as many accounts as it may in the rolling "
        "30 days (the higher of 250 or 20% of its member accounts, at most 1,000).",
        "Wait until older closures leave the 30-day window, or ask AWS Support to raise the "
        "quota; move the account to a Suspended OU meanwhile.",
    ),
    "CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED": (
        "AWS refused: too many accounts are being closed at once.",
        "Wait until the accounts now closing are SUSPENDED (reload to see), then try again.",
    ),
    "CANNOT_CLOSE_MANAGEMENT_ACCOUNT": (
        "AWS refused: the management account can't be closed through Organizations.",
        "Close the member accounts instead; the management account is closed only after "
        "the organization is deleted, from its own root user.",
    ),
    "MASTER_ACCOUNT_MISSING_CONTACT_INFO": (
        "AWS refused: the management account has no contact information.",
        "Add contact information to the management account, then try again.",
    ),
}

_CREDENTIAL_FIX = (
    "Set credentials for the management account (aws configure, AWS_PROFILE, or "
    "--profile NAME), or run with --demo to try orgtui without AWS."
)


def _sso_fix(profile: str | None) -> str:
    name = profile or "<your profile>"
    return f"Run `aws sso login --profile {name}`, then start orgtui again."


# Error codes (or groups of them) in words: (what happened, what to do). Templates may
# use {operation}, {service}, {code}, {message} (" (the message)") and {detail} (": the
# message" or ""). ConstraintViolationException is worded by its Reason (REASONS).
_MANAGEMENT_CANNOT_LEAVE = (
    "AWS refused: the management account can't leave the organization.",
    "Remove the member accounts instead; the management account stays.",
)
CODE_WORDS: tuple[tuple[frozenset[str], tuple[str, str]], ...] = (
    (frozenset({"MasterCannotLeaveOrganizationException"}), _MANAGEMENT_CANNOT_LEAVE),
    (
        DENIED,
        (
            "Access denied to {service}:{operation}{message}.",
            "Grant {service}:{operation} to your role (see the IAM policies in the README), or "
            "use the management account's credentials.",
        ),
    ),
    (
        frozenset({"AWSOrganizationsNotInUseException"}),
        (
            "This account is not a member of an organization (AWS Organizations is not in use).",
            "Use credentials of an account that belongs to an organization, ideally its "
            "management account.",
        ),
    ),
    (
        frozenset({"AccountNotFoundException"}),
        (
            "The account is not in the organization (it may already have been removed).",
            "Reload (ctrl+r) to see the organization as it is now.",
        ),
    ),
    (
        THROTTLE,
        (
            "AWS kept throttling {operation} after every retry.",
            "Wait a minute and try again, or lower --concurrency.",
        ),
    ),
    (
        frozenset({CONCURRENT}),
        (
            "Another change to the organization was in progress; {operation} gave up after "
            "several retries.",
            "Wait for the other change to finish, then try again.",
        ),
    ),
    (
        UNCERTAIN,
        (
            "AWS had an internal error during {operation}.",
            "Try again in a moment; if it persists, check the AWS Health Dashboard.",
        ),
    ),
    (
        frozenset({"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"}),
        (
            "AWS did not accept your credentials.",
            "Check the access key and secret (aws configure list), or choose another --profile.",
        ),
    ),
    (
        frozenset({"AccountAlreadyClosedException"}),
        (
            "The account is already closed (SUSPENDED).",
            "Nothing to do: reload (ctrl+r) to see its state.",
        ),
    ),
    (
        frozenset({"ConflictException"}),
        (
            "AWS is already changing the account ({operation} conflicts with a request in "
            "progress, such as a closure already under way){message}.",
            "Wait a few minutes, reload (ctrl+r) to see its state, then try again if needed.",
        ),
    ),
    (
        frozenset({"DuplicateAccountException"}),
        (
            "The account is already in that OU.",
            "Nothing to do: reload (ctrl+r) if the tree shows it elsewhere.",
        ),
    ),
    (
        frozenset({"SourceParentNotFoundException"}),
        (
            "The account is no longer where the view shows it: it was moved meanwhile.",
            "Reload (ctrl+r) to see where it is now, then move it again if needed.",
        ),
    ),
    (
        frozenset({"DestinationParentNotFoundException", "ParentNotFoundException"}),
        (
            "The OU to move the account to no longer exists.",
            "Reload (ctrl+r) to see the organization's OUs, then pick another.",
        ),
    ),
    (
        frozenset({"InvalidInputException"}),
        (
            "AWS rejected the input to {operation}{detail}.",
            "Check the account id (exactly 12 digits) and try again.",
        ),
    ),
)
EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
# Operations of services other than Organizations, for "Access denied to sts:..." words.
_SERVICE_OF = {"GetCallerIdentity": "sts", "AssumeRole": "sts"}


def _client_error(exc: ClientError, profile: str | None) -> OrgtuiError:
    response: dict[str, Any] = exc.response or {}
    error = response.get("Error", {}) or {}
    code = str(error.get("Code", "") or "Unknown")
    message = str(error.get("Message", "") or "")
    reason = str(response.get("Reason") or error.get("Reason") or "")
    request_id = str(response.get("ResponseMetadata", {}).get("RequestId", "") or "")
    operation = exc.operation_name or "the call"
    extra = {"code": code, "reason": reason, "request_id": request_id}

    if code == "ConstraintViolationException":
        what, fix = REASONS.get(
            reason,
            (
                f"AWS refused {operation}: constraint {reason or 'violated'}"
                f"{f' ({message})' if message else ''}.",
                "Read the reason above in the Organizations documentation (error "
                "ConstraintViolationException), fix the account, and try again.",
            ),
        )
        return OrgtuiError(what, fix, **extra)
    if code in DENIED and "service control policy" in message.lower():
        # AWS names an explicit deny in an SCP in the message: say what it means.
        return OrgtuiError(
            f"AWS refused {operation}: a service control policy of the organization denies "
            "it to this account (an explicit deny).",
            "SCPs don't restrict the management account: ask its administrators to remove "
            "the account from the organization, or to exempt it from the policy (the "
            "LEAVE_DENIED_BY_SCP finding names the policy and where it is attached).",
            **extra,
        )
    if code in EXPIRED:
        return OrgtuiError(
            "Your AWS session token has expired.",
            _sso_fix(profile) if profile else "Refresh your credentials and try again.",
            **extra,
        )
    if code.isdigit():
        # A bare HTTP status with no AWS error in the body: a proxy, load balancer or
        # gateway on the way answered, not AWS.
        return OrgtuiError(
            f"The endpoint answered HTTP {code}{f' ({message})' if message else ''} to "
            f"{operation}, with no AWS error: a proxy or gateway on the way failed.",
            "Try again in a moment; if it persists, check your network, proxy and --endpoint-url.",
            **extra,
        )
    fields = {
        "operation": operation,
        "code": code,
        "service": _SERVICE_OF.get(operation, "organizations"),
        "message": f" ({message})" if message else "",
        "detail": f": {message}" if message else ": invalid value",
    }
    for codes, (what, fix) in CODE_WORDS:
        if code in codes:
            return OrgtuiError(what.format(**fields), fix.format(**fields), **extra)
    return OrgtuiError(
        f"AWS returned {code} for {operation}{f': {message}' if message else ''}.",
        "Check the message above; reload (ctrl+r) or run again once it is resolved.",
        **extra,
    )


def _endpoint(exc: BaseException) -> str:
    """The endpoint an error names, its password (if any) masked: an endpoint URL may come
    from AWS_ENDPOINT_URL or a profile, not only from --endpoint-url."""
    return redact_url(str(getattr(exc, "kwargs", {}).get("endpoint_url", "") or ""))


def translate(exc: BaseException, *, profile: str | None = None) -> OrgtuiError:
    """Explain any exception from talking to AWS as an `OrgtuiError`."""
    if isinstance(exc, OrgtuiError):
        return exc
    if isinstance(exc, ClientError):
        return _client_error(exc, profile)
    if isinstance(exc, ProfileNotFound):
        return OrgtuiError(
            f"The AWS profile '{getattr(exc, 'kwargs', {}).get('profile', profile)}' does "
            "not exist.",
            "Check the name with `aws configure list-profiles`, or pass another --profile.",
        )
    if isinstance(exc, (UnauthorizedSSOTokenError, SSOTokenLoadError, TokenRetrievalError)):
        return OrgtuiError(
            "Your AWS SSO session has expired or was never started.", _sso_fix(profile)
        )
    if isinstance(exc, SSOError):
        return OrgtuiError(f"AWS SSO sign-in failed: {exc}.", _sso_fix(profile))
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return OrgtuiError("No AWS credentials were found.", _CREDENTIAL_FIX)
    if isinstance(exc, CredentialRetrievalError):
        return OrgtuiError(f"AWS credentials could not be loaded: {exc}.", _CREDENTIAL_FIX)
    if isinstance(exc, NoRegionError):
        return OrgtuiError("No AWS region is set.", "Pass --region us-east-1 or set AWS_REGION.")
    if isinstance(exc, ConnectionClosedError):
        url = _endpoint(exc)
        return OrgtuiError(
            f"The connection to the AWS endpoint{f' {url}' if url else ''} was cut before "
            "the answer was complete.",
            "Check your network and proxy, then try again.",
        )
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError)):
        url = _endpoint(exc)
        return OrgtuiError(
            f"Could not reach the AWS endpoint{f' {url}' if url else ''}.",
            "Check your network, proxy and --endpoint-url, then try again.",
        )
    if isinstance(exc, ReadTimeoutError):
        return OrgtuiError("AWS did not answer in time.", "Check your network and try again.")
    if isinstance(exc, ResponseParserError):
        return OrgtuiError(
            "The endpoint's answer could not be read: it is not what AWS sends.",
            "Check --endpoint-url and any proxy between you and AWS, then try again.",
        )
    if isinstance(exc, BotoCoreError):
        return OrgtuiError(
            f"AWS client error: {exc}.", "Check your AWS configuration and try again."
        )
    return OrgtuiError(
        f"Unexpected error: {type(exc).__name__}: {exc}.",
        "Try again; if it keeps happening, report it with the steps that led here.",
    )
