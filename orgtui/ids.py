"""AWS Organizations identifiers: their patterns, and the one check every id from AWS, a
file or the user passes before it names a file or a call.

The patterns are those of the Organizations API model. An id that fails is never used
as a path component: a hostile endpoint answering `../../x` as an organization id must
end in words, not in a file written outside orgtui's folders.
"""

from __future__ import annotations

import re

from orgtui.errors import OrgtuiError

PATTERNS: dict[str, re.Pattern[str]] = {
    "account": re.compile(r"\d{12}"),
    "organization": re.compile(r"o-[a-z0-9]{10,32}"),
    "root": re.compile(r"r-[0-9a-z]{4,32}"),
    "ou": re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}"),
    "policy": re.compile(r"p-[0-9a-zA-Z_]{8,128}"),
    "handshake": re.compile(r"h-[0-9a-z]{8,32}"),
}
_DASHED_ACCOUNT = re.compile(r"\d{4}-\d{4}-\d{4}")


def is_valid(kind: str, value: object) -> bool:
    return isinstance(value, str) and PATTERNS[kind].fullmatch(value) is not None


def normalize_account_id(text: str) -> str | None:
    """A 12-digit account id from what a person typed: `111122223333` or the console's
    `1111-2222-3333` (surrounding spaces ignored); None when it is neither."""
    value = text.strip()
    if _DASHED_ACCOUNT.fullmatch(value):
        value = value.replace("-", "")
    return value if PATTERNS["account"].fullmatch(value) else None


def checked(kind: str, value: object, where: str) -> str:
    """`value` when it is a valid `kind` id, else an OrgtuiError naming where it came from.

    `where` says which answer held it ("DescribeOrganization", "ListRoots", ...).
    """
    if is_valid(kind, value):
        return value  # type: ignore[return-value]
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    raise OrgtuiError(
        f"{where} answered {shown} as {'an' if kind[0] in 'aeiou' else 'a'} {kind} id, "
        "which is not a valid AWS Organizations identifier.",
        "The endpoint is not behaving like AWS Organizations: check --endpoint-url and any "
        "proxy on the way, then try again.",
        code="InvalidIdentifier",
    )
