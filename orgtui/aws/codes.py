"""AWS error codes orgtui acts on, in one table, and the one way to read a code.

Which codes mean "slow down" (retried), "not allowed" (a check skipped, a member's limit),
"maybe done" (a write is checked afterwards instead of repeated), "not served here" (an
impact check skipped). The refusals about an account's standalone sign-up, remembered as
REMOVAL_REFUSED, are the rule's (`rules/attestation.STANDALONE_REASONS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

# Throttling: the request was not carried out; it can be sent again after a wait.
THROTTLE = frozenset(
    {
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
    }
)
# The caller may not make this call.
DENIED = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})
# The request may have reached AWS and done its work: a write is checked, not repeated.
UNCERTAIN = frozenset(
    {
        "ServiceException",
        "InternalFailure",
        "InternalError",
        "ServiceUnavailable",
        "InternalServerError",
    }
)
CONCURRENT = "ConcurrentModificationException"
# The endpoint does not serve the operation (a moto server, LocalStack, a gateway): an
# impact check is skipped, or noted, rather than failed. Bare HTTP statuses count too.
NOT_SERVED = frozenset(
    {"UnknownOperationException", "InvalidAction", "UnsupportedOperation", "NotImplemented"}
)


def _error_fields(error: Any) -> Mapping[str, Any]:
    """The `Error` mapping of a ClientError, of its response dict, or of the
    `(http_response, parsed)` pair botocore's needs-retry event carries; {} if none."""
    if isinstance(error, ClientError):
        error = error.response
    elif isinstance(error, tuple) and len(error) == 2:
        error = error[1]
    if isinstance(error, Mapping):
        inner = error.get("Error")
        if isinstance(inner, Mapping):
            return inner
    return {}


def error_code(error: Any) -> str:
    """The AWS error code of an error in any form `_error_fields` reads; "" if none."""
    return str(_error_fields(error).get("Code", "") or "")


def error_message(error: Any) -> str:
    """The AWS error message, read the same way; "" if none."""
    return str(_error_fields(error).get("Message", "") or "")


def is_throttle(error: Any) -> bool:
    return error_code(error) in THROTTLE


def is_denied(error: Any) -> bool:
    return error_code(error) in DENIED


# How Organizations words a throttle of concurrent requests (a cap on requests in flight,
# not on their rate): "... because another request is already in progress. Try again later."
IN_PROGRESS = "already in progress"


def is_concurrency_throttle(error: Any) -> bool:
    """A throttle that refused the request because of the requests in flight."""
    return is_throttle(error) and IN_PROGRESS in error_message(error).lower()
