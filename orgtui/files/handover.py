"""The hand-over file: an orgtui JSON report from the source organization (`orgtui audit
--report json --destination transfer`), read by the target organization's management
account to invite its accounts with their tags (`--invite-from FILE`, the `i` dialog).

The file comes from someone else: everything in it is untrusted. It is read only when it
is a regular file (never through a symbolic link, never a FIFO or a device), at most
MAX_BYTES of it; it must have the report's shape (DESIGN.md "JSON report"); account ids
must be 12 digits; every account's tags must be within AWS's limits (refused naming the
account and the key); a report made in another AWS partition than the caller's is
refused. Names and emails are kept cleaned (`orgtui.text.clean`), for display only; tags
are kept as they are (they are sent to AWS, and `tag_problems` refused any control
character in them).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orgtui import ids
from orgtui.errors import OrgtuiError
from orgtui.handshakes import tag_problems
from orgtui.model import frozen_map
from orgtui.text import clean, plural

# A report of 10,000 accounts with tags and findings is 20-40 MB; the cap leaves room for
# 50 long tags each, and keeps a 1 GB file from being read into memory.
MAX_BYTES = 128 * 1024 * 1024
MAX_ACCOUNTS = 20_000
# Problems named one by one in the refusal; the rest are counted.
SHOWN_PROBLEMS = 5
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block orgtui
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class HandOverAccount:
    """One account of the hand-over: its id, tags (raw, within AWS's limits), and, for
    display only, its name, email and OU path (cleaned) and the source's verdict."""

    id: str
    name: str
    email: str
    tags: Mapping[str, str]
    ou_path: tuple[str, ...] = ()
    state: str = ""
    verdict: str = ""
    finding_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class HandOver:
    """A hand-over file, read and checked. `partition` is the source caller's (from its
    ARN; "" when the report has none). `notes` says what the UI should tell the user
    (the report was made for another destination)."""

    path: Path
    organization_id: str
    management_account_id: str
    caller_arn: str
    partition: str
    destination: str
    generated_at: str
    accounts: tuple[HandOverAccount, ...]
    notes: tuple[str, ...] = ()
    _by_id: Mapping[str, HandOverAccount] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )

    def account(self, account_id: str) -> HandOverAccount | None:
        return self._by_id.get(account_id)

    @property
    def account_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.accounts)


def partition_of(arn: str) -> str:
    """The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`, ...), or "" if it is none."""
    parts = arn.split(":")
    return parts[1] if len(parts) >= 6 and parts[0] == "arn" else ""


def refused(path: Path | str, why: str, fix: str = "") -> OrgtuiError:
    return OrgtuiError(
        f"The hand-over file {clean(str(path))} can't be used: {why}",
        fix
        or "Give an orgtui JSON report of the source organization (orgtui audit --report "
        "json --destination transfer -o FILE, run there), as it was written.",
        code="BadHandOver",
    )


def _read_bytes(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
    except FileNotFoundError:
        raise refused(path, "it does not exist.", "Check the path and try again.") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise refused(
                path,
                "it is a symbolic link, and orgtui does not follow links for a file from "
                "someone else.",
                "Give the path of the file itself.",
            ) from None
        raise refused(path, f"{exc.strerror or exc}.", "Check the path and try again.") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise refused(
                path,
                "it is not a regular file (a FIFO, a device or a folder).",
                "Give the path of the report file itself.",
            )
        if info.st_size > MAX_BYTES:
            raise refused(path, _too_big(info.st_size), _TOO_BIG_FIX)
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(1 << 20, MAX_BYTES + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_BYTES:  # the file grew while it was read
                raise refused(path, _too_big(total), _TOO_BIG_FIX)
        return b"".join(chunks)
    except OSError as exc:
        raise refused(path, f"{exc.strerror or exc}.", "Check the file and try again.") from None
    finally:
        os.close(fd)


def _too_big(size: int) -> str:
    return f"it is {size:,} bytes, more than the {MAX_BYTES:,} a report of orgtui's may be."


_TOO_BIG_FIX = (
    "Make a report of the accounts to move only (orgtui audit --report json --destination "
    "transfer --account ID ...), or split it."
)


def read_handover(path: Path | str, *, caller_arn: str = "") -> HandOver:
    """Read and check a hand-over file. Raises OrgtuiError (code BadHandOver) in words for
    anything that is not an orgtui JSON report whose accounts can be invited as they are.
    With `caller_arn`, a report from another AWS partition is refused."""
    path = Path(path)
    raw = _read_bytes(path)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise refused(path, "it is not text (UTF-8), so not an orgtui JSON report.") from None
    except (ValueError, RecursionError):
        raise refused(path, "it is not JSON, so not an orgtui JSON report.") from None
    handover = _from_document(path, doc)
    if caller_arn:
        check_partition(handover, caller_arn)
    return handover


def check_partition(handover: HandOver, caller_arn: str) -> None:
    """Refuse a hand-over made in another partition than the caller's: an account can
    join only an organization of its own partition (AWS would refuse every invitation)."""
    mine = partition_of(caller_arn)
    if handover.partition and mine and handover.partition != mine:
        raise refused(
            handover.path,
            f"it was made in the AWS partition {clean(handover.partition)}, and these "
            f"credentials are in {clean(mine)}; an account can join only an organization of "
            "its own partition.",
            "Run orgtui with the credentials of the target organization in the same partition "
            "as the accounts.",
        )


def _shape(path: Path, what: str) -> OrgtuiError:
    return refused(path, f"it does not have the shape of orgtui's JSON report ({what}).")


def _mapping(doc: Mapping[str, Any], key: str, path: Path) -> Mapping[str, Any]:
    value = doc.get(key)
    if not isinstance(value, dict):
        raise _shape(path, f"no '{key}' object")
    return value


def _string(value: Any, path: Path, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _shape(path, f"{what} is not text")
    return value


def _account(path: Path, index: int, row: Any, problems: list[str]) -> HandOverAccount | None:
    """One row of `accounts`; a bad id or tags AWS would refuse go to `problems` (all of
    them are named together), a row of another shape is refused at once."""
    if not isinstance(row, dict):
        raise _shape(path, f"account {index + 1} is not an object")
    if not ids.is_valid("account", row.get("id")):
        shown = clean(repr(row.get("id")))[:40]
        problems.append(
            f"account {index + 1} has the id {shown}, which is not 12 digits; an AWS "
            "account id is exactly 12 digits."
        )
        return None
    account_id = str(row["id"])
    tags = row.get("tags") or {}
    if not isinstance(tags, dict):
        raise _shape(path, f"the tags of account {account_id} are not an object")
    problems.extend(tag_problems(account_id, tags))
    ou_path = row.get("ou_path") or []
    findings = row.get("findings") or []
    if not isinstance(ou_path, list) or not isinstance(findings, list):
        raise _shape(path, f"account {account_id}'s ou_path or findings is not a list")

    def text(key: str) -> str:
        return clean(_string(row.get(key), path, f"account {account_id}'s {key}"))

    return HandOverAccount(
        id=account_id,
        name=text("name"),
        email=text("email"),
        tags=frozen_map(tags),
        ou_path=tuple(clean(str(p)) for p in ou_path),
        state=text("state"),
        verdict=text("verdict"),
        finding_codes=tuple(clean(str(f.get("code", ""))) for f in findings if isinstance(f, dict)),
    )


def _from_document(path: Path, doc: Any) -> HandOver:
    if not isinstance(doc, dict):
        raise _shape(path, "the top level is not an object")
    for key in ("generated_at", "organization", "summary", "accounts"):
        if key not in doc:
            raise _shape(path, f"no '{key}'")
    org = _mapping(doc, "organization", path)
    _mapping(doc, "summary", path)
    caller: Mapping[str, Any] = doc["caller"] if isinstance(doc.get("caller"), dict) else {}
    org_id = str(org.get("id"))
    if not ids.is_valid("organization", org.get("id")):
        raise _shape(path, "organization.id is not an organization id")
    management = str(org.get("management_account_id"))
    if not ids.is_valid("account", org.get("management_account_id")):
        raise _shape(path, "organization.management_account_id is not a 12-digit account id")
    rows = doc.get("accounts")
    if not isinstance(rows, list):
        raise _shape(path, "'accounts' is not a list")
    if len(rows) > MAX_ACCOUNTS:
        raise refused(
            path,
            f"it lists {len(rows):,} accounts, more than the {MAX_ACCOUNTS:,} orgtui invites "
            "from one file.",
            _TOO_BIG_FIX,
        )
    accounts: list[HandOverAccount] = []
    seen: set[str] = set()
    problems: list[str] = []
    for index, row in enumerate(rows):
        account = _account(path, index, row, problems)
        if account is not None and account.id not in seen:  # listed twice: invited once
            seen.add(account.id)
            accounts.append(account)
    if problems:
        shown = " ".join(problems[:SHOWN_PROBLEMS])
        more = len(problems) - SHOWN_PROBLEMS
        raise refused(
            path,
            shown + (f" ({plural(more, 'more problem')} not shown.)" if more > 0 else ""),
            "Fix these in the source organization (or in the file), then make the report "
            "again; AWS would refuse the invitations as they are.",
        )
    destination = clean(_string(doc.get("destination"), path, "destination")) or "standalone"
    notes: tuple[str, ...] = ()
    if destination != "transfer":
        notes = (
            f"The report was made for the destination {destination}, not transfer: its "
            "verdicts are not those of a transfer (make it with --destination transfer).",
        )
    caller_arn = _string(caller.get("arn"), path, "caller.arn")
    return HandOver(
        path=path,
        organization_id=org_id,
        management_account_id=management,
        caller_arn=caller_arn,
        partition=partition_of(caller_arn),
        destination=destination,
        generated_at=clean(_string(doc.get("generated_at"), path, "generated_at")),
        accounts=tuple(accounts),
        notes=notes,
        _by_id={a.id: a for a in accounts},
    )
