"""Where orgtui keeps its files, and the writes that must never be lost.

Paths come from platformdirs (app name `orgtui`): settings, snapshot cache, audit log,
tag backups. Files are created 0600 and folders 0700. Audit-log lines and tag backups are
flushed and fsynced before the caller goes on, so that a removal is never made without
its record on disk.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import platformdirs

from orgtui.model import iso

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP = "orgtui"
FILE_MODE = 0o600
DIR_MODE = 0o700


class StoreError(Exception):
    """A local file could not be read or written; `what` and `fix` for the user."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.what}\n{self.fix}"


# --- paths -----------------------------------------------------------------------------


def config_path() -> Path:
    return platformdirs.user_config_path(APP) / "config.toml"


def cache_dir() -> Path:
    return platformdirs.user_cache_path(APP) / "snapshots"


def audit_log_path() -> Path:
    return platformdirs.user_log_path(APP) / "audit.jsonl"


def tag_backup_dir(org_id: str) -> Path:
    return platformdirs.user_data_path(APP) / "tag-backups" / org_id


def ensure_dir(path: Path) -> Path:
    """Create a folder (and its parents) with mode 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def _unwritable(path: Path, exc: OSError) -> StoreError:
    return StoreError(
        f"Could not write {path}: {exc.strerror or exc}.",
        f"Make {path.parent} writable by you (and check free disk space); no account is "
        "removed until it is.",
    )


def write_private(path: Path, data: str, *, exclusive: bool = False) -> None:
    """Write a whole file with mode 0600, flushed and fsynced."""
    try:
        ensure_dir(path.parent)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
        fd = os.open(path, flags, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(path, FILE_MODE)
    except OSError as exc:
        raise _unwritable(path, exc) from exc


# --- audit log -------------------------------------------------------------------------

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
            raise _unwritable(path, exc) from exc
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
            raise _unwritable(folder / ".", exc) from exc
        if not os.access(folder, os.W_OK | os.X_OK):
            raise _unwritable(folder / ".", PermissionError(13, "Permission denied"))


# --- tag backups -----------------------------------------------------------------------


def backup_tags(
    org_id: str, account_id: str, tags: Mapping[str, str], *, extra: Mapping[str, Any] = {}
) -> Path:
    """Write the account's tags to `<org-id>/<account-id>-<UTC time>.json`."""
    now = datetime.now(timezone.utc)
    stamp = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond:06d}Z"
    path = tag_backup_dir(org_id) / f"{account_id}-{stamp}.json"
    payload = {
        "organization_id": org_id,
        "account_id": account_id,
        "backed_up_at": iso(now),
        "tags": dict(tags),
        "restore": "aws organizations tag-resource --resource-id ACCOUNT --tags "
        "Key=...,Value=... (in the account's new organization)",
        **extra,
    }
    write_private(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n", exclusive=True)
    return path


# --- settings --------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    profile: str | None = None
    region: str | None = None
    concurrency: int = 4
    theme: str | None = None
    cache: bool = True


_SETTING_TYPES: dict[str, type] = {
    "profile": str,
    "region": str,
    "concurrency": int,
    "theme": str,
    "cache": bool,
}


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Settings from config.toml, and the problems found in it.

    A bad file or value never stops orgtui: the problem is reported (with its key) and
    the default is used. An unreadable file is set aside as config.toml.bad.
    """
    path = path or config_path()
    problems: list[str] = []
    if not path.exists():
        return Settings(), problems
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        aside = path.with_name(path.name + ".bad")
        try:
            os.replace(path, aside)
            where = f"; it was moved to {aside}"
        except OSError:
            where = ""
        problems.append(f"{path} could not be read ({exc}){where}. Defaults are used.")
        return Settings(), problems
    values: dict[str, Any] = {}
    for key, value in data.items():
        expected = _SETTING_TYPES.get(key)
        if expected is None:
            problems.append(f"{path}: unknown setting '{key}' ignored.")
        elif expected is int and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 1 <= value <= 64):
            problems.append(f"{path}: '{key}' must be a whole number from 1 to 64; "
                            "the default is used.")
        elif not isinstance(value, expected):
            problems.append(f"{path}: '{key}' must be a {expected.__name__}; "
                            "the default is used.")
        else:
            values[key] = value
    return Settings(**values), problems


def save_setting(key: str, value: Any, path: Path | None = None) -> None:
    """Set one key in config.toml, keeping the others."""
    path = path or config_path()
    current: dict[str, Any] = {}
    if path.exists():
        try:
            current = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            current = {}
    current[key] = value
    write_private(path, "".join(f"{k} = {_toml_value(v)}\n" for k, v in current.items()))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


# --- snapshot cache --------------------------------------------------------------------


def cache_key(profile: str | None, endpoint_url: str | None, region: str | None) -> str:
    """The name of the cache file for one way of reaching AWS (the org is known only later)."""
    import hashlib

    raw = json.dumps([profile or "", endpoint_url or "", region or ""])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def save_snapshot(key: str, snap: Any) -> None:
    """Save the last organization read (TODO issue 5: serialize the Snapshot)."""
    return None


def load_snapshot(key: str) -> Any | None:
    """The cached Snapshot for `key`, or None (TODO issue 5). Never raises on a bad file:
    a corrupt cache is set aside and None returned."""
    return None
