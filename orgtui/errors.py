"""The one error type the core raises for the user: what happened, and what to do.

`OrgtuiError` is what the CLI prints (two lines on stderr) and the UI shows (a notice or
a dialog line). AWS and botocore failures are translated into it by `orgtui.aws.errors`;
local file problems raise `StoreError`, a kind of it.
"""

from __future__ import annotations


class OrgtuiError(Exception):
    """A failure explained: what happened, and what to do about it."""

    def __init__(
        self,
        what: str,
        fix: str,
        *,
        code: str = "",
        reason: str = "",
        request_id: str = "",
    ) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix
        self.code = code
        self.reason = reason
        self.request_id = request_id

    def __str__(self) -> str:
        return f"{self.what}\n{self.fix}"


class StoreError(OrgtuiError):
    """A local file (settings, cache, audit log, tag backup) could not be read or written."""


class ReadOnlyViolation(OrgtuiError):
    """A write call attempted while the read-only guard is on."""


class Cancelled(OrgtuiError):
    """The session ended (orgtui is quitting): no further call is made."""

    def __init__(self) -> None:
        super().__init__(
            "orgtui is stopping: the call was not made.",
            "Start orgtui again to continue.",
            code="Cancelled",
        )
