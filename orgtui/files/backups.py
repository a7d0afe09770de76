"""Tag backups: an account's tags written to a file before AWS deletes them, and read back
(the newest of an account) for an invitation to carry them to its next organization."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from orgtui import ids
from orgtui.files.paths import (
    O_NOFOLLOW,
    refuse_links,
    tag_backup_dir,
    tag_backups_root,
    write_private,
)
from orgtui.model import frozen_map, iso, parse_iso
from orgtui.text import escape_for_json


def backup_tags(
    org_id: str, account_id: str, tags: Mapping[str, str], *, extra: Mapping[str, Any] = {}
) -> Path:
    """Write the account's tags to `<org-id>/<account-id>-<UTC time>.json`."""
    now = datetime.now(timezone.utc)
    stamp = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond:06d}Z"
    account = ids.checked("account", account_id, "The account id")
    path = tag_backup_dir(org_id) / f"{account}-{stamp}.json"
    payload = {
        "organization_id": org_id,
        "account_id": account_id,
        "backed_up_at": iso(now),
        "tags": dict(tags),
        "restore": "aws organizations tag-resource --resource-id ACCOUNT --tags "
        "Key=...,Value=... (in the account's new organization)",
        **extra,
    }
    # Read by people (cat, an editor): no raw control or bidi character, the data whole.
    text = escape_for_json(json.dumps(payload, indent=2, ensure_ascii=False))
    write_private(path, text + "\n", exclusive=True)
    return path


# A backup orgtui wrote is a few KB (at most 50 tags); anything far larger is not one.
MAX_BACKUP_BYTES = 1024 * 1024
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO named like a backup must not block
_STAMP = re.compile(r"(\d{12})-(\d{8}T\d{12}Z)\.json")


@dataclass(frozen=True)
class TagBackup:
    """One tag backup as read back: where, whose, when, and the tags it holds."""

    path: Path
    organization_id: str
    account_id: str
    backed_up_at: datetime | None
    tags: Mapping[str, str]
    # False when the backup says the tags could not all be read before it was written.
    complete: bool = True


def _read_backup(path: Path, account_id: str) -> TagBackup | None:
    """The backup at `path` if it is a regular file orgtui could have written for
    `account_id`, else None (a link, a FIFO, too big, not JSON, another shape)."""
    try:
        fd = os.open(path, os.O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BACKUP_BYTES:
            return None
        raw = os.read(fd, MAX_BACKUP_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("account_id") != account_id:
        return None
    tags = data.get("tags")
    if not isinstance(tags, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in tags.items()
    ):
        return None
    when = None
    with contextlib.suppress(TypeError, ValueError):
        when = parse_iso(data.get("backed_up_at"))
    return TagBackup(
        path=path,
        organization_id=str(data.get("organization_id") or path.parent.name),
        account_id=account_id,
        backed_up_at=when,
        tags=frozen_map(tags),
        complete=data.get("tags_complete") is not False,
    )


def newest_tag_backup(account_id: str) -> TagBackup | None:
    """The newest readable tag backup orgtui made of `account_id`, in any organization's
    folder (the account was backed up where it was removed from), or None. Newest by the
    UTC time in the file name; a file that is not a backup orgtui wrote is passed over."""
    account = ids.checked("account", account_id, "The account id")
    root = tag_backups_root()
    try:
        refuse_links(root)
        folders = [f for f in os.scandir(root) if f.is_dir(follow_symlinks=False)]
    except OSError:
        return None
    found: list[tuple[str, Path]] = []
    for folder in folders:
        if not ids.is_valid("organization", folder.name):
            continue
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder.path):
                match = _STAMP.fullmatch(entry.name)
                if match and match.group(1) == account:
                    found.append((match.group(2), Path(entry.path)))
    for _, path in sorted(found, reverse=True):
        backup = _read_backup(path, account)
        if backup is not None:
            return backup
    return None
