"""Turn AWS and botocore failures into words a person can act on.

Every failure a user can meet ends as an `OrgtuiError` (orgtui.errors): `what` happened
and the `fix`. The CLI prints the two lines; the UI shows them in a notification or the
dialog. The words for AWS's error codes and reasons are in `aws/error_words.py`; here,
which words a failure gets, and the words for botocore's own failures (credentials, SSO,
the network, an answer that is not AWS's).
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

from orgtui.aws.codes import DENIED
from orgtui.aws.error_words import CODE_WORDS, HANDSHAKE_REASONS, REASONS
from orgtui.errors import OrgtuiError, ReadOnlyViolation
from orgtui.text import redact_url

__all__ = ["OrgtuiError", "ReadOnlyViolation", "translate"]

_CREDENTIAL_FIX = (
    "Set credentials for the management account (aws configure, AWS_PROFILE, or "
    "--profile NAME), or run with --demo to try orgtui without AWS."
)


def _sso_fix(profile: str | None) -> str:
    name = profile or "<your profile>"
    return f"Run `aws sso login --profile {name}`, then start orgtui again."


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
    if code == "HandshakeConstraintViolationException":
        what, fix = HANDSHAKE_REASONS.get(
            reason,
            (
                f"AWS refused {operation}: handshake constraint {reason or 'violated'}"
                f"{f' ({message})' if message else ''}.",
                "Read the reason above in the Organizations documentation (error "
                "HandshakeConstraintViolationException), fix it, and try again.",
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
