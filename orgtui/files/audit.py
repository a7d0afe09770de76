"""The audit log: one JSON line per event of a write (started, outcome), fsynced.

No write call is made unless its start line is whole on disk.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from typing import Any

import platformdirs

from orgtui.files.paths import APP, FILE_MODE, audit_log_path, ensure_dir, unwritable
from orgtui.model import iso

_log_lock = threading.Lock()


def append_audit(event: str, **fields: Any) -> dict[str, Any]:
    """Append one JSON line to the audit log, fsynced before returning.

    Each line is written with a single write() on an O_APPEND descriptor, so a crash
    leaves whole lines only.
    """
    record = {"time": iso(datetime.now(timezone.utc)), "event": event, **fields}
    line = json.dumps(record, sort_keys=False, default=str) + "\n"
    path = audit_log_path()
    with _log_lock:
        try:
            ensure_dir(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.chmod(path, FILE_MODE)
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
    for folder in (audit_log_path().parent, platformdirs.user_data_path(APP) / "tag-backups"):
        try:
            ensure_dir(folder)
        except OSError as exc:
            raise unwritable(folder / ".", exc) from exc
        if not os.access(folder, os.W_OK | os.X_OK):
            raise unwritable(folder / ".", PermissionError(13, "Permission denied"))
