"""The audit log: one JSON line per event of a write (started, outcome), fsynced.

No write call is made unless its start line is whole on disk. Read back line by line
(AWS's refusals are remembered from it): a line orgtui can't read is skipped and counted,
a log that is not a regular file is never read, and past ROTATE_BYTES the log is renamed
aside (every old file kept) and a new one started with the records orgtui reads back.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from orgtui.files.paths import (
    FILE_MODE,
    O_NOFOLLOW,
    audit_log_path,
    ensure_dir,
    refuse_links,
    tag_backups_root,
    unwritable,
    write_all,
)
from orgtui.model import CLOCK_SKEW, Refusal, iso, parse_iso

_log_lock = threading.Lock()
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO in the log's place must not block orgtui

# Past this size the log is rotated (`_rotate`): each read of it stays short (a read costs
# ~10 ms per MB) and its memory bounded, whatever the years of removals behind it.
ROTATE_BYTES = 8 * 1024 * 1024
# A line longer than this is not one orgtui wrote (its longest is a few KB): skipped.
MAX_LINE = 1024 * 1024


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
            with contextlib.suppress(FileNotFoundError):
                mode = os.lstat(path).st_mode  # a link is refused by O_NOFOLLOW below
                if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                    # a FIFO or a device: opening it could block, the line never be on disk
                    raise OSError(errno.EINVAL, "it is not a regular file")
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | O_NOFOLLOW | O_NONBLOCK
            fd = os.open(path, flags, FILE_MODE)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    # a FIFO or a device: the line would never be on disk
                    raise OSError(errno.EINVAL, "it is not a regular file")
                if os.fstat(fd).st_size > ROTATE_BYTES:
                    fd = _rotate(path, fd)
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


@dataclass
class LogReading:
    """What reading the audit log met besides its records: lines skipped, or why the
    file was not read at all. `problem()` puts it in words for the user."""

    path: Path
    unreadable: int = 0
    refused: str = ""

    def problem(self) -> str | None:
        if self.refused:
            return (
                f"The audit log {self.path} was not read: {self.refused}. Earlier refusals "
                "are not remembered; move it away and orgtui starts a new one."
            )
        if self.unreadable:
            lines = "line" if self.unreadable == 1 else "lines"
            return f"audit log: {self.unreadable} {lines} could not be read, see {self.path}"
        return None


def _record(line: bytes) -> dict[str, Any] | None:
    """One line as orgtui wrote it (a JSON object), or None for anything else: bytes that
    are not UTF-8, `null`, `[1]`, nesting past the recursion limit, a number too long."""
    try:
        value = json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError are ValueErrors
        return None
    return value if isinstance(value, dict) else None


def _open_regular(path: Path, reading: LogReading) -> int | None:
    """A descriptor on the log when it is a regular file orgtui may read; else None, with
    why in `reading`. Never blocks on a FIFO, never follows a link, never reads a device."""
    try:
        refuse_links(path.parent)
        fd = os.open(path, os.O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        reading.refused = (
            "it is a symbolic link (orgtui does not follow links for its records)"
            if exc.errno == errno.ELOOP
            else exc.strerror or str(exc)
        )
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        reading.refused = "it is not a regular file"
        return None
    return fd


def iter_audit(
    reading: LogReading | None = None, path: Path | None = None
) -> Iterator[dict[str, Any]]:
    """The log's records, one at a time (memory bounded by one line). A line that can't be
    read is skipped and counted in `reading`; a torn last line (a crash mid-write) too."""
    path = path or audit_log_path()
    reading = reading if reading is not None else LogReading(path)
    fd = _open_regular(path, reading)
    if fd is None:
        return
    with os.fdopen(fd, "rb") as log:
        while line := log.readline(MAX_LINE + 1):
            if len(line) > MAX_LINE and not line.endswith(b"\n"):
                while (rest := log.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                    pass  # the rest of an overlong line
                reading.unreadable += 1
                continue
            if not line.strip():
                continue
            record = _record(line)
            if record is None:
                reading.unreadable += 1
                continue
            yield record


def read_audit() -> list[dict[str, Any]]:
    """Every readable record of the audit log (for tests and tools; orgtui itself reads it
    through `iter_audit`)."""
    return list(iter_audit())


REFUSAL_EVENTS = ("remove-error", "leave-error")


def _refusal(record: dict[str, Any], events: tuple[str, ...] = REFUSAL_EVENTS) -> bool:
    """AWS refused the write for a reason it named (ConstraintViolationException)."""
    return (
        record.get("event") in events
        and record.get("code") == "ConstraintViolationException"
        and bool(record.get("reason"))
    )


def _remembered(record: dict[str, Any]) -> bool:
    """A record orgtui reads back (AWS's refusals, the closures the close quota counts),
    carried into each new log on rotation so that nothing it remembers is lost with the
    old file."""
    return _refusal(record, (*REFUSAL_EVENTS, "close-error")) or record.get("event") == "close-ok"


def read_closures(organization_id: str, since: datetime) -> set[str]:
    """Accounts of this organization that orgtui closed (CloseAccount succeeded) since
    then: what the close quota's rolling 30 days count from the audit log."""
    closed: set[str] = set()
    for record in iter_audit():
        if record.get("event") != "close-ok" or record.get("organization_id") != organization_id:
            continue
        when = _time(record.get("time"))
        account_id = record.get("account_id")
        if when is not None and when >= since and isinstance(account_id, str):
            closed.add(account_id)
    return closed


def _rotate(path: Path, fd: int) -> int:
    """Rename a log past ROTATE_BYTES to `audit-<UTC time>.jsonl` beside it (every old
    file is kept) and start a new one holding the records orgtui reads back. Called
    under the lock with the log open; returns the descriptor of the new log. Best
    effort: if it can't be done, the old log goes on growing."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    old = path.with_name(f"audit-{stamp}.jsonl")
    try:
        carried = b"".join(
            (json.dumps(r, default=str) + "\n").encode("utf-8")
            for r in iter_audit(LogReading(path), path)
            if _remembered(r)
        )
        os.rename(path, old)
    except OSError:
        return fd
    try:
        new = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | O_NOFOLLOW, FILE_MODE
        )
    except OSError:
        return fd  # the line goes to the old log, under its new name: not lost
    os.close(fd)
    try:
        write_all(new, carried)
        os.fsync(new)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(new, 0)
    return new


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
    A refusal in another organization counts for nothing here. What could not be read
    (bad lines, a log that is not a regular file) is added to `problems` in words.

    A refusal dated in the future (after `now`, with the clock skew an attestation is
    allowed) is ignored: no attestation could ever be dated after it, so it would block
    for good. `problems` gets one line saying so."""
    now = now or datetime.now(timezone.utc)
    found: dict[str, list[Refusal]] = {}
    future: list[str] = []
    reading = LogReading(audit_log_path())
    for record in iter_audit(reading):
        if not _refusal(record) or record.get("organization_id") != organization_id:
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
    problem = reading.problem()
    if problem and problems is not None:
        problems.append(problem)
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
