"""The audit log: one JSON line per event of a write (started, outcome), fsynced.

No write call is made unless its start line is whole on disk.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
from datetime import datetime, timezone
from typing import Any

from orgtui.files.paths import (
    FILE_MODE,
    O_NOFOLLOW,
    audit_log_path,
    ensure_dir,
    tag_backups_root,
    unwritable,
    write_all,
)
from orgtui.model import CLOCK_SKEW, Refusal, iso, parse_iso

_log_lock = threading.Lock()


def append_audit(event: str, **fields: Any) -> dict[str, Any]:
    """Append one JSON line to the audit log, whole and fsynced before returning, or raise.

    The line is written on an O_APPEND descriptor (never through a symbolic link). A
    short write (a full disk) is undone by cutting the file back to its length before,
    and raises: the caller makes no call unless its start line is whole on disk.
    """
    record = {"time": iso(datetime.now(timezone.utc)), "event": event, **fields}
    line = (json.dumps(record, sort_keys=False, default=str) + "\n").encode("utf-8")
    path = audit_log_path()
    with _log_lock:
        try:
            ensure_dir(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | O_NOFOLLOW, FILE_MODE)
            try:
                before = os.fstat(fd).st_size
                try:
                    write_all(fd, line)
                    os.fsync(fd)
                except OSError:
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, before)
                        os.fsync(fd)
                    raise
                if os.fstat(fd).st_size < before + len(line):
                    raise OSError(errno.EIO, "the line did not reach the disk whole")
                os.fchmod(fd, FILE_MODE)
            finally:
                os.close(fd)
        except OSError as exc:
            raise unwritable(path, exc) from exc
    return record


def read_audit() -> list[dict[str, Any]]:
    """Every whole line of the audit log (a torn last line is skipped)."""
    path = audit_log_path()
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def check_writable() -> None:
    """Refuse early (StoreError) when the audit log or backup folders can't be written."""
    for folder in (audit_log_path().parent, tag_backups_root()):
        try:
            ensure_dir(folder)
        except OSError as exc:
            raise unwritable(folder / ".", exc) from exc
        if not os.access(folder, os.W_OK | os.X_OK):
            raise unwritable(folder / ".", PermissionError(13, "Permission denied"))


def read_refusals(
    organization_id: str, *, now: datetime | None = None, problems: list[str] | None = None
) -> dict[str, tuple[Refusal, ...]]:
    """AWS's refusals of a removal or leave in this organization, per account, oldest
    first: the `*-error` lines whose answer carried a ConstraintViolationException Reason.
    A refusal in another organization counts for nothing here.

    A refusal dated in the future (after `now`, with the clock skew an attestation is
    allowed) is ignored: no attestation could ever be dated after it, so it would block
    for good. `problems` gets one line saying so."""
    now = now or datetime.now(timezone.utc)
    found: dict[str, list[Refusal]] = {}
    future: list[str] = []
    for record in read_audit():
        event = str(record.get("event", ""))
        if (
            event not in ("remove-error", "leave-error")
            or record.get("organization_id") != organization_id
            or record.get("code") != "ConstraintViolationException"
            or not record.get("reason")
        ):
            continue
        when = _time(record.get("time"))
        account_id = record.get("account_id")
        if when is None or not isinstance(account_id, str):
            continue
        if when > now + CLOCK_SKEW:
            future.append(f"{account_id} on {iso(when)}")
            continue
        operation = str(record.get("operation") or "RemoveAccountFromOrganization")
        found.setdefault(account_id, []).append(Refusal(when, str(record["reason"]), operation))
    if future and problems is not None:
        problems.append(
            f"audit log: {len(future)} "
            f"{'refusal is' if len(future) == 1 else 'refusals are'} dated in the future and "
            f"ignored ({', '.join(future[:3])}{', ...' if len(future) > 3 else ''}); "
            f"check the clock of the machine that wrote {audit_log_path()}."
        )
    return {k: tuple(sorted(v, key=lambda r: r.time)) for k, v in found.items()}


def _time(value: Any) -> datetime | None:
    try:
        return parse_iso(value) if isinstance(value, str) else None
    except ValueError:
        return None
